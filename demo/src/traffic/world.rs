//! What the traffic is placed in: the navigable sea, the shore, the piers of the demo
//! layer and the places.

use super::sea::{Anchor, SeaGrid};
use crate::geodesy::{distance_m, offset};
use crate::shore::Shore;
use crate::{DemoData, DemoInputs, Place};
use geo::{Coord, Geometry};
use tidewatch_importers::Feature;

/// A moored vessel lies this far seaward of the pier head.
const BERTH_OFFSET_M: f64 = 15.0;
/// Vessels sharing a berth lie this far apart, further out.
const RAFT_SPACING_M: f64 = 12.0;
/// Harbour berths: this close to the town (its place position is approximate), this far
/// from any idle pier.
const HARBOUR_REACH_M: f64 = 2_500.0;
const IDLE_CLEARANCE_M: f64 = 450.0;

/// A pier of the demo layer, as the traffic needs it.
#[derive(Debug, Clone)]
pub struct PierInfo {
    pub id: u64,
    pub position: Coord,
    pub town_zh: String,
    pub town_en: String,
    pub name_en: String,
    pub idle: bool,
}

impl PierInfo {
    fn from_feature(feature: &Feature) -> Option<Self> {
        let Geometry::Point(point) = &feature.geometry else {
            return None;
        };
        let text = |key: &str| feature.properties.get(key)?.as_str().map(str::to_owned);
        Some(PierInfo {
            id: feature.id,
            position: point.0,
            town_zh: text("town_zh")?,
            town_en: text("town_en")?,
            name_en: text("name_en")?,
            idle: feature.properties.get("idle")?.as_bool()?,
        })
    }
}

/// Where a vessel lies alongside a pier, and how that spot joins the sea grid.
#[derive(Debug, Clone)]
pub struct Berth {
    /// Index into `World::piers`.
    pub pier: usize,
    pub point: Coord,
    pub seaward_deg: f64,
    pub anchor: Anchor,
}

pub struct World<'a> {
    pub sea: SeaGrid,
    pub shore: Shore<'a>,
    pub piers: Vec<PierInfo>,
    pub places: &'a [Place],
}

impl<'a> World<'a> {
    pub fn new(inputs: &'a DemoInputs, data: &DemoData) -> Self {
        World {
            sea: SeaGrid::new(&inputs.land, &inputs.aoi),
            shore: Shore::new(inputs),
            piers: data
                .piers
                .iter()
                .filter_map(PierInfo::from_feature)
                .collect(),
            places: &inputs.places,
        }
    }

    pub fn place(&self, name_zh: &str) -> Option<&'a Place> {
        self.places.iter().find(|p| p.name_zh == name_zh)
    }

    /// The berth at pier `index`: seaward of its head, at sea, inside the area of interest
    /// and linked to the sea grid. None when any of that fails.
    pub fn berth(&self, index: usize) -> Option<Berth> {
        let pier = &self.piers[index];
        let (segment, _) = self.shore.nearest(pier.position)?;
        let seaward_deg = segment.seaward_deg()?;
        let point = offset(pier.position, seaward_deg, BERTH_OFFSET_M);
        if self.shore.is_land(point) || !self.shore.in_aoi(point) {
            return None;
        }
        let anchor = self.sea.anchor(point)?;
        Some(Berth {
            pier: index,
            point,
            seaward_deg,
            anchor,
        })
    }

    /// Berths at the active piers of `town_zh`, nearest to the town first, at most `max`.
    /// Harbour berths keep within HARBOUR_REACH_M of the town and clear of idle piers by
    /// IDLE_CLEARANCE_M, so that vessels lying there overnight look like neither loitering
    /// nor a night visit to an idle pier.
    pub fn town_berths(&self, town_zh: &str, max: usize) -> Vec<Berth> {
        let Some(town) = self.place(town_zh) else {
            return Vec::new();
        };
        let clear_of_idle = |p: Coord| {
            self.piers
                .iter()
                .filter(|q| q.idle)
                .all(|q| distance_m(q.position, p) >= IDLE_CLEARANCE_M)
        };
        let mut indices: Vec<usize> = (0..self.piers.len())
            .filter(|&i| self.piers[i].town_zh == town_zh && !self.piers[i].idle)
            .filter(|&i| distance_m(self.piers[i].position, town.position) <= HARBOUR_REACH_M)
            .filter(|&i| clear_of_idle(self.piers[i].position))
            .collect();
        indices.sort_by(|&a, &b| {
            distance_m(self.piers[a].position, town.position)
                .total_cmp(&distance_m(self.piers[b].position, town.position))
                .then(a.cmp(&b))
        });
        indices
            .into_iter()
            .filter_map(|i| self.berth(i))
            .take(max)
            .collect()
    }

    /// Where the `slot`th vessel at `berth` lies: rafted further out when there is room.
    pub fn mooring(&self, berth: &Berth, slot: usize) -> Coord {
        if slot == 0 {
            return berth.point;
        }
        let spot = offset(berth.point, berth.seaward_deg, RAFT_SPACING_M * slot as f64);
        let first = berth.anchor.link.get(1).copied().unwrap_or(berth.point);
        let fits = !self.shore.is_land(spot)
            && self.sea.exact_clear(berth.point, spot, 4.0)
            && self.sea.exact_clear(spot, first, 4.0);
        if fits {
            spot
        } else {
            berth.point
        }
    }

    /// Distance from `p` to the nearest shoreline, metres (exact, on the sphere).
    pub fn shore_distance_m(&self, p: Coord) -> f64 {
        self.shore.nearest(p).map_or(f64::INFINITY, |(_, d)| d)
    }
}

/// A route from `mooring` that joins `route` (which starts at the berth point): straight to
/// the route's second point when clear, else via the berth point.
pub fn from_mooring(world: &World, mooring: Coord, route: &[Coord]) -> Vec<Coord> {
    if mooring == route[0] {
        return route.to_vec();
    }
    let mut path = vec![mooring];
    if route.len() > 1 && world.sea.exact_clear(mooring, route[1], 4.0) {
        path.extend_from_slice(&route[1..]);
    } else {
        path.extend_from_slice(route);
    }
    path
}

/// The same joined route, reversed: arriving at `mooring`.
pub fn to_mooring(world: &World, route_out: &[Coord], mooring: Coord) -> Vec<Coord> {
    let mut path = from_mooring(world, mooring, route_out);
    path.reverse();
    path
}
