//! Positions into PostGIS, off the hot path: the applier drops accepted positions into
//! a bounded buffer; one writer task takes them out in batches and `COPY`s them into the
//! time-partitioned `vessel_positions` table, then upserts each vessel's latest state
//! into `vessels`. When the database is away the batch stays at the front of the buffer
//! and is retried with backoff: nothing accepted is lost unless the buffer overflows,
//! and that is counted (`tidewatch_persist_dropped_total`).
//!
//! The same transaction tells the other instances (see [`super::peers`]).
//!
//! On start, [`restore`] rebuilds the live fleet from `vessels` and the recent history.

use super::fleet::{Fix, Fleet, Vessel};
use super::{Position, PositionSource, VesselStatic};
use crate::store::postgis::notify;
use sqlx::postgres::PgPool;
use sqlx::Row;
use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

/// Most positions written by one `COPY`.
const COPY_BATCH: usize = 50_000;
/// Smaller batches go in as one `INSERT … unnest`: sqlx sends a `COPY`'s data and its end
/// as two TCP segments without `TCP_NODELAY`, so each `COPY` waits out the server's delayed
/// ACK (40 ms on Linux); that is nothing per 50,000 rows but doubles the latency of a
/// trickle, which the other instances see (measured in docs/benchmarks.md).
const COPY_FROM: usize = 2_000;

/// Positions and static data waiting to be written.
pub struct PersistQueue {
    waiting: Mutex<Waiting>,
    wake: Notify,
    capacity: usize,
}

#[derive(Default)]
struct Waiting {
    positions: VecDeque<Position>,
    statics: HashMap<Arc<str>, VesselStatic>,
}

impl PersistQueue {
    /// `capacity`: most positions held while the database is slow or away.
    pub fn new(capacity: usize) -> Arc<Self> {
        Arc::new(PersistQueue {
            waiting: Mutex::new(Waiting::default()),
            wake: Notify::new(),
            capacity: capacity.max(1),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Waiting> {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn push_positions(&self, positions: &[Position]) {
        let dropped = {
            let mut w = self.lock();
            w.positions.extend(positions.iter().cloned());
            let over = w.positions.len().saturating_sub(self.capacity);
            // The oldest go first: the live view and recent tracks matter most.
            w.positions.drain(..over);
            over
        };
        if dropped > 0 {
            metrics::counter!("tidewatch_persist_dropped_total").increment(dropped as u64);
        }
        self.wake.notify_one();
    }

    pub fn push_static(&self, vessel: Arc<str>, data: VesselStatic) {
        self.lock().statics.entry(vessel).or_default().merge(data);
        self.wake.notify_one();
    }

    fn take(&self) -> (Vec<Position>, HashMap<Arc<str>, VesselStatic>) {
        let mut w = self.lock();
        let n = w.positions.len().min(COPY_BATCH);
        (
            w.positions.drain(..n).collect(),
            std::mem::take(&mut w.statics),
        )
    }

    /// Puts a batch that could not be written back in front, in order.
    fn give_back(&self, positions: Vec<Position>, statics: HashMap<Arc<str>, VesselStatic>) {
        let mut w = self.lock();
        for p in positions.into_iter().rev() {
            w.positions.push_front(p);
        }
        for (vessel, mut data) in statics {
            // Newer static data that arrived meanwhile wins.
            if let Some(newer) = w.statics.remove(&vessel) {
                data.merge(newer);
            }
            w.statics.insert(vessel, data);
        }
        let over = w.positions.len().saturating_sub(self.capacity);
        w.positions.drain(..over);
        if over > 0 {
            metrics::counter!("tidewatch_persist_dropped_total").increment(over as u64);
        }
    }
}

/// The writer task: runs until the process ends.
pub async fn write_positions(queue: Arc<PersistQueue>, pool: PgPool) {
    let mut backoff = Duration::from_millis(250);
    let mut partitions_made_for: Option<i64> = None;
    loop {
        let today = super::now_ms().div_euclid(DAY_MS);
        if partitions_made_for != Some(today) {
            match ensure_partitions(&pool, today).await {
                Ok(()) => partitions_made_for = Some(today),
                Err(e) => tracing::warn!("cannot create position partitions: {e}"),
            }
        }
        let (positions, statics) = queue.take();
        if positions.is_empty() && statics.is_empty() {
            // Wake on new data, or every second to roll partitions over at midnight.
            let _ = tokio::time::timeout(Duration::from_secs(1), queue.wake.notified()).await;
            continue;
        }
        match write_batch(&pool, &positions, &statics).await {
            Ok(()) => {
                metrics::counter!("tidewatch_persisted_positions_total")
                    .increment(positions.len() as u64);
                backoff = Duration::from_millis(250);
            }
            Err(e) => {
                tracing::warn!(
                    positions = positions.len(),
                    "cannot write positions to PostGIS, retrying in {} ms: {e}",
                    backoff.as_millis()
                );
                metrics::counter!("tidewatch_persist_errors_total").increment(1);
                queue.give_back(positions, statics);
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(10));
            }
        }
    }
}

const DAY_MS: i64 = 86_400_000;

/// Daily partitions from yesterday to two days ahead, so inserts never land in the
/// default partition in normal operation.
async fn ensure_partitions(pool: &PgPool, today: i64) -> Result<(), sqlx::Error> {
    for day in today - 1..=today + 2 {
        let (y, m, d) = crate::time::civil_from_days(day);
        let (y2, m2, d2) = crate::time::civil_from_days(day + 1);
        let sql = format!(
            "CREATE TABLE IF NOT EXISTS vessel_positions_{y:04}{m:02}{d:02} PARTITION OF vessel_positions
             FOR VALUES FROM ('{y:04}-{m:02}-{d:02} 00:00:00+00') TO ('{y2:04}-{m2:02}-{d2:02} 00:00:00+00')"
        );
        match sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(pool).await {
            Ok(_) => {}
            // The database refused this one (rows for that day already sit in the default
            // partition): leave them there. Anything else (no connection) is retried.
            Err(sqlx::Error::Database(e)) => tracing::debug!("partition for day {day}: {e}"),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// One transaction: the positions by `COPY`, then the latest state of each vessel seen.
async fn write_batch(
    pool: &PgPool,
    positions: &[Position],
    statics: &HashMap<Arc<str>, VesselStatic>,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    if positions.len() > COPY_FROM {
        let mut text = String::with_capacity(positions.len() * 96);
        for p in positions {
            copy_row(&mut text, p);
        }
        let mut copy = tx
            .copy_in_raw(
                "COPY vessel_positions (vessel_id, source, at, geom, speed_kn, course_deg, heading_deg) FROM STDIN",
            )
            .await?;
        copy.send(text.into_bytes()).await?;
        copy.finish().await?;
    } else if !positions.is_empty() {
        sqlx::query(
            "INSERT INTO vessel_positions (vessel_id, source, at, geom, speed_kn, course_deg, heading_deg)
             SELECT v, s, to_timestamp(t / 1000.0), ST_SetSRID(ST_MakePoint(x, y), 4326), sp, co, he
             FROM unnest($1::text[], $2::text[], $3::int8[], $4::float8[], $5::float8[],
                         $6::real[], $7::real[], $8::real[]) AS u(v, s, t, x, y, sp, co, he)",
        )
        .bind_position_columns(positions.iter())
        .execute(&mut *tx)
        .await?;
    }
    if !positions.is_empty() {
        let mut latest: HashMap<&str, &Position> = HashMap::new();
        for p in positions {
            let slot = latest.entry(&p.vessel).or_insert(p);
            if p.at_ms >= slot.at_ms {
                *slot = p;
            }
        }
        let rows: Vec<&Position> = latest.into_values().collect();
        sqlx::query(
            "INSERT INTO vessels (vessel_id, source, at, geom, speed_kn, course_deg, heading_deg, nav_status)
             SELECT v, s, to_timestamp(t / 1000.0), ST_SetSRID(ST_MakePoint(x, y), 4326), sp, co, he, ns
             FROM unnest($1::text[], $2::text[], $3::int8[], $4::float8[], $5::float8[],
                         $6::real[], $7::real[], $8::real[], $9::int2[])
                  AS u(v, s, t, x, y, sp, co, he, ns)
             ON CONFLICT (vessel_id) DO UPDATE SET
                 source = excluded.source, at = excluded.at, geom = excluded.geom,
                 speed_kn = excluded.speed_kn, course_deg = excluded.course_deg,
                 heading_deg = excluded.heading_deg, nav_status = excluded.nav_status,
                 updated_at = now()
             WHERE vessels.at IS NULL OR vessels.at <= excluded.at",
        )
        .bind_position_columns(rows.iter().copied())
        .bind(rows.iter().map(|p| p.nav_status.map(i16::from)).collect::<Vec<_>>())
        .execute(&mut *tx)
        .await?;
    }
    for (vessel, data) in statics {
        sqlx::query(
            "INSERT INTO vessels (vessel_id, static) VALUES ($1, $2::jsonb)
             ON CONFLICT (vessel_id) DO UPDATE
             SET static = vessels.static || excluded.static, updated_at = now()",
        )
        .bind(vessel.as_ref())
        .bind(sqlx::types::Json(data))
        .execute(&mut *tx)
        .await?;
    }
    // The other instances learn of these positions when, and only when, they are stored.
    let notices = super::peers::encode(notify::instance_id(), positions, statics);
    notify::send(&mut tx, notify::POSITIONS_CHANNEL, &notices).await?;
    tx.commit().await
}

/// Binds positions as the arrays `$1…$8` of the `unnest` inserts: vessel, source, time
/// (ms), lon, lat, speed, course, heading.
trait BindPositionColumns<'q> {
    fn bind_position_columns<'p>(
        self,
        positions: impl Iterator<Item = &'p Position> + Clone,
    ) -> Self;
}

impl<'q> BindPositionColumns<'q>
    for sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>
{
    fn bind_position_columns<'p>(
        self,
        positions: impl Iterator<Item = &'p Position> + Clone,
    ) -> Self {
        self.bind(
            positions
                .clone()
                .map(|p| p.vessel.to_string())
                .collect::<Vec<_>>(),
        )
        .bind(
            positions
                .clone()
                .map(|p| p.source.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(positions.clone().map(|p| p.at_ms).collect::<Vec<_>>())
        .bind(positions.clone().map(|p| p.lon).collect::<Vec<_>>())
        .bind(positions.clone().map(|p| p.lat).collect::<Vec<_>>())
        .bind(positions.clone().map(|p| p.speed_kn).collect::<Vec<_>>())
        .bind(positions.clone().map(|p| p.course_deg).collect::<Vec<_>>())
        .bind(positions.map(|p| p.heading_deg).collect::<Vec<_>>())
    }
}

/// One line of `COPY … FROM STDIN` text format; the geometry as hex EWKB, which
/// PostGIS reads faster than WKT.
fn copy_row(out: &mut String, p: &Position) {
    let mut ewkb = [0u8; 25];
    ewkb[0] = 1; // little endian
    ewkb[1..5].copy_from_slice(&0x2000_0001u32.to_le_bytes()); // point with SRID
    ewkb[5..9].copy_from_slice(&4326u32.to_le_bytes());
    ewkb[9..17].copy_from_slice(&p.lon.to_le_bytes());
    ewkb[17..25].copy_from_slice(&p.lat.to_le_bytes());
    // Vessel ids come from MMSIs, configuration or validated feeds; escape anyway.
    for c in p.vessel.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    let _ = write!(out, "\t{}\t", p.source.as_str());
    let (secs, ms) = (p.at_ms.div_euclid(1000), p.at_ms.rem_euclid(1000));
    let _ = write!(out, "{}.{ms:03}+00\t", crate::time::format_utc(secs, ' '));
    for b in ewkb {
        let _ = write!(out, "{b:02X}");
    }
    for v in [p.speed_kn, p.course_deg, p.heading_deg] {
        match v {
            Some(v) => {
                let _ = write!(out, "\t{v}");
            }
            None => out.push_str("\t\\N"),
        }
    }
    out.push('\n');
}

/// The columns [`fix_from_row`] reads besides `nav_status`, in `vessels` and
/// `vessel_positions` alike.
macro_rules! fix_columns {
    () => {
        "source, (extract(epoch FROM at) * 1000)::int8 AS at_ms, \
         ST_X(geom) AS lon, ST_Y(geom) AS lat, speed_kn, course_deg, heading_deg"
    };
}

/// The fleet as PostGIS last saw it: every vessel's latest state and static data, and
/// up to `history` of its positions from the day before the newest position stored.
pub async fn restore(pool: &PgPool, history: usize) -> Result<Fleet, sqlx::Error> {
    let mut fleet = Fleet::new(history);
    let rows = sqlx::query(concat!(
        "SELECT vessel_id, ",
        fix_columns!(),
        ", nav_status, static FROM vessels ORDER BY vessel_id"
    ))
    .fetch_all(pool)
    .await?;
    let recent = sqlx::query(concat!(
        "SELECT vessel_id, ",
        fix_columns!(),
        ", NULL::int2 AS nav_status
         FROM (SELECT p.*, row_number() OVER (PARTITION BY vessel_id ORDER BY at DESC) AS newest
               FROM vessel_positions p
               WHERE at >= (SELECT max(at) FROM vessels) - interval '1 day') recent
         WHERE newest <= $1
         ORDER BY vessel_id, at"
    ))
    .bind(history as i64)
    .fetch_all(pool)
    .await?;
    let mut histories: HashMap<String, VecDeque<Fix>> = HashMap::new();
    for row in &recent {
        histories
            .entry(row.try_get("vessel_id")?)
            .or_default()
            .push_back(fix_from_row(row)?);
    }
    for row in &rows {
        let id: String = row.try_get("vessel_id")?;
        let latest = match row.try_get::<Option<i64>, _>("at_ms")? {
            Some(_) => Some(fix_from_row(row)?),
            None => None,
        };
        let history = histories.remove(&id).unwrap_or_default();
        let last = |source: PositionSource| {
            let in_history = history.iter().rev().find(|f| f.source == source);
            in_history
                .map(|f| f.at_ms)
                .into_iter()
                .chain(latest.filter(|l| l.source == source).map(|l| l.at_ms))
                .max()
        };
        let statics: sqlx::types::Json<VesselStatic> = row.try_get("static")?;
        fleet.restore(Vessel {
            id: id.into(),
            latest,
            last_ais_ms: last(PositionSource::Ais),
            last_beidou_ms: last(PositionSource::Beidou),
            statics: statics.0,
            history,
        });
    }
    Ok(fleet)
}

/// Positions stored with a report time at or after `from_ms`, oldest first, at most `limit`.
pub async fn positions_since(
    pool: &PgPool,
    from_ms: i64,
    limit: i64,
) -> Result<Vec<Position>, sqlx::Error> {
    let rows = sqlx::query(concat!(
        "SELECT vessel_id, ",
        fix_columns!(),
        ", NULL::int2 AS nav_status
         FROM vessel_positions WHERE at >= to_timestamp($1 / 1000.0) ORDER BY at LIMIT $2"
    ))
    .bind(from_ms as f64)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let fix = fix_from_row(row)?;
            Ok(Position {
                vessel: row.try_get::<String, _>("vessel_id")?.into(),
                source: fix.source,
                at_ms: fix.at_ms,
                lon: fix.lon,
                lat: fix.lat,
                speed_kn: fix.speed_kn,
                course_deg: fix.course_deg,
                heading_deg: fix.heading_deg,
                nav_status: fix.nav_status,
            })
        })
        .collect()
}

fn fix_from_row(row: &sqlx::postgres::PgRow) -> Result<Fix, sqlx::Error> {
    let source: String = row.try_get("source")?;
    Ok(Fix {
        at_ms: row.try_get("at_ms")?,
        lon: row.try_get("lon")?,
        lat: row.try_get("lat")?,
        speed_kn: row.try_get("speed_kn")?,
        course_deg: row.try_get("course_deg")?,
        heading_deg: row.try_get("heading_deg")?,
        nav_status: row
            .try_get::<Option<i16>, _>("nav_status")?
            .map(|v| v as u8),
        source: if source == "beidou" {
            PositionSource::Beidou
        } else {
            PositionSource::Ais
        },
    })
}

/// A vessel's track from the full history in PostGIS; `None` leaves that end open.
pub async fn track(
    pool: &PgPool,
    vessel: &str,
    from_ms: Option<i64>,
    to_ms: Option<i64>,
    limit: usize,
) -> Result<Vec<Fix>, sqlx::Error> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        fix_columns!(),
        ", NULL::int2 AS nav_status
         FROM vessel_positions
         WHERE vessel_id = $1
           AND ($2::float8 IS NULL OR at >= to_timestamp($2 / 1000.0))
           AND ($3::float8 IS NULL OR at <= to_timestamp($3 / 1000.0))
         ORDER BY at LIMIT $4"
    ))
    .bind(vessel)
    .bind(from_ms.map(|t| t as f64))
    .bind(to_ms.map(|t| t as f64))
    .bind(limit as i64)
    .fetch_all(pool)
    .await?;
    rows.iter().map(fix_from_row).collect()
}
