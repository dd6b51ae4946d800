//! pyais's sample feed (`pyais-nmea-data-sample.txt`): 878 single-sentence lines, 100 of them
//! with an empty payload, and 20 first halves of two-sentence messages whose second halves are
//! not in the file. pyais reports 778 messages and the 100 empty ones as rejected.

mod common;

use std::collections::BTreeMap;

use tidewatch_nmea::{AisMessage, Decoded, Decoder, Rejection};

#[test]
fn recognises_778_messages_and_rejects_exactly_the_100_empty_ones() {
    let mut decoder = Decoder::new();
    let mut decoded_by_type: BTreeMap<u8, usize> = BTreeMap::new();
    let mut unsupported_by_type: BTreeMap<u8, usize> = BTreeMap::new();
    let mut rejected: BTreeMap<&str, usize> = BTreeMap::new();
    let mut stored_fragments = 0;
    let mut lines = 0;
    for line in common::raw_lines("pyais-nmea-data-sample.txt") {
        if common::is_comment_or_blank(&line) {
            continue;
        }
        lines += 1;
        match decoder.feed(&line, 0) {
            Ok(Some(Decoded::Ais { message, .. })) => {
                if let AisMessage::Position(p) = &message {
                    assert!(p.mmsi > 0);
                }
                *decoded_by_type.entry(message.msg_type()).or_default() += 1;
            }
            Ok(Some(other)) => panic!("not AIS: {other:?}"),
            Ok(None) => stored_fragments += 1,
            Err(Rejection::UnsupportedType(t)) => *unsupported_by_type.entry(t).or_default() += 1,
            Err(other) => *rejected.entry(other.as_str()).or_default() += 1,
        }
    }
    let decoded: usize = decoded_by_type.values().sum();
    let unsupported: usize = unsupported_by_type.values().sum();
    println!("decoded {decoded_by_type:?}, unsupported {unsupported_by_type:?}");

    assert_eq!(lines, 898);
    assert_eq!(decoded + unsupported, 778, "messages recognised");
    assert_eq!(rejected, BTreeMap::from([("empty_payload", 100)]));
    assert_eq!(stored_fragments, 20);

    // The 20 lone first halves: those replaced by a later fragment 1 with the same sequence ID
    // were dropped as out of order, the rest are still waiting until they time out.
    let stats = decoder.stats().clone();
    let dropped = decoder.take_dropped_fragments();
    assert_eq!(dropped + decoder.pending_fragments() as u64, 20);
    assert_eq!(stats.rejected(Rejection::FragmentOutOfOrder), dropped);
    let timed_out = decoder.expire(DEFAULT_TIMEOUT_PLUS_ONE);
    assert_eq!(dropped + timed_out as u64, 20);
    assert_eq!(decoder.pending_fragments(), 0);
    let stats = decoder.stats();
    assert_eq!(stats.lines, 898);
    assert_eq!(stats.accepted_lines as usize, decoded);
    assert_eq!(stats.accepted_lines + stats.rejected_total(), stats.lines);
}

const DEFAULT_TIMEOUT_PLUS_ONE: u64 = tidewatch_nmea::decoder::DEFAULT_FRAGMENT_TIMEOUT_MS + 1;
