//! NMEA 4 tag blocks in front of AIS and GNSS sentences: parsed, checksum verified, and carried
//! through to the decoded message (for multi-sentence messages, from the first fragment).

use tidewatch_nmea::sentence::checksum;
use tidewatch_nmea::{Decoded, Decoder, Rejection, TagBlock};

const TYPE1: &str = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A";

/// `\inner*hh\` with the right checksum.
fn tag(inner: &str) -> String {
    format!("\\{inner}*{:02X}\\", checksum(inner.as_bytes()))
}

fn tag_of(result: Result<Option<Decoded>, Rejection>) -> TagBlock {
    match result {
        Ok(Some(Decoded::Ais { tag: Some(t), .. } | Decoded::Gnss { tag: Some(t), .. })) => t,
        other => panic!("no tag block in {other:?}"),
    }
}

#[test]
fn source_and_unix_time_are_parsed() {
    let line = format!("{}{TYPE1}", tag("s:rcv1,c:1700000000"));
    assert!(line.starts_with("\\s:rcv1,c:1700000000*"));
    let t = tag_of(Decoder::new().feed(line.as_bytes(), 0));
    assert_eq!(t.source.as_deref(), Some("rcv1"));
    assert_eq!(t.unix_time, Some(1_700_000_000));
    assert_eq!(t.unix_time_ms, Some(1_700_000_000_000));
    assert_eq!(t.group, None);
}

#[test]
fn millisecond_time_is_converted_to_seconds() {
    let line = format!("{}{TYPE1}", tag("c:1700000000250,s:rcv1"));
    let t = tag_of(Decoder::new().feed(line.as_bytes(), 0));
    assert_eq!(t.unix_time, Some(1_700_000_000));
    assert_eq!(t.unix_time_ms, Some(1_700_000_000_250));
}

#[test]
fn checksum_is_verified_and_may_be_absent() {
    let good = format!("{}{TYPE1}", tag("s:rcv1,c:1700000000"));
    let wrong = good.replacen("rcv1", "rcv2", 1);
    assert_eq!(
        Decoder::new().feed(wrong.as_bytes(), 0),
        Err(Rejection::BadTagBlock)
    );
    // Many feeds send tag blocks without a checksum.
    let bare = format!("\\s:rcv1,c:1700000000\\{TYPE1}");
    assert_eq!(
        tag_of(Decoder::new().feed(bare.as_bytes(), 0))
            .source
            .as_deref(),
        Some("rcv1")
    );
}

#[test]
fn group_and_line_count_on_a_gnss_sentence() {
    let line = format!(
        "{}$GNRMC,053232.438,A,3114.8789,N,12135.2442,E,0.26,167.42,020315,,,A*70",
        tag("g:1-1-42,s:bd-base,c:1425274352,n:7")
    );
    let t = tag_of(Decoder::new().feed(line.as_bytes(), 0));
    assert_eq!(t.group, Some((1, 1, 42)));
    assert_eq!(t.line_count, Some(7));
    assert_eq!(t.source.as_deref(), Some("bd-base"));
}

#[test]
fn multi_sentence_message_keeps_the_first_fragments_tag() {
    let mut decoder = Decoder::new();
    let first = format!(
        "{}!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C",
        tag("g:1-2-73874,s:r003669945,c:1241544035")
    );
    let second = format!("{}!AIVDM,2,2,1,A,88888888880,2*25", tag("g:2-2-73874"));
    assert_eq!(decoder.feed(first.as_bytes(), 0), Ok(None));
    let t = tag_of(decoder.feed(second.as_bytes(), 0));
    assert_eq!(t.source.as_deref(), Some("r003669945"));
    assert_eq!(t.unix_time, Some(1_241_544_035));
    assert_eq!(t.group, Some((1, 2, 73874)));
}
