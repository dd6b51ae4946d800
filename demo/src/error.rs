//! Why loading inputs, generating or writing the demo failed.

use std::path::PathBuf;
use tidewatch_importers::ImportError;

/// Every variant names the file, or the layer that could not be placed, and the problem.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// A GeoJSON input could not be read (the importer's message names the file).
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {reason}")]
    Input { path: PathBuf, reason: String },
    #[error("cannot place {layer}: {reason}")]
    Placement { layer: &'static str, reason: String },
}

impl DemoError {
    pub(crate) fn placement(layer: &'static str, reason: impl Into<String>) -> Self {
        DemoError::Placement {
            layer,
            reason: reason.into(),
        }
    }
}
