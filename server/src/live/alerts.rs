//! Early warning in the server: the `tidewatch-alerts` rule engine, on its own thread, fed
//! with every position the live state applies; its events kept in memory (and PostGIS) and
//! pushed to `/events/stream`.
//!
//! The engine's clock is the reports' own time, so a replayed feed raises its events as
//! it happened; when no report comes for a second, a timeout moves the clock on by the wall-clock
//! time since the last report, which is what lets a silent vessel go dark. Tide windows
//! for night pier approaches come from the tide station nearest the piers, refreshed every
//! six hours.

use super::{Live, Position, PositionSource};
use crate::analysis::Analyses;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tidewatch_alerts::{
    Engine, Event, EventKind, EventUpdate, LonLat, Report, Severity, Source, TimeSpan, VesselId,
};
use tokio::sync::broadcast;

/// Closed events kept in memory; the oldest go first.
const MAX_CLOSED_EVENTS: usize = 100_000;
/// Tide windows cover this long around now.
const WINDOW_DAYS_BACK: i64 = 2;
const WINDOW_DAYS_AHEAD: i64 = 7;
/// Tide windows are recomputed when the reports' clock enters a new six hours.
const WINDOW_REFRESH_MS: i64 = 6 * 3_600_000;

/// One event as the server keeps it.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub event: Event,
    /// The vessels' ids as the live state names them (MMSI or terminal id).
    pub vessels: Vec<Arc<str>>,
    /// When the engine raised it (its clock), for latency and ordering.
    pub raised_ms: i64,
    pub closing: Option<Value>,
}

/// The events and the stream of their changes.
pub struct Alerts {
    events: RwLock<BTreeMap<u64, StoredEvent>>,
    stream: broadcast::Sender<Arc<Value>>,
    version: AtomicU64,
}

impl Alerts {
    /// Every event (open ones and the most recent closed ones), oldest first.
    pub fn events(&self) -> Vec<StoredEvent> {
        self.events
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect()
    }

    /// Changes whenever an event opens, changes severity or closes.
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }

    /// `opened`, `severity` and `closed` messages as they happen.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Value>> {
        self.stream.subscribe()
    }

    fn apply(&self, updates: Vec<EventUpdate>, names: &HashMap<u64, Arc<str>>, clock_ms: i64) {
        if updates.is_empty() {
            return;
        }
        let mut events = self.events.write().unwrap_or_else(|e| e.into_inner());
        for update in updates {
            let message = match update {
                EventUpdate::Opened(event) => {
                    let vessels = event
                        .vessels
                        .iter()
                        .map(|v| {
                            names
                                .get(&v.0)
                                .cloned()
                                .unwrap_or_else(|| v.0.to_string().into())
                        })
                        .collect();
                    metrics::counter!("tidewatch_events_opened_total", "type" => kind_name(event.kind)).increment(1);
                    let stored = StoredEvent {
                        event,
                        vessels,
                        raised_ms: clock_ms,
                        closing: None,
                    };
                    let message = json!({"type": "opened", "event": event_json(&stored)});
                    events.insert(stored.event.id.0, stored);
                    message
                }
                EventUpdate::Extended { id, severity, .. } => {
                    let Some(stored) = events.get_mut(&id.0) else {
                        continue;
                    };
                    if stored.event.severity == severity {
                        continue; // the same episode going on: nothing new to push
                    }
                    stored.event.severity = severity;
                    json!({"type": "severity", "event": event_json(stored)})
                }
                EventUpdate::Closed {
                    id,
                    end_ms,
                    closing,
                } => {
                    let Some(stored) = events.get_mut(&id.0) else {
                        continue;
                    };
                    stored.event.end_ms = Some(end_ms);
                    stored.closing = serde_json::to_value(&closing).ok();
                    json!({"type": "closed", "event": event_json(stored)})
                }
            };
            let _ = self.stream.send(Arc::new(message));
        }
        let closed = events.values().filter(|e| e.event.end_ms.is_some()).count();
        if closed > MAX_CLOSED_EVENTS {
            let drop: Vec<u64> = events
                .iter()
                .filter(|(_, e)| e.event.end_ms.is_some())
                .take(closed - MAX_CLOSED_EVENTS)
                .map(|(k, _)| *k)
                .collect();
            for k in drop {
                events.remove(&k);
            }
        }
        self.version.fetch_add(1, Ordering::AcqRel);
    }
}

pub fn kind_name(kind: EventKind) -> &'static str {
    match kind {
        EventKind::DarkVessel => "dark_vessel",
        EventKind::NightPierApproach => "night_pier_approach",
        EventKind::Rendezvous => "rendezvous",
        EventKind::Loitering => "loitering",
        EventKind::RepeatVisit => "repeat_visit",
    }
}

pub fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Low => "low",
        Severity::Medium => "medium",
        Severity::High => "high",
    }
}

/// Where an event is: its point, or the last point of its line.
pub fn event_position(e: &Event) -> LonLat {
    match &e.geometry {
        tidewatch_alerts::Geometry::Point { at } => *at,
        tidewatch_alerts::Geometry::Line { points } => *points.last().expect("a line has points"),
    }
}

/// An event as JSON (GeoJSON-ready properties and its full evidence).
pub fn event_json(s: &StoredEvent) -> Value {
    let e = &s.event;
    let at = event_position(e);
    json!({
        "id": e.id.0,
        "type": kind_name(e.kind),
        "severity": severity_name(e.severity),
        "start": crate::time::rfc3339_ms(e.start_ms),
        "end": e.end_ms.map(crate::time::rfc3339_ms),
        "open": e.end_ms.is_none(),
        "vessels": s.vessels.iter().map(|v| &**v).collect::<Vec<_>>(),
        "lon": at.lon,
        "lat": at.lat,
        "geometry": e.geometry,
        "evidence": e.evidence,
        "closing": s.closing,
    })
}

impl Alerts {
    /// An empty event store; [`run_engine`] fills it.
    pub fn new() -> Arc<Alerts> {
        let (stream, _) = broadcast::channel(4096);
        Arc::new(Alerts {
            events: RwLock::new(BTreeMap::new()),
            stream,
            version: AtomicU64::new(0),
        })
    }
}

/// Batches waiting for the rule engine; beyond this they are dropped and counted (the
/// engine takes a fraction of a microsecond per position, far faster than ingest).
const ENGINE_QUEUE: usize = 1024;

/// What the engine thread is given.
enum EngineInput {
    Positions(Arc<Vec<Position>>),
    TideWindows(Vec<TimeSpan>),
}

/// Starts the rule engine on the live positions, its events going into `alerts`. The
/// engine runs on its own thread, so a flood of positions costs the HTTP workers nothing;
/// a task on the runtime feeds it the applied positions and the tide windows.
pub fn run_engine(
    live: &Arc<Live>,
    alerts: Arc<Alerts>,
    config: tidewatch_alerts::Config,
    analyses: Arc<Analyses>,
) -> anyhow::Result<()> {
    let centre = pier_centre(&config);
    let engine = Engine::new(config)?;
    let (tx, rx) = std::sync::mpsc::sync_channel(ENGINE_QUEUE);
    let weak = Arc::downgrade(live);
    std::thread::Builder::new()
        .name("tidewatch-alerts".into())
        .spawn(move || evaluate(engine, rx, weak, alerts))?;
    tokio::spawn(feed(live.subscribe(), tx, analyses, centre));
    Ok(())
}

fn pier_centre(config: &tidewatch_alerts::Config) -> Option<(f64, f64)> {
    let n = config.piers.len() as f64;
    (n > 0.0).then(|| {
        (
            config.piers.iter().map(|p| p.position.lon).sum::<f64>() / n,
            config.piers.iter().map(|p| p.position.lat).sum::<f64>() / n,
        )
    })
}

async fn tide_windows(
    analyses: &Analyses,
    centre: Option<(f64, f64)>,
    now_ms: i64,
) -> Option<Vec<TimeSpan>> {
    let (lon, lat) = centre?;
    let stations = analyses.tide_stations().await.ok()?;
    let station = stations.nearest_predicting(lon, lat)?;
    let predictor = station.predictor.as_ref().ok()?;
    let rule = analyses.default_window_rule();
    let now = now_ms / 1000;
    let found = tidewatch_tides::windows(
        predictor,
        now - WINDOW_DAYS_BACK * 86_400,
        now + WINDOW_DAYS_AHEAD * 86_400,
        rule.before_s,
        rule.after_s,
        &rule.night,
        None,
    )
    .ok()?;
    Some(found.iter().map(TimeSpan::from).collect())
}

/// Hands every applied batch to the engine thread, with fresh tide windows whenever the
/// reports' clock enters a new six hours.
async fn feed(
    mut positions: broadcast::Receiver<Arc<Vec<Position>>>,
    engine: std::sync::mpsc::SyncSender<EngineInput>,
    analyses: Arc<Analyses>,
    centre: Option<(f64, f64)>,
) {
    use std::sync::mpsc::TrySendError;
    let mut windows_for: Option<i64> = None;
    loop {
        let batch = match positions.recv().await {
            Ok(b) => b,
            Err(broadcast::error::RecvError::Lagged(n)) => {
                metrics::counter!("tidewatch_alert_batches_missed_total").increment(n);
                continue;
            }
            Err(broadcast::error::RecvError::Closed) => return,
        };
        if let Some(first) = batch.iter().map(|p| p.at_ms).min() {
            let period = first.div_euclid(WINDOW_REFRESH_MS);
            if windows_for != Some(period) {
                if let Some(w) = tide_windows(&analyses, centre, first).await {
                    let _ = engine.try_send(EngineInput::TideWindows(w));
                }
                windows_for = Some(period);
            }
        }
        match engine.try_send(EngineInput::Positions(batch)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                metrics::counter!("tidewatch_alert_batches_missed_total").increment(1);
            }
            Err(TrySendError::Disconnected(_)) => return,
        }
    }
}

/// The engine thread: positions in time order through the rules, and once a second with
/// no positions the clock moved on by the wall-clock time since the last report.
fn evaluate(
    mut engine: Engine,
    input: std::sync::mpsc::Receiver<EngineInput>,
    live: std::sync::Weak<Live>,
    alerts: Arc<Alerts>,
) {
    use std::sync::mpsc::RecvTimeoutError;
    let mut names: HashMap<u64, Arc<str>> = HashMap::new();
    let mut out = Vec::new();
    // The clock of the reports, and when (wall clock) it was last set by one.
    let mut last_report: Option<(i64, Instant)> = None;
    loop {
        match input.recv_timeout(Duration::from_secs(1)) {
            Ok(EngineInput::TideWindows(w)) => engine.set_tide_windows(w),
            Ok(EngineInput::Positions(batch)) => {
                let Some(live) = live.upgrade() else { return };
                let mut reports: Vec<(Report, &Position)> = {
                    let fleet = live.fleet();
                    batch
                        .iter()
                        .filter_map(|p| {
                            let class_b = fleet
                                .get(&p.vessel)
                                .and_then(|v| v.statics.ais_class.as_deref())
                                == Some("B");
                            report(p, class_b).map(|r| (r, p))
                        })
                        .collect()
                };
                reports.sort_by_key(|(r, _)| r.time_ms);
                for (r, p) in &reports {
                    names.entry(r.vessel.0).or_insert_with(|| p.vessel.clone());
                    engine.advance_to(r.time_ms, &mut out);
                    if engine.ingest(r, &mut out).is_err() {
                        metrics::counter!("tidewatch_alert_positions_refused_total").increment(1);
                    }
                }
                if let Some((r, _)) = reports.last() {
                    last_report = Some((r.time_ms.max(engine.now_ms()), Instant::now()));
                }
                alerts.apply(std::mem::take(&mut out), &names, engine.now_ms());
            }
            Err(RecvTimeoutError::Timeout) => {
                let Some((t, at)) = last_report else { continue };
                engine.advance_to(t + at.elapsed().as_millis() as i64, &mut out);
                alerts.apply(std::mem::take(&mut out), &names, engine.now_ms());
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// A live position as a rule-engine report (positions without speed count as stopped).
fn report(p: &Position, class_b: bool) -> Option<Report> {
    Some(Report {
        vessel: VesselId(super::layer::feature_id(&p.vessel)),
        source: match p.source {
            PositionSource::Beidou => Source::Beidou,
            PositionSource::Ais if class_b => Source::AisClassB,
            PositionSource::Ais => Source::AisClassA,
        },
        time_ms: p.at_ms,
        position: LonLat::new(p.lon, p.lat),
        speed_kn: f64::from(p.speed_kn?),
        course_deg: p.course_deg.map_or(0.0, f64::from),
        heading_deg: p.heading_deg.map(f64::from),
    })
}

/// The `events` layer: every event at its (latest) position, for tiles and OGC API items
/// with `datetime` on its start; rebuilt when an event opens, changes or closes.
pub struct EventsLayer {
    alerts: Arc<Alerts>,
    def: crate::layers::LayerDef,
    info: crate::store::LayerInfo,
    snapshot: std::sync::Mutex<Option<(u64, Arc<crate::store::embedded::EmbeddedLayer>)>>,
}

/// Properties of the `events` layer and their TileJSON types.
const EVENT_FIELDS: [(&str, &str); 8] = [
    ("type", "String"),
    ("severity", "String"),
    ("start", "String"),
    ("end", "String"),
    ("open", "Boolean"),
    ("vessels", "String"),
    ("pier", "String"),
    ("evidence", "String"),
];

impl EventsLayer {
    pub fn new(alerts: Arc<Alerts>) -> Self {
        let def = crate::layers::LayerDef {
            title: crate::layers::Title {
                zh: "预警事件".into(),
                en: "Early-warning events".into(),
            },
            description: "Dark vessels, night pier approaches, rendezvous, loitering and repeat visits, as the rules raise them".into(),
            time_property: Some("start".into()),
            ..crate::layers::LayerDef::new("events", tidewatch_tiles::GeometryKind::Point)
        };
        EventsLayer {
            info: crate::store::LayerInfo::computed(&def, &EVENT_FIELDS),
            alerts,
            def,
            snapshot: Default::default(),
        }
    }

    fn current(
        &self,
    ) -> Result<Arc<crate::store::embedded::EmbeddedLayer>, crate::store::SourceError> {
        let version = self.alerts.version();
        let mut slot = self.snapshot.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((v, layer)) = slot.as_ref() {
            if *v == version {
                return Ok(layer.clone());
            }
        }
        let features = self.alerts.events().iter().map(event_feature).collect();
        let layer = Arc::new(
            crate::store::embedded::EmbeddedLayer::from_features(&self.def, features).map_err(
                |e| crate::store::SourceError::Unavailable {
                    layer: "events".into(),
                    reason: e.to_string(),
                },
            )?,
        );
        *slot = Some((version, layer.clone()));
        Ok(layer)
    }
}

fn event_feature(s: &StoredEvent) -> tidewatch_importers::Feature {
    let e = &s.event;
    let at = event_position(e);
    let mut p = serde_json::Map::new();
    p.insert("type".into(), json!(kind_name(e.kind)));
    p.insert("severity".into(), json!(severity_name(e.severity)));
    p.insert("start".into(), json!(crate::time::rfc3339_ms(e.start_ms)));
    if let Some(end) = e.end_ms {
        p.insert("end".into(), json!(crate::time::rfc3339_ms(end)));
    }
    p.insert("open".into(), json!(e.end_ms.is_none()));
    p.insert("vessels".into(), json!(s.vessels.join(",")));
    if let Some(pier) = pier_name(&e.evidence) {
        p.insert("pier".into(), json!(pier));
    }
    p.insert(
        "evidence".into(),
        json!(serde_json::to_string(&e.evidence).unwrap_or_default()),
    );
    tidewatch_importers::Feature {
        id: e.id.0,
        geometry: geo::Geometry::Point(geo::Point::new(at.lon, at.lat)),
        properties: p,
    }
}

/// The pier an event is about, if any.
fn pier_name(evidence: &tidewatch_alerts::Evidence) -> Option<&str> {
    use tidewatch_alerts::Evidence;
    match evidence {
        Evidence::NightPierApproach { pier, .. } | Evidence::RepeatVisit { pier, .. } => {
            Some(&pier.name)
        }
        _ => None,
    }
}

#[async_trait::async_trait]
impl crate::store::LayerSource for EventsLayer {
    fn info(&self) -> &crate::store::LayerInfo {
        &self.info
    }

    async fn tile(
        &self,
        tile: tidewatch_tiles::TileId,
    ) -> Result<tidewatch_tiles::TileBytes, crate::store::SourceError> {
        Ok(self.current()?.encode_tile(tile))
    }

    async fn features_in(
        &self,
        bbox: [f64; 4],
        limit: usize,
    ) -> Result<Vec<tidewatch_importers::Feature>, crate::store::SourceError> {
        Ok(self.current()?.features_intersecting(bbox, limit))
    }

    async fn items(
        &self,
        query: &crate::ogc::ItemsQuery,
    ) -> Result<crate::ogc::ItemsPage, crate::store::SourceError> {
        Ok(self.current()?.items_page(query))
    }

    async fn feature(
        &self,
        id: u64,
    ) -> Result<Option<tidewatch_importers::Feature>, crate::store::SourceError> {
        Ok(self
            .current()?
            .features()
            .iter()
            .find(|f| f.id == id)
            .cloned())
    }

    fn version(&self) -> u64 {
        self.alerts.version()
    }

    fn max_age_s(&self) -> Option<u32> {
        Some(2)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// Writes every event change into the PostGIS `events` table (upsert by id), off the rule
/// engine's path; while the database is away the changes wait (up to the broadcast
/// buffer) and are retried with backoff.
pub fn persist_events(pool: sqlx::PgPool, alerts: &Arc<Alerts>, role: Arc<crate::cluster::Role>) {
    let instance = super::now_ms();
    let mut rx = alerts.subscribe();
    tokio::spawn(async move {
        loop {
            let message = match rx.recv().await {
                Ok(m) => m,
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    metrics::counter!("tidewatch_events_persist_missed_total").increment(n);
                    continue;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            };
            // Every instance raises the same events; one writes them.
            if !role.is_writer() {
                continue;
            }
            let mut wait = Duration::from_millis(200);
            while let Err(e) = write_event(&pool, instance, &message["event"]).await {
                tracing::warn!("cannot write an event to PostGIS, retrying in {wait:?}: {e}");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(10));
            }
        }
    });
}

async fn write_event(pool: &sqlx::PgPool, instance: i64, e: &Value) -> Result<(), sqlx::Error> {
    let vessels: Vec<String> = e["vessels"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    sqlx::query(
        "INSERT INTO events (id, type, severity, start_at, end_at, vessels, geom, evidence, closing)
         VALUES ($1, $2, $3, $4::timestamptz, $5::timestamptz, $6, ST_SetSRID(ST_MakePoint($7, $8), 4326), $9, $10)
         ON CONFLICT (id) DO UPDATE SET severity = EXCLUDED.severity, end_at = EXCLUDED.end_at,
             geom = EXCLUDED.geom, closing = EXCLUDED.closing, updated_at = now()",
    )
    .bind(format!("{instance}-{}", e["id"]))
    .bind(e["type"].as_str())
    .bind(e["severity"].as_str())
    .bind(e["start"].as_str())
    .bind(e["end"].as_str())
    .bind(vessels)
    .bind(e["lon"].as_f64())
    .bind(e["lat"].as_f64())
    .bind(&e["evidence"])
    .bind(e.get("closing").filter(|c| !c.is_null()))
    .execute(pool)
    .await
    .map(|_| ())
}
