//! The feature model every store, tile encoder and analysis shares.

use geo::Geometry;

/// Feature attributes, in the order the source gave them.
pub type Properties = serde_json::Map<String, serde_json::Value>;

/// One geographic feature in WGS84 lon/lat (EPSG:4326).
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    /// Unique within its layer; becomes the MVT feature id.
    pub id: u64,
    pub geometry: Geometry<f64>,
    pub properties: Properties,
}
