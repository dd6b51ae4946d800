//! Tide-table stations: only predicted (or observed) high and low waters are known.
//! Between two consecutive ones the height follows the cosine rule
//! h = h1 + (h2 − h1)·(1 − cos(π·(t − t1)/(t2 − t1)))/2, the usual way tide tables are
//! read between their entries; outside the table nothing is known.

use crate::station::Extreme;
use crate::TideError;

/// A tide table: high and low waters of one station.
#[derive(Debug, Clone, PartialEq)]
pub struct TideTableInput {
    /// Longitude and latitude (degrees, WGS 84), for sunrise and sunset.
    pub lon: f64,
    pub lat: f64,
    /// The datum the heights refer to.
    pub datum: String,
    /// High and low waters (any order; sorted on construction).
    pub events: Vec<Extreme>,
}

/// A station predicted from its tide table.
#[derive(Debug, Clone)]
pub struct TableStation {
    pub(crate) lon: f64,
    pub(crate) lat: f64,
    pub(crate) datum: String,
    events: Vec<Extreme>,
}

impl TableStation {
    /// Checks the table: at least two events, finite heights, no two at the same time.
    /// Two high (or low) waters in a row are accepted, as some tables list double tides.
    pub fn new(input: TideTableInput) -> Result<TableStation, TideError> {
        crate::validate::position(input.lon, input.lat)?;
        if input.datum.trim().is_empty() {
            return Err(TideError::InvalidTable("the datum has no name".into()));
        }
        let mut events = input.events;
        if events.len() < 2 {
            return Err(TideError::InvalidTable(
                "at least two high or low waters are needed".into(),
            ));
        }
        if let Some(e) = events.iter().find(|e| !e.height_m.is_finite()) {
            return Err(TideError::InvalidTable(format!(
                "the height at {} is not a number",
                e.time
            )));
        }
        events.sort_by_key(|e| e.time);
        for pair in events.windows(2) {
            if pair[0].time == pair[1].time {
                return Err(TideError::InvalidTable(format!(
                    "two entries at the same time {}",
                    pair[0].time
                )));
            }
        }
        Ok(TableStation {
            lon: input.lon,
            lat: input.lat,
            datum: input.datum,
            events,
        })
    }

    /// First and last instants the table covers.
    pub fn span(&self) -> (i64, i64) {
        (self.events[0].time, self.events[self.events.len() - 1].time)
    }

    /// Fails unless `[from, to]` lies within the table.
    pub(crate) fn check_covers(&self, from: i64, to: i64) -> Result<(), TideError> {
        let (first, last) = self.span();
        for time in [from, to] {
            if time < first || time > last {
                return Err(TideError::OutsideTable { time, first, last });
            }
        }
        Ok(())
    }

    /// Height by the cosine rule between the entries around `instant`.
    pub fn height(&self, instant: i64) -> Result<f64, TideError> {
        self.check_covers(instant, instant)?;
        // The first entry after `instant` (or the last one, at the very end).
        let next = self
            .events
            .partition_point(|e| e.time <= instant)
            .clamp(1, self.events.len() - 1);
        let (a, b) = (&self.events[next - 1], &self.events[next]);
        let fraction = (instant - a.time) as f64 / (b.time - a.time) as f64;
        let shape = 0.5 * (1.0 - (std::f64::consts::PI * fraction).cos());
        Ok(a.height_m + (b.height_m - a.height_m) * shape)
    }

    /// The table's entries with `from <= time <= to`.
    pub fn extremes(&self, from: i64, to: i64) -> Vec<Extreme> {
        let start = self.events.partition_point(|e| e.time < from);
        let end = self.events.partition_point(|e| e.time <= to);
        self.events[start..end].to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::station::ExtremeKind;

    fn event(time: i64, height_m: f64, kind: ExtremeKind) -> Extreme {
        Extreme {
            time,
            height_m,
            kind,
        }
    }

    fn table(events: Vec<Extreme>) -> Result<TableStation, TideError> {
        TableStation::new(TideTableInput {
            lon: 121.95,
            lat: 29.2,
            datum: "LAT".into(),
            events,
        })
    }

    #[test]
    fn cosine_rule_between_entries() {
        let t = table(vec![
            event(0, 1.0, ExtremeKind::Low),
            event(6 * 3600, 5.0, ExtremeKind::High),
            event(12 * 3600, 2.0, ExtremeKind::Low),
        ])
        .unwrap();
        assert_eq!(t.height(0).unwrap(), 1.0);
        assert!((t.height(3 * 3600).unwrap() - 3.0).abs() < 1e-12);
        assert!((t.height(6 * 3600).unwrap() - 5.0).abs() < 1e-12);
        assert!((t.height(9 * 3600).unwrap() - 3.5).abs() < 1e-12);
        assert_eq!(t.height(12 * 3600).unwrap(), 2.0);
        assert_eq!(
            t.height(12 * 3600 + 1),
            Err(TideError::OutsideTable {
                time: 12 * 3600 + 1,
                first: 0,
                last: 12 * 3600
            })
        );
        assert!(t.height(-1).is_err());
        assert_eq!(t.extremes(1, 6 * 3600).len(), 1);
    }

    #[test]
    fn rejects_bad_tables() {
        assert!(table(vec![event(0, 1.0, ExtremeKind::Low)]).is_err());
        let same_time = vec![
            event(0, 1.0, ExtremeKind::Low),
            event(0, 2.0, ExtremeKind::High),
        ];
        assert!(table(same_time).is_err());
        let nan = vec![
            event(0, f64::NAN, ExtremeKind::Low),
            event(9, 2.0, ExtremeKind::High),
        ];
        assert!(matches!(table(nan), Err(TideError::InvalidTable(_))));
    }
}
