//! Webhook notifications end to end: a high-severity event (a vessel whose AIS goes dark
//! while its Beidou still reports) reaches a receiver this test runs on 127.0.0.1, signed
//! (checked with Python's `hmac`/`hashlib`, not our code) and retried after a 500; a
//! receiver that hangs or is down holds up neither ingest nor `/events`.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tidewatch::config::Config;
use tidewatch::live::webhooks::WebhookConfig;
use tidewatch_e2e::{test_config, try_request_with_body, Response, TestServer};

const TOKEN: &str = "webhook-test-token";
const SECRET: &str = "s3cret, with \"quotes\" and ünïcode";

/// One request as the receiver got it, and the status it answered.
#[derive(Debug, Clone)]
struct Received {
    answered: u16,
    request_line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {name} header in {:?}", self.headers))
    }
}

/// An HTTP/1.1 receiver answering the i-th request with `statuses[i]` (200 after them).
fn receiver(statuses: Vec<u16>) -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind receiver");
    let url = format!("http://{}/hooks/tidewatch", listener.local_addr().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let seen = got.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let n = seen.lock().unwrap().len();
            let status = statuses.get(n).copied().unwrap_or(200);
            if let Some(r) = answer(stream, status) {
                seen.lock().unwrap().push(r);
            }
        }
    });
    (url, got)
}

fn answer(stream: TcpStream, status: u16) -> Option<Received> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (k, v) = line.split_once(':')?;
        headers.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let reason = if status == 200 { "OK" } else { "Oops" };
    let mut out = stream;
    write!(
        out,
        "HTTP/1.1 {status} {reason}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
    )
    .ok()?;
    Some(Received {
        answered: status,
        request_line: request_line.trim_end().to_owned(),
        headers,
        body,
    })
}

/// A server whose AIS class A streams go dark after 2 s of silence.
fn server(webhooks: Vec<WebhookConfig>) -> TestServer {
    TestServer::start(Config {
        webhooks,
        ingest_token: Some(TOKEN.into()),
        alerts: serde_json::from_value(json!({
            "dark": {"ais_class_a_under_way_ms": 1000, "gap_factor": 2.0}
        }))
        .expect("alert config"),
        ..test_config()
    })
}

fn hook(name: &str, url: &str) -> WebhookConfig {
    WebhookConfig {
        name: name.into(),
        url: url.into(),
        secret: Some(SECRET.into()),
        ..Default::default()
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Posts positions, checking the answer is a quick 202.
fn ingest(server: &TestServer, positions: Value) -> Duration {
    let auth = format!("Bearer {TOKEN}");
    let started = Instant::now();
    let r: Response = try_request_with_body(
        server.addr,
        "POST",
        "/ingest/positions",
        &[
            ("Content-Type", "application/json"),
            ("Authorization", &auth),
        ],
        positions.to_string().as_bytes(),
    )
    .expect("POST /ingest/positions");
    let took = started.elapsed();
    assert_eq!(r.status, 202, "{}", r.text());
    took
}

/// One vessel reporting over AIS (class A, under way) and Beidou at the same moment.
fn both_streams(vessel: &str, at_ms: i64) -> Value {
    json!([
        {"id": vessel, "source": "ais", "time": at_ms, "lon": 121.95, "lat": 29.10, "speed": 8.0, "course": 90, "heading": 91},
        {"id": vessel, "source": "beidou", "time": at_ms, "lon": 121.95, "lat": 29.10, "speed": 8.0, "course": 90},
    ])
}

fn wait_for<T>(what: &str, limit: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `HMAC-SHA256(secret, "<timestamp>.<body>")` by Python's standard library.
fn python_signature(timestamp: &str, body: &[u8]) -> String {
    let mut child = Command::new("python3")
        .args([
            "-c",
            "import hmac, hashlib, sys\n\
             secret, ts = sys.argv[1].encode(), sys.argv[2].encode()\n\
             body = sys.stdin.buffer.read()\n\
             print('sha256=' + hmac.new(secret, ts + b'.' + body, hashlib.sha256).hexdigest())",
            SECRET,
            timestamp,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child.stdin.take().unwrap().write_all(body).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "python3 failed");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// The value of the deliveries counter for one webhook and result, from `/metrics`.
fn deliveries(server: &TestServer, webhook: &str, result: &str) -> f64 {
    let text = server.get("/metrics").text();
    text.lines()
        .filter(|l| l.starts_with("tidewatch_webhook_deliveries_total{"))
        .filter(|l| {
            l.contains(&format!("webhook=\"{webhook}\""))
                && l.contains(&format!("result=\"{result}\""))
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[test]
fn high_events_are_posted_signed_and_retried_after_a_500() {
    let (url, got) = receiver(vec![500]);
    let server = server(vec![hook("ops", &url)]);
    let t0 = now_ms();
    ingest(&server, both_streams("412000101", t0));
    // AIS is dark 2 s after its report; the first attempt gets a 500, the retry 1 s later a 200.
    let received = wait_for("two webhook requests", Duration::from_secs(30), || {
        let got = got.lock().unwrap();
        (got.len() >= 2).then(|| got.clone())
    });
    let (first, second) = (&received[0], &received[1]);
    assert_eq!((first.answered, second.answered), (500, 200));
    for r in [first, second] {
        assert_eq!(r.request_line, "POST /hooks/tidewatch HTTP/1.1");
        assert_eq!(r.header("Content-Type"), "application/json");
        assert_eq!(r.header("X-Tidewatch-Event"), "opened");
        let ts: i64 = r
            .header("X-Tidewatch-Timestamp")
            .parse()
            .expect("Unix seconds");
        assert!((ts - now_ms() / 1000).abs() < 60, "timestamp {ts}");
        assert_eq!(
            r.header("X-Tidewatch-Signature"),
            python_signature(r.header("X-Tidewatch-Timestamp"), &r.body),
            "the signature is HMAC-SHA256 over <timestamp>.<body>"
        );
        // Another secret or another body does not verify.
        assert_ne!(
            r.header("X-Tidewatch-Signature"),
            python_signature(r.header("X-Tidewatch-Timestamp"), b"{}")
        );
    }
    assert_eq!(first.body, second.body, "a retry sends the same message");
    let message: Value = serde_json::from_slice(&second.body).expect("JSON body");
    assert_eq!(message["type"], "opened");
    let event = &message["event"];
    assert_eq!(event["type"], "dark_vessel");
    assert_eq!(event["severity"], "high");
    assert_eq!(event["vessels"], json!(["412000101"]));
    assert_eq!(event["evidence"]["other_stream_reporting"], true, "{event}");
    let id = event["id"].as_u64().expect("event id");
    assert_eq!(first.header("X-Tidewatch-Delivery"), format!("{id}-1"));
    assert_eq!(second.header("X-Tidewatch-Delivery"), format!("{id}-2"));
    // The same event is listed by /events; nothing else was sent.
    let events = server.get("/events").json();
    assert!(
        events["features"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"].as_u64() == Some(id)),
        "{events}"
    );
    std::thread::sleep(Duration::from_millis(2_500));
    assert_eq!(got.lock().unwrap().len(), 2, "one event, one delivery");
    assert_eq!(deliveries(&server, "ops", "delivered"), 1.0);
    assert_eq!(deliveries(&server, "ops", "retried"), 1.0);
    assert_eq!(deliveries(&server, "ops", "failed"), 0.0);
}

#[test]
fn a_hanging_or_dead_receiver_holds_up_neither_ingest_nor_events() {
    // One receiver accepts connections and never answers; the other's port is closed.
    let hanging = TcpListener::bind("127.0.0.1:0").unwrap();
    let hanging_url = format!("http://{}/hook", hanging.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in hanging.incoming() {
            held.push(s);
        }
    });
    let down = TcpListener::bind("127.0.0.1:0").unwrap();
    let down_url = format!("http://{}/hook", down.local_addr().unwrap());
    drop(down);
    let server = server(vec![hook("hanging", &hanging_url), hook("down", &down_url)]);
    let t0 = now_ms();
    // Several vessels, each going dark on AIS while Beidou reports: many high events.
    let vessels: Vec<String> = (0..20).map(|i| format!("4120002{i:02}")).collect();
    for v in &vessels {
        let took = ingest(&server, both_streams(v, t0));
        assert!(took < Duration::from_secs(2), "ingest took {took:?}");
    }
    let listed = wait_for(
        "the dark vessels in /events",
        Duration::from_secs(30),
        || {
            let events = server.get("/events?type=dark_vessel").json();
            let high: Vec<Value> = events["features"]
                .as_array()?
                .iter()
                .filter(|f| f["properties"]["severity"] == "high")
                .cloned()
                .collect();
            (high.len() >= vessels.len()).then_some(high)
        },
    );
    assert_eq!(listed.len(), vessels.len());
    // Beidou keeps reporting while deliveries hang and fail: every batch still answers fast.
    for _ in 0..20 {
        for v in vessels.iter().take(5) {
            let took = ingest(
                &server,
                json!([{"id": v, "source": "beidou", "time": now_ms(), "lon": 121.95, "lat": 29.10, "speed": 8.0, "course": 90}]),
            );
            assert!(took < Duration::from_secs(2), "ingest took {took:?}");
        }
    }
    // The dead receiver's deliveries are being retried (connection refused), not blocking.
    wait_for(
        "retries to the dead receiver",
        Duration::from_secs(15),
        || (deliveries(&server, "down", "retried") >= 1.0).then_some(()),
    );
    assert_eq!(deliveries(&server, "down", "delivered"), 0.0);
    assert_eq!(deliveries(&server, "hanging", "delivered"), 0.0);
}

#[test]
fn a_webhook_without_a_secret_or_with_https_does_not_start() {
    for (bad, needle) in [
        (
            WebhookConfig {
                secret: None,
                ..hook("nosecret", "http://127.0.0.1:9/hook")
            },
            "secret is missing",
        ),
        (hook("tls", "https://127.0.0.1:9/hook"), "must be http://"),
    ] {
        let name = bad.name.clone();
        let rt = tokio::runtime::Runtime::new().unwrap();
        let e = rt
            .block_on(tidewatch::serve::build_state(Config {
                webhooks: vec![bad],
                ..test_config()
            }))
            .err()
            .expect("a bad webhook is a startup error")
            .to_string();
        assert!(
            e.contains(&format!("{name:?}")) && e.contains(needle),
            "{e}"
        );
    }
}
