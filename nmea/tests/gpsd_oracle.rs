//! gpsd as the oracle: every line of gpsd's AIS regression sample is decoded and compared, field
//! by field and in file order, with what `gpsdecode -u -j` printed for it
//! (`gpsd-sample.aivdm.ju.chk`).
//!
//! gpsd's output differs from ours in one deliberate way: `gpsdecode` prints a type 24 only when
//! a part B finds a part A of the same MMSI in its per-channel queue of the last 8 part As, and
//! then prints both parts merged. The test replays that rule on our per-part messages.

mod common;

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};
use tidewatch_nmea::{AisMessage, ClassBStatic, Decoded, Decoder, Rejection};

const SUPPORTED_TYPES: [u64; 8] = [1, 2, 3, 5, 18, 19, 24, 27];
/// gpsd's `MAX_TYPE24_INTERLEAVE`.
const TYPE24_QUEUE_LEN: usize = 8;

/// What gpsd would print for one of our results.
enum Visible {
    Message(Map<String, Value>),
    Unsupported(u8),
}

/// Our message in gpsd's unscaled JSON field names and raw values.
fn gpsd_fields(message: &AisMessage) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("type".into(), json!(message.msg_type()));
    match message {
        AisMessage::Position(p) => {
            m.insert("repeat".into(), json!(p.repeat));
            m.insert("mmsi".into(), json!(p.mmsi));
            m.insert("speed".into(), json!(p.speed));
            m.insert("accuracy".into(), json!(p.accuracy));
            m.insert("lon".into(), json!(p.lon));
            m.insert("lat".into(), json!(p.lat));
            m.insert("course".into(), json!(p.course));
            m.insert("raim".into(), json!(p.raim));
            if p.msg_type != 27 {
                m.insert("heading".into(), json!(p.heading));
                m.insert("second".into(), json!(p.second));
            }
            let optional = [
                ("status", p.status.map(|v| json!(v))),
                ("turn", p.turn.map(|v| json!(v))),
                ("maneuver", p.maneuver.map(|v| json!(v))),
                ("radio", p.radio.map(|v| json!(v))),
                ("reserved", p.reserved.map(|v| json!(v))),
                ("regional", p.regional.map(|v| json!(v))),
                ("cs", p.cs.map(|v| json!(v))),
                ("display", p.display.map(|v| json!(v))),
                ("dsc", p.dsc.map(|v| json!(v))),
                ("band", p.band.map(|v| json!(v))),
                ("msg22", p.msg22.map(|v| json!(v))),
                ("assigned", p.assigned.map(|v| json!(v))),
                ("shipname", p.shipname.as_ref().map(|v| json!(v))),
                ("shiptype", p.shiptype.map(|v| json!(v))),
                ("to_bow", p.to_bow.map(|v| json!(v))),
                ("to_stern", p.to_stern.map(|v| json!(v))),
                ("to_port", p.to_port.map(|v| json!(v))),
                ("to_starboard", p.to_starboard.map(|v| json!(v))),
                ("epfd", p.epfd.map(|v| json!(v))),
                ("dte", p.dte.map(|v| json!(v))),
                ("gnss", p.gnss.map(|v| json!(v))),
            ];
            for (key, value) in optional {
                if let Some(v) = value {
                    m.insert(key.into(), v);
                }
            }
        }
        AisMessage::StaticVoyage(s) => {
            let eta = format!(
                "{:02}-{:02}T{:02}:{:02}Z",
                s.eta.month, s.eta.day, s.eta.hour, s.eta.minute
            );
            for (key, value) in [
                ("repeat", json!(s.repeat)),
                ("mmsi", json!(s.mmsi)),
                ("imo", json!(s.imo)),
                ("ais_version", json!(s.ais_version)),
                ("callsign", json!(s.callsign)),
                ("shipname", json!(s.shipname)),
                ("shiptype", json!(s.shiptype)),
                ("to_bow", json!(s.to_bow)),
                ("to_stern", json!(s.to_stern)),
                ("to_port", json!(s.to_port)),
                ("to_starboard", json!(s.to_starboard)),
                ("epfd", json!(s.epfd)),
                ("eta", json!(eta)),
                ("draught", json!(s.draught)),
                ("destination", json!(s.destination)),
                ("dte", json!(s.dte)),
            ] {
                m.insert(key.into(), value);
            }
        }
        AisMessage::ClassBStatic(s) => insert_class_b_static(&mut m, s),
    }
    m
}

fn insert_class_b_static(m: &mut Map<String, Value>, s: &ClassBStatic) {
    m.insert("repeat".into(), json!(s.repeat));
    m.insert("mmsi".into(), json!(s.mmsi));
    let optional = [
        ("shipname", s.shipname.as_ref().map(|v| json!(v))),
        ("shiptype", s.shiptype.map(|v| json!(v))),
        ("vendorid", s.vendorid.as_ref().map(|v| json!(v))),
        ("model", s.model.map(|v| json!(v))),
        ("serial", s.serial.map(|v| json!(v))),
        ("callsign", s.callsign.as_ref().map(|v| json!(v))),
        ("to_bow", s.to_bow.map(|v| json!(v))),
        ("to_stern", s.to_stern.map(|v| json!(v))),
        ("to_port", s.to_port.map(|v| json!(v))),
        ("to_starboard", s.to_starboard.map(|v| json!(v))),
        ("mothership_mmsi", s.mothership_mmsi.map(|v| json!(v))),
    ];
    for (key, value) in optional {
        if let Some(v) = value {
            m.insert(key.into(), v);
        }
    }
}

/// gpsd prints some flags as `true`/`false` and others (`dte`) as 0/1.
fn same_value(ours: &Value, gpsd: &Value) -> bool {
    let as_number = |v: &Value| match v {
        Value::Bool(b) => Some(i64::from(*b)),
        Value::Number(n) => n.as_i64(),
        _ => None,
    };
    match (as_number(ours), as_number(gpsd)) {
        (Some(a), Some(b)) => a == b,
        _ => ours == gpsd,
    }
}

/// gpsdecode's type 24 rule: part A is queued per channel; a part B that finds its MMSI takes
/// the name, clears the entry and is printed merged; anything else is not printed.
#[derive(Default)]
struct Type24Queue {
    ships: Vec<Option<(u32, String)>>,
    next: usize,
}

impl Type24Queue {
    fn merge(&mut self, part: &ClassBStatic) -> Option<Map<String, Value>> {
        if self.ships.is_empty() {
            self.ships = vec![None; TYPE24_QUEUE_LEN];
        }
        if part.partno == 0 {
            self.ships[self.next] = Some((part.mmsi, part.shipname.clone().unwrap_or_default()));
            self.next = (self.next + 1) % TYPE24_QUEUE_LEN;
            return None;
        }
        let slot = self
            .ships
            .iter_mut()
            .find(|s| s.as_ref().is_some_and(|(mmsi, _)| *mmsi == part.mmsi))?;
        let (_, shipname) = slot.take()?;
        let mut m = Map::new();
        m.insert("type".into(), json!(24));
        insert_class_b_static(&mut m, part);
        m.insert("shipname".into(), json!(shipname));
        Some(m)
    }
}

#[test]
fn every_supported_message_matches_gpsd_field_by_field() {
    let expected: Vec<Map<String, Value>> =
        std::fs::read_to_string(common::ais_data("gpsd-sample.aivdm.ju.chk"))
            .expect("reading the gpsd check file")
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| match serde_json::from_str(l) {
                Ok(Value::Object(m)) => m,
                other => panic!("not a JSON object: {l}: {other:?}"),
            })
            .collect();

    let mut decoder = Decoder::new();
    let mut queues: BTreeMap<char, Type24Queue> = BTreeMap::new();
    let mut visible = Vec::new();
    let mut other_rejections: BTreeMap<&str, usize> = BTreeMap::new();
    for (n, line) in common::raw_lines("gpsd-sample.aivdm").iter().enumerate() {
        if common::is_comment_or_blank(line) {
            continue;
        }
        match decoder.feed(line, n as u64) {
            Ok(Some(Decoded::Ais {
                message, channel, ..
            })) => match &message {
                AisMessage::ClassBStatic(part) => {
                    let queue = queues.entry(channel.unwrap_or('A')).or_default();
                    if let Some(merged) = queue.merge(part) {
                        visible.push(Visible::Message(merged));
                    }
                }
                _ => visible.push(Visible::Message(gpsd_fields(&message))),
            },
            Ok(Some(other)) => panic!("line {}: not AIS: {other:?}", n + 1),
            Ok(None) => {}
            Err(Rejection::UnsupportedType(t)) => visible.push(Visible::Unsupported(t)),
            Err(other) => *other_rejections.entry(other.as_str()).or_default() += 1,
        }
    }

    let type_of = |v: &Visible| match v {
        Visible::Message(m) => m["type"].as_u64().unwrap(),
        Visible::Unsupported(t) => u64::from(*t),
    };
    let ours: Vec<u64> = visible.iter().map(type_of).collect();
    let theirs: Vec<u64> = expected
        .iter()
        .map(|m| m["type"].as_u64().unwrap())
        .collect();
    assert_eq!(
        ours, theirs,
        "message types in file order differ from gpsd's (our other rejections: {other_rejections:?})"
    );

    let mut compared: BTreeMap<u64, usize> = BTreeMap::new();
    let mut differences = Vec::new();
    for (i, (ours, gpsd)) in visible.iter().zip(&expected).enumerate() {
        let t = gpsd["type"].as_u64().unwrap();
        let Visible::Message(ours) = ours else {
            assert!(
                !SUPPORTED_TYPES.contains(&t),
                "message {i}: supported type {t} rejected as unsupported"
            );
            continue;
        };
        for (key, theirs) in gpsd {
            // Bookkeeping and the text renderings of codes are not message fields.
            if matches!(key.as_str(), "class" | "device" | "scaled") || key.ends_with("_text") {
                continue;
            }
            match ours.get(key) {
                Some(v) if same_value(v, theirs) => {}
                Some(v) => differences.push(format!(
                    "message {i} (type {t}): {key}: ours {v}, gpsd {theirs}"
                )),
                None => differences.push(format!(
                    "message {i} (type {t}): {key}: missing, gpsd {theirs}"
                )),
            }
        }
        *compared.entry(t).or_default() += 1;
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));

    let mut in_check_file: BTreeMap<u64, usize> = BTreeMap::new();
    for t in theirs.iter().filter(|t| SUPPORTED_TYPES.contains(t)) {
        *in_check_file.entry(*t).or_default() += 1;
    }
    assert_eq!(compared, in_check_file);
    for t in SUPPORTED_TYPES {
        assert!(
            in_check_file.get(&t).copied().unwrap_or(0) > 0,
            "the check file has no type {t} to compare"
        );
    }
    println!("compared with gpsd, by type: {compared:?}");
}
