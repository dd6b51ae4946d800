//! OGC API Features Part 1 (Core, GeoJSON): parsing and validating items queries and
//! building the response documents. No HTTP here: handlers in `http/ogc.rs` call in with
//! the base URL, the layer's metadata and what the store returned.

pub mod cql2;
pub mod crs;
pub mod datetime;
pub mod format;
pub mod html;
pub mod openapi;

use crate::store::LayerInfo;
use serde_json::{json, Map, Value};
use std::cmp::Ordering;
use tidewatch_importers::{geometry_json, Feature};

pub const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
pub const EPSG4326: &str = "http://www.opengis.net/def/crs/EPSG/0/4326";
pub const GEOJSON: &str = "application/geo+json";

/// Conformance classes this server implements.
pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    crs::CONFORMANCE_CRS,
    cql2::CONFORMANCE[0],
    cql2::CONFORMANCE[1],
    cql2::CONFORMANCE[2],
    cql2::CONFORMANCE[3],
    cql2::CONFORMANCE[4],
    cql2::CONFORMANCE[5],
    cql2::CONFORMANCE[6],
];

/// Default page size of `/items` when the request names none.
pub const DEFAULT_LIMIT: usize = 100;

/// One `sortby` key: a property of the layer, ascending unless `descending`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    pub property: String,
    pub descending: bool,
}

/// A validated `/items` request. Every property name in it is one of the layer's fields.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemsQuery {
    /// `[west, south, east, north]` in CRS84 (already swapped when given in EPSG:4326).
    pub bbox: Option<[f64; 4]>,
    /// The `bbox-crs` as given (for links), `None` when absent.
    pub bbox_crs: Option<String>,
    pub limit: usize,
    pub offset: usize,
    /// Properties to return (`None`: all).
    pub properties: Option<Vec<String>>,
    pub sortby: Vec<SortKey>,
    /// The CRS of the returned geometries (`crs`): an EPSG code, `None` for CRS84.
    pub crs: Option<u32>,
    /// The `datetime` instant or interval.
    pub datetime: Option<datetime::TimeRange>,
    /// The CQL2 `filter` (Part 3), parsed and checked against the layer.
    pub filter: Option<cql2::ItemsFilter>,
}

/// One page of an items query: the features in order and how many match in all.
#[derive(Debug, Clone)]
pub struct ItemsPage {
    pub features: Vec<Feature>,
    pub number_matched: usize,
}

/// Names a layer's properties may be queried by: its fields, without the cluster count
/// that only tiles carry.
pub fn queryable_fields(info: &LayerInfo) -> impl Iterator<Item = (&String, &String)> {
    let thinned = info.thinned_up_to_zoom.is_some();
    info.fields
        .iter()
        .filter(move |(k, _)| !(thinned && k.as_str() == "point_count"))
}

fn is_field(info: &LayerInfo, name: &str) -> bool {
    queryable_fields(info).any(|(k, _)| k == name)
}

fn unknown_property(info: &LayerInfo, param: &str, name: &str) -> String {
    let known: Vec<&str> = queryable_fields(info).map(|(k, _)| k.as_str()).collect();
    format!(
        "{param}: collection {} has no property {:?}; it has {}",
        info.id,
        name.chars().take(80).collect::<String>(),
        if known.is_empty() {
            "none".to_owned()
        } else {
            known.join(", ")
        }
    )
}

/// Checks the `f` parameter (only JSON/GeoJSON is served so far).
pub fn check_format(f: &str) -> Result<(), String> {
    match format::Format::from_param(f) {
        Some(_) => Ok(()),
        None => Err(format!(
            "f={:?} is not supported; this server answers f=json, f=html, f=fgb",
            f.chars().take(40).collect::<String>()
        )),
    }
}

/// Every query parameter `/collections/{id}/items` takes (the OpenAPI document lists them
/// from here too).
pub const ITEMS_PARAMETERS: [&str; 12] = [
    "filter",
    "filter-lang",
    "filter-crs",
    "bbox",
    "bbox-crs",
    "crs",
    "datetime",
    "limit",
    "offset",
    "properties",
    "sortby",
    "f",
];

/// Parses and validates the query parameters of `/collections/{id}/items`.
pub fn parse_items_query(
    params: &[(String, String)],
    info: &LayerInfo,
    max_limit: usize,
) -> Result<ItemsQuery, String> {
    let max_limit = max_limit.max(1);
    let mut seen: Vec<&str> = Vec::new();
    for (k, _) in params {
        if !ITEMS_PARAMETERS.contains(&k.as_str()) {
            return Err(format!(
                "unknown query parameter {:?}; items take {}",
                k.chars().take(60).collect::<String>(),
                ITEMS_PARAMETERS.join(", ")
            ));
        }
        if seen.contains(&k.as_str()) {
            return Err(format!("query parameter {k} is given more than once"));
        }
        seen.push(k);
    }
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if let Some(f) = get("f") {
        check_format(f)?;
    }
    let datetime = get("datetime").map(datetime::parse).transpose()?;
    let crs = match get("crs") {
        None => None,
        Some(c) => crs::parse_uri("crs", c)?,
    };
    let bbox_epsg = match get("bbox-crs") {
        None => None,
        Some(c) => crs::parse_uri("bbox-crs", c)?,
    };
    let bbox = match get("bbox") {
        None => None,
        Some(text) => Some(crs::bbox_to_crs84(text, bbox_epsg)?),
    };
    if get("bbox-crs").is_some() && bbox.is_none() {
        return Err("bbox-crs is given without bbox".to_owned());
    }
    // Links repeat a geographic bbox-crs; other boxes are carried converted to CRS84.
    let bbox_crs = get("bbox-crs")
        .filter(|c| crs::keep_in_links(c))
        .map(str::to_owned);
    let limit = match get("limit") {
        None => DEFAULT_LIMIT.min(max_limit),
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=max_limit).contains(&n) => n,
            _ => {
                return Err(format!(
                    "limit must be a whole number from 1 to {max_limit}, not {:?}",
                    text.chars().take(40).collect::<String>()
                ))
            }
        },
    };
    let offset = match get("offset") {
        None => 0,
        Some(text) => text.parse::<usize>().map_err(|_| {
            format!(
                "offset must be a whole number of 0 or more, not {:?}",
                text.chars().take(40).collect::<String>()
            )
        })?,
    };
    let properties = match get("properties") {
        None => None,
        Some(text) => {
            let mut names = Vec::new();
            for name in text.split(',').map(str::trim) {
                if !is_field(info, name) {
                    return Err(unknown_property(info, "properties", name));
                }
                if !names.iter().any(|n| n == name) {
                    names.push(name.to_owned());
                }
            }
            Some(names)
        }
    };
    let mut sortby = Vec::new();
    if let Some(text) = get("sortby") {
        for item in text.split(',').map(str::trim) {
            let (name, descending) = match item.strip_prefix('-') {
                Some(rest) => (rest, true),
                None => (item.strip_prefix('+').unwrap_or(item), false),
            };
            if !is_field(info, name) {
                return Err(unknown_property(info, "sortby", name));
            }
            if sortby.iter().any(|k: &SortKey| k.property == name) {
                return Err(format!("sortby names {name:?} more than once"));
            }
            sortby.push(SortKey {
                property: name.to_owned(),
                descending,
            });
        }
    }
    Ok(ItemsQuery {
        bbox,
        bbox_crs,
        limit,
        offset,
        properties,
        sortby,
        crs,
        datetime,
        filter: cql2::items_filter(|k| get(k).map(str::to_owned), info)?,
    })
}

/// The four numbers of a `bbox`, in the order given, or why they are not four numbers.
/// `corners` says how to read them, for the message.
fn bbox_numbers(text: &str, corners: &str) -> Result<[f64; 4], String> {
    let shown = text.chars().take(100).collect::<String>();
    let numbers: Vec<f64> = text
        .split(',')
        .map(|v| v.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect::<Option<_>>()
        .ok_or_else(|| format!("bbox {shown:?} is not four numbers"))?;
    <[f64; 4]>::try_from(numbers.as_slice()).map_err(|_| {
        format!(
            "bbox {shown:?} has {} numbers; it takes four: {corners}",
            numbers.len()
        )
    })
}

/// `W,S,E,N` (or `S,W,N,E` when `lat_first`, as EPSG:4326 orders its axes) to CRS84.
pub fn parse_bbox(text: &str, lat_first: bool) -> Result<[f64; 4], String> {
    let shown = text.chars().take(100).collect::<String>();
    let [a, b, c, d] = bbox_numbers(text, "west,south,east,north")?;
    let [w, s, e, n] = if lat_first {
        [b, a, d, c]
    } else {
        [a, b, c, d]
    };
    if !(-90.0..=90.0).contains(&s) || !(-90.0..=90.0).contains(&n) {
        return Err(format!(
            "bbox {shown:?}: latitudes must be within -90 to 90"
        ));
    }
    if !(-180.0..=180.0).contains(&w) || !(-180.0..=180.0).contains(&e) {
        return Err(format!(
            "bbox {shown:?}: longitudes must be within -180 to 180"
        ));
    }
    if w > e {
        return Err(format!(
            "bbox {shown:?}: west is east of east; boxes across the antimeridian are not supported, \
             ask for the two halves separately"
        ));
    }
    if s > n {
        return Err(format!("bbox {shown:?}: south is north of north"));
    }
    Ok([w, s, e, n])
}

/// Orders two property values for `sortby`: absent and null last, then booleans,
/// numbers (numerically), strings (by code point), anything else by its JSON text.
pub fn compare_values(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    fn rank(v: Option<&Value>) -> u8 {
        match v {
            Some(Value::Bool(_)) => 0,
            Some(Value::Number(_)) => 1,
            Some(Value::String(_)) => 2,
            Some(Value::Array(_) | Value::Object(_)) => 3,
            None | Some(Value::Null) => 4,
        }
    }
    match (a, b) {
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        (Some(Value::Number(x)), Some(Value::Number(y))) => {
            let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
            x.total_cmp(&y)
        }
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        (
            Some(x @ (Value::Array(_) | Value::Object(_))),
            Some(y @ (Value::Array(_) | Value::Object(_))),
        ) => x.to_string().cmp(&y.to_string()),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// Orders by the sort keys, then by id (so pages are stable).
pub fn compare_by_keys(
    keys: &[SortKey],
    (a_id, a_values): (u64, &[Option<Value>]),
    (b_id, b_values): (u64, &[Option<Value>]),
) -> Ordering {
    for (i, key) in keys.iter().enumerate() {
        let o = compare_values(a_values[i].as_ref(), b_values[i].as_ref());
        let o = if key.descending { o.reverse() } else { o };
        if o != Ordering::Equal {
            return o;
        }
    }
    a_id.cmp(&b_id)
}

/// Sorts features in place for a query (sort keys, then id).
pub fn sort_features(features: &mut [&Feature], keys: &[SortKey]) {
    if keys.is_empty() {
        features.sort_by_key(|f| f.id);
        return;
    }
    let values = |f: &Feature| -> Vec<Option<Value>> {
        keys.iter()
            .map(|k| f.properties.get(&k.property).cloned())
            .collect()
    };
    let mut keyed: Vec<(Vec<Option<Value>>, &Feature)> =
        features.iter().map(|f| (values(f), *f)).collect();
    keyed.sort_by(|(va, a), (vb, b)| compare_by_keys(keys, (a.id, va), (b.id, vb)));
    for (slot, (_, f)) in features.iter_mut().zip(keyed) {
        *slot = f;
    }
}

// ------------------------------------------------------------------ documents

fn title(info: &LayerInfo) -> &str {
    if info.title.en.is_empty() {
        &info.title.zh
    } else {
        &info.title.en
    }
}

/// The landing page (`GET /` for JSON clients).
pub fn landing(base: &str) -> Value {
    json!({
        "title": "Tidewatch",
        "description": "Coastal GIS tile and geodata server: vector tiles and OGC API Features.",
        "links": [
            {"rel": "self", "type": "application/json", "title": "This document", "href": format!("{base}/?f=json")},
            {"rel": "alternate", "type": "text/html", "title": "The map", "href": format!("{base}/")},
            {"rel": "service-desc", "type": openapi::OPENAPI_JSON, "title": "The API definition (OpenAPI 3.0)", "href": format!("{base}/api")},
            {"rel": "conformance", "type": "application/json", "title": "Conformance classes", "href": format!("{base}/conformance")},
            {"rel": "data", "type": "application/json", "title": "Collections", "href": format!("{base}/collections")},
        ]
    })
}

pub fn conformance() -> Value {
    json!({ "conformsTo": CONFORMANCE })
}

/// One collection's description (used alone and in `/collections`).
pub fn collection(base: &str, info: &LayerInfo) -> Value {
    let url = format!("{base}/collections/{}", info.id);
    json!({
        "id": info.id,
        "title": title(info),
        "description": info.description,
        "itemType": "feature",
        "crs": crs::supported(),
        "storageCrs": CRS84,
        "extent": {
            "spatial": { "bbox": [info.bounds], "crs": CRS84 }
        },
        "links": [
            {"rel": "self", "type": "application/json", "title": "This collection", "href": url},
            {"rel": "alternate", "type": "text/html", "title": "This collection as HTML", "href": format!("{url}?f=html")},
            {"rel": "items", "type": GEOJSON, "title": "Features", "href": format!("{url}/items")},
            {"rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables", "type": "application/schema+json",
             "title": "Queryable properties", "href": format!("{url}/queryables")},
        ]
    })
}

pub fn collections(base: &str, infos: &[&LayerInfo]) -> Value {
    json!({
        "links": [
            {"rel": "self", "type": "application/json", "title": "Collections", "href": format!("{base}/collections")},
            {"rel": "alternate", "type": "text/html", "title": "Collections as HTML", "href": format!("{base}/collections?f=html")},
        ],
        "collections": infos.iter().map(|i| collection(base, i)).collect::<Vec<_>>(),
    })
}

/// A feature as GeoJSON, with only the selected properties when `properties` is given.
pub fn feature_json(f: &Feature, properties: Option<&[String]>) -> Value {
    let props: Map<String, Value> = match properties {
        None => f.properties.clone(),
        Some(names) => names
            .iter()
            .filter_map(|n| f.properties.get(n).map(|v| (n.clone(), v.clone())))
            .collect(),
    };
    json!({
        "type": "Feature",
        "id": f.id,
        "geometry": geometry_json(&f.geometry),
        "properties": props,
    })
}

/// `GET /collections/{id}/items/{featureId}`.
pub fn feature_document(base: &str, info: &LayerInfo, f: &Feature) -> Value {
    let collection = format!("{base}/collections/{}", info.id);
    let mut v = feature_json(f, None);
    v["links"] = json!([
        {"rel": "self", "type": GEOJSON, "title": "This feature", "href": format!("{collection}/items/{}", f.id)},
        {"rel": "alternate", "type": "text/html", "title": "This feature as HTML", "href": format!("{collection}/items/{}?f=html", f.id)},
        {"rel": "collection", "type": "application/json", "title": title(info), "href": collection},
    ]);
    v
}

/// The URL of the items page at `offset` for the same query.
pub fn items_url(base: &str, info: &LayerInfo, q: &ItemsQuery, offset: usize) -> String {
    let mut params = Vec::new();
    if let Some([w, s, e, n]) = q.bbox {
        // In the axis order of the bbox-crs the request gave.
        let values = if q.bbox_crs.as_deref() == Some(EPSG4326) {
            [s, w, n, e]
        } else {
            [w, s, e, n]
        };
        params.push(format!("bbox={}", values.map(|v| v.to_string()).join(",")));
    }
    if let Some(crs) = &q.bbox_crs {
        params.push(format!("bbox-crs={}", encode(crs)));
    }
    if let Some(range) = &q.datetime {
        params.push(format!("datetime={}", encode(&range.text)));
    }
    if let Some(code) = q.crs {
        params.push(format!("crs={}", encode(&crs::uri(Some(code)))));
    }
    params.push(format!("limit={}", q.limit));
    if offset > 0 {
        params.push(format!("offset={offset}"));
    }
    if let Some(props) = &q.properties {
        params.push(format!(
            "properties={}",
            props
                .iter()
                .map(|p| encode(p))
                .collect::<Vec<_>>()
                .join(",")
        ));
    }
    if !q.sortby.is_empty() {
        params.push(format!(
            "sortby={}",
            q.sortby
                .iter()
                .map(|k| format!(
                    "{}{}",
                    if k.descending { "-" } else { "" },
                    encode(&k.property)
                ))
                .collect::<Vec<_>>()
                .join(",")
        ));
    }
    if let Some(f) = &q.filter {
        params.extend(f.url_params(encode));
    }
    format!("{base}/collections/{}/items?{}", info.id, params.join("&"))
}

/// `GET /collections/{id}/items`: a FeatureCollection with counts, time stamp and links.
pub fn items_document(
    base: &str,
    info: &LayerInfo,
    q: &ItemsQuery,
    page: &ItemsPage,
    now: std::time::SystemTime,
) -> Value {
    let returned = page.features.len();
    let mut links = vec![
        json!({"rel": "self", "type": GEOJSON, "title": "This page", "href": items_url(base, info, q, q.offset)}),
        json!({"rel": "alternate", "type": "text/html", "title": "This page as HTML",
               "href": format!("{}&f=html", items_url(base, info, q, q.offset))}),
        json!({"rel": "alternate", "type": format::FLATGEOBUF, "title": "This page as FlatGeobuf",
               "href": format!("{}&f=fgb", items_url(base, info, q, q.offset))}),
        json!({"rel": "collection", "type": "application/json", "title": title(info),
               "href": format!("{base}/collections/{}", info.id)}),
    ];
    if returned > 0 && q.offset + returned < page.number_matched {
        links.push(json!({"rel": "next", "type": GEOJSON, "title": "Next page",
                          "href": items_url(base, info, q, q.offset + returned)}));
    }
    if q.offset > 0 {
        links.push(
            json!({"rel": "prev", "type": GEOJSON, "title": "Previous page",
                          "href": items_url(base, info, q, q.offset.saturating_sub(q.limit))}),
        );
    }
    json!({
        "type": "FeatureCollection",
        "features": page.features.iter().map(|f| feature_json(f, q.properties.as_deref())).collect::<Vec<_>>(),
        "numberMatched": page.number_matched,
        "numberReturned": returned,
        "timeStamp": rfc3339(now),
        "links": links,
    })
}

/// `GET /collections/{id}/queryables`: a JSON Schema of the layer's properties.
pub fn queryables(base: &str, info: &LayerInfo) -> Value {
    let url = format!("{base}/collections/{}/queryables", info.id);
    let mut properties = Map::new();
    let geometry_format = match info.geometry {
        tidewatch_tiles::GeometryKind::Point => "geometry-point-or-multi",
        tidewatch_tiles::GeometryKind::Line => "geometry-linestring-or-multi",
        tidewatch_tiles::GeometryKind::Polygon => "geometry-polygon-or-multi",
    };
    properties.insert(
        "geometry".to_owned(),
        json!({"title": "Geometry", "format": geometry_format}),
    );
    for (name, kind) in queryable_fields(info) {
        let t = match kind.as_str() {
            "Number" => "number",
            "Boolean" => "boolean",
            _ => "string",
        };
        properties.insert(name.clone(), json!({"title": name, "type": t}));
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url,
        "type": "object",
        "title": title(info),
        "properties": properties,
        "additionalProperties": false,
    })
}

/// Percent-encodes a query parameter value (everything but RFC 3986 unreserved characters).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `2026-11-27T02:08:00Z` (UTC, whole seconds).
pub fn rfc3339(t: std::time::SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    crate::time::rfc3339_ms(secs * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::Title;
    use std::collections::BTreeMap;
    use std::time::{Duration, UNIX_EPOCH};

    fn info() -> LayerInfo {
        LayerInfo {
            id: "piers".into(),
            title: Title {
                zh: "码头".into(),
                en: "Piers".into(),
            },
            description: String::new(),
            geometry: tidewatch_tiles::GeometryKind::Point,
            minzoom: 0,
            maxzoom: 14,
            feature_count: Some(3),
            bounds: [121.0, 28.0, 122.0, 29.0],
            fields: BTreeMap::from([
                ("name".to_owned(), "String".to_owned()),
                ("berths".to_owned(), "Number".to_owned()),
            ]),
            attribution: String::new(),
            thinned_up_to_zoom: None,
            time_property: None,
        }
    }

    fn parse(q: &[(&str, &str)]) -> Result<ItemsQuery, String> {
        let params: Vec<(String, String)> = q
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        parse_items_query(&params, &info(), 10_000)
    }

    #[test]
    fn defaults_and_good_values() {
        let q = parse(&[]).unwrap();
        assert_eq!((q.limit, q.offset, q.bbox), (100, 0, None));
        let q = parse(&[
            ("bbox", "121.5,28.5,122,29"),
            ("limit", "10000"),
            ("offset", "7"),
            ("properties", "name"),
            ("sortby", "-berths,+name"),
        ])
        .unwrap();
        assert_eq!(q.bbox, Some([121.5, 28.5, 122.0, 29.0]));
        assert_eq!((q.limit, q.offset), (10_000, 7));
        assert_eq!(q.properties, Some(vec!["name".to_owned()]));
        assert_eq!(
            q.sortby,
            vec![
                SortKey {
                    property: "berths".into(),
                    descending: true
                },
                SortKey {
                    property: "name".into(),
                    descending: false
                }
            ]
        );
        // EPSG:4326 is latitude first.
        let q = parse(&[("bbox", "28.5,121.5,29,122"), ("bbox-crs", EPSG4326)]).unwrap();
        assert_eq!(q.bbox, Some([121.5, 28.5, 122.0, 29.0]));
        assert!(items_url("http://x", &info(), &q, 0).contains("bbox=28.5,121.5,29,122"));
    }

    #[test]
    fn bad_values_are_refused_with_the_reason() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("color", "red")], "unknown query parameter \"color\""),
            (&[("bbox", "1,2,3")], "has 3 numbers"),
            (&[("bbox", "a,b,c,d")], "not four numbers"),
            (&[("bbox", "170,0,-170,10")], "antimeridian"),
            (&[("bbox", "0,-95,10,10")], "latitudes"),
            (
                &[("bbox", "0,0,1,1"), ("bbox-crs", "EPSG:3857")],
                "supported",
            ),
            (&[("limit", "0")], "from 1 to 10000"),
            (&[("limit", "1000000000")], "from 1 to 10000"),
            (&[("limit", "-1")], "from 1 to 10000"),
            (&[("offset", "-5")], "offset"),
            (&[("properties", "name,owner")], "no property \"owner\""),
            (
                &[("sortby", "name;DROP TABLE layers")],
                "no property \"name;DROP TABLE layers\"",
            ),
            (&[("f", "xml")], "not supported"),
        ];
        for (q, want) in cases {
            let err = parse(q).unwrap_err();
            assert!(err.contains(want), "{q:?}: {err}");
        }
    }

    #[test]
    fn values_sort_numbers_numerically_and_nulls_last() {
        use serde_json::json;
        let mut v = [json!(10), json!(9), json!(null), json!("a"), json!(2.5)];
        v.sort_by(|a, b| compare_values(Some(a), Some(b)));
        assert_eq!(
            v,
            [json!(2.5), json!(9), json!(10), json!("a"), json!(null)]
        );
        assert_eq!(compare_values(None, Some(&json!(1))), Ordering::Greater);
    }

    #[test]
    fn paging_links_and_time_stamp() {
        let q = parse(&[("limit", "2"), ("offset", "2")]).unwrap();
        let f = Feature {
            id: 1,
            geometry: geo::Geometry::Point(geo::Point::new(121.5, 28.5)),
            properties: Default::default(),
        };
        let page = ItemsPage {
            features: vec![f.clone(), f],
            number_matched: 5,
        };
        let doc = items_document("http://h", &info(), &q, &page, UNIX_EPOCH);
        let href = |rel: &str| {
            doc["links"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["rel"] == rel)
                .map(|l| l["href"].as_str().unwrap().to_owned())
        };
        assert_eq!(
            href("next").as_deref(),
            Some("http://h/collections/piers/items?limit=2&offset=4")
        );
        assert_eq!(
            href("prev").as_deref(),
            Some("http://h/collections/piers/items?limit=2")
        );
        assert_eq!(doc["numberReturned"], 2);
        assert_eq!(doc["timeStamp"], "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(1_795_659_045)),
            "2026-11-26T02:10:45Z"
        );
    }
}
