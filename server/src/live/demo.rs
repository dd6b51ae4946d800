//! Demo traffic played live: the deterministic SYNTHETIC vessel traffic of the demo
//! crate (fishing fleets, coastal cargo, a ferry and the scripted smuggling runs), fed
//! into the live state in real time.
//!
//! The traffic covers [`TRAFFIC_DAYS`] whole days, so it loops with the clock of day
//! preserved: a report is played at the same Asia/Shanghai time of day it was made for,
//! shifted by whole multiples of the traffic's length. Night runs stay at night; the tide
//! they were timed for (the first nights' high waters) drifts by about 50 minutes a day,
//! so only the original dates, which `tidewatch demo traffic` writes out, hit it exactly.

use super::{Live, Position, PositionSource, Update, VesselStatic, WhenFull};
use anyhow::Context;
use std::sync::Arc;
use std::time::Duration;
use tidewatch_demo::{traffic, DemoInputs, Traffic, TRAFFIC_DAYS};

/// Vessels appear at once with the last this-many minutes of their tracks.
const WARM_UP_MS: i64 = 30 * 60_000;

/// The demo traffic, generated from the demo inputs in `dir` (`data/demo`).
pub fn demo_traffic(dir: &std::path::Path) -> anyhow::Result<Traffic> {
    let inputs =
        DemoInputs::load(dir).with_context(|| format!("demo inputs in {}", dir.display()))?;
    let data = tidewatch_demo::generate(tidewatch_demo::DEFAULT_SEED, &inputs)?;
    Ok(traffic(tidewatch_demo::DEFAULT_SEED, &inputs, &data))
}

/// The vessels' static data as live updates.
pub fn static_updates(t: &Traffic) -> Vec<Update> {
    t.vessels
        .iter()
        .enumerate()
        .map(|(i, v)| Update::Static {
            vessel: vessel_id(t, i),
            data: VesselStatic {
                name: Some(format!("{} {}", v.name, v.name_zh)),
                call_sign: Some(v.call_sign.clone()),
                ship_type: Some(v.ship_type),
                length_m: Some(v.length_m),
                beam_m: Some(u16::from(v.beam_m)),
                ais_class: v.mmsi.map(|_| if v.class_b { "B" } else { "A" }.to_owned()),
                ..VesselStatic::default()
            },
        })
        .collect()
}

/// A demo vessel's id: its MMSI, else its Beidou terminal id. Beidou reports of a
/// vessel with an MMSI fuse with its AIS track.
pub fn vessel_id(t: &Traffic, vessel: usize) -> Arc<str> {
    let v = &t.vessels[vessel];
    match (v.mmsi, &v.beidou_id) {
        (Some(mmsi), _) => mmsi.to_string().into(),
        (None, Some(id)) => id.as_str().into(),
        (None, None) => format!("demo-{vessel}").into(),
    }
}

/// One report as a live position, `shift_ms` later than generated.
pub fn position(t: &Traffic, r: &tidewatch_demo::TrafficReport, shift_ms: i64) -> Position {
    Position {
        vessel: vessel_id(t, r.vessel),
        source: match r.source {
            tidewatch_demo::PositionSource::Ais => PositionSource::Ais,
            tidewatch_demo::PositionSource::Beidou => PositionSource::Beidou,
        },
        at_ms: r.unix_ms + shift_ms,
        lon: r.lon,
        lat: r.lat,
        speed_kn: Some(r.speed_kn as f32),
        course_deg: Some(r.course_deg as f32),
        heading_deg: r.heading_deg.map(|h| h as f32),
        nav_status: None,
    }
}

/// Generates the traffic (in the background) and plays it into `live` forever.
pub fn play(live: Arc<Live>, dir: std::path::PathBuf) {
    tokio::spawn(async move {
        let generated = tokio::task::spawn_blocking(move || demo_traffic(&dir)).await;
        let t = match generated {
            Ok(Ok(t)) => t,
            Ok(Err(e)) => return tracing::error!("demo traffic: {e:#}"),
            Err(e) => return tracing::error!("demo traffic task failed: {e}"),
        };
        tracing::info!(
            vessels = t.vessels.len(),
            reports = t.reports.len(),
            "demo traffic (SYNTHETIC) playing in real time"
        );
        live.submit(static_updates(&t), "demo", WhenFull::Wait)
            .await;
        run(&live, &t).await;
    });
}

async fn run(live: &Live, t: &Traffic) {
    let period = i64::from(TRAFFIC_DAYS) * 86_400_000;
    let now = super::now_ms();
    let mut shift = (now - t.start_unix_ms).div_euclid(period) * period;
    let scenario_now = now - shift;
    let mut next = t
        .reports
        .partition_point(|r| r.unix_ms < scenario_now - WARM_UP_MS);
    loop {
        let now = super::now_ms();
        let mut batch = Vec::new();
        while next < t.reports.len() && t.reports[next].unix_ms + shift <= now {
            batch.push(Update::Position(position(t, &t.reports[next], shift)));
            next += 1;
        }
        live.submit(batch, "demo", WhenFull::Wait).await;
        if next >= t.reports.len() {
            next = 0;
            shift += period;
            continue;
        }
        let wait = (t.reports[next].unix_ms + shift - now).clamp(0, 1000);
        tokio::time::sleep(Duration::from_millis(wait as u64)).await;
    }
}

/// The traffic as NMEA lines in time order, each behind a tag block with its time: AIS
/// vessels as `!AIVDM` (static data first, type 5 or 24A/B), Beidou terminals as `$BDRMC`
/// with the vessel id as the tag block's source. The ASCII name goes to AIS (six-bit text
/// has no Chinese).
pub fn nmea_lines(t: &Traffic) -> Vec<String> {
    use tidewatch_nmea::encode::{
        class_b_static_sentences, gnss_rmc_sentence, position_sentences, static_voyage_sentences,
    };
    use tidewatch_nmea::{
        ClassBStatic, Constellation, GnssFix, PositionReport, StaticVoyage, TagBlock,
    };
    let tag = |source: &str, ms: i64| TagBlock {
        source: Some(source.to_owned()),
        unix_time: Some(ms.div_euclid(1000)),
        unix_time_ms: Some(ms),
        ..TagBlock::default()
    };
    let mut lines = Vec::with_capacity(t.reports.len() + 3 * t.vessels.len());
    for (seq, v) in t.vessels.iter().enumerate() {
        let Some(mmsi) = v.mmsi else { continue };
        let at = tag("demo", t.start_unix_ms);
        let half = v.length_m / 2;
        if v.class_b {
            for partno in [0, 1] {
                let part = ClassBStatic {
                    mmsi,
                    partno,
                    shipname: (partno == 0).then(|| v.name.clone()),
                    shiptype: (partno == 1).then_some(v.ship_type),
                    callsign: (partno == 1).then(|| v.call_sign.clone()),
                    to_bow: (partno == 1).then_some(half),
                    to_stern: (partno == 1).then_some(v.length_m - half),
                    to_port: (partno == 1).then_some(v.beam_m / 2),
                    to_starboard: (partno == 1).then_some(v.beam_m - v.beam_m / 2),
                    ..ClassBStatic::default()
                };
                lines.extend(class_b_static_sentences(&part, 'B', Some(&at)));
            }
        } else {
            let s = StaticVoyage {
                mmsi,
                callsign: v.call_sign.clone(),
                shipname: v.name.clone(),
                shiptype: v.ship_type,
                to_bow: half,
                to_stern: v.length_m - half,
                to_port: v.beam_m / 2,
                to_starboard: v.beam_m - v.beam_m / 2,
                epfd: 1,
                ..StaticVoyage::default()
            };
            lines.extend(static_voyage_sentences(
                &s,
                (seq % 10) as u8,
                'A',
                Some(&at),
            ));
        }
    }
    for r in &t.reports {
        let v = &t.vessels[r.vessel];
        match (r.source, v.mmsi) {
            (tidewatch_demo::PositionSource::Ais, Some(mmsi)) => {
                let second = (r.unix_ms.div_euclid(1000) % 60) as u8;
                let encode = if v.class_b {
                    PositionReport::class_b
                } else {
                    PositionReport::class_a
                };
                let report = encode(
                    mmsi,
                    r.lon,
                    r.lat,
                    Some(r.speed_kn),
                    Some(r.course_deg),
                    r.heading_deg,
                    second,
                );
                let channel = if r.vessel % 2 == 0 { 'A' } else { 'B' };
                lines.extend(position_sentences(
                    &report,
                    channel,
                    Some(&tag("demo", r.unix_ms)),
                ));
            }
            _ => {
                let (secs, ms) = (r.unix_ms.div_euclid(1000), r.unix_ms.rem_euclid(1000));
                let (y, mo, d) = crate::time::civil_from_days(secs.div_euclid(86_400));
                let of_day = secs.rem_euclid(86_400);
                let fix = GnssFix {
                    constellation: Constellation::Beidou,
                    time_utc: Some((
                        (of_day / 3600) as u8,
                        (of_day / 60 % 60) as u8,
                        (of_day % 60) as f64 + ms as f64 / 1000.0,
                    )),
                    date: Some((y as u16, mo as u8, d as u8)),
                    lat: Some(r.lat),
                    lon: Some(r.lon),
                    speed_kn: Some(r.speed_kn),
                    course_deg: Some(r.course_deg),
                    valid: true,
                    quality: None,
                    satellites: None,
                    unix_time: Some(secs),
                };
                let id = vessel_id(t, r.vessel);
                lines.push(format!(
                    "{}{}",
                    tag(&id, r.unix_ms).to_nmea(),
                    gnss_rmc_sentence("BD", &fix)
                ));
            }
        }
    }
    lines
}

/// The rule settings the demo traffic is built for (see
/// [`tidewatch_demo::traffic::alert_config`]); idle piers come from the piers layer.
pub fn alert_config(dir: &std::path::Path) -> anyhow::Result<tidewatch_alerts::Config> {
    let inputs = tidewatch_demo::DemoInputs::load(dir)?;
    Ok(tidewatch_demo::traffic::alert_config(&inputs))
}
