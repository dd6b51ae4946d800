//! Position reports sampled from the tracks at each source's reporting interval.

use super::fleet::Plan;
use super::{
    PositionSource, TrafficReport, AIS_CLASS_A_STATIONARY_MS, AIS_CLASS_A_UNDER_WAY_MS,
    AIS_CLASS_B_MS, BEIDOU_MS,
};
use crate::geodesy::{normalize_deg, round6, round_to};
use crate::rng::Rng;

use super::track::{Activity, Fix};

/// Every report of every vessel in [start, end), sorted by time, vessel and source.
pub fn sample(plans: &[Plan], start: i64, end: i64, rng: &mut Rng) -> Vec<TrafficReport> {
    let mut reports = Vec::new();
    for (index, plan) in plans.iter().enumerate() {
        if plan.vessel.mmsi.is_some() {
            let class_b = plan.vessel.class_b;
            let interval = |fix: Option<&Fix>| match fix {
                _ if class_b => AIS_CLASS_B_MS,
                Some(fix) if fix.activity.stationary() => AIS_CLASS_A_STATIONARY_MS,
                _ => AIS_CLASS_A_UNDER_WAY_MS,
            };
            let on = |t: i64| !plan.ais_off.iter().any(|&(off, on)| off <= t && t < on);
            let heading = !class_b;
            sample_source(
                plan,
                index,
                PositionSource::Ais,
                (start, end),
                rng,
                interval,
                on,
                heading,
                &mut reports,
            );
        }
        if plan.vessel.beidou_id.is_some() {
            sample_source(
                plan,
                index,
                PositionSource::Beidou,
                (start, end),
                rng,
                |_| BEIDOU_MS,
                |_| true,
                false,
                &mut reports,
            );
        }
    }
    reports.sort_by_key(|r| (r.unix_ms, r.vessel, r.source));
    reports
}

#[allow(clippy::too_many_arguments)]
fn sample_source(
    plan: &Plan,
    vessel: usize,
    source: PositionSource,
    (start, end): (i64, i64),
    rng: &mut Rng,
    interval: impl Fn(Option<&Fix>) -> i64,
    on: impl Fn(i64) -> bool,
    heading: bool,
    out: &mut Vec<TrafficReport>,
) {
    // Each transmitter has its own phase, on whole seconds.
    let mut t = start + rng.below((interval(None) / 1000) as usize) as i64 * 1000;
    while t < end {
        let fix = plan.track.at(t);
        if let (Some(fix), true) = (fix.as_ref(), on(t)) {
            out.push(report(fix, vessel, source, t, heading, rng));
            t += interval(Some(fix));
        } else {
            t += interval(None);
        }
    }
}

fn report(
    fix: &Fix,
    vessel: usize,
    source: PositionSource,
    t: i64,
    heading: bool,
    rng: &mut Rng,
) -> TrafficReport {
    let position = round6(fix.position);
    let (speed, course) = match fix.activity {
        Activity::Moored => (0.0, rng.range(0.0, 360.0)),
        Activity::Anchored => (rng.range(0.0, 0.3), rng.range(0.0, 360.0)),
        Activity::UnderWay | Activity::Fishing => (
            (fix.speed_kn + rng.range(-0.3, 0.3)).max(0.0),
            fix.course_deg + rng.range(-2.0, 2.0),
        ),
    };
    let heading_deg = heading.then(|| {
        let h = if fix.activity.stationary() {
            fix.course_deg
        } else {
            fix.course_deg + rng.range(-3.0, 3.0)
        };
        normalize_deg(h.round())
    });
    TrafficReport {
        unix_ms: t,
        vessel,
        source,
        lon: position.x,
        lat: position.y,
        speed_kn: round_to(speed, 1),
        course_deg: normalize_deg(round_to(normalize_deg(course), 1)),
        heading_deg,
    }
}
