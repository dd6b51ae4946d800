//! Tiles as the HTTP layer sees them: single or composite, validated, cached, with an
//! ETag and a gzip body made at most once per cached tile.

use crate::catalog::{Catalog, SharedSource};
use crate::store::SourceError;
use axum::body::Bytes;
use moka::sync::Cache;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};
use tidewatch_tiles::{TileError, TileId};

/// Most layers one composite request may name.
pub const MAX_COMPOSITE_LAYERS: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum TileRequestError {
    #[error("unknown layer {0:?}; GET /catalog lists the layers")]
    UnknownLayer(String),
    #[error("too many layers in one request (at most {MAX_COMPOSITE_LAYERS})")]
    TooManyLayers,
    #[error("zoom {z} is outside the zoom range {min}–{max} of {layers}")]
    ZoomOutOfRange {
        z: u8,
        min: u8,
        max: u8,
        layers: String,
    },
    #[error(transparent)]
    Address(#[from] TileError),
    #[error(transparent)]
    Source(#[from] SourceError),
}

/// A finished tile, shared between the cache and responses.
pub struct TileBody {
    pub raw: Bytes,
    pub etag: String,
    /// Shorter than the configured max-age when a live layer is in the tile.
    pub max_age_s: Option<u32>,
    gzip: OnceLock<Bytes>,
}

impl TileBody {
    fn new(raw: Vec<u8>, max_age_s: Option<u32>) -> Self {
        let mut h = std::hash::DefaultHasher::new();
        raw.hash(&mut h);
        TileBody {
            etag: format!("\"{:016x}-{}\"", h.finish(), raw.len()),
            raw: raw.into(),
            max_age_s,
            gzip: OnceLock::new(),
        }
    }

    /// The gzip-compressed body, compressed on first use.
    pub fn gzip(&self) -> Bytes {
        self.gzip
            .get_or_init(|| {
                use std::io::Write;
                let mut enc = flate2::write::GzEncoder::new(
                    Vec::with_capacity(self.raw.len() / 2 + 64),
                    flate2::Compression::fast(),
                );
                enc.write_all(&self.raw)
                    .expect("writing to a Vec cannot fail");
                enc.finish().expect("writing to a Vec cannot fail").into()
            })
            .clone()
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct TileKey {
    generation: u64,
    /// Sum of the layers' own versions (live layers change without a new generation).
    versions: u64,
    layers: Arc<str>,
    tile: TileId,
}

pub struct TileService {
    catalog: Arc<Catalog>,
    cache: Option<Cache<TileKey, Arc<TileBody>>>,
}

impl TileService {
    /// `cache_bytes == 0` turns caching off.
    pub fn new(catalog: Arc<Catalog>, cache_bytes: u64) -> Self {
        let cache = (cache_bytes > 0).then(|| {
            Cache::builder()
                .max_capacity(cache_bytes)
                .weigher(|k: &TileKey, v: &Arc<TileBody>| {
                    (k.layers.len() + v.raw.len() * 3 / 2 + 128)
                        .try_into()
                        .unwrap_or(u32::MAX)
                })
                .build()
        });
        TileService { catalog, cache }
    }

    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }

    /// Resolves a comma-separated layer list (`piers` or `land,coastline,piers`).
    pub fn resolve(&self, layers: &str) -> Result<Vec<SharedSource>, TileRequestError> {
        let ids: Vec<&str> = layers.split(',').collect();
        if ids.len() > MAX_COMPOSITE_LAYERS {
            return Err(TileRequestError::TooManyLayers);
        }
        ids.iter()
            .map(|id| {
                self.catalog
                    .get(id)
                    .ok_or_else(|| TileRequestError::UnknownLayer(truncate(id, 80)))
            })
            .collect()
    }

    /// One tile of one or more layers.
    pub async fn tile(
        &self,
        layers: &str,
        z: u32,
        x: u32,
        y: u32,
    ) -> Result<Arc<TileBody>, TileRequestError> {
        let tile = TileId::new(z, x, y)?;
        let sources = self.resolve(layers)?;
        let (min, max) = zoom_range(&sources);
        if tile.z < min || tile.z > max {
            return Err(TileRequestError::ZoomOutOfRange {
                z: tile.z,
                min,
                max,
                layers: layers.to_owned(),
            });
        }
        let key = TileKey {
            generation: self.catalog.generation(),
            versions: sources
                .iter()
                .fold(0u64, |sum, s| sum.wrapping_add(s.version())),
            layers: layers.into(),
            tile,
        };
        if let Some(hit) = self.cache.as_ref().and_then(|c| c.get(&key)) {
            metrics::counter!("tidewatch_tile_cache_hits_total").increment(1);
            return Ok(hit);
        }
        metrics::counter!("tidewatch_tile_cache_misses_total").increment(1);
        let max_age_s = sources.iter().filter_map(|s| s.max_age_s()).min();
        let body = Arc::new(TileBody::new(draw(&sources, tile).await?, max_age_s));
        if let Some(cache) = &self.cache {
            cache.insert(key, body.clone());
        }
        Ok(body)
    }

    /// Drops every cached tile (after layers change; the generation already makes old
    /// entries unreachable, this frees their memory).
    pub fn invalidate(&self) {
        if let Some(cache) = &self.cache {
            cache.invalidate_all();
        }
    }
}

/// The composite tile: each layer within its zoom range and bounds, layers of one store
/// drawn together, concatenated in the order asked for.
async fn draw(sources: &[SharedSource], tile: TileId) -> Result<Vec<u8>, SourceError> {
    let [w, s, e, n] = tile.lonlat_bounds(tidewatch_tiles::BUFFER);
    let wanted: Vec<usize> = (0..sources.len())
        .filter(|&i| {
            let info = sources[i].info();
            let [bw, bs, be, bn] = info.bounds;
            (info.minzoom..=info.maxzoom).contains(&tile.z)
                && bw <= e
                && be >= w
                && bs <= n
                && bn >= s
        })
        .collect();
    let mut parts: Vec<Vec<u8>> = vec![Vec::new(); sources.len()];
    let mut done = vec![false; sources.len()];
    for &i in &wanted {
        if done[i] {
            continue;
        }
        let key = sources[i].batch_key();
        let group: Vec<usize> = match key {
            Some(_) => wanted
                .iter()
                .copied()
                .filter(|&j| !done[j] && sources[j].batch_key() == key)
                .collect(),
            None => vec![i],
        };
        let members: Vec<SharedSource> = group.iter().map(|&j| sources[j].clone()).collect();
        let tiles = sources[i].tile_batch(&members, tile).await?;
        for (j, bytes) in group.into_iter().zip(tiles) {
            parts[j] = bytes;
            done[j] = true;
        }
    }
    Ok(parts.concat())
}

/// The zooms at which at least one of the layers has data.
pub fn zoom_range(sources: &[SharedSource]) -> (u8, u8) {
    let min = sources.iter().map(|s| s.info().minzoom).min().unwrap_or(0);
    let max = sources.iter().map(|s| s.info().maxzoom).max().unwrap_or(0);
    (min, max)
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}
