//! The sea band in front of the coast (coastline buffered by the band width, minus land) and
//! the parts of it no working sensor sees.
//!
//! The band is cut once into square cells of [`CELL_SIZE_M`]; each cell subtracts the land and
//! the views that reach it (both clipped to the cell by Sutherland–Hodgman, which is exact under
//! the non-zero fill rule; land goes in with the views so views that end on the shore leave no
//! slivers), cells run in parallel, and a final union glues the unseen pieces back together
//! across cell edges. A what-if recomputes only the cells its changed views reach.
//!
//! The overlays run on i_overlay's integer core over one grid of [`GRID_M`] for the whole band.
//! geo's float front end rescales every overlay to the full i32 range (micrometres for a
//! cell), where the dozens of camera views ending on the same shore edges meet in hair-thin
//! slivers and near-coincident edges; splitting those cost up to half a second per cell. On a
//! centimetre grid they collapse; cell edges fall on grid lines, so pieces of neighbouring
//! cells still meet exactly in the final union. Within a cell the views and land are unioned
//! in small groups first (see [`cascaded_union`]), which cuts the busiest cells from 15 ms to
//! 2. The whole band of the demo county takes about 70 ms on two cores, a what-if that fails
//! a radar about 45 ms (see the benchmark).

use geo::algorithm::bool_ops::{BooleanOps, FillRule as GeoFillRule, OpType};
use geo::orient::{Direction, Orient};
use geo::{Area, Buffer, Centroid, Coord, LineString, MultiPolygon, Polygon};
use i_overlay::core::fill_rule::FillRule;
use i_overlay::core::overlay::{IntOverlayOptions, Overlay, ShapeType};
use i_overlay::core::overlay_rule::OverlayRule;
use i_overlay::core::solver::Solver;
use i_overlay::i_float::int::point::IntPoint;
use i_overlay::i_shape::int::shape::{IntContour, IntShape, IntShapes};

use crate::gaps::{town_name, TownName};
use crate::model::CoverageModel;
use crate::parallel;
use crate::plane::clip_ring_to_box;
use crate::visibility::Visibility;

/// Side of the square cells the band is cut into, metres.
const CELL_SIZE_M: f64 = 5000.0;
/// Spacing of the integer grid the overlays snap to, metres.
const GRID_M: f64 = 0.01;
/// Parts (rings at first, then merged groups) unioned per overlay in [`cascaded_union`].
const UNION_FAN_IN: usize = 8;
/// Leftovers of the overlay smaller than this are slivers between touching views, not gaps.
const MIN_BAND_GAP_M2: f64 = 1.0;

/// Part of the sea band that no working sensor sees.
#[derive(Debug, Clone, PartialEq)]
pub struct BandGap {
    /// 1 for the largest.
    pub rank: usize,
    /// lon/lat.
    pub polygon: Polygon<f64>,
    pub area_m2: f64,
    pub town: Option<TownName>,
}

/// A ring (without its closing point) and its bounding box.
type BoxedRing = (Vec<Coord<f64>>, (Coord<f64>, Coord<f64>));

#[derive(Debug)]
struct Cell {
    /// Corners of the cell.
    min: Coord<f64>,
    max: Coord<f64>,
    /// Rings of the coastline buffer clipped to the cell, on the grid (exteriors
    /// counter-clockwise, holes clockwise).
    buffer: Vec<IntContour>,
    /// Rings of the land clipped to the cell, same.
    land: Vec<IntContour>,
}

/// The sea band of one width, planar, cut into cells.
#[derive(Debug)]
pub(crate) struct SeaBand {
    pub width_m: f64,
    pub area_m2: f64,
    /// Lower left corner of the cell grid and origin of the integer grid.
    origin: Coord<f64>,
    columns: usize,
    rows: usize,
    /// Grid position → index into `cells` (None where the band does not reach).
    grid: Vec<Option<usize>>,
    cells: Vec<Cell>,
}

/// Ring coordinates without the closing repeat.
fn open_ring(ring: &LineString<f64>) -> &[Coord<f64>] {
    let c = &ring.0;
    if c.len() > 1 && c.first() == c.last() {
        &c[..c.len() - 1]
    } else {
        c
    }
}

fn bounds(points: &[Coord<f64>]) -> (Coord<f64>, Coord<f64>) {
    points.iter().fold(
        (
            Coord {
                x: f64::INFINITY,
                y: f64::INFINITY,
            },
            Coord {
                x: f64::NEG_INFINITY,
                y: f64::NEG_INFINITY,
            },
        ),
        |(lo, hi), c| {
            (
                Coord {
                    x: lo.x.min(c.x),
                    y: lo.y.min(c.y),
                },
                Coord {
                    x: hi.x.max(c.x),
                    y: hi.y.max(c.y),
                },
            )
        },
    )
}

/// Nearest grid point to `c` (grid origin `origin`).
fn snap(origin: Coord<f64>, c: Coord<f64>) -> IntPoint {
    IntPoint {
        x: ((c.x - origin.x) / GRID_M).round() as i32,
        y: ((c.y - origin.y) / GRID_M).round() as i32,
    }
}

fn snap_ring(origin: Coord<f64>, ring: &[Coord<f64>]) -> IntContour {
    ring.iter().map(|&c| snap(origin, c)).collect()
}

/// Planar coordinates of grid point `p`.
fn unsnap(origin: Coord<f64>, p: IntPoint) -> Coord<f64> {
    Coord {
        x: origin.x + f64::from(p.x) * GRID_M,
        y: origin.y + f64::from(p.y) * GRID_M,
    }
}

/// One boolean operation on the grid under the non-zero fill rule (overlaps and the
/// zero-width connectors of box clipping are harmless).
fn overlay<'a>(
    subject: impl Iterator<Item = &'a IntContour>,
    clip: impl Iterator<Item = &'a IntContour>,
    rule: OverlayRule,
    options: IntOverlayOptions,
) -> IntShapes {
    let mut overlay = Overlay::new_custom(0, options, Solver::default());
    for c in subject {
        overlay.add_contour(c, ShapeType::Subject);
    }
    for c in clip {
        overlay.add_contour(c, ShapeType::Clip);
    }
    overlay.overlay(rule, FillRule::NonZero)
}

/// Union of `rings` (non-zero fill) as rings: groups of `UNION_FAN_IN` are merged, then groups
/// of those results, and so on. A flat overlay of a hundred overlapping camera fans splits
/// every edge against every other inside the covered area; merging small groups first drops
/// those interior edges early.
fn cascaded_union(rings: Vec<IntContour>) -> Vec<IntContour> {
    let mut parts: Vec<Vec<IntContour>> = rings.into_iter().map(|r| vec![r]).collect();
    while parts.len() > UNION_FAN_IN {
        parts = parts
            .chunks(UNION_FAN_IN)
            .map(|group| {
                overlay(
                    group.iter().flatten(),
                    std::iter::empty(),
                    OverlayRule::Subject,
                    IntOverlayOptions::default(),
                )
                .into_iter()
                .flatten()
                .collect()
            })
            .collect();
    }
    parts.into_iter().flatten().collect()
}

impl SeaBand {
    pub(crate) fn new(model: &CoverageModel, width_m: f64) -> Self {
        let buffer = model
            .coast_planar
            .buffer(width_m)
            .orient(Direction::Default);
        let land = model.land_planar.clone().orient(Direction::Default);
        let area_m2 = area_m2(
            model,
            &buffer.boolean_op_with_fill_rule(&land, OpType::Difference, GeoFillRule::NonZero),
        );
        let rings_of = |m: &MultiPolygon<f64>| -> Vec<BoxedRing> {
            m.0.iter()
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                .map(|r| (open_ring(r).to_vec(), bounds(open_ring(r))))
                .collect()
        };
        let buffer_rings = rings_of(&buffer);
        let land_rings = rings_of(&land);
        let all: Vec<Coord<f64>> = buffer_rings
            .iter()
            .flat_map(|r| r.0.iter().copied())
            .collect();
        let (lo, hi) = bounds(&all);
        let columns = ((hi.x - lo.x) / CELL_SIZE_M).ceil().max(1.0) as usize;
        let rows = ((hi.y - lo.y) / CELL_SIZE_M).ceil().max(1.0) as usize;
        let boxes: Vec<(Coord<f64>, Coord<f64>)> = (0..rows * columns)
            .map(|i| {
                let min = Coord {
                    x: lo.x + (i % columns) as f64 * CELL_SIZE_M,
                    y: lo.y + (i / columns) as f64 * CELL_SIZE_M,
                };
                (
                    min,
                    min + Coord {
                        x: CELL_SIZE_M,
                        y: CELL_SIZE_M,
                    },
                )
            })
            .collect();
        let clip = |rings: &[BoxedRing], min: Coord<f64>, max: Coord<f64>| {
            rings
                .iter()
                .filter(|(_, (rlo, rhi))| {
                    rlo.x < max.x && rhi.x > min.x && rlo.y < max.y && rhi.y > min.y
                })
                .map(|(r, _)| clip_ring_to_box(r, min, max))
                .filter(|r| r.len() >= 3)
                .collect::<Vec<_>>()
        };
        let clipped: Vec<(Cell, bool)> = parallel::map(&boxes, |&(min, max)| {
            let buffer = clip(&buffer_rings, min, max);
            let reached = buffer
                .iter()
                .any(|r| Polygon::new(LineString::new(r.clone()), vec![]).unsigned_area() > 0.0);
            let cell = Cell {
                min,
                max,
                buffer: buffer.iter().map(|r| snap_ring(lo, r)).collect(),
                land: clip(&land_rings, min, max)
                    .iter()
                    .map(|r| snap_ring(lo, r))
                    .collect(),
            };
            (cell, reached)
        });
        let mut grid = vec![None; rows * columns];
        let mut cells = Vec::new();
        for (i, (cell, reached)) in clipped.into_iter().enumerate() {
            if reached {
                grid[i] = Some(cells.len());
                cells.push(cell);
            }
        }
        Self {
            width_m,
            area_m2,
            origin: lo,
            columns,
            rows,
            grid,
            cells,
        }
    }

    pub(crate) fn cell_count(&self) -> usize {
        self.cells.len()
    }

    /// Cells the box `min`–`max` reaches.
    fn cells_in(&self, min: Coord<f64>, max: Coord<f64>) -> impl Iterator<Item = usize> + '_ {
        let index = |v: f64, n: usize| ((v / CELL_SIZE_M).floor().max(0.0) as usize).min(n - 1);
        let (c0, c1) = (
            index(min.x - self.origin.x, self.columns),
            index(max.x - self.origin.x, self.columns),
        );
        let (r0, r1) = (
            index(min.y - self.origin.y, self.rows),
            index(max.y - self.origin.y, self.rows),
        );
        (r0..=r1).flat_map(move |r| (c0..=c1).filter_map(move |c| self.grid[r * self.columns + c]))
    }

    /// Cells each view reaches (for working out which cells a what-if touches).
    pub(crate) fn cells_of(&self, view: &Visibility) -> Vec<usize> {
        let r = Coord {
            x: view.range,
            y: view.range,
        };
        let mut cells: Vec<usize> = self.cells_in(view.origin - r, view.origin + r).collect();
        cells.sort_unstable();
        cells
    }

    /// Unseen band per cell for the listed cells (`None` = all), on the grid, given every
    /// counted view.
    pub(crate) fn unseen(
        &self,
        views: &[&Visibility],
        only: Option<&[usize]>,
    ) -> Vec<(usize, IntShapes)> {
        let wanted: Vec<usize> = match only {
            Some(cells) => cells.to_vec(),
            None => (0..self.cells.len()).collect(),
        };
        let mut slot = vec![usize::MAX; self.cells.len()];
        for (k, &c) in wanted.iter().enumerate() {
            slot[c] = k;
        }
        let mut reaching: Vec<Vec<IntContour>> = vec![Vec::new(); wanted.len()];
        for view in views {
            // The range box is a cheap first test; most views miss a what-if's few cells.
            let r = Coord {
                x: view.range,
                y: view.range,
            };
            if !self
                .cells_in(view.origin - r, view.origin + r)
                .any(|c| slot[c] != usize::MAX)
            {
                continue;
            }
            let polygon = view.polygon();
            let ring = open_ring(polygon.exterior());
            let (lo, hi) = bounds(ring);
            for c in self.cells_in(lo, hi) {
                if slot[c] != usize::MAX {
                    let cell = &self.cells[c];
                    let clipped = clip_ring_to_box(ring, cell.min, cell.max);
                    if clipped.len() >= 3 {
                        reaching[slot[c]].push(snap_ring(self.origin, &clipped));
                    }
                }
            }
        }
        let jobs: Vec<(usize, Vec<IntContour>)> = wanted.into_iter().zip(reaching).collect();
        parallel::map(&jobs, |(c, rings)| {
            let cell = &self.cells[*c];
            // Land goes in with the views, so views ending exactly on the shore leave no
            // slivers against it.
            let seen = cascaded_union(rings.iter().chain(&cell.land).cloned().collect());
            let unseen = overlay(
                cell.buffer.iter(),
                seen.iter(),
                OverlayRule::Difference,
                IntOverlayOptions::default(),
            );
            (*c, unseen)
        })
    }

    /// Planar polygon of a grid shape (exterior first, then holes).
    fn polygon(&self, shape: &IntShape) -> Polygon<f64> {
        let ring =
            |c: &IntContour| LineString::new(c.iter().map(|&p| unsnap(self.origin, p)).collect());
        Polygon::new(ring(&shape[0]), shape[1..].iter().map(ring).collect())
    }
}

pub(crate) fn area_m2(model: &CoverageModel, polygons: &MultiPolygon<f64>) -> f64 {
    polygons
        .0
        .iter()
        .map(|p| {
            let at = p.centroid().map_or(Coord { x: 0.0, y: 0.0 }, |c| c.0);
            model.area_m2(p.unsigned_area(), at)
        })
        .sum()
}

/// Glues per-cell unseen pieces together and ranks them as band gaps.
pub(crate) fn band_gaps(
    model: &CoverageModel,
    band: &SeaBand,
    pieces: &[IntShapes],
) -> Vec<BandGap> {
    let merged = overlay(
        pieces.iter().flatten().flatten(),
        std::iter::empty(),
        OverlayRule::Subject,
        IntOverlayOptions::ogc(),
    );
    let mut gaps: Vec<BandGap> = merged
        .iter()
        .filter_map(|shape| {
            let p = band.polygon(shape);
            let at = p.centroid()?.0;
            let area_m2 = model.area_m2(p.unsigned_area(), at);
            (area_m2 >= MIN_BAND_GAP_M2).then(|| BandGap {
                rank: 0,
                polygon: model.to_lonlat_polygon(&p),
                area_m2,
                town: town_name(model, model.nearest_town(at)),
            })
        })
        .collect();
    gaps.sort_by(|a, b| b.area_m2.total_cmp(&a.area_m2));
    for (i, g) in gaps.iter_mut().enumerate() {
        g.rank = i + 1;
    }
    gaps
}
