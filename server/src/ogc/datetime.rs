//! The `datetime` parameter of `/items`: an RFC 3339 instant or an interval, open at
//! either end (`..` or nothing), e.g. `2026-11-27T00:00:00Z`, `../2026-11-27T00:00:00Z`,
//! `2026-11-01T00:00:00Z/..`, `2026-11-01/2026-11-30`.
//!
//! A feature matches when the instant in its layer's `time_property` (an RFC 3339
//! date-time or date string) lies in the interval, ends included; a date stands for its
//! whole day (UTC). Features without a usable time never match. For collections without a
//! time property we follow Part 1's requirement `/req/core/fc-time-response` to the letter
//! ("only features that have a temporal geometry that intersects the temporal information
//! in the datetime parameter shall be part of the result set"): the parameter is accepted
//! and the result is empty, rather than silently returning features that cannot satisfy it.

use serde_json::Value;

/// A validated `datetime`: inclusive bounds in milliseconds since 1970 (UTC), `None` for
/// an open end, and the text as given (for paging links).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeRange {
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub text: String,
}

impl TimeRange {
    /// Whether an instant (milliseconds) lies in the range.
    pub fn contains(&self, t: i64) -> bool {
        self.start.is_none_or(|s| s <= t) && self.end.is_none_or(|e| t <= e)
    }

    /// Whether a property value is a time in the range (a date counts if any of its day is).
    pub fn matches(&self, value: Option<&Value>) -> bool {
        let Some(Value::String(s)) = value else {
            return false;
        };
        match parse_time(s) {
            Some((from, to)) => {
                self.start.is_none_or(|st| st <= to) && self.end.is_none_or(|e| from <= e)
            }
            None => false,
        }
    }
}

const DAY_MS: i64 = 86_400_000;

use crate::time::days_from_civil;

fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `YYYY-MM-DD` to days since 1970.
fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (digits(&s[0..4])?, digits(&s[5..7])?, digits(&s[8..10])?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in_month = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if !(1..=days_in_month).contains(&d) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// An RFC 3339 date-time (`2026-11-27T08:30:00Z`, `…+08:00`, fractions of a second) or a
/// full date, as the first and last millisecond it covers.
pub fn parse_time(s: &str) -> Option<(i64, i64)> {
    if s.len() == 10 {
        let day = parse_date(s)? * DAY_MS;
        return Some((day, day + DAY_MS - 1));
    }
    if s.len() < 20 || !matches!(s.as_bytes()[10], b'T' | b't') {
        return None;
    }
    let day = parse_date(&s[..10])?;
    let rest = &s[11..];
    let b = rest.as_bytes();
    if b.len() < 9 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let (h, mi, sec) = (
        digits(&rest[0..2])?,
        digits(&rest[3..5])?,
        digits(&rest[6..8])?,
    );
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut tail = &rest[8..];
    let mut ms = 0;
    if let Some(frac) = tail.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        let padded: String = frac[..n].chars().chain("000".chars()).take(3).collect();
        ms = digits(&padded)?;
        tail = &frac[n..];
    }
    let offset_min = match tail {
        "Z" | "z" => 0,
        _ => {
            let tb = tail.as_bytes();
            if tb.len() != 6 || !matches!(tb[0], b'+' | b'-') || tb[3] != b':' {
                return None;
            }
            let (oh, om) = (digits(&tail[1..3])?, digits(&tail[4..6])?);
            if oh > 23 || om > 59 {
                return None;
            }
            let m = oh * 60 + om;
            if tb[0] == b'-' {
                -m
            } else {
                m
            }
        }
    };
    let t = day * DAY_MS + ((h * 60 + mi - offset_min) * 60 + sec) * 1000 + ms;
    Some((t, t))
}

/// Parses and validates a `datetime` value.
pub fn parse(text: &str) -> Result<TimeRange, String> {
    let shown = text.chars().take(80).collect::<String>();
    let bad = || {
        format!(
            "datetime {shown:?} is not an RFC 3339 date-time or interval; examples: \
             2026-11-27T00:00:00Z, 2026-11-01T00:00:00Z/2026-11-27T00:00:00Z, \
             ../2026-11-27T00:00:00Z, 2026-11-01T00:00:00Z/.."
        )
    };
    let (start, end) = match text.split_once('/') {
        None => {
            let (a, b) = parse_time(text).ok_or_else(bad)?;
            (Some(a), Some(b))
        }
        Some((a, b)) => {
            let open = |s: &str| s.is_empty() || s == "..";
            if open(a) && open(b) {
                return Err(format!(
                    "datetime {shown:?}: an interval needs at least one end"
                ));
            }
            let start = if open(a) {
                None
            } else {
                Some(parse_time(a).ok_or_else(bad)?.0)
            };
            let end = if open(b) {
                None
            } else {
                Some(parse_time(b).ok_or_else(bad)?.1)
            };
            (start, end)
        }
    };
    if let (Some(s), Some(e)) = (start, end) {
        if s > e {
            return Err(format!(
                "datetime {shown:?}: the interval ends before it starts"
            ));
        }
    }
    Ok(TimeRange {
        start,
        end,
        text: text.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn instants_and_intervals() {
        let t = parse("2026-11-27T00:00:00Z").unwrap();
        // 2026-11-27 is day 20,784 since 1970.
        assert_eq!(t.start, Some(20_784 * DAY_MS));
        assert_eq!(t.start, t.end);
        assert_eq!(
            parse_time("2026-11-27T08:00:00+08:00"),
            Some((20_784 * DAY_MS, 20_784 * DAY_MS))
        );
        assert_eq!(
            parse_time("2026-11-27T00:00:00.5Z").map(|t| t.0),
            Some(20_784 * DAY_MS + 500)
        );
        let r = parse("../2026-11-27T00:00:00Z").unwrap();
        assert_eq!((r.start, r.end), (None, Some(20_784 * DAY_MS)));
        let r = parse("2026-11-01T00:00:00Z/..").unwrap();
        assert!(r.end.is_none() && r.start.is_some());
        let r = parse("/2026-11-27").unwrap();
        assert_eq!(r.end, Some(20_785 * DAY_MS - 1));
        assert!(r.matches(Some(&json!("2026-11-27T23:59:59Z"))));
        assert!(!r.matches(Some(&json!("2026-11-28T00:00:00Z"))));
        assert!(!r.matches(Some(&json!(5))));
        assert!(!r.matches(None));
    }

    #[test]
    fn malformed_values_are_refused() {
        for bad in [
            "",
            "yesterday",
            "2026-13-01T00:00:00Z",
            "2026-02-30",
            "2026-11-27T24:00:00Z",
            "2026-11-27T00:00:00",
            "2026-11-27 00:00:00Z",
            "../..",
            "/",
            "2026-11-27T00:00:00Z/2026-11-01T00:00:00Z",
            "2026-11-27T00:00:00Z/2026-11-28T00:00:00Z/..",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
