//! Importers: turn geodata files into [`Feature`]s in WGS84 lon/lat.
//!
//! Every error names the file and, where it applies, the feature that is wrong, so a
//! user can fix the input without guessing. Readers return all features or an error:
//! nothing half-read ever reaches a store.

mod feature;
mod flatgeobuf_reader;
mod geojson_reader;

pub use feature::{Feature, Properties};
pub use flatgeobuf_reader::read_flatgeobuf;
pub use geojson_reader::{read_geojson, write_geojson};

use std::path::{Path, PathBuf};

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: cannot read file: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {reason}")]
    File { path: PathBuf, reason: String },
    #[error("{path}: feature {index}: {reason}")]
    Feature {
        path: PathBuf,
        index: usize,
        reason: String,
    },
    #[error("{path}: unsupported file type (expected .geojson, .json or .fgb)")]
    UnsupportedFormat { path: PathBuf },
}

/// Reads a file whose format is known from its extension.
pub fn read_file(path: &Path) -> Result<Vec<Feature>, ImportError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let io = |source| ImportError::Io {
        path: path.to_owned(),
        source,
    };
    match ext.as_deref() {
        Some("geojson" | "json") => {
            let bytes = std::fs::read(path).map_err(io)?;
            read_geojson(&bytes, path)
        }
        Some("fgb") => {
            let file = std::fs::File::open(path).map_err(io)?;
            read_flatgeobuf(std::io::BufReader::new(file), path)
        }
        _ => Err(ImportError::UnsupportedFormat {
            path: path.to_owned(),
        }),
    }
}
