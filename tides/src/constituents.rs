//! The constituents the engine knows: NOAA's 37 and the further ones TICON-4 uses, each
//! with its equilibrium argument V = a·T + b·s + c·h + d·p + e·p1 + k·90° and its nodal
//! correction as a product of fundamentals. Names are TICON-4's (as in the importer's
//! `KNOWN_CONSTITUENTS`), with the aliases other sources use.
//!
//! V follows Schureman (NOAA) and, where TICON-4 or the IHO list differ from him, the
//! reading that fits the data (see the crate documentation, "Conventions").

use crate::astro::Astro;
use crate::nodal::Fundamental::{self as F, J1, K1, K2, L2, M1, M2, O1, OO1};
use crate::nodal::{Fundamental, NodalFactors};

/// One constituent's definition.
#[derive(Debug)]
pub(crate) struct Definition {
    pub name: &'static str,
    /// Coefficients of T, s, h, p, p1 in V.
    pub v: [i8; 5],
    /// Constant part of V, in quarter turns (90°).
    pub quarter_turns: i8,
    /// f = Π f_k^|n|, u = Σ n·u_k over these fundamentals; empty for purely solar ones.
    pub nodal: &'static [(Fundamental, f64)],
}

const fn def(
    name: &'static str,
    v: [i8; 5],
    quarter_turns: i8,
    nodal: &'static [(Fundamental, f64)],
) -> Definition {
    Definition {
        name,
        v,
        quarter_turns,
        nodal,
    }
}

/// Every constituent, by species. V coefficients: [T, s, h, p, p1].
pub(crate) const DEFINITIONS: [Definition; 53] = [
    // Long period.
    def("SA", [0, 0, 1, 0, 0], 0, &[]),
    def("SSA", [0, 0, 2, 0, 0], 0, &[]),
    def("MM", [0, 1, 0, -1, 0], 0, &[(F::Mm, 1.0)]),
    def("MSF", [0, 2, -2, 0, 0], 0, &[(M2, -1.0)]),
    def("MF", [0, 2, 0, 0, 0], 0, &[(F::Mf, 1.0)]),
    def("MTM", [0, 3, 0, -1, 0], 0, &[(F::Mm, 1.0)]),
    def("MSQM", [0, 4, -2, 0, 0], 0, &[(M2, -1.0)]),
    // Diurnal.
    def("2Q1", [1, -4, 1, 2, 0], 1, &[(O1, 1.0)]),
    def("SGM", [1, -4, 3, 0, 0], 1, &[(O1, 1.0)]),
    def("Q1", [1, -3, 1, 1, 0], 1, &[(O1, 1.0)]),
    def("RHO1", [1, -3, 3, -1, 0], 1, &[(O1, 1.0)]),
    def("O1", [1, -2, 1, 0, 0], 1, &[(O1, 1.0)]),
    def("M1", [1, -1, 1, 1, 0], -1, &[(M1, 1.0)]),
    def("P1", [1, 0, -1, 0, 0], 1, &[]),
    def("S1", [1, 0, 0, 0, 0], 0, &[]),
    def("K1", [1, 0, 1, 0, 0], -1, &[(K1, 1.0)]),
    def("J1", [1, 1, 1, -1, 0], -1, &[(J1, 1.0)]),
    def("OO1", [1, 2, 1, 0, 0], -1, &[(OO1, 1.0)]),
    // Semidiurnal.
    def("EP2", [2, -5, 4, 1, 0], 0, &[(M2, 1.0)]),
    def("2N2", [2, -4, 2, 2, 0], 0, &[(M2, 1.0)]),
    def("MU2", [2, -4, 4, 0, 0], 0, &[(M2, 1.0)]),
    def("N2", [2, -3, 2, 1, 0], 0, &[(M2, 1.0)]),
    def("NU2", [2, -3, 4, -1, 0], 0, &[(M2, 1.0)]),
    // TICON-4's MKS2 (Doodson 245.555 in its manual), not the IHO's M2+K2−S2.
    def("MKS2", [2, -3, 2, 0, 0], 0, &[(M2, 1.0), (K2, 1.0)]),
    // M2's annual side lines: M2's nodal correction.
    def("MA2", [2, -2, 1, 0, 0], 0, &[(M2, 1.0)]),
    def("M2", [2, -2, 2, 0, 0], 0, &[(M2, 1.0)]),
    def("MB2", [2, -2, 3, 0, 0], 0, &[(M2, 1.0)]),
    // TICON-4's 3N2 (Doodson 257.555), the IHO's MKS2 = M2 + K2 − S2.
    def("3N2", [2, -2, 4, 0, 0], 0, &[(M2, 1.0), (K2, 1.0)]),
    def("LAMBDA2", [2, -1, 0, 1, 0], 2, &[(M2, 1.0)]),
    def("L2", [2, -1, 2, -1, 0], 2, &[(L2, 1.0)]),
    // TICON-4's 3L2 (Doodson 265.555).
    def("3L2", [2, -1, 2, 0, 0], 0, &[(L2, 1.0)]),
    def("T2", [2, 0, -1, 0, 1], 0, &[]),
    def("S2", [2, 0, 0, 0, 0], 0, &[]),
    def("R2", [2, 0, 1, 0, -1], 2, &[]),
    def("K2", [2, 0, 2, 0, 0], 0, &[(K2, 1.0)]),
    def("2SM2", [2, 2, -2, 0, 0], 0, &[(M2, -1.0)]),
    // Terdiurnal.
    def("2MK3", [3, -4, 3, 0, 0], 1, &[(M2, 2.0), (K1, -1.0)]),
    def("M3", [3, -3, 3, 0, 0], 2, &[(M2, 1.5)]),
    def("MK3", [3, -2, 3, 0, 0], -1, &[(M2, 1.0), (K1, 1.0)]),
    def("T3", [3, 0, -1, 0, 0], 0, &[]),
    def("S3", [3, 0, 0, 0, 0], 2, &[]),
    // TICON-4's R3 (Doodson 383.555), read as the IHO's SK3 = S2 + K1.
    def("R3", [3, 0, 1, 0, 0], -1, &[(K1, 1.0)]),
    // Quarter-diurnal and higher.
    def("N4", [4, -6, 4, 2, 0], 0, &[(M2, 2.0)]),
    def("MN4", [4, -5, 4, 1, 0], 0, &[(M2, 2.0)]),
    def("M4", [4, -4, 4, 0, 0], 0, &[(M2, 2.0)]),
    def("MS4", [4, -2, 2, 0, 0], 0, &[(M2, 1.0)]),
    def("S4", [4, 0, 0, 0, 0], 0, &[]),
    def("2MO5", [5, -6, 5, 0, 0], 1, &[(M2, 2.0), (O1, 1.0)]),
    def("2MK5", [5, -4, 5, 0, 0], -1, &[(M2, 2.0), (K1, 1.0)]),
    def("M6", [6, -6, 6, 0, 0], 0, &[(M2, 3.0)]),
    def("2MS6", [6, -4, 4, 0, 0], 0, &[(M2, 2.0)]),
    def("S6", [6, 0, 0, 0, 0], 0, &[]),
    def("M8", [8, -8, 8, 0, 0], 0, &[(M2, 4.0)]),
];

/// Other spellings of the same constituents (NOAA's, UTide's, Greek names).
const ALIASES: [(&str, &str); 8] = [
    ("LAM2", "LAMBDA2"),
    ("LDA2", "LAMBDA2"),
    ("RHO", "RHO1"),
    ("SIG1", "SGM"),
    ("SIGMA1", "SGM"),
    ("EPS2", "EP2"),
    ("MSQ", "MSQM"),
    ("SK3", "R3"),
];

/// The definition for a constituent name, ignoring case and accepting aliases.
pub(crate) fn lookup(name: &str) -> Option<&'static Definition> {
    let upper = name.trim().to_ascii_uppercase();
    let canonical = ALIASES
        .iter()
        .find(|(alias, _)| *alias == upper)
        .map_or(upper.as_str(), |(_, to)| to);
    DEFINITIONS.iter().find(|d| d.name == canonical)
}

/// The names the engine knows, canonical spelling.
pub fn known_constituents() -> impl Iterator<Item = &'static str> {
    DEFINITIONS.iter().map(|d| d.name)
}

impl Definition {
    /// V (degrees, not reduced) and the speed (degrees per hour) at an instant.
    pub fn argument(&self, a: &Astro) -> (f64, f64) {
        let terms = [a.hour_angle, a.s, a.h, a.p, a.p1];
        self.v.iter().zip(terms).fold(
            (90.0 * f64::from(self.quarter_turns), 0.0),
            |(v, speed), (&k, term)| {
                let k = f64::from(k);
                (v + k * term.degrees, speed + k * term.per_hour)
            },
        )
    }

    /// f and u (degrees) at an instant.
    pub fn nodal(&self, factors: &NodalFactors) -> (f64, f64) {
        factors.of(self.nodal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Speeds (°/hour) from NOAA's list and the IHO list for constituents that have one.
    const SPEEDS: [(&str, f64); 20] = [
        ("M2", 28.984_104_2),
        ("S2", 30.0),
        ("N2", 28.439_729_5),
        ("K1", 15.041_068_6),
        ("O1", 13.943_035_6),
        ("M1", 14.496_693_9),
        ("J1", 15.585_443_3),
        ("OO1", 16.139_101_7),
        ("L2", 29.528_478_9),
        ("LAMBDA2", 29.455_625_3),
        ("2MK3", 42.927_139_8),
        ("MK3", 44.025_172_9),
        ("MSF", 1.015_895_8),
        ("MF", 1.098_033_1),
        ("MM", 0.544_374_7),
        ("SA", 0.041_068_6),
        ("R2", 30.041_066_7),
        ("T2", 29.958_933_3),
        ("EP2", 27.423_833_8),
        ("2MO5", 71.911_244),
    ];

    #[test]
    fn speeds_match_published_values() {
        let a = Astro::at(1_795_000_000.0);
        for (name, speed) in SPEEDS {
            let (_, computed) = lookup(name).unwrap().argument(&a);
            assert!(
                (computed - speed).abs() < 2e-6,
                "{name}: {computed} vs {speed}"
            );
        }
    }

    #[test]
    fn knows_every_importer_constituent_and_aliases() {
        // importers/src/tides.rs KNOWN_CONSTITUENTS.
        let importer = "M2 S2 N2 K1 M4 O1 M6 MK3 S4 MN4 NU2 S6 MU2 2N2 OO1 LAMBDA2 S1 M1 J1 MM \
            SSA SA MSF MF RHO1 Q1 T2 R2 2Q1 P1 2SM2 M3 L2 2MK3 K2 M8 MS4 MSQM EP2 MTM MKS2 N4 \
            S3 MA2 MB2 T3 R3 SGM 3L2 3N2 2MS6 2MK5 2MO5";
        for name in importer.split_whitespace() {
            assert_eq!(lookup(name).map(|d| d.name), Some(name));
        }
        assert_eq!(lookup("lam2").unwrap().name, "LAMBDA2");
        assert_eq!(lookup("Sig1").unwrap().name, "SGM");
        assert!(lookup("X9").is_none());
        assert_eq!(known_constituents().count(), 53);
    }
}
