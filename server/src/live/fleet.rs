//! The fleet in memory: each vessel's latest position and static data, a bounded recent
//! history, and a spatial index updated in place as vessels move.
//!
//! The index is a uniform grid of 0.05° cells rather than an R-tree: a position report
//! moves one vessel, which in a grid is two vector edits, where an R-tree pays a removal
//! and a reinsertion with rebalancing at every report (tens of thousands a second).
//! Box queries visit the cells the box covers, or every occupied cell when that is fewer.

use super::{Position, PositionSource, VesselStatic};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

const CELL_DEG: f64 = 0.05;

/// One position in a vessel's history.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fix {
    pub at_ms: i64,
    pub lon: f64,
    pub lat: f64,
    pub speed_kn: Option<f32>,
    pub course_deg: Option<f32>,
    pub heading_deg: Option<f32>,
    pub nav_status: Option<u8>,
    pub source: PositionSource,
}

impl Fix {
    pub fn of(p: &Position) -> Fix {
        Fix {
            at_ms: p.at_ms,
            lon: p.lon,
            lat: p.lat,
            speed_kn: p.speed_kn,
            course_deg: p.course_deg,
            heading_deg: p.heading_deg,
            nav_status: p.nav_status,
            source: p.source,
        }
    }
}

/// One vessel as the server knows it.
#[derive(Debug, Clone)]
pub struct Vessel {
    pub id: Arc<str>,
    /// The newest position from any source; `None` while only static data is known.
    pub latest: Option<Fix>,
    /// When each source last reported a position (AIS, Beidou).
    pub last_ais_ms: Option<i64>,
    pub last_beidou_ms: Option<i64>,
    pub statics: VesselStatic,
    /// Recent positions, oldest first, at most the fleet's history bound.
    pub history: VecDeque<Fix>,
}

type Cell = (i32, i32);

fn cell_of(lon: f64, lat: f64) -> Cell {
    (
        (lon / CELL_DEG).floor() as i32,
        (lat / CELL_DEG).floor() as i32,
    )
}

pub struct Fleet {
    vessels: Vec<Vessel>,
    by_id: HashMap<Arc<str>, usize>,
    cells: HashMap<Cell, Vec<usize>>,
    history_limit: usize,
}

impl Fleet {
    pub fn new(history_limit: usize) -> Self {
        Fleet {
            vessels: Vec::new(),
            by_id: HashMap::new(),
            cells: HashMap::new(),
            history_limit: history_limit.max(1),
        }
    }

    pub fn len(&self) -> usize {
        self.vessels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.vessels.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&Vessel> {
        self.by_id.get(id).map(|&i| &self.vessels[i])
    }

    pub fn iter(&self) -> impl Iterator<Item = &Vessel> {
        self.vessels.iter()
    }

    fn slot(&mut self, id: &Arc<str>) -> usize {
        if let Some(&i) = self.by_id.get(id) {
            return i;
        }
        let i = self.vessels.len();
        self.vessels.push(Vessel {
            id: id.clone(),
            latest: None,
            last_ais_ms: None,
            last_beidou_ms: None,
            statics: VesselStatic::default(),
            history: VecDeque::new(),
        });
        self.by_id.insert(id.clone(), i);
        i
    }

    /// Records a position: the history keeps time order (a late report is slotted in),
    /// and the vessel moves only when the report is not older than its latest.
    /// Adds a position; false when the vessel's history already held exactly this fix.
    pub fn apply_position(&mut self, p: &Position) -> bool {
        let i = self.slot(&p.vessel);
        let limit = self.history_limit;
        let fix = Fix::of(p);
        let v = &mut self.vessels[i];
        let last_seen = match p.source {
            PositionSource::Ais => &mut v.last_ais_ms,
            PositionSource::Beidou => &mut v.last_beidou_ms,
        };
        *last_seen = Some(last_seen.map_or(p.at_ms, |t| t.max(p.at_ms)));
        let at = v.history.partition_point(|f| f.at_ms <= fix.at_ms);
        // Compared without nav_status, which the stored history does not keep.
        if at > 0 && {
            let prev = &v.history[at - 1];
            (prev.at_ms, prev.source, prev.lon, prev.lat)
                == (fix.at_ms, fix.source, fix.lon, fix.lat)
        } {
            return false;
        }
        v.history.insert(at, fix);
        while v.history.len() > limit {
            v.history.pop_front();
        }
        let old = v.latest;
        if old.is_some_and(|o| o.at_ms > fix.at_ms) {
            return true;
        }
        v.latest = Some(fix);
        let new_cell = cell_of(fix.lon, fix.lat);
        match old.map(|o| cell_of(o.lon, o.lat)) {
            Some(c) if c == new_cell => {}
            Some(c) => {
                self.remove_from_cell(c, i);
                self.cells.entry(new_cell).or_default().push(i);
            }
            None => self.cells.entry(new_cell).or_default().push(i),
        }
        true
    }

    fn remove_from_cell(&mut self, cell: Cell, i: usize) {
        if let Some(members) = self.cells.get_mut(&cell) {
            if let Some(k) = members.iter().position(|&m| m == i) {
                members.swap_remove(k);
            }
            if members.is_empty() {
                self.cells.remove(&cell);
            }
        }
    }

    pub fn apply_static(&mut self, id: &Arc<str>, data: VesselStatic) {
        let i = self.slot(id);
        self.vessels[i].statics.merge(data);
    }

    /// Vessels whose latest position lies in `[west, south, east, north]`.
    pub fn in_bbox(&self, bbox: [f64; 4]) -> Vec<&Vessel> {
        let [w, s, e, n] = bbox;
        let (x0, y0) = cell_of(w, s);
        let (x1, y1) = cell_of(e, n);
        let spanned = (i64::from(x1) - i64::from(x0) + 1) * (i64::from(y1) - i64::from(y0) + 1);
        let inside = |v: &&Vessel| {
            v.latest
                .is_some_and(|f| f.lon >= w && f.lon <= e && f.lat >= s && f.lat <= n)
        };
        let mut out: Vec<&Vessel> = if spanned as usize > self.cells.len() {
            self.cells
                .iter()
                .filter(|((x, y), _)| (x0..=x1).contains(x) && (y0..=y1).contains(y))
                .flat_map(|(_, m)| m.iter().map(|&i| &self.vessels[i]))
                .filter(inside)
                .collect()
        } else {
            let mut found = Vec::new();
            for x in x0..=x1 {
                for y in y0..=y1 {
                    if let Some(m) = self.cells.get(&(x, y)) {
                        found.extend(m.iter().map(|&i| &self.vessels[i]).filter(inside));
                    }
                }
            }
            found
        };
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    /// A vessel's remembered positions between two instants (inclusive), oldest first.
    pub fn track(&self, id: &str, from_ms: i64, to_ms: i64) -> Vec<Fix> {
        self.get(id)
            .map(|v| {
                v.history
                    .iter()
                    .filter(|f| f.at_ms >= from_ms && f.at_ms <= to_ms)
                    .copied()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Puts back a vessel read from storage (restart), replacing what is there.
    pub fn restore(&mut self, vessel: Vessel) {
        let i = self.slot(&vessel.id);
        let mut vessel = vessel;
        while vessel.history.len() > self.history_limit {
            vessel.history.pop_front();
        }
        if let Some(old) = self.vessels[i].latest {
            self.remove_from_cell(cell_of(old.lon, old.lat), i);
        }
        if let Some(f) = vessel.latest {
            self.cells.entry(cell_of(f.lon, f.lat)).or_default().push(i);
        }
        self.vessels[i] = vessel;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(id: &str, at: i64, lon: f64, lat: f64) -> Position {
        Position {
            vessel: id.into(),
            source: PositionSource::Ais,
            at_ms: at,
            lon,
            lat,
            speed_kn: Some(5.0),
            course_deg: None,
            heading_deg: None,
            nav_status: None,
        }
    }

    #[test]
    fn a_moving_vessel_leaves_its_old_cell() {
        let mut fleet = Fleet::new(10);
        fleet.apply_position(&pos("1", 0, 121.9, 29.2));
        fleet.apply_position(&pos("1", 1000, 122.3, 29.5));
        assert!(fleet.in_bbox([121.8, 29.1, 122.0, 29.3]).is_empty());
        assert_eq!(fleet.in_bbox([122.2, 29.4, 122.4, 29.6]).len(), 1);
        assert_eq!(fleet.in_bbox([-180.0, -90.0, 180.0, 90.0]).len(), 1);
    }

    #[test]
    fn a_late_report_joins_the_history_but_does_not_move_the_vessel() {
        let mut fleet = Fleet::new(10);
        fleet.apply_position(&pos("1", 2000, 122.0, 29.0));
        fleet.apply_position(&pos("1", 1000, 121.0, 28.0));
        let v = fleet.get("1").unwrap();
        assert_eq!(v.latest.unwrap().at_ms, 2000);
        let times: Vec<i64> = v.history.iter().map(|f| f.at_ms).collect();
        assert_eq!(times, [1000, 2000]);
    }

    #[test]
    fn history_is_bounded_and_keeps_the_newest() {
        let mut fleet = Fleet::new(3);
        for t in 0..10 {
            fleet.apply_position(&pos("1", t, 122.0, 29.0));
        }
        let times: Vec<i64> = fleet
            .get("1")
            .unwrap()
            .history
            .iter()
            .map(|f| f.at_ms)
            .collect();
        assert_eq!(times, [7, 8, 9]);
        assert_eq!(fleet.track("1", 8, 100).len(), 2);
    }

    #[test]
    fn bbox_queries_match_a_linear_scan() {
        let mut fleet = Fleet::new(2);
        let mut seed = 7u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        for i in 0..2000 {
            let id = format!("{}", i % 300);
            fleet.apply_position(&pos(&id, i, 121.5 + next(), 28.8 + next()));
        }
        for _ in 0..50 {
            let (w, s) = (121.4 + next(), 28.7 + next());
            let bbox = [w, s, w + next() * 0.5, s + next() * 0.5];
            let mut expected: Vec<&str> = fleet
                .iter()
                .filter(|v| {
                    let f = v.latest.unwrap();
                    f.lon >= bbox[0] && f.lon <= bbox[2] && f.lat >= bbox[1] && f.lat <= bbox[3]
                })
                .map(|v| &*v.id)
                .collect();
            expected.sort();
            let got: Vec<&str> = fleet.in_bbox(bbox).iter().map(|v| &*v.id).collect();
            assert_eq!(got, expected);
        }
    }
}
