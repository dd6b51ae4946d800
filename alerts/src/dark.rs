//! Dark vessels: a report stream (a vessel's AIS, or its Beidou) silent for longer than
//! its expected interval times `gap_factor`. Every report moves the stream's deadline and
//! pushes it on a min-heap; [`DarkRule::advance_to`] pops only the deadlines that have
//! passed, so the cost is per report, never per vessel per tick. Superseded heap entries
//! are recognised and dropped when they surface (cheaper than deleting them).
//!
//! A gap that starts in a harbour (unless configured) or at the edge of coverage is not
//! reported: boats switch AIS off at their berth, and ships leave the receivers' range.

use crate::config::DarkConfig;
use crate::event::{
    Closing, Event, EventId, EventKind, EventUpdate, Evidence, Fix, Geometry, Severity,
};
use crate::ids::EventIds;
use crate::metric::{distance_m, mps_to_knots};
use crate::report::{Report, ReportError, Source, Stream, VesselId};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

struct StreamState {
    last: Fix,
    expected_ms: i64,
    limit_ms: i64,
    silence: Option<Silence>,
}

impl StreamState {
    fn deadline(&self) -> i64 {
        self.last.time_ms + self.limit_ms
    }
}

/// A stream found silent: reported as an event, or judged ordinary and kept quiet.
enum Silence {
    Reported(EventId),
    Excused,
}

pub(crate) struct DarkRule {
    config: DarkConfig,
    /// Per vessel index: the AIS and Beidou streams.
    streams: Vec<[Option<StreamState>; 2]>,
    /// (deadline, vessel index, stream index), earliest first.
    deadlines: BinaryHeap<Reverse<(i64, u32, u8)>>,
}

impl DarkRule {
    pub fn new(config: DarkConfig) -> DarkRule {
        DarkRule {
            config,
            streams: Vec::new(),
            deadlines: BinaryHeap::new(),
        }
    }

    pub fn add_vessel(&mut self) {
        self.streams.push([None, None]);
    }

    /// The interval at which this source reports in this state.
    fn expected_ms(&self, report: &Report) -> i64 {
        let c = &self.config;
        match report.source {
            Source::AisClassA if report.speed_kn < c.ais_class_a_stationary_below_kn => {
                c.ais_class_a_stationary_ms
            }
            Source::AisClassA => c.ais_class_a_under_way_ms,
            Source::AisClassB => c.ais_class_b_ms,
            Source::Beidou => c.beidou_ms,
        }
    }

    /// Refuses a report not after the stream's last one, before anything changes.
    pub fn check_order(&self, vessel: u32, report: &Report) -> Result<(), ReportError> {
        let stream = report.source.stream();
        match &self.streams[vessel as usize][stream.index()] {
            Some(s) if report.time_ms <= s.last.time_ms => Err(ReportError::OutOfOrder {
                vessel: report.vessel,
                stream,
                time_ms: report.time_ms,
                last_ms: s.last.time_ms,
            }),
            _ => Ok(()),
        }
    }

    pub fn on_report(&mut self, vessel: u32, report: &Report, out: &mut Vec<EventUpdate>) {
        let fix = Fix::from(report);
        let expected_ms = self.expected_ms(report);
        let limit_ms = (expected_ms as f64 * self.config.gap_factor).round() as i64;
        let stream = report.source.stream();
        let slot = &mut self.streams[vessel as usize][stream.index()];
        if let Some(previous) = slot.as_ref() {
            if let Some(Silence::Reported(id)) = previous.silence {
                let gap_ms = fix.time_ms - previous.last.time_ms;
                let distance_m = distance_m(previous.last.position, fix.position);
                out.push(EventUpdate::Closed {
                    id,
                    end_ms: fix.time_ms,
                    closing: Closing::Reappeared {
                        fix,
                        gap_ms,
                        distance_m,
                        implied_speed_kn: mps_to_knots(distance_m / (gap_ms as f64 / 1000.0)),
                    },
                });
            }
        }
        let state = StreamState {
            last: fix,
            expected_ms,
            limit_ms,
            silence: None,
        };
        self.deadlines
            .push(Reverse((state.deadline(), vessel, stream.index() as u8)));
        *slot = Some(state);
    }

    /// Opens an event for every stream silent for longer than its limit at `now_ms`
    /// (strictly: a gap of exactly the limit is not dark). `excused` says whether a
    /// silence starting at a position is ordinary (harbour, edge of coverage).
    pub fn advance_to(
        &mut self,
        now_ms: i64,
        vessel_ids: &[VesselId],
        excused: impl Fn(&Fix) -> bool,
        ids: &mut EventIds,
        out: &mut Vec<EventUpdate>,
    ) {
        while let Some(&Reverse((deadline, vessel, stream))) = self.deadlines.peek() {
            if deadline >= now_ms {
                break;
            }
            self.deadlines.pop();
            let pair = &self.streams[vessel as usize];
            let stream = usize::from(stream);
            let current = match &pair[stream] {
                Some(s) if s.silence.is_none() && s.deadline() == deadline => s,
                _ => continue, // superseded by a later report, or already silent
            };
            let other_stream_reporting = pair[1 - stream]
                .as_ref()
                .is_some_and(|o| o.silence.is_none() && now_ms <= o.deadline());
            let silence = if excused(&current.last) {
                Silence::Excused
            } else {
                let id = ids.next();
                let kind = if stream == Stream::Ais.index() {
                    Stream::Ais
                } else {
                    Stream::Beidou
                };
                out.push(EventUpdate::Opened(Event {
                    id,
                    kind: EventKind::DarkVessel,
                    // AIS off while Beidou reports (or the reverse) is deliberate; both
                    // silent is as likely a vessel beyond the receivers.
                    severity: if other_stream_reporting {
                        Severity::High
                    } else {
                        Severity::Medium
                    },
                    start_ms: current.last.time_ms,
                    end_ms: None,
                    vessels: vec![vessel_ids[vessel as usize]],
                    geometry: Geometry::Point {
                        at: current.last.position,
                    },
                    evidence: Evidence::DarkVessel {
                        stream: kind,
                        last: current.last,
                        expected_interval_ms: current.expected_ms,
                        limit_ms: current.limit_ms,
                        other_stream_reporting,
                    },
                }));
                Silence::Reported(id)
            };
            if let Some(s) = self.streams[vessel as usize][stream].as_mut() {
                s.silence = Some(silence);
            }
        }
    }
}
