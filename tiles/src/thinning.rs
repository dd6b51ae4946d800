//! Thinning dense point layers: a pyramid of grid clusters, one level per zoom.
//!
//! At a zoom where some tile would hold more than `max_points_per_tile` points, every
//! tile of that zoom is drawn from a grid of [`GRID`]×[`GRID`] cells instead: a cell
//! with one point keeps that point (and its properties), a cell with several becomes
//! one point at their centroid with `point_count`. Cells of 4 screen pixels keep the
//! spatial pattern while bounding a tile to GRID² features whatever the data.
//!
//! Points are sorted once by Morton (Z-order) code of their finest cell, so a level
//! is built by one linear pass over runs of equal code prefixes, and the clusters of
//! one tile are a contiguous, binary-searchable range.

use crate::TileId;
use geo::Coord;

/// log2 of the cluster grid per tile side.
const GRID_BITS: u32 = 6;
/// Cluster grid cells per tile side.
pub const GRID: u32 = 1 << GRID_BITS;

/// A cluster, or a lone point, of one zoom level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cluster {
    /// Centroid of the member points, world coordinates.
    pub world: Coord<f64>,
    /// Number of member points.
    pub count: u32,
    /// Index (in the layer) of the first member; the point itself when `count == 1`.
    pub first: u32,
}

struct Level {
    /// Morton code of each cluster's cell at this level, ascending.
    cells: Vec<u64>,
    clusters: Vec<Cluster>,
}

/// Grid clusters for the zooms at which a point layer is too dense to ship whole.
pub struct PointPyramid {
    max_zoom: u8,
    /// `levels[z]` is `Some` where zoom `z` is thinned.
    levels: Vec<Option<Level>>,
}

impl PointPyramid {
    /// Builds the clustered levels for zooms `0..=max_zoom` from points in world
    /// coordinates (`points[i]` belongs to feature index `i`).
    pub fn build(points: &[Coord<f64>], max_zoom: u8, max_points_per_tile: usize) -> Self {
        let max_zoom = max_zoom.min(24);
        let base_bits = max_zoom as u32 + GRID_BITS;
        let cells_per_axis = (1u64 << base_bits) as f64;
        let cell =
            |v: f64| ((v * cells_per_axis).floor().max(0.0) as u64).min((1u64 << base_bits) - 1);
        let mut sorted: Vec<(u64, u32)> = points
            .iter()
            .enumerate()
            .map(|(i, c)| (morton(cell(c.x), cell(c.y)), i as u32))
            .collect();
        sorted.sort_unstable();

        let levels = (0..=max_zoom)
            .map(|z| {
                let shift = 2 * (max_zoom - z) as u32;
                let tile_shift = shift + 2 * GRID_BITS;
                let densest = longest_run(sorted.iter().map(|(code, _)| code >> tile_shift));
                (densest > max_points_per_tile).then(|| build_level(&sorted, points, shift))
            })
            .collect();
        PointPyramid { max_zoom, levels }
    }

    /// Whether tiles of zoom `z` are drawn from clusters.
    pub fn is_thinned(&self, z: u8) -> bool {
        self.levels.get(z as usize).is_some_and(Option::is_some)
    }

    /// Deepest zoom at which thinning happens, if any.
    pub fn deepest_thinned_zoom(&self) -> Option<u8> {
        (0..=self.max_zoom).rev().find(|&z| self.is_thinned(z))
    }

    /// Every thinned zoom with its clusters and their cells' Morton codes (for stores
    /// that keep the pyramid elsewhere, such as PostGIS).
    pub fn levels(&self) -> impl Iterator<Item = (u8, &[u64], &[Cluster])> {
        self.levels.iter().enumerate().filter_map(|(z, level)| {
            level
                .as_ref()
                .map(|l| (z as u8, l.cells.as_slice(), l.clusters.as_slice()))
        })
    }

    /// Clusters whose centroid lies in the tile grown by `buffer` tile units, or `None`
    /// when this zoom is not thinned (draw the points themselves).
    pub fn clusters(&self, tile: TileId, buffer: u32) -> Option<Vec<Cluster>> {
        let level = self.levels.get(tile.z as usize)?.as_ref()?;
        let [x0, y0, x1, y1] = tile.world_bounds(buffer);
        let n = 1i64 << tile.z;
        let mut out = Vec::new();
        // The tile itself and, for the buffer, its eight neighbours.
        for dy in -1i64..=1 {
            for dx in -1i64..=1 {
                let (tx, ty) = (tile.x as i64 + dx, tile.y as i64 + dy);
                if tx < 0 || ty < 0 || tx >= n || ty >= n || (buffer == 0 && (dx, dy) != (0, 0)) {
                    continue;
                }
                let first_cell = morton(tx as u64, ty as u64) << (2 * GRID_BITS);
                let end_cell = first_cell + (1u64 << (2 * GRID_BITS));
                let start = level.cells.partition_point(|&c| c < first_cell);
                let end = level.cells.partition_point(|&c| c < end_cell);
                out.extend(level.clusters[start..end].iter().filter(|c| {
                    c.world.x >= x0 && c.world.x <= x1 && c.world.y >= y0 && c.world.y <= y1
                }));
            }
        }
        Some(out)
    }
}

fn build_level(sorted: &[(u64, u32)], points: &[Coord<f64>], shift: u32) -> Level {
    let mut cells = Vec::new();
    let mut clusters: Vec<Cluster> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let cell = sorted[i].0 >> shift;
        let (mut sx, mut sy, mut count) = (0.0, 0.0, 0u32);
        let first = sorted[i].1;
        while i < sorted.len() && sorted[i].0 >> shift == cell {
            let p = points[sorted[i].1 as usize];
            sx += p.x;
            sy += p.y;
            count += 1;
            i += 1;
        }
        cells.push(cell);
        let world = if count == 1 {
            points[first as usize]
        } else {
            Coord {
                x: sx / count as f64,
                y: sy / count as f64,
            }
        };
        clusters.push(Cluster {
            world,
            count,
            first,
        });
    }
    Level { cells, clusters }
}

fn longest_run(codes: impl Iterator<Item = u64>) -> usize {
    let (mut best, mut run, mut prev) = (0, 0, None);
    for c in codes {
        run = if Some(c) == prev { run + 1 } else { 1 };
        best = best.max(run);
        prev = Some(c);
    }
    best
}

/// Interleaves the bits of x (even positions) and y (odd positions).
fn morton(x: u64, y: u64) -> u64 {
    fn spread(mut v: u64) -> u64 {
        v &= 0xffff_ffff;
        v = (v | (v << 16)) & 0x0000_ffff_0000_ffff;
        v = (v | (v << 8)) & 0x00ff_00ff_00ff_00ff;
        v = (v | (v << 4)) & 0x0f0f_0f0f_0f0f_0f0f;
        v = (v | (v << 2)) & 0x3333_3333_3333_3333;
        v = (v | (v << 1)) & 0x5555_5555_5555_5555;
        v
    }
    spread(x) | (spread(y) << 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lonlat_to_world;

    fn grid_points(n: usize) -> Vec<Coord<f64>> {
        // n×n points on a regular grid over roughly the county.
        (0..n * n)
            .map(|i| {
                let (lon, lat) = (
                    121.5 + (i % n) as f64 * 0.8 / n as f64,
                    28.8 + (i / n) as f64 * 0.8 / n as f64,
                );
                let (x, y) = lonlat_to_world(lon, lat);
                Coord { x, y }
            })
            .collect()
    }

    #[test]
    fn thins_only_where_tiles_are_too_dense_and_keeps_every_point_counted() {
        let points = grid_points(300); // 90,000 points
        let pyramid = PointPyramid::build(&points, 14, 4096);
        assert!(pyramid.is_thinned(0) && pyramid.is_thinned(8));
        assert!(!pyramid.is_thinned(14), "z14 tiles hold few points");
        // Every point is in exactly one cluster of the z0 tile.
        let z0 = pyramid.clusters(TileId::new(0, 0, 0).unwrap(), 0).unwrap();
        assert_eq!(
            z0.iter().map(|c| c.count as usize).sum::<usize>(),
            points.len()
        );
        assert!(z0.len() <= (GRID * GRID) as usize);
        // Unthinned zooms give no clusters.
        assert!(pyramid
            .clusters(TileId::containing(14, 121.9, 29.2), 64)
            .is_none());
    }

    #[test]
    fn buffer_takes_clusters_from_neighbouring_tiles() {
        let points = grid_points(300);
        let pyramid = PointPyramid::build(&points, 14, 16);
        let z = pyramid.deepest_thinned_zoom().unwrap();
        let tile = TileId::containing(z, 121.9, 29.2);
        let plain = pyramid.clusters(tile, 0).unwrap().len();
        let buffered = pyramid.clusters(tile, 256).unwrap().len();
        assert!(buffered > plain, "{buffered} > {plain}");
    }

    #[test]
    fn morton_interleaves() {
        assert_eq!(morton(0b11, 0b00), 0b0101);
        assert_eq!(morton(0b00, 0b11), 0b1010);
        assert_eq!(morton(3, 5) << 2, morton(6, 10));
    }
}
