//! Night pier approaches: a vessel slower than the limit within the limit distance of an
//! idle pier or beaching spot while it is night at that pier, more severe inside one of
//! the caller's tide windows. One episode per (vessel, pier) stay: it opens at the first
//! report that meets the rule, is extended by every further one, and closes at the first
//! report that does not. Visits are handed to the repeat rule.

use crate::config::{ApproachConfig, Pier};
use crate::event::{
    Closing, Event, EventId, EventKind, EventUpdate, Evidence, Fix, Geometry, PierRef, Severity,
    TimeSpan,
};
use crate::grid::Grid;
use crate::ids::EventIds;
use crate::metric::distance_m;
use crate::night::NightCache;
use crate::report::VesselId;

struct Episode {
    pier: u32,
    event: EventId,
    /// The last report that met the rule.
    last_ms: i64,
    severity: Severity,
}

/// What happened to a vessel's visit at this report, for the repeat rule.
pub(crate) enum VisitChange {
    Started {
        pier: u32,
        event: EventId,
        start_ms: i64,
        /// The end of the visit to another pier this report ended, if any.
        previous_end_ms: Option<i64>,
    },
    Continued,
    Ended {
        end_ms: i64,
    },
}

pub(crate) struct ApproachRule {
    config: ApproachConfig,
    piers: Vec<PierRef>,
    grid: Grid,
    nights: Vec<Option<NightCache>>,
    /// Sorted, merged, not overlapping.
    tide_windows: Vec<TimeSpan>,
    episodes: Vec<Option<Episode>>,
}

impl ApproachRule {
    pub fn new(config: ApproachConfig, piers: &[Pier], reference_lat: f64) -> ApproachRule {
        let mut grid = Grid::new(config.max_distance_m, reference_lat);
        for (i, pier) in piers.iter().enumerate() {
            grid.insert(grid.key(pier.position), i as u32);
        }
        ApproachRule {
            config,
            piers: piers
                .iter()
                .map(|p| PierRef {
                    id: p.id,
                    name: p.name.clone(),
                    position: p.position,
                })
                .collect(),
            grid,
            nights: piers.iter().map(|_| None).collect(),
            tide_windows: Vec::new(),
            episodes: Vec::new(),
        }
    }

    pub fn add_vessel(&mut self) {
        self.episodes.push(None);
    }

    pub fn pier(&self, index: u32) -> &PierRef {
        &self.piers[index as usize]
    }

    /// Replaces the tide windows; overlapping ones are merged.
    pub fn set_tide_windows(&mut self, mut windows: Vec<TimeSpan>) {
        windows.sort_by_key(|w| w.start_ms);
        let mut merged: Vec<TimeSpan> = Vec::with_capacity(windows.len());
        for w in windows {
            match merged.last_mut() {
                Some(last) if w.start_ms <= last.end_ms => last.end_ms = last.end_ms.max(w.end_ms),
                _ => merged.push(w),
            }
        }
        self.tide_windows = merged;
    }

    fn tide_window_at(&self, t_ms: i64) -> Option<TimeSpan> {
        let i = self.tide_windows.partition_point(|w| w.start_ms <= t_ms);
        let w = *self.tide_windows.get(i.checked_sub(1)?)?;
        w.contains(t_ms).then_some(w)
    }

    /// The nearest pier within the distance limit, with the distance and the night there,
    /// if the fix is slow enough and it is night at that pier.
    fn match_pier(&mut self, fix: &Fix) -> Option<(u32, f64, TimeSpan)> {
        if fix.speed_kn >= self.config.max_speed_kn {
            return None;
        }
        let mut nearest: Option<(u32, f64)> = None;
        let max = self.config.max_distance_m;
        let piers = &self.piers;
        self.grid.for_each_near(fix.position, max, |i| {
            let d = distance_m(fix.position, piers[i as usize].position);
            if d <= max && nearest.is_none_or(|(_, best)| d < best) {
                nearest = Some((i, d));
            }
        });
        let (pier, d) = nearest?;
        let at = self.piers[pier as usize].position;
        let night = NightCache::night_at(
            &mut self.nights[pier as usize],
            &self.config.night,
            at,
            fix.time_ms,
        )?;
        Some((pier, d, night))
    }

    pub fn on_report(
        &mut self,
        vessel: u32,
        vessel_id: VesselId,
        fix: &Fix,
        ids: &mut EventIds,
        out: &mut Vec<EventUpdate>,
    ) -> Option<VisitChange> {
        let hit = self.match_pier(fix);
        let tide_window = hit.and_then(|_| self.tide_window_at(fix.time_ms));
        let severity = if tide_window.is_some() {
            Severity::High
        } else {
            Severity::Medium
        };
        let slot = &mut self.episodes[vessel as usize];
        if let (Some(episode), Some((pier, _, _))) = (slot.as_mut(), hit) {
            if episode.pier == pier {
                episode.last_ms = fix.time_ms;
                episode.severity = episode.severity.max(severity);
                out.push(EventUpdate::Extended {
                    id: episode.event,
                    fix: *fix,
                    severity: episode.severity,
                });
                return Some(VisitChange::Continued);
            }
        }
        let mut ended = None;
        if let Some(episode) = slot.take() {
            out.push(EventUpdate::Closed {
                id: episode.event,
                end_ms: episode.last_ms,
                closing: Closing::ConditionEnded { fix: *fix },
            });
            ended = Some(episode.last_ms);
        }
        // A vessel that moves from one idle pier straight to another ends one visit and
        // starts the next in the same report; the repeat rule sees the start.
        if let Some((pier, distance_m, night)) = hit {
            let event = ids.next();
            let pier_ref = self.piers[pier as usize].clone();
            out.push(EventUpdate::Opened(Event {
                id: event,
                kind: EventKind::NightPierApproach,
                severity,
                start_ms: fix.time_ms,
                end_ms: None,
                vessels: vec![vessel_id],
                geometry: Geometry::Point {
                    at: pier_ref.position,
                },
                evidence: Evidence::NightPierApproach {
                    pier: pier_ref,
                    fix: *fix,
                    distance_m,
                    night,
                    tide_window,
                },
            }));
            self.episodes[vessel as usize] = Some(Episode {
                pier,
                event,
                last_ms: fix.time_ms,
                severity,
            });
            return Some(VisitChange::Started {
                pier,
                event,
                start_ms: fix.time_ms,
                previous_end_ms: ended,
            });
        }
        ended.map(|end_ms| VisitChange::Ended { end_ms })
    }
}
