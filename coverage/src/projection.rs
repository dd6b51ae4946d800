//! Transverse Mercator on the WGS84 ellipsoid (Krüger series to third order in n,
//! Karney 2011 eq. 35–36), used as the metric plane for all coverage geometry.
//!
//! It is conformal, so angles and small shapes are true, and with the central meridian through
//! the middle of the county (|Δλ| ≤ 0.5°) the scale error is under 3·10⁻⁵; lengths and areas are
//! further divided by the point scale factor, leaving them within about 10⁻⁶ of the ellipsoid.
//! The truncated series is accurate to well under a millimetre at these distances.
//! `local` puts the origin at the middle of the area so planar coordinates stay small
//! (tens of km), which keeps the floating-point predicates of the visibility sweep precise.

use geo::Coord;

const WGS84_A: f64 = 6_378_137.0;
const WGS84_F: f64 = 1.0 / 298.257_223_563;

/// A transverse Mercator projection with scale 1 on the central meridian.
#[derive(Debug, Clone)]
pub struct TransverseMercator {
    lon0: f64,
    false_easting: f64,
    false_northing: f64,
    /// Rectifying radius A (k0 = 1).
    radius: f64,
    /// 2√n/(1+n), the eccentricity e, used for the conformal latitude.
    ecc: f64,
    alpha: [f64; 3],
    beta: [f64; 3],
    delta: [f64; 3],
    /// √(ρν) at the origin latitude, for the point scale factor k ≈ 1 + x²/(2ρν).
    mean_radius: f64,
}

impl TransverseMercator {
    /// Projection with the given central meridian and false easting/northing (metres).
    pub fn new(central_meridian_deg: f64, false_easting: f64, false_northing: f64) -> Self {
        let n = WGS84_F / (2.0 - WGS84_F);
        let (n2, n3) = (n * n, n * n * n);
        let radius = WGS84_A / (1.0 + n) * (1.0 + n2 / 4.0 + n2 * n2 / 64.0);
        let e2 = WGS84_F * (2.0 - WGS84_F);
        Self {
            lon0: central_meridian_deg.to_radians(),
            false_easting,
            false_northing,
            radius,
            ecc: e2.sqrt(),
            alpha: [
                n / 2.0 - 2.0 * n2 / 3.0 + 5.0 * n3 / 16.0,
                13.0 * n2 / 48.0 - 3.0 * n3 / 5.0,
                61.0 * n3 / 240.0,
            ],
            beta: [
                n / 2.0 - 2.0 * n2 / 3.0 + 37.0 * n3 / 96.0,
                n2 / 48.0 + n3 / 15.0,
                17.0 * n3 / 480.0,
            ],
            delta: [
                2.0 * n - 2.0 * n2 / 3.0 - 2.0 * n3,
                7.0 * n2 / 3.0 - 8.0 * n3 / 5.0,
                56.0 * n3 / 15.0,
            ],
            mean_radius: WGS84_A,
        }
    }

    /// A local plane: central meridian `lon0`, origin (0, 0) at (`lon0`, `lat0`).
    pub fn local(lon0_deg: f64, lat0_deg: f64) -> Self {
        let mut tm = Self::new(lon0_deg, 0.0, 0.0);
        tm.false_northing = -tm.forward(lon0_deg, lat0_deg).y;
        let e2 = WGS84_F * (2.0 - WGS84_F);
        let s2 = lat0_deg.to_radians().sin().powi(2);
        // ρν = a²(1−e²)/(1−e² sin²φ)²
        tm.mean_radius = WGS84_A * (1.0 - e2).sqrt() / (1.0 - e2 * s2);
        tm
    }

    /// lon/lat in degrees → planar metres (x east, y north).
    pub fn forward(&self, lon_deg: f64, lat_deg: f64) -> Coord<f64> {
        let phi = lat_deg.to_radians();
        let lam = lon_deg.to_radians() - self.lon0;
        let s = phi.sin();
        let t = (s.atanh() - self.ecc * (self.ecc * s).atanh()).sinh();
        let xi_p = t.atan2(lam.cos());
        let eta_p = (lam.sin() / (1.0 + t * t).sqrt()).atanh();
        let (mut xi, mut eta) = (xi_p, eta_p);
        for (j, a) in self.alpha.iter().enumerate() {
            let k = 2.0 * (j + 1) as f64;
            xi += a * (k * xi_p).sin() * (k * eta_p).cosh();
            eta += a * (k * xi_p).cos() * (k * eta_p).sinh();
        }
        Coord {
            x: self.false_easting + self.radius * eta,
            y: self.false_northing + self.radius * xi,
        }
    }

    /// Planar metres → lon/lat in degrees.
    pub fn inverse(&self, c: Coord<f64>) -> Coord<f64> {
        let xi = (c.y - self.false_northing) / self.radius;
        let eta = (c.x - self.false_easting) / self.radius;
        let (mut xi_p, mut eta_p) = (xi, eta);
        for (j, b) in self.beta.iter().enumerate() {
            let k = 2.0 * (j + 1) as f64;
            xi_p -= b * (k * xi).sin() * (k * eta).cosh();
            eta_p -= b * (k * xi).cos() * (k * eta).sinh();
        }
        let chi = (xi_p.sin() / eta_p.cosh()).asin();
        let mut phi = chi;
        for (j, d) in self.delta.iter().enumerate() {
            phi += d * (2.0 * (j + 1) as f64 * chi).sin();
        }
        let lam = eta_p.sinh().atan2(xi_p.cos());
        Coord {
            x: (self.lon0 + lam).to_degrees(),
            y: phi.to_degrees(),
        }
    }

    /// Point scale factor at planar easting `x`: planar lengths divided by it are ellipsoidal.
    pub fn scale_factor(&self, x: f64) -> f64 {
        let u = (x - self.false_easting) / self.mean_radius;
        1.0 + u * u / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_pyproj() {
        // pyproj 3.7 (PROJ), EPSG:4550 (CGCS2000 / 3-degree Gauss-Kruger CM 123E, FE 500 km)
        // for Shipu (121.95 E, 29.20 N): (397883.698, 3231893.325). CGCS2000 and WGS84
        // ellipsoids differ by 0.1 mm here. (docs/domain.md gives (397619, 3232738) as a check
        // value; PROJ does not reproduce it either, so that figure is off by about 900 m.)
        let tm = TransverseMercator::new(123.0, 500_000.0, 0.0);
        let p = tm.forward(121.95, 29.20);
        assert!(
            (p.x - 397_883.698).abs() < 0.01 && (p.y - 3_231_893.325).abs() < 0.01,
            "{p:?}"
        );
        // +proj=tmerc +lon_0=122 +lat_0=29.2 +k=1 on WGS84, the kind of plane the model uses.
        let local = TransverseMercator::local(122.0, 29.2);
        let p = local.forward(122.3, 29.7);
        assert!(
            (p.x - 29_032.618).abs() < 0.01 && (p.y - 55_459.273).abs() < 0.01,
            "{p:?}"
        );
    }

    #[test]
    fn inverse_undoes_forward_to_a_millimetre() {
        let tm = TransverseMercator::local(122.0, 29.2);
        for &(lon, lat) in &[(121.5, 28.8), (122.3, 29.7), (122.0, 29.2), (121.9, 29.4)] {
            let back = tm.inverse(tm.forward(lon, lat));
            assert!((back.x - lon).abs() < 1e-8 && (back.y - lat).abs() < 1e-8);
        }
        let origin = tm.forward(122.0, 29.2);
        assert!(origin.x.abs() < 1e-9 && origin.y.abs() < 1e-6);
    }
}
