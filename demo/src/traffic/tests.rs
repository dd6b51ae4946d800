//! Checks of the traffic against what it promises, measured independently of the
//! generator where it matters: land and area of interest with geo's point-in-polygon on
//! the raw inputs, distances with haversine to the raw coastline.

use super::*;
use crate::geodesy::{distance_m, distance_to_segment_m};
use crate::{generate, DemoInputs, DEFAULT_SEED};
use geo::{BoundingRect, Contains, Coord, Geometry, Point, Polygon, Rect};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::OnceLock;
use std::time::Instant;

fn inputs() -> &'static DemoInputs {
    static INPUTS: OnceLock<DemoInputs> = OnceLock::new();
    INPUTS.get_or_init(|| {
        let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/demo"));
        DemoInputs::load(dir).expect("demo inputs load")
    })
}

fn data() -> &'static DemoData {
    static DATA: OnceLock<DemoData> = OnceLock::new();
    DATA.get_or_init(|| generate(DEFAULT_SEED, inputs()).expect("demo generates"))
}

/// Generated once (timed) and shared.
fn tr() -> &'static Traffic {
    static TRAFFIC: OnceLock<Traffic> = OnceLock::new();
    TRAFFIC.get_or_init(|| {
        let started = Instant::now();
        let t = traffic(DEFAULT_SEED, inputs(), data());
        println!(
            "traffic: {} vessels, {} reports, {} episodes in {:.2?} (this build's profile)",
            t.vessels.len(),
            t.reports.len(),
            t.episodes.len(),
            started.elapsed()
        );
        t
    })
}

/// A sentinel that ends every run of reports.
static END: TrafficReport = TrafficReport {
    unix_ms: i64::MAX,
    vessel: usize::MAX,
    source: PositionSource::Ais,
    lon: 0.0,
    lat: 0.0,
    speed_kn: 0.0,
    course_deg: 0.0,
    heading_deg: None,
};

/// More than 3 km from every town or port.
fn far_from_harbours(p: Coord) -> bool {
    inputs()
        .places
        .iter()
        .filter(|place| is_harbour_place(place))
        .all(|place| distance_m(place.position, p) > 3_000.0)
}

fn pos(r: &TrafficReport) -> Coord {
    Coord { x: r.lon, y: r.lat }
}

fn reports_of(vessel: usize, source: PositionSource) -> Vec<&'static TrafficReport> {
    tr().reports
        .iter()
        .filter(|r| r.vessel == vessel && r.source == source)
        .collect()
}

fn in_window<'a>(reports: &[&'a TrafficReport], from: i64, to: i64) -> Vec<&'a TrafficReport> {
    reports
        .iter()
        .filter(|r| (from..=to).contains(&r.unix_ms))
        .copied()
        .collect()
}

fn episodes(kind: &str) -> Vec<&'static ScriptedEpisode> {
    tr().episodes.iter().filter(|e| e.kind == kind).collect()
}

fn is_night(unix_ms: i64) -> bool {
    let t = local_time_of_day_ms(unix_ms);
    !(6 * HOUR..18 * HOUR).contains(&t)
}

/// Haversine distance to the nearest coastline segment, brute force.
fn coast_distance_m(p: Coord) -> f64 {
    inputs()
        .coastline
        .iter()
        .flat_map(|line| line.lines())
        .map(|s| distance_to_segment_m(p, s.start, s.end))
        .fold(f64::INFINITY, f64::min)
}

fn pier_feature(id: u64) -> &'static tidewatch_importers::Feature {
    data()
        .piers
        .iter()
        .find(|f| f.id == id)
        .expect("the pier exists")
}

fn feature_position(f: &tidewatch_importers::Feature) -> Coord {
    match &f.geometry {
        Geometry::Point(p) => p.0,
        other => panic!("not a point: {other:?}"),
    }
}

/// Land polygons with their bounding boxes, for a cheap prefilter before geo's test.
fn land_with_boxes() -> Vec<(Rect, &'static Polygon)> {
    inputs()
        .land
        .iter()
        .map(|p| (p.bounding_rect().expect("non-empty"), p))
        .collect()
}

fn on_land(boxes: &[(Rect, &Polygon)], p: Coord) -> bool {
    boxes.iter().any(|(b, poly)| {
        b.min().x <= p.x
            && p.x <= b.max().x
            && b.min().y <= p.y
            && p.y <= b.max().y
            && poly.contains(&Point(p))
    })
}

#[test]
fn same_seed_gives_the_same_traffic_and_another_seed_differs() {
    let again = traffic(DEFAULT_SEED, inputs(), data());
    assert!(again == *tr());
    // Other seeds differ, and still place every scripted episode.
    for seed in [DEFAULT_SEED + 1, 1, 2026] {
        let other = traffic(seed, inputs(), data());
        assert!(other.reports != tr().reports);
        let n = |kind| other.episodes.iter().filter(|e| e.kind == kind).count();
        assert_eq!(
            [
                n("ais_off"),
                n("pier_approach"),
                n("rendezvous"),
                n("repeat_visit")
            ],
            [2, 2, 2, 1],
            "seed {seed}"
        );
        assert!(n("loitering") >= 2, "seed {seed}");
    }
}

#[test]
fn times_and_high_waters_are_consistent() {
    assert_eq!(format_local(TRAFFIC_START_UNIX_MS), TRAFFIC_START);
    assert_eq!(format_utc(TRAFFIC_START_UNIX_MS), "2026-11-27T04:00:00Z");
    assert_eq!(tr().start_unix_ms, TRAFFIC_START_UNIX_MS);
    assert_eq!(
        tr().end_unix_ms - tr().start_unix_ms,
        i64::from(TRAFFIC_DAYS) * DAY
    );
    // Semidiurnal: one high water every ~12 h 25 min.
    for w in KANMEN_HIGH_WATERS.windows(2) {
        let gap = w[1].0 - w[0].0;
        assert!((11 * HOUR..14 * HOUR).contains(&gap), "{gap}");
    }
    assert_eq!(
        format_local(KANMEN_HIGH_WATERS[4].0),
        "2026-11-30T00:22:25+08:00"
    );
    for night in 1..=TRAFFIC_DAYS {
        let hw = night_high_water(night).expect("one high water each night");
        assert!(is_night(hw), "night {night}");
    }
}

#[test]
fn counts_and_identities() {
    let t = tr();
    assert!((40..=80).contains(&t.vessels.len()), "{}", t.vessels.len());
    assert!(
        (150_000..=400_000).contains(&t.reports.len()),
        "{}",
        t.reports.len()
    );
    let count = |role| t.vessels.iter().filter(|v| v.role == role).count();
    assert!(count(VesselRole::Fishing) >= 30);
    assert!(count(VesselRole::Cargo) >= 8);
    assert_eq!(count(VesselRole::Ferry), 1);
    assert_eq!(count(VesselRole::Smuggler), 1);
    assert_eq!(count(VesselRole::MotherShip), 1);
    let mmsis: Vec<u32> = t.vessels.iter().filter_map(|v| v.mmsi).collect();
    assert_eq!(mmsis.iter().collect::<BTreeSet<_>>().len(), mmsis.len());
    assert!(mmsis.iter().all(|m| (412_000_000..414_000_000).contains(m)));
    let beidou: Vec<&String> = t
        .vessels
        .iter()
        .filter_map(|v| v.beidou_id.as_ref())
        .collect();
    assert_eq!(beidou.iter().collect::<BTreeSet<_>>().len(), beidou.len());
    let names: BTreeSet<&str> = t.vessels.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names.len(), t.vessels.len());
    for v in &t.vessels {
        assert!(v.name.is_ascii() && v.name.len() <= 20, "{}", v.name);
        assert!(v.mmsi.is_some() || v.beidou_id.is_some(), "{}", v.name);
        match v.role {
            VesselRole::Fishing | VesselRole::Smuggler => {
                assert_eq!(v.ship_type, 30);
                assert!(v.beidou_id.is_some(), "fishing vessels report via Beidou");
                assert!(v.name_zh.starts_with("浙象渔"));
            }
            VesselRole::Cargo | VesselRole::MotherShip => assert_eq!(v.ship_type, 70),
            VesselRole::Ferry => assert_eq!(v.ship_type, 60),
        }
    }
    // Some fishing vessels carry AIS as well, some only Beidou.
    let fishing_ais = t
        .vessels
        .iter()
        .filter(|v| v.role == VesselRole::Fishing && v.mmsi.is_some())
        .count();
    assert!(fishing_ais > 5 && fishing_ais < count(VesselRole::Fishing) - 5);
    // Every vessel reports.
    let reporting: BTreeSet<usize> = t.reports.iter().map(|r| r.vessel).collect();
    assert_eq!(reporting.len(), t.vessels.len());
}

#[test]
fn reports_are_sorted_rounded_and_match_the_equipment() {
    let t = tr();
    for w in t.reports.windows(2) {
        let key = |r: &TrafficReport| (r.unix_ms, r.vessel, r.source);
        assert!(key(&w[0]) < key(&w[1]), "{:?} then {:?}", w[0], w[1]);
    }
    for r in &t.reports {
        assert!((t.start_unix_ms..t.end_unix_ms).contains(&r.unix_ms));
        assert_eq!(r.unix_ms % 1000, 0);
        let v = &t.vessels[r.vessel];
        match r.source {
            PositionSource::Ais => assert!(v.mmsi.is_some()),
            PositionSource::Beidou => assert!(v.beidou_id.is_some()),
        }
        for x in [r.lon, r.lat] {
            assert!(((x * 1e6).round() / 1e6 - x).abs() < 1e-12, "{x}");
        }
        assert!(r.speed_kn >= 0.0 && r.speed_kn < 16.0, "{r:?}");
        assert!((0.0..360.0).contains(&r.course_deg), "{r:?}");
        let class_a = r.source == PositionSource::Ais && !v.class_b;
        assert_eq!(r.heading_deg.is_some(), class_a, "{r:?}");
        if let Some(h) = r.heading_deg {
            assert!((0.0..360.0).contains(&h) && h.fract() == 0.0, "{r:?}");
        }
    }
}

#[test]
fn no_report_on_land_and_all_inside_the_area_of_interest() {
    let boxes = land_with_boxes();
    // The test itself tells land from sea: Dancheng lies inland, the open sea east does not.
    assert!(on_land(
        &boxes,
        Coord {
            x: 121.87,
            y: 29.47
        }
    ));
    assert!(!on_land(&boxes, Coord { x: 122.3, y: 29.2 }));
    let pier_positions: Vec<Coord> = data().piers.iter().map(feature_position).collect();
    let mut checked = BTreeSet::new();
    let mut on_land_at_piers = 0;
    for r in &tr().reports {
        let p = pos(r);
        if !checked.insert((r.lon.to_bits(), r.lat.to_bits())) {
            continue;
        }
        assert!(inputs().aoi.contains(&Point(p)), "outside the area: {r:?}");
        if on_land(&boxes, p) {
            // Allowed only for a vessel lying at a pier that is itself at the shore.
            let at_pier = r.speed_kn == 0.0
                && pier_positions
                    .iter()
                    .any(|&q| distance_m(p, q) <= 100.0 && coast_distance_m(q) <= 100.0);
            assert!(at_pier, "on land: {r:?}");
            on_land_at_piers += 1;
        }
    }
    println!(
        "{} distinct positions checked, {on_land_at_piers} on land at piers",
        checked.len()
    );
}

/// Distance from `p` to the edge of the area of interest.
fn aoi_edge_distance_m(p: Coord) -> f64 {
    inputs()
        .aoi
        .iter()
        .flat_map(|poly| poly.exterior().lines())
        .map(|s| distance_to_segment_m(p, s.start, s.end))
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn report_intervals_follow_each_source() {
    let t = tr();
    let mut by_stream: BTreeMap<(usize, PositionSource), Vec<&TrafficReport>> = BTreeMap::new();
    for r in &t.reports {
        by_stream.entry((r.vessel, r.source)).or_default().push(r);
    }
    let mut explained_gaps = 0;
    for ((vessel, source), reports) in &by_stream {
        let v = &t.vessels[*vessel];
        for w in reports.windows(2) {
            let dt = w[1].unix_ms - w[0].unix_ms;
            let expected = match source {
                PositionSource::Beidou => BEIDOU_MS,
                PositionSource::Ais if v.class_b => AIS_CLASS_B_MS,
                // Class A: 3 min when the last report was stationary, else 30 s.
                PositionSource::Ais if w[0].speed_kn < 1.0 => AIS_CLASS_A_STATIONARY_MS,
                PositionSource::Ais => AIS_CLASS_A_UNDER_WAY_MS,
            };
            if dt == expected {
                continue;
            }
            assert!(dt > expected, "{} {source:?}: {dt} ms", v.name);
            // A gap: the scripted AIS switch-off, or out of range beyond the edge.
            let scripted = *source == PositionSource::Ais
                && episodes("ais_off").iter().any(|e| {
                    e.vessels == [*vessel]
                        && w[0].unix_ms < e.start_unix_ms
                        && w[1].unix_ms >= e.end_unix_ms
                        && e.start_unix_ms - w[0].unix_ms <= expected
                        && w[1].unix_ms - e.end_unix_ms <= expected
                });
            let out_of_range = aoi_edge_distance_m(pos(w[0])) < 1_500.0
                && aoi_edge_distance_m(pos(w[1])) < 1_500.0;
            assert!(
                scripted || out_of_range,
                "{} {source:?}: unexplained gap of {dt} ms after {:?}",
                v.name,
                w[0]
            );
            explained_gaps += 1;
        }
    }
    assert!(explained_gaps >= 2);
}

#[test]
fn vessels_move_as_their_role_says() {
    let t = tr();
    for r in &t.reports {
        let v = &t.vessels[r.vessel];
        let moving = r.speed_kn > 1.0;
        let tod = local_time_of_day_ms(r.unix_ms);
        match v.role {
            // Out before dawn, back in the afternoon, never in the evening.
            VesselRole::Fishing if moving => {
                assert!((3 * HOUR..18 * HOUR).contains(&tod), "{} {r:?}", v.name)
            }
            VesselRole::Cargo if moving => {
                assert!((7.5..=14.5).contains(&r.speed_kn), "{} {r:?}", v.name)
            }
            VesselRole::Ferry if moving => {
                assert!((7 * HOUR..19 * HOUR).contains(&tod), "{r:?}")
            }
            _ => {}
        }
    }
    // Fishing boats trawl slowly (2–5 kn) for a good part of the day.
    let trawling = t
        .reports
        .iter()
        .filter(|r| {
            t.vessels[r.vessel].role == VesselRole::Fishing && (2.0..=5.0).contains(&r.speed_kn)
        })
        .count();
    assert!(trawling > 20_000, "{trawling}");
}

#[test]
fn the_scripted_episodes_are_all_there() {
    let t = tr();
    let kinds: Vec<&str> = t.episodes.iter().map(|e| e.kind).collect();
    for (kind, n) in [
        ("ais_off", 2),
        ("pier_approach", 2),
        ("rendezvous", 2),
        ("repeat_visit", 1),
    ] {
        assert_eq!(kinds.iter().filter(|&&k| k == kind).count(), n, "{kind}");
    }
    // The mother ship's waits, and the pier stays when the pier is far from any town.
    let loitering = kinds.iter().filter(|&&k| k == "loitering").count();
    assert!(loitering == 2 || loitering == 4, "{loitering}");
    for w in t.episodes.windows(2) {
        assert!(w[0].start_unix_ms <= w[1].start_unix_ms);
    }
    for e in &t.episodes {
        assert!(e.start_unix_ms < e.end_unix_ms, "{e:?}");
        assert!(
            (t.start_unix_ms..t.end_unix_ms).contains(&e.start_unix_ms)
                && e.end_unix_ms <= t.end_unix_ms
        );
        assert!(!e.note.is_empty());
    }
    // The order of each night: meeting, AIS off, pier, AIS back on.
    for ((meet, off), pier) in episodes("rendezvous")
        .iter()
        .zip(episodes("ais_off"))
        .zip(episodes("pier_approach"))
    {
        assert!(meet.end_unix_ms <= off.start_unix_ms);
        assert!(off.start_unix_ms < pier.start_unix_ms);
        assert!(pier.end_unix_ms < off.end_unix_ms);
    }
}

fn smuggler() -> usize {
    tr().vessels
        .iter()
        .position(|v| v.role == VesselRole::Smuggler)
        .expect("a smuggler")
}

fn mother() -> usize {
    tr().vessels
        .iter()
        .position(|v| v.role == VesselRole::MotherShip)
        .expect("a mother ship")
}

#[test]
fn ais_goes_dark_offshore_at_night_while_beidou_goes_on() {
    let s = smuggler();
    let ais = reports_of(s, PositionSource::Ais);
    let beidou = reports_of(s, PositionSource::Beidou);
    for e in episodes("ais_off") {
        assert_eq!(e.vessels, [s]);
        // After 22:00 local, at night.
        let off_tod = local_time_of_day_ms(e.start_unix_ms);
        assert!(!(5 * HOUR..22 * HOUR).contains(&off_tod), "{e:?}");
        assert!(is_night(e.end_unix_ms), "{e:?}");
        let gap = e.end_unix_ms - e.start_unix_ms;
        assert!((3 * HOUR..=5 * HOUR).contains(&gap), "{gap}");
        // Silent in between, reporting right before and right after.
        assert!(in_window(&ais, e.start_unix_ms, e.end_unix_ms - 1).is_empty());
        let last = ais.iter().rfind(|r| r.unix_ms < e.start_unix_ms).unwrap();
        let next = ais.iter().find(|r| r.unix_ms >= e.end_unix_ms).unwrap();
        assert!(e.start_unix_ms - last.unix_ms <= AIS_CLASS_B_MS);
        assert!(next.unix_ms - e.end_unix_ms <= AIS_CLASS_B_MS);
        // Off and on more than 10 km from shore (with margin).
        for r in [last, next] {
            let d = coast_distance_m(pos(r));
            assert!(d > 10_500.0, "{d} m offshore: {r:?}");
        }
        assert!(coast_distance_m(Coord { x: e.lon, y: e.lat }) > 10_500.0);
        // Beidou keeps reporting every 3 min through the gap.
        let dark = in_window(&beidou, e.start_unix_ms, e.end_unix_ms);
        assert!(dark.len() as i64 >= gap / BEIDOU_MS - 1, "{}", dark.len());
        for w in dark.windows(2) {
            assert_eq!(w[1].unix_ms - w[0].unix_ms, BEIDOU_MS);
        }
    }
}

#[test]
fn the_smuggler_lies_at_an_idle_hot_spot_pier_around_high_water() {
    let s = smuggler();
    let beidou = reports_of(s, PositionSource::Beidou);
    let ais = reports_of(s, PositionSource::Ais);
    for e in episodes("pier_approach") {
        assert_eq!(e.vessels, [s]);
        let pier = pier_feature(e.pier_id.expect("a pier"));
        assert_eq!(pier.properties["idle"], true);
        let town = pier.properties["town_zh"].as_str().unwrap();
        assert!(["高塘", "鹤浦", "定山"].contains(&town), "{town}");
        let at = feature_position(pier);
        assert_eq!((e.lon, e.lat), (at.x, at.y));
        // 90 minutes, centred on a high water, at night.
        assert!(e.end_unix_ms - e.start_unix_ms >= 90 * MINUTE);
        let mid = (e.start_unix_ms + e.end_unix_ms) / 2;
        assert!(
            KANMEN_HIGH_WATERS
                .iter()
                .any(|&(hw, _)| (hw - mid).abs() <= MINUTE),
            "not centred on a high water: {e:?}"
        );
        assert!(is_night(e.start_unix_ms) && is_night(e.end_unix_ms));
        // Within 300 m below 2 kn all along (with margin), seen only via Beidou.
        let seen = in_window(&beidou, e.start_unix_ms, e.end_unix_ms);
        assert!(seen.len() >= 29, "{}", seen.len());
        for r in &seen {
            assert!(distance_m(pos(r), at) < 250.0, "{r:?}");
            assert!(r.speed_kn < 1.5, "{r:?}");
        }
        assert!(in_window(&ais, e.start_unix_ms, e.end_unix_ms).is_empty());
    }
}

/// The report of `reports` nearest in time to `t`.
fn nearest_in_time<'a>(reports: &[&'a TrafficReport], t: i64) -> &'a TrafficReport {
    reports
        .iter()
        .min_by_key(|r| (r.unix_ms - t).abs())
        .copied()
        .expect("reports")
}

#[test]
fn the_smuggler_meets_the_mother_ship_at_night() {
    let (s, m) = (smuggler(), mother());
    let mother_vessel = &tr().vessels[m];
    assert!(mother_vessel.mmsi.is_some() && !mother_vessel.class_b);
    let s_reports: Vec<&TrafficReport> = tr().reports.iter().filter(|r| r.vessel == s).collect();
    let m_reports = reports_of(m, PositionSource::Ais);
    for e in episodes("rendezvous") {
        assert_eq!(e.vessels, [s, m]);
        let duration = e.end_unix_ms - e.start_unix_ms;
        assert!(
            (30 * MINUTE..=40 * MINUTE).contains(&duration),
            "{duration}"
        );
        assert!(is_night(e.start_unix_ms) && is_night(e.end_unix_ms));
        let seen = in_window(&s_reports, e.start_unix_ms, e.end_unix_ms);
        assert!(seen.len() >= 40, "{}", seen.len()); // AIS each minute and Beidou
        assert!(
            seen.iter().any(|r| r.source == PositionSource::Ais),
            "both AIS on"
        );
        for r in seen {
            let other = nearest_in_time(&m_reports, r.unix_ms);
            assert!((other.unix_ms - r.unix_ms).abs() <= AIS_CLASS_A_STATIONARY_MS);
            assert!(distance_m(pos(r), pos(other)) < 400.0);
            assert!(r.speed_kn < 1.5 && other.speed_kn < 1.5);
        }
    }
}

#[test]
fn loitering_is_stopped_away_from_harbours() {
    let m = mother();
    let loitering = episodes("loitering");
    assert_eq!(loitering.iter().filter(|e| e.vessels == [m]).count(), 2);
    for e in loitering {
        let [v] = e.vessels[..] else {
            panic!("one vessel loiters: {e:?}")
        };
        assert!(v == m || v == smuggler());
        assert!(e.end_unix_ms - e.start_unix_ms >= 80 * MINUTE);
        let at = Coord { x: e.lon, y: e.lat };
        for place in inputs().places.iter().filter(|p| is_harbour_place(p)) {
            assert!(
                distance_m(place.position, at) > 3_000.0,
                "{}",
                place.name_en
            );
        }
        let all: Vec<&TrafficReport> = tr().reports.iter().filter(|r| r.vessel == v).collect();
        let seen = in_window(&all, e.start_unix_ms, e.end_unix_ms);
        assert!(seen.len() >= 25, "{}", seen.len());
        for r in seen {
            assert!(r.speed_kn < 1.5, "{r:?}");
            assert!(distance_m(pos(r), at) < 100.0, "{r:?}");
            assert!(far_from_harbours(pos(r)), "{r:?}");
        }
    }
}

/// Every stretch of 75 min or more that a vessel spends below 2 kn more than 3 km from any
/// town or port is a scripted loitering episode: harbour berths are near their towns.
#[test]
fn unscripted_vessels_never_loiter() {
    let mut by_vessel: BTreeMap<usize, Vec<&TrafficReport>> = BTreeMap::new();
    for r in &tr().reports {
        by_vessel.entry(r.vessel).or_default().push(r);
    }
    let mut stretches = 0;
    for (v, reports) in by_vessel {
        let mut start: Option<&TrafficReport> = None;
        let mut last: Option<&TrafficReport> = None;
        for r in reports.iter().copied().chain(std::iter::once(&END)) {
            let slow_and_far =
                r.unix_ms != i64::MAX && r.speed_kn < 2.0 && far_from_harbours(pos(r));
            if slow_and_far {
                start.get_or_insert(r);
                last = Some(r);
                continue;
            }
            if let (Some(a), Some(b)) = (start.take(), last.take()) {
                if b.unix_ms - a.unix_ms >= 75 * MINUTE {
                    stretches += 1;
                    let covered = episodes("loitering").iter().any(|e| {
                        e.vessels == [v]
                            && e.start_unix_ms <= a.unix_ms
                            && b.unix_ms <= e.end_unix_ms
                    });
                    assert!(
                        covered,
                        "{} stopped from {} to {} unscripted",
                        tr().vessels[v].name,
                        format_local(a.unix_ms),
                        format_local(b.unix_ms)
                    );
                }
            }
        }
    }
    assert!(stretches >= 2);
}

/// Only the smuggler lies below 2 kn within 300 m of an idle pier at night, and only
/// during its scripted visits.
#[test]
fn only_the_smuggler_stops_at_idle_piers_at_night() {
    let idle: Vec<Coord> = data()
        .piers
        .iter()
        .filter(|f| f.properties["idle"] == true)
        .map(feature_position)
        .collect();
    let mut near_idle: BTreeMap<(u64, u64), bool> = BTreeMap::new();
    let mut visits = 0;
    for r in &tr().reports {
        if r.speed_kn >= 2.0 || !is_night(r.unix_ms) {
            continue;
        }
        let near = *near_idle
            .entry((r.lon.to_bits(), r.lat.to_bits()))
            .or_insert_with(|| idle.iter().any(|&q| distance_m(q, pos(r)) <= 300.0));
        if near {
            visits += 1;
            let scripted = episodes("pier_approach").iter().any(|e| {
                e.vessels == [r.vessel] && (e.start_unix_ms..=e.end_unix_ms).contains(&r.unix_ms)
            });
            assert!(
                scripted,
                "{} near an idle pier: {r:?}",
                tr().vessels[r.vessel].name
            );
        }
    }
    assert!(visits >= 60, "{visits}");
}

#[test]
fn the_smuggler_comes_back_to_the_same_pier_two_to_three_days_later() {
    let visits = episodes("pier_approach");
    let [repeat] = episodes("repeat_visit")[..] else {
        panic!("one repeat visit");
    };
    assert_eq!(repeat.vessels, [smuggler()]);
    assert_eq!(repeat.pier_id, visits[0].pier_id);
    assert_eq!(repeat.pier_id, visits[1].pier_id);
    assert_eq!(repeat.start_unix_ms, visits[0].start_unix_ms);
    assert_eq!(repeat.end_unix_ms, visits[1].end_unix_ms);
    let apart = visits[1].start_unix_ms - visits[0].start_unix_ms;
    assert!((2 * DAY..=3 * DAY).contains(&apart), "{apart}");
}
