//! Output formats of the OGC API documents and how a request picks one: the `f` parameter
//! when given (it wins), else the `Accept` header (quality values honoured), else JSON.

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON (GeoJSON for features).
    Json,
    /// A page for people.
    Html,
    /// FlatGeobuf (features only).
    FlatGeobuf,
}

pub const HTML: &str = "text/html; charset=utf-8";
pub const FLATGEOBUF: &str = "application/flatgeobuf";

impl Format {
    /// The format an `f` value names.
    pub fn from_param(f: &str) -> Option<Format> {
        match f {
            "json" | "geojson" => Some(Format::Json),
            "html" => Some(Format::Html),
            "fgb" | "flatgeobuf" => Some(Format::FlatGeobuf),
            _ => None,
        }
    }

    /// The `f` value that asks for this format.
    pub fn param(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Html => "html",
            Format::FlatGeobuf => "fgb",
        }
    }

    /// Whether an `Accept` media range (lower case, parameters removed) asks for this format.
    fn matches(self, range: &str) -> bool {
        match self {
            Format::Json => matches!(
                range,
                "application/json"
                    | "application/geo+json"
                    | "application/schema+json"
                    | "application/*"
                    | "*/*"
            ),
            Format::Html => matches!(range, "text/html" | "text/*"),
            Format::FlatGeobuf => range == FLATGEOBUF,
        }
    }
}

/// Picks the format for a request: `f` (which must be one of `offered`), else the offered
/// format the `Accept` header rates highest (ties go to the earlier one in `offered`),
/// else the first offered.
pub fn negotiate(f: Option<&str>, accept: &str, offered: &[Format]) -> Result<Format, String> {
    let first = offered.first().copied().unwrap_or(Format::Json);
    if let Some(f) = f {
        return match Format::from_param(f) {
            Some(format) if offered.contains(&format) => Ok(format),
            _ => Err(format!(
                "f={:?} is not supported here; this document is served as {}",
                f.chars().take(40).collect::<String>(),
                offered
                    .iter()
                    .map(|o| format!("f={}", o.param()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        };
    }
    let mut best: Option<(f64, usize)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .filter_map(|v| v.trim().parse::<f64>().ok())
            .next()
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        for (i, format) in offered.iter().enumerate() {
            // A wildcard speaks for the first offered format only.
            let wildcard = media == "*/*" || media.ends_with("/*");
            if format.matches(&media)
                && (!wildcard || i == 0 || *format == Format::Html)
                && best.is_none_or(|(bq, bi)| q > bq || (q == bq && i < bi))
            {
                best = Some((q, i));
            }
        }
    }
    Ok(best.map(|(_, i)| offered[i]).unwrap_or(first))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Format::*;

    #[test]
    fn f_wins_then_accept_then_json() {
        let all = [Json, Html, FlatGeobuf];
        assert_eq!(negotiate(Some("html"), "application/json", &all), Ok(Html));
        assert_eq!(negotiate(Some("fgb"), "", &all), Ok(FlatGeobuf));
        assert!(negotiate(Some("fgb"), "", &[Json, Html])
            .unwrap_err()
            .contains("f=json, f=html"));
        let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert_eq!(negotiate(None, browser, &all), Ok(Html));
        assert_eq!(negotiate(None, "*/*", &all), Ok(Json));
        assert_eq!(negotiate(None, "", &all), Ok(Json));
        assert_eq!(
            negotiate(None, "application/geo+json, application/json", &all),
            Ok(Json)
        );
        assert_eq!(
            negotiate(None, "application/flatgeobuf", &all),
            Ok(FlatGeobuf)
        );
        assert_eq!(
            negotiate(None, "text/html;q=0.5, application/json", &all),
            Ok(Json)
        );
        assert_eq!(negotiate(None, "text/html", &[Json]), Ok(Json));
    }
}
