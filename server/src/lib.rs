//! Tidewatch, the library behind the `tidewatch` binary: configuration, layer
//! definitions, stores, the tile service, live vessels and the HTTP API.

pub mod analysis;
pub mod catalog;
pub mod cluster;
pub mod config;
pub mod export;
pub mod http;
pub mod import;
pub mod layers;
pub mod live;
pub mod ogc;
pub mod serve;
pub mod store;
pub mod tile_service;
pub mod time;
