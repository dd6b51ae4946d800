//! The line decoder: takes received lines one at a time (from a TCP/UDP feed, a serial port or
//! a log file), reassembles multi-sentence AIS messages and returns decoded messages, or the
//! reason a line was not accepted.
//!
//! # Accounting for lines
//!
//! Every line fed ends as exactly one of: accepted (part of an `Ok(Some)` result), pending
//! (`Ok(None)`: a fragment stored while the rest of its message is awaited) or rejected with
//! one [`Rejection`]. A pending fragment is later resolved in one of three ways:
//!
//! * its message completes: the result returned for the last fragment stands for all of the
//!   message's lines (`Ok(Some)`: all accepted; `Err(r)`: all rejected with `r`, e.g. an
//!   unsupported type);
//! * a line reveals that the message cannot complete (a fragment 2 that does not follow the
//!   stored 1, a new fragment 1 for the same channel and sequence ID): the stored lines are
//!   dropped as [`Rejection::FragmentOutOfOrder`]; the revealing line gets its own result
//!   (`Err(FragmentOutOfOrder)` for an unexpected fragment 2, `Ok(None)` for a new fragment 1);
//! * it grows older than the fragment timeout: dropped as [`Rejection::FragmentTimedOut`].
//!
//! Dropped lines are reported once: those dropped by an explicit [`Decoder::expire`] call by
//! its return value, all others (dropped during `feed`) by [`Decoder::take_dropped_fragments`].
//! [`Decoder::stats`] keeps exact per-line counts of all of this, by rejection label.

use crate::ais::AisMessage;
use crate::armor::Payload;
use crate::gnss::GnssSentence;
use crate::sentence::{checked_body, scan_vdm, split_tag_block, trim_line, VdmHeader};
use crate::tagblock::TagBlock;

/// Longest accepted line, tag block included. An NMEA sentence is at most 82 characters; tag
/// blocks and receiver suffixes add to that.
pub const MAX_LINE_BYTES: usize = 512;
/// How long the fragments of an unfinished multi-sentence message are kept by default.
pub const DEFAULT_FRAGMENT_TIMEOUT_MS: u64 = 5_000;
/// Most unfinished multi-sentence messages kept at once (channels × sequence IDs of a normal
/// feed stay far below this). When full, the oldest is dropped as timed out.
pub const MAX_PENDING_MESSAGES: usize = 32;

/// Why a line was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum Rejection {
    /// A blank line or a `#` comment.
    #[error("blank or comment line")]
    Ignored,
    /// Longer than [`MAX_LINE_BYTES`].
    #[error("line longer than {MAX_LINE_BYTES} bytes")]
    TooLong,
    /// Does not start with `$`, `!` or a tag block.
    #[error("not an NMEA sentence")]
    NotNmea,
    /// The `*hh` checksum is missing (as in a truncated line) or does not match.
    #[error("missing or wrong checksum")]
    BadChecksum,
    /// The tag block is not terminated, its checksum does not match or a parameter is garbled.
    #[error("bad tag block")]
    BadTagBlock,
    /// Wrong number of fields, or a field that should be a number is not.
    #[error("malformed sentence")]
    Malformed,
    /// An AIS sentence without payload (receivers send these for undecodable bursts).
    #[error("empty AIS payload")]
    EmptyPayload,
    /// The AIS payload contains characters outside the 6-bit armour alphabet.
    #[error("invalid character in AIS payload")]
    BadArmor,
    /// An AIS message type other than 1, 2, 3, 5, 18, 19, 24, 27.
    #[error("unsupported AIS message type {0}")]
    UnsupportedType(u8),
    /// A `!` sentence other than VDM/VDO, a `$` sentence other than RMC/GGA/GNS/GSA/GSV from a
    /// GNSS talker, or a proprietary `$P…` sentence.
    #[error("unsupported sentence")]
    UnsupportedSentence,
    /// A fragment that does not continue a stored message, or stored fragments discarded
    /// because of such a line.
    #[error("AIS fragment out of order")]
    FragmentOutOfOrder,
    /// Stored fragments whose message did not complete in time (never returned by `feed`;
    /// a label for counting dropped fragments).
    #[error("AIS fragment timed out")]
    FragmentTimedOut,
    /// The AIS payload is shorter than its message type needs.
    #[error("AIS payload too short for its type")]
    TooShort,
}

const REJECTION_KINDS: usize = 13;

impl Rejection {
    /// Every label [`Rejection::as_str`] can return, in a fixed order.
    pub const LABELS: [&'static str; REJECTION_KINDS] = [
        "ignored",
        "too_long",
        "not_nmea",
        "bad_checksum",
        "bad_tag_block",
        "malformed",
        "empty_payload",
        "bad_armor",
        "unsupported_type",
        "unsupported_sentence",
        "fragment_out_of_order",
        "fragment_timed_out",
        "too_short",
    ];

    fn index(&self) -> usize {
        match self {
            Rejection::Ignored => 0,
            Rejection::TooLong => 1,
            Rejection::NotNmea => 2,
            Rejection::BadChecksum => 3,
            Rejection::BadTagBlock => 4,
            Rejection::Malformed => 5,
            Rejection::EmptyPayload => 6,
            Rejection::BadArmor => 7,
            Rejection::UnsupportedType(_) => 8,
            Rejection::UnsupportedSentence => 9,
            Rejection::FragmentOutOfOrder => 10,
            Rejection::FragmentTimedOut => 11,
            Rejection::TooShort => 12,
        }
    }

    /// A stable snake_case label for metrics, e.g. `"bad_checksum"`, `"unsupported_type"`.
    pub fn as_str(&self) -> &'static str {
        Self::LABELS[self.index()]
    }
}

/// A decoded line (or, for multi-sentence AIS messages, group of lines).
#[derive(Debug, Clone, PartialEq)]
pub enum Decoded {
    Ais {
        message: AisMessage,
        /// The tag block of the message's first fragment that had one.
        tag: Option<TagBlock>,
        /// `!xxVDO`: the receiver's own ship.
        own_ship: bool,
        /// Radio channel; the numeric forms `1` and `2` are reported as `A` and `B`.
        channel: Option<char>,
    },
    Gnss {
        sentence: GnssSentence,
        tag: Option<TagBlock>,
    },
}

/// Per-line counts since the decoder was made. At any time
/// `lines == accepted_lines + rejected_total() + pending` where pending is
/// [`Decoder::pending_fragments`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecoderStats {
    /// Lines fed.
    pub lines: u64,
    /// Lines that are part of a returned `Ok(Some)` message.
    pub accepted_lines: u64,
    /// `Ok(Some)` results.
    pub messages: u64,
    rejected_lines: [u64; REJECTION_KINDS],
}

impl DecoderStats {
    /// Lines rejected with this kind of rejection (any type for `UnsupportedType`).
    pub fn rejected(&self, kind: Rejection) -> u64 {
        self.rejected_lines[kind.index()]
    }

    pub fn rejected_total(&self) -> u64 {
        self.rejected_lines.iter().sum()
    }

    /// `(label, lines)` for every rejection label, zero counts included.
    pub fn rejected_by_label(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        Rejection::LABELS
            .iter()
            .copied()
            .zip(self.rejected_lines.iter().copied())
    }

    fn reject(&mut self, kind: Rejection, lines: u64) {
        self.rejected_lines[kind.index()] += lines;
    }
}

/// The fragments of one message are those with the same sentence kind, channel and sequence ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FragmentKey {
    own_ship: bool,
    channel: Option<u8>,
    sequence_id: Option<u8>,
}

/// An unfinished multi-sentence message. Slots are reused, so that reassembly does not
/// allocate once the decoder has warmed up.
#[derive(Debug, Clone)]
struct Partial {
    active: bool,
    key: FragmentKey,
    fragment_count: u8,
    received: u8,
    first_ms: u64,
    tag: Option<TagBlock>,
    payload: Payload,
}

/// Decodes the lines of one feed. Keep one per connection or source: multi-sentence messages
/// are reassembled within a decoder only.
#[derive(Debug, Clone)]
pub struct Decoder {
    fragment_timeout_ms: u64,
    partials: Vec<Partial>,
    pending_lines: usize,
    dropped_fragments: u64,
    stats: DecoderStats,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new()
    }
}

/// What one line came to, and how many lines that result stands for.
struct LineOutcome {
    result: Result<Option<Decoded>, Rejection>,
    lines: u64,
}

impl From<Result<Option<Decoded>, Rejection>> for LineOutcome {
    fn from(result: Result<Option<Decoded>, Rejection>) -> Self {
        LineOutcome { result, lines: 1 }
    }
}

impl Decoder {
    /// A decoder keeping unfinished messages for [`DEFAULT_FRAGMENT_TIMEOUT_MS`].
    pub fn new() -> Self {
        Self::with_fragment_timeout_ms(DEFAULT_FRAGMENT_TIMEOUT_MS)
    }

    pub fn with_fragment_timeout_ms(ms: u64) -> Self {
        Decoder {
            fragment_timeout_ms: ms,
            partials: Vec::new(),
            pending_lines: 0,
            dropped_fragments: 0,
            stats: DecoderStats::default(),
        }
    }

    /// Decodes one line. Line endings and surrounding whitespace are stripped here. `now_ms` is
    /// a monotonic clock in milliseconds (any origin) used to time out unfinished messages.
    ///
    /// Returns `Ok(Some)` for a decoded message, `Ok(None)` for a stored fragment of a
    /// multi-sentence message, `Err` for a rejected line; see the module documentation for how
    /// fragments are accounted for.
    pub fn feed(&mut self, line: &[u8], now_ms: u64) -> Result<Option<Decoded>, Rejection> {
        self.stats.lines += 1;
        if self.pending_lines > 0 {
            let dropped = self.evict(now_ms) as u64;
            self.dropped_fragments += dropped;
        }
        let outcome = self.decode_line(line, now_ms);
        match &outcome.result {
            Ok(Some(_)) => {
                self.stats.accepted_lines += outcome.lines;
                self.stats.messages += 1;
            }
            Ok(None) => {}
            Err(kind) => self.stats.reject(*kind, outcome.lines),
        }
        outcome.result
    }

    /// Drops unfinished messages whose first fragment is older than the timeout and returns
    /// how many stored lines were dropped; count them as [`Rejection::FragmentTimedOut`].
    /// (`feed` does this too; lines it drops are reported by `take_dropped_fragments`.)
    pub fn expire(&mut self, now_ms: u64) -> usize {
        self.evict(now_ms)
    }

    /// Lines stored as fragments of unfinished messages.
    pub fn pending_fragments(&self) -> usize {
        self.pending_lines
    }

    /// Lines that were returned as `Ok(None)` and then dropped during `feed` (timed out or out
    /// of order) since the last call; resets the count.
    pub fn take_dropped_fragments(&mut self) -> u64 {
        std::mem::take(&mut self.dropped_fragments)
    }

    /// Exact per-line counts since the decoder was made.
    pub fn stats(&self) -> &DecoderStats {
        &self.stats
    }

    fn evict(&mut self, now_ms: u64) -> usize {
        let timeout = self.fragment_timeout_ms;
        let mut dropped = 0;
        for i in 0..self.partials.len() {
            let p = &self.partials[i];
            if p.active && now_ms.saturating_sub(p.first_ms) > timeout {
                dropped += self.discard(i, Rejection::FragmentTimedOut);
            }
        }
        dropped
    }

    /// Frees slot `i`, counting its stored lines as rejected with `kind`.
    fn discard(&mut self, i: usize, kind: Rejection) -> usize {
        let p = &mut self.partials[i];
        p.active = false;
        p.tag = None;
        let lines = usize::from(p.received);
        self.pending_lines -= lines;
        self.stats.reject(kind, lines as u64);
        lines
    }

    fn decode_line(&mut self, line: &[u8], now_ms: u64) -> LineOutcome {
        let line = trim_line(line);
        if line.is_empty() || line[0] == b'#' {
            return Err(Rejection::Ignored).into();
        }
        if line.len() > MAX_LINE_BYTES {
            return Err(Rejection::TooLong).into();
        }
        let (tag, sentence) = match split_tag_block(line) {
            Ok((Some(inner), sentence)) => match TagBlock::parse(inner) {
                Ok(tag) => (Some(tag), sentence),
                Err(e) => return Err(e).into(),
            },
            Ok((None, sentence)) => (None, sentence),
            Err(e) => return Err(e).into(),
        };
        match sentence.first() {
            Some(b'!') => self.decode_ais(sentence, tag, now_ms),
            Some(b'$') => checked_body(sentence)
                .and_then(GnssSentence::parse)
                .map(|sentence| Some(Decoded::Gnss { sentence, tag }))
                .into(),
            _ => Err(Rejection::NotNmea).into(),
        }
    }

    fn decode_ais(&mut self, sentence: &[u8], tag: Option<TagBlock>, now_ms: u64) -> LineOutcome {
        // Single-sentence messages (nearly all position reports) are de-armoured into this
        // stack buffer and decoded from it: no allocation on that path.
        let mut bits = Payload::new();
        let header = match scan_vdm(sentence, &mut bits) {
            Ok(h) => h,
            Err(e) => return Err(e).into(),
        };
        let channel = header.channel.map(|c| match c {
            b'1' => b'A',
            b'2' => b'B',
            other => other,
        });
        let ais = |message: AisMessage, tag: Option<TagBlock>| Decoded::Ais {
            message,
            tag,
            own_ship: header.own_ship,
            channel: channel.map(char::from),
        };
        if header.fragment_count == 1 {
            return AisMessage::decode(bits.reader())
                .map(|m| Some(ais(m, tag)))
                .into();
        }
        let key = FragmentKey {
            own_ship: header.own_ship,
            channel,
            sequence_id: header.sequence_id,
        };
        let stored = self.partials.iter().position(|p| p.active && p.key == key);
        if header.fragment_number == 1 {
            if let Some(i) = stored {
                self.dropped_fragments += self.discard(i, Rejection::FragmentOutOfOrder) as u64;
            }
            self.store_first_fragment(key, &header, tag, &bits, now_ms);
            return LineOutcome {
                result: Ok(None),
                lines: 0,
            };
        }
        let Some(i) = stored else {
            return Err(Rejection::FragmentOutOfOrder).into();
        };
        let p = &mut self.partials[i];
        if p.fragment_count != header.fragment_count || p.received + 1 != header.fragment_number {
            self.dropped_fragments += self.discard(i, Rejection::FragmentOutOfOrder) as u64;
            return Err(Rejection::FragmentOutOfOrder).into();
        }
        p.payload.append(&bits);
        p.received += 1;
        if p.tag.is_none() {
            p.tag = tag;
        }
        if p.received < p.fragment_count {
            self.pending_lines += 1;
            return LineOutcome {
                result: Ok(None),
                lines: 0,
            };
        }
        p.active = false;
        let lines = u64::from(p.fragment_count);
        self.pending_lines -= usize::from(p.fragment_count - 1);
        let tag = p.tag.take();
        LineOutcome {
            result: AisMessage::decode(p.payload.reader()).map(|m| Some(ais(m, tag))),
            lines,
        }
    }

    fn store_first_fragment(
        &mut self,
        key: FragmentKey,
        header: &VdmHeader,
        tag: Option<TagBlock>,
        bits: &Payload,
        now_ms: u64,
    ) {
        let slot = match self.partials.iter().position(|p| !p.active) {
            Some(free) => free,
            None if self.partials.len() < MAX_PENDING_MESSAGES => {
                self.partials.push(Partial {
                    active: false,
                    key,
                    fragment_count: 0,
                    received: 0,
                    first_ms: now_ms,
                    tag: None,
                    payload: Payload::new(),
                });
                self.partials.len() - 1
            }
            None => {
                let oldest = (0..self.partials.len())
                    .min_by_key(|&i| self.partials[i].first_ms)
                    .unwrap_or(0);
                self.dropped_fragments += self.discard(oldest, Rejection::FragmentTimedOut) as u64;
                oldest
            }
        };
        let p = &mut self.partials[slot];
        p.active = true;
        p.key = key;
        p.fragment_count = header.fragment_count;
        p.received = 1;
        p.first_ms = now_ms;
        p.tag = tag;
        p.payload.clone_from(bits);
        self.pending_lines += 1;
    }
}
