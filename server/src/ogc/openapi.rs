//! The OpenAPI 3.0 document served at `/api`, built from the code rather than kept by hand.
//!
//! The query parameters of `/collections/{id}/items` are not listed here as a fixed set:
//! every parameter this module knows how to describe is offered to
//! [`super::parse_items_query`] and documented only if the parser accepts it, and a unit
//! test fails when the parser accepts a parameter this module cannot describe. The
//! collection ids come from the catalog, the supported CRSs and formats from the same
//! constants the handlers use, so the document follows the server without anyone editing it.

use super::format::{FLATGEOBUF, HTML};
use super::{GEOJSON, ITEMS_PARAMETERS};
use serde_json::{json, Map, Value};

/// The media type of this document.
pub const OPENAPI_JSON: &str = "application/vnd.oai.openapi+json;version=3.0";

/// Describes one query parameter of `/items`, if this module knows it.
fn items_parameter(name: &str) -> Option<Value> {
    let (description, schema, style_form_explode_false) = match name {
        "bbox" => (
            "Only features whose geometry intersects this box: west,south,east,north \
             (in the axis order of bbox-crs; CRS84 by default).",
            json!({"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}}),
            true,
        ),
        "bbox-crs" => (
            "The CRS of bbox, as a URI.",
            json!({"type": "string", "enum": super::crs::supported()}),
            false,
        ),
        "limit" => (
            "Features per page.",
            json!({"type": "integer", "minimum": 1, "default": super::DEFAULT_LIMIT}),
            false,
        ),
        "offset" => (
            "Matching features to skip (paging; follow the next link).",
            json!({"type": "integer", "minimum": 0, "default": 0}),
            false,
        ),
        "properties" => (
            "Comma-separated property names to return (all by default).",
            json!({"type": "array", "items": {"type": "string"}}),
            true,
        ),
        "sortby" => (
            "Comma-separated property names to sort by, each with an optional + or - prefix.",
            json!({"type": "array", "items": {"type": "string"}}),
            true,
        ),
        "f" => (
            "The output format.",
            json!({"type": "string", "enum": ["json", "geojson", "html", "fgb"]}),
            false,
        ),
        "crs" => (
            "The CRS of the returned geometries, as a URI.",
            json!({"type": "string", "enum": super::crs::supported()}),
            false,
        ),
        "datetime" => (
            "An instant or an interval (RFC 3339; `..` for an open end). Only features whose \
             time (the collection's time property) lies in it are selected; in a collection \
             without times no feature matches.",
            json!({"type": "string"}),
            false,
        ),
        "filter" => (
            "A CQL2 filter expression.",
            json!({"type": "string"}),
            false,
        ),
        "filter-lang" => (
            "The language of filter.",
            json!({"type": "string", "enum": ["cql2-text", "cql2-json"]}),
            false,
        ),
        "filter-crs" => (
            "The CRS of geometries in filter, as a URI.",
            json!({"type": "string", "enum": [super::CRS84, super::EPSG4326]}),
            false,
        ),
        _ => return None,
    };
    let mut p = json!({
        "name": name,
        "in": "query",
        "required": false,
        "description": description,
        "schema": schema,
    });
    if style_form_explode_false {
        p["style"] = json!("form");
        p["explode"] = json!(false);
    }
    Some(p)
}

fn error_responses(not_found: bool) -> Map<String, Value> {
    let error = json!({"$ref": "#/components/responses/Error"});
    let mut r = Map::new();
    r.insert("400".into(), error.clone());
    if not_found {
        r.insert("404".into(), error.clone());
    }
    r.insert("503".into(), error);
    r
}

fn operation(id: &str, summary: &str, parameters: Vec<Value>, ok: Value, not_found: bool) -> Value {
    let mut responses = Map::new();
    responses.insert("200".into(), ok);
    responses.extend(error_responses(not_found));
    json!({"get": {
        "operationId": id,
        "summary": summary,
        "tags": ["OGC API Features"],
        "parameters": parameters,
        "responses": responses,
    }})
}

fn ok(description: &str, types: &[&str]) -> Value {
    let content: Map<String, Value> = types
        .iter()
        .map(|t| {
            let schema = if t.starts_with("text/") {
                json!({"type": "string"})
            } else if *t == FLATGEOBUF {
                json!({"type": "string", "format": "binary"})
            } else {
                json!({"type": "object"})
            };
            ((*t).to_owned(), json!({ "schema": schema }))
        })
        .collect();
    json!({"description": description, "content": content})
}

fn f_param(values: &[&str]) -> Value {
    json!({"name": "f", "in": "query", "required": false, "description": "The output format.",
           "schema": {"type": "string", "enum": values}})
}

/// The OpenAPI 3.0 document for a server at `base` serving `collection_ids`.
pub fn document(base: &str, collection_ids: &[&str]) -> Value {
    let collection_id = json!({
        "name": "collectionId", "in": "path", "required": true,
        "description": "A collection (layer) id.",
        "schema": {"type": "string", "enum": collection_ids},
    });
    let feature_id = json!({
        "name": "featureId", "in": "path", "required": true,
        "description": "A feature id (a whole number).",
        "schema": {"type": "string"},
    });
    let items_params: Vec<Value> = std::iter::once(collection_id.clone())
        .chain(ITEMS_PARAMETERS.iter().filter_map(|n| items_parameter(n)))
        .collect();
    let json_f = f_param(&["json"]);
    let mut paths = Map::new();
    paths.insert(
        "/".into(),
        operation(
            "getLandingPage",
            "Landing page: JSON for clients (f=json), the map page for browsers",
            vec![f_param(&["json", "html"])],
            ok("The landing page", &["application/json", "text/html"]),
            false,
        ),
    );
    paths.insert(
        "/api".into(),
        operation(
            "getApi",
            "This OpenAPI document",
            vec![],
            ok("The API description", &[OPENAPI_JSON]),
            false,
        ),
    );
    paths.insert(
        "/conformance".into(),
        operation(
            "getConformance",
            "Conformance classes",
            vec![json_f.clone()],
            ok("The conformance classes", &["application/json"]),
            false,
        ),
    );
    paths.insert(
        "/collections".into(),
        operation(
            "getCollections",
            "The collections (layers)",
            vec![f_param(&["json", "html"])],
            ok("The collections", &["application/json", HTML]),
            false,
        ),
    );
    paths.insert(
        "/collections/{collectionId}".into(),
        operation(
            "describeCollection",
            "One collection",
            vec![collection_id.clone(), f_param(&["json", "html"])],
            ok("The collection", &["application/json", HTML]),
            true,
        ),
    );
    paths.insert(
        "/collections/{collectionId}/items".into(),
        operation(
            "getFeatures",
            "Features of a collection, a page at a time",
            items_params,
            ok("A page of features", &[GEOJSON, HTML, FLATGEOBUF]),
            true,
        ),
    );
    paths.insert(
        "/collections/{collectionId}/items/{featureId}".into(),
        operation(
            "getFeature",
            "One feature",
            vec![
                collection_id.clone(),
                feature_id,
                f_param(&["json", "html"]),
                items_parameter("crs").unwrap_or_default(),
            ],
            ok("The feature", &[GEOJSON, HTML]),
            true,
        ),
    );
    paths.insert(
        "/collections/{collectionId}/queryables".into(),
        operation(
            "getQueryables",
            "The queryable properties of a collection, as JSON Schema",
            vec![collection_id, json_f],
            ok("The queryables", &["application/schema+json"]),
            true,
        ),
    );
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Tidewatch",
            "description": "Coastal GIS tile and geodata server: OGC API Features.",
            "version": env!("CARGO_PKG_VERSION"),
            "license": {"name": "Apache-2.0", "url": "https://www.apache.org/licenses/LICENSE-2.0"},
        },
        "servers": [{"url": base}],
        "tags": [{"name": "OGC API Features"}],
        "paths": paths,
        "components": {
            "responses": {
                "Error": {
                    "description": "The request was refused or could not be served; the body names the problem.",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["code", "description"],
                    "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every parameter `/items` accepts is described, so the document cannot drift from
    /// the parser (both read `ITEMS_PARAMETERS`).
    #[test]
    fn every_items_parameter_is_documented() {
        for name in ITEMS_PARAMETERS {
            assert!(
                items_parameter(name).is_some(),
                "/api does not describe {name:?}"
            );
        }
        let doc = document("http://h", &["piers"]);
        let documented = doc["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["in"] == "query")
            .count();
        assert_eq!(documented, ITEMS_PARAMETERS.len());
    }
}
