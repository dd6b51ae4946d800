//! Replays the demo's five days of SYNTHETIC traffic (tidewatch-demo, with its scripted
//! ground truth) through the engine in time order, with the demo's idle piers, harbours,
//! area of interest and Kanmen tide windows, and checks that the scripted events come out
//! at the right time and place and that ordinary traffic raises nothing.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Instant;
use tidewatch_alerts::metric::distance_m;
use tidewatch_alerts::*;
use tidewatch_demo::traffic::{
    alert_config, format_local, traffic, PositionSource, ScriptedEpisode, Traffic, VesselRole,
};
use tidewatch_demo::{generate, DemoInputs, DEFAULT_SEED};
use tidewatch_tides::{windows, ConstituentInput, HarmonicConstants, HarmonicStation, Station};

fn demo_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/demo"))
}

fn read_json(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(demo_dir().join(name)).expect("demo file");
    serde_json::from_str(&text).expect("demo JSON")
}

/// The idle piers and beaching spots of piers.geojson.
fn idle_piers() -> Vec<Pier> {
    read_json("piers.geojson")["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter(|f| f["properties"]["idle"] == true)
        .map(|f| Pier {
            id: f["id"].as_u64().expect("id"),
            name: f["properties"]["name_en"].as_str().unwrap_or("").to_owned(),
            position: LonLat::new(
                f["geometry"]["coordinates"][0].as_f64().expect("lon"),
                f["geometry"]["coordinates"][1].as_f64().expect("lat"),
            ),
        })
        .collect()
}

/// Kanmen from its TICON-4 constants, heights above TLT.
fn kanmen() -> Station {
    let json = read_json("tides/kanmen-ticon4.json");
    let datum = json["chart_datum"].as_str().expect("datum").to_owned();
    let msl = json["datums"]["MSL"].as_f64().expect("MSL")
        - json["datums"][&datum].as_f64().expect("datum height");
    let constituents = json["constituents"]
        .as_array()
        .expect("constituents")
        .iter()
        .map(|c| ConstituentInput {
            name: c["name"].as_str().expect("name").to_owned(),
            amplitude_m: c["amplitude"].as_f64().expect("amplitude"),
            phase_deg: c["phase"].as_f64().expect("phase"),
        })
        .collect();
    HarmonicStation::new(HarmonicConstants {
        lon: json["lon"].as_f64().expect("lon"),
        lat: json["lat"].as_f64().expect("lat"),
        datum,
        msl_above_datum_m: msl,
        constituents,
    })
    .expect("Kanmen constants")
    .into()
}

fn config(inputs: &DemoInputs) -> Config {
    Config {
        piers: idle_piers(),
        ..alert_config(inputs)
    }
}

/// An event with when it was opened (the replay clock) and how it ended.
struct Raised {
    event: Event,
    opened_at: i64,
    end_ms: Option<i64>,
    extended: usize,
}

fn replay(t: &Traffic, config: Config, windows: Vec<TimeSpan>) -> Vec<Raised> {
    let mut engine = Engine::new(config).expect("config");
    engine.set_tide_windows(windows);
    let mut raised: Vec<Raised> = Vec::new();
    let mut index: BTreeMap<EventId, usize> = BTreeMap::new();
    let mut out = Vec::new();
    let mut apply = |out: &mut Vec<EventUpdate>, now: i64| {
        for u in out.drain(..) {
            match u {
                EventUpdate::Opened(event) => {
                    index.insert(event.id, raised.len());
                    raised.push(Raised {
                        event,
                        opened_at: now,
                        end_ms: None,
                        extended: 0,
                    });
                }
                EventUpdate::Extended { id, .. } => raised[index[&id]].extended += 1,
                EventUpdate::Closed { id, end_ms, .. } => {
                    let r = &mut raised[index[&id]];
                    assert!(r.end_ms.is_none(), "closed twice: {:?}", r.event);
                    r.end_ms = Some(end_ms);
                }
            }
        }
    };
    for r in &t.reports {
        let source = match r.source {
            PositionSource::Beidou => Source::Beidou,
            PositionSource::Ais if t.vessels[r.vessel].class_b => Source::AisClassB,
            PositionSource::Ais => Source::AisClassA,
        };
        let report = Report {
            vessel: VesselId(r.vessel as u64),
            source,
            time_ms: r.unix_ms,
            position: LonLat::new(r.lon, r.lat),
            speed_kn: r.speed_kn,
            course_deg: r.course_deg,
            heading_deg: r.heading_deg,
        };
        engine.advance_to(r.unix_ms, &mut out);
        engine
            .ingest(&report, &mut out)
            .expect("demo reports are valid");
        apply(&mut out, r.unix_ms);
    }
    engine.advance_to(t.end_unix_ms, &mut out);
    apply(&mut out, t.end_unix_ms);
    raised
}

fn kind_of(episode: &ScriptedEpisode) -> EventKind {
    match episode.kind {
        "ais_off" => EventKind::DarkVessel,
        "pier_approach" => EventKind::NightPierApproach,
        "rendezvous" => EventKind::Rendezvous,
        "loitering" => EventKind::Loitering,
        "repeat_visit" => EventKind::RepeatVisit,
        other => panic!("unknown episode kind {other}"),
    }
}

fn location(event: &Event) -> LonLat {
    match &event.geometry {
        Geometry::Point { at } => *at,
        Geometry::Line { points } => points[0],
    }
}

fn inputs() -> &'static DemoInputs {
    static INPUTS: OnceLock<DemoInputs> = OnceLock::new();
    INPUTS.get_or_init(|| DemoInputs::load(demo_dir()).expect("demo inputs"))
}

fn demo_traffic() -> &'static Traffic {
    static TRAFFIC: OnceLock<Traffic> = OnceLock::new();
    TRAFFIC.get_or_init(|| {
        let data = generate(DEFAULT_SEED, inputs()).expect("demo data");
        let started = Instant::now();
        let t = traffic(DEFAULT_SEED, inputs(), &data);
        println!(
            "traffic: {} vessels, {} reports in {:.1?}",
            t.vessels.len(),
            t.reports.len(),
            started.elapsed()
        );
        t
    })
}

#[test]
fn the_demo_traffic_raises_the_scripted_events_and_nothing_else() {
    let inputs = inputs();
    let t = demo_traffic();

    let station = kanmen();
    let from = t.start_unix_ms / 1000;
    let to = t.end_unix_ms / 1000;
    let tide_windows: Vec<TimeSpan> = windows(
        &station,
        from,
        to,
        2 * 3600,
        2 * 3600,
        &NightRule::Sunset,
        None,
    )
    .expect("tide windows")
    .iter()
    .map(TimeSpan::from)
    .collect();

    let started = Instant::now();
    let raised = replay(t, config(inputs), tide_windows);
    let elapsed = started.elapsed();
    println!(
        "replay: {} events from {} reports in {:.1?} ({:.2} µs per report, this profile)",
        raised.len(),
        t.reports.len(),
        elapsed,
        elapsed.as_secs_f64() * 1e6 / t.reports.len() as f64
    );

    // Match every scripted episode to one raised event of its kind and vessels.
    let mut matched = vec![false; raised.len()];
    for episode in &t.episodes {
        let kind = kind_of(episode);
        let vessels: Vec<VesselId> = episode
            .vessels
            .iter()
            .map(|&v| VesselId(v as u64))
            .collect();
        let found = raised.iter().enumerate().find(|(i, r)| {
            let mut ours = r.event.vessels.clone();
            let mut theirs = vessels.clone();
            ours.sort();
            theirs.sort();
            !matched[*i]
                && r.event.kind == kind
                && ours == theirs
                && r.event.start_ms <= episode.end_unix_ms
                && r.end_ms.unwrap_or(i64::MAX) >= episode.start_unix_ms
        });
        let Some((i, r)) = found else {
            panic!("no {kind:?} event for {episode:#?}")
        };
        matched[i] = true;
        let e = &r.event;
        let start_error_s = (e.start_ms - episode.start_unix_ms) / 1000;
        let end_error_s = r.end_ms.map(|end| (end - episode.end_unix_ms) / 1000);
        println!(
            "{:<13} truth {} – {} | event {:?} {:?} {} – {} (start {:+} s, end {:?} s), opened {}, {} m from the scripted place, extended {}x",
            episode.kind,
            format_local(episode.start_unix_ms),
            format_local(episode.end_unix_ms),
            e.id,
            e.severity,
            format_local(e.start_ms),
            r.end_ms.map_or("open".into(), format_local),
            start_error_s,
            end_error_s,
            format_local(r.opened_at),
            distance_m(location(e), LonLat::new(episode.lon, episode.lat)).round(),
            r.extended,
        );
        // Right time: the event starts within one Beidou interval of the truth (a Beidou
        // report may be the first to show it), and ends likewise.
        assert!(
            start_error_s.abs() <= 180,
            "start {start_error_s} s off: {e:?}"
        );
        if let Some(end_error_s) = end_error_s {
            assert!(end_error_s.abs() <= 180, "end {end_error_s} s off: {e:?}");
        }
        // Right place.
        let off_m = distance_m(location(e), LonLat::new(episode.lon, episode.lat));
        assert!(off_m <= 600.0, "{off_m} m from the scripted place: {e:?}");
        match kind {
            EventKind::DarkVessel => {
                assert_eq!(e.severity, Severity::High, "AIS off while Beidou reports");
                assert!(matches!(
                    e.evidence,
                    Evidence::DarkVessel {
                        stream: Stream::Ais,
                        other_stream_reporting: true,
                        ..
                    }
                ));
                assert!(
                    r.opened_at - episode.start_unix_ms <= 4 * 60_000,
                    "raised late"
                );
            }
            EventKind::NightPierApproach => {
                assert_eq!(episode.pier_id, Some(199));
                assert_eq!(e.severity, Severity::High, "inside the tide window");
                let Evidence::NightPierApproach { pier, .. } = &e.evidence else {
                    panic!()
                };
                assert_eq!(pier.id, 199);
            }
            EventKind::RepeatVisit => {
                let Evidence::RepeatVisit { pier, .. } = &e.evidence else {
                    panic!()
                };
                assert_eq!(pier.id, 199);
            }
            EventKind::Rendezvous => {
                assert!(
                    r.opened_at - episode.start_unix_ms <= 23 * 60_000,
                    "raised late"
                );
            }
            EventKind::Loitering => {}
        }
    }

    // Everything else is a false positive: name them.
    let mut false_positives: BTreeMap<String, usize> = BTreeMap::new();
    for (r, _) in raised.iter().zip(&matched).filter(|(_, m)| !**m) {
        let roles: Vec<VesselRole> = r
            .event
            .vessels
            .iter()
            .map(|v| t.vessels[v.0 as usize].role)
            .collect();
        let names: Vec<&str> = r
            .event
            .vessels
            .iter()
            .map(|v| t.vessels[v.0 as usize].name.as_str())
            .collect();
        println!(
            "unscripted: {:?} {:?} {:?} {:?} {} – {} at {:.5},{:.5}",
            r.event.kind,
            r.event.severity,
            roles,
            names,
            format_local(r.event.start_ms),
            r.end_ms.map_or("open".into(), format_local),
            location(&r.event).lon,
            location(&r.event).lat,
        );
        *false_positives
            .entry(format!("{:?} {:?}", r.event.kind, roles))
            .or_default() += 1;
    }
    println!("unscripted events: {false_positives:?}");
    assert!(false_positives.is_empty(), "{false_positives:?}");
}

/// Why the coverage is configured: without it, every ship that sails out of the receivers'
/// range (cargo ships at the gates, the mother ship leaving) is a "dark vessel" too.
#[test]
fn without_coverage_only_vessels_leaving_range_are_added() {
    let inputs = inputs();
    let t = demo_traffic();
    let mut config = config(inputs);
    let coverage = std::mem::take(&mut config.dark.coverage);
    let raised = replay(t, config, Vec::new());
    let mut leaving = BTreeMap::<String, usize>::new();
    for r in raised
        .iter()
        .filter(|r| r.event.kind == EventKind::DarkVessel)
    {
        let Evidence::DarkVessel { last, stream, .. } = &r.event.evidence else {
            panic!()
        };
        let v = &t.vessels[r.event.vessels[0].0 as usize];
        if v.role == VesselRole::Smuggler && *stream == Stream::Ais {
            continue; // the scripted AIS-off runs
        }
        let edge_m = coverage
            .iter()
            .map(|ring| tidewatch_alerts::metric::distance_to_ring_m(ring, last.position))
            .fold(f64::INFINITY, f64::min);
        assert!(
            edge_m <= DarkConfig::default().coverage_edge_m,
            "{:?} {} went silent {edge_m:.0} m from the edge",
            v.role,
            v.name
        );
        *leaving.entry(format!("{:?}", v.role)).or_default() += 1;
    }
    println!("silent at the edge of the area of interest: {leaving:?}");
    assert!(leaving.contains_key("Cargo") && leaving.contains_key("MotherShip"));
}
