//! FlatGeobuf reading: geometry through geozero, attributes as JSON values, coordinates
//! reprojected from the CRS in the header (or the explicit one).

use crate::collect::{Collector, Imported, Origin};
use crate::{geom, Crs, ImportError, ImportOptions, Progress, Properties};
use flatgeobuf::{FallibleStreamingIterator, FgbReader};
use geozero::{ColumnValue, FeatureProperties, PropertyProcessor};
use serde_json::Value;
use std::io::{Read, Seek};
use std::path::Path;

/// Reads every feature of a FlatGeobuf file.
pub(crate) fn read<R: Read + Seek>(
    mut reader: R,
    path: &Path,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Imported, ImportError> {
    let fgb = FgbReader::open(&mut reader)
        .map_err(|e| ImportError::file(path, format!("not a readable FlatGeobuf file: {e}")))?;
    let declared = header_crs(&fgb.header()).map_err(|e| ImportError::crs(path, e))?;
    let total = fgb.header().features_count();
    let mut collector = Collector::new(path, options.crs_or(declared).as_ref(), progress)?;
    if total > 0 {
        collector.expect_features(total);
    }
    let mut iter = fgb
        .select_all()
        .map_err(|e| ImportError::file(path, format!("cannot read features: {e}")))?;
    while let Some(raw) = iter
        .next()
        .map_err(|e| collector.error(Origin::Sequence, format!("truncated or corrupt: {e}")))?
    {
        let geometry =
            geom::to_geo(raw).map_err(|reason| collector.error(Origin::Sequence, reason))?;
        let mut props = JsonProperties::default();
        raw.process_properties(&mut props).map_err(|e| {
            collector.error(Origin::Sequence, format!("unreadable attributes: {e}"))
        })?;
        collector.push(Origin::Sequence, geometry, props.0, None)?;
    }
    Ok(collector.finish())
}

/// The header's CRS: an EPSG code, else WKT; None when it names none.
fn header_crs(header: &flatgeobuf::Header) -> Result<Option<Crs>, crate::CrsError> {
    let Some(crs) = header.crs() else {
        return Ok(None);
    };
    let is_epsg = crs.org().is_none_or(|org| org.eq_ignore_ascii_case("EPSG"));
    match (crs.code(), crs.wkt()) {
        (code, _) if code > 0 && is_epsg => Crs::epsg(code as u32).map(Some),
        (_, Some(wkt)) if !wkt.trim().is_empty() => Crs::parse(wkt).map(Some),
        _ => Ok(None),
    }
}

#[derive(Default)]
struct JsonProperties(Properties);

impl PropertyProcessor for JsonProperties {
    fn property(
        &mut self,
        _idx: usize,
        name: &str,
        value: &ColumnValue,
    ) -> geozero::error::Result<bool> {
        let v = match *value {
            ColumnValue::Byte(v) => Value::from(v),
            ColumnValue::UByte(v) => Value::from(v),
            ColumnValue::Bool(v) => Value::from(v),
            ColumnValue::Short(v) => Value::from(v),
            ColumnValue::UShort(v) => Value::from(v),
            ColumnValue::Int(v) => Value::from(v),
            ColumnValue::UInt(v) => Value::from(v),
            ColumnValue::Long(v) => Value::from(v),
            ColumnValue::ULong(v) => Value::from(v),
            ColumnValue::Float(v) => Value::from(v as f64),
            ColumnValue::Double(v) => Value::from(v),
            ColumnValue::String(v) | ColumnValue::DateTime(v) => Value::from(v),
            ColumnValue::Json(v) => serde_json::from_str(v).unwrap_or_else(|_| Value::from(v)),
            ColumnValue::Binary(_) => return Ok(false),
        };
        self.0.insert(name.to_owned(), v);
        Ok(false)
    }
}
