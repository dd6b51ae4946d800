//! Deterministic SYNTHETIC vessel traffic around Xiangshan: fishing fleets, coastal cargo,
//! an island ferry, and scripted smuggling runs whose ground truth comes with the data.
//!
//! Everything moves on routes found over the real GSHHG land (see `sea`): no position is
//! on land except a vessel lying at a pier, and all lie inside the area of interest (the
//! receivers' range: vessels appear and disappear at its edge). [`traffic`] is a pure
//! function of the seed and the inputs; lon/lat are rounded to 6 decimals.
//!
//! Reporting intervals: AIS class A every 30 s under way and every 3 min moored or at
//! anchor, class B every 60 s, Beidou every 3 min. Fishing vessels all report via Beidou;
//! half of them also carry AIS class B.

mod fleet;
mod reports;
mod sea;
mod smuggling;
#[cfg(test)]
mod tests;
mod track;
mod world;

use crate::rng::Rng;
use crate::{DemoData, DemoInputs, Place};
use fleet::{Harbour, Registry, BERTHS_PER_HARBOUR, FISHING_HARBOURS, GROUNDS_PER_HARBOUR};
use world::World;

/// The first instant of the traffic, local time (Asia/Shanghai, UTC+8, no daylight saving).
pub const TRAFFIC_START: &str = "2026-11-27T12:00:00+08:00";
/// [`TRAFFIC_START`] in Unix milliseconds (2026-11-27T04:00:00Z).
pub const TRAFFIC_START_UNIX_MS: i64 = 1_795_752_000_000;
pub const TRAFFIC_DAYS: u32 = 5;
/// Asia/Shanghai is UTC+8 all year.
pub const SHANGHAI_OFFSET_MS: i64 = 8 * HOUR;

/// Reporting intervals, milliseconds.
pub const AIS_CLASS_A_UNDER_WAY_MS: i64 = 30_000;
pub const AIS_CLASS_A_STATIONARY_MS: i64 = 180_000;
pub const AIS_CLASS_B_MS: i64 = 60_000;
pub const BEIDOU_MS: i64 = 180_000;

/// High waters at Kanmen over the traffic window: (Unix ms, height above the station's
/// mean sea level in metres).
///
/// How they were obtained: `demo/scripts/high_waters.py` feeds the measured TICON-4
/// harmonic constants of the Kanmen gauge (data/demo/tides/kanmen-ticon4.json, 40 of its
/// 50 constituents; the 10 that UTide lacks are all under 2 cm) to UTide 0.4.0
/// (`pip install utide`; nodal factors and astronomical arguments computed continuously at
/// each instant) and finds the maxima of the predicted curve to 0.1 s. pytides2 0.0.5 on
/// the same constants agrees within 2.5 min. Kanmen (28.088 N, 121.282 E) is about 140 km
/// SSW of Xiangshan, and no constants for Xiangshan itself are published openly: Kanmen's
/// high water stands in for Xiangshan's. That is an approximation: the real times at Shipu
/// differ by some tens of minutes.
///
/// TODO(tide engine): when Tidewatch has its own tide engine, its Kanmen high waters must
/// match these within ±15 min (and ideally within a few minutes).
pub const KANMEN_HIGH_WATERS: [(i64, f64); 9] = [
    (1_795_789_978_000, 2.048), // 2026-11-27T14:32:58Z = 22:32:58 +08:00
    (1_795_836_846_000, 2.388), // 2026-11-28T03:34:06Z = 11:34:06 +08:00
    (1_795_879_468_000, 1.865), // 2026-11-28T15:24:28Z = 23:24:28 +08:00
    (1_795_926_434_000, 2.155), // 2026-11-29T04:27:14Z = 12:27:14 +08:00
    (1_795_969_345_000, 1.641), // 2026-11-29T16:22:25Z = 2026-11-30T00:22:25 +08:00
    (1_796_016_274_000, 1.912), // 2026-11-30T05:24:34Z = 13:24:34 +08:00
    (1_796_059_775_000, 1.416), // 2026-11-30T17:29:35Z = 2026-12-01T01:29:35 +08:00
    (1_796_106_440_000, 1.702), // 2026-12-01T06:27:20Z = 14:27:20 +08:00
    (1_796_150_847_000, 1.266), // 2026-12-01T18:47:27Z = 2026-12-02T02:47:27 +08:00
];

/// The nights of the smuggling runs (night n runs from 18:00 on day n of the window to
/// 06:00 the next morning; night 1 starts on 2026-11-27).
///
/// Nights 3 and 5, two nights apart: their high waters (00:22 and 02:47 local) fall in the
/// small hours, so that the AIS can go off after 22:00 before the run to the pier. Night 1's
/// high water (22:33) is too early for that, and any night 3 nights later than another puts
/// the two visits more than 3 days apart (high water comes ~50 min later each day), outside
/// the local rule "repeated visits 2–3 days apart".
pub const SMUGGLING_NIGHTS: [u32; 2] = [3, 5];

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum VesselRole {
    Fishing,
    Cargo,
    Ferry,
    Smuggler,
    MotherShip,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PositionSource {
    Ais,
    Beidou,
}

/// A vessel's identity. A vessel may carry both an AIS transponder and a Beidou terminal
/// (Chinese fishing vessels usually do).
#[derive(Debug, Clone, PartialEq)]
pub struct DemoVessel {
    /// AIS identity (MID 412/413, China), None without AIS.
    pub mmsi: Option<u32>,
    /// Beidou terminal id (7 digits), None without one.
    pub beidou_id: Option<String>,
    /// ASCII name as AIS carries it, e.g. "ZHE XIANG YU 01234".
    pub name: String,
    /// Chinese name, e.g. "浙象渔01234".
    pub name_zh: String,
    pub call_sign: String,
    /// AIS ship type: 30 fishing, 60 passenger, 70 cargo.
    pub ship_type: u8,
    pub length_m: u16,
    pub beam_m: u8,
    /// AIS class B (else class A); meaningless without `mmsi`.
    pub class_b: bool,
    pub role: VesselRole,
}

/// One position report.
#[derive(Debug, Clone, PartialEq)]
pub struct TrafficReport {
    pub unix_ms: i64,
    /// Index into [`Traffic::vessels`].
    pub vessel: usize,
    pub source: PositionSource,
    pub lon: f64,
    pub lat: f64,
    /// Speed over ground, knots, 0.1 kn resolution.
    pub speed_kn: f64,
    /// Course over ground, degrees in [0, 360), 0.1° resolution.
    pub course_deg: f64,
    /// True heading, whole degrees: class A AIS only.
    pub heading_deg: Option<f64>,
}

/// The ground truth of one scripted episode.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptedEpisode {
    /// "ais_off", "pier_approach", "rendezvous", "loitering" or "repeat_visit".
    pub kind: &'static str,
    /// Indices into [`Traffic::vessels`].
    pub vessels: Vec<usize>,
    /// The interval during which the episode's rule holds: AIS off → on; moored at the
    /// pier; alongside; at anchor; first visit's start → second visit's end.
    pub start_unix_ms: i64,
    pub end_unix_ms: i64,
    /// The pier's feature id in the piers layer.
    pub pier_id: Option<u64>,
    /// The pier, the meeting place, or where the AIS went off.
    pub lon: f64,
    pub lat: f64,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Traffic {
    pub start_unix_ms: i64,
    pub end_unix_ms: i64,
    pub vessels: Vec<DemoVessel>,
    /// Sorted by time, then vessel, then source.
    pub reports: Vec<TrafficReport>,
    /// Sorted by start time.
    pub episodes: Vec<ScriptedEpisode>,
}

/// The traffic window, and the days (0 = the local date of the start) whose trips can
/// touch it.
struct Window {
    start: i64,
    end: i64,
    first_day: i64,
    last_day: i64,
}

impl Window {
    fn new() -> Self {
        Window {
            start: TRAFFIC_START_UNIX_MS,
            end: TRAFFIC_START_UNIX_MS + i64::from(TRAFFIC_DAYS) * DAY,
            first_day: 0,
            last_day: i64::from(TRAFFIC_DAYS),
        }
    }
}

/// Builds the traffic. Pure: the same seed and inputs give the same traffic on every
/// platform. Panics only if the inputs leave no room for the scripted episodes (the real
/// demo inputs always do).
pub fn traffic(seed: u64, inputs: &DemoInputs, data: &DemoData) -> Traffic {
    let world = World::new(inputs, data);
    let mut rng = Rng::stream(seed, "traffic");
    let window = Window::new();
    let mut registry = Registry::default();
    let harbours: Vec<(Harbour, usize)> = FISHING_HARBOURS
        .iter()
        .filter_map(|&(name_zh, size)| {
            let harbour = fleet::harbour(
                &world,
                &mut rng,
                name_zh,
                BERTHS_PER_HARBOUR,
                GROUNDS_PER_HARBOUR,
            )?;
            Some((harbour, size))
        })
        .collect();
    let (shipu, shipu_fleet) = harbours
        .iter()
        .find(|(h, _)| h.place.name_zh == "石浦")
        .expect("Shipu harbour joins the sea");
    let mut plans = fleet::fishing_fleets(&world, &mut rng, &mut registry, &harbours, &window);
    let smuggler_index = plans.len();
    let scenario = smuggling::smuggling(
        &world,
        &mut rng,
        &mut registry,
        shipu,
        *shipu_fleet,
        &window,
        smuggler_index,
        smuggler_index + 1,
    );
    plans.push(scenario.smuggler);
    plans.push(scenario.mother);
    plans.extend(fleet::cargo_ships(
        &world,
        &mut rng,
        &mut registry,
        shipu,
        &window,
    ));
    let island = world
        .town_berths("檀头山", 6)
        .into_iter()
        .min_by(|a, b| {
            let home = shipu.berths[0].point;
            crate::geodesy::distance_m(a.point, home)
                .total_cmp(&crate::geodesy::distance_m(b.point, home))
        })
        .expect("a ferry berth on Tantoushan");
    plans.push(fleet::ferry(
        &world,
        &mut rng,
        &mut registry,
        shipu,
        &island,
        &window,
    ));
    let reports = reports::sample(
        &plans,
        window.start,
        window.end,
        &mut Rng::stream(seed, "traffic-reports"),
    );
    Traffic {
        start_unix_ms: window.start,
        end_unix_ms: window.end,
        vessels: plans.into_iter().map(|p| p.vessel).collect(),
        reports,
        episodes: scenario.episodes,
    }
}

/// Whether a place counts as a harbour for the loitering rule: a town or a port.
pub fn is_harbour_place(place: &Place) -> bool {
    let kind = place.kind.to_lowercase();
    kind.contains("town") || kind.contains("port") || kind.contains("county seat")
}

/// The rule settings the demo traffic is built for: its report intervals, its harbours
/// (within 3 km of a town or port), and its area of interest as the receivers' coverage
/// (vessels leaving it are out of range, not dark). Idle piers are left to the caller, who
/// reads them from the piers layer.
pub fn alert_config(inputs: &crate::DemoInputs) -> tidewatch_alerts::Config {
    use tidewatch_alerts::{Area, Config, DarkConfig, Harbour, LonLat};
    let ring = |ring: &geo::LineString<f64>| ring.coords().map(|c| LonLat::new(c.x, c.y)).collect();
    let coverage = inputs
        .aoi
        .iter()
        .flat_map(|polygon| std::iter::once(polygon.exterior()).chain(polygon.interiors()))
        .map(ring)
        .collect();
    Config {
        dark: DarkConfig {
            ais_class_a_under_way_ms: AIS_CLASS_A_UNDER_WAY_MS,
            ais_class_a_stationary_ms: AIS_CLASS_A_STATIONARY_MS,
            ais_class_b_ms: AIS_CLASS_B_MS,
            beidou_ms: BEIDOU_MS,
            coverage,
            ..DarkConfig::default()
        },
        harbours: inputs
            .places
            .iter()
            .filter(|p| is_harbour_place(p))
            .map(|p| Harbour {
                name: p.name_en.clone(),
                area: Area::Circle {
                    centre: LonLat::new(p.position.x, p.position.y),
                    radius_m: 3_000.0,
                },
            })
            .collect(),
        ..Config::default()
    }
}

/// The high water at Kanmen during night `night` (18:00–06:00 local, night 1 starting on
/// the first day of the window), if one is listed.
pub fn night_high_water(night: u32) -> Option<i64> {
    let from = local_midnight(i64::from(night) - 1) + 18 * HOUR;
    let to = local_midnight(i64::from(night)) + 6 * HOUR;
    KANMEN_HIGH_WATERS
        .iter()
        .map(|&(t, _)| t)
        .find(|t| (from..to).contains(t))
}

/// Local midnight (Asia/Shanghai) starting day `day`, day 0 being the local date of
/// [`TRAFFIC_START`].
fn local_midnight(day: i64) -> i64 {
    TRAFFIC_START_UNIX_MS - 12 * HOUR + day * DAY
}

/// Milliseconds since local midnight (Asia/Shanghai).
pub fn local_time_of_day_ms(unix_ms: i64) -> i64 {
    (unix_ms + SHANGHAI_OFFSET_MS).rem_euclid(DAY)
}

/// "2026-11-29T22:17:05+08:00".
pub fn format_local(unix_ms: i64) -> String {
    format!("{}+08:00", format_civil(unix_ms + SHANGHAI_OFFSET_MS))
}

/// "2026-11-29T14:17:05Z".
pub fn format_utc(unix_ms: i64) -> String {
    format!("{}Z", format_civil(unix_ms))
}

fn format_civil(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// Proleptic Gregorian date of a day count from 1970-01-01 (Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}
