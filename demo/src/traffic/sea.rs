//! The navigable sea: the area of interest rasterised on a ~110 m grid, with routes found by
//! A* and straightened where the grid allows, and an exact check for the short links between
//! a berth and the grid.
//!
//! Safety argument for "never on land": a cell counts as land when its centre is inside a
//! land polygon OR any land edge passes through it, so an unmarked cell holds no land (but
//! for slivers at corners it shares with marked cells). A cell is navigable only when no
//! cell within [`MIN_CLEAR`] steps (8-neighbourhood) is land or outside the area of
//! interest. Straight legs are accepted when samples every 0.4 cell all fall in navigable
//! cells, which keeps the whole leg at least a cell away from any land. Links from a berth
//! to its first navigable cell are checked exactly against the polygon edges instead.

use crate::geodesy::distance_m;
use crate::rng::Rng;
use geo::{BoundingRect, Coord, LineString, MultiPolygon};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// Cell height in degrees of latitude (~111 m); the width is chosen for square cells.
const CELL_DEG: f64 = 0.001;
/// Cells added around the area of interest's bounding box (all outside the area).
const PAD: usize = 3;
/// A navigable cell has no land or outside cell within this many steps.
pub const MIN_CLEAR: u8 = 2;
const CLEAR_CAP: u8 = 8;
/// Side of the buckets of the exact edge index, degrees.
const BUCKET_DEG: f64 = 0.01;
/// Line-of-sight samples per cell.
const SAMPLE_STEP_CELLS: f64 = 0.4;
/// A* inflates its heuristic this much: paths stay sensible and searches short.
const HEURISTIC_WEIGHT: f64 = 1.3;
/// Links from a berth to the grid look this many cells around the berth.
const LINK_RADIUS_CELLS: i64 = 25;
/// A link keeps at least this far from land and the edge of the area of interest.
const LINK_CLEARANCE_M: f64 = 4.0;
const METRES_PER_DEGREE: f64 = 111_195.08;

/// A point on a route and how it joins the grid: `link` runs from the point itself to a
/// point inside the navigable cell `cell` (just the point when it is already in one).
#[derive(Debug, Clone)]
pub struct Anchor {
    pub link: Vec<Coord>,
    pub cell: usize,
}

impl Anchor {
    pub fn position(&self) -> Coord {
        self.link[0]
    }
}

pub struct SeaGrid {
    x0: f64,
    y0: f64,
    dx: f64,
    dy: f64,
    nx: usize,
    ny: usize,
    /// Metres per cell east–west, north–south and diagonally (at the middle latitude).
    mx: f64,
    my: f64,
    /// Chebyshev distance in cells to the nearest land or outside cell, capped.
    clear: Vec<u8>,
    /// Approximate distance to land in metres (chamfer transform; land outside the grid
    /// is not known).
    land_m: Vec<f32>,
    edges: Vec<(Coord, Coord)>,
    buckets: Vec<Vec<u32>>,
    bx0: f64,
    by0: f64,
    bnx: usize,
    bny: usize,
}

fn rings(polygons: &MultiPolygon) -> Vec<&LineString> {
    polygons
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .collect()
}

impl SeaGrid {
    pub fn new(land: &MultiPolygon, aoi: &MultiPolygon) -> Self {
        let bbox = aoi
            .bounding_rect()
            .expect("the area of interest is not empty");
        let lat_mid = (bbox.min().y + bbox.max().y) / 2.0;
        let dy = CELL_DEG;
        let dx = CELL_DEG / lat_mid.to_radians().cos();
        let x0 = bbox.min().x - PAD as f64 * dx;
        let y0 = bbox.min().y - PAD as f64 * dy;
        let nx = ((bbox.max().x - bbox.min().x) / dx).ceil() as usize + 2 * PAD;
        let ny = ((bbox.max().y - bbox.min().y) / dy).ceil() as usize + 2 * PAD;
        let mut grid = SeaGrid {
            x0,
            y0,
            dx,
            dy,
            nx,
            ny,
            mx: dx * METRES_PER_DEGREE * lat_mid.to_radians().cos(),
            my: dy * METRES_PER_DEGREE,
            clear: Vec::new(),
            land_m: Vec::new(),
            edges: Vec::new(),
            buckets: Vec::new(),
            bx0: x0,
            by0: y0,
            bnx: 0,
            bny: 0,
        };
        let land_rings = rings(land);
        let aoi_rings = rings(aoi);
        let mut is_land = grid.scanline(&land_rings);
        for ring in &land_rings {
            for line in ring.lines() {
                grid.walk_edge(line.start, line.end, &mut is_land);
            }
        }
        let inside = grid.scanline(&aoi_rings);
        let obstacle: Vec<bool> = is_land
            .iter()
            .zip(&inside)
            .map(|(&l, &i)| l || !i)
            .collect();
        grid.clear = grid.chebyshev(&obstacle);
        grid.land_m = grid.chamfer(&is_land);
        grid.index_edges(land_rings.iter().chain(&aoi_rings).copied());
        grid
    }

    // --- cells -------------------------------------------------------------------------

    pub fn cell_of(&self, p: Coord) -> Option<usize> {
        let i = ((p.x - self.x0) / self.dx).floor();
        let j = ((p.y - self.y0) / self.dy).floor();
        if i < 0.0 || j < 0.0 || i >= self.nx as f64 || j >= self.ny as f64 {
            return None;
        }
        Some(j as usize * self.nx + i as usize)
    }

    pub fn centre(&self, cell: usize) -> Coord {
        let (i, j) = (cell % self.nx, cell / self.nx);
        Coord {
            x: self.x0 + (i as f64 + 0.5) * self.dx,
            y: self.y0 + (j as f64 + 0.5) * self.dy,
        }
    }

    pub fn navigable(&self, cell: usize) -> bool {
        self.clear[cell] >= MIN_CLEAR
    }

    pub fn navigable_at(&self, p: Coord) -> bool {
        self.cell_of(p).is_some_and(|c| self.navigable(c))
    }

    /// Approximate distance to land in metres (within ~8 %).
    pub fn land_distance_m(&self, cell: usize) -> f64 {
        f64::from(self.land_m[cell])
    }

    pub fn cell_count(&self) -> usize {
        self.nx * self.ny
    }

    /// Cells whose centres lie inside the rings (even–odd rule), row by row.
    fn scanline(&self, rings: &[&LineString]) -> Vec<bool> {
        let mut crossings: Vec<Vec<f64>> = vec![Vec::new(); self.ny];
        for ring in rings {
            for line in ring.lines() {
                let (a, b) = (line.start, line.end);
                if a.y == b.y {
                    continue;
                }
                let lo = ((a.y.min(b.y) - self.y0) / self.dy - 0.5).ceil().max(0.0);
                let hi = ((a.y.max(b.y) - self.y0) / self.dy - 0.5).floor();
                if hi < lo {
                    continue;
                }
                let hi = (hi as usize).min(self.ny - 1);
                for (j, row) in crossings
                    .iter_mut()
                    .enumerate()
                    .take(hi + 1)
                    .skip(lo as usize)
                {
                    let y = self.y0 + (j as f64 + 0.5) * self.dy;
                    if (a.y <= y) != (b.y <= y) {
                        row.push(a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y));
                    }
                }
            }
        }
        let mut inside = vec![false; self.nx * self.ny];
        for (j, row) in crossings.iter_mut().enumerate() {
            row.sort_by(f64::total_cmp);
            for pair in row.chunks_exact(2) {
                let from = ((pair[0] - self.x0) / self.dx - 0.5).ceil().max(0.0) as usize;
                let to =
                    (((pair[1] - self.x0) / self.dx - 0.5).ceil().max(0.0) as usize).min(self.nx);
                for cell in inside[j * self.nx..].iter_mut().take(to).skip(from) {
                    *cell = true;
                }
            }
        }
        inside
    }

    /// Marks every cell an edge passes through.
    fn walk_edge(&self, a: Coord, b: Coord, marks: &mut [bool]) {
        let cells = ((b.x - a.x) / self.dx)
            .abs()
            .max(((b.y - a.y) / self.dy).abs());
        let n = (cells / 0.3).ceil().max(1.0) as usize;
        for k in 0..=n {
            if let Some(c) = self.cell_of(a + (b - a) * (k as f64 / n as f64)) {
                marks[c] = true;
            }
        }
    }

    fn neighbours(&self, cell: usize) -> impl Iterator<Item = (usize, bool)> + '_ {
        let (i, j) = ((cell % self.nx) as i64, (cell / self.nx) as i64);
        const STEPS: [(i64, i64); 8] = [
            (-1, -1),
            (0, -1),
            (1, -1),
            (-1, 0),
            (1, 0),
            (-1, 1),
            (0, 1),
            (1, 1),
        ];
        STEPS.iter().filter_map(move |&(di, dj)| {
            let (ni, nj) = (i + di, j + dj);
            (ni >= 0 && nj >= 0 && ni < self.nx as i64 && nj < self.ny as i64)
                .then(|| ((nj as usize) * self.nx + ni as usize, di != 0 && dj != 0))
        })
    }

    /// Steps (8-neighbourhood) to the nearest obstacle; cells on the grid's rim count as
    /// next to one.
    fn chebyshev(&self, obstacle: &[bool]) -> Vec<u8> {
        let mut dist = vec![CLEAR_CAP; obstacle.len()];
        let mut queue = VecDeque::new();
        for (c, &o) in obstacle.iter().enumerate() {
            if o {
                dist[c] = 0;
                queue.push_back(c);
            }
        }
        while let Some(c) = queue.pop_front() {
            let next = dist[c] + 1;
            if next >= CLEAR_CAP {
                continue;
            }
            for (n, _) in self.neighbours(c) {
                if dist[n] > next {
                    dist[n] = next;
                    queue.push_back(n);
                }
            }
        }
        dist
    }

    /// Two-pass chamfer distance (metres) to the nearest marked cell.
    fn chamfer(&self, marked: &[bool]) -> Vec<f32> {
        let (mx, my) = (self.mx as f32, self.my as f32);
        let md = mx.hypot(my);
        let mut d: Vec<f32> = marked
            .iter()
            .map(|&m| if m { 0.0 } else { f32::INFINITY })
            .collect();
        let (nx, ny) = (self.nx, self.ny);
        for j in 0..ny {
            for i in 0..nx {
                let c = j * nx + i;
                let mut best = d[c];
                if i > 0 {
                    best = best.min(d[c - 1] + mx);
                }
                if j > 0 {
                    best = best.min(d[c - nx] + my);
                    if i > 0 {
                        best = best.min(d[c - nx - 1] + md);
                    }
                    if i + 1 < nx {
                        best = best.min(d[c - nx + 1] + md);
                    }
                }
                d[c] = best;
            }
        }
        for j in (0..ny).rev() {
            for i in (0..nx).rev() {
                let c = j * nx + i;
                let mut best = d[c];
                if i + 1 < nx {
                    best = best.min(d[c + 1] + mx);
                }
                if j + 1 < ny {
                    best = best.min(d[c + nx] + my);
                    if i + 1 < nx {
                        best = best.min(d[c + nx + 1] + md);
                    }
                    if i > 0 {
                        best = best.min(d[c + nx - 1] + md);
                    }
                }
                d[c] = best;
            }
        }
        d
    }

    // --- straight legs -------------------------------------------------------------------

    /// Whether the straight leg a–b (in lon/lat) stays in navigable cells.
    pub fn line_of_sight(&self, a: Coord, b: Coord) -> bool {
        let cells = ((b.x - a.x) / self.dx)
            .abs()
            .max(((b.y - a.y) / self.dy).abs());
        let n = (cells / SAMPLE_STEP_CELLS).ceil().max(1.0) as usize;
        (0..=n).all(|k| self.navigable_at(a + (b - a) * (k as f64 / n as f64)))
    }

    fn index_edges<'a>(&mut self, rings: impl Iterator<Item = &'a LineString>) {
        self.bnx = ((self.nx as f64 * self.dx) / BUCKET_DEG).ceil() as usize + 1;
        self.bny = ((self.ny as f64 * self.dy) / BUCKET_DEG).ceil() as usize + 1;
        self.buckets = vec![Vec::new(); self.bnx * self.bny];
        for ring in rings {
            for line in ring.lines() {
                let id = self.edges.len() as u32;
                self.edges.push((line.start, line.end));
                let (i0, j0) = self.bucket_of(Coord {
                    x: line.start.x.min(line.end.x),
                    y: line.start.y.min(line.end.y),
                });
                let (i1, j1) = self.bucket_of(Coord {
                    x: line.start.x.max(line.end.x),
                    y: line.start.y.max(line.end.y),
                });
                for j in j0..=j1 {
                    for i in i0..=i1 {
                        self.buckets[j * self.bnx + i].push(id);
                    }
                }
            }
        }
    }

    fn bucket_of(&self, p: Coord) -> (usize, usize) {
        let i = ((p.x - self.bx0) / BUCKET_DEG).floor().max(0.0) as usize;
        let j = ((p.y - self.by0) / BUCKET_DEG).floor().max(0.0) as usize;
        (i.min(self.bnx - 1), j.min(self.bny - 1))
    }

    /// Whether the straight leg a–b keeps at least `min_m` metres from every land edge and
    /// every edge of the area of interest (exact, on a local flat projection).
    pub fn exact_clear(&self, a: Coord, b: Coord, min_m: f64) -> bool {
        let kx = METRES_PER_DEGREE * a.y.to_radians().cos();
        let ky = METRES_PER_DEGREE;
        let margin = Coord {
            x: min_m / kx + 1e-9,
            y: min_m / ky + 1e-9,
        };
        let lo = Coord {
            x: a.x.min(b.x),
            y: a.y.min(b.y),
        } - margin;
        let hi = Coord {
            x: a.x.max(b.x),
            y: a.y.max(b.y),
        } + margin;
        let (i0, j0) = self.bucket_of(lo);
        let (i1, j1) = self.bucket_of(hi);
        let mut ids: Vec<u32> = Vec::new();
        for j in j0..=j1 {
            for i in i0..=i1 {
                ids.extend(&self.buckets[j * self.bnx + i]);
            }
        }
        ids.sort_unstable();
        ids.dedup();
        let local = |c: Coord| ((c.x - a.x) * kx, (c.y - a.y) * ky);
        let (pa, pb) = (local(a), local(b));
        ids.iter().all(|&id| {
            let (e0, e1) = self.edges[id as usize];
            segment_distance(pa, pb, local(e0), local(e1)) >= min_m
        })
    }

    // --- anchors and routes --------------------------------------------------------------

    /// Joins `p` to the grid: directly when it lies in a navigable cell, else by an exactly
    /// checked straight link to the nearest reachable navigable cell centre.
    pub fn anchor(&self, p: Coord) -> Option<Anchor> {
        let own = self.cell_of(p)?;
        if self.navigable(own) {
            return Some(Anchor {
                link: vec![p],
                cell: own,
            });
        }
        let (i, j) = ((own % self.nx) as i64, (own / self.nx) as i64);
        let mut candidates: Vec<(f64, usize)> = Vec::new();
        for dj in -LINK_RADIUS_CELLS..=LINK_RADIUS_CELLS {
            for di in -LINK_RADIUS_CELLS..=LINK_RADIUS_CELLS {
                let (ni, nj) = (i + di, j + dj);
                if ni < 0 || nj < 0 || ni >= self.nx as i64 || nj >= self.ny as i64 {
                    continue;
                }
                let c = nj as usize * self.nx + ni as usize;
                if self.navigable(c) {
                    let metres = (di as f64 * self.mx).hypot(dj as f64 * self.my);
                    candidates.push((metres, c));
                }
            }
        }
        candidates.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        candidates
            .into_iter()
            .map(|(_, c)| c)
            .find(|&c| self.exact_clear(p, self.centre(c), LINK_CLEARANCE_M))
            .map(|c| Anchor {
                link: vec![p, self.centre(c)],
                cell: c,
            })
    }

    /// A route at sea from `a` to `b`: the links, A* over navigable cells, then straightened.
    pub fn route(&self, a: &Anchor, b: &Anchor) -> Option<Vec<Coord>> {
        let cells = self.astar(a.cell, b.cell)?;
        let start = *a.link.last().expect("links are never empty");
        let end = *b.link.last().expect("links are never empty");
        let mut inner = vec![start];
        if cells.len() > 2 {
            inner.extend(cells[1..cells.len() - 1].iter().map(|&c| self.centre(c)));
        }
        inner.push(end);
        let straight = self.straighten(&inner);
        let mut path: Vec<Coord> = a.link[..a.link.len() - 1].to_vec();
        path.extend(straight);
        path.extend(b.link[..b.link.len() - 1].iter().rev());
        path.dedup();
        Some(path)
    }

    /// Greedy string pulling: from each kept point, jump to the farthest point in sight.
    fn straighten(&self, points: &[Coord]) -> Vec<Coord> {
        let mut out = vec![points[0]];
        let mut i = 0;
        while i + 1 < points.len() {
            let mut j = i + 1;
            while j + 1 < points.len() && self.line_of_sight(points[i], points[j + 1]) {
                j += 1;
            }
            out.push(points[j]);
            i = j;
        }
        out
    }

    fn step_cost(&self, to: usize, diagonal: bool) -> u64 {
        let metres = if diagonal {
            self.mx.hypot(self.my)
        } else {
            // Neighbour direction is not known here; cells are square to within 0.1 %.
            self.my
        };
        let penalty = match self.clear[to] {
            0..=2 => 4.0,
            3 => 2.0,
            4 => 1.4,
            _ => 1.0,
        };
        (metres * penalty * 10.0).round() as u64
    }

    fn heuristic(&self, a: usize, b: usize) -> u64 {
        let di = ((a % self.nx) as f64 - (b % self.nx) as f64).abs() * self.mx;
        let dj = ((a / self.nx) as f64 - (b / self.nx) as f64).abs() * self.my;
        let (lo, hi) = (di.min(dj), di.max(dj));
        let octile = hi + (std::f64::consts::SQRT_2 - 1.0) * lo;
        (octile * HEURISTIC_WEIGHT * 10.0).round() as u64
    }

    /// Weighted A* over navigable cells (costs in decimetres, penalised near obstacles).
    fn astar(&self, from: usize, to: usize) -> Option<Vec<usize>> {
        if !self.navigable(from) || !self.navigable(to) {
            return None;
        }
        let n = self.cell_count();
        let mut g = vec![u64::MAX; n];
        let mut parent = vec![u32::MAX; n];
        let mut heap = BinaryHeap::new();
        g[from] = 0;
        heap.push(Reverse((self.heuristic(from, to), from)));
        while let Some(Reverse((f, c))) = heap.pop() {
            if c == to {
                let mut path = vec![to];
                let mut at = to;
                while at != from {
                    at = parent[at] as usize;
                    path.push(at);
                }
                path.reverse();
                return Some(path);
            }
            if f > g[c] + self.heuristic(c, to) {
                continue; // stale entry
            }
            for (nb, diagonal) in self.neighbours(c) {
                if !self.navigable(nb) {
                    continue;
                }
                let cost = g[c] + self.step_cost(nb, diagonal);
                if cost < g[nb] {
                    g[nb] = cost;
                    parent[nb] = c as u32;
                    heap.push(Reverse((cost + self.heuristic(nb, to), nb)));
                }
            }
        }
        None
    }

    /// Moves the inner turning points of `path` sideways by up to `max_m`, where the legs
    /// stay in sight, so that vessels on the same route do not share one line.
    pub fn jitter(&self, rng: &mut Rng, path: &[Coord], max_m: f64) -> Vec<Coord> {
        let mut out = path.to_vec();
        for i in 1..out.len().saturating_sub(1) {
            let (prev, here, next) = (out[i - 1], out[i], out[i + 1]);
            let dx = rng.range(-1.0, 1.0) * max_m;
            let dy = rng.range(-1.0, 1.0) * max_m;
            if i < 2 || i + 2 >= out.len() {
                continue; // keep the links to berths as they are
            }
            let moved = Coord {
                x: here.x + dx / (METRES_PER_DEGREE * here.y.to_radians().cos()),
                y: here.y + dy / METRES_PER_DEGREE,
            };
            if self.navigable_at(prev)
                && self.navigable_at(next)
                && self.line_of_sight(prev, moved)
                && self.line_of_sight(moved, next)
            {
                out[i] = moved;
            }
        }
        out
    }

    /// Navigable cells with at least `min_clear` steps of clearance and `min_land_m` metres
    /// to land, in index order.
    pub fn open_water(&self, min_clear: u8, min_land_m: f64) -> Vec<usize> {
        (0..self.cell_count())
            .filter(|&c| self.clear[c] >= min_clear && self.land_distance_m(c) >= min_land_m)
            .collect()
    }

    /// The nearest cell (in steps through navigable cells from `from`) with at least
    /// `min_clear` steps of clearance.
    pub fn nearest_open(&self, from: usize, min_clear: u8) -> Option<usize> {
        let mut seen = vec![false; self.cell_count()];
        let mut queue = VecDeque::from([from]);
        seen[from] = true;
        while let Some(c) = queue.pop_front() {
            if self.clear[c] >= min_clear {
                return Some(c);
            }
            for (n, _) in self.neighbours(c) {
                if !seen[n] && self.navigable(n) {
                    seen[n] = true;
                    queue.push_back(n);
                }
            }
        }
        None
    }

    /// The navigable cell nearest to `p` (by centre distance), if any lies within `max_m`.
    pub fn nearest_navigable(&self, p: Coord, max_m: f64) -> Option<usize> {
        let own = self.cell_of(p)?;
        let r = (max_m / self.my).ceil() as i64;
        let (i, j) = ((own % self.nx) as i64, (own / self.nx) as i64);
        let mut best: Option<(f64, usize)> = None;
        for nj in (j - r).max(0)..=(j + r).min(self.ny as i64 - 1) {
            for ni in (i - r).max(0)..=(i + r).min(self.nx as i64 - 1) {
                let c = nj as usize * self.nx + ni as usize;
                if !self.navigable(c) {
                    continue;
                }
                let d = distance_m(p, self.centre(c));
                if d <= max_m && best.is_none_or(|(bd, bc)| d < bd || (d == bd && c < bc)) {
                    best = Some((d, c));
                }
            }
        }
        best.map(|(_, c)| c)
    }
}

/// Planar distance between segments p0–p1 and q0–q1 (0 when they cross).
fn segment_distance(p0: (f64, f64), p1: (f64, f64), q0: (f64, f64), q1: (f64, f64)) -> f64 {
    if segments_cross(p0, p1, q0, q1) {
        return 0.0;
    }
    point_segment(p0, q0, q1)
        .min(point_segment(p1, q0, q1))
        .min(point_segment(q0, p0, p1))
        .min(point_segment(q1, p0, p1))
}

fn cross(o: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
}

fn segments_cross(p0: (f64, f64), p1: (f64, f64), q0: (f64, f64), q1: (f64, f64)) -> bool {
    let d1 = cross(q0, q1, p0);
    let d2 = cross(q0, q1, p1);
    let d3 = cross(p0, p1, q0);
    let d4 = cross(p0, p1, q1);
    ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
}

fn point_segment(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    };
    (a.0 + t * dx - p.0).hypot(a.1 + t * dy - p.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_distance_cases() {
        // Crossing.
        assert_eq!(
            segment_distance((0.0, 0.0), (2.0, 2.0), (0.0, 2.0), (2.0, 0.0)),
            0.0
        );
        // Parallel, 1 apart.
        let d = segment_distance((0.0, 0.0), (2.0, 0.0), (0.0, 1.0), (2.0, 1.0));
        assert!((d - 1.0).abs() < 1e-12);
        // End to end.
        let d = segment_distance((0.0, 0.0), (1.0, 0.0), (4.0, 4.0), (5.0, 5.0));
        assert!((d - 5.0).abs() < 1e-12);
    }
}
