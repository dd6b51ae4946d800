//! The analyses the server answers over HTTP and as layers: coverage gaps, tides and
//! patrol zones. The computing is in the `tidewatch-coverage` and `tidewatch-tides`
//! crates and in plain functions here; this module feeds them the catalog's layers and
//! caches what it builds until the layers change (the catalog's generation).

pub mod tide_stations;
pub mod zones;

use crate::catalog::Catalog;
use crate::store::postgis::PostgisStore;
use serde_json::{Map, Value};
use std::path::PathBuf;
use std::sync::Arc;
use tide_stations::{StationPoint, TideStations};
use tidewatch_importers::Feature;

/// Why an analysis cannot answer: its input layers are missing or broken.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error("layer {layer} is needed for this analysis but the server has none")]
    MissingLayer { layer: &'static str },
    #[error("{0}")]
    Input(String),
}

/// Feeds the analyses and keeps what they build.
pub struct Analyses {
    catalog: Arc<Catalog>,
    postgis: Option<PostgisStore>,
    tides_dir: PathBuf,
    tide_stations: tokio::sync::Mutex<Option<(u64, Arc<TideStations>)>>,
}

impl Analyses {
    pub fn new(catalog: Arc<Catalog>, postgis: Option<PostgisStore>, tides_dir: PathBuf) -> Self {
        Analyses {
            catalog,
            postgis,
            tides_dir,
            tide_stations: Default::default(),
        }
    }

    /// Every feature of a catalog layer (analyses need whole layers, not tiles).
    pub async fn layer_features(&self, layer: &'static str) -> Result<Vec<Feature>, AnalysisError> {
        let source = self
            .catalog
            .get(layer)
            .ok_or(AnalysisError::MissingLayer { layer })?;
        source
            .features_in([-180.0, -90.0, 180.0, 90.0], usize::MAX)
            .await
            .map_err(|e| AnalysisError::Input(e.to_string()))
    }

    /// The tide stations with their predictors, rebuilt when the layers change.
    pub async fn tide_stations(&self) -> Result<Arc<TideStations>, AnalysisError> {
        let generation = self.catalog.generation();
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
}

fn text(p: &Map<String, Value>, key: &str) -> Option<String> {
    p.get(key).and_then(Value::as_str).map(str::to_owned)
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
