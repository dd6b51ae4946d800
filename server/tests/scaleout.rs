//! Two instances behind nginx on one PostGIS, started by `deploy/loopback.sh` (the
//! docker-compose topology from Debian packages): an import through one instance reaches
//! the other's tiles within 2 s; an AIS message sent to one reaches the other's
//! `/vessels` and `/live` within 1 s; killing an instance under load loses no request and
//! it catches up when it comes back; a PostgreSQL restart during ingest loses no
//! acknowledged position and the instances reconnect by themselves.
//!
//! Needs `DATABASE_URL` (a local PostgreSQL whose cluster this test may restart), nginx,
//! curl and wrk: `scripts/test` provides them. Without `DATABASE_URL` it is skipped, except
//! under CI or `TIDEWATCH_REQUIRE_POSTGIS`, where that is a failure.

mod common;

use common::{get, request, try_request};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

const ADMIN_TOKEN: &str = "scale-out-admin";
const INGEST_TOKEN: &str = "scale-out-ingest";
/// The restart scenario's vessels are 414000001, 414000002, …
const FIRST_RESTART_MMSI: u32 = 414_000_000;

#[test]
fn two_instances_behind_nginx_on_one_postgis() {
    let Some(admin_url) = database_url() else {
        return;
    };
    let topology = Topology::up(&admin_url);
    assert_eq!(
        topology.event_writers(),
        [true, false],
        "the first instance up writes events"
    );
    import_through_a_reaches_tiles_from_b(&topology);
    ais_sent_to_a_reaches_b(&topology);
    killing_an_instance_under_load_loses_no_request(&topology);
    postgres_restart_during_ingest_loses_no_acknowledged_position(&topology);
}

// ------------------------------------------------------------------ scenarios

fn import_through_a_reaches_tiles_from_b(t: &Topology) {
    let (a, b) = (t.instance(1), t.instance(2));
    let import = |lon: f64, rev: u32| {
        let body = format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"rev":{rev}}},
                "geometry":{{"type":"Point","coordinates":[{lon},29.2]}}}}]}}"#
        );
        let r = request(
            &a,
            "POST",
            "/admin/layers/scaleout_probe/import?filename=probe.geojson",
            &[("Authorization", &format!("Bearer {ADMIN_TOKEN}"))],
            body.as_bytes(),
        );
        assert_eq!(r.status, 200, "import through A: {}", r.text());
    };
    // z10 tile 858/425 holds both points (121.90 E and 121.95 E, 29.2 N).
    let tile = "/tiles/scaleout_probe/10/858/425.mvt";
    import(121.90, 1);
    let started = Instant::now();
    let first = wait_for(Duration::from_secs(2), || {
        let r = get(&b, tile);
        (r.status == 200).then_some(r.body)
    })
    .unwrap_or_else(|| {
        panic!(
            "B never served the layer imported through A: {}",
            get(&b, tile).text()
        )
    });
    println!(
        "new layer: imported through A, in B's tiles after {:?}",
        started.elapsed()
    );
    // B's tile cache now holds the tile; a second import must clear it.
    assert_eq!(get(&b, tile).body, first);
    import(121.95, 2);
    let started = Instant::now();
    wait_for(Duration::from_secs(2), || {
        (get(&b, tile).body != first).then_some(())
    })
    .expect("B's tile did not change within 2 s of the import through A");
    println!(
        "changed layer: imported through A, B's tile changed after {:?}",
        started.elapsed()
    );
}

fn ais_sent_to_a_reaches_b(t: &Topology) {
    let (a_nmea, b) = (t.nmea(1), t.instance(2));
    let mmsi = 413_999_001;
    let stream = SseReader::open(&b, "/live");
    let sent = Instant::now();
    send_ais(&a_nmea, mmsi, 121.95, 29.25);
    let in_vessels = wait_for(Duration::from_secs(1), || {
        (get(&b, &format!("/vessels/{mmsi}")).status == 200).then(|| sent.elapsed())
    })
    .expect("the AIS position sent to A was not in B's /vessels within 1 s");
    let in_live = stream
        .wait_for(&mmsi.to_string(), Duration::from_secs(1))
        .map(|at| at - sent)
        .expect("the AIS position sent to A was not on B's /live within 1 s");
    println!("AIS to A: in B's /vessels after {in_vessels:?}, on B's /live after {in_live:?}");
}

fn killing_an_instance_under_load_loses_no_request(t: &Topology) {
    let front = t.front();
    let paths: Vec<String> = (0..4)
        .flat_map(|dx| {
            (0..4)
                .map(move |dy| format!("/tiles/coastline,piers/12/{}/{}.mvt", 3434 + dx, 1700 + dy))
        })
        .collect();
    // Each answer as it must stay: 200 with the tile, or 204 for an empty one.
    let expected: Vec<(u16, Vec<u8>)> = paths
        .iter()
        .map(|p| {
            let r = get(&front, p);
            (r.status, r.body)
        })
        .collect();
    assert!(
        expected.iter().filter(|(status, _)| *status == 200).count() >= 4,
        "too few tiles with data among {paths:?}"
    );
    let wrk = Command::new("wrk")
        .args(["-t1", "-c8", "-d6s", &format!("http://{front}{}", paths[0])])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("wrk runs (apt install wrk)");
    let stop = Arc::new(AtomicBool::new(false));
    let checkers: Vec<_> = (0..2)
        .map(|k| {
            let (paths, expected, stop, front) =
                (paths.clone(), expected.clone(), stop.clone(), front.clone());
            std::thread::spawn(move || {
                let (mut ok, mut wrong) = (0usize, Vec::new());
                let mut i = k;
                while !stop.load(Ordering::Relaxed) {
                    let r = try_request(&front, "GET", &paths[i % paths.len()], &[], b"");
                    match r {
                        Ok(r)
                            if (r.status, &r.body)
                                == (expected[i % paths.len()].0, &expected[i % paths.len()].1) =>
                        {
                            ok += 1
                        }
                        Ok(r) => wrong.push(format!(
                            "{}: {} {}",
                            paths[i % paths.len()],
                            r.status,
                            r.text()
                        )),
                        Err(e) => wrong.push(format!("{}: {e}", paths[i % paths.len()])),
                    }
                    i += 1;
                }
                (ok, wrong)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(2));
    t.script(&["stop", "1"], &[("KILL", "1")]);
    std::thread::sleep(Duration::from_secs(3));
    stop.store(true, Ordering::Relaxed);
    let (mut ok, mut wrong) = (0, Vec::new());
    for c in checkers {
        let (o, w) = c.join().expect("checker thread");
        ok += o;
        wrong.extend(w);
    }
    let wrk = wrk.wait_with_output().expect("wrk finishes");
    let wrk_out = String::from_utf8_lossy(&wrk.stdout);
    println!("instance 1 killed under load: {ok} checked answers right\nwrk: {wrk_out}");
    assert!(
        wrong.is_empty(),
        "{} wrong answers through nginx, first: {:?}",
        wrong.len(),
        wrong.first()
    );
    assert!(ok > 20, "too few checked requests ({ok})");
    assert!(
        !wrk_out.contains("Non-2xx") && !wrk_out.contains("Socket errors"),
        "wrk saw failures:\n{wrk_out}"
    );

    // The other instance takes over writing events (within the 2 s lock check).
    wait_for(Duration::from_secs(4), || {
        (t.writer_flag(2) == Some(true)).then_some(())
    })
    .expect("instance 2 did not take over writing events");

    // Positions that arrive while instance 1 is down are there when it comes back.
    let mmsi = 413_999_002;
    send_ais(&t.nmea(2), mmsi, 121.96, 29.26);
    wait_for(Duration::from_secs(5), || {
        (t.stored_positions(&mmsi.to_string()) > 0).then_some(())
    })
    .expect("B stored the position");
    t.script(&["start", "1"], &[]);
    let restarted = t.instance(1);
    assert_eq!(
        get(&restarted, &format!("/vessels/{mmsi}")).status,
        200,
        "the restarted instance did not rebuild its live state from PostGIS"
    );
    assert_eq!(
        t.event_writers(),
        [false, true],
        "one writer after the restart"
    );
    // And it follows the others again.
    let mmsi = 413_999_003;
    send_ais(&t.nmea(2), mmsi, 121.97, 29.27);
    wait_for(Duration::from_secs(1), || {
        (get(&restarted, &format!("/vessels/{mmsi}")).status == 200).then_some(())
    })
    .expect("the restarted instance does not follow the other's positions");
}

fn postgres_restart_during_ingest_loses_no_acknowledged_position(t: &Topology) {
    let Some(pg_ctl) = t.postgres_control_command() else {
        return;
    };
    let a = t.instance(1);
    let stop = Arc::new(AtomicBool::new(false));
    let sender = {
        let (a, stop) = (a.clone(), stop.clone());
        std::thread::spawn(move || {
            let (mut acknowledged, mut refused) = (0usize, Vec::new());
            let mut n = 0u32;
            while !stop.load(Ordering::Relaxed) {
                // Ten AIS reports, one fresh MMSI each, as a receiver's batch.
                let body: String = (0..10)
                    .map(|_| {
                        n += 1;
                        ais_lines(FIRST_RESTART_MMSI + n, 121.9, 29.1)
                    })
                    .collect();
                match try_request(
                    &a,
                    "POST",
                    "/ingest/nmea",
                    &[("Authorization", &format!("Bearer {INGEST_TOKEN}"))],
                    body.as_bytes(),
                ) {
                    Ok(r) if r.status == 202 && r.text().contains(r#""accepted":10"#) => {
                        acknowledged += 10
                    }
                    Ok(r) => refused.push(format!("{} {}", r.status, r.text())),
                    Err(e) => refused.push(e.to_string()),
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            (acknowledged, refused)
        })
    };
    std::thread::sleep(Duration::from_secs(2));
    // Down for two seconds, then up again, while the sender goes on.
    for (action, then) in [("stop", 2), ("start", 0)] {
        let out = run(Command::new(&pg_ctl[0]).args(&pg_ctl[1..]).arg(action));
        assert!(
            out.status.success(),
            "PostgreSQL {action}: {}",
            describe(&out)
        );
        std::thread::sleep(Duration::from_secs(then));
    }
    std::thread::sleep(Duration::from_secs(3));
    stop.store(true, Ordering::Relaxed);
    let (acknowledged, refused) = sender.join().expect("sender thread");
    println!(
        "ingest across a PostgreSQL restart: {acknowledged} positions acknowledged, {} batches refused (first: {:?})",
        refused.len(),
        refused.first()
    );
    assert!(
        acknowledged > 500,
        "too few positions went in ({acknowledged})"
    );
    let started = Instant::now();
    let stored = wait_for(Duration::from_secs(30), || {
        let n = t.stored_vessels_from(FIRST_RESTART_MMSI);
        (n >= acknowledged).then_some(n)
    })
    .unwrap_or_else(|| {
        panic!(
            "acknowledged positions lost: {acknowledged} acknowledged, {} stored",
            t.stored_vessels_from(FIRST_RESTART_MMSI)
        )
    });
    assert_eq!(stored, acknowledged, "positions stored twice");
    println!("all stored {:?} after ingest ended", started.elapsed());
    // Both instances reconnected: a position sent to A reaches B again.
    let mmsi = 413_999_004;
    let sent = Instant::now();
    send_ais(&t.nmea(1), mmsi, 121.98, 29.28);
    wait_for(Duration::from_secs(10), || {
        (get(&t.instance(2), &format!("/vessels/{mmsi}")).status == 200).then_some(())
    })
    .expect("after the PostgreSQL restart, positions sent to A no longer reach B");
    println!("after the restart, A→B took {:?}", sent.elapsed());
}

// ------------------------------------------------------------------ the topology

/// `deploy/loopback.sh up` on a fresh database and free ports; `down` when dropped.
struct Topology {
    dir: PathBuf,
    port: u16,
    db: TestDb,
}

impl Topology {
    fn up(admin_url: &str) -> Topology {
        let db = TestDb::create(admin_url);
        let port = free_port_block();
        let dir = std::env::temp_dir().join(format!("tidewatch-scaleout-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let t = Topology { dir, port, db };
        let started = Instant::now();
        t.script(&["up"], &[]);
        println!("topology up in {:?}", started.elapsed());
        t
    }

    fn script(&self, args: &[&str], env: &[(&str, &str)]) {
        let mut cmd = Command::new("bash");
        cmd.arg(workspace_root().join("deploy/loopback.sh"))
            .args(args)
            .env("DEPLOY_DIR", &self.dir)
            .env("DEPLOY_PORT", self.port.to_string())
            .env("DATABASE_URL", &self.db.url)
            .env("TIDEWATCH_BIN", env!("CARGO_BIN_EXE_tidewatch"))
            .env("TIDEWATCH_ADMIN_TOKEN", ADMIN_TOKEN)
            .env("TIDEWATCH_INGEST_TOKEN", INGEST_TOKEN)
            .env("RUST_LOG", "info");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = run(&mut cmd);
        assert!(
            out.status.success(),
            "deploy/loopback.sh {args:?}: {}\nlogs in {}",
            describe(&out),
            self.dir.display()
        );
    }

    fn front(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn instance(&self, i: u16) -> String {
        format!("127.0.0.1:{}", self.port + i)
    }

    fn nmea(&self, i: u16) -> String {
        format!("127.0.0.1:{}", self.port + 100 + i)
    }

    /// Whether each instance says it writes events (the `tidewatch_event_writer` gauge).
    fn event_writers(&self) -> [bool; 2] {
        [1, 2].map(|i| {
            self.writer_flag(i)
                .unwrap_or_else(|| panic!("instance {i} has no writer gauge"))
        })
    }

    fn writer_flag(&self, i: u16) -> Option<bool> {
        let metrics = try_request(&self.instance(i), "GET", "/metrics", &[], b"")
            .ok()?
            .text();
        let line = metrics
            .lines()
            .find(|l| l.starts_with("tidewatch_event_writer "))?;
        Some(line.ends_with(" 1"))
    }

    fn stored_positions(&self, vessel: &str) -> usize {
        self.db.count(
            "SELECT count(*) FROM vessel_positions WHERE vessel_id = $1",
            vessel,
        )
    }

    /// Positions stored of vessels with MMSIs above `first` (one position each is sent).
    fn stored_vessels_from(&self, first: u32) -> usize {
        self.db.count(
            "SELECT count(*) FROM vessel_positions WHERE vessel_id > $1 AND vessel_id < '415'",
            &first.to_string(),
        )
    }

    /// The command that stops or starts (its last argument, left off here) the local
    /// cluster behind DATABASE_URL, or `None` (and a note) where this test may not: a
    /// remote database, or no root and no sudo. Under CI that is a failure.
    fn postgres_control_command(&self) -> Option<Vec<String>> {
        let url = url::Url::parse(&self.db.url).expect("DATABASE_URL is a URL");
        let port = url.port().unwrap_or(5432).to_string();
        let clusters = run(Command::new("pg_lsclusters").arg("-h"));
        let cluster = String::from_utf8_lossy(&clusters.stdout)
            .lines()
            .map(|l| l.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
            .find(|f| {
                f.len() > 2
                    && f[2] == port
                    && matches!(url.host_str(), Some("127.0.0.1" | "localhost"))
            });
        let is_root = run(Command::new("id").arg("-u")).stdout.starts_with(b"0\n");
        let can_sudo = || {
            run(Command::new("sudo").args(["-n", "true"]))
                .status
                .success()
        };
        match cluster {
            Some(f) if is_root || can_sudo() => {
                let mut cmd: Vec<String> = if is_root {
                    vec![]
                } else {
                    vec!["sudo".into(), "-n".into()]
                };
                cmd.extend(
                    ["pg_ctlcluster", "--skip-systemctl-redirect", &f[0], &f[1]].map(String::from),
                );
                Some(cmd)
            }
            _ => {
                assert!(!required(), "cannot restart the PostgreSQL behind {url} here, and this test may not be skipped");
                eprintln!(
                    "skipped the PostgreSQL restart: not a local cluster this user may restart"
                );
                None
            }
        }
    }
}

impl Drop for Topology {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(workspace_root().join("deploy/loopback.sh"))
            .arg("down")
            .env("DEPLOY_DIR", &self.dir)
            .env("DEPLOY_PORT", self.port.to_string())
            .output();
    }
}

/// Five ports in a block (front, two instances, two NMEA listeners) that are free now.
fn free_port_block() -> u16 {
    let base = 20_000 + (std::process::id() % 400) as u16 * 100;
    (0..40)
        .map(|k| base + k * 2_000 % 40_000)
        .find(|&p| {
            [p, p + 1, p + 2, p + 101, p + 102]
                .iter()
                .all(|&q| std::net::TcpListener::bind(("127.0.0.1", q)).is_ok())
        })
        .expect("a free block of ports")
}

fn required() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
        || std::env::var("TIDEWATCH_REQUIRE_POSTGIS").is_ok()
}

fn database_url() -> Option<String> {
    match std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        Some(url) => Some(url),
        None => {
            assert!(
                !required(),
                "DATABASE_URL is not set, and the scale-out test may not be skipped here"
            );
            eprintln!("skipped: DATABASE_URL is not set (scripts/test sets it up)");
            None
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_owned()
}

/// A fresh database for the topology, dropped at the end.
struct TestDb {
    url: String,
    admin_url: String,
    name: String,
}

impl TestDb {
    fn create(admin_url: &str) -> TestDb {
        let name = format!("tw_scaleout_{}", std::process::id());
        let mut url = url::Url::parse(admin_url).expect("DATABASE_URL is a URL");
        url.set_path(&name);
        let db = TestDb {
            url: url.to_string(),
            admin_url: admin_url.to_owned(),
            name,
        };
        db.admin(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", db.name));
        db.admin(&format!("CREATE DATABASE {}", db.name));
        db
    }

    fn admin(&self, sql: &str) {
        let out = run(Command::new("psql").args([&self.admin_url, "-qtAc", sql]));
        assert!(out.status.success(), "{sql}: {}", describe(&out));
    }

    /// `sql` with `$1` replaced by `arg` as a quoted literal (test-made values only).
    fn count(&self, sql: &str, arg: &str) -> usize {
        let literal = format!("'{}'", arg.replace('\'', "''"));
        let out =
            run(Command::new("psql").args([&self.url, "-qtAc", &sql.replace("$1", &literal)]));
        assert!(out.status.success(), "{sql}: {}", describe(&out));
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("a count")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args([
                &self.admin_url,
                "-qtAc",
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            ])
            .output();
    }
}

// ------------------------------------------------------------------ small clients

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

fn describe(out: &Output) -> String {
    format!(
        "{}\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Polls `check` every 10 ms until it gives a value or `limit` passes.
fn wait_for<T>(limit: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = check() {
            return Some(v);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// One AIS class A position report for `mmsi`, over TCP, as a receiver would send it.
fn send_ais(addr: &str, mmsi: u32, lon: f64, lat: f64) {
    let mut s = TcpStream::connect(addr).unwrap_or_else(|e| panic!("NMEA port {addr}: {e}"));
    s.write_all(ais_lines(mmsi, lon, lat).as_bytes())
        .expect("send NMEA");
}

/// The NMEA lines (CR LF ended) of an AIS class A position report.
fn ais_lines(mmsi: u32, lon: f64, lat: f64) -> String {
    let report = tidewatch_nmea::ais::PositionReport {
        msg_type: 1,
        mmsi,
        status: Some(0),
        speed: 85,
        lon: (lon * 600_000.0).round() as i32,
        lat: (lat * 600_000.0).round() as i32,
        course: 900,
        heading: 90,
        ..Default::default()
    };
    let mut lines = tidewatch_nmea::encode::position_sentences(&report, 'A', None).join("\r\n");
    lines.push_str("\r\n");
    lines
}

/// Lines of a Server-Sent Events stream, read on a thread, with when each arrived.
struct SseReader {
    lines: mpsc::Receiver<(Instant, String)>,
}

impl SseReader {
    fn open(addr: &str, path: &str) -> SseReader {
        let mut s = TcpStream::connect(addr).expect("connect for SSE");
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .expect("send");
        let (tx, lines) = mpsc::channel();
        let mut reader = BufReader::new(s);
        // The snapshot arrives first; wait for it so the stream is known to be live.
        let mut line = String::new();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !line.starts_with("event: snapshot") {
            line.clear();
            reader.read_line(&mut line).expect("read SSE");
            assert!(Instant::now() < deadline, "no snapshot event on {path}");
        }
        std::thread::spawn(move || {
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                if tx
                    .send((Instant::now(), std::mem::take(&mut line)))
                    .is_err()
                {
                    return;
                }
            }
        });
        SseReader { lines }
    }

    /// When a line holding `needle` arrived, waiting at most `limit`.
    fn wait_for(&self, needle: &str, limit: Duration) -> Option<Instant> {
        let deadline = Instant::now() + limit;
        while let Ok((at, line)) = self
            .lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            if line.contains(needle) {
                return Some(at);
            }
        }
        None
    }
}
