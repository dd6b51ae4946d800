//! The real shoreline and land, indexed for the questions placement asks: which side of a
//! stretch of shore is land, how far a point is from the shore, whether a point is on land,
//! and where along the coast to put the next feature.

use crate::geodesy::{bearing_deg, distance_m, distance_to_segment_m, normalize_deg, offset};
use crate::rng::Rng;
use crate::{DemoError, DemoInputs};
use geo::{
    BoundingRect, ChamberlainDuquetteArea, Contains, Coord, MultiPolygon, Point, Polygon, Rect,
};

/// How far to either side of a shore segment we probe for land. GSHHG's land polygons
/// share the shoreline's vertices, so a short probe falls clearly on one side.
const SIDE_PROBE_M: f64 = 15.0;
/// Metres per degree of latitude on the mean sphere, for the flat nearest-segment prefilter.
const METRES_PER_DEGREE: f64 = 111_195.08;

/// One straight piece of the shoreline.
#[derive(Debug, Clone)]
pub struct ShoreSegment {
    pub a: Coord,
    pub b: Coord,
    /// Bearing from the shore into the land, when exactly one side of the segment is land
    /// (not on slivers and channels narrower than the probe).
    pub inland_deg: Option<f64>,
    /// Both ends lie inside the area of interest.
    pub in_aoi: bool,
    /// Area of the island (or mainland) behind the segment, 0 when unknown.
    pub land_km2: f64,
}

impl ShoreSegment {
    pub fn length_m(&self) -> f64 {
        distance_m(self.a, self.b)
    }

    pub fn midpoint(&self) -> Coord {
        self.point_at(0.5)
    }

    /// Linear in lon/lat; over a ~160 m segment this is the great circle to well under 1 mm.
    fn point_at(&self, t: f64) -> Coord {
        self.a + (self.b - self.a) * t
    }

    pub fn seaward_deg(&self) -> Option<f64> {
        self.inland_deg.map(|d| normalize_deg(d + 180.0))
    }
}

/// A point on the shoreline and the direction of the land behind it.
#[derive(Debug, Clone, Copy)]
pub struct ShorePoint {
    pub position: Coord,
    pub inland_deg: f64,
}

struct LandPolygon<'a> {
    bbox: Rect,
    polygon: &'a Polygon,
    area_km2: f64,
}

/// Shoreline segments, land polygons and the area of interest.
pub struct Shore<'a> {
    segments: Vec<ShoreSegment>,
    land: Vec<LandPolygon<'a>>,
    aoi: &'a MultiPolygon,
}

impl<'a> Shore<'a> {
    pub fn new(inputs: &'a DemoInputs) -> Self {
        let land = inputs
            .land
            .iter()
            .filter_map(|polygon| {
                Some(LandPolygon {
                    bbox: polygon.bounding_rect()?,
                    polygon,
                    area_km2: polygon.chamberlain_duquette_unsigned_area() / 1e6,
                })
            })
            .collect();
        let mut shore = Shore {
            segments: Vec::new(),
            land,
            aoi: &inputs.aoi,
        };
        let segments = inputs
            .coastline
            .iter()
            .flat_map(|line| line.lines())
            .filter(|line| line.start != line.end)
            .map(|line| shore.segment(line.start, line.end))
            .collect();
        shore.segments = segments;
        shore
    }

    fn segment(&self, a: Coord, b: Coord) -> ShoreSegment {
        let mid = a + (b - a) * 0.5;
        let left = normalize_deg(bearing_deg(a, b) - 90.0);
        let right = normalize_deg(left + 180.0);
        let land_left = self.land_at(offset(mid, left, SIDE_PROBE_M));
        let land_right = self.land_at(offset(mid, right, SIDE_PROBE_M));
        let (inland_deg, land) = match (land_left, land_right) {
            (Some(land), None) => (Some(left), Some(land)),
            (None, Some(land)) => (Some(right), Some(land)),
            _ => (None, None),
        };
        ShoreSegment {
            a,
            b,
            inland_deg,
            in_aoi: self.in_aoi(a) && self.in_aoi(b),
            land_km2: land.map_or(0.0, |land| land.area_km2),
        }
    }

    /// The land polygon containing `p`, if any.
    fn land_at(&self, p: Coord) -> Option<&LandPolygon<'a>> {
        self.land
            .iter()
            .find(|land| rect_holds(land.bbox, p) && land.polygon.contains(&Point(p)))
    }

    pub fn is_land(&self, p: Coord) -> bool {
        self.land_at(p).is_some()
    }

    pub fn in_aoi(&self, p: Coord) -> bool {
        self.aoi.contains(&Point(p))
    }

    /// The segments placement may use, with their inland bearing: inside the AOI and with
    /// a known land side.
    fn usable(&self) -> impl Iterator<Item = (&ShoreSegment, f64)> {
        self.segments
            .iter()
            .filter(|s| s.in_aoi)
            .filter_map(|s| Some((s, s.inland_deg?)))
    }

    /// The shore segment nearest to `p` and the haversine distance to it in metres.
    pub fn nearest(&self, p: Coord) -> Option<(&ShoreSegment, f64)> {
        // A flat projection centred on `p` ranks all segments cheaply; only those within
        // 1 % of the best are then measured on the sphere.
        let kx = METRES_PER_DEGREE * p.y.to_radians().cos();
        let local = |c: Coord| ((c.x - p.x) * kx, (c.y - p.y) * METRES_PER_DEGREE);
        let flat = |s: &ShoreSegment| flat_distance_to_origin(local(s.a), local(s.b));
        let best_flat = self.segments.iter().map(flat).fold(f64::INFINITY, f64::min);
        self.segments
            .iter()
            .filter(|s| flat(s) <= best_flat * 1.01 + 1.0)
            .map(|s| (s, distance_to_segment_m(p, s.a, s.b)))
            .min_by(|x, y| x.1.total_cmp(&y.1))
    }
}

fn rect_holds(rect: Rect, p: Coord) -> bool {
    let (min, max) = (rect.min(), rect.max());
    (min.x..=max.x).contains(&p.x) && (min.y..=max.y).contains(&p.y)
}

/// Distance from the origin to the planar segment a–b.
fn flat_distance_to_origin(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let length2 = dx * dx + dy * dy;
    let t = if length2 == 0.0 {
        0.0
    } else {
        (-(a.0 * dx + a.1 * dy) / length2).clamp(0.0, 1.0)
    };
    (a.0 + t * dx).hypot(a.1 + t * dy)
}

/// Draws points along the usable shoreline with probability proportional to
/// segment length × a weight.
pub struct ShoreSampler<'s> {
    segments: Vec<(&'s ShoreSegment, f64)>,
    /// Running total of length × weight, one entry per segment.
    cumulative: Vec<f64>,
}

impl<'s> ShoreSampler<'s> {
    /// Fails (naming `layer`) when no usable segment has a positive weight.
    pub fn new(
        shore: &'s Shore,
        layer: &'static str,
        weight: impl Fn(&ShoreSegment) -> f64,
    ) -> Result<Self, DemoError> {
        let mut segments = Vec::new();
        let mut cumulative = Vec::new();
        let mut total = 0.0;
        for (segment, inland_deg) in shore.usable() {
            let w = segment.length_m() * weight(segment);
            if w > 0.0 {
                total += w;
                segments.push((segment, inland_deg));
                cumulative.push(total);
            }
        }
        if segments.is_empty() {
            return Err(DemoError::placement(
                layer,
                "no usable shoreline (inside the area of interest, with land on one side)",
            ));
        }
        Ok(ShoreSampler {
            segments,
            cumulative,
        })
    }

    /// The point at `fraction` (in [0, 1)) of the weighted shoreline.
    pub fn at(&self, fraction: f64) -> ShorePoint {
        let total = self.cumulative[self.cumulative.len() - 1];
        let target = fraction * total;
        let i = self
            .cumulative
            .partition_point(|&c| c <= target)
            .min(self.segments.len() - 1);
        let start = if i == 0 { 0.0 } else { self.cumulative[i - 1] };
        let (segment, inland_deg) = self.segments[i];
        let t = ((target - start) / (self.cumulative[i] - start)).clamp(0.0, 1.0);
        ShorePoint {
            position: segment.point_at(t),
            inland_deg,
        }
    }

    /// A random point in the `i`th of `n` equal strata of the weighted shoreline, so that
    /// `n` draws spread over the whole coast instead of clumping.
    pub fn stratified(&self, rng: &mut Rng, i: usize, n: usize) -> ShorePoint {
        self.at((i as f64 + rng.unit()) / n as f64)
    }
}
