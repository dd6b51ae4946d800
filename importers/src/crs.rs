//! Coordinate reference systems and reprojection to and from WGS84 lon/lat, through PROJ.
//!
//! A [`Crs`] is parsed from what users and files give: `EPSG:4550`, `epsg:4326`, an OGC URN,
//! or WKT (a shapefile's .prj, a GeoPackage's srs definition, a FlatGeobuf header). WKT that
//! PROJ recognises as an EPSG CRS is replaced by that code, so it gets the CRS's area of
//! use and a short name. A [`Reprojector`] converts coordinates, checking every result
//! against that area of use, so a file in the wrong CRS fails instead of landing at sea.
//!
//! Transforms use `Proj::new_known_crs`, so axis order is always lon/lat and
//! easting/northing, whatever the CRS's official axis order is.

use crate::proj_identify::identify_epsg;
use geo::{Coord, Geometry, MapCoordsInPlace};
use proj::Proj;
use std::fmt;
use std::str::FromStr;

/// How far (degrees) a coordinate may lie outside its CRS's published area of use.
///
/// EPSG's areas are tight: EPSG:4549 (the 120°E Gauss–Krüger zone) officially ends at
/// 121.5°E, yet county survey data in it routinely reaches 122.3°E; Gauss–Krüger zones
/// are used well into the neighbouring zone. One degree (~100 km) keeps such files
/// loading and still catches a wrong CRS or zone, which puts coordinates hundreds of
/// kilometres or whole continents away.
pub const AREA_MARGIN_DEG: f64 = 1.0;

/// Why a CRS could not be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CrsError {
    #[error("{definition} is not a CRS PROJ knows ({reason})")]
    Unknown { definition: String, reason: String },
    #[error("cannot transform between {from} and {to}: {reason}")]
    Transform {
        from: String,
        to: String,
        reason: String,
    },
}

/// A geographic area in degrees, west/south/east/north.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

impl Area {
    fn contains_with_margin(&self, lon: f64, lat: f64) -> bool {
        let m = AREA_MARGIN_DEG;
        let lat_ok = (self.south - m..=self.north + m).contains(&lat);
        // An area crossing the antimeridian has west > east.
        let lon_ok = if self.west <= self.east {
            (self.west - m..=self.east + m).contains(&lon)
        } else {
            lon >= self.west - m || lon <= self.east + m
        };
        lat_ok && lon_ok
    }
}

/// A coordinate reference system, checked with PROJ when parsed.
///
/// Cheap to clone, `Send + Sync`: it holds the definition, not a PROJ object.
#[derive(Debug, Clone, PartialEq)]
pub struct Crs {
    /// `EPSG:<code>` when the CRS is (or was identified as) an EPSG one, else the WKT.
    definition: String,
    epsg: Option<u32>,
    name: String,
    area: Option<Area>,
}

/// EPSG codes whose coordinates are WGS84 lon/lat for our purposes: WGS84 itself and
/// CGCS2000 geographic (China's datum; the two differ by centimetres).
const WGS84_LIKE: [u32; 2] = [4326, 4490];

impl Crs {
    /// WGS84 lon/lat (EPSG:4326), the CRS every imported feature ends up in.
    pub fn wgs84() -> Crs {
        Crs {
            definition: "EPSG:4326".into(),
            epsg: Some(4326),
            name: "WGS 84".into(),
            area: Some(Area {
                west: -180.0,
                south: -90.0,
                east: 180.0,
                north: 90.0,
            }),
        }
    }

    /// An EPSG CRS by code; unknown codes are an error.
    pub fn epsg(code: u32) -> Result<Crs, CrsError> {
        if code == 4326 {
            return Ok(Crs::wgs84());
        }
        Crs::from_definition(format!("EPSG:{code}"), Some(code)).map_err(|e| match e {
            CrsError::Unknown { definition, .. } => CrsError::Unknown {
                definition,
                reason: "no such code in PROJ's EPSG database".into(),
            },
            other => other,
        })
    }

    /// Parses `EPSG:4550`, `epsg:4550`, `EPSG::4550`, a bare `4550`, OGC URNs
    /// (`urn:ogc:def:crs:EPSG::4550`, `urn:ogc:def:crs:OGC:1.3:CRS84`), `CRS84`, or WKT.
    pub fn parse(text: &str) -> Result<Crs, CrsError> {
        let text = text.trim();
        if !text.contains('[') {
            if text.to_ascii_uppercase().ends_with("CRS84") {
                return Ok(Crs::wgs84());
            }
            return match epsg_code(text) {
                Some(code) => Crs::epsg(code),
                None => Err(CrsError::Unknown {
                    definition: text.into(),
                    reason: "expected EPSG:<code> or WKT".into(),
                }),
            };
        }
        match identify_epsg(text) {
            Some(code) => Crs::epsg(code),
            None => Crs::from_definition(text.into(), None),
        }
    }

    fn from_definition(definition: String, epsg: Option<u32>) -> Result<Crs, CrsError> {
        let unknown = |reason: String| CrsError::Unknown {
            definition: short(&definition),
            reason,
        };
        let proj = Proj::new(&definition).map_err(|e| unknown(e.to_string()))?;
        let name = proj
            .proj_info()
            .description
            .unwrap_or_else(|| short(&definition));
        // PROJ reports "no area" as an error; a CRS without one is usable, just unchecked.
        let area = proj.area_of_use().ok().and_then(|(area, _)| area);
        Ok(Crs {
            epsg,
            name,
            area: area.map(|a| Area {
                west: a.west,
                south: a.south,
                east: a.east,
                north: a.north,
            }),
            definition,
        })
    }

    /// The EPSG code, when the CRS has one.
    pub fn epsg_code(&self) -> Option<u32> {
        self.epsg
    }

    /// PROJ's name for the CRS, e.g. "CGCS2000 / 3-degree Gauss-Kruger CM 123E".
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The area of use PROJ gives (degrees), if any; see [`AREA_MARGIN_DEG`].
    pub fn area_of_use(&self) -> Option<Area> {
        self.area
    }

    /// True for WGS84 and CGCS2000 geographic: coordinates are taken as they are.
    pub fn is_wgs84(&self) -> bool {
        self.epsg.is_some_and(|c| WGS84_LIKE.contains(&c))
    }

    /// A transform from this CRS to WGS84 lon/lat.
    pub fn transform_to_wgs84(&self) -> Result<Reprojector, CrsError> {
        Reprojector::new(self, true)
    }

    /// A transform from WGS84 lon/lat to this CRS (for exports and checks).
    pub fn transform_from_wgs84(&self) -> Result<Reprojector, CrsError> {
        Reprojector::new(self, false)
    }
}

impl fmt::Display for Crs {
    /// `EPSG:4550`, or the CRS's name when it has no EPSG code.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.epsg {
            Some(code) => write!(f, "EPSG:{code}"),
            None => f.write_str(&self.name),
        }
    }
}

impl FromStr for Crs {
    type Err = CrsError;
    fn from_str(s: &str) -> Result<Crs, CrsError> {
        Crs::parse(s)
    }
}

/// The code in `EPSG:4550`, `EPSG::4550`, `urn:ogc:def:crs:EPSG::4550`, `4550`.
fn epsg_code(text: &str) -> Option<u32> {
    if let Ok(code) = text.parse() {
        return Some(code);
    }
    let upper = text.to_ascii_uppercase();
    let rest = upper.rsplit_once("EPSG:")?.1;
    // urn:ogc:def:crs:EPSG:<version>:<code> has an optional, usually empty, version.
    rest.rsplit(':').next()?.parse().ok()
}

/// The first line of a long definition (WKT), for messages.
fn short(definition: &str) -> String {
    let one_line: String = definition.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 80 {
        one_line.chars().take(77).collect::<String>() + "..."
    } else {
        one_line
    }
}

/// Converts coordinates between a CRS and WGS84 lon/lat, checking each result.
///
/// Holds a PROJ object, so it is neither `Send` nor `Sync`: make one per import (cheap).
pub struct Reprojector {
    proj: Proj,
    crs: Crs,
    to_wgs84: bool,
}

/// Why one coordinate could not be converted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReprojectError {
    #[error("coordinate ({x}, {y}) is not a number")]
    NotFinite { x: f64, y: f64 },
    #[error("PROJ cannot transform ({x}, {y}) from {crs}: {reason}")]
    Proj {
        x: f64,
        y: f64,
        crs: String,
        reason: String,
    },
    #[error(
        "({x}, {y}) in {crs} is at lon {lon:.6}, lat {lat:.6}, outside the area where {crs} is \
         used ({area}); are the coordinates really in {crs}?"
    )]
    OutsideArea {
        x: f64,
        y: f64,
        lon: f64,
        lat: f64,
        crs: String,
        area: String,
    },
}

impl Reprojector {
    fn new(crs: &Crs, to_wgs84: bool) -> Result<Reprojector, CrsError> {
        let wgs84 = "EPSG:4326";
        let (from, to) = if to_wgs84 {
            (crs.definition.as_str(), wgs84)
        } else {
            (wgs84, crs.definition.as_str())
        };
        let proj = Proj::new_known_crs(from, to, None).map_err(|e| CrsError::Transform {
            from: short(from),
            to: short(to),
            reason: e.to_string(),
        })?;
        Ok(Reprojector {
            proj,
            crs: crs.clone(),
            to_wgs84,
        })
    }

    /// Converts one coordinate, failing on non-finite input or output and on positions
    /// outside the CRS's area of use (plus [`AREA_MARGIN_DEG`]).
    pub fn coord(&self, c: Coord<f64>) -> Result<Coord<f64>, ReprojectError> {
        let Coord { x, y } = c;
        if !x.is_finite() || !y.is_finite() {
            return Err(ReprojectError::NotFinite { x, y });
        }
        let crs = || self.crs.to_string();
        let out: Coord<f64> = self.proj.convert(c).map_err(|e| ReprojectError::Proj {
            x,
            y,
            crs: crs(),
            reason: e.to_string(),
        })?;
        if !out.x.is_finite() || !out.y.is_finite() {
            return Err(ReprojectError::Proj {
                x,
                y,
                crs: crs(),
                reason: "the result is not a number".into(),
            });
        }
        let lonlat = if self.to_wgs84 { out } else { c };
        if let Some(area) = self.crs.area {
            if !area.contains_with_margin(lonlat.x, lonlat.y) {
                return Err(ReprojectError::OutsideArea {
                    x,
                    y,
                    lon: lonlat.x,
                    lat: lonlat.y,
                    crs: crs(),
                    area: format!(
                        "lon {} to {}, lat {} to {}",
                        area.west, area.east, area.south, area.north
                    ),
                });
            }
        }
        Ok(out)
    }

    /// Converts every coordinate of a geometry in place; on error the geometry is
    /// partly converted and should be dropped.
    pub fn geometry(&self, g: &mut Geometry<f64>) -> Result<(), ReprojectError> {
        // Not Geometry::try_map_coords_in_place: geo 0.33 nests the closure once per
        // possible GeometryCollection level, and instantiating that never ends.
        let f = |c| self.coord(c);
        match g {
            Geometry::Point(p) => p.try_map_coords_in_place(f),
            Geometry::Line(l) => l.try_map_coords_in_place(f),
            Geometry::LineString(l) => l.try_map_coords_in_place(f),
            Geometry::Polygon(p) => p.try_map_coords_in_place(f),
            Geometry::MultiPoint(m) => m.try_map_coords_in_place(f),
            Geometry::MultiLineString(m) => m.try_map_coords_in_place(f),
            Geometry::MultiPolygon(m) => m.try_map_coords_in_place(f),
            Geometry::Rect(r) => r.try_map_coords_in_place(f),
            Geometry::Triangle(t) => t.try_map_coords_in_place(f),
            Geometry::GeometryCollection(gc) => gc.0.iter_mut().try_for_each(|g| self.geometry(g)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to(code: u32, lon: f64, lat: f64) -> Coord<f64> {
        Crs::epsg(code)
            .unwrap()
            .transform_from_wgs84()
            .unwrap()
            .coord(Coord { x: lon, y: lat })
            .unwrap()
    }

    fn near(c: Coord<f64>, x: f64, y: f64, tol: f64) -> bool {
        (c.x - x).abs() <= tol && (c.y - y).abs() <= tol
    }

    #[test]
    fn check_values_from_the_stack_notes() {
        let c = to(4549, 121.9, 29.2);
        assert!(near(c, 684794.297, 3232931.961, 0.001), "{c:?}");
        let c = to(32651, 121.9, 29.2);
        assert!(near(c, 393063.501, 3230645.068, 0.001), "{c:?}");
        let c = to(3857, 121.9, 29.2);
        assert!(near(c, 13569845.928, 3401126.264, 0.001), "{c:?}");
        let c = to(4490, 121.9, 29.2);
        assert!(near(c, 121.9, 29.2, 1e-9), "{c:?}");
        // Shipu (121.95 E, 29.20 N), value from pyproj. The domain notes' "about
        // (397619, 3232738)" is 0.9 km off: that is 121.9472 E, 29.2076 N.
        let c = to(4550, 121.95, 29.20);
        assert!(near(c, 397883.698, 3231893.325, 0.001), "{c:?}");
    }

    #[test]
    fn parses_the_usual_spellings() {
        for text in [
            "EPSG:4550",
            "epsg:4550",
            "EPSG::4550",
            "4550",
            "urn:ogc:def:crs:EPSG::4550",
        ] {
            let crs = Crs::parse(text).unwrap();
            assert_eq!(crs.epsg_code(), Some(4550), "{text}");
            assert_eq!(crs.to_string(), "EPSG:4550");
        }
        assert!(Crs::parse("urn:ogc:def:crs:OGC:1.3:CRS84")
            .unwrap()
            .is_wgs84());
        assert!(Crs::parse("EPSG:4490").unwrap().is_wgs84());
        assert!(!Crs::parse("EPSG:3857").unwrap().is_wgs84());
        let crs = Crs::parse("EPSG:4550").unwrap();
        assert!(crs.name().contains("123E"), "{}", crs.name());
        assert_eq!(crs.area_of_use().unwrap().west, 121.5);
    }

    #[test]
    fn esri_wkt_from_a_prj_is_identified() {
        let wkt = r#"PROJCS["CGCS2000_3_Degree_GK_CM_123E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",123.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
        let crs = Crs::parse(wkt).unwrap();
        assert_eq!(crs.epsg_code(), Some(4550));
    }

    #[test]
    fn unknown_codes_and_garbage_are_errors() {
        let err = Crs::parse("EPSG:99999").unwrap_err().to_string();
        assert!(err.contains("EPSG:99999"), "{err}");
        let err = Crs::parse("Gauss-Kruger please").unwrap_err().to_string();
        assert!(err.contains("expected EPSG"), "{err}");
    }

    #[test]
    fn positions_far_outside_the_area_of_use_are_rejected() {
        let to_wgs84 = Crs::epsg(4550).unwrap().transform_to_wgs84().unwrap();
        // Shipu converts fine; 600 km further east is beyond the zone's area (and
        // margin); with the zone number in front (41...) PROJ cannot convert at all.
        let shipu = to_wgs84
            .coord(Coord {
                x: 397883.698,
                y: 3231893.325,
            })
            .unwrap();
        assert!(near(shipu, 121.95, 29.20, 1e-8), "{shipu:?}");
        let err = to_wgs84
            .coord(Coord {
                x: 1_000_000.0,
                y: 3231893.325,
            })
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("outside the area where EPSG:4550 is used"),
            "{err}"
        );
        let err = to_wgs84
            .coord(Coord {
                x: 41_397_883.698,
                y: 3231893.325,
            })
            .unwrap_err();
        assert!(matches!(err, ReprojectError::Proj { .. }), "{err}");
        let err = to_wgs84
            .coord(Coord {
                x: f64::NAN,
                y: 3232738.0,
            })
            .unwrap_err();
        assert!(matches!(err, ReprojectError::NotFinite { .. }), "{err}");
    }
}
