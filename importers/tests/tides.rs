//! Tide inputs: harmonic constants (the real Kanmen TICON-4 file, and CSV) and tide
//! tables, with an error naming the file and constituent or line for each bad input.

use std::path::Path;
use tidewatch_importers::tides::{
    parse_constants, parse_tide_table, read_constants, StationMeta, TideKind, TideTableOptions,
};

fn kanmen() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/demo/tides/kanmen-ticon4.json");
    std::fs::read_to_string(path).unwrap()
}

fn json_err(doc: &str) -> String {
    parse_constants("k.json", doc.as_bytes(), &StationMeta::default())
        .unwrap_err()
        .to_string()
}

#[test]
fn reads_the_kanmen_constants() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/demo/tides/kanmen-ticon4.json");
    let s = read_constants(&path, &StationMeta::default()).unwrap();
    assert_eq!(s.id, "ticon/kanmen-632a-chn-uhslc_rq");
    assert_eq!(s.name, s.id);
    assert_eq!((s.lon, s.lat), (121.282, 28.088));
    assert_eq!(s.datum, "TLT");
    assert_eq!(s.datums.len(), 11);
    assert_eq!(s.constituents.len(), 50);
    let m2 = &s.constituents[0];
    assert_eq!(m2.name, "M2");
    assert!((m2.amplitude_m - 1.876940131187439).abs() < 1e-12);
    assert!(s.attribution.unwrap().contains("CC BY 4.0"));
    let renamed = StationMeta {
        name: Some("Kanmen 坎门".into()),
        ..Default::default()
    };
    let s = read_constants(&path, &renamed).unwrap();
    assert_eq!(s.name, "Kanmen 坎门");
}

#[test]
fn bad_constituents_are_named() {
    let doc = kanmen();
    let with = |from: &str, to: &str| {
        assert!(doc.contains(from), "{from}");
        doc.replacen(from, to, 1)
    };
    let err = json_err(&with(
        "\"amplitude\": 1.876940131187439",
        "\"amplitude\": -1.8",
    ));
    assert!(
        err.contains("k.json: constituent M2: amplitude -1.8 m is not a non-negative number"),
        "{err}"
    );
    let err = json_err(&with("\"name\": \"MSQM\"", "\"name\": \"XYZ9\""));
    assert!(
        err.contains("k.json: constituent XYZ9: unknown constituent name"),
        "{err}"
    );
    let err = json_err(&with("\"name\": \"N2\"", "\"name\": \"m2\""));
    assert!(
        err.contains("k.json: constituent m2: M2 appears twice"),
        "{err}"
    );
    let err = json_err(&with("\"chart_datum\": \"TLT\"", "\"chart_datum\": \"CD\""));
    assert!(
        err.contains("k.json: chart datum \"CD\" is not among the datums"),
        "{err}"
    );
    let err = json_err("{\"id\": 3}");
    assert!(
        err.contains("k.json: not harmonic constants in the expected JSON shape"),
        "{err}"
    );
    // Phases are normalised, not rejected.
    let s = parse_constants(
        "k.json",
        with(
            "\"phase\": 22.32756233215332",
            "\"phase\": -337.67243766784668",
        )
        .as_bytes(),
        &StationMeta::default(),
    )
    .unwrap();
    assert!((s.constituents[0].phase_deg - 22.32756233215332).abs() < 1e-9);
}

#[test]
fn constants_from_csv_need_station_facts() {
    let csv = "name,amplitude,phase\nM2,1.88,22.3\nlam2,0.05,370\nK1,0.30,98.6\n";
    let err = parse_constants("c.csv", csv.as_bytes(), &StationMeta::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("c.csv: constants in CSV hold no station id"),
        "{err}"
    );
    let meta = StationMeta {
        id: Some("shipu".into()),
        name: Some("石浦".into()),
        lon: Some(121.95),
        lat: Some(29.2),
        datum: Some("LAT".into()),
    };
    let s = parse_constants("c.csv", csv.as_bytes(), &meta).unwrap();
    assert_eq!(s.name, "石浦");
    assert_eq!(s.constituents[1].name, "LAMBDA2");
    assert!((s.constituents[1].phase_deg - 10.0).abs() < 1e-9);
    let bad = "name,amplitude,phase\nM2,1.88,22.3\nS2,abc,54\n";
    let err = parse_constants("c.csv", bad.as_bytes(), &meta)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("c.csv: line 3: amplitude: \"abc\" is not a number"),
        "{err}"
    );
    let dup = "name,amplitude,phase\nM2,1.88,22.3\nM2,1.8,22\n";
    let err = parse_constants("c.csv", dup.as_bytes(), &meta)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("c.csv: line 3: constituent M2: M2 appears twice"),
        "{err}"
    );
}

#[test]
fn tide_tables_with_offsets_or_a_time_zone() {
    let csv = "time,height,type\n2025-06-01T03:12:00+08:00,4.9,high\n2025-06-01 09:30,1.2,LOW\n2025-06-01T07:45Z,5.1,H\n";
    let options = TideTableOptions {
        station: "shipu".into(),
        datum: Some("LAT".into()),
        time_zone: Some("Asia/Shanghai".into()),
    };
    let t = parse_tide_table("t.csv", csv.as_bytes(), &options).unwrap();
    assert_eq!(t.datum, "LAT");
    assert_eq!(t.station, "shipu");
    // 2025-06-01T03:12+08:00 = 2025-05-31T19:12Z.
    assert_eq!(t.events[0].time_utc, 1_748_718_720);
    assert_eq!(t.events[1].time_utc, 1_748_741_400);
    assert_eq!(t.events[1].kind, TideKind::Low);
    assert_eq!(t.events[2].height_m, 5.1);

    let utc8 = TideTableOptions {
        time_zone: Some("UTC+8".into()),
        ..options.clone()
    };
    assert_eq!(parse_tide_table("t.csv", csv.as_bytes(), &utc8).unwrap(), t);
}

#[test]
fn bad_tide_tables_name_the_line() {
    let options = TideTableOptions {
        station: "shipu".into(),
        datum: Some("LAT".into()),
        time_zone: None,
    };
    let err = |csv: &str, options: &TideTableOptions| {
        parse_tide_table("t.csv", csv.as_bytes(), options)
            .unwrap_err()
            .to_string()
    };
    let e = err(
        "time,height,type\n2025-06-01T03:12+08:00,4.9,high\n2025-06-01 09:30,1.2,low\n",
        &options,
    );
    assert!(
        e.contains(
            "t.csv: line 3: time \"2025-06-01 09:30\" has no UTC offset; give the time zone"
        ),
        "{e}"
    );
    let e = err(
        "time,height,type\n2025-06-01T03:12+08:00,4.9,high\n2025-06-01T03:00+08:00,1.2,low\n",
        &options,
    );
    assert!(
        e.contains("t.csv: line 3: time 2025-06-01T03:00+08:00 is not after the previous event's"),
        "{e}"
    );
    let e = err(
        "time,height,type\n2025-06-01T03:12+08:00,4.9,flood\n",
        &options,
    );
    assert!(
        e.contains("t.csv: line 2: type \"flood\" is neither high nor low"),
        "{e}"
    );
    let e = err("time,height,type,datum\n2025-06-01T03:12+08:00,4.9,high,LAT\n2025-06-01T09:12+08:00,1.1,low,MSL\n", &options);
    assert!(
        e.contains("t.csv: line 3: datum \"MSL\" differs from \"LAT\" above"),
        "{e}"
    );
    let e = err(
        "time,height,type\n2025-06-31T03:12+08:00,4.9,high\n",
        &options,
    );
    assert!(
        e.contains("t.csv: line 2: time \"2025-06-31T03:12+08:00\" is not an ISO 8601"),
        "{e}"
    );
    let e = err("time,height\n", &options);
    assert!(e.contains("t.csv: no \"type\" column"), "{e}");
    let bad_zone = TideTableOptions {
        time_zone: Some("Mars/Olympus".into()),
        ..options
    };
    let e = err("time,height,type\n", &bad_zone);
    assert!(
        e.contains("t.csv: unknown time zone \"Mars/Olympus\""),
        "{e}"
    );
}
