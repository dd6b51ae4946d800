//! What an import holds, for a store that creates columns: one geometry kind and one
//! type per attribute, merged over all features.

use geo::Geometry;
use serde_json::Value;
use std::collections::HashMap;

/// The type of an attribute over all features.
///
/// Merging: equal types stay; Integer and Number give Number; any other mix gives Json
/// (keep the values as they are, e.g. in a jsonb column). Nulls do not count; a field
/// that is null everywhere is Text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Boolean,
    Integer,
    Number,
    Text,
    /// Objects, arrays, or values of mixed types.
    Json,
}

impl FieldType {
    /// The type of one value; None for null.
    pub fn of(value: &Value) -> Option<FieldType> {
        Some(match value {
            Value::Null => return None,
            Value::Bool(_) => FieldType::Boolean,
            Value::Number(n) if n.is_f64() => FieldType::Number,
            Value::Number(_) => FieldType::Integer,
            Value::String(_) => FieldType::Text,
            Value::Array(_) | Value::Object(_) => FieldType::Json,
        })
    }

    fn merge(self, other: FieldType) -> FieldType {
        use FieldType::*;
        match (self, other) {
            (a, b) if a == b => a,
            (Integer, Number) | (Number, Integer) => Number,
            _ => Json,
        }
    }
}

/// The geometry type of a layer.
///
/// Merging: a single and its multi type give the multi type (Polygon + MultiPolygon =
/// MultiPolygon); any other mix gives Mixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeometryKind {
    Point,
    LineString,
    Polygon,
    MultiPoint,
    MultiLineString,
    MultiPolygon,
    GeometryCollection,
    Mixed,
}

impl GeometryKind {
    /// The kind of one geometry.
    pub fn of(g: &Geometry<f64>) -> GeometryKind {
        match g {
            Geometry::Point(_) => GeometryKind::Point,
            Geometry::Line(_) | Geometry::LineString(_) => GeometryKind::LineString,
            Geometry::Polygon(_) | Geometry::Rect(_) | Geometry::Triangle(_) => {
                GeometryKind::Polygon
            }
            Geometry::MultiPoint(_) => GeometryKind::MultiPoint,
            Geometry::MultiLineString(_) => GeometryKind::MultiLineString,
            Geometry::MultiPolygon(_) => GeometryKind::MultiPolygon,
            Geometry::GeometryCollection(_) => GeometryKind::GeometryCollection,
        }
    }

    fn merge(self, other: GeometryKind) -> GeometryKind {
        use GeometryKind::*;
        match (self, other) {
            (a, b) if a == b => a,
            (Point, MultiPoint) | (MultiPoint, Point) => MultiPoint,
            (LineString, MultiLineString) | (MultiLineString, LineString) => MultiLineString,
            (Polygon, MultiPolygon) | (MultiPolygon, Polygon) => MultiPolygon,
            _ => Mixed,
        }
    }
}

/// Accumulates field types (in order of first appearance) and the geometry kind.
#[derive(Default)]
pub(crate) struct Summary {
    fields: Vec<(String, Option<FieldType>)>,
    positions: HashMap<String, usize>,
    kind: Option<GeometryKind>,
}

impl Summary {
    pub(crate) fn add(&mut self, geometry: &Geometry<f64>, properties: &crate::Properties) {
        let kind = GeometryKind::of(geometry);
        self.kind = Some(self.kind.map_or(kind, |k| k.merge(kind)));
        for (name, value) in properties {
            let position = match self.positions.get(name) {
                Some(&p) => p,
                None => {
                    self.positions.insert(name.clone(), self.fields.len());
                    self.fields.push((name.clone(), None));
                    self.fields.len() - 1
                }
            };
            if let Some(t) = FieldType::of(value) {
                let slot = &mut self.fields[position].1;
                *slot = Some(slot.map_or(t, |s| s.merge(t)));
            }
        }
    }

    pub(crate) fn finish(self) -> (Option<GeometryKind>, Vec<(String, FieldType)>) {
        let fields = self
            .fields
            .into_iter()
            .map(|(name, t)| (name, t.unwrap_or(FieldType::Text)))
            .collect();
        (self.kind, fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{point, polygon, MultiPolygon};
    use serde_json::json;

    #[test]
    fn merges_types_and_kinds() {
        let mut s = Summary::default();
        let props = |v: Value| v.as_object().unwrap().clone();
        let square = polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.)];
        s.add(
            &square.clone().into(),
            &props(json!({"n": 1, "t": "a", "z": null, "m": 1})),
        );
        s.add(
            &MultiPolygon(vec![square]).into(),
            &props(json!({"n": 1.5, "t": "b", "m": "x", "b": true})),
        );
        let (kind, fields) = s.finish();
        assert_eq!(kind, Some(GeometryKind::MultiPolygon));
        assert_eq!(
            fields,
            vec![
                ("n".to_string(), FieldType::Number),
                ("t".to_string(), FieldType::Text),
                ("z".to_string(), FieldType::Text),
                ("m".to_string(), FieldType::Json),
                ("b".to_string(), FieldType::Boolean),
            ]
        );
        let mut s = Summary::default();
        s.add(&point!(x: 0., y: 0.).into(), &Default::default());
        s.add(
            &polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.)].into(),
            &Default::default(),
        );
        assert_eq!(s.finish().0, Some(GeometryKind::Mixed));
    }
}
