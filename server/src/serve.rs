//! `tidewatch serve`: load the layers, build the app, listen, reload on SIGHUP.

use crate::analysis::layers::{Derived, DerivedLayer};
use crate::analysis::Analyses;
use crate::catalog::{Catalog, SharedSource};
use crate::cluster::{self, Role};
use crate::config::Config;
use crate::http::{router, AppState};
use crate::layers::read_layer_defs;
use crate::live::alerts::{Alerts, EventsLayer};
use crate::live::layer::VesselsLayer;
use crate::live::nmea_sources::{self, BoundSources};
use crate::live::persist::{self, PersistQueue};
use crate::live::{Live, LiveOptions};
use crate::store::embedded::EmbeddedLayer;
use crate::store::postgis::{self, PostgisStore};
use crate::store::LayerSource;
use crate::tile_service::TileService;
use anyhow::Context;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

/// Reads every layer definition and loads its features, layers in parallel. All or
/// nothing: one bad layer fails the load and names the layer, file and feature.
pub fn load_layers(config: &Config) -> anyhow::Result<Vec<SharedSource>> {
    let defs = read_layer_defs(&config.layers_dir)?;
    let started = Instant::now();
    let loaded: Vec<anyhow::Result<SharedSource>> = std::thread::scope(|scope| {
        let handles: Vec<_> = defs
            .iter()
            .map(|def| {
                scope.spawn(move || {
                    let t = Instant::now();
                    let layer = EmbeddedLayer::load(def)
                        .with_context(|| format!("cannot load layer {:?}", def.id))?;
                    let info = layer.info();
                    tracing::info!(layer = %def.id, features = layer.features().len(),
                        thinned_up_to_zoom = ?info.thinned_up_to_zoom,
                        ms = t.elapsed().as_millis() as u64, "layer loaded");
                    Ok(Arc::new(layer) as SharedSource)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a layer loader panicked")))
            })
            .collect()
    });
    let layers = loaded.into_iter().collect::<anyhow::Result<Vec<_>>>()?;
    tracing::info!(
        layers = layers.len(),
        ms = started.elapsed().as_millis() as u64,
        "all layers loaded"
    );
    Ok(layers)
}

/// The Prometheus recorder is process-wide; tests build several apps in one process.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .install_recorder()
                .expect("no other metrics recorder is installed")
        })
        .clone()
}

/// Builds the application state from loaded layers and a started live side; the
/// `vessels` layer joins the catalog.
pub fn app_state(
    config: Config,
    layers: Vec<SharedSource>,
    live: Arc<Live>,
    postgis: Option<PostgisStore>,
) -> AppState {
    let analyses = Arc::new(Analyses::new(
        postgis.clone(),
        config.tides_dir.clone(),
        config.coverage.clone(),
        config.patrol.clone(),
    ));
    let alerts = Alerts::new();
    let catalog = Arc::new(Catalog::new(with_derived_layers(
        layers, &live, &analyses, &alerts,
    )));
    analyses.attach(&catalog);
    AppState {
        tiles: Arc::new(TileService::new(
            catalog,
            config.tile_cache_mb * 1024 * 1024,
        )),
        config: Arc::new(config),
        metrics: metrics_handle(),
        postgis,
        live,
        analyses,
        alerts,
        nmea: Arc::new(BoundSources::default()),
        started: Instant::now(),
    }
}

/// The stored layers followed by those computed from them: live vessels, events, coverage,
/// coverage gaps and tonight's patrol zones.
pub fn with_derived_layers(
    mut layers: Vec<SharedSource>,
    live: &Arc<Live>,
    analyses: &Arc<Analyses>,
    alerts: &Arc<Alerts>,
) -> Vec<SharedSource> {
    layers.push(Arc::new(VesselsLayer::new(live.clone())));
    layers.push(Arc::new(EventsLayer::new(alerts.clone())));
    for kind in Derived::ALL {
        layers.push(Arc::new(DerivedLayer::new(analyses.clone(), kind)));
    }
    layers
}

impl AppState {
    /// Swaps in newly loaded layers (with the derived ones) and clears the tile cache.
    pub fn replace_layers(&self, layers: Vec<SharedSource>) {
        let layers = with_derived_layers(layers, &self.live, &self.analyses, &self.alerts);
        self.tiles.catalog().replace_all(layers);
        self.tiles.invalidate();
    }
}

/// Everything `serve` runs, ready to listen: the database (if any), the layers, the live
/// fleet (restored from PostGIS there, with its writer), the NMEA feeds and the demo
/// traffic when asked for.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    let postgis = connect_configured(&config).await?;
    // Listening starts before anything is read, so no change slips between the two.
    let notices = match &postgis {
        Some(store) => Some(
            cluster::listen(store.url())
                .await
                .context("cannot listen for other instances' changes on PostGIS")?,
        ),
        None => None,
    };
    let layers = load_configured_layers(&config, postgis.as_ref()).await?;
    let options = LiveOptions {
        history_per_vessel: config.vessel_history,
        queue_batches: config.live_queue_batches,
        ..LiveOptions::default()
    };
    let live = match &postgis {
        Some(store) => {
            let started = Instant::now();
            let fleet = persist::restore(store.pool(), config.vessel_history)
                .await
                .context("cannot restore the live fleet from PostGIS")?;
            tracing::info!(
                vessels = fleet.len(),
                ms = started.elapsed().as_millis() as u64,
                "live fleet restored from PostGIS"
            );
            let queue = PersistQueue::new(config.persist_buffer);
            tokio::spawn(persist::write_positions(
                queue.clone(),
                store.pool().clone(),
            ));
            Live::start_with(fleet, options, Some(queue))
        }
        None => Live::start(options, None),
    };
    let nmea = nmea_sources::start(&live, &config.nmea).await?;
    if config.demo_traffic {
        crate::live::demo::play(live.clone(), config.demo_dir());
    }
    let demo_dir = config.demo_dir();
    let mut state = app_state(config, layers, live, postgis);
    let mut rules = if state.config.demo_traffic {
        crate::live::demo::alert_config(&demo_dir)?
    } else {
        state.config.alerts.clone()
    };
    if rules.piers.is_empty() {
        rules.piers = idle_piers(&state.analyses).await;
    }
    tracing::info!(
        idle_piers = rules.piers.len(),
        harbours = rules.harbours.len(),
        "early-warning rules running"
    );
    crate::live::alerts::run_engine(
        &state.live,
        state.alerts.clone(),
        rules,
        state.analyses.clone(),
    )
    .context("the early-warning rules")?;
    let role = match &state.postgis {
        Some(store) => cluster::elect_writer(store.url(), WRITER_CHECK).await,
        None => Role::alone(),
    };
    crate::live::webhooks::start(&state.alerts, &state.config.webhooks, role.clone())?;
    if let (Some(store), Some(notices)) = (&state.postgis, notices) {
        crate::live::alerts::persist_events(store.pool().clone(), &state.alerts, role);
        cluster::follow(state.clone(), store.clone(), notices);
    }
    state.nmea = Arc::new(nmea);
    Ok(state)
}

/// How often a reader instance tries for the writer's lock (and the writer checks it
/// still holds it): the longest events go unwritten after the writer dies.
const WRITER_CHECK: std::time::Duration = std::time::Duration::from_secs(2);

/// Idle piers and beaching spots of the piers layer, for the night-approach rule.
async fn idle_piers(analyses: &Analyses) -> Vec<tidewatch_alerts::Pier> {
    let Ok(features) = analyses.layer_features("piers").await else {
        return Vec::new();
    };
    features
        .iter()
        .filter(|f| {
            f.properties
                .get("idle")
                .and_then(serde_json::Value::as_bool)
                == Some(true)
        })
        .filter_map(|f| {
            let geo::Geometry::Point(p) = &f.geometry else {
                return None;
            };
            let name = ["name_en", "name_zh"]
                .iter()
                .find_map(|k| f.properties.get(*k).and_then(serde_json::Value::as_str))
                .unwrap_or_default()
                .to_owned();
            Some(tidewatch_alerts::Pier {
                id: f.id,
                name,
                position: tidewatch_alerts::LonLat::new(p.x(), p.y()),
            })
        })
        .collect()
}

/// Layers from wherever the config says: PostGIS when a database URL is set, else files.
pub async fn load_configured_layers(
    config: &Config,
    postgis: Option<&PostgisStore>,
) -> anyhow::Result<Vec<SharedSource>> {
    match postgis {
        Some(store) => {
            let layers = store.layers().await?;
            if layers.is_empty() {
                tracing::warn!("PostGIS holds no layers yet: run `tidewatch demo --load` or `tidewatch import`");
            }
            Ok(layers)
        }
        None => {
            let config = config.clone();
            tokio::task::spawn_blocking(move || load_layers(&config)).await?
        }
    }
}

/// Connects to PostGIS when configured (and migrates when asked); a database that
/// cannot be reached is an error, never a silent fall-back to files.
pub async fn connect_configured(config: &Config) -> anyhow::Result<Option<PostgisStore>> {
    let Some(url) = &config.database_url else {
        return Ok(None);
    };
    let pool_size = config
        .pg_pool_size
        .unwrap_or_else(postgis::default_pool_size);
    let store = PostgisStore::connect_pooled(url, pool_size).await?;
    tracing::info!(pool_size, "connected to PostGIS");
    if config.migrate_on_start {
        store.migrate().await?;
        tracing::info!("database migrations applied");
    }
    store.check_schema().await?;
    Ok(Some(store))
}

/// Runs the server until Ctrl-C or SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let state = build_state(config).await?;
    let listener = tokio::net::TcpListener::bind(state.config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", state.config.listen))?;
    let addr = listener.local_addr()?;
    tracing::info!("serving on http://{addr}/ (map page), http://{addr}/catalog");
    tokio::spawn(reload_on_sighup(state.clone()));
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

/// SIGHUP re-reads layer definitions and files; a failed reload keeps the old data.
async fn reload_on_sighup(state: AppState) {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(mut hup) = signal(SignalKind::hangup()) else {
        return;
    };
    while hup.recv().await.is_some() {
        let config = state.config.clone();
        match tokio::task::spawn_blocking(move || load_layers(&config)).await {
            Ok(Ok(layers)) => {
                state.replace_layers(layers);
                tracing::info!("layers reloaded; tile cache cleared");
            }
            Ok(Err(e)) => {
                tracing::error!("reload failed, still serving the previous layers: {e:#}")
            }
            Err(e) => tracing::error!("reload task failed: {e}"),
        }
    }
}

async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = term.recv() => {},
    }
    tracing::info!("shutting down");
}
