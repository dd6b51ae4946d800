//! A vessel's movement as timed legs: stationary (moored, anchored) or moving along a
//! polyline at a constant speed. Reports are sampled from it.

use crate::geodesy::{bearing_deg, distance_m};
use geo::Coord;

/// Metres per second in one knot.
pub const KNOT_MPS: f64 = 1852.0 / 3600.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    Moored,
    Anchored,
    UnderWay,
    Fishing,
}

impl Activity {
    pub fn stationary(self) -> bool {
        matches!(self, Activity::Moored | Activity::Anchored)
    }
}

#[derive(Debug, Clone)]
struct Leg {
    t0: i64,
    t1: i64,
    activity: Activity,
    speed_kn: f64,
    path: Vec<Coord>,
    /// Distance from the start of `path` to each of its points, metres.
    cum: Vec<f64>,
    /// Heading while stationary.
    rest_heading: f64,
}

/// Where a vessel is at one instant.
#[derive(Debug, Clone, Copy)]
pub struct Fix {
    pub position: Coord,
    pub speed_kn: f64,
    pub course_deg: f64,
    pub activity: Activity,
}

/// Legs in time order, not overlapping; between legs the vessel is out of range.
#[derive(Debug, Clone, Default)]
pub struct Track {
    legs: Vec<Leg>,
}

impl Track {
    pub fn at(&self, t: i64) -> Option<Fix> {
        let i = self
            .legs
            .partition_point(|leg| leg.t0 <= t)
            .checked_sub(1)?;
        let leg = &self.legs[i];
        if t >= leg.t1 {
            return None;
        }
        if leg.activity.stationary() || leg.path.len() < 2 {
            return Some(Fix {
                position: leg.path[0],
                speed_kn: 0.0,
                course_deg: leg.rest_heading,
                activity: leg.activity,
            });
        }
        let total = *leg.cum.last().expect("paths are never empty");
        let along = (leg.speed_kn * KNOT_MPS * (t - leg.t0) as f64 / 1000.0).min(total);
        let k = leg
            .cum
            .partition_point(|&c| c <= along)
            .clamp(1, leg.path.len() - 1)
            - 1;
        let (a, b) = (leg.path[k], leg.path[k + 1]);
        let piece = leg.cum[k + 1] - leg.cum[k];
        let f = if piece > 0.0 {
            ((along - leg.cum[k]) / piece).clamp(0.0, 1.0)
        } else {
            0.0
        };
        Some(Fix {
            position: a + (b - a) * f,
            speed_kn: leg.speed_kn,
            course_deg: bearing_deg(a, b),
            activity: leg.activity,
        })
    }
}

pub fn path_length_m(path: &[Coord]) -> f64 {
    path.windows(2).map(|w| distance_m(w[0], w[1])).sum()
}

pub fn duration_ms(path: &[Coord], speed_kn: f64) -> i64 {
    (path_length_m(path) / (speed_kn * KNOT_MPS) * 1000.0).round() as i64
}

/// Splits `path` where `metres` of it remain: (head, tail), sharing the split point. The
/// head is just the first point when the path is shorter.
pub fn split_from_end(path: &[Coord], metres: f64) -> (Vec<Coord>, Vec<Coord>) {
    let total = path_length_m(path);
    split_at(path, (total - metres).max(0.0))
}

/// Splits `path` after its first `metres`: (head, tail), sharing the split point.
pub fn split_at(path: &[Coord], metres: f64) -> (Vec<Coord>, Vec<Coord>) {
    let mut walked = 0.0;
    for (k, w) in path.windows(2).enumerate() {
        let piece = distance_m(w[0], w[1]);
        if walked + piece >= metres && piece > 0.0 {
            let f = ((metres - walked) / piece).clamp(0.0, 1.0);
            let at = w[0] + (w[1] - w[0]) * f;
            let mut head = path[..=k].to_vec();
            head.push(at);
            let mut tail = vec![at];
            tail.extend_from_slice(&path[k + 1..]);
            head.dedup();
            tail.dedup();
            return (head, tail);
        }
        walked += piece;
    }
    (
        path.to_vec(),
        vec![*path.last().expect("paths are never empty")],
    )
}

/// Builds a track leg by leg from a start time and place.
pub struct TrackBuilder {
    legs: Vec<Leg>,
    t: i64,
    pos: Coord,
    heading: f64,
}

impl TrackBuilder {
    pub fn new(t: i64, pos: Coord, heading: f64) -> Self {
        TrackBuilder {
            legs: Vec::new(),
            t,
            pos,
            heading,
        }
    }

    pub fn now(&self) -> i64 {
        self.t
    }

    pub fn position(&self) -> Coord {
        self.pos
    }

    /// Stays put until `t1` (nothing when `t1` is not later than now).
    pub fn wait_until(&mut self, t1: i64, activity: Activity) {
        if t1 > self.t {
            self.legs.push(Leg {
                t0: self.t,
                t1,
                activity,
                speed_kn: 0.0,
                path: vec![self.pos],
                cum: vec![0.0],
                rest_heading: self.heading,
            });
            self.t = t1;
        }
    }

    /// Moves along `path` (which starts where the vessel is) at `speed_kn`; returns the
    /// arrival time.
    pub fn sail(&mut self, path: &[Coord], speed_kn: f64, activity: Activity) -> i64 {
        debug_assert!(
            distance_m(path[0], self.pos) < 1.0,
            "a leg must start where the vessel is"
        );
        let mut cum = Vec::with_capacity(path.len());
        let mut total = 0.0;
        cum.push(0.0);
        for w in path.windows(2) {
            total += distance_m(w[0], w[1]);
            cum.push(total);
        }
        let ms = (total / (speed_kn * KNOT_MPS) * 1000.0).round() as i64;
        if ms > 0 {
            if let Some(w) = path.windows(2).rev().find(|w| w[0] != w[1]) {
                self.heading = bearing_deg(w[0], w[1]);
            }
            self.legs.push(Leg {
                t0: self.t,
                t1: self.t + ms,
                activity,
                speed_kn,
                path: path.to_vec(),
                cum,
                rest_heading: self.heading,
            });
        }
        self.t += ms;
        self.pos = *path.last().expect("paths are never empty");
        self.t
    }

    /// Leaves range now and reappears at `pos` at `t`.
    pub fn reappear(&mut self, t: i64, pos: Coord) {
        debug_assert!(t >= self.t);
        self.t = t;
        self.pos = pos;
    }

    pub fn finish(self) -> Track {
        Track { legs: self.legs }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_at_speed_and_waits() {
        let a = Coord { x: 122.0, y: 29.0 };
        let b = Coord { x: 122.01, y: 29.0 };
        let mut builder = TrackBuilder::new(0, a, 0.0);
        builder.wait_until(60_000, Activity::Moored);
        let arrive = builder.sail(&[a, b], 10.0, Activity::UnderWay);
        let track = builder.finish();
        assert_eq!(track.at(30_000).unwrap().speed_kn, 0.0);
        let mid = track.at((60_000 + arrive) / 2).unwrap();
        assert!((distance_m(mid.position, a) - distance_m(a, b) / 2.0).abs() < 1.0);
        assert!((mid.course_deg - 90.0).abs() < 0.1);
        assert!(track.at(arrive).is_none());
        assert!(track.at(-1).is_none());
    }

    #[test]
    fn splits_keep_length() {
        let path = [
            Coord { x: 122.0, y: 29.0 },
            Coord { x: 122.01, y: 29.0 },
            Coord {
                x: 122.01,
                y: 29.01,
            },
        ];
        let (head, tail) = split_from_end(&path, 500.0);
        assert!((path_length_m(&tail) - 500.0).abs() < 0.01);
        assert!((path_length_m(&head) + 500.0 - path_length_m(&path)).abs() < 0.01);
    }
}
