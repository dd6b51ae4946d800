//! Webhook notifications: each configured `[[webhooks]]` receiver gets an HTTP POST for
//! every early-warning event that opens at or above its `min_severity` (default `high`),
//! and for an open event whose severity rises to that level (once per event).
//!
//! # The request
//!
//! ```text
//! POST <url>
//! Content-Type: application/json
//! X-Tidewatch-Event: opened                     (or severity)
//! X-Tidewatch-Delivery: 42-1                    (event id - attempt, from 1)
//! X-Tidewatch-Timestamp: 1795788000             (Unix seconds when this attempt was sent)
//! X-Tidewatch-Signature: sha256=5bdcc146bf…     (64 lowercase hex digits)
//!
//! {"type": "opened", "event": {"id": 42, "type": "dark_vessel", "severity": "high", …}}
//! ```
//!
//! The body is the same JSON message `/events/stream` pushes.
//!
//! # Verifying a delivery
//!
//! As with Stripe's and GitHub's webhooks, the signature is
//! `HMAC-SHA256(secret, "<timestamp>.<body>")` in lowercase hex, where `<timestamp>` is the
//! `X-Tidewatch-Timestamp` header exactly as sent and `<body>` is the raw request body (the
//! bytes, before any JSON parsing). A receiver should compute it with its copy of the
//! shared secret, compare in constant time, and refuse timestamps more than a few minutes
//! from its own clock (replays). In Python:
//!
//! ```text
//! expected = hmac.new(secret, f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
//! ok = hmac.compare_digest("sha256=" + expected, signature_header)
//! ```
//!
//! Every attempt is signed afresh with its own timestamp. A retried delivery carries the
//! same body and event id, so a receiver can deduplicate on the event id.
//!
//! # Retries and back-pressure
//!
//! A connection error, no answer within 10 s, a 5xx or a 429 is retried after 1 s, 2 s,
//! 4 s … up to `max_attempts` attempts in all (default 6); any other 4xx is final. Each
//! webhook has its own task and its own queue of at most 1,000 deliveries: beyond that the
//! oldest waiting deliveries are dropped and counted. The broadcast of events is drained
//! by a separate task that only filters and queues, so a slow or dead receiver never holds
//! up ingest or the rule engine; if even that task falls behind, the missed messages are
//! counted (`tidewatch_webhook_missed_total`).
//!
//! Metrics: `tidewatch_webhook_deliveries_total{webhook, result}` with `result` one of
//! `delivered`, `retried` (one per retry), `failed` (given up) and `dropped` (queue full).
//!
//! # Plain HTTP only
//!
//! URLs must be `http://`. To reach an `https://` receiver, point the webhook at a
//! TLS-terminating forward proxy (nginx, HAProxy, stunnel) on a trusted network; the
//! signature still authenticates every body end to end.

use super::alerts::Alerts;
use hmac::{Hmac, KeyInit, Mac};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;
use serde_json::Value;
use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, Notify};

/// Deliveries waiting per webhook; beyond this the oldest are dropped.
pub const QUEUE_LIMIT: usize = 1_000;
/// How long one attempt may take (connecting, sending, the response's head).
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// The first retry's wait; each later one doubles, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// Open events remembered as sent (closures forget them).
const MAX_REMEMBERED: usize = 100_000;

/// Event severities in order, for `min_severity`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Low,
    Medium,
    #[default]
    High,
}

impl Level {
    fn parse(s: &str) -> Option<Level> {
        match s {
            "low" => Some(Level::Low),
            "medium" => Some(Level::Medium),
            "high" => Some(Level::High),
            _ => None,
        }
    }
}

/// One `[[webhooks]]` table of the config file.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// Names the webhook in logs and metrics.
    pub name: String,
    /// `http://host[:port]/path`.
    pub url: String,
    /// The shared secret the signature is made with (required).
    #[serde(default)]
    pub secret: Option<String>,
    /// The lowest severity notified: `low`, `medium` or `high` (the default).
    #[serde(default)]
    pub min_severity: Level,
    /// Attempts per delivery, the first included.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
}

fn default_max_attempts() -> u32 {
    6
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            name: String::new(),
            url: String::new(),
            secret: None,
            min_severity: Level::High,
            max_attempts: default_max_attempts(),
        }
    }
}

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("min_severity", &self.min_severity)
            .field("max_attempts", &self.max_attempts)
            .finish()
    }
}

/// A checked webhook, ready to run.
struct Webhook {
    name: String,
    uri: hyper::Uri,
    secret: Vec<u8>,
    min_severity: Level,
    max_attempts: u32,
}

fn check(config: &WebhookConfig) -> anyhow::Result<Webhook> {
    let name = &config.name;
    if name.trim().is_empty() {
        anyhow::bail!("webhook with url {:?}: name is missing", config.url);
    }
    let uri: hyper::Uri = config
        .url
        .parse()
        .map_err(|e| anyhow::anyhow!("webhook {name:?}: url {:?}: {e}", config.url))?;
    if uri.scheme_str() != Some("http") || uri.host().is_none() {
        anyhow::bail!(
            "webhook {name:?}: url {:?} must be http://host[:port]/path (for HTTPS put a \
             TLS-terminating proxy in between)",
            config.url
        );
    }
    let secret = match config.secret.as_deref() {
        Some(s) if !s.is_empty() => s.as_bytes().to_vec(),
        _ => anyhow::bail!("webhook {name:?}: secret is missing"),
    };
    if config.max_attempts == 0 {
        anyhow::bail!("webhook {name:?}: max_attempts must be at least 1");
    }
    Ok(Webhook {
        name: name.clone(),
        uri,
        secret,
        min_severity: config.min_severity,
        max_attempts: config.max_attempts,
    })
}

/// Checks every webhook, then starts a task pair for each on `alerts`' messages. A bad
/// URL or a missing secret is an error naming the webhook (and nothing starts).
/// Only while `role` is the writer does this instance send (one call per event across
/// instances).
pub fn start(
    alerts: &Alerts,
    configs: &[WebhookConfig],
    role: Arc<crate::cluster::Role>,
) -> anyhow::Result<()> {
    let hooks = configs
        .iter()
        .map(check)
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut names = HashSet::new();
    for hook in &hooks {
        if !names.insert(hook.name.as_str()) {
            anyhow::bail!("webhook {:?} is configured twice", hook.name);
        }
    }
    if hooks.is_empty() {
        return Ok(());
    }
    let mut connector = HttpConnector::new();
    connector.set_connect_timeout(Some(ATTEMPT_TIMEOUT));
    connector.set_nodelay(true);
    let client: HttpClient = Client::builder(TokioExecutor::new()).build(connector);
    for hook in hooks {
        tracing::info!(webhook = %hook.name, url = %hook.uri, min_severity = ?hook.min_severity, "webhook notifications on");
        let hook = Arc::new(hook);
        let queue = Arc::new(Queue::default());
        tokio::spawn(listen(
            alerts.subscribe(),
            hook.clone(),
            queue.clone(),
            role.clone(),
        ));
        tokio::spawn(deliver_all(hook, queue, client.clone()));
    }
    Ok(())
}

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// One message to send.
struct Delivery {
    kind: String,
    event_id: u64,
    body: Bytes,
}

/// A bounded queue dropping its oldest entries, with a wake-up for the sender.
#[derive(Default)]
struct Queue {
    items: Mutex<VecDeque<Delivery>>,
    ready: Notify,
    closed: AtomicBool,
}

impl Queue {
    /// Queues `d`; returns how many older deliveries were dropped to make room.
    fn push(&self, d: Delivery) -> usize {
        let mut items = self.items.lock().unwrap_or_else(|e| e.into_inner());
        let mut dropped = 0;
        while items.len() >= QUEUE_LIMIT {
            items.pop_front();
            dropped += 1;
        }
        items.push_back(d);
        drop(items);
        self.ready.notify_one();
        dropped
    }

    fn pop(&self) -> Option<Delivery> {
        self.items
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop_front()
    }
}

/// Which messages a webhook wants: `opened` at or above its level, `severity` when an
/// event first reaches it. `notified` remembers the open events already sent.
fn wanted(message: &Value, min: Level, notified: &mut HashSet<u64>) -> Option<Delivery> {
    let kind = message.get("type")?.as_str()?;
    let event = message.get("event")?;
    let id = event.get("id")?.as_u64()?;
    let level = event
        .get("severity")
        .and_then(Value::as_str)
        .and_then(Level::parse);
    match kind {
        "closed" => {
            notified.remove(&id);
            return None;
        }
        "opened" | "severity" if level.is_some_and(|l| l >= min) => {
            if !notified.insert(id) {
                return None; // already sent for this event
            }
        }
        _ => return None,
    }
    if notified.len() > MAX_REMEMBERED {
        // Closures missed while lagging would otherwise leave ids behind for ever.
        notified.clear();
        notified.insert(id);
    }
    Some(Delivery {
        kind: kind.to_owned(),
        event_id: id,
        body: Bytes::from(serde_json::to_vec(message).ok()?),
    })
}

/// Drains the event broadcast promptly into the webhook's queue.
async fn listen(
    mut messages: broadcast::Receiver<Arc<Value>>,
    hook: Arc<Webhook>,
    queue: Arc<Queue>,
    role: Arc<crate::cluster::Role>,
) {
    let mut notified = HashSet::new();
    loop {
        match messages.recv().await {
            Ok(_) if !role.is_writer() => {}
            Ok(message) => {
                if let Some(d) = wanted(&message, hook.min_severity, &mut notified) {
                    let dropped = queue.push(d);
                    if dropped > 0 {
                        count(&hook.name, "dropped", dropped as u64);
                        tracing::warn!(webhook = %hook.name, dropped, "webhook queue full: oldest deliveries dropped");
                    }
                }
            }
            Err(broadcast::error::RecvError::Lagged(n)) => {
                metrics::counter!("tidewatch_webhook_missed_total", "webhook" => hook.name.clone())
                    .increment(n);
                tracing::warn!(webhook = %hook.name, missed = n, "webhook fell behind the event stream");
            }
            Err(broadcast::error::RecvError::Closed) => break,
        }
    }
    queue.closed.store(true, Ordering::Release);
    queue.ready.notify_one();
}

fn count(webhook: &str, result: &'static str, n: u64) {
    metrics::counter!("tidewatch_webhook_deliveries_total", "webhook" => webhook.to_owned(), "result" => result)
        .increment(n);
}

/// Sends the queue's deliveries one at a time, in order, until the event stream ends.
async fn deliver_all(hook: Arc<Webhook>, queue: Arc<Queue>, client: HttpClient) {
    loop {
        match queue.pop() {
            Some(d) => deliver(&hook, &client, &d).await,
            None if queue.closed.load(Ordering::Acquire) => return,
            None => queue.ready.notified().await,
        }
    }
}

/// What one attempt came to.
enum Outcome {
    Delivered,
    Retry(String),
    Final(String),
}

async fn deliver(hook: &Webhook, client: &HttpClient, d: &Delivery) {
    let mut backoff = FIRST_BACKOFF;
    for attempt in 1..=hook.max_attempts {
        let why = match attempt_once(hook, client, d, attempt).await {
            Outcome::Delivered => {
                count(&hook.name, "delivered", 1);
                return;
            }
            Outcome::Final(why) => {
                count(&hook.name, "failed", 1);
                tracing::warn!(webhook = %hook.name, event = d.event_id, attempt, %why, "webhook delivery refused; not retried");
                return;
            }
            Outcome::Retry(why) => why,
        };
        if attempt == hook.max_attempts {
            count(&hook.name, "failed", 1);
            tracing::warn!(webhook = %hook.name, event = d.event_id, attempt, %why, "webhook delivery failed; giving up");
            return;
        }
        count(&hook.name, "retried", 1);
        tracing::info!(webhook = %hook.name, event = d.event_id, attempt, %why, wait_s = backoff.as_secs(), "webhook delivery failed; retrying");
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

async fn attempt_once(hook: &Webhook, client: &HttpClient, d: &Delivery, attempt: u32) -> Outcome {
    let timestamp = super::now_ms().div_euclid(1000);
    let request = hyper::Request::post(hook.uri.clone())
        .header("Content-Type", "application/json")
        .header(
            "User-Agent",
            concat!("Tidewatch/", env!("CARGO_PKG_VERSION")),
        )
        .header("X-Tidewatch-Event", d.kind.as_str())
        .header("X-Tidewatch-Delivery", format!("{}-{attempt}", d.event_id))
        .header("X-Tidewatch-Timestamp", timestamp.to_string())
        .header(
            "X-Tidewatch-Signature",
            format!("sha256={}", sign(&hook.secret, timestamp, &d.body)),
        )
        .body(Full::new(d.body.clone()));
    let request = match request {
        Ok(r) => r,
        Err(e) => return Outcome::Final(format!("cannot build the request: {e}")),
    };
    match tokio::time::timeout(ATTEMPT_TIMEOUT, client.request(request)).await {
        Err(_) => Outcome::Retry(format!("no answer within {} s", ATTEMPT_TIMEOUT.as_secs())),
        Ok(Err(e)) => Outcome::Retry(format!("{e}")),
        Ok(Ok(response)) => {
            let status = response.status();
            // The response body is not read; dropping it closes the connection.
            if status.is_success() {
                Outcome::Delivered
            } else if status.is_server_error() || status.as_u16() == 429 {
                Outcome::Retry(format!("HTTP {status}"))
            } else {
                Outcome::Final(format!("HTTP {status}"))
            }
        }
    }
}

/// `hex(HMAC-SHA256(secret, "<timestamp>.<body>"))`.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac =
        Hmac::<sha2::Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex(&mac.finalize().into_bytes())
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        // RFC 4231 test case 2, then `sign` against the same MAC over "<timestamp>.<body>".
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex(&mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"k").unwrap();
        mac.update(b"12.{}");
        assert_eq!(sign(b"k", 12, b"{}"), hex(&mac.finalize().into_bytes()));
    }

    #[test]
    fn only_events_reaching_the_level_once() {
        let msg = |kind: &str, id: u64, severity: &str| json!({"type": kind, "event": {"id": id, "severity": severity}});
        let mut sent = HashSet::new();
        assert!(wanted(&msg("opened", 1, "medium"), Level::High, &mut sent).is_none());
        let d = wanted(&msg("severity", 1, "high"), Level::High, &mut sent).unwrap();
        assert_eq!((d.kind.as_str(), d.event_id), ("severity", 1));
        assert!(wanted(&msg("severity", 1, "high"), Level::High, &mut sent).is_none());
        assert!(wanted(&msg("closed", 1, "high"), Level::High, &mut sent).is_none());
        assert!(sent.is_empty());
        assert!(wanted(&msg("opened", 2, "high"), Level::High, &mut sent).is_some());
        assert!(wanted(&msg("opened", 3, "low"), Level::Low, &mut sent).is_some());
    }

    #[test]
    fn bad_urls_and_missing_secrets_name_the_webhook() {
        let base = WebhookConfig {
            name: "ops".into(),
            url: "http://127.0.0.1:9/hook".into(),
            secret: Some("s".into()),
            ..Default::default()
        };
        assert!(check(&base).is_ok());
        for bad in [
            WebhookConfig {
                url: "https://example.org/hook".into(),
                ..base.clone()
            },
            WebhookConfig {
                url: "example.org/hook".into(),
                ..base.clone()
            },
            WebhookConfig {
                secret: None,
                ..base.clone()
            },
            WebhookConfig {
                secret: Some(String::new()),
                ..base.clone()
            },
        ] {
            let e = check(&bad).err().unwrap().to_string();
            assert!(e.contains("\"ops\""), "{e}");
        }
    }

    #[test]
    fn webhooks_tables_in_the_config_file() {
        let c: crate::config::Config = toml::from_str(
            "[[webhooks]]\nname = \"ops\"\nurl = \"http://10.0.0.5:9000/tw\"\nsecret = \"x\"\n\n\
             [[webhooks]]\nname = \"all\"\nurl = \"http://h/\"\nsecret = \"y\"\n\
             min_severity = \"low\"\nmax_attempts = 2\n",
        )
        .unwrap();
        assert_eq!(c.webhooks.len(), 2);
        assert_eq!(
            (c.webhooks[0].min_severity, c.webhooks[0].max_attempts),
            (Level::High, 6)
        );
        assert_eq!(
            (c.webhooks[1].min_severity, c.webhooks[1].max_attempts),
            (Level::Low, 2)
        );
        assert!(
            !format!("{:?}", c.webhooks[0]).contains("\"x\""),
            "secrets stay out of logs"
        );
        assert!(toml::from_str::<crate::config::Config>(
            "[[webhooks]]\nname = \"a\"\nurl = \"http://h/\"\nsecret = \"s\"\nmin_severity = \"urgent\"\n"
        )
        .is_err());
    }

    #[test]
    fn a_full_queue_drops_the_oldest() {
        let q = Queue::default();
        let d = |id| Delivery {
            kind: "opened".into(),
            event_id: id,
            body: Bytes::new(),
        };
        for id in 0..QUEUE_LIMIT as u64 {
            assert_eq!(q.push(d(id)), 0);
        }
        assert_eq!(q.push(d(QUEUE_LIMIT as u64)), 1);
        assert_eq!(q.pop().unwrap().event_id, 1);
    }
}
