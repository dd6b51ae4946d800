//! Instants and calendar dates: every instant is Unix seconds in UTC (`i64`); the only
//! zones are UTC and Asia/Shanghai (UTC+8 all year, no daylight saving), which is all a
//! Xiangshan deployment shows. Calendar arithmetic is Howard Hinnant's days-from-civil.

use crate::TideError;

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// A time zone instants are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Zone {
    Utc,
    /// Asia/Shanghai: UTC+8, no daylight saving since 1991.
    Shanghai,
}

impl Zone {
    /// Offset from UTC in seconds.
    pub fn offset_seconds(self) -> i64 {
        match self {
            Zone::Utc => 0,
            Zone::Shanghai => 8 * 3600,
        }
    }

    /// The instant of a wall-clock time in this zone.
    pub fn instant(self, date: Date, hour: u32, minute: u32, second: u32) -> i64 {
        date.days_since_epoch() * DAY
            + i64::from(hour) * 3600
            + i64::from(minute) * 60
            + i64::from(second)
            - self.offset_seconds()
    }

    /// The calendar date of an instant in this zone.
    pub fn date_of(self, instant: i64) -> Date {
        Date::from_days_since_epoch((instant + self.offset_seconds()).div_euclid(DAY))
    }
}

/// A calendar date (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// A checked date.
    pub fn new(year: i32, month: u32, day: u32) -> Result<Date, TideError> {
        let date = Date { year, month, day };
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(TideError::InvalidDate(format!(
                "{year:04}-{month:02}-{day:02} is not a calendar date"
            )));
        }
        Ok(date)
    }

    /// Days from 1970-01-01 to this date.
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// The next day.
    pub fn succ(self) -> Date {
        Date::from_days_since_epoch(self.days_since_epoch() + 1)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// An instant as RFC 3339 in a zone, to the second: `2026-11-28T01:10:00+08:00`, or
/// `2026-11-27T17:10:00Z` in UTC.
pub fn format_rfc3339(instant: i64, zone: Zone) -> String {
    let local = instant + zone.offset_seconds();
    let date = Date::from_days_since_epoch(local.div_euclid(DAY));
    let secs = local.rem_euclid(DAY);
    let suffix = match zone {
        Zone::Utc => "Z",
        Zone::Shanghai => "+08:00",
    };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{suffix}",
        date.year,
        date.month,
        date.day,
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Julian centuries since J2000.0 (2000-01-01 12:00) of an instant given in (fractional)
/// Unix seconds. UTC stands in for TT: the ~70 s between them moves the Moon by 0.01°.
pub(crate) fn julian_centuries(unix_seconds: f64) -> f64 {
    (unix_seconds / DAY as f64 - 10_957.5) / 36_525.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_and_format() {
        let date = Date::new(2026, 11, 28).unwrap();
        let t = Zone::Shanghai.instant(date, 1, 10, 0);
        assert_eq!(
            format_rfc3339(t, Zone::Shanghai),
            "2026-11-28T01:10:00+08:00"
        );
        assert_eq!(format_rfc3339(t, Zone::Utc), "2026-11-27T17:10:00Z");
        assert_eq!(Zone::Utc.date_of(t), Date::new(2026, 11, 27).unwrap());
        assert_eq!(format_rfc3339(0, Zone::Utc), "1970-01-01T00:00:00Z");
        assert_eq!(format_rfc3339(-1, Zone::Utc), "1969-12-31T23:59:59Z");
        // KANMEN_HIGH_WATERS[0] in demo/src/traffic/mod.rs.
        assert_eq!(
            format_rfc3339(1_795_789_978, Zone::Utc),
            "2026-11-27T14:32:58Z"
        );
        for days in [-800_000, -1, 0, 59, 10_000, 20_819, 2_000_000] {
            assert_eq!(Date::from_days_since_epoch(days).days_since_epoch(), days);
        }
        assert_eq!(
            Date::new(2024, 2, 28).unwrap().succ(),
            Date::new(2024, 2, 29).unwrap()
        );
    }

    #[test]
    fn rejects_impossible_dates() {
        assert!(Date::new(2026, 2, 29).is_err());
        assert!(Date::new(2026, 13, 1).is_err());
        assert!(Date::new(2026, 4, 31).is_err());
        assert!(Date::new(2026, 1, 0).is_err());
    }
}
