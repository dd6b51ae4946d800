//! Regenerates the committed demo layers in `data/demo/` with the default seed:
//! `cargo run -p tidewatch-demo --example generate`.

use std::path::Path;
use std::time::Instant;
use tidewatch_demo::{write_demo, DEFAULT_SEED};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/demo"));
    let start = Instant::now();
    let written = write_demo(dir, DEFAULT_SEED)?;
    let elapsed = start.elapsed();
    for path in written {
        println!(
            "{:>9} bytes  {}",
            std::fs::metadata(&path)?.len(),
            path.display()
        );
    }
    println!("generated with seed {DEFAULT_SEED} in {elapsed:.2?}");
    Ok(())
}
