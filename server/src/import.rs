//! Imports: what the importers read becomes a layer, in PostGIS or in the embedded
//! store's folders. Shared by `tidewatch import` and `POST /admin/layers/{id}/import`;
//! both are all-or-nothing: a failed import leaves the old layer as it was.

use crate::analysis::tide_stations::PredictorInput;
use crate::layers::{is_valid_id, read_layer_defs, LayerDef, Title};
use crate::store::embedded::EmbeddedLayer;
use crate::store::postgis::{
    replace_layer, store_tide_constants, store_tide_table, ImportSummary, PostgisStore, Storage,
};
use anyhow::{bail, Context};
use std::path::{Path, PathBuf};
use std::time::Instant;
use tidewatch_importers::{write_geojson, Crs, ImportOptions, Imported};
use tidewatch_tiles::GeometryKind;

/// Where an import goes.
pub enum Target<'a> {
    Postgis(&'a PostgisStore),
    /// The embedded store: a GeoJSON file in `import_dir` and a definition in `layers_dir`.
    Embedded {
        layers_dir: &'a Path,
        import_dir: &'a Path,
    },
}

/// How to read a file and which layer to make of it: the options `tidewatch import` and
/// the upload endpoint share (flags there, query parameters here).
#[derive(Debug, Clone, Default, serde::Deserialize, clap::Args)]
#[serde(deny_unknown_fields)]
pub struct ImportChoices {
    /// The uploaded file's name, whose extension says the format (uploads only).
    #[arg(skip)]
    pub filename: Option<String>,
    /// Source CRS when the file does not say (or says wrongly), e.g. EPSG:4550.
    #[arg(long)]
    pub crs: Option<String>,
    /// Typed asset table to import into: pier, barrier, camera, radar or tide_station.
    #[arg(long)]
    pub kind: Option<String>,
    /// GeoPackage table (when the file holds several).
    #[arg(long)]
    pub table: Option<String>,
    /// CSV longitude (or x) column, when not auto-detected.
    #[arg(long)]
    pub lon_column: Option<String>,
    /// CSV latitude (or y) column, when not auto-detected.
    #[arg(long)]
    pub lat_column: Option<String>,
    /// CSV WKT geometry column, when not auto-detected.
    #[arg(long)]
    pub wkt_column: Option<String>,
    /// Layer title in Chinese (new layers).
    #[arg(long)]
    pub title_zh: Option<String>,
    /// Layer title in English (new layers).
    #[arg(long)]
    pub title_en: Option<String>,
}

impl ImportChoices {
    pub fn options(&self) -> anyhow::Result<ImportOptions> {
        Ok(ImportOptions {
            crs: self.crs.as_deref().map(Crs::parse).transpose()?,
            table: self.table.clone(),
            lon_column: self.lon_column.clone(),
            lat_column: self.lat_column.clone(),
            wkt_column: self.wkt_column.clone(),
            ..Default::default()
        })
    }

    pub fn request(&self, id: &str) -> anyhow::Result<LayerRequest> {
        let storage = match &self.kind {
            Some(kind) => Storage::parse(kind).with_context(|| {
                format!("unknown kind {kind:?}; use pier, barrier, camera, radar or tide_station")
            })?,
            None => Storage::Features,
        };
        let title = match (&self.title_zh, &self.title_en) {
            (Some(zh), Some(en)) => Some(Title {
                zh: zh.clone(),
                en: en.clone(),
            }),
            (Some(t), None) | (None, Some(t)) => Some(Title {
                zh: t.clone(),
                en: t.clone(),
            }),
            (None, None) => None,
        };
        Ok(LayerRequest {
            id: id.to_owned(),
            storage,
            title,
        })
    }
}

/// What the user asked for besides the file.
#[derive(Debug, Clone)]
pub struct LayerRequest {
    pub id: String,
    pub storage: Storage,
    pub title: Option<Title>,
}

/// The result: a summary, and for the embedded store the ready layer to swap in.
pub struct Stored {
    pub summary: ImportSummary,
    pub embedded: Option<EmbeddedLayer>,
}

/// Stores `imported` as layer `request.id`, keeping an existing layer's settings
/// (titles, zooms, tile properties) and replacing its features.
pub async fn store_layer(
    target: Target<'_>,
    request: &LayerRequest,
    imported: Imported,
    source_file: &str,
    progress: &mut (dyn FnMut(usize) + Send),
) -> anyhow::Result<Stored> {
    if !is_valid_id(&request.id) {
        bail!(
            "layer id {:?} must be 1–64 of a–z, 0–9, '_' or '-'",
            request.id
        );
    }
    let geometry = tile_geometry(&imported)?;
    match target {
        Target::Postgis(store) => {
            let existing = store
                .layer_defs()
                .await?
                .into_iter()
                .find(|d| d.id == request.id);
            let def = layer_def(existing, request, geometry, source_file)?;
            let summary = replace_layer(
                store,
                &def,
                request.storage,
                &imported.features,
                Some(&imported.source_crs),
                progress,
            )
            .await?;
            Ok(Stored {
                summary,
                embedded: None,
            })
        }
        Target::Embedded {
            layers_dir,
            import_dir,
        } => {
            let started = Instant::now();
            let existing = read_layer_defs(layers_dir)
                .ok()
                .and_then(|defs| defs.into_iter().find(|d| d.id == request.id));
            let is_new = existing.is_none();
            let mut def = layer_def(existing, request, geometry, source_file)?;
            if is_new {
                std::fs::create_dir_all(import_dir)
                    .with_context(|| format!("cannot create {}", import_dir.display()))?;
                def.file = std::path::absolute(import_dir.join(format!("{}.geojson", def.id)))?;
            } else if !def
                .file
                .extension()
                .is_some_and(|e| e == "geojson" || e == "json")
            {
                bail!(
                    "layer {:?} is defined by {}, which an import cannot rewrite; import into a new layer id",
                    def.id,
                    def.file.display()
                );
            }
            // Build the layer first: if it cannot be served, nothing is written.
            let count = imported.features.len();
            let text = write_geojson(&imported.features, &[("name", serde_json::json!(def.id))]);
            let layer = EmbeddedLayer::from_features(&def, imported.features)?;
            write_atomically(&def.file, text.as_bytes())?;
            if is_new {
                write_atomically(
                    &layers_dir.join(format!("{}.toml", def.id)),
                    definition_toml(&def).as_bytes(),
                )?;
            }
            progress(count);
            Ok(Stored {
                summary: ImportSummary {
                    layer: def.id.clone(),
                    features: count,
                    parts: count,
                    clusters: 0,
                    seconds: started.elapsed().as_secs_f64(),
                },
                embedded: Some(layer),
            })
        }
    }
}

/// The MVT geometry type of an import; one layer holds one type.
fn tile_geometry(imported: &Imported) -> anyhow::Result<GeometryKind> {
    use tidewatch_importers::GeometryKind as Read;
    match imported.geometry {
        Some(Read::Point | Read::MultiPoint) => Ok(GeometryKind::Point),
        Some(Read::LineString | Read::MultiLineString) => Ok(GeometryKind::Line),
        Some(Read::Polygon | Read::MultiPolygon) => Ok(GeometryKind::Polygon),
        None => bail!("the file has no features"),
        Some(other) => {
            bail!("the file mixes geometry types ({other:?}); import one layer per type")
        }
    }
}

fn layer_def(
    existing: Option<LayerDef>,
    request: &LayerRequest,
    geometry: GeometryKind,
    source_file: &str,
) -> anyhow::Result<LayerDef> {
    let mut def = existing.unwrap_or_else(|| LayerDef::new(&request.id, geometry));
    if def.geometry != geometry {
        bail!(
            "layer {:?} holds {:?} features; the file has {:?}",
            def.id,
            def.geometry,
            geometry
        );
    }
    if let Some(title) = &request.title {
        def.title = title.clone();
    }
    if def.file.as_os_str().is_empty() {
        def.file = PathBuf::from(source_file);
    }
    Ok(def)
}

/// Writes via a temporary file and a rename, so readers never see half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp-import");
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))
}

fn definition_toml(def: &LayerDef) -> String {
    let kind = match def.geometry {
        GeometryKind::Point => "point",
        GeometryKind::Line => "line",
        GeometryKind::Polygon => "polygon",
    };
    format!(
        "# Written by `tidewatch import`.\nid = {}\ntitle = {{ zh = {}, en = {} }}\ngeometry = \"{kind}\"\nfile = {}\nminzoom = {}\nmaxzoom = {}\n",
        toml_str(&def.id),
        toml_str(&def.title.zh),
        toml_str(&def.title.en),
        toml_str(&def.file.to_string_lossy()),
        def.minzoom,
        def.maxzoom
    )
}

fn toml_str(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialise")
}

/// Loads the demo data set into PostGIS: every layer defined in `layers_dir` (the asset
/// layers into their typed tables) and the tide constants and tables named in the tides
/// folder's `tides.toml`.
pub async fn load_demo_into_postgis(
    store: &PostgisStore,
    layers_dir: &Path,
    tides_dir: &Path,
) -> anyhow::Result<Vec<ImportSummary>> {
    let mut summaries = Vec::new();
    for def in read_layer_defs(layers_dir)? {
        let features = tidewatch_importers::read_file(&def.file)?;
        let storage = Storage::parse(&def.id).unwrap_or(Storage::Features);
        summaries.push(
            replace_layer(
                store,
                &def,
                storage,
                &features,
                Some("EPSG:4326"),
                &mut |_| {},
            )
            .await?,
        );
    }
    for (_, input) in crate::analysis::tide_stations::read_tides_dir(tides_dir)? {
        match input {
            PredictorInput::Constants(station) => {
                store_tide_constants(store, &station).await?;
            }
            PredictorInput::Table(table) => {
                store_tide_table(store, &table).await?;
            }
        }
    }
    Ok(summaries)
}
