//! Nodal corrections f (amplitude factor) and u (phase, degrees) of the fundamental
//! constituents, with Schureman's formulas (Manual, eqs. 73–78, 149, 197, 206, 213–215,
//! 227, 235). Every other constituent's f and u are products and sums of these
//! (see `constituents.rs`).

use crate::astro::Astro;

/// A constituent whose nodal correction has its own formula.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fundamental {
    Mm,
    Mf,
    O1,
    J1,
    OO1,
    M2,
    K1,
    K2,
    L2,
    M1,
}

/// Mean values of the node-dependent terms over a nodal cycle, which the f formulas divide
/// by; Schureman's tabulated denominators (0.5021, 0.1578, ...) are these for ω = 23.452°.
struct Means {
    mm: f64,
    mf: f64,
    o1: f64,
    j1: f64,
    oo1: f64,
    m2: f64,
    k1: f64,
    k2: f64,
}

impl Means {
    fn new() -> Means {
        // Obliquity and lunar inclination of Schureman's epoch: the means are constants.
        let omega = 23.452_f64.to_radians();
        let i = 5.145_f64.to_radians();
        let (so, si) = (omega.sin(), i.sin());
        let cos_half_i4 = (0.5 * i).cos().powi(4);
        Means {
            mm: (2.0 / 3.0 - so * so) * (1.0 - 1.5 * si * si),
            mf: so * so * cos_half_i4,
            o1: so * (0.5 * omega).cos().powi(2) * cos_half_i4,
            j1: (2.0 * omega).sin() * (1.0 - 1.5 * si * si),
            oo1: so * (0.5 * omega).sin().powi(2) * cos_half_i4,
            m2: (0.5 * omega).cos().powi(4) * cos_half_i4,
            k1: 0.5023 * (2.0 * omega).sin() * (1.0 - 1.5 * si * si) + 0.1681,
            k2: 0.5023 * so * so * (1.0 - 1.5 * si * si) + 0.0365,
        }
    }
}

/// f and u of every fundamental at one instant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NodalFactors {
    f: [f64; 10],
    u: [f64; 10],
}

impl NodalFactors {
    pub fn at(a: &Astro) -> NodalFactors {
        let means = Means::new();
        let big_i = a.i.to_radians();
        let (sin_i, cos_i) = big_i.sin_cos();
        let nu = a.nu.to_radians();
        // P = p − ξ: the lunar perigee measured from the intersection of the Moon's orbit
        // with the equator.
        let p = (a.p.degrees - a.xi).to_radians();
        let half = 0.5 * big_i;
        let f_o1 = sin_i * half.cos().powi(2) / means.o1;
        let f_m2 = half.cos().powi(4) / means.m2;
        let u_m2 = 2.0 * a.xi - 2.0 * a.nu;
        // L2 (eqs. 213–215): R from the elliptic term.
        let tan_half2 = half.tan().powi(2);
        let r = (2.0 * p)
            .sin()
            .atan2(1.0 / (6.0 * tan_half2) - (2.0 * p).cos())
            .to_degrees();
        let f_l2 =
            f_m2 * (1.0 - 12.0 * tan_half2 * (2.0 * p).cos() + 36.0 * tan_half2 * tan_half2).sqrt();
        // M1 (eqs. 196, 197, 206): Q follows P's quadrant, as Q is the argument of
        // 0.5·e^{iP}·(...) and not a principal arctangent.
        let q = ((5.0 * cos_i - 1.0) * p.sin())
            .atan2((7.0 * cos_i + 1.0) * p.cos())
            .to_degrees();
        let b = 1.5 * cos_i / half.cos().powi(2);
        let f_m1 = f_o1 * (0.25 + b * (2.0 * p).cos() + b * b).sqrt();
        let sin_2i = (2.0 * big_i).sin();
        let f_k1 =
            (0.2523 * sin_2i * sin_2i + 0.1689 * sin_2i * nu.cos() + 0.0283).sqrt() / means.k1;
        let f_k2 = (0.2523 * sin_i.powi(4) + 0.0367 * sin_i * sin_i * (2.0 * nu).cos() + 0.0013)
            .sqrt()
            / means.k2;
        let mut f = [0.0; 10];
        let mut u = [0.0; 10];
        let mut set = |k: Fundamental, fk: f64, uk: f64| {
            f[k as usize] = fk;
            u[k as usize] = uk;
        };
        set(Fundamental::Mm, (2.0 / 3.0 - sin_i * sin_i) / means.mm, 0.0);
        set(Fundamental::Mf, sin_i * sin_i / means.mf, -2.0 * a.xi);
        set(Fundamental::O1, f_o1, 2.0 * a.xi - a.nu);
        set(Fundamental::J1, sin_2i / means.j1, -a.nu);
        set(
            Fundamental::OO1,
            sin_i * half.sin().powi(2) / means.oo1,
            -2.0 * a.xi - a.nu,
        );
        set(Fundamental::M2, f_m2, u_m2);
        set(Fundamental::K1, f_k1, -a.nu_prime);
        set(Fundamental::K2, f_k2, -a.two_nu_second);
        set(Fundamental::L2, f_l2, u_m2 - r);
        set(Fundamental::M1, f_m1, a.xi - a.nu + q);
        NodalFactors { f, u }
    }

    /// f and u (degrees) of a constituent made of fundamentals: f = Π f_k^|n_k|,
    /// u = Σ n_k·u_k.
    pub fn of(&self, members: &[(Fundamental, f64)]) -> (f64, f64) {
        members.iter().fold((1.0, 0.0), |(f, u), &(k, n)| {
            (
                f * self.f[k as usize].powf(n.abs()),
                u + n * self.u[k as usize],
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factors_stay_within_schureman_table_ranges() {
        // Over a whole nodal cycle (18.6 years), sampled every ~19 days.
        for k in 0..360 {
            let a = Astro::at(1_000_000_000.0 + f64::from(k) * 1.63e6);
            let n = NodalFactors::at(&a);
            let (f_m2, u_m2) = n.of(&[(Fundamental::M2, 1.0)]);
            assert!((0.962..=1.039).contains(&f_m2), "f(M2) = {f_m2}");
            assert!(u_m2.abs() < 2.3, "u(M2) = {u_m2}");
            let (f_k1, _) = n.of(&[(Fundamental::K1, 1.0)]);
            assert!((0.88..=1.12).contains(&f_k1), "f(K1) = {f_k1}");
            let (f_o1, _) = n.of(&[(Fundamental::O1, 1.0)]);
            assert!((0.80..=1.19).contains(&f_o1), "f(O1) = {f_o1}");
            let (f_k2, _) = n.of(&[(Fundamental::K2, 1.0)]);
            assert!((0.74..=1.32).contains(&f_k2), "f(K2) = {f_k2}");
        }
    }
}
