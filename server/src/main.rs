//! The `tidewatch` command line: `serve` the map server, `demo` data, `import`/`export`
//! layers, `replay` NMEA feeds.

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use tidewatch::config::{Config, LogFormat};
use tidewatch::live::nmea_sources::NmeaSourceConfig;

mod cli;

#[derive(Parser)]
#[command(
    name = "tidewatch",
    version,
    about = "Tidewatch: coastal GIS tile and geodata server (象山海防地理数据服务)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve vector tiles, TileJSON, styles and the map page. With no options it serves
    /// the embedded demo data of Xiangshan County on http://127.0.0.1:8080/.
    Serve(ServeArgs),
    /// Demo data: regenerate the synthetic assets, or load the demo data set into PostGIS.
    Demo(DemoArgs),
    /// Apply the database migrations in `migrations/` to PostGIS.
    Migrate(DatabaseArgs),
    /// Import a GeoJSON, FlatGeobuf, Shapefile (.shp or .zip), GeoPackage or CSV file as a
    /// layer, into PostGIS when a database URL is given, else into the embedded store's folders.
    Import(ImportArgs),
    /// Write a layer out as GeoJSON or FlatGeobuf.
    Export(ExportArgs),
    /// Send an NMEA file to a receiver (this server's --nmea-tcp/--nmea-udp) at a set rate.
    Replay(ReplayArgs),
    /// Load a tide station's harmonic constants (.json or .csv) or its tide table (.csv of
    /// high and low waters) into PostGIS.
    ImportTides(ImportTidesArgs),
}

#[derive(Args)]
struct ImportTidesArgs {
    /// Constants: TICON-4/Neaps JSON or CSV `name,amplitude,phase`; table: CSV `time,height,type`.
    file: PathBuf,
    /// What the file holds.
    #[arg(long, value_enum)]
    kind: TideFileKind,
    /// Station id (required for CSV constants and for tables; overrides a JSON file's).
    #[arg(long)]
    station: Option<String>,
    /// Station name (CSV constants).
    #[arg(long)]
    name: Option<String>,
    /// Station longitude (CSV constants).
    #[arg(long)]
    lon: Option<f64>,
    /// Station latitude (CSV constants).
    #[arg(long)]
    lat: Option<f64>,
    /// Datum the heights refer to (e.g. LAT, 理论最低潮面), unless the file says.
    #[arg(long)]
    datum: Option<String>,
    /// Time zone of table times without an offset: Asia/Shanghai, UTC, +08:00.
    #[arg(long)]
    time_zone: Option<String>,
    /// PostGIS connection URL.
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum TideFileKind {
    Constants,
    Table,
}

#[derive(Args)]
struct DatabaseArgs {
    /// PostGIS connection URL, e.g. postgres://tidewatch:tidewatch@127.0.0.1:5432/tidewatch
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
}

#[derive(Args)]
struct DemoArgs {
    /// Load the demo data set (layers/*.toml and their files, the Kanmen tide constants)
    /// into PostGIS, replacing those layers there.
    #[arg(long, requires = "database_url")]
    load: bool,
    /// With --load: do nothing when the database already holds layers (for deployment
    /// scripts that run at every start).
    #[arg(long, requires = "load")]
    if_empty: bool,
    /// PostGIS connection URL (for --load).
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Option<DemoCommand>,
}

#[derive(Args)]
struct ImportArgs {
    /// The file to import.
    file: PathBuf,
    /// Layer id to create or replace.
    #[arg(long)]
    layer: String,
    #[command(flatten)]
    choices: tidewatch::import::ImportChoices,
    /// PostGIS connection URL; without it the layer goes to the embedded store's folders.
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
    /// Folder of layer definitions (embedded store).
    #[arg(long, env = "TIDEWATCH_LAYERS_DIR")]
    layers_dir: Option<PathBuf>,
    /// Folder for imported data files (embedded store).
    #[arg(long, env = "TIDEWATCH_IMPORT_DIR")]
    import_dir: Option<PathBuf>,
}

#[derive(Args)]
struct ExportArgs {
    /// Layer id.
    #[arg(long)]
    layer: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "geojson")]
    format: tidewatch::export::Format,
    /// Output file [default: standard output]
    #[arg(long)]
    out: Option<PathBuf>,
    /// PostGIS connection URL; without it the layer comes from the embedded store.
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
    /// Folder of layer definitions (embedded store).
    #[arg(long, env = "TIDEWATCH_LAYERS_DIR")]
    layers_dir: Option<PathBuf>,
}

#[derive(Args)]
struct ServeArgs {
    /// TOML config file (see README.md); flags and environment variables override it.
    #[arg(long, env = "TIDEWATCH_CONFIG")]
    config: Option<PathBuf>,
    /// Address and port to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "TIDEWATCH_LISTEN")]
    listen: Option<SocketAddr>,
    /// URL clients reach the server at, when behind a proxy.
    #[arg(long, env = "TIDEWATCH_PUBLIC_URL")]
    public_url: Option<String>,
    /// Folder of layer definitions [default: ./layers]
    #[arg(long, env = "TIDEWATCH_LAYERS_DIR")]
    layers_dir: Option<PathBuf>,
    /// Folder of MapLibre styles [default: ./styles]
    #[arg(long, env = "TIDEWATCH_STYLES_DIR")]
    styles_dir: Option<PathBuf>,
    /// Tile cache size in MiB; 0 turns it off [default: 256]
    #[arg(long, env = "TIDEWATCH_TILE_CACHE_MB")]
    tile_cache_mb: Option<u64>,
    /// Log format [default: text]
    #[arg(long, env = "TIDEWATCH_LOG_FORMAT", value_enum)]
    log_format: Option<LogFormat>,
    /// Serve layers from PostGIS instead of files.
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
    /// Most connections to PostGIS [default: two per core]
    #[arg(long, env = "TIDEWATCH_PG_POOL_SIZE", value_parser = clap::value_parser!(u32).range(1..))]
    pg_pool_size: Option<u32>,
    /// Apply pending database migrations at start.
    #[arg(long)]
    migrate: bool,
    /// Bearer token that admin endpoints (imports) require.
    #[arg(long, env = "TIDEWATCH_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// Largest accepted upload, MiB [default: 512]
    #[arg(long, env = "TIDEWATCH_MAX_UPLOAD_MB")]
    max_upload_mb: Option<u64>,
    /// Folder for layers imported into the embedded store [default: ./data/imported]
    #[arg(long, env = "TIDEWATCH_IMPORT_DIR")]
    import_dir: Option<PathBuf>,
    /// Bearer token that ingest endpoints (`/ingest/…`) require.
    #[arg(long, env = "TIDEWATCH_INGEST_TOKEN", hide_env_values = true)]
    ingest_token: Option<String>,
    /// Listen for NMEA (AIS, Beidou) pushed over TCP on this address (repeatable).
    #[arg(long, value_name = "ADDR")]
    nmea_tcp: Vec<String>,
    /// Listen for NMEA datagrams on this UDP address (repeatable).
    #[arg(long, value_name = "ADDR")]
    nmea_udp: Vec<String>,
    /// Connect to an NMEA feed at host:port, reconnecting with backoff (repeatable).
    #[arg(long, value_name = "HOST:PORT")]
    nmea_connect: Vec<String>,
    /// Play the SYNTHETIC demo vessel traffic into the live layer.
    #[arg(long)]
    demo_traffic: bool,
}

#[derive(Args)]
struct ReplayArgs {
    /// NMEA file (with or without tag blocks; `#` comments and blank lines skipped).
    file: PathBuf,
    /// Lines per second; 0 sends as fast as the receiver takes them.
    #[arg(long, default_value_t = 100.0)]
    rate: f64,
    /// Where to send: tcp://host:port or udp://host:port.
    #[arg(long)]
    to: String,
    /// Send the file this many times.
    #[arg(long, default_value_t = 1)]
    repeat: u32,
}

#[derive(Subcommand)]
enum DemoCommand {
    /// Regenerate the synthetic demo assets (piers, barriers, cameras, radars) from the
    /// real coastline. The same seed always writes the same bytes.
    Generate {
        /// Random seed.
        #[arg(long, default_value_t = tidewatch_demo::DEFAULT_SEED)]
        seed: u64,
        /// Demo data folder (inputs are read from it, outputs written to it).
        #[arg(long, default_value = "data/demo")]
        dir: PathBuf,
    },
    /// Write the SYNTHETIC demo vessel traffic as NMEA with tag blocks (AIS as !AIVDM,
    /// Beidou terminals as $BDRMC with the terminal in `s:`), for `tidewatch replay`.
    Traffic {
        /// Output file [default: standard output]
        #[arg(long)]
        out: Option<PathBuf>,
        /// Demo data folder (the inputs the traffic is made from).
        #[arg(long, default_value = "data/demo")]
        dir: PathBuf,
    },
}

impl ServeArgs {
    fn into_config(self) -> anyhow::Result<Config> {
        let mut config = match &self.config {
            Some(path) => Config::from_file(path)?,
            None => Config::default(),
        };
        if let Some(v) = self.listen {
            config.listen = v;
        }
        if let Some(v) = self.public_url {
            config.public_url = Some(v);
        }
        if let Some(v) = self.layers_dir {
            config.layers_dir = v;
        }
        if let Some(v) = self.styles_dir {
            config.styles_dir = v;
        }
        if let Some(v) = self.tile_cache_mb {
            config.tile_cache_mb = v;
        }
        if let Some(v) = self.log_format {
            config.log_format = v;
        }
        // An empty DATABASE_URL (a common way to unset it) means the embedded store.
        if let Some(v) = self.database_url {
            config.database_url = Some(v).filter(|v| !v.is_empty());
        }
        if let Some(v) = self.pg_pool_size {
            config.pg_pool_size = Some(v);
        }
        config.migrate_on_start |= self.migrate;
        if let Some(v) = self.admin_token {
            config.admin_token = Some(v);
        }
        if let Some(v) = self.max_upload_mb {
            config.max_upload_mb = v;
        }
        if let Some(v) = self.import_dir {
            config.import_dir = v;
        }
        if let Some(v) = self.ingest_token {
            config.ingest_token = Some(v).filter(|v| !v.is_empty());
        }
        let flags = [
            ("tcp", &self.nmea_tcp),
            ("udp", &self.nmea_udp),
            ("connect", &self.nmea_connect),
        ];
        for (kind, values) in flags {
            for v in values {
                config.nmea.push(NmeaSourceConfig::from_flag(kind, v)?);
            }
        }
        config.demo_traffic |= self.demo_traffic;
        Ok(config)
    }
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,tower_http=warn".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = || tokio::runtime::Runtime::new().context("cannot start the async runtime");
    match cli.command {
        Command::Serve(args) => {
            let config = args.into_config()?;
            init_logging(config.log_format);
            runtime()?.block_on(tidewatch::serve::serve(config))
        }
        Command::Demo(args) => {
            init_logging(LogFormat::Text);
            match (args.command, args.load, args.database_url) {
                (Some(DemoCommand::Generate { seed, dir }), false, _) => {
                    let written = tidewatch_demo::write_demo(&dir, seed).with_context(|| {
                        format!("cannot generate demo data in {}", dir.display())
                    })?;
                    for path in written {
                        println!("wrote {}", path.display());
                    }
                    Ok(())
                }
                (Some(DemoCommand::Traffic { out, dir }), false, _) => {
                    cli::demo_traffic(&dir, out.as_deref())
                }
                (None, true, Some(url)) => {
                    runtime()?.block_on(cli::demo_load(&url, &Config::default(), args.if_empty))
                }
                _ => anyhow::bail!(
                    "say `tidewatch demo generate` or `tidewatch demo --load --database-url URL`"
                ),
            }
        }
        Command::Migrate(args) => {
            init_logging(LogFormat::Text);
            runtime()?.block_on(async {
                let store =
                    tidewatch::store::postgis::PostgisStore::connect(&args.database_url).await?;
                store.migrate().await?;
                println!("migrations applied");
                Ok(())
            })
        }
        Command::Import(args) => {
            init_logging(LogFormat::Text);
            runtime()?.block_on(cli::import(args))
        }
        Command::Export(args) => {
            init_logging(LogFormat::Text);
            runtime()?.block_on(cli::export(args))
        }
        Command::Replay(args) => {
            init_logging(LogFormat::Text);
            runtime()?.block_on(cli::replay(args))
        }
        Command::ImportTides(args) => {
            init_logging(LogFormat::Text);
            runtime()?.block_on(cli::import_tides(args))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serve_config(args: &[&str]) -> Result<Config, String> {
        let cli = Cli::try_parse_from(["tidewatch", "serve"].iter().chain(args))
            .map_err(|e| e.to_string())?;
        match cli.command {
            Command::Serve(serve) => serve.into_config().map_err(|e| e.to_string()),
            _ => unreachable!("parsed as serve"),
        }
    }

    #[test]
    fn the_pool_size_flag_reaches_the_config_and_zero_is_refused() {
        assert_eq!(
            serve_config(&["--pg-pool-size", "3"]).unwrap().pg_pool_size,
            Some(3)
        );
        let err = serve_config(&["--pg-pool-size", "0"]).unwrap_err();
        assert!(err.contains("--pg-pool-size"), "{err}");
        let toml: Config = toml::from_str("pg_pool_size = 6").unwrap();
        assert_eq!(toml.pg_pool_size, Some(6));
    }
}
