//! Positions between instances: what one instance wrote to PostGIS travels to the others
//! as `NOTIFY` payloads on [`POSITIONS_CHANNEL`], sent in the same transaction as the
//! rows (see [`super::persist`]), so every position a peer shows is already stored.
//!
//! A payload is compact JSON under PostgreSQL's 8,000-byte limit:
//! `{"o": origin, "p": [[vessel, "ais"|"beidou", at_ms, "lon", "lat", speed, course,
//! heading, nav_status], …], "s": [[vessel, {static fields}], …]}`; a large batch becomes
//! several.
//!
//! [`POSITIONS_CHANNEL`]: crate::store::postgis::notify::POSITIONS_CHANNEL

use super::{Position, PositionSource, Update, VesselStatic};
use crate::store::postgis::notify::MAX_PAYLOAD;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

type WirePosition = (
    Arc<str>,
    PositionSource,
    i64,
    Exact,
    Exact,
    Option<f32>,
    Option<f32>,
    Option<f32>,
    Option<u8>,
);

/// A coordinate written as the shortest text that reads back to the same `f64`: serde_json
/// reads numbers to within an ulp only, and a peer's position must equal the stored one
/// (the fleet recognises positions it has by equality).
#[derive(Debug, Clone, Copy)]
struct Exact(f64);

impl Serialize for Exact {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Exact {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map(Exact).map_err(serde::de::Error::custom)
    }
}

#[derive(Serialize, Deserialize, Default)]
struct Wire {
    #[serde(rename = "o")]
    origin: String,
    #[serde(rename = "p", default, skip_serializing_if = "Vec::is_empty")]
    positions: Vec<WirePosition>,
    #[serde(rename = "s", default, skip_serializing_if = "Vec::is_empty")]
    statics: Vec<(Arc<str>, VesselStatic)>,
}

/// What one payload carried.
#[derive(Debug)]
pub struct PeerBatch {
    pub origin: String,
    pub updates: Vec<Update>,
}

/// Payloads announcing `positions` and `statics` from `origin`, each under the limit.
/// An item that alone would not fit (a static record of huge strings) is left out and
/// counted; peers then miss only that name or call sign.
pub fn encode(
    origin: &str,
    positions: &[Position],
    statics: &HashMap<Arc<str>, VesselStatic>,
) -> Vec<String> {
    let mut packer = Packer::new(origin);
    for p in positions {
        let item = (
            p.vessel.clone(),
            p.source,
            p.at_ms,
            Exact(p.lon),
            Exact(p.lat),
            p.speed_kn,
            p.course_deg,
            p.heading_deg,
            p.nav_status,
        );
        if packer.make_room(&item) {
            packer.current.positions.push(item);
        }
    }
    for (vessel, data) in statics {
        let item = (vessel.clone(), data.clone());
        if packer.make_room(&item) {
            packer.current.statics.push(item);
        }
    }
    packer.finish()
}

/// Fills payloads one after another, each under [`MAX_PAYLOAD`].
struct Packer {
    payloads: Vec<String>,
    current: Wire,
    /// The current payload's size with the items taken so far.
    size: usize,
    /// The size of a payload holding no items.
    envelope: usize,
}

impl Packer {
    fn new(origin: &str) -> Packer {
        let current = Wire {
            origin: origin.to_owned(),
            ..Wire::default()
        };
        let envelope = serde_json::to_string(&current)
            .expect("plain data serializes")
            .len()
            + r#","p":[],"s":[]"#.len();
        Packer {
            payloads: Vec::new(),
            current,
            size: envelope,
            envelope,
        }
    }

    /// Counts `item` in, starting a new payload when the current one is full; false (and
    /// counted) when it would not fit even an empty payload.
    fn make_room(&mut self, item: &impl Serialize) -> bool {
        let len = serde_json::to_string(item).map_or(usize::MAX, |s| s.len()) + 1;
        if self.envelope.saturating_add(len) > MAX_PAYLOAD {
            metrics::counter!("tidewatch_peer_items_too_large_total").increment(1);
            return false;
        }
        if self.size + len > MAX_PAYLOAD {
            self.flush();
        }
        self.size += len;
        true
    }

    fn flush(&mut self) {
        if !self.current.positions.is_empty() || !self.current.statics.is_empty() {
            self.payloads
                .push(serde_json::to_string(&self.current).expect("plain data serializes"));
        }
        self.current.positions.clear();
        self.current.statics.clear();
        self.size = self.envelope;
    }

    fn finish(mut self) -> Vec<String> {
        self.flush();
        self.payloads
    }
}

/// Whether `payload` was sent by `origin`, without reading the rest: an instance receives
/// its own notices too, and they are most of what a busy instance would otherwise parse.
/// The origin is the first field written, and instance ids need no escaping.
pub fn is_from(payload: &str, origin: &str) -> bool {
    payload
        .strip_prefix(r#"{"o":""#)
        .and_then(|rest| rest.strip_prefix(origin))
        .is_some_and(|rest| rest.starts_with('"'))
}

/// Reads one payload back into fleet updates.
pub fn decode(payload: &str) -> Result<PeerBatch, serde_json::Error> {
    let wire: Wire = serde_json::from_str(payload)?;
    let mut updates: Vec<Update> = wire
        .statics
        .into_iter()
        .map(|(vessel, data)| Update::Static { vessel, data })
        .collect();
    updates.extend(wire.positions.into_iter().map(
        |(vessel, source, at_ms, lon, lat, speed_kn, course_deg, heading_deg, nav_status)| {
            Update::Position(Position {
                vessel,
                source,
                at_ms,
                lon: lon.0,
                lat: lat.0,
                speed_kn,
                course_deg,
                heading_deg,
                nav_status,
            })
        },
    ));
    Ok(PeerBatch {
        origin: wire.origin,
        updates,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn position(i: usize) -> Position {
        Position {
            vessel: format!("4{i:08}").into(),
            source: if i.is_multiple_of(2) {
                PositionSource::Ais
            } else {
                PositionSource::Beidou
            },
            at_ms: 1_700_000_000_000 + i as i64,
            lon: 121.9 + i as f64 * 1e-7,
            lat: 29.2,
            speed_kn: (!i.is_multiple_of(3)).then_some(7.5),
            course_deg: Some(181.25),
            heading_deg: None,
            nav_status: Some(5),
        }
    }

    #[test]
    fn a_large_batch_splits_under_the_limit_and_reads_back_in_order() {
        let positions: Vec<Position> = (0..2_000).map(position).collect();
        let statics = HashMap::from([(
            Arc::<str>::from("412000001"),
            VesselStatic {
                name: Some("浙象渔 01 ZHE XIANG YU".into()),
                ..VesselStatic::default()
            },
        )]);
        let payloads = encode("a-1", &positions, &statics);
        assert!(payloads.len() > 10, "{} payloads", payloads.len());
        assert!(payloads.iter().all(|p| p.len() < MAX_PAYLOAD));
        let mut back = Vec::new();
        for p in &payloads {
            assert!(is_from(p, "a-1") && !is_from(p, "a-") && !is_from(p, "a-12"));
            let batch = decode(p).unwrap();
            assert_eq!(batch.origin, "a-1");
            back.extend(batch.updates);
        }
        let back_positions: Vec<Position> = back
            .iter()
            .filter_map(|u| match u {
                Update::Position(p) => Some(p.clone()),
                Update::Static { .. } => None,
            })
            .collect();
        assert_eq!(back_positions.len(), positions.len());
        for (back, sent) in back_positions.iter().zip(&positions) {
            assert_eq!(back, sent);
        }
        assert!(back.contains(&Update::Static {
            vessel: "412000001".into(),
            data: statics["412000001"].clone(),
        }));
    }

    #[test]
    fn an_item_too_large_for_any_payload_is_left_out() {
        let statics = HashMap::from([(
            Arc::<str>::from("1"),
            VesselStatic {
                destination: Some("x".repeat(MAX_PAYLOAD)),
                ..VesselStatic::default()
            },
        )]);
        let payloads = encode("a", &[position(1)], &statics);
        assert_eq!(payloads.len(), 1);
        assert_eq!(decode(&payloads[0]).unwrap().updates.len(), 1);
    }

    #[test]
    fn nothing_to_say_sends_nothing() {
        assert!(encode("a", &[], &HashMap::new()).is_empty());
        assert!(decode("{\"p\": 3}").is_err());
    }
}
