//! ESRI Shapefile reading: the .shp (geometry), .dbf (attributes), .prj (CRS as WKT) and
//! .cpg (text encoding) of one layer, from disk or from a zip's members.
//!
//! A small reader of our own rather than the `shapefile` crate, because an import must
//! notice what that crate glosses over: a .shp cut short, a .dbf with fewer records than
//! the .shp has shapes, unclosed rings, the .dbf's declared decimals (integer or real),
//! its column order and its code page (GBK is common in Chinese data). Z and M values are
//! skipped; MultiPatch and memo fields are not supported.

use crate::collect::{Collector, Imported, Origin};
use crate::{Crs, ImportError, ImportOptions, Progress, Properties};
use encoding_rs::Encoding;
use geo::{
    Contains, Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point,
    Polygon,
};
use serde_json::Value;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// The files of one shapefile layer. `shp` and `dbf` are read once, front to back.
pub(crate) struct Parts<R> {
    pub shp: R,
    pub dbf: R,
    pub prj: Option<String>,
    pub cpg: Option<String>,
}

/// Reads `x.shp` with `x.dbf`, `x.prj` and `x.cpg` beside it (either case of extension).
pub(crate) fn read_path(
    path: &Path,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Imported, ImportError> {
    let open = |p: &Path| {
        std::fs::File::open(p)
            .map(BufReader::new)
            .map_err(|e| ImportError::io(p, e))
    };
    let text = |ext: &str| -> Result<Option<String>, ImportError> {
        sibling(path, ext)
            .map(|p| {
                std::fs::read(&p)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .map_err(|e| ImportError::io(&p, e))
            })
            .transpose()
    };
    let dbf =
        sibling(path, "dbf").ok_or_else(|| ImportError::file(path, "has no .dbf beside it"))?;
    let parts = Parts {
        shp: open(path)?,
        dbf: open(&dbf)?,
        prj: text("prj")?,
        cpg: text("cpg")?,
    };
    read(parts, path, options, progress)
}

/// `path` with extension `ext` in lower or upper case, if that file exists.
fn sibling(path: &Path, ext: &str) -> Option<PathBuf> {
    [ext.to_string(), ext.to_ascii_uppercase()]
        .into_iter()
        .map(|e| path.with_extension(e))
        .find(|p| p.is_file())
}

/// Reads a layer from its parts; `path` (the .shp) names it in errors.
pub(crate) fn read<R: Read>(
    parts: Parts<R>,
    path: &Path,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Imported, ImportError> {
    let declared = match &parts.prj {
        Some(wkt) => Some(Crs::parse(wkt).map_err(|e| ImportError::crs(path, e))?),
        None => None,
    };
    let crs = options
        .crs_or(declared)
        .ok_or_else(|| ImportError::file(path, "has no .prj; give its CRS (--crs EPSG:XXXX)"))?;
    let mut shp = Shp::open(parts.shp, path)?;
    let dbf_path = path.with_extension("dbf");
    let mut dbf = Dbf::open(parts.dbf, &dbf_path, parts.cpg.as_deref())?;
    let mut collector = Collector::new(path, Some(&crs), progress)?;
    collector.expect_features(dbf.records.into());
    let mut record = 0u32;
    loop {
        let shape = shp
            .next()
            .map_err(|reason| collector.error(Origin::Sequence, reason))?;
        let Some(shape) = shape else { break };
        record += 1;
        if record > dbf.records {
            return Err(ImportError::file(
                path,
                format!(
                    "the .shp holds more shapes than the .dbf's {} records",
                    dbf.records
                ),
            ));
        }
        let (deleted, properties) = dbf
            .next(record)
            .map_err(|reason| collector.error(Origin::Sequence, reason))?;
        if deleted {
            continue;
        }
        let geometry = shape.map_err(|reason| collector.error(Origin::Sequence, reason))?;
        collector.push(Origin::Sequence, geometry, properties, None)?;
    }
    if record < dbf.records {
        return Err(ImportError::file(
            path,
            format!(
                "the .shp holds {record} shapes but the .dbf {} records",
                dbf.records
            ),
        ));
    }
    Ok(collector.finish())
}

fn read_exact<R: Read>(r: &mut R, buf: &mut [u8], what: &str) -> Result<(), String> {
    r.read_exact(buf).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => {
            format!("the file ends inside {what} (truncated?)")
        }
        _ => format!("cannot read {what}: {e}"),
    })
}

fn le_i32(b: &[u8]) -> i32 {
    i32::from_le_bytes(b[..4].try_into().expect("4 bytes"))
}

fn be_i32(b: &[u8]) -> i32 {
    i32::from_be_bytes(b[..4].try_into().expect("4 bytes"))
}

fn le_f64(b: &[u8]) -> f64 {
    f64::from_le_bytes(b[..8].try_into().expect("8 bytes"))
}

/// The .shp, read record by record.
struct Shp<R> {
    source: R,
    /// Bytes the header says the file has, and bytes read so far.
    length: u64,
    read: u64,
}

impl<R: Read> Shp<R> {
    fn open(mut source: R, path: &Path) -> Result<Shp<R>, ImportError> {
        let mut header = [0u8; 100];
        read_exact(&mut source, &mut header, "the .shp header")
            .map_err(|reason| ImportError::file(path, reason))?;
        if be_i32(&header[0..]) != 9994 {
            return Err(ImportError::file(path, "not a shapefile (.shp)"));
        }
        Ok(Shp {
            source,
            length: 2 * be_i32(&header[24..]).max(0) as u64,
            read: 100,
        })
    }

    /// The next record's geometry (or why it is unusable); None at the end. The outer
    /// error means the file itself is broken and reading cannot go on.
    #[allow(clippy::type_complexity)]
    fn next(&mut self) -> Result<Option<Result<Geometry<f64>, String>>, String> {
        if self.read >= self.length {
            return Ok(None);
        }
        let mut header = [0u8; 8];
        read_exact(&mut self.source, &mut header, "a record header").map_err(|_| {
            format!(
                "the .shp ends at byte {} but its header says {} (truncated?)",
                self.read, self.length
            )
        })?;
        let content = 2 * be_i32(&header[4..]) as i64;
        if content < 4 || self.read as i64 + 8 + content > self.length as i64 {
            return Err(format!(
                "corrupt .shp: record length {content} does not fit the file"
            ));
        }
        // Read through `take`, not into a buffer of the claimed size: a corrupt or
        // hostile header must not make us allocate gigabytes.
        let mut body = Vec::new();
        (&mut self.source)
            .take(content as u64)
            .read_to_end(&mut body)
            .map_err(|e| format!("cannot read this feature's record: {e}"))?;
        if (body.len() as i64) < content {
            return Err("the file ends inside this feature's record (truncated?)".into());
        }
        self.read += 8 + content as u64;
        Ok(Some(shape(&body)))
    }
}

/// Decodes one record's content (shape type first).
fn shape(body: &[u8]) -> Result<Geometry<f64>, String> {
    let kind = le_i32(body);
    let short = || format!("corrupt .shp: record too short for shape type {kind}");
    let coord = |b: &[u8]| Coord {
        x: le_f64(b),
        y: le_f64(&b[8..]),
    };
    match kind {
        0 => Err("empty geometry (a null shape)".into()),
        1 | 11 | 21 => {
            let b = body.get(4..20).ok_or_else(short)?;
            Ok(Point(coord(b)).into())
        }
        8 | 18 | 28 => {
            let n = body.get(36..40).map(le_i32).ok_or_else(short)?.max(0) as usize;
            let b = body.get(40..40 + 16 * n).ok_or_else(short)?;
            Ok(MultiPoint(b.chunks_exact(16).map(|c| Point(coord(c))).collect()).into())
        }
        3 | 13 | 23 | 5 | 15 | 25 => {
            let counts = body.get(36..44).ok_or_else(short)?;
            let (parts, points) = (
                le_i32(counts).max(0) as usize,
                le_i32(&counts[4..]).max(0) as usize,
            );
            let starts = body.get(44..44 + 4 * parts).ok_or_else(short)?;
            let at = 44 + 4 * parts;
            let b = body.get(at..at + 16 * points).ok_or_else(short)?;
            let coords: Vec<Coord<f64>> = b.chunks_exact(16).map(coord).collect();
            let mut starts: Vec<usize> = starts
                .chunks_exact(4)
                .map(|s| le_i32(s).max(0) as usize)
                .collect();
            starts.push(points);
            let mut lines = Vec::with_capacity(parts);
            for w in starts.windows(2) {
                let part = coords
                    .get(w[0]..w[1])
                    .ok_or("corrupt .shp: part indexes out of order")?;
                lines.push(LineString(part.to_vec()));
            }
            if lines.is_empty() {
                return Err("empty geometry (a shape without parts)".into());
            }
            if matches!(kind, 3 | 13 | 23) {
                Ok(match lines.len() {
                    1 => lines.remove(0).into(),
                    _ => MultiLineString(lines).into(),
                })
            } else {
                polygons(lines)
            }
        }
        31 => Err("MultiPatch shapes are not supported".into()),
        other => Err(format!("corrupt .shp: unknown shape type {other}")),
    }
}

/// Groups shapefile rings into polygons: clockwise rings are exteriors, counter-clockwise
/// ones holes of the smallest exterior containing them. A hole inside no exterior is
/// taken as an exterior (wrongly oriented), as GDAL does.
fn polygons(rings: Vec<LineString<f64>>) -> Result<Geometry<f64>, String> {
    let mut exteriors: Vec<(f64, Polygon<f64>)> = Vec::new();
    let mut holes = Vec::new();
    for ring in rings {
        if ring.0.first() != ring.0.last() || ring.0.len() < 4 {
            let start = ring.0.first().copied().unwrap_or(Coord { x: 0.0, y: 0.0 });
            return Err(format!(
                "polygon ring at ({}, {}) is not closed or has fewer than four positions",
                start.x, start.y
            ));
        }
        let area = signed_area(&ring);
        if area <= 0.0 {
            exteriors.push((-area, Polygon::new(ring, vec![])));
        } else {
            holes.push((area, ring));
        }
    }
    for (area, hole) in holes {
        let as_polygon = Polygon::new(hole, vec![]);
        let owner = exteriors
            .iter_mut()
            .filter(|(_, p)| p.contains(&as_polygon))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        let (hole, _) = as_polygon.into_inner();
        match owner {
            Some((_, p)) => p.interiors_push(hole),
            None => exteriors.push((area, Polygon::new(hole, vec![]))),
        }
    }
    let mut polys: Vec<Polygon<f64>> = exteriors.into_iter().map(|(_, p)| p).collect();
    Ok(match polys.len() {
        1 => polys.remove(0).into(),
        _ => MultiPolygon(polys).into(),
    })
}

/// Shoelace area: negative for clockwise rings (shapefile exteriors).
fn signed_area(ring: &LineString<f64>) -> f64 {
    ring.0
        .windows(2)
        .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
        .sum::<f64>()
        / 2.0
}

/// One column of the .dbf.
struct Field {
    name: String,
    kind: u8,
    length: usize,
    decimals: u8,
}

/// The .dbf, read record by record.
struct Dbf<R> {
    source: R,
    records: u32,
    fields: Vec<Field>,
    encoding: &'static Encoding,
    record: Vec<u8>,
}

/// The text encoding of a .dbf: the .cpg names it; else the header's language driver
/// id; with neither, UTF-8 (checked: bad bytes are an error asking for a .cpg).
fn encoding(cpg: Option<&str>, ldid: u8) -> Result<&'static Encoding, String> {
    if let Some(label) = cpg {
        let label = label.trim().trim_start_matches('\u{feff}');
        let by_code_page = match label.to_ascii_uppercase().trim_start_matches("CP") {
            "936" => Some("gbk"),
            "950" => Some("big5"),
            "949" => Some("euc-kr"),
            "932" => Some("shift_jis"),
            "65001" => Some("utf-8"),
            "1252" | "ANSI 1252" => Some("windows-1252"),
            _ => None,
        };
        return Encoding::for_label(by_code_page.unwrap_or(label).as_bytes())
            .ok_or_else(|| format!("the .cpg names an unknown encoding {label:?}"));
    }
    Ok(match ldid {
        0 => encoding_rs::UTF_8,
        0x4D | 0x7A => encoding_rs::GBK,
        0x4F | 0x78 => encoding_rs::BIG5,
        0x4E | 0x79 => encoding_rs::EUC_KR,
        0x13 | 0x7B => encoding_rs::SHIFT_JIS,
        0x03 | 0x57 => encoding_rs::WINDOWS_1252,
        other => {
            return Err(format!(
                "the .dbf's code page mark 0x{other:02X} is not supported; add a .cpg naming its encoding (e.g. GBK)"
            ))
        }
    })
}

impl<R: Read> Dbf<R> {
    fn open(mut source: R, path: &Path, cpg: Option<&str>) -> Result<Dbf<R>, ImportError> {
        let err = |reason: String| ImportError::file(path, reason);
        let mut header = [0u8; 32];
        read_exact(&mut source, &mut header, "the .dbf header").map_err(err)?;
        let records = u32::from_le_bytes(header[4..8].try_into().expect("4 bytes"));
        let header_len = u16::from_le_bytes([header[8], header[9]]) as usize;
        let record_len = u16::from_le_bytes([header[10], header[11]]) as usize;
        let encoding = encoding(cpg, header[29]).map_err(err)?;
        if header_len < 33 {
            return Err(err("not a dBase (.dbf) file".into()));
        }
        let mut descriptors = vec![0u8; header_len - 32];
        read_exact(&mut source, &mut descriptors, "the .dbf field list").map_err(err)?;
        let mut fields = Vec::new();
        for d in descriptors.chunks_exact(32).take_while(|d| d[0] != 0x0D) {
            let raw_name = d[..11].split(|&b| b == 0).next().unwrap_or_default();
            let (name, _, bad) = encoding.decode(raw_name);
            if bad {
                return Err(err(format!(
                    "a field name is not valid {}; add a .cpg naming the encoding",
                    encoding.name()
                )));
            }
            fields.push(Field {
                name: name.trim().to_string(),
                kind: d[11],
                length: d[16] as usize,
                decimals: d[17],
            });
        }
        if let Some(f) = fields.iter().find(|f| !b"CNFLDIO".contains(&f.kind)) {
            return Err(err(format!(
                "field {:?} has dBase type '{}', which is not supported",
                f.name, f.kind as char
            )));
        }
        if 1 + fields.iter().map(|f| f.length).sum::<usize>() > record_len {
            return Err(err("corrupt .dbf: fields longer than a record".into()));
        }
        Ok(Dbf {
            source,
            records,
            fields,
            encoding,
            record: vec![0u8; record_len],
        })
    }

    /// Record `number` (1-based): whether it is deleted, and its attributes.
    fn next(&mut self, number: u32) -> Result<(bool, Properties), String> {
        read_exact(
            &mut self.source,
            &mut self.record,
            &format!("record {number} of the .dbf"),
        )?;
        let deleted = self.record[0] == b'*';
        let mut properties = Properties::new();
        let mut at = 1;
        for f in &self.fields {
            let raw = &self.record[at..at + f.length];
            at += f.length;
            let value = value(f, raw, self.encoding)
                .map_err(|reason| format!(".dbf field {:?}: {reason}", f.name))?;
            properties.insert(f.name.clone(), value);
        }
        Ok((deleted, properties))
    }
}

/// One attribute. Empty text, numbers and dates are null, as in shapelib.
fn value(f: &Field, raw: &[u8], encoding: &'static Encoding) -> Result<Value, String> {
    let ascii = || {
        String::from_utf8_lossy(raw)
            .trim()
            .trim_matches('\0')
            .to_string()
    };
    Ok(match f.kind {
        b'C' => {
            let (text, _, bad) = encoding.decode(raw);
            if bad {
                return Err(format!(
                    "text is not valid {}; add a .cpg naming the file's encoding (e.g. GBK)",
                    encoding.name()
                ));
            }
            let text = text.trim_end_matches([' ', '\0']);
            if text.is_empty() {
                Value::Null
            } else {
                Value::from(text)
            }
        }
        b'N' | b'F' => {
            let s = ascii();
            if s.is_empty() || s.bytes().all(|b| b == b'*') {
                Value::Null
            } else if f.decimals == 0 && s.parse::<i64>().is_ok() {
                Value::from(s.parse::<i64>().expect("checked"))
            } else {
                let n: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
                Value::from(n)
            }
        }
        b'L' => match raw.first() {
            Some(b'T' | b't' | b'Y' | b'y') => Value::Bool(true),
            Some(b'F' | b'f' | b'N' | b'n') => Value::Bool(false),
            _ => Value::Null,
        },
        b'D' => {
            let s = ascii();
            if s.is_empty() || s == "00000000" {
                Value::Null
            } else if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
                Value::from(format!("{}-{}-{}", &s[..4], &s[4..6], &s[6..]))
            } else {
                return Err(format!("{s:?} is not a date (YYYYMMDD)"));
            }
        }
        b'I' if raw.len() == 4 => Value::from(le_i32(raw)),
        b'O' if raw.len() == 8 => Value::from(le_f64(raw)),
        _ => return Err(format!("bad length {} for its type", raw.len())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rings_group_by_orientation_and_containment() {
        // Clockwise exterior, counter-clockwise hole, as shapefiles store them.
        let outer = LineString::from(vec![(0., 0.), (0., 4.), (4., 4.), (4., 0.), (0., 0.)]);
        let hole = LineString::from(vec![(1., 1.), (2., 1.), (2., 2.), (1., 2.), (1., 1.)]);
        let far = LineString::from(vec![(9., 9.), (9., 10.), (10., 10.), (10., 9.), (9., 9.)]);
        let g = polygons(vec![outer.clone(), far.clone(), hole.clone()]).unwrap();
        let Geometry::MultiPolygon(mp) = g else {
            panic!("{g:?}")
        };
        assert_eq!(mp.0[0].interiors().len(), 1);
        assert_eq!(mp.0[1].interiors().len(), 0);
        assert!(matches!(
            polygons(vec![outer]).unwrap(),
            Geometry::Polygon(_)
        ));
        let open = LineString::from(vec![(0., 0.), (0., 4.), (4., 4.), (4., 0.)]);
        assert!(polygons(vec![open]).unwrap_err().contains("not closed"));
    }

    #[test]
    fn encodings_come_from_cpg_or_code_page_mark() {
        assert_eq!(encoding(Some("936"), 0).unwrap(), encoding_rs::GBK);
        assert_eq!(
            encoding(Some("UTF-8\r\n"), 0x4D).unwrap(),
            encoding_rs::UTF_8
        );
        assert_eq!(encoding(None, 0x4D).unwrap(), encoding_rs::GBK);
        assert_eq!(encoding(None, 0).unwrap(), encoding_rs::UTF_8);
        assert!(encoding(Some("klingon"), 0).is_err());
    }
}
