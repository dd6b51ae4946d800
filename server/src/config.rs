//! Server configuration: one struct, filled from defaults, then an optional TOML file,
//! then environment variables and command-line flags (see `cli.rs`).

use crate::live::nmea_sources::NmeaSourceConfig;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Base URL clients reach this server at (behind a proxy, say
    /// `https://gis.example.org/tidewatch`); by default it is taken from each request's Host.
    pub public_url: Option<String>,
    /// Folder of layer definitions (`*.toml`).
    pub layers_dir: PathBuf,
    /// Folder of MapLibre styles (`*.json`).
    pub styles_dir: PathBuf,
    /// Folder with `tides.toml` naming the constants or tide table of each tide station
    /// (embedded mode; PostGIS keeps them in its tables).
    pub tides_dir: PathBuf,
    /// Tile cache size in MiB; 0 turns the cache off.
    pub tile_cache_mb: u64,
    /// `Cache-Control: max-age` for tiles, seconds.
    pub tile_max_age_s: u32,
    /// `text` for people, `json` for log collectors.
    pub log_format: LogFormat,
    /// PostGIS connection URL; when set, layers come from PostGIS instead of files.
    pub database_url: Option<String>,
    /// Most connections the server opens to PostGIS (unset: two per core).
    pub pg_pool_size: Option<u32>,
    /// Apply pending database migrations at start.
    pub migrate_on_start: bool,
    /// Bearer token for `/admin/…`; admin endpoints answer 403 while it is unset.
    pub admin_token: Option<String>,
    /// Largest upload accepted by `/admin/layers/{id}/import`, MiB.
    pub max_upload_mb: u64,
    /// Where imports into the embedded store write their GeoJSON files.
    pub import_dir: PathBuf,
    /// Largest `limit` an OGC API items request may ask for.
    pub ogc_max_limit: usize,
    /// Bearer token for `/ingest/…`; ingest endpoints answer 403 while it is unset.
    pub ingest_token: Option<String>,
    /// NMEA feeds (AIS, Beidou terminals): `[[nmea]]` tables in the config file.
    pub nmea: Vec<NmeaSourceConfig>,
    /// Positions kept in memory per vessel (the recent track).
    pub vessel_history: usize,
    /// Positions held for PostGIS while it is slow or away; beyond this the oldest are
    /// dropped and counted.
    pub persist_buffer: usize,
    /// Update batches waiting for the live applier; beyond this, ingest sheds load.
    pub live_queue_batches: usize,
    /// Play the deterministic demo traffic into the live state (embedded demo).
    pub demo_traffic: bool,
    /// Coverage analysis settings: `[coverage]`.
    pub coverage: crate::analysis::coverage::CoverageConfig,
    /// Patrol priority points and the boat draft: `[patrol]`.
    pub patrol: crate::analysis::patrol::PatrolWeights,
    /// Early-warning rule thresholds, harbours and receiver coverage: `[alerts]` (see the
    /// `tidewatch-alerts` crate; idle piers come from the piers layer when none are listed).
    pub alerts: tidewatch_alerts::Config,
    /// Receivers notified of new high-severity events: `[[webhooks]]` tables (see
    /// `live::webhooks` for the signature and retries).
    pub webhooks: Vec<crate::live::webhooks::WebhookConfig>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: ([127, 0, 0, 1], 8080).into(),
            public_url: None,
            layers_dir: project_dir("layers"),
            styles_dir: project_dir("styles"),
            tides_dir: project_dir("data").join("demo").join("tides"),
            tile_cache_mb: 256,
            tile_max_age_s: 300,
            log_format: LogFormat::Text,
            database_url: None,
            pg_pool_size: None,
            migrate_on_start: false,
            admin_token: None,
            max_upload_mb: 512,
            import_dir: project_dir("data").join("imported"),
            ogc_max_limit: 10_000,
            ingest_token: None,
            nmea: Vec::new(),
            vessel_history: 2_880,
            persist_buffer: 2_000_000,
            live_queue_batches: 4_096,
            demo_traffic: false,
            coverage: Default::default(),
            patrol: Default::default(),
            alerts: Default::default(),
            webhooks: Vec::new(),
        }
    }
}

impl Config {
    /// The demo data folder (`data/demo`), whose inputs the demo traffic is made from.
    pub fn demo_dir(&self) -> PathBuf {
        project_dir("data").join("demo")
    }

    /// Reads a TOML config file; unknown keys are errors so typos do not pass silently.
    pub fn from_file(path: &Path) -> anyhow::Result<Config> {
        use anyhow::Context;
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("config file {}", path.display()))
    }
}

/// `name` in the working directory when it exists there, otherwise the folder of that
/// name in the source tree, so `cargo run` works from anywhere in the checkout.
fn project_dir(name: &str) -> PathBuf {
    let here = PathBuf::from(name);
    if here.is_dir() {
        return here;
    }
    let in_tree = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(name);
    if in_tree.is_dir() {
        in_tree
    } else {
        here
    }
}
