//! AIS payload armour: the 6-bit ASCII encoding of `!AIVDM` payloads, a fixed-size bit buffer
//! that decoded payloads live in, a reader for the big-endian bit fields of AIS messages, and
//! the writer the encoder uses to go the other way.
//!
//! The buffer is a plain array so that a single-sentence message is de-armoured onto the stack:
//! the hot path (class A/B position reports) never touches the heap.

/// Most payload bits kept for one message. ITU-R M.1371 messages are at most 1008 bits (five
/// slots); anything beyond 1024 is not stored (the supported types need at most 424 bits).
pub const MAX_PAYLOAD_BITS: usize = 1024;
const MAX_PAYLOAD_BYTES: usize = MAX_PAYLOAD_BITS / 8;
/// The reader loads eight bytes at a time; the slack keeps that load in bounds at the end.
const SLACK_BYTES: usize = 8;

/// Marks a byte that is not a valid armour character in [`SIXBIT_OF_ARMOR`].
pub const INVALID_ARMOR: u8 = 0xFF;

/// Armour character → 6-bit value. Valid characters are `0`..=`W` (0–39) and `` ` ``..=`w`
/// (40–63); everything else maps to [`INVALID_ARMOR`].
pub static SIXBIT_OF_ARMOR: [u8; 256] = {
    let mut table = [INVALID_ARMOR; 256];
    let mut c = 0usize;
    while c < 256 {
        if c >= 48 && c <= 87 {
            table[c] = (c - 48) as u8;
        } else if c >= 96 && c <= 119 {
            table[c] = (c - 56) as u8;
        }
        c += 1;
    }
    table
};

/// 6-bit value → armour character (inverse of [`SIXBIT_OF_ARMOR`]).
pub fn armor_char(sixbit: u8) -> u8 {
    let v = sixbit & 0x3F;
    if v < 40 {
        v + 48
    } else {
        v + 56
    }
}

/// 6-bit value → character of AIS text fields (ITU-R M.1371 table 47): 0 is `@`, 1–31 are
/// `A`..`_`, 32–63 are space..`?`.
pub fn text_char(sixbit: u8) -> char {
    let v = sixbit & 0x3F;
    if v < 32 {
        (v + 64) as char
    } else {
        v as char
    }
}

/// Character → 6-bit value for AIS text fields. Lower case is folded to upper case; characters
/// the 6-bit alphabet cannot represent become `?`.
pub fn text_sixbit(c: char) -> u8 {
    let c = c.to_ascii_uppercase();
    match c {
        '@'..='_' => c as u8 - 64,
        ' '..='?' => c as u8,
        _ => b'?',
    }
}

/// What [`Payload::push_armored_field`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArmoredField {
    /// Number of payload characters (the field ends at `,`, `*` or the end of the input).
    pub len: usize,
    /// False if any character is not valid armour.
    pub valid: bool,
}

/// A message's payload bits, most significant bit first, as AIS numbers them.
#[derive(Clone)]
pub struct Payload {
    bytes: [u8; MAX_PAYLOAD_BYTES + SLACK_BYTES],
    bit_len: usize,
}

impl Default for Payload {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Payload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Payload")
            .field("bit_len", &self.bit_len)
            .field("bytes", &&self.bytes[..self.bit_len.div_ceil(8)])
            .finish()
    }
}

impl Payload {
    pub const fn new() -> Self {
        Self {
            bytes: [0; MAX_PAYLOAD_BYTES + SLACK_BYTES],
            bit_len: 0,
        }
    }

    /// Number of valid bits.
    pub fn bit_len(&self) -> usize {
        self.bit_len
    }

    /// Appends the armour characters at the start of `bytes`, up to the first `,` or `*` (the
    /// end of the payload field) or the end of `bytes`, and XORs them into `checksum` on the
    /// way: the sentence checksum and the de-armouring are one pass over the payload. Bits
    /// beyond [`MAX_PAYLOAD_BITS`] are dropped.
    pub fn push_armored_field(&mut self, bytes: &[u8], checksum: &mut u8) -> ArmoredField {
        let mut invalid = 0u8;
        let mut xor = *checksum;
        // An accumulator of at most 6 + 7 bits: whole bytes are stored as soon as they fill.
        let mut byte_index = self.bit_len / 8;
        let mut pending_bits = self.bit_len % 8;
        let mut acc: u32 = if pending_bits == 0 {
            0
        } else {
            u32::from(self.bytes[byte_index] >> (8 - pending_bits))
        };
        let room_chars = (MAX_PAYLOAD_BITS - self.bit_len) / 6;
        let mut len = 0;
        for &c in bytes {
            if c == b',' || c == b'*' {
                break;
            }
            xor ^= c;
            let v = SIXBIT_OF_ARMOR[c as usize];
            invalid |= v;
            if len < room_chars {
                acc = (acc << 6) | u32::from(v & 0x3F);
                pending_bits += 6;
                if pending_bits >= 8 {
                    pending_bits -= 8;
                    self.bytes[byte_index] = (acc >> pending_bits) as u8;
                    byte_index += 1;
                }
            }
            len += 1;
        }
        if pending_bits > 0 {
            self.bytes[byte_index] = (acc << (8 - pending_bits)) as u8;
        }
        self.bit_len += len.min(room_chars) * 6;
        *checksum = xor;
        ArmoredField {
            len,
            valid: invalid & 0xC0 == 0,
        }
    }

    /// Drops the last `fill` bits (the fill bits of the sentence just appended).
    pub fn drop_fill_bits(&mut self, fill: usize) {
        self.bit_len = self.bit_len.saturating_sub(fill);
    }

    /// Appends all bits of `other` (used to join the fragments of a multi-sentence message).
    pub fn append(&mut self, other: &Payload) {
        let mut start = 0;
        while start < other.bit_len && self.bit_len < MAX_PAYLOAD_BITS {
            let width = (other.bit_len - start)
                .min(32)
                .min(MAX_PAYLOAD_BITS - self.bit_len) as u32;
            self.push_bits(u64::from(other.reader().bits(start, width)), width);
            start += width as usize;
        }
    }

    /// Appends the low `width` bits of `value` (at most 57 bits).
    pub fn push_bits(&mut self, value: u64, width: u32) {
        debug_assert!(width <= 57);
        let width = width.min((MAX_PAYLOAD_BITS - self.bit_len) as u32);
        if width == 0 {
            return;
        }
        let value = value & ((1u64 << width) - 1);
        let byte_index = self.bit_len / 8;
        let offset = (self.bit_len % 8) as u32;
        let mut window = u64::from_be_bytes(self.window(byte_index));
        // Keep the bits before the write position, replace everything from there on.
        let keep_mask = if offset == 0 {
            0
        } else {
            !0u64 << (64 - offset)
        };
        window = (window & keep_mask) | (value << (64 - offset - width));
        self.bytes[byte_index..byte_index + 8].copy_from_slice(&window.to_be_bytes());
        self.bit_len += width as usize;
    }

    fn window(&self, byte_index: usize) -> [u8; 8] {
        let mut w = [0u8; 8];
        w.copy_from_slice(&self.bytes[byte_index..byte_index + 8]);
        w
    }

    pub fn reader(&self) -> BitReader<'_> {
        BitReader { payload: self }
    }

    /// The payload re-armoured: armour characters and the number of fill bits.
    pub fn to_armored(&self) -> (String, u8) {
        let reader = self.reader();
        let chars = self.bit_len.div_ceil(6);
        let mut out = String::with_capacity(chars);
        for i in 0..chars {
            out.push(armor_char(reader.bits(i * 6, 6) as u8) as char);
        }
        (out, (chars * 6 - self.bit_len) as u8)
    }
}

/// Reads AIS bit fields. Bits past the end of the payload read as zero, which is how the
/// reference decoder (gpsd) treats short messages and what makes text fields end there.
#[derive(Clone, Copy)]
pub struct BitReader<'a> {
    payload: &'a Payload,
}

impl BitReader<'_> {
    pub fn bit_len(&self) -> usize {
        self.payload.bit_len
    }

    /// Unsigned field of `width` bits (1..=32) starting at bit `start`.
    pub fn bits(&self, start: usize, width: u32) -> u32 {
        debug_assert!((1..=32).contains(&width));
        let len = self.payload.bit_len;
        if start >= len {
            return 0;
        }
        let window = u64::from_be_bytes(self.payload.window(start / 8));
        let value = ((window << (start % 8)) >> (64 - width)) as u32;
        let available = len - start;
        if available < width as usize {
            let missing = width - available as u32;
            value & !((1u32 << missing) - 1)
        } else {
            value
        }
    }

    /// Signed (two's complement) field of `width` bits.
    pub fn signed_bits(&self, start: usize, width: u32) -> i32 {
        let raw = self.bits(start, width);
        let shift = 32 - width;
        ((raw << shift) as i32) >> shift
    }

    pub fn flag(&self, start: usize) -> bool {
        self.bits(start, 1) != 0
    }

    /// Text field of up to `chars` 6-bit characters, decoded as gpsd does: it ends at the first
    /// `@` (value 0, also what bits past the payload read as), then trailing spaces and `@` are
    /// trimmed.
    pub fn text(&self, start: usize, chars: usize) -> String {
        let mut out = String::with_capacity(chars);
        for i in 0..chars {
            let v = self.bits(start + 6 * i, 6) as u8;
            if v == 0 {
                break;
            }
            out.push(text_char(v));
        }
        let trimmed = out.trim_end_matches([' ', '@']).len();
        out.truncate(trimmed);
        out
    }
}

/// Builds a payload field by field for the encoder.
#[derive(Default)]
pub struct BitWriter {
    payload: Payload,
}

impl BitWriter {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn uint(&mut self, value: u32, width: u32) -> &mut Self {
        self.payload.push_bits(u64::from(value), width);
        self
    }

    pub fn int(&mut self, value: i32, width: u32) -> &mut Self {
        self.payload.push_bits(u64::from(value as u32), width);
        self
    }

    pub fn flag(&mut self, value: bool) -> &mut Self {
        self.uint(u32::from(value), 1)
    }

    /// Text padded with `@` (value 0) to exactly `chars` characters; longer text is cut.
    pub fn text(&mut self, text: &str, chars: usize) -> &mut Self {
        let mut written = 0;
        for c in text.chars().take(chars) {
            self.uint(u32::from(text_sixbit(c)), 6);
            written += 1;
        }
        for _ in written..chars {
            self.uint(0, 6);
        }
        self
    }

    pub fn finish(self) -> Payload {
        self.payload
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn armor_table_round_trips_every_sixbit_value() {
        for v in 0..64u8 {
            assert_eq!(SIXBIT_OF_ARMOR[armor_char(v) as usize], v);
        }
        assert_eq!(SIXBIT_OF_ARMOR[b'X' as usize], INVALID_ARMOR);
        assert_eq!(SIXBIT_OF_ARMOR[b'x' as usize], INVALID_ARMOR);
    }

    #[test]
    fn reader_reads_fields_across_byte_boundaries() {
        let mut w = BitWriter::new();
        w.uint(5, 6)
            .uint(3, 2)
            .uint(123_456_789, 30)
            .int(-1234, 28)
            .flag(true);
        let p = w.finish();
        let r = p.reader();
        assert_eq!(p.bit_len(), 67);
        assert_eq!(r.bits(0, 6), 5);
        assert_eq!(r.bits(6, 2), 3);
        assert_eq!(r.bits(8, 30), 123_456_789);
        assert_eq!(r.signed_bits(38, 28), -1234);
        assert!(r.flag(66));
        assert_eq!(r.bits(67, 8), 0, "past the end reads zero");
    }

    #[test]
    fn armored_payload_round_trips_with_fill_and_append() {
        let mut p = Payload::new();
        let mut xor = 0;
        let field = p.push_armored_field(b"15RTgt0PAso;90TKcjM8h6g208CQ,0*4A", &mut xor);
        assert_eq!(
            field,
            ArmoredField {
                len: 28,
                valid: true
            }
        );
        assert_eq!(p.bit_len(), 168);
        let (s, fill) = p.to_armored();
        assert_eq!((s.as_str(), fill), ("15RTgt0PAso;90TKcjM8h6g208CQ", 0));

        let mut joined = Payload::new();
        let mut part = Payload::new();
        part.push_armored_field(b"15RTgt0PAso", &mut xor);
        part.drop_fill_bits(2);
        joined.append(&part);
        assert_eq!(joined.bit_len(), 64);
        assert!(!p.clone().push_armored_field(b"X", &mut xor).valid);
    }

    #[test]
    fn text_stops_at_first_at_sign_and_trims_spaces() {
        let mut w = BitWriter::new();
        w.text("AB C  ", 8);
        let p = w.finish();
        assert_eq!(p.reader().text(0, 8), "AB C");
        let mut w = BitWriter::new();
        w.text("A@B", 3);
        assert_eq!(w.finish().reader().text(0, 3), "A");
    }
}
