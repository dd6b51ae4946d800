//! Writes every glyph range of the bundled font as static files,
//! `OUT_DIR/Noto Sans Regular/{start}-{end}.pbf`, e.g. to inspect them or to check them in
//! a browser: `cargo run -p tidewatch-glyphs --example write_ranges -- /tmp/glyphs`.

use std::{
    env, fs,
    path::PathBuf,
    process::ExitCode,
    time::{Duration, Instant},
};

use tidewatch_glyphs::GlyphFont;

fn main() -> ExitCode {
    let Some(out) = env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: write_ranges OUT_DIR");
        return ExitCode::from(2);
    };
    let font = GlyphFont::bundled();
    let dir = out.join(font.name());
    if let Err(e) = fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    let t = Instant::now();
    let (mut bytes, mut slowest) = (0, (Duration::ZERO, 0));
    for start in (0..=65280).step_by(256) {
        let one = Instant::now();
        let pbf = font.range_pbf(start).expect("aligned range start");
        slowest = slowest.max((one.elapsed(), start));
        let path = dir.join(format!("{}-{}.pbf", start, start + 255));
        if let Err(e) = fs::write(&path, &pbf) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        bytes += pbf.len();
    }
    eprintln!(
        "wrote 256 ranges ({bytes} bytes) to {} in {:?}; slowest {}-{} took {:?}",
        dir.display(),
        t.elapsed(),
        slowest.1,
        slowest.1 + 255,
        slowest.0
    );
    ExitCode::SUCCESS
}
