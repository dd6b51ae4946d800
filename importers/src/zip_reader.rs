//! Zip archives (usually a zipped shapefile), read entirely in memory: nothing is
//! extracted to disk, so hostile member names cannot write anywhere; they are still
//! refused, as is an archive that expands beyond [`ImportOptions::max_unzipped_bytes`].

use crate::collect::Imported;
use crate::shapefile_reader::{self, Parts};
use crate::{read_bytes_with, ImportError, ImportOptions, Progress};
use std::collections::BTreeMap;
use std::io::{Read, Seek};
use std::path::Path;

/// Members by lower-cased name: (name as stored, contents).
type Members = BTreeMap<String, (String, Vec<u8>)>;

/// Reads the one layer a zip holds: a shapefile (chosen by `options.table` when there
/// are several) or a single file of another supported format.
pub(crate) fn read<R: Read + Seek>(
    reader: R,
    path: &Path,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Imported, ImportError> {
    let members = unpack(reader, path, options.max_unzipped_bytes)?;
    let with_ext = |ext: &str| -> Vec<&str> {
        members
            .keys()
            .filter(|k| k.rsplit_once('.').is_some_and(|(_, e)| e == ext))
            .map(String::as_str)
            .collect()
    };
    let shps = with_ext("shp");
    if !shps.is_empty() {
        let key = choose(&shps, options.table.as_deref(), path)?;
        let stem = key.trim_end_matches(".shp");
        let part = |ext: &str| members.get(&format!("{stem}.{ext}"));
        let text = |ext: &str| part(ext).map(|(_, b)| String::from_utf8_lossy(b).into_owned());
        let (shp_name, shp) = &members[key];
        let shp_path = path.join(shp_name);
        let (_, dbf) = part("dbf")
            .ok_or_else(|| ImportError::file(&shp_path, "has no .dbf beside it in the zip"))?;
        let parts = Parts {
            shp: shp.as_slice(),
            dbf: dbf.as_slice(),
            prj: text("prj"),
            cpg: text("cpg"),
        };
        return shapefile_reader::read(parts, &shp_path, options, progress);
    }
    let others: Vec<&str> = ["geojson", "json", "fgb", "gpkg", "csv"]
        .iter()
        .flat_map(|ext| with_ext(ext))
        .collect();
    let key = choose(&others, options.table.as_deref(), path)?;
    let (name, bytes) = &members[key];
    read_bytes_with(&path.join(name).to_string_lossy(), bytes, options, progress)
}

/// The one candidate, or the one whose file stem is `table`.
fn choose<'a>(
    candidates: &[&'a str],
    table: Option<&str>,
    path: &Path,
) -> Result<&'a str, ImportError> {
    let stem = |k: &str| {
        let file = k.rsplit('/').next().unwrap_or(k);
        file.rsplit_once('.').map_or(file, |(s, _)| s).to_string()
    };
    match (candidates, table) {
        ([], _) => Err(ImportError::file(
            path,
            "the zip holds no shapefile (.shp) or other file Tidewatch reads",
        )),
        (_, Some(table)) => candidates
            .iter()
            .find(|k| stem(k) == table.to_lowercase())
            .copied()
            .ok_or_else(|| {
                ImportError::file(path, format!("the zip holds no layer named {table:?}"))
            }),
        ([one], None) => Ok(one),
        (many, None) => Err(ImportError::file(
            path,
            format!(
                "the zip holds several layers ({}); choose one with --table",
                many.iter().map(|k| stem(k)).collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

/// True for member names that could point outside the archive (zip-slip).
fn escapes(name: &str) -> bool {
    let bytes = name.as_bytes();
    name.starts_with(['/', '\\'])
        || (bytes.len() > 1 && bytes[1] == b':')
        || name.split(['/', '\\']).any(|c| c == "..")
        || name.contains('\0')
}

/// Junk that archivers add beside the real files.
fn is_junk(name: &str) -> bool {
    name.starts_with("__MACOSX/") || name.rsplit('/').next().is_some_and(|f| f.starts_with("._"))
}

fn unpack<R: Read + Seek>(reader: R, path: &Path, limit: u64) -> Result<Members, ImportError> {
    let bad = |reason: String| ImportError::file(path, reason);
    let mut archive = zip::ZipArchive::new(reader)
        .map_err(|e| bad(format!("not a readable zip archive: {e}")))?;
    let mut members = Members::new();
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut member = archive
            .by_index(i)
            .map_err(|e| bad(format!("cannot read zip member {}: {e}", i + 1)))?;
        let name = member
            .name()
            .map_err(|e| bad(format!("zip member {} has an unreadable name: {e}", i + 1)))?
            .into_owned();
        if escapes(&name) || member.enclosed_name().is_none() {
            return Err(bad(format!(
                "refusing zip member {name:?}: its path leads outside the archive (zip-slip)"
            )));
        }
        if member.is_dir() || is_junk(&name) {
            continue;
        }
        let mut contents = Vec::new();
        let allowed = limit - total;
        (&mut member)
            .take(allowed + 1)
            .read_to_end(&mut contents)
            .map_err(|e| bad(format!("cannot unpack {name:?}: {e}")))?;
        if contents.len() as u64 > allowed {
            return Err(bad(format!(
                "the archive expands to more than {limit} bytes; refusing it"
            )));
        }
        total += contents.len() as u64;
        members.insert(name.to_lowercase(), (name, contents));
    }
    Ok(members)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_escaping_names() {
        for name in [
            "../x.shp",
            "a/../../x",
            "/etc/passwd",
            "\\x",
            "C:\\x",
            "a\\..\\..\\x",
        ] {
            assert!(escapes(name), "{name}");
        }
        for name in ["x.shp", "dir/x.shp", "a..b.shp"] {
            assert!(!escapes(name), "{name}");
        }
    }
}
