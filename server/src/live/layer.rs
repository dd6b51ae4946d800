//! The `vessels` layer: the live fleet as a layer source like any other, so tiles, OGC
//! API items and CQL2 filters work on it unchanged.
//!
//! It answers from a snapshot of the fleet turned into an embedded layer. A snapshot is
//! rebuilt when the fleet has changed, at most every 250 ms (a few milliseconds for
//! thousands of vessels), and at least every 30 s so `age_s` stays honest. Tile caches
//! key on the fleet's version, so a tile never outlives the positions it shows.

use super::fleet::Vessel;
use super::Live;
use crate::layers::{LayerDef, Title};
use crate::ogc::{ItemsPage, ItemsQuery};
use crate::store::embedded::EmbeddedLayer;
use crate::store::{LayerInfo, LayerSource, SourceError};
use geo::{Geometry, Point};
use serde_json::{json, Map, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tidewatch_importers::Feature;
use tidewatch_tiles::{GeometryKind, TileBytes, TileId};

pub const LAYER_ID: &str = "vessels";
const MIN_REBUILD: Duration = Duration::from_millis(250);
const MAX_AGE: Duration = Duration::from_secs(30);

/// Properties of every vessel feature and their TileJSON types.
const FIELDS: [(&str, &str); 11] = [
    ("vessel_id", "String"),
    ("name", "String"),
    ("source", "String"),
    ("ship_type", "Number"),
    ("speed_kn", "Number"),
    ("course_deg", "Number"),
    ("heading_deg", "Number"),
    ("nav_status", "Number"),
    ("time", "String"),
    ("age_s", "Number"),
    ("ais_class", "String"),
];

struct Snapshot {
    version: u64,
    built: Instant,
    layer: Arc<EmbeddedLayer>,
}

pub struct VesselsLayer {
    live: Arc<Live>,
    def: LayerDef,
    info: LayerInfo,
    snapshot: Mutex<Option<Snapshot>>,
}

impl VesselsLayer {
    pub fn new(live: Arc<Live>) -> Self {
        let def = LayerDef {
            title: Title {
                zh: "实时船舶".into(),
                en: "Live vessels".into(),
            },
            description:
                "Latest AIS and Beidou position of every vessel, updated as reports arrive".into(),
            time_property: Some("time".into()),
            ..LayerDef::new(LAYER_ID, GeometryKind::Point)
        };
        let info = LayerInfo::computed(&def, &FIELDS);
        VesselsLayer {
            live,
            def,
            info,
            snapshot: Mutex::new(None),
        }
    }

    /// The current snapshot and the fleet version it shows, rebuilt when stale.
    fn current(&self) -> Result<Arc<EmbeddedLayer>, SourceError> {
        self.snapshot().map(|(layer, _)| layer)
    }

    fn snapshot(&self) -> Result<(Arc<EmbeddedLayer>, u64), SourceError> {
        let mut slot = self.snapshot.lock().unwrap_or_else(|e| e.into_inner());
        let version = self.live.version();
        if let Some(s) = slot.as_ref() {
            let age = s.built.elapsed();
            if (s.version == version && age < MAX_AGE) || age < MIN_REBUILD {
                return Ok((s.layer.clone(), s.version));
            }
        }
        let now = super::now_ms();
        let features: Vec<Feature> = self
            .live
            .fleet()
            .iter()
            .filter_map(|v| vessel_feature(v, now))
            .collect();
        let layer = EmbeddedLayer::from_features(&self.def, features).map_err(|e| {
            SourceError::Unavailable {
                layer: LAYER_ID.into(),
                reason: e.to_string(),
            }
        })?;
        let layer = Arc::new(layer);
        *slot = Some(Snapshot {
            version,
            built: Instant::now(),
            layer: layer.clone(),
        });
        Ok((layer, version))
    }
}

/// A numeric feature id for a vessel: its MMSI, or for other ids a stable 52-bit hash
/// above the MMSI range (FNV-1a), so OGC `/items/{id}` links keep working.
pub fn feature_id(vessel: &str) -> u64 {
    if let Ok(n) = vessel.parse::<u64>() {
        if n < 1 << 40 {
            return n;
        }
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in vessel.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    (1 << 52) | (h & ((1 << 52) - 1))
}

/// The GeoJSON-ready properties of a vessel at `now_ms` (shared with `/vessels`).
pub fn vessel_properties(v: &Vessel, now_ms: i64) -> Map<String, Value> {
    let mut p = Map::new();
    p.insert("vessel_id".into(), json!(&*v.id));
    if let Some(name) = &v.statics.name {
        p.insert("name".into(), json!(name));
    }
    if let Some(f) = v.latest {
        p.insert("source".into(), json!(f.source.as_str()));
        let mut put = |k: &str, x: Option<f32>| {
            if let Some(x) = x {
                // Rounded so tiles carry short numbers.
                p.insert(k.into(), json!((f64::from(x) * 10.0).round() / 10.0));
            }
        };
        put("speed_kn", f.speed_kn);
        put("course_deg", f.course_deg);
        put("heading_deg", f.heading_deg);
        if let Some(s) = f.nav_status {
            p.insert("nav_status".into(), json!(s));
        }
        p.insert("time".into(), json!(crate::time::rfc3339_ms(f.at_ms)));
        p.insert("age_s".into(), json!(((now_ms - f.at_ms) / 1000).max(0)));
    }
    if let Some(t) = v.statics.ship_type {
        p.insert("ship_type".into(), json!(t));
    }
    if let Some(c) = &v.statics.ais_class {
        p.insert("ais_class".into(), json!(c));
    }
    p
}

fn vessel_feature(v: &Vessel, now_ms: i64) -> Option<Feature> {
    let f = v.latest?;
    Some(Feature {
        id: feature_id(&v.id),
        geometry: Geometry::Point(Point::new(f.lon, f.lat)),
        properties: vessel_properties(v, now_ms),
    })
}

#[async_trait::async_trait]
impl LayerSource for VesselsLayer {
    fn info(&self) -> &LayerInfo {
        &self.info
    }

    async fn tile(&self, tile: TileId) -> Result<TileBytes, SourceError> {
        Ok(self.current()?.encode_tile(tile))
    }

    async fn features_in(&self, bbox: [f64; 4], limit: usize) -> Result<Vec<Feature>, SourceError> {
        Ok(self.current()?.features_intersecting(bbox, limit))
    }

    async fn items(&self, query: &ItemsQuery) -> Result<ItemsPage, SourceError> {
        Ok(self.current()?.items_page(query))
    }

    async fn feature(&self, id: u64) -> Result<Option<Feature>, SourceError> {
        Ok(self
            .current()?
            .features()
            .iter()
            .find(|f| f.id == id)
            .cloned())
    }

    /// The version of the snapshot tiles are drawn from (not the fleet's newest), so a
    /// cached tile is keyed by what it shows.
    fn version(&self) -> u64 {
        self.snapshot().map_or(0, |(_, v)| v)
    }

    fn max_age_s(&self) -> Option<u32> {
        Some(2)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
