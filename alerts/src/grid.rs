//! A uniform grid over lon/lat for "what is within r metres of here" without scanning
//! everything: piers (static) and slow vessels at sea (moving in and out). Cells are
//! square at the reference latitude; a query covers the cells of the circle's bounding
//! box computed at the query's own latitude, so it never misses a neighbour however far
//! the reference is.

use crate::metric::{LonLat, EARTH_RADIUS_M};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

pub type CellKey = (i32, i32);

/// Cell keys are small integer pairs: a multiply-rotate hash (as in rustc's FxHasher) is
/// several times cheaper than SipHash and good enough for keys nobody chooses adversely.
#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_i32(&mut self, n: i32) {
        self.write_u64(n as u32 as u64);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

pub struct Grid {
    /// Cell size in degrees of longitude and latitude.
    cell_lon_deg: f64,
    cell_lat_deg: f64,
    cells: FastMap<CellKey, Vec<u32>>,
}

impl Grid {
    /// Cells `cell_m` metres square at `reference_lat`.
    pub fn new(cell_m: f64, reference_lat: f64) -> Grid {
        let cell_lat_deg = (cell_m / EARTH_RADIUS_M).to_degrees();
        Grid {
            cell_lon_deg: cell_lat_deg / reference_lat.to_radians().cos(),
            cell_lat_deg,
            cells: FastMap::default(),
        }
    }

    pub fn key(&self, p: LonLat) -> CellKey {
        (
            (p.lon / self.cell_lon_deg).floor() as i32,
            (p.lat / self.cell_lat_deg).floor() as i32,
        )
    }

    pub fn insert(&mut self, key: CellKey, item: u32) {
        self.cells.entry(key).or_default().push(item);
    }

    pub fn remove(&mut self, key: CellKey, item: u32) {
        if let Some(items) = self.cells.get_mut(&key) {
            if let Some(i) = items.iter().position(|&x| x == item) {
                items.swap_remove(i);
            }
            if items.is_empty() {
                self.cells.remove(&key);
            }
        }
    }

    /// Calls `visit` with every item in the cells that may hold points within `radius_m`
    /// of `p` (a superset: callers measure the distance themselves).
    pub fn for_each_near(&self, p: LonLat, radius_m: f64, mut visit: impl FnMut(u32)) {
        let dlat = (radius_m / EARTH_RADIUS_M).to_degrees();
        let dlon = dlat / p.lat.to_radians().cos().max(1e-6);
        let (x0, y0) = self.key(LonLat::new(p.lon - dlon, p.lat - dlat));
        let (x1, y1) = self.key(LonLat::new(p.lon + dlon, p.lat + dlat));
        for x in x0..=x1 {
            for y in y0..=y1 {
                if let Some(items) = self.cells.get(&(x, y)) {
                    items.iter().copied().for_each(&mut visit);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metric::{distance_m, offset_m};

    #[test]
    fn finds_every_point_within_the_radius() {
        let centre = LonLat::new(121.9, 29.2);
        let points: Vec<LonLat> = (0..400)
            .map(|i| {
                let angle = f64::from(i) * 0.7;
                let r = f64::from(i) * 2.0;
                offset_m(centre, r * angle.cos(), r * angle.sin())
            })
            .collect();
        // A reference latitude far from the points must not lose any.
        for reference_lat in [29.2, 0.0, 45.0] {
            let mut grid = Grid::new(300.0, reference_lat);
            for (i, &p) in points.iter().enumerate() {
                grid.insert(grid.key(p), i as u32);
            }
            let mut found = Vec::new();
            grid.for_each_near(centre, 300.0, |i| {
                if distance_m(centre, points[i as usize]) <= 300.0 {
                    found.push(i)
                }
            });
            found.sort_unstable();
            let expected: Vec<u32> = (0..400u32)
                .filter(|&i| distance_m(centre, points[i as usize]) <= 300.0)
                .collect();
            assert_eq!(found, expected);
        }
    }

    #[test]
    fn removes_items() {
        let mut grid = Grid::new(500.0, 29.0);
        let p = LonLat::new(121.9, 29.2);
        grid.insert(grid.key(p), 7);
        grid.remove(grid.key(p), 7);
        let mut any = false;
        grid.for_each_near(p, 500.0, |_| any = true);
        assert!(!any);
    }
}
