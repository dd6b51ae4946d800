//! What the tiles hold, against an oracle computed here.
//!
//! For each demo layer at z8–z14 (every tile covering the data at z8–z10; at z11–z14 the
//! tiles around ~50 sampled features, or sampled vertices of line and polygon layers, and
//! their neighbours) the served tile, decoded by geozero's MVT reader, must hold exactly the
//! features (by id) whose prepared shape at that zoom (`EmbeddedLayer::shape_at(i, z)`)
//! intersects the tile's world bounds grown by BUFFER tile units (`geo::Intersects`, in
//! world coordinates), each once, with the layer definition's tile properties (values
//! equal to the source feature's, JSON types kept), and points within one tile unit of the
//! source position. Composite tiles decode the same in geozero and in @mapbox/vector-tile.

use geo::{
    Area, BooleanOps, BoundingRect, Geometry, Intersects, MultiLineString, MultiPoint,
    MultiPolygon, Polygon, Rect,
};
use geozero::mvt::tile;
use geozero::ToGeo;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::process::Command;
use tidewatch::store::LayerSource;
use tidewatch_e2e::*;
use tidewatch_tiles::{GeometryKind, Shape};

/// Features sampled per layer for the deep zooms.
const SAMPLES: usize = 50;

fn shape_geometry(shape: &Shape) -> Geometry<f64> {
    match shape {
        Shape::Points(p) => {
            Geometry::MultiPoint(MultiPoint(p.iter().map(|c| (*c).into()).collect()))
        }
        Shape::Lines(l) => Geometry::MultiLineString(MultiLineString(l.clone())),
        Shape::Polygons(p) => Geometry::MultiPolygon(MultiPolygon(p.clone())),
    }
}

/// World rectangle of a tile grown by BUFFER tile units.
fn buffered_rect(t: TileId) -> Rect<f64> {
    let [x0, y0, x1, y1] = t.world_bounds(BUFFER);
    Rect::new((x0, y0), (x1, y1))
}

/// World coordinates to (unrounded) tile units of `t`.
fn to_units(t: TileId, x: f64, y: f64) -> (f64, f64) {
    let n = (1u64 << t.z) as f64;
    (
        (x * n - t.x as f64) * EXTENT as f64,
        (y * n - t.y as f64) * EXTENT as f64,
    )
}

/// The one case in which a feature of the oracle may be missing from a tile: everything of
/// it inside the buffered tile is a sliver under one tile unit, which the encoder's rounding
/// to integer tile units collapses (a ring of zero area, or a line piece whose points all
/// round to one point) and so rightly drops. Measured on the exact clipped geometry:
/// polygons — every clipped piece is thinner than one unit (area / longest side of its
/// bounding box ≤ 1); lines — every clipped piece fits in a 1×1-unit box. Anything else
/// missing is a failure.
fn vanishes_in_rounding(shape: &Shape, t: TileId) -> Result<(), String> {
    let rect = buffered_rect(t).to_polygon();
    let scale = (1u64 << t.z) as f64 * EXTENT as f64;
    match shape {
        Shape::Points(_) => Err("a point inside the buffered tile is missing".into()),
        Shape::Polygons(p) => {
            let clipped = MultiPolygon(p.clone()).intersection(&MultiPolygon(vec![rect]));
            for piece in &clipped.0 {
                let area = piece.unsigned_area() * scale * scale;
                let b = piece.bounding_rect().expect("non-empty piece");
                let longest = b.width().max(b.height()) * scale;
                if area > longest.max(1e-9) {
                    return Err(format!(
                        "a clipped piece of {area:.2} units² spanning {longest:.2} units is no sliver"
                    ));
                }
            }
            Ok(())
        }
        Shape::Lines(l) => {
            let clipped = rect.clip(&MultiLineString(l.clone()), false);
            for piece in &clipped.0 {
                if let Some(b) = piece.bounding_rect() {
                    let (w, h) = (b.width() * scale, b.height() * scale);
                    if w > 1.0 || h > 1.0 {
                        return Err(format!("a clipped line piece spans {w:.2}×{h:.2} units"));
                    }
                }
            }
            Ok(())
        }
    }
}

/// Checks one property value against the source's: equal, and of the same JSON type
/// (strings as strings, booleans as booleans, whole numbers as integers — also when the
/// source wrote 2.0, since JSON and PostGIS's jsonb do not keep that apart — other
/// numbers as doubles; nested values as their JSON text).
fn property_matches(source: &Value, tile: &TileValue) -> bool {
    match (source, tile) {
        (Value::String(s), TileValue::String(t)) => s == t,
        (Value::Bool(s), TileValue::Bool(t)) => s == t,
        (Value::Number(n), t) => {
            if let Some(u) = n.as_u64() {
                matches!(t, TileValue::Uint(v) if *v == u)
                    || matches!(t, TileValue::Int(v) | TileValue::Sint(v) if *v >= 0 && *v as u64 == u)
            } else if let Some(i) = n.as_i64() {
                matches!(t, TileValue::Int(v) | TileValue::Sint(v) if *v == i)
            } else {
                let f = n.as_f64().expect("a JSON number");
                if f.fract() == 0.0 {
                    matches!(t, TileValue::Uint(v) if *v as f64 == f)
                        || matches!(t, TileValue::Int(v) | TileValue::Sint(v) if *v as f64 == f)
                } else {
                    matches!(t, TileValue::Double(v) if v.to_bits() == f.to_bits())
                }
            }
        }
        (v @ (Value::Array(_) | Value::Object(_)), TileValue::String(t)) => &v.to_string() == t,
        _ => false,
    }
}

/// Tiles to check for a layer: z8–z10 all covering the data; z11–z14 around samples.
fn tiles_for(layer: &Layer) -> Vec<TileId> {
    let n = layer.data.features().len();
    let mut tiles = BTreeSet::new();
    for z in 8..=10u8 {
        let mut b = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for i in 0..n {
            let s = layer.data.shape_at(i, z).bounds();
            b = [
                b[0].min(s[0]),
                b[1].min(s[1]),
                b[2].max(s[2]),
                b[3].max(s[3]),
            ];
        }
        tiles.extend(
            tiles_in_world_bbox(z, b, BUFFER)
                .into_iter()
                .map(|t| (t.z, t.x, t.y)),
        );
    }
    // Sample positions: every k-th feature of a point layer; every k-th vertex of a line or
    // polygon layer (whose few features are large).
    let positions: Vec<(f64, f64)> = if layer.def.geometry == GeometryKind::Point {
        let step = n.div_ceil(SAMPLES).max(1);
        (0..n)
            .step_by(step)
            .map(|i| match layer.data.shape_at(i, 14) {
                Shape::Points(p) => (p[0].x, p[0].y),
                _ => unreachable!(),
            })
            .collect()
    } else {
        let mut all = Vec::new();
        for i in 0..n {
            match layer.data.shape_at(i, 14) {
                Shape::Lines(ls) => {
                    all.extend(ls.iter().flat_map(|l| l.0.iter().map(|c| (c.x, c.y))))
                }
                Shape::Polygons(ps) => all.extend(
                    ps.iter()
                        .flat_map(|p| p.exterior().0.iter().map(|c| (c.x, c.y))),
                ),
                Shape::Points(_) => unreachable!(),
            }
        }
        let step = all.len().div_ceil(SAMPLES).max(1);
        all.into_iter().step_by(step).collect()
    };
    for z in 11..=14u8 {
        let scale = (1u64 << z) as f64;
        for &(x, y) in &positions {
            let t = TileId {
                z,
                x: (x * scale).floor() as u32,
                y: (y * scale).floor() as u32,
            };
            tiles.extend(with_neighbours(t).into_iter().map(|t| (t.z, t.x, t.y)));
        }
    }
    tiles
        .into_iter()
        .map(|(z, x, y)| TileId { z, x, y })
        .collect()
}

fn check_layer(id: &str) {
    let server = TestServer::shared();
    let layer = layer(id);
    let features = layer.data.features();
    let by_id: HashMap<u64, usize> = features
        .iter()
        .enumerate()
        .map(|(i, f)| (f.id, i))
        .collect();
    assert_eq!(
        by_id.len(),
        features.len(),
        "layer {id}: feature ids are not unique"
    );
    let thinned_to = layer.data.info().thinned_up_to_zoom;
    let want_type = match layer.def.geometry {
        GeometryKind::Point => 1,
        GeometryKind::Line => 2,
        GeometryKind::Polygon => 3,
    };
    let mut geoms: BTreeMap<u8, Vec<Geometry<f64>>> = BTreeMap::new();
    let tiles = tiles_for(layer);
    let (mut failures, mut slivers, mut with_data, mut checked_features) =
        (Vec::new(), Vec::new(), 0, 0);
    for &t in &tiles {
        let path = tile_path(id, t);
        let geoms = geoms.entry(t.z).or_insert_with(|| {
            (0..features.len())
                .map(|i| shape_geometry(layer.data.shape_at(i, t.z)))
                .collect()
        });
        let rect = buffered_rect(t);
        let oracle: BTreeSet<u64> = (0..features.len())
            .filter(|&i| geoms[i].intersects(&rect))
            .map(|i| features[i].id)
            .collect();

        let r = server.get(&path);
        let decoded = match r.status {
            200 => decode_mvt(&r.body),
            204 => Default::default(),
            s => {
                failures.push(format!("{path}: HTTP {s} {}", r.text()));
                continue;
            }
        };
        if r.status == 204 && !r.body.is_empty() {
            failures.push(format!("{path}: 204 with a body"));
        }
        let names: Vec<&str> = decoded.layers.iter().map(|l| l.name.as_str()).collect();
        if r.status == 200 && names != [id] {
            failures.push(format!(
                "{path}: layers {names:?}, expected exactly [{id:?}]"
            ));
            continue;
        }
        with_data += (r.status == 200) as usize;
        let empty = tile::Layer::default();
        let mvt_layer = decoded.layers.first().unwrap_or(&empty);
        let thinned = thinned_to.is_some_and(|d| t.z <= d);
        let mut got = BTreeSet::new();
        for f in &mvt_layer.features {
            let props = feature_properties(mvt_layer, f);
            if f.r#type != Some(want_type) {
                failures.push(format!(
                    "{path}: feature {:?} has geometry type {:?}, want {want_type}",
                    f.id, f.r#type
                ));
            }
            let Some(fid) = f.id else {
                // Only a cluster of a thinned zoom may come without an id.
                if !(thinned && props.iter().any(|(k, _)| k == "point_count")) {
                    failures.push(format!("{path}: a feature without id ({props:?})"));
                }
                continue;
            };
            if !got.insert(fid) {
                failures.push(format!("{path}: feature {fid} appears twice"));
            }
            let Some(&i) = by_id.get(&fid) else {
                failures.push(format!(
                    "{path}: feature id {fid} is not in the layer's data"
                ));
                continue;
            };
            checked_features += 1;
            // Properties: exactly the layer definition's (or all), non-null, equal and typed.
            let source = &features[i].properties;
            let want: BTreeMap<&str, &Value> = source
                .iter()
                .filter(|(k, v)| {
                    !v.is_null()
                        && layer
                            .def
                            .properties
                            .as_ref()
                            .is_none_or(|keys| keys.contains(k))
                })
                .map(|(k, v)| (k.as_str(), v))
                .collect();
            let have: BTreeMap<&str, &TileValue> =
                props.iter().map(|(k, v)| (k.as_str(), v)).collect();
            if have.len() != props.len() {
                failures.push(format!(
                    "{path}: feature {fid} repeats a property key: {props:?}"
                ));
            }
            if want.keys().collect::<Vec<_>>() != have.keys().collect::<Vec<_>>() {
                failures.push(format!(
                    "{path}: feature {fid} has properties {:?}, want {:?}",
                    have.keys().collect::<Vec<_>>(),
                    want.keys().collect::<Vec<_>>()
                ));
            }
            for (k, v) in &want {
                if let Some(tv) = have.get(k) {
                    if !property_matches(v, tv) {
                        failures.push(format!(
                            "{path}: feature {fid} property {k}: tile has {tv:?}, source has {v}"
                        ));
                    }
                }
            }
            // Points round-trip within one tile unit of the source position.
            if layer.def.geometry == GeometryKind::Point {
                let (lon, lat) = point_lonlat(&features[i]);
                let (wx, wy) = lonlat_to_world(lon, lat);
                let (ex, ey) = to_units(t, wx, wy);
                let pts: Vec<(f64, f64)> = match f.to_geo() {
                    Ok(Geometry::Point(p)) => vec![(p.x(), p.y())],
                    Ok(Geometry::MultiPoint(mp)) => mp.0.iter().map(|p| (p.x(), p.y())).collect(),
                    other => {
                        failures.push(format!("{path}: feature {fid} decodes to {other:?}"));
                        continue;
                    }
                };
                if pts.len() != 1 || (pts[0].0 - ex).abs() > 1.0 || (pts[0].1 - ey).abs() > 1.0 {
                    failures.push(format!(
                        "{path}: feature {fid} at {pts:?} tile units, source ({lon}, {lat}) is at ({ex:.2}, {ey:.2})"
                    ));
                }
            }
        }
        if thinned {
            // Clusters stand for several features; the lone points left must be real ones.
            for fid in got.difference(&oracle) {
                failures.push(format!(
                    "{path}: (thinned zoom) feature {fid} is outside the buffered tile"
                ));
            }
            continue;
        }
        for fid in got.difference(&oracle) {
            failures.push(format!("{path}: feature {fid} is in the tile but its shape does not reach the buffered tile"));
        }
        for fid in oracle.difference(&got) {
            let shape = layer.data.shape_at(by_id[fid], t.z);
            match vanishes_in_rounding(shape, t) {
                Ok(()) => slivers.push(format!("{path}: feature {fid}")),
                Err(why) => failures.push(format!("{path}: feature {fid} is missing ({why})")),
            }
        }
    }
    println!(
        "{id}: {} tiles checked ({with_data} with data), {checked_features} features checked, \
         thinned up to zoom {thinned_to:?}, {} dropped slivers{}",
        tiles.len(),
        slivers.len(),
        if slivers.is_empty() {
            String::new()
        } else {
            format!(": {}", slivers.join("; "))
        }
    );
    assert!(
        with_data > 0,
        "layer {id}: no tile with data among {} tiles",
        tiles.len()
    );
    // "A handful": slivers are rare edge cases; many would mean geometry is being lost.
    assert!(
        slivers.len() <= 5,
        "layer {id}: {} features dropped as slivers: {slivers:?}",
        slivers.len()
    );
    assert!(
        failures.is_empty(),
        "layer {id}: {} problems in {} tiles:\n{}",
        failures.len(),
        tiles.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

macro_rules! layer_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check_layer(stringify!($name));
            }
        )*

        #[test]
        fn every_layer_has_a_contents_test() {
            let tested = [$(stringify!($name)),*];
            for l in layers() {
                assert!(tested.contains(&l.def.id.as_str()), "layer {} has no contents test here", l.def.id);
            }
        }
    };
}

layer_tests!(
    land,
    coastline,
    piers,
    barriers,
    cameras,
    radars,
    tide_stations,
    places
);

/// A few composite tiles decoded by geozero and by @mapbox/vector-tile (MapLibre's decoder,
/// through tests/js/feature_ids.mjs): the same layers, and per layer the same features in
/// the same order, with the same ids, geometry types and property keys.
#[test]
fn composite_tiles_decode_the_same_in_geozero_and_mapbox_vector_tile() {
    let server = TestServer::shared();
    let tools = e2e_tools();
    let composite = all_layers_composite();
    let dir = out_dir(env!("CARGO_TARGET_TMPDIR"), "composite_compare");
    let (_, lon, lat, _) = busiest_pier();
    let kanmen = point_lonlat(&layer("tide_stations").data.features()[0]);
    let mut tiles = vec![
        TileId::containing(8, 121.9, 29.25),
        TileId::containing(10, kanmen.0, kanmen.1),
    ];
    for z in [10, 12, 14] {
        tiles.extend(with_neighbours(TileId::containing(z, lon, lat)));
    }
    let mut files = Vec::new();
    let mut expected = BTreeMap::new();
    for t in tiles {
        let r = server.get_with(&tile_path(&composite, t), &[("Accept-Encoding", "gzip")]);
        if r.status == 204 {
            continue;
        }
        assert_eq!(r.status, 200, "{}: {}", tile_path(&composite, t), r.text());
        let path = dir.join(format!("{}/{}/{}.mvt", t.z, t.x, t.y));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &r.body).unwrap();
        let tile = decode_mvt(&r.body);
        let mut layers = serde_json::Map::new();
        for l in &tile.layers {
            let feats: Vec<Value> = l
                .features
                .iter()
                .map(|f| {
                    let mut keys: Vec<String> = feature_properties(l, f)
                        .into_iter()
                        .map(|(k, _)| k)
                        .collect();
                    keys.sort();
                    serde_json::json!({ "id": f.id, "type": f.r#type, "keys": keys })
                })
                .collect();
            layers.insert(l.name.clone(), Value::Array(feats));
        }
        expected.insert(path.display().to_string(), Value::Object(layers));
        files.push(path);
    }
    assert!(
        files.len() >= 10,
        "only {} composite tiles with data",
        files.len()
    );
    let out = run(Command::new("node")
        .arg(tools.join("vt/feature_ids.mjs"))
        .args(&files));
    assert!(
        out.status.success(),
        "feature_ids.mjs failed\n{}",
        describe(&out)
    );
    let decoded: BTreeMap<String, Value> =
        serde_json::from_slice(&out.stdout).expect("feature_ids.mjs prints JSON");
    assert_eq!(decoded.len(), files.len());
    for (file, want) in &expected {
        let got = &decoded[file];
        let layer_names = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(layer_names(got), layer_names(want), "{file}: layers differ");
        for (name, feats) in want.as_object().unwrap() {
            assert_eq!(
                &got[name], feats,
                "{file}: layer {name} differs between @mapbox/vector-tile and geozero"
            );
        }
    }
    let total: usize = expected
        .values()
        .flat_map(|v| v.as_object().unwrap().values())
        .map(|f| f.as_array().unwrap().len())
        .sum();
    println!(
        "{} composite tiles, {total} features: geozero and @mapbox/vector-tile agree",
        files.len()
    );
}

#[test]
fn sliver_rule_accepts_slivers_only() {
    // The exception above must not excuse real geometry: a 100-unit square inside a z12
    // tile is no sliver; a 0.3-unit-thin strip is.
    let t = TileId {
        z: 12,
        x: 3434,
        y: 1701,
    };
    let unit = 1.0 / ((1u64 << 12) as f64 * EXTENT as f64);
    let (x0, y0) = (
        (t.x as f64) / 4096.0 + 10.0 * unit,
        (t.y as f64) / 4096.0 + 10.0 * unit,
    );
    let rect = |w: f64, h: f64| {
        Shape::Polygons(vec![Polygon::new(
            vec![
                (x0, y0),
                (x0 + w * unit, y0),
                (x0 + w * unit, y0 + h * unit),
                (x0, y0 + h * unit),
                (x0, y0),
            ]
            .into(),
            vec![],
        )])
    };
    assert!(vanishes_in_rounding(&rect(100.0, 100.0), t).is_err());
    assert!(vanishes_in_rounding(&rect(100.0, 0.3), t).is_ok());
    let line = |w: f64| Shape::Lines(vec![vec![(x0, y0), (x0 + w * unit, y0)].into()]);
    assert!(vanishes_in_rounding(&line(5.0), t).is_err());
    assert!(vanishes_in_rounding(&line(0.4), t).is_ok());
}
