//! gpsd's Beidou receiver logs: one with the `BD` talker of the Chinese standard, one with the
//! `GB` talker of NMEA 4.x. Every sentence must be recognised with the right constellation,
//! positions must equal the numbers written in the file, SiRF's proprietary `$PSRF…` sentences
//! must be rejected as unsupported, and Beidou PRNs must be kept as the receiver gave them.

mod common;

use tidewatch_nmea::{Constellation, Decoded, Decoder, GnssSentence, Rejection};

/// `ddmm.mmmm` + hemisphere as written in the file, converted independently of the crate.
fn degrees_in_file(value: &str, hemisphere: &str, degree_digits: usize) -> f64 {
    let degrees: f64 = value[..degree_digits].parse().unwrap();
    let minutes: f64 = value[degree_digits..].parse().unwrap();
    let sign = if hemisphere == "S" || hemisphere == "W" {
        -1.0
    } else {
        1.0
    };
    sign * (degrees + minutes / 60.0)
}

fn expected_constellation(talker: &str) -> Constellation {
    match talker {
        "BD" | "GB" => Constellation::Beidou,
        "GN" => Constellation::Multi,
        "GP" => Constellation::Gps,
        other => panic!("talker {other} not in the logs"),
    }
}

struct LogSummary {
    sentences: usize,
    beidou: usize,
    valid_positions: usize,
    proprietary: usize,
    beidou_prns: Vec<u16>,
}

fn check_log(file: &str) -> LogSummary {
    let mut decoder = Decoder::new();
    let mut summary = LogSummary {
        sentences: 0,
        beidou: 0,
        valid_positions: 0,
        proprietary: 0,
        beidou_prns: Vec::new(),
    };
    for raw in common::raw_lines(file) {
        if common::is_comment_or_blank(&raw) {
            continue;
        }
        let text = String::from_utf8(raw.clone()).unwrap();
        let text = text.trim();
        let result = decoder.feed(&raw, 0);
        if text.starts_with("$P") {
            assert_eq!(result, Err(Rejection::UnsupportedSentence), "{text}");
            summary.proprietary += 1;
            continue;
        }
        let sentence = match result {
            Ok(Some(Decoded::Gnss {
                sentence,
                tag: None,
            })) => sentence,
            other => panic!("{text}: {other:?}"),
        };
        summary.sentences += 1;
        let fields: Vec<&str> = text[1..text.find('*').unwrap()].split(',').collect();
        assert_eq!(
            sentence.constellation(),
            expected_constellation(&fields[0][..2]),
            "{text}"
        );
        if sentence.constellation() == Constellation::Beidou {
            summary.beidou += 1;
        }
        match &sentence {
            GnssSentence::Rmc(fix) | GnssSentence::Gga(fix) => {
                let (lat_at, valid) = match &sentence {
                    GnssSentence::Rmc(_) => (3, fields[2] == "A"),
                    _ => (2, fields[6].parse::<u8>().unwrap() > 0),
                };
                assert_eq!(fix.valid, valid, "{text}");
                if valid {
                    let lat = degrees_in_file(fields[lat_at], fields[lat_at + 1], 2);
                    let lon = degrees_in_file(fields[lat_at + 2], fields[lat_at + 3], 3);
                    assert!((fix.lat.unwrap() - lat).abs() < 1e-12, "{text}");
                    assert!((fix.lon.unwrap() - lon).abs() < 1e-12, "{text}");
                    summary.valid_positions += 1;
                }
            }
            GnssSentence::Gsv {
                constellation: Constellation::Beidou,
                sats,
                ..
            } => {
                let given: Vec<u16> = fields[4..]
                    .chunks(4)
                    .filter(|c| c.len() == 4 && !c[0].is_empty())
                    .map(|c| c[0].parse().unwrap())
                    .collect();
                let decoded: Vec<u16> = sats.iter().map(|s| s.0).collect();
                assert_eq!(decoded, given, "{text}");
                summary.beidou_prns.extend(decoded);
            }
            _ => {}
        }
    }
    summary
}

#[test]
fn bd_talker_log_parses_with_beidou_constellation() {
    // Counts made with grep on the file.
    let s = check_log("gpsd-beidou-bd.log");
    assert_eq!(s.sentences, 67);
    assert_eq!(s.beidou, 15);
    assert_eq!(s.proprietary, 12);
    assert_eq!(s.valid_positions, 10);
    // TSCPB numbers Beidou satellites from 1.
    assert!(s.beidou_prns.iter().all(|&p| (1..=37).contains(&p)));
}

#[test]
fn gb_talker_log_parses_with_beidou_constellation() {
    // Counts made with grep on the file.
    let s = check_log("gpsd-beidou-gb.log");
    assert_eq!(s.sentences, 63);
    assert_eq!(s.beidou, 12);
    assert_eq!(s.proprietary, 5);
    assert_eq!(s.valid_positions, 4);
    // NMEA 4.x receivers of this kind number Beidou satellites from 201.
    assert!(s.beidou_prns.iter().all(|&p| p >= 201));
}

#[test]
fn shanghai_fix_of_the_gb_log_is_exact() {
    let mut decoder = Decoder::new();
    let line = b"$GNRMC,053232.438,A,3114.8789,N,12135.2442,E,0.26,167.42,020315,,,A*70\r\n";
    let Ok(Some(Decoded::Gnss {
        sentence: GnssSentence::Rmc(fix),
        ..
    })) = decoder.feed(line, 0)
    else {
        panic!("RMC not decoded");
    };
    assert_eq!(fix.constellation, Constellation::Multi);
    assert!(fix.valid);
    assert_eq!(fix.lat, Some(31.0 + 14.8789 / 60.0));
    assert_eq!(fix.lon, Some(121.0 + 35.2442 / 60.0));
    assert_eq!(fix.speed_kn, Some(0.26));
    assert_eq!(fix.course_deg, Some(167.42));
    assert_eq!(fix.time_utc, Some((5, 32, 32.438)));
    assert_eq!(fix.date, Some((2015, 3, 2)));
    assert_eq!(fix.unix_time, Some(1_425_274_352));
}
