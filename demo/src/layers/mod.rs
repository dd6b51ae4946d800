//! The generated layers. The synthetic ones follow placement rules on the real shoreline;
//! `real` turns the real inputs (places, tide station) into features.

pub mod barriers;
pub mod cameras;
pub mod piers;
pub mod radars;
pub mod real;

use crate::geodesy::round6;
use geo::{Coord, Geometry, Point};
use serde_json::Value;
use tidewatch_importers::Feature;

/// How often a placement rule may draw a new candidate before it gives up.
const ATTEMPTS: usize = 60;

/// A point feature (coordinates rounded to 6 decimals) with properties built by `json!({..})`.
fn point_feature(id: usize, position: Coord, properties: Value) -> Feature {
    let Value::Object(properties) = properties else {
        unreachable!("layers always build properties as a JSON object");
    };
    Feature {
        id: id as u64,
        geometry: Geometry::Point(Point(round6(position))),
        properties,
    }
}
