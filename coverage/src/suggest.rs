//! Placement suggestions: which candidate sites (piers, barriers…) would close the most
//! uncovered coastline with a given camera model, picked greedily.
//!
//! Covered length is a coverage function, hence submodular, so lazy greedy is exact greedy:
//! a site's gain can only drop as others are picked, and a site whose recomputed gain still
//! tops the queue is the best pick. Each site is swept once with a full circle; every bearing
//! (a multiple of `bearing_step_deg`) is that view restricted to the camera's sector.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use geo::Polygon;

use crate::baseline::Baseline;
use crate::coast::SegmentHit;
use crate::error::CoverageError;
use crate::intervals::{self, Intervals};
use crate::model::CoverageModel;
use crate::parallel;
use crate::sensor::{Camera, Sensor, SensorKind, Status};
use crate::visibility::{sector_from_compass, Visibility};

/// Most candidate sites one request takes.
pub const MAX_CANDIDATES: usize = 10_000;

/// A place a camera could go.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: String,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
}

/// The camera that would be installed.
#[derive(Debug, Clone, PartialEq)]
pub struct CameraModel {
    pub height_m: f64,
    pub fov_deg: f64,
    pub range_day_m: f64,
    pub range_night_m: f64,
    pub thermal: bool,
    /// Bearings tried at each site: 0, step, 2·step, … (e.g. 15).
    pub bearing_step_deg: f64,
}

/// One suggested installation, in the order picked.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub candidate_id: String,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    pub bearing_deg: f64,
    /// Uncovered coastline this camera closes given the baseline and the earlier picks, metres.
    pub closes_m: f64,
    /// lon/lat.
    pub visibility: Polygon<f64>,
}

/// What one bearing at one site would see of the coast, per segment.
struct Aim {
    bearing_deg: f64,
    view: Visibility,
    seen: Vec<(u32, Intervals)>,
}

fn gain(model: &CoverageModel, seen: &[(u32, Intervals)], covered: &[Intervals]) -> f64 {
    seen.iter()
        .map(|(s, iv)| {
            intervals::difference_measure(iv, &covered[*s as usize])
                * model.coast.segments[*s as usize].length_m
        })
        .sum()
}

fn best(model: &CoverageModel, options: &[Aim], covered: &[Intervals]) -> (usize, f64) {
    options
        .iter()
        .enumerate()
        .map(|(i, o)| (i, gain(model, &o.seen, covered)))
        .fold((0, -1.0), |b, c| if c.1 > b.1 { c } else { b })
}

fn group_by_segment(hits: Vec<SegmentHit>) -> Vec<(u32, Intervals)> {
    let mut out: Vec<(u32, Intervals)> = Vec::new();
    for h in hits {
        match out.last_mut() {
            Some((s, iv)) if *s == h.segment => iv.push((h.t0, h.t1)),
            _ => out.push((h.segment, vec![(h.t0, h.t1)])),
        }
    }
    out
}

impl CoverageModel {
    /// Up to `k` candidate sites for `camera`, greedily, each with the coast it closes (sites
    /// that would close nothing more are not suggested). Uses the baseline's mode.
    pub fn suggest(
        &self,
        baseline: &Baseline,
        k: usize,
        candidates: &[Candidate],
        camera: &CameraModel,
    ) -> Result<Vec<Suggestion>, CoverageError> {
        if candidates.len() > MAX_CANDIDATES {
            return Err(CoverageError::TooManyCandidates {
                count: candidates.len(),
                limit: MAX_CANDIDATES,
            });
        }
        if !(camera.bearing_step_deg > 0.0 && camera.bearing_step_deg <= 360.0) {
            return Err(CoverageError::BadParameter {
                name: "bearing_step_deg",
                reason: format!("must be in (0, 360], got {}", camera.bearing_step_deg),
            });
        }
        baseline.check_model(self)?;
        let sensors: Vec<Sensor> = candidates
            .iter()
            .map(|c| {
                let s = Sensor::camera(
                    c.id.clone(),
                    Status::Working,
                    Camera {
                        lon: c.lon,
                        lat: c.lat,
                        height_m: camera.height_m,
                        bearing_deg: 0.0,
                        fov_deg: camera.fov_deg,
                        range_day_m: camera.range_day_m,
                        range_night_m: camera.range_night_m,
                        thermal: camera.thermal,
                    },
                );
                s.validate().map(|_| s)
            })
            .collect::<Result<_, _>>()?;
        let bearings: Vec<f64> = if camera.fov_deg >= 360.0 {
            vec![0.0]
        } else {
            let n = (360.0 / camera.bearing_step_deg).ceil() as usize;
            (0..n)
                .map(|i| i as f64 * camera.bearing_step_deg)
                .filter(|b| *b < 360.0)
                .collect()
        };

        let options: Vec<Vec<Aim>> = parallel::map(&sensors, |sensor| {
            let mut all_round_sensor = sensor.clone();
            if let SensorKind::Camera(c) = &mut all_round_sensor.kind {
                c.fov_deg = 360.0;
            }
            let all_round = self.view(&all_round_sensor, baseline.params.mode);
            let mut segments: Vec<u32> = self
                .coast
                .hits(&all_round)
                .iter()
                .map(|h| h.segment)
                .collect();
            segments.dedup();
            bearings
                .iter()
                .map(|&bearing_deg| {
                    let view = if camera.fov_deg >= 360.0 {
                        all_round.clone()
                    } else {
                        let (start, width) = sector_from_compass(bearing_deg, camera.fov_deg);
                        all_round.restricted(
                            (start - all_round.start).rem_euclid(std::f64::consts::TAU),
                            width,
                        )
                    };
                    let seen = group_by_segment(self.coast.hits_on(&view, segments.clone()));
                    Aim {
                        bearing_deg,
                        view,
                        seen,
                    }
                })
                .collect()
        });

        let mut covered: Vec<Intervals> = baseline.coverage.covered.clone();
        // Max-heap of (gain bits, lowest index first); gains are >= 0 so their bits order them.
        let mut queue: BinaryHeap<(u64, Reverse<usize>)> = options
            .iter()
            .enumerate()
            .map(|(i, o)| (best(self, o, &covered).1.max(0.0).to_bits(), Reverse(i)))
            .collect();
        let mut picks = Vec::new();
        while picks.len() < k {
            let Some((_, Reverse(site))) = queue.pop() else {
                break;
            };
            let (option, gain_now) = best(self, &options[site], &covered);
            let next = queue.peek().map_or(0.0, |(g, _)| f64::from_bits(*g));
            if gain_now < next {
                queue.push((gain_now.max(0.0).to_bits(), Reverse(site)));
                continue;
            }
            if gain_now <= 0.0 {
                break;
            }
            let chosen = &options[site][option];
            for (s, iv) in &chosen.seen {
                let c = &mut covered[*s as usize];
                *c = intervals::union(c.iter().chain(iv).copied());
            }
            let c = &candidates[site];
            picks.push(Suggestion {
                candidate_id: c.id.clone(),
                name: c.name.clone(),
                lon: c.lon,
                lat: c.lat,
                bearing_deg: chosen.bearing_deg,
                closes_m: gain_now,
                visibility: self.to_lonlat_polygon(&chosen.view.polygon()),
            });
        }
        Ok(picks)
    }
}
