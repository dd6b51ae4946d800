//! A patrol plan as data people use: GeoJSON features (one per zone window, the zone's
//! polygon), CSV rows, and an iCalendar feed (one event per zone window, Asia/Shanghai)
//! schedulers subscribe to.

use super::patrol::ZoneWindow;
use super::ZoneSet;
use geo::Geometry;
use serde_json::{json, Map, Value};
use tidewatch_importers::Feature;
use tidewatch_tides::{format_rfc3339, Zone as Tz};

/// Properties of the `patrol_tonight` tiles and their TileJSON types.
pub const TILE_FIELDS: &[(&str, &str)] = &[
    ("zone", "String"),
    ("name_zh", "String"),
    ("name_en", "String"),
    ("night", "String"),
    ("window_start", "String"),
    ("window_end", "String"),
    ("high_water_time", "String"),
    ("high_water_height_m", "Number"),
    ("datum", "String"),
    ("station", "String"),
    ("priority", "Number"),
    ("rank", "Number"),
    ("reasons_zh", "String"),
    ("reasons_en", "String"),
];

/// CSV columns, in order (the tile properties).
pub fn csv_columns() -> Vec<&'static str> {
    TILE_FIELDS.iter().map(|(k, _)| *k).collect()
}

/// Rank of each window within its night (1 = highest priority), in plan order.
fn ranks(windows: &[ZoneWindow]) -> Vec<usize> {
    let mut out = Vec::with_capacity(windows.len());
    for (i, w) in windows.iter().enumerate() {
        let better = windows
            .iter()
            .take(i)
            .filter(|o| o.night == w.night && o.priority > w.priority)
            .count();
        out.push(better + 1);
    }
    out
}

fn date_text(d: tidewatch_tides::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

/// The flat properties of one zone window (times in `tz`).
pub fn properties(set: &ZoneSet, w: &ZoneWindow, rank: usize, tz: Tz) -> Map<String, Value> {
    let zone = &set.zones[w.zone];
    let mut p = Map::new();
    p.insert("zone".into(), json!(zone.id));
    p.insert("name_zh".into(), json!(zone.place.name_zh));
    p.insert("name_en".into(), json!(zone.place.name_en));
    p.insert("night".into(), json!(date_text(w.night)));
    p.insert(
        "window_start".into(),
        json!(format_rfc3339(w.window.start, tz)),
    );
    p.insert("window_end".into(), json!(format_rfc3339(w.window.end, tz)));
    p.insert(
        "high_water_time".into(),
        json!(format_rfc3339(w.window.high_water.time, tz)),
    );
    p.insert(
        "high_water_height_m".into(),
        json!((w.window.high_water.height_m * 100.0).round() / 100.0),
    );
    p.insert("datum".into(), json!(w.datum));
    p.insert("station".into(), json!(w.station));
    p.insert("priority".into(), json!(w.priority));
    p.insert("rank".into(), json!(rank));
    let join = |f: fn(&super::patrol::Reason) -> &str| {
        w.reasons.iter().map(f).collect::<Vec<_>>().join("; ")
    };
    p.insert("reasons_zh".into(), json!(join(|r| &r.text_zh)));
    p.insert("reasons_en".into(), json!(join(|r| &r.text_en)));
    p
}

/// One feature per zone window; GeoJSON responses add the structured `reasons`.
pub fn features(set: &ZoneSet, windows: &[ZoneWindow], tz: Tz) -> Vec<Feature> {
    windows
        .iter()
        .zip(ranks(windows))
        .enumerate()
        .map(|(i, (w, rank))| Feature {
            id: i as u64 + 1,
            geometry: Geometry::MultiPolygon(set.zones[w.zone].area.clone()),
            properties: properties(set, w, rank, tz),
        })
        .collect()
}

/// The plan as a GeoJSON FeatureCollection, with each window's reasons as objects.
pub fn geojson(set: &ZoneSet, windows: &[ZoneWindow], tz: Tz) -> Value {
    let features: Vec<Value> = features(set, windows, tz)
        .iter()
        .zip(windows)
        .map(|(f, w)| {
            let mut v = crate::ogc::feature_json(f, None);
            v["properties"]["reasons"] = json!(w.reasons);
            v
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}

/// The plan as CSV rows (values in [`csv_columns`] order).
pub fn csv_rows(set: &ZoneSet, windows: &[ZoneWindow], tz: Tz) -> Vec<Vec<Value>> {
    features(set, windows, tz)
        .into_iter()
        .map(|f| {
            csv_columns()
                .iter()
                .map(|k| f.properties.get(*k).cloned().unwrap_or(Value::Null))
                .collect()
        })
        .collect()
}

/// An iCalendar (RFC 5545) feed: one event per zone window, in Asia/Shanghai. `stamp`
/// (Unix seconds) is each event's DTSTAMP, so the same plan gives the same bytes.
pub fn ics(set: &ZoneSet, windows: &[ZoneWindow], stamp: i64) -> String {
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//Tidewatch//Patrol tide windows//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        "X-WR-CALNAME:潮汐窗口巡逻 Tidewatch patrol windows".into(),
        "X-WR-TIMEZONE:Asia/Shanghai".into(),
        "BEGIN:VTIMEZONE".into(),
        "TZID:Asia/Shanghai".into(),
        "BEGIN:STANDARD".into(),
        "DTSTART:19700101T000000".into(),
        "TZOFFSETFROM:+0800".into(),
        "TZOFFSETTO:+0800".into(),
        "TZNAME:CST".into(),
        "END:STANDARD".into(),
        "END:VTIMEZONE".into(),
    ];
    let local = |t: i64| compact(format_rfc3339(t, Tz::Shanghai));
    let utc = |t: i64| compact(format_rfc3339(t, Tz::Utc));
    for (w, rank) in windows.iter().zip(ranks(windows)) {
        let zone = &set.zones[w.zone];
        let hw = &w.window.high_water;
        let hw_local = format_rfc3339(hw.time, Tz::Shanghai);
        let mut description = format!(
            "高潮 High water {} {:.2} m {} ({})\\n优先级 Priority {} (#{rank} of the night)",
            &hw_local[11..16],
            hw.height_m,
            w.datum,
            w.station,
            w.priority
        );
        for r in &w.reasons {
            description.push_str(&format!(
                "\\n- {} / {} (+{})",
                escape(&r.text_zh),
                escape(&r.text_en),
                r.points
            ));
        }
        lines.extend([
            "BEGIN:VEVENT".into(),
            format!("UID:{}-{}@tidewatch", zone.id, utc(hw.time)),
            format!("DTSTAMP:{}", utc(stamp)),
            format!("DTSTART;TZID=Asia/Shanghai:{}", local(w.window.start)),
            format!("DTEND;TZID=Asia/Shanghai:{}", local(w.window.end)),
            format!(
                "SUMMARY:{}",
                escape(&format!(
                    "巡逻 Patrol {} {} — priority {}",
                    zone.place.name_zh, zone.place.name_en, w.priority
                ))
            ),
            format!(
                "LOCATION:{}",
                escape(&format!("{} {}", zone.place.name_zh, zone.place.name_en))
            ),
            format!("GEO:{:.5};{:.5}", zone.place.lat, zone.place.lon),
            format!("DESCRIPTION:{description}"),
            "CATEGORIES:PATROL".into(),
            "TRANSP:OPAQUE".into(),
            "END:VEVENT".into(),
        ]);
    }
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for line in lines {
        fold(&line, &mut out);
    }
    out
}

/// `2026-11-28T21:23:50+08:00` → `20261128T212350` (and a trailing `Z` for UTC).
fn compact(rfc3339: String) -> String {
    let utc = rfc3339.ends_with('Z');
    let digits: String = rfc3339
        .chars()
        .take(19)
        .filter(|c| c.is_ascii_digit() || *c == 'T')
        .collect();
    if utc {
        format!("{digits}Z")
    } else {
        digits
    }
}

/// RFC 5545 TEXT escaping.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// Lines of at most 75 octets, continued with CRLF and a space, never splitting a
/// UTF-8 character.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for ch in line.chars() {
        let n = ch.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += n;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_character_boundaries() {
        let mut out = String::new();
        fold(&format!("SUMMARY:{}", "巡逻".repeat(30)), &mut out);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets", l.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(
            unfolded.trim_end(),
            format!("SUMMARY:{}", "巡逻".repeat(30))
        );
    }

    #[test]
    fn compact_times() {
        assert_eq!(
            compact("2026-11-28T21:23:50+08:00".into()),
            "20261128T212350"
        );
        assert_eq!(compact("2026-11-28T13:23:50Z".into()), "20261128T132350Z");
        assert_eq!(escape("a;b,c\\d"), "a\\;b\\,c\\\\d");
    }
}
