//! Decode throughput on one thread: `cargo bench -p tidewatch-nmea --bench decode`.
//!
//! 1. Position reports (types 1 and 18, half each), the bulk of any AIS feed: about a million
//!    distinct sentences made by the encoder, fed through one decoder, best of 5 runs.
//! 2. pyais's real sample feed (mixed types, empty payloads, lone fragments), repeated to about
//!    a million lines, best of 5 runs.

use std::hint::black_box;
use std::time::{Duration, Instant};

use tidewatch_nmea::encode::position_sentences;
use tidewatch_nmea::{Decoder, PositionReport};

const POSITION_SENTENCES: usize = 1 << 20;
const RUNS: usize = 5;

/// Lines kept in one buffer, as a receiver's read buffer would hold them.
struct Lines {
    text: Vec<u8>,
    ends: Vec<usize>,
}

impl Lines {
    fn new() -> Self {
        Lines {
            text: Vec::new(),
            ends: Vec::new(),
        }
    }

    fn push(&mut self, line: &[u8]) {
        self.text.extend_from_slice(line);
        self.ends.push(self.text.len());
    }

    fn iter(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(self.ends.iter()).map(|(s, &e)| &self.text[s..e])
    }
}

/// Positions along the Zhejiang coast, deterministic.
fn position_lines() -> Lines {
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut random = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut lines = Lines::new();
    for i in 0..POSITION_SENTENCES {
        let mmsi = 412_000_000 + (i as u32 % 50_000);
        let lon = 121.5 + random();
        let lat = 28.5 + random() * 1.5;
        let speed = Some(random() * 15.0);
        let course = Some(random() * 359.9);
        let second = (i % 60) as u8;
        let report = if i % 2 == 0 {
            PositionReport::class_a(
                mmsi,
                lon,
                lat,
                speed,
                course,
                course.map(f64::round),
                second,
            )
        } else {
            PositionReport::class_b(mmsi, lon, lat, speed, course, None, second)
        };
        let channel = if i % 3 == 0 { 'B' } else { 'A' };
        for sentence in position_sentences(&report, channel, None) {
            lines.push(sentence.as_bytes());
        }
    }
    lines
}

fn pyais_lines() -> Lines {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/data/ais/pyais-nmea-data-sample.txt"
    );
    let text = std::fs::read(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let file_lines: Vec<&[u8]> = text
        .split(|&b| b == b'\n')
        .filter(|l| !l.trim_ascii().is_empty())
        .collect();
    let mut lines = Lines::new();
    while lines.ends.len() < POSITION_SENTENCES {
        for line in &file_lines {
            lines.push(line);
        }
    }
    lines
}

/// Best of [`RUNS`]: (elapsed, messages decoded).
fn best_run(lines: &Lines) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut decoded = 0;
    for _ in 0..RUNS {
        let mut decoder = Decoder::new();
        let mut ok = 0;
        let start = Instant::now();
        for (n, line) in lines.iter().enumerate() {
            if let Ok(Some(message)) = decoder.feed(black_box(line), n as u64 / 1000) {
                black_box(&message);
                ok += 1;
            }
        }
        let elapsed = start.elapsed();
        best = best.min(elapsed);
        decoded = ok;
    }
    (best, decoded)
}

fn report(name: &str, lines: &Lines) {
    let (elapsed, decoded) = best_run(lines);
    let count = lines.ends.len();
    println!(
        "{name}: {count} lines, {decoded} messages, best of {RUNS}: {:.1} ms = {:.2} M lines/s ({:.0} ns/line)",
        elapsed.as_secs_f64() * 1e3,
        count as f64 / elapsed.as_secs_f64() / 1e6,
        elapsed.as_nanos() as f64 / count as f64,
    );
}

fn main() {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    println!("decode benchmark, one thread, {cpu}");
    report("position reports (types 1/18)", &position_lines());
    report("pyais sample (mixed)", &pyais_lines());
}
