//! Harbour areas and the receivers' coverage, prepared for cheap point tests: each
//! harbour keeps its bounding box so most positions are rejected with four comparisons.

use crate::config::{Area, Harbour};
use crate::metric::{distance_m, distance_to_ring_m, ring_contains, LonLat, EARTH_RADIUS_M};

struct PreparedHarbour {
    area: Area,
    /// min lon, min lat, max lon, max lat.
    bbox: [f64; 4],
}

pub(crate) struct Harbours {
    harbours: Vec<PreparedHarbour>,
}

impl Harbours {
    pub fn new(harbours: &[Harbour]) -> Harbours {
        let harbours = harbours
            .iter()
            .map(|h| {
                let bbox = match &h.area {
                    Area::Circle { centre, radius_m } => {
                        let dlat = (radius_m / EARTH_RADIUS_M).to_degrees();
                        let dlon = dlat / centre.lat.to_radians().cos();
                        [
                            centre.lon - dlon * 1.01,
                            centre.lat - dlat * 1.01,
                            centre.lon + dlon * 1.01,
                            centre.lat + dlat * 1.01,
                        ]
                    }
                    Area::Polygon { ring } => {
                        ring.iter()
                            .fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, p| {
                                [
                                    b[0].min(p.lon),
                                    b[1].min(p.lat),
                                    b[2].max(p.lon),
                                    b[3].max(p.lat),
                                ]
                            })
                    }
                };
                PreparedHarbour {
                    area: h.area.clone(),
                    bbox,
                }
            })
            .collect();
        Harbours { harbours }
    }

    pub fn contains(&self, p: LonLat) -> bool {
        self.harbours.iter().any(|h| {
            let b = h.bbox;
            p.lon >= b[0]
                && p.lat >= b[1]
                && p.lon <= b[2]
                && p.lat <= b[3]
                && match &h.area {
                    Area::Circle { centre, radius_m } => distance_m(*centre, p) <= *radius_m,
                    Area::Polygon { ring } => ring_contains(ring, p),
                }
        })
    }
}

/// The receivers' coverage; empty means everywhere.
pub(crate) struct Coverage {
    rings: Vec<Vec<LonLat>>,
    edge_m: f64,
}

impl Coverage {
    pub fn new(rings: &[Vec<LonLat>], edge_m: f64) -> Coverage {
        Coverage {
            rings: rings.to_vec(),
            edge_m,
        }
    }

    /// Well inside: not outside every ring and farther than the margin from every edge.
    /// Only asked when a stream falls silent, so a linear pass over the rings is fine.
    pub fn well_inside(&self, p: LonLat) -> bool {
        if self.rings.is_empty() {
            return true;
        }
        let inside = self.rings.iter().filter(|r| ring_contains(r, p)).count() % 2 == 1;
        inside
            && self
                .rings
                .iter()
                .all(|r| distance_to_ring_m(r, p) > self.edge_m)
    }
}
