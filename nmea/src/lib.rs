//! NMEA 0183 for Tidewatch: the vessel and receiver positions that arrive as text lines.
//!
//! * AIS: `!AIVDM` (other ships) and `!AIVDO` (own ship) sentences, multi-sentence messages
//!   reassembled, message types 1, 2, 3, 5, 18, 19, 24 and 27 decoded to the raw fields gpsd
//!   reports (its `gpsdecode` output is the test oracle), with scaled accessors.
//! * GNSS: `$xxRMC`, `GGA`, `GNS`, `GSA`, `GSV` from GPS, Beidou (`BD` and `GB` talkers) and
//!   multi-constellation (`GN`) receivers.
//! * NMEA 4 tag blocks (`\s:station,c:unixtime*hh\`) in front of either.
//! * Encoding of the same messages back into sentences, for replay and demo traffic.
//!
//! Bad input (wrong checksums, truncated lines, lost fragments, binary garbage) is reported as
//! a [`Rejection`] with a stable label for metrics and never panics. Feed lines to a
//! [`Decoder`], one per feed:
//!
//! ```
//! use tidewatch_nmea::{AisMessage, Decoded, Decoder};
//!
//! let mut decoder = Decoder::new();
//! let line = b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\r\n";
//! match decoder.feed(line, 0) {
//!     Ok(Some(Decoded::Ais { message: AisMessage::Position(p), .. })) => {
//!         assert_eq!(p.mmsi, 371798000);
//!         assert_eq!(p.speed_kn(), Some(12.3));
//!     }
//!     other => panic!("unexpected {other:?}"),
//! }
//! ```
//!
//! The crate is a pure library: no I/O, no threads, no clock of its own (callers pass a
//! monotonic time in milliseconds).

pub mod ais;
pub mod armor;
pub mod decoder;
pub mod encode;
pub mod gnss;
pub mod sentence;
pub mod tagblock;

pub use ais::{AisMessage, ClassBStatic, Eta, PositionReport, StaticVoyage};
pub use decoder::{Decoded, Decoder, DecoderStats, Rejection};
pub use gnss::{Constellation, GnssFix, GnssSentence};
pub use tagblock::TagBlock;
