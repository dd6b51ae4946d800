//! Piers and beaching spots on the real shoreline: denser near towns, rarer on islets, and
//! a realistic share idle, more of them in the smuggling hot spots named in domain.md.

use super::{point_feature, ATTEMPTS};
use crate::geodesy::{distance_m, offset, round6, round_to};
use crate::naming::{nearest_place, Name, Numbering};
use crate::rng::Rng;
use crate::shore::{Shore, ShorePoint, ShoreSampler, ShoreSegment};
use crate::{DemoError, Place};
use geo::Coord;
use serde_json::json;
use tidewatch_importers::Feature;

pub const PIER_COUNT: usize = 300;
/// No two piers closer than this.
const MIN_SPACING_M: f64 = 150.0;
/// Shoreline weight near a town is up to 1 + TOWN_BOOST, fading with distance over TOWN_REACH_M.
const TOWN_BOOST: f64 = 4.0;
const TOWN_REACH_M: f64 = 3000.0;
/// Islets smaller than this rarely have a pier.
const ISLET_KM2: f64 = 0.5;
const ISLET_WEIGHT: f64 = 0.2;
const BEACHING_SHARE: f64 = 0.35;
/// A pier head juts up to this far out from the shoreline; beaching spots sit on it.
const PIER_HEAD_MAX_M: f64 = 15.0;
/// Exactly this share is idle (120 of 300).
const IDLE_SHARE: f64 = 0.4;
/// Boats unload at idle piers in Gaotang, Hepu and Dingshan (domain.md).
const HOTSPOT_TOWNS_ZH: [&str; 3] = ["高塘", "鹤浦", "定山"];
const HOTSPOT_IDLE_WEIGHT: f64 = 3.0;
const UNMANNED_IF_IDLE: f64 = 0.85;
const UNMANNED_IF_ACTIVE: f64 = 0.25;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PierKind {
    Pier,
    BeachingSpot,
}

impl PierKind {
    fn as_str(self) -> &'static str {
        match self {
            PierKind::Pier => "pier",
            PierKind::BeachingSpot => "beaching_spot",
        }
    }

    fn noun(self) -> Name {
        match self {
            PierKind::Pier => Name::new("码头", "Pier"),
            PierKind::BeachingSpot => Name::new("登滩点", "Beaching Spot"),
        }
    }

    /// Water depth at the berth: beaching spots are where boats run up the beach.
    fn berth_depth_m(self, rng: &mut Rng) -> f64 {
        let (lo, hi) = match self {
            PierKind::Pier => (1.5, 6.0),
            PierKind::BeachingSpot => (0.5, 2.0),
        };
        round_to(rng.range(lo, hi), 1)
    }
}

/// A generated pier; its id is its index + 1.
pub struct Pier<'a> {
    /// Where the pier meets the shoreline, and which way the land lies.
    pub shore: ShorePoint,
    /// The pier head (rounded), in the water for piers, on the shoreline for beaching spots.
    pub position: Coord,
    pub kind: PierKind,
    pub town: &'a Place,
    pub name: Name,
    pub idle: bool,
    pub unmanned: bool,
    pub berth_depth_m: f64,
}

/// Where a pier goes and what kind it is, before it gets a town and attributes.
struct Site {
    shore: ShorePoint,
    position: Coord,
    kind: PierKind,
}

pub fn place<'a>(
    rng: &mut Rng,
    shore: &Shore,
    places: &'a [Place],
) -> Result<Vec<Pier<'a>>, DemoError> {
    let sampler = ShoreSampler::new(shore, "piers", |segment| shore_weight(places, segment))?;
    let mut sites: Vec<Site> = Vec::with_capacity(PIER_COUNT);
    for i in 0..PIER_COUNT {
        let site = (0..ATTEMPTS)
            .find_map(|_| {
                let site = draw_site(rng, &sampler, i);
                let free = sites
                    .iter()
                    .all(|s| distance_m(s.position, site.position) >= MIN_SPACING_M);
                (free && shore.in_aoi(site.position)).then_some(site)
            })
            .ok_or_else(|| {
                DemoError::placement(
                    "piers",
                    format!("no free shore in stretch {i} of {PIER_COUNT}"),
                )
            })?;
        sites.push(site);
    }
    let towns = sites
        .iter()
        .map(|site| nearest_place(places, site.position).map(|(place, _)| place))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| DemoError::placement("piers", "no places to name them after"))?;
    let idle = choose_idle(rng, &towns);
    let mut numbering = Numbering::default();
    Ok(sites
        .into_iter()
        .zip(towns)
        .zip(idle)
        .map(|((site, town), idle)| {
            let noun = site.kind.noun();
            let number = numbering.next(&format!("{}{}", town.name_zh, noun.zh));
            Pier {
                shore: site.shore,
                position: site.position,
                kind: site.kind,
                town,
                name: Name::of_place(town).numbered(number, &noun),
                idle,
                unmanned: rng.chance(if idle {
                    UNMANNED_IF_IDLE
                } else {
                    UNMANNED_IF_ACTIVE
                }),
                berth_depth_m: site.kind.berth_depth_m(rng),
            }
        })
        .collect())
}

/// Relative pier density along a shore segment: more near towns, little on islets.
fn shore_weight(places: &[Place], segment: &ShoreSegment) -> f64 {
    let town_m = nearest_place(places, segment.midpoint()).map_or(f64::INFINITY, |(_, d)| d);
    let islet = if segment.land_km2 < ISLET_KM2 {
        ISLET_WEIGHT
    } else {
        1.0
    };
    (1.0 + TOWN_BOOST * (-town_m / TOWN_REACH_M).exp()) * islet
}

fn draw_site(rng: &mut Rng, sampler: &ShoreSampler, stratum: usize) -> Site {
    let shore = sampler.stratified(rng, stratum, PIER_COUNT);
    let kind = if rng.chance(BEACHING_SHARE) {
        PierKind::BeachingSpot
    } else {
        PierKind::Pier
    };
    let head_m = match kind {
        PierKind::Pier => rng.range(0.0, PIER_HEAD_MAX_M),
        PierKind::BeachingSpot => 0.0,
    };
    Site {
        shore,
        position: round6(offset(shore.position, shore.inland_deg + 180.0, head_m)),
        kind,
    }
}

/// Marks exactly IDLE_SHARE of the piers idle, favouring the hot-spot towns.
fn choose_idle(rng: &mut Rng, towns: &[&Place]) -> Vec<bool> {
    let weights: Vec<f64> = towns
        .iter()
        .map(|town| {
            if is_hotspot(town) {
                HOTSPOT_IDLE_WEIGHT
            } else {
                1.0
            }
        })
        .collect();
    rng.choose_weighted(&weights, (towns.len() as f64 * IDLE_SHARE).round() as usize)
}

pub fn is_hotspot(town: &Place) -> bool {
    HOTSPOT_TOWNS_ZH.contains(&town.name_zh.as_str())
}

pub fn features(piers: &[Pier]) -> Vec<Feature> {
    piers
        .iter()
        .enumerate()
        .map(|(i, pier)| {
            point_feature(
                i + 1,
                pier.position,
                json!({
                    "name_zh": pier.name.zh,
                    "name_en": pier.name.en,
                    "kind": pier.kind.as_str(),
                    "town_zh": pier.town.name_zh,
                    "town_en": pier.town.name_en,
                    "idle": pier.idle,
                    "unmanned": pier.unmanned,
                    "berth_depth_m": pier.berth_depth_m,
                    "synthetic": true,
                }),
            )
        })
        .collect()
}
