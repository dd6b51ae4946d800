//! Geometry from geozero sources (GeoPackage WKB, CSV WKT, FlatGeobuf) as geo types.
//!
//! geozero's `GeoWriter` builds the geometry; a thin layer in front of it reports what
//! the writer would hide: polygon rings that are not closed (geo closes them silently),
//! empty geometries, and curved types (which the writer would drop).

use geo::Geometry;
use geozero::error::{GeozeroError, Result};
use geozero::geo_types::GeoWriter;
use geozero::{GeomProcessor, GeozeroGeometry};

/// Converts a geozero geometry; the error is a reason without the feature.
pub(crate) fn to_geo(source: &impl GeozeroGeometry) -> std::result::Result<Geometry<f64>, String> {
    let mut checked = ClosedRings::default();
    source.process_geom(&mut checked).map_err(|e| match e {
        GeozeroError::Geometry(reason) => reason,
        other => format!("unreadable geometry: {other}"),
    })?;
    checked
        .writer
        .take_geometry()
        .ok_or_else(|| "empty geometry".to_string())
}

#[derive(Default)]
struct ClosedRings {
    writer: GeoWriter,
    polygon_depth: usize,
    ring: Option<Ring>,
}

/// First and last position of the ring being read.
struct Ring {
    first: Option<(f64, f64)>,
    last: (f64, f64),
}

fn unsupported(kind: &str) -> Result<()> {
    Err(GeozeroError::Geometry(format!(
        "{kind} geometries are not supported (convert curves to lines first)"
    )))
}

impl GeomProcessor for ClosedRings {
    fn xy(&mut self, x: f64, y: f64, idx: usize) -> Result<()> {
        if let Some(ring) = &mut self.ring {
            ring.first.get_or_insert((x, y));
            ring.last = (x, y);
        }
        self.writer.xy(x, y, idx)
    }
    fn empty_point(&mut self, _idx: usize) -> Result<()> {
        Err(GeozeroError::Geometry(
            "empty geometry (POINT EMPTY)".into(),
        ))
    }
    fn point_begin(&mut self, idx: usize) -> Result<()> {
        self.writer.point_begin(idx)
    }
    fn point_end(&mut self, idx: usize) -> Result<()> {
        self.writer.point_end(idx)
    }
    fn multipoint_begin(&mut self, size: usize, idx: usize) -> Result<()> {
        self.writer.multipoint_begin(size, idx)
    }
    fn multipoint_end(&mut self, idx: usize) -> Result<()> {
        self.writer.multipoint_end(idx)
    }
    fn linestring_begin(&mut self, tagged: bool, size: usize, idx: usize) -> Result<()> {
        // Inside a polygon every linestring is a ring.
        if self.polygon_depth > 0 {
            self.ring = Some(Ring {
                first: None,
                last: (f64::NAN, f64::NAN),
            });
        }
        self.writer.linestring_begin(tagged, size, idx)
    }
    fn linestring_end(&mut self, tagged: bool, idx: usize) -> Result<()> {
        if let Some(Ring {
            first: Some(first),
            last,
        }) = self.ring.take()
        {
            if first != last {
                return Err(GeozeroError::Geometry(format!(
                    "polygon ring not closed: it starts at ({}, {}) and ends at ({}, {})",
                    first.0, first.1, last.0, last.1
                )));
            }
        }
        self.writer.linestring_end(tagged, idx)
    }
    fn multilinestring_begin(&mut self, size: usize, idx: usize) -> Result<()> {
        self.writer.multilinestring_begin(size, idx)
    }
    fn multilinestring_end(&mut self, idx: usize) -> Result<()> {
        self.writer.multilinestring_end(idx)
    }
    fn polygon_begin(&mut self, tagged: bool, size: usize, idx: usize) -> Result<()> {
        self.polygon_depth += 1;
        self.writer.polygon_begin(tagged, size, idx)
    }
    fn polygon_end(&mut self, tagged: bool, idx: usize) -> Result<()> {
        self.polygon_depth -= 1;
        self.writer.polygon_end(tagged, idx)
    }
    fn multipolygon_begin(&mut self, size: usize, idx: usize) -> Result<()> {
        self.writer.multipolygon_begin(size, idx)
    }
    fn multipolygon_end(&mut self, idx: usize) -> Result<()> {
        self.writer.multipolygon_end(idx)
    }
    fn geometrycollection_begin(&mut self, size: usize, idx: usize) -> Result<()> {
        self.writer.geometrycollection_begin(size, idx)
    }
    fn geometrycollection_end(&mut self, idx: usize) -> Result<()> {
        self.writer.geometrycollection_end(idx)
    }
    fn circularstring_begin(&mut self, _size: usize, _idx: usize) -> Result<()> {
        unsupported("CircularString")
    }
    fn compoundcurve_begin(&mut self, _size: usize, _idx: usize) -> Result<()> {
        unsupported("CompoundCurve")
    }
    fn curvepolygon_begin(&mut self, _size: usize, _idx: usize) -> Result<()> {
        unsupported("CurvePolygon")
    }
    fn multicurve_begin(&mut self, _size: usize, _idx: usize) -> Result<()> {
        unsupported("MultiCurve")
    }
    fn multisurface_begin(&mut self, _size: usize, _idx: usize) -> Result<()> {
        unsupported("MultiSurface")
    }
    fn triangle_begin(&mut self, _tagged: bool, _size: usize, _idx: usize) -> Result<()> {
        unsupported("Triangle")
    }
    fn polyhedralsurface_begin(&mut self, _size: usize, _idx: usize) -> Result<()> {
        unsupported("PolyhedralSurface")
    }
    fn tin_begin(&mut self, _size: usize, _idx: usize) -> Result<()> {
        unsupported("TIN")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geozero::wkt::Wkt;

    #[test]
    fn reads_wkt_and_reports_open_rings_and_curves() {
        let g = to_geo(&Wkt("POLYGON((0 0,1 0,1 1,0 0))")).unwrap();
        assert!(matches!(g, Geometry::Polygon(_)));
        let e = to_geo(&Wkt("POLYGON((0 0,1 0,1 1,0 1))")).unwrap_err();
        assert!(e.contains("not closed"), "{e}");
        // A WKB CircularString (type 8) with three points.
        let mut wkb = vec![1, 8, 0, 0, 0, 3, 0, 0, 0];
        for v in [0., 0., 1., 1., 2., 0.] {
            wkb.extend(f64::to_le_bytes(v));
        }
        let e = to_geo(&geozero::wkb::Wkb(wkb)).unwrap_err();
        assert!(
            e.contains("CircularString geometries are not supported"),
            "{e}"
        );
        let e = to_geo(&Wkt("POINT EMPTY")).unwrap_err();
        assert!(e.contains("empty"), "{e}");
        assert!(to_geo(&Wkt("POLYGON((0 0,1 0")).is_err());
    }
}
