//! GNSS receiver sentences (`$xxRMC`, `$xxGGA`, `$xxGNS`, `$xxGSA`, `$xxGSV`) from GPS, Beidou
//! and mixed receivers. The talker ID says the constellation: Beidou appears as `BD` (Chinese
//! standard) and as `GB` (NMEA 4.x), combined fixes as `GN`.
//!
//! Empty fields are `None`; a field that is present but not a number is `Malformed`, so that a
//! garbled sentence is not taken for a position.

use crate::decoder::Rejection;

/// The constellation a sentence belongs to, from its talker ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Constellation {
    /// `GP`
    Gps,
    /// `GL`
    Glonass,
    /// `GA`
    Galileo,
    /// `BD` and `GB`
    Beidou,
    /// `GQ`
    Qzss,
    /// `GI` (IRNSS)
    Navic,
    /// `GN`: a solution from more than one constellation.
    Multi,
}

impl Constellation {
    pub fn from_talker(talker: &[u8]) -> Option<Self> {
        Some(match talker {
            b"GP" => Constellation::Gps,
            b"GL" => Constellation::Glonass,
            b"GA" => Constellation::Galileo,
            b"BD" | b"GB" => Constellation::Beidou,
            b"GQ" => Constellation::Qzss,
            b"GI" => Constellation::Navic,
            b"GN" => Constellation::Multi,
            _ => return None,
        })
    }
}

/// A position fix from RMC, GGA or GNS. Fields a sentence does not carry are `None`
/// (RMC has no quality or satellite count, GGA and GNS have no date, speed or course).
#[derive(Debug, Clone, PartialEq)]
pub struct GnssFix {
    pub constellation: Constellation,
    /// UTC time of the fix: hours, minutes, seconds (with fraction).
    pub time_utc: Option<(u8, u8, f64)>,
    /// UTC date (year, month, day); RMC only. Two-digit years 80–99 are 19xx, others 20xx.
    pub date: Option<(u16, u8, u8)>,
    /// Degrees, north positive.
    pub lat: Option<f64>,
    /// Degrees, east positive.
    pub lon: Option<f64>,
    pub speed_kn: Option<f64>,
    pub course_deg: Option<f64>,
    /// RMC status `A`, GGA quality > 0, GNS any mode indicator showing a fix.
    pub valid: bool,
    /// GGA fix quality (0 invalid, 1 GPS, 2 DGPS, 4 RTK fixed, …).
    pub quality: Option<u8>,
    /// Satellites used (GGA, GNS).
    pub satellites: Option<u8>,
    /// Whole UNIX seconds of the fix when both date and time are known.
    pub unix_time: Option<i64>,
}

impl GnssFix {
    fn new(constellation: Constellation) -> Self {
        GnssFix {
            constellation,
            time_utc: None,
            date: None,
            lat: None,
            lon: None,
            speed_kn: None,
            course_deg: None,
            valid: false,
            quality: None,
            satellites: None,
            unix_time: None,
        }
    }
}

/// One satellite of a GSV sentence: PRN (as given by the receiver, not remapped), elevation
/// (degrees), azimuth (degrees), signal-to-noise ratio (dB-Hz).
pub type SatelliteInView = (u16, Option<u8>, Option<u16>, Option<u8>);

/// A decoded GNSS sentence.
#[derive(Debug, Clone, PartialEq)]
pub enum GnssSentence {
    Rmc(GnssFix),
    Gga(GnssFix),
    Gns(GnssFix),
    /// Satellites used in the solution; `system_id` is the NMEA 4.10 GNSS system ID when sent.
    Gsa {
        constellation: Constellation,
        prns: Vec<u16>,
        system_id: Option<u8>,
    },
    /// One sentence of a satellites-in-view group.
    Gsv {
        constellation: Constellation,
        total_in_view: u8,
        sats: Vec<SatelliteInView>,
    },
}

impl GnssSentence {
    pub fn constellation(&self) -> Constellation {
        match self {
            GnssSentence::Rmc(f) | GnssSentence::Gga(f) | GnssSentence::Gns(f) => f.constellation,
            GnssSentence::Gsa { constellation, .. } | GnssSentence::Gsv { constellation, .. } => {
                *constellation
            }
        }
    }

    /// The position fix, for RMC, GGA and GNS.
    pub fn fix(&self) -> Option<&GnssFix> {
        match self {
            GnssSentence::Rmc(f) | GnssSentence::Gga(f) | GnssSentence::Gns(f) => Some(f),
            _ => None,
        }
    }

    /// Parses the text between `$` and `*` of a sentence whose checksum was verified.
    pub fn parse(body: &[u8]) -> Result<Self, Rejection> {
        let text = std::str::from_utf8(body).map_err(|_| Rejection::Malformed)?;
        let fields: Fields<'_> = Fields(text.split(',').collect());
        let address = fields.0[0].as_bytes();
        if address.first() == Some(&b'P') || address.len() != 5 {
            // Proprietary ($P…) sentences and odd addresses are not ours to read.
            return Err(Rejection::UnsupportedSentence);
        }
        let constellation =
            Constellation::from_talker(&address[..2]).ok_or(Rejection::UnsupportedSentence)?;
        match &address[2..] {
            b"RMC" => parse_rmc(&fields, constellation).map(GnssSentence::Rmc),
            b"GGA" => parse_gga(&fields, constellation).map(GnssSentence::Gga),
            b"GNS" => parse_gns(&fields, constellation).map(GnssSentence::Gns),
            b"GSA" => parse_gsa(&fields, constellation),
            b"GSV" => parse_gsv(&fields, constellation),
            _ => Err(Rejection::UnsupportedSentence),
        }
    }
}

/// The comma-separated fields of a sentence; field 0 is the address (`GPRMC`).
struct Fields<'a>(Vec<&'a str>);

impl<'a> Fields<'a> {
    /// Field `i`, empty when the sentence is shorter.
    fn get(&self, i: usize) -> &'a str {
        self.0.get(i).copied().unwrap_or("")
    }

    fn require(&self, count: usize) -> Result<(), Rejection> {
        if self.0.len() < count {
            Err(Rejection::Malformed)
        } else {
            Ok(())
        }
    }

    fn number<T: std::str::FromStr>(&self, i: usize) -> Result<Option<T>, Rejection> {
        match self.get(i) {
            "" => Ok(None),
            s => s.parse().map(Some).map_err(|_| Rejection::Malformed),
        }
    }

    fn float(&self, i: usize) -> Result<Option<f64>, Rejection> {
        match self.number::<f64>(i)? {
            Some(v) if !v.is_finite() => Err(Rejection::Malformed),
            v => Ok(v),
        }
    }

    /// `ddmm.mmmm` / `dddmm.mmmm` at `i` with its hemisphere letter at `i + 1`.
    fn coordinate(
        &self,
        i: usize,
        positive: char,
        negative: char,
    ) -> Result<Option<f64>, Rejection> {
        let value = self.get(i);
        if value.is_empty() {
            return Ok(None);
        }
        let sign = match self.get(i + 1) {
            h if h.len() == 1 && h.starts_with(positive) => 1.0,
            h if h.len() == 1 && h.starts_with(negative) => -1.0,
            _ => return Err(Rejection::Malformed),
        };
        let limit = if positive == 'N' { 90.0 } else { 180.0 };
        let point = value.find('.').unwrap_or(value.len());
        if point < 3 || !value[..point].bytes().all(|b| b.is_ascii_digit()) {
            return Err(Rejection::Malformed);
        }
        let degrees: f64 = value[..point - 2]
            .parse()
            .map_err(|_| Rejection::Malformed)?;
        let minutes: f64 = value[point - 2..]
            .parse()
            .map_err(|_| Rejection::Malformed)?;
        let deg = degrees + minutes / 60.0;
        if minutes >= 60.0 || deg > limit {
            return Err(Rejection::Malformed);
        }
        Ok(Some(sign * deg))
    }

    /// `hhmmss.ss` at `i`.
    fn time(&self, i: usize) -> Result<Option<(u8, u8, f64)>, Rejection> {
        let value = self.get(i);
        if value.is_empty() {
            return Ok(None);
        }
        let digits = value.as_bytes();
        if digits.len() < 6 || !digits[..4].iter().all(u8::is_ascii_digit) {
            return Err(Rejection::Malformed);
        }
        let hours = (digits[0] - b'0') * 10 + (digits[1] - b'0');
        let minutes = (digits[2] - b'0') * 10 + (digits[3] - b'0');
        let seconds: f64 = value[4..].parse().map_err(|_| Rejection::Malformed)?;
        // 60 allows a leap second.
        if hours > 23 || minutes > 59 || !(0.0..61.0).contains(&seconds) {
            return Err(Rejection::Malformed);
        }
        Ok(Some((hours, minutes, seconds)))
    }

    /// `ddmmyy` at `i`.
    fn date(&self, i: usize) -> Result<Option<(u16, u8, u8)>, Rejection> {
        let value = self.get(i).as_bytes();
        if value.is_empty() {
            return Ok(None);
        }
        if value.len() != 6 || !value.iter().all(u8::is_ascii_digit) {
            return Err(Rejection::Malformed);
        }
        let pair = |k: usize| (value[k] - b'0') * 10 + (value[k + 1] - b'0');
        let (day, month, yy) = (pair(0), pair(2), pair(4));
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return Err(Rejection::Malformed);
        }
        let year = if yy >= 80 { 1900 } else { 2000 } + u16::from(yy);
        Ok(Some((year, month, day)))
    }
}

fn parse_rmc(f: &Fields<'_>, constellation: Constellation) -> Result<GnssFix, Rejection> {
    f.require(10)?;
    let mut fix = GnssFix::new(constellation);
    fix.time_utc = f.time(1)?;
    fix.valid = f.get(2) == "A";
    fix.lat = f.coordinate(3, 'N', 'S')?;
    fix.lon = f.coordinate(5, 'E', 'W')?;
    fix.speed_kn = f.float(7)?;
    fix.course_deg = f.float(8)?;
    fix.date = f.date(9)?;
    if let (Some(date), Some(time)) = (fix.date, fix.time_utc) {
        fix.unix_time = Some(unix_time(date, time));
    }
    Ok(fix)
}

fn parse_gga(f: &Fields<'_>, constellation: Constellation) -> Result<GnssFix, Rejection> {
    f.require(8)?;
    let mut fix = GnssFix::new(constellation);
    fix.time_utc = f.time(1)?;
    fix.lat = f.coordinate(2, 'N', 'S')?;
    fix.lon = f.coordinate(4, 'E', 'W')?;
    fix.quality = f.number(6)?;
    fix.valid = fix.quality.is_some_and(|q| q > 0);
    fix.satellites = f.number(7)?;
    Ok(fix)
}

fn parse_gns(f: &Fields<'_>, constellation: Constellation) -> Result<GnssFix, Rejection> {
    f.require(8)?;
    let mut fix = GnssFix::new(constellation);
    fix.time_utc = f.time(1)?;
    fix.lat = f.coordinate(2, 'N', 'S')?;
    fix.lon = f.coordinate(4, 'E', 'W')?;
    // One mode letter per constellation: Autonomous, Differential, Precise, RTK, Float RTK
    // are fixes; N (none), E (estimated), M (manual), S (simulator) are not.
    fix.valid = f.get(6).chars().any(|m| "ADPRF".contains(m));
    fix.satellites = f.number(7)?;
    Ok(fix)
}

fn parse_gsa(f: &Fields<'_>, constellation: Constellation) -> Result<GnssSentence, Rejection> {
    f.require(3)?;
    let mut prns = Vec::new();
    for i in 3..15 {
        if let Some(prn) = f.number::<u16>(i)? {
            prns.push(prn);
        }
    }
    // Some receivers put other numbers (TDOP) after VDOP; only a whole number is a system ID.
    let system_id = f.get(18).parse::<u8>().ok();
    Ok(GnssSentence::Gsa {
        constellation,
        prns,
        system_id,
    })
}

fn parse_gsv(f: &Fields<'_>, constellation: Constellation) -> Result<GnssSentence, Rejection> {
    f.require(4)?;
    let total_in_view = f.number::<u8>(3)?.unwrap_or(0);
    // Four fields per satellite; NMEA 4.10 adds one signal ID field at the end.
    let groups = (f.0.len() - 4) / 4;
    let mut sats = Vec::with_capacity(groups);
    for g in 0..groups {
        let i = 4 + 4 * g;
        if let Some(prn) = f.number::<u16>(i)? {
            sats.push((prn, f.number(i + 1)?, f.number(i + 2)?, f.number(i + 3)?));
        }
    }
    Ok(GnssSentence::Gsv {
        constellation,
        total_in_view,
        sats,
    })
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn unix_time((year, month, day): (u16, u8, u8), (hours, minutes, seconds): (u8, u8, f64)) -> i64 {
    days_from_civil(i64::from(year), i64::from(month), i64::from(day)) * 86_400
        + i64::from(hours) * 3600
        + i64::from(minutes) * 60
        + seconds.floor() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_beidou_rmc() {
        let s = GnssSentence::parse(
            b"GNRMC,053232.438,A,3114.8789,N,12135.2442,E,0.26,167.42,020315,,,A",
        )
        .unwrap();
        let fix = s.fix().unwrap();
        assert!(fix.valid);
        assert_eq!(fix.date, Some((2015, 3, 2)));
        assert!((fix.lat.unwrap() - (31.0 + 14.8789 / 60.0)).abs() < 1e-12);
        assert!((fix.lon.unwrap() - (121.0 + 35.2442 / 60.0)).abs() < 1e-12);
        // 2015-03-02T05:32:32Z
        assert_eq!(fix.unix_time, Some(1_425_274_352));
    }

    #[test]
    fn proprietary_sentences_are_unsupported() {
        assert_eq!(
            GnssSentence::parse(b"PSRFEPE,074150.799,V,,,,,"),
            Err(Rejection::UnsupportedSentence)
        );
    }

    #[test]
    fn garbled_numbers_are_malformed() {
        assert_eq!(
            GnssSentence::parse(b"GPGGA,074156.799,31x4.8950,N,12135.2442,E,1,07"),
            Err(Rejection::Malformed)
        );
    }
}
