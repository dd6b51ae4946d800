//! Height-limit barriers (限高杆) on pier access roads: on land, 80–600 m inland from the
//! pier they guard, roughly along the direction from the shore into the land.

use super::piers::Pier;
use super::{point_feature, ATTEMPTS};
use crate::geodesy::{offset, round6, round_to};
use crate::naming::Name;
use crate::rng::Rng;
use crate::shore::Shore;
use crate::DemoError;
use geo::Coord;
use serde_json::json;
use tidewatch_importers::Feature;

pub const BARRIER_COUNT: usize = 426;
/// Drawn a little inside the promised 80–600 m so rounding can never step outside it.
const DISTANCE_M: (f64, f64) = (85.0, 595.0);
/// How far the access road may turn away from straight inland.
const MAX_TURN_DEG: f64 = 35.0;
/// Exactly this share is damaged.
const DAMAGED_SHARE: f64 = 0.1;

/// A generated barrier; its id is its index + 1.
pub struct Barrier {
    pub position: Coord,
    /// Index of the pier whose access road it guards.
    pub pier: usize,
    pub name: Name,
    pub damaged: bool,
    pub height_limit_m: f64,
}

/// One barrier per pier first, then further ones on randomly chosen piers until the count
/// is reached. Piers with no land behind them (islets) get none.
pub fn place(rng: &mut Rng, shore: &Shore, piers: &[Pier]) -> Result<Vec<Barrier>, DemoError> {
    let mut sites: Vec<(usize, Coord)> = Vec::with_capacity(BARRIER_COUNT);
    let mut order: Vec<usize> = (0..piers.len()).collect();
    while sites.len() < BARRIER_COUNT {
        let before = sites.len();
        for &pier in &order {
            if sites.len() == BARRIER_COUNT {
                break;
            }
            if let Some(position) = draw_site(rng, shore, &piers[pier]) {
                sites.push((pier, position));
            }
        }
        if sites.len() == before {
            return Err(DemoError::placement(
                "barriers",
                "no pier has enough land behind it for an access road",
            ));
        }
        rng.shuffle(&mut order);
    }
    // Listed pier by pier, in the order each pier's barriers were placed.
    sites.sort_by_key(|&(pier, _)| pier);
    let noun = Name::new("限高杆", "Height Barrier");
    let mut count_at_pier = vec![0; piers.len()];
    let damaged_count = (sites.len() as f64 * DAMAGED_SHARE).round() as usize;
    let damaged = rng.choose_weighted(&vec![1.0; sites.len()], damaged_count);
    Ok(sites
        .into_iter()
        .zip(damaged)
        .map(|((pier, position), damaged)| {
            count_at_pier[pier] += 1;
            Barrier {
                position,
                pier,
                name: piers[pier].name.numbered(count_at_pier[pier], &noun),
                damaged,
                height_limit_m: round_to(rng.range(2.0, 3.2), 1),
            }
        })
        .collect())
}

/// A point inland of the pier, on land with land along the way (the road does not
/// cross water), or None after ATTEMPTS tries.
fn draw_site(rng: &mut Rng, shore: &Shore, pier: &Pier) -> Option<Coord> {
    (0..ATTEMPTS).find_map(|_| {
        let bearing = pier.shore.inland_deg + rng.range(-MAX_TURN_DEG, MAX_TURN_DEG);
        let distance = rng.range(DISTANCE_M.0, DISTANCE_M.1);
        let position = round6(offset(pier.position, bearing, distance));
        let road_on_land = [0.25, 0.5, 0.75]
            .iter()
            .all(|f| shore.is_land(offset(pier.position, bearing, distance * f)));
        (road_on_land && shore.is_land(position) && shore.in_aoi(position)).then_some(position)
    })
}

pub fn features(barriers: &[Barrier], piers: &[Pier]) -> Vec<Feature> {
    barriers
        .iter()
        .enumerate()
        .map(|(i, barrier)| {
            let town = piers[barrier.pier].town;
            point_feature(
                i + 1,
                barrier.position,
                json!({
                    "name_zh": barrier.name.zh,
                    "name_en": barrier.name.en,
                    "status": if barrier.damaged { "damaged" } else { "working" },
                    "height_limit_m": barrier.height_limit_m,
                    "pier_id": barrier.pier + 1,
                    "town_zh": town.name_zh,
                    "town_en": town.name_en,
                    "synthetic": true,
                }),
            )
        })
        .collect()
}
