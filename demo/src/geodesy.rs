//! Distances, bearings and offsets on the sphere (haversine, GRS80 mean radius): the one
//! measure every placement rule and every test uses.

use geo::{Bearing, Coord, Destination, Distance, Haversine, Point};

/// Great-circle distance in metres.
pub fn distance_m(a: Coord, b: Coord) -> f64 {
    Haversine.distance(Point(a), Point(b))
}

/// Initial bearing from `from` to `to`, degrees clockwise from north in [0, 360).
pub fn bearing_deg(from: Coord, to: Coord) -> f64 {
    Haversine.bearing(Point(from), Point(to))
}

/// The point `metres` away from `from` along `bearing` (degrees, any value).
pub fn offset(from: Coord, bearing: f64, metres: f64) -> Coord {
    Haversine
        .destination(Point(from), normalize_deg(bearing), metres)
        .0
}

/// Shortest great-circle distance in metres from `p` to the segment `a`–`b`: the
/// perpendicular (cross-track) distance when the foot of the perpendicular falls on the
/// segment, otherwise the distance to the nearer end.
pub fn distance_to_segment_m(p: Coord, a: Coord, b: Coord) -> f64 {
    let ab = distance_m(a, b);
    let ap = distance_m(a, p);
    if ab == 0.0 || ap == 0.0 {
        return ap;
    }
    let radius = Haversine.radius();
    let angle = (bearing_deg(a, p) - bearing_deg(a, b)).to_radians();
    let ap_rad = ap / radius;
    // Napier's rules on the right spherical triangle a, foot, p. The atan2 form of the
    // along-track distance stays accurate for the few-metre distances we test.
    let cross_rad = (ap_rad.sin() * angle.sin()).asin();
    let along_rad = (ap_rad.sin() * angle.cos()).atan2(ap_rad.cos());
    if along_rad <= 0.0 {
        ap
    } else if along_rad * radius >= ab {
        distance_m(p, b)
    } else {
        cross_rad.abs() * radius
    }
}

/// A bearing in [0, 360).
pub fn normalize_deg(bearing: f64) -> f64 {
    bearing.rem_euclid(360.0)
}

/// Rounds lon/lat to 6 decimals (about 0.1 m) so files stay small and stable.
pub fn round6(c: Coord) -> Coord {
    Coord {
        x: round_to(c.x, 6),
        y: round_to(c.y, 6),
    }
}

/// Rounds to `decimals` places.
pub fn round_to(x: f64, decimals: i32) -> f64 {
    let scale = 10_f64.powi(decimals);
    (x * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(x: f64, y: f64) -> Coord {
        Coord { x, y }
    }

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn segment_distance_is_perpendicular_inside_and_clamped_outside() {
        let one_degree = Haversine.radius().to_radians();
        // One degree north of the middle of an equatorial segment.
        let d = distance_to_segment_m(c(0.0, 1.0), c(-1.0, 0.0), c(1.0, 0.0));
        assert!(close(d, one_degree, 0.01), "{d}");
        // Beyond the east end: distance to that end, not to the extended great circle.
        let d = distance_to_segment_m(c(2.0, 0.0), c(-1.0, 0.0), c(1.0, 0.0));
        assert!(close(d, one_degree, 0.01), "{d}");
        let d = distance_to_segment_m(c(-1.5, 0.5), c(-1.0, 0.0), c(1.0, 0.0));
        assert!(
            close(d, distance_m(c(-1.5, 0.5), c(-1.0, 0.0)), 1e-6),
            "{d}"
        );
    }

    #[test]
    fn segment_distance_is_accurate_at_metre_scale_off_shipu() {
        // A 160 m segment (one GSHHG vertex spacing) heading north-east near Shipu.
        let a = c(121.95, 29.20);
        let b = offset(a, 45.0, 160.0);
        let foot = offset(a, 45.0, 80.0);
        for metres in [0.5, 12.0, 49.9] {
            let p = offset(foot, 135.0, metres);
            let d = distance_to_segment_m(p, a, b);
            assert!(close(d, metres, 0.01), "{metres} m gave {d}");
        }
    }

    #[test]
    fn offsets_round_trip_through_distance_and_bearing() {
        let shipu = c(121.95, 29.20);
        let p = offset(shipu, 300.0, 600.0);
        assert!(close(distance_m(shipu, p), 600.0, 1e-6));
        assert!(close(bearing_deg(shipu, p), 300.0, 1e-6));
    }

    #[test]
    fn angles_and_rounding() {
        assert_eq!(normalize_deg(-30.0), 330.0);
        assert_eq!(
            round6(c(121.123_456_789, 29.000_000_4)),
            c(121.123_457, 29.0)
        );
        assert_eq!(round_to(2.449, 1), 2.4);
    }
}
