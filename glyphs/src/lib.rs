//! MapLibre glyph ranges rendered from a font bundled into the binary.
//!
//! MapLibre GL JS draws label text from signed-distance-field glyphs that it fetches as
//! `{glyphs-url}/{fontstack}/{start}-{end}.pbf`, one range of 256 code points at a time.
//! The county network has no internet, so the server renders those ranges itself from a
//! vendored Noto Sans (SIL OFL 1.1, `fonts/`), producing the same protobuf, metrics and
//! SDF encoding as Mapbox's node-fontnik / MapLibre's font-maker. Code points the font
//! lacks are simply absent from a range; CJK ideographs are normally drawn by MapLibre
//! itself from local fonts (`localIdeographFontFamily`).
//!
//! Rendering a range takes tens of milliseconds, so callers should cache the bytes.

mod pbf;
mod sdf;

use std::sync::OnceLock;

use ttf_parser::Face;

/// Number of code points in one glyph range.
const RANGE_LEN: u32 = 256;
/// Start of the last range MapLibre asks for (it never requests beyond U+FFFF).
const LAST_RANGE_START: u32 = 0xFFFF - (RANGE_LEN - 1);

/// Errors from parsing fonts or glyph-range requests.
#[derive(Debug, thiserror::Error)]
pub enum GlyphError {
    /// A range string such as `"0-255"` was malformed or not an aligned 256-code-point range.
    #[error("invalid glyph range {input:?}: {reason}")]
    InvalidRange { input: String, reason: &'static str },
    /// A range start that is not a multiple of 256 in `0..=65280`.
    #[error("invalid glyph range start {0}: must be a multiple of 256 no greater than 65280")]
    InvalidRangeStart(u32),
    /// The font bytes could not be parsed.
    #[error("cannot parse font {name:?}")]
    Font {
        name: String,
        #[source]
        source: ttf_parser::FaceParsingError,
    },
}

/// A parsed TrueType/OpenType font that renders MapLibre glyph ranges under a fontstack name.
pub struct GlyphFont {
    name: String,
    face: Face<'static>,
    /// Font units to pixels at 24 px per em.
    scale: sdf::Scale,
    /// FreeType's scaled ascender in whole pixels (rounded up), the origin of glyph `top`.
    ascender: i32,
}

static BUNDLED_TTF: &[u8] = include_bytes!("../fonts/NotoSans-Regular.ttf");

impl GlyphFont {
    /// The fontstack name of [`GlyphFont::bundled`], for styles' `text-font`.
    pub const BUNDLED_NAME: &'static str = "Noto Sans Regular";

    /// The bundled Noto Sans Regular, parsed on first use.
    pub fn bundled() -> &'static GlyphFont {
        static FONT: OnceLock<GlyphFont> = OnceLock::new();
        FONT.get_or_init(|| {
            GlyphFont::from_ttf(Self::BUNDLED_NAME, BUNDLED_TTF)
                .expect("the bundled font is a valid TrueType file")
        })
    }

    /// Parses a TrueType/OpenType font (the first face of a collection) to serve as
    /// fontstack `name`.
    pub fn from_ttf(name: &str, bytes: &'static [u8]) -> Result<Self, GlyphError> {
        let face = Face::parse(bytes, 0).map_err(|source| GlyphError::Font {
            name: name.to_owned(),
            source,
        })?;
        let scale = sdf::Scale::new(face.units_per_em());
        // Ascender as FreeType picks it (hhea, or OS/2 typo with USE_TYPO_METRICS), and
        // rounded up like FreeType's size metrics that fontnik subtracts.
        let ascender = scale.px(f32::from(face.ascender())).ceil() as i32;
        Ok(GlyphFont {
            name: name.to_owned(),
            face,
            scale,
            ascender,
        })
    }

    /// The fontstack name written into every range.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The protobuf for the 256 code points from `start`, which must be a multiple of 256
    /// and at most 65280. Code points without a glyph in the font are left out.
    pub fn range_pbf(&self, start: u32) -> Result<Vec<u8>, GlyphError> {
        if !start.is_multiple_of(RANGE_LEN) || start > LAST_RANGE_START {
            return Err(GlyphError::InvalidRangeStart(start));
        }
        let end = start + RANGE_LEN - 1;
        let glyphs: Vec<pbf::Glyph> = (start..=end)
            .filter_map(|cp| {
                // Surrogates are not chars and so have no glyph; glyph 0 is .notdef.
                let glyph_id = self.face.glyph_index(char::from_u32(cp)?)?;
                (glyph_id.0 != 0)
                    .then(|| sdf::render_glyph(&self.face, cp, glyph_id, self.scale, self.ascender))
            })
            .collect();
        Ok(pbf::encode_glyphs(
            &self.name,
            &format!("{start}-{end}"),
            &glyphs,
        ))
    }
}

/// Parses a range as MapLibre requests it (`"0-255"`, `"256-511"`, …) into its start.
///
/// Only the canonical form is accepted: decimal without sign or leading zeros, start a
/// multiple of 256 no greater than 65280, end exactly start + 255.
pub fn parse_range(s: &str) -> Result<u32, GlyphError> {
    let err = |reason| GlyphError::InvalidRange {
        input: s.chars().take(64).collect(),
        reason,
    };
    let (start, end) = s
        .split_once('-')
        .ok_or_else(|| err("expected START-END, e.g. 0-255"))?;
    let number = |part: &str| {
        let canonical = !part.is_empty()
            && part.bytes().all(|b| b.is_ascii_digit())
            && (part == "0" || !part.starts_with('0'));
        if !canonical {
            return Err(err("START and END must be plain decimal numbers"));
        }
        part.parse::<u32>().map_err(|_| err("number out of range"))
    };
    let (start, end) = (number(start)?, number(end)?);
    if !start.is_multiple_of(RANGE_LEN) {
        return Err(err("START must be a multiple of 256"));
    }
    if start > LAST_RANGE_START {
        return Err(err("glyph ranges stop at 65280-65535"));
    }
    if end != start + RANGE_LEN - 1 {
        return Err(err("END must be START + 255"));
    }
    Ok(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_font_metrics() {
        let font = GlyphFont::bundled();
        assert_eq!(font.name(), "Noto Sans Regular");
        // Noto Sans: 1000 units per em, hhea ascender 1069 → 25.66 px, rounded up.
        assert_eq!(font.ascender, 26);
        assert_eq!(font.scale.px(1000.0), 24.0);
        // 26.6 rounding: 229 units = 5.496 px lands on 5.5 (352/64), as in FreeType.
        assert_eq!(font.scale.px(229.0), 5.5);
    }

    #[test]
    fn garbage_is_not_a_font() {
        let err = GlyphFont::from_ttf("X", b"definitely not a font")
            .err()
            .expect("garbage must not parse");
        assert!(matches!(err, GlyphError::Font { ref name, .. } if name == "X"));
        assert!(err.to_string().contains("\"X\""));
    }

    #[test]
    fn range_starts_are_validated() {
        let font = GlyphFont::bundled();
        for bad in [1, 255, 257, 65281, 65536, u32::MAX] {
            assert!(
                matches!(font.range_pbf(bad), Err(GlyphError::InvalidRangeStart(s)) if s == bad),
                "{bad}"
            );
        }
        assert!(font.range_pbf(65280).is_ok());
    }

    #[test]
    fn parse_range_accepts_only_canonical_aligned_ranges() {
        assert_eq!(parse_range("0-255").unwrap(), 0);
        assert_eq!(parse_range("256-511").unwrap(), 256);
        assert_eq!(parse_range("19968-20223").unwrap(), 19968);
        assert_eq!(parse_range("65280-65535").unwrap(), 65280);
        for bad in [
            "",
            "abc",
            "0",
            "-255",
            "0-",
            "1-256",
            "0-300",
            "0-256",
            "256-255",
            "65536-65791",
            "00-255",
            "+0-255",
            "0-+255",
            " 0-255",
            "0-255 ",
            "0-255-",
            "0_255",
            "0x0-255",
            "99999999999-100000000254",
            "0-２５５",
        ] {
            let err = parse_range(bad).expect_err(bad);
            assert!(
                matches!(&err, GlyphError::InvalidRange { input, .. } if input == bad),
                "{bad}: {err}"
            );
        }
        let msg = parse_range("1-256").unwrap_err().to_string();
        assert!(
            msg.contains("\"1-256\"") && msg.contains("multiple of 256"),
            "{msg}"
        );
    }
}
