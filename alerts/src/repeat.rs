//! Repeat visits: a night pier approach by a vessel to a pier it approached at night
//! between `min_gap_ms` and `max_gap_ms` before (start to start). The repeat event runs
//! from the earlier visit's start and lives as long as the current visit: extended with
//! it, closed with it.

use crate::approach::VisitChange;
use crate::config::RepeatConfig;
use crate::event::{
    Closing, Event, EventId, EventKind, EventUpdate, Evidence, Fix, Geometry, PierRef, Severity,
};
use crate::grid::FastMap;
use crate::ids::EventIds;
use crate::report::VesselId;

pub(crate) struct RepeatRule {
    config: RepeatConfig,
    /// (vessel, pier) → earlier visits (start, event), oldest first; visits older than
    /// `max_gap_ms` before the latest are dropped.
    visits: FastMap<(u32, u32), Vec<(i64, EventId)>>,
    /// Per vessel: the open repeat event of its current visit.
    open: Vec<Option<EventId>>,
}

impl RepeatRule {
    pub fn new(config: RepeatConfig) -> RepeatRule {
        RepeatRule {
            config,
            visits: FastMap::default(),
            open: Vec::new(),
        }
    }

    pub fn add_vessel(&mut self) {
        self.open.push(None);
    }

    #[allow(clippy::too_many_arguments)]
    pub fn on_visit(
        &mut self,
        vessel: u32,
        vessel_id: VesselId,
        change: &VisitChange,
        pier_of: impl Fn(u32) -> PierRef,
        fix: &Fix,
        ids: &mut EventIds,
        out: &mut Vec<EventUpdate>,
    ) {
        let slot = &mut self.open[vessel as usize];
        let close = |id: EventId, end_ms: i64, out: &mut Vec<EventUpdate>| {
            out.push(EventUpdate::Closed {
                id,
                end_ms,
                closing: Closing::ConditionEnded { fix: *fix },
            })
        };
        match *change {
            VisitChange::Continued => {
                if let Some(id) = *slot {
                    out.push(EventUpdate::Extended {
                        id,
                        fix: *fix,
                        severity: Severity::High,
                    });
                }
            }
            VisitChange::Ended { end_ms } => {
                if let Some(id) = slot.take() {
                    close(id, end_ms, out);
                }
            }
            VisitChange::Started {
                pier,
                event,
                start_ms,
                previous_end_ms,
            } => {
                if let (Some(id), Some(end_ms)) = (slot.take(), previous_end_ms) {
                    close(id, end_ms, out);
                }
                let visits = self.visits.entry((vessel, pier)).or_default();
                let (min, max) = (self.config.min_gap_ms, self.config.max_gap_ms);
                visits.retain(|&(start, _)| start_ms - start <= max);
                // The most recent earlier visit in range.
                let previous = visits
                    .iter()
                    .rev()
                    .find(|&&(start, _)| (min..=max).contains(&(start_ms - start)))
                    .copied();
                visits.push((start_ms, event));
                if let Some((previous_start_ms, previous_event)) = previous {
                    let id = ids.next();
                    let pier = pier_of(pier);
                    out.push(EventUpdate::Opened(Event {
                        id,
                        kind: EventKind::RepeatVisit,
                        severity: Severity::High,
                        start_ms: previous_start_ms,
                        end_ms: None,
                        vessels: vec![vessel_id],
                        geometry: Geometry::Point { at: pier.position },
                        evidence: Evidence::RepeatVisit {
                            pier,
                            previous_event,
                            previous_start_ms,
                            current_event: event,
                            current_start_ms: start_ms,
                        },
                    }));
                    *slot = Some(id);
                }
            }
        }
    }
}
