//! Change notices between the instances that share one database, by PostgreSQL
//! `NOTIFY`. Writers send them inside their own transaction, so a notice arrives only
//! when what it announces has committed, and never for a rolled-back import. The
//! receiving side is [`crate::cluster`].

use sqlx::PgConnection;
use std::sync::OnceLock;

/// Layers, sensors or tide stations changed: the payload is a [`CatalogNotice`].
pub const CATALOG_CHANNEL: &str = "tidewatch_catalog";
/// Positions and static vessel data written by one instance: the payload is
/// [`crate::live::peers`]' encoding.
pub const POSITIONS_CHANNEL: &str = "tidewatch_positions";

/// PostgreSQL refuses payloads of 8,000 bytes or more.
pub const MAX_PAYLOAD: usize = 7_900;

/// This process's name in notices, so an instance can skip what it sent itself.
pub fn instance_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_micros())
            .unwrap_or(0);
        format!("{}-{started}", std::process::id())
    })
}

/// What a catalog notice says: who changed what.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CatalogNotice {
    pub origin: String,
    /// A layer id, or `tides` for tide constants and tables.
    pub changed: String,
}

/// Announces, inside `tx`'s transaction, that `changed` (a layer id, `tides`) changed.
pub async fn catalog_changed(tx: &mut PgConnection, changed: &str) -> Result<(), sqlx::Error> {
    let notice = CatalogNotice {
        origin: instance_id().to_owned(),
        changed: changed.to_owned(),
    };
    let payload = serde_json::to_string(&notice).expect("strings serialize");
    send(tx, CATALOG_CHANNEL, &[payload]).await
}

/// Sends every payload on `channel` in one round trip.
pub async fn send(
    tx: &mut PgConnection,
    channel: &str,
    payloads: &[String],
) -> Result<(), sqlx::Error> {
    if payloads.is_empty() {
        return Ok(());
    }
    sqlx::query("SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p")
        .bind(channel)
        .bind(payloads)
        .execute(tx)
        .await
        .map(|_| ())
}
