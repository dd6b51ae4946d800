//! Loitering: slower than the limit, outside every harbour, for at least the minimum
//! duration (measured from the first report of the slow run). A fast report or one in a
//! harbour ends the run.

use crate::config::LoiteringConfig;
use crate::event::{
    Closing, Event, EventId, EventKind, EventUpdate, Evidence, Fix, Geometry, Severity,
};
use crate::ids::EventIds;
use crate::report::VesselId;

struct SlowRun {
    first: Fix,
    last_ms: i64,
    event: Option<EventId>,
}

pub(crate) struct LoiterRule {
    config: LoiteringConfig,
    runs: Vec<Option<SlowRun>>,
}

impl LoiterRule {
    pub fn new(config: LoiteringConfig) -> LoiterRule {
        LoiterRule {
            config,
            runs: Vec::new(),
        }
    }

    pub fn add_vessel(&mut self) {
        self.runs.push(None);
    }

    pub fn max_speed_kn(&self) -> f64 {
        self.config.max_speed_kn
    }

    pub fn on_report(
        &mut self,
        vessel: u32,
        vessel_id: VesselId,
        fix: &Fix,
        in_harbour: bool,
        ids: &mut EventIds,
        out: &mut Vec<EventUpdate>,
    ) {
        let slot = &mut self.runs[vessel as usize];
        if fix.speed_kn >= self.config.max_speed_kn || in_harbour {
            if let Some(SlowRun {
                event: Some(id),
                last_ms,
                ..
            }) = slot.take()
            {
                out.push(EventUpdate::Closed {
                    id,
                    end_ms: last_ms,
                    closing: Closing::ConditionEnded { fix: *fix },
                });
            }
            return;
        }
        let run = slot.get_or_insert(SlowRun {
            first: *fix,
            last_ms: fix.time_ms,
            event: None,
        });
        run.last_ms = fix.time_ms;
        match run.event {
            Some(id) => out.push(EventUpdate::Extended {
                id,
                fix: *fix,
                severity: Severity::Low,
            }),
            None if fix.time_ms - run.first.time_ms >= self.config.min_duration_ms => {
                let id = ids.next();
                run.event = Some(id);
                out.push(EventUpdate::Opened(Event {
                    id,
                    kind: EventKind::Loitering,
                    severity: Severity::Low,
                    start_ms: run.first.time_ms,
                    end_ms: None,
                    vessels: vec![vessel_id],
                    geometry: Geometry::Point {
                        at: run.first.position,
                    },
                    evidence: Evidence::Loitering {
                        first: run.first,
                        latest: *fix,
                    },
                }));
            }
            None => {}
        }
    }
}
