//! GeoJSON (RFC 7946) reading and writing.
//!
//! We parse with serde_json and convert coordinates ourselves rather than going
//! through a generic reader, so that each problem is reported with the feature number
//! and a reason a person can act on (wrong CRS, projected coordinates, bad rings).
//! RFC 7946 GeoJSON is WGS84 lon/lat; older files may name another CRS in a `crs`
//! member, and [`ImportOptions::crs`] overrides both.

use crate::collect::{Collector, Imported, Origin};
use crate::{Crs, Feature, ImportError, ImportOptions, Progress, Properties};
use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use serde_json::{json, Value};
use std::path::Path;

/// Reads a FeatureCollection, a single Feature or a bare geometry.
pub(crate) fn read(
    bytes: &[u8],
    path: &Path,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Imported, ImportError> {
    let doc: Value = serde_json::from_slice(bytes)
        .map_err(|e| ImportError::file(path, format!("not valid JSON: {e}")))?;
    let declared = match doc.pointer("/crs/properties/name").and_then(Value::as_str) {
        Some(name) => Some(Crs::parse(name).map_err(|e| ImportError::crs(path, e))?),
        None => None,
    };
    let crs = options.crs_or(declared);
    let mut collector = Collector::new(path, crs.as_ref(), progress)?;
    let raw_features: Vec<&Value> = match doc.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => doc
            .get("features")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                ImportError::file(path, "FeatureCollection without a \"features\" array")
            })?
            .iter()
            .collect(),
        Some("Feature") => vec![&doc],
        Some(_) => {
            let geometry = parse_geometry(&doc)
                .map_err(|reason| ImportError::file(path, format!("geometry: {reason}")))?;
            collector.push(Origin::Sequence, geometry, Properties::new(), None)?;
            return Ok(collector.finish());
        }
        None => return Err(ImportError::file(path, "no GeoJSON \"type\" member")),
    };
    collector.expect_features(raw_features.len() as u64);
    for raw in raw_features {
        let (geometry, properties) =
            parse_feature(raw).map_err(|reason| collector.error(Origin::Sequence, reason))?;
        let id = raw.get("id").and_then(Value::as_u64);
        collector.push(Origin::Sequence, geometry, properties, id)?;
    }
    Ok(collector.finish())
}

fn parse_feature(raw: &Value) -> Result<(Geometry<f64>, Properties), String> {
    if raw.get("type").and_then(Value::as_str) != Some("Feature") {
        return Err("not a GeoJSON Feature".into());
    }
    let geometry = match raw.get("geometry") {
        Some(g) if !g.is_null() => parse_geometry(g)?,
        _ => return Err("empty geometry (the feature has none)".into()),
    };
    let properties = match raw.get("properties") {
        Some(Value::Object(map)) => map.clone(),
        None | Some(Value::Null) => Properties::new(),
        Some(_) => return Err("\"properties\" is not an object".into()),
    };
    Ok((geometry, properties))
}

fn parse_geometry(g: &Value) -> Result<Geometry<f64>, String> {
    let kind = g
        .get("type")
        .and_then(Value::as_str)
        .ok_or("geometry has no \"type\"")?;
    if kind == "GeometryCollection" {
        let parts = g
            .get("geometries")
            .and_then(Value::as_array)
            .ok_or("GeometryCollection without \"geometries\"")?;
        let parts = parts
            .iter()
            .map(parse_geometry)
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Geometry::GeometryCollection(parts.into()));
    }
    let c = g
        .get("coordinates")
        .ok_or_else(|| format!("{kind} has no \"coordinates\""))?;
    Ok(match kind {
        "Point" => Geometry::Point(Point(coord(c)?)),
        "MultiPoint" => Geometry::MultiPoint(MultiPoint(
            array(c)?
                .iter()
                .map(|p| coord(p).map(Point))
                .collect::<Result<_, _>>()?,
        )),
        "LineString" => Geometry::LineString(line(c)?),
        "MultiLineString" => Geometry::MultiLineString(MultiLineString(
            array(c)?.iter().map(line).collect::<Result<_, _>>()?,
        )),
        "Polygon" => Geometry::Polygon(polygon(c)?),
        "MultiPolygon" => Geometry::MultiPolygon(MultiPolygon(
            array(c)?.iter().map(polygon).collect::<Result<_, _>>()?,
        )),
        other => return Err(format!("unknown geometry type {other:?}")),
    })
}

fn array(v: &Value) -> Result<&Vec<Value>, String> {
    v.as_array()
        .ok_or_else(|| format!("expected an array of coordinates, found {v}"))
}

fn coord(v: &Value) -> Result<Coord<f64>, String> {
    let a = array(v)?;
    let (Some(x), Some(y)) = (
        a.first().and_then(Value::as_f64),
        a.get(1).and_then(Value::as_f64),
    ) else {
        return Err(format!("a position must hold two numbers, found {v}"));
    };
    Ok(Coord { x, y })
}

fn line(v: &Value) -> Result<LineString<f64>, String> {
    let coords = array(v)?.iter().map(coord).collect::<Result<Vec<_>, _>>()?;
    if coords.len() < 2 {
        return Err("a LineString needs at least two positions".into());
    }
    Ok(LineString(coords))
}

fn polygon(v: &Value) -> Result<Polygon<f64>, String> {
    let mut rings = array(v)?.iter().map(|r| {
        let ring = line(r)?;
        if ring.0.len() < 4 || ring.0.first() != ring.0.last() {
            return Err("a polygon ring needs at least four positions and must be closed".into());
        }
        Ok(ring)
    });
    let exterior = rings.next().ok_or("a Polygon needs an exterior ring")??;
    let interiors = rings.collect::<Result<Vec<_>, String>>()?;
    Ok(Polygon::new(exterior, interiors))
}

/// Serialises features as a GeoJSON FeatureCollection, one feature per line so that
/// generated files diff well. `members` go first (for example a "name" or "attribution").
pub fn write_geojson(features: &[Feature], members: &[(&str, Value)]) -> String {
    let mut out = String::from("{\"type\":\"FeatureCollection\"");
    for (key, value) in members {
        out.push_str(&format!(",{}:{}", json!(key), value));
    }
    out.push_str(",\"features\":[\n");
    for (i, f) in features.iter().enumerate() {
        let feature = json!({
            "type": "Feature",
            "id": f.id,
            "geometry": geometry_json(&f.geometry),
            "properties": f.properties,
        });
        out.push_str(&feature.to_string());
        out.push_str(if i + 1 < features.len() { ",\n" } else { "\n" });
    }
    out.push_str("]}\n");
    out
}

/// A geo geometry as a GeoJSON geometry object.
pub fn geometry_json(g: &Geometry<f64>) -> Value {
    fn pos(c: &Coord<f64>) -> Value {
        json!([c.x, c.y])
    }
    fn line(l: &LineString<f64>) -> Value {
        Value::Array(l.0.iter().map(pos).collect())
    }
    fn poly(p: &Polygon<f64>) -> Value {
        Value::Array(
            std::iter::once(p.exterior())
                .chain(p.interiors())
                .map(line)
                .collect(),
        )
    }
    match g {
        Geometry::Point(p) => json!({"type": "Point", "coordinates": pos(&p.0)}),
        Geometry::MultiPoint(mp) => {
            json!({"type": "MultiPoint", "coordinates": mp.0.iter().map(|p| pos(&p.0)).collect::<Vec<_>>()})
        }
        Geometry::LineString(l) => json!({"type": "LineString", "coordinates": line(l)}),
        Geometry::MultiLineString(ml) => {
            json!({"type": "MultiLineString", "coordinates": ml.0.iter().map(line).collect::<Vec<_>>()})
        }
        Geometry::Polygon(p) => json!({"type": "Polygon", "coordinates": poly(p)}),
        Geometry::MultiPolygon(mp) => {
            json!({"type": "MultiPolygon", "coordinates": mp.0.iter().map(poly).collect::<Vec<_>>()})
        }
        Geometry::GeometryCollection(gc) => {
            json!({"type": "GeometryCollection", "geometries": gc.0.iter().map(geometry_json).collect::<Vec<_>>()})
        }
        Geometry::Line(l) => {
            json!({"type": "LineString", "coordinates": [pos(&l.start), pos(&l.end)]})
        }
        Geometry::Rect(r) => json!({"type": "Polygon", "coordinates": poly(&r.to_polygon())}),
        Geometry::Triangle(t) => json!({"type": "Polygon", "coordinates": poly(&t.to_polygon())}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read_geojson;

    fn read(s: &str) -> Result<Vec<Feature>, ImportError> {
        read_geojson(s.as_bytes(), Path::new("test.geojson"))
    }

    fn read_in(s: &str, crs: &str) -> Result<Imported, ImportError> {
        let options = ImportOptions {
            crs: Some(Crs::parse(crs).unwrap()),
            ..Default::default()
        };
        super::read(
            s.as_bytes(),
            Path::new("test.geojson"),
            &options,
            &mut |_| {},
        )
    }

    #[test]
    fn reads_feature_collection_with_ids_and_properties() {
        let fs = read(r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","id":7,"geometry":{"type":"Point","coordinates":[121.9,29.2]},"properties":{"name":"石浦"}},
            {"type":"Feature","id":9,"geometry":{"type":"LineString","coordinates":[[121,29],[122,30]]},"properties":null}]}"#).unwrap();
        assert_eq!(fs.len(), 2);
        assert_eq!(fs[0].id, 7);
        assert_eq!(fs[0].properties["name"], "石浦");
        assert_eq!(fs[1].id, 9);
    }

    #[test]
    fn numbers_features_when_ids_are_missing_or_repeated() {
        let fs = read(
            r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","id":3,"geometry":{"type":"Point","coordinates":[1,2]}},
            {"type":"Feature","id":3,"geometry":{"type":"Point","coordinates":[1,2]}}]}"#,
        )
        .unwrap();
        assert_eq!(fs.iter().map(|f| f.id).collect::<Vec<_>>(), vec![1, 2]);
    }

    #[test]
    fn errors_name_the_problem_and_the_feature() {
        let err = read("{not json").unwrap_err().to_string();
        assert!(
            err.contains("test.geojson") && err.contains("not valid JSON"),
            "{err}"
        );

        let err = read(
            r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}},
            {"type":"Feature","geometry":{"type":"Point","coordinates":[397619,3232738]}}]}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("test.geojson: feature 2:") && err.contains("give its CRS"),
            "{err}"
        );

        let err = read(r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::99999"}},"features":[]}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("EPSG:99999 is not a CRS PROJ knows"), "{err}");

        let err = read(r#"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1]]]}}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("ring"), "{err}");
    }

    #[test]
    fn reprojects_from_the_crs_member_or_the_option() {
        let shipu = r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[397883.698,3231893.325]}}"#;
        let in_4550 = r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4550"}},"features":[
            {"type":"Feature","geometry":{"type":"Point","coordinates":[397883.698,3231893.325]}}]}"#;
        for imported in [
            read_in(shipu, "EPSG:4550").unwrap(),
            super::read(
                in_4550.as_bytes(),
                Path::new("t.geojson"),
                &ImportOptions::default(),
                &mut |_| {},
            )
            .unwrap(),
        ] {
            assert_eq!(imported.source_crs, "EPSG:4550");
            let Geometry::Point(p) = imported.features[0].geometry else {
                panic!("not a point")
            };
            assert!(
                (p.x() - 121.95).abs() < 1e-4 && (p.y() - 29.20).abs() < 1e-4,
                "{p:?}"
            );
        }
        // 600 km east of Shipu is outside the area where EPSG:4550 is used.
        let prefixed = shipu.replace("397883.698", "1000000");
        let err = read_in(&prefixed, "EPSG:4550").unwrap_err().to_string();
        assert!(
            err.contains("feature 1") && err.contains("outside the area"),
            "{err}"
        );
    }

    #[test]
    fn write_then_read_round_trips() {
        let fs = read(r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","id":1,"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"properties":{"a":1}}]}"#)
        .unwrap();
        let text = write_geojson(&fs, &[("name", json!("t"))]);
        assert_eq!(read(&text).unwrap(), fs);
    }
}
