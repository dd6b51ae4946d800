//! Tide windows: the high waters whose window [HW − before, HW + after] overlaps a night,
//! for patrols of spots that boats can reach only near high water and in the dark.
//!
//! Nights are civil dusk → civil dawn, sunset → sunrise, or a fixed clock range in
//! Asia/Shanghai ("22:00-05:00", which may cross midnight). A window is reported whole,
//! across midnight if it is so placed, with the night it touched.

use crate::station::{Extreme, ExtremeKind, Station};
use crate::sun::{rise_and_set, Crossing, CIVIL_ALTITUDE_DEG, SUNRISE_ALTITUDE_DEG};
use crate::time::{Date, Zone, DAY};
use crate::{validate, TideError};

/// What counts as night.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NightRule {
    /// Civil dusk to civil dawn (Sun below −6°).
    Civil,
    /// Sunset to sunrise (Sun below −0.833°).
    Sunset,
    /// A fixed local clock range in Asia/Shanghai, minutes after midnight; the end is on
    /// the next day when it is not after the start.
    Clock { start_minute: u32, end_minute: u32 },
}

impl NightRule {
    /// `civil`, `sunset`, or `HH:MM-HH:MM` (Asia/Shanghai, e.g. `22:00-05:00`).
    pub fn parse(input: &str) -> Result<NightRule, TideError> {
        let invalid = |reason: &str| TideError::InvalidNight {
            input: input.to_owned(),
            reason: reason.to_owned(),
        };
        match input.trim().to_ascii_lowercase().as_str() {
            "civil" => return Ok(NightRule::Civil),
            "sunset" => return Ok(NightRule::Sunset),
            _ => {}
        }
        let (start, end) = input
            .trim()
            .split_once('-')
            .ok_or_else(|| invalid("expected civil, sunset or HH:MM-HH:MM"))?;
        let minute = |clock: &str| -> Result<u32, TideError> {
            let (h, m) = clock
                .trim()
                .split_once(':')
                .ok_or_else(|| invalid("times must be HH:MM"))?;
            let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
            if !two_digits(h) || !two_digits(m) {
                return Err(invalid("times must be HH:MM"));
            }
            let (h, m): (u32, u32) = (h.parse().unwrap_or(99), m.parse().unwrap_or(99));
            if h > 23 || m > 59 {
                return Err(invalid("hours run 00–23 and minutes 00–59"));
            }
            Ok(h * 60 + m)
        };
        let (start_minute, end_minute) = (minute(start)?, minute(end)?);
        if start_minute == end_minute {
            return Err(invalid("the night must not start and end at the same time"));
        }
        Ok(NightRule::Clock {
            start_minute,
            end_minute,
        })
    }
}

/// A time interval, Unix seconds (UTC), `start < end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    pub start: i64,
    pub end: i64,
}

/// One tide window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TideWindow {
    /// HW − before and HW + after (Unix seconds, UTC).
    pub start: i64,
    pub end: i64,
    /// The high water, height above the station's datum.
    pub high_water: Extreme,
    /// The night the window overlaps (the one it overlaps most, if several).
    pub night: Interval,
}

/// Every high water in `[from, to]` (at least `min_height_m` above the station's datum,
/// if given) whose window `[HW − before, HW + after]` (seconds) overlaps a night.
pub fn windows(
    station: &Station,
    from: i64,
    to: i64,
    before: i64,
    after: i64,
    night: &NightRule,
    min_height_m: Option<f64>,
) -> Result<Vec<TideWindow>, TideError> {
    validate::range(from, to)?;
    validate::window_sides(before, after)?;
    if let Some(min) = min_height_m {
        validate::finite(min, "min_height")?;
    }
    let high_waters: Vec<Extreme> = station
        .extremes(from, to)?
        .extremes
        .into_iter()
        .filter(|e| e.kind == ExtremeKind::High)
        .filter(|e| min_height_m.is_none_or(|min| e.height_m >= min))
        .collect();
    let (lon, lat) = station.position();
    let nights = nights(night, lon, lat, from - before - DAY, to + after + DAY);
    Ok(high_waters
        .into_iter()
        .filter_map(|hw| {
            let window = Interval {
                start: hw.time - before,
                end: hw.time + after,
            };
            let touched = nights
                .iter()
                .filter(|n| n.start <= window.end && window.start <= n.end)
                .max_by_key(|n| n.end.min(window.end) - n.start.max(window.start))?;
            Some(TideWindow {
                start: window.start,
                end: window.end,
                high_water: hw,
                night: *touched,
            })
        })
        .collect())
}

/// The nights overlapping `[from, to]`, in time order. Nights are computed from the local
/// day before `from` to the day after `to`; only a polar night longer than that span comes
/// out cut at its ends.
pub fn nights(rule: &NightRule, lon: f64, lat: f64, from: i64, to: i64) -> Vec<Interval> {
    let first = Zone::Shanghai.date_of(from).days_since_epoch() - 1;
    let last = Zone::Shanghai.date_of(to).days_since_epoch() + 1;
    let days = (first..=last).map(Date::from_days_since_epoch);
    let all = match *rule {
        NightRule::Clock {
            start_minute,
            end_minute,
        } => days
            .map(|d| {
                let start = Zone::Shanghai.instant(d, 0, 0, 0) + i64::from(start_minute) * 60;
                let end_day = if end_minute > start_minute {
                    d
                } else {
                    d.succ()
                };
                let end = Zone::Shanghai.instant(end_day, 0, 0, 0) + i64::from(end_minute) * 60;
                Interval { start, end }
            })
            .collect(),
        NightRule::Civil => sun_nights(days, lon, lat, CIVIL_ALTITUDE_DEG),
        NightRule::Sunset => sun_nights(days, lon, lat, SUNRISE_ALTITUDE_DEG),
    };
    all.into_iter()
        .filter(|n| n.start <= to && from <= n.end)
        .collect()
}

/// Nights as the gaps between the daylight of consecutive local days: a day's daylight
/// runs from rise to set, is the whole day under the midnight sun and empty in polar night.
fn sun_nights(
    days: impl Iterator<Item = Date>,
    lon: f64,
    lat: f64,
    altitude: f64,
) -> Vec<Interval> {
    let mut span: Option<Interval> = None;
    let mut daylight: Vec<Interval> = Vec::new();
    for date in days {
        let day_start = Zone::Shanghai.instant(date, 0, 0, 0);
        let day_end = day_start + DAY;
        span = Some(Interval {
            start: span.map_or(day_start, |s| s.start),
            end: day_end,
        });
        let (rise, set) = rise_and_set(lon, lat, date, altitude);
        let light = match (rise, set) {
            (Crossing::At(r), Crossing::At(s)) => Some((r, s)),
            (Crossing::AlwaysBelow, _) | (_, Crossing::AlwaysBelow) => None,
            (Crossing::At(r), _) => Some((r, day_end)),
            (_, Crossing::At(s)) => Some((day_start, s)),
            _ => Some((day_start, day_end)),
        };
        if let Some((start, end)) = light.filter(|(start, end)| start < end) {
            match daylight.last_mut() {
                Some(last) if start <= last.end => last.end = last.end.max(end),
                _ => daylight.push(Interval { start, end }),
            }
        }
    }
    let Some(span) = span else {
        return Vec::new();
    };
    let mut nights = Vec::new();
    let mut dark_from = span.start;
    for light in &daylight {
        if light.start > dark_from {
            nights.push(Interval {
                start: dark_from,
                end: light.start,
            });
        }
        dark_from = dark_from.max(light.end);
    }
    if dark_from < span.end {
        nights.push(Interval {
            start: dark_from,
            end: span.end,
        });
    }
    nights
}
