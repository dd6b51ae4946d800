//! Benchmark: patrol plans for the demo county — zones built from the real coastline and
//! the places, then 30 nights of windows and priorities for every zone from the Kanmen
//! constants (issue 7's target: ≤ 100 ms for 30 nights over the whole county).
//!
//! `cargo bench -p tidewatch --bench patrol` prints min and median of each step.

use std::time::Instant;
use tidewatch::analysis::coverage::{coastline, towns};
use tidewatch::analysis::patrol::{patrol_plan, zone_assets, Barrier, Landing, PatrolWeights};
use tidewatch::analysis::tide_stations::{PredictorInput, StationPoint};
use tidewatch::analysis::zones::{zones_from_coast, Place};
use tidewatch_importers::Feature;
use tidewatch_tides::{Date, NightRule, Zone};

fn demo(name: &str) -> Vec<Feature> {
    let path = format!("{}/../data/demo/{name}.geojson", env!("CARGO_MANIFEST_DIR"));
    tidewatch_importers::read_file(path.as_ref()).expect("demo layer")
}

fn point(f: &Feature) -> (f64, f64) {
    match &f.geometry {
        geo::Geometry::Point(p) => (p.x(), p.y()),
        _ => panic!("a point"),
    }
}

/// Runs `f` `n` times; min and median in milliseconds.
fn time<T>(n: usize, mut f: impl FnMut() -> T) -> (f64, f64, T) {
    let mut ms = Vec::with_capacity(n);
    let mut last = None;
    for _ in 0..n {
        let t = Instant::now();
        last = Some(f());
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    (ms[0], ms[n / 2], last.expect("ran"))
}

fn main() {
    let coast = coastline(&demo("coastline"));
    let places: Vec<Place> = towns(&demo("places"))
        .into_iter()
        .map(|t| Place {
            name_zh: t.name_zh,
            name_en: t.name_en,
            lon: t.lon,
            lat: t.lat,
        })
        .collect();
    let (min, median, zones) = time(5, || zones_from_coast(&coast, &places, 1500.0));
    println!(
        "zones from the coast ({} zones): min {min:.1} ms, median {median:.1} ms",
        zones.len()
    );

    let landings: Vec<Landing> = demo("piers")
        .iter()
        .map(|f| {
            let (lon, lat) = point(f);
            let p = &f.properties;
            Landing {
                lon,
                lat,
                beaching_spot: p["kind"] == "beaching_spot",
                idle: p["idle"] == true,
                depth_m: p["berth_depth_m"].as_f64(),
            }
        })
        .collect();
    let barriers: Vec<Barrier> = demo("barriers")
        .iter()
        .map(|f| {
            let (lon, lat) = point(f);
            Barrier {
                lon,
                lat,
                damaged: f.properties["status"] != "working",
            }
        })
        .collect();
    let (min, median, assets) = time(5, || zone_assets(&zones, &landings, &barriers, None));
    println!("zone assets (300 piers, 426 barriers): min {min:.1} ms, median {median:.1} ms");

    let path = format!(
        "{}/../data/demo/tides/kanmen-ticon4.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let input = tidewatch_importers::tides::read_constants(path.as_ref(), &Default::default())
        .expect("Kanmen constants");
    let here = StationPoint {
        station_id: input.id.clone(),
        name_zh: "坎门".into(),
        name_en: "Kanmen".into(),
        lon: input.lon,
        lat: input.lat,
    };
    let kanmen = PredictorInput::Constants(input)
        .station(&here)
        .expect("station");
    let stations: Vec<(&str, &tidewatch_tides::Station)> =
        zones.iter().map(|_| ("kanmen", &*kanmen)).collect();
    let from = Zone::Shanghai.instant(Date::new(2026, 11, 28).unwrap(), 12, 0, 0);
    let to = from + 30 * 86_400;
    let rule = tidewatch::analysis::patrol::WindowRule {
        before_s: 7200,
        after_s: 7200,
        night: NightRule::Civil,
    };
    let weights = PatrolWeights::default();
    let (min, median, plan) = time(20, || {
        patrol_plan(&zones, &assets, &stations, from, to, &rule, &weights).expect("plan")
    });
    println!(
        "patrol plan, 30 nights x {} zones ({} zone windows): min {min:.1} ms, median {median:.1} ms",
        zones.len(),
        plan.len()
    );
}
