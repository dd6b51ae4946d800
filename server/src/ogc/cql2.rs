//! OGC API Features Part 3: CQL2 filters. Both encodings (CQL2-text and CQL2-JSON) parse
//! into one [`Expr`]; it is evaluated in memory for the embedded store ([`Expr::matches`])
//! and translated to parameterised SQL for PostGIS ([`Expr::to_sql`]): property names and
//! every literal are bound parameters, only fixed fragments are SQL text.
//!
//! Semantics (the same in memory and in SQL): three-valued logic; a comparison with a
//! missing or null property, or of values of different types, is unknown (so neither it
//! nor its `NOT` matches); numbers compare numerically, strings by code point, booleans
//! only with `=`/`<>`. `IN` is an `OR` of `=`, `BETWEEN` an `AND` of `>=` and `<=`.
//! `S_DWITHIN` distances are metres. Limits: [`MAX_FILTER_CHARS`], [`MAX_DEPTH`].

use geo::{Coord, Distance, Euclidean, Geometry, LineString, MapCoords, Polygon, Relate};
use serde_json::{Map, Value};
use std::fmt::Write as _;

/// Longest filter accepted (characters).
pub const MAX_FILTER_CHARS: usize = 10_000;
/// Deepest nesting of parentheses / `NOT` / JSON operators accepted.
pub const MAX_DEPTH: usize = 50;
/// Name of the geometry queryable in spatial predicates.
pub const GEOMETRY: &str = "geometry";

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Str(String),
    Num(f64),
    Bool(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

impl CmpOp {
    fn sql(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "<>",
            CmpOp::Lt => "<",
            CmpOp::Gt => ">",
            CmpOp::Le => "<=",
            CmpOp::Ge => ">=",
        }
    }
    /// The operator with its operands swapped (`5 < x` is `x > 5`).
    fn flipped(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Ge => CmpOp::Le,
            o => o,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SpatialOp {
    Intersects,
    /// The feature's geometry within the literal.
    Within,
    /// The feature's geometry contains the literal.
    Contains,
    Disjoint,
    /// Within this many metres.
    DWithin(f64),
}

/// A parsed filter. Property names are checked against the layer by [`Expr::properties`].
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Bool(bool),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Cmp {
        property: String,
        op: CmpOp,
        value: Literal,
    },
    Like {
        property: String,
        pattern: String,
    },
    IsNull(String),
    Spatial {
        op: SpatialOp,
        geometry: Geometry<f64>,
    },
    /// The property's instant (RFC 3339 string, or a date as its whole day) intersects
    /// `[start, end]` (milliseconds since 1970; `None` open).
    TIntersects {
        property: String,
        start: Option<i64>,
        end: Option<i64>,
    },
}

/// A parameter of the SQL translation.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlParam {
    Text(String),
    Float(f64),
    Bool(bool),
}

// ------------------------------------------------------------------ entry point

/// Parses `filter` in `lang` (`cql2-text`, the default, or `cql2-json`).
pub fn parse(filter: &str, lang: Option<&str>) -> Result<Expr, String> {
    let n = filter.chars().count();
    if n > MAX_FILTER_CHARS {
        return Err(format!(
            "filter is {n} characters long; at most {MAX_FILTER_CHARS} are accepted"
        ));
    }
    match lang.unwrap_or("cql2-text") {
        "cql2-text" => parse_text(filter),
        "cql2-json" => parse_json(filter),
        other => Err(format!(
            "filter-lang {:?} is not supported; supported: cql2-text, cql2-json",
            other.chars().take(40).collect::<String>()
        )),
    }
}

/// Conformance classes of Part 3 and CQL2 this module implements.
pub const CONFORMANCE: [&str; 7] = [
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
];

/// A validated CQL2 filter of an items query, with the parameters as given (for links).
#[derive(Debug, Clone, PartialEq)]
pub struct ItemsFilter {
    pub expr: Expr,
    pub text: String,
    pub lang: Option<String>,
    pub crs: Option<String>,
}

impl ItemsFilter {
    /// The filter's query parameters, percent-encoded by `encode`, for paging links.
    pub fn url_params(&self, encode: impl Fn(&str) -> String) -> Vec<String> {
        let mut out = vec![format!("filter={}", encode(&self.text))];
        if let Some(lang) = &self.lang {
            out.push(format!("filter-lang={}", encode(lang)));
        }
        if let Some(crs) = &self.crs {
            out.push(format!("filter-crs={}", encode(crs)));
        }
        out
    }
}

/// `filter` (+ `filter-lang`, `filter-crs`) of an items request: parsed, every property
/// one of the layer's queryables.
pub fn items_filter(
    get: impl Fn(&str) -> Option<String>,
    info: &crate::store::LayerInfo,
) -> Result<Option<ItemsFilter>, String> {
    let (lang, crs) = (get("filter-lang"), get("filter-crs"));
    let Some(text) = get("filter") else {
        if lang.is_some() || crs.is_some() {
            return Err("filter-lang and filter-crs are given without filter".to_owned());
        }
        return Ok(None);
    };
    if let Some(c) = crs
        .as_deref()
        .filter(|c| *c != super::CRS84 && *c != super::EPSG4326)
    {
        return Err(format!(
            "filter-crs {:?} is not supported; supported: {}, {}",
            c.chars().take(100).collect::<String>(),
            super::CRS84,
            super::EPSG4326
        ));
    }
    let mut expr = parse(&text, lang.as_deref())?;
    if crs.as_deref() == Some(super::EPSG4326) {
        // EPSG:4326 orders its axes latitude first.
        expr.swap_axes();
    }
    let unknown: Vec<&str> = expr
        .properties()
        .into_iter()
        .filter(|p| !super::is_field(info, p))
        .collect();
    if let Some(first) = unknown.first() {
        let names: Vec<String> = unknown
            .iter()
            .map(|n| format!("{:?}", n.chars().take(80).collect::<String>()))
            .collect();
        return Err(format!(
            "{} (the filter names the unknown {})",
            super::unknown_property(info, "filter", first),
            names.join(", ")
        ));
    }
    Ok(Some(ItemsFilter {
        expr,
        text,
        lang,
        crs,
    }))
}

// ------------------------------------------------------------------ operands

/// A function argument or comparison side, before it is known what it is used for.
#[derive(Debug, Clone)]
enum Operand {
    Property(String),
    Lit(Literal),
    Geom(Geometry<f64>),
    Time(Option<i64>, Option<i64>),
}

impl Operand {
    fn describe(&self) -> &'static str {
        match self {
            Operand::Property(_) => "a property",
            Operand::Lit(Literal::Str(_)) => "a string",
            Operand::Lit(Literal::Num(_)) => "a number",
            Operand::Lit(Literal::Bool(_)) => "a boolean",
            Operand::Geom(_) => "a geometry",
            Operand::Time(..) => "a temporal literal",
        }
    }
}

fn comparison(op: CmpOp, a: Operand, b: Operand) -> Result<Expr, String> {
    match (a, b) {
        (Operand::Property(p), Operand::Lit(v)) => Ok(Expr::Cmp {
            property: p,
            op,
            value: check_bool_op(op, v)?,
        }),
        (Operand::Lit(v), Operand::Property(p)) => Ok(Expr::Cmp {
            property: p,
            op: op.flipped(),
            value: check_bool_op(op, v)?,
        }),
        (Operand::Lit(x), Operand::Lit(y)) => Ok(Expr::Bool(
            literal_cmp(&x, &y).is_some_and(|o| cmp_holds(op, o)),
        )),
        (a, b) => Err(format!(
            "a comparison takes a property and a string, number or boolean; got {} and {}",
            a.describe(),
            b.describe()
        )),
    }
}

fn check_bool_op(op: CmpOp, v: Literal) -> Result<Literal, String> {
    if matches!(v, Literal::Bool(_)) && !matches!(op, CmpOp::Eq | CmpOp::Ne) {
        return Err(format!(
            "booleans compare only with = and <>, not {}",
            op.sql()
        ));
    }
    Ok(v)
}

fn spatial(op: SpatialOp, a: Operand, b: Operand) -> Result<Expr, String> {
    let (geometry, swapped) = match (a, b) {
        (Operand::Property(p), Operand::Geom(g)) if p == GEOMETRY => (g, false),
        (Operand::Geom(g), Operand::Property(p)) if p == GEOMETRY => (g, true),
        (a, b) => {
            return Err(format!(
                "spatial predicates take the property {GEOMETRY:?} and a geometry literal; got {} and {}",
                a.describe(),
                b.describe()
            ))
        }
    };
    let op = match (op, swapped) {
        (SpatialOp::Within, true) => SpatialOp::Contains,
        (SpatialOp::Contains, true) => SpatialOp::Within,
        (op, _) => op,
    };
    Ok(Expr::Spatial { op, geometry })
}

fn temporal(a: Operand, b: Operand) -> Result<Expr, String> {
    match (a, b) {
        (Operand::Property(p), Operand::Time(s, e))
        | (Operand::Time(s, e), Operand::Property(p)) => Ok(Expr::TIntersects {
            property: p,
            start: s,
            end: e,
        }),
        (a, b) => Err(format!(
            "T_INTERSECTS takes a property and a TIMESTAMP, DATE or INTERVAL; got {} and {}",
            a.describe(),
            b.describe()
        )),
    }
}

fn like(a: Operand, b: Operand) -> Result<Expr, String> {
    match (a, b) {
        (Operand::Property(p), Operand::Lit(Literal::Str(s))) => Ok(Expr::Like {
            property: p,
            pattern: s,
        }),
        (a, b) => Err(format!(
            "LIKE takes a property and a string pattern; got {} and {}",
            a.describe(),
            b.describe()
        )),
    }
}

fn is_null(a: Operand) -> Result<Expr, String> {
    match a {
        Operand::Property(p) => Ok(Expr::IsNull(p)),
        Operand::Lit(_) | Operand::Geom(_) | Operand::Time(..) => Ok(Expr::Bool(false)),
    }
}

fn between(p: Operand, lo: Operand, hi: Operand) -> Result<Expr, String> {
    Ok(Expr::And(vec![
        comparison(CmpOp::Ge, p.clone(), lo)?,
        comparison(CmpOp::Le, p, hi)?,
    ]))
}

fn in_list(p: Operand, list: Vec<Operand>) -> Result<Expr, String> {
    if list.is_empty() {
        return Err("IN needs at least one value".to_owned());
    }
    Ok(Expr::Or(
        list.into_iter()
            .map(|v| comparison(CmpOp::Eq, p.clone(), v))
            .collect::<Result<_, _>>()?,
    ))
}

// ------------------------------------------------------------------ CQL2-text

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Quoted(String),
    Str(String),
    Num(f64),
    Op(CmpOp),
    LParen,
    RParen,
    Comma,
    End,
}

impl Tok {
    fn show(&self) -> String {
        match self {
            Tok::Word(w) => format!("{:?}", w.chars().take(40).collect::<String>()),
            Tok::Quoted(w) => format!("\"{}\"", w.chars().take(40).collect::<String>()),
            Tok::Str(s) => format!("'{}'", s.chars().take(40).collect::<String>()),
            Tok::Num(n) => n.to_string(),
            Tok::Op(o) => o.sql().to_owned(),
            Tok::LParen => "(".to_owned(),
            Tok::RParen => ")".to_owned(),
            Tok::Comma => ",".to_owned(),
            Tok::End => "the end of the filter".to_owned(),
        }
    }
}

fn lex(text: &str) -> Result<Vec<(Tok, usize)>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let err = |pos: usize, what: &str| format!("filter: at character {}: {what}", pos + 1);
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let tok = match c {
            '(' => {
                i += 1;
                Tok::LParen
            }
            ')' => {
                i += 1;
                Tok::RParen
            }
            ',' => {
                i += 1;
                Tok::Comma
            }
            '=' => {
                i += 1;
                Tok::Op(CmpOp::Eq)
            }
            '<' | '>' => {
                i += 1;
                let next = chars.get(i).copied();
                let op = match (c, next) {
                    ('<', Some('>')) => CmpOp::Ne,
                    ('<', Some('=')) => CmpOp::Le,
                    ('>', Some('=')) => CmpOp::Ge,
                    ('<', _) => CmpOp::Lt,
                    _ => CmpOp::Gt,
                };
                if matches!(op, CmpOp::Ne | CmpOp::Le | CmpOp::Ge) {
                    i += 1;
                }
                Tok::Op(op)
            }
            '\'' | '"' => {
                // Quotes inside are doubled ('' or "").
                i += 1;
                let mut s = String::new();
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(err(
                                start,
                                &format!("the quote {c} opened here is never closed"),
                            ))
                        }
                        Some(&q) if q == c => {
                            if chars.get(i + 1) == Some(&c) {
                                s.push(c);
                                i += 2;
                            } else {
                                i += 1;
                                break;
                            }
                        }
                        Some(&other) => {
                            s.push(other);
                            i += 1;
                        }
                    }
                }
                if c == '\'' {
                    Tok::Str(s)
                } else {
                    Tok::Quoted(s)
                }
            }
            c if c.is_ascii_digit()
                || ((c == '-' || c == '+' || c == '.')
                    && chars
                        .get(i + 1)
                        .is_some_and(|d| d.is_ascii_digit() || *d == '.')) =>
            {
                i += 1;
                while i < chars.len()
                    && (chars[i].is_ascii_digit()
                        || chars[i] == '.'
                        || ((chars[i] == 'e' || chars[i] == 'E')
                            && chars
                                .get(i + 1)
                                .is_some_and(|d| d.is_ascii_digit() || *d == '-' || *d == '+'))
                        || ((chars[i] == '-' || chars[i] == '+')
                            && matches!(chars[i - 1], 'e' | 'E')))
                {
                    i += 1;
                }
                let s: String = chars[start..i].iter().collect();
                match s.parse::<f64>() {
                    Ok(v) if v.is_finite() => Tok::Num(v),
                    _ => return Err(err(start, &format!("{s:?} is not a number"))),
                }
            }
            c if c.is_alphabetic() || c == '_' => {
                while i < chars.len()
                    && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == ':' || chars[i] == '.')
                {
                    i += 1;
                }
                Tok::Word(chars[start..i].iter().collect())
            }
            other => {
                return Err(err(
                    start,
                    &format!("unexpected character {other:?}; expected a property, a literal, an operator or a parenthesis"),
                ))
            }
        };
        out.push((tok, start));
    }
    out.push((Tok::End, chars.len()));
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    i: usize,
    depth: usize,
}

fn is_kw(t: &Tok, kw: &str) -> bool {
    matches!(t, Tok::Word(w) if w.eq_ignore_ascii_case(kw))
}

const RESERVED: [&str; 9] = [
    "AND", "OR", "NOT", "LIKE", "IN", "BETWEEN", "IS", "NULL", "CASEI",
];

pub fn parse_text(text: &str) -> Result<Expr, String> {
    let mut p = Parser {
        toks: lex(text)?,
        i: 0,
        depth: 0,
    };
    let e = p.or()?;
    if p.peek() != &Tok::End {
        return Err(p.expected("AND, OR or the end of the filter"));
    }
    Ok(e)
}

impl Parser {
    /// The current token's index (`i` may step past the final `End` and back).
    fn cur(&self) -> usize {
        self.i.min(self.toks.len() - 1)
    }
    fn peek(&self) -> &Tok {
        &self.toks[self.cur()].0
    }
    fn next(&mut self) -> Tok {
        let t = self.toks[self.cur()].0.clone();
        self.i += 1;
        t
    }
    fn expected(&self, what: &str) -> String {
        let (t, pos) = &self.toks[self.cur()];
        format!(
            "filter: at character {}: expected {what}, found {}",
            pos + 1,
            t.show()
        )
    }
    fn at(&self, msg: String) -> String {
        format!(
            "filter: at character {}: {msg}",
            self.toks[self.cur()].1 + 1
        )
    }
    fn eat(&mut self, t: &Tok, what: &str) -> Result<(), String> {
        if self.peek() == t {
            self.next();
            Ok(())
        } else {
            Err(self.expected(what))
        }
    }
    fn eat_kw(&mut self, kw: &str) -> bool {
        if is_kw(self.peek(), kw) {
            self.next();
            true
        } else {
            false
        }
    }
    fn deeper(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.at(format!("the filter nests deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut items = vec![self.and()?];
        while self.eat_kw("OR") {
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.pop().unwrap_or(Expr::Bool(false))
        } else {
            Expr::Or(items)
        })
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut items = vec![self.not()?];
        while self.eat_kw("AND") {
            items.push(self.not()?);
        }
        Ok(if items.len() == 1 {
            items.pop().unwrap_or(Expr::Bool(true))
        } else {
            Expr::And(items)
        })
    }

    fn not(&mut self) -> Result<Expr, String> {
        if self.eat_kw("NOT") {
            self.deeper()?;
            let e = self.not()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(e)));
        }
        self.predicate()
    }

    fn predicate(&mut self) -> Result<Expr, String> {
        if self.peek() == &Tok::LParen {
            self.next();
            self.deeper()?;
            let e = self.or()?;
            self.eat(&Tok::RParen, "\")\" or AND/OR")?;
            self.depth -= 1;
            return Ok(e);
        }
        // Functions: spatial and temporal predicates.
        if let Tok::Word(w) = self.peek().clone() {
            let up = w.to_ascii_uppercase();
            let op = match up.as_str() {
                "S_INTERSECTS" => Some(Some(SpatialOp::Intersects)),
                "S_WITHIN" => Some(Some(SpatialOp::Within)),
                "S_CONTAINS" => Some(Some(SpatialOp::Contains)),
                "S_DISJOINT" => Some(Some(SpatialOp::Disjoint)),
                "S_DWITHIN" => Some(Some(SpatialOp::DWithin(0.0))),
                "T_INTERSECTS" => Some(None),
                _ => None,
            };
            if let Some(op) = op {
                self.next();
                self.eat(&Tok::LParen, &format!("\"(\" after {up}"))?;
                let a = self.operand()?;
                self.eat(&Tok::Comma, "\",\"")?;
                let b = self.operand()?;
                let e = match op {
                    Some(SpatialOp::DWithin(_)) => {
                        self.eat(&Tok::Comma, "\",\" and a distance in metres")?;
                        let d = match self.next() {
                            Tok::Num(d) if d >= 0.0 => d,
                            _ => {
                                self.i -= 1;
                                return Err(
                                    self.expected("a distance in metres (a number of 0 or more)")
                                );
                            }
                        };
                        spatial(SpatialOp::DWithin(d), a, b)
                    }
                    Some(op) => spatial(op, a, b),
                    None => temporal(a, b),
                }
                .map_err(|e| self.at(e))?;
                self.eat(&Tok::RParen, "\")\"")?;
                return Ok(e);
            }
            if up == "TRUE" || up == "FALSE" {
                // A bare boolean is a predicate unless compared.
                if !matches!(self.toks[self.i + 1].0, Tok::Op(_)) {
                    self.next();
                    return Ok(Expr::Bool(up == "TRUE"));
                }
            }
        }
        let a = self.operand()?;
        let pos = self.i;
        let negated = self.eat_kw("NOT");
        let e = match self.next() {
            Tok::Op(op) if !negated => {
                let b = self.operand()?;
                comparison(op, a, b)
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("LIKE") => {
                let b = self.operand()?;
                like(a, b)
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("IN") => {
                self.eat(&Tok::LParen, "\"(\" and a list of values")?;
                let mut list = vec![self.operand()?];
                while self.peek() == &Tok::Comma {
                    self.next();
                    list.push(self.operand()?);
                }
                self.eat(&Tok::RParen, "\",\" or \")\"")?;
                in_list(a, list)
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("BETWEEN") => {
                let lo = self.operand()?;
                if !self.eat_kw("AND") {
                    return Err(self.expected("AND (BETWEEN low AND high)"));
                }
                let hi = self.operand()?;
                between(a, lo, hi)
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("IS") && !negated => {
                let not = self.eat_kw("NOT");
                if !self.eat_kw("NULL") {
                    return Err(self.expected("NULL"));
                }
                let e = is_null(a).map_err(|e| self.at(e))?;
                return Ok(if not { Expr::Not(Box::new(e)) } else { e });
            }
            _ => {
                self.i = pos;
                if negated {
                    self.i += 1;
                }
                return Err(self.expected(if negated {
                    "LIKE, IN or BETWEEN after NOT"
                } else {
                    "a comparison operator (= <> < > <= >=), LIKE, IN, BETWEEN or IS NULL"
                }));
            }
        }
        .map_err(|e| self.at(e))?;
        Ok(if negated { Expr::Not(Box::new(e)) } else { e })
    }

    fn number(&mut self) -> Result<f64, String> {
        match self.next() {
            Tok::Num(n) => Ok(n),
            _ => {
                self.i -= 1;
                Err(self.expected("a number"))
            }
        }
    }

    fn string(&mut self, what: &str) -> Result<String, String> {
        match self.next() {
            Tok::Str(s) => Ok(s),
            _ => {
                self.i -= 1;
                Err(self.expected(what))
            }
        }
    }

    fn operand(&mut self) -> Result<Operand, String> {
        let t = self.next();
        Ok(match t {
            Tok::Str(s) => Operand::Lit(Literal::Str(s)),
            Tok::Num(n) => Operand::Lit(Literal::Num(n)),
            Tok::Quoted(name) => Operand::Property(name),
            Tok::Word(w) => {
                let up = w.to_ascii_uppercase();
                match up.as_str() {
                    "TRUE" => Operand::Lit(Literal::Bool(true)),
                    "FALSE" => Operand::Lit(Literal::Bool(false)),
                    "TIMESTAMP" | "DATE" => {
                        self.eat(&Tok::LParen, &format!("\"(\" after {up}"))?;
                        let s = self.string(&format!("a quoted {}", up.to_lowercase()))?;
                        let (a, b) = if up == "DATE" {
                            parse_date(&s)
                        } else {
                            parse_timestamp(&s).map(|t| (t, t))
                        }
                        .ok_or_else(|| {
                            self.at(format!("{s:?} is not a valid {}", up.to_lowercase()))
                        })?;
                        self.eat(&Tok::RParen, "\")\"")?;
                        Operand::Time(Some(a), Some(b))
                    }
                    "INTERVAL" => {
                        self.eat(&Tok::LParen, "\"(\" after INTERVAL")?;
                        let s = self.string("a quoted start (timestamp, date or '..')")?;
                        self.eat(&Tok::Comma, "\",\"")?;
                        let e = self.string("a quoted end (timestamp, date or '..')")?;
                        self.eat(&Tok::RParen, "\")\"")?;
                        let (a, b) = interval(&s, &e).map_err(|m| self.at(m))?;
                        Operand::Time(a, b)
                    }
                    "POINT" | "LINESTRING" | "POLYGON" | "MULTIPOINT" | "MULTILINESTRING"
                    | "MULTIPOLYGON" | "BBOX" => {
                        self.i -= 1;
                        Operand::Geom(self.wkt()?)
                    }
                    _ if RESERVED.contains(&up.as_str()) => {
                        self.i -= 1;
                        return Err(self.expected("a property or a literal"));
                    }
                    _ => Operand::Property(w),
                }
            }
            _ => {
                self.i -= 1;
                return Err(self.expected("a property or a literal"));
            }
        })
    }

    fn coord(&mut self) -> Result<Coord<f64>, String> {
        let x = self.number()?;
        let y = self.number()?;
        // A third ordinate (Z) is accepted and ignored.
        if let Tok::Num(_) = self.peek() {
            self.next();
        }
        Ok(Coord { x, y })
    }

    fn coords(&mut self) -> Result<Vec<Coord<f64>>, String> {
        self.eat(&Tok::LParen, "\"(\"")?;
        let mut v = vec![self.coord()?];
        while self.peek() == &Tok::Comma {
            self.next();
            v.push(self.coord()?);
        }
        self.eat(&Tok::RParen, "\",\" or \")\"")?;
        Ok(v)
    }

    fn rings(&mut self) -> Result<Polygon<f64>, String> {
        self.eat(&Tok::LParen, "\"(\"")?;
        let mut rings = vec![self.ring()?];
        while self.peek() == &Tok::Comma {
            self.next();
            rings.push(self.ring()?);
        }
        self.eat(&Tok::RParen, "\",\" or \")\"")?;
        let outer = rings.remove(0);
        Ok(Polygon::new(outer, rings))
    }

    fn ring(&mut self) -> Result<LineString<f64>, String> {
        let c = self.coords()?;
        if c.len() < 4 || c.first() != c.last() {
            return Err(self.at(
                "a polygon ring needs at least 4 positions, the last equal to the first".to_owned(),
            ));
        }
        Ok(LineString::new(c))
    }

    fn list<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        self.eat(&Tok::LParen, "\"(\"")?;
        let mut v = vec![item(self)?];
        while self.peek() == &Tok::Comma {
            self.next();
            v.push(item(self)?);
        }
        self.eat(&Tok::RParen, "\",\" or \")\"")?;
        Ok(v)
    }

    fn wkt(&mut self) -> Result<Geometry<f64>, String> {
        let Tok::Word(w) = self.next() else {
            self.i -= 1;
            return Err(self.expected("a geometry"));
        };
        let up = w.to_ascii_uppercase();
        Ok(match up.as_str() {
            "POINT" => {
                self.eat(&Tok::LParen, "\"(\"")?;
                let c = self.coord()?;
                self.eat(&Tok::RParen, "\")\"")?;
                Geometry::Point(c.into())
            }
            "LINESTRING" => {
                let c = self.coords()?;
                if c.len() < 2 {
                    return Err(self.at("a LINESTRING needs at least 2 positions".to_owned()));
                }
                Geometry::LineString(LineString::new(c))
            }
            "POLYGON" => Geometry::Polygon(self.rings()?),
            "MULTIPOINT" => {
                // MULTIPOINT((1 2),(3 4)) or MULTIPOINT(1 2, 3 4)
                let pts = self.list(|p| {
                    if p.peek() == &Tok::LParen {
                        p.next();
                        let c = p.coord()?;
                        p.eat(&Tok::RParen, "\")\"")?;
                        Ok(c)
                    } else {
                        p.coord()
                    }
                })?;
                Geometry::MultiPoint(pts.into_iter().map(geo::Point::from).collect())
            }
            "MULTILINESTRING" => Geometry::MultiLineString(geo::MultiLineString::new(
                self.list(|p| p.coords().map(LineString::new))?,
            )),
            "MULTIPOLYGON" => {
                Geometry::MultiPolygon(geo::MultiPolygon::new(self.list(|p| p.rings())?))
            }
            "BBOX" => {
                let n = self.list(|p| p.number())?;
                bbox_polygon(&n).map_err(|e| self.at(e))?
            }
            _ => {
                self.i -= 1;
                return Err(self.expected("a geometry"));
            }
        })
    }
}

fn bbox_polygon(n: &[f64]) -> Result<Geometry<f64>, String> {
    let [w, s, e, nn] = match n {
        [w, s, e, n] => [*w, *s, *e, *n],
        [w, s, _, e, n, _] => [*w, *s, *e, *n],
        _ => return Err(format!("BBOX takes 4 (or 6) numbers, not {}", n.len())),
    };
    if w > e || s > nn {
        return Err(
            "BBOX must be west,south,east,north with west <= east and south <= north".to_owned(),
        );
    }
    Ok(Geometry::Polygon(
        geo::Rect::new((w, s), (e, nn)).to_polygon(),
    ))
}

// ------------------------------------------------------------------ time

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn digits(s: &str) -> Option<i64> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn ymd(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (digits(&s[0..4])?, digits(&s[5..7])?, digits(&s[8..10])?);
    if y < 1 {
        return None;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d < 1 || d > days[(m - 1) as usize] {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// `YYYY-MM-DD` as the milliseconds of its first and last instant (UTC).
fn parse_date(s: &str) -> Option<(i64, i64)> {
    let d = ymd(s)? * 86_400_000;
    Some((d, d + 86_400_000 - 1))
}

/// An RFC 3339 date-time (`2024-05-01T08:00:00Z`, fractions and offsets allowed) in
/// milliseconds since 1970.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    if s.len() < 20 || !s.is_char_boundary(10) || !matches!(s.as_bytes()[10], b'T' | b't') {
        return None;
    }
    let day = ymd(&s[..10])?;
    let rest = &s[11..];
    if rest.len() < 9 || !rest.is_char_boundary(8) {
        return None;
    }
    let (hms, mut tail) = rest.split_at(8);
    let hb = hms.as_bytes();
    if hb[2] != b':' || hb[5] != b':' {
        return None;
    }
    let (h, mi, sec) = (
        digits(&hms[0..2])?,
        digits(&hms[3..5])?,
        digits(&hms[6..8])?,
    );
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut ms = 0;
    if let Some(frac) = tail.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        let f = &frac[..n.min(3)];
        ms = digits(f)? * 10_i64.pow(3 - f.len() as u32);
        tail = &frac[n..];
    }
    let offset = match tail {
        "Z" | "z" => 0,
        t if t.len() == 6 && (t.starts_with('+') || t.starts_with('-')) && &t[3..4] == ":" => {
            let v = digits(&t[1..3])? * 60 + digits(&t[4..6])?;
            if t.starts_with('-') {
                -v
            } else {
                v
            }
        }
        _ => return None,
    };
    Some((day * 86_400 + h * 3600 + mi * 60 + sec - offset * 60) * 1000 + ms)
}

/// One end of an interval: `..` (open), a date or a timestamp. The start of a date is
/// its first instant, the end its last.
fn interval(start: &str, end: &str) -> Result<(Option<i64>, Option<i64>), String> {
    let one = |s: &str, is_end: bool| -> Result<Option<i64>, String> {
        if s == ".." || s.is_empty() {
            return Ok(None);
        }
        if let Some((a, b)) = parse_date(s) {
            return Ok(Some(if is_end { b } else { a }));
        }
        parse_timestamp(s)
            .map(Some)
            .ok_or_else(|| format!("{s:?} is not a date, an RFC 3339 timestamp or \"..\""))
    };
    let (a, b) = (one(start, false)?, one(end, true)?);
    if let (Some(a), Some(b)) = (a, b) {
        if a > b {
            return Err("the interval ends before it starts".to_owned());
        }
    }
    Ok((a, b))
}

/// A property value as an instant span: a timestamp is one instant, a date its day.
fn value_time(v: &Value) -> Option<(i64, i64)> {
    let s = v.as_str()?;
    parse_timestamp(s).map(|t| (t, t)).or_else(|| parse_date(s))
}

// ------------------------------------------------------------------ CQL2-JSON

pub fn parse_json(text: &str) -> Result<Expr, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| {
        if e.to_string().starts_with("recursion limit exceeded") {
            // serde_json stops at 128 levels of arrays and objects.
            return format!(
                "filter: at line {} column {}: the filter nests deeper than {MAX_DEPTH} levels",
                e.line(),
                e.column()
            );
        }
        format!(
            "filter: not JSON at line {} column {}: {e}",
            e.line(),
            e.column()
        )
    })?;
    json_expr(&v, 0, "$")
}

fn json_op(v: &Value, path: &str) -> Result<(String, Vec<Value>), String> {
    let Some(o) = v.as_object() else {
        return Err(format!(
            "filter: at {path}: expected an object {{\"op\": …, \"args\": […]}}, found {}",
            short(v)
        ));
    };
    let op = o
        .get("op")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("filter: at {path}: expected \"op\" (a string)"))?;
    let args = match o.get("args") {
        Some(Value::Array(a)) => a.clone(),
        _ => return Err(format!("filter: at {path}: expected \"args\" (an array)")),
    };
    Ok((op.to_ascii_lowercase(), args))
}

fn short(v: &Value) -> String {
    v.to_string().chars().take(60).collect()
}

fn json_expr(v: &Value, depth: usize, path: &str) -> Result<Expr, String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "filter: at {path}: the filter nests deeper than {MAX_DEPTH} levels"
        ));
    }
    if let Value::Bool(b) = v {
        return Ok(Expr::Bool(*b));
    }
    let (op, args) = json_op(v, path)?;
    let arity = |n: usize| -> Result<(), String> {
        if args.len() == n {
            Ok(())
        } else {
            Err(format!(
                "filter: at {path}: {op} takes {n} arguments, not {}",
                args.len()
            ))
        }
    };
    let at = |e: String| format!("filter: at {path}: {e}");
    let operand = |i: usize| json_operand(&args[i], &format!("{path}.args[{i}]"));
    match op.as_str() {
        "and" | "or" => {
            if args.len() < 2 {
                return Err(at(format!("{op} takes at least 2 arguments")));
            }
            let items = args
                .iter()
                .enumerate()
                .map(|(i, a)| json_expr(a, depth + 1, &format!("{path}.args[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if op == "and" {
                Expr::And(items)
            } else {
                Expr::Or(items)
            })
        }
        "not" => {
            arity(1)?;
            Ok(Expr::Not(Box::new(json_expr(
                &args[0],
                depth + 1,
                &format!("{path}.args[0]"),
            )?)))
        }
        "=" | "<>" | "<" | ">" | "<=" | ">=" => {
            arity(2)?;
            let cmp = match op.as_str() {
                "=" => CmpOp::Eq,
                "<>" => CmpOp::Ne,
                "<" => CmpOp::Lt,
                ">" => CmpOp::Gt,
                "<=" => CmpOp::Le,
                _ => CmpOp::Ge,
            };
            comparison(cmp, operand(0)?, operand(1)?).map_err(at)
        }
        "like" => {
            arity(2)?;
            like(operand(0)?, operand(1)?).map_err(at)
        }
        "between" => {
            arity(3)?;
            between(operand(0)?, operand(1)?, operand(2)?).map_err(at)
        }
        "in" => {
            arity(2)?;
            let Value::Array(list) = &args[1] else {
                return Err(at("in takes a property and an array of values".to_owned()));
            };
            let list = list
                .iter()
                .enumerate()
                .map(|(i, x)| json_operand(x, &format!("{path}.args[1][{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            in_list(operand(0)?, list).map_err(at)
        }
        "isnull" => {
            arity(1)?;
            is_null(operand(0)?).map_err(at)
        }
        "s_intersects" | "s_within" | "s_contains" | "s_disjoint" => {
            arity(2)?;
            let sop = match op.as_str() {
                "s_intersects" => SpatialOp::Intersects,
                "s_within" => SpatialOp::Within,
                "s_contains" => SpatialOp::Contains,
                _ => SpatialOp::Disjoint,
            };
            spatial(sop, operand(0)?, operand(1)?).map_err(at)
        }
        "s_dwithin" => {
            arity(3)?;
            let d = args[2]
                .as_f64()
                .filter(|d| *d >= 0.0 && d.is_finite())
                .ok_or_else(|| at("s_dwithin takes a distance in metres of 0 or more".to_owned()))?;
            spatial(SpatialOp::DWithin(d), operand(0)?, operand(1)?).map_err(at)
        }
        "t_intersects" => {
            arity(2)?;
            temporal(operand(0)?, operand(1)?).map_err(at)
        }
        other => Err(at(format!(
            "unsupported operator {:?}; supported: and, or, not, =, <>, <, >, <=, >=, like, in, between, isNull, s_intersects, s_within, s_contains, s_disjoint, s_dwithin, t_intersects",
            other.chars().take(40).collect::<String>()
        ))),
    }
}

fn json_operand(v: &Value, path: &str) -> Result<Operand, String> {
    let at = |e: String| format!("filter: at {path}: {e}");
    Ok(match v {
        Value::String(s) => Operand::Lit(Literal::Str(s.clone())),
        Value::Bool(b) => Operand::Lit(Literal::Bool(*b)),
        Value::Number(n) => Operand::Lit(Literal::Num(
            n.as_f64()
                .ok_or_else(|| at("number out of range".to_owned()))?,
        )),
        Value::Object(o) => {
            if let Some(p) = o.get("property") {
                let p = p
                    .as_str()
                    .ok_or_else(|| at("\"property\" must be a string".to_owned()))?;
                return Ok(Operand::Property(p.to_owned()));
            }
            if let Some(t) = o.get("timestamp") {
                let s = t.as_str().unwrap_or_default();
                let t = parse_timestamp(s).ok_or_else(|| {
                    at(format!(
                        "{} is not an RFC 3339 timestamp",
                        short(&o["timestamp"])
                    ))
                })?;
                return Ok(Operand::Time(Some(t), Some(t)));
            }
            if let Some(d) = o.get("date") {
                let (a, b) = d
                    .as_str()
                    .and_then(parse_date)
                    .ok_or_else(|| at(format!("{} is not a date", short(d))))?;
                return Ok(Operand::Time(Some(a), Some(b)));
            }
            if let Some(i) = o.get("interval") {
                let parts: Vec<&str> = i
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let [s, e] = parts[..] else {
                    return Err(at("\"interval\" takes two strings".to_owned()));
                };
                let (a, b) = interval(s, e).map_err(at)?;
                return Ok(Operand::Time(a, b));
            }
            if let Some(b) = o.get("bbox") {
                let n: Vec<f64> = b
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_f64).collect())
                    .unwrap_or_default();
                return Ok(Operand::Geom(bbox_polygon(&n).map_err(at)?));
            }
            if o.contains_key("type") {
                return Ok(Operand::Geom(geojson_geometry(o).map_err(at)?));
            }
            if o.contains_key("op") {
                return Err(at("a predicate cannot be used as a value here".to_owned()));
            }
            return Err(at(format!(
                "expected a property, a literal, a geometry or a temporal value, found {}",
                short(v)
            )));
        }
        Value::Null | Value::Array(_) => {
            return Err(at(format!(
                "expected a property, a literal, a geometry or a temporal value, found {}",
                short(v)
            )))
        }
    })
}

fn geojson_geometry(o: &Map<String, Value>) -> Result<Geometry<f64>, String> {
    fn pos(v: &Value) -> Result<Coord<f64>, String> {
        match v
            .as_array()
            .map(|a| a.iter().map(Value::as_f64).collect::<Vec<_>>())
        {
            Some(n) if n.len() >= 2 && n.iter().all(Option::is_some) => Ok(Coord {
                x: n[0].unwrap_or_default(),
                y: n[1].unwrap_or_default(),
            }),
            _ => Err(format!("{} is not a position", short(v))),
        }
    }
    fn arr(v: &Value) -> Result<&Vec<Value>, String> {
        v.as_array()
            .ok_or_else(|| format!("{} is not an array", short(v)))
    }
    fn line(v: &Value) -> Result<LineString<f64>, String> {
        Ok(LineString::new(
            arr(v)?.iter().map(pos).collect::<Result<_, _>>()?,
        ))
    }
    fn poly(v: &Value) -> Result<Polygon<f64>, String> {
        let mut rings = arr(v)?.iter().map(line).collect::<Result<Vec<_>, _>>()?;
        if rings.is_empty() {
            return Err("a polygon needs a ring".to_owned());
        }
        let outer = rings.remove(0);
        Ok(Polygon::new(outer, rings))
    }
    let c = o
        .get("coordinates")
        .ok_or("a GeoJSON geometry needs \"coordinates\"")?;
    Ok(
        match o.get("type").and_then(Value::as_str).unwrap_or_default() {
            "Point" => Geometry::Point(pos(c)?.into()),
            "LineString" => Geometry::LineString(line(c)?),
            "Polygon" => Geometry::Polygon(poly(c)?),
            "MultiPoint" => Geometry::MultiPoint(
                arr(c)?
                    .iter()
                    .map(|p| pos(p).map(geo::Point::from))
                    .collect::<Result<Vec<_>, _>>()?
                    .into(),
            ),
            "MultiLineString" => Geometry::MultiLineString(geo::MultiLineString::new(
                arr(c)?.iter().map(line).collect::<Result<_, _>>()?,
            )),
            "MultiPolygon" => Geometry::MultiPolygon(geo::MultiPolygon::new(
                arr(c)?.iter().map(poly).collect::<Result<_, _>>()?,
            )),
            other => {
                return Err(format!(
                    "unsupported geometry type {:?}",
                    other.chars().take(40).collect::<String>()
                ))
            }
        },
    )
}

// ------------------------------------------------------------------ checks

impl Expr {
    /// Every property the filter names (the geometry queryable not included).
    pub fn properties(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out.sort_unstable();
        out.dedup();
        out
    }

    fn collect<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Expr::And(v) | Expr::Or(v) => v.iter().for_each(|e| e.collect(out)),
            Expr::Not(e) => e.collect(out),
            Expr::Cmp { property, .. }
            | Expr::Like { property, .. }
            | Expr::IsNull(property)
            | Expr::TIntersects { property, .. } => out.push(property),
            Expr::Bool(_) | Expr::Spatial { .. } => {}
        }
    }

    fn swap_axes(&mut self) {
        match self {
            Expr::And(v) | Expr::Or(v) => v.iter_mut().for_each(Expr::swap_axes),
            Expr::Not(e) => e.swap_axes(),
            Expr::Spatial { geometry, .. } => {
                *geometry = geometry.map_coords(|c| Coord { x: c.y, y: c.x });
            }
            _ => {}
        }
    }

    // -------------------------------------------------------------- in memory

    /// Whether a feature matches (unknown does not).
    pub fn matches(&self, properties: &Map<String, Value>, geometry: &Geometry<f64>) -> bool {
        self.eval(properties, geometry) == Some(true)
    }

    fn eval(&self, props: &Map<String, Value>, geom: &Geometry<f64>) -> Option<bool> {
        match self {
            Expr::Bool(b) => Some(*b),
            Expr::And(v) => {
                let mut r = Some(true);
                for e in v {
                    match e.eval(props, geom) {
                        Some(false) => return Some(false),
                        None => r = None,
                        Some(true) => {}
                    }
                }
                r
            }
            Expr::Or(v) => {
                let mut r = Some(false);
                for e in v {
                    match e.eval(props, geom) {
                        Some(true) => return Some(true),
                        None => r = None,
                        Some(false) => {}
                    }
                }
                r
            }
            Expr::Not(e) => e.eval(props, geom).map(|b| !b),
            Expr::Cmp {
                property,
                op,
                value,
            } => {
                let v = value_literal(props.get(property)?)?;
                literal_cmp(&v, value).map(|o| cmp_holds(*op, o))
            }
            Expr::Like { property, pattern } => {
                let s = props.get(property)?.as_str()?;
                Some(like_matches(s, pattern))
            }
            Expr::IsNull(p) => Some(props.get(p).is_none_or(Value::is_null)),
            Expr::Spatial { op, geometry } => Some(match op {
                SpatialOp::Intersects => geom.relate(geometry).is_intersects(),
                SpatialOp::Disjoint => !geom.relate(geometry).is_intersects(),
                SpatialOp::Within => geom.relate(geometry).is_within(),
                SpatialOp::Contains => geom.relate(geometry).is_contains(),
                SpatialOp::DWithin(d) => distance_m(geom, geometry) <= *d,
            }),
            Expr::TIntersects {
                property,
                start,
                end,
            } => {
                let (a, b) = value_time(props.get(property)?)?;
                Some(start.is_none_or(|s| b >= s) && end.is_none_or(|e| a <= e))
            }
        }
    }

    // -------------------------------------------------------------- SQL

    /// The filter as a PostgreSQL boolean expression over `t.properties` (jsonb) and
    /// `t.geom` (geometry, 4326). `bind` adds a parameter and returns its placeholder; no
    /// name or value of the filter is ever part of the returned text.
    pub fn to_sql(&self, bind: &mut dyn FnMut(SqlParam) -> String) -> String {
        match self {
            Expr::Bool(b) => if *b { "true" } else { "false" }.to_owned(),
            Expr::And(v) | Expr::Or(v) => {
                let sep = if matches!(self, Expr::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                let parts: Vec<String> = v.iter().map(|e| e.to_sql(bind)).collect();
                format!("({})", parts.join(sep))
            }
            Expr::Not(e) => format!("(NOT {})", e.to_sql(bind)),
            Expr::Cmp {
                property,
                op,
                value,
            } => {
                let name = bind(SqlParam::Text(property.clone()));
                match value {
                    Literal::Num(n) => format!(
                        "((CASE WHEN jsonb_typeof(t.properties -> {name}) = 'number' THEN (t.properties ->> {name})::float8 END) {} {})",
                        op.sql(),
                        bind(SqlParam::Float(*n))
                    ),
                    Literal::Str(s) => format!(
                        "((CASE WHEN jsonb_typeof(t.properties -> {name}) = 'string' THEN (t.properties ->> {name}) END) COLLATE \"C\" {} {}::text)",
                        op.sql(),
                        bind(SqlParam::Text(s.clone()))
                    ),
                    Literal::Bool(b) => format!(
                        "((CASE WHEN jsonb_typeof(t.properties -> {name}) = 'boolean' THEN (t.properties ->> {name})::boolean END) {} {}::boolean)",
                        op.sql(),
                        bind(SqlParam::Bool(*b))
                    ),
                }
            }
            Expr::Like { property, pattern } => {
                let name = bind(SqlParam::Text(property.clone()));
                format!(
                    "((CASE WHEN jsonb_typeof(t.properties -> {name}) = 'string' THEN (t.properties ->> {name}) END) LIKE {}::text ESCAPE '\\')",
                    bind(SqlParam::Text(pattern.clone()))
                )
            }
            Expr::IsNull(p) => {
                let name = bind(SqlParam::Text(p.clone()));
                format!("(coalesce(jsonb_typeof(t.properties -> {name}), 'null') = 'null')")
            }
            Expr::Spatial { op, geometry } => {
                let g = format!(
                    "ST_GeomFromText({}::text, 4326)",
                    bind(SqlParam::Text(wkt(geometry)))
                );
                match op {
                    SpatialOp::Intersects => format!("ST_Intersects(t.geom, {g})"),
                    SpatialOp::Disjoint => format!("ST_Disjoint(t.geom, {g})"),
                    SpatialOp::Within => format!("ST_Within(t.geom, {g})"),
                    SpatialOp::Contains => format!("ST_Contains(t.geom, {g})"),
                    SpatialOp::DWithin(d) => {
                        let within = format!(
                            "ST_DWithin(t.geom::geography, {g}::geography, {}::float8, false)",
                            bind(SqlParam::Float(*d))
                        );
                        // A box in degrees surely holding every point within `d` metres,
                        // so the geometry index can be used; none near the poles or the
                        // antimeridian.
                        match dwithin_box(geometry, *d) {
                            Some((dx, dy)) => format!(
                                "(t.geom && ST_Expand({g}, {}::float8, {}::float8) AND {within})",
                                bind(SqlParam::Float(dx)),
                                bind(SqlParam::Float(dy))
                            ),
                            None => within,
                        }
                    }
                }
            }
            Expr::TIntersects {
                property,
                start,
                end,
            } => {
                // No cast that could fail: the string is taken apart with a regular
                // expression (ASCII digits only) and its instant computed with integer
                // arithmetic exactly as `parse_timestamp`/`parse_date` do; anything else
                // (not a string, not that shape, an impossible date) is unknown.
                let name = bind(SqlParam::Text(property.clone()));
                let pattern = bind(SqlParam::Text(
                    "^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\\.[0-9]+)?([Zz]|([+-])([0-9]{2}):([0-9]{2})))?$"
                        .to_owned(),
                ));
                let mut cond = vec!["true".to_owned()];
                if let Some(s) = start {
                    cond.push(format!(
                        "last_ms >= {}::float8",
                        bind(SqlParam::Float(*s as f64))
                    ));
                }
                if let Some(e) = end {
                    cond.push(format!(
                        "first_ms <= {}::float8",
                        bind(SqlParam::Float(*e as f64))
                    ));
                }
                format!(
                    "(SELECT CASE WHEN ok THEN ({cond}) END FROM (\
                       SELECT ok, instant, instant AS first_ms, \
                              CASE WHEN date_only THEN instant + 86399999 ELSE instant END AS last_ms FROM (\
                       SELECT y >= 1 AND m BETWEEN 1 AND 12 AND d >= 1 AND d <= (CASE WHEN m = 2 THEN \
                                (CASE WHEN (y % 4 = 0 AND y % 100 <> 0) OR y % 400 = 0 THEN 29 ELSE 28 END) \
                                WHEN m IN (4, 6, 9, 11) THEN 30 ELSE 31 END) \
                              AND hh <= 23 AND mi <= 59 AND ss <= 60 AS ok, date_only, \
                              ((y2 / 400) * 146097 + (y2 % 400) * 365 + (y2 % 400) / 4 - (y2 % 400) / 100 \
                               + (153 * (CASE WHEN m > 2 THEN m - 3 ELSE m + 9 END) + 2) / 5 + d - 1 - 719468) * 86400000 \
                               + (hh * 3600 + mi * 60 + ss - off_min * 60) * 1000 + ms AS instant FROM (\
                       SELECT r[1]::bigint AS y, r[1]::bigint - (CASE WHEN r[2]::int <= 2 THEN 1 ELSE 0 END) AS y2, \
                              r[2]::bigint AS m, r[3]::bigint AS d, \
                              coalesce(r[4]::bigint, 0) AS hh, coalesce(r[5]::bigint, 0) AS mi, coalesce(r[6]::bigint, 0) AS ss, \
                              coalesce(rpad(substr(r[7], 2, 3), 3, '0')::bigint, 0) AS ms, \
                              coalesce((r[10]::bigint * 60 + r[11]::bigint) * (CASE WHEN r[9] = '-' THEN -1 ELSE 1 END), 0) AS off_min, \
                              r[4] IS NULL AS date_only FROM (\
                       SELECT regexp_match(CASE WHEN jsonb_typeof(t.properties -> {name}) = 'string' \
                              THEN t.properties ->> {name} END, {pattern}::text) AS r) x WHERE r IS NOT NULL) p) q) z)",
                    cond = cond.join(" AND ")
                )
            }
        }
    }
}

fn value_literal(v: &Value) -> Option<Literal> {
    match v {
        Value::String(s) => Some(Literal::Str(s.clone())),
        Value::Number(n) => n.as_f64().map(Literal::Num),
        Value::Bool(b) => Some(Literal::Bool(*b)),
        _ => None,
    }
}

fn literal_cmp(a: &Literal, b: &Literal) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Literal::Num(x), Literal::Num(y)) => x.partial_cmp(y),
        (Literal::Str(x), Literal::Str(y)) => Some(x.cmp(y)),
        (Literal::Bool(x), Literal::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn cmp_holds(op: CmpOp, o: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    match op {
        CmpOp::Eq => o == Equal,
        CmpOp::Ne => o != Equal,
        CmpOp::Lt => o == Less,
        CmpOp::Gt => o == Greater,
        CmpOp::Le => o != Greater,
        CmpOp::Ge => o != Less,
    }
}

/// `%` any run, `_` one character, `\` escapes the next character.
fn like_matches(s: &str, pattern: &str) -> bool {
    #[derive(Clone, Copy, PartialEq)]
    enum P {
        Any,
        One,
        Char(char),
    }
    let mut pat = Vec::new();
    let mut it = pattern.chars();
    while let Some(c) = it.next() {
        pat.push(match c {
            '%' => P::Any,
            '_' => P::One,
            '\\' => P::Char(it.next().unwrap_or('\\')),
            c => P::Char(c),
        });
    }
    let s: Vec<char> = s.chars().collect();
    // Iterative wildcard matching with backtracking to the last `%`.
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        match pat.get(j) {
            Some(P::Any) => {
                star = Some((j, i));
                j += 1;
            }
            Some(P::One) => {
                i += 1;
                j += 1;
            }
            Some(P::Char(c)) if *c == s[i] => {
                i += 1;
                j += 1;
            }
            _ => match star {
                Some((sj, si)) => {
                    j = sj + 1;
                    i = si + 1;
                    star = Some((sj, si + 1));
                }
                None => return false,
            },
        }
    }
    pat[j..].iter().all(|p| *p == P::Any)
}

/// Distance in metres between two lon/lat geometries on the mean-radius sphere: exact
/// (haversine) between points; otherwise both projected to a local equirectangular
/// plane at the literal's latitude (close over the distances a filter asks about).
fn distance_m(a: &Geometry<f64>, b: &Geometry<f64>) -> f64 {
    use geo::BoundingRect;
    if let (Geometry::Point(p), Geometry::Point(q)) = (a, b) {
        // Two points: the great-circle distance on the sphere PostGIS uses with
        // `use_spheroid = false`.
        return geo::Haversine.distance(*p, *q);
    }
    let lat0 = b
        .bounding_rect()
        .map(|r| r.center().y)
        .unwrap_or(0.0)
        .to_radians();
    const R: f64 = 6_371_008.8;
    let k = lat0.cos();
    let project = |c: Coord<f64>| Coord {
        x: c.x.to_radians() * R * k,
        y: c.y.to_radians() * R,
    };
    let (pa, pb) = (a.map_coords(project), b.map_coords(project));
    Euclidean.distance(&pa, &pb)
}

/// Degrees of longitude and latitude that surely cover `d` metres around `g` (a metre
/// of latitude or of a parallel is never shorter than on a sphere of 6,300 km), or
/// `None` where such a box would reach a pole or the antimeridian.
fn dwithin_box(g: &Geometry<f64>, d: f64) -> Option<(f64, f64)> {
    use geo::BoundingRect;
    let r = g.bounding_rect()?;
    let per_degree = 6_300_000.0_f64.to_radians();
    let dy = d / per_degree * 1.01 + 1e-9;
    let lat = r.min().y.abs().max(r.max().y.abs()) + dy;
    if lat >= 85.0 {
        return None;
    }
    let dx = dy / lat.to_radians().cos();
    (r.min().x - dx > -180.0 && r.max().x + dx < 180.0).then_some((dx, dy))
}

/// WKT of a filter geometry (for `ST_GeomFromText`).
fn wkt(g: &Geometry<f64>) -> String {
    fn coords(out: &mut String, cs: impl Iterator<Item = Coord<f64>>) {
        out.push('(');
        for (i, c) in cs.enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{} {}", c.x, c.y);
        }
        out.push(')');
    }
    fn polygon(out: &mut String, p: &Polygon<f64>) {
        out.push('(');
        coords(out, p.exterior().coords().copied());
        for r in p.interiors() {
            out.push(',');
            coords(out, r.coords().copied());
        }
        out.push(')');
    }
    let mut out = String::new();
    match g {
        Geometry::Point(p) => {
            out.push_str("POINT");
            coords(&mut out, std::iter::once(p.0));
        }
        Geometry::LineString(l) => {
            out.push_str("LINESTRING");
            coords(&mut out, l.coords().copied());
        }
        Geometry::Polygon(p) => {
            out.push_str("POLYGON");
            polygon(&mut out, p);
        }
        Geometry::MultiPoint(m) => {
            out.push_str("MULTIPOINT");
            coords(&mut out, m.iter().map(|p| p.0));
        }
        Geometry::MultiLineString(m) => {
            out.push_str("MULTILINESTRING(");
            for (i, l) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                coords(&mut out, l.coords().copied());
            }
            out.push(')');
        }
        Geometry::MultiPolygon(m) => {
            out.push_str("MULTIPOLYGON(");
            for (i, p) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                polygon(&mut out, p);
            }
            out.push(')');
        }
        // The parsers make no other kinds.
        _ => out.push_str("GEOMETRYCOLLECTION EMPTY"),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn props(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    fn m(filter: &str, p: Value) -> bool {
        let e = parse_text(filter).unwrap_or_else(|e| panic!("{filter}: {e}"));
        e.matches(&props(p), &Geometry::Point(geo::Point::new(121.95, 29.2)))
    }

    #[test]
    fn precedence_and_parentheses() {
        let a = parse_text("a = 1 OR b = 2 AND c = 3").unwrap();
        let Expr::Or(v) = &a else { panic!("{a:?}") };
        assert!(matches!(v[1], Expr::And(_)));
        let b = parse_text("(a = 1 OR b = 2) AND c = 3").unwrap();
        assert!(matches!(b, Expr::And(_)));
        let c = parse_text("NOT a = 1 AND b = 2").unwrap();
        let Expr::And(v) = &c else { panic!("{c:?}") };
        assert!(matches!(v[0], Expr::Not(_)));
        assert!(m("x = 1 OR x = 2 AND y = 3", json!({"x": 1, "y": 0})));
        assert!(!m("(x = 1 OR x = 2) AND y = 3", json!({"x": 1, "y": 0})));
    }

    #[test]
    fn quotes_numbers_and_keywords() {
        let e = parse_text("name = 'O''Brien''s' AND \"weird name\" >= -1.5e2").unwrap();
        assert_eq!(
            e.properties(),
            vec!["name", "weird name"],
            "double-quoted identifiers are properties"
        );
        assert!(m("name = 'O''Brien''s'", json!({"name": "O'Brien's"})));
        assert!(m("n >= -1.5e2 and n < .5", json!({"n": -150})));
        assert!(m("n = 10", json!({"n": 10.0})));
        assert!(m("n > 9", json!({"n": 10})), "numbers compare numerically");
        assert!(!m("s > 'b'", json!({"s": "B"})), "strings by code point");
        assert!(m(
            "kind = 'pier' aNd idle = TRUE",
            json!({"kind": "pier", "idle": true})
        ));
    }

    #[test]
    fn like_in_between_null() {
        let p = json!({"s": "Shipu 12_a", "n": 3, "z": null});
        assert!(m("s LIKE 'Shipu%'", p.clone()));
        assert!(m("s LIKE 'Shipu __\\_a'", p.clone()));
        assert!(!m("s LIKE 'shipu%'", p.clone()));
        assert!(m("s NOT LIKE 'X%'", p.clone()));
        assert!(m("n IN (1, 2, 3)", p.clone()));
        assert!(m("n NOT IN (4)", p.clone()));
        assert!(m("n BETWEEN 2 AND 4", p.clone()));
        assert!(!m("n NOT BETWEEN 2 AND 4", p.clone()));
        assert!(m(
            "z IS NULL AND missing IS NULL AND n IS NOT NULL",
            p.clone()
        ));
        // Unknown (null, missing, other type) matches neither way.
        assert!(!m("z = 1", p.clone()));
        assert!(!m("NOT (z = 1)", p.clone()));
        assert!(!m("NOT (s = 1)", p.clone()));
        assert!(m("z = 1 OR n = 3", p));
    }

    #[test]
    fn wkt_and_spatial() {
        assert!(m(
            "S_INTERSECTS(geometry, BBOX(121.9,29.1,122.0,29.3))",
            json!({})
        ));
        assert!(m(
            "S_WITHIN(geometry, POLYGON((121 29, 123 29, 123 30, 121 30, 121 29)))",
            json!({})
        ));
        assert!(!m("S_INTERSECTS(geometry, POINT(0 0))", json!({})));
        assert!(m(
            "S_INTERSECTS(geometry, MULTIPOINT((121.95 29.2), (0 0)))",
            json!({})
        ));
        assert!(m(
            "S_INTERSECTS(geometry, LINESTRING(121.9 29.2, 122 29.2))",
            json!({})
        ));
        // 0.01° of latitude is about 1,112 m.
        assert!(m(
            "S_DWITHIN(geometry, POINT(121.95 29.21), 1200)",
            json!({})
        ));
        assert!(!m(
            "S_DWITHIN(geometry, POINT(121.95 29.21), 1000)",
            json!({})
        ));
        let e = parse_text("S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1, 0 0)))").unwrap();
        let mut params = Vec::new();
        let sql = e.to_sql(&mut |p| {
            params.push(p);
            format!("${}", params.len())
        });
        assert_eq!(
            sql,
            "ST_Intersects(t.geom, ST_GeomFromText($1::text, 4326))"
        );
        assert_eq!(
            params,
            vec![SqlParam::Text("POLYGON((0 0,1 0,1 1,0 0))".into())]
        );
    }

    #[test]
    fn temporal() {
        let p = json!({"t": "2024-05-01T08:00:00+08:00", "d": "2024-05-01"});
        assert!(m(
            "T_INTERSECTS(t, TIMESTAMP('2024-05-01T00:00:00Z'))",
            p.clone()
        ));
        assert!(m("T_INTERSECTS(t, DATE('2024-05-01'))", p.clone()));
        assert!(m(
            "T_INTERSECTS(d, INTERVAL('2024-04-30T12:00:00Z', '..'))",
            p.clone()
        ));
        assert!(!m(
            "T_INTERSECTS(t, INTERVAL('..', '2024-04-30'))",
            p.clone()
        ));
        assert!(parse_text("T_INTERSECTS(t, DATE('2024-02-30'))").is_err());
    }

    #[test]
    fn json_equals_text() {
        let j = r#"{"op":"and","args":[{"op":"=","args":[{"property":"kind"},"pier"]},
                   {"op":"not","args":[{"op":"like","args":[{"property":"s"},"X%"]}]},
                   {"op":"in","args":[{"property":"n"},[1,2]]},
                   {"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[121,29,122,30]}]},
                   {"op":"isNull","args":[{"property":"z"}]}]}"#;
        let t = "kind = 'pier' AND NOT (s LIKE 'X%') AND n IN (1, 2) \
                 AND S_INTERSECTS(geometry, BBOX(121,29,122,30)) AND z IS NULL";
        assert_eq!(parse_json(j).unwrap(), parse_text(t).unwrap());
    }

    #[test]
    fn errors_name_position_and_expectation() {
        let e = parse_text("name_en = ").unwrap_err();
        assert!(
            e.contains("at character 11") && e.contains("expected a property or a literal"),
            "{e}"
        );
        let e = parse_text("name_en == 'x'").unwrap_err();
        assert!(e.contains("at character 10"), "{e}");
        let e = parse_text("name_en = 'x'; DROP TABLE layers; --'").unwrap_err();
        assert!(e.contains("unexpected character ';'"), "{e}");
        let e = parse_text("a = 'unclosed").unwrap_err();
        assert!(e.contains("never closed"), "{e}");
        let deep = format!("{}a = 1{}", "(".repeat(60), ")".repeat(60));
        assert!(parse_text(&deep).unwrap_err().contains("deeper than 50"));
        let nots = format!("{}a = 1", "NOT ".repeat(60));
        assert!(parse_text(&nots).unwrap_err().contains("deeper than 50"));
        assert!(parse(&"a".repeat(20_000), None)
            .unwrap_err()
            .contains("20000 characters"));
        assert!(parse_json("{\"op\":\"=\",\"args\":[1]}")
            .unwrap_err()
            .contains("takes 2"));
        // `1=1` is a constant, harmless.
        assert_eq!(
            parse_text("name_en = 'a' OR 1=1").unwrap(),
            Expr::Or(vec![
                Expr::Cmp {
                    property: "name_en".into(),
                    op: CmpOp::Eq,
                    value: Literal::Str("a".into())
                },
                Expr::Bool(true)
            ])
        );
    }
}
