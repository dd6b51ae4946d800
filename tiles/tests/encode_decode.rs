//! Encodes features and decodes them with geozero's MVT reader (prost, written by
//! other people from vector_tile.proto), checking geometry, winding and properties.

use geo::{Coord, Geometry, LineString, MultiPolygon, Polygon};
use geozero::mvt::{tile, Message, Tile};
use geozero::ToGeo;
use serde_json::json;
use tidewatch_tiles::{world_to_lonlat, LayerEncoder, Shape, TileId};

/// A lon/lat polygon covering tile-unit rectangle [x0,y0]-[x1,y1] of `tile`.
fn tile_rect(tile: TileId, x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
    let ll = |x: f64, y: f64| {
        let s = tile.scale() * 4096.0;
        let (lon, lat) = world_to_lonlat(
            (tile.x as f64 * 4096.0 + x) / s,
            (tile.y as f64 * 4096.0 + y) / s,
        );
        Coord { x: lon, y: lat }
    };
    // Counter-clockwise in lon/lat, as RFC 7946 asks.
    Polygon::new(
        LineString(vec![
            ll(x0, y1),
            ll(x1, y1),
            ll(x1, y0),
            ll(x0, y0),
            ll(x0, y1),
        ]),
        vec![],
    )
}

fn decode(bytes: &[u8]) -> Tile {
    Tile::decode(bytes).expect("decodes")
}

fn area2(ring: &LineString<f64>) -> f64 {
    ring.0
        .windows(2)
        .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
        .sum()
}

#[test]
fn polygons_meeting_at_a_clipped_corner_stay_separate_with_mvt_winding() {
    let tile = TileId::new(12, 3430, 1701).unwrap();
    // Two squares that both run past the tile's top-right corner.
    let a = tile_rect(tile, 2000.0, -500.0, 5000.0, 1000.0);
    let b = tile_rect(tile, 3000.0, -900.0, 4900.0, 500.0);
    let shape = Shape::from_geometry(&Geometry::MultiPolygon(MultiPolygon(vec![a, b]))).unwrap();
    let mut enc = LayerEncoder::new("land", tile);
    assert!(enc.add(Some(7), &shape, []));
    let t = decode(&enc.finish());
    let f: &tile::Feature = &t.layers[0].features[0];
    assert_eq!(f.id, Some(7));
    assert_eq!(f.r#type, Some(tile::GeomType::Polygon as i32));
    let Geometry::MultiPolygon(mp) = f.to_geo().unwrap() else {
        panic!("expected two polygons")
    };
    assert_eq!(mp.0.len(), 2);
    for p in &mp.0 {
        // y grows downwards in tile units: exterior rings have positive surveyor's area.
        assert!(area2(p.exterior()) > 0.0);
        assert!(p
            .exterior()
            .0
            .iter()
            .all(|c| c.x >= -64.0 && c.x <= 4160.0 && c.y >= -64.0 && c.y <= 4160.0));
    }
}

#[test]
fn holes_are_wound_opposite_and_properties_keep_their_types() {
    let tile = TileId::new(10, 858, 425).unwrap();
    let outer = tile_rect(tile, 100.0, 100.0, 3000.0, 3000.0);
    let hole = tile_rect(tile, 1000.0, 1000.0, 2000.0, 2000.0);
    let poly = Polygon::new(outer.exterior().clone(), vec![hole.exterior().clone()]);
    let shape = Shape::from_geometry(&Geometry::Polygon(poly)).unwrap();
    let props = [
        ("name_zh", json!("石浦")),
        ("idle", json!(true)),
        ("depth", json!(2.5)),
        ("n", json!(-3)),
        ("gone", json!(null)),
    ];
    let mut enc = LayerEncoder::new("piers", tile);
    enc.add(None, &shape, props.iter().map(|(k, v)| (*k, v.into())));
    let t = decode(&enc.finish());
    let layer = &t.layers[0];
    assert_eq!(layer.extent, Some(4096));
    assert_eq!(layer.version, 2);
    assert_eq!(layer.keys, vec!["name_zh", "idle", "depth", "n"]);
    let Geometry::Polygon(p) = layer.features[0].to_geo().unwrap() else {
        panic!()
    };
    assert!(area2(p.exterior()) > 0.0);
    assert_eq!(p.interiors().len(), 1);
    assert!(area2(&p.interiors()[0]) < 0.0);
    assert_eq!(layer.values[0].string_value.as_deref(), Some("石浦"));
    assert_eq!(layer.values[1].bool_value, Some(true));
    assert_eq!(layer.values[2].double_value, Some(2.5));
    assert_eq!(layer.values[3].sint_value, Some(-3));
}

#[test]
fn features_outside_the_buffer_are_left_out_and_empty_layers_encode_to_nothing() {
    let tile = TileId::new(10, 858, 425).unwrap();
    let far = tile_rect(TileId::new(10, 860, 425).unwrap(), 0.0, 0.0, 100.0, 100.0);
    let mut enc = LayerEncoder::new("x", tile);
    assert!(!enc.add(
        None,
        &Shape::from_geometry(&Geometry::Polygon(far)).unwrap(),
        []
    ));
    assert!(enc.finish().is_empty());
}

#[test]
fn equal_values_are_stored_once_whatever_their_source_type() {
    use tidewatch_tiles::PropertyValue as P;
    let tile = TileId::new(10, 858, 425).unwrap();
    let shape =
        Shape::from_geometry(&Geometry::Polygon(tile_rect(tile, 10.0, 10.0, 90.0, 90.0))).unwrap();
    let long = "港".repeat(60); // a string value longer than one varint byte of length
    let features: [Vec<(&str, P)>; 4] = [
        vec![
            ("name", P::Str("石浦")),
            ("n", P::Float(2.0)),
            ("note", P::Str(&long)),
        ],
        vec![
            ("name", P::Str("东门")),
            ("n", P::Uint(2)),
            ("note", P::Str(&long)),
        ],
        vec![
            ("name", P::Str("石浦")),
            ("n", P::Int(-1)),
            ("d", P::Float(0.5)),
        ],
        // The same keys in another order.
        vec![("d", P::Bool(true)), ("name", P::Str("东门"))],
    ];
    let mut enc = LayerEncoder::new("piers", tile);
    for props in features {
        assert!(enc.add(None, &shape, props));
    }
    let t = decode(&enc.finish());
    let layer = &t.layers[0];
    let strings: Vec<Option<&str>> = layer
        .values
        .iter()
        .map(|v| v.string_value.as_deref())
        .collect();
    assert_eq!(
        strings,
        vec![
            Some("石浦"),
            None,
            Some(long.as_str()),
            Some("东门"),
            None,
            None,
            None
        ]
    );
    assert_eq!(layer.keys, ["name", "n", "note", "d"]);
    assert_eq!(layer.values[1].uint_value, Some(2));
    assert_eq!(layer.values[4].sint_value, Some(-1));
    assert_eq!(layer.values[5].double_value, Some(0.5));
    // The third feature points back at the first one's "石浦".
    assert_eq!(layer.features[2].tags[..2], [0, 0]);
    assert_eq!(layer.features[3].tags, [3, 6, 0, 3]);
    assert_eq!(layer.values[6].bool_value, Some(true));
}
