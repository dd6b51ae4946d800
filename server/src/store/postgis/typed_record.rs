//! Tile properties of typed asset layers (piers, cameras, …) read from the table's own
//! columns, as one binary record per row, instead of from the trigger-kept `properties`
//! JSON.
//!
//! Why: the densest demo tiles hold all 2,200 cameras with 14 properties each. Through
//! JSON, PostgreSQL turns every row's jsonb into text (about 5 ms for those rows) and we
//! parse it back into maps (a tenth of the server's CPU over the benchmark's tile mix).
//! Plain columns cost PostgreSQL almost nothing to send and decode here without an
//! allocation per value. The values are the same ones the JSON would carry (the trigger
//! builds it from these very columns with `to_jsonb`), so the tiles are byte-identical;
//! the parity tests compare them with the embedded store's.

use serde_json::{Map, Value};
use std::fmt::Write;
use tidewatch_tiles::PropertyValue;

/// Column types decoded from their binary form; any other column is sent as
/// `to_jsonb(column)`, exactly the value the JSON path would have.
const PLAIN_TYPES: [&str; 7] = ["text", "varchar", "bool", "int2", "int4", "int8", "float8"];

/// Columns that are not properties.
const NOT_PROPERTIES: [&str; 4] = ["id", "geom", "extra", "properties"];

/// Where one listed property is read.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Source {
    /// The record's field at this index.
    Field(usize),
    /// The `extra` object (what an import kept beyond the typed columns).
    Extra,
}

#[derive(Debug, thiserror::Error)]
#[error("undecodable typed row: {0}")]
pub struct RecordError(String);

/// How the listed tile properties of one typed layer are selected and decoded.
#[derive(Debug)]
pub struct TileRecord {
    /// `ROW(t."name_zh", …)`: the record's SQL, identifiers quoted.
    sql: String,
    keys: Vec<(String, Source)>,
    /// Index of `t.extra` in the record, when a listed property is not a column.
    extra: Option<usize>,
    field_count: usize,
}

/// One row's decoded record, borrowing its text from the row (reused row after row).
#[derive(Default)]
pub struct RecordValues<'r> {
    fields: Vec<Field<'r>>,
    extra: Map<String, Value>,
}

enum Field<'r> {
    Plain(PropertyValue<'r>),
    Json(Value),
}

impl TileRecord {
    /// Plans the record for the properties `keys` (the layer's list, in its order) of a
    /// table with `columns` (name, type name as `pg_type` spells it).
    pub fn plan(keys: &[String], columns: &[(String, String)]) -> TileRecord {
        let mut exprs: Vec<String> = Vec::new();
        let mut planned = Vec::with_capacity(keys.len());
        for key in keys {
            let column = columns
                .iter()
                .find(|(name, _)| name == key && !NOT_PROPERTIES.contains(&name.as_str()));
            let source = match column {
                Some((name, type_name)) => {
                    let quoted = format!("t.\"{}\"", name.replace('"', "\"\""));
                    exprs.push(if PLAIN_TYPES.contains(&type_name.as_str()) {
                        quoted
                    } else {
                        format!("to_jsonb({quoted})")
                    });
                    Source::Field(exprs.len() - 1)
                }
                None => Source::Extra,
            };
            planned.push((key.clone(), source));
        }
        let extra = planned.iter().any(|(_, s)| *s == Source::Extra).then(|| {
            exprs.push("t.extra".to_owned());
            exprs.len() - 1
        });
        let mut sql = String::from("ROW(");
        for (i, e) in exprs.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(sql, "{sep}{e}").expect("writing to a String cannot fail");
        }
        sql.push(')');
        TileRecord {
            sql,
            keys: planned,
            extra,
            field_count: exprs.len(),
        }
    }

    /// The record expression, over the table aliased `t`.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// Decodes one row's record (PostgreSQL's binary `record` format) into `values`.
    pub fn decode<'r>(
        &self,
        record: &'r [u8],
        values: &mut RecordValues<'r>,
    ) -> Result<(), RecordError> {
        let fields = &mut values.fields;
        fields.clear();
        let mut rest = record;
        let count = take_i32(&mut rest)?;
        if usize::try_from(count) != Ok(self.field_count) {
            return Err(RecordError(format!(
                "{count} fields where the plan has {}",
                self.field_count
            )));
        }
        for _ in 0..count {
            let oid = take_i32(&mut rest)? as u32;
            let len = take_i32(&mut rest)?;
            if len < 0 {
                fields.push(Field::Plain(PropertyValue::Null));
                continue;
            }
            let bytes = take(&mut rest, len as usize)?;
            fields.push(field(oid, bytes)?);
        }
        values.extra = match self.extra.and_then(|i| fields.get_mut(i)) {
            Some(Field::Json(Value::Object(map))) => std::mem::take(map),
            _ => Map::new(),
        };
        Ok(())
    }

    /// The listed properties of a decoded row, in the layer's order.
    pub fn properties<'a>(
        &'a self,
        values: &'a RecordValues<'a>,
    ) -> impl Iterator<Item = (&'a str, PropertyValue<'a>)> {
        self.keys.iter().filter_map(move |(key, source)| {
            let value = match source {
                Source::Field(i) => match &values.fields[*i] {
                    Field::Plain(v) => *v,
                    Field::Json(v) => v.into(),
                },
                Source::Extra => values.extra.get(key)?.into(),
            };
            Some((key.as_str(), value))
        })
    }
}

fn take<'r>(rest: &mut &'r [u8], n: usize) -> Result<&'r [u8], RecordError> {
    if rest.len() < n {
        return Err(RecordError("record ends early".into()));
    }
    let (head, tail) = rest.split_at(n);
    *rest = tail;
    Ok(head)
}

fn take_i32(rest: &mut &[u8]) -> Result<i32, RecordError> {
    let b = take(rest, 4)?;
    Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// One field by its type's oid (PostgreSQL's binary send formats).
fn field(oid: u32, b: &[u8]) -> Result<Field<'_>, RecordError> {
    let fixed = |n: usize| -> Result<&[u8], RecordError> {
        (b.len() == n)
            .then_some(b)
            .ok_or_else(|| RecordError(format!("type {oid}: {} bytes, not {n}", b.len())))
    };
    let utf8 =
        |b| std::str::from_utf8(b).map_err(|e| RecordError(format!("text that is not UTF-8: {e}")));
    let value = match oid {
        16 => PropertyValue::Bool(fixed(1)?[0] != 0),
        21 => PropertyValue::Int(i16::from_be_bytes(fixed(2)?.try_into().expect("2 bytes")).into()),
        23 => PropertyValue::Int(i32::from_be_bytes(fixed(4)?.try_into().expect("4 bytes")).into()),
        20 => PropertyValue::Int(i64::from_be_bytes(fixed(8)?.try_into().expect("8 bytes"))),
        701 => {
            let f = f64::from_be_bytes(fixed(8)?.try_into().expect("8 bytes"));
            // jsonb spells the non-finite doubles as strings.
            match f {
                f if f.is_finite() => PropertyValue::Float(f),
                f if f.is_nan() => PropertyValue::Str("NaN"),
                f if f > 0.0 => PropertyValue::Str("Infinity"),
                _ => PropertyValue::Str("-Infinity"),
            }
        }
        25 | 1043 => PropertyValue::Str(utf8(b)?),
        3802 => {
            let (version, text) = b
                .split_first()
                .ok_or_else(|| RecordError("empty jsonb".into()))?;
            if *version != 1 {
                return Err(RecordError(format!("jsonb version {version}")));
            }
            let json = serde_json::from_slice(text).map_err(|e| RecordError(e.to_string()))?;
            return Ok(Field::Json(json));
        }
        other => return Err(RecordError(format!("unexpected type oid {other}"))),
    };
    Ok(Field::Plain(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> Vec<(String, String)> {
        [
            ("name_zh", "text"),
            ("height_m", "float8"),
            ("pier_id", "int8"),
            ("seen", "timestamptz"),
            ("extra", "jsonb"),
        ]
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect()
    }

    fn record(fields: &[(u32, Option<&[u8]>)]) -> Vec<u8> {
        let mut out = (fields.len() as i32).to_be_bytes().to_vec();
        for (oid, bytes) in fields {
            out.extend_from_slice(&oid.to_be_bytes());
            match bytes {
                Some(b) => {
                    out.extend_from_slice(&(b.len() as i32).to_be_bytes());
                    out.extend_from_slice(b);
                }
                None => out.extend_from_slice(&(-1i32).to_be_bytes()),
            }
        }
        out
    }

    #[test]
    fn plans_columns_by_type_and_reads_the_rest_from_extra() {
        let keys: Vec<String> = ["height_m", "nick", "seen", "name_zh", "extra"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let plan = TileRecord::plan(&keys, &columns());
        assert_eq!(
            plan.sql(),
            "ROW(t.\"height_m\", to_jsonb(t.\"seen\"), t.\"name_zh\", t.extra)"
        );
        let mut jsonb = vec![1u8];
        jsonb.extend_from_slice(br#"{"nick": "Shipu", "extra": 5}"#);
        let row = record(&[
            (701, Some(&2.5f64.to_be_bytes())),
            (3802, Some(b"\x01\"2026-11-27T00:00:00+00:00\"")),
            (25, None),
            (3802, Some(&jsonb)),
        ]);
        let mut values = RecordValues::default();
        plan.decode(&row, &mut values).unwrap();
        let got: Vec<(&str, PropertyValue)> = plan.properties(&values).collect();
        assert_eq!(
            got,
            vec![
                ("height_m", PropertyValue::Float(2.5)),
                ("nick", PropertyValue::Str("Shipu")),
                ("seen", PropertyValue::Str("2026-11-27T00:00:00+00:00")),
                ("name_zh", PropertyValue::Null),
                // `extra` itself is not a property; a key of that name inside it is.
                ("extra", PropertyValue::Uint(5)),
            ]
        );
    }

    #[test]
    fn hostile_column_names_are_quoted() {
        let cols = vec![("a\"; DROP TABLE x; --".to_string(), "text".to_string())];
        let plan = TileRecord::plan(&[cols[0].0.clone()], &cols);
        assert_eq!(plan.sql(), "ROW(t.\"a\"\"; DROP TABLE x; --\")");
    }

    #[test]
    fn non_finite_doubles_read_as_jsonb_spells_them_and_truncation_is_an_error() {
        let plan = TileRecord::plan(&["height_m".to_string()], &columns());
        let row = record(&[(701, Some(&f64::NEG_INFINITY.to_be_bytes()))]);
        let mut values = RecordValues::default();
        plan.decode(&row, &mut values).unwrap();
        assert_eq!(
            plan.properties(&values).next(),
            Some(("height_m", PropertyValue::Str("-Infinity")))
        );
        assert!(plan.decode(&row[..row.len() - 3], &mut values).is_err());
        let odd = record(&[(1700, Some(b"12"))]);
        assert!(plan.decode(&odd, &mut values).is_err());
    }
}
