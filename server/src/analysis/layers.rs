//! Analysis results as layers: `coverage` (what each working sensor sees),
//! `coverage_gaps` (coast no sensor sees) and `patrol_tonight` (tonight's patrol zones
//! with their tide windows and priorities). Each answers from a snapshot turned into an
//! embedded layer, rebuilt when the layers it is computed from change (the catalog's
//! generation) and, for `patrol_tonight`, when the night does.

use super::{Analyses, AnalysisError};
use crate::layers::{LayerDef, Title};
use crate::ogc::{ItemsPage, ItemsQuery};
use crate::store::embedded::EmbeddedLayer;
use crate::store::{LayerInfo, LayerSource, SourceError};
use geo::Geometry;
use serde_json::{json, Map, Value};
use std::sync::Arc;
use tidewatch_importers::Feature;
use tidewatch_tiles::{GeometryKind, TileBytes, TileId};

/// Which analysis a layer shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Derived {
    Coverage,
    CoverageGaps,
    PatrolTonight,
}

impl Derived {
    pub const ALL: [Derived; 3] = [
        Derived::Coverage,
        Derived::CoverageGaps,
        Derived::PatrolTonight,
    ];

    fn def(self) -> (LayerDef, &'static [(&'static str, &'static str)]) {
        let (id, zh, en, description, geometry, fields): (_, _, _, _, _, &[(&str, &str)]) =
            match self {
                Derived::Coverage => (
                    "coverage",
                    "监控覆盖范围",
                    "Sensor coverage",
                    "What each working camera and radar sees, land shadows removed (night ranges by default)",
                    GeometryKind::Polygon,
                    &[
                        ("sensor_id", "String"),
                        ("sensor_type", "String"),
                        ("name_zh", "String"),
                        ("name_en", "String"),
                    ],
                ),
                Derived::CoverageGaps => (
                    "coverage_gaps",
                    "监控盲区",
                    "Coverage gaps",
                    "Stretches of coast no working camera or radar sees, ranked by length",
                    GeometryKind::Line,
                    &[
                        ("rank", "Number"),
                        ("length_m", "Number"),
                        ("town_zh", "String"),
                        ("town_en", "String"),
                    ],
                ),
                Derived::PatrolTonight => (
                    "patrol_tonight",
                    "今夜巡逻区",
                    "Patrol zones tonight",
                    "Tonight's patrol zones with their tide windows (high water ± 2 h in the night) and priorities",
                    GeometryKind::Polygon,
                    super::patrol_features::TILE_FIELDS,
                ),
            };
        let def = LayerDef {
            title: Title {
                zh: zh.into(),
                en: en.into(),
            },
            description: description.into(),
            attribution: "Tidewatch analysis of the layers above".into(),
            ..LayerDef::new(id, geometry)
        };
        (def, fields)
    }
}

pub struct DerivedLayer {
    analyses: Arc<Analyses>,
    kind: Derived,
    def: LayerDef,
    info: LayerInfo,
    snapshot: tokio::sync::Mutex<Option<(u64, Arc<EmbeddedLayer>)>>,
}

impl DerivedLayer {
    pub fn new(analyses: Arc<Analyses>, kind: Derived) -> Self {
        let (def, fields) = kind.def();
        DerivedLayer {
            info: LayerInfo::computed(&def, fields),
            analyses,
            kind,
            def,
            snapshot: Default::default(),
        }
    }

    /// What the snapshot depends on: the layers' generation, and tonight's date.
    fn key(&self) -> u64 {
        let generation = self.analyses.generation();
        match self.kind {
            Derived::PatrolTonight => {
                (generation << 24) | super::tonight_day(crate::live::now_ms() / 1000) as u64
            }
            _ => generation,
        }
    }

    async fn current(&self) -> Result<Arc<EmbeddedLayer>, SourceError> {
        let key = self.key();
        let mut slot = self.snapshot.lock().await;
        if let Some((k, layer)) = slot.as_ref() {
            if *k == key {
                return Ok(layer.clone());
            }
        }
        let unavailable = |e: AnalysisError| SourceError::Unavailable {
            layer: self.def.id.clone(),
            reason: e.to_string(),
        };
        let features = self.features().await.map_err(unavailable)?;
        let layer = Arc::new(
            EmbeddedLayer::from_features(&self.def, features).map_err(|e| {
                SourceError::Unavailable {
                    layer: self.def.id.clone(),
                    reason: e.to_string(),
                }
            })?,
        );
        *slot = Some((key, layer.clone()));
        Ok(layer)
    }

    async fn features(&self) -> Result<Vec<Feature>, AnalysisError> {
        let a = &self.analyses;
        match self.kind {
            Derived::Coverage => {
                let (inputs, baseline) = a.baseline(a.default_params()).await?;
                Ok(baseline
                    .visibility_polygons(&inputs.model)
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let names = inputs.names.get(&v.id).cloned().unwrap_or_default();
                        let mut p = Map::new();
                        p.insert("sensor_id".into(), json!(v.id));
                        p.insert("sensor_type".into(), json!(v.sensor_type.as_str()));
                        p.insert("name_zh".into(), json!(names.zh));
                        p.insert("name_en".into(), json!(names.en));
                        Feature {
                            id: i as u64 + 1,
                            geometry: Geometry::Polygon(v.polygon),
                            properties: p,
                        }
                    })
                    .collect())
            }
            Derived::CoverageGaps => {
                let (_, baseline) = a.baseline(a.default_params()).await?;
                Ok(baseline
                    .gaps()
                    .iter()
                    .map(|g| Feature {
                        id: g.rank as u64,
                        geometry: Geometry::MultiLineString(g.line.clone()),
                        properties: gap_properties(g),
                    })
                    .collect())
            }
            Derived::PatrolTonight => {
                let now = crate::live::now_ms() / 1000;
                let (from, to) = super::tonight_range(now);
                let plan = a.patrol_plan(from, to, &a.default_window_rule()).await?;
                Ok(super::patrol_features::features(
                    &plan.zones,
                    &plan.windows,
                    tidewatch_tides::Zone::Shanghai,
                ))
            }
        }
    }
}

/// A coast gap's properties, shared by the tile layer and `/analysis/coverage`.
pub fn gap_properties(g: &tidewatch_coverage::CoastGap) -> Map<String, Value> {
    let mut p = Map::new();
    p.insert("rank".into(), json!(g.rank));
    p.insert("length_m".into(), json!((g.length_m * 10.0).round() / 10.0));
    if let Some(t) = &g.town {
        p.insert("town_zh".into(), json!(t.name_zh));
        p.insert("town_en".into(), json!(t.name_en));
    }
    p
}

#[async_trait::async_trait]
impl LayerSource for DerivedLayer {
    fn info(&self) -> &LayerInfo {
        &self.info
    }

    async fn tile(&self, tile: TileId) -> Result<TileBytes, SourceError> {
        Ok(self.current().await?.encode_tile(tile))
    }

    async fn features_in(&self, bbox: [f64; 4], limit: usize) -> Result<Vec<Feature>, SourceError> {
        Ok(self.current().await?.features_intersecting(bbox, limit))
    }

    async fn items(&self, query: &ItemsQuery) -> Result<ItemsPage, SourceError> {
        Ok(self.current().await?.items_page(query))
    }

    async fn feature(&self, id: u64) -> Result<Option<Feature>, SourceError> {
        Ok(self
            .current()
            .await?
            .features()
            .iter()
            .find(|f| f.id == id)
            .cloned())
    }

    /// Tonight's zones change at noon; coverage changes with the catalog's generation,
    /// which tile caches key on already.
    fn version(&self) -> u64 {
        match self.kind {
            Derived::PatrolTonight => super::tonight_day(crate::live::now_ms() / 1000) as u64,
            _ => 0,
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
