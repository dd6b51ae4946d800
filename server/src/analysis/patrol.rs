//! Patrol plans: for every night in a range, each patrol zone's tide window(s) and a
//! priority with the reasons behind it.
//!
//! The county patrols "two hours either side of the nightly high-tide peak": a zone's
//! windows are its tide station's night windows (see `tidewatch_tides::windows`). The
//! priority adds up what makes a zone attractive to smugglers on that tide, each with its
//! points (`PatrolWeights`):
//! - idle piers in the zone;
//! - beaching spots a loaded boat can reach at that high water: the depth there at high
//!   water, `berth_depth_m` (at mean sea level) plus the high water's height above mean
//!   sea level, is at least the boat's draft;
//! - damaged height-limit barriers (a lorry can reach the pier);
//! - kilometres of coast no working camera or radar sees (when coverage is known);
//! - a high water in the small hours (00:00–04:00 local), when landings happen.
//!
//! Plain functions over plain data, deterministic for the same inputs.

use super::zones::Zone;
use geo::{Contains, Point};
use tidewatch_tides::{windows, Extreme, NightRule, Station, TideError, TideWindow, Zone as Tz};

/// Points per reason. The defaults rank an idle pier above a reachable beaching spot
/// and both above a kilometre of unseen coast.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PatrolWeights {
    pub idle_pier: f64,
    pub reachable_beaching_spot: f64,
    pub damaged_barrier: f64,
    pub gap_km: f64,
    pub small_hours: f64,
    /// Draft of a loaded smuggling boat, metres.
    pub boat_draft_m: f64,
}

impl Default for PatrolWeights {
    fn default() -> Self {
        PatrolWeights {
            idle_pier: 3.0,
            reachable_beaching_spot: 2.0,
            damaged_barrier: 2.0,
            gap_km: 1.0,
            small_hours: 3.0,
            boat_draft_m: 1.5,
        }
    }
}

/// A pier or beaching spot.
#[derive(Debug, Clone)]
pub struct Landing {
    pub lon: f64,
    pub lat: f64,
    pub beaching_spot: bool,
    pub idle: bool,
    /// Water depth at mean sea level, metres.
    pub depth_m: Option<f64>,
}

/// A height-limit barrier.
#[derive(Debug, Clone)]
pub struct Barrier {
    pub lon: f64,
    pub lat: f64,
    pub damaged: bool,
}

/// What a zone holds, gathered once per layer generation.
#[derive(Debug, Clone)]
pub struct ZoneAssets {
    pub idle_piers: usize,
    /// Depths of the beaching spots (`None`: unknown, counted as reachable at any tide).
    pub beaching_spot_depths: Vec<Option<f64>>,
    pub damaged_barriers: usize,
    /// Unseen coast in the zone, metres, when coverage is known.
    pub gap_m: Option<f64>,
}

/// Counts each zone's assets (a point belongs to the first zone containing it).
pub fn zone_assets(
    zones: &[Zone],
    landings: &[Landing],
    barriers: &[Barrier],
    gap_m: Option<&[f64]>,
) -> Vec<ZoneAssets> {
    let owner = |lon: f64, lat: f64| {
        let p = Point::new(lon, lat);
        zones.iter().position(|z| z.area.contains(&p))
    };
    let mut out: Vec<ZoneAssets> = (0..zones.len())
        .map(|i| ZoneAssets {
            idle_piers: 0,
            beaching_spot_depths: Vec::new(),
            damaged_barriers: 0,
            gap_m: gap_m.map(|g| g[i]),
        })
        .collect();
    for l in landings {
        if let Some(i) = owner(l.lon, l.lat) {
            if l.beaching_spot {
                out[i].beaching_spot_depths.push(l.depth_m);
            } else if l.idle {
                out[i].idle_piers += 1;
            }
        }
    }
    for b in barriers.iter().filter(|b| b.damaged) {
        if let Some(i) = owner(b.lon, b.lat) {
            out[i].damaged_barriers += 1;
        }
    }
    out
}

/// Why a zone scores what it does.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Reason {
    pub code: &'static str,
    /// How many (or how many km).
    pub count: f64,
    pub points: f64,
    pub text_zh: String,
    pub text_en: String,
}

/// One zone on one night.
#[derive(Debug, Clone)]
pub struct ZoneWindow {
    /// Index into the zones.
    pub zone: usize,
    /// The local (Asia/Shanghai) date of the evening the night starts.
    pub night: tidewatch_tides::Date,
    pub window: TideWindow,
    /// The tide station the window comes from (its key) and the datum of its heights.
    pub station: String,
    pub datum: String,
    pub priority: f64,
    pub reasons: Vec<Reason>,
}

/// How windows are found.
#[derive(Debug, Clone)]
pub struct WindowRule {
    pub before_s: i64,
    pub after_s: i64,
    pub night: NightRule,
}

/// Every zone's windows in `[from, to)` with their priorities, ordered by night, then
/// priority (highest first), then zone. `station_of[i]` predicts zone `i`; windows are
/// computed once per station (named by its key). Only windows lying wholly inside the
/// range are returned.
pub fn patrol_plan(
    zones: &[Zone],
    assets: &[ZoneAssets],
    station_of: &[(&str, &Station)],
    from: i64,
    to: i64,
    rule: &WindowRule,
    weights: &PatrolWeights,
) -> Result<Vec<ZoneWindow>, TideError> {
    let mut by_station: Vec<(*const Station, Vec<TideWindow>, f64)> = Vec::new();
    let mut plan = Vec::new();
    for (i, (name, station)) in station_of.iter().enumerate() {
        let key = *station as *const Station;
        if !by_station.iter().any(|(k, _, _)| *k == key) {
            let found = windows(
                station,
                from,
                to,
                rule.before_s,
                rule.after_s,
                &rule.night,
                None,
            )?;
            let msl = mean_level(station, from, to)?;
            by_station.push((key, found, msl));
        }
        let (_, found, msl) = by_station
            .iter()
            .find(|(k, _, _)| *k == key)
            .expect("just added");
        for w in found.iter().filter(|w| w.start >= from && w.end <= to) {
            let reasons = reasons(&assets[i], &w.high_water, *msl, weights);
            plan.push(ZoneWindow {
                zone: i,
                night: Tz::Shanghai.date_of(w.night.start),
                window: *w,
                station: (*name).to_owned(),
                datum: station.datum().to_owned(),
                priority: reasons.iter().map(|r| r.points).sum(),
                reasons,
            });
        }
    }
    plan.sort_by(|a, b| {
        (a.night.days_since_epoch(), a.window.start)
            .cmp(&(b.night.days_since_epoch(), b.window.start))
            .then(b.priority.total_cmp(&a.priority))
            .then(a.zone.cmp(&b.zone))
            .then(zones[a.zone].id.cmp(&zones[b.zone].id))
    });
    Ok(plan)
}

/// Mean of the high and low waters around the range: the tide level heights are
/// measured from when judging depth (mean sea level for harmonic stations within a few
/// centimetres, and all a tide table offers).
fn mean_level(station: &Station, from: i64, to: i64) -> Result<f64, TideError> {
    let extremes = station.extremes(from, to)?.extremes;
    if extremes.is_empty() {
        return station.height(from);
    }
    Ok(extremes.iter().map(|e| e.height_m).sum::<f64>() / extremes.len() as f64)
}

fn reasons(assets: &ZoneAssets, hw: &Extreme, mean_level_m: f64, w: &PatrolWeights) -> Vec<Reason> {
    let mut out = Vec::new();
    let mut add = |code, count: f64, per: f64, zh: String, en: String| {
        if count > 0.0 && per != 0.0 {
            out.push(Reason {
                code,
                count,
                points: (count * per * 10.0).round() / 10.0,
                text_zh: zh,
                text_en: en,
            });
        }
    };
    let n = assets.idle_piers;
    add(
        "idle_piers",
        n as f64,
        w.idle_pier,
        format!("{n} 个闲置码头"),
        format!("{n} idle pier{}", plural(n)),
    );
    let above_mean = hw.height_m - mean_level_m;
    let reachable = assets
        .beaching_spot_depths
        .iter()
        .filter(|d| d.is_none_or(|d| d + above_mean >= w.boat_draft_m))
        .count();
    add(
        "reachable_beaching_spots",
        reachable as f64,
        w.reachable_beaching_spot,
        format!("高潮 {:.2} m 时 {reachable} 个登滩点可靠泊", hw.height_m),
        format!(
            "{reachable} beaching spot{} reachable at the {:.2} m high water",
            plural(reachable),
            hw.height_m
        ),
    );
    let n = assets.damaged_barriers;
    add(
        "damaged_barriers",
        n as f64,
        w.damaged_barrier,
        format!("{n} 根限高杆损坏"),
        format!("{n} damaged height barrier{}", plural(n)),
    );
    if let Some(gap) = assets.gap_m {
        let km = (gap / 100.0).round() / 10.0;
        add(
            "coverage_gap_km",
            km,
            w.gap_km,
            format!("{km} km 海岸无监控覆盖"),
            format!("{km} km of coast no sensor sees"),
        );
    }
    let local_hour = (hw.time + Tz::Shanghai.offset_seconds()).rem_euclid(86_400) / 3600;
    if local_hour < 4 {
        add(
            "small_hours",
            1.0,
            w.small_hours,
            "高潮在凌晨（00:00–04:00）".to_owned(),
            "high water in the small hours (00:00–04:00)".to_owned(),
        );
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::zones::{zones_from_coast, Place};
    use geo::{LineString, MultiLineString};
    use tidewatch_tides::{ExtremeKind, TableStation, TideTableInput};

    fn place(name: &str, lon: f64, lat: f64) -> Place {
        Place {
            name_zh: name.into(),
            name_en: name.into(),
            lon,
            lat,
        }
    }

    fn two_zones() -> Vec<Zone> {
        let coast = MultiLineString::new(vec![LineString::from(
            (0..=20)
                .map(|i| (121.8 + 0.01 * f64::from(i), 29.3))
                .collect::<Vec<_>>(),
        )]);
        zones_from_coast(
            &coast,
            &[place("West", 121.85, 29.31), place("East", 121.95, 29.31)],
            1500.0,
        )
    }

    /// A table station with high waters 1.0 m above the mean at 01:10 local on the
    /// 28th and 13:35 local on the 28th, lows between.
    fn station() -> Station {
        let at = |d: u32, h: u32, m: u32| {
            Tz::Shanghai.instant(tidewatch_tides::Date::new(2026, 11, d).unwrap(), h, m, 0)
        };
        let e = |time, height_m, kind| Extreme {
            time,
            height_m,
            kind,
        };
        TableStation::new(TideTableInput {
            lon: 121.9,
            lat: 29.3,
            datum: "LAT".into(),
            events: vec![
                e(at(27, 12, 50), 4.0, ExtremeKind::High),
                e(at(27, 19, 0), 2.0, ExtremeKind::Low),
                e(at(28, 1, 10), 4.0, ExtremeKind::High),
                e(at(28, 7, 20), 2.0, ExtremeKind::Low),
                e(at(28, 13, 35), 4.0, ExtremeKind::High),
                e(at(28, 19, 45), 2.0, ExtremeKind::Low),
            ],
        })
        .unwrap()
        .into()
    }

    #[test]
    fn a_zone_scores_its_own_assets_on_its_tide() {
        let zones = two_zones();
        let landings = vec![
            // Idle pier and two beaching spots in the west, one too shallow at +1 m.
            Landing {
                lon: 121.82,
                lat: 29.3,
                beaching_spot: false,
                idle: true,
                depth_m: Some(3.0),
            },
            Landing {
                lon: 121.83,
                lat: 29.3,
                beaching_spot: true,
                idle: true,
                depth_m: Some(0.6),
            },
            Landing {
                lon: 121.84,
                lat: 29.3,
                beaching_spot: true,
                idle: true,
                depth_m: Some(0.4),
            },
            // A busy pier in the east scores nothing.
            Landing {
                lon: 121.97,
                lat: 29.3,
                beaching_spot: false,
                idle: false,
                depth_m: Some(3.0),
            },
        ];
        let barriers = vec![
            Barrier {
                lon: 121.96,
                lat: 29.302,
                damaged: true,
            },
            Barrier {
                lon: 121.81,
                lat: 29.302,
                damaged: false,
            },
        ];
        let assets = zone_assets(&zones, &landings, &barriers, Some(&[2500.0, 0.0]));
        assert_eq!(assets[0].idle_piers, 1);
        assert_eq!(assets[0].beaching_spot_depths.len(), 2);
        assert_eq!(assets[1].damaged_barriers, 1);

        let s = station();
        let from =
            Tz::Shanghai.instant(tidewatch_tides::Date::new(2026, 11, 27).unwrap(), 18, 0, 0);
        let rule = WindowRule {
            before_s: 7200,
            after_s: 7200,
            night: NightRule::parse("22:00-05:00").unwrap(),
        };
        let weights = PatrolWeights::default();
        let plan = patrol_plan(
            &zones,
            &assets,
            &[("t", &s), ("t", &s)],
            from,
            from + 12 * 3600,
            &rule,
            &weights,
        )
        .unwrap();
        assert_eq!(plan.len(), 2, "one window per zone: HW 01:10");
        let west = &plan[0];
        assert_eq!(zones[west.zone].id, "west");
        assert_eq!(
            west.night,
            tidewatch_tides::Date::new(2026, 11, 27).unwrap()
        );
        let codes: Vec<_> = west.reasons.iter().map(|r| (r.code, r.count)).collect();
        // Mean level 3.0 m, HW 4.0 m: +1.0 m; 0.6 + 1.0 >= 1.5 but 0.4 + 1.0 is not.
        assert_eq!(
            codes,
            [
                ("idle_piers", 1.0),
                ("reachable_beaching_spots", 1.0),
                ("coverage_gap_km", 2.5),
                ("small_hours", 1.0)
            ]
        );
        assert_eq!(west.priority, 3.0 + 2.0 + 2.5 + 3.0);
        let east = &plan[1];
        assert_eq!(east.priority, 2.0 + 3.0);
        // Every window lies inside the range and is the 23:10–03:10 one.
        for w in &plan {
            assert!(w.window.start >= from && w.window.end <= from + 12 * 3600);
            assert_eq!(w.window.end - w.window.start, 4 * 3600);
        }
        // Deterministic.
        let again = patrol_plan(
            &zones,
            &assets,
            &[("t", &s), ("t", &s)],
            from,
            from + 12 * 3600,
            &rule,
            &weights,
        )
        .unwrap();
        assert_eq!(
            plan.iter()
                .map(|w| (w.zone, w.priority))
                .collect::<Vec<_>>(),
            again
                .iter()
                .map(|w| (w.zone, w.priority))
                .collect::<Vec<_>>()
        );
    }
}
