//! The `tidewatch` binary as a user runs it: help, refusing to start without its
//! database, and import errors that name the file.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn tidewatch() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tidewatch"));
    c.env_remove("DATABASE_URL").env("RUST_BACKTRACE", "0");
    c
}

#[test]
fn help_lists_every_subcommand() {
    let out = tidewatch().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for sub in ["serve", "demo", "migrate", "import", "export"] {
        assert!(text.contains(sub), "{sub} missing from:\n{text}");
    }
    let out = tidewatch().args(["serve", "--help"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("--listen")
            && text.contains("TIDEWATCH_LISTEN")
            && text.contains("--database-url"),
        "{text}"
    );
}

#[test]
fn serve_exits_with_a_clear_message_when_postgis_is_down() {
    let started = Instant::now();
    let out = tidewatch()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            "postgres://tidewatch:hunter2@127.0.0.1:1/tidewatch",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "gave up in {:?}",
        started.elapsed()
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot connect to PostGIS at postgres://tidewatch:***@127.0.0.1:1/tidewatch"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "the password leaked: {err}");
}

#[test]
fn a_bad_import_names_the_file_and_feature_and_writes_nothing() {
    let dir = std::env::temp_dir().join(format!("tw-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("layers")).unwrap();
    let bad = dir.join("bad.geojson");
    std::fs::write(
        &bad,
        r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","geometry":{"type":"Point","coordinates":[121.9,29.2]},"properties":{}},
            {"type":"Feature","geometry":{"type":"Point","coordinates":[397619,3232738]},"properties":{}}]}"#,
    )
    .unwrap();
    let out = tidewatch()
        .arg("import")
        .arg(&bad)
        .args(["--layer", "bad"])
        .arg("--layers-dir")
        .arg(dir.join("layers"))
        .arg("--import-dir")
        .arg(dir.join("imported"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.geojson") && err.contains("feature 2") && err.contains("--crs"),
        "{err}"
    );
    assert!(
        !dir.join("imported").exists()
            && std::fs::read_dir(dir.join("layers"))
                .unwrap()
                .next()
                .is_none()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
