//! Tile addressing and Web Mercator (EPSG:3857) projection.
//!
//! "World" coordinates are Web Mercator normalised to [0, 1] on both axes, y growing
//! southwards like tile rows: a tile at zoom z spans 1/2^z of the world on each axis.

use std::f64::consts::PI;

/// Deepest zoom any request may name; beyond it tiles are smaller than a centimetre.
pub const MAX_ZOOM: u8 = 24;
/// Web Mercator's latitude limit.
const MAX_LAT: f64 = 85.051_128_779_806_59;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileError {
    #[error("zoom {0} is out of range (0 to {MAX_ZOOM})")]
    Zoom(u32),
    #[error("tile column x={x} is outside the grid at zoom {z} (0 to {max})")]
    Column { z: u8, x: u32, max: u32 },
    #[error("tile row y={y} is outside the grid at zoom {z} (0 to {max})")]
    Row { z: u8, y: u32, max: u32 },
}

/// One tile of the XYZ (slippy map) grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileId {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

impl TileId {
    /// A validated tile address.
    pub fn new(z: u32, x: u32, y: u32) -> Result<Self, TileError> {
        if z > MAX_ZOOM as u32 {
            return Err(TileError::Zoom(z));
        }
        let z = z as u8;
        let max = (1u32 << z) - 1;
        if x > max {
            return Err(TileError::Column { z, x, max });
        }
        if y > max {
            return Err(TileError::Row { z, y, max });
        }
        Ok(TileId { z, x, y })
    }

    /// Tiles per axis at this zoom.
    pub fn scale(&self) -> f64 {
        (1u64 << self.z) as f64
    }

    /// World bounds `[min_x, min_y, max_x, max_y]`, grown by `buffer` tile units on each side.
    pub fn world_bounds(&self, buffer: u32) -> [f64; 4] {
        let size = 1.0 / self.scale();
        let pad = size * buffer as f64 / crate::EXTENT as f64;
        let x0 = self.x as f64 * size;
        let y0 = self.y as f64 * size;
        [x0 - pad, y0 - pad, x0 + size + pad, y0 + size + pad]
    }

    /// Lon/lat bounds `[west, south, east, north]`, grown by `buffer` tile units.
    pub fn lonlat_bounds(&self, buffer: u32) -> [f64; 4] {
        let [x0, y0, x1, y1] = self.world_bounds(buffer);
        let (w, n) = world_to_lonlat(x0, y0);
        let (e, s) = world_to_lonlat(x1, y1);
        [w, s, e, n]
    }

    /// Maps world coordinates to (unrounded) tile units of this tile.
    #[inline]
    pub fn to_tile_units(&self, wx: f64, wy: f64) -> (f64, f64) {
        let s = self.scale() * crate::EXTENT as f64;
        (
            wx * s - self.x as f64 * crate::EXTENT as f64,
            wy * s - self.y as f64 * crate::EXTENT as f64,
        )
    }

    /// The tile of zoom `z` that contains a lon/lat position.
    pub fn containing(z: u8, lon: f64, lat: f64) -> TileId {
        let (wx, wy) = lonlat_to_world(lon, lat);
        let n = 1u32 << z;
        let clamp = |v: f64| ((v * n as f64).floor() as i64).clamp(0, n as i64 - 1) as u32;
        TileId {
            z,
            x: clamp(wx),
            y: clamp(wy),
        }
    }
}

/// Projects lon/lat (degrees) to world coordinates; latitudes are clamped to Mercator's limit.
#[inline]
pub fn lonlat_to_world(lon: f64, lat: f64) -> (f64, f64) {
    let lat = lat.clamp(-MAX_LAT, MAX_LAT).to_radians();
    let x = (lon + 180.0) / 360.0;
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / PI) / 2.0;
    (x, y)
}

/// Inverse of [`lonlat_to_world`].
pub fn world_to_lonlat(x: f64, y: f64) -> (f64, f64) {
    let lon = x * 360.0 - 180.0;
    let lat = (PI * (1.0 - 2.0 * y)).sinh().atan().to_degrees();
    (lon, lat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_addresses() {
        assert!(TileId::new(0, 0, 0).is_ok());
        assert_eq!(TileId::new(40, 0, 0), Err(TileError::Zoom(40)));
        assert!(matches!(
            TileId::new(3, 8, 0),
            Err(TileError::Column { .. })
        ));
        assert!(matches!(TileId::new(3, 0, 8), Err(TileError::Row { .. })));
    }

    #[test]
    fn projection_round_trips_and_matches_known_tiles() {
        let (x, y) = lonlat_to_world(121.95, 29.2);
        let (lon, lat) = world_to_lonlat(x, y);
        assert!((lon - 121.95).abs() < 1e-9 && (lat - 29.2).abs() < 1e-9);
        // Shipu at z10 is tile 858/425 (slippy-map formula, computed independently in Python).
        assert_eq!(
            TileId::containing(10, 121.95, 29.2),
            TileId {
                z: 10,
                x: 858,
                y: 425
            }
        );
        let [w, s, e, n] = TileId { z: 1, x: 1, y: 0 }.lonlat_bounds(0);
        assert!(w.abs() < 1e-9 && s.abs() < 1e-9 && (e - 180.0).abs() < 1e-9);
        assert!((n - MAX_LAT).abs() < 1e-6);
    }
}
