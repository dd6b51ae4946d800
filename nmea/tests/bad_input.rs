//! Bad input is counted and reported, never a panic: wrong and missing checksums, truncated
//! sentences, lost and out-of-order fragments, unsupported types, binary garbage, overlong
//! lines, bad tag blocks; and a randomised test that feeds 100 000 random byte strings and
//! mutations of real sentences, checking that every line is accounted for exactly once.

mod common;

use std::time::Instant;

use tidewatch_nmea::sentence::with_checksum;
use tidewatch_nmea::{Decoded, Decoder, Rejection};

const TYPE1: &str = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A";
const TYPE5_PART1: &str =
    "!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C";
const TYPE5_PART2: &str = "!AIVDM,2,2,1,A,88888888880,2*25";

fn feed(decoder: &mut Decoder, line: &str) -> Result<Option<Decoded>, Rejection> {
    decoder.feed(line.as_bytes(), 0)
}

/// `!` + body + recomputed checksum.
fn vdm(body: &str) -> String {
    with_checksum('!', body)
}

#[test]
fn good_sentence_is_accepted() {
    assert!(matches!(
        feed(&mut Decoder::new(), TYPE1),
        Ok(Some(Decoded::Ais { .. }))
    ));
}

#[test]
fn wrong_checksum_is_rejected() {
    let line = TYPE1.replace("*4A", "*4B");
    assert_eq!(
        feed(&mut Decoder::new(), &line),
        Err(Rejection::BadChecksum)
    );
    let corrupted = TYPE1.replace("15RT", "15RU");
    assert_eq!(
        feed(&mut Decoder::new(), &corrupted),
        Err(Rejection::BadChecksum)
    );
}

#[test]
fn missing_checksum_is_rejected() {
    let line = TYPE1.trim_end_matches("*4A");
    assert_eq!(feed(&mut Decoder::new(), line), Err(Rejection::BadChecksum));
    assert_eq!(
        feed(&mut Decoder::new(), "$GPRMC,074150.799,V,,,,,,,250215,,,N"),
        Err(Rejection::BadChecksum)
    );
}

#[test]
fn truncated_sentences_are_rejected() {
    let mut decoder = Decoder::new();
    // Cut in transit: the checksum is gone with the tail.
    assert_eq!(
        feed(&mut decoder, &TYPE1[..30]),
        Err(Rejection::BadChecksum)
    );
    // Cut before framing, so the checksum matches: the payload is too short for a type 1.
    let short = vdm("AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g2,0");
    assert_eq!(feed(&mut decoder, &short), Err(Rejection::TooShort));
    let short_type5 =
        vdm("AIVDM,1,1,,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0");
    assert_eq!(feed(&mut decoder, &short_type5), Err(Rejection::TooShort));
    // Fields missing altogether.
    assert_eq!(
        feed(&mut decoder, &vdm("AIVDM,1,1,,A")),
        Err(Rejection::Malformed)
    );
}

#[test]
fn empty_payload_and_bad_armor_are_told_apart() {
    let mut decoder = Decoder::new();
    assert_eq!(
        feed(&mut decoder, "!AIVDM,1,1,,B,,0*25"),
        Err(Rejection::EmptyPayload)
    );
    let bad_armor = vdm("AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208Cx,0");
    assert_eq!(feed(&mut decoder, &bad_armor), Err(Rejection::BadArmor));
    let bad_fill = vdm("AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,7");
    assert_eq!(feed(&mut decoder, &bad_fill), Err(Rejection::Malformed));
}

#[test]
fn unsupported_types_and_sentences_are_named() {
    let mut decoder = Decoder::new();
    assert_eq!(
        feed(
            &mut decoder,
            "!AIVDM,1,1,,A,403OviQuMGCqWrRO9>E6fE700@GO,0*4D"
        ),
        Err(Rejection::UnsupportedType(4))
    );
    assert_eq!(
        feed(
            &mut decoder,
            &vdm("AIALR,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0")
        ),
        Err(Rejection::UnsupportedSentence)
    );
    assert_eq!(
        feed(&mut decoder, "$PSRFEPE,074150.799,V,,,,,*23"),
        Err(Rejection::UnsupportedSentence)
    );
    assert_eq!(
        feed(&mut decoder, &with_checksum('$', "GPXTE,A,A,0.67,L,N")),
        Err(Rejection::UnsupportedSentence)
    );
    assert_eq!(Rejection::UnsupportedType(4).as_str(), "unsupported_type");
}

#[test]
fn comments_blank_lines_and_non_nmea_are_not_errors_of_the_feed() {
    let mut decoder = Decoder::new();
    assert_eq!(decoder.feed(b"", 0), Err(Rejection::Ignored));
    assert_eq!(decoder.feed(b"  \r\n", 0), Err(Rejection::Ignored));
    assert_eq!(decoder.feed(b"# a comment", 0), Err(Rejection::Ignored));
    // gpsd's sample has a sentence that lost its leading '!'.
    assert_eq!(
        decoder.feed(b"AIVDM,2,2,1,B,00000000000,2*26", 0),
        Err(Rejection::NotNmea)
    );
}

#[test]
fn binary_garbage_is_rejected() {
    let mut decoder = Decoder::new();
    assert_eq!(
        decoder.feed(b"\x00\x01\xff\xfe\x80garbage", 0),
        Err(Rejection::NotNmea)
    );
    assert_eq!(
        decoder.feed(b"\xc3\x28\xa0\xa1", 0),
        Err(Rejection::NotNmea)
    );
    assert_eq!(
        decoder.feed(b"!\x00\xff,\x80*", 0),
        Err(Rejection::BadChecksum)
    );
    assert_eq!(
        decoder.feed(b"$\xff\xfe*02", 0),
        Err(Rejection::BadChecksum)
    );
    // Invalid UTF-8 with a matching checksum reaches the sentence parser.
    let mut gnss = b"$GPRMC,\xff\x00,A".to_vec();
    let sum = gnss[1..].iter().fold(0, |a, b| a ^ b);
    gnss.extend_from_slice(format!("*{sum:02X}").as_bytes());
    assert_eq!(decoder.feed(&gnss, 0), Err(Rejection::Malformed));
}

#[test]
fn megabyte_line_is_rejected_quickly() {
    let mut line = b"!AIVDM,1,1,,A,".to_vec();
    line.resize(1 << 20, b'1');
    let mut decoder = Decoder::new();
    let start = Instant::now();
    assert_eq!(decoder.feed(&line, 0), Err(Rejection::TooLong));
    assert_eq!(
        decoder.feed(&vec![0u8; 1 << 20], 0),
        Err(Rejection::TooLong)
    );
    assert!(
        start.elapsed().as_millis() < 50,
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn bad_tag_block_is_rejected() {
    let mut decoder = Decoder::new();
    let line = format!("\\s:rcv1,c:1700000000*00\\{TYPE1}");
    assert_eq!(feed(&mut decoder, &line), Err(Rejection::BadTagBlock));
    let unterminated = format!("\\s:rcv1,c:1700000000{TYPE1}");
    assert_eq!(
        feed(&mut decoder, &unterminated),
        Err(Rejection::BadTagBlock)
    );
    assert_eq!(
        feed(&mut decoder, &format!("\\c:yesterday\\{TYPE1}")),
        Err(Rejection::BadTagBlock)
    );
}

#[test]
fn multi_sentence_message_completes_on_its_last_line() {
    let mut decoder = Decoder::new();
    assert_eq!(feed(&mut decoder, TYPE5_PART1), Ok(None));
    assert_eq!(decoder.pending_fragments(), 1);
    assert!(matches!(
        feed(&mut decoder, TYPE5_PART2),
        Ok(Some(Decoded::Ais { .. }))
    ));
    assert_eq!(decoder.pending_fragments(), 0);
    assert_eq!(decoder.stats().accepted_lines, 2);
    assert_eq!(decoder.stats().messages, 1);
}

#[test]
fn fragment_two_without_fragment_one_is_out_of_order() {
    let mut decoder = Decoder::new();
    assert_eq!(
        feed(&mut decoder, TYPE5_PART2),
        Err(Rejection::FragmentOutOfOrder)
    );
    assert_eq!(decoder.take_dropped_fragments(), 0);
}

#[test]
fn repeated_fragment_drops_the_partial_message() {
    let mut decoder = Decoder::new();
    assert_eq!(feed(&mut decoder, TYPE5_PART1), Ok(None));
    // A new fragment 1 with the same channel and sequence ID replaces the unfinished one.
    assert_eq!(feed(&mut decoder, TYPE5_PART1), Ok(None));
    assert_eq!(decoder.take_dropped_fragments(), 1);
    assert_eq!(decoder.pending_fragments(), 1);
    // The same fragment number twice in a three-part message.
    let three = |n: u8| vdm(&format!("AIVDM,3,{n},7,B,55?MbV02;H;s<HtKR20EHE:0,0"));
    let mut decoder = Decoder::new();
    assert_eq!(feed(&mut decoder, &three(1)), Ok(None));
    assert_eq!(feed(&mut decoder, &three(2)), Ok(None));
    assert_eq!(
        feed(&mut decoder, &three(2)),
        Err(Rejection::FragmentOutOfOrder)
    );
    assert_eq!(decoder.take_dropped_fragments(), 2);
    assert_eq!(decoder.pending_fragments(), 0);
    let stats = decoder.stats();
    assert_eq!(stats.rejected(Rejection::FragmentOutOfOrder), 3);
    assert_eq!(stats.lines, stats.rejected_total());
}

#[test]
fn fragments_on_different_channels_and_ids_do_not_mix() {
    let mut decoder = Decoder::new();
    let other_channel = TYPE5_PART1.replace(",1,A,", ",1,B,");
    let other_channel = vdm(&other_channel[1..other_channel.len() - 3]);
    assert_eq!(feed(&mut decoder, TYPE5_PART1), Ok(None));
    assert_eq!(feed(&mut decoder, &other_channel), Ok(None));
    assert!(matches!(feed(&mut decoder, TYPE5_PART2), Ok(Some(_))));
    assert_eq!(decoder.pending_fragments(), 1);
}

#[test]
fn unfinished_message_times_out() {
    let mut decoder = Decoder::with_fragment_timeout_ms(1_000);
    assert_eq!(decoder.feed(TYPE5_PART1.as_bytes(), 10_000), Ok(None));
    assert_eq!(decoder.expire(10_900), 0);
    assert_eq!(decoder.pending_fragments(), 1);
    // Dropped in passing by the next line, reported by take_dropped_fragments.
    assert!(decoder.feed(TYPE1.as_bytes(), 11_001).is_ok());
    assert_eq!(decoder.pending_fragments(), 0);
    assert_eq!(decoder.take_dropped_fragments(), 1);
    assert_eq!(decoder.stats().rejected(Rejection::FragmentTimedOut), 1);
    // The late second half has nothing to complete.
    assert_eq!(
        decoder.feed(TYPE5_PART2.as_bytes(), 11_002),
        Err(Rejection::FragmentOutOfOrder)
    );
    // Dropped by an explicit expire: reported by its return value only.
    assert_eq!(decoder.feed(TYPE5_PART1.as_bytes(), 20_000), Ok(None));
    assert_eq!(decoder.expire(21_001), 1);
    assert_eq!(decoder.take_dropped_fragments(), 0);
}

#[test]
fn too_many_unfinished_messages_evict_the_oldest() {
    let mut decoder = Decoder::new();
    let mut fed = 0;
    for channel in ['A', 'B', 'C', 'D'] {
        for seq in 0..10 {
            let line = vdm(&format!(
                "AIVDM,2,1,{seq},{channel},55?MbV02;H;s<HtKR20EHE:0,0"
            ));
            assert_eq!(decoder.feed(line.as_bytes(), fed), Ok(None));
            fed += 1;
        }
    }
    let limit = tidewatch_nmea::decoder::MAX_PENDING_MESSAGES as u64;
    assert_eq!(decoder.pending_fragments() as u64, limit);
    assert_eq!(decoder.take_dropped_fragments(), fed - limit);
    assert_eq!(
        decoder.stats().rejected(Rejection::FragmentTimedOut),
        fed - limit
    );
}

/// xorshift64*: a small deterministic generator, so that a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn byte(&mut self) -> u8 {
        // Mostly bytes that mean something to the parser, to get past the first checks.
        const INTERESTING: &[u8] = b"!$\\*,0123456789ABCDEFVDMOGPRMCSAw`@:;-.\r\n \x00\xff";
        if self.below(2) == 0 {
            INTERESTING[self.below(INTERESTING.len())]
        } else {
            self.next() as u8
        }
    }
}

fn real_sentences() -> Vec<Vec<u8>> {
    [
        "gpsd-sample.aivdm",
        "pyais-nmea-data-sample.txt",
        "gpsd-beidou-bd.log",
    ]
    .iter()
    .flat_map(|f| common::raw_lines(f))
    .filter(|l| !common::is_comment_or_blank(l))
    .collect()
}

/// Recomputes the checksum of a mutated sentence so the mutation reaches the field parsers.
fn fix_checksum(line: &mut [u8]) {
    let start = line.iter().position(|&b| b == b'!' || b == b'$');
    let star = line.iter().rposition(|&b| b == b'*');
    if let (Some(start), Some(star)) = (start, star) {
        if start < star && star + 3 <= line.len() {
            let sum = line[start + 1..star].iter().fold(0, |a, b| a ^ b);
            line[star + 1..star + 3].copy_from_slice(format!("{sum:02X}").as_bytes());
        }
    }
}

#[test]
fn random_bytes_and_mutated_sentences_never_panic_and_are_all_accounted_for() {
    let corpus = real_sentences();
    let mut rng = Rng(0x5EED_1DEA_0000_0001);
    let mut decoder = Decoder::with_fragment_timeout_ms(50);
    let mut outcomes = [0u64; 3]; // accepted, pending, rejected
    let mut dropped = 0u64;
    let mut expired = 0u64;
    const LINES: u64 = 100_000;
    for n in 0..LINES {
        let line: Vec<u8> = if n % 2 == 0 {
            let len = rng.below(200);
            (0..len).map(|_| rng.byte()).collect()
        } else {
            let mut line = corpus[rng.below(corpus.len())].clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(line.len() + 1);
                match rng.below(5) {
                    0 if at < line.len() => line[at] = rng.byte(),
                    1 if at < line.len() => {
                        line.remove(at);
                    }
                    2 => line.insert(at, rng.byte()),
                    3 => line.truncate(at),
                    _ => {
                        let copy = line.clone();
                        line.extend_from_slice(&copy[at..]);
                    }
                }
            }
            if rng.below(2) == 0 {
                fix_checksum(&mut line);
            }
            line
        };
        match decoder.feed(&line, n) {
            Ok(Some(_)) => outcomes[0] += 1,
            Ok(None) => outcomes[1] += 1,
            Err(_) => outcomes[2] += 1,
        }
        if n % 1000 == 999 {
            expired += decoder.expire(n) as u64;
        }
        dropped += decoder.take_dropped_fragments();
    }
    let stats = decoder.stats();
    assert_eq!(stats.lines, LINES);
    assert_eq!(
        stats.accepted_lines + stats.rejected_total() + decoder.pending_fragments() as u64,
        LINES,
        "every line is accepted, rejected or pending"
    );
    assert_eq!(stats.messages, outcomes[0]);
    assert!(dropped + expired <= outcomes[1]);
    assert!(
        outcomes[0] > 1000,
        "mutations should leave many sentences decodable: {outcomes:?}"
    );
    println!("accepted/pending/rejected: {outcomes:?}, dropped {dropped}, expired {expired}");
    for (label, count) in stats.rejected_by_label() {
        println!("  {label}: {count}");
    }
}
