//! The engine: takes reports one at a time, in time order per stream, and the time from
//! the caller (`advance_to`), and hands back event updates. Each report touches only its
//! own vessel's state and the grid cells around it; nothing scans all vessels.

use crate::approach::ApproachRule;
use crate::areas::{Coverage, Harbours};
use crate::config::{Config, ConfigError};
use crate::dark::DarkRule;
use crate::event::{EventUpdate, Fix, TimeSpan};
use crate::grid::FastMap;
use crate::ids::EventIds;
use crate::loiter::LoiterRule;
use crate::rendezvous::RendezvousRule;
use crate::repeat::RepeatRule;
use crate::report::{Report, ReportError, VesselId};

/// Grids are square at this latitude (Xiangshan); queries stay exact anywhere.
const REFERENCE_LAT: f64 = 29.2;

pub struct Engine {
    harbours: Harbours,
    coverage: Coverage,
    dark_in_harbours: bool,
    index: FastMap<VesselId, u32>,
    vessel_ids: Vec<VesselId>,
    /// Per vessel: the time of its latest report from any source.
    latest_ms: Vec<i64>,
    dark: DarkRule,
    approach: ApproachRule,
    rendezvous: RendezvousRule,
    loiter: LoiterRule,
    repeat: RepeatRule,
    ids: EventIds,
    now_ms: i64,
}

impl Engine {
    pub fn new(config: Config) -> Result<Engine, ConfigError> {
        config.validate()?;
        Ok(Engine {
            harbours: Harbours::new(&config.harbours),
            coverage: Coverage::new(&config.dark.coverage, config.dark.coverage_edge_m),
            dark_in_harbours: config.dark.in_harbours,
            index: FastMap::default(),
            vessel_ids: Vec::new(),
            latest_ms: Vec::new(),
            approach: ApproachRule::new(config.approach, &config.piers, REFERENCE_LAT),
            rendezvous: RendezvousRule::new(
                config.rendezvous,
                config.max_position_age_ms,
                REFERENCE_LAT,
            ),
            loiter: LoiterRule::new(config.loitering),
            repeat: RepeatRule::new(config.repeat),
            dark: DarkRule::new(config.dark),
            ids: EventIds::default(),
            now_ms: i64::MIN,
        })
    }

    /// Replaces the tide windows (e.g. `tidewatch_tides::windows` for the nearest station,
    /// converted with `TimeSpan::from`) that raise a night approach's severity.
    pub fn set_tide_windows(&mut self, windows: Vec<TimeSpan>) {
        self.approach.set_tide_windows(windows);
    }

    /// The latest time given to [`Engine::advance_to`].
    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    /// Vessels seen so far.
    pub fn vessel_count(&self) -> usize {
        self.vessel_ids.len()
    }

    fn vessel_index(&mut self, id: VesselId) -> u32 {
        if let Some(&i) = self.index.get(&id) {
            return i;
        }
        let i = self.vessel_ids.len() as u32;
        self.index.insert(id, i);
        self.vessel_ids.push(id);
        self.latest_ms.push(i64::MIN);
        self.dark.add_vessel();
        self.approach.add_vessel();
        self.rendezvous.add_vessel();
        self.loiter.add_vessel();
        self.repeat.add_vessel();
        i
    }

    /// Evaluates one report; updates go to `out` (appended). A report not after its
    /// stream's previous one is refused and changes nothing. A report older than the
    /// vessel's latest from its other source only updates its stream (for the dark rule):
    /// the track rules see each vessel's reports in time order.
    pub fn ingest(
        &mut self,
        report: &Report,
        out: &mut Vec<EventUpdate>,
    ) -> Result<(), ReportError> {
        report.check()?;
        let vessel = self.vessel_index(report.vessel);
        self.dark.check_order(vessel, report)?;
        self.dark.on_report(vessel, report, out);
        let v = vessel as usize;
        if report.time_ms < self.latest_ms[v] {
            return Ok(());
        }
        self.latest_ms[v] = report.time_ms;
        let fix = Fix::from(report);
        let id = report.vessel;
        if let Some(change) = self
            .approach
            .on_report(vessel, id, &fix, &mut self.ids, out)
        {
            let approach = &self.approach;
            self.repeat.on_visit(
                vessel,
                id,
                &change,
                |pier| approach.pier(pier).clone(),
                &fix,
                &mut self.ids,
                out,
            );
        }
        // Harbour membership matters only to slow vessels.
        let slow_limit = self
            .loiter
            .max_speed_kn()
            .max(self.rendezvous.max_speed_kn());
        let in_harbour = fix.speed_kn < slow_limit && self.harbours.contains(fix.position);
        self.rendezvous.on_report(
            vessel,
            &fix,
            in_harbour,
            &self.vessel_ids,
            &mut self.ids,
            out,
        );
        self.loiter
            .on_report(vessel, id, &fix, in_harbour, &mut self.ids, out);
        Ok(())
    }

    /// Moves the engine's clock to `now_ms` (never backwards) and opens a dark-vessel
    /// event for every stream silent for longer than its limit by then.
    pub fn advance_to(&mut self, now_ms: i64, out: &mut Vec<EventUpdate>) {
        if now_ms <= self.now_ms {
            return;
        }
        self.now_ms = now_ms;
        let (harbours, coverage, in_harbours) =
            (&self.harbours, &self.coverage, self.dark_in_harbours);
        let excused = |last: &Fix| {
            (!in_harbours && harbours.contains(last.position))
                || !coverage.well_inside(last.position)
        };
        self.dark
            .advance_to(now_ms, &self.vessel_ids, excused, &mut self.ids, out);
    }
}
