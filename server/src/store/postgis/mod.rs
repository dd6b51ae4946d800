//! The PostGIS store: the system of record that many server instances share.
//!
//! Tiles are built in Rust from rows fetched per tile (WKB parts intersecting the tile),
//! with the same tile engine as the embedded store, so both stores give the same tiles
//! for the same data; `docs/benchmarks.md` has the measurement against `ST_AsMVT`.
//! Every identifier in SQL comes from [`Storage`], a fixed list; layer ids and property
//! names are only ever bound as parameters or stored as data.

pub mod notify;
mod tides;
mod typed_record;
mod write;

pub use tides::{load_tide_predictors, store_tide_constants, store_tide_table};
pub use write::{replace_layer, ImportSummary};

use super::{encode_feature, LayerInfo, LayerSource, SourceError};
use crate::catalog::SharedSource;
use crate::layers::{LayerDef, Title};
use crate::ogc::cql2::{Expr, ItemsFilter, SqlParam};
use crate::ogc::datetime::TimeRange;
use crate::ogc::{compare_by_keys, ItemsPage, ItemsQuery};
use geo::{Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use geozero::wkb::Wkb;
use geozero::ToGeo;
use serde_json::{Map, Value};
use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};
use sqlx::{AssertSqlSafe, Row};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tidewatch_importers::Feature;
use tidewatch_tiles::{
    GeometryKind, LayerEncoder, PropertyValue, Shape, TileBytes, TileId, BUFFER,
};
use typed_record::{RecordValues, TileRecord};

/// A typed asset row's properties: its columns and what the import kept in `extra`, as
/// the table's trigger-kept `properties` column holds them.
const TYPED_PROPERTIES: &str = "t.properties";

/// Where a layer's features live: the general table or one of the typed asset tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    Features,
    Piers,
    Barriers,
    Cameras,
    Radars,
    TideStations,
}

impl Storage {
    pub const ALL: [Storage; 6] = [
        Storage::Features,
        Storage::Piers,
        Storage::Barriers,
        Storage::Cameras,
        Storage::Radars,
        Storage::TideStations,
    ];

    pub fn table(self) -> &'static str {
        match self {
            Storage::Features => "features",
            Storage::Piers => "piers",
            Storage::Barriers => "barriers",
            Storage::Cameras => "cameras",
            Storage::Radars => "radars",
            Storage::TideStations => "tide_stations",
        }
    }

    /// Accepts the table name or the singular asset kind (`pier`, `camera`, …).
    pub fn parse(s: &str) -> Option<Storage> {
        Storage::ALL.into_iter().find(|st| {
            let t = st.table();
            s == t || Some(s) == t.strip_suffix('s')
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot connect to PostGIS at {url}: {source}")]
    Connect {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("PostGIS: {0}")]
    Query(#[from] sqlx::Error),
    #[error("layer {layer}: {reason}")]
    Layer { layer: String, reason: String },
    #[error("the database schema is missing or older than this tidewatch: run `tidewatch migrate` (or serve with --migrate)")]
    NotMigrated,
}

/// A connection pool to one PostGIS database.
#[derive(Clone)]
pub struct PostgisStore {
    pool: PgPool,
    /// Distinguishes stores, so only layers of the same database are drawn in one query.
    id: usize,
    /// For the connections that live outside the pool (listening, the writer's lock).
    url: Arc<str>,
}

/// Connections a store opens by default: two per core. Tiles are CPU work on both sides,
/// and with more PostgreSQL backends than that competing for the cores, the server's own
/// threads get them less predictably: on two cores, 8 connections gave a tile p99 of
/// 15–19 ms and 4 gave 13–15 ms at the same throughput (docs/benchmarks.md).
pub fn default_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (2 * cores).clamp(2, 64) as u32
}

impl PostgisStore {
    /// Connects with [`default_pool_size`] connections at most.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_pooled(url, default_pool_size()).await
    }

    /// Connects with at most `pool_size` connections, failing within a few seconds with
    /// the reason when the database is down.
    pub async fn connect_pooled(url: &str, pool_size: u32) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(pool_size.max(1))
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await
            .map_err(|source| StoreError::Connect {
                url: redact_password(url),
                source,
            })?;
        static NEXT_ID: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);
        let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(PostgisStore {
            pool,
            id,
            url: url.into(),
        })
    }

    /// Applies the migrations in `migrations/` that have not run yet.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("../migrations").run(&self.pool).await?;
        Ok(())
    }

    /// Fails with [`StoreError::NotMigrated`] unless every migration this binary carries
    /// has been applied (a server must not run against an older schema).
    pub async fn check_schema(&self) -> Result<(), StoreError> {
        let needed = sqlx::migrate!("../migrations")
            .iter()
            .map(|m| m.version)
            .max()
            .unwrap_or(0);
        let migrated: bool =
            sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
                .fetch_one(&self.pool)
                .await?;
        let applied: Option<i64> = if migrated {
            sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await?
        } else {
            None
        };
        if applied.unwrap_or(0) >= needed {
            Ok(())
        } else {
            Err(StoreError::NotMigrated)
        }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The URL this store connected with.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Every layer in the registry, in id order, as tile sources.
    pub async fn layers(&self) -> Result<Vec<SharedSource>, StoreError> {
        let columns = self.typed_columns().await?;
        self.registry_rows()
            .await?
            .iter()
            .map(|row| {
                Ok(Arc::new(PostgisLayer::from_row(
                    row,
                    &columns,
                    self.pool.clone(),
                    self.id,
                )?) as SharedSource)
            })
            .collect()
    }

    /// The typed asset tables' columns (name, type), by table name.
    async fn typed_columns(&self) -> Result<BTreeMap<String, Vec<(String, String)>>, StoreError> {
        let tables: Vec<&str> = Storage::ALL
            .iter()
            .filter(|s| **s != Storage::Features)
            .map(|s| s.table())
            .collect();
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT c.relname::text, a.attname::text, ty.typname::text
             FROM pg_attribute a
             JOIN pg_class c ON c.oid = a.attrelid
             JOIN pg_type ty ON ty.oid = a.atttypid
             WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY($1)
               AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY c.relname, a.attnum",
        )
        .bind(&tables)
        .fetch_all(&self.pool)
        .await?;
        let mut by_table: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for (table, column, type_name) in rows {
            by_table.entry(table).or_default().push((column, type_name));
        }
        Ok(by_table)
    }

    /// Every layer definition in the registry, in id order.
    pub async fn layer_defs(&self) -> Result<Vec<LayerDef>, StoreError> {
        self.registry_rows()
            .await?
            .iter()
            .map(|row| def_from_row(row).map(|(def, _)| def))
            .collect()
    }

    async fn registry_rows(&self) -> Result<Vec<PgRow>, StoreError> {
        Ok(sqlx::query(
            "SELECT id, title_zh, title_en, description, geometry_kind, minzoom, maxzoom,
                    tile_properties, simplify_px, simplify_px_by_zoom, max_points_per_tile,
                    attribution, storage, feature_count, bounds, fields, thinned_up_to_zoom,
                    coalesce(source_file, '') AS source_file, time_property
             FROM layers ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?)
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`, for messages.
fn redact_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &creds[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// One layer stored in PostGIS.
pub struct PostgisLayer {
    info: LayerInfo,
    def: LayerDef,
    storage: Storage,
    pool: PgPool,
    store_id: usize,
    features_sql: String,
    /// Typed layers with a property list: the columns tiles read (see `typed_record`).
    tile_record: Option<TileRecord>,
}

impl PostgisLayer {
    fn from_row(
        row: &PgRow,
        typed_columns: &BTreeMap<String, Vec<(String, String)>>,
        pool: PgPool,
        store_id: usize,
    ) -> Result<Self, StoreError> {
        let (def, storage) = def_from_row(row)?;
        let id = def.id.clone();
        let bad = |reason: String| StoreError::Layer {
            layer: id.clone(),
            reason,
        };
        let fields: Value = row.try_get("fields")?;
        let bounds: Option<Vec<f64>> = row.try_get("bounds")?;
        let info = LayerInfo::of(
            &def,
            Some(row.try_get::<i64, _>("feature_count")? as usize),
            match bounds.as_deref() {
                Some(&[w, s, e, n]) => [w, s, e, n],
                _ => [-180.0, -85.0511, 180.0, 85.0511],
            },
            serde_json::from_value::<BTreeMap<String, String>>(fields)
                .map_err(|e| bad(e.to_string()))?,
            row.try_get::<Option<i16>, _>("thinned_up_to_zoom")?
                .map(|z| z as u8),
        );
        let features_sql = match storage {
            Storage::Features => "SELECT id, ST_AsBinary(geom) AS wkb, properties FROM features
                 WHERE geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)
                   AND ST_Intersects(geom, ST_MakeEnvelope($1, $2, $3, $4, 4326))
                   AND layer_id = $5
                 ORDER BY id LIMIT $6"
                .to_owned(),
            typed => format!(
                "SELECT t.id, ST_AsBinary(t.geom) AS wkb, {TYPED_PROPERTIES} AS properties
                 FROM {} t WHERE t.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)
                   AND ST_Intersects(t.geom, ST_MakeEnvelope($1, $2, $3, $4, 4326))
                 ORDER BY t.id LIMIT $5",
                typed.table()
            ),
        };
        let tile_record = match (storage, &def.properties) {
            (Storage::Features, _) | (_, None) => None,
            (typed, Some(keys)) => typed_columns
                .get(typed.table())
                .map(|columns| TileRecord::plan(keys, columns)),
        };
        Ok(PostgisLayer {
            info,
            def,
            storage,
            pool,
            store_id,
            features_sql,
            tile_record,
        })
    }

    fn unavailable(&self, e: impl std::fmt::Display) -> SourceError {
        SourceError::Unavailable {
            layer: self.info.id.clone(),
            reason: format!("PostGIS: {e}"),
        }
    }

    async fn fetch(
        &self,
        sql: &str,
        bbox: [f64; 4],
        limit: Option<i64>,
    ) -> Result<Vec<PgRow>, SourceError> {
        let [w, s, e, n] = bbox;
        let mut q = sqlx::query(AssertSqlSafe(sql.to_owned()))
            .bind(w)
            .bind(s)
            .bind(e)
            .bind(n);
        if self.storage == Storage::Features {
            q = q.bind(&self.info.id);
        }
        if let Some(limit) = limit {
            q = q.bind(limit);
        }
        q.fetch_all(&self.pool)
            .await
            .map_err(|e| self.unavailable(e))
    }

    /// Rows of (id, WKB, properties) grouped into features, parts in order.
    fn features_from_rows<'r>(
        &self,
        rows: impl IntoIterator<Item = &'r PgRow>,
    ) -> Result<Vec<Feature>, SourceError> {
        let mut features: Vec<Feature> = Vec::new();
        let mut parts: Vec<Geometry<f64>> = Vec::new();
        for row in rows {
            let id = row
                .try_get::<i64, _>("id")
                .map_err(|e| self.unavailable(e))? as u64;
            let geometry = self.row_geometry(row, id)?;
            if features.last().is_some_and(|f| f.id == id) {
                parts.push(geometry);
                continue;
            }
            if let Some(last) = features.last_mut() {
                last.geometry = assemble(self.info.geometry, std::mem::take(&mut parts));
            }
            let properties = self.row_properties(row)?;
            parts.push(geometry);
            // The geometry is assembled from all parts once the next feature starts.
            let pending = Geometry::GeometryCollection(Default::default());
            features.push(Feature {
                id,
                geometry: pending,
                properties,
            });
        }
        if let Some(last) = features.last_mut() {
            last.geometry = assemble(self.info.geometry, parts);
        }
        Ok(features)
    }

    /// A row's `wkb` column as a geometry.
    fn row_geometry(&self, row: &PgRow, id: u64) -> Result<Geometry<f64>, SourceError> {
        let wkb: &[u8] = row.try_get("wkb").map_err(|e| self.unavailable(e))?;
        if let Some(point) = wkb_point(wkb) {
            return Ok(Geometry::Point(point));
        }
        Wkb(wkb)
            .to_geo()
            .map_err(|e| self.unavailable(format!("feature {id}: {e}")))
    }

    /// A row's `properties` column as a JSON object (empty when NULL or not an object).
    fn row_properties(&self, row: &PgRow) -> Result<Map<String, Value>, SourceError> {
        match row
            .try_get::<Option<Value>, _>("properties")
            .map_err(|e| self.unavailable(e))?
        {
            Some(Value::Object(map)) => Ok(map),
            _ => Ok(Map::new()),
        }
    }

    async fn cluster_tile(&self, tile: TileId) -> Result<TileBytes, SourceError> {
        let [w, s, e, n] = tile.lonlat_bounds(BUFFER);
        let rows = sqlx::query(
            "SELECT c.point_count, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat, c.first_id, f.properties
             FROM feature_clusters c
             LEFT JOIN features f ON c.point_count = 1 AND f.layer_id = c.layer_id AND f.id = c.first_id
             WHERE c.layer_id = $1 AND c.zoom = $2 AND c.geom && ST_MakeEnvelope($3, $4, $5, $6, 4326)
             ORDER BY c.cell",
        )
        .bind(&self.info.id)
        .bind(tile.z as i16)
        .bind(w)
        .bind(s)
        .bind(e)
        .bind(n)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.unavailable(e))?;
        let mut enc = LayerEncoder::new(&self.info.id, tile);
        for row in &rows {
            let get = |e: sqlx::Error| self.unavailable(e);
            let count: i32 = row.try_get("point_count").map_err(get)?;
            let (lon, lat): (f64, f64) = (
                row.try_get("lon").map_err(get)?,
                row.try_get("lat").map_err(get)?,
            );
            let shape = Shape::from_geometry(&Geometry::Point(Point::new(lon, lat)))
                .expect("a point is a shape");
            if count == 1 {
                let id: i64 = row.try_get("first_id").map_err(get)?;
                let props = match row.try_get::<Option<Value>, _>("properties").map_err(get)? {
                    Some(Value::Object(map)) => map,
                    _ => Map::new(),
                };
                encode_feature(
                    &mut enc,
                    id as u64,
                    &shape,
                    None,
                    &props,
                    self.def.properties.as_deref(),
                );
            } else {
                enc.add(
                    None,
                    &shape,
                    [("point_count", PropertyValue::Int(count.into()))],
                );
            }
        }
        Ok(enc.finish())
    }
}

/// A bound query parameter of an items query.
enum Arg {
    Text(String),
    Float(f64),
    Int(i64),
    Ints(Vec<i64>),
    Bool(bool),
}

/// SQL text built from fixed fragments, with every value bound as a parameter.
#[derive(Default)]
struct Bound {
    args: Vec<Arg>,
}

impl Bound {
    /// Adds a parameter and returns its placeholder (`$n`).
    fn arg(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }

    async fn fetch(self, sql: String, pool: &PgPool) -> Result<Vec<PgRow>, sqlx::Error> {
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for a in self.args {
            q = match a {
                Arg::Text(v) => q.bind(v),
                Arg::Float(v) => q.bind(v),
                Arg::Int(v) => q.bind(v),
                Arg::Ints(v) => q.bind(v),
                Arg::Bool(v) => q.bind(v),
            };
        }
        q.fetch_all(pool).await
    }
}

impl PostgisLayer {
    /// `FROM <table> t WHERE …`: this layer's rows, intersecting `bbox` and matching the
    /// CQL2 `filter` when given. The table name comes from [`Storage`]; the layer id, box
    /// and every name and value of the filter are parameters.
    fn items_scope(
        &self,
        b: &mut Bound,
        bbox: Option<[f64; 4]>,
        filter: Option<&ItemsFilter>,
        datetime: Option<&TimeRange>,
    ) -> String {
        let mut sql = format!("FROM {} t WHERE true", self.storage.table());
        if self.storage == Storage::Features {
            sql += &format!(
                " AND t.layer_id = {}",
                b.arg(Arg::Text(self.info.id.clone()))
            );
        }
        if let Some(bbox) = bbox {
            let [w, s, e, n] = bbox.map(|v| b.arg(Arg::Float(v)));
            let env = format!("ST_MakeEnvelope({w}, {s}, {e}, {n}, 4326)");
            sql += &format!(" AND t.geom && {env}");
            // A point's bounding box is the point: `&&` is already exact, and skipping
            // the ST_Intersects recheck saves a geometry test per matching row.
            if self.info.geometry != GeometryKind::Point {
                sql += &format!(" AND ST_Intersects(t.geom, {env})");
            }
        }
        if let Some(f) = filter {
            let cond = f.expr.to_sql(&mut |p| {
                b.arg(match p {
                    SqlParam::Text(v) => Arg::Text(v),
                    SqlParam::Float(v) => Arg::Float(v),
                    SqlParam::Bool(v) => Arg::Bool(v),
                })
            });
            // Unknown (NULL) does not match.
            sql += &format!(" AND ({cond}) IS TRUE");
        }
        if let Some(range) = datetime {
            // The same test as a CQL2 T_INTERSECTS on the layer's time property; a layer
            // without one has no feature in any time range (as in the embedded store).
            match &self.info.time_property {
                Some(property) => {
                    let during = Expr::TIntersects {
                        property: property.clone(),
                        start: range.start,
                        end: range.end,
                    };
                    let cond = during.to_sql(&mut |p| {
                        b.arg(match p {
                            SqlParam::Text(v) => Arg::Text(v),
                            SqlParam::Float(v) => Arg::Float(v),
                            SqlParam::Bool(v) => Arg::Bool(v),
                        })
                    });
                    sql += &format!(" AND ({cond}) IS TRUE");
                }
                None => sql += " AND false",
            }
        }
        sql
    }

    /// The features of these ids, in the order given.
    async fn features_by_id(&self, ids: &[i64]) -> Result<Vec<Feature>, SourceError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut b = Bound::default();
        let scope = self.items_scope(&mut b, None, None, None);
        let list = b.arg(Arg::Ints(ids.to_vec()));
        let sql = format!(
            "SELECT t.id, ST_AsBinary(t.geom) AS wkb, t.properties AS properties {scope}
             AND t.id = ANY({list}) ORDER BY t.id"
        );
        let rows = b
            .fetch(sql, &self.pool)
            .await
            .map_err(|e| self.unavailable(e))?;
        let mut found: BTreeMap<u64, Feature> = self
            .features_from_rows(&rows)?
            .into_iter()
            .map(|f| (f.id, f))
            .collect();
        Ok(ids
            .iter()
            .filter_map(|id| found.remove(&(*id as u64)))
            .collect())
    }

    async fn count(&self, query: &ItemsQuery) -> Result<usize, SourceError> {
        let mut b = Bound::default();
        let scope = self.items_scope(
            &mut b,
            query.bbox,
            query.filter.as_ref(),
            query.datetime.as_ref(),
        );
        let sql = format!("SELECT count(*) AS n {scope}");
        let rows = b
            .fetch(sql, &self.pool)
            .await
            .map_err(|e| self.unavailable(e))?;
        let n: i64 = rows[0].try_get("n").map_err(|e| self.unavailable(e))?;
        Ok(n as usize)
    }

    /// Ordered by id: one query, the page and the total (`count(*) OVER ()`).
    async fn items_by_id(&self, query: &ItemsQuery) -> Result<ItemsPage, SourceError> {
        let mut b = Bound::default();
        let scope = self.items_scope(
            &mut b,
            query.bbox,
            query.filter.as_ref(),
            query.datetime.as_ref(),
        );
        let limit = b.arg(Arg::Int(query.limit.min(i64::MAX as usize) as i64));
        let offset = b.arg(Arg::Int(query.offset.min(i64::MAX as usize) as i64));
        let sql = format!(
            "SELECT t.id, ST_AsBinary(t.geom) AS wkb, t.properties AS properties,
                    count(*) OVER () AS matched
             {scope} ORDER BY t.id LIMIT {limit} OFFSET {offset}"
        );
        let rows = b
            .fetch(sql, &self.pool)
            .await
            .map_err(|e| self.unavailable(e))?;
        let number_matched = match rows.first() {
            Some(row) => row
                .try_get::<i64, _>("matched")
                .map_err(|e| self.unavailable(e))? as usize,
            // Past the end, or nothing matches: the window gave no row to count with.
            None if query.offset > 0 => self.count(query).await?,
            None => 0,
        };
        Ok(ItemsPage {
            features: self.features_from_rows(&rows)?,
            number_matched,
        })
    }

    /// Ordered by properties: the ids and sort values of every match (each property name
    /// a bound parameter, `t.properties -> $n`), ordered in Rust exactly as the embedded
    /// store orders them (numbers numerically, strings by code point, nulls last, then id),
    /// then the page's features by id.
    async fn items_sorted(&self, query: &ItemsQuery) -> Result<ItemsPage, SourceError> {
        let mut b = Bound::default();
        let values: Vec<String> = query
            .sortby
            .iter()
            .enumerate()
            .map(|(i, k)| {
                format!(
                    "t.properties -> {} AS s{i}",
                    b.arg(Arg::Text(k.property.clone()))
                )
            })
            .collect();
        let scope = self.items_scope(
            &mut b,
            query.bbox,
            query.filter.as_ref(),
            query.datetime.as_ref(),
        );
        let sql = format!("SELECT t.id, {} {scope}", values.join(", "));
        let rows = b
            .fetch(sql, &self.pool)
            .await
            .map_err(|e| self.unavailable(e))?;
        let mut keyed = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = row.try_get("id").map_err(|e| self.unavailable(e))?;
            let mut vals = Vec::with_capacity(query.sortby.len());
            for i in 0..query.sortby.len() {
                vals.push(
                    row.try_get::<Option<Value>, _>(i + 1)
                        .map_err(|e| self.unavailable(e))?,
                );
            }
            keyed.push((id, vals));
        }
        keyed.sort_by(|(a, va), (b, vb)| {
            compare_by_keys(&query.sortby, (*a as u64, va), (*b as u64, vb))
        });
        let page: Vec<i64> = keyed
            .iter()
            .skip(query.offset)
            .take(query.limit)
            .map(|(id, _)| *id)
            .collect();
        Ok(ItemsPage {
            features: self.features_by_id(&page).await?,
            number_matched: keyed.len(),
        })
    }
}

/// The layer definition and storage a registry row describes.
fn def_from_row(row: &PgRow) -> Result<(LayerDef, Storage), StoreError> {
    let id: String = row.try_get("id")?;
    let bad = |reason: String| StoreError::Layer {
        layer: id.clone(),
        reason,
    };
    let kind: String = row.try_get("geometry_kind")?;
    let geometry = match kind.as_str() {
        "point" => GeometryKind::Point,
        "line" => GeometryKind::Line,
        "polygon" => GeometryKind::Polygon,
        other => return Err(bad(format!("unknown geometry kind {other:?}"))),
    };
    let storage_name: String = row.try_get("storage")?;
    let storage = Storage::parse(&storage_name)
        .ok_or_else(|| bad(format!("unknown storage {storage_name:?}")))?;
    let by_zoom: Value = row.try_get("simplify_px_by_zoom")?;
    let def = LayerDef {
        id: id.clone(),
        title: Title {
            zh: row.try_get("title_zh")?,
            en: row.try_get("title_en")?,
        },
        description: row.try_get("description")?,
        geometry,
        file: row.try_get::<String, _>("source_file")?.into(),
        minzoom: row.try_get::<i16, _>("minzoom")? as u8,
        maxzoom: row.try_get::<i16, _>("maxzoom")? as u8,
        properties: row.try_get("tile_properties")?,
        simplify_px: row.try_get("simplify_px")?,
        simplify_px_by_zoom: serde_json::from_value(by_zoom).map_err(|e| bad(e.to_string()))?,
        max_points_per_tile: row.try_get::<i32, _>("max_points_per_tile")? as usize,
        attribution: row.try_get("attribution")?,
        time_property: row.try_get("time_property")?,
    };
    Ok((def, storage))
}

impl PostgisLayer {
    /// This layer's part of the query for one tile: rows of (layer, id, part, wkb,
    /// properties, typed) intersecting the envelope $1–$4, where `properties` is the JSON
    /// object or `typed` the record of columns (`typed_record`); `layer_param` binds the
    /// layer id.
    fn tile_branch(&self, index: usize, layer_param: Option<usize>) -> String {
        match (self.storage, layer_param) {
            (Storage::Features, Some(param)) => format!(
                "SELECT {index} AS layer, p.feature_id AS id, p.part, ST_AsBinary(p.geom) AS wkb,
                        f.properties, NULL::record AS typed
                 FROM feature_parts p JOIN features f ON f.layer_id = p.layer_id AND f.id = p.feature_id
                 WHERE p.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326) AND p.layer_id = ${param}"
            ),
            (typed, _) => {
                let (properties, record) = match &self.tile_record {
                    Some(record) => ("NULL::jsonb", record.sql()),
                    None => (TYPED_PROPERTIES, "NULL::record"),
                };
                format!(
                    "SELECT {index} AS layer, t.id, 0 AS part, ST_AsBinary(t.geom) AS wkb,
                            {properties} AS properties, {record} AS typed
                     FROM {} t WHERE t.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)",
                    typed.table()
                )
            }
        }
    }

    /// Encodes this layer's rows of one tile; `group` holds ((layer, id, part), index
    /// into `rows`) sorted, so a feature's parts are neighbours.
    fn encode_rows(
        &self,
        tile: TileId,
        group: &[((i32, i64, i32), usize)],
        rows: &[PgRow],
    ) -> Result<TileBytes, SourceError> {
        let mut enc = LayerEncoder::new(&self.info.id, tile);
        let keys = self.def.properties.as_deref();
        let tolerance = self.def.simplify_at(tile.z);
        let mut values = RecordValues::default();
        for feature in group.chunk_by(|a, b| a.0 .1 == b.0 .1) {
            let id = feature[0].0 .1 as u64;
            let parts = feature
                .iter()
                .map(|&(_, i)| self.row_geometry(&rows[i], id))
                .collect::<Result<Vec<_>, _>>()?;
            let shape = Shape::from_geometry(&assemble(self.info.geometry, parts))
                .map_err(|e| self.unavailable(format!("feature {id}: {e}")))?
                .simplified_for_zoom(tile.z, self.info.maxzoom, tolerance);
            let row = &rows[feature[0].1];
            match &self.tile_record {
                Some(record) => {
                    let raw = row.try_get_raw("typed").map_err(|e| self.unavailable(e))?;
                    let bytes = raw.as_bytes().map_err(|e| self.unavailable(e))?;
                    record
                        .decode(bytes, &mut values)
                        .map_err(|e| self.unavailable(format!("feature {id}: {e}")))?;
                    enc.add(Some(id), &shape, record.properties(&values));
                }
                None => {
                    let properties = self.row_properties(row)?;
                    encode_feature(&mut enc, id, &shape, None, &properties, keys);
                }
            }
        }
        Ok(enc.finish())
    }
}

/// Draws several layers of one store for one tile with a single query (thinned zooms
/// come from the cluster table, one query each). A composite tile of eight layers costs
/// one round trip instead of eight.
async fn draw_together(
    layers: &[&PostgisLayer],
    tile: TileId,
) -> Result<Vec<TileBytes>, SourceError> {
    let mut out = vec![TileBytes::new(); layers.len()];
    let mut plain = Vec::new();
    for (i, layer) in layers.iter().enumerate() {
        if layer
            .info
            .thinned_up_to_zoom
            .is_some_and(|deepest| tile.z <= deepest)
        {
            out[i] = layer.cluster_tile(tile).await?;
        } else {
            plain.push(i);
        }
    }
    let Some(&first) = plain.first() else {
        return Ok(out);
    };
    let mut layer_ids = Vec::new();
    let branches: Vec<String> = plain
        .iter()
        .map(|&i| {
            let param = (layers[i].storage == Storage::Features).then(|| {
                layer_ids.push(layers[i].info.id.as_str());
                4 + layer_ids.len()
            });
            layers[i].tile_branch(i, param)
        })
        .collect();
    // No ORDER BY: PostgreSQL would sort every row of the tile, geometry blobs included
    // (spilling to disk for big low-zoom tiles); sorting the small keys here is cheaper.
    let sql = branches.join(" UNION ALL ");
    let [w, s, e, n] = tile.lonlat_bounds(BUFFER);
    let mut query = sqlx::query(AssertSqlSafe(sql))
        .bind(w)
        .bind(s)
        .bind(e)
        .bind(n);
    for id in layer_ids {
        query = query.bind(id);
    }
    let rows = query
        .fetch_all(&layers[first].pool)
        .await
        .map_err(|e| layers[first].unavailable(e))?;
    let key = |row: &PgRow| -> Result<(i32, i64, i32), sqlx::Error> {
        Ok((
            row.try_get("layer")?,
            row.try_get("id")?,
            row.try_get("part")?,
        ))
    };
    let mut order = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        order.push((key(row).map_err(|e| layers[first].unavailable(e))?, i));
    }
    order.sort_unstable();
    for group in order.chunk_by(|a, b| a.0 .0 == b.0 .0) {
        let index = group[0].0 .0 as usize;
        out[index] = layers[index].encode_rows(tile, group, &rows)?;
    }
    Ok(out)
}

/// A 2-D WKB point read directly (None for anything else, empty points included). Points
/// are most rows of the densest tiles, where the general reader's machinery costs more
/// than the point.
fn wkb_point(wkb: &[u8]) -> Option<Point<f64>> {
    let (&order, body) = wkb.split_first()?;
    if body.len() != 20 {
        return None;
    }
    let word = |i: usize, n: usize| -> &[u8] { &body[i..i + n] };
    let (kind, x, y) = match order {
        1 => (
            u32::from_le_bytes(word(0, 4).try_into().ok()?),
            f64::from_le_bytes(word(4, 8).try_into().ok()?),
            f64::from_le_bytes(word(12, 8).try_into().ok()?),
        ),
        0 => (
            u32::from_be_bytes(word(0, 4).try_into().ok()?),
            f64::from_be_bytes(word(4, 8).try_into().ok()?),
            f64::from_be_bytes(word(12, 8).try_into().ok()?),
        ),
        _ => return None,
    };
    (kind == 1 && !x.is_nan() && !y.is_nan()).then(|| Point::new(x, y))
}

/// One geometry from the parts of a multi-geometry (or the geometry itself).
fn assemble(kind: GeometryKind, mut parts: Vec<Geometry<f64>>) -> Geometry<f64> {
    if parts.len() == 1 {
        return parts.pop().expect("one part");
    }
    let flat = parts.into_iter();
    match kind {
        GeometryKind::Point => Geometry::MultiPoint(MultiPoint(
            flat.flat_map(|g| match g {
                Geometry::Point(p) => vec![p],
                Geometry::MultiPoint(mp) => mp.0,
                _ => vec![],
            })
            .collect(),
        )),
        GeometryKind::Line => Geometry::MultiLineString(MultiLineString(
            flat.flat_map(|g| match g {
                Geometry::LineString(l) => vec![l],
                Geometry::MultiLineString(ml) => ml.0,
                _ => Vec::<LineString<f64>>::new(),
            })
            .collect(),
        )),
        GeometryKind::Polygon => Geometry::MultiPolygon(MultiPolygon(
            flat.flat_map(|g| match g {
                Geometry::Polygon(p) => vec![p],
                Geometry::MultiPolygon(mp) => mp.0,
                _ => Vec::<Polygon<f64>>::new(),
            })
            .collect(),
        )),
    }
}

#[async_trait::async_trait]
impl LayerSource for PostgisLayer {
    fn info(&self) -> &LayerInfo {
        &self.info
    }

    async fn tile(&self, tile: TileId) -> Result<TileBytes, SourceError> {
        Ok(draw_together(&[self], tile).await?.remove(0))
    }

    async fn features_in(&self, bbox: [f64; 4], limit: usize) -> Result<Vec<Feature>, SourceError> {
        let rows = self
            .fetch(
                &self.features_sql,
                bbox,
                Some(limit.min(i64::MAX as usize) as i64),
            )
            .await?;
        self.features_from_rows(&rows)
    }

    async fn items(&self, query: &ItemsQuery) -> Result<ItemsPage, SourceError> {
        if query.sortby.is_empty() {
            self.items_by_id(query).await
        } else {
            self.items_sorted(query).await
        }
    }

    async fn feature(&self, id: u64) -> Result<Option<Feature>, SourceError> {
        let Ok(id) = i64::try_from(id) else {
            return Ok(None);
        };
        Ok(self.features_by_id(&[id]).await?.pop())
    }

    fn batch_key(&self) -> Option<usize> {
        Some(self.store_id)
    }

    async fn tile_batch(
        &self,
        layers: &[SharedSource],
        tile: TileId,
    ) -> Result<Vec<TileBytes>, SourceError> {
        let ours: Vec<&PostgisLayer> = layers
            .iter()
            .map(|l| {
                l.as_any()
                    .downcast_ref::<PostgisLayer>()
                    .expect("same batch key, same store")
            })
            .collect();
        draw_together(&ours, tile).await
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wkb_points_read_directly_match_the_general_reader() {
        use geozero::{CoordDimensions, ToWkb};
        for g in [
            Geometry::Point(Point::new(121.95, 29.2)),
            Geometry::Point(Point::new(-0.0, -85.0)),
        ] {
            let wkb = g.to_wkb(CoordDimensions::xy()).unwrap();
            assert_eq!(wkb_point(&wkb).map(Geometry::Point), Some(g.clone()));
            let mut big_endian = vec![0u8];
            big_endian.extend_from_slice(&1u32.to_be_bytes());
            let Geometry::Point(p) = &g else {
                unreachable!()
            };
            big_endian.extend_from_slice(&p.x().to_be_bytes());
            big_endian.extend_from_slice(&p.y().to_be_bytes());
            assert_eq!(wkb_point(&big_endian).map(Geometry::Point), Some(g));
        }
        let line = Geometry::LineString(LineString::from(vec![(0.0, 0.0), (1.0, 1.0)]));
        assert_eq!(
            wkb_point(&line.to_wkb(CoordDimensions::xy()).unwrap()),
            None
        );
        let empty = Geometry::Point(Point::new(f64::NAN, f64::NAN));
        assert_eq!(
            wkb_point(&empty.to_wkb(CoordDimensions::xy()).unwrap()),
            None
        );
    }

    #[test]
    fn storage_names_are_a_closed_list() {
        assert_eq!(Storage::parse("pier"), Some(Storage::Piers));
        assert_eq!(Storage::parse("cameras"), Some(Storage::Cameras));
        assert_eq!(Storage::parse("tide_station"), Some(Storage::TideStations));
        assert_eq!(Storage::parse("piers; DROP TABLE layers"), None);
    }

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            redact_password("postgres://tidewatch:secret@127.0.0.1:5432/tidewatch"),
            "postgres://tidewatch:***@127.0.0.1:5432/tidewatch"
        );
        assert_eq!(
            redact_password("postgres:///tidewatch"),
            "postgres:///tidewatch"
        );
    }
}
