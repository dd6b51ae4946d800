//! Coastline gaps (stretches no working sensor sees) and the coverage summary, both derived
//! from the covered intervals of every coastline segment.

use geo::{Coord, MultiLineString};

use crate::coast::SegmentHit;
use crate::intervals::{self, Intervals};
use crate::model::CoverageModel;
use crate::sensor::SensorType;

/// Uncovered pieces shorter than this (segment parameter) are numerical dust, not gaps.
const MIN_PIECE: f64 = 1e-9;

/// Names of a town, for attributing coast and gaps.
#[derive(Debug, Clone, PartialEq)]
pub struct TownName {
    pub name_zh: String,
    pub name_en: String,
}

/// A stretch of coastline no working sensor sees.
#[derive(Debug, Clone, PartialEq)]
pub struct CoastGap {
    /// 1 for the longest gap.
    pub rank: usize,
    /// The stretch in lon/lat (one line; a gap never spans two coastline parts).
    pub line: MultiLineString<f64>,
    pub length_m: f64,
    /// Town nearest to the middle of the gap.
    pub town: Option<TownName>,
    pub(crate) stretch: Vec<SegmentHit>,
}

/// Coverage of the coast of one town (coast is assigned to the nearest town).
#[derive(Debug, Clone, PartialEq)]
pub struct TownCoverage {
    pub town: TownName,
    pub coastline_m: f64,
    pub covered_m: f64,
    pub percent_covered: f64,
}

/// Coastline covered by the working sensors of one type alone.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeCoverage {
    pub sensor_type: SensorType,
    pub working_sensors: usize,
    pub covered_m: f64,
    pub percent_covered: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub coastline_m: f64,
    pub covered_m: f64,
    pub percent_covered: f64,
    /// Gaps at least the minimum gap length long, and their total length.
    pub gap_count: usize,
    pub gap_length_m: f64,
    pub by_town: Vec<TownCoverage>,
    pub by_type: Vec<TypeCoverage>,
}

fn percent(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        100.0 * part / whole
    } else {
        0.0
    }
}

pub(crate) fn town_name(model: &CoverageModel, town: Option<usize>) -> Option<TownName> {
    town.map(|i| TownName {
        name_zh: model.towns[i].name_zh.clone(),
        name_en: model.towns[i].name_en.clone(),
    })
}

/// Gaps at least `min_length_m` long, longest first.
pub(crate) fn coast_gaps(
    model: &CoverageModel,
    covered: &[Intervals],
    min_length_m: f64,
) -> Vec<CoastGap> {
    let segments = &model.coast.segments;
    let mut stretches: Vec<Vec<SegmentHit>> = Vec::new();
    for part in &model.coast.parts {
        let first_gap = stretches.len();
        for (i, cov) in covered.iter().enumerate().take(part.end).skip(part.first) {
            for (t0, t1) in intervals::complement(cov) {
                if t1 - t0 < MIN_PIECE {
                    continue;
                }
                let hit = SegmentHit {
                    segment: i as u32,
                    t0,
                    t1,
                };
                // A gap reaching the end of the previous segment goes on into this one.
                let continues = t0 == 0.0
                    && stretches.len() > first_gap
                    && stretches
                        .last()
                        .and_then(|s| s.last())
                        .is_some_and(|l| l.segment as usize + 1 == i && l.t1 == 1.0);
                if continues {
                    stretches.last_mut().expect("open gap").push(hit);
                } else {
                    stretches.push(vec![hit]);
                }
            }
        }
        // On a closed line a gap through the start point is one gap, not two.
        let n = stretches.len() - first_gap;
        if part.closed && n >= 2 {
            let starts_at_start = stretches[first_gap][0].segment as usize == part.first
                && stretches[first_gap][0].t0 == 0.0;
            let last = stretches.last().and_then(|s| s.last()).expect("gap");
            let ends_at_end = last.segment as usize == part.end - 1 && last.t1 == 1.0;
            if starts_at_start && ends_at_end {
                let head = stretches.remove(first_gap);
                stretches.last_mut().expect("gap").extend(head);
            }
        }
    }

    let mut gaps: Vec<CoastGap> = stretches
        .into_iter()
        .map(|stretch| {
            let length_m: f64 = stretch
                .iter()
                .map(|h| (h.t1 - h.t0) * segments[h.segment as usize].length_m)
                .sum();
            let mut points: Vec<Coord<f64>> = Vec::with_capacity(stretch.len() + 1);
            for h in &stretch {
                let s = &segments[h.segment as usize];
                for p in [s.at(h.t0), s.at(h.t1)] {
                    if points.last() != Some(&p) {
                        points.push(p);
                    }
                }
            }
            let middle = point_at_half_length(model, &stretch, length_m);
            CoastGap {
                rank: 0,
                line: MultiLineString::new(vec![model.to_lonlat_line(&points)]),
                length_m,
                town: town_name(model, model.nearest_town(middle)),
                stretch,
            }
        })
        .filter(|g| g.length_m >= min_length_m)
        .collect();
    gaps.sort_by(|a, b| b.length_m.total_cmp(&a.length_m));
    for (i, g) in gaps.iter_mut().enumerate() {
        g.rank = i + 1;
    }
    gaps
}

fn point_at_half_length(
    model: &CoverageModel,
    stretch: &[SegmentHit],
    length_m: f64,
) -> Coord<f64> {
    let mut left = length_m / 2.0;
    for h in stretch {
        let s = &model.coast.segments[h.segment as usize];
        let piece = (h.t1 - h.t0) * s.length_m;
        if piece >= left && piece > 0.0 {
            return s.at(h.t0 + (h.t1 - h.t0) * left / piece);
        }
        left -= piece;
    }
    let last = stretch.last().expect("gap has a piece");
    model.coast.segments[last.segment as usize].at(last.t1)
}

/// Covered length per segment, summed in segment order (so equal inputs give equal bits).
pub(crate) fn covered_length(model: &CoverageModel, covered: &[Intervals]) -> f64 {
    covered
        .iter()
        .zip(&model.coast.segments)
        .map(|(c, s)| intervals::measure(c) * s.length_m)
        .sum()
}

pub(crate) struct SummaryInputs<'a> {
    pub covered: &'a [Intervals],
    pub covered_by_type: &'a [Vec<Intervals>; 2],
    pub working_by_type: [usize; 2],
    pub gaps: &'a [CoastGap],
}

pub(crate) fn summary(model: &CoverageModel, inputs: SummaryInputs<'_>) -> Summary {
    let coastline_m = model.coast.length_m();
    let covered_m = covered_length(model, inputs.covered);
    let mut towns = vec![(0.0, 0.0); model.towns.len()];
    for (s, c) in model.coast.segments.iter().zip(inputs.covered) {
        if let Some(t) = s.town {
            towns[t].0 += s.length_m;
            towns[t].1 += intervals::measure(c) * s.length_m;
        }
    }
    let by_town = towns
        .into_iter()
        .enumerate()
        .map(|(i, (coast, cov))| TownCoverage {
            town: town_name(model, Some(i)).expect("town index"),
            coastline_m: coast,
            covered_m: cov,
            percent_covered: percent(cov, coast),
        })
        .collect();
    let by_type = SensorType::ALL
        .iter()
        .map(|&t| {
            let cov = covered_length(model, &inputs.covered_by_type[t.index()]);
            TypeCoverage {
                sensor_type: t,
                working_sensors: inputs.working_by_type[t.index()],
                covered_m: cov,
                percent_covered: percent(cov, coastline_m),
            }
        })
        .collect();
    Summary {
        coastline_m,
        covered_m,
        percent_covered: percent(covered_m, coastline_m),
        gap_count: inputs.gaps.len(),
        gap_length_m: inputs.gaps.iter().map(|g| g.length_m).sum(),
        by_town,
        by_type,
    }
}
