//! Exports: a layer's features as GeoJSON (written in chunks, for streaming) or as
//! FlatGeobuf. Plain functions, shared by `tidewatch export` and the HTTP endpoint.

use flatgeobuf::{FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
use geozero::geojson::GeoJsonReader;
use geozero::GeozeroDatasource;
use tidewatch_importers::{geometry_json, Feature};
use tidewatch_tiles::GeometryKind;

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Geojson,
    Fgb,
}

impl Format {
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext {
            "geojson" | "json" => Some(Format::Geojson),
            "fgb" => Some(Format::Fgb),
            _ => None,
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::Geojson => "application/geo+json",
            Format::Fgb => "application/flatgeobuf",
        }
    }
}

/// Features per GeoJSON chunk.
const CHUNK: usize = 1000;

/// A FeatureCollection as a sequence of text chunks whose concatenation is the document.
pub fn geojson_chunks(name: &str, features: Vec<Feature>) -> impl Iterator<Item = String> + Send {
    let head = format!(
        "{{\"type\":\"FeatureCollection\",\"name\":{},\"features\":[\n",
        serde_json::Value::from(name)
    );
    let total = features.len();
    let mut chunks: Vec<Vec<Feature>> = Vec::new();
    let mut it = features.into_iter().peekable();
    while it.peek().is_some() {
        chunks.push(it.by_ref().take(CHUNK).collect());
    }
    let mut written = 0;
    std::iter::once(head)
        .chain(chunks.into_iter().map(move |chunk| {
            let mut out = String::new();
            for f in chunk {
                written += 1;
                out.push_str(&feature_json(&f).to_string());
                out.push_str(if written < total { ",\n" } else { "\n" });
            }
            out
        }))
        .chain(std::iter::once("]}\n".to_owned()))
}

fn feature_json(f: &Feature) -> serde_json::Value {
    serde_json::json!({
        "type": "Feature",
        "id": f.id,
        "geometry": geometry_json(&f.geometry),
        "properties": f.properties,
    })
}

/// A FlatGeobuf file (EPSG:4326, with a spatial index) of the features.
pub fn flatgeobuf(name: &str, kind: GeometryKind, features: &[Feature]) -> anyhow::Result<Vec<u8>> {
    flatgeobuf_with(name, kind, features, true)
}

/// A FlatGeobuf file (EPSG:4326) of the features; with `index`, a spatial index (which
/// reorders the features), without one, the features in the order given.
pub fn flatgeobuf_with(
    name: &str,
    kind: GeometryKind,
    features: &[Feature],
    index: bool,
) -> anyhow::Result<Vec<u8>> {
    let geometry_type = match kind {
        GeometryKind::Point => GeometryType::Point,
        GeometryKind::Line => GeometryType::MultiLineString,
        GeometryKind::Polygon => GeometryType::MultiPolygon,
    };
    let options = FgbWriterOptions {
        crs: FgbCrs {
            code: 4326,
            ..Default::default()
        },
        promote_to_multi: true,
        write_index: index,
        ..Default::default()
    };
    let mut fgb = FgbWriter::create_with_options(name, geometry_type, options)?;
    let text: String = geojson_chunks(name, features.to_vec()).collect();
    GeoJsonReader(std::io::Cursor::new(text.as_bytes())).process(&mut fgb)?;
    let mut out = Vec::new();
    fgb.write(&mut out)?;
    Ok(out)
}
