//! Every rule on each side of each of its thresholds, with synthetic tracks placed at
//! exact distances by `metric::offset_m` (the engine's own local plane).

use tidewatch_alerts::metric::{distance_m, offset_m};
use tidewatch_alerts::*;
use tidewatch_tides::{sun_day, Crossing, Date, Zone};

/// 2026-11-28 23:00 local (15:00 UTC): night in Xiangshan.
const NIGHT: i64 = 1_795_878_000_000;
/// 2026-11-28 12:00 local: day.
const NOON: i64 = 1_795_838_400_000;
/// Open sea east of Shipu.
const SEA: LonLat = LonLat::new(122.10, 29.10);
const MIN: i64 = MINUTE_MS;

fn report(vessel: u64, source: Source, time_ms: i64, position: LonLat, speed_kn: f64) -> Report {
    Report {
        vessel: VesselId(vessel),
        source,
        time_ms,
        position,
        speed_kn,
        course_deg: 90.0,
        heading_deg: None,
    }
}

/// Feeds reports in order, advancing the clock to each, then to `until`.
fn run(engine: &mut Engine, reports: &[Report], until: i64) -> Vec<EventUpdate> {
    let mut out = Vec::new();
    let mut sorted = reports.to_vec();
    sorted.sort_by_key(|r| r.time_ms);
    for r in &sorted {
        engine.advance_to(r.time_ms, &mut out);
        engine.ingest(r, &mut out).expect("valid report");
    }
    engine.advance_to(until, &mut out);
    out
}

fn opened(updates: &[EventUpdate], kind: EventKind) -> Vec<&Event> {
    updates
        .iter()
        .filter_map(|u| match u {
            EventUpdate::Opened(e) if e.kind == kind => Some(e),
            _ => None,
        })
        .collect()
}

fn closed(updates: &[EventUpdate], id: EventId) -> Vec<(i64, &Closing)> {
    updates
        .iter()
        .filter_map(|u| match u {
            EventUpdate::Closed {
                id: i,
                end_ms,
                closing,
            } if *i == id => Some((*end_ms, closing)),
            _ => None,
        })
        .collect()
}

fn extended(updates: &[EventUpdate], id: EventId) -> usize {
    updates
        .iter()
        .filter(|u| matches!(u, EventUpdate::Extended { id: i, .. } if *i == id))
        .count()
}

/// Reports every `step` from `from` to `to` inclusive at one place.
fn stay(
    vessel: u64,
    source: Source,
    (from, to, step): (i64, i64, i64),
    at: LonLat,
    speed: f64,
) -> Vec<Report> {
    (0..)
        .map(|i| from + i * step)
        .take_while(|&t| t <= to)
        .map(|t| report(vessel, source, t, at, speed))
        .collect()
}

fn engine(config: Config) -> Engine {
    Engine::new(config).expect("valid config")
}

// ---------------------------------------------------------------- dark vessel

#[test]
fn dark_flips_just_after_interval_times_factor_for_every_source() {
    let d = DarkConfig::default();
    let cases = [
        (Source::AisClassA, 8.0, d.ais_class_a_under_way_ms),
        (Source::AisClassA, 0.2, d.ais_class_a_stationary_ms),
        (Source::AisClassB, 8.0, d.ais_class_b_ms),
        (Source::Beidou, 8.0, d.beidou_ms),
    ];
    for (source, speed, interval) in cases {
        let limit = (interval as f64 * d.gap_factor) as i64;
        let mut e = engine(Config::default());
        let r = report(1, source, NIGHT, SEA, speed);
        let mut out = run(&mut e, &[r], NIGHT + limit);
        assert!(
            out.is_empty(),
            "{source:?} {speed}: dark at exactly the limit"
        );
        e.advance_to(NIGHT + limit + 1, &mut out);
        let dark = opened(&out, EventKind::DarkVessel);
        assert_eq!(dark.len(), 1, "{source:?} {speed}");
        let event = dark[0];
        assert_eq!(event.start_ms, NIGHT);
        assert_eq!(event.end_ms, None);
        match &event.evidence {
            Evidence::DarkVessel {
                last,
                limit_ms,
                expected_interval_ms,
                ..
            } => {
                assert_eq!((*limit_ms, *expected_interval_ms), (limit, interval));
                assert_eq!((last.position, last.speed_kn), (SEA, speed));
            }
            other => panic!("{other:?}"),
        }
        // Later ticks do not raise it again.
        e.advance_to(NIGHT + 10 * limit, &mut out);
        assert_eq!(opened(&out, EventKind::DarkVessel).len(), 1);
    }
}

#[test]
fn a_report_just_before_the_limit_keeps_the_stream_alive() {
    let limit = 3 * 180_000;
    let mut e = engine(Config::default());
    let reports = [
        report(1, Source::Beidou, NIGHT, SEA, 8.0),
        report(1, Source::Beidou, NIGHT + limit, SEA, 8.0),
    ];
    let out = run(&mut e, &reports, NIGHT + 2 * limit);
    assert!(out.is_empty(), "{out:?}");
}

#[test]
fn reappearance_closes_the_gap_with_distance_and_implied_speed() {
    let mut e = engine(Config::default());
    let back = offset_m(SEA, 0.0, 18_520.0); // 10 NM north
    let gap = 2 * HOUR_MS;
    let out = run(
        &mut e,
        &[
            report(1, Source::Beidou, NIGHT, SEA, 8.0),
            report(1, Source::Beidou, NIGHT + gap, back, 8.0),
        ],
        NIGHT + gap,
    );
    let dark = opened(&out, EventKind::DarkVessel);
    assert_eq!(dark.len(), 1);
    let closes = closed(&out, dark[0].id);
    assert_eq!(closes.len(), 1);
    let (end, closing) = closes[0];
    assert_eq!(end, NIGHT + gap);
    match closing {
        Closing::Reappeared {
            gap_ms,
            distance_m,
            implied_speed_kn,
            ..
        } => {
            assert_eq!(*gap_ms, gap);
            assert!((distance_m - 18_520.0).abs() < 1e-6);
            assert!((implied_speed_kn - 5.0).abs() < 1e-9);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn ais_dark_while_beidou_reports_is_high_both_dark_is_medium() {
    let mut config = Config::default();
    config.dark.ais_class_b_ms = 60_000;
    // AIS class B every minute until NIGHT, Beidou every 3 min for two hours.
    let mut reports = stay(
        1,
        Source::AisClassB,
        (NIGHT - 30 * MIN, NIGHT, MIN),
        SEA,
        8.0,
    );
    reports.extend(stay(
        1,
        Source::Beidou,
        (NIGHT - 30 * MIN, NIGHT + 2 * HOUR_MS, 3 * MIN),
        SEA,
        8.0,
    ));
    let out = run(&mut engine(config.clone()), &reports, NIGHT + 2 * HOUR_MS);
    let dark = opened(&out, EventKind::DarkVessel);
    assert_eq!(dark.len(), 1);
    assert_eq!(dark[0].severity, Severity::High);
    assert!(matches!(
        dark[0].evidence,
        Evidence::DarkVessel {
            stream: Stream::Ais,
            other_stream_reporting: true,
            ..
        }
    ));
    // Both fall silent together: two events, neither sees the other reporting.
    let both = [
        report(2, Source::AisClassB, NIGHT, SEA, 8.0),
        report(2, Source::Beidou, NIGHT, SEA, 8.0),
    ];
    let out = run(&mut engine(config), &both, NIGHT + HOUR_MS);
    let dark = opened(&out, EventKind::DarkVessel);
    assert_eq!(dark.len(), 2);
    assert!(dark.iter().all(|e| e.severity == Severity::Medium));
}

#[test]
fn gaps_in_harbour_or_at_the_edge_of_coverage_are_not_dark() {
    let mut config = Config::default();
    config.harbours.push(Harbour {
        name: "Shipu".into(),
        area: Area::Circle {
            centre: SEA,
            radius_m: 3_000.0,
        },
    });
    let far = offset_m(SEA, 10_000.0, 0.0);
    // Coverage: a square 20 km a side whose west edge runs through SEA.
    let ring = vec![
        offset_m(far, -10_000.0, -10_000.0),
        offset_m(far, 10_000.0, -10_000.0),
        offset_m(far, 10_000.0, 10_000.0),
        offset_m(far, -10_000.0, 10_000.0),
    ];
    config.dark.coverage = vec![ring];
    let at_edge = offset_m(far, 9_000.0, 0.0); // 1 km from the east edge
    let inside = offset_m(far, 5_000.0, 0.0); // 5 km from every edge
    let outside = offset_m(far, 12_000.0, 0.0);
    let reports = [
        report(1, Source::Beidou, NIGHT, offset_m(SEA, 2_900.0, 0.0), 0.0),
        report(2, Source::Beidou, NIGHT, at_edge, 9.0),
        report(3, Source::Beidou, NIGHT, outside, 9.0),
        report(4, Source::Beidou, NIGHT, inside, 9.0),
        report(5, Source::Beidou, NIGHT, offset_m(SEA, 3_100.0, 0.0), 9.0),
    ];
    let out = run(&mut engine(config.clone()), &reports, NIGHT + HOUR_MS);
    let dark: Vec<VesselId> = opened(&out, EventKind::DarkVessel)
        .iter()
        .map(|e| e.vessels[0])
        .collect();
    // 1: in the harbour; 2: 1 km from the coverage's edge; 3: outside it; 4: 5 km
    // inside; 5: just outside the harbour, 3.1 km inside the coverage's west edge.
    assert_eq!(dark, vec![VesselId(4), VesselId(5)]);
    // Harbour gaps are reported when configured to be:
    config.dark.in_harbours = true;
    config.dark.coverage.clear();
    let out = run(&mut engine(config), &reports[..1], NIGHT + HOUR_MS);
    assert_eq!(opened(&out, EventKind::DarkVessel).len(), 1);
}

#[test]
fn out_of_order_and_invalid_reports_are_refused() {
    let mut e = engine(Config::default());
    let mut out = Vec::new();
    e.ingest(&report(1, Source::Beidou, NIGHT, SEA, 3.0), &mut out)
        .unwrap();
    assert!(matches!(
        e.ingest(&report(1, Source::Beidou, NIGHT, SEA, 3.0), &mut out),
        Err(ReportError::OutOfOrder { .. })
    ));
    assert!(matches!(
        e.ingest(
            &report(1, Source::AisClassA, NIGHT, LonLat::new(f64::NAN, 1.0), 3.0),
            &mut out
        ),
        Err(ReportError::InvalidPosition { .. })
    ));
    assert!(matches!(
        e.ingest(&report(1, Source::AisClassA, NIGHT, SEA, -1.0), &mut out),
        Err(ReportError::InvalidSpeed { .. })
    ));
}

// ---------------------------------------------------------------- night pier approach

const PIER_AT: LonLat = LonLat::new(121.95, 29.20);

fn with_pier() -> Config {
    Config {
        piers: vec![Pier {
            id: 199,
            name: "Hepu Pier 5".into(),
            position: PIER_AT,
        }],
        ..Config::default()
    }
}

fn approaches(config: Config, reports: &[Report], windows: Vec<TimeSpan>) -> Vec<EventUpdate> {
    let mut e = engine(config);
    e.set_tide_windows(windows);
    let until = reports.iter().map(|r| r.time_ms).max().unwrap_or(0);
    run(&mut e, reports, until)
}

#[test]
fn approach_flips_at_300_m_and_2_kn() {
    let cases = [
        (299.0, 1.9, true),
        (301.0, 1.9, false),
        (299.0, 2.1, false),
        (299.999, 1.99, true),
        (299.0, 2.0, false),
    ];
    for (metres, knots, expected) in cases {
        for (east, north) in [
            (metres, 0.0),
            (0.0, -metres),
            (metres / 2f64.sqrt(), metres / 2f64.sqrt()),
        ] {
            let at = offset_m(PIER_AT, east, north);
            let out = approaches(
                with_pier(),
                &[report(1, Source::Beidou, NIGHT, at, knots)],
                vec![],
            );
            let events = opened(&out, EventKind::NightPierApproach);
            assert_eq!(events.len() == 1, expected, "{metres} m {knots} kn");
            if let Some(e) = events.first() {
                assert_eq!(e.severity, Severity::Medium);
                match &e.evidence {
                    Evidence::NightPierApproach {
                        pier, distance_m, ..
                    } => {
                        assert_eq!(pier.id, 199);
                        assert!((distance_m - metres).abs() < 1e-6);
                    }
                    other => panic!("{other:?}"),
                }
            }
        }
    }
}

#[test]
fn approach_needs_night_at_the_pier_from_its_own_sunset() {
    let date = Date::new(2026, 11, 28).unwrap();
    let sun = sun_day(PIER_AT.lon, PIER_AT.lat, date, Zone::Shanghai).unwrap();
    let next = sun_day(PIER_AT.lon, PIER_AT.lat, date.succ(), Zone::Shanghai).unwrap();
    let (Crossing::At(sunset), Crossing::At(sunrise)) = (sun.sunset, next.sunrise) else {
        panic!("the Sun rises and sets in Xiangshan")
    };
    let near = offset_m(PIER_AT, 100.0, 0.0);
    for (t, night) in [
        (NOON, false),
        (sunset * 1000 - 1000, false),
        (sunset * 1000, true),
        // Civil twilight counts as night by default.
        (sunset * 1000 + 10 * MIN, true),
        // The next morning, across midnight.
        (sunrise * 1000 - 1000, true),
        (sunrise * 1000, false),
    ] {
        let out = approaches(
            with_pier(),
            &[report(1, Source::Beidou, t, near, 0.0)],
            vec![],
        );
        assert_eq!(
            opened(&out, EventKind::NightPierApproach).len(),
            usize::from(night),
            "at {t}"
        );
    }
    // Sunset in Xiangshan at the end of November is about 16:55 local.
    let local_minutes = (sunset + 8 * 3600).rem_euclid(86_400) / 60;
    assert!(
        (16 * 60 + 45..17 * 60 + 5).contains(&local_minutes),
        "{local_minutes}"
    );
    // A fixed clock rule: 22:00-05:00.
    let mut config = with_pier();
    config.approach.night = NightRule::parse("22:00-05:00").unwrap();
    let ten_pm = NIGHT - HOUR_MS; // 22:00 local
    for (t, night) in [(ten_pm - 1000, false), (ten_pm, true)] {
        let out = approaches(
            config.clone(),
            &[report(1, Source::Beidou, t, near, 0.0)],
            vec![],
        );
        assert_eq!(
            opened(&out, EventKind::NightPierApproach).len(),
            usize::from(night)
        );
    }
}

#[test]
fn an_approach_across_midnight_is_one_episode_extended_then_closed_once() {
    let near = offset_m(PIER_AT, 0.0, 150.0);
    // 23:30 to 00:30 local, every minute, then away at speed.
    let from = NIGHT + 30 * MIN;
    let mut reports = stay(1, Source::AisClassB, (from, from + HOUR_MS, MIN), near, 0.3);
    let leave = from + HOUR_MS + MIN;
    reports.push(report(
        1,
        Source::AisClassB,
        leave,
        offset_m(PIER_AT, 0.0, 800.0),
        6.0,
    ));
    reports.push(report(
        1,
        Source::AisClassB,
        leave + MIN,
        offset_m(PIER_AT, 0.0, 1_500.0),
        6.0,
    ));
    let window = TimeSpan {
        start_ms: from + 20 * MIN,
        end_ms: from + 40 * MIN,
    };
    let out = approaches(with_pier(), &reports, vec![window]);
    let events = opened(&out, EventKind::NightPierApproach);
    assert_eq!(events.len(), 1, "one episode across midnight");
    let event = events[0];
    assert_eq!(event.start_ms, from);
    assert_eq!(event.severity, Severity::Medium, "before the tide window");
    assert_eq!(extended(&out, event.id), 60);
    // The tide window raises the severity of the open episode.
    let severities: Vec<Severity> = out
        .iter()
        .filter_map(|u| match u {
            EventUpdate::Extended { id, fix, severity } if *id == event.id => {
                Some((fix.time_ms, *severity))
            }
            _ => None,
        })
        .filter(|(t, _)| *t == window.start_ms || *t == window.start_ms - MIN)
        .map(|(_, s)| s)
        .collect();
    assert_eq!(severities, vec![Severity::Medium, Severity::High]);
    let closes = closed(&out, event.id);
    assert_eq!(closes.len(), 1);
    assert_eq!(
        closes[0].0,
        from + HOUR_MS,
        "ends at the last report at the pier"
    );
    match &event.evidence {
        Evidence::NightPierApproach { night, .. } => {
            assert!(night.contains(from) && night.contains(from + HOUR_MS));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_approach_inside_a_tide_window_is_high() {
    let near = offset_m(PIER_AT, 0.0, 150.0);
    let window = TimeSpan {
        start_ms: NIGHT - HOUR_MS,
        end_ms: NIGHT,
    };
    for (t, severity) in [(NIGHT, Severity::High), (NIGHT + 1, Severity::Medium)] {
        let out = approaches(
            with_pier(),
            &[report(1, Source::Beidou, t, near, 0.0)],
            vec![window],
        );
        let events = opened(&out, EventKind::NightPierApproach);
        assert_eq!(events[0].severity, severity);
        let Evidence::NightPierApproach { tide_window, .. } = &events[0].evidence else {
            panic!()
        };
        assert_eq!(tide_window.is_some(), severity == Severity::High);
    }
}

// ---------------------------------------------------------------- rendezvous

/// Two vessels `apart` metres apart at `knots`, both reporting every minute for `minutes`.
fn pair(apart: f64, knots: f64, minutes: i64, config: Config) -> Vec<EventUpdate> {
    let b = offset_m(SEA, apart, 0.0);
    let mut reports = stay(
        1,
        Source::AisClassB,
        (NIGHT, NIGHT + minutes * MIN, MIN),
        SEA,
        knots,
    );
    reports.extend(stay(
        2,
        Source::Beidou,
        (NIGHT + 20_000, NIGHT + minutes * MIN, MIN),
        b,
        knots,
    ));
    // Then vessel 2 leaves.
    let away = NIGHT + (minutes + 1) * MIN;
    reports.push(report(
        2,
        Source::Beidou,
        away,
        offset_m(SEA, 3_000.0, 0.0),
        8.0,
    ));
    reports.push(report(1, Source::AisClassB, away + 10_000, SEA, knots));
    let mut e = engine(config);
    run(&mut e, &reports, away + 10_000)
}

#[test]
fn rendezvous_flips_at_500_m_2_kn_and_20_minutes() {
    for (apart, knots, minutes, expected) in [
        (499.0, 1.9, 21, true),
        (501.0, 1.9, 21, false),
        (499.0, 2.1, 21, false),
        (499.0, 1.9, 19, false),
        (500.0, 1.0, 21, true),
    ] {
        let out = pair(apart, knots, minutes, Config::default());
        let events = opened(&out, EventKind::Rendezvous);
        assert_eq!(
            events.len() == 1,
            expected,
            "{apart} m {knots} kn {minutes} min"
        );
        if let Some(event) = events.first() {
            // Held from the first report that saw both (vessel 2's first, 20 s in).
            assert_eq!(event.start_ms, NIGHT + 20_000);
            let mut vessels = event.vessels.clone();
            vessels.sort();
            assert_eq!(vessels, vec![VesselId(1), VesselId(2)]);
            // Opened when 20 minutes had passed, then extended until vessel 2 left.
            let closes = closed(&out, event.id);
            assert_eq!(closes.len(), 1);
            assert_eq!(closes[0].0, NIGHT + minutes * MIN);
            assert!(extended(&out, event.id) > 0);
        }
    }
}

#[test]
fn rendezvous_at_exactly_20_minutes_opens_19_59_does_not() {
    // Vessel 2 reports only once, at NIGHT; vessel 1 pairs with it as long as that
    // position is fresh (10 min), so lengthen the freshness for this check.
    for (last, expected) in [(20 * MIN, 1), (20 * MIN - 1000, 0)] {
        let config = Config {
            max_position_age_ms: HOUR_MS,
            ..Config::default()
        };
        let mut reports = vec![report(
            2,
            Source::Beidou,
            NIGHT,
            offset_m(SEA, 400.0, 0.0),
            0.0,
        )];
        reports.extend(stay(
            1,
            Source::AisClassB,
            (NIGHT, NIGHT + last, 1000),
            SEA,
            0.0,
        ));
        let out = run(&mut engine(config), &reports, NIGHT + last);
        assert_eq!(
            opened(&out, EventKind::Rendezvous).len(),
            expected,
            "{last}"
        );
    }
}

#[test]
fn moored_boats_in_a_harbour_are_not_a_rendezvous() {
    let config = Config {
        harbours: vec![Harbour {
            name: "Shipu".into(),
            area: Area::Polygon {
                ring: vec![
                    offset_m(SEA, -1_000.0, -1_000.0),
                    offset_m(SEA, 1_000.0, -1_000.0),
                    offset_m(SEA, 1_000.0, 1_000.0),
                    offset_m(SEA, -1_000.0, 1_000.0),
                ],
            },
        }],
        ..Config::default()
    };
    let out = pair(100.0, 0.0, 60, config);
    assert!(opened(&out, EventKind::Rendezvous).is_empty());
    assert!(opened(&out, EventKind::Loitering).is_empty());
}

#[test]
fn a_stale_partner_ends_the_pair() {
    let mut reports = vec![report(
        2,
        Source::Beidou,
        NIGHT,
        offset_m(SEA, 100.0, 0.0),
        0.0,
    )];
    reports.extend(stay(
        1,
        Source::AisClassB,
        (NIGHT, NIGHT + HOUR_MS, MIN),
        SEA,
        0.0,
    ));
    let out = run(&mut engine(Config::default()), &reports, NIGHT + HOUR_MS);
    assert!(
        opened(&out, EventKind::Rendezvous).is_empty(),
        "partner silent after 10 min"
    );
}

// ---------------------------------------------------------------- loitering

#[test]
fn loitering_flips_at_one_hour_and_2_kn() {
    for (minutes, knots, expected) in [(59, 1.9, 0), (60, 1.9, 1), (61, 1.9, 1), (61, 2.1, 0)] {
        let reports = stay(
            7,
            Source::Beidou,
            (NIGHT, NIGHT + minutes * MIN, MIN),
            SEA,
            knots,
        );
        let out = run(
            &mut engine(Config::default()),
            &reports,
            NIGHT + minutes * MIN,
        );
        let events = opened(&out, EventKind::Loitering);
        assert_eq!(events.len(), expected, "{minutes} min {knots} kn");
        if let Some(e) = events.first() {
            assert_eq!(e.start_ms, NIGHT);
            assert_eq!(e.severity, Severity::Low);
        }
    }
}

#[test]
fn loitering_continues_as_one_event_and_ends_when_the_vessel_moves() {
    let mut reports = stay(
        7,
        Source::Beidou,
        (NIGHT, NIGHT + 3 * HOUR_MS, 3 * MIN),
        SEA,
        0.5,
    );
    let moved = NIGHT + 3 * HOUR_MS + 3 * MIN;
    reports.push(report(
        7,
        Source::Beidou,
        moved,
        offset_m(SEA, 500.0, 0.0),
        9.0,
    ));
    let out = run(&mut engine(Config::default()), &reports, moved);
    let events = opened(&out, EventKind::Loitering);
    assert_eq!(events.len(), 1);
    assert_eq!(extended(&out, events[0].id), 40);
    assert_eq!(closed(&out, events[0].id)[0].0, NIGHT + 3 * HOUR_MS);
}

// ---------------------------------------------------------------- repeat visits

fn visit(t: i64) -> Vec<Report> {
    let near = offset_m(PIER_AT, 50.0, 0.0);
    let mut r = stay(3, Source::Beidou, (t, t + 90 * MIN, 3 * MIN), near, 0.0);
    r.push(report(
        3,
        Source::Beidou,
        t + 93 * MIN,
        offset_m(PIER_AT, 2_000.0, 0.0),
        9.0,
    ));
    r
}

#[test]
fn repeat_visit_flips_at_2_and_5_days() {
    let day = DAY_MS;
    for (gap, expected) in [
        (2 * day + 2 * HOUR_MS + 24 * MIN, 1), // 2.1 days
        (2 * day - 2 * HOUR_MS - 24 * MIN, 0), // 1.9 days
        (2 * day, 1),
        (2 * day - 3 * MIN, 0),
        (5 * day, 1),
        (5 * day + 3 * MIN, 0),
    ] {
        let mut reports = visit(NIGHT);
        reports.extend(visit(NIGHT + gap));
        let out = approaches(with_pier(), &reports, vec![]);
        assert_eq!(
            opened(&out, EventKind::NightPierApproach).len(),
            2,
            "gap {gap}"
        );
        let repeats = opened(&out, EventKind::RepeatVisit);
        assert_eq!(repeats.len(), expected, "gap {gap}");
        if let Some(r) = repeats.first() {
            assert_eq!(r.start_ms, NIGHT);
            assert_eq!(r.severity, Severity::High);
            let closes = closed(&out, r.id);
            assert_eq!(closes.len(), 1);
            assert_eq!(
                closes[0].0,
                NIGHT + gap + 90 * MIN,
                "closes with the second visit"
            );
            assert_eq!(extended(&out, r.id), 30);
        }
    }
}

#[test]
fn bad_config_is_refused_with_a_typed_error() {
    let mut c = Config::default();
    c.rendezvous.max_distance_m = -5.0;
    assert!(matches!(
        Engine::new(c).err(),
        Some(ConfigError::NotPositive {
            field: "rendezvous.max_distance_m",
            ..
        })
    ));
    let mut c = Config::default();
    c.repeat.min_gap_ms = 6 * DAY_MS;
    assert!(matches!(
        Engine::new(c).err(),
        Some(ConfigError::RepeatGapOrder { .. })
    ));
    let mut c = with_pier();
    c.piers.push(c.piers[0].clone());
    assert_eq!(Engine::new(c).err(), Some(ConfigError::DuplicatePier(199)));
    let c = Config {
        harbours: vec![Harbour {
            name: "x".into(),
            area: Area::Polygon {
                ring: vec![SEA, SEA],
            },
        }],
        ..Config::default()
    };
    assert!(matches!(
        Engine::new(c).err(),
        Some(ConfigError::RingTooSmall { .. })
    ));
    // The config reads from JSON (as the server's TOML would), night rule as text.
    let c: Config = serde_json::from_str(r#"{"approach":{"night":"22:00-05:00"}}"#).unwrap();
    assert_eq!(c.approach.night, NightRule::parse("22:00-05:00").unwrap());
    assert_eq!(c.rendezvous, RendezvousConfig::default());
    assert!(serde_json::from_str::<Config>(r#"{"approach":{"night":"dusk"}}"#).is_err());
}

#[test]
fn distances_used_by_the_tests_are_the_engines() {
    let p = offset_m(SEA, 499.0, 0.0);
    assert!((distance_m(SEA, p) - 499.0).abs() < 1e-6);
}
