//! Hand-written protobuf encoding of MapLibre's glyph-range message.
//!
//! The schema (Mapbox's `glyphs.proto`, still what MapLibre GL JS parses):
//! ```text
//! message glyphs    { repeated fontstack stacks = 1; }
//! message fontstack { required string name = 1; required string range = 2; repeated glyph glyphs = 3; }
//! message glyph     { required uint32 id = 1; optional bytes bitmap = 2;
//!                     required uint32 width = 3; required uint32 height = 4;
//!                     required sint32 left = 5; required sint32 top = 6; required uint32 advance = 7; }
//! ```
//! Only three wire types are needed (varint, zigzag varint, length-delimited), so a
//! protobuf library would be more code to carry than these few helpers.

/// One rendered glyph, in the units the message carries (pixels at 24 px).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Glyph {
    pub id: u32,
    /// `(width + 6) × (height + 6)` SDF bytes, rows top to bottom; empty for blank glyphs.
    pub bitmap: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub left: i32,
    pub top: i32,
    pub advance: u32,
}

const WIRE_VARINT: u32 = 0;
const WIRE_LEN: u32 = 2;

fn put_varint(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push((v as u8) | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

fn put_key(buf: &mut Vec<u8>, field: u32, wire: u32) {
    put_varint(buf, u64::from((field << 3) | wire));
}

fn put_uint32(buf: &mut Vec<u8>, field: u32, v: u32) {
    put_key(buf, field, WIRE_VARINT);
    put_varint(buf, u64::from(v));
}

fn put_sint32(buf: &mut Vec<u8>, field: u32, v: i32) {
    put_key(buf, field, WIRE_VARINT);
    // ZigZag: small negative numbers (glyph `top` is usually negative) stay one byte.
    put_varint(buf, u64::from(((v << 1) ^ (v >> 31)) as u32));
}

fn put_bytes(buf: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    put_key(buf, field, WIRE_LEN);
    put_varint(buf, bytes.len() as u64);
    buf.extend_from_slice(bytes);
}

/// Encodes a `glyphs` message holding one fontstack with the given glyphs.
pub(crate) fn encode_glyphs(name: &str, range: &str, glyphs: &[Glyph]) -> Vec<u8> {
    let mut stack =
        Vec::with_capacity(glyphs.iter().map(|g| g.bitmap.len() + 24).sum::<usize>() + 64);
    put_bytes(&mut stack, 1, name.as_bytes());
    put_bytes(&mut stack, 2, range.as_bytes());
    let mut msg = Vec::new();
    for g in glyphs {
        msg.clear();
        put_uint32(&mut msg, 1, g.id);
        // Like fontnik, blank glyphs (space) carry no bitmap at all.
        if !g.bitmap.is_empty() {
            put_bytes(&mut msg, 2, &g.bitmap);
        }
        put_uint32(&mut msg, 3, g.width);
        put_uint32(&mut msg, 4, g.height);
        put_sint32(&mut msg, 5, g.left);
        put_sint32(&mut msg, 6, g.top);
        put_uint32(&mut msg, 7, g.advance);
        put_bytes(&mut stack, 3, &msg);
    }
    let mut out = Vec::with_capacity(stack.len() + 8);
    put_bytes(&mut out, 1, &stack);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_and_zigzag_match_the_protobuf_spec() {
        let mut b = Vec::new();
        put_varint(&mut b, 300);
        assert_eq!(b, [0xAC, 0x02]);
        for (v, want) in [(0, 0u8), (-1, 1), (1, 2), (-2, 3), (-9, 17)] {
            let mut b = Vec::new();
            put_sint32(&mut b, 6, v);
            assert_eq!(b, [6 << 3, want], "zigzag({v})");
        }
        let mut b = Vec::new();
        put_sint32(&mut b, 1, i32::MIN);
        assert_eq!(b, [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]);
    }

    #[test]
    fn blank_glyph_has_no_bitmap_field() {
        let g = Glyph {
            id: 32,
            bitmap: Vec::new(),
            width: 0,
            height: 0,
            left: 0,
            top: -26,
            advance: 6,
        };
        let out = encode_glyphs("F", "0-255", &[g]);
        let glyph: &[u8] = &[0x08, 32, 0x18, 0, 0x20, 0, 0x28, 0, 0x30, 51, 0x38, 6];
        let mut stack = vec![0x0A, 1, b'F', 0x12, 5];
        stack.extend_from_slice(b"0-255");
        stack.extend_from_slice(&[0x1A, glyph.len() as u8]);
        stack.extend_from_slice(glyph);
        let mut want = vec![0x0A, stack.len() as u8];
        want.extend_from_slice(&stack);
        assert_eq!(out, want);
    }
}
