//! What-if: the coverage after adding, moving or failing sensors, against a baseline, without
//! changing anything stored. Incremental: only the changed sensors' views are computed and
//! only the coastline segments they touch are re-merged; everything else is the baseline's.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::baseline::{
    compute_views, working_by_type, BandCoverage, BandState, Baseline, CoastCoverage, SensorView,
    SensorVisibility, SlotHit,
};
use crate::error::CoverageError;
use crate::gaps::{self, CoastGap, Summary, SummaryInputs};
use crate::intervals;
use crate::model::CoverageModel;
use crate::sensor::{Sensor, SensorKind, Status};
use crate::visibility::Visibility;

/// Most changes one what-if takes; larger requests are refused before any work is done.
pub const MAX_CHANGES: usize = 10_000;

/// Gap lengths within this many metres are equal (float noise of re-merged intervals).
const LENGTH_TOLERANCE_M: f64 = 1e-6;

/// One change to the baseline's sensors.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A new sensor (its id must be new).
    Add(Sensor),
    /// Move a sensor to a new position and, for a camera, optionally a new bearing (radars
    /// have none, so `bearing_deg` is ignored for them).
    Move {
        id: String,
        lon: f64,
        lat: f64,
        bearing_deg: Option<f64>,
    },
    /// Mark a sensor failed.
    Fail { id: String },
}

/// A baseline gap that got shorter.
#[derive(Debug, Clone, PartialEq)]
pub struct GapChange {
    pub baseline_rank: usize,
    pub before_m: f64,
    pub after_m: f64,
}

/// The coverage after the changes and how it differs from the baseline.
#[derive(Debug, Clone)]
pub struct WhatIf {
    pub summary: Summary,
    /// Gaps after the changes (at least the baseline's minimum length), longest first.
    pub gaps: Vec<CoastGap>,
    /// Coast seen now but not in the baseline, and the reverse, metres.
    pub newly_covered_m: f64,
    pub newly_lost_m: f64,
    /// Ranks of baseline gaps now fully covered.
    pub closed_gaps: Vec<usize>,
    /// Baseline gaps now partly covered.
    pub shrunk_gaps: Vec<GapChange>,
    /// Ranks (in `gaps`) of gaps that contain coast the baseline covered: new or grown gaps.
    pub new_gaps: Vec<usize>,
    /// Visible areas of the added and moved sensors that count.
    pub changed_visibility: Vec<SensorVisibility>,
    removed_slots: Vec<usize>,
    added: Vec<(Sensor, SensorView)>,
}

impl CoverageModel {
    /// Coverage of `baseline`'s sensors with `changes` applied in order. At most
    /// [`MAX_CHANGES`] changes.
    pub fn what_if(
        &self,
        baseline: &Baseline,
        changes: &[Change],
    ) -> Result<WhatIf, CoverageError> {
        if changes.len() > MAX_CHANGES {
            return Err(CoverageError::TooManyChanges {
                count: changes.len(),
                limit: MAX_CHANGES,
            });
        }
        baseline.check_model(self)?;
        let (overrides, added) = apply(baseline, changes)?;

        let removed_slots: Vec<usize> = overrides
            .keys()
            .copied()
            .filter(|&slot| baseline.views[slot].is_some())
            .collect();
        let new_sensors: Vec<Sensor> = overrides.into_values().chain(added).collect();
        let new_views = compute_views(self, &new_sensors, &baseline.params);
        let added: Vec<(Sensor, SensorView)> = new_sensors
            .into_iter()
            .zip(new_views)
            .filter_map(|(s, v)| v.map(|v| (s, v)))
            .collect();

        // Re-merge only the segments a removed or added view touches.
        let removed: BTreeSet<u32> = removed_slots.iter().map(|&s| s as u32).collect();
        let mut touched: BTreeMap<u32, Vec<SlotHit>> = BTreeMap::new();
        for &slot in &removed_slots {
            for h in &baseline.views[slot].as_ref().expect("removed view").hits {
                touched.entry(h.segment).or_default();
            }
        }
        for (i, (sensor, view)) in added.iter().enumerate() {
            for h in &view.hits {
                touched.entry(h.segment).or_default().push(SlotHit {
                    slot: (baseline.sensors.len() + i) as u32,
                    sensor_type: sensor.sensor_type(),
                    t0: h.t0,
                    t1: h.t1,
                });
            }
        }
        let old = &baseline.coverage;
        let mut coverage: CoastCoverage = old.clone();
        let (mut newly_covered_m, mut newly_lost_m) = (0.0, 0.0);
        for (&segment, new_hits) in &touched {
            let i = segment as usize;
            let hits: Vec<SlotHit> = baseline.segment_hits[i]
                .iter()
                .filter(|h| !removed.contains(&h.slot))
                .chain(new_hits)
                .copied()
                .collect();
            coverage.set_segment(i, &hits);
            let length = self.coast.segments[i].length_m;
            newly_covered_m +=
                intervals::difference_measure(&coverage.covered[i], &old.covered[i]) * length;
            newly_lost_m +=
                intervals::difference_measure(&old.covered[i], &coverage.covered[i]) * length;
        }

        let gaps = gaps::coast_gaps(self, &coverage.covered, baseline.params.min_gap_length_m);
        let mut working = working_by_type(&baseline.sensors, &baseline.views);
        for &slot in &removed_slots {
            working[baseline.sensors[slot].sensor_type().index()] -= 1;
        }
        for (sensor, _) in &added {
            working[sensor.sensor_type().index()] += 1;
        }
        let summary = gaps::summary(
            self,
            SummaryInputs {
                covered: &coverage.covered,
                covered_by_type: &coverage.by_type,
                working_by_type: working,
                gaps: &gaps,
            },
        );

        let uncovered_length = |gap: &CoastGap, covered: &[intervals::Intervals]| -> f64 {
            gap.stretch
                .iter()
                .map(|h| {
                    let piece = [(h.t0, h.t1)];
                    intervals::difference_measure(&piece, &covered[h.segment as usize])
                        * self.coast.segments[h.segment as usize].length_m
                })
                .sum()
        };
        let touches = |gap: &CoastGap| gap.stretch.iter().any(|h| touched.contains_key(&h.segment));
        let mut closed_gaps = Vec::new();
        let mut shrunk_gaps = Vec::new();
        for gap in baseline.gaps.iter().filter(|g| touches(g)) {
            let after_m = uncovered_length(gap, &coverage.covered);
            if after_m <= LENGTH_TOLERANCE_M {
                closed_gaps.push(gap.rank);
            } else if after_m < gap.length_m - LENGTH_TOLERANCE_M {
                shrunk_gaps.push(GapChange {
                    baseline_rank: gap.rank,
                    before_m: gap.length_m,
                    after_m,
                });
            }
        }
        let new_gaps = gaps
            .iter()
            .filter(|g| {
                touches(g) && g.length_m - uncovered_length(g, &old.covered) > LENGTH_TOLERANCE_M
            })
            .map(|g| g.rank)
            .collect();
        let changed_visibility = added
            .iter()
            .map(|(s, v)| SensorVisibility {
                id: s.id.clone(),
                sensor_type: s.sensor_type(),
                polygon: self.to_lonlat_polygon(&v.visibility.polygon()),
            })
            .collect();
        Ok(WhatIf {
            summary,
            gaps,
            newly_covered_m,
            newly_lost_m,
            closed_gaps,
            shrunk_gaps,
            new_gaps,
            changed_visibility,
            removed_slots,
            added,
        })
    }
}

/// Applies the changes to copies: (baseline slot → changed sensor, added sensors).
fn apply(
    baseline: &Baseline,
    changes: &[Change],
) -> Result<(BTreeMap<usize, Sensor>, Vec<Sensor>), CoverageError> {
    let mut overrides: BTreeMap<usize, Sensor> = BTreeMap::new();
    let mut added: Vec<Sensor> = Vec::new();
    let mut added_ids: HashMap<String, usize> = HashMap::new();
    for change in changes {
        let id = match change {
            Change::Add(sensor) => {
                sensor.validate()?;
                if baseline.slots.contains_key(&sensor.id) || added_ids.contains_key(&sensor.id) {
                    return Err(CoverageError::DuplicateSensorId(sensor.id.clone()));
                }
                added_ids.insert(sensor.id.clone(), added.len());
                added.push(sensor.clone());
                continue;
            }
            Change::Move { id, .. } | Change::Fail { id } => id,
        };
        let sensor = if let Some(&i) = added_ids.get(id) {
            &mut added[i]
        } else if let Some(&slot) = baseline.slots.get(id) {
            overrides
                .entry(slot)
                .or_insert_with(|| baseline.sensors[slot].clone())
        } else {
            return Err(CoverageError::UnknownSensor(id.clone()));
        };
        match change {
            Change::Move {
                lon,
                lat,
                bearing_deg,
                ..
            } => {
                sensor.set_position(*lon, *lat);
                if let (SensorKind::Camera(c), Some(b)) = (&mut sensor.kind, bearing_deg) {
                    c.bearing_deg = *b;
                }
                sensor.validate()?;
            }
            Change::Fail { .. } => sensor.status = Status::Failed,
            Change::Add(_) => unreachable!("handled above"),
        }
    }
    Ok((overrides, added))
}

impl WhatIf {
    /// Sea-band coverage after the changes: the baseline's, with only the band cells the
    /// changed views reach recomputed.
    pub fn band_coverage(
        &self,
        model: &CoverageModel,
        baseline: &Baseline,
    ) -> Result<BandCoverage, CoverageError> {
        baseline.check_model(model)?;
        let base: &BandState = baseline.band_state(model);
        let band = base.band.clone();
        let mut cells: BTreeSet<usize> = BTreeSet::new();
        for &slot in &self.removed_slots {
            let view = &baseline.views[slot]
                .as_ref()
                .expect("removed view")
                .visibility;
            cells.extend(band.cells_of(view));
        }
        for (_, view) in &self.added {
            cells.extend(band.cells_of(&view.visibility));
        }
        if cells.is_empty() {
            return Ok(base.coverage.clone());
        }
        let seen: Vec<&Visibility> = baseline
            .views
            .iter()
            .enumerate()
            .filter(|(slot, _)| !self.removed_slots.contains(slot))
            .filter_map(|(_, v)| v.as_ref().map(|v| &v.visibility))
            .chain(self.added.iter().map(|(_, v)| &v.visibility))
            .collect();
        let cells: Vec<usize> = cells.into_iter().collect();
        let mut unseen = base.unseen.clone();
        for (cell, u) in band.unseen(&seen, Some(&cells)) {
            unseen[cell] = u;
        }
        Ok(BandState::new(model, band, unseen).coverage)
    }
}
