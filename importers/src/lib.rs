//! Importers: turn geodata files into [`Feature`]s in WGS84 lon/lat, and tide inputs into
//! plain structs ([`tides`]).
//!
//! Formats: GeoJSON, FlatGeobuf, Shapefile (.shp/.dbf/.prj, or a .zip of them),
//! GeoPackage and CSV (lon/lat or WKT columns). Coordinates in another CRS are reprojected
//! with PROJ ([`Crs`]); the CRS comes from the file or from [`ImportOptions::crs`].
//!
//! Every error names the file and, where it applies, the feature or line that is wrong and
//! why, so a user can fix the input without guessing. Readers return all features or an
//! error: nothing half-read ever reaches a store.

mod collect;
mod crs;
mod csv_reader;
mod feature;
mod flatgeobuf_reader;
mod geojson_reader;
mod geom;
mod gpkg_reader;
mod proj_identify;
mod shapefile_reader;
mod summary;
pub mod tides;
mod validate;
mod zip_reader;

pub use collect::{Imported, Progress, PROGRESS_EVERY};
pub use crs::{Area, Crs, CrsError, ReprojectError, Reprojector, AREA_MARGIN_DEG};
pub use feature::{Feature, Properties};
pub use geojson_reader::{geometry_json, write_geojson};
pub use summary::{FieldType, GeometryKind};

use std::io::{BufReader, Cursor};
use std::path::{Path, PathBuf};

/// Why an import failed. Every variant names the file.
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
    /// `number` counts features from 1 in file order (the default feature id).
    #[error("{path}: feature {number}: {reason}")]
    Feature {
        path: PathBuf,
        number: usize,
        reason: String,
    },
    /// A line of a text file (1-based, as an editor shows it) and the column, if one.
    #[error("{path}: line {line}{}: {reason}", column_note(.column))]
    Row {
        path: PathBuf,
        line: u64,
        column: Option<String>,
        reason: String,
    },
    #[error("{path}: constituent {name}: {reason}")]
    Constituent {
        path: PathBuf,
        name: String,
        reason: String,
    },
    #[error("{path}: {source}")]
    Crs {
        path: PathBuf,
        #[source]
        source: CrsError,
    },
    #[error(
        "{path}: unsupported file type (expected .geojson, .json, .fgb, .shp, .zip, .gpkg or .csv)"
    )]
    UnsupportedFormat { path: PathBuf },
}

fn column_note(column: &Option<String>) -> String {
    column
        .as_ref()
        .map(|c| format!(", column {c:?}"))
        .unwrap_or_default()
}

impl ImportError {
    pub(crate) fn file(path: &Path, reason: impl Into<String>) -> ImportError {
        ImportError::File {
            path: path.to_owned(),
            reason: reason.into(),
        }
    }

    pub(crate) fn crs(path: &Path, source: CrsError) -> ImportError {
        ImportError::Crs {
            path: path.to_owned(),
            source,
        }
    }

    pub(crate) fn io(path: &Path, source: std::io::Error) -> ImportError {
        ImportError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// Largest total an archive may expand to (2 GiB), against zip bombs.
pub const DEFAULT_MAX_UNZIPPED_BYTES: u64 = 2 << 30;

/// How to read a file. `Default` reads WGS84 files as they are.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportOptions {
    /// The coordinates' CRS. Overrides what the file declares (.prj, GeoPackage srs,
    /// FlatGeobuf header, GeoJSON `crs`); needed for files that declare none.
    pub crs: Option<Crs>,
    /// The GeoPackage table, or the shapefile in a zip holding several (by file stem),
    /// to read when there is more than one.
    pub table: Option<String>,
    /// CSV columns; by default lon|lng|long|longitude|x, lat|latitude|y, or wkt|geometry|geom
    /// (case-insensitive).
    pub lon_column: Option<String>,
    pub lat_column: Option<String>,
    pub wkt_column: Option<String>,
    /// Largest total size the members of a .zip may expand to.
    pub max_unzipped_bytes: u64,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            crs: None,
            table: None,
            lon_column: None,
            lat_column: None,
            wkt_column: None,
            max_unzipped_bytes: DEFAULT_MAX_UNZIPPED_BYTES,
        }
    }
}

impl ImportOptions {
    /// The CRS to read in: the explicit one, else the file's.
    pub(crate) fn crs_or(&self, declared: Option<Crs>) -> Option<Crs> {
        self.crs.clone().or(declared)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Format {
    GeoJson,
    FlatGeobuf,
    Shapefile,
    Zip,
    GeoPackage,
    Csv,
}

fn format_of(path: &Path) -> Result<Format, ImportError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    Ok(match ext.as_deref() {
        Some("geojson" | "json") => Format::GeoJson,
        Some("fgb") => Format::FlatGeobuf,
        Some("shp") => Format::Shapefile,
        Some("zip") => Format::Zip,
        Some("gpkg") => Format::GeoPackage,
        Some("csv") => Format::Csv,
        _ => {
            return Err(ImportError::UnsupportedFormat {
                path: path.to_owned(),
            })
        }
    })
}

/// Reads a WGS84 file whose format is known from its extension (what the embedded
/// store does for layer files).
pub fn read_file(path: &Path) -> Result<Vec<Feature>, ImportError> {
    read_file_with(path, &ImportOptions::default(), &mut |_| {}).map(|i| i.features)
}

/// Reads a file whose format is known from its extension, reprojecting to WGS84.
/// A .shp is read with its .dbf, .prj and .cpg beside it.
pub fn read_file_with(
    path: &Path,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Imported, ImportError> {
    let read_all = || std::fs::read(path).map_err(|e| ImportError::io(path, e));
    let open = || {
        std::fs::File::open(path)
            .map(BufReader::new)
            .map_err(|e| ImportError::io(path, e))
    };
    match format_of(path)? {
        Format::GeoJson => geojson_reader::read(&read_all()?, path, options, progress),
        Format::FlatGeobuf => flatgeobuf_reader::read(open()?, path, options, progress),
        Format::Shapefile => shapefile_reader::read_path(path, options, progress),
        Format::Zip => zip_reader::read(open()?, path, options, progress),
        Format::GeoPackage => gpkg_reader::read_path(path, options, progress),
        Format::Csv => csv_reader::read(&read_all()?, path, options, progress),
    }
}

/// Reads an upload held in memory; `file_name` gives the format (by extension) and is
/// the name errors use. A shapefile must come as a .zip holding its parts.
pub fn read_bytes_with(
    file_name: &str,
    bytes: &[u8],
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Imported, ImportError> {
    let path = Path::new(file_name);
    match format_of(path)? {
        Format::GeoJson => geojson_reader::read(bytes, path, options, progress),
        Format::FlatGeobuf => flatgeobuf_reader::read(Cursor::new(bytes), path, options, progress),
        Format::Shapefile => Err(ImportError::file(
            path,
            "a shapefile needs its .dbf and .prj: upload a .zip holding them",
        )),
        Format::Zip => zip_reader::read(Cursor::new(bytes), path, options, progress),
        Format::GeoPackage => gpkg_reader::read_bytes(bytes, path, options, progress),
        Format::Csv => csv_reader::read(bytes, path, options, progress),
    }
}

/// Reads a GeoJSON document in WGS84 (or in the CRS its `crs` member names).
pub fn read_geojson(bytes: &[u8], path: &Path) -> Result<Vec<Feature>, ImportError> {
    geojson_reader::read(bytes, path, &ImportOptions::default(), &mut |_| {}).map(|i| i.features)
}

/// Reads a FlatGeobuf file, reprojecting from the CRS in its header.
pub fn read_flatgeobuf<R: std::io::Read + std::io::Seek>(
    reader: R,
    path: &Path,
) -> Result<Vec<Feature>, ImportError> {
    flatgeobuf_reader::read(reader, path, &ImportOptions::default(), &mut |_| {})
        .map(|i| i.features)
}
