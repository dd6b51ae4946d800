//! The ordinary traffic: who the vessels are, and the day-to-day movements of the fishing
//! fleets, the coastal cargo ships and the island ferry.

use super::sea::Anchor;
use super::track::{duration_ms, Activity, Track, TrackBuilder};
use super::world::{from_mooring, to_mooring, Berth, World};
use super::{local_midnight, DemoVessel, VesselRole, Window, HOUR, MINUTE};
use crate::geodesy::{distance_m, offset};
use crate::rng::Rng;
use crate::Place;
use geo::Coord;
use std::collections::BTreeSet;

/// Fishing harbours (Chinese place names from places.csv) and their fleet sizes.
///
/// Juexi and Gaotang have no active pier within 2.5 km of their (approximate) place
/// positions, and the inner bays of Xiaotang and Xinqiao join the open sea only through
/// channels narrower than the routing grid allows, so their fleets are left out.
pub const FISHING_HARBOURS: [(&str, usize); 4] =
    [("石浦", 14), ("东陈", 8), ("涂茨", 7), ("鹤浦", 7)];
/// Share of fishing vessels that also carry AIS (class B); all report via Beidou.
const FISHING_AIS_SHARE: f64 = 0.5;
pub const GROUNDS_PER_HARBOUR: usize = 4;
/// Berths used per harbour.
pub const BERTHS_PER_HARBOUR: usize = 4;
/// Fishing grounds: open water this far from land, this far from home.
const GROUND_MIN_LAND_M: f64 = 3_500.0;
const GROUND_DISTANCE_M: (f64, f64) = (8_000.0, 28_000.0);
/// Trawling keeps this far from land and this close to the ground's centre.
const TRAWL_MIN_LAND_M: f64 = 2_000.0;
const TRAWL_MAX_FROM_CENTRE_M: f64 = 7_000.0;
const REST_DAY_CHANCE: f64 = 0.12;
/// Harbour exits: the nearest water this clear of land.
const EXIT_CLEARANCE: u8 = 5;
/// Routes are spread sideways by up to this much per vessel.
const ROUTE_JITTER_M: f64 = 150.0;

pub const CARGO_COUNT: usize = 12;
/// Gate targets on the edge of the area of interest: towards Ningbo/Zhoushan (north) and
/// Taizhou (south); the open sea (east) for the mother ship.
pub const NORTH_GATE: Coord = Coord {
    x: 122.06,
    y: 29.62,
};
pub const SOUTH_GATE: Coord = Coord {
    x: 121.98,
    y: 28.81,
};
pub const EAST_GATES: [Coord; 2] = [
    Coord {
        x: 122.34,
        y: 29.28,
    },
    Coord {
        x: 122.34,
        y: 29.02,
    },
];
/// Ferry departures from Shipu, local time (hours, minutes).
const FERRY_DEPARTURES: [(i64, i64); 4] = [(7, 0), (10, 0), (13, 30), (16, 0)];
const FERRY_TURNAROUND_MIN: i64 = 25;
const FERRY_SPEED_KN: f64 = 12.0;

/// Hands out unique identifiers.
#[derive(Default)]
pub struct Registry {
    mmsi: BTreeSet<u32>,
    beidou: BTreeSet<u32>,
    hulls: BTreeSet<u32>,
    calls: BTreeSet<String>,
}

impl Registry {
    fn mmsi(&mut self, rng: &mut Rng, mid: u32) -> u32 {
        loop {
            let m = mid * 1_000_000 + rng.int(100_000, 999_999);
            if self.mmsi.insert(m) {
                return m;
            }
        }
    }

    fn beidou(&mut self, rng: &mut Rng) -> String {
        loop {
            let id = rng.int(1_000_000, 9_999_999);
            if self.beidou.insert(id) {
                return id.to_string();
            }
        }
    }

    fn hull(&mut self, rng: &mut Rng, lo: u32, hi: u32) -> u32 {
        loop {
            let n = rng.int(lo, hi);
            if self.hulls.insert(n) {
                return n;
            }
        }
    }

    fn call_sign(&mut self, rng: &mut Rng) -> String {
        loop {
            let letter = |rng: &mut Rng| char::from(b'A' + rng.below(26) as u8);
            let call: String = ['B', letter(rng), letter(rng), letter(rng)]
                .into_iter()
                .collect();
            if self.calls.insert(call.clone()) {
                return call;
            }
        }
    }

    /// A Xiangshan fishing vessel (浙象渔 + five digits); `ais` adds a class B transponder.
    pub fn fishing_vessel(&mut self, rng: &mut Rng, ais: bool, role: VesselRole) -> DemoVessel {
        let hull = self.hull(rng, 100, 99_999);
        DemoVessel {
            mmsi: ais.then(|| self.mmsi(rng, 412)),
            beidou_id: Some(self.beidou(rng)),
            name: format!("ZHE XIANG YU {hull:05}"),
            name_zh: format!("浙象渔{hull:05}"),
            call_sign: self.call_sign(rng),
            ship_type: 30,
            length_m: rng.int(26, 48) as u16,
            beam_m: rng.int(5, 9) as u8,
            class_b: true,
            role,
        }
    }

    pub fn cargo_vessel(&mut self, rng: &mut Rng, role: VesselRole) -> DemoVessel {
        const PORTS: [(&str, &str); 4] = [
            ("浙甬", "ZHE YONG"),
            ("浙舟", "ZHE ZHOU"),
            ("浙台", "ZHE TAI"),
            ("浙象", "ZHE XIANG"),
        ];
        let (zh, en) = PORTS[rng.below(PORTS.len())];
        let hull = self.hull(rng, 100_000, 109_999) - 100_000;
        let length = rng.int(60, 120);
        DemoVessel {
            mmsi: Some(self.mmsi(rng, 413)),
            beidou_id: None,
            name: format!("{en} HUO {hull:04}"),
            name_zh: format!("{zh}货{hull:04}"),
            call_sign: self.call_sign(rng),
            ship_type: 70,
            length_m: length as u16,
            beam_m: (length / 7 + rng.int(0, 3)) as u8,
            class_b: false,
            role,
        }
    }

    pub fn ferry(&mut self, rng: &mut Rng) -> DemoVessel {
        DemoVessel {
            mmsi: Some(self.mmsi(rng, 413)),
            beidou_id: None,
            name: "XIANG SHAN KE DU 01".to_owned(),
            name_zh: "象山客渡01".to_owned(),
            call_sign: self.call_sign(rng),
            ship_type: 60,
            length_m: 42,
            beam_m: 9,
            class_b: false,
            role: VesselRole::Ferry,
        }
    }
}

/// A vessel being built: identity, movements and when its AIS is switched off.
pub struct Plan {
    pub vessel: DemoVessel,
    pub track: Track,
    /// Intervals [off, on) during which the vessel's AIS is switched off.
    pub ais_off: Vec<(i64, i64)>,
}

impl Plan {
    pub fn new(vessel: DemoVessel, builder: TrackBuilder) -> Self {
        Plan {
            vessel,
            track: builder.finish(),
            ais_off: Vec::new(),
        }
    }
}

/// A fishing ground and the route to it from the harbour exit.
pub struct Ground {
    pub centre: Coord,
    pub from_exit: Vec<Coord>,
}

/// A harbour with its berths, each with its route to the harbour exit, and its grounds.
pub struct Harbour<'a> {
    pub place: &'a Place,
    pub berths: Vec<Berth>,
    /// Per berth: berth point → exit.
    pub to_exit: Vec<Vec<Coord>>,
    pub exit: Anchor,
    pub grounds: Vec<Ground>,
}

impl<'a> Harbour<'a> {
    /// A route from berth `b` to `dest` via the exit.
    pub fn route_to(&self, world: &World, b: usize, dest: &Anchor) -> Option<Vec<Coord>> {
        let onward = world.sea.route(&self.exit, dest)?;
        Some(join(&self.to_exit[b], &onward))
    }
}

/// `a` followed by `b`, where `b` starts where `a` ends.
pub fn join(a: &[Coord], b: &[Coord]) -> Vec<Coord> {
    let mut path = a.to_vec();
    path.extend_from_slice(&b[1..]);
    path.dedup();
    path
}

pub fn reversed(path: &[Coord]) -> Vec<Coord> {
    path.iter().rev().copied().collect()
}

/// Builds a harbour from its place: its berths (active piers near the town), the exit to
/// open water, and `grounds` fishing grounds drawn from open water at a suitable distance.
pub fn harbour<'a>(
    world: &World<'a>,
    rng: &mut Rng,
    name_zh: &str,
    max_berths: usize,
    grounds: usize,
) -> Option<Harbour<'a>> {
    let place = world.place(name_zh)?;
    let berths = world.town_berths(name_zh, max_berths);
    let first = berths.first()?;
    let exit_cell = world.sea.nearest_open(first.anchor.cell, EXIT_CLEARANCE)?;
    let exit = Anchor {
        link: vec![world.sea.centre(exit_cell)],
        cell: exit_cell,
    };
    let mut to_exit = Vec::new();
    let mut kept = Vec::new();
    for berth in berths {
        if let Some(route) = world.sea.route(&berth.anchor, &exit) {
            to_exit.push(route);
            kept.push(berth);
        }
    }
    if kept.is_empty() {
        return None;
    }
    let mut harbour = Harbour {
        place,
        berths: kept,
        to_exit,
        exit,
        grounds: Vec::new(),
    };
    let home = harbour.exit.position();
    let candidates: Vec<usize> = world
        .sea
        .open_water(6, GROUND_MIN_LAND_M)
        .into_iter()
        .filter(|&c| {
            let d = distance_m(home, world.sea.centre(c));
            (GROUND_DISTANCE_M.0..=GROUND_DISTANCE_M.1).contains(&d)
        })
        .collect();
    let mut attempts = 0;
    while harbour.grounds.len() < grounds && !candidates.is_empty() && attempts < 40 {
        attempts += 1;
        let cell = candidates[rng.below(candidates.len())];
        let centre = world.sea.centre(cell);
        if harbour
            .grounds
            .iter()
            .any(|g| distance_m(g.centre, centre) < 4_000.0)
        {
            continue;
        }
        let anchor = Anchor {
            link: vec![centre],
            cell,
        };
        if let Some(from_exit) = world.sea.route(&harbour.exit, &anchor) {
            harbour.grounds.push(Ground { centre, from_exit });
        }
    }
    (!harbour.grounds.is_empty()).then_some(harbour)
}

/// One day's fishing from a berth.
pub struct Trip<'h, 'a> {
    pub harbour: &'h Harbour<'a>,
    pub berth: usize,
    pub mooring: Coord,
    /// Day index (0 = the local date of the start of the window).
    pub day: i64,
    /// Back in harbour by then at the latest.
    pub latest_return: Option<i64>,
}

/// One day's fishing trip: out before dawn at 8–10 kn, trawling in zigzags at 2.5–4.5 kn,
/// back in the afternoon. Returns false (and does nothing) on a rest day.
pub fn fishing_trip(world: &World, rng: &mut Rng, builder: &mut TrackBuilder, trip: &Trip) -> bool {
    let (harbour, b, mooring, day) = (trip.harbour, trip.berth, trip.mooring, trip.day);
    let rest = rng.chance(REST_DAY_CHANCE);
    let ground = &harbour.grounds[rng.below(harbour.grounds.len())];
    let depart = local_midnight(day) + 3 * HOUR + 30 * MINUTE + rng.int(0, 120) as i64 * MINUTE;
    let mut back_by = local_midnight(day) + 14 * HOUR + rng.int(0, 180) as i64 * MINUTE;
    if let Some(latest) = trip.latest_return {
        back_by = back_by.min(latest);
    }
    let speed_out = rng.range(8.0, 10.0);
    let speed_back = rng.range(8.0, 10.0);
    let out = world.sea.jitter(
        rng,
        &join(&harbour.to_exit[b], &ground.from_exit),
        ROUTE_JITTER_M,
    );
    let back_route = world.sea.jitter(
        rng,
        &join(&harbour.to_exit[b], &ground.from_exit),
        ROUTE_JITTER_M,
    );
    let out = from_mooring(world, mooring, &out);
    let back = to_mooring(world, &back_route, mooring);
    let back_ms = duration_ms(&back, speed_back);
    if rest || builder.now() > depart {
        return false;
    }
    builder.wait_until(depart, Activity::Moored);
    builder.sail(&out, speed_out, Activity::UnderWay);

    // Trawl in zigzags until it is time to head home.
    let centre = ground.centre;
    let mut trawl_deg = rng.range(0.0, 360.0);
    let mut side = 1.0;
    let mut visited = vec![centre];
    loop {
        let here = builder.position();
        let speed = rng.range(2.5, 4.5);
        let minutes = rng.range(25.0, 50.0);
        let length = speed * super::track::KNOT_MPS * minutes * 60.0;
        let zig = rng.range(25.0, 50.0) * side;
        let next = (0..6).find_map(|attempt| {
            let bearing = match attempt {
                0 => trawl_deg + zig,
                1 => trawl_deg + 180.0 - zig,
                _ => rng.range(0.0, 360.0),
            };
            let p = offset(here, bearing, length);
            let ok = world
                .sea
                .cell_of(p)
                .is_some_and(|c| world.sea.land_distance_m(c) >= TRAWL_MIN_LAND_M)
                && distance_m(p, centre) <= TRAWL_MAX_FROM_CENTRE_M
                && world.sea.line_of_sight(here, p);
            if ok && attempt == 1 {
                trawl_deg += 180.0;
            }
            ok.then_some(p)
        });
        let Some(next) = next else { break };
        let home_ms = duration_ms(&[next, centre], speed_back) + back_ms;
        if builder.now() + duration_ms(&[here, next], speed) + home_ms > back_by {
            break;
        }
        builder.sail(&[here, next], speed, Activity::Fishing);
        visited.push(next);
        side = -side;
    }
    // Back to the ground's centre (straight when in sight, else retracing), then home.
    let here = builder.position();
    let mut to_centre = vec![here];
    if !world.sea.line_of_sight(here, centre) {
        to_centre.extend(visited.iter().rev().skip(1));
    }
    to_centre.push(centre);
    to_centre.dedup();
    if to_centre.len() > 1 {
        builder.sail(&to_centre, speed_back, Activity::UnderWay);
    }
    builder.sail(&back, speed_back, Activity::UnderWay);
    true
}

/// Fishing vessels of all harbours, each with its trips for every day of the window.
pub fn fishing_fleets(
    world: &World,
    rng: &mut Rng,
    registry: &mut Registry,
    harbours: &[(Harbour, usize)],
    window: &Window,
) -> Vec<Plan> {
    let mut plans = Vec::new();
    for (harbour, size) in harbours {
        for k in 0..*size {
            let ais = rng.chance(FISHING_AIS_SHARE);
            let vessel = registry.fishing_vessel(rng, ais, VesselRole::Fishing);
            let b = k % harbour.berths.len();
            let mooring = world.mooring(&harbour.berths[b], k / harbour.berths.len());
            let mut builder = TrackBuilder::new(
                local_midnight(window.first_day),
                mooring,
                harbour.berths[b].seaward_deg,
            );
            for day in window.first_day..=window.last_day {
                let trip = Trip {
                    harbour,
                    berth: b,
                    mooring,
                    day,
                    latest_return: None,
                };
                fishing_trip(world, rng, &mut builder, &trip);
            }
            builder.wait_until(window.end, Activity::Moored);
            plans.push(Plan::new(vessel, builder));
        }
    }
    plans
}

/// Where a gate is: the navigable cell nearest its target.
pub fn gate(world: &World, target: Coord) -> Option<Anchor> {
    let cell = world.sea.nearest_navigable(target, 5_000.0)?;
    Some(Anchor {
        link: vec![world.sea.centre(cell)],
        cell,
    })
}

/// Coastal cargo ships on three lines: Ningbo/Zhoushan (north) ↔ Taizhou (south) along the
/// coast, and Shipu ↔ either. Out of range beyond the gates.
pub fn cargo_ships(
    world: &World,
    rng: &mut Rng,
    registry: &mut Registry,
    shipu: &Harbour,
    window: &Window,
) -> Vec<Plan> {
    let (start, end) = (window.start, window.end);
    let north = &gate(world, NORTH_GATE).expect("a navigable gate north");
    let south = &gate(world, SOUTH_GATE).expect("a navigable gate south");
    let b = shipu.berths.len() - 1;
    let berth = &shipu.berths[b];
    let coastal = world
        .sea
        .route(north, south)
        .expect("a coastal route north–south");
    let to_north = shipu
        .route_to(world, b, north)
        .expect("a route Shipu–north");
    let to_south = shipu
        .route_to(world, b, south)
        .expect("a route Shipu–south");
    let mut plans = Vec::new();
    for k in 0..CARGO_COUNT {
        let vessel = registry.cargo_vessel(rng, VesselRole::Cargo);
        let speed = rng.range(8.0, 14.0);
        let line = k % 3;
        let mooring = world.mooring(berth, k);
        // Legs alternate between "in" (from a gate, or from Shipu) and "out".
        let mut t = start - rng.int(0, 20 * 60) as i64 * MINUTE;
        let mut at_shipu = line != 0 && rng.chance(0.5);
        let mut northbound = rng.chance(0.5);
        let mut builder: Option<TrackBuilder> = None;
        while t < end {
            let path = match (line, at_shipu) {
                (0, _) if northbound => reversed(&coastal),
                (0, _) => coastal.clone(),
                (1, true) => from_mooring(world, mooring, &to_north),
                (1, false) => to_mooring(world, &to_north, mooring),
                (_, true) => from_mooring(world, mooring, &to_south),
                (_, false) => to_mooring(world, &to_south, mooring),
            };
            let path = world.sea.jitter(rng, &path, ROUTE_JITTER_M);
            let builder = builder.get_or_insert_with(|| TrackBuilder::new(t, path[0], 0.0));
            if line == 0 || !at_shipu {
                builder.reappear(t.max(builder.now()), path[0]);
            } else {
                builder.wait_until(t, Activity::Moored);
            }
            let arrive = builder.sail(&path, speed, Activity::UnderWay);
            if line != 0 && !at_shipu {
                // Alongside at Shipu for a while, then out again.
                t = arrive + rng.int(5 * 60, 18 * 60) as i64 * MINUTE;
                at_shipu = true;
            } else {
                // Away beyond the gate, back a day or two later.
                t = arrive + rng.int(16 * 60, 40 * 60) as i64 * MINUTE;
                at_shipu = false;
                northbound = !northbound;
            }
        }
        let mut builder = builder.expect("at least one voyage");
        if builder.now() < end && at_shipu && line != 0 {
            builder.wait_until(end, Activity::Moored);
        }
        plans.push(Plan::new(vessel, builder));
    }
    plans
}

/// The ferry between Shipu and Tantoushan island: four round trips a day.
pub fn ferry(
    world: &World,
    rng: &mut Rng,
    registry: &mut Registry,
    shipu: &Harbour,
    island: &Berth,
    window: &Window,
) -> Plan {
    let end = window.end;
    let vessel = registry.ferry(rng);
    let berth = &shipu.berths[0];
    let mooring = world.mooring(berth, 0);
    let crossing = world
        .sea
        .route(&berth.anchor, &island.anchor)
        .expect("a ferry route Shipu–Tantoushan");
    let mut builder =
        TrackBuilder::new(local_midnight(window.first_day), mooring, berth.seaward_deg);
    for day in window.first_day..=window.last_day {
        for (h, m) in FERRY_DEPARTURES {
            let depart = local_midnight(day) + h * HOUR + m * MINUTE;
            if depart >= end {
                break;
            }
            builder.wait_until(depart, Activity::Moored);
            builder.sail(&crossing, FERRY_SPEED_KN, Activity::UnderWay);
            let back = builder.now() + FERRY_TURNAROUND_MIN * MINUTE;
            builder.wait_until(back, Activity::Moored);
            builder.sail(&reversed(&crossing), FERRY_SPEED_KN, Activity::UnderWay);
        }
    }
    builder.wait_until(end, Activity::Moored);
    Plan::new(vessel, builder)
}
