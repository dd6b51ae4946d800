//! Coastal radars: on land within ~2 km of the shore, on headlands and islands spread over
//! the county (the north, the east coast, Shipu, the islands); one of them has failed.

use super::point_feature;
use crate::geodesy::{distance_m, offset, round6};
use crate::naming::{nearest_place, Name};
use crate::rng::Rng;
use crate::shore::{Shore, ShoreSampler, ShoreSegment};
use crate::{DemoError, Place};
use geo::Coord;
use serde_json::json;
use tidewatch_importers::Feature;

pub const RADAR_COUNT: usize = 8;
/// Each radar stands near one of these places (English names from places.csv). S band on
/// the outer islands for long range, X band elsewhere.
const SITES: [(&str, Band); RADAR_COUNT] = [
    ("Dongchen", Band::X),
    ("Jiushan Islands", Band::S),
    ("Juexi", Band::X),
    ("Shipu", Band::X),
    ("Tantoushan", Band::X),
    ("Hepu", Band::X),
    ("Huaao Island", Band::X),
    ("Yushan Islands", Band::S),
];
/// Candidate shoreline lies within this distance of the site's place.
const PLACE_REACH_M: f64 = 8000.0;
/// How far inland from the shoreline a radar stands.
const INLAND_M: (f64, f64) = (30.0, 1500.0);
/// Radars stand on the mainland or on islands at least this large, not on bare rocks.
const MIN_LAND_KM2: f64 = 0.3;
const MIN_SEPARATION_M: f64 = 5000.0;
const CANDIDATES: usize = 40;
/// A candidate's view of the sea: directions (of VIEW_DIRECTIONS) with water VIEW_PROBE_M out.
const VIEW_DIRECTIONS: usize = 16;
const VIEW_PROBE_M: f64 = 3000.0;

#[derive(Debug, Clone, Copy)]
enum Band {
    X,
    S,
}

impl Band {
    fn as_str(self) -> &'static str {
        match self {
            Band::X => "X",
            Band::S => "S",
        }
    }

    fn antenna_height_m(self, rng: &mut Rng) -> u32 {
        match self {
            Band::X => rng.int(30, 80),
            Band::S => rng.int(60, 120),
        }
    }

    fn rated_range_km(self, rng: &mut Rng) -> u32 {
        match self {
            Band::X => rng.int(24, 48),
            Band::S => rng.int(48, 96),
        }
    }
}

pub fn generate(rng: &mut Rng, shore: &Shore, places: &[Place]) -> Result<Vec<Feature>, DemoError> {
    let mut positions: Vec<Coord> = Vec::with_capacity(RADAR_COUNT);
    let mut sites = Vec::with_capacity(RADAR_COUNT);
    for (place_en, band) in SITES {
        let place = places
            .iter()
            .find(|p| p.name_en == place_en)
            .ok_or_else(|| DemoError::placement("radars", format!("no place named {place_en}")))?;
        positions.push(best_site(rng, shore, places, place, &positions)?);
        sites.push((place, band));
    }
    let failed = rng.below(RADAR_COUNT);
    let noun = Name::new("雷达站", "Radar Station");
    Ok(positions
        .iter()
        .zip(sites)
        .enumerate()
        .map(|(i, (&position, (place, band)))| {
            let name = Name::of_place(place).with_suffix(&noun);
            point_feature(
                i + 1,
                position,
                json!({
                    "name_zh": name.zh,
                    "name_en": name.en,
                    "band": band.as_str(),
                    "antenna_height_m": band.antenna_height_m(rng),
                    "rated_range_km": band.rated_range_km(rng),
                    "status": if i == failed { "failed" } else { "working" },
                    "town_zh": place.name_zh,
                    "town_en": place.name_en,
                    "synthetic": true,
                }),
            )
        })
        .collect())
}

/// Of CANDIDATES points on land just inland of the shore near `place` (and nearer to it
/// than to any other place), the one with the widest view of open sea: a headland or an
/// island top.
fn best_site(
    rng: &mut Rng,
    shore: &Shore,
    places: &[Place],
    place: &Place,
    taken: &[Coord],
) -> Result<Coord, DemoError> {
    let near_place = |segment: &ShoreSegment| {
        let near = distance_m(segment.midpoint(), place.position) <= PLACE_REACH_M;
        if near && segment.land_km2 >= MIN_LAND_KM2 {
            1.0
        } else {
            0.0
        }
    };
    let sampler = ShoreSampler::new(shore, "radars", near_place)?;
    (0..CANDIDATES)
        .filter_map(|_| {
            let point = sampler.at(rng.unit());
            let bearing = point.inland_deg + rng.range(-30.0, 30.0);
            let inland = rng.range(INLAND_M.0, INLAND_M.1);
            let position = round6(offset(point.position, bearing, inland));
            let free = taken
                .iter()
                .all(|&other| distance_m(other, position) >= MIN_SEPARATION_M);
            let own_place = nearest_place(places, position).is_some_and(|(p, _)| p == place);
            (free && own_place && shore.is_land(position) && shore.in_aoi(position))
                .then(|| (position, sea_view(shore, position)))
        })
        // The first of equally good candidates, so the choice depends on the draws only.
        .fold(None, |best: Option<(Coord, usize)>, candidate| match best {
            Some(b) if b.1 >= candidate.1 => Some(b),
            _ => Some(candidate),
        })
        .map(|(position, _)| position)
        .ok_or_else(|| {
            DemoError::placement("radars", format!("no free land near {}", place.name_en))
        })
}

/// How many of VIEW_DIRECTIONS compass directions have open water VIEW_PROBE_M away.
fn sea_view(shore: &Shore, position: Coord) -> usize {
    (0..VIEW_DIRECTIONS)
        .map(|i| i as f64 * 360.0 / VIEW_DIRECTIONS as f64)
        .filter(|&bearing| !shore.is_land(offset(position, bearing, VIEW_PROBE_M)))
        .count()
}
