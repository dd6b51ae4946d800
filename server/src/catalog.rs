//! The catalog: which layers the server has, in order, and a generation number that
//! changes whenever any of them does (tile caches key on it).

use crate::store::LayerSource;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

pub type SharedSource = Arc<dyn LayerSource>;

pub struct Catalog {
    layers: RwLock<Vec<SharedSource>>,
    generation: AtomicU64,
}

impl Catalog {
    pub fn new(layers: Vec<SharedSource>) -> Self {
        Catalog {
            layers: RwLock::new(layers),
            generation: AtomicU64::new(1),
        }
    }

    pub fn get(&self, id: &str) -> Option<SharedSource> {
        self.read().iter().find(|l| l.info().id == id).cloned()
    }

    pub fn list(&self) -> Vec<SharedSource> {
        self.read().clone()
    }

    /// Swaps in a new set of layers at once (a reload), so no request sees half of it.
    pub fn replace_all(&self, layers: Vec<SharedSource>) {
        *self.layers.write().unwrap_or_else(|e| e.into_inner()) = layers;
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Replaces (or adds) one layer.
    pub fn replace(&self, layer: SharedSource) {
        let mut layers = self.layers.write().unwrap_or_else(|e| e.into_inner());
        match layers.iter_mut().find(|l| l.info().id == layer.info().id) {
            Some(slot) => *slot = layer,
            None => layers.push(layer),
        }
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<SharedSource>> {
        // A panic while holding the lock cannot leave the Vec half-written (we only
        // ever assign whole values), so a poisoned lock is still safe to read.
        self.layers.read().unwrap_or_else(|e| e.into_inner())
    }
}
