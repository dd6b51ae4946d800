//! Checks of the generated layers against the rules the demo promises. Distances and
//! land tests here are measured independently of the placement code: brute-force haversine
//! over every nearby coastline segment, and geo's own point-in-polygon on the raw inputs.

use super::*;
use crate::geodesy::{
    bearing_deg, distance_m, distance_to_segment_m, normalize_deg, offset, round_to,
};
use geo::{Contains, Coord, Geometry, Line, Point};
use std::collections::HashSet;
use std::sync::OnceLock;

fn data_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/demo"))
}

fn inputs() -> &'static DemoInputs {
    static INPUTS: OnceLock<DemoInputs> = OnceLock::new();
    INPUTS.get_or_init(|| DemoInputs::load(data_dir()).expect("demo inputs load"))
}

/// Generated once and shared: every test reads the default-seed data.
fn data() -> &'static DemoData {
    static DATA: OnceLock<DemoData> = OnceLock::new();
    DATA.get_or_init(|| generate(DEFAULT_SEED, inputs()).expect("demo generates"))
}

fn layers(data: &DemoData) -> [(&'static str, &[Feature]); 6] {
    [
        ("piers", &data.piers),
        ("barriers", &data.barriers),
        ("cameras", &data.cameras),
        ("radars", &data.radars),
        ("tide_stations", &data.tide_stations),
        ("places", &data.places),
    ]
}

fn position(feature: &Feature) -> Coord {
    match &feature.geometry {
        Geometry::Point(p) => p.0,
        other => panic!("feature {} is not a point: {other:?}", feature.id),
    }
}

fn text<'a>(feature: &'a Feature, key: &str) -> &'a str {
    feature.properties[key].as_str().expect("a string property")
}

fn number(feature: &Feature, key: &str) -> f64 {
    feature.properties[key].as_f64().expect("a number property")
}

fn is_land(p: Coord) -> bool {
    inputs().land.contains(&Point(p))
}

fn in_aoi(p: Coord) -> bool {
    inputs().aoi.contains(&Point(p))
}

/// Coastline segments whose bounding box comes within ~2 km of `p`; farther ones cannot be
/// nearest for the points we test (all within 2 km of the shore), so skipping them is exact.
fn coast_near(p: Coord) -> impl Iterator<Item = Line> {
    const MARGIN_DEG: f64 = 0.02;
    inputs()
        .coastline
        .iter()
        .flat_map(|line| line.lines())
        .filter(move |s| {
            s.start.x.min(s.end.x) - MARGIN_DEG <= p.x
                && p.x <= s.start.x.max(s.end.x) + MARGIN_DEG
                && s.start.y.min(s.end.y) - MARGIN_DEG <= p.y
                && p.y <= s.start.y.max(s.end.y) + MARGIN_DEG
        })
}

/// Haversine distance to the nearest coastline segment (infinite beyond ~2 km).
fn coast_distance_m(p: Coord) -> f64 {
    coast_near(p)
        .map(|s| distance_to_segment_m(p, s.start, s.end))
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn same_seed_gives_identical_files_and_another_seed_differs() {
    let again = generate(DEFAULT_SEED, inputs()).unwrap();
    assert!(again.geojson_files() == data().geojson_files());
    let other = generate(DEFAULT_SEED + 1, inputs())
        .unwrap()
        .geojson_files();
    for ((file, text), (_, default_text)) in other.iter().zip(data().geojson_files()) {
        let real = file == "places.geojson" || file == "tide_stations.geojson";
        assert_eq!(*text == default_text, real, "{file}");
    }
}

#[test]
fn layer_counts_are_exact() {
    let d = data();
    assert_eq!(d.piers.len(), 300);
    assert_eq!(d.barriers.len(), 426);
    assert_eq!(d.cameras.len(), 2200);
    assert_eq!(d.radars.len(), 8);
    assert_eq!(d.tide_stations.len(), 1);
    assert_eq!(d.places.len(), 19);
}

#[test]
fn ids_run_from_one_per_layer() {
    for (layer, features) in layers(data()) {
        let ids: Vec<u64> = features.iter().map(|f| f.id).collect();
        let expected: Vec<u64> = (1..=features.len() as u64).collect();
        assert_eq!(ids, expected, "{layer}");
    }
}

#[test]
fn piers_lie_within_50_m_of_the_real_coastline() {
    for pier in &data().piers {
        let d = coast_distance_m(position(pier));
        assert!(d <= 50.0, "pier {} is {d:.1} m from the coastline", pier.id);
    }
}

#[test]
fn barriers_are_on_land_80_to_600_m_inland_of_their_pier() {
    let piers = &data().piers;
    for barrier in &data().barriers {
        let p = position(barrier);
        assert!(is_land(p), "barrier {} is not on land", barrier.id);
        let pier = &piers[number(barrier, "pier_id") as usize - 1];
        let d = distance_m(p, position(pier));
        assert!(
            (80.0..=600.0).contains(&d),
            "barrier {} is {d:.0} m from its pier",
            barrier.id
        );
        assert_eq!(text(barrier, "town_zh"), text(pier, "town_zh"));
    }
}

#[test]
fn cameras_are_on_land_or_within_50_m_of_the_shoreline() {
    for camera in &data().cameras {
        let p = position(camera);
        let ok = match text(camera, "site") {
            "road" => is_land(p),
            _ => is_land(p) || coast_distance_m(p) <= 50.0,
        };
        assert!(
            ok,
            "camera {} ({}) is in the water",
            camera.id,
            text(camera, "site")
        );
    }
}

#[test]
fn shore_cameras_look_toward_the_water_side_of_the_nearest_shoreline() {
    for camera in data().cameras.iter().filter(|c| text(c, "site") != "road") {
        let p = position(camera);
        let nearest = coast_near(p)
            .map(|s| (distance_to_segment_m(p, s.start, s.end), s))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .expect("shore cameras are near the shore")
            .1;
        let mid = nearest.start + (nearest.end - nearest.start) * 0.5;
        let left = normalize_deg(bearing_deg(nearest.start, nearest.end) - 90.0);
        let seaward = if is_land(offset(mid, left, 15.0)) {
            left + 180.0
        } else {
            left
        };
        let turn = normalize_deg(number(camera, "bearing_deg") - seaward);
        assert!(
            turn.min(360.0 - turn) < 90.0,
            "camera {} looks {turn:.0}° away from the sea",
            camera.id
        );
    }
}

#[test]
fn radars_are_on_land_near_the_shore_and_spread_over_the_county() {
    let radars: Vec<Coord> = data().radars.iter().map(position).collect();
    for (i, &p) in radars.iter().enumerate() {
        assert!(is_land(p), "radar {} is not on land", i + 1);
        let d = coast_distance_m(p);
        assert!(d <= 2000.0, "radar {} is {d:.0} m from the shore", i + 1);
        for &q in &radars[..i] {
            assert!(distance_m(p, q) >= 5000.0, "radar {} crowds another", i + 1);
        }
    }
    assert!(radars.iter().any(|p| p.y > 29.45), "none in the north");
    assert!(
        radars.iter().any(|p| p.y < 29.0),
        "none on the southern islands"
    );
    assert!(
        radars.iter().any(|p| p.x > 122.1),
        "none on the outer islands"
    );
}

#[test]
fn everything_lies_inside_the_aoi_except_the_distant_tide_station() {
    for (layer, features) in layers(data()) {
        if layer == "tide_stations" {
            continue;
        }
        for f in features {
            assert!(in_aoi(position(f)), "{layer} {} is outside the AOI", f.id);
        }
    }
    // The only published constants are Kanmen's, 140 km away: kept at the gauge's real position.
    let station = position(&data().tide_stations[0]);
    assert_eq!(
        station,
        Coord {
            x: 121.282,
            y: 28.088
        }
    );
    assert!(!in_aoi(station));
}

/// What a property must hold.
#[derive(Clone, Copy)]
enum Rule {
    Text,
    OneOf(&'static [&'static str]),
    Flag,
    /// A number in [min, max] with at most `decimals` decimals (0: an integer).
    Number(f64, f64, i32),
    /// null or a pier id.
    PierId,
}

fn check_schema(layer: &str, features: &[Feature], schema: &[(&str, Rule)]) {
    let keys: Vec<&str> = schema.iter().map(|(k, _)| *k).collect();
    for f in features {
        let found: Vec<&str> = f.properties.keys().map(String::as_str).collect();
        assert_eq!(found, keys, "{layer} {}", f.id);
        for &(key, rule) in schema {
            let v = &f.properties[key];
            let ok = match rule {
                Rule::Text => v.as_str().is_some_and(|s| !s.is_empty()),
                Rule::OneOf(allowed) => v.as_str().is_some_and(|s| allowed.contains(&s)),
                Rule::Flag => v.is_boolean(),
                Rule::Number(min, max, decimals) => v.as_f64().is_some_and(|x| {
                    (min..=max).contains(&x)
                        && round_to(x, decimals) == x
                        && (decimals > 0 || v.is_u64())
                }),
                Rule::PierId => v.is_null() || v.as_u64().is_some_and(|id| (1..=300).contains(&id)),
            };
            assert!(ok, "{layer} {}: {key} = {v}", f.id);
        }
    }
}

#[test]
fn properties_have_the_promised_names_types_and_ranges() {
    use Rule::*;
    let d = data();
    check_schema(
        "piers",
        &d.piers,
        &[
            ("name_zh", Text),
            ("name_en", Text),
            ("kind", OneOf(&["pier", "beaching_spot"])),
            ("town_zh", Text),
            ("town_en", Text),
            ("idle", Flag),
            ("unmanned", Flag),
            ("berth_depth_m", Number(0.5, 6.0, 1)),
            ("synthetic", Flag),
        ],
    );
    check_schema(
        "barriers",
        &d.barriers,
        &[
            ("name_zh", Text),
            ("name_en", Text),
            ("status", OneOf(&["working", "damaged"])),
            ("height_limit_m", Number(2.0, 3.2, 1)),
            ("pier_id", Number(1.0, 300.0, 0)),
            ("town_zh", Text),
            ("town_en", Text),
            ("synthetic", Flag),
        ],
    );
    check_schema(
        "cameras",
        &d.cameras,
        &[
            ("name_zh", Text),
            ("name_en", Text),
            ("site", OneOf(&["pier", "road", "coast"])),
            ("kind", OneOf(&["visible", "thermal"])),
            ("height_m", Number(4.0, 30.0, 1)),
            ("bearing_deg", Number(0.0, 359.0, 0)),
            ("fov_deg", Number(20.0, 90.0, 0)),
            ("range_day_m", Number(300.0, 10_000.0, 0)),
            ("range_night_m", Number(50.0, 10_000.0, 0)),
            ("status", OneOf(&["working", "failed"])),
            ("pier_id", PierId),
            ("town_zh", Text),
            ("town_en", Text),
            ("synthetic", Flag),
        ],
    );
    check_schema(
        "radars",
        &d.radars,
        &[
            ("name_zh", Text),
            ("name_en", Text),
            ("band", OneOf(&["X", "S"])),
            ("antenna_height_m", Number(30.0, 120.0, 0)),
            ("rated_range_km", Number(24.0, 96.0, 0)),
            ("status", OneOf(&["working", "failed"])),
            ("town_zh", Text),
            ("town_en", Text),
            ("synthetic", Flag),
        ],
    );
    check_schema(
        "tide_stations",
        &d.tide_stations,
        &[
            ("station_id", Text),
            ("name_zh", OneOf(&["坎门"])),
            ("name_en", OneOf(&["Kanmen"])),
            ("source", OneOf(&["TICON-4"])),
            ("chart_datum", Text),
            ("constituent_count", Number(1.0, 1000.0, 0)),
            ("attribution", Text),
            ("synthetic", Flag),
        ],
    );
    check_schema(
        "places",
        &d.places,
        &[
            ("name_zh", Text),
            ("name_en", Text),
            ("kind", Text),
            ("synthetic", Flag),
        ],
    );
}

#[test]
fn synthetic_flags_say_what_is_made_up() {
    for (layer, features) in layers(data()) {
        let synthetic = !matches!(layer, "places" | "tide_stations");
        for f in features {
            assert_eq!(f.properties["synthetic"], synthetic, "{layer} {}", f.id);
        }
    }
    for (file, text) in data().geojson_files() {
        let doc: Value = serde_json::from_str(&text).unwrap();
        let synthetic = !matches!(file.as_str(), "places.geojson" | "tide_stations.geojson");
        assert_eq!(doc["synthetic"], synthetic, "{file}");
        assert!(
            doc["note"].as_str().is_some_and(|n| !n.is_empty()),
            "{file}"
        );
        assert!(
            doc["attribution"].as_str().is_some_and(|a| !a.is_empty()),
            "{file}"
        );
    }
}

#[test]
fn camera_ranges_and_links_fit_their_kind_and_site() {
    let d = data();
    for camera in &d.cameras {
        let (day, night) = (
            number(camera, "range_day_m"),
            number(camera, "range_night_m"),
        );
        let ok = match text(camera, "kind") {
            "visible" => (300.0..=1500.0).contains(&day) && (50.0..=300.0).contains(&night),
            _ => (1500.0..=10_000.0).contains(&day) && (1500.0..=10_000.0).contains(&night),
        };
        assert!(
            ok,
            "camera {}: {day} m by day, {night} m by night",
            camera.id
        );
        let pier_id = camera.properties["pier_id"].as_u64();
        assert_eq!(
            pier_id.is_none(),
            text(camera, "site") == "coast",
            "camera {}",
            camera.id
        );
        if let (Some(id), "pier") = (pier_id, text(camera, "site")) {
            let pier = &d.piers[id as usize - 1];
            assert!(
                distance_m(position(camera), position(pier)) <= 60.0,
                "camera {}",
                camera.id
            );
        }
    }
}

#[test]
fn shares_of_idle_damaged_and_failed_are_realistic() {
    let d = data();
    let share = |features: &[Feature], test: &dyn Fn(&Feature) -> bool| {
        features.iter().filter(|f| test(f)).count() as f64 / features.len() as f64
    };
    let idle = share(&d.piers, &|p| p.properties["idle"] == true);
    assert!((0.35..=0.45).contains(&idle), "{idle}");
    let hotspot = |p: &Feature| ["高塘", "鹤浦", "定山"].contains(&text(p, "town_zh"));
    let (hot, rest): (Vec<Feature>, Vec<Feature>) = d.piers.iter().cloned().partition(hotspot);
    let idle_hot = share(&hot, &|p| p.properties["idle"] == true);
    let idle_rest = share(&rest, &|p| p.properties["idle"] == true);
    assert!(
        hot.len() >= 20 && idle_hot > idle_rest + 0.15,
        "{idle_hot} vs {idle_rest}"
    );
    let damaged = share(&d.barriers, &|b| text(b, "status") == "damaged");
    assert!((0.08..=0.12).contains(&damaged), "{damaged}");
    let failed = share(&d.cameras, &|c| text(c, "status") == "failed");
    assert!((0.04..=0.06).contains(&failed), "{failed}");
    assert_eq!(
        d.radars
            .iter()
            .filter(|r| text(r, "status") == "failed")
            .count(),
        1
    );
}

fn nearest_place(p: Coord) -> &'static Place {
    inputs()
        .places
        .iter()
        .min_by(|a, b| distance_m(a.position, p).total_cmp(&distance_m(b.position, p)))
        .expect("places are loaded")
}

#[test]
fn piers_radars_and_coast_cameras_take_the_nearest_place_as_town() {
    let d = data();
    let coast_cameras = d.cameras.iter().filter(|c| text(c, "site") == "coast");
    for f in d.piers.iter().chain(&d.radars).chain(coast_cameras) {
        let town = nearest_place(position(f));
        assert_eq!(text(f, "town_en"), town.name_en, "{}", text(f, "name_en"));
        assert_eq!(text(f, "town_zh"), town.name_zh, "{}", text(f, "name_en"));
    }
}

#[test]
fn piers_spread_over_mainland_and_islands() {
    let towns: HashSet<&str> = data().piers.iter().map(|p| text(p, "town_en")).collect();
    let island_towns = inputs()
        .places
        .iter()
        .filter(|p| p.kind.contains("island") && towns.contains(p.name_en.as_str()))
        .count();
    assert!(towns.len() >= 15 && island_towns >= 4, "{towns:?}");
}

#[test]
fn names_are_unique_and_chinese_names_have_no_latin_digits() {
    for (layer, features) in layers(data()) {
        let mut seen = HashSet::new();
        for f in features {
            let zh = text(f, "name_zh");
            assert!(
                !zh.chars().any(|c| c.is_ascii_digit()),
                "{layer} {}: {zh}",
                f.id
            );
            if layer != "places" {
                assert!(seen.insert(zh.to_owned()), "{layer}: {zh} twice");
            }
        }
    }
    let pier = &data().piers[0];
    let name = text(pier, "name_en");
    let town = text(pier, "town_en");
    assert!(
        name.starts_with(town) && name.ends_with(char::is_numeric),
        "{name}"
    );
}

#[test]
fn committed_files_match_a_fresh_generation() {
    for (file, expected) in data().geojson_files() {
        let path = data_dir().join(&file);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == expected,
            "{} differs from generate({DEFAULT_SEED}); regenerate it with \
             `cargo run -p tidewatch-demo --example generate` (never edit it by hand)",
            path.display()
        );
    }
}

#[test]
fn write_demo_writes_every_layer_next_to_its_inputs() {
    let dir = std::env::temp_dir().join(format!("tidewatch-demo-test-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("tides")).unwrap();
    for file in [
        inputs::COASTLINE_FILE,
        inputs::LAND_FILE,
        inputs::AOI_FILE,
        inputs::PLACES_FILE,
        inputs::TIDE_STATION_FILE,
    ] {
        std::fs::copy(data_dir().join(file), dir.join(file)).unwrap();
    }
    let written = write_demo(&dir, DEFAULT_SEED);
    let contents: Vec<(String, String)> = LAYERS
        .iter()
        .map(|layer| {
            let file = format!("{layer}.geojson");
            let text = std::fs::read_to_string(dir.join(&file)).unwrap_or_default();
            (file, text)
        })
        .collect();
    std::fs::remove_dir_all(&dir).unwrap();
    let written = written.unwrap();
    assert_eq!(written.len(), 6);
    assert!(contents == data().geojson_files());
}
