//! The Dockerfile's run stage, without Docker (no engine runs here): the files its `COPY`
//! lines put in the image, laid out under its `WORKDIR`, with its `ENV`, run by its
//! `ENTRYPOINT` and `CMD` as a user without privileges, must serve the map page, the demo
//! layers and `/health` (its `HEALTHCHECK`). A change to the Dockerfile that leaves out
//! a folder the server needs, or a `CMD` it no longer accepts, fails here.

mod common;

use common::try_request;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What the run stage (the last `FROM`) says.
#[derive(Default, Debug)]
struct RunStage {
    workdir: String,
    /// (source in the build context, destination relative to the workdir)
    copies: Vec<(String, String)>,
    env: Vec<(String, String)>,
    entrypoint: Vec<String>,
    cmd: Vec<String>,
    user: String,
}

fn run_stage(dockerfile: &str) -> RunStage {
    // Continuation lines joined, comments dropped.
    let joined = dockerfile
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
        .replace("\\\n", " ");
    let last_stage = joined
        .rsplit_once("\nFROM ")
        .map(|(_, s)| s)
        .expect("a second FROM");
    let mut stage = RunStage::default();
    for line in last_stage.lines().map(str::trim) {
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        match word {
            "WORKDIR" => stage.workdir = rest.trim().to_owned(),
            "USER" => stage.user = rest.trim().to_owned(),
            "COPY" if !rest.starts_with("--from") => {
                let parts: Vec<&str> = rest.split_whitespace().collect();
                stage
                    .copies
                    .push((parts[0].to_owned(), parts[1].to_owned()));
            }
            "ENV" => {
                for pair in rest.split_whitespace() {
                    let (k, v) = pair.split_once('=').expect("ENV key=value");
                    stage.env.push((k.to_owned(), v.to_owned()));
                }
            }
            "ENTRYPOINT" => stage.entrypoint = serde_json::from_str(rest).expect("ENTRYPOINT [..]"),
            "CMD" => stage.cmd = serde_json::from_str(rest).expect("CMD [..]"),
            _ => {}
        }
    }
    stage
}

#[test]
fn the_images_files_and_command_serve_the_demo_map() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned();
    let stage = run_stage(&std::fs::read_to_string(root.join("Dockerfile")).unwrap());
    assert_eq!(stage.entrypoint, ["tidewatch"], "{stage:?}");
    assert!(
        !stage.user.is_empty() && stage.user != "root",
        "runs as root: {stage:?}"
    );

    let image = std::env::temp_dir().join(format!("tidewatch-image-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&image);
    let workdir = image.join(stage.workdir.trim_start_matches('/'));
    std::fs::create_dir_all(&workdir).unwrap();
    for (src, dest) in &stage.copies {
        copy_tree(&root.join(src), &workdir.join(dest));
    }
    std::fs::create_dir_all(workdir.join("data/imported")).unwrap();
    let bin = image.join("tidewatch");
    std::fs::copy(env!("CARGO_BIN_EXE_tidewatch"), &bin).unwrap();

    let port = free_port();
    let mut cmd = as_unprivileged(&image);
    cmd.arg(&bin)
        .args(&stage.cmd)
        .current_dir(&workdir)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin")
        .envs(stage.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        // The image listens on 0.0.0.0:8080; here a free port instead.
        .env("TIDEWATCH_LISTEN", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0);
    let server = KillOnDrop(cmd.spawn().expect("start the image's command"));
    let addr = format!("127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    let get = |path: &str| try_request(&addr, "GET", path, &[], b"").ok();
    while get("/health").map(|r| r.status) != Some(200) {
        assert!(
            Instant::now() < deadline,
            "the image's command never became healthy"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let page = get("/").unwrap();
    assert_eq!(page.status, 200);
    let page = page.text();
    assert!(
        page.contains("maplibre"),
        "map page: {}",
        &page[..page.len().min(300)]
    );
    let catalog = get("/catalog").unwrap();
    assert_eq!(catalog.status, 200);
    let catalog = catalog.text();
    for layer in [
        "coastline",
        "piers",
        "cameras",
        "radars",
        "tide_stations",
        "vessels",
    ] {
        assert!(
            catalog.contains(&format!("\"{layer}\"")),
            "{layer} missing from the image's catalog"
        );
    }
    let tile = get("/tiles/coastline,piers/12/3434/1700.mvt").unwrap();
    assert_eq!(tile.status, 200);
    drop(server);
    let _ = std::fs::remove_dir_all(&image);
}

/// `Command` for a user without privileges: `nobody` through runuser when this runs as root.
fn as_unprivileged(image: &Path) -> Command {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .unwrap()
        .stdout
        .starts_with(b"0\n");
    if !root {
        return Command::new("env");
    }
    // nobody must be able to read the copy and write data/imported.
    Command::new("chown")
        .args(["-R", "nobody"])
        .arg(image)
        .status()
        .unwrap();
    let mut c = Command::new("runuser");
    c.args(["-u", "nobody", "--"]);
    c
}

/// The server's whole process group: runuser does not pass a kill on to its child.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.0.id())])
            .status();
        let _ = self.0.wait();
    }
}

fn copy_tree(from: &Path, to: &PathBuf) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::copy(from, to).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
