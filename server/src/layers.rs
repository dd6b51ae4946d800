//! Layer definitions: one `layers/*.toml` file per layer, saying where its features
//! come from and how they become tiles.

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tidewatch_tiles::{GeometryKind, MAX_ZOOM};

/// A name in Chinese and English, for everything people see.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Title {
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerDef {
    /// Used in URLs and as the MVT layer name: lowercase letters, digits, `_` and `-`.
    pub id: String,
    pub title: Title,
    #[serde(default)]
    pub description: String,
    pub geometry: GeometryKind,
    /// Feature file (GeoJSON or FlatGeobuf), relative to the definition file.
    pub file: PathBuf,
    #[serde(default)]
    pub minzoom: u8,
    #[serde(default = "default_maxzoom")]
    pub maxzoom: u8,
    /// Properties that go into tiles; all of them when absent.
    pub properties: Option<Vec<String>>,
    /// Douglas–Peucker tolerance in pixels of a 256-pixel tile.
    #[serde(default = "default_simplify")]
    pub simplify_px: f64,
    /// Per-zoom overrides of `simplify_px` (keys are zoom levels).
    #[serde(default)]
    pub simplify_px_by_zoom: BTreeMap<String, f64>,
    /// Point layers: thin a zoom into grid clusters when a tile would hold more points.
    #[serde(default = "default_max_points")]
    pub max_points_per_tile: usize,
    #[serde(default)]
    pub attribution: String,
    /// A property holding each feature's time (RFC 3339 date-time or date), which the
    /// OGC API `datetime` parameter filters on. Embedded store only, so far.
    #[serde(default)]
    pub time_property: Option<String>,
}

fn default_maxzoom() -> u8 {
    14
}
fn default_simplify() -> f64 {
    0.5
}
fn default_max_points() -> usize {
    4096
}

impl LayerDef {
    /// A definition with the defaults a layer file may leave out; titles are the id.
    pub fn new(id: &str, geometry: GeometryKind) -> Self {
        LayerDef {
            id: id.to_owned(),
            title: Title {
                zh: id.to_owned(),
                en: id.to_owned(),
            },
            description: String::new(),
            geometry,
            file: PathBuf::new(),
            minzoom: 0,
            maxzoom: default_maxzoom(),
            properties: None,
            simplify_px: default_simplify(),
            simplify_px_by_zoom: BTreeMap::new(),
            max_points_per_tile: default_max_points(),
            attribution: String::new(),
            time_property: None,
        }
    }

    /// Tolerance to simplify with at zoom `z`.
    pub fn simplify_at(&self, z: u8) -> f64 {
        self.simplify_px_by_zoom
            .get(&z.to_string())
            .copied()
            .unwrap_or(self.simplify_px)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if !is_valid_id(&self.id) {
            bail!(
                "layer id {:?} must be 1–64 of a–z, 0–9, '_' or '-'",
                self.id
            );
        }
        if self.minzoom > self.maxzoom || self.maxzoom > MAX_ZOOM {
            bail!(
                "zoom range {}–{} is not within 0–{MAX_ZOOM}",
                self.minzoom,
                self.maxzoom
            );
        }
        for key in self.simplify_px_by_zoom.keys() {
            key.parse::<u8>()
                .with_context(|| format!("simplify_px_by_zoom key {key:?} is not a zoom"))?;
        }
        Ok(())
    }
}

pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Reads every `*.toml` in `dir` (sorted by file name, which is also catalog order),
/// resolving each layer's file relative to its definition.
pub fn read_layer_defs(dir: &Path) -> anyhow::Result<Vec<LayerDef>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the layers folder {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    let mut defs: Vec<LayerDef> = Vec::with_capacity(paths.len());
    for path in paths {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let mut def: LayerDef = toml::from_str(&text)
            .with_context(|| format!("layer definition {}", path.display()))?;
        def.validate()
            .with_context(|| format!("layer definition {}", path.display()))?;
        if defs.iter().any(|d| d.id == def.id) {
            bail!("{}: layer id {:?} is defined twice", path.display(), def.id);
        }
        def.file = path.parent().unwrap_or(Path::new(".")).join(&def.file);
        defs.push(def);
    }
    if defs.is_empty() {
        bail!("no layer definitions (*.toml) in {}", dir.display());
    }
    Ok(defs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_could_break_urls_or_sql_are_rejected() {
        assert!(is_valid_id("tide_stations"));
        for bad in [
            "",
            "Piers",
            "a b",
            "x;drop table",
            "../etc",
            "a,b",
            &"a".repeat(65),
        ] {
            assert!(!is_valid_id(bad), "{bad}");
        }
    }

    #[test]
    fn reads_definitions_and_reports_bad_ones_by_file() {
        let dir = std::env::temp_dir().join(format!("tw-layers-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("a.toml"),
            "id='a'\ntitle={zh='甲',en='A'}\ngeometry='point'\nfile='a.geojson'\nsimplify_px_by_zoom={'3'=2.0}",
        )
        .unwrap();
        let defs = read_layer_defs(&dir).unwrap();
        assert_eq!(defs[0].file, dir.join("a.geojson"));
        assert_eq!((defs[0].simplify_at(3), defs[0].simplify_at(4)), (2.0, 0.5));

        std::fs::write(
            dir.join("b.toml"),
            "id='B!'\ntitle={zh='乙',en='B'}\ngeometry='line'\nfile='b.fgb'",
        )
        .unwrap();
        let err = format!("{:#}", read_layer_defs(&dir).unwrap_err());
        assert!(err.contains("b.toml") && err.contains("\"B!\""), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
