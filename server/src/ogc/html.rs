//! HTML pages of the OGC API documents (`f=html`, or browsers): the collections, one
//! collection, a page of features and a single feature, in Chinese and English. Every
//! value that comes from data or the request is escaped.

use super::{ItemsPage, ItemsQuery};
use crate::store::LayerInfo;
use serde_json::Value;
use std::fmt::Write;
use tidewatch_importers::Feature;

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn layer_title(info: &LayerInfo) -> String {
    match (info.title.zh.is_empty(), info.title.en.is_empty()) {
        (false, false) => format!("{} {}", info.title.zh, info.title.en),
        (true, _) => info.title.en.clone(),
        (_, true) => info.title.zh.clone(),
    }
}

/// A whole page: `title` is plain text, `body` is HTML already escaped.
fn page(title: &str, json_href: &str, body: &str) -> String {
    let title = escape(title);
    let json_href = escape(json_href);
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} · Tidewatch 潮望</title>\n\
         <link rel=\"alternate\" type=\"application/json\" href=\"{json_href}\">\n\
         <style>body{{font-family:system-ui,sans-serif;margin:1.5em;color:#123}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #bcd;padding:.25em .5em;text-align:left;vertical-align:top}}\
         th{{background:#eef4f8}}nav a{{margin-right:1em}}</style>\n</head>\n<body>\n\
         <nav><a href=\"/\">地图 Map</a><a href=\"/collections?f=html\">集合 Collections</a>\
         <a href=\"{json_href}\">JSON</a></nav>\n<h1>{title}</h1>\n{body}</body>\n</html>\n"
    )
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A layer's feature count, or what stands for it on layers computed per request.
fn feature_count_text(info: &LayerInfo) -> String {
    match info.feature_count {
        Some(n) => n.to_string(),
        None => "实时计算 computed live".to_owned(),
    }
}

/// `/collections?f=html`.
pub fn collections(base: &str, infos: &[&LayerInfo]) -> String {
    let mut body = String::from(
        "<table>\n<tr><th>集合 Collection</th><th>标识 Id</th><th>要素数 Features</th>\
         <th>说明 Description</th></tr>\n",
    );
    for info in infos {
        let url = format!("{base}/collections/{}", info.id);
        let _ = writeln!(
            body,
            "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&format!("{url}?f=html")),
            escape(&layer_title(info)),
            escape(&info.id),
            feature_count_text(info),
            escape(&info.description),
        );
    }
    body.push_str("</table>\n");
    page(
        "集合 Collections",
        &format!("{base}/collections?f=json"),
        &body,
    )
}

/// `/collections/{id}?f=html`.
pub fn collection(base: &str, info: &LayerInfo) -> String {
    let url = format!("{base}/collections/{}", info.id);
    let [w, s, e, n] = info.bounds;
    let mut body = String::new();
    let _ = write!(
        body,
        "<p>{}</p>\n<table>\n<tr><th>标识 Id</th><td>{}</td></tr>\n\
         <tr><th>要素数 Features</th><td>{}</td></tr>\n\
         <tr><th>范围 Extent (CRS84)</th><td>{w}, {s}, {e}, {n}</td></tr>\n\
         <tr><th>属性 Properties</th><td>{}</td></tr>\n</table>\n\
         <p><a href=\"{}\">浏览要素 Browse features</a> · \
         <a href=\"{}\">GeoJSON</a> · <a href=\"{}\">FlatGeobuf</a> · \
         <a href=\"{}\">可查询属性 Queryables</a></p>\n",
        escape(&info.description),
        escape(&info.id),
        feature_count_text(info),
        super::queryable_fields(info)
            .map(|(k, t)| format!("{} ({})", escape(k), escape(t)))
            .collect::<Vec<_>>()
            .join(", "),
        escape(&format!("{url}/items?f=html")),
        escape(&format!("{url}/items?f=json")),
        escape(&format!("{url}/items?f=fgb")),
        escape(&format!("{url}/queryables")),
    );
    page(&layer_title(info), &format!("{url}?f=json"), &body)
}

fn geometry_text(f: &Feature) -> String {
    use geo::{BoundingRect, Centroid};
    let kind = match &f.geometry {
        geo::Geometry::Point(_) => "Point",
        geo::Geometry::MultiPoint(_) => "MultiPoint",
        geo::Geometry::LineString(_) | geo::Geometry::Line(_) => "LineString",
        geo::Geometry::MultiLineString(_) => "MultiLineString",
        geo::Geometry::Polygon(_) | geo::Geometry::Rect(_) | geo::Geometry::Triangle(_) => {
            "Polygon"
        }
        geo::Geometry::MultiPolygon(_) => "MultiPolygon",
        geo::Geometry::GeometryCollection(_) => "GeometryCollection",
    };
    match (
        &f.geometry,
        f.geometry.centroid(),
        f.geometry.bounding_rect(),
    ) {
        (geo::Geometry::Point(p), _, _) => format!("{kind} ({}, {})", p.x(), p.y()),
        (_, Some(c), _) => format!("{kind}, centroid ({:.6}, {:.6})", c.x(), c.y()),
        (_, None, _) => kind.to_owned(),
    }
}

fn features_table(base: &str, info: &LayerInfo, features: &[Feature], names: &[String]) -> String {
    let mut body = String::from("<table>\n<tr><th>标识 Id</th><th>几何 Geometry</th>");
    for n in names {
        let _ = write!(body, "<th>{}</th>", escape(n));
    }
    body.push_str("</tr>\n");
    for f in features {
        let href = format!("{base}/collections/{}/items/{}?f=html", info.id, f.id);
        let _ = write!(
            body,
            "<tr><td><a href=\"{}\">{}</a></td><td>{}</td>",
            escape(&href),
            f.id,
            escape(&geometry_text(f))
        );
        for n in names {
            let v = f.properties.get(n).map(value_text).unwrap_or_default();
            let _ = write!(body, "<td>{}</td>", escape(&v));
        }
        body.push_str("</tr>\n");
    }
    body.push_str("</table>\n");
    body
}

/// The property columns of a page: the selected ones, else the layer's fields then any
/// other property the features carry.
fn columns(info: &LayerInfo, q: Option<&ItemsQuery>, features: &[Feature]) -> Vec<String> {
    if let Some(names) = q.and_then(|q| q.properties.as_ref()) {
        return names.clone();
    }
    let mut names: Vec<String> = info.fields.keys().cloned().collect();
    for f in features {
        for k in f.properties.keys() {
            if !names.contains(k) {
                names.push(k.clone());
            }
        }
    }
    names
}

/// `/collections/{id}/items?f=html`: the page's features with paging links.
pub fn items(base: &str, info: &LayerInfo, q: &ItemsQuery, page_: &ItemsPage) -> String {
    let returned = page_.features.len();
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<p>第 {}–{} 个，共 {} 个要素 · Features {}–{} of {}</p>",
        q.offset + usize::from(returned > 0),
        q.offset + returned,
        page_.number_matched,
        q.offset + usize::from(returned > 0),
        q.offset + returned,
        page_.number_matched
    );
    let mut nav = Vec::new();
    if q.offset > 0 {
        let href = super::items_url(base, info, q, q.offset.saturating_sub(q.limit));
        nav.push(format!(
            "<a rel=\"prev\" href=\"{}\">上一页 Previous</a>",
            escape(&format!("{href}&f=html"))
        ));
    }
    if returned > 0 && q.offset + returned < page_.number_matched {
        let href = super::items_url(base, info, q, q.offset + returned);
        nav.push(format!(
            "<a rel=\"next\" href=\"{}\">下一页 Next</a>",
            escape(&format!("{href}&f=html"))
        ));
    }
    let self_url = super::items_url(base, info, q, q.offset);
    nav.push(format!(
        "<a href=\"{}\">GeoJSON</a>",
        escape(&format!("{self_url}&f=json"))
    ));
    nav.push(format!(
        "<a href=\"{}\">FlatGeobuf</a>",
        escape(&format!("{self_url}&f=fgb"))
    ));
    nav.push(format!(
        "<a href=\"{}\">集合 Collection</a>",
        escape(&format!("{base}/collections/{}?f=html", info.id))
    ));
    let _ = writeln!(body, "<p>{}</p>", nav.join(" · "));
    let names = columns(info, Some(q), &page_.features);
    body.push_str(&features_table(base, info, &page_.features, &names));
    page(
        &format!("{} · 要素 Features", layer_title(info)),
        &format!("{self_url}&f=json"),
        &body,
    )
}

/// `/collections/{id}/items/{featureId}?f=html`.
pub fn feature(base: &str, info: &LayerInfo, f: &Feature) -> String {
    let url = format!("{base}/collections/{}/items/{}", info.id, f.id);
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<p><a href=\"{}\">集合 Collection</a></p>\n<table>\n\
         <tr><th>标识 Id</th><td>{}</td></tr>\n<tr><th>几何 Geometry</th><td>{}</td></tr>",
        escape(&format!("{base}/collections/{}?f=html", info.id)),
        f.id,
        escape(&geometry_text(f))
    );
    for (k, v) in &f.properties {
        let _ = writeln!(
            body,
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(k),
            escape(&value_text(v))
        );
    }
    body.push_str("</table>\n");
    page(
        &format!("{} · {}", layer_title(info), f.id),
        &format!("{url}?f=json"),
        &body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_that_matters() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }
}
