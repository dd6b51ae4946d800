//! Harmonic prediction: h(t) = Z0 + Σ f·H·cos(V + u − G), V advancing at the
//! constituent's speed.
//!
//! f, u, V and the speeds are recomputed for every UTC day ("chunk"): V and the speeds at
//! the day's start, f and u at its noon. Within a day the phase advances linearly, which
//! is exact to 1e-6° for V; f and u change by under 0.02° and 0.03 % a day, so the curve
//! stays continuous to well under a millimetre across midnight. Long series are summed by
//! rotating each constituent's phasor by a fixed step (one complex multiply per point and
//! constituent, no trigonometry in the inner loop), restarted exactly every day.

use crate::astro::Astro;
use crate::constituents::{lookup, Definition};
use crate::nodal::NodalFactors;
use crate::time::DAY;
use crate::TideError;
use std::collections::HashSet;

/// One constituent of a station: amplitude (metres) and Greenwich phase lag G (degrees,
/// UTC), as harmonic constants are published.
#[derive(Debug, Clone, PartialEq)]
pub struct ConstituentInput {
    pub name: String,
    pub amplitude_m: f64,
    pub phase_deg: f64,
}

/// A station's harmonic constants.
#[derive(Debug, Clone, PartialEq)]
pub struct HarmonicConstants {
    /// Longitude and latitude (degrees, WGS 84), for sunrise and sunset.
    pub lon: f64,
    pub lat: f64,
    /// The datum heights refer to (e.g. "TLT", "LAT", "MSL").
    pub datum: String,
    /// Z0: mean sea level above that datum, metres (0 when the datum is MSL).
    pub msl_above_datum_m: f64,
    pub constituents: Vec<ConstituentInput>,
}

/// A station predicted from harmonic constants.
#[derive(Debug, Clone)]
pub struct HarmonicStation {
    pub(crate) lon: f64,
    pub(crate) lat: f64,
    pub(crate) datum: String,
    z0: f64,
    terms: Vec<Term>,
}

#[derive(Debug, Clone)]
struct Term {
    definition: &'static Definition,
    amplitude: f64,
    phase_lag: f64,
}

/// Every constituent's amplitude f·H (m), phase at the chunk start (radians) and speed
/// (radians per second) for one UTC day.
#[derive(Debug, Clone)]
pub(crate) struct Chunk {
    pub start: i64,
    pub amplitude: Vec<f64>,
    pub phase: Vec<f64>,
    pub speed: Vec<f64>,
}

impl HarmonicStation {
    /// Checks the constants: every name known (else [`TideError::UnknownConstituent`]),
    /// none twice, amplitudes finite and not negative, phases finite.
    pub fn new(constants: HarmonicConstants) -> Result<HarmonicStation, TideError> {
        crate::validate::position(constants.lon, constants.lat)?;
        crate::validate::finite(constants.msl_above_datum_m, "msl_above_datum_m")?;
        if constants.datum.trim().is_empty() {
            return Err(TideError::InvalidStation("the datum has no name".into()));
        }
        if constants.constituents.is_empty() {
            return Err(TideError::InvalidStation("no constituents".into()));
        }
        let mut seen = HashSet::new();
        let mut terms = Vec::with_capacity(constants.constituents.len());
        for c in constants.constituents {
            let definition = lookup(&c.name).ok_or_else(|| TideError::UnknownConstituent {
                name: c.name.clone(),
            })?;
            if !seen.insert(definition.name) {
                return Err(TideError::DuplicateConstituent { name: c.name });
            }
            if !c.amplitude_m.is_finite() || c.amplitude_m < 0.0 {
                return Err(TideError::InvalidConstituent {
                    name: c.name,
                    reason: format!("amplitude {} m is not a non-negative number", c.amplitude_m),
                });
            }
            if !c.phase_deg.is_finite() {
                return Err(TideError::InvalidConstituent {
                    name: c.name,
                    reason: "phase is not a number".into(),
                });
            }
            terms.push(Term {
                definition,
                amplitude: c.amplitude_m,
                phase_lag: c.phase_deg,
            });
        }
        Ok(HarmonicStation {
            lon: constants.lon,
            lat: constants.lat,
            datum: constants.datum,
            z0: constants.msl_above_datum_m,
            terms,
        })
    }

    /// The constituents used, canonical names.
    pub fn constituent_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.terms.iter().map(|t| t.definition.name)
    }

    pub(crate) fn z0(&self) -> f64 {
        self.z0
    }

    /// The parameters of the UTC day holding `instant`.
    pub(crate) fn chunk(&self, instant: i64) -> Chunk {
        let start = instant.div_euclid(DAY) * DAY;
        let at_start = Astro::at(start as f64);
        let factors = NodalFactors::at(&Astro::at((start + DAY / 2) as f64));
        let n = self.terms.len();
        let mut chunk = Chunk {
            start,
            amplitude: Vec::with_capacity(n),
            phase: Vec::with_capacity(n),
            speed: Vec::with_capacity(n),
        };
        for term in &self.terms {
            let (v, speed) = term.definition.argument(&at_start);
            let (f, u) = term.definition.nodal(&factors);
            chunk.amplitude.push(f * term.amplitude);
            chunk
                .phase
                .push((v + u - term.phase_lag).rem_euclid(360.0).to_radians());
            chunk.speed.push(speed.to_radians() / 3600.0);
        }
        chunk
    }

    /// Height above the datum at one instant.
    pub fn height(&self, instant: i64) -> f64 {
        self.chunk(instant).height(instant as f64) + self.z0
    }

    /// Heights at `from`, `from + step`, ... up to `to`, into `out` (cleared first).
    /// Arguments are checked by the caller.
    pub(crate) fn heights_into(&self, from: i64, to: i64, step: i64, out: &mut Vec<f64>) {
        out.clear();
        let mut t = from;
        while t <= to {
            let chunk = self.chunk(t);
            let chunk_end = (chunk.start + DAY).min(to + 1);
            let count = ((chunk_end - 1 - t) / step + 1) as usize;
            let mut phasors = Phasors::new(&chunk, t);
            let rotation = phasors.step(step as f64);
            for _ in 0..count {
                out.push(self.z0 + phasors.height_then_advance(&rotation));
            }
            t += count as i64 * step;
        }
    }
}

impl Chunk {
    /// Tide (without Z0) at a fractional instant.
    pub fn height(&self, t: f64) -> f64 {
        let dt = t - self.start as f64;
        (0..self.amplitude.len())
            .map(|i| self.amplitude[i] * (self.phase[i] + self.speed[i] * dt).cos())
            .sum()
    }
}

/// Lanes summed side by side: the sum over constituents is split into this many partial
/// sums so the compiler can vectorise it.
const LANES: usize = 4;

/// Every constituent's phasor f·H·e^{iφ} at one instant, in lanes, with its speed.
#[derive(Debug, Clone)]
pub(crate) struct Phasors {
    re: Vec<[f64; LANES]>,
    im: Vec<[f64; LANES]>,
    /// ω, radians per second.
    speed: Vec<[f64; LANES]>,
}

/// The rotation e^{iωΔ} of every constituent over a fixed time step Δ.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    re: Vec<[f64; LANES]>,
    im: Vec<[f64; LANES]>,
}

impl Step {
    /// The rotation over n·Δ (n ≥ 1), by repeated multiplication: no trigonometry.
    pub fn power(&self, n: i64) -> Step {
        let mut result = self.clone();
        for _ in 1..n {
            for g in 0..result.re.len() {
                for l in 0..LANES {
                    let (re, im) = (result.re[g][l], result.im[g][l]);
                    let (sr, si) = (self.re[g][l], self.im[g][l]);
                    result.re[g][l] = re * sr - im * si;
                    result.im[g][l] = re * si + im * sr;
                }
            }
        }
        result
    }

    /// The rotation over −Δ.
    pub fn backwards(&self) -> Step {
        Step {
            re: self.re.clone(),
            im: self.im.iter().map(|im| im.map(|x| -x)).collect(),
        }
    }
}

impl Phasors {
    /// The phasors of a chunk's constituents at `t` (in or near the chunk's day).
    pub fn new(chunk: &Chunk, t: i64) -> Phasors {
        let groups = chunk.amplitude.len().div_ceil(LANES);
        let mut phasors = Phasors {
            re: vec![[0.0; LANES]; groups],
            im: vec![[0.0; LANES]; groups],
            speed: vec![[0.0; LANES]; groups],
        };
        let dt = (t - chunk.start) as f64;
        for i in 0..chunk.amplitude.len() {
            let (g, l) = (i / LANES, i % LANES);
            let (sin, cos) = (chunk.phase[i] + chunk.speed[i] * dt).sin_cos();
            phasors.re[g][l] = chunk.amplitude[i] * cos;
            phasors.im[g][l] = chunk.amplitude[i] * sin;
            phasors.speed[g][l] = chunk.speed[i];
        }
        phasors
    }

    /// The rotation of these constituents over `seconds`.
    pub fn step(&self, seconds: f64) -> Step {
        let mut step = Step {
            re: vec![[1.0; LANES]; self.speed.len()],
            im: vec![[0.0; LANES]; self.speed.len()],
        };
        for (g, speeds) in self.speed.iter().enumerate() {
            for (l, speed) in speeds.iter().enumerate() {
                let (sin, cos) = (speed * seconds).sin_cos();
                step.re[g][l] = cos;
                step.im[g][l] = sin;
            }
        }
        step
    }

    /// The tide (without Z0) now, then the phasors one step on.
    pub fn height_then_advance(&mut self, step: &Step) -> f64 {
        let mut sum = [0.0; LANES];
        for g in 0..self.re.len() {
            let (re, im) = (self.re[g], self.im[g]);
            let (sr, si) = (step.re[g], step.im[g]);
            for l in 0..LANES {
                sum[l] += re[l];
                self.re[g][l] = re[l] * sr[l] - im[l] * si[l];
                self.im[g][l] = re[l] * si[l] + im[l] * sr[l];
            }
        }
        sum.iter().sum()
    }

    /// The slope h' (m/s) now.
    pub fn slope(&self) -> f64 {
        let mut sum = [0.0; LANES];
        for (speed, im) in self.speed.iter().zip(&self.im) {
            for (l, lane) in sum.iter_mut().enumerate() {
                *lane -= speed[l] * im[l];
            }
        }
        sum.iter().sum()
    }

    /// The phasors one step on.
    pub fn advance(&mut self, step: &Step) {
        for g in 0..self.re.len() {
            let (re, im) = (self.re[g], self.im[g]);
            let (sr, si) = (step.re[g], step.im[g]);
            for l in 0..LANES {
                self.re[g][l] = re[l] * sr[l] - im[l] * si[l];
                self.im[g][l] = re[l] * si[l] + im[l] * sr[l];
            }
        }
    }

    /// Tide (without Z0), slope and curvature `dt` seconds from now, for |ω·dt| up to
    /// ~0.1 rad (a few minutes): the rotation comes from its Taylor series, exact to 1e-11
    /// there, so refining an extreme needs no trigonometry.
    pub fn near(&self, dt: f64) -> (f64, f64, f64) {
        let mut height = [0.0; LANES];
        let mut slope = [0.0; LANES];
        let mut curvature = [0.0; LANES];
        for g in 0..self.re.len() {
            let (re, im, w) = (self.re[g], self.im[g], self.speed[g]);
            for l in 0..LANES {
                let x = w[l] * dt;
                let x2 = x * x;
                let cos = 1.0 - x2 / 2.0 * (1.0 - x2 / 12.0 * (1.0 - x2 / 30.0));
                let sin = x * (1.0 - x2 / 6.0 * (1.0 - x2 / 20.0 * (1.0 - x2 / 42.0)));
                let (r, i) = (re[l] * cos - im[l] * sin, re[l] * sin + im[l] * cos);
                height[l] += r;
                slope[l] -= w[l] * i;
                curvature[l] -= w[l] * w[l] * r;
            }
        }
        (
            height.iter().sum(),
            slope.iter().sum(),
            curvature.iter().sum(),
        )
    }
}
