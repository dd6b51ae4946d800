//! Live vessels: AIS and Beidou positions in, the fleet's current state and recent
//! tracks out, pushed to map clients as they change.
//!
//! Data flows one way. Ingest tasks (NMEA over TCP/UDP in [`nmea_sources`], HTTP batches in
//! [`batch`]) decode and validate, then hand [`Update`] batches to one bounded queue. A
//! single applier task owns writing: it applies each batch to the [`fleet::Fleet`], bumps
//! the version tile caches key on, broadcasts the accepted positions to `/live`
//! subscribers and queues them for PostGIS ([`persist`]). Readers take a read lock.

pub mod alerts;
pub mod batch;
pub mod demo;
pub mod fleet;
pub mod layer;
pub mod nmea_sources;
pub mod peers;
pub mod persist;
pub mod replay;
pub mod webhooks;

use fleet::Fleet;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};

/// Which network a position came over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PositionSource {
    Ais,
    Beidou,
}

impl PositionSource {
    pub fn as_str(self) -> &'static str {
        match self {
            PositionSource::Ais => "ais",
            PositionSource::Beidou => "beidou",
        }
    }
}

/// One reported position of one vessel.
#[derive(Debug, Clone, PartialEq)]
pub struct Position {
    /// The MMSI for AIS; the terminal or feed id for Beidou. A Beidou feed that reports
    /// under the vessel's MMSI fuses with its AIS track.
    pub vessel: Arc<str>,
    pub source: PositionSource,
    /// When the position was valid (the tag block's time, the feed's time, or receipt).
    pub at_ms: i64,
    pub lon: f64,
    pub lat: f64,
    pub speed_kn: Option<f32>,
    pub course_deg: Option<f32>,
    pub heading_deg: Option<f32>,
    /// AIS navigational status (0 under way using engine, 1 at anchor, 5 moored, …).
    pub nav_status: Option<u8>,
}

/// What is known about a vessel besides where it is; every field optional, so partial
/// reports (AIS 24A names, 24B call signs) merge.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VesselStatic {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_sign: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imo: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ship_type: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length_m: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beam_m: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub draught_m: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// `MM-DDTHH:MM` UTC as AIS gives it (no year).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eta: Option<String>,
    /// `A` or `B` for AIS transponders.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ais_class: Option<String>,
}

impl VesselStatic {
    /// Takes every field `newer` knows.
    pub fn merge(&mut self, newer: VesselStatic) {
        macro_rules! take {
            ($($f:ident),*) => { $( if newer.$f.is_some() { self.$f = newer.$f; } )* };
        }
        take!(
            name,
            call_sign,
            imo,
            ship_type,
            length_m,
            beam_m,
            draught_m,
            destination,
            eta,
            ais_class
        );
    }
}

/// One change to the fleet.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    Position(Position),
    Static {
        vessel: Arc<str>,
        data: VesselStatic,
    },
}

/// Tunables of the live side (from [`crate::config::Config`]).
#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// Positions kept per vessel in memory.
    pub history_per_vessel: usize,
    /// Update batches that may wait for the applier; beyond this, ingest sheds.
    pub queue_batches: usize,
    /// How long a TCP source waits for room in the queue before shedding its batch.
    pub queue_wait: Duration,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            history_per_vessel: 2_880,
            queue_batches: 4_096,
            queue_wait: Duration::from_secs(2),
        }
    }
}

/// Updates waiting for the applier, and whether another instance already stored them.
struct Batch {
    updates: Vec<Update>,
    from_peer: bool,
}

/// How a source hands a batch over when the queue is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenFull {
    /// Wait up to `queue_wait` (TCP: the sender feels back-pressure), then shed.
    Wait,
    /// Shed at once (UDP cannot push back).
    Shed,
}

/// The live fleet and its plumbing; shared by ingest tasks, HTTP handlers and the
/// vessels layer.
pub struct Live {
    fleet: RwLock<Fleet>,
    version: AtomicU64,
    queue: mpsc::Sender<Batch>,
    positions: broadcast::Sender<Arc<Vec<Position>>>,
    options: LiveOptions,
    persist: Option<Arc<persist::PersistQueue>>,
}

impl Live {
    /// Starts the applier task; `persist` receives every accepted position when set.
    pub fn start(options: LiveOptions, persist: Option<Arc<persist::PersistQueue>>) -> Arc<Live> {
        Self::start_with(Fleet::new(options.history_per_vessel), options, persist)
    }

    /// Like [`Live::start`], from a fleet restored elsewhere (PostGIS).
    pub fn start_with(
        fleet: Fleet,
        options: LiveOptions,
        persist: Option<Arc<persist::PersistQueue>>,
    ) -> Arc<Live> {
        let (queue, receiver) = mpsc::channel(options.queue_batches.max(1));
        let (positions, _) = broadcast::channel(1024);
        let live = Arc::new(Live {
            fleet: RwLock::new(fleet),
            version: AtomicU64::new(1),
            queue,
            positions,
            options,
            persist,
        });
        tokio::spawn(apply_updates(Arc::downgrade(&live), receiver));
        live
    }

    /// Queues a batch for the applier. Returns how many updates were shed (0 when all
    /// were queued); shed updates are counted under `source`.
    pub async fn submit(&self, batch: Vec<Update>, source: &str, when_full: WhenFull) -> usize {
        if batch.is_empty() {
            return 0;
        }
        let n = batch.len();
        let batch = Batch {
            updates: batch,
            from_peer: false,
        };
        let result = match when_full {
            WhenFull::Wait => self
                .queue
                .send_timeout(batch, self.options.queue_wait)
                .await
                .map_err(|_| ()),
            WhenFull::Shed => self.queue.try_send(batch).map_err(|_| ()),
        };
        match result {
            Ok(()) => 0,
            Err(()) => {
                metrics::counter!("tidewatch_ingest_shed_total", "source" => source.to_owned())
                    .increment(n as u64);
                n
            }
        }
    }

    /// Queues what another instance stored (see [`peers`]): applied and streamed like
    /// local updates, but not stored again. Waits for room; the listener that calls this
    /// is the only thing it holds up.
    pub async fn submit_from_peer(&self, updates: Vec<Update>) {
        let batch = Batch {
            updates,
            from_peer: true,
        };
        if self.queue.send(batch).await.is_err() {
            tracing::debug!("live applier gone; peer positions dropped");
        }
    }

    /// The fleet, for reading.
    pub fn fleet(&self) -> RwLockReadGuard<'_, Fleet> {
        // Writers assign whole values only, so a poisoned lock still holds a valid fleet.
        self.fleet.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Changes whenever positions or static data are applied.
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }

    /// Accepted positions, batch by batch, as they are applied.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Vec<Position>>> {
        self.positions.subscribe()
    }

    fn apply(&self, batch: Batch) {
        let persist = self.persist.as_ref().filter(|_| !batch.from_peer);
        let mut accepted = Vec::with_capacity(batch.updates.len());
        {
            let mut fleet = self.fleet.write().unwrap_or_else(|e| e.into_inner());
            for update in batch.updates {
                match update {
                    Update::Position(p) => {
                        // A peer's position this instance already has (restored from
                        // PostGIS at start) is not news.
                        if fleet.apply_position(&p) || !batch.from_peer {
                            accepted.push(p);
                        }
                    }
                    Update::Static { vessel, data } => {
                        if let Some(persist) = persist {
                            persist.push_static(vessel.clone(), data.clone());
                        }
                        fleet.apply_static(&vessel, data);
                    }
                }
            }
        }
        self.version.fetch_add(1, Ordering::AcqRel);
        metrics::counter!("tidewatch_positions_applied_total").increment(accepted.len() as u64);
        if accepted.is_empty() {
            return;
        }
        if let Some(persist) = persist {
            persist.push_positions(&accepted);
        }
        // No subscribers is fine: the send only fails when nobody listens.
        let _ = self.positions.send(Arc::new(accepted));
    }
}

/// The single writer: applies batches in arrival order until every sender is gone.
async fn apply_updates(live: std::sync::Weak<Live>, mut receiver: mpsc::Receiver<Batch>) {
    while let Some(batch) = receiver.recv().await {
        let Some(live) = live.upgrade() else { return };
        live.apply(batch);
    }
}

/// Milliseconds since 1970 now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
