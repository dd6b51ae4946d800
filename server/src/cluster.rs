//! Several instances on one PostGIS. Each instance follows the others through PostgreSQL
//! `LISTEN` (no polling): a catalog notice (an import, a sensor layer or a tide table
//! changed, from any instance or the `tidewatch import` command) reloads the layers and
//! clears the tile cache; a positions notice feeds the live fleet, `/vessels` and `/live`
//! as if the positions had arrived here. The senders are in
//! [`crate::store::postgis::notify`] and [`crate::live::persist`].
//!
//! Every instance evaluates the alert rules on the whole fleet (so each serves the same
//! `/events`), but only one, the holder of a PostgreSQL advisory lock, writes events to
//! the database and sends webhooks: one row and one call per event, and another
//! instance takes over within seconds when the holder dies.
//!
//! When the listening connection drops, the follower reconnects with backoff and then
//! catches up: it reloads the layers and re-reads the recent positions from
//! `vessel_positions`, since notices sent meanwhile are lost.

use crate::http::AppState;
use crate::live::{peers, persist, Update};
use crate::store::postgis::notify::{self, CatalogNotice, CATALOG_CHANNEL, POSITIONS_CHANNEL};
use crate::store::postgis::PostgisStore;
use sqlx::postgres::PgListener;
use sqlx::Connection;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Whether this instance is the one that writes events and sends webhooks.
#[derive(Debug)]
pub struct Role {
    writer: AtomicBool,
}

impl Role {
    /// A lone instance (embedded store) always writes.
    pub fn alone() -> Arc<Role> {
        Arc::new(Role {
            writer: AtomicBool::new(true),
        })
    }

    pub fn is_writer(&self) -> bool {
        self.writer.load(Ordering::Acquire)
    }
}

/// An arbitrary constant all Tidewatch instances lock on ("TIDEWATCH" in ASCII, cut to 63 bits).
const WRITER_LOCK: i64 = 0x5449_4445_5741_5443;

/// Competes for the writer's lock on its own connection, holding it while that connection
/// lives; checks every `every`. The role is a reader until it holds the lock; the first
/// round runs before this returns, so a lone instance writes from its start.
pub async fn elect_writer(url: &str, every: Duration) -> Arc<Role> {
    let url = url.to_owned();
    let role = Arc::new(Role {
        writer: AtomicBool::new(false),
    });
    let shared = role.clone();
    let (first, first_done) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let mut conn: Option<sqlx::PgConnection> = None;
        let mut first = Some(first);
        loop {
            let holds = match conn.as_mut() {
                // Re-taking a lock this session holds stacks it, so ask only until it is ours.
                Some(c) if shared.is_writer() => {
                    sqlx::query("SELECT 1").execute(&mut *c).await.map(|_| true)
                }
                Some(c) => {
                    sqlx::query_scalar::<_, bool>("SELECT pg_try_advisory_lock($1)")
                        .bind(WRITER_LOCK)
                        .fetch_one(&mut *c)
                        .await
                }
                None => match sqlx::PgConnection::connect(&url).await {
                    Ok(c) => {
                        conn = Some(c);
                        continue;
                    }
                    Err(e) => Err(e),
                },
            };
            let now = matches!(holds, Ok(true));
            if let Err(e) = &holds {
                tracing::debug!("writer election: {e}");
                conn = None;
            }
            if now != shared.is_writer() {
                tracing::info!(
                    writer = now,
                    "{}",
                    if now {
                        "this instance now writes events and sends webhooks"
                    } else {
                        "another instance writes events and sends webhooks"
                    }
                );
                shared.writer.store(now, Ordering::Release);
            }
            metrics::gauge!("tidewatch_event_writer").set(if now { 1.0 } else { 0.0 });
            if let Some(first) = first.take() {
                let _ = first.send(());
            }
            tokio::time::sleep(every).await;
        }
    });
    let _ = first_done.await;
    role
}

/// Starts listening before the live fleet is restored, so nothing committed between the
/// restore and the first notice is missed (a position seen twice is applied once).
pub async fn listen(url: &str) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    // Reconnecting is [`follow`]'s job, so the catch-up runs right after it.
    listener.eager_reconnect(false);
    listener
        .listen_all([CATALOG_CHANNEL, POSITIONS_CHANNEL])
        .await?;
    Ok(listener)
}

/// Follows the other instances until the process ends.
pub fn follow(state: AppState, store: PostgisStore, mut listener: PgListener) {
    tokio::spawn(async move {
        let reload = Arc::new(tokio::sync::Notify::new());
        tokio::spawn(reload_layers(state.clone(), store.clone(), reload.clone()));
        loop {
            match listener.try_recv().await {
                Ok(Some(notice)) => {
                    on_notice(&state, &reload, notice.channel(), notice.payload()).await;
                    continue;
                }
                Ok(None) => tracing::warn!("lost the change notices from PostGIS"),
                Err(e) => tracing::warn!("lost the change notices from PostGIS: {e}"),
            }
            let lost_at = crate::live::now_ms();
            metrics::counter!("tidewatch_notice_reconnects_total").increment(1);
            // A fresh connection rather than the old one's repair: after some errors the
            // old one stays half-open.
            drop(listener);
            let mut wait = Duration::from_millis(100);
            listener = loop {
                match listen(store.url()).await {
                    Ok(l) => break l,
                    Err(e) => {
                        tracing::warn!("cannot listen for changes yet, retrying in {wait:?}: {e}");
                        tokio::time::sleep(wait).await;
                        wait = (wait * 2).min(Duration::from_secs(5));
                    }
                }
            };
            tracing::info!("listening for changes again; catching up");
            reload.notify_one();
            if let Err(e) = catch_up_positions(&state, &store, lost_at).await {
                tracing::warn!("cannot catch up on positions: {e}");
            }
        }
    });
}

/// One notice from another instance (this instance's own are skipped).
async fn on_notice(state: &AppState, reload: &tokio::sync::Notify, channel: &str, payload: &str) {
    let me = notify::instance_id();
    if channel == CATALOG_CHANNEL {
        match serde_json::from_str::<CatalogNotice>(payload) {
            Ok(n) if n.origin == me => {}
            Ok(n) => {
                tracing::info!(changed = %n.changed, by = %n.origin, "catalog changed on another instance");
                reload.notify_one();
            }
            Err(e) => tracing::warn!("unreadable catalog notice: {e}"),
        }
        return;
    }
    if peers::is_from(payload, me) {
        return;
    }
    match peers::decode(payload) {
        Ok(batch) => {
            metrics::counter!("tidewatch_peer_updates_total").increment(batch.updates.len() as u64);
            state.live.submit_from_peer(batch.updates).await;
        }
        Err(e) => tracing::warn!("unreadable positions notice: {e}"),
    }
}

/// Reloads the layers from PostGIS whenever asked; requests that pile up during a reload
/// make one more.
async fn reload_layers(state: AppState, store: PostgisStore, asked: Arc<tokio::sync::Notify>) {
    loop {
        asked.notified().await;
        let started = Instant::now();
        match store.layers().await {
            Ok(layers) => {
                state.replace_layers(layers);
                tracing::info!(
                    ms = started.elapsed().as_millis() as u64,
                    "layers reloaded from PostGIS"
                );
            }
            Err(e) => {
                tracing::warn!("cannot reload the layers, keeping the old ones: {e}");
                tokio::time::sleep(Duration::from_secs(1)).await;
                asked.notify_one();
            }
        }
    }
}

/// Positions that may have been announced while this instance was not listening: those
/// stored with a report time from a minute before the loss on.
async fn catch_up_positions(
    state: &AppState,
    store: &PostgisStore,
    lost_at_ms: i64,
) -> Result<(), sqlx::Error> {
    let positions = persist::positions_since(store.pool(), lost_at_ms - 60_000, 500_000).await?;
    tracing::info!(
        positions = positions.len(),
        "caught up on positions from PostGIS"
    );
    state
        .live
        .submit_from_peer(positions.into_iter().map(Update::Position).collect())
        .await;
    Ok(())
}
