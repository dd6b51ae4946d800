//! Sensor models: radars (all-round, range limited by the radar horizon) and cameras
//! (a sector with a day and a night range), their status and validation.

use crate::error::SensorError;

/// Which camera range applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    Day,
    Night,
}

/// Only working sensors count towards coverage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Working,
    Failed,
}

/// The two kinds of sensor, for filtering and per-type summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SensorType {
    Radar,
    Camera,
}

impl SensorType {
    pub const ALL: [SensorType; 2] = [SensorType::Radar, SensorType::Camera];

    pub fn as_str(self) -> &'static str {
        match self {
            SensorType::Radar => "radar",
            SensorType::Camera => "camera",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// Standard target height for small boats when the caller has no better figure.
pub const DEFAULT_TARGET_HEIGHT_M: f64 = 3.0;

/// A coastal radar: sees all round, out to min(rated range, radar horizon).
#[derive(Debug, Clone, PartialEq)]
pub struct Radar {
    pub lon: f64,
    pub lat: f64,
    pub antenna_height_m: f64,
    pub rated_range_m: f64,
    /// Height of the boats to be detected (use [`DEFAULT_TARGET_HEIGHT_M`] without a better figure).
    pub target_height_m: f64,
}

/// A camera: a sector around `bearing_deg` (clockwise from north) `fov_deg` wide.
#[derive(Debug, Clone, PartialEq)]
pub struct Camera {
    pub lon: f64,
    pub lat: f64,
    pub height_m: f64,
    pub bearing_deg: f64,
    pub fov_deg: f64,
    pub range_day_m: f64,
    pub range_night_m: f64,
    pub thermal: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SensorKind {
    Radar(Radar),
    Camera(Camera),
}

/// A sensor with its id (unique within one analysis) and status.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensor {
    pub id: String,
    pub status: Status,
    pub kind: SensorKind,
}

/// Radar horizon with standard refraction (k = 4/3): d[km] = 4.12·(√h_antenna + √h_target).
pub fn radar_horizon_m(antenna_height_m: f64, target_height_m: f64) -> f64 {
    4120.0 * (antenna_height_m.sqrt() + target_height_m.sqrt())
}

impl Sensor {
    pub fn radar(id: impl Into<String>, status: Status, radar: Radar) -> Self {
        Self {
            id: id.into(),
            status,
            kind: SensorKind::Radar(radar),
        }
    }

    pub fn camera(id: impl Into<String>, status: Status, camera: Camera) -> Self {
        Self {
            id: id.into(),
            status,
            kind: SensorKind::Camera(camera),
        }
    }

    pub fn sensor_type(&self) -> SensorType {
        match self.kind {
            SensorKind::Radar(_) => SensorType::Radar,
            SensorKind::Camera(_) => SensorType::Camera,
        }
    }

    pub fn is_working(&self) -> bool {
        self.status == Status::Working
    }

    /// (lon, lat) in degrees.
    pub fn position(&self) -> (f64, f64) {
        match &self.kind {
            SensorKind::Radar(r) => (r.lon, r.lat),
            SensorKind::Camera(c) => (c.lon, c.lat),
        }
    }

    pub(crate) fn set_position(&mut self, lon: f64, lat: f64) {
        match &mut self.kind {
            SensorKind::Radar(r) => (r.lon, r.lat) = (lon, lat),
            SensorKind::Camera(c) => (c.lon, c.lat) = (lon, lat),
        }
    }

    /// The distance out to which the sensor sees a target, before land is considered.
    pub fn usable_range_m(&self, mode: Mode) -> f64 {
        match &self.kind {
            SensorKind::Radar(r) => r
                .rated_range_m
                .min(radar_horizon_m(r.antenna_height_m, r.target_height_m)),
            SensorKind::Camera(c) => match mode {
                Mode::Day => c.range_day_m,
                Mode::Night => c.range_night_m,
            },
        }
    }

    /// (bearing, field of view) in degrees; a radar looks all round.
    pub fn sector_deg(&self) -> (f64, f64) {
        match &self.kind {
            SensorKind::Radar(_) => (0.0, 360.0),
            SensorKind::Camera(c) => (c.bearing_deg, c.fov_deg),
        }
    }

    /// Checks every number; the first problem found is returned.
    pub fn validate(&self) -> Result<(), SensorError> {
        let id = || self.id.clone();
        if self.id.is_empty() {
            return Err(SensorError::EmptyId);
        }
        let (lon, lat) = self.position();
        if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
            return Err(SensorError::BadPosition { id: id(), lon, lat });
        }
        let range = |field, value: f64| {
            if value.is_finite() && value > 0.0 {
                Ok(())
            } else {
                Err(SensorError::BadRange {
                    id: id(),
                    field,
                    value,
                })
            }
        };
        let height = |field, value: f64| {
            if value.is_finite() && value >= 0.0 {
                Ok(())
            } else {
                Err(SensorError::BadHeight {
                    id: id(),
                    field,
                    value,
                })
            }
        };
        match &self.kind {
            SensorKind::Radar(r) => {
                height("antenna_height_m", r.antenna_height_m)?;
                height("target_height_m", r.target_height_m)?;
                range("rated_range_m", r.rated_range_m)?;
                // A zero-height antenna looking for zero-height targets has no horizon.
                range(
                    "horizon",
                    radar_horizon_m(r.antenna_height_m, r.target_height_m),
                )
            }
            SensorKind::Camera(c) => {
                height("height_m", c.height_m)?;
                range("range_day_m", c.range_day_m)?;
                range("range_night_m", c.range_night_m)?;
                if !(0.0..360.0).contains(&c.bearing_deg) {
                    return Err(SensorError::BadBearing {
                        id: id(),
                        value: c.bearing_deg,
                    });
                }
                if !(c.fov_deg > 0.0 && c.fov_deg <= 360.0) {
                    return Err(SensorError::BadFov {
                        id: id(),
                        value: c.fov_deg,
                    });
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn camera() -> Camera {
        Camera {
            lon: 121.9,
            lat: 29.3,
            height_m: 10.0,
            bearing_deg: 90.0,
            fov_deg: 60.0,
            range_day_m: 1000.0,
            range_night_m: 300.0,
            thermal: false,
        }
    }

    #[test]
    fn radar_horizon_matches_the_check_value() {
        // docs/domain.md: antenna 50 m, target 3 m → 36.3 km.
        let d = radar_horizon_m(50.0, 3.0);
        assert!((d - 36_300.0).abs() <= 100.0, "{d}");
        let radar = Sensor::radar(
            "r",
            Status::Working,
            Radar {
                lon: 122.0,
                lat: 29.0,
                antenna_height_m: 50.0,
                rated_range_m: 60_000.0,
                target_height_m: DEFAULT_TARGET_HEIGHT_M,
            },
        );
        assert_eq!(radar.usable_range_m(Mode::Day), d);
        let mut short = radar.clone();
        if let SensorKind::Radar(r) = &mut short.kind {
            r.rated_range_m = 20_000.0;
        }
        assert_eq!(short.usable_range_m(Mode::Night), 20_000.0);
    }

    #[test]
    fn mode_picks_the_camera_range() {
        let c = Sensor::camera("c", Status::Working, camera());
        assert_eq!(c.usable_range_m(Mode::Day), 1000.0);
        assert_eq!(c.usable_range_m(Mode::Night), 300.0);
    }

    #[test]
    fn bad_numbers_are_typed_errors() {
        let with = |f: &dyn Fn(&mut Camera)| {
            let mut c = camera();
            f(&mut c);
            Sensor::camera("cam-7", Status::Working, c).validate()
        };
        assert!(with(&|_| ()).is_ok());
        assert!(matches!(
            with(&|c| c.range_day_m = -5.0),
            Err(SensorError::BadRange {
                field: "range_day_m",
                ..
            })
        ));
        assert!(matches!(
            with(&|c| c.range_night_m = 0.0),
            Err(SensorError::BadRange {
                field: "range_night_m",
                ..
            })
        ));
        assert!(matches!(
            with(&|c| c.range_day_m = f64::NAN),
            Err(SensorError::BadRange { .. })
        ));
        assert!(matches!(
            with(&|c| c.bearing_deg = 400.0),
            Err(SensorError::BadBearing { value, .. }) if value == 400.0
        ));
        assert!(matches!(
            with(&|c| c.bearing_deg = 360.0),
            Err(SensorError::BadBearing { .. })
        ));
        assert!(matches!(
            with(&|c| c.fov_deg = 0.0),
            Err(SensorError::BadFov { .. })
        ));
        assert!(matches!(
            with(&|c| c.fov_deg = 361.0),
            Err(SensorError::BadFov { .. })
        ));
        assert!(matches!(
            with(&|c| c.lat = f64::NAN),
            Err(SensorError::BadPosition { .. })
        ));
        assert!(matches!(
            with(&|c| c.lon = 190.0),
            Err(SensorError::BadPosition { .. })
        ));
        assert!(matches!(
            with(&|c| c.height_m = -1.0),
            Err(SensorError::BadHeight {
                field: "height_m",
                ..
            })
        ));
        let msg = with(&|c| c.bearing_deg = 400.0).unwrap_err().to_string();
        assert_eq!(
            msg,
            "sensor \"cam-7\": bearing_deg must be in [0, 360), got 400"
        );
    }
}
