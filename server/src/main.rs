//! The `tidewatch` command line: `serve` the map server, `demo generate` the synthetic
//! demo assets.

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use tidewatch::config::{Config, LogFormat};

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
    /// Demo data tools.
    #[command(subcommand)]
    Demo(DemoCommand),
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
    match Cli::parse().command {
        Command::Serve(args) => {
            let config = args.into_config()?;
            init_logging(config.log_format);
            tokio::runtime::Runtime::new()
                .context("cannot start the async runtime")?
                .block_on(tidewatch::serve::serve(config))
        }
        Command::Demo(DemoCommand::Generate { seed, dir }) => {
            init_logging(LogFormat::Text);
            let written = tidewatch_demo::write_demo(&dir, seed)
                .with_context(|| format!("cannot generate demo data in {}", dir.display()))?;
            for path in written {
                println!("wrote {}", path.display());
            }
            Ok(())
        }
    }
}
