//! Query parameters the analysis endpoints share: time ranges, durations, the display
//! time zone and the output format; and the GeoJSON and CSV responses they give.

use super::ApiError;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tidewatch_tides::{Zone, DAY};

/// A query value shortened for an error message.
pub fn truncate(s: &str) -> String {
    s.chars().take(80).collect()
}

/// A GeoJSON document as `application/geo+json`.
pub fn geojson(doc: Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/geo+json")],
        doc.to_string(),
    )
        .into_response()
}

/// `f=json` (default) or `f=csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

impl Format {
    pub fn parse(text: Option<&str>) -> Result<Format, ApiError> {
        match text.map(str::to_ascii_lowercase).as_deref() {
            None | Some("json") => Ok(Format::Json),
            Some("csv") => Ok(Format::Csv),
            Some(other) => Err(ApiError::bad_request(format!(
                "f={:?} is not a format here; use json or csv",
                truncate(other)
            ))),
        }
    }
}

/// The zone instants are shown in: `tz=UTC` (default) or `tz=Asia/Shanghai`.
#[derive(Debug, Clone, Copy)]
pub struct TimeZoneParam {
    pub zone: Zone,
    pub name: &'static str,
}

impl TimeZoneParam {
    pub fn parse(text: Option<&str>) -> Result<TimeZoneParam, ApiError> {
        match text {
            None => Ok(TimeZoneParam {
                zone: Zone::Utc,
                name: "UTC",
            }),
            Some(t) if t.eq_ignore_ascii_case("utc") || t == "Z" || t == "+00:00" => {
                Ok(TimeZoneParam {
                    zone: Zone::Utc,
                    name: "UTC",
                })
            }
            Some(t) if t.eq_ignore_ascii_case("asia/shanghai") || t == "+08:00" => {
                Ok(TimeZoneParam {
                    zone: Zone::Shanghai,
                    name: "Asia/Shanghai",
                })
            }
            Some(t) => Err(ApiError::bad_request(format!(
                "tz={:?} is not supported; use UTC or Asia/Shanghai",
                truncate(t)
            ))),
        }
    }
}

/// An instant from an RFC 3339 date-time, or a date taken as midnight in `zone`.
pub fn instant(name: &str, text: &str, zone: Zone) -> Result<i64, ApiError> {
    let bad = || {
        ApiError::bad_request(format!(
            "{name}={:?} is not an RFC 3339 date-time (2026-11-28T20:00:00+08:00) or a date (2026-11-28)",
            truncate(text)
        ))
    };
    let (start_ms, _) = crate::ogc::datetime::parse_time(text).ok_or_else(bad)?;
    let secs = start_ms.div_euclid(1000);
    Ok(if text.len() == 10 {
        secs - zone.offset_seconds()
    } else {
        secs
    })
}

/// Today's midnight in `zone`, Unix seconds.
pub fn today(zone: Zone) -> i64 {
    let now = crate::live::now_ms().div_euclid(1000);
    zone.date_of(now).days_since_epoch() * DAY - zone.offset_seconds()
}

/// `from` and `to`: by default from `default_from` to `default_days` later; `to`
/// defaults to `default_days` after `from`; `from` must come first. The length is checked
/// by the analysis that uses them.
pub fn range(
    from: Option<&str>,
    to: Option<&str>,
    zone: Zone,
    default_from: i64,
    default_days: i64,
) -> Result<(i64, i64), ApiError> {
    let from = match from {
        Some(t) => instant("from", t, zone)?,
        None => default_from,
    };
    let to = match to {
        Some(t) => instant("to", t, zone)?,
        None => from + default_days * DAY,
    };
    if from >= to {
        return Err(ApiError::bad_request(format!(
            "from ({}) must be before to ({})",
            tidewatch_tides::format_rfc3339(from, zone),
            tidewatch_tides::format_rfc3339(to, zone)
        )));
    }
    Ok((from, to))
}

/// A duration: `90s`, `45m`, `2h`, `1h30m`, `1d`, ISO 8601 `PT2H30M`, or plain seconds.
pub fn duration(name: &str, text: &str) -> Result<i64, ApiError> {
    parse_duration(text).ok_or_else(|| {
        ApiError::bad_request(format!(
            "{name}={:?} is not a duration; write 90s, 45m, 2h, 1h30m or PT2H",
            truncate(text)
        ))
    })
}

/// [`duration`] when given, else `default` seconds.
pub fn duration_or(name: &str, text: Option<&str>, default: i64) -> Result<i64, ApiError> {
    text.map_or(Ok(default), |t| duration(name, t))
}

fn parse_duration(text: &str) -> Option<i64> {
    let t = text.trim();
    let t = t
        .strip_prefix("PT")
        .or_else(|| t.strip_prefix("pt"))
        .unwrap_or(t);
    if t.is_empty() || t.len() > 32 {
        return None;
    }
    if let Ok(secs) = t.parse::<i64>() {
        return Some(secs);
    }
    let mut total: i64 = 0;
    let mut number = String::new();
    for ch in t.chars() {
        if ch.is_ascii_digit() {
            number.push(ch);
            continue;
        }
        let unit = match ch.to_ascii_lowercase() {
            'd' => DAY,
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
        let n: i64 = number.parse().ok()?;
        total = total.checked_add(n.checked_mul(unit)?)?;
        number.clear();
    }
    number.is_empty().then_some(total)
}

/// A finite number.
pub fn number(name: &str, text: &str) -> Result<f64, ApiError> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| {
            ApiError::bad_request(format!("{name}={:?} is not a number", truncate(text)))
        })
}

/// A CSV response: a header row, then one row per item (strings unquoted unless they
/// need it); `datum` goes into a `# heights in metres above …` comment-free header name
/// so spreadsheet tools read the file as is.
pub fn csv(columns: &[&str], rows: impl Iterator<Item = Vec<Value>>, datum: &str) -> Response {
    let mut out = String::new();
    let header: Vec<String> = columns
        .iter()
        .map(|c| match c.strip_suffix("_m") {
            Some(_) if !datum.is_empty() => format!("{c}_{datum}"),
            _ => (*c).to_owned(),
        })
        .collect();
    out.push_str(&header.join(","));
    out.push('\n');
    for row in rows {
        let cells: Vec<String> = row.iter().map(csv_cell).collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], out).into_response()
}

fn csv_cell(v: &Value) -> String {
    let s = match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("2h"), Some(7200));
        assert_eq!(parse_duration("1h30m"), Some(5400));
        assert_eq!(parse_duration("PT2H30M"), Some(9000));
        assert_eq!(parse_duration("90s"), Some(90));
        assert_eq!(parse_duration("600"), Some(600));
        assert_eq!(parse_duration("1d"), Some(86_400));
        for bad in ["", "2x", "h", "two hours", "2h30", "99999999999999999999h"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_are_midnight_in_the_zone() {
        let utc = instant("from", "2026-11-28", Zone::Utc).unwrap();
        let local = instant("from", "2026-11-28", Zone::Shanghai).unwrap();
        assert_eq!(utc - local, 8 * 3600);
        let exact = instant("from", "2026-11-28T01:10:00+08:00", Zone::Utc).unwrap();
        assert_eq!(exact, local + 70 * 60);
        assert!(instant("from", "yesterday", Zone::Utc).is_err());
    }
}
