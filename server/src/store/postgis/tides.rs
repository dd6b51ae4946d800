//! Tide stations, their harmonic constants and tide tables in PostGIS. Each load is one
//! transaction that replaces what the station had.

use super::{notify, PostgisStore, StoreError};
use crate::analysis::tide_stations::PredictorInput;
use tidewatch_importers::tides::{Constituent, TideEvent, TideKind, TideStationInput, TideTable};

/// Creates or updates a station (matched by its station id) and replaces its constants.
/// Returns the station's row id.
pub async fn store_tide_constants(
    store: &PostgisStore,
    station: &TideStationInput,
) -> Result<i64, StoreError> {
    let mut tx = store.pool().begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO tide_stations (id, station_id, geom, name_zh, name_en, source, chart_datum, datums, attribution)
         VALUES ((SELECT coalesce(max(id), 0) + 1 FROM tide_stations), $1,
                 ST_SetSRID(ST_MakePoint($2, $3), 4326), $4, $4, 'harmonic constants', $5, $6, $7)
         ON CONFLICT (station_id) DO UPDATE SET
             geom = EXCLUDED.geom, chart_datum = EXCLUDED.chart_datum, datums = EXCLUDED.datums,
             attribution = CASE WHEN EXCLUDED.attribution = '' THEN tide_stations.attribution
                                ELSE EXCLUDED.attribution END
         RETURNING id",
    )
    .bind(&station.id)
    .bind(station.lon)
    .bind(station.lat)
    .bind(&station.name)
    .bind(&station.datum)
    .bind(serde_json::to_value(&station.datums).expect("map of numbers"))
    .bind(station.attribution.clone().unwrap_or_default())
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM tide_constituents WHERE station_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let names: Vec<&str> = station
        .constituents
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    let amplitudes: Vec<f64> = station.constituents.iter().map(|c| c.amplitude_m).collect();
    let phases: Vec<f64> = station
        .constituents
        .iter()
        .map(|c| c.phase_deg.rem_euclid(360.0))
        .collect();
    sqlx::query(
        "INSERT INTO tide_constituents (station_id, name, amplitude_m, phase_deg)
         SELECT $1, * FROM unnest($2::text[], $3::float8[], $4::float8[])",
    )
    .bind(id)
    .bind(names)
    .bind(amplitudes)
    .bind(phases)
    .execute(&mut *tx)
    .await?;
    notify::catalog_changed(&mut tx, "tides").await?;
    tx.commit().await?;
    Ok(id)
}

/// Replaces a station's tide table. The station must exist (load its constants or its
/// layer first).
pub async fn store_tide_table(
    store: &PostgisStore,
    table: &TideTable,
) -> Result<usize, StoreError> {
    let mut tx = store.pool().begin().await?;
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM tide_stations WHERE station_id = $1")
        .bind(&table.station)
        .fetch_optional(&mut *tx)
        .await?;
    let id = id.ok_or_else(|| StoreError::Layer {
        layer: "tide_stations".into(),
        reason: format!(
            "no tide station {:?}; load the station first",
            table.station
        ),
    })?;
    sqlx::query("DELETE FROM tide_table_events WHERE station_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let times: Vec<f64> = table.events.iter().map(|e| e.time_utc as f64).collect();
    let heights: Vec<f64> = table.events.iter().map(|e| e.height_m).collect();
    let kinds: Vec<&str> = table
        .events
        .iter()
        .map(|e| match e.kind {
            TideKind::High => "high",
            TideKind::Low => "low",
        })
        .collect();
    sqlx::query(
        "INSERT INTO tide_table_events (station_id, at, height_m, kind, datum)
         SELECT $1, to_timestamp(t), h, k, $5 FROM unnest($2::float8[], $3::float8[], $4::text[]) AS u(t, h, k)",
    )
    .bind(id)
    .bind(times)
    .bind(heights)
    .bind(kinds)
    .bind(&table.datum)
    .execute(&mut *tx)
    .await?;
    notify::catalog_changed(&mut tx, "tides").await?;
    tx.commit().await?;
    Ok(table.events.len())
}

/// Every station's constants or tide table, by station id, as the importers read them
/// (constants win when a station has both).
pub async fn load_tide_predictors(
    store: &PostgisStore,
) -> Result<Vec<(String, PredictorInput)>, StoreError> {
    let stations: Vec<(i64, String, f64, f64, String, serde_json::Value, String)> = sqlx::query_as(
        "SELECT id, station_id, ST_X(geom), ST_Y(geom), chart_datum, datums, name_en
         FROM tide_stations ORDER BY id",
    )
    .fetch_all(store.pool())
    .await?;
    let constituents: Vec<(i64, String, f64, f64)> = sqlx::query_as(
        "SELECT station_id, name, amplitude_m, phase_deg FROM tide_constituents ORDER BY station_id, name",
    )
    .fetch_all(store.pool())
    .await?;
    let events: Vec<(i64, f64, f64, String, String)> = sqlx::query_as(
        "SELECT station_id, extract(epoch FROM at)::float8, height_m, kind, datum
         FROM tide_table_events ORDER BY station_id, at",
    )
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::new();
    for (id, station_id, lon, lat, datum, datums, name) in stations {
        let mine: Vec<Constituent> = constituents
            .iter()
            .filter(|c| c.0 == id)
            .map(|c| Constituent {
                name: c.1.clone(),
                amplitude_m: c.2,
                phase_deg: c.3,
            })
            .collect();
        if !mine.is_empty() {
            out.push((
                station_id.clone(),
                PredictorInput::Constants(TideStationInput {
                    id: station_id,
                    name,
                    lon,
                    lat,
                    datum,
                    datums: serde_json::from_value(datums).unwrap_or_default(),
                    constituents: mine,
                    attribution: None,
                }),
            ));
            continue;
        }
        let table: Vec<TideEvent> = events
            .iter()
            .filter(|e| e.0 == id)
            .map(|e| TideEvent {
                time_utc: e.1.round() as i64,
                height_m: e.2,
                kind: if e.3 == "high" {
                    TideKind::High
                } else {
                    TideKind::Low
                },
            })
            .collect();
        if let Some(first) = events.iter().find(|e| e.0 == id) {
            out.push((
                station_id.clone(),
                PredictorInput::Table(TideTable {
                    station: station_id,
                    datum: first.4.clone(),
                    events: table,
                }),
            ));
        }
    }
    Ok(out)
}
