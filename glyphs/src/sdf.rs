//! Renders one glyph outline into MapLibre's signed-distance-field bitmap and metrics.
//!
//! The conventions follow Mapbox's sdf-glyph-foundry (used by node-fontnik and MapLibre's
//! font-maker), which is what MapLibre GL JS's shaping (`SHAPING_DEFAULT_OFFSET`, the
//! TinySDF `topAdjustment`) is calibrated against:
//! - the glyph is drawn unhinted at 24 px per em;
//! - its box is the outline's bounding box with each edge rounded to whole pixels:
//!   `left = round(xMin)`, `width = round(xMax) − round(xMin)`, likewise for height;
//! - `top = round(yMax) − ascender`, where `ascender` is FreeType's scaled size ascender
//!   (the font's ascender rounded *up* to whole pixels), so `top` is measured from a line
//!   one ascender above the baseline and is negative for ordinary letters;
//! - the bitmap has a 3 px border and is sampled at pixel centres, top row first.
//!
//! The distance is exact to the outline flattened to within [`FLATTEN_TOLERANCE`]: each
//! segment updates the pixels within reach of it, and a scanline nonzero-winding test
//! (TrueType's fill rule) decides the sign.

use ttf_parser::{Face, GlyphId, OutlineBuilder};

use crate::pbf::Glyph;

/// Pixels per em that MapLibre expects glyph ranges to be rendered at.
pub(crate) const FONT_SIZE: f32 = 24.0;
/// Border around each glyph bitmap; MapLibre hard-codes 3 (`GLYPH_PBF_BORDER`).
const BUFFER: i32 = 3;
/// Distance, in px, that spans the whole byte range.
const RADIUS: f32 = 8.0;
/// Fraction of the byte range used for the inside, so the edge sits at 0.75 (byte 191).
const CUTOFF: f32 = 0.25;
/// Beyond this distance outside the outline the byte saturates at 0 (and inside at 255
/// already after `RADIUS * CUTOFF`), so no segment further away can change a pixel.
const REACH: f32 = RADIUS * (1.0 - CUTOFF);
/// Maximum distance, in px, between a curve and the line segments replacing it.
const FLATTEN_TOLERANCE: f32 = 0.02;

/// Font units to pixels as FreeType scales an unhinted outline: a 16.16 fixed-point
/// factor, with each result rounded to 26.6 fixed point (1/64 px). Matching it keeps box
/// rounding identical to fontnik's where a coordinate lands near half a pixel.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scale {
    /// 26.6 units per font unit, in 16.16 fixed point (FreeType's `FT_DivFix`).
    fixed: f64,
}

impl Scale {
    pub(crate) fn new(units_per_em: u16) -> Self {
        Scale {
            fixed: (f64::from(FONT_SIZE) * 64.0 * 65536.0 / f64::from(units_per_em)).round(),
        }
    }

    /// `v` font units in pixels (`FT_MulFix` rounds half away from zero, as `round` does).
    pub(crate) fn px(self, v: f32) -> f32 {
        ((f64::from(v) * self.fixed / 65536.0).round() / 64.0) as f32
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Point {
    x: f32,
    y: f32,
}

/// Collects a glyph outline as closed polygons of line segments, in pixels, y up.
struct Flattener {
    scale: Scale,
    segments: Vec<(Point, Point)>,
    start: Point,
    current: Point,
}

impl Flattener {
    fn point(&self, x: f32, y: f32) -> Point {
        Point {
            x: self.scale.px(x),
            y: self.scale.px(y),
        }
    }

    fn line(&mut self, to: Point) {
        if to != self.current {
            self.segments.push((self.current, to));
        }
        self.current = to;
    }

    /// Splits a curve into `n` segments, with `n` chosen from a bound on its second
    /// derivative so the chords stay within the tolerance.
    fn curve(&mut self, second_derivative_bound: f32, eval: impl Fn(f32) -> Point) {
        // A chord over a parameter step h deviates at most |f''|·h²/8 from the curve.
        let n = (second_derivative_bound / (8.0 * FLATTEN_TOLERANCE))
            .sqrt()
            .ceil()
            .clamp(1.0, 64.0) as u32;
        for i in 1..=n {
            self.line(eval(i as f32 / n as f32));
        }
    }
}

fn len(x: f32, y: f32) -> f32 {
    (x * x + y * y).sqrt()
}

impl OutlineBuilder for Flattener {
    fn move_to(&mut self, x: f32, y: f32) {
        // Contours are closed implicitly even if a font never says so.
        self.close();
        self.start = self.point(x, y);
        self.current = self.start;
    }

    fn line_to(&mut self, x: f32, y: f32) {
        let p = self.point(x, y);
        self.line(p);
    }

    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let (p0, p1, p2) = (self.current, self.point(x1, y1), self.point(x, y));
        let bound = 2.0 * len(p0.x - 2.0 * p1.x + p2.x, p0.y - 2.0 * p1.y + p2.y);
        self.curve(bound, |t| {
            let u = 1.0 - t;
            Point {
                x: u * u * p0.x + 2.0 * u * t * p1.x + t * t * p2.x,
                y: u * u * p0.y + 2.0 * u * t * p1.y + t * t * p2.y,
            }
        });
    }

    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let p0 = self.current;
        let (p1, p2, p3) = (self.point(x1, y1), self.point(x2, y2), self.point(x, y));
        let d1 = len(p0.x - 2.0 * p1.x + p2.x, p0.y - 2.0 * p1.y + p2.y);
        let d2 = len(p1.x - 2.0 * p2.x + p3.x, p1.y - 2.0 * p2.y + p3.y);
        self.curve(6.0 * d1.max(d2), |t| {
            let u = 1.0 - t;
            let (a, b, c, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
            Point {
                x: a * p0.x + b * p1.x + c * p2.x + d * p3.x,
                y: a * p0.y + b * p1.y + c * p2.y + d * p3.y,
            }
        });
    }

    fn close(&mut self) {
        let start = self.start;
        self.line(start);
    }
}

fn distance_squared(p: Point, a: Point, b: Point) -> f32 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let (px, py) = (p.x - a.x, p.y - a.y);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        ((px * dx + py * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (ex, ey) = (px - t * dx, py - t * dy);
    ex * ex + ey * ey
}

/// Renders code point `id` (glyph `glyph_id` of `face`) at 24 px.
///
/// `ascender` is the scaled ascender in whole pixels.
pub(crate) fn render_glyph(
    face: &Face<'_>,
    id: u32,
    glyph_id: GlyphId,
    scale: Scale,
    ascender: i32,
) -> Glyph {
    // fontnik truncates the advance to whole pixels, which sets text ~0.5 px per glyph
    // tighter than the font intends; rounding keeps label widths true to the font.
    let advance = face
        .glyph_hor_advance(glyph_id)
        .map_or(0, |a| scale.px(f32::from(a)).round() as u32);
    let mut outline = Flattener {
        scale,
        segments: Vec::new(),
        start: Point { x: 0.0, y: 0.0 },
        current: Point { x: 0.0, y: 0.0 },
    };
    face.outline_glyph(glyph_id, &mut outline);
    outline.close();
    let segments = outline.segments;

    let (mut x_min, mut y_min) = (f32::INFINITY, f32::INFINITY);
    let (mut x_max, mut y_max) = (f32::NEG_INFINITY, f32::NEG_INFINITY);
    for (p, _) in &segments {
        x_min = x_min.min(p.x);
        x_max = x_max.max(p.x);
        y_min = y_min.min(p.y);
        y_max = y_max.max(p.y);
    }
    let blank = Glyph {
        id,
        bitmap: Vec::new(),
        width: 0,
        height: 0,
        left: 0,
        top: -ascender,
        advance,
    };
    if segments.is_empty() {
        return blank;
    }
    let (left, right) = (x_min.round() as i32, x_max.round() as i32);
    let (bottom, top) = (y_min.round() as i32, y_max.round() as i32);
    if right <= left || top <= bottom {
        // Too thin to show at 24 px (fontnik drops these too).
        return blank;
    }
    let (width, height) = ((right - left) as u32, (top - bottom) as u32);
    let w = (width as i32 + 2 * BUFFER) as usize;
    let h = (height as i32 + 2 * BUFFER) as usize;
    // Pixel (col, row) has its centre at (x0 + col, y0 - row), y up.
    let x0 = (left - BUFFER) as f32 + 0.5;
    let y0 = (top + BUFFER) as f32 - 0.5;

    let mut dist2 = vec![REACH * REACH; w * h];
    for &(a, b) in &segments {
        // Only pixels within REACH of the segment's box can get closer than REACH.
        let col_lo = (a.x.min(b.x) - REACH - x0).ceil().max(0.0) as usize;
        let col_hi = (a.x.max(b.x) + REACH - x0).floor().min((w - 1) as f32);
        let row_lo = (y0 - a.y.max(b.y) - REACH).ceil().max(0.0) as usize;
        let row_hi = (y0 - a.y.min(b.y) + REACH).floor().min((h - 1) as f32);
        if col_hi < col_lo as f32 || row_hi < row_lo as f32 {
            continue;
        }
        let (col_hi, row_hi) = (col_hi as usize, row_hi as usize);
        for row in row_lo..=row_hi {
            let y = y0 - row as f32;
            let line = &mut dist2[row * w + col_lo..=row * w + col_hi];
            for (k, d) in line.iter_mut().enumerate() {
                let p = Point {
                    x: x0 + (col_lo + k) as f32,
                    y,
                };
                *d = d.min(distance_squared(p, a, b));
            }
        }
    }

    let mut bitmap = vec![0u8; w * h];
    let mut crossings: Vec<(f32, i32)> = Vec::new();
    for row in 0..h {
        let y = y0 - row as f32;
        crossings.clear();
        for &(a, b) in &segments {
            // Half-open in y so a vertex on the scanline is counted once.
            if (a.y <= y) != (b.y <= y) {
                let x = a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y);
                crossings.push((x, if b.y > a.y { 1 } else { -1 }));
            }
        }
        crossings.sort_unstable_by(|p, q| p.0.total_cmp(&q.0));
        let (mut next, mut winding) = (0, 0);
        for col in 0..w {
            let x = x0 + col as f32;
            while next < crossings.len() && crossings[next].0 < x {
                winding += crossings[next].1;
                next += 1;
            }
            let i = row * w + col;
            let d = dist2[i].sqrt();
            let signed = if winding != 0 { -d } else { d };
            bitmap[i] = (255.0 - 255.0 * (signed / RADIUS + CUTOFF))
                .round()
                .clamp(0.0, 255.0) as u8;
        }
    }

    Glyph {
        id,
        bitmap,
        width,
        height,
        left,
        top: top - ascender,
        advance,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattened_curves_stay_within_tolerance() {
        let mut f = Flattener {
            // 24 px per 24 units: font units are pixels.
            scale: Scale::new(24),
            segments: Vec::new(),
            start: Point { x: 0.0, y: 0.0 },
            current: Point { x: 0.0, y: 0.0 },
        };
        // A quarter-ish arc of radius 10: every chord midpoint must lie near the curve.
        f.move_to(10.0, 0.0);
        f.quad_to(10.0, 10.0, 0.0, 10.0);
        f.close();
        assert!(
            f.segments.len() > 4,
            "curve was split: {}",
            f.segments.len()
        );
        let last = f.segments.last().unwrap();
        assert_eq!(last.1, Point { x: 10.0, y: 0.0 }, "contour closed");
        for (a, b) in &f.segments[..f.segments.len() - 1] {
            // Closest point on the exact quad to the chord midpoint, by dense sampling.
            let m = Point {
                x: (a.x + b.x) / 2.0,
                y: (a.y + b.y) / 2.0,
            };
            let best = (0..=2000)
                .map(|i| {
                    let t = i as f32 / 2000.0;
                    let u = 1.0 - t;
                    let q = Point {
                        x: u * u * 10.0 + 2.0 * u * t * 10.0,
                        y: 2.0 * u * t * 10.0 + t * t * 10.0,
                    };
                    len(q.x - m.x, q.y - m.y)
                })
                .fold(f32::INFINITY, f32::min);
            assert!(best <= FLATTEN_TOLERANCE + 1e-3, "chord off by {best}");
        }
    }

    #[test]
    fn point_segment_distance() {
        let a = Point { x: 0.0, y: 0.0 };
        let b = Point { x: 4.0, y: 0.0 };
        assert_eq!(distance_squared(Point { x: 2.0, y: 3.0 }, a, b), 9.0);
        assert_eq!(distance_squared(Point { x: 7.0, y: 4.0 }, a, b), 25.0);
        assert_eq!(distance_squared(Point { x: 1.0, y: 1.0 }, a, a), 2.0);
    }
}
