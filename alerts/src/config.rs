//! Every threshold of every rule, with the defaults the county's local rules give
//! (docs: domain.md "Suspicious behaviour"), and the places the rules need: idle piers and
//! beaching spots, harbours, and the receivers' coverage. [`Config::validate`] turns a bad
//! value into a [`ConfigError`] before the engine starts.

use crate::metric::LonLat;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use thiserror::Error;
use tidewatch_tides::NightRule;

/// One minute in milliseconds.
pub const MINUTE_MS: i64 = 60_000;
/// One hour in milliseconds.
pub const HOUR_MS: i64 = 60 * MINUTE_MS;
/// One day in milliseconds.
pub const DAY_MS: i64 = 24 * HOUR_MS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    pub dark: DarkConfig,
    pub approach: ApproachConfig,
    pub rendezvous: RendezvousConfig,
    pub loitering: LoiteringConfig,
    pub repeat: RepeatConfig,
    /// Idle piers and beaching spots: the places night approaches are judged against.
    pub piers: Vec<Pier>,
    /// Harbours and port areas: rendezvous, loitering and (unless
    /// [`DarkConfig::in_harbours`]) dark gaps inside them are ordinary.
    pub harbours: Vec<Harbour>,
    /// A position older than this is not used to pair vessels (rendezvous): Beidou-only
    /// vessels report every ~3 min, so two reports of a pair are never simultaneous.
    pub max_position_age_ms: i64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            dark: DarkConfig::default(),
            approach: ApproachConfig::default(),
            rendezvous: RendezvousConfig::default(),
            loitering: LoiteringConfig::default(),
            repeat: RepeatConfig::default(),
            piers: Vec::new(),
            harbours: Vec::new(),
            max_position_age_ms: 10 * MINUTE_MS,
        }
    }
}

/// Expected report intervals per source and how much longer a gap may be before a stream
/// counts as dark. Defaults are the slow end of the published rates (ITU-R M.1371: class A
/// every 2–10 s under way and every 3 min at anchor or moored; class B every 30 s to 3 min;
/// the Beidou fishing-vessel system every ~3 min); set them to what your receivers see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DarkConfig {
    pub ais_class_a_under_way_ms: i64,
    pub ais_class_a_stationary_ms: i64,
    /// A class A vessel slower than this reports at the stationary rate (AIS reports carry
    /// no mooring status here, so speed stands in for it).
    pub ais_class_a_stationary_below_kn: f64,
    pub ais_class_b_ms: i64,
    pub beidou_ms: i64,
    /// A stream is dark once it has been silent for longer than its interval times this.
    pub gap_factor: f64,
    /// Report gaps that start inside a harbour too (boats switch AIS off at their berth).
    pub in_harbours: bool,
    /// The receivers' coverage (rings of the area of interest). A stream falling silent
    /// outside it or within `coverage_edge_m` of its edge has left range, not gone dark.
    /// Empty: everywhere is covered.
    pub coverage: Vec<Vec<LonLat>>,
    pub coverage_edge_m: f64,
}

impl Default for DarkConfig {
    fn default() -> Self {
        DarkConfig {
            ais_class_a_under_way_ms: 10_000,
            ais_class_a_stationary_ms: 180_000,
            ais_class_a_stationary_below_kn: 0.5,
            ais_class_b_ms: 180_000,
            beidou_ms: 180_000,
            gap_factor: 3.0,
            in_harbours: false,
            coverage: Vec::new(),
            coverage_edge_m: 2_000.0,
        }
    }
}

/// Night pier approach: slower than `max_speed_kn` within `max_distance_m` of an idle pier
/// at night.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApproachConfig {
    pub max_speed_kn: f64,
    pub max_distance_m: f64,
    /// `sunset` (the default: Sun below the horizon, civil twilight included), `civil`,
    /// or a fixed Asia/Shanghai clock range like `22:00-05:00`.
    #[serde(with = "night_rule")]
    pub night: NightRule,
}

impl Default for ApproachConfig {
    fn default() -> Self {
        ApproachConfig {
            max_speed_kn: 2.0,
            max_distance_m: 300.0,
            night: NightRule::Sunset,
        }
    }
}

/// Rendezvous at sea: two vessels within `max_distance_m`, both slower than
/// `max_speed_kn`, outside harbours, for at least `min_duration_ms`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RendezvousConfig {
    pub max_distance_m: f64,
    pub max_speed_kn: f64,
    pub min_duration_ms: i64,
}

impl Default for RendezvousConfig {
    fn default() -> Self {
        RendezvousConfig {
            max_distance_m: 500.0,
            max_speed_kn: 2.0,
            min_duration_ms: 20 * MINUTE_MS,
        }
    }
}

/// Loitering: slower than `max_speed_kn` outside harbours for at least `min_duration_ms`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoiteringConfig {
    pub max_speed_kn: f64,
    pub min_duration_ms: i64,
}

impl Default for LoiteringConfig {
    fn default() -> Self {
        LoiteringConfig {
            max_speed_kn: 2.0,
            min_duration_ms: HOUR_MS,
        }
    }
}

/// Repeat visit: a night approach to a pier starting between `min_gap_ms` and
/// `max_gap_ms` (inclusive) after the start of an earlier one by the same vessel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RepeatConfig {
    pub min_gap_ms: i64,
    pub max_gap_ms: i64,
}

impl Default for RepeatConfig {
    fn default() -> Self {
        RepeatConfig {
            min_gap_ms: 2 * DAY_MS,
            max_gap_ms: 5 * DAY_MS,
        }
    }
}

/// An idle pier or beaching spot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pier {
    /// The feature id in the piers layer.
    pub id: u64,
    pub name: String,
    pub position: LonLat,
}

/// A harbour or port area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Harbour {
    pub name: String,
    pub area: Area,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Area {
    Circle {
        centre: LonLat,
        radius_m: f64,
    },
    /// One ring, first point not necessarily repeated.
    Polygon {
        ring: Vec<LonLat>,
    },
}

#[derive(Debug, Error, PartialEq)]
pub enum ConfigError {
    #[error("{field} must be positive and finite, got {value}")]
    NotPositive { field: &'static str, value: f64 },
    #[error("{what} has an invalid position ({lon}, {lat})")]
    InvalidPosition { what: String, lon: f64, lat: f64 },
    #[error("{what} needs at least 3 points, has {points}")]
    RingTooSmall { what: String, points: usize },
    #[error("repeat.min_gap_ms ({min}) must not exceed repeat.max_gap_ms ({max})")]
    RepeatGapOrder { min: i64, max: i64 },
    #[error("pier id {0} appears more than once")]
    DuplicatePier(u64),
}

impl Config {
    /// Checks every threshold and place; the engine refuses a config that fails.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let positive = |field: &'static str, value: f64| {
            if value.is_finite() && value > 0.0 {
                Ok(())
            } else {
                Err(ConfigError::NotPositive { field, value })
            }
        };
        let d = &self.dark;
        positive(
            "dark.ais_class_a_under_way_ms",
            d.ais_class_a_under_way_ms as f64,
        )?;
        positive(
            "dark.ais_class_a_stationary_ms",
            d.ais_class_a_stationary_ms as f64,
        )?;
        positive(
            "dark.ais_class_a_stationary_below_kn",
            d.ais_class_a_stationary_below_kn,
        )?;
        positive("dark.ais_class_b_ms", d.ais_class_b_ms as f64)?;
        positive("dark.beidou_ms", d.beidou_ms as f64)?;
        positive("dark.gap_factor", d.gap_factor)?;
        positive("dark.coverage_edge_m", d.coverage_edge_m)?;
        positive("approach.max_speed_kn", self.approach.max_speed_kn)?;
        positive("approach.max_distance_m", self.approach.max_distance_m)?;
        positive("rendezvous.max_distance_m", self.rendezvous.max_distance_m)?;
        positive("rendezvous.max_speed_kn", self.rendezvous.max_speed_kn)?;
        positive(
            "rendezvous.min_duration_ms",
            self.rendezvous.min_duration_ms as f64,
        )?;
        positive("loitering.max_speed_kn", self.loitering.max_speed_kn)?;
        positive(
            "loitering.min_duration_ms",
            self.loitering.min_duration_ms as f64,
        )?;
        positive("repeat.min_gap_ms", self.repeat.min_gap_ms as f64)?;
        positive("max_position_age_ms", self.max_position_age_ms as f64)?;
        if self.repeat.min_gap_ms > self.repeat.max_gap_ms {
            return Err(ConfigError::RepeatGapOrder {
                min: self.repeat.min_gap_ms,
                max: self.repeat.max_gap_ms,
            });
        }
        let check_position = |what: String, p: LonLat| {
            if p.is_valid() {
                Ok(())
            } else {
                Err(ConfigError::InvalidPosition {
                    what,
                    lon: p.lon,
                    lat: p.lat,
                })
            }
        };
        let check_ring = |what: String, ring: &[LonLat]| {
            if ring.len() < 3 {
                return Err(ConfigError::RingTooSmall {
                    what,
                    points: ring.len(),
                });
            }
            ring.iter()
                .try_for_each(|&p| check_position(what.clone(), p))
        };
        let mut ids = HashSet::new();
        for pier in &self.piers {
            check_position(format!("pier {}", pier.id), pier.position)?;
            if !ids.insert(pier.id) {
                return Err(ConfigError::DuplicatePier(pier.id));
            }
        }
        for harbour in &self.harbours {
            let what = format!("harbour {}", harbour.name);
            match &harbour.area {
                Area::Circle { centre, radius_m } => {
                    check_position(what, *centre)?;
                    positive("harbour radius_m", *radius_m)?;
                }
                Area::Polygon { ring } => check_ring(what, ring)?,
            }
        }
        for (i, ring) in self.dark.coverage.iter().enumerate() {
            check_ring(format!("coverage ring {i}"), ring)?;
        }
        Ok(())
    }
}

/// [`NightRule`] as the text [`NightRule::parse`] reads.
mod night_rule {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};
    use tidewatch_tides::NightRule;

    pub fn serialize<S: Serializer>(rule: &NightRule, s: S) -> Result<S::Ok, S::Error> {
        match *rule {
            NightRule::Civil => s.serialize_str("civil"),
            NightRule::Sunset => s.serialize_str("sunset"),
            NightRule::Clock {
                start_minute,
                end_minute,
            } => s.serialize_str(&format!(
                "{:02}:{:02}-{:02}:{:02}",
                start_minute / 60,
                start_minute % 60,
                end_minute / 60,
                end_minute % 60
            )),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NightRule, D::Error> {
        let text = String::deserialize(d)?;
        NightRule::parse(&text).map_err(D::Error::custom)
    }
}
