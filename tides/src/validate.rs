//! Limits on what one request may ask for, and the checks the HTTP layer (and every
//! prediction function here) applies to its arguments.

use crate::time::DAY;
use crate::TideError;

/// Longest time range of one request: a leap year.
pub const MAX_RANGE_DAYS: i64 = 366;
/// Most heights one request may produce: a leap year at one-minute steps, both ends
/// included (527,041).
pub const MAX_POINTS: i64 = MAX_RANGE_DAYS * 24 * 60 + 1;
/// Longest lead or lag of a tide window around high water: a day.
pub const MAX_WINDOW_SIDE_S: i64 = DAY;

/// `from < to` and at most [`MAX_RANGE_DAYS`] apart.
pub fn range(from: i64, to: i64) -> Result<(), TideError> {
    if from >= to {
        return Err(TideError::EmptyRange { from, to });
    }
    let length = i128::from(to) - i128::from(from);
    if length > i128::from(MAX_RANGE_DAYS * DAY) {
        return Err(TideError::RangeTooLong {
            days: length as f64 / DAY as f64,
            max_days: MAX_RANGE_DAYS,
        });
    }
    Ok(())
}

/// A valid range and a positive step giving at most [`MAX_POINTS`] points; returns the
/// number of points (`from`, `from + step`, ... up to and including `to`).
pub fn series(from: i64, to: i64, step: i64) -> Result<usize, TideError> {
    range(from, to)?;
    if step <= 0 {
        return Err(TideError::InvalidStep { step });
    }
    let points = (to - from) / step + 1;
    if points > MAX_POINTS {
        return Err(TideError::TooManyPoints {
            points,
            max: MAX_POINTS,
        });
    }
    Ok(points as usize)
}

/// A finite number (heights, offsets: NaN and infinities are refused).
pub fn finite(value: f64, what: &'static str) -> Result<f64, TideError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(TideError::NotANumber { what })
    }
}

/// Longitude in [−180, 180] and latitude in [−90, 90].
pub fn position(lon: f64, lat: f64) -> Result<(), TideError> {
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        return Err(TideError::InvalidPosition(format!(
            "longitude {lon} and latitude {lat} must be numbers within ±180° and ±90°"
        )));
    }
    Ok(())
}

/// Window lead and lag: 0 to [`MAX_WINDOW_SIDE_S`] seconds.
pub fn window_sides(before: i64, after: i64) -> Result<(), TideError> {
    for (side, what) in [(before, "before"), (after, "after")] {
        if !(0..=MAX_WINDOW_SIDE_S).contains(&side) {
            return Err(TideError::InvalidWindow(format!(
                "{what} must be 0 to {MAX_WINDOW_SIDE_S} seconds, not {side}"
            )));
        }
    }
    Ok(())
}
