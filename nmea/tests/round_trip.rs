//! Encode → decode gives the same struct back: types 1, 18, 19, 27, 5, 24A, 24B and RMC, with
//! and without tag blocks.

use tidewatch_nmea::encode::{
    class_b_static_sentences, gnss_rmc_sentence, position_sentences, static_voyage_sentences,
};
use tidewatch_nmea::{
    AisMessage, ClassBStatic, Constellation, Decoded, Decoder, Eta, GnssFix, GnssSentence,
    PositionReport, StaticVoyage, TagBlock,
};

/// Feeds all sentences; the last must complete the message and the others be stored.
fn decode_all(sentences: &[String]) -> Decoded {
    let mut decoder = Decoder::new();
    let (last, rest) = sentences.split_last().expect("no sentences");
    for s in rest {
        assert!(s.len() <= 82 + 60, "sentence too long: {s}");
        assert_eq!(decoder.feed(s.as_bytes(), 0), Ok(None), "{s}");
    }
    match decoder.feed(last.as_bytes(), 0) {
        Ok(Some(decoded)) => decoded,
        other => panic!("{last}: {other:?}"),
    }
}

fn decode_ais(sentences: &[String]) -> AisMessage {
    match decode_all(sentences) {
        Decoded::Ais { message, .. } => message,
        other => panic!("not AIS: {other:?}"),
    }
}

#[test]
fn class_a_position_round_trips() {
    let mut r = PositionReport::class_a(
        413_800_123,
        121.95,
        29.2,
        Some(8.6),
        Some(215.4),
        Some(213.0),
        42,
    );
    r.status = Some(0);
    r.turn = Some(-12);
    assert_eq!(r.lon_deg(), Some(121.95));
    assert_eq!(r.lat_deg(), Some(29.2));
    assert_eq!(r.speed_kn(), Some(8.6));
    assert_eq!(r.course_deg(), Some(215.4));
    assert_eq!(r.heading_deg(), Some(213.0));
    let sentences = position_sentences(&r, 'B', None);
    assert_eq!(sentences.len(), 1);
    assert!(
        sentences[0].starts_with("!AIVDM,1,1,,B,1"),
        "{}",
        sentences[0]
    );
    assert_eq!(decode_ais(&sentences), AisMessage::Position(r));
}

#[test]
fn class_a_types_2_and_3_and_unknown_values_round_trip() {
    for msg_type in [2, 3] {
        let mut r = PositionReport::class_a(257_000_001, -5.5, 60.25, None, None, None, 60);
        r.msg_type = msg_type;
        assert_eq!(r.speed_kn(), None);
        assert_eq!(r.course_deg(), None);
        assert_eq!(r.heading_deg(), None);
        assert_eq!(
            decode_ais(&position_sentences(&r, 'A', None)),
            AisMessage::Position(r)
        );
    }
    let nowhere =
        PositionReport::class_a(1, 200.0, f64::NAN, Some(500.0), Some(360.0), Some(-1.0), 0);
    assert_eq!(nowhere.lon_deg(), None);
    assert_eq!(nowhere.lat_deg(), None);
    assert_eq!(nowhere.speed_kn(), Some(102.2));
    assert_eq!(nowhere.course_deg(), Some(0.0));
    assert_eq!(nowhere.heading_deg(), None);
}

#[test]
fn class_b_position_round_trips_with_tag_block() {
    let r = PositionReport::class_b(
        412_440_890,
        122.0104,
        29.5631,
        Some(2.3),
        Some(87.0),
        None,
        7,
    );
    let tag = TagBlock {
        source: Some("xiangshan-1".into()),
        unix_time: Some(1_700_000_000),
        unix_time_ms: Some(1_700_000_000_000),
        ..TagBlock::default()
    };
    let sentences = position_sentences(&r, 'A', Some(&tag));
    match decode_all(&sentences) {
        Decoded::Ais {
            message,
            tag: decoded_tag,
            own_ship,
            channel,
        } => {
            assert_eq!(message, AisMessage::Position(r));
            assert_eq!(decoded_tag, Some(tag));
            assert!(!own_ship);
            assert_eq!(channel, Some('A'));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn type_19_and_27_round_trip() {
    let mut r19 = PositionReport::class_b(
        367_059_850,
        -88.810394,
        29.543695,
        Some(8.7),
        Some(335.9),
        None,
        46,
    );
    r19.msg_type = 19;
    r19.radio = None;
    r19.cs = None;
    r19.display = None;
    r19.dsc = None;
    r19.band = None;
    r19.msg22 = None;
    r19.shipname = Some("CAPT.J.RIMES".into());
    r19.shiptype = Some(70);
    r19.to_bow = Some(5);
    r19.to_stern = Some(21);
    r19.to_port = Some(4);
    r19.to_starboard = Some(4);
    r19.epfd = Some(1);
    r19.dte = Some(false);
    assert_eq!(
        decode_ais(&position_sentences(&r19, 'B', None)),
        AisMessage::Position(r19)
    );

    let r27 = PositionReport {
        msg_type: 27,
        mmsi: 206_914_217,
        repeat: 1,
        status: Some(2),
        lon: 82214,
        lat: 2904,
        speed: 57,
        course: 167,
        gnss: Some(false),
        ..PositionReport::default()
    };
    assert!((r27.lon_deg().unwrap() - 137.023_333).abs() < 1e-6);
    assert_eq!(r27.speed_kn(), Some(57.0));
    assert_eq!(r27.course_deg(), Some(167.0));
    assert_eq!(
        decode_ais(&position_sentences(&r27, 'A', None)),
        AisMessage::Position(r27)
    );
}

#[test]
fn static_voyage_round_trips_in_two_sentences() {
    let s = StaticVoyage {
        repeat: 0,
        mmsi: 413_456_789,
        ais_version: 1,
        imo: 9_134_270,
        callsign: "BPXS7".into(),
        shipname: "ZHE XIANG YU 12345".into(),
        shiptype: 30,
        to_bow: 20,
        to_stern: 12,
        to_port: 4,
        to_starboard: 3,
        epfd: 1,
        eta: Eta {
            month: 11,
            day: 14,
            hour: 22,
            minute: 30,
        },
        draught: 38,
        destination: "SHIPU".into(),
        dte: false,
    };
    let sentences = static_voyage_sentences(&s, 3, 'B', None);
    assert_eq!(sentences.len(), 2);
    assert!(
        sentences[0].starts_with("!AIVDM,2,1,3,B,5"),
        "{}",
        sentences[0]
    );
    assert!(
        sentences[1].starts_with("!AIVDM,2,2,3,B,"),
        "{}",
        sentences[1]
    );
    assert!(sentences.iter().all(|l| l.len() <= 82));
    assert_eq!(s.draught_m(), Some(3.8));
    assert_eq!(decode_ais(&sentences), AisMessage::StaticVoyage(s));
}

#[test]
fn class_b_static_parts_round_trip() {
    let part_a = ClassBStatic {
        mmsi: 271_041_815,
        partno: 0,
        shipname: Some("PROGUY".into()),
        ..ClassBStatic::default()
    };
    let sentences = class_b_static_sentences(&part_a, 'A', None);
    assert_eq!(sentences.len(), 1);
    assert_eq!(decode_ais(&sentences), AisMessage::ClassBStatic(part_a));

    // As gpsd reads it: a 7-character vendor ID whose last 4 characters are model and serial.
    let part_b = ClassBStatic {
        mmsi: 271_041_815,
        partno: 1,
        shiptype: Some(60),
        vendorid: Some("1D00014".into()),
        model: Some(12),
        serial: Some(199_796),
        callsign: Some("TC6163".into()),
        to_bow: Some(0),
        to_stern: Some(15),
        to_port: Some(0),
        to_starboard: Some(5),
        ..ClassBStatic::default()
    };
    assert_eq!(part_b.manufacturer(), Some("1D0"));
    let decoded = decode_ais(&class_b_static_sentences(&part_b, 'A', None));
    assert_eq!(decoded, AisMessage::ClassBStatic(part_b));

    // A 3-character manufacturer with model and serial zero reads back as written.
    let auxiliary = ClassBStatic {
        mmsi: 984_130_001,
        partno: 1,
        shiptype: Some(37),
        vendorid: Some("TWT".into()),
        model: Some(0),
        serial: Some(0),
        callsign: Some("".into()),
        mothership_mmsi: Some(413_000_001),
        ..ClassBStatic::default()
    };
    let decoded = decode_ais(&class_b_static_sentences(&auxiliary, 'B', None));
    assert_eq!(decoded, AisMessage::ClassBStatic(auxiliary));
}

#[test]
fn rmc_round_trips() {
    let fix = GnssFix {
        constellation: Constellation::Beidou,
        time_utc: Some((5, 32, 32.438)),
        date: Some((2015, 3, 2)),
        lat: Some(29.201_234_5),
        lon: Some(121.950_678_9),
        speed_kn: Some(6.25),
        course_deg: Some(167.42),
        valid: true,
        quality: None,
        satellites: None,
        unix_time: Some(1_425_274_352),
    };
    for talker in ["BD", "GB"] {
        let line = gnss_rmc_sentence(talker, &fix);
        assert!(
            line.starts_with(&format!("${talker}RMC,053232.438,A,2912.")),
            "{line}"
        );
        let decoded = match Decoder::new().feed(line.as_bytes(), 0) {
            Ok(Some(Decoded::Gnss {
                sentence: GnssSentence::Rmc(f),
                tag: None,
            })) => f,
            other => panic!("{line}: {other:?}"),
        };
        // Positions are written to 1e-6 minute: equal within 2e-8 degree.
        assert!((decoded.lat.unwrap() - fix.lat.unwrap()).abs() < 2e-8);
        assert!((decoded.lon.unwrap() - fix.lon.unwrap()).abs() < 2e-8);
        assert_eq!(
            GnssFix {
                lat: fix.lat,
                lon: fix.lon,
                ..decoded
            },
            fix
        );
    }
    // Southern and western hemispheres, no fix.
    let south_west = GnssFix {
        constellation: Constellation::Gps,
        lat: Some(-33.5),
        lon: Some(-70.25),
        valid: false,
        time_utc: None,
        date: None,
        speed_kn: None,
        course_deg: None,
        quality: None,
        satellites: None,
        unix_time: None,
    };
    let line = gnss_rmc_sentence("GP", &south_west);
    match Decoder::new().feed(line.as_bytes(), 0) {
        Ok(Some(Decoded::Gnss {
            sentence: GnssSentence::Rmc(f),
            ..
        })) => assert_eq!(f, south_west),
        other => panic!("{line}: {other:?}"),
    }
}
