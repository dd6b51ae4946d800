//! Vector tile production for Tidewatch: pure functions over plain data, no I/O.
//!
//! The flow for one layer of one tile is: [`Shape`] (a feature's geometry projected to
//! Web Mercator world coordinates, simplified per zoom) → clip to the buffered tile →
//! round to tile units → [`LayerEncoder`] (MVT 2.1). Point layers too dense to ship
//! whole are thinned with a [`PointPyramid`] (grid clusters carrying `point_count`).

mod clip;
mod encode;
mod shape;
mod thinning;
mod tile;

pub use encode::{LayerEncoder, PropertyValue, TileBytes};
pub use shape::{GeometryKind, Shape, ShapeError, ZoomShapes};
pub use thinning::{Cluster, PointPyramid, GRID as CLUSTER_GRID};
pub use tile::{lonlat_to_world, world_to_lonlat, TileError, TileId, MAX_ZOOM};

/// Tile coordinate extent (MVT units per tile side).
pub const EXTENT: u32 = 4096;
/// Extra tile units kept around each tile so lines and symbols join across tile edges.
pub const BUFFER: u32 = 64;
/// Tile units per pixel of a 256-pixel tile.
pub const UNITS_PER_PIXEL: f64 = EXTENT as f64 / 256.0;
