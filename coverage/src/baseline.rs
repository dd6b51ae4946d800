//! A baseline: the coverage of one sensor set with one set of parameters, keeping every
//! sensor's view and its per-segment coastline hits so what-ifs can be answered incrementally.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use geo::Polygon;
use i_overlay::i_shape::int::shape::IntShapes;

use crate::band::{self, BandGap, SeaBand};
use crate::coast::SegmentHit;
use crate::error::CoverageError;
use crate::gaps::{self, CoastGap, Summary, SummaryInputs};
use crate::intervals::{self, Intervals};
use crate::model::CoverageModel;
use crate::parallel;
use crate::sensor::{Mode, Sensor, SensorType};
use crate::visibility::Visibility;

/// What to analyse.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub mode: Mode,
    /// Width of the sea band in front of the coast, metres (default 1000).
    pub band_width_m: f64,
    pub include_radars: bool,
    pub include_cameras: bool,
    /// Gaps shorter than this are not listed (they still count as uncovered), metres.
    pub min_gap_length_m: f64,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            mode: Mode::Day,
            band_width_m: 1000.0,
            include_radars: true,
            include_cameras: true,
            min_gap_length_m: 0.0,
        }
    }
}

/// Widest sea band we build (the buffer of an 800 km coast gets slow beyond this).
pub const MAX_BAND_WIDTH_M: f64 = 20_000.0;

impl Params {
    pub fn includes(&self, t: SensorType) -> bool {
        match t {
            SensorType::Radar => self.include_radars,
            SensorType::Camera => self.include_cameras,
        }
    }

    fn validate(&self) -> Result<(), CoverageError> {
        if !(self.band_width_m > 0.0 && self.band_width_m <= MAX_BAND_WIDTH_M) {
            return Err(CoverageError::BadParameter {
                name: "band_width_m",
                reason: format!(
                    "must be in (0, {MAX_BAND_WIDTH_M}] m, got {}",
                    self.band_width_m
                ),
            });
        }
        if !(self.min_gap_length_m.is_finite() && self.min_gap_length_m >= 0.0) {
            return Err(CoverageError::BadParameter {
                name: "min_gap_length_m",
                reason: format!(
                    "must be a finite number >= 0, got {}",
                    self.min_gap_length_m
                ),
            });
        }
        Ok(())
    }
}

/// What one counted sensor sees.
#[derive(Debug, Clone)]
pub(crate) struct SensorView {
    pub visibility: Visibility,
    pub hits: Vec<SegmentHit>,
}

impl SensorView {
    pub(crate) fn compute(model: &CoverageModel, sensor: &Sensor, mode: Mode) -> Self {
        let visibility = model.view(sensor, mode);
        let hits = model.coast.hits(&visibility);
        Self { visibility, hits }
    }
}

/// Views of the sensors that count (working, of an included type), in input order.
pub(crate) fn compute_views(
    model: &CoverageModel,
    sensors: &[Sensor],
    params: &Params,
) -> Vec<Option<SensorView>> {
    parallel::map(sensors, |s| {
        (s.is_working() && params.includes(s.sensor_type()))
            .then(|| SensorView::compute(model, s, params.mode))
    })
}

/// A per-segment hit: which sensor slot saw which part.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SlotHit {
    pub slot: u32,
    pub sensor_type: SensorType,
    pub t0: f64,
    pub t1: f64,
}

/// Covered intervals of every coastline segment, overall and by sensor type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CoastCoverage {
    pub covered: Vec<Intervals>,
    pub by_type: [Vec<Intervals>; 2],
}

impl CoastCoverage {
    pub(crate) fn empty(segments: usize) -> Self {
        Self {
            covered: vec![Vec::new(); segments],
            by_type: [vec![Vec::new(); segments], vec![Vec::new(); segments]],
        }
    }

    /// Recomputes segment `i` from all hits on it.
    pub(crate) fn set_segment(&mut self, i: usize, hits: &[SlotHit]) {
        self.covered[i] = intervals::union(hits.iter().map(|h| (h.t0, h.t1)));
        for t in SensorType::ALL {
            self.by_type[t.index()][i] = intervals::union(
                hits.iter()
                    .filter(|h| h.sensor_type == t)
                    .map(|h| (h.t0, h.t1)),
            );
        }
    }
}

/// Coverage of a sensor set, kept for what-ifs and suggestions. Build with
/// [`CoverageModel::baseline`]; recompute when the sensors or parameters change.
#[derive(Debug, Clone)]
pub struct Baseline {
    pub(crate) params: Params,
    pub(crate) sensors: Vec<Sensor>,
    pub(crate) slots: HashMap<String, usize>,
    pub(crate) views: Vec<Option<SensorView>>,
    /// Hits on each coastline segment, in sensor order.
    pub(crate) segment_hits: Vec<Vec<SlotHit>>,
    pub(crate) coverage: CoastCoverage,
    pub(crate) gaps: Vec<CoastGap>,
    pub(crate) summary: Summary,
    /// Sea-band coverage, computed on first request (it costs far more than the coast).
    pub(crate) band: OnceLock<BandState>,
}

/// Sea band in front of the coast and what no working sensor sees of it.
#[derive(Debug, Clone, PartialEq)]
pub struct BandCoverage {
    pub band_width_m: f64,
    pub band_area_m2: f64,
    pub unseen_area_m2: f64,
    /// Unseen parts, largest first.
    pub gaps: Vec<BandGap>,
}

#[derive(Debug, Clone)]
pub(crate) struct BandState {
    pub band: Arc<SeaBand>,
    /// Unseen band per band cell, on the band's grid.
    pub unseen: Vec<IntShapes>,
    pub coverage: BandCoverage,
}

impl BandState {
    pub(crate) fn new(model: &CoverageModel, band: Arc<SeaBand>, unseen: Vec<IntShapes>) -> Self {
        let gaps = band::band_gaps(model, &band, &unseen);
        let coverage = BandCoverage {
            band_width_m: band.width_m,
            band_area_m2: band.area_m2,
            unseen_area_m2: gaps.iter().map(|g| g.area_m2).sum(),
            gaps,
        };
        Self {
            band,
            unseen,
            coverage,
        }
    }
}

/// A sensor's visible area, for the `coverage` tile layer.
#[derive(Debug, Clone, PartialEq)]
pub struct SensorVisibility {
    pub id: String,
    pub sensor_type: SensorType,
    /// lon/lat.
    pub polygon: Polygon<f64>,
}

pub(crate) fn working_by_type(sensors: &[Sensor], views: &[Option<SensorView>]) -> [usize; 2] {
    let mut n = [0; 2];
    for (s, v) in sensors.iter().zip(views) {
        if v.is_some() {
            n[s.sensor_type().index()] += 1;
        }
    }
    n
}

impl CoverageModel {
    /// Computes the coverage of `sensors` (all validated; ids must be unique).
    pub fn baseline(
        &self,
        sensors: Vec<Sensor>,
        params: Params,
    ) -> Result<Baseline, CoverageError> {
        params.validate()?;
        let mut slots = HashMap::with_capacity(sensors.len());
        for (i, s) in sensors.iter().enumerate() {
            s.validate()?;
            if slots.insert(s.id.clone(), i).is_some() {
                return Err(CoverageError::DuplicateSensorId(s.id.clone()));
            }
        }
        let views = compute_views(self, &sensors, &params);
        let mut segment_hits: Vec<Vec<SlotHit>> = vec![Vec::new(); self.coast.segments.len()];
        for (slot, (sensor, view)) in sensors.iter().zip(&views).enumerate() {
            for h in view.iter().flat_map(|v| &v.hits) {
                segment_hits[h.segment as usize].push(SlotHit {
                    slot: slot as u32,
                    sensor_type: sensor.sensor_type(),
                    t0: h.t0,
                    t1: h.t1,
                });
            }
        }
        let mut coverage = CoastCoverage::empty(segment_hits.len());
        for (i, hits) in segment_hits.iter().enumerate() {
            coverage.set_segment(i, hits);
        }
        let gaps = gaps::coast_gaps(self, &coverage.covered, params.min_gap_length_m);
        let summary = gaps::summary(
            self,
            SummaryInputs {
                covered: &coverage.covered,
                covered_by_type: &coverage.by_type,
                working_by_type: working_by_type(&sensors, &views),
                gaps: &gaps,
            },
        );
        Ok(Baseline {
            params,
            sensors,
            slots,
            views,
            segment_hits,
            coverage,
            gaps,
            summary,
            band: OnceLock::new(),
        })
    }
}

impl Baseline {
    pub fn params(&self) -> &Params {
        &self.params
    }

    pub fn sensors(&self) -> &[Sensor] {
        &self.sensors
    }

    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// Coastline gaps at least `min_gap_length_m` long, longest first.
    pub fn gaps(&self) -> &[CoastGap] {
        &self.gaps
    }

    /// Coverage of the sea band in front of the coast, computed on the first call (about
    /// 70 ms for the demo county, more the first time a band width is used) and kept.
    pub fn band_coverage(&self, model: &CoverageModel) -> Result<&BandCoverage, CoverageError> {
        self.check_model(model)?;
        Ok(&self.band_state(model).coverage)
    }

    pub(crate) fn band_state(&self, model: &CoverageModel) -> &BandState {
        self.band.get_or_init(|| {
            let band = model.sea_band(self.params.band_width_m);
            let seen: Vec<&Visibility> =
                self.views.iter().flatten().map(|v| &v.visibility).collect();
            let mut unseen = vec![IntShapes::new(); band.cell_count()];
            for (cell, u) in band.unseen(&seen, None) {
                unseen[cell] = u;
            }
            BandState::new(model, band, unseen)
        })
    }

    /// The visible area of every sensor that counts (working, of an included type).
    pub fn visibility_polygons(&self, model: &CoverageModel) -> Vec<SensorVisibility> {
        self.sensors
            .iter()
            .zip(&self.views)
            .filter_map(|(s, v)| {
                v.as_ref().map(|v| SensorVisibility {
                    id: s.id.clone(),
                    sensor_type: s.sensor_type(),
                    polygon: model.to_lonlat_polygon(&v.visibility.polygon()),
                })
            })
            .collect()
    }

    pub(crate) fn check_model(&self, model: &CoverageModel) -> Result<(), CoverageError> {
        let (baseline, model) = (self.segment_hits.len(), model.coast.segments.len());
        if baseline == model {
            Ok(())
        } else {
            Err(CoverageError::ModelMismatch { baseline, model })
        }
    }
}
