//! The engine's output: events as data, and the updates that open, extend and close them.
//! One episode of a rule is one event: while it goes on, the open event is extended.

use crate::metric::LonLat;
use crate::report::{Report, Source, Stream, VesselId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EventId(pub u64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    DarkVessel,
    NightPierApproach,
    Rendezvous,
    Loitering,
    RepeatVisit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
}

/// A position as evidence: a report without its vessel id.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Fix {
    pub time_ms: i64,
    pub source: Source,
    pub position: LonLat,
    pub speed_kn: f64,
    pub course_deg: f64,
    pub heading_deg: Option<f64>,
}

impl From<&Report> for Fix {
    fn from(r: &Report) -> Fix {
        Fix {
            time_ms: r.time_ms,
            source: r.source,
            position: r.position,
            speed_kn: r.speed_kn,
            course_deg: r.course_deg,
            heading_deg: r.heading_deg,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Geometry {
    Point { at: LonLat },
    Line { points: Vec<LonLat> },
}

/// A time interval, Unix milliseconds, `start_ms <= end_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeSpan {
    pub start_ms: i64,
    pub end_ms: i64,
}

impl TimeSpan {
    pub fn contains(&self, t_ms: i64) -> bool {
        self.start_ms <= t_ms && t_ms <= self.end_ms
    }
}

/// A pier as the events name it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PierRef {
    pub id: u64,
    pub name: String,
    pub position: LonLat,
}

/// Why an event was raised, per rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Evidence {
    DarkVessel {
        stream: Stream,
        /// The last report before the silence: position, speed, heading.
        last: Fix,
        expected_interval_ms: i64,
        /// The gap after which the stream counted as dark.
        limit_ms: i64,
        /// The vessel's other stream was still reporting when this one fell silent:
        /// AIS off while Beidou goes on is the smuggling signal.
        other_stream_reporting: bool,
    },
    NightPierApproach {
        pier: PierRef,
        fix: Fix,
        distance_m: f64,
        /// The night (at the pier) the approach falls in.
        night: TimeSpan,
        /// The caller's tide window the approach falls in, if any.
        tide_window: Option<TimeSpan>,
    },
    Rendezvous {
        /// The two vessels' positions when the pair became a rendezvous.
        fixes: [Fix; 2],
        distance_m: f64,
        /// Since when the two have been close, slow and outside harbours.
        since_ms: i64,
    },
    Loitering {
        first: Fix,
        latest: Fix,
    },
    RepeatVisit {
        pier: PierRef,
        /// The earlier night approach and this one.
        previous_event: EventId,
        previous_start_ms: i64,
        current_event: EventId,
        current_start_ms: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: EventId,
    pub kind: EventKind,
    pub severity: Severity,
    pub start_ms: i64,
    /// None while the episode goes on.
    pub end_ms: Option<i64>,
    /// One vessel, or the two of a rendezvous.
    pub vessels: Vec<VesselId>,
    pub geometry: Geometry,
    pub evidence: Evidence,
}

/// How an episode ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Closing {
    /// A dark stream reported again.
    Reappeared {
        fix: Fix,
        gap_ms: i64,
        /// Straight distance from the last position before the gap.
        distance_m: f64,
        /// The speed that distance over the gap implies.
        implied_speed_kn: f64,
    },
    /// The rule no longer holds at this report (moved away, sped up, entered a harbour,
    /// night ended, or the partner is gone).
    ConditionEnded { fix: Fix },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "update", rename_all = "snake_case")]
pub enum EventUpdate {
    Opened(Event),
    /// The episode still holds at `fix` (the latest report of the vessel that confirmed it).
    Extended {
        id: EventId,
        fix: Fix,
        severity: Severity,
    },
    Closed {
        id: EventId,
        /// The last instant the episode held (for a dark gap: the reappearance).
        end_ms: i64,
        closing: Closing,
    },
}

impl From<&tidewatch_tides::TideWindow> for TimeSpan {
    /// The window in milliseconds (the tides crate counts seconds).
    fn from(w: &tidewatch_tides::TideWindow) -> TimeSpan {
        TimeSpan {
            start_ms: w.start * 1000,
            end_ms: w.end * 1000,
        }
    }
}
