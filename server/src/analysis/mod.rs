//! The analyses the server answers over HTTP and as layers: coverage gaps, tides and
//! patrol zones. The computing is in the `tidewatch-coverage` and `tidewatch-tides`
//! crates and in plain functions here; this module feeds them the catalog's layers and
//! keeps what it builds until the layers change (the catalog's generation).

pub mod coverage;
pub mod layers;
pub mod patrol;
pub mod patrol_features;
pub mod tide_stations;
pub mod zones;

use crate::catalog::Catalog;
use crate::store::postgis::PostgisStore;
use coverage::text;
use coverage::{CoverageConfig, Names, ParamsKey};
use patrol::{Barrier, Landing, PatrolWeights, ZoneAssets};
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock, Weak};
use tide_stations::{StationPoint, TideStations};
use tidewatch_coverage::{Baseline, CoverageError, CoverageModel, Params, Sensor};
use tidewatch_importers::Feature;
use zones::{Place, Zone};

/// Why an analysis cannot answer.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// An input layer is missing or broken: the server's data, not the request.
    #[error("layer {layer} is needed for this analysis but the server has none")]
    MissingLayer { layer: &'static str },
    #[error("{0}")]
    Input(String),
    /// The request asked for something the analysis refuses.
    #[error(transparent)]
    Coverage(#[from] CoverageError),
    #[error(transparent)]
    Tide(#[from] tidewatch_tides::TideError),
    /// No tide station can predict for the patrol zones.
    #[error("no tide station has harmonic constants or a tide table; load one with `tidewatch import-tides`")]
    NoTideStation,
}

/// A patrol plan and the zones it refers to.
pub struct PatrolPlan {
    pub zones: Arc<ZoneSet>,
    pub windows: Vec<patrol::ZoneWindow>,
}

/// The local (Asia/Shanghai) date whose evening starts the night `now` is in or next
/// comes: nights run from local noon to local noon.
pub fn tonight_day(now: i64) -> i64 {
    use tidewatch_tides::Zone;
    Zone::Shanghai.date_of(now - 12 * 3600).days_since_epoch()
}

/// Tonight, local noon to local noon, as Unix seconds.
pub fn tonight_range(now: i64) -> (i64, i64) {
    let noon =
        tonight_day(now) * 86_400 + 12 * 3600 - tidewatch_tides::Zone::Shanghai.offset_seconds();
    (noon, noon + 86_400)
}

/// What the coverage analysis works on, for one generation of the layers.
pub struct CoverageInputs {
    pub model: CoverageModel,
    pub sensors: Vec<Sensor>,
    /// Sensor names by id.
    pub names: HashMap<String, Names>,
}

/// Patrol zones and what they hold, for one generation of the layers.
pub struct ZoneSet {
    pub zones: Vec<Zone>,
    pub assets: Vec<ZoneAssets>,
}

/// Something built from the layers, tagged with the generation it was built from.
type Cached<T> = tokio::sync::Mutex<Option<(u64, Arc<T>)>>;

/// Feeds the analyses and keeps what they build.
pub struct Analyses {
    /// Set once the catalog exists (the catalog holds layers that hold us).
    catalog: OnceLock<Weak<Catalog>>,
    postgis: Option<PostgisStore>,
    tides_dir: PathBuf,
    pub coverage_config: CoverageConfig,
    pub patrol_weights: PatrolWeights,
    tide_stations: Cached<TideStations>,
    coverage_inputs: Cached<CoverageInputs>,
    /// Baselines by parameters, for the generation of `coverage_inputs`.
    baselines: tokio::sync::Mutex<(u64, HashMap<ParamsKey, Arc<Baseline>>)>,
    zones: Cached<ZoneSet>,
}

/// Baselines kept per generation (each a few MB for the demo county).
const MAX_BASELINES: usize = 16;
/// Patrol zones reach this far either side of their coast, metres.
const ZONE_HALF_WIDTH_M: f64 = 1500.0;

impl Analyses {
    pub fn new(
        postgis: Option<PostgisStore>,
        tides_dir: PathBuf,
        coverage_config: CoverageConfig,
        patrol_weights: PatrolWeights,
    ) -> Self {
        Analyses {
            catalog: OnceLock::new(),
            postgis,
            tides_dir,
            coverage_config,
            patrol_weights,
            tide_stations: Default::default(),
            coverage_inputs: Default::default(),
            baselines: Default::default(),
            zones: Default::default(),
        }
    }

    /// Connects to the catalog whose layers the analyses read.
    pub fn attach(&self, catalog: &Arc<Catalog>) {
        let _ = self.catalog.set(Arc::downgrade(catalog));
    }

    fn catalog(&self) -> Result<Arc<Catalog>, AnalysisError> {
        self.catalog
            .get()
            .and_then(Weak::upgrade)
            .ok_or_else(|| AnalysisError::Input("the server is shutting down".into()))
    }

    /// The layers' generation: analyses rebuild when it changes.
    pub fn generation(&self) -> u64 {
        self.catalog().map_or(0, |c| c.generation())
    }

    /// Every feature of a catalog layer (analyses need whole layers, not tiles).
    pub async fn layer_features(&self, layer: &'static str) -> Result<Vec<Feature>, AnalysisError> {
        let source = self
            .catalog()?
            .get(layer)
            .ok_or(AnalysisError::MissingLayer { layer })?;
        source
            .features_in([-180.0, -90.0, 180.0, 90.0], usize::MAX)
            .await
            .map_err(|e| AnalysisError::Input(e.to_string()))
    }

    /// Features of an optional layer (none when the server has no such layer).
    async fn optional_features(&self, layer: &'static str) -> Result<Vec<Feature>, AnalysisError> {
        match self.layer_features(layer).await {
            Err(AnalysisError::MissingLayer { .. }) => Ok(Vec::new()),
            other => other,
        }
    }

    /// The tide stations with their predictors.
    pub async fn tide_stations(&self) -> Result<Arc<TideStations>, AnalysisError> {
        let generation = self.generation();
        let mut slot = self.tide_stations.lock().await;
        if let Some((g, stations)) = slot.as_ref() {
            if *g == generation {
                return Ok(stations.clone());
            }
        }
        let points: Vec<StationPoint> = self
            .layer_features("tide_stations")
            .await?
            .iter()
            .filter_map(station_point)
            .collect();
        let inputs = match &self.postgis {
            Some(store) => crate::store::postgis::load_tide_predictors(store)
                .await
                .map_err(|e| AnalysisError::Input(e.to_string()))?,
            None => tide_stations::read_tides_dir(&self.tides_dir)
                .map_err(|e| AnalysisError::Input(format!("{e:#}")))?,
        };
        let stations = Arc::new(tide_stations::join(points, |p| {
            inputs
                .iter()
                .find(|(id, _)| *id == p.station_id)
                .ok_or_else(|| {
                    format!(
                        "tide station {:?} has no harmonic constants or tide table; load one with `tidewatch import-tides`",
                        p.name_en
                    )
                })?
                .1
                .station(p)
        }));
        *slot = Some((generation, stations.clone()));
        Ok(stations)
    }

    /// The coverage model and sensors.
    pub async fn coverage_inputs(&self) -> Result<Arc<CoverageInputs>, AnalysisError> {
        let generation = self.generation();
        let mut slot = self.coverage_inputs.lock().await;
        if let Some((g, inputs)) = slot.as_ref() {
            if *g == generation {
                return Ok(inputs.clone());
            }
        }
        let land = coverage::land(&self.layer_features("land").await?);
        let coast = coverage::coastline(&self.layer_features("coastline").await?);
        let towns = coverage::towns(&self.optional_features("places").await?);
        let mut names = HashMap::new();
        let mut sensors = coverage::cameras(&self.optional_features("cameras").await?, &mut names)?;
        sensors.extend(coverage::radars(
            &self.optional_features("radars").await?,
            self.coverage_config.radar_target_height_m,
            &mut names,
        )?);
        let inputs = tokio::task::spawn_blocking(move || {
            let started = std::time::Instant::now();
            let model = CoverageModel::new(&land, &coast, towns)?;
            tracing::info!(
                sensors = sensors.len(),
                coast_km = (model.coastline_length_m() / 1000.0).round(),
                ms = started.elapsed().as_millis() as u64,
                "coverage model built"
            );
            Ok::<_, AnalysisError>(CoverageInputs {
                model,
                sensors,
                names,
            })
        })
        .await
        .map_err(|e| AnalysisError::Input(format!("coverage model task failed: {e}")))??;
        let inputs = Arc::new(inputs);
        *slot = Some((generation, inputs.clone()));
        Ok(inputs)
    }

    /// The coverage of the current sensors for `params`, computed once per generation.
    pub async fn baseline(
        &self,
        params: Params,
    ) -> Result<(Arc<CoverageInputs>, Arc<Baseline>), AnalysisError> {
        let inputs = self.coverage_inputs().await?;
        let generation = self.generation();
        let key = ParamsKey::from(&params);
        let mut cache = self.baselines.lock().await;
        if cache.0 != generation {
            *cache = (generation, HashMap::new());
        }
        if let Some(b) = cache.1.get(&key) {
            return Ok((inputs, b.clone()));
        }
        let baseline = {
            let inputs = inputs.clone();
            tokio::task::spawn_blocking(move || {
                inputs.model.baseline(inputs.sensors.clone(), params)
            })
            .await
            .map_err(|e| AnalysisError::Input(format!("coverage task failed: {e}")))??
        };
        let baseline = Arc::new(baseline);
        if cache.1.len() >= MAX_BASELINES {
            cache.1.clear();
        }
        cache.1.insert(key, baseline.clone());
        Ok((inputs, baseline))
    }

    /// The parameters of the coverage layers and patrol priorities.
    pub fn default_params(&self) -> Params {
        Params {
            mode: self.coverage_config.mode.into(),
            band_width_m: self.coverage_config.band_width_m,
            ..Params::default()
        }
    }

    /// The patrol windows of the default rule: high water ± 2 h in civil night.
    pub fn default_window_rule(&self) -> patrol::WindowRule {
        patrol::WindowRule {
            before_s: 2 * 3600,
            after_s: 2 * 3600,
            night: tidewatch_tides::NightRule::Civil,
        }
    }

    /// Every zone's windows in `[from, to)`, each zone predicted by its nearest tide
    /// station that can predict.
    pub async fn patrol_plan(
        &self,
        from: i64,
        to: i64,
        rule: &patrol::WindowRule,
    ) -> Result<PatrolPlan, AnalysisError> {
        let zones = self.zones().await?;
        let stations = self.tide_stations().await?;
        let mut station_of = Vec::with_capacity(zones.zones.len());
        for z in &zones.zones {
            let s = stations
                .nearest_predicting(z.place.lon, z.place.lat)
                .ok_or(AnalysisError::NoTideStation)?;
            let predictor = s.predictor.as_ref().expect("a predicting station");
            station_of.push((s.key.as_str(), &**predictor));
        }
        let windows = patrol::patrol_plan(
            &zones.zones,
            &zones.assets,
            &station_of,
            from,
            to,
            rule,
            &self.patrol_weights,
        )?;
        Ok(PatrolPlan { zones, windows })
    }

    /// Patrol zones (the `patrol_zones` layer when there is one, else the coast divided
    /// among the places) with their piers, beaching spots, barriers and unseen coast.
    pub async fn zones(&self) -> Result<Arc<ZoneSet>, AnalysisError> {
        let generation = self.generation();
        let mut slot = self.zones.lock().await;
        if let Some((g, zones)) = slot.as_ref() {
            if *g == generation {
                return Ok(zones.clone());
            }
        }
        let configured = self.optional_features("patrol_zones").await?;
        let zones = if configured.is_empty() {
            let coast = coverage::coastline(&self.layer_features("coastline").await?);
            let places: Vec<Place> = coverage::towns(&self.layer_features("places").await?)
                .into_iter()
                .map(|t| Place {
                    name_zh: t.name_zh,
                    name_en: t.name_en,
                    lon: t.lon,
                    lat: t.lat,
                })
                .collect();
            tokio::task::spawn_blocking(move || {
                zones::zones_from_coast(&coast, &places, ZONE_HALF_WIDTH_M)
            })
            .await
            .map_err(|e| AnalysisError::Input(format!("zone task failed: {e}")))?
        } else {
            let coast = coverage::coastline(&self.layer_features("coastline").await?);
            zones::zones_from_layer(&configured, &coast).map_err(AnalysisError::Input)?
        };
        let landings: Vec<Landing> = self
            .optional_features("piers")
            .await?
            .iter()
            .filter_map(landing)
            .collect();
        let barriers: Vec<Barrier> = self
            .optional_features("barriers")
            .await?
            .iter()
            .filter_map(barrier)
            .collect();
        // Unseen coast per zone, when the coverage analysis can run.
        let gap_m = match self.baseline(self.default_params()).await {
            Ok((_, baseline)) => Some(zones::gap_length_by_zone(
                &zones,
                baseline.gaps().iter().map(|g| &g.line),
            )),
            Err(e) => {
                tracing::warn!("patrol zones without coverage gaps: {e}");
                None
            }
        };
        let assets = patrol::zone_assets(&zones, &landings, &barriers, gap_m.as_deref());
        let set = Arc::new(ZoneSet { zones, assets });
        *slot = Some((generation, set.clone()));
        Ok(set)
    }
}

fn station_point(f: &Feature) -> Option<StationPoint> {
    let geo::Geometry::Point(pt) = &f.geometry else {
        return None;
    };
    let station_id = text(&f.properties, "station_id")?;
    let name_en = text(&f.properties, "name_en").unwrap_or_else(|| station_id.clone());
    Some(StationPoint {
        name_zh: text(&f.properties, "name_zh").unwrap_or_else(|| name_en.clone()),
        name_en,
        station_id,
        lon: pt.x(),
        lat: pt.y(),
    })
}

fn landing(f: &Feature) -> Option<Landing> {
    let geo::Geometry::Point(pt) = &f.geometry else {
        return None;
    };
    let p = &f.properties;
    Some(Landing {
        lon: pt.x(),
        lat: pt.y(),
        beaching_spot: text(p, "kind").as_deref() == Some("beaching_spot"),
        idle: p.get("idle").and_then(Value::as_bool).unwrap_or(false),
        depth_m: p.get("berth_depth_m").and_then(Value::as_f64),
    })
}

fn barrier(f: &Feature) -> Option<Barrier> {
    let geo::Geometry::Point(pt) = &f.geometry else {
        return None;
    };
    Some(Barrier {
        lon: pt.x(),
        lat: pt.y(),
        damaged: text(&f.properties, "status").is_some_and(|s| s != "working"),
    })
}
