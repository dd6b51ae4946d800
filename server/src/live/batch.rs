//! Position batches that do not come as NMEA (the Beidou vessel-monitoring export, other
//! feeds): JSON or CSV with the columns `id, source, time, lon, lat, speed, course,
//! heading`. A batch is all or nothing: the first bad row rejects the whole batch, and
//! the error names the row and the field.

use super::{Position, PositionSource};
use serde_json::Value;

/// Most positions one request may carry.
pub const MAX_BATCH: usize = 100_000;

/// Parses a JSON batch: an array of position objects, or `{"positions": [...]}`.
pub fn from_json(body: &[u8]) -> Result<Vec<Position>, String> {
    let doc: Value = serde_json::from_slice(body).map_err(|e| format!("invalid JSON: {e}"))?;
    let rows = match doc {
        Value::Array(rows) => rows,
        Value::Object(mut o) => match o.remove("positions") {
            Some(Value::Array(rows)) => rows,
            _ => return Err("expected an array of positions or {\"positions\": [...]}".into()),
        },
        _ => return Err("expected an array of positions or {\"positions\": [...]}".into()),
    };
    check_size(rows.len())?;
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            let Value::Object(o) = row else {
                return Err(format!("position {}: expected an object", i + 1));
            };
            let field = |name: &str| -> Result<Option<Field>, String> {
                match o.get(name) {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::String(s)) => Ok(Some(Field::Text(s.clone()))),
                    Some(Value::Number(n)) => Ok(n.as_f64().map(Field::Number)),
                    Some(other) => Err(format!("{name}: unexpected value {other}")),
                }
            };
            for key in o.keys() {
                if !COLUMNS.contains(&key.as_str()) {
                    return Err(format!(
                        "position {}: unknown field {key:?} (known: {})",
                        i + 1,
                        COLUMNS.join(", ")
                    ));
                }
            }
            let fields: Result<Vec<Option<Field>>, String> =
                COLUMNS.iter().map(|c| field(c)).collect();
            position(fields.map_err(|e| format!("position {}: {e}", i + 1))?)
                .map_err(|e| format!("position {}: {e}", i + 1))
        })
        .collect()
}

/// Parses a CSV batch with a header row naming the columns (any order, case ignored;
/// `speed`, `course` and `heading` may be missing).
pub fn from_csv(body: &[u8]) -> Result<Vec<Position>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(body);
    let header = reader
        .headers()
        .map_err(|e| format!("CSV header: {e}"))?
        .clone();
    let mut index = [None; COLUMNS.len()];
    for (i, name) in header.iter().enumerate() {
        let name = name.to_ascii_lowercase();
        match COLUMNS.iter().position(|c| *c == name) {
            Some(k) => index[k] = Some(i),
            None => {
                return Err(format!(
                    "CSV header: unknown column {name:?} (known: {})",
                    COLUMNS.join(", ")
                ))
            }
        }
    }
    let mut out = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = record.map_err(|e| format!("CSV line {line}: {e}"))?;
        check_size(n + 1)?;
        let fields = index
            .iter()
            .enumerate()
            .map(|(k, i)| {
                i.and_then(|i| record.get(i))
                    .filter(|s| !s.is_empty())
                    .map(|s| match s.parse::<f64>() {
                        // Ids stay text: `007` is not `7`.
                        Ok(v) if k != 0 => Field::Number(v),
                        _ => Field::Text(s.to_owned()),
                    })
            })
            .collect();
        out.push(position(fields).map_err(|e| format!("CSV line {line}: {e}"))?);
    }
    Ok(out)
}

const COLUMNS: [&str; 8] = [
    "id", "source", "time", "lon", "lat", "speed", "course", "heading",
];

enum Field {
    Text(String),
    Number(f64),
}

fn check_size(n: usize) -> Result<(), String> {
    if n > MAX_BATCH {
        return Err(format!(
            "more than {MAX_BATCH} positions in one batch: split it"
        ));
    }
    Ok(())
}

/// One validated position from its fields in [`COLUMNS`] order.
fn position(fields: Vec<Option<Field>>) -> Result<Position, String> {
    let mut f = fields.into_iter();
    let mut next = || f.next().flatten();
    let id = match next() {
        Some(Field::Text(s)) => s,
        Some(Field::Number(n)) if n.fract() == 0.0 && n >= 0.0 => format!("{n:.0}"),
        _ => return Err("id is missing".into()),
    };
    if id.is_empty() || id.len() > 64 || id.chars().any(|c| c.is_control()) {
        return Err(format!("id {id:?}: 1–64 characters, no control characters"));
    }
    let source = match next() {
        Some(Field::Text(s)) if s.eq_ignore_ascii_case("ais") => PositionSource::Ais,
        Some(Field::Text(s)) if s.eq_ignore_ascii_case("beidou") => PositionSource::Beidou,
        _ => return Err("source must be ais or beidou".into()),
    };
    let at_ms = match next() {
        Some(Field::Text(s)) => crate::ogc::datetime::parse_time(&s)
            .filter(|_| s.len() > 10)
            .map(|(t, _)| t)
            .ok_or_else(|| format!("time {s:?} is not an RFC 3339 date-time"))?,
        // Unix seconds, or milliseconds when too large to be seconds.
        Some(Field::Number(n)) if n.abs() < 1e11 => (n * 1000.0).round() as i64,
        Some(Field::Number(n)) => n.round() as i64,
        None => return Err("time is missing".into()),
    };
    let number = |v: Option<Field>, name: &str, range: std::ops::RangeInclusive<f64>| match v {
        None => Ok(None),
        Some(Field::Number(n)) if range.contains(&n) => Ok(Some(n)),
        Some(Field::Number(n)) => Err(format!(
            "{name} {n} is outside {}–{}",
            range.start(),
            range.end()
        )),
        Some(Field::Text(s)) => Err(format!("{name} {s:?} is not a number")),
    };
    let lon = number(next(), "lon", -180.0..=180.0)?.ok_or("lon is missing")?;
    let lat = number(next(), "lat", -90.0..=90.0)?.ok_or("lat is missing")?;
    let speed = number(next(), "speed", 0.0..=102.2)?;
    let course = number(next(), "course", 0.0..=360.0)?;
    let heading = number(next(), "heading", 0.0..=360.0)?;
    Ok(Position {
        vessel: id.into(),
        source,
        at_ms,
        lon,
        lat,
        speed_kn: speed.map(|v| v as f32),
        course_deg: course.map(|v| v as f32),
        heading_deg: heading.map(|v| v as f32),
        nav_status: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_csv_give_the_same_positions() {
        let json = br#"[{"id": "BD-7", "source": "beidou", "time": "2026-11-27T14:00:00Z",
                          "lon": 121.95, "lat": 29.2, "speed": 3.5, "course": 90}]"#;
        let csv = b"ID,Source,Time,Lon,Lat,Speed,Course\nBD-7,beidou,2026-11-27T14:00:00Z,121.95,29.2,3.5,90\n";
        let a = from_json(json).unwrap();
        let b = from_csv(csv).unwrap();
        assert_eq!(a, b);
        assert_eq!(a[0].at_ms, 1_795_788_000_000);
        assert_eq!(a[0].heading_deg, None);
    }

    #[test]
    fn numeric_times_are_seconds_or_milliseconds() {
        let a = from_json(br#"[{"id": 412000001, "source": "ais", "time": 1795788000, "lon": 1, "lat": 2},
                                {"id": "x", "source": "ais", "time": 1795788000500, "lon": 1, "lat": 2}]"#)
            .unwrap();
        assert_eq!(&*a[0].vessel, "412000001");
        assert_eq!(a[0].at_ms, 1_795_788_000_000);
        assert_eq!(a[1].at_ms, 1_795_788_000_500);
    }

    #[test]
    fn one_bad_row_rejects_the_batch_and_is_named() {
        let e = from_csv(b"id,source,time,lon,lat\na,beidou,2026-11-27T14:00:00Z,121,29\nb,beidou,2026-11-27T14:00:00Z,200,29\n")
            .unwrap_err();
        assert!(e.contains("line 3") && e.contains("lon 200"), "{e}");
        for (body, needle) in [
            (
                &br#"[{"id": "a", "source": "radio", "time": 0, "lon": 1, "lat": 2}]"#[..],
                "source",
            ),
            (
                br#"[{"id": "a", "source": "ais", "time": "yesterday", "lon": 1, "lat": 2}]"#,
                "time",
            ),
            (
                br#"[{"id": "a", "source": "ais", "time": 0, "lon": 1}]"#,
                "lat is missing",
            ),
            (
                br#"[{"id": "a", "source": "ais", "time": 0, "lon": 1, "lat": 2, "colour": 1}]"#,
                "unknown field",
            ),
            (br#"{"id": "a"}"#, "expected an array"),
            (b"[{", "invalid JSON"),
        ] {
            let e = from_json(body).unwrap_err();
            assert!(e.contains(needle), "{e}");
        }
    }
}
