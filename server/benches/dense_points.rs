//! Benchmark: a 1.2-million-point layer (AIS-like positions around the real Xiangshan
//! coast), largest tile size and slowest tile time at every zoom 0–14.
//!
//! `cargo bench -p tidewatch --bench dense_points` prints a Markdown table for
//! docs/benchmarks.md. Every tile covering the data is encoded at z0–z11; at z12–z14
//! the 400 tiles holding the most points (those are the large and slow ones).

use geo::{Coord, Geometry, Point};
use serde_json::json;
use std::collections::HashMap;
use std::time::Instant;
use tidewatch::layers::{LayerDef, Title};
use tidewatch::store::embedded::EmbeddedLayer;
use tidewatch_importers::Feature;
use tidewatch_tiles::{GeometryKind, TileId};

const POINTS: usize = 1_200_000;

/// Deterministic xorshift generator (no dependency, same points on every run).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn coastline_vertices() -> Vec<Coord<f64>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../data/demo/coastline.geojson"
    );
    let fs = tidewatch_importers::read_file(path.as_ref()).expect("coastline");
    match &fs[0].geometry {
        Geometry::MultiLineString(ml) => ml.0.iter().flat_map(|l| l.0.iter().copied()).collect(),
        _ => panic!("coastline is a MultiLineString"),
    }
}

fn main() {
    let coast = coastline_vertices();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let t = Instant::now();
    // 80 % within ~3 km of the shore (fishing boats, ferries), 20 % spread over the sea.
    let features: Vec<Feature> = (0..POINTS)
        .map(|i| {
            let c = if rng.next() < 0.8 {
                let v = coast[(rng.next() * coast.len() as f64) as usize];
                Coord {
                    x: v.x + (rng.next() - 0.5) * 0.06,
                    y: v.y + (rng.next() - 0.5) * 0.05,
                }
            } else {
                Coord {
                    x: 121.4 + rng.next() * 1.1,
                    y: 28.7 + rng.next() * 1.0,
                }
            };
            let mut properties = serde_json::Map::new();
            properties.insert("mmsi".into(), json!(412_000_000 + (i % 90_000) as u64));
            properties.insert("sog_kn".into(), json!((rng.next() * 150.0).round() / 10.0));
            Feature {
                id: i as u64 + 1,
                geometry: Geometry::Point(Point(c)),
                properties,
            }
        })
        .collect();
    eprintln!("generated {POINTS} points in {:?}", t.elapsed());

    let mut def = LayerDef::new("ais_positions", GeometryKind::Point);
    def.title = Title {
        zh: "船位".into(),
        en: "AIS positions".into(),
    };
    let positions: Vec<(f64, f64)> = features
        .iter()
        .map(|f| match f.geometry {
            Geometry::Point(p) => (p.x(), p.y()),
            _ => unreachable!(),
        })
        .collect();
    let t = Instant::now();
    let layer = EmbeddedLayer::from_features(&def, features).expect("layer builds");
    println!(
        "Layer build (R-tree, cluster pyramid) for {POINTS} points: {:.2} s\n",
        t.elapsed().as_secs_f64()
    );

    println!(
        "| zoom | tiles encoded | thinned | largest tile (KB) | slowest tile (ms) | mean (ms) |"
    );
    println!("|---:|---:|:---:|---:|---:|---:|");
    for z in 0..=14u8 {
        let mut counts: HashMap<(u32, u32), usize> = HashMap::new();
        for &(lon, lat) in &positions {
            let t = TileId::containing(z, lon, lat);
            *counts.entry((t.x, t.y)).or_default() += 1;
        }
        let mut tiles: Vec<_> = counts.into_iter().collect();
        tiles.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        if z >= 12 {
            tiles.truncate(400);
        }
        let (mut largest, mut slowest, mut total) = (0usize, 0f64, 0f64);
        for ((x, y), _) in &tiles {
            let tile = TileId::new(z as u32, *x, *y).unwrap();
            let t = Instant::now();
            let bytes = layer.encode_tile(tile);
            let ms = t.elapsed().as_secs_f64() * 1e3;
            largest = largest.max(bytes.len());
            slowest = slowest.max(ms);
            total += ms;
        }
        let thinned = layer_thinned(&layer, z);
        println!(
            "| {z} | {} | {} | {:.1} | {:.2} | {:.3} |",
            tiles.len(),
            if thinned { "yes" } else { "no" },
            largest as f64 / 1024.0,
            slowest,
            total / tiles.len() as f64
        );
    }
}

fn layer_thinned(layer: &EmbeddedLayer, z: u8) -> bool {
    use tidewatch::store::LayerSource;
    layer
        .info()
        .thinned_up_to_zoom
        .is_some_and(|deepest| z <= deepest)
}
