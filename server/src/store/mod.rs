//! Layer sources: every layer, whatever stores it, answers the same small trait.
//!
//! A source knows its metadata, draws its layer of one tile, and lists its features
//! in a bounding box. Composite tiles, caching and HTTP live above this line; files,
//! PostGIS and live data live below it.

pub mod embedded;

use crate::layers::Title;
use serde::Serialize;
use std::collections::BTreeMap;
use tidewatch_importers::Feature;
use tidewatch_tiles::{GeometryKind, TileBytes, TileId};

/// What a catalog, a TileJSON document or a style needs to know about a layer.
#[derive(Debug, Clone, Serialize)]
pub struct LayerInfo {
    pub id: String,
    pub title: Title,
    pub description: String,
    pub geometry: GeometryKind,
    pub minzoom: u8,
    pub maxzoom: u8,
    pub feature_count: usize,
    /// `[west, south, east, north]` in degrees.
    pub bounds: [f64; 4],
    /// Property names in tiles and their TileJSON types (`String`, `Number`, `Boolean`).
    pub fields: BTreeMap<String, String>,
    pub attribution: String,
    /// Deepest zoom drawn from point clusters, when the layer is thinned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thinned_up_to_zoom: Option<u8>,
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
}
