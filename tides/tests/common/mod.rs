//! Kanmen's constants and the Neaps reference, read from tests/data/kanmen_neaps.csv
//! (written by reference/make_reference.mjs).

use tidewatch_tides::{ConstituentInput, Extreme, ExtremeKind, HarmonicConstants, HarmonicStation};

#[allow(dead_code)] // Each test binary uses some of the fields.
pub struct Reference {
    /// Kanmen with the constituents Neaps and this crate define alike.
    pub constants: HarmonicConstants,
    /// All 50 of Kanmen's TICON-4 constituents.
    pub all_constituents: Vec<ConstituentInput>,
    pub heights: Vec<(i64, f64)>,
    pub extremes: Vec<(f64, f64, ExtremeKind)>,
}

pub fn reference() -> Reference {
    let text = include_str!("../data/kanmen_neaps.csv");
    let mut constants = HarmonicConstants {
        lon: 121.282,
        lat: 28.088,
        datum: String::new(),
        msl_above_datum_m: 0.0,
        constituents: Vec::new(),
    };
    let mut heights = Vec::new();
    let mut extremes = Vec::new();
    let mut all = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split(',').collect();
        let number = |i: usize| fields[i].parse::<f64>().unwrap();
        match fields[0] {
            "# station" => {
                constants.datum = fields[3].to_owned();
                constants.msl_above_datum_m = number(5);
            }
            "constituent" => {
                let input = ConstituentInput {
                    name: fields[1].to_owned(),
                    amplitude_m: number(2),
                    phase_deg: number(3),
                };
                if fields[4] == "compared" {
                    constants.constituents.push(input.clone());
                }
                all.push(input);
            }
            "height" => heights.push((number(1) as i64, number(2))),
            "high" => extremes.push((number(1), number(2), ExtremeKind::High)),
            "low" => extremes.push((number(1), number(2), ExtremeKind::Low)),
            _ => {}
        }
    }
    Reference {
        constants,
        all_constituents: all,
        heights,
        extremes,
    }
}

/// Kanmen with all 50 of its TICON-4 constituents.
#[allow(dead_code)] // Used by some of the test binaries only.
pub fn kanmen_full() -> HarmonicStation {
    let r = reference();
    HarmonicStation::new(HarmonicConstants {
        constituents: r.all_constituents,
        ..r.constants
    })
    .unwrap()
}

#[allow(dead_code)] // Used by some of the test binaries only.
pub fn high_waters(extremes: &[Extreme]) -> Vec<Extreme> {
    extremes
        .iter()
        .copied()
        .filter(|e| e.kind == ExtremeKind::High)
        .collect()
}
