//! Rule evaluation cost per message: 5,000 vessels and 300 idle piers spread over the
//! county, at night inside a tide window (so every rule's path runs), reports in time
//! order as the server would feed them, `advance_to` before every report. Synthetic:
//! 60% of vessels under way at 6–12 kn, 25% slow (trawling or drifting at 0–1.9 kn, many
//! in clusters on fishing grounds, so the rendezvous grid has neighbours to judge), 15%
//! lying near piers. Run with `cargo bench -p tidewatch-alerts`.

use std::hint::black_box;
use std::time::Instant;
use tidewatch_alerts::metric::offset_m;
use tidewatch_alerts::*;

const VESSELS: usize = 5_000;
const PIERS: usize = 300;
const HARBOURS: usize = 20;
const MESSAGES: usize = 1_000_000;
/// 2026-11-28 19:00 local: night.
const START_MS: i64 = 1_795_863_600_000;
/// Xiangshan's waters.
const WEST: f64 = 121.55;
const EAST: f64 = 122.30;
const SOUTH: f64 = 28.85;
const NORTH: f64 = 29.65;

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    fn point(&mut self) -> LonLat {
        LonLat::new(self.range(WEST, EAST), self.range(SOUTH, NORTH))
    }
}

struct Sim {
    position: LonLat,
    speed_kn: f64,
    course_deg: f64,
    source: Source,
    interval_ms: i64,
    next_ms: i64,
}

fn main() {
    let mut rng = Rng(988);
    let piers: Vec<Pier> = (0..PIERS)
        .map(|i| Pier {
            id: i as u64 + 1,
            name: format!("Pier {i}"),
            position: rng.point(),
        })
        .collect();
    let harbours: Vec<Harbour> = (0..HARBOURS)
        .map(|i| Harbour {
            name: format!("Harbour {i}"),
            area: Area::Circle {
                centre: rng.point(),
                radius_m: 3_000.0,
            },
        })
        .collect();
    let grounds: Vec<LonLat> = (0..40).map(|_| rng.point()).collect();
    let mut sims: Vec<Sim> = (0..VESSELS)
        .map(|i| {
            let kind = rng.unit();
            let (position, speed_kn) = if kind < 0.60 {
                (rng.point(), rng.range(6.0, 12.0))
            } else if kind < 0.85 {
                let ground = grounds[i % grounds.len()];
                let at = offset_m(ground, rng.range(-3e3, 3e3), rng.range(-3e3, 3e3));
                (at, rng.range(0.0, 1.9))
            } else {
                let pier = piers[i % PIERS].position;
                (
                    offset_m(pier, rng.range(-400.0, 400.0), rng.range(-400.0, 400.0)),
                    rng.range(0.0, 2.5),
                )
            };
            let (source, interval_ms) = match i % 3 {
                0 => (
                    Source::AisClassA,
                    if speed_kn < 0.5 { 180_000 } else { 10_000 },
                ),
                1 => (Source::AisClassB, 30_000),
                _ => (Source::Beidou, 180_000),
            };
            Sim {
                position,
                speed_kn,
                course_deg: rng.range(0.0, 360.0),
                source,
                interval_ms,
                next_ms: START_MS + (rng.unit() * interval_ms as f64) as i64,
            }
        })
        .collect();

    // The messages, in time order (a heap would be tidier; a sweep over whole seconds is
    // simple and the order within a second does not matter).
    let mut reports = Vec::with_capacity(MESSAGES);
    let mut now = START_MS;
    while reports.len() < MESSAGES {
        now += 1_000;
        for (i, sim) in sims.iter_mut().enumerate() {
            if sim.next_ms > now {
                continue;
            }
            let dt_s = sim.interval_ms as f64 / 1000.0;
            let step_m = sim.speed_kn * 1852.0 / 3600.0 * dt_s;
            let (s, c) = sim.course_deg.to_radians().sin_cos();
            sim.position = offset_m(sim.position, step_m * s, step_m * c);
            // Keep inside the county's waters: turn back at the edges.
            if !(WEST..EAST).contains(&sim.position.lon)
                || !(SOUTH..NORTH).contains(&sim.position.lat)
            {
                sim.course_deg = (sim.course_deg + 180.0) % 360.0;
            }
            sim.course_deg = (sim.course_deg + rng.range(-5.0, 5.0)).rem_euclid(360.0);
            reports.push(Report {
                vessel: VesselId(i as u64),
                source: sim.source,
                time_ms: sim.next_ms,
                position: sim.position,
                speed_kn: sim.speed_kn,
                course_deg: sim.course_deg,
                heading_deg: None,
            });
            sim.next_ms += sim.interval_ms;
        }
    }
    reports.sort_by_key(|r| r.time_ms);
    let span_h = (reports.last().map_or(START_MS, |r| r.time_ms) - START_MS) as f64 / 3.6e6;

    let config = Config {
        piers,
        harbours,
        ..Config::default()
    };
    let mut best = f64::INFINITY;
    let mut counts = [0usize; 3];
    for _ in 0..3 {
        let mut engine = Engine::new(config.clone()).expect("config");
        engine.set_tide_windows(vec![TimeSpan {
            start_ms: START_MS,
            end_ms: START_MS + 12 * HOUR_MS,
        }]);
        let mut out = Vec::new();
        counts = [0; 3];
        let started = Instant::now();
        for r in &reports {
            engine.advance_to(r.time_ms, &mut out);
            engine.ingest(r, &mut out).expect("valid");
            for u in out.drain(..) {
                counts[match u {
                    EventUpdate::Opened(_) => 0,
                    EventUpdate::Extended { .. } => 1,
                    EventUpdate::Closed { .. } => 2,
                }] += 1;
            }
        }
        black_box(&engine);
        best = best.min(started.elapsed().as_secs_f64());
    }
    println!(
        "{} messages from {VESSELS} vessels ({span_h:.1} h of traffic), {PIERS} idle piers, {HARBOURS} harbours: \
         best of 3 {:.0} ms, {:.3} µs per message; updates: {} opened, {} extended, {} closed",
        reports.len(),
        best * 1e3,
        best * 1e6 / reports.len() as f64,
        counts[0],
        counts[1],
        counts[2],
    );
}
