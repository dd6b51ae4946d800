//! The command-line side of imports, exports and the demo load: argument handling,
//! a progress line for long imports, messages for people. The work is in the library.

use crate::{ExportArgs, ImportArgs, ImportTidesArgs, ReplayArgs, TideFileKind};
use anyhow::{bail, Context};
use std::io::Write;
use std::time::{Duration, Instant};
use tidewatch::config::Config;
use tidewatch::import::{store_layer, Target};
use tidewatch::layers::read_layer_defs;
use tidewatch::store::embedded::EmbeddedLayer;
use tidewatch::store::postgis::PostgisStore;
use tidewatch_importers::Progress;

/// A progress line on stderr, shown only once a task has run for a second.
struct ProgressLine {
    what: &'static str,
    started: Instant,
    last: Instant,
    shown: bool,
}

impl ProgressLine {
    fn new(what: &'static str) -> Self {
        let now = Instant::now();
        ProgressLine {
            what,
            started: now,
            last: now,
            shown: false,
        }
    }

    fn update(&mut self, done: u64, total: Option<u64>) {
        let now = Instant::now();
        if now - self.started < Duration::from_secs(1)
            || now - self.last < Duration::from_millis(200)
        {
            return;
        }
        self.last = now;
        self.shown = true;
        let rate = done as f64 / (now - self.started).as_secs_f64();
        match total.filter(|&t| t > 0) {
            Some(t) => {
                let pct = (done as f64 / t as f64 * 100.0).min(100.0);
                let bar = "#".repeat((pct / 5.0) as usize);
                eprint!(
                    "\r{}: [{bar:<20}] {pct:5.1}% {done}/{t} ({rate:.0}/s) ",
                    self.what
                );
            }
            None => eprint!("\r{}: {done} ({rate:.0}/s) ", self.what),
        }
        let _ = std::io::stderr().flush();
    }

    fn done(&self) {
        if self.shown {
            eprintln!();
        }
    }
}

fn progress_of(p: &Progress) -> (u64, Option<u64>) {
    match (p.bytes_read, p.bytes_total) {
        (Some(read), Some(total)) => (read, Some(total)),
        _ => (p.features, p.features_total),
    }
}

pub async fn import(args: ImportArgs) -> anyhow::Result<()> {
    let options = args.choices.options()?;
    let request = args.choices.request(&args.layer)?;
    let file = args.file.clone();
    let imported = tokio::task::spawn_blocking(move || {
        let mut line = ProgressLine::new("reading");
        let result = tidewatch_importers::read_file_with(&file, &options, &mut |p| {
            let (done, total) = progress_of(&p);
            line.update(done, total);
        });
        line.done();
        result
    })
    .await??;
    eprintln!(
        "read {} features from {} ({})",
        imported.features.len(),
        args.file.display(),
        imported.source_crs
    );
    let defaults = Config::default();
    let layers_dir = args.layers_dir.unwrap_or(defaults.layers_dir);
    let import_dir = args.import_dir.unwrap_or(defaults.import_dir);
    let store = match &args.database_url {
        Some(url) => {
            let store = PostgisStore::connect(url).await?;
            store.check_schema().await?;
            Some(store)
        }
        None => None,
    };
    let target = match &store {
        Some(store) => Target::Postgis(store),
        None => Target::Embedded {
            layers_dir: &layers_dir,
            import_dir: &import_dir,
        },
    };
    let total = imported.features.len() as u64;
    let mut line = ProgressLine::new("writing");
    let source = args.file.to_string_lossy().into_owned();
    let stored = store_layer(target, &request, imported, &source, &mut |n| {
        line.update(n as u64, Some(total))
    })
    .await;
    line.done();
    let summary = stored?.summary;
    println!(
        "layer {}: {} features imported in {:.2} s ({:.0} features/s){}",
        summary.layer,
        summary.features,
        summary.seconds,
        summary.features as f64 / summary.seconds.max(1e-9),
        if store.is_some() {
            " into PostGIS"
        } else {
            " into the embedded store (kill -HUP a running server to load it)"
        }
    );
    Ok(())
}

pub async fn export(args: ExportArgs) -> anyhow::Result<()> {
    let (features, kind) = match &args.database_url {
        Some(url) => {
            let store = PostgisStore::connect(url).await?;
            store.check_schema().await?;
            let layers = store.layers().await?;
            let Some(layer) = layers.into_iter().find(|l| l.info().id == args.layer) else {
                bail!("PostGIS has no layer {:?}", args.layer);
            };
            (
                layer
                    .features_in([-180.0, -90.0, 180.0, 90.0], usize::MAX)
                    .await?,
                layer.info().geometry,
            )
        }
        None => {
            let dir = args.layers_dir.unwrap_or(Config::default().layers_dir);
            let def = read_layer_defs(&dir)?
                .into_iter()
                .find(|d| d.id == args.layer)
                .with_context(|| format!("no layer {:?} in {}", args.layer, dir.display()))?;
            let layer = EmbeddedLayer::load(&def)?;
            (layer.features().to_vec(), def.geometry)
        }
    };
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let count = features.len();
    match args.format {
        tidewatch::export::Format::Geojson => {
            for chunk in tidewatch::export::geojson_chunks(&args.layer, features) {
                out.write_all(chunk.as_bytes())?;
            }
        }
        tidewatch::export::Format::Fgb => {
            out.write_all(&tidewatch::export::flatgeobuf(
                &args.layer,
                kind,
                &features,
            )?)?;
        }
    }
    out.flush()?;
    eprintln!("exported {count} features of layer {}", args.layer);
    Ok(())
}

/// Puts the demo data set into PostGIS (see [`tidewatch::import::load_demo_into_postgis`]).
pub async fn demo_load(url: &str, config: &Config, if_empty: bool) -> anyhow::Result<()> {
    let store = PostgisStore::connect(url).await?;
    store.migrate().await?;
    if if_empty {
        let layers = store.layers().await?.len();
        if layers > 0 {
            println!("the database holds {layers} layers already: demo data not loaded");
            return Ok(());
        }
    }
    for summary in
        tidewatch::import::load_demo_into_postgis(&store, &config.layers_dir, &config.tides_dir)
            .await?
    {
        println!("{}: {} features", summary.layer, summary.features);
    }
    Ok(())
}

pub async fn import_tides(args: ImportTidesArgs) -> anyhow::Result<()> {
    use tidewatch_importers::tides::{
        read_constants, read_tide_table, StationMeta, TideTableOptions,
    };
    let store = PostgisStore::connect(&args.database_url).await?;
    store.check_schema().await?;
    match args.kind {
        TideFileKind::Constants => {
            let meta = StationMeta {
                id: args.station,
                name: args.name,
                lon: args.lon,
                lat: args.lat,
                datum: args.datum,
            };
            let station = read_constants(&args.file, &meta)?;
            tidewatch::store::postgis::store_tide_constants(&store, &station).await?;
            println!(
                "station {}: {} constituents loaded",
                station.id,
                station.constituents.len()
            );
        }
        TideFileKind::Table => {
            let options = TideTableOptions {
                station: args.station.context("a tide table needs --station")?,
                datum: args.datum,
                time_zone: args.time_zone,
            };
            let table = read_tide_table(&args.file, &options)?;
            let n = tidewatch::store::postgis::store_tide_table(&store, &table).await?;
            println!(
                "station {}: {n} high and low waters loaded (datum {})",
                table.station, table.datum
            );
        }
    }
    Ok(())
}

pub async fn replay(args: ReplayArgs) -> anyhow::Result<()> {
    use tidewatch::live::replay::{nmea_lines, send, Destination};
    let to = Destination::parse(&args.to)?;
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let lines = nmea_lines(&text);
    let started = Instant::now();
    let sent = send(&lines, args.rate, &to, args.repeat).await?;
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "sent {sent} lines to {} in {secs:.1} s ({:.0} lines/s)",
        args.to,
        sent as f64 / secs.max(1e-9)
    );
    Ok(())
}

pub fn demo_traffic(dir: &std::path::Path, out: Option<&std::path::Path>) -> anyhow::Result<()> {
    let traffic = tidewatch::live::demo::demo_traffic(dir)?;
    let lines = tidewatch::live::demo::nmea_lines(&traffic);
    let mut text = String::with_capacity(lines.len() * 100);
    for line in &lines {
        text.push_str(line);
        text.push_str("\r\n");
    }
    match out {
        Some(path) => {
            std::fs::write(path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote {} NMEA lines to {}", lines.len(), path.display());
        }
        None => std::io::stdout().write_all(text.as_bytes())?,
    }
    Ok(())
}
