//! Encoding AIS messages and GNSS fixes back into NMEA sentences: for tests, the replay tool and
//! demo traffic. Everything the decoder reads is written, so that encode → decode gives the
//! same struct back.

use crate::ais::{
    is_auxiliary_mmsi, ClassBStatic, PositionReport, StaticVoyage, STATUS_NOT_DEFINED,
    TURN_NOT_AVAILABLE,
};
use crate::armor::{text_sixbit, BitWriter, Payload};
use crate::gnss::GnssFix;
use crate::sentence::with_checksum;
use crate::tagblock::TagBlock;

/// Payload characters per sentence when a message is split, as transponders do (keeps each
/// sentence within NMEA's 82 characters).
const MAX_PAYLOAD_CHARS_PER_SENTENCE: usize = 60;

/// `!AIVDM` sentences carrying `payload`, split if needed. The tag block, if any, goes on the
/// first sentence only.
fn vdm_sentences(
    payload: &Payload,
    sequence_id: Option<u8>,
    channel: char,
    tag: Option<&TagBlock>,
) -> Vec<String> {
    let (armored, fill) = payload.to_armored();
    let chunks: Vec<&str> = armored
        .as_bytes()
        .chunks(MAX_PAYLOAD_CHARS_PER_SENTENCE)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    let count = chunks.len();
    let sequence = sequence_id
        .map(|s| (s % 10).to_string())
        .unwrap_or_default();
    chunks
        .iter()
        .enumerate()
        .map(|(i, chunk)| {
            let fill_bits = if i + 1 == count { fill } else { 0 };
            let body = format!(
                "AIVDM,{count},{},{sequence},{channel},{chunk},{fill_bits}",
                i + 1
            );
            let sentence = with_checksum('!', &body);
            match (i, tag) {
                (0, Some(tag)) => format!("{}{sentence}", tag.to_nmea()),
                _ => sentence,
            }
        })
        .collect()
}

/// The sentence of a position report of type 1, 2, 3 (class A), 18, 19 (class B) or 27 (long
/// range); another `msg_type` is written with the class A layout. Fields the type does not
/// have are ignored; missing fields of the type are written as "not available"/0.
pub fn position_sentences(
    r: &PositionReport,
    channel: char,
    tag: Option<&TagBlock>,
) -> Vec<String> {
    let mut w = BitWriter::new();
    w.uint(u32::from(r.msg_type), 6)
        .uint(u32::from(r.repeat), 2)
        .uint(r.mmsi, 30);
    match r.msg_type {
        18 | 19 => {
            w.uint(u32::from(r.reserved.unwrap_or(0)), 8)
                .uint(u32::from(r.speed), 10)
                .flag(r.accuracy)
                .int(r.lon, 28)
                .int(r.lat, 27)
                .uint(u32::from(r.course), 12)
                .uint(u32::from(r.heading), 9)
                .uint(u32::from(r.second), 6);
            if r.msg_type == 18 {
                w.uint(u32::from(r.regional.unwrap_or(0)), 2)
                    .flag(r.cs.unwrap_or(false))
                    .flag(r.display.unwrap_or(false))
                    .flag(r.dsc.unwrap_or(false))
                    .flag(r.band.unwrap_or(false))
                    .flag(r.msg22.unwrap_or(false))
                    .flag(r.assigned.unwrap_or(false))
                    .flag(r.raim)
                    .uint(r.radio.unwrap_or(0), 20);
            } else {
                w.uint(u32::from(r.regional.unwrap_or(0)), 4)
                    .text(r.shipname.as_deref().unwrap_or(""), 20)
                    .uint(u32::from(r.shiptype.unwrap_or(0)), 8)
                    .uint(u32::from(r.to_bow.unwrap_or(0)), 9)
                    .uint(u32::from(r.to_stern.unwrap_or(0)), 9)
                    .uint(u32::from(r.to_port.unwrap_or(0)), 6)
                    .uint(u32::from(r.to_starboard.unwrap_or(0)), 6)
                    .uint(u32::from(r.epfd.unwrap_or(0)), 4)
                    .flag(r.raim)
                    .flag(r.dte.unwrap_or(false))
                    .flag(r.assigned.unwrap_or(false))
                    .uint(0, 4);
            }
        }
        27 => {
            w.flag(r.accuracy)
                .flag(r.raim)
                .uint(u32::from(r.status.unwrap_or(STATUS_NOT_DEFINED)), 4)
                .int(r.lon, 18)
                .int(r.lat, 17)
                .uint(u32::from(r.speed), 6)
                .uint(u32::from(r.course), 9)
                .flag(r.gnss.unwrap_or(false))
                .uint(0, 1);
        }
        _ => {
            w.uint(u32::from(r.status.unwrap_or(STATUS_NOT_DEFINED)), 4)
                .int(i32::from(r.turn.unwrap_or(TURN_NOT_AVAILABLE)), 8)
                .uint(u32::from(r.speed), 10)
                .flag(r.accuracy)
                .int(r.lon, 28)
                .int(r.lat, 27)
                .uint(u32::from(r.course), 12)
                .uint(u32::from(r.heading), 9)
                .uint(u32::from(r.second), 6)
                .uint(u32::from(r.maneuver.unwrap_or(0)), 2)
                .uint(0, 3)
                .flag(r.raim)
                .uint(r.radio.unwrap_or(0), 19);
        }
    }
    vdm_sentences(&w.finish(), None, channel, tag)
}

/// The two sentences of a type 5 message, with sequential message ID `seq_id` (0–9).
pub fn static_voyage_sentences(
    s: &StaticVoyage,
    seq_id: u8,
    channel: char,
    tag: Option<&TagBlock>,
) -> Vec<String> {
    let mut w = BitWriter::new();
    w.uint(5, 6)
        .uint(u32::from(s.repeat), 2)
        .uint(s.mmsi, 30)
        .uint(u32::from(s.ais_version), 2)
        .uint(s.imo, 30)
        .text(&s.callsign, 7)
        .text(&s.shipname, 20)
        .uint(u32::from(s.shiptype), 8)
        .uint(u32::from(s.to_bow), 9)
        .uint(u32::from(s.to_stern), 9)
        .uint(u32::from(s.to_port), 6)
        .uint(u32::from(s.to_starboard), 6)
        .uint(u32::from(s.epfd), 4)
        .uint(u32::from(s.eta.month), 4)
        .uint(u32::from(s.eta.day), 5)
        .uint(u32::from(s.eta.hour), 5)
        .uint(u32::from(s.eta.minute), 6)
        .uint(u32::from(s.draught), 8)
        .text(&s.destination, 20)
        .flag(s.dte)
        .uint(0, 1);
    vdm_sentences(&w.finish(), Some(seq_id), channel, tag)
}

/// The sentence of a type 24 part A (`partno` 0) or part B (any other `partno`).
///
/// Part B's bits 66–89 hold `model` and `serial`; characters 4–7 of a longer `vendorid` (the
/// M.1371-3 reading of the same bits) take precedence over them.
pub fn class_b_static_sentences(
    s: &ClassBStatic,
    channel: char,
    tag: Option<&TagBlock>,
) -> Vec<String> {
    let mut w = BitWriter::new();
    w.uint(24, 6).uint(u32::from(s.repeat), 2).uint(s.mmsi, 30);
    if s.partno == 0 {
        w.uint(0, 2)
            .text(s.shipname.as_deref().unwrap_or(""), 20)
            .uint(0, 8);
    } else {
        let vendor: Vec<char> = s
            .vendorid
            .as_deref()
            .unwrap_or("")
            .chars()
            .take(7)
            .collect();
        let manufacturer: String = vendor.iter().take(3).collect();
        let mut model_serial =
            u32::from(s.model.unwrap_or(0) & 0x0F) << 20 | (s.serial.unwrap_or(0) & 0xF_FFFF);
        for (i, &c) in vendor.iter().enumerate().skip(3) {
            let shift = 18 - 6 * (i - 3);
            model_serial = (model_serial & !(0x3F << shift)) | u32::from(text_sixbit(c)) << shift;
        }
        w.uint(1, 2)
            .uint(u32::from(s.shiptype.unwrap_or(0)), 8)
            .text(&manufacturer, 3)
            .uint(model_serial, 24)
            .text(s.callsign.as_deref().unwrap_or(""), 7);
        if is_auxiliary_mmsi(s.mmsi) {
            w.uint(s.mothership_mmsi.unwrap_or(0), 30);
        } else {
            w.uint(u32::from(s.to_bow.unwrap_or(0)), 9)
                .uint(u32::from(s.to_stern.unwrap_or(0)), 9)
                .uint(u32::from(s.to_port.unwrap_or(0)), 6)
                .uint(u32::from(s.to_starboard.unwrap_or(0)), 6);
        }
        w.uint(0, 6);
    }
    vdm_sentences(&w.finish(), None, channel, tag)
}

/// An RMC sentence for `fix` with the given talker (`"BD"`, `"GB"`, `"GN"`, `"GP"`, …).
/// Positions are written to 1e-6 minute (under 2 mm); the mode indicator is `A` for a valid
/// fix, `N` otherwise.
pub fn gnss_rmc_sentence(talker: &str, fix: &GnssFix) -> String {
    let time = fix
        .time_utc
        .map(|(h, m, s)| format!("{h:02}{m:02}{:06.3}", s.min(60.999)))
        .unwrap_or_default();
    let (lat, ns) = fix
        .lat
        .map(|v| (micro_minutes(v, 2), if v < 0.0 { "S" } else { "N" }))
        .unwrap_or_default();
    let (lon, ew) = fix
        .lon
        .map(|v| (micro_minutes(v, 3), if v < 0.0 { "W" } else { "E" }))
        .unwrap_or_default();
    let number = |v: Option<f64>| v.map(|x| format!("{x:.2}")).unwrap_or_default();
    let date = fix
        .date
        .map(|(y, m, d)| format!("{d:02}{m:02}{:02}", y % 100))
        .unwrap_or_default();
    let (status, mode) = if fix.valid { ("A", "A") } else { ("V", "N") };
    let body = format!(
        "{talker}RMC,{time},{status},{lat},{ns},{lon},{ew},{},{},{date},,,{mode}",
        number(fix.speed_kn),
        number(fix.course_deg)
    );
    with_checksum('$', &body)
}

/// `ddmm.mmmmmm` (or `dddmm.mmmmmm`) of |degrees|, rounded in integers so that 59.9999996'
/// carries into the degree instead of printing 60'.
fn micro_minutes(degrees: f64, degree_digits: usize) -> String {
    let total = (degrees.abs() * 60_000_000.0).round() as u64;
    let (deg, rem) = (total / 60_000_000, total % 60_000_000);
    format!(
        "{deg:0degree_digits$}{:02}.{:06}",
        rem / 1_000_000,
        rem % 1_000_000
    )
}
