//! Early warning for Tidewatch: an incremental rule engine over vessel position reports.
//! Pure: no I/O, no clock. Time comes in with the reports and with
//! [`Engine::advance_to`], which the server calls on each batch of messages and on a timer.
//!
//! # Rules (thresholds in [`Config`], defaults from domain.md's local rules)
//!
//! - **Dark vessel** ([`EventKind::DarkVessel`]): a report stream silent for longer than
//!   its expected interval × `gap_factor`; per stream, so AIS going dark while the same
//!   vessel's Beidou still reports is caught (severity high). Closed when the stream
//!   reports again, with the gap's distance and implied speed.
//! - **Night pier approach**: slower than 2 kn within 300 m of an idle pier or beaching
//!   spot while it is night there (sunset to sunrise at the pier, Asia/Shanghai days);
//!   high severity inside a caller's tide window.
//! - **Rendezvous**: two vessels within 500 m, both slower than 2 kn, outside harbours,
//!   for at least 20 minutes.
//! - **Loitering**: slower than 2 kn outside harbours for at least an hour.
//! - **Repeat visit**: a night approach to the same pier 2–5 days after an earlier one.
//!
//! Boundaries: speeds are "slower than" (`<`), distances "within" (`<=`), durations "at
//! least" (`>=`), dark gaps "longer than" (`>`). Distances are measured on a local plane,
//! see [`metric`].
//!
//! Vessel ids: the server gives each report a [`VesselId`] (one per physical vessel, its
//! AIS and Beidou linked by the server's registry) and a [`Source`]; the dark rule keeps
//! one stream per (vessel, [`Stream`]), the other rules one merged track per vessel.
//!
//! Episodes close at the first report that breaks the rule (their end is the last report
//! that met it); a dark gap closes when its stream reports again. An episode whose vessel
//! falls silent stays open (its stream's dark event says why).
//!
//! # Demo and speed
//!
//! `tests/demo_replay.rs` replays the demo's five days (51 vessels, 272,921 reports):
//! all nine scripted events come out, within 3 minutes of the scripted times, and nothing
//! else. `cargo bench -p tidewatch-alerts`: about 0.4 µs per report with 5,000 vessels and
//! 300 idle piers (release, 2 cores).
//!
//! # Use
//!
//! ```
//! use tidewatch_alerts::*;
//!
//! let mut engine = Engine::new(Config::default())?;
//! let mut updates = Vec::new();
//! let report = Report {
//!     vessel: VesselId(412_000_001),
//!     source: Source::Beidou,
//!     time_ms: 1_795_752_000_000,
//!     position: LonLat::new(122.10, 29.10),
//!     speed_kn: 9.5,
//!     course_deg: 80.0,
//!     heading_deg: None,
//! };
//! engine.advance_to(report.time_ms, &mut updates);
//! engine.ingest(&report, &mut updates)?;
//! // Nine minutes of silence (3 min × 3) is not yet dark; a millisecond more is.
//! engine.advance_to(report.time_ms + 540_000, &mut updates);
//! assert!(updates.is_empty());
//! engine.advance_to(report.time_ms + 540_001, &mut updates);
//! assert!(matches!(&updates[0], EventUpdate::Opened(e) if e.kind == EventKind::DarkVessel));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod approach;
mod areas;
mod config;
mod dark;
mod engine;
mod event;
mod grid;
mod ids;
mod loiter;
pub mod metric;
mod night;
mod rendezvous;
mod repeat;
mod report;

pub use config::{
    ApproachConfig, Area, Config, ConfigError, DarkConfig, Harbour, LoiteringConfig, Pier,
    RendezvousConfig, RepeatConfig, DAY_MS, HOUR_MS, MINUTE_MS,
};
pub use engine::Engine;
pub use event::{
    Closing, Event, EventId, EventKind, EventUpdate, Evidence, Fix, Geometry, PierRef, Severity,
    TimeSpan,
};
pub use metric::LonLat;
pub use report::{Report, ReportError, Source, Stream, VesselId};
pub use tidewatch_tides::NightRule;
