//! Patrol zones: the coast divided into stretches around towns and islands.
//!
//! A zone is the part of the coast nearer to its town or island than to any other (the
//! town's Voronoi cell), drawn as a band of `half_width_m` either side of that coast. Piers,
//! beaching spots and barriers belong to the zone whose cell holds them, so a zone and its
//! assets never disagree. Drawing is done in a local equirectangular plane around the
//! county: zones are for display and membership, lengths that matter (gaps) come from the
//! coverage analysis.

use geo::{
    line_measures::LengthMeasurable, BooleanOps, Buffer, Coord, Distance, Haversine, LineString,
    MultiLineString, MultiPolygon, Point, Polygon, Simplify,
};

/// A town or island a zone is named after.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub name_zh: String,
    pub name_en: String,
    pub lon: f64,
    pub lat: f64,
}

/// One patrol zone.
#[derive(Debug, Clone)]
pub struct Zone {
    /// A stable id from the English name (`shipu`, `huaao-island`).
    pub id: String,
    pub place: Place,
    /// The zone's area (lon/lat).
    pub area: MultiPolygon<f64>,
    /// The zone's coastline (lon/lat).
    pub coast: MultiLineString<f64>,
    pub coast_length_m: f64,
}

const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Metres east and north of an origin, with the scale of the origin's latitude; over the
/// 60 km of a county the error stays under 0.5 %, plenty for zone outlines.
struct LocalPlane {
    lon0: f64,
    lat0: f64,
    kx: f64,
    ky: f64,
}

impl LocalPlane {
    fn around(places: &[Place]) -> Self {
        let n = places.len().max(1) as f64;
        let lon0 = places.iter().map(|p| p.lon).sum::<f64>() / n;
        let lat0 = places.iter().map(|p| p.lat).sum::<f64>() / n;
        let ky = EARTH_RADIUS_M.to_radians();
        LocalPlane {
            lon0,
            lat0,
            kx: ky * lat0.to_radians().cos(),
            ky,
        }
    }

    fn forward(&self, c: Coord<f64>) -> Coord<f64> {
        Coord {
            x: (c.x - self.lon0) * self.kx,
            y: (c.y - self.lat0) * self.ky,
        }
    }

    /// Back to lon/lat, rounded to 1e-6° (0.1 m): the digits beyond are noise.
    fn inverse(&self, c: Coord<f64>) -> Coord<f64> {
        let round = |v: f64| (v * 1e6).round() / 1e6;
        Coord {
            x: round(c.x / self.kx + self.lon0),
            y: round(c.y / self.ky + self.lat0),
        }
    }
}

/// Index of the place nearest to `p` (lon/lat), by great-circle distance.
pub fn nearest_place(places: &[Place], lon: f64, lat: f64) -> Option<usize> {
    let p = Point::new(lon, lat);
    places
        .iter()
        .enumerate()
        .map(|(i, q)| (i, Haversine.distance(p, Point::new(q.lon, q.lat))))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// Divides `coast` among `places`: every coastline segment goes to the place nearest its
/// midpoint; places without coast get no zone. Zones come in the order of `places`.
pub fn zones_from_coast(
    coast: &MultiLineString<f64>,
    places: &[Place],
    half_width_m: f64,
) -> Vec<Zone> {
    let plane = LocalPlane::around(places);
    let mut pieces: Vec<Vec<LineString<f64>>> = vec![Vec::new(); places.len()];
    for line in &coast.0 {
        // Runs of consecutive segments with the same owner stay one line string.
        let mut run: Vec<Coord<f64>> = Vec::new();
        let mut owner: Option<usize> = None;
        for seg in line.lines() {
            let mid = (seg.start + seg.end) / 2.0;
            let o = nearest_place(places, mid.x, mid.y);
            if o != owner {
                if let Some(prev) = owner {
                    pieces[prev].push(LineString::new(std::mem::take(&mut run)));
                }
                run.clear();
                run.push(seg.start);
                owner = o;
            }
            run.push(seg.end);
        }
        if let Some(prev) = owner {
            pieces[prev].push(LineString::new(run));
        }
    }
    let projected: Vec<Coord<f64>> = places
        .iter()
        .map(|p| plane.forward(Coord { x: p.lon, y: p.lat }))
        .collect();
    places
        .iter()
        .zip(pieces)
        .enumerate()
        .filter(|(_, (_, lines))| !lines.is_empty())
        .map(|(i, (place, lines))| {
            let coast = MultiLineString::new(lines);
            let local = MultiLineString::new(
                coast
                    .0
                    .iter()
                    .map(|l| l.0.iter().map(|c| plane.forward(*c)).collect())
                    .collect(),
            );
            let band = local.buffer(half_width_m);
            let cell = voronoi_cell(&projected, i, 200_000.0);
            // 10 m is invisible at the zooms zones are looked at, and keeps the GeoJSON of a
            // month of zone windows small.
            let area = band
                .intersection(&MultiPolygon::new(vec![cell]))
                .simplify(10.0);
            let area = MultiPolygon::new(
                area.0
                    .iter()
                    .map(|p| {
                        Polygon::new(
                            p.exterior().0.iter().map(|c| plane.inverse(*c)).collect(),
                            p.interiors()
                                .iter()
                                .map(|r| r.0.iter().map(|c| plane.inverse(*c)).collect())
                                .collect(),
                        )
                    })
                    .collect(),
            );
            Zone {
                id: slug(&place.name_en),
                place: place.clone(),
                area,
                coast_length_m: coast.0.iter().map(|l| l.length(&Haversine)).sum(),
                coast,
            }
        })
        .collect()
}

/// Zones drawn by hand: the polygons of a `patrol_zones` layer (`name_zh`, `name_en`),
/// each with the part of `coast` inside it.
pub fn zones_from_layer(
    features: &[tidewatch_importers::Feature],
    coast: &MultiLineString<f64>,
) -> Result<Vec<Zone>, String> {
    let mut zones: Vec<Zone> = Vec::with_capacity(features.len());
    for f in features {
        let area = match &f.geometry {
            geo::Geometry::Polygon(p) => MultiPolygon::new(vec![p.clone()]),
            geo::Geometry::MultiPolygon(m) => m.clone(),
            _ => return Err(format!("patrol_zones feature {} is not a polygon", f.id)),
        };
        let name = |k: &str| {
            f.properties
                .get(k)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let name_en = name("name_en").unwrap_or_else(|| format!("Zone {}", f.id));
        let centre = geo::Centroid::centroid(&area).unwrap_or(Point::new(0.0, 0.0));
        let inside = area.clip(coast, false);
        let mut id = slug(&name_en);
        if zones.iter().any(|z| z.id == id) {
            id = format!("{id}-{}", f.id);
        }
        zones.push(Zone {
            id,
            place: Place {
                name_zh: name("name_zh").unwrap_or_else(|| name_en.clone()),
                name_en,
                lon: centre.x(),
                lat: centre.y(),
            },
            coast_length_m: inside.0.iter().map(|l| l.length(&Haversine)).sum(),
            coast: inside,
            area,
        });
    }
    Ok(zones)
}

/// How much of `lines` lies in each zone, metres (by great circle).
pub fn gap_length_by_zone<'a>(
    zones: &[Zone],
    lines: impl Iterator<Item = &'a MultiLineString<f64>>,
) -> Vec<f64> {
    let mut out = vec![0.0; zones.len()];
    for line in lines {
        let bbox = geo::BoundingRect::bounding_rect(line);
        for (i, z) in zones.iter().enumerate() {
            let overlaps = match (bbox, geo::BoundingRect::bounding_rect(&z.area)) {
                (Some(a), Some(b)) => geo::Intersects::intersects(&a, &b),
                _ => false,
            };
            if overlaps {
                out[i] += z
                    .area
                    .clip(line, false)
                    .0
                    .iter()
                    .map(|l| l.length(&Haversine))
                    .sum::<f64>();
            }
        }
    }
    out
}

/// The cell of `sites[i]`: a square of side `2 * extent` around it cut by the half-plane
/// nearer to it than to each other site (Sutherland–Hodgman against each bisector).
fn voronoi_cell(sites: &[Coord<f64>], i: usize, extent: f64) -> Polygon<f64> {
    let s = sites[i];
    let mut ring = vec![
        Coord {
            x: s.x - extent,
            y: s.y - extent,
        },
        Coord {
            x: s.x + extent,
            y: s.y - extent,
        },
        Coord {
            x: s.x + extent,
            y: s.y + extent,
        },
        Coord {
            x: s.x - extent,
            y: s.y + extent,
        },
    ];
    for (j, o) in sites.iter().enumerate() {
        if j == i || *o == s {
            continue;
        }
        // Keep points p with (p - mid) · (o - s) <= 0.
        let mid = (s + *o) / 2.0;
        let n = *o - s;
        let side = |p: Coord<f64>| (p.x - mid.x) * n.x + (p.y - mid.y) * n.y;
        let mut out = Vec::with_capacity(ring.len() + 1);
        for k in 0..ring.len() {
            let a = ring[k];
            let b = ring[(k + 1) % ring.len()];
            let (da, db) = (side(a), side(b));
            if da <= 0.0 {
                out.push(a);
            }
            if (da <= 0.0) != (db <= 0.0) {
                out.push(a + (b - a) * (da / (da - db)));
            }
        }
        ring = out;
    }
    Polygon::new(LineString::new(ring), vec![])
}

/// `Huang'ao Island` → `huangao-island`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if (ch.is_whitespace() || ch == '-' || ch == '_')
            && !out.is_empty()
            && !out.ends_with('-')
        {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Contains, Intersects};

    fn place(name: &str, lon: f64, lat: f64) -> Place {
        Place {
            name_zh: name.into(),
            name_en: name.into(),
            lon,
            lat,
        }
    }

    #[test]
    fn a_straight_coast_splits_at_the_bisector() {
        // A coast along the equator-ish parallel 29.3 N from 121.8 to 122.0 E, two towns.
        let coast = MultiLineString::new(vec![LineString::from(
            (0..=20)
                .map(|i| (121.8 + 0.01 * f64::from(i), 29.3))
                .collect::<Vec<_>>(),
        )]);
        let places = [
            place("West Town", 121.85, 29.31),
            place("East Town", 121.95, 29.31),
        ];
        let zones = zones_from_coast(&coast, &places, 1500.0);
        assert_eq!(zones.len(), 2);
        assert_eq!(zones[0].id, "west-town");
        let total: f64 = zones.iter().map(|z| z.coast_length_m).sum();
        let whole = coast.0[0].length(&Haversine);
        assert!((total - whole).abs() < 1e-6 * whole);
        // Each half is about half the coast (the bisector is at 121.9 E).
        assert!((zones[0].coast_length_m / whole - 0.5).abs() < 0.01);
        // Zones hold their own coast, not the neighbour's.
        assert!(zones[0].area.contains(&Point::new(121.82, 29.3)));
        assert!(!zones[0].area.intersects(&Point::new(121.98, 29.3)));
        assert!(zones[1].area.contains(&Point::new(121.98, 29.301)));
        // 1.5 km either side: 0.01° of latitude (1.1 km) off the coast is inside, 0.02° is not.
        assert!(zones[1].area.contains(&Point::new(121.96, 29.31)));
        assert!(!zones[1].area.intersects(&Point::new(121.96, 29.32)));
    }

    #[test]
    fn places_without_coast_get_no_zone() {
        let coast =
            MultiLineString::new(vec![LineString::from(vec![(121.8, 29.3), (121.81, 29.3)])]);
        let places = [place("Near", 121.8, 29.3), place("Far", 123.0, 30.0)];
        let zones = zones_from_coast(&coast, &places, 500.0);
        assert_eq!(zones.len(), 1);
        assert_eq!(zones[0].place.name_en, "Near");
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Huangbi'ao"), "huangbiao");
        assert_eq!(slug("Yushan Islands"), "yushan-islands");
    }
}
