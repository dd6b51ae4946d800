//! Layer sources: every layer, whatever stores it, answers the same small trait.
//!
//! A source knows its metadata, draws its layer of one tile, and lists its features
//! in a bounding box. Composite tiles, caching and HTTP live above this line; files,
//! PostGIS and live data live below it.

pub mod embedded;
pub mod postgis;

use crate::layers::Title;
use crate::ogc::{ItemsPage, ItemsQuery};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use tidewatch_importers::Feature;
use tidewatch_tiles::{GeometryKind, LayerEncoder, PointPyramid, Shape, TileBytes, TileId};

/// What a catalog, a TileJSON document or a style needs to know about a layer.
#[derive(Debug, Clone, Serialize)]
pub struct LayerInfo {
    pub id: String,
    pub title: Title,
    pub description: String,
    pub geometry: GeometryKind,
    pub minzoom: u8,
    pub maxzoom: u8,
    /// Features stored; None for layers computed while the server runs (live vessels,
    /// events, analyses), whose count changes with every request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature_count: Option<usize>,
    /// `[west, south, east, north]` in degrees.
    pub bounds: [f64; 4],
    /// Property names in tiles and their TileJSON types (`String`, `Number`, `Boolean`).
    pub fields: BTreeMap<String, String>,
    pub attribution: String,
    /// Deepest zoom drawn from point clusters, when the layer is thinned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thinned_up_to_zoom: Option<u8>,
    /// The property `datetime` filters on (see `LayerDef::time_property`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_property: Option<String>,
}

impl LayerInfo {
    /// What a layer's definition says, with what only its data can tell.
    pub fn of(
        def: &crate::layers::LayerDef,
        feature_count: Option<usize>,
        bounds: [f64; 4],
        fields: BTreeMap<String, String>,
        thinned_up_to_zoom: Option<u8>,
    ) -> Self {
        LayerInfo {
            id: def.id.clone(),
            title: def.title.clone(),
            description: def.description.clone(),
            geometry: def.geometry,
            minzoom: def.minzoom,
            maxzoom: def.maxzoom,
            feature_count,
            bounds,
            fields,
            attribution: def.attribution.clone(),
            thinned_up_to_zoom,
            time_property: def.time_property.clone(),
        }
    }
}

impl LayerInfo {
    /// For layers computed while the server runs (live vessels, events, analyses): no
    /// stored feature count, world bounds, and the fields the computation writes.
    pub fn computed(def: &crate::layers::LayerDef, fields: &[(&str, &str)]) -> Self {
        let fields = fields
            .iter()
            .map(|(k, t)| (k.to_string(), t.to_string()))
            .collect();
        let world = [-180.0, -85.051_129, 180.0, 85.051_129];
        LayerInfo::of(def, None, world, fields, None)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("layer {layer}: {reason}")]
    Unavailable { layer: String, reason: String },
}

/// One layer's data, whatever stores it.
#[async_trait::async_trait]
pub trait LayerSource: Send + Sync {
    fn info(&self) -> &LayerInfo;

    /// This layer of one tile (a single-layer MVT), empty when nothing is there.
    async fn tile(&self, tile: TileId) -> Result<TileBytes, SourceError>;

    /// Features whose geometry intersects `bbox` (`[west, south, east, north]`), at most `limit`.
    async fn features_in(&self, bbox: [f64; 4], limit: usize) -> Result<Vec<Feature>, SourceError>;

    /// One page of an OGC API items query: features intersecting the query's bbox (all
    /// when none), ordered by its sort keys and then by id (stable paging), `offset` and
    /// `limit` applied, with the number of all matching features.
    async fn items(&self, query: &ItemsQuery) -> Result<ItemsPage, SourceError>;

    /// One feature by id.
    async fn feature(&self, id: u64) -> Result<Option<Feature>, SourceError>;

    /// Changes whenever the layer's data does; tile caches key on it. Static layers
    /// stay at 0 (the catalog's generation covers reloads).
    fn version(&self) -> u64 {
        0
    }

    /// A shorter `Cache-Control: max-age` for tiles of fast-changing layers.
    fn max_age_s(&self) -> Option<u32> {
        None
    }

    /// Sources that live in one store and can be drawn together (one database round trip
    /// for a composite tile) return the same key.
    fn batch_key(&self) -> Option<usize> {
        None
    }

    /// Draws several layers of one tile; all of them have this source's batch key. The
    /// default draws them one after the other.
    async fn tile_batch(
        &self,
        layers: &[crate::catalog::SharedSource],
        tile: TileId,
    ) -> Result<Vec<TileBytes>, SourceError> {
        let mut out = Vec::with_capacity(layers.len());
        for layer in layers {
            out.push(layer.tile(tile).await?);
        }
        Ok(out)
    }

    /// For stores that batch: their own sources among the catalog's.
    fn as_any(&self) -> &dyn std::any::Any;
}

/// Adds one feature to a tile layer with the layer's tile properties (all when `keys`
/// is `None`), in the order the definition lists them. Shared so every store encodes
/// the same feature into the same bytes.
pub fn encode_feature(
    enc: &mut LayerEncoder,
    id: u64,
    shape: &Shape,
    parts: Option<&[u32]>,
    properties: &Map<String, serde_json::Value>,
    keys: Option<&[String]>,
) {
    match keys {
        Some(keys) => enc.add_parts(
            Some(id),
            shape,
            parts,
            keys.iter()
                .filter_map(|k| properties.get(k).map(|v| (k.as_str(), v.into()))),
        ),
        None => enc.add_parts(
            Some(id),
            shape,
            parts,
            properties.iter().map(|(k, v)| (k.as_str(), v.into())),
        ),
    };
}

/// TileJSON field types of the properties that reach tiles.
pub fn field_types(
    features: &[Feature],
    keys: Option<&[String]>,
    thinned: bool,
) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    for f in features {
        for (k, v) in &f.properties {
            if keys.is_some_and(|keys| !keys.contains(k)) {
                continue;
            }
            let t = match v {
                Value::Null => continue,
                Value::Bool(_) => "Boolean",
                Value::Number(_) => "Number",
                _ => "String",
            };
            let entry = fields.entry(k.clone()).or_insert_with(|| t.to_owned());
            if entry != t {
                *entry = "String".to_owned();
            }
        }
    }
    if thinned {
        fields.insert("point_count".to_owned(), "Number".to_owned());
    }
    fields
}

/// Projects every feature for tiling, checking it has the layer's geometry type. The
/// error names the feature.
pub fn prepare_shapes(geometry: GeometryKind, features: &[Feature]) -> Result<Vec<Shape>, String> {
    features
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let shape = Shape::from_geometry(&f.geometry)
                .map_err(|e| format!("feature {i} (id {}): {e}", f.id))?;
            if shape.kind() != geometry {
                return Err(format!(
                    "feature {i} (id {}) is a {:?}, but the layer is {:?}",
                    f.id,
                    shape.kind(),
                    geometry
                ));
            }
            Ok(shape)
        })
        .collect()
}

/// The cluster pyramid of a point layer (each feature's first point).
pub fn point_pyramid<'a>(
    shapes: impl Iterator<Item = &'a Shape>,
    max_zoom: u8,
    max_points_per_tile: usize,
) -> PointPyramid {
    let points: Vec<_> = shapes
        .map(|s| match s {
            Shape::Points(p) => p[0],
            _ => unreachable!("point layers hold points"),
        })
        .collect();
    PointPyramid::build(&points, max_zoom, max_points_per_tile)
}
