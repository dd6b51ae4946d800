//! AIS messages (ITU-R M.1371) decoded from payload bits: position reports (types 1, 2, 3, 18,
//! 19, 27), static and voyage data (type 5) and class B static data (type 24).
//!
//! Fields hold the raw integers of the message, exactly as gpsd prints them in its unscaled
//! JSON (`gpsdecode -u -j`), which is the oracle the tests compare against; the accessor
//! methods scale them to degrees and knots and turn "not available" values into `None`.
//!
//! Text decoding and minimum lengths follow gpsd, so that both accept the same messages: a
//! payload shorter than its type needs (types 1–3: 163 bits, 18: 168, 19: 312, 27: 96,
//! 5: 420, 24A: 160, 24B: 168) is `TooShort`. Longer payloads are accepted and the extra bits
//! ignored, where gpsd rejects a few (types 1–3 over 204 bits, 27 other than 96 or 168 bits,
//! 24A over 168 bits): a transmitter's padding is no reason to lose a position.

use crate::armor::BitReader;
use crate::decoder::Rejection;

/// Longitude "not available" (181°) in 1/10000 minute.
const LON_NOT_AVAILABLE: i32 = 181 * 600_000;
/// Latitude "not available" (91°) in 1/10000 minute.
const LAT_NOT_AVAILABLE: i32 = 91 * 600_000;
/// Longitude "not available" (181°) in the 1/10 minute of type 27.
const LON_NOT_AVAILABLE_LONG_RANGE: i32 = 181 * 600;
/// Latitude "not available" (91°) in the 1/10 minute of type 27.
const LAT_NOT_AVAILABLE_LONG_RANGE: i32 = 91 * 600;
/// Speed "not available" in 0.1 kn.
pub const SPEED_NOT_AVAILABLE: u16 = 1023;
/// Speed "not available" in the whole knots of type 27.
pub const SPEED_NOT_AVAILABLE_LONG_RANGE: u16 = 63;
/// Course "not available" in 0.1°.
pub const COURSE_NOT_AVAILABLE: u16 = 3600;
/// Course "not available" in the whole degrees of type 27.
pub const COURSE_NOT_AVAILABLE_LONG_RANGE: u16 = 511;
/// True heading "not available".
pub const HEADING_NOT_AVAILABLE: u16 = 511;
/// Time stamp second "not available".
pub const SECOND_NOT_AVAILABLE: u8 = 60;
/// Rate of turn "not available" (raw ROT_AIS).
pub const TURN_NOT_AVAILABLE: i8 = -128;
/// Navigation status "not defined (default)".
pub const STATUS_NOT_DEFINED: u8 = 15;
/// The ITDMA communication state most class B CS units send (selector 1, as in real traffic).
const CLASS_B_DEFAULT_RADIO: u32 = 917_510;

/// One decoded AIS message of a supported type.
#[derive(Debug, Clone, PartialEq)]
pub enum AisMessage {
    /// Types 1, 2, 3 (class A), 18, 19 (class B) and 27 (long range).
    Position(PositionReport),
    /// Type 5.
    StaticVoyage(StaticVoyage),
    /// Type 24, part A or part B.
    ClassBStatic(ClassBStatic),
}

impl AisMessage {
    pub fn mmsi(&self) -> u32 {
        match self {
            AisMessage::Position(p) => p.mmsi,
            AisMessage::StaticVoyage(s) => s.mmsi,
            AisMessage::ClassBStatic(s) => s.mmsi,
        }
    }

    pub fn msg_type(&self) -> u8 {
        match self {
            AisMessage::Position(p) => p.msg_type,
            AisMessage::StaticVoyage(_) => 5,
            AisMessage::ClassBStatic(_) => 24,
        }
    }

    /// Decodes a complete message (all fragments joined, fill bits removed).
    pub fn decode(bits: BitReader<'_>) -> Result<Self, Rejection> {
        let msg_type = bits.bits(0, 6) as u8;
        let need = |min_bits: usize| {
            if bits.bit_len() < min_bits {
                Err(Rejection::TooShort)
            } else {
                Ok(())
            }
        };
        match msg_type {
            1..=3 => {
                need(163)?;
                Ok(AisMessage::Position(PositionReport::decode_class_a(bits)))
            }
            18 => {
                need(168)?;
                Ok(AisMessage::Position(PositionReport::decode_type18(bits)))
            }
            19 => {
                need(312)?;
                Ok(AisMessage::Position(PositionReport::decode_type19(bits)))
            }
            27 => {
                need(96)?;
                Ok(AisMessage::Position(PositionReport::decode_type27(bits)))
            }
            5 => {
                need(420)?;
                Ok(AisMessage::StaticVoyage(StaticVoyage::decode(bits)))
            }
            24 => ClassBStatic::decode(bits).map(AisMessage::ClassBStatic),
            other => Err(Rejection::UnsupportedType(other)),
        }
    }
}

/// A position report: class A (types 1, 2, 3), class B (18, 19) or long range (27).
///
/// Raw units: `speed` 0.1 kn (1023 n/a), `lon`/`lat` 1/10000 minute (181°/91° n/a), `course`
/// 0.1° (3600 n/a), `heading` degrees (511 n/a), `second` UTC second (60 n/a). Type 27 is
/// coarser and its raw values are stored as sent: `speed` whole knots (63 n/a), `lon`/`lat`
/// 1/10 minute, `course` whole degrees (511 n/a); it has no heading or time stamp, stored as
/// 511 and 60 (n/a). Use the `*_deg` / `speed_kn` accessors to get scaled values for any type.
///
/// Fields that a type does not have are `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct PositionReport {
    pub msg_type: u8,
    pub repeat: u8,
    pub mmsi: u32,
    /// Navigation status (types 1–3, 27).
    pub status: Option<u8>,
    /// Raw rate of turn ROT_AIS, -128 n/a (types 1–3).
    pub turn: Option<i8>,
    pub speed: u16,
    pub accuracy: bool,
    pub lon: i32,
    pub lat: i32,
    pub course: u16,
    pub heading: u16,
    pub second: u8,
    /// Special manoeuvre indicator (types 1–3).
    pub maneuver: Option<u8>,
    pub raim: bool,
    /// Radio status (types 1–3: 19 bits, 18: 20 bits). A class A message of 163–167 bits has a
    /// shortened radio field; like gpsd, the bits that are there are returned.
    pub radio: Option<u32>,
    /// Bits gpsd calls "reserved" (regional, types 18 and 19).
    pub reserved: Option<u8>,
    /// Regional bits (types 18: 2 bits, 19: 4 bits).
    pub regional: Option<u8>,
    /// Class B unit flags (type 18): carrier-sense unit, display, DSC, whole band, message 22
    /// frequency management.
    pub cs: Option<bool>,
    pub display: Option<bool>,
    pub dsc: Option<bool>,
    pub band: Option<bool>,
    pub msg22: Option<bool>,
    /// Assigned mode (types 18, 19).
    pub assigned: Option<bool>,
    /// Static data carried by type 19.
    pub shipname: Option<String>,
    pub shiptype: Option<u8>,
    pub to_bow: Option<u16>,
    pub to_stern: Option<u16>,
    pub to_port: Option<u8>,
    pub to_starboard: Option<u8>,
    pub epfd: Option<u8>,
    /// Data terminal not ready (type 19).
    pub dte: Option<bool>,
    /// Type 27 "GNSS position status": false is a current GNSS position.
    pub gnss: Option<bool>,
}

/// A type 1 report with every optional field `None` and every raw value "not available".
impl Default for PositionReport {
    fn default() -> Self {
        PositionReport {
            msg_type: 1,
            repeat: 0,
            mmsi: 0,
            status: None,
            turn: None,
            speed: SPEED_NOT_AVAILABLE,
            accuracy: false,
            lon: LON_NOT_AVAILABLE,
            lat: LAT_NOT_AVAILABLE,
            course: COURSE_NOT_AVAILABLE,
            heading: HEADING_NOT_AVAILABLE,
            second: SECOND_NOT_AVAILABLE,
            maneuver: None,
            raim: false,
            radio: None,
            reserved: None,
            regional: None,
            cs: None,
            display: None,
            dsc: None,
            band: None,
            msg22: None,
            assigned: None,
            shipname: None,
            shiptype: None,
            to_bow: None,
            to_stern: None,
            to_port: None,
            to_starboard: None,
            epfd: None,
            dte: None,
            gnss: None,
        }
    }
}

impl PositionReport {
    fn empty(msg_type: u8, bits: BitReader<'_>) -> Self {
        PositionReport {
            msg_type,
            repeat: bits.bits(6, 2) as u8,
            mmsi: bits.bits(8, 30),
            ..Self::default()
        }
    }

    fn decode_class_a(bits: BitReader<'_>) -> Self {
        let radio_width = (bits.bit_len().min(168) - 149) as u32;
        PositionReport {
            status: Some(bits.bits(38, 4) as u8),
            turn: Some(bits.signed_bits(42, 8) as i8),
            speed: bits.bits(50, 10) as u16,
            accuracy: bits.flag(60),
            lon: bits.signed_bits(61, 28),
            lat: bits.signed_bits(89, 27),
            course: bits.bits(116, 12) as u16,
            heading: bits.bits(128, 9) as u16,
            second: bits.bits(137, 6) as u8,
            maneuver: Some(bits.bits(143, 2) as u8),
            raim: bits.flag(148),
            radio: Some(bits.bits(149, radio_width)),
            ..Self::empty(bits.bits(0, 6) as u8, bits)
        }
    }

    /// Fields types 18 and 19 share (bits 38–138).
    fn decode_class_b_common(msg_type: u8, bits: BitReader<'_>) -> Self {
        PositionReport {
            reserved: Some(bits.bits(38, 8) as u8),
            speed: bits.bits(46, 10) as u16,
            accuracy: bits.flag(56),
            lon: bits.signed_bits(57, 28),
            lat: bits.signed_bits(85, 27),
            course: bits.bits(112, 12) as u16,
            heading: bits.bits(124, 9) as u16,
            second: bits.bits(133, 6) as u8,
            ..Self::empty(msg_type, bits)
        }
    }

    fn decode_type18(bits: BitReader<'_>) -> Self {
        PositionReport {
            regional: Some(bits.bits(139, 2) as u8),
            cs: Some(bits.flag(141)),
            display: Some(bits.flag(142)),
            dsc: Some(bits.flag(143)),
            band: Some(bits.flag(144)),
            msg22: Some(bits.flag(145)),
            assigned: Some(bits.flag(146)),
            raim: bits.flag(147),
            radio: Some(bits.bits(148, 20)),
            ..Self::decode_class_b_common(18, bits)
        }
    }

    fn decode_type19(bits: BitReader<'_>) -> Self {
        PositionReport {
            regional: Some(bits.bits(139, 4) as u8),
            shipname: Some(bits.text(143, 20)),
            shiptype: Some(bits.bits(263, 8) as u8),
            to_bow: Some(bits.bits(271, 9) as u16),
            to_stern: Some(bits.bits(280, 9) as u16),
            to_port: Some(bits.bits(289, 6) as u8),
            to_starboard: Some(bits.bits(295, 6) as u8),
            epfd: Some(bits.bits(301, 4) as u8),
            raim: bits.flag(305),
            dte: Some(bits.flag(306)),
            assigned: Some(bits.flag(307)),
            ..Self::decode_class_b_common(19, bits)
        }
    }

    fn decode_type27(bits: BitReader<'_>) -> Self {
        PositionReport {
            accuracy: bits.flag(38),
            raim: bits.flag(39),
            status: Some(bits.bits(40, 4) as u8),
            lon: bits.signed_bits(44, 18),
            lat: bits.signed_bits(62, 17),
            speed: bits.bits(79, 6) as u16,
            course: bits.bits(85, 9) as u16,
            gnss: Some(bits.flag(94)),
            ..Self::empty(27, bits)
        }
    }

    fn is_long_range(&self) -> bool {
        self.msg_type == 27
    }

    /// A class A position report (type 1) from scaled values, rounded to the raw units.
    /// Status is "not defined" (15) and rate of turn "not available"; set them afterwards if
    /// known. A position outside ±180°/±90° is stored as "not available".
    pub fn class_a(
        mmsi: u32,
        lon_deg: f64,
        lat_deg: f64,
        speed_kn: Option<f64>,
        course_deg: Option<f64>,
        heading_deg: Option<f64>,
        second: u8,
    ) -> Self {
        let mut r = Self::scaled(1, mmsi, lon_deg, lat_deg, speed_kn, course_deg, heading_deg);
        r.second = second.min(63);
        r.status = Some(STATUS_NOT_DEFINED);
        r.turn = Some(TURN_NOT_AVAILABLE);
        r.maneuver = Some(0);
        r.radio = Some(0);
        r
    }

    /// A class B CS position report (type 18) from scaled values, rounded to the raw units.
    /// The unit flags are those of a typical carrier-sense transponder.
    pub fn class_b(
        mmsi: u32,
        lon_deg: f64,
        lat_deg: f64,
        speed_kn: Option<f64>,
        course_deg: Option<f64>,
        heading_deg: Option<f64>,
        second: u8,
    ) -> Self {
        let mut r = Self::scaled(
            18,
            mmsi,
            lon_deg,
            lat_deg,
            speed_kn,
            course_deg,
            heading_deg,
        );
        r.second = second.min(63);
        r.reserved = Some(0);
        r.regional = Some(0);
        r.cs = Some(true);
        r.display = Some(false);
        r.dsc = Some(true);
        r.band = Some(true);
        r.msg22 = Some(true);
        r.assigned = Some(false);
        r.radio = Some(CLASS_B_DEFAULT_RADIO);
        r
    }

    fn scaled(
        msg_type: u8,
        mmsi: u32,
        lon_deg: f64,
        lat_deg: f64,
        speed_kn: Option<f64>,
        course_deg: Option<f64>,
        heading_deg: Option<f64>,
    ) -> Self {
        let raw_minutes = |deg: f64, limit: f64, not_available: i32| {
            if deg.is_finite() && deg.abs() <= limit {
                (deg * 600_000.0).round() as i32
            } else {
                not_available
            }
        };
        let valid = |v: Option<f64>| v.filter(|x| x.is_finite() && *x >= 0.0);
        PositionReport {
            msg_type,
            repeat: 0,
            mmsi: mmsi & 0x3FFF_FFFF,
            lon: raw_minutes(lon_deg, 180.0, LON_NOT_AVAILABLE),
            lat: raw_minutes(lat_deg, 90.0, LAT_NOT_AVAILABLE),
            // 1022 means "102.2 kn or more".
            speed: valid(speed_kn).map_or(SPEED_NOT_AVAILABLE, |kn| {
                (kn * 10.0).round().min(1022.0) as u16
            }),
            course: valid(course_deg).map_or(COURSE_NOT_AVAILABLE, |deg| {
                ((deg * 10.0).round() as u32 % 3600) as u16
            }),
            heading: valid(heading_deg).map_or(HEADING_NOT_AVAILABLE, |deg| {
                (deg.round() as u32 % 360) as u16
            }),
            ..Self::default()
        }
    }

    /// Longitude in degrees, east positive; `None` when not available or out of range.
    pub fn lon_deg(&self) -> Option<f64> {
        let (raw, per_degree, na) = if self.is_long_range() {
            (self.lon, 600.0, LON_NOT_AVAILABLE_LONG_RANGE)
        } else {
            (self.lon, 600_000.0, LON_NOT_AVAILABLE)
        };
        let deg = f64::from(raw) / per_degree;
        (raw != na && deg.abs() <= 180.0).then_some(deg)
    }

    /// Latitude in degrees, north positive; `None` when not available or out of range.
    pub fn lat_deg(&self) -> Option<f64> {
        let (raw, per_degree, na) = if self.is_long_range() {
            (self.lat, 600.0, LAT_NOT_AVAILABLE_LONG_RANGE)
        } else {
            (self.lat, 600_000.0, LAT_NOT_AVAILABLE)
        };
        let deg = f64::from(raw) / per_degree;
        (raw != na && deg.abs() <= 90.0).then_some(deg)
    }

    /// Speed over ground in knots. 102.2 means "102.2 kn or more" (62 for type 27).
    pub fn speed_kn(&self) -> Option<f64> {
        if self.is_long_range() {
            (self.speed < SPEED_NOT_AVAILABLE_LONG_RANGE).then_some(f64::from(self.speed))
        } else {
            (self.speed < SPEED_NOT_AVAILABLE).then_some(f64::from(self.speed) / 10.0)
        }
    }

    /// Course over ground in degrees from true north.
    pub fn course_deg(&self) -> Option<f64> {
        if self.is_long_range() {
            (self.course < 360).then_some(f64::from(self.course))
        } else {
            (self.course < COURSE_NOT_AVAILABLE).then_some(f64::from(self.course) / 10.0)
        }
    }

    /// True heading in degrees.
    pub fn heading_deg(&self) -> Option<f64> {
        (self.heading < 360).then_some(f64::from(self.heading))
    }

    /// Rate of turn in degrees per minute, right positive, from ROT_AIS = 4.733·√ROT.
    /// `None` when not available or when only the direction is known (±127: more than 5° per
    /// 30 s without a turn indicator).
    pub fn turn_deg_per_min(&self) -> Option<f64> {
        match self.turn? {
            TURN_NOT_AVAILABLE | -127 | 127 => None,
            raw => {
                let rot = (f64::from(raw) / 4.733).powi(2);
                Some(if raw < 0 { -rot } else { rot })
            }
        }
    }
}

/// ETA of a type 5 message, raw: month 0 and day 0 n/a, hour 24 n/a, minute 60 n/a.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Eta {
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
}

/// Type 5: static and voyage related data of a class A ship.
///
/// `draught` is in 0.1 m; dimensions are metres from the GNSS antenna. Text fields are trimmed
/// as gpsd does (they end at the first `@`; trailing spaces are removed).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StaticVoyage {
    pub repeat: u8,
    pub mmsi: u32,
    pub ais_version: u8,
    pub imo: u32,
    pub callsign: String,
    pub shipname: String,
    pub shiptype: u8,
    pub to_bow: u16,
    pub to_stern: u16,
    pub to_port: u8,
    pub to_starboard: u8,
    pub epfd: u8,
    pub eta: Eta,
    pub draught: u8,
    pub destination: String,
    pub dte: bool,
}

impl StaticVoyage {
    fn decode(bits: BitReader<'_>) -> Self {
        StaticVoyage {
            repeat: bits.bits(6, 2) as u8,
            mmsi: bits.bits(8, 30),
            ais_version: bits.bits(38, 2) as u8,
            imo: bits.bits(40, 30),
            callsign: bits.text(70, 7),
            shipname: bits.text(112, 20),
            shiptype: bits.bits(232, 8) as u8,
            to_bow: bits.bits(240, 9) as u16,
            to_stern: bits.bits(249, 9) as u16,
            to_port: bits.bits(258, 6) as u8,
            to_starboard: bits.bits(264, 6) as u8,
            epfd: bits.bits(270, 4) as u8,
            eta: Eta {
                month: bits.bits(274, 4) as u8,
                day: bits.bits(278, 5) as u8,
                hour: bits.bits(283, 5) as u8,
                minute: bits.bits(288, 6) as u8,
            },
            draught: bits.bits(294, 8) as u8,
            destination: bits.text(302, 20),
            // Many transmitters send 420 or 422 bits; the DTE bit is then missing (gpsd: 0).
            dte: bits.bit_len() >= 423 && bits.flag(422),
        }
    }

    /// Draught in metres; `None` when not available (0).
    pub fn draught_m(&self) -> Option<f64> {
        (self.draught > 0).then_some(f64::from(self.draught) / 10.0)
    }
}

/// Type 24: class B static data, part A (`partno` 0: name) or part B (`partno` 1: type, vendor,
/// call sign, dimensions). Fields of the other part are `None`.
///
/// `vendorid` is read as the 7-character field of ITU-R M.1371-3, like gpsd does; since
/// M.1371-4 only its first 3 characters are the manufacturer ([`ClassBStatic::manufacturer`])
/// and the following 24 bits are `model` and `serial`, which are decoded from the same bits.
/// Auxiliary craft (MMSI 98xxxxxxx) send the mother ship's MMSI instead of dimensions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClassBStatic {
    pub repeat: u8,
    pub mmsi: u32,
    pub partno: u8,
    pub shipname: Option<String>,
    pub shiptype: Option<u8>,
    pub vendorid: Option<String>,
    pub model: Option<u8>,
    pub serial: Option<u32>,
    pub callsign: Option<String>,
    pub to_bow: Option<u16>,
    pub to_stern: Option<u16>,
    pub to_port: Option<u8>,
    pub to_starboard: Option<u8>,
    pub mothership_mmsi: Option<u32>,
}

/// An MMSI of the form 98xxxxxxx: craft associated with a parent ship.
pub fn is_auxiliary_mmsi(mmsi: u32) -> bool {
    mmsi / 10_000_000 == 98
}

impl ClassBStatic {
    fn decode(bits: BitReader<'_>) -> Result<Self, Rejection> {
        let base = ClassBStatic {
            repeat: bits.bits(6, 2) as u8,
            mmsi: bits.bits(8, 30),
            partno: bits.bits(38, 2) as u8,
            ..ClassBStatic::default()
        };
        match base.partno {
            0 => {
                if bits.bit_len() < 160 {
                    return Err(Rejection::TooShort);
                }
                Ok(ClassBStatic {
                    shipname: Some(bits.text(40, 20)),
                    ..base
                })
            }
            1 => {
                if bits.bit_len() < 168 {
                    return Err(Rejection::TooShort);
                }
                let auxiliary = is_auxiliary_mmsi(base.mmsi);
                Ok(ClassBStatic {
                    shiptype: Some(bits.bits(40, 8) as u8),
                    vendorid: Some(bits.text(48, 7)),
                    model: Some(bits.bits(66, 4) as u8),
                    serial: Some(bits.bits(70, 20)),
                    callsign: Some(bits.text(90, 7)),
                    to_bow: (!auxiliary).then(|| bits.bits(132, 9) as u16),
                    to_stern: (!auxiliary).then(|| bits.bits(141, 9) as u16),
                    to_port: (!auxiliary).then(|| bits.bits(150, 6) as u8),
                    to_starboard: (!auxiliary).then(|| bits.bits(156, 6) as u8),
                    mothership_mmsi: auxiliary.then(|| bits.bits(132, 30)),
                    ..base
                })
            }
            // Parts 2 and 3 are not defined.
            _ => Err(Rejection::Malformed),
        }
    }

    /// The manufacturer ID of ITU-R M.1371-4 and later: the first 3 characters of `vendorid`.
    pub fn manufacturer(&self) -> Option<&str> {
        self.vendorid
            .as_deref()
            .map(|v| v.get(..3.min(v.len())).unwrap_or(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_of_turn_is_scaled_from_rot_ais() {
        let mut r = PositionReport::class_a(1, 0.0, 0.0, None, None, None, 0);
        assert_eq!(r.turn_deg_per_min(), None);
        r.turn = Some(-127);
        assert_eq!(r.turn_deg_per_min(), None);
        r.turn = Some(47);
        let rot = r.turn_deg_per_min().unwrap();
        assert!((rot - (47.0f64 / 4.733).powi(2)).abs() < 1e-9);
        r.turn = Some(-47);
        assert!((r.turn_deg_per_min().unwrap() + rot).abs() < 1e-9);
    }

    #[test]
    fn long_range_not_available_values_scale_to_none() {
        let r = PositionReport {
            msg_type: 27,
            lon: LON_NOT_AVAILABLE_LONG_RANGE,
            lat: LAT_NOT_AVAILABLE_LONG_RANGE,
            speed: SPEED_NOT_AVAILABLE_LONG_RANGE,
            course: COURSE_NOT_AVAILABLE_LONG_RANGE,
            ..PositionReport::default()
        };
        assert_eq!(r.lon_deg(), None);
        assert_eq!(r.lat_deg(), None);
        assert_eq!(r.speed_kn(), None);
        assert_eq!(r.course_deg(), None);
        assert_eq!(r.heading_deg(), None);
    }

    #[test]
    fn auxiliary_craft_are_recognised_by_mmsi() {
        assert!(is_auxiliary_mmsi(984_130_001));
        assert!(!is_auxiliary_mmsi(413_000_001));
        let s = ClassBStatic {
            vendorid: Some("AB".into()),
            ..ClassBStatic::default()
        };
        assert_eq!(s.manufacturer(), Some("AB"));
    }
}
