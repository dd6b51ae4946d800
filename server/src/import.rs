//! Imports: what the importers read becomes a layer, in PostGIS or in the embedded
//! store's folders. Shared by `tidewatch import` and `POST /admin/layers/{id}/import`;
//! both are all-or-nothing: a failed import leaves the old layer as it was.

use crate::layers::{is_valid_id, read_layer_defs, LayerDef, Title};
use crate::store::embedded::EmbeddedLayer;
use crate::store::postgis::{
    replace_layer, store_tide_constants, ImportSummary, PostgisStore, Storage,
};
use anyhow::{bail, Context};
use std::path::{Path, PathBuf};
use std::time::Instant;
use tidewatch_importers::{write_geojson, Imported};
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
    let mut def = existing.unwrap_or_else(|| LayerDef {
        id: request.id.clone(),
        title: Title {
            zh: request.id.clone(),
            en: request.id.clone(),
        },
        description: String::new(),
        geometry,
        file: PathBuf::new(),
        minzoom: 0,
        maxzoom: 14,
        properties: None,
        simplify_px: 0.5,
        simplify_px_by_zoom: Default::default(),
        max_points_per_tile: 4096,
        attribution: String::new(),
    });
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
/// layers into their typed tables) and the Kanmen tide constants that ship with it.
pub async fn load_demo_into_postgis(
    store: &PostgisStore,
    layers_dir: &Path,
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
    let constants = layers_dir.join("../data/demo/tides/kanmen-ticon4.json");
    let station = tidewatch_importers::tides::read_constants(&constants, &Default::default())?;
    store_tide_constants(store, &station).await?;
    Ok(summaries)
}
