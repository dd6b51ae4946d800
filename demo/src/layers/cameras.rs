//! Camera feeds (监控) at piers, on pier access roads and along the coast, each with the
//! sector a coverage analysis needs: bearing, horizontal field of view, day and night range.

use super::barriers::{Barrier, BARRIER_COUNT};
use super::piers::{Pier, PIER_COUNT};
use super::{point_feature, ATTEMPTS};
use crate::geodesy::{bearing_deg, normalize_deg, offset, round6, round_to};
use crate::naming::{nearest_place, Name, Numbering};
use crate::rng::Rng;
use crate::shore::{Shore, ShoreSampler};
use crate::{DemoError, Place};
use geo::Coord;
use serde_json::json;
use tidewatch_importers::Feature;

pub const CAMERA_COUNT: usize = 2200;
const PER_PIER: usize = 2;
const PER_BARRIER: usize = 2;
/// The rest watch the open coast; a count that does not fit fails to compile.
const COAST_CAMERAS: usize = CAMERA_COUNT - PIER_COUNT * PER_PIER - BARRIER_COUNT * PER_BARRIER;
/// Shore cameras off land stay this close to the shoreline (the rule is 50 m; the margin
/// absorbs coordinate rounding).
const SHORE_MAX_M: f64 = 45.0;
/// Pier cameras stand this far from where the pier meets the shore.
const PIER_CAMERA_M: (f64, f64) = (5.0, 40.0);
const COAST_CAMERA_M: (f64, f64) = (0.0, 40.0);
const ROAD_CAMERA_M: (f64, f64) = (15.0, 150.0);
/// Shore cameras look out to sea within this many degrees of straight offshore.
const SEAWARD_SPREAD_DEG: f64 = 30.0;
/// Road cameras look down the access road toward the pier, within this many degrees.
const ROAD_SPREAD_DEG: f64 = 15.0;
/// Exactly this share has failed.
const FAILED_SHARE: f64 = 0.05;

#[derive(Debug, Clone, Copy)]
enum Site {
    Pier,
    Road,
    Coast,
}

impl Site {
    fn as_str(self) -> &'static str {
        match self {
            Site::Pier => "pier",
            Site::Road => "road",
            Site::Coast => "coast",
        }
    }

    /// Share of thermal cameras: the night watch on the water relies on them, roads hardly.
    fn thermal_share(self) -> f64 {
        match self {
            Site::Pier => 0.3,
            Site::Road => 0.1,
            Site::Coast => 0.4,
        }
    }

    /// Poles at piers and roads, masts and hilltop towers on the coast.
    fn mounting_height_m(self) -> (f64, f64) {
        match self {
            Site::Pier => (4.0, 12.0),
            Site::Road => (4.0, 10.0),
            Site::Coast => (6.0, 30.0),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Visible,
    Thermal,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Visible => "visible",
            Kind::Thermal => "thermal",
        }
    }

    fn noun(self) -> Name {
        match self {
            Kind::Visible => Name::new("监控", "Camera"),
            Kind::Thermal => Name::new("红外监控", "Thermal Camera"),
        }
    }

    /// Field of view and ranges. Visible cameras see far by day and little at night; a
    /// thermal unit detects a 2.3 m boat at up to ~10 km and identifies it at ~1.5 km
    /// (Johnson criteria, domain.md), by day and night alike.
    fn optics(self, rng: &mut Rng) -> Optics {
        match self {
            Kind::Visible => Optics {
                fov_deg: rng.int(30, 90),
                range_day_m: round_m(rng.range(300.0, 1500.0), 10),
                range_night_m: round_m(rng.range(50.0, 300.0), 10),
            },
            Kind::Thermal => {
                let day = round_m(rng.range(1500.0, 10_000.0), 100);
                Optics {
                    fov_deg: rng.int(20, 50),
                    range_day_m: day,
                    range_night_m: round_m(f64::from(day) * rng.range(0.8, 1.0), 100).max(1500),
                }
            }
        }
    }
}

struct Optics {
    fov_deg: u32,
    range_day_m: u32,
    range_night_m: u32,
}

/// Rounds a range to whole `step`s of metres.
fn round_m(metres: f64, step: u32) -> u32 {
    (metres / f64::from(step)).round() as u32 * step
}

/// Where a camera stands and what it looks at, before it gets its equipment.
struct Mount<'a> {
    site: Site,
    position: Coord,
    bearing_deg: f64,
    /// Index of the pier it watches.
    pier: Option<usize>,
    town: &'a Place,
    /// Cameras are numbered within a series: a pier, or a town's roads or coast.
    series: Name,
}

pub fn generate(
    rng: &mut Rng,
    shore: &Shore,
    places: &[Place],
    piers: &[Pier],
    barriers: &[Barrier],
) -> Result<Vec<Feature>, DemoError> {
    let mut mounts = Vec::with_capacity(CAMERA_COUNT);
    for (index, pier) in piers.iter().enumerate() {
        for _ in 0..PER_PIER {
            mounts.push(pier_mount(rng, shore, index, pier)?);
        }
    }
    for barrier in barriers {
        for _ in 0..PER_BARRIER {
            mounts.push(road_mount(rng, shore, barrier, piers)?);
        }
    }
    let coast = ShoreSampler::new(shore, "cameras", |_| 1.0)?;
    for stratum in 0..COAST_CAMERAS {
        mounts.push(coast_mount(rng, shore, places, &coast, stratum)?);
    }
    let failed_count = (mounts.len() as f64 * FAILED_SHARE).round() as usize;
    let failed = rng.choose_weighted(&vec![1.0; mounts.len()], failed_count);
    let mut numbering = Numbering::default();
    Ok(mounts
        .iter()
        .zip(failed)
        .enumerate()
        .map(|(i, (mount, failed))| feature(rng, &mut numbering, i + 1, mount, failed))
        .collect())
}

fn no_site(what: String) -> DemoError {
    DemoError::placement("cameras", format!("no site for {what}"))
}

/// Near where the pier meets the shore, looking out to sea.
fn pier_mount<'a>(
    rng: &mut Rng,
    shore: &Shore,
    index: usize,
    pier: &Pier<'a>,
) -> Result<Mount<'a>, DemoError> {
    (0..ATTEMPTS)
        .find_map(|_| {
            let bearing = pier.shore.inland_deg + rng.range(-60.0, 60.0);
            let distance = rng.range(PIER_CAMERA_M.0, PIER_CAMERA_M.1);
            let position = round6(offset(pier.shore.position, bearing, distance));
            Some(Mount {
                site: Site::Pier,
                position,
                bearing_deg: seaward_view(rng, shore, position)?,
                pier: Some(index),
                town: pier.town,
                series: pier.name.clone(),
            })
        })
        .ok_or_else(|| no_site(format!("a camera at {}", pier.name.en)))
}

/// On land near a barrier, looking down the access road toward the pier.
fn road_mount<'a>(
    rng: &mut Rng,
    shore: &Shore,
    barrier: &Barrier,
    piers: &[Pier<'a>],
) -> Result<Mount<'a>, DemoError> {
    let pier = &piers[barrier.pier];
    (0..ATTEMPTS)
        .find_map(|_| {
            let distance = rng.range(ROAD_CAMERA_M.0, ROAD_CAMERA_M.1);
            let position = round6(offset(barrier.position, rng.range(0.0, 360.0), distance));
            let spread = rng.range(-ROAD_SPREAD_DEG, ROAD_SPREAD_DEG);
            (shore.is_land(position) && shore.in_aoi(position)).then(|| Mount {
                site: Site::Road,
                position,
                bearing_deg: bearing_deg(position, pier.shore.position) + spread,
                pier: Some(barrier.pier),
                town: pier.town,
                series: Name::of_place(pier.town).with_suffix(&Name::new("道路", "Road")),
            })
        })
        .ok_or_else(|| no_site(format!("a road camera near {}", barrier.name.en)))
}

/// Just inland of a stretch of open coast, looking out to sea.
fn coast_mount<'a>(
    rng: &mut Rng,
    shore: &Shore,
    places: &'a [Place],
    sampler: &ShoreSampler,
    stratum: usize,
) -> Result<Mount<'a>, DemoError> {
    (0..ATTEMPTS)
        .find_map(|_| {
            let point = sampler.stratified(rng, stratum, COAST_CAMERAS);
            let bearing = point.inland_deg + rng.range(-20.0, 20.0);
            let distance = rng.range(COAST_CAMERA_M.0, COAST_CAMERA_M.1);
            let position = round6(offset(point.position, bearing, distance));
            let (town, _) = nearest_place(places, position)?;
            Some(Mount {
                site: Site::Coast,
                position,
                bearing_deg: seaward_view(rng, shore, position)?,
                pier: None,
                town,
                series: Name::of_place(town).with_suffix(&Name::new("海岸", "Coast")),
            })
        })
        .ok_or_else(|| no_site(format!("coast camera {} of {COAST_CAMERAS}", stratum + 1)))
}

/// A bearing out to sea from a shore camera at `position`: the seaward side of the nearest
/// shoreline, spread a little. None if `position` is no place for a shore camera (outside
/// the AOI, or in the water too far out, or the nearest shore has no clear land side).
fn seaward_view(rng: &mut Rng, shore: &Shore, position: Coord) -> Option<f64> {
    if !shore.in_aoi(position) {
        return None;
    }
    let (segment, distance) = shore.nearest(position)?;
    if distance > SHORE_MAX_M && !shore.is_land(position) {
        return None;
    }
    Some(segment.seaward_deg()? + rng.range(-SEAWARD_SPREAD_DEG, SEAWARD_SPREAD_DEG))
}

fn feature(
    rng: &mut Rng,
    numbering: &mut Numbering,
    id: usize,
    mount: &Mount,
    failed: bool,
) -> Feature {
    let kind = if rng.chance(mount.site.thermal_share()) {
        Kind::Thermal
    } else {
        Kind::Visible
    };
    let (low, high) = mount.site.mounting_height_m();
    let height_m = round_to(rng.range(low, high), 1);
    let optics = kind.optics(rng);
    let name = mount
        .series
        .numbered(numbering.next(&mount.series.zh), &kind.noun());
    point_feature(
        id,
        mount.position,
        json!({
            "name_zh": name.zh,
            "name_en": name.en,
            "site": mount.site.as_str(),
            "kind": kind.as_str(),
            "height_m": height_m,
            "bearing_deg": normalize_deg(mount.bearing_deg.round()) as u32,
            "fov_deg": optics.fov_deg,
            "range_day_m": optics.range_day_m,
            "range_night_m": optics.range_night_m,
            "status": if failed { "failed" } else { "working" },
            "pier_id": mount.pier.map(|i| i + 1),
            "town_zh": mount.town.name_zh,
            "town_en": mount.town.name_en,
            "synthetic": true,
        }),
    )
}
