//! The scripted smuggling runs, after the county's own account (seed-zh.txt, domain.md):
//! a boat disguised as a fishing vessel meets a mother ship offshore at night, switches its
//! AIS off more than 10 km out, unloads at an idle pier in a hot-spot town for 90 minutes
//! around the night's high water, switches AIS back on offshore and goes home; two nights
//! later it comes back to the same pier.

use super::fleet::{fishing_trip, gate, Harbour, Plan, Registry, Trip, EAST_GATES};
use super::sea::Anchor;
use super::track::{duration_ms, split_at, split_from_end, Activity, TrackBuilder, KNOT_MPS};
use super::world::{from_mooring, to_mooring, Berth, World};
use super::{
    format_local, local_midnight, local_time_of_day_ms, night_high_water, DemoVessel,
    ScriptedEpisode, VesselRole, Window, HOUR, MINUTE, SMUGGLING_NIGHTS,
};
use crate::geodesy::{distance_m, offset, round6};
use crate::rng::Rng;
use geo::Coord;

/// Towns whose idle piers the smugglers use (domain.md).
pub const HOTSPOT_TOWNS_ZH: [&str; 3] = ["高塘", "鹤浦", "定山"];
/// The pier must be on land this large (goods go on by road, not stay on an islet).
const MIN_LAND_KM2: f64 = 5.0;
/// The meeting and the AIS coming back on happen this far from shore at least (rule:
/// > 10 km; the AIS goes off a minute's slow steaming, ~120 m, after the meeting).
const OFFSHORE_M: f64 = 11_200.0;
/// Meeting and back-on points are drawn among open water up to this much farther from the
/// pier than the nearest, and the back-on point at least APART_M from the meeting.
const BAND_M: f64 = 8_000.0;
const APART_M: f64 = 3_000.0;
/// The loitering rule: stopped more than this far from any town or port.
const LOITER_TOWN_M: f64 = 3_000.0;
/// Routes at sea are about this much longer than the straight line.
const DETOUR: f64 = 1.15;
/// Open water at least this far from land (chamfer estimate) is searched for meeting points.
const FAR_LAND_M: f64 = 11_500.0;
const PIER_STAY_HALF_MS: i64 = 45 * MINUTE;
const RENDEZVOUS_MS: i64 = 35 * MINUTE;
/// The mother ship waits this long at anchor before the smuggler comes alongside, and this
/// long after it leaves.
const MOTHER_EARLY_MS: i64 = 60 * MINUTE;
const MOTHER_LATE_MS: i64 = 15 * MINUTE;
/// Alongside the mother ship, this far apart.
const ALONGSIDE_M: f64 = 35.0;
/// The AIS goes off this long after the smuggler leaves the mother ship.
const AIS_OFF_AFTER_MS: i64 = MINUTE;
/// Speeds: to the meeting, the dark run, the slow last/first stretch near a stop, home.
const OUT_KN: f64 = 9.0;
const DARK_KN: f64 = 10.0;
const SLOW_KN: f64 = 4.0;
const SLOW_M: f64 = 500.0;
const HOME_KN: f64 = 8.0;
const MOTHER_KN: f64 = 10.0;
/// Local-time limits: AIS off no earlier than 22:05; the gap 3 h 15 min – 4 h 45 min.
const AIS_OFF_EARLIEST_MS: i64 = 22 * HOUR + 5 * MINUTE;
const GAP_MS: (i64, i64) = (3 * HOUR + 15 * MINUTE, 4 * HOUR + 45 * MINUTE);

/// The smuggler, the mother ship and the ground truth.
pub struct Smuggling {
    pub smuggler: Plan,
    pub mother: Plan,
    pub episodes: Vec<ScriptedEpisode>,
}

/// One night's run, fully timed before anything is built.
struct Run {
    night: u32,
    high_water: i64,
    depart_home: i64,
    to_meeting: Vec<Coord>,
    meet_start: i64,
    meet_end: i64,
    to_pier: Vec<Coord>,
    from_pier: Vec<Coord>,
    ais_on: i64,
    home: Vec<Coord>,
    mother_pos: Coord,
    mother_in: Vec<Coord>,
    mother_out: Vec<Coord>,
}

impl Run {
    fn ais_off(&self) -> i64 {
        self.meet_end + AIS_OFF_AFTER_MS
    }
    fn pier_arrive(&self) -> i64 {
        self.high_water - PIER_STAY_HALF_MS
    }
    fn pier_leave(&self) -> i64 {
        self.high_water + PIER_STAY_HALF_MS
    }
    fn mother_arrive(&self) -> i64 {
        self.meet_start - MOTHER_EARLY_MS
    }
    fn mother_leave(&self) -> i64 {
        self.meet_end + MOTHER_LATE_MS
    }
}

/// Duration of `path` at `fast` but for its last `SLOW_M` at `SLOW_KN`.
fn arriving_ms(path: &[Coord], fast: f64) -> i64 {
    let (head, tail) = split_from_end(path, SLOW_M);
    duration_ms(&head, fast) + duration_ms(&tail, SLOW_KN)
}

/// Duration of `path` at `fast` but for its first `SLOW_M` at `SLOW_KN`.
fn leaving_ms(path: &[Coord], fast: f64) -> i64 {
    let (head, tail) = split_at(path, SLOW_M);
    duration_ms(&head, SLOW_KN) + duration_ms(&tail, fast)
}

fn sail_arriving(builder: &mut TrackBuilder, path: &[Coord], fast: f64) -> i64 {
    let (head, tail) = split_from_end(path, SLOW_M);
    builder.sail(&head, fast, Activity::UnderWay);
    builder.sail(&tail, SLOW_KN, Activity::UnderWay)
}

fn sail_leaving(builder: &mut TrackBuilder, path: &[Coord], fast: f64) -> i64 {
    let (head, tail) = split_at(path, SLOW_M);
    builder.sail(&head, SLOW_KN, Activity::UnderWay);
    builder.sail(&tail, fast, Activity::UnderWay)
}

/// Cheap flat distance for ranking candidates.
fn flat_m(a: Coord, b: Coord) -> f64 {
    let kx = 111_195.08 * a.y.to_radians().cos();
    ((a.x - b.x) * kx).hypot((a.y - b.y) * 111_195.08)
}

/// Open-water cells far from land, nearest to `p` first.
fn far_cells_by_distance(world: &World, far: &[usize], p: Coord) -> Vec<usize> {
    let mut cells: Vec<(f64, usize)> = far
        .iter()
        .map(|&c| (flat_m(p, world.sea.centre(c)), c))
        .collect();
    cells.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    cells.into_iter().map(|(_, c)| c).collect()
}

/// The idle hot-spot pier the smuggler uses: one of the three nearest to open water.
fn choose_pier(world: &World, rng: &mut Rng, far: &[usize]) -> Berth {
    let mut candidates: Vec<(f64, Berth)> = (0..world.piers.len())
        .filter(|&i| {
            let pier = &world.piers[i];
            pier.idle
                && HOTSPOT_TOWNS_ZH.contains(&pier.town_zh.as_str())
                && world
                    .shore
                    .nearest(pier.position)
                    .is_some_and(|(segment, _)| segment.land_km2 >= MIN_LAND_KM2)
        })
        .filter_map(|i| world.berth(i))
        .map(|berth| {
            let nearest = far
                .iter()
                .map(|&c| flat_m(berth.point, world.sea.centre(c)))
                .fold(f64::INFINITY, f64::min);
            (nearest, berth)
        })
        .collect();
    candidates.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.pier.cmp(&b.1.pier)));
    assert!(
        !candidates.is_empty(),
        "no idle pier in Gaotang, Hepu or Dingshan joins the sea"
    );
    let pick = rng.below(candidates.len().min(3));
    candidates.swap_remove(pick).1
}

/// Plans the run of `night` to `pier` from the smuggler's home mooring.
#[allow(clippy::too_many_arguments)]
fn plan_run(
    world: &World,
    rng: &mut Rng,
    far: &[usize],
    home: &Harbour,
    home_berth: usize,
    mooring: Coord,
    pier: &Berth,
    night: u32,
) -> Run {
    let high_water =
        night_high_water(night).unwrap_or_else(|| panic!("no high water listed for night {night}"));
    let pier_arrive = high_water - PIER_STAY_HALF_MS;
    let pier_leave = high_water + PIER_STAY_HALF_MS;
    let by_distance = far_cells_by_distance(world, far, pier.point);
    assert!(!by_distance.is_empty(), "no open water far enough offshore");
    // Candidates are tried from a random one among those within BAND_M of the nearest.
    let nearest = flat_m(pier.point, world.sea.centre(by_distance[0]));
    let band = by_distance
        .partition_point(|&c| flat_m(pier.point, world.sea.centre(c)) <= nearest + BAND_M);
    let bearing = rng.range(0.0, 360.0);
    let meet_skip = rng.below(band);
    let order = |skip: usize| {
        by_distance[skip..]
            .iter()
            .chain(&by_distance[..skip])
            .copied()
    };

    // The meeting point: offshore, close enough that the AIS can go off after 22:05.
    let (meeting, mother_pos, to_pier, meet_end) = order(meet_skip)
        .take(400)
        .find_map(|cell| {
            let mother_pos = world.sea.centre(cell);
            let meeting = offset(mother_pos, bearing, ALONGSIDE_M);
            if !world.sea.navigable_at(meeting)
                || world.shore_distance_m(mother_pos) < OFFSHORE_M
                || world.shore_distance_m(meeting) < OFFSHORE_M
            {
                return None;
            }
            let anchor = world.sea.anchor(meeting)?;
            let to_pier = world.sea.route(&anchor, &pier.anchor)?;
            let meet_end = pier_arrive - arriving_ms(&to_pier, DARK_KN);
            let off = local_time_of_day_ms(meet_end + AIS_OFF_AFTER_MS);
            // After 22:05 on the evening of the night, or after midnight.
            let dark = !(6 * HOUR..AIS_OFF_EARLIEST_MS).contains(&off);
            let same_night =
                meet_end + AIS_OFF_AFTER_MS >= local_midnight(i64::from(night) - 1) + 18 * HOUR;
            (dark && same_night).then_some((anchor, mother_pos, to_pier, meet_end))
        })
        .unwrap_or_else(|| panic!("no meeting point offshore fits night {night}"));
    let ais_off = meet_end + AIS_OFF_AFTER_MS;

    // Where the AIS comes back on: offshore again, far enough out that the gap lasts
    // 3¼–4¾ hours: candidates at about the straight distance that takes, nearest first.
    let target_gap = rng.range(3.6, 4.2) * HOUR as f64;
    let run_m = (target_gap - (pier_leave - ais_off) as f64) / 1000.0 * DARK_KN * KNOT_MPS;
    let want_m = run_m / DETOUR;
    let mut back_on: Vec<(f64, usize)> = by_distance
        .iter()
        .map(|&c| ((flat_m(pier.point, world.sea.centre(c)) - want_m).abs(), c))
        .filter(|&(_, c)| flat_m(mother_pos, world.sea.centre(c)) >= APART_M)
        .collect();
    back_on.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let skip = rng.below(back_on.len().min(200));
    let (back_on_anchor, from_pier, ais_on) = back_on[skip..]
        .iter()
        .chain(&back_on[..skip])
        .map(|&(_, c)| c)
        .take(400)
        .find_map(|cell| {
            let p = world.sea.centre(cell);
            if world.shore_distance_m(p) < OFFSHORE_M {
                return None;
            }
            let anchor = world.sea.anchor(p)?;
            let from_pier = world.sea.route(&pier.anchor, &anchor)?;
            let ais_on = pier_leave + leaving_ms(&from_pier, DARK_KN);
            (GAP_MS.0..=GAP_MS.1)
                .contains(&(ais_on - ais_off))
                .then_some((anchor, from_pier, ais_on))
        })
        .unwrap_or_else(|| panic!("no place to switch AIS back on fits night {night}"));

    let to_meeting = from_mooring(
        world,
        mooring,
        &home
            .route_to(world, home_berth, &meeting)
            .expect("a route from home to the meeting point"),
    );
    let meet_start = meet_end - RENDEZVOUS_MS;
    let depart_home = meet_start - arriving_ms(&to_meeting, OUT_KN);
    let home_path = to_mooring(
        world,
        &home
            .route_to(world, home_berth, &back_on_anchor)
            .expect("a route home"),
        mooring,
    );

    // The mother ship comes in from the open sea and leaves the other way.
    let mother_anchor = Anchor {
        link: vec![mother_pos],
        cell: world.sea.cell_of(mother_pos).expect("on the grid"),
    };
    let gates: Vec<Anchor> = EAST_GATES
        .iter()
        .map(|&g| gate(world, g).expect("a gate east"))
        .collect();
    let first = rng.below(2);
    let mother_in = world
        .sea
        .route(&gates[first], &mother_anchor)
        .expect("a route in for the mother ship");
    let mother_out = world
        .sea
        .route(&mother_anchor, &gates[1 - first])
        .expect("a route out for the mother ship");

    Run {
        night,
        high_water,
        depart_home,
        to_meeting,
        meet_start,
        meet_end,
        to_pier,
        from_pier,
        ais_on,
        home: home_path,
        mother_pos,
        mother_in,
        mother_out,
    }
}

/// Builds the smuggler (a fishing boat that also fishes by day) and the mother ship, and the
/// episodes they enact.
#[allow(clippy::too_many_arguments)]
pub fn smuggling(
    world: &World,
    rng: &mut Rng,
    registry: &mut Registry,
    home: &Harbour,
    home_slot: usize,
    window: &Window,
    smuggler_index: usize,
    mother_index: usize,
) -> Smuggling {
    let far = world.sea.open_water(6, FAR_LAND_M);
    let smuggler_vessel = registry.fishing_vessel(rng, true, VesselRole::Smuggler);
    let mother_vessel = mother_ship(registry, rng);
    let pier = choose_pier(world, rng, &far);
    let home_berth = home_slot % home.berths.len();
    let mooring = world.mooring(&home.berths[home_berth], home_slot / home.berths.len());
    let runs: Vec<Run> = SMUGGLING_NIGHTS
        .iter()
        .map(|&night| plan_run(world, rng, &far, home, home_berth, mooring, &pier, night))
        .collect();

    // The smuggler: fishing by day except the mornings after a run, the runs by night.
    let mut builder = TrackBuilder::new(
        local_midnight(window.first_day),
        mooring,
        home.berths[home_berth].seaward_deg,
    );
    for day in window.first_day..=window.last_day {
        let run = runs.iter().find(|r| i64::from(r.night) - 1 == day);
        let after_run = runs.iter().any(|r| i64::from(r.night) == day);
        if !after_run {
            let trip = Trip {
                harbour: home,
                berth: home_berth,
                mooring,
                day,
                latest_return: run.map(|r| r.depart_home - HOUR),
            };
            fishing_trip(world, rng, &mut builder, &trip);
        }
        if let Some(run) = run {
            assert!(
                builder.now() <= run.depart_home,
                "run {} starts too early",
                run.night
            );
            builder.wait_until(run.depart_home, Activity::Moored);
            let at_meeting = sail_arriving(&mut builder, &run.to_meeting, OUT_KN);
            debug_assert_eq!(at_meeting, run.meet_start);
            builder.wait_until(run.meet_end, Activity::Anchored);
            let at_pier = sail_arriving(&mut builder, &run.to_pier, DARK_KN);
            debug_assert_eq!(at_pier, run.pier_arrive());
            builder.wait_until(run.pier_leave(), Activity::Moored);
            let back_on = sail_leaving(&mut builder, &run.from_pier, DARK_KN);
            debug_assert_eq!(back_on, run.ais_on);
            builder.sail(&run.home, HOME_KN, Activity::UnderWay);
        }
    }
    builder.wait_until(window.end, Activity::Moored);
    let mut smuggler = Plan::new(smuggler_vessel, builder);
    smuggler.ais_off = runs.iter().map(|r| (r.ais_off(), r.ais_on)).collect();

    // The mother ship: in from the open sea, at anchor, out again; out of range otherwise.
    let mut builder: Option<TrackBuilder> = None;
    for run in &runs {
        let appear = run.mother_arrive() - arriving_ms(&run.mother_in, MOTHER_KN);
        let b = builder.get_or_insert_with(|| TrackBuilder::new(appear, run.mother_in[0], 270.0));
        b.reappear(appear, run.mother_in[0]);
        sail_arriving(b, &run.mother_in, MOTHER_KN);
        b.wait_until(run.mother_leave(), Activity::Anchored);
        sail_leaving(b, &run.mother_out, MOTHER_KN);
    }
    let mother = Plan::new(mother_vessel, builder.expect("at least one run"));

    let episodes = episodes(
        world,
        &runs,
        &pier,
        &smuggler,
        &mother,
        smuggler_index,
        mother_index,
    );
    Smuggling {
        smuggler,
        mother,
        episodes,
    }
}

fn mother_ship(registry: &mut Registry, rng: &mut Rng) -> DemoVessel {
    let mut vessel = registry.cargo_vessel(rng, VesselRole::MotherShip);
    vessel.name = "HONG YUN 18".to_owned();
    vessel.name_zh = "鸿运18".to_owned();
    vessel.length_m = 88;
    vessel.beam_m = 14;
    vessel
}

fn km(metres: f64) -> String {
    format!("{:.1} km", metres / 1000.0)
}

fn episodes(
    world: &World,
    runs: &[Run],
    pier: &Berth,
    smuggler: &Plan,
    mother: &Plan,
    s: usize,
    m: usize,
) -> Vec<ScriptedEpisode> {
    let info = &world.piers[pier.pier];
    let nearest_town = |p: Coord| {
        world
            .places
            .iter()
            .filter(|place| super::is_harbour_place(place))
            .map(|place| distance_m(place.position, p))
            .fold(f64::INFINITY, f64::min)
    };
    let at =
        |plan: &Plan, t: i64| round6(plan.track.at(t).expect("the vessel is in range").position);
    let mut out = Vec::new();
    for run in runs {
        let off_pos = at(smuggler, run.ais_off());
        let on_pos = at(smuggler, run.ais_on);
        let m_pos = round6(run.mother_pos);
        let hw = format_local(run.high_water);
        out.push(ScriptedEpisode {
            kind: "rendezvous",
            vessels: vec![s, m],
            start_unix_ms: run.meet_start,
            end_unix_ms: run.meet_end,
            pier_id: None,
            lon: m_pos.x,
            lat: m_pos.y,
            note: format!(
                "Night {}: {} lies alongside the mother ship {} ({ALONGSIDE_M} m apart, both \
                 stopped) from {} for {} min, {} offshore; both AIS on",
                run.night,
                smuggler.vessel.name,
                mother.vessel.name,
                format_local(run.meet_start),
                RENDEZVOUS_MS / MINUTE,
                km(world.shore_distance_m(run.mother_pos)),
            ),
        });
        out.push(ScriptedEpisode {
            kind: "loitering",
            vessels: vec![m],
            start_unix_ms: run.mother_arrive(),
            end_unix_ms: run.mother_leave(),
            pier_id: None,
            lon: m_pos.x,
            lat: m_pos.y,
            note: format!(
                "Night {}: the mother ship {} waits at anchor from {} for {} min, {} offshore \
                 and {} from the nearest town",
                run.night,
                mother.vessel.name,
                format_local(run.mother_arrive()),
                (run.mother_leave() - run.mother_arrive()) / MINUTE,
                km(world.shore_distance_m(run.mother_pos)),
                km(nearest_town(run.mother_pos)),
            ),
        });
        out.push(ScriptedEpisode {
            kind: "ais_off",
            vessels: vec![s],
            start_unix_ms: run.ais_off(),
            end_unix_ms: run.ais_on,
            pier_id: Some(info.id),
            lon: off_pos.x,
            lat: off_pos.y,
            note: format!(
                "Night {}: {} switches AIS off {} offshore at {} and back on {} offshore at {} \
                 ({} min dark, back on at {:.6},{:.6}); Beidou reports every 3 min throughout",
                run.night,
                smuggler.vessel.name,
                km(world.shore_distance_m(off_pos)),
                format_local(run.ais_off()),
                km(world.shore_distance_m(on_pos)),
                format_local(run.ais_on),
                (run.ais_on - run.ais_off()) / MINUTE,
                on_pos.x,
                on_pos.y,
            ),
        });
        let pier_town_m = nearest_town(pier.point);
        if pier_town_m > LOITER_TOWN_M {
            out.push(ScriptedEpisode {
                kind: "loitering",
                vessels: vec![s],
                start_unix_ms: run.pier_arrive(),
                end_unix_ms: run.pier_leave(),
                pier_id: Some(info.id),
                lon: info.position.x,
                lat: info.position.y,
                note: format!(
                    "Night {}: the stay of {} at the idle pier {} ({} min, {} from the nearest \
                     town) also meets the loitering rule",
                    run.night,
                    smuggler.vessel.name,
                    info.name_en,
                    (run.pier_leave() - run.pier_arrive()) / MINUTE,
                    km(pier_town_m),
                ),
            });
        }
        out.push(ScriptedEpisode {
            kind: "pier_approach",
            vessels: vec![s],
            start_unix_ms: run.pier_arrive(),
            end_unix_ms: run.pier_leave(),
            pier_id: Some(info.id),
            lon: info.position.x,
            lat: info.position.y,
            note: format!(
                "Night {}: {} lies at the idle pier {} ({}), {} m off its head, from {} to {}, \
                 centred on the night's high water {} (Kanmen)",
                run.night,
                smuggler.vessel.name,
                info.name_en,
                info.town_en,
                distance_m(info.position, pier.point).round(),
                format_local(run.pier_arrive()),
                format_local(run.pier_leave()),
                hw,
            ),
        });
    }
    if let [first, .., last] = runs {
        out.push(ScriptedEpisode {
            kind: "repeat_visit",
            vessels: vec![s],
            start_unix_ms: first.pier_arrive(),
            end_unix_ms: last.pier_leave(),
            pier_id: Some(info.id),
            lon: info.position.x,
            lat: info.position.y,
            note: format!(
                "{} visits the idle pier {} ({}) again on night {}, {:.1} days after night {}",
                smuggler.vessel.name,
                info.name_en,
                info.town_en,
                last.night,
                (last.high_water - first.high_water) as f64 / 86_400_000.0,
                first.night,
            ),
        });
    }
    out.sort_by_key(|e| (e.start_unix_ms, e.kind));
    out
}
