//! FlatGeobuf reading: geometry through geozero, attributes as JSON values.

use crate::{Feature, ImportError, Properties};
use flatgeobuf::{FallibleStreamingIterator, FgbReader};
use geozero::{ColumnValue, FeatureProperties, PropertyProcessor, ToGeo};
use serde_json::Value;
use std::io::{Read, Seek};
use std::path::Path;

/// Reads every feature of a FlatGeobuf file; the header's CRS must be WGS84 or CGCS2000
/// geographic (other CRSs need the reprojecting importer).
pub fn read_flatgeobuf<R: Read + Seek>(
    mut reader: R,
    path: &Path,
) -> Result<Vec<Feature>, ImportError> {
    let file_err = |reason: String| ImportError::File {
        path: path.to_owned(),
        reason,
    };
    let fgb = FgbReader::open(&mut reader)
        .map_err(|e| file_err(format!("not a readable FlatGeobuf file: {e}")))?;
    if let Some(code) = fgb.header().crs().map(|c| c.code()) {
        if !matches!(code, 0 | 4326 | 4490) {
            return Err(file_err(format!(
                "coordinates are in EPSG:{code}; this reader takes WGS84 lon/lat only"
            )));
        }
    }
    let mut iter = fgb
        .select_all()
        .map_err(|e| file_err(format!("cannot read features: {e}")))?;
    let mut features = Vec::new();
    loop {
        let index = features.len();
        let feature_err = |reason: String| ImportError::Feature {
            path: path.to_owned(),
            index,
            reason,
        };
        let Some(raw) = iter
            .next()
            .map_err(|e| feature_err(format!("truncated or corrupt: {e}")))?
        else {
            break;
        };
        let geometry = raw
            .to_geo()
            .map_err(|e| feature_err(format!("bad geometry: {e}")))?;
        let mut props = JsonProperties::default();
        raw.process_properties(&mut props)
            .map_err(|e| feature_err(format!("bad attributes: {e}")))?;
        features.push(Feature {
            id: index as u64 + 1,
            geometry,
            properties: props.0,
        });
    }
    Ok(features)
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
