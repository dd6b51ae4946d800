//! OGC API Features Part 2 (Coordinate Reference Systems by Reference): the CRSs features
//! can be returned in (`crs`) and bboxes given in (`bbox-crs`).
//!
//! Coordinates follow the axis order of the CRS, as Part 2 requires: CRS84 and EPSG:3857
//! are east first; EPSG:4326 and 4490 (latitude, longitude) and the CGCS2000
//! Gauss-Krüger zones 4549 and 4550 (northing X, easting Y) are north first. Features are
//! stored in WGS84 longitude/latitude; reprojection is done with PROJ through
//! `tidewatch_importers::Crs`.

use super::{CRS84, EPSG4326};
use geo::Geometry;
use tidewatch_importers::{Crs, Feature};

/// EPSG codes features can be returned in, besides CRS84.
pub const EPSG_CODES: [u32; 5] = [4326, 4490, 4549, 4550, 3857];

/// The conformance class of Part 2.
pub const CONFORMANCE_CRS: &str = "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs";

/// The URI of a CRS: `None` is CRS84.
pub fn uri(epsg: Option<u32>) -> String {
    match epsg {
        None => CRS84.to_owned(),
        Some(code) => format!("http://www.opengis.net/def/crs/EPSG/0/{code}"),
    }
}

/// Every supported CRS URI, CRS84 first.
pub fn supported() -> Vec<String> {
    std::iter::once(None)
        .chain(EPSG_CODES.iter().copied().map(Some))
        .map(uri)
        .collect()
}

/// Parses a CRS URI given as `param`: `None` for CRS84, else the EPSG code.
pub fn parse_uri(param: &str, text: &str) -> Result<Option<u32>, String> {
    if text == CRS84 {
        return Ok(None);
    }
    if let Some(code) = text
        .strip_prefix("http://www.opengis.net/def/crs/EPSG/0/")
        .and_then(|c| c.parse::<u32>().ok())
        .filter(|c| EPSG_CODES.contains(c))
    {
        return Ok(Some(code));
    }
    Err(format!(
        "{param} {:?} is not supported; supported: {}",
        text.chars().take(100).collect::<String>(),
        supported().join(", ")
    ))
}

/// Whether the first axis of the CRS points north (latitude or northing first).
pub fn north_first(epsg: Option<u32>) -> bool {
    matches!(epsg, Some(4326 | 4490 | 4549 | 4550))
}

fn geographic(epsg: Option<u32>) -> bool {
    matches!(epsg, None | Some(4326 | 4490))
}

fn swap_axes(g: &mut Geometry<f64>) {
    use geo::MapCoordsInPlace;
    g.map_coords_in_place(|c| geo::Coord { x: c.y, y: c.x });
}

/// Converts features (WGS84 longitude/latitude) to `epsg` in its axis order, in place.
/// Does PROJ work: call from a blocking thread.
pub fn reproject_features(features: &mut [Feature], epsg: Option<u32>) -> Result<(), String> {
    let Some(code) = epsg else { return Ok(()) };
    // EPSG:4326 is our storage datum: only the axes change.
    if code != 4326 {
        let crs = Crs::epsg(code).map_err(|e| e.to_string())?;
        let reprojector = crs.transform_from_wgs84().map_err(|e| e.to_string())?;
        for f in features.iter_mut() {
            reprojector
                .geometry(&mut f.geometry)
                .map_err(|e| format!("feature {} cannot be given in EPSG:{code}: {e}", f.id))?;
        }
    }
    if north_first(epsg) {
        for f in features.iter_mut() {
            swap_axes(&mut f.geometry);
        }
    }
    Ok(())
}

/// A `bbox` given in `bbox-crs` (`None`: CRS84) as `[west, south, east, north]` in CRS84.
/// The four numbers are the lower and upper corners in the axis order of the CRS. A
/// projected box becomes the CRS84 box around its outline (densified, so curved edges
/// are covered). Does PROJ work for projected CRSs.
pub fn bbox_to_crs84(text: &str, epsg: Option<u32>) -> Result<[f64; 4], String> {
    if geographic(epsg) {
        return super::parse_bbox(text, north_first(epsg));
    }
    let shown = text.chars().take(100).collect::<String>();
    let [a, b, c, d] = super::bbox_numbers(text, "the lower corner, then the upper")?;
    let [min_x, min_y, max_x, max_y] = if north_first(epsg) {
        [b, a, d, c]
    } else {
        [a, b, c, d]
    };
    if min_x > max_x || min_y > max_y {
        return Err(format!(
            "bbox {shown:?}: the lower corner is above the upper one"
        ));
    }
    let code = epsg.unwrap_or(4326);
    let crs = Crs::epsg(code).map_err(|e| e.to_string())?;
    let reprojector = crs.transform_to_wgs84().map_err(|e| e.to_string())?;
    const STEPS: usize = 16;
    let mut out = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for i in 0..=STEPS {
        let t = i as f64 / STEPS as f64;
        let x = min_x + (max_x - min_x) * t;
        let y = min_y + (max_y - min_y) * t;
        for (px, py) in [(x, min_y), (x, max_y), (min_x, y), (max_x, y)] {
            let p = reprojector
                .coord(geo::Coord { x: px, y: py })
                .map_err(|e| format!("bbox {shown:?} in EPSG:{code}: {e}"))?;
            out = [
                out[0].min(p.x),
                out[1].min(p.y),
                out[2].max(p.x),
                out[3].max(p.y),
            ];
        }
    }
    Ok([
        out[0].max(-180.0),
        out[1].max(-90.0),
        out[2].min(180.0),
        out[3].min(90.0),
    ])
}

/// Whether a bbox-crs URI is kept in paging links as it was given (geographic CRSs, whose
/// boxes convert exactly); links for other CRSs carry the converted CRS84 box.
pub fn keep_in_links(uri: &str) -> bool {
    uri == CRS84 || uri == EPSG4326
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_parse_and_unknown_ones_list_the_supported() {
        assert_eq!(parse_uri("crs", CRS84), Ok(None));
        assert_eq!(parse_uri("crs", EPSG4326), Ok(Some(4326)));
        assert_eq!(
            parse_uri("crs", "http://www.opengis.net/def/crs/EPSG/0/4550"),
            Ok(Some(4550))
        );
        let err = parse_uri("crs", "http://www.opengis.net/def/crs/EPSG/0/2000").unwrap_err();
        assert!(
            err.contains("EPSG/0/3857") && err.contains("CRS84"),
            "{err}"
        );
        assert!(parse_uri("crs", "EPSG:4326").is_err());
    }

    #[test]
    fn projected_bbox_goes_back_to_about_the_same_box() {
        // pyproj: (121.9, 29.2) in EPSG:3857 is (13569845.928, 3401126.264).
        let b = bbox_to_crs84(
            "13569845.928,3401126.264,13570845.928,3402126.264",
            Some(3857),
        )
        .unwrap();
        assert!(
            (b[0] - 121.9).abs() < 1e-8 && (b[1] - 29.2).abs() < 1e-8,
            "{b:?}"
        );
        // EPSG:4549 is northing first: (y, x) corners.
        let b = bbox_to_crs84("3232931.961,684794.297,3232931.961,684794.297", Some(4549)).unwrap();
        assert!(
            (b[0] - 121.9).abs() < 1e-7 && (b[1] - 29.2).abs() < 1e-7,
            "{b:?}"
        );
        assert!(bbox_to_crs84("1,2,3", Some(3857)).is_err());
        assert!(bbox_to_crs84("5,5,1,1", Some(3857)).is_err());
    }
}
