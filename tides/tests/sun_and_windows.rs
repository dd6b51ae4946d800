//! Sun times against astral, night rules and tide windows on a synthetic tide table that
//! puts high water exactly where the cases need it.

use tidewatch_tides::*;

const SHIPU: (f64, f64) = (121.95, 29.20);

/// Civil dawn, sunrise, sunset, civil dusk at Shipu, Unix seconds: astral 3.2
/// (reference/sun_reference.py, NOAA's equations).
const ASTRAL: [((i32, u32, u32), [i64; 4]); 3] = [
    // 2026-06-21: dawn 04:26:02, sunrise 04:53:43, sunset 18:54:10, dusk 19:21:52
    (
        (2026, 6, 21),
        [1781987162, 1781988823, 1782039250, 1782040912],
    ),
    // 2026-11-28: dawn 06:00:04, sunrise 06:26:12, sunset 16:53:39, dusk 17:19:47
    (
        (2026, 11, 28),
        [1795816804, 1795818372, 1795856019, 1795857587],
    ),
    // 2026-12-21: dawn 06:15:22, sunrise 06:42:01, sunset 16:58:11, dusk 17:24:49
    (
        (2026, 12, 21),
        [1797804922, 1797806521, 1797843491, 1797845089],
    ),
];

fn at(c: Crossing) -> i64 {
    match c {
        Crossing::At(t) => t,
        other => panic!("expected a time, got {other:?}"),
    }
}

#[test]
fn sun_times_match_astral_within_2_minutes() {
    for ((y, m, d), expected) in ASTRAL {
        let day = sun_day(
            SHIPU.0,
            SHIPU.1,
            Date::new(y, m, d).unwrap(),
            Zone::Shanghai,
        )
        .unwrap();
        let ours = [day.civil_dawn, day.sunrise, day.sunset, day.civil_dusk].map(at);
        for (mine, theirs) in ours.iter().zip(expected) {
            let diff = (mine - theirs).abs();
            println!("{y}-{m}-{d}: {diff} s from astral");
            assert!(
                diff <= 120,
                "{y}-{m}-{d}: {} vs astral {} ({diff} s)",
                format_rfc3339(*mine, Zone::Shanghai),
                format_rfc3339(theirs, Zone::Shanghai)
            );
        }
    }
}

#[test]
fn polar_day_and_night_are_typed_results() {
    let svalbard = (15.6, 78.2);
    let winter = sun_day(
        svalbard.0,
        svalbard.1,
        Date::new(2026, 12, 21).unwrap(),
        Zone::Utc,
    )
    .unwrap();
    assert_eq!(winter.sunrise, Crossing::AlwaysBelow);
    assert_eq!(winter.civil_dusk, Crossing::AlwaysBelow);
    let summer = sun_day(
        svalbard.0,
        svalbard.1,
        Date::new(2026, 6, 21).unwrap(),
        Zone::Utc,
    )
    .unwrap();
    assert_eq!(summer.sunset, Crossing::AlwaysAbove);
    // Polar night: one night covering the whole span, no panic.
    let from = Zone::Utc.instant(Date::new(2026, 12, 20).unwrap(), 0, 0, 0);
    let dark = nights(
        &NightRule::Civil,
        svalbard.0,
        svalbard.1,
        from,
        from + 2 * DAY,
    );
    assert_eq!(dark.len(), 1);
    assert!(dark[0].start <= from && dark[0].end >= from + 2 * DAY);
    // Midnight sun: no night at all.
    let from = Zone::Utc.instant(Date::new(2026, 6, 20).unwrap(), 0, 0, 0);
    assert!(nights(
        &NightRule::Sunset,
        svalbard.0,
        svalbard.1,
        from,
        from + 2 * DAY
    )
    .is_empty());
    assert!(sun_day(f64::NAN, 0.0, Date::new(2026, 1, 1).unwrap(), Zone::Utc).is_err());
}

fn shanghai(d: u32, h: u32, m: u32) -> i64 {
    Zone::Shanghai.instant(Date::new(2026, 11, d).unwrap(), h, m, 0)
}

/// High water at 01:10 (5.5 m) and 13:30 (5.0 m) on 28 November, 01:55 (4.0 m) on the
/// 29th (Asia/Shanghai), with the lows between.
fn synthetic_station() -> Station {
    let e = |time, height_m, kind| Extreme {
        time,
        height_m,
        kind,
    };
    TableStation::new(TideTableInput {
        lon: SHIPU.0,
        lat: SHIPU.1,
        datum: "LAT".into(),
        events: vec![
            e(shanghai(27, 19, 0), 1.1, ExtremeKind::Low),
            e(shanghai(28, 1, 10), 5.5, ExtremeKind::High),
            e(shanghai(28, 7, 20), 1.0, ExtremeKind::Low),
            e(shanghai(28, 13, 30), 5.0, ExtremeKind::High),
            e(shanghai(28, 19, 40), 1.2, ExtremeKind::Low),
            e(shanghai(29, 1, 55), 4.0, ExtremeKind::High),
            e(shanghai(29, 8, 5), 1.3, ExtremeKind::Low),
        ],
    })
    .unwrap()
    .into()
}

#[test]
fn window_crossing_midnight_stays_whole() {
    let station = synthetic_station();
    let night = NightRule::parse("22:00-05:00").unwrap();
    let found = windows(
        &station,
        shanghai(27, 20, 0),
        shanghai(28, 20, 0),
        2 * 3600,
        2 * 3600,
        &night,
        None,
    )
    .unwrap();
    // The 13:30 high water's window (11:30–15:30) touches no night: one window only.
    assert_eq!(found.len(), 1, "{found:?}");
    let w = found[0];
    assert_eq!(
        format_rfc3339(w.start, Zone::Shanghai),
        "2026-11-27T23:10:00+08:00"
    );
    assert_eq!(
        format_rfc3339(w.end, Zone::Shanghai),
        "2026-11-28T03:10:00+08:00"
    );
    assert_eq!(
        format_rfc3339(w.high_water.time, Zone::Shanghai),
        "2026-11-28T01:10:00+08:00"
    );
    assert_eq!(w.high_water.height_m, 5.5);
    assert_eq!(
        (w.night.start, w.night.end),
        (shanghai(27, 22, 0), shanghai(28, 5, 0))
    );
}

#[test]
fn sun_nights_and_min_height() {
    let station = synthetic_station();
    let (from, to) = (shanghai(27, 20, 0), shanghai(29, 8, 0));
    for rule in [NightRule::Civil, NightRule::Sunset] {
        let all = windows(&station, from, to, 2 * 3600, 2 * 3600, &rule, None).unwrap();
        let times: Vec<i64> = all.iter().map(|w| w.high_water.time).collect();
        assert_eq!(
            times,
            [shanghai(28, 1, 10), shanghai(29, 1, 55)],
            "{rule:?}"
        );
        // The night of the 27th–28th runs from dusk (~17:20) to dawn (~06:00).
        let night = all[0].night;
        assert!(night.start > shanghai(27, 16, 50) && night.start < shanghai(27, 17, 25));
        assert!(night.end > shanghai(28, 5, 55) && night.end < shanghai(28, 6, 30));
        // The 4.0 m high water goes below a 4.5 m threshold.
        let high = windows(&station, from, to, 2 * 3600, 2 * 3600, &rule, Some(4.5)).unwrap();
        assert_eq!(high.len(), 1);
        assert_eq!(high[0].high_water.time, shanghai(28, 1, 10));
    }
    // A window long enough reaches the evening: the 13:30 high water with 4 h after
    // touches civil dusk.
    let long = windows(&station, from, to, 0, 4 * 3600, &NightRule::Civil, None).unwrap();
    assert_eq!(long.len(), 3);
}

#[test]
fn night_rules_parse() {
    assert_eq!(NightRule::parse("civil").unwrap(), NightRule::Civil);
    assert_eq!(NightRule::parse("Sunset").unwrap(), NightRule::Sunset);
    assert_eq!(
        NightRule::parse("22:00-05:00").unwrap(),
        NightRule::Clock {
            start_minute: 22 * 60,
            end_minute: 5 * 60
        }
    );
    for bad in [
        "",
        "dusk",
        "22:00",
        "24:00-05:00",
        "22:60-05:00",
        "2:00-05:00",
        "22:00-22:00",
        "aa:bb-cc:dd",
    ] {
        assert!(
            matches!(NightRule::parse(bad), Err(TideError::InvalidNight { .. })),
            "{bad:?} accepted"
        );
    }
}
