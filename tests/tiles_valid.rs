//! Every tile the county view needs, checked by the client-side checkers in ../shared/tools:
//! the MVT 2.1 wire rules (mvt_validate.py), TileJSON 3.0.0 (tilejson_check.py), and
//! MapLibre's own decoder (vt_decode.mjs: @mapbox/vector-tile + pbf).

use std::collections::BTreeMap;
use std::process::Command;
use tidewatch_e2e::*;

const ZOOMS: &str = "0-10";

fn bbox_arg() -> String {
    let [w, s, e, n] = COUNTY_BBOX;
    format!("--bbox={w},{s},{e},{n}")
}

/// Each layer alone, then the composite of all of them.
fn layer_sets() -> Vec<String> {
    let mut sets: Vec<String> = layers().iter().map(|l| l.def.id.clone()).collect();
    sets.push(all_layers_composite());
    sets
}

#[test]
fn mvt_validate_passes_every_tile_of_every_layer_and_the_composite_z0_to_z10() {
    let server = TestServer::shared();
    let tool = shared_tools().join("mvt_validate.py");
    let mut failures = Vec::new();
    for set in layer_sets() {
        let out = run(Command::new("python3").arg(&tool).args([
            "--url",
            &server.tile_template(&set),
            "--zoom",
            ZOOMS,
            &bbox_arg(),
        ]));
        let summary = summary_json(&out);
        let stdout = String::from_utf8_lossy(&out.stdout);
        // Empty tiles (204) count as valid without being printed; a run that only saw empty
        // tiles would check nothing, so at least one tile with data must have been validated.
        let with_data = stdout
            .lines()
            .filter(|l| l.starts_with("valid ") && !l.contains("layers={}"))
            .count();
        let tiles = summary["tiles"].as_u64().unwrap_or(0);
        let invalid = summary["invalid"].as_u64().unwrap_or(u64::MAX);
        println!("{set}: {summary} ({with_data} tiles with data)");
        if !out.status.success() || invalid != 0 || tiles == 0 || with_data == 0 {
            failures.push(format!(
                "mvt_validate.py on {set} (z{ZOOMS}, county bbox): tiles={tiles} invalid={invalid} \
                 with_data={with_data}\n{}",
                describe(&out)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn tilejson_check_passes_for_every_layer_and_the_composite() {
    let server = TestServer::shared();
    let tool = shared_tools().join("tilejson_check.py");
    let mut failures = Vec::new();
    for set in layer_sets() {
        let url = format!("{}/tiles/{set}.json", server.base);
        let out = run(Command::new("python3").arg(&tool).arg(&url));
        let summary = summary_json(&out);
        let stdout = String::from_utf8_lossy(&out.stdout);
        println!("{url}: {summary}");
        if !out.status.success()
            || summary["errors"] != 0
            || stdout.contains("Access-Control-Allow-Origin")
        {
            failures.push(format!("tilejson_check.py {url}\n{}", describe(&out)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// vt_decode.mjs's `--url` mode walks whole zoom levels of the world, far too many tiles at
/// z10; so the composite's tiles over the county at z0–z10 are saved as `z/x/y.mvt` files
/// (every one the server answers with data, half of them as gzip bodies) and decoded from
/// there. Its per-layer feature counts must equal geozero's.
#[test]
fn vt_decode_decodes_the_composite_z0_to_z10_like_maplibre() {
    let server = TestServer::shared();
    let tools = e2e_tools();
    let composite = all_layers_composite();
    let dir = out_dir(env!("CARGO_TARGET_TMPDIR"), "vt_decode_composite");
    let mut files = Vec::new();
    let mut expected: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for z in 0..=10u8 {
        for (i, t) in tiles_in_lonlat_bbox(z, COUNTY_BBOX).into_iter().enumerate() {
            let gzip = i % 2 == 0;
            let r = server.get_with(
                &tile_path(&composite, t),
                if gzip {
                    &[("Accept-Encoding", "gzip")]
                } else {
                    &[]
                },
            );
            match r.status {
                204 => continue,
                200 => {}
                s => panic!("{} answered {s}: {}", tile_path(&composite, t), r.text()),
            }
            let counts = decode_mvt(&r.body)
                .layers
                .iter()
                .map(|l| (l.name.clone(), l.features.len()))
                .collect();
            let path = dir.join(format!("{}/{}/{}.mvt", t.z, t.x, t.y));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &r.body).unwrap();
            expected.insert(path.display().to_string(), counts);
            files.push(path);
        }
    }
    assert!(
        files.len() > 10,
        "only {} composite tiles with data over the county at z0–z10",
        files.len()
    );

    let out = run(Command::new("node")
        .arg(tools.join("vt/vt_decode.mjs"))
        .args(&files));
    let summary = summary_json(&out);
    assert!(
        out.status.success() && summary["failed"] == 0 && summary["tiles"] == files.len() as u64,
        "vt_decode.mjs on {} composite tiles: {summary}\n{}",
        files.len(),
        describe(&out)
    );
    // `ok FILE {"layer":count,...}` per tile.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut seen = 0;
    for line in stdout.lines().filter(|l| l.starts_with("ok ")) {
        let (name, counts) = line[3..].split_once(' ').expect("ok NAME COUNTS");
        let counts: BTreeMap<String, usize> = serde_json::from_str(counts).expect("counts JSON");
        assert_eq!(
            Some(&counts),
            expected.get(name),
            "{name}: @mapbox/vector-tile and geozero disagree"
        );
        seen += 1;
    }
    assert_eq!(
        seen,
        files.len(),
        "vt_decode.mjs reported {seen} of {} tiles",
        files.len()
    );

    // And over HTTP the way vt_decode fetches (node's fetch, gzip negotiated), whole world z0–z4.
    let out = run(Command::new("node")
        .arg(tools.join("vt/vt_decode.mjs"))
        .args([
            "--url",
            &server.tile_template(&composite),
            "--zoom",
            "0-4",
            "-q",
        ]));
    let summary = summary_json(&out);
    assert!(
        out.status.success() && summary["failed"] == 0 && summary["tiles"] == 341,
        "vt_decode.mjs --url z0–4: {summary}\n{}",
        describe(&out)
    );
}
