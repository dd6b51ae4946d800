//! GeoPackage reading through SQLite (the system libsqlite3, which PROJ links too).
//!
//! The feature table is found through `gpkg_contents` and `gpkg_geometry_columns`, its
//! CRS through `gpkg_spatial_ref_sys`. Geometries are GeoPackage binary: a "GP" header
//! (flags, optional envelope) followed by standard WKB, which geozero decodes. Table
//! and column names come from the file, so every one is quoted in SQL.

use crate::collect::{Collector, Imported, Origin};
use crate::{geom, Crs, ImportError, ImportOptions, Progress, Properties};
use geo::Geometry;
use geozero::wkb::Wkb;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use serde_json::Value;
use std::io::Write;
use std::path::Path;

/// Reads a .gpkg file on disk.
pub(crate) fn read_path(
    path: &Path,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Imported, ImportError> {
    if !path.is_file() {
        let missing = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        return Err(ImportError::io(path, missing));
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| ImportError::file(path, format!("cannot open as SQLite: {e}")))?;
    read(&conn, path, options, progress)
}

/// Reads a GeoPackage held in memory (an upload), through a temporary file that is
/// removed afterwards: SQLite reads databases from files.
pub(crate) fn read_bytes(
    bytes: &[u8],
    path: &Path,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Imported, ImportError> {
    let io = |e| ImportError::io(path, e);
    let mut file = tempfile::Builder::new()
        .suffix(".gpkg")
        .tempfile()
        .map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.flush().map_err(io)?;
    let conn = Connection::open_with_flags(file.path(), OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| ImportError::file(path, format!("cannot open as SQLite: {e}")))?;
    read(&conn, path, options, progress)
}

/// A name quoted as an SQL identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

struct Table {
    name: String,
    geometry_column: String,
    srs_id: i64,
}

fn read(
    conn: &Connection,
    path: &Path,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Imported, ImportError> {
    let sql_err = |e: rusqlite::Error| ImportError::file(path, format!("SQLite: {e}"));
    let table = choose_table(conn, path, options.table.as_deref())?;
    let crs = match &options.crs {
        Some(crs) => Some(crs.clone()),
        None => match table_crs(conn, &table).map_err(|reason| ImportError::file(path, reason))? {
            TableCrs::Known(crs) => Some(crs),
            TableCrs::UndefinedGeographic => None,
            TableCrs::Undefined => {
                return Err(ImportError::file(
                    path,
                    format!(
                    "table {:?} has an undefined CRS (srs_id {}); give its CRS (--crs EPSG:XXXX)",
                    table.name, table.srs_id
                ),
                ))
            }
        },
    };
    let columns = columns(conn, &table.name).map_err(sql_err)?;
    let fid = columns
        .iter()
        .find(|c| c.primary_key)
        .map(|c| c.name.clone());
    let attributes: Vec<&Column> = columns
        .iter()
        .filter(|c| !c.primary_key && c.name != table.geometry_column)
        .collect();
    let select: Vec<String> = fid
        .iter()
        .chain([&table.geometry_column])
        .chain(attributes.iter().map(|c| &c.name))
        .map(|n| quoted(n))
        .collect();
    let order = fid.as_deref().map(quoted).unwrap_or_else(|| "rowid".into());
    let count: i64 = conn
        .query_row(
            &format!("SELECT COUNT(*) FROM {}", quoted(&table.name)),
            [],
            |r| r.get(0),
        )
        .map_err(sql_err)?;

    let mut collector = Collector::new(path, crs.as_ref(), progress)?;
    collector.expect_features(count as u64);
    let mut statement = conn
        .prepare(&format!(
            "SELECT {} FROM {} ORDER BY {order}",
            select.join(", "),
            quoted(&table.name)
        ))
        .map_err(sql_err)?;
    let mut rows = statement.query([]).map_err(sql_err)?;
    let first_attribute = if fid.is_some() { 2 } else { 1 };
    while let Some(row) = rows.next().map_err(sql_err)? {
        let id = match fid {
            Some(_) => row.get::<_, Option<i64>>(0).map_err(sql_err)?,
            None => None,
        };
        let geometry_at = first_attribute - 1;
        let geometry = match row.get_ref(geometry_at).map_err(sql_err)? {
            ValueRef::Blob(blob) => gpkg_geometry(blob),
            ValueRef::Null => Err("empty geometry (NULL)".into()),
            _ => Err("the geometry column does not hold a geometry blob".into()),
        }
        .map_err(|reason| collector.error(Origin::Sequence, reason))?;
        let mut properties = Properties::new();
        for (i, column) in attributes.iter().enumerate() {
            let value = match row.get_ref(first_attribute + i).map_err(sql_err)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(v) if column.boolean => Value::Bool(v != 0),
                ValueRef::Integer(v) => Value::from(v),
                ValueRef::Real(v) => Value::from(v),
                ValueRef::Text(t) => Value::from(String::from_utf8_lossy(t)),
                // Binary attributes (photos, documents) have no place in a map layer.
                ValueRef::Blob(_) => continue,
            };
            properties.insert(column.name.clone(), value);
        }
        let id = id.and_then(|id| u64::try_from(id).ok());
        collector.push(Origin::Sequence, geometry, properties, id)?;
    }
    Ok(collector.finish())
}

/// The feature table to read: the one named, or the only one.
fn choose_table(
    conn: &Connection,
    path: &Path,
    wanted: Option<&str>,
) -> Result<Table, ImportError> {
    let tables: Vec<Table> = conn
        .prepare(
            "SELECT c.table_name, g.column_name, g.srs_id FROM gpkg_contents c \
             JOIN gpkg_geometry_columns g ON g.table_name = c.table_name \
             WHERE c.data_type = 'features' ORDER BY c.table_name",
        )
        .and_then(|mut s| {
            s.query_map([], |r| {
                Ok(Table {
                    name: r.get(0)?,
                    geometry_column: r.get(1)?,
                    srs_id: r.get(2)?,
                })
            })?
            .collect()
        })
        .map_err(|e| ImportError::file(path, format!("not a GeoPackage: {e}")))?;
    let names = || {
        tables
            .iter()
            .map(|t| format!("{:?}", t.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let found = match wanted {
        Some(w) => tables
            .iter()
            .position(|t| t.name.eq_ignore_ascii_case(w))
            .ok_or_else(|| format!("has no feature table {w:?}; its tables are {}", names())),
        None if tables.len() == 1 => Ok(0),
        None if tables.is_empty() => Err("has no feature tables".to_string()),
        None => Err(format!(
            "has several feature tables ({}); choose one with --table",
            names()
        )),
    }
    .map_err(|reason| ImportError::file(path, reason))?;
    Ok(tables.into_iter().nth(found).expect("index from position"))
}

enum TableCrs {
    Known(Crs),
    /// srs_id 0: "undefined geographic", taken as WGS84 lon/lat.
    UndefinedGeographic,
    /// srs_id -1 ("undefined Cartesian") or a definition of "undefined".
    Undefined,
}

fn table_crs(conn: &Connection, table: &Table) -> Result<TableCrs, String> {
    if table.srs_id == 0 {
        return Ok(TableCrs::UndefinedGeographic);
    }
    let srs: Option<(String, i64, String)> = conn
        .query_row(
            "SELECT organization, organization_coordsys_id, definition \
             FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
            [table.srs_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(format!("SQLite: {e}")),
        })?;
    let Some((org, code, definition)) = srs else {
        return Err(format!(
            "table {:?} uses srs_id {}, which gpkg_spatial_ref_sys does not define",
            table.name, table.srs_id
        ));
    };
    let epsg_code = u32::try_from(code).ok().filter(|&c| c > 0);
    let crs = if let (true, Some(code)) = (org.eq_ignore_ascii_case("EPSG"), epsg_code) {
        Crs::epsg(code)
    } else if definition.trim().eq_ignore_ascii_case("undefined") {
        return Ok(TableCrs::Undefined);
    } else {
        Crs::parse(&definition)
    };
    crs.map(TableCrs::Known).map_err(|e| e.to_string())
}

struct Column {
    name: String,
    primary_key: bool,
    boolean: bool,
}

fn columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<Column>> {
    conn.prepare(&format!("PRAGMA table_info({})", quoted(table)))?
        .query_map([], |r| {
            let declared: String = r.get(2)?;
            Ok(Column {
                name: r.get(1)?,
                primary_key: r.get::<_, i64>(5)? == 1 && declared.eq_ignore_ascii_case("INTEGER"),
                boolean: declared.eq_ignore_ascii_case("BOOLEAN"),
            })
        })?
        .collect()
}

/// Decodes GeoPackage binary: "GP", version, flags, srs_id, envelope, then WKB.
fn gpkg_geometry(blob: &[u8]) -> Result<Geometry<f64>, String> {
    if blob.len() < 8 || &blob[..2] != b"GP" {
        return Err("not a GeoPackage geometry (no \"GP\" header)".into());
    }
    let flags = blob[3];
    if flags & 0b0010_0000 != 0 {
        return Err("extended GeoPackage geometry types are not supported".into());
    }
    if flags & 0b0001_0000 != 0 {
        return Err("empty geometry".into());
    }
    let envelope = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        code => return Err(format!("bad GeoPackage envelope code {code}")),
    };
    let wkb = blob
        .get(8 + envelope..)
        .ok_or("geometry blob shorter than its header")?;
    geom::to_geo(&Wkb(wkb))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_binary_header() {
        // Point(1 2) in little-endian WKB, behind a header without envelope.
        let mut blob = b"GP\x00\x01\xE6\x10\x00\x00".to_vec();
        blob.extend([1, 1, 0, 0, 0]);
        blob.extend(1f64.to_le_bytes());
        blob.extend(2f64.to_le_bytes());
        assert_eq!(
            gpkg_geometry(&blob).unwrap(),
            Geometry::Point(geo::Point::new(1.0, 2.0))
        );
        let mut empty = blob.clone();
        empty[3] |= 0b0001_0000;
        assert!(gpkg_geometry(&empty).unwrap_err().contains("empty"));
        assert!(gpkg_geometry(b"XX\x00\x01").unwrap_err().contains("GP"));
        assert!(gpkg_geometry(&blob[..12])
            .unwrap_err()
            .contains("unreadable"));
        assert_eq!(quoted("a\"b"), "\"a\"\"b\"");
    }
}
