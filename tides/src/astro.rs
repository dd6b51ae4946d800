//! Astronomical arguments of the tide-generating potential at an instant, in Schureman's
//! notation (Manual of Harmonic Analysis and Prediction of Tides, 1940/1958):
//! T (hour angle of the mean Sun), s, h, p, N, p1 (mean longitudes of Moon, Sun, lunar
//! perigee, lunar ascending node, solar perigee) from Meeus's polynomials (Astronomical
//! Algorithms, 2nd ed., ch. 22 and 47), and the node-dependent I, ν, ξ, ν', 2ν''.
//! Angles are in degrees, rates in degrees per hour.

use crate::time::julian_centuries;

/// Hours in a Julian century: polynomial derivatives in T (centuries) become °/hour.
const HOURS_PER_CENTURY: f64 = 36_525.0 * 24.0;
/// Inclination of the lunar orbit to the ecliptic (Schureman's i).
const LUNAR_INCLINATION: f64 = 5.145;

// Polynomial coefficients in Julian centuries since J2000.0, lowest power first.
const MOON_LONGITUDE: [f64; 5] = [
    218.316_459_1,
    481_267.881_342_36,
    -0.001_326_8,
    1.0 / 538_841.0,
    -1.0 / 65_194_000.0,
];
const SUN_LONGITUDE: [f64; 3] = [280.466_45, 36_000.769_83, 0.000_303_2];
const LUNAR_PERIGEE: [f64; 5] = [
    83.353_243,
    4_069.013_711_1,
    -0.010_323_8,
    -1.0 / 80_053.0,
    1.0 / 18_999_000.0,
];
const LUNAR_NODE: [f64; 5] = [
    125.044_555,
    -1_934.136_184_9,
    0.002_076_2,
    1.0 / 467_410.0,
    -1.0 / 60_616_000.0,
];
const SOLAR_PERIGEE: [f64; 3] = [282.937_35, 1.719_46, 0.000_46];
/// Mean obliquity of the ecliptic (Meeus 22.2), 23°26'21.448" − 46.8150" T − ...
const OBLIQUITY: [f64; 4] = [
    23.439_291_111,
    -46.815_0 / 3600.0,
    -0.000_59 / 3600.0,
    0.001_813 / 3600.0,
];

/// An angle with its rate of change.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Moving {
    pub degrees: f64,
    pub per_hour: f64,
}

/// The astronomical arguments at one instant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Astro {
    /// T: hour angle of the mean Sun at Greenwich (180° at 00:00 UTC), 15°/hour.
    pub hour_angle: Moving,
    pub s: Moving,
    pub h: Moving,
    pub p: Moving,
    pub p1: Moving,
    /// Obliquity of the Moon's orbit to the equator.
    pub i: f64,
    pub xi: f64,
    pub nu: f64,
    /// ν' (K1) and 2ν'' (K2).
    pub nu_prime: f64,
    pub two_nu_second: f64,
}

impl Astro {
    /// The arguments at `unix_seconds` (UTC).
    pub fn at(unix_seconds: f64) -> Astro {
        let t = julian_centuries(unix_seconds);
        let moving = |c: &[f64]| Moving {
            degrees: polynomial(c, t).rem_euclid(360.0),
            per_hour: derivative(c, t) / HOURS_PER_CENTURY,
        };
        let day_fraction = (unix_seconds / 86_400.0).rem_euclid(1.0);
        let n = polynomial(&LUNAR_NODE, t).rem_euclid(360.0);
        let omega = polynomial(&OBLIQUITY, t).to_radians();
        let (i, xi, nu) = node_terms(n.to_radians(), LUNAR_INCLINATION.to_radians(), omega);
        let (sin_i, sin_2i) = (i.sin(), (2.0 * i).sin());
        let nu_prime = (sin_2i * nu.sin()).atan2(sin_2i * nu.cos() + 0.3347);
        let two_nu_second =
            (sin_i * sin_i * (2.0 * nu).sin()).atan2(sin_i * sin_i * (2.0 * nu).cos() + 0.0727);
        Astro {
            hour_angle: Moving {
                degrees: (180.0 + 360.0 * day_fraction).rem_euclid(360.0),
                per_hour: 15.0,
            },
            s: moving(&MOON_LONGITUDE),
            h: moving(&SUN_LONGITUDE),
            p: moving(&LUNAR_PERIGEE),
            p1: moving(&SOLAR_PERIGEE),
            i: i.to_degrees(),
            xi: xi.to_degrees(),
            nu: nu.to_degrees(),
            nu_prime: nu_prime.to_degrees(),
            two_nu_second: two_nu_second.to_degrees(),
        }
    }
}

/// Schureman's I, ξ, ν (radians) from the node N, the lunar inclination i and the
/// obliquity ω, by Napier's analogies on the spherical triangle of the three planes.
fn node_terms(n: f64, i: f64, omega: f64) -> (f64, f64, f64) {
    let cos_big_i = i.cos() * omega.cos() - i.sin() * omega.sin() * n.cos();
    // N in (−π, π] keeps tan(N/2) finite except at the one point N = π, where both
    // half-sums jump by π together and ξ, ν stay continuous modulo 2π.
    let half_n = 0.5 * (n + std::f64::consts::PI).rem_euclid(std::f64::consts::TAU)
        - 0.5 * std::f64::consts::PI;
    let tan_half_n = half_n.tan();
    let a = ((0.5 * (omega - i)).cos() / (0.5 * (omega + i)).cos() * tan_half_n).atan() - half_n;
    let b = ((0.5 * (omega - i)).sin() / (0.5 * (omega + i)).sin() * tan_half_n).atan() - half_n;
    (cos_big_i.acos(), -(a + b), a - b)
}

fn polynomial(coefficients: &[f64], t: f64) -> f64 {
    coefficients.iter().rev().fold(0.0, |acc, c| acc * t + c)
}

fn derivative(coefficients: &[f64], t: f64) -> f64 {
    coefficients
        .iter()
        .enumerate()
        .skip(1)
        .rev()
        .fold(0.0, |acc, (k, c)| acc * t + k as f64 * c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speeds_match_the_standard_constituent_speeds() {
        let a = Astro::at(1_795_000_000.0);
        // Schureman's Table 1 speeds (°/hour) of s, h, p.
        assert!((a.s.per_hour - 0.549_016_5).abs() < 1e-6);
        assert!((a.h.per_hour - 0.041_068_6).abs() < 1e-6);
        assert!((a.p.per_hour - 0.004_641_8).abs() < 1e-6);
        // M2 = 2T − 2s + 2h.
        let m2 = 2.0 * (15.0 - a.s.per_hour + a.h.per_hour);
        assert!((m2 - 28.984_104_2).abs() < 1e-6);
    }

    #[test]
    fn node_terms_stay_within_their_known_ranges() {
        for k in 0..360 {
            let a = Astro::at(1_000_000_000.0 + f64::from(k) * 1.63e6);
            assert!((18.2..=28.7).contains(&a.i), "I = {}", a.i);
            let wrap = |x: f64| (x + 180.0).rem_euclid(360.0) - 180.0;
            assert!(wrap(a.nu).abs() < 13.1 && wrap(a.xi).abs() < 12.1);
            assert!(wrap(a.nu_prime).abs() < 9.0 && wrap(a.two_nu_second).abs() < 18.0);
        }
    }
}
