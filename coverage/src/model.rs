//! The long-lived coverage model: land, coastline and towns projected once into the local
//! plane and indexed. The server builds it at start-up and reuses it for every analysis.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use geo::{Coord, LineString, MapCoords, MultiLineString, MultiPolygon, Polygon, Rect};

use crate::band::SeaBand;
use crate::coast::Coast;
use crate::error::CoverageError;
use crate::land::Land;
use crate::plane::norm;
use crate::projection::TransverseMercator;
use crate::sensor::{Mode, Sensor};
use crate::visibility::{sector_from_compass, Visibility};

/// A named place; coast and gaps are attributed to the nearest one.
#[derive(Debug, Clone, PartialEq)]
pub struct Town {
    pub name_zh: String,
    pub name_en: String,
    pub lon: f64,
    pub lat: f64,
}

/// Land, coastline and towns, ready for coverage analyses.
#[derive(Debug)]
pub struct CoverageModel {
    pub(crate) projection: TransverseMercator,
    pub(crate) land: Land,
    pub(crate) land_planar: MultiPolygon<f64>,
    pub(crate) coast: Coast,
    pub(crate) coast_planar: MultiLineString<f64>,
    pub(crate) towns: Vec<Town>,
    town_points: Vec<Coord<f64>>,
    /// Sea bands by width (bits of the f64), built on first use.
    bands: Mutex<HashMap<u64, Arc<SeaBand>>>,
}

fn check_lonlat(c: Coord<f64>, what: &str) -> Result<(), CoverageError> {
    if (-180.0..=180.0).contains(&c.x) && (-90.0..=90.0).contains(&c.y) {
        Ok(())
    } else {
        Err(CoverageError::BadGeometry(format!(
            "{what} has a coordinate ({}, {}) that is not a lon/lat",
            c.x, c.y
        )))
    }
}

impl CoverageModel {
    /// Builds the model from land polygons, the coastline and towns, all in WGS84 lon/lat.
    /// The plane is a transverse Mercator centred on the coastline's bounding box.
    pub fn new(
        land: &MultiPolygon<f64>,
        coastline: &MultiLineString<f64>,
        towns: Vec<Town>,
    ) -> Result<Self, CoverageError> {
        let coords = || coastline.0.iter().flat_map(|l| l.0.iter().copied());
        for c in coords() {
            check_lonlat(c, "the coastline")?;
        }
        for polygon in &land.0 {
            for c in polygon
                .exterior()
                .0
                .iter()
                .chain(polygon.interiors().iter().flat_map(|r| &r.0))
            {
                check_lonlat(*c, "the land")?;
            }
        }
        for t in &towns {
            check_lonlat(
                Coord { x: t.lon, y: t.lat },
                &format!("town {:?}", t.name_en),
            )?;
        }
        let bbox = coords()
            .fold(None, |acc: Option<Rect<f64>>, c| {
                Some(match acc {
                    None => Rect::new(c, c),
                    Some(r) => Rect::new(
                        Coord {
                            x: r.min().x.min(c.x),
                            y: r.min().y.min(c.y),
                        },
                        Coord {
                            x: r.max().x.max(c.x),
                            y: r.max().y.max(c.y),
                        },
                    ),
                })
            })
            .ok_or_else(|| CoverageError::BadGeometry("the coastline is empty".into()))?;
        let centre = bbox.center();
        let projection = TransverseMercator::local(centre.x, centre.y);
        let project = |c: Coord<f64>| projection.forward(c.x, c.y);
        let land_planar = land.map_coords(project);
        let coast_planar = coastline.map_coords(project);
        let town_points: Vec<Coord<f64>> = towns
            .iter()
            .map(|t| projection.forward(t.lon, t.lat))
            .collect();
        let nearest = |p: Coord<f64>| nearest_index(&town_points, p);
        let coast = Coast::new(&coast_planar, &projection, nearest);
        Ok(Self {
            land: Land::new(&land_planar),
            land_planar,
            coast,
            coast_planar,
            towns,
            town_points,
            projection,
            bands: Mutex::new(HashMap::new()),
        })
    }

    /// Coastline length on the WGS84 ellipsoid, metres.
    pub fn coastline_length_m(&self) -> f64 {
        self.coast.length_m()
    }

    pub fn towns(&self) -> &[Town] {
        &self.towns
    }

    /// The area `sensor` sees in `mode`, as a lon/lat polygon (whatever its status: a failed
    /// sensor shows what it would see when working).
    pub fn sensor_visibility(
        &self,
        sensor: &Sensor,
        mode: Mode,
    ) -> Result<Polygon<f64>, CoverageError> {
        sensor.validate()?;
        Ok(self.to_lonlat_polygon(&self.view(sensor, mode).polygon()))
    }

    pub(crate) fn view(&self, sensor: &Sensor, mode: Mode) -> Visibility {
        let (lon, lat) = sensor.position();
        let (start, width) = {
            let (bearing, fov) = sensor.sector_deg();
            sector_from_compass(bearing, fov)
        };
        Visibility::compute(
            &self.land,
            self.projection.forward(lon, lat),
            sensor.usable_range_m(mode),
            start,
            width,
        )
    }

    pub(crate) fn nearest_town(&self, p: Coord<f64>) -> Option<usize> {
        nearest_index(&self.town_points, p)
    }

    pub(crate) fn to_lonlat(&self, c: Coord<f64>) -> Coord<f64> {
        self.projection.inverse(c)
    }

    pub(crate) fn to_lonlat_polygon(&self, p: &Polygon<f64>) -> Polygon<f64> {
        p.map_coords(|c| self.to_lonlat(c))
    }

    pub(crate) fn to_lonlat_line(&self, points: &[Coord<f64>]) -> LineString<f64> {
        LineString::new(points.iter().map(|&c| self.to_lonlat(c)).collect())
    }

    /// Area on the ellipsoid of a planar polygon (divided by the squared scale factor).
    pub(crate) fn area_m2(&self, planar_area: f64, at: Coord<f64>) -> f64 {
        planar_area / self.projection.scale_factor(at.x).powi(2)
    }

    /// The sea band of `width_m` in front of the coast (planar), built once per width.
    pub(crate) fn sea_band(&self, width_m: f64) -> Arc<SeaBand> {
        let mut bands = self.bands.lock().unwrap_or_else(|e| e.into_inner());
        bands
            .entry(width_m.to_bits())
            .or_insert_with(|| Arc::new(SeaBand::new(self, width_m)))
            .clone()
    }
}

fn nearest_index(points: &[Coord<f64>], p: Coord<f64>) -> Option<usize> {
    points
        .iter()
        .enumerate()
        .min_by(|(_, a), (_, b)| norm(**a - p).total_cmp(&norm(**b - p)))
        .map(|(i, _)| i)
}
