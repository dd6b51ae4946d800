//! The layers built from real inputs: place names (approximate positions) and the Kanmen
//! tide station. Nothing here is drawn at random.

use super::point_feature;
use crate::{Place, TideStation};
use serde_json::json;
use tidewatch_importers::Feature;

/// The input station file is Kanmen's; TICON-4 gives no Chinese name.
const STATION_NAME_ZH: &str = "坎门";
const STATION_NAME_EN: &str = "Kanmen";
const STATION_SOURCE: &str = "TICON-4";

pub fn places(places: &[Place]) -> Vec<Feature> {
    places
        .iter()
        .enumerate()
        .map(|(i, place)| {
            point_feature(
                i + 1,
                place.position,
                json!({
                    "name_zh": place.name_zh,
                    "name_en": place.name_en,
                    "kind": place.kind,
                    "synthetic": false,
                }),
            )
        })
        .collect()
}

pub fn tide_stations(station: &TideStation) -> Vec<Feature> {
    vec![point_feature(
        1,
        station.position,
        json!({
            "station_id": station.station_id,
            "name_zh": STATION_NAME_ZH,
            "name_en": STATION_NAME_EN,
            "source": STATION_SOURCE,
            "chart_datum": station.chart_datum,
            "constituent_count": station.constituent_count,
            "attribution": station.attribution,
            "synthetic": false,
        }),
    )]
}
