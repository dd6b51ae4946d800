//! Rendezvous at sea: two vessels within the distance limit, both slower than the speed
//! limit and outside harbours, for at least the minimum duration. Only vessels that are
//! slow at sea sit in the grid, so a report looks at a handful of neighbours; a pair is
//! judged whenever either vessel reports, against the other's latest position if it is
//! recent enough. A pair that stops meeting the rule at a report ends there.

use crate::config::RendezvousConfig;
use crate::event::{
    Closing, Event, EventId, EventKind, EventUpdate, Evidence, Fix, Geometry, Severity,
};
use crate::grid::{CellKey, FastMap, Grid};
use crate::ids::EventIds;
use crate::metric::distance_m;
use crate::report::VesselId;

struct Member {
    key: CellKey,
    fix: Fix,
}

struct Pair {
    since_ms: i64,
    last_ms: i64,
    event: Option<EventId>,
}

pub(crate) struct RendezvousRule {
    config: RendezvousConfig,
    max_age_ms: i64,
    grid: Grid,
    /// Per vessel: its latest fix, if slow and outside harbours.
    members: Vec<Option<Member>>,
    /// Per vessel: the vessels it is currently paired with.
    partners: Vec<Vec<u32>>,
    /// Keyed (lower index, higher index).
    pairs: FastMap<(u32, u32), Pair>,
    /// Reused between reports: this report's matches.
    matches: Vec<(u32, f64)>,
}

fn pair_key(a: u32, b: u32) -> (u32, u32) {
    (a.min(b), a.max(b))
}

impl RendezvousRule {
    pub fn new(config: RendezvousConfig, max_age_ms: i64, reference_lat: f64) -> RendezvousRule {
        RendezvousRule {
            grid: Grid::new(config.max_distance_m, reference_lat),
            config,
            max_age_ms,
            members: Vec::new(),
            partners: Vec::new(),
            pairs: FastMap::default(),
            matches: Vec::new(),
        }
    }

    pub fn add_vessel(&mut self) {
        self.members.push(None);
        self.partners.push(Vec::new());
    }

    pub fn max_speed_kn(&self) -> f64 {
        self.config.max_speed_kn
    }

    pub fn on_report(
        &mut self,
        vessel: u32,
        fix: &Fix,
        in_harbour: bool,
        vessel_ids: &[VesselId],
        ids: &mut EventIds,
        out: &mut Vec<EventUpdate>,
    ) {
        let v = vessel as usize;
        let candidate = fix.speed_kn < self.config.max_speed_kn && !in_harbour;
        let new_key = candidate.then(|| self.grid.key(fix.position));
        match (self.members[v].as_mut(), new_key) {
            (Some(m), Some(key)) if m.key == key => m.fix = *fix,
            (old, _) => {
                if let Some(m) = old {
                    self.grid.remove(m.key, vessel);
                }
                self.members[v] = new_key.map(|key| {
                    self.grid.insert(key, vessel);
                    Member { key, fix: *fix }
                });
            }
        }

        self.matches.clear();
        if candidate {
            let (members, max_d, max_age) =
                (&self.members, self.config.max_distance_m, self.max_age_ms);
            let matches = &mut self.matches;
            self.grid.for_each_near(fix.position, max_d, |other| {
                if other == vessel {
                    return;
                }
                if let Some(m) = &members[other as usize] {
                    if (fix.time_ms - m.fix.time_ms).abs() <= max_age {
                        let d = distance_m(fix.position, m.fix.position);
                        if d <= max_d {
                            matches.push((other, d));
                        }
                    }
                }
            });
        }

        // Pairs this report no longer supports end here.
        let mut i = 0;
        while i < self.partners[v].len() {
            let other = self.partners[v][i];
            if self.matches.iter().any(|&(m, _)| m == other) {
                i += 1;
                continue;
            }
            self.partners[v].swap_remove(i);
            self.partners[other as usize].retain(|&p| p != vessel);
            if let Some(Pair {
                event: Some(id),
                last_ms,
                ..
            }) = self.pairs.remove(&pair_key(vessel, other))
            {
                out.push(EventUpdate::Closed {
                    id,
                    end_ms: last_ms,
                    closing: Closing::ConditionEnded { fix: *fix },
                });
            }
        }

        for &(other, d) in &self.matches {
            let key = pair_key(vessel, other);
            let pair = self.pairs.entry(key).or_insert_with(|| {
                self.partners[v].push(other);
                self.partners[other as usize].push(vessel);
                Pair {
                    since_ms: fix.time_ms,
                    last_ms: fix.time_ms,
                    event: None,
                }
            });
            pair.last_ms = fix.time_ms;
            match pair.event {
                Some(id) => out.push(EventUpdate::Extended {
                    id,
                    fix: *fix,
                    severity: Severity::High,
                }),
                None if fix.time_ms - pair.since_ms >= self.config.min_duration_ms => {
                    let id = ids.next();
                    pair.event = Some(id);
                    let other_fix = self.members[other as usize]
                        .as_ref()
                        .map_or(*fix, |m| m.fix);
                    out.push(EventUpdate::Opened(Event {
                        id,
                        kind: EventKind::Rendezvous,
                        severity: Severity::High,
                        start_ms: pair.since_ms,
                        end_ms: None,
                        vessels: vec![vessel_ids[v], vessel_ids[other as usize]],
                        geometry: Geometry::Line {
                            points: vec![fix.position, other_fix.position],
                        },
                        evidence: Evidence::Rendezvous {
                            fixes: [*fix, other_fix],
                            distance_m: d,
                            since_ms: pair.since_ms,
                        },
                    }));
                }
                None => {}
            }
        }
    }
}
