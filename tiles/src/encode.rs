//! MVT 2.1 encoding of one layer of one tile.
//!
//! We write the protobuf ourselves instead of using the `mvt` crate: its geometry
//! encoder drops the MoveTo of a ring that starts where the previous ring ended (common
//! after clipping at tile corners), producing invalid polygons, and it cannot be given
//! already-rounded geometry. The wire format is small and fixed (vector_tile.proto).

use crate::clip::{clip_line, clip_ring, inside, Pt, Rect};
use crate::{Shape, TileId, BUFFER, EXTENT};
use hashbrown::HashTable;
use serde_json::Value;
use std::collections::HashMap;
use std::hash::Hasher;

/// An encoded tile holding zero or one layer. Tiles concatenate: the bytes of a
/// composite tile are the bytes of its single-layer tiles one after the other.
pub type TileBytes = Vec<u8>;

const CMD_MOVE_TO: u32 = 1;
const CMD_LINE_TO: u32 = 2;
const CMD_CLOSE_PATH: u32 = 7;

/// One property value as the encoder takes it: from a JSON document, or typed, read
/// straight from a database column without a JSON detour. Both give the same bytes for
/// the same value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PropertyValue<'a> {
    /// Left out of the tile.
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(&'a str),
    /// An array or object: travels as its JSON text, as GDAL and Martin do.
    Nested(&'a Value),
}

impl<'a> From<&'a Value> for PropertyValue<'a> {
    fn from(v: &'a Value) -> Self {
        match v {
            Value::Null => PropertyValue::Null,
            Value::Bool(b) => PropertyValue::Bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => PropertyValue::Uint(u),
                (_, Some(i), _) => PropertyValue::Int(i),
                (_, _, Some(f)) => PropertyValue::Float(f),
                _ => PropertyValue::Null,
            },
            Value::String(s) => PropertyValue::Str(s),
            nested => PropertyValue::Nested(nested),
        }
    }
}

/// A non-string tile value, as it is deduplicated (strings have their own map so a
/// lookup needs no allocation).
#[derive(Hash, PartialEq, Eq, Clone, Copy)]
enum ScalarKey {
    Double(u64),
    Int(i64),
    Uint(u64),
    Bool(bool),
}

/// FNV-1a: the key and value maps hash short strings and numbers, millions of times per
/// second in dense tiles, where SipHash's flood resistance buys nothing (tile data is
/// ours, not an attacker's map keys) and costs a third of the encoding time.
#[derive(Default, Clone, Copy)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
        self.0 = h;
    }
}

type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

fn fnv(bytes: &[u8]) -> u64 {
    let mut h = Fnv::default();
    h.write(bytes);
    h.finish()
}

/// A string value of the layer: its index and where its bytes sit in the values buffer.
#[derive(Clone, Copy)]
struct InternedString {
    hash: u64,
    index: u32,
    start: usize,
    len: usize,
}

/// Builds one named layer for one tile.
pub struct LayerEncoder {
    tile: TileId,
    name: String,
    clip: Rect,
    keys: Vec<String>,
    key_index: FastMap<String, u32>,
    values: Vec<u8>,
    value_count: u32,
    /// The string values already in `values`, found by their bytes there: interning a
    /// string allocates nothing (dense tiles hold thousands of distinct names).
    strings: HashTable<InternedString>,
    scalar_index: FastMap<ScalarKey, u32>,
    features: Vec<u8>,
    count: usize,
    // Scratch buffers reused across features.
    geom: Vec<u32>,
    tags: Vec<u32>,
    /// The key index last seen at each property position (see `key_id`).
    key_at_position: Vec<u32>,
    pts: Vec<Pt>,
    clipped: Vec<Pt>,
    scratch: Vec<Pt>,
    ints: Vec<(i32, i32)>,
    cursor: (i32, i32),
}

impl LayerEncoder {
    pub fn new(name: &str, tile: TileId) -> Self {
        let b = BUFFER as f64;
        LayerEncoder {
            tile,
            name: name.to_owned(),
            clip: [-b, -b, EXTENT as f64 + b, EXTENT as f64 + b],
            keys: Vec::new(),
            key_index: FastMap::default(),
            values: Vec::new(),
            value_count: 0,
            strings: HashTable::new(),
            scalar_index: FastMap::default(),
            features: Vec::new(),
            count: 0,
            geom: Vec::new(),
            tags: Vec::new(),
            key_at_position: Vec::new(),
            pts: Vec::new(),
            clipped: Vec::new(),
            scratch: Vec::new(),
            ints: Vec::new(),
            cursor: (0, 0),
        }
    }

    /// Features written so far.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Clips, rounds and encodes one feature. Returns false (and writes nothing) when
    /// nothing of it is left inside the buffered tile. Null properties are left out.
    pub fn add<'a>(
        &mut self,
        id: Option<u64>,
        shape: &Shape,
        properties: impl IntoIterator<Item = (&'a str, PropertyValue<'a>)>,
    ) -> bool {
        self.add_parts(id, shape, None, properties)
    }

    /// Like [`add`](Self::add), but only the listed parts (indices into the shape's
    /// points, lines or polygons) when `parts` is given.
    pub fn add_parts<'a>(
        &mut self,
        id: Option<u64>,
        shape: &Shape,
        parts: Option<&[u32]>,
        properties: impl IntoIterator<Item = (&'a str, PropertyValue<'a>)>,
    ) -> bool {
        let selected = || PartIndices::new(parts, shape.part_count());
        self.geom.clear();
        self.cursor = (0, 0);
        let geom_type = match shape {
            Shape::Points(points) => {
                self.encode_points(selected().map(|i| &points[i]));
                1
            }
            Shape::Lines(lines) => {
                for i in selected() {
                    self.encode_line(&lines[i].0);
                }
                2
            }
            Shape::Polygons(polygons) => {
                for i in selected() {
                    self.encode_polygon(&polygons[i]);
                }
                3
            }
        };
        if self.geom.is_empty() {
            return false;
        }
        self.tags.clear();
        for (position, (key, value)) in properties.into_iter().enumerate() {
            if let Some(v) = self.value_id(value) {
                let k = self.key_id(key, position);
                self.tags.extend([k, v]);
            }
        }
        let mut f = Vec::with_capacity(16 + self.geom.len() * 2);
        if let Some(id) = id {
            write_varint_field(&mut f, 1, id);
        }
        write_packed(&mut f, 2, &self.tags);
        write_varint_field(&mut f, 3, geom_type);
        write_packed(&mut f, 4, &self.geom);
        write_bytes_field(&mut self.features, 2, &f);
        self.count += 1;
        true
    }

    /// The encoded single-layer tile, or an empty vector when no feature was added.
    pub fn finish(self) -> TileBytes {
        if self.count == 0 {
            return Vec::new();
        }
        let mut layer = Vec::with_capacity(self.features.len() + self.values.len() + 64);
        write_varint_field(&mut layer, 15, 2);
        write_bytes_field(&mut layer, 1, self.name.as_bytes());
        layer.extend_from_slice(&self.features);
        for key in &self.keys {
            write_bytes_field(&mut layer, 3, key.as_bytes());
        }
        layer.extend_from_slice(&self.values);
        write_varint_field(&mut layer, 5, EXTENT as u64);
        let mut tile = Vec::with_capacity(layer.len() + 8);
        write_bytes_field(&mut tile, 3, &layer);
        tile
    }

    /// The index of `key`, the `position`th property of the feature being added.
    fn key_id(&mut self, key: &str, position: usize) -> u32 {
        // Features of a layer usually list the same keys in the same order: comparing
        // with the key seen at this position last time is cheaper than hashing.
        if let Some(&i) = self.key_at_position.get(position) {
            if self.keys[i as usize] == key {
                return i;
            }
        }
        let i = match self.key_index.get(key) {
            Some(&i) => i,
            None => {
                let i = self.keys.len() as u32;
                self.keys.push(key.to_owned());
                self.key_index.insert(key.to_owned(), i);
                i
            }
        };
        if position >= self.key_at_position.len() {
            self.key_at_position.resize(position + 1, i);
        }
        self.key_at_position[position] = i;
        i
    }

    fn value_id(&mut self, value: PropertyValue) -> Option<u32> {
        let key = match value {
            PropertyValue::Null => return None,
            PropertyValue::Bool(b) => ScalarKey::Bool(b),
            PropertyValue::Uint(u) => ScalarKey::Uint(u),
            PropertyValue::Int(i) if i >= 0 => ScalarKey::Uint(i as u64),
            PropertyValue::Int(i) => ScalarKey::Int(i),
            // Whole numbers travel as integers even when the source wrote 2.0: JSON
            // does not tell 2.0 from 2 (PostgreSQL's jsonb drops the ".0"), so every
            // store gives the same bytes, and integers are shorter on the wire.
            PropertyValue::Float(f) if f.fract() == 0.0 && f.abs() < 9.007e15 => {
                if f >= 0.0 {
                    ScalarKey::Uint(f as u64)
                } else {
                    ScalarKey::Int(f as i64)
                }
            }
            PropertyValue::Float(f) => ScalarKey::Double(f.to_bits()),
            PropertyValue::Str(s) => return Some(self.string_id(s)),
            PropertyValue::Nested(v) => return Some(self.string_id(&v.to_string())),
        };
        if let Some(&i) = self.scalar_index.get(&key) {
            return Some(i);
        }
        let mut v = Vec::new();
        match key {
            ScalarKey::Double(bits) => {
                write_key(&mut v, 3, 1);
                v.extend_from_slice(&bits.to_le_bytes());
            }
            ScalarKey::Uint(u) => write_varint_field(&mut v, 5, u),
            ScalarKey::Int(i) => write_varint_field(&mut v, 6, zigzag64(i)),
            ScalarKey::Bool(b) => write_varint_field(&mut v, 7, b as u64),
        }
        let i = self.push_value(&v);
        self.scalar_index.insert(key, i);
        Some(i)
    }

    fn string_id(&mut self, s: &str) -> u32 {
        let hash = fnv(s.as_bytes());
        let values = &self.values;
        if let Some(found) = self.strings.find(hash, |e| {
            e.len == s.len() && &values[e.start..e.start + e.len] == s.as_bytes()
        }) {
            return found.index;
        }
        // Value { string_value (1): s }, written in place.
        let body = 1 + varint_len(s.len() as u64) + s.len();
        write_key(&mut self.values, 4, 2);
        write_varint(&mut self.values, body as u64);
        write_bytes_field(&mut self.values, 1, s.as_bytes());
        let entry = InternedString {
            hash,
            index: self.value_count,
            start: self.values.len() - s.len(),
            len: s.len(),
        };
        self.value_count += 1;
        self.strings.insert_unique(hash, entry, |e| e.hash);
        entry.index
    }

    /// Appends an encoded value message and returns its index in the layer's values.
    fn push_value(&mut self, encoded: &[u8]) -> u32 {
        write_bytes_field(&mut self.values, 4, encoded);
        self.value_count += 1;
        self.value_count - 1
    }

    fn to_tile(&self, c: &geo::Coord<f64>) -> Pt {
        self.tile.to_tile_units(c.x, c.y)
    }

    fn encode_points<'c>(&mut self, points: impl Iterator<Item = &'c geo::Coord<f64>>) {
        self.ints.clear();
        for c in points {
            let p = self.to_tile(c);
            if inside(p, &self.clip) {
                self.ints.push(round(p));
            }
        }
        if self.ints.is_empty() {
            return;
        }
        let ints = std::mem::take(&mut self.ints);
        self.geom.push(command(CMD_MOVE_TO, ints.len() as u32));
        for &p in &ints {
            self.push_delta(p);
        }
        self.ints = ints;
    }

    fn encode_line(&mut self, line: &[geo::Coord<f64>]) {
        let mut pts = std::mem::take(&mut self.pts);
        pts.clear();
        pts.extend(line.iter().map(|c| self.to_tile(c)));
        let mut piece = std::mem::take(&mut self.scratch);
        let clip = self.clip;
        let mut pieces: Vec<Vec<(i32, i32)>> = Vec::new();
        clip_line(&pts, &clip, &mut piece, |part| {
            let mut ints: Vec<(i32, i32)> = Vec::with_capacity(part.len());
            for &p in part {
                let r = round(p);
                if ints.last() != Some(&r) {
                    ints.push(r);
                }
            }
            if ints.len() >= 2 {
                pieces.push(ints);
            }
        });
        for ints in pieces {
            self.geom.push(command(CMD_MOVE_TO, 1));
            self.push_delta(ints[0]);
            self.geom.push(command(CMD_LINE_TO, ints.len() as u32 - 1));
            for &p in &ints[1..] {
                self.push_delta(p);
            }
        }
        self.pts = pts;
        self.scratch = piece;
    }

    fn encode_polygon(&mut self, polygon: &geo::Polygon<f64>) {
        // A polygon whose exterior vanished in this tile takes its holes with it.
        if self.encode_ring(&polygon.exterior().0, true) {
            for hole in polygon.interiors() {
                self.encode_ring(&hole.0, false);
            }
        }
    }

    /// Encodes one ring with MVT winding (exterior: positive area in tile units, y down).
    /// Returns false when the ring is empty or degenerate after clipping and rounding.
    fn encode_ring(&mut self, ring: &[geo::Coord<f64>], exterior: bool) -> bool {
        let mut pts = std::mem::take(&mut self.pts);
        pts.clear();
        // Rings are closed in the source; the MVT ring is closed by ClosePath instead.
        let open = if ring.len() > 1 && ring.first() == ring.last() {
            &ring[..ring.len() - 1]
        } else {
            ring
        };
        pts.extend(open.iter().map(|c| self.to_tile(c)));
        let (mut clipped, mut scratch) = (
            std::mem::take(&mut self.clipped),
            std::mem::take(&mut self.scratch),
        );
        let all_inside = pts.iter().all(|p| inside(*p, &self.clip));
        let source = if all_inside {
            &pts
        } else {
            clip_ring(&pts, &self.clip, &mut clipped, &mut scratch);
            &clipped
        };
        self.ints.clear();
        for &p in source.iter() {
            let r = round(p);
            if self.ints.last() != Some(&r) {
                self.ints.push(r);
            }
        }
        while self.ints.len() > 1 && self.ints.first() == self.ints.last() {
            self.ints.pop();
        }
        let area2 = twice_area(&self.ints);
        let ok = self.ints.len() >= 3 && area2 != 0;
        if ok {
            if (area2 > 0) != exterior {
                self.ints.reverse();
            }
            let ints = std::mem::take(&mut self.ints);
            self.geom.push(command(CMD_MOVE_TO, 1));
            self.push_delta(ints[0]);
            self.geom.push(command(CMD_LINE_TO, ints.len() as u32 - 1));
            for &p in &ints[1..] {
                self.push_delta(p);
            }
            self.geom.push(command(CMD_CLOSE_PATH, 1));
            self.ints = ints;
        }
        self.pts = pts;
        self.clipped = clipped;
        self.scratch = scratch;
        ok
    }

    fn push_delta(&mut self, p: (i32, i32)) {
        self.geom.push(zigzag32(p.0 - self.cursor.0));
        self.geom.push(zigzag32(p.1 - self.cursor.1));
        self.cursor = p;
    }
}

/// Indices of the parts to encode: the listed ones, or all.
enum PartIndices<'a> {
    Listed(std::slice::Iter<'a, u32>),
    All(std::ops::Range<usize>),
}

impl<'a> PartIndices<'a> {
    fn new(parts: Option<&'a [u32]>, count: usize) -> Self {
        match parts {
            Some(p) => PartIndices::Listed(p.iter()),
            None => PartIndices::All(0..count),
        }
    }
}

impl Iterator for PartIndices<'_> {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        match self {
            PartIndices::Listed(it) => it.next().map(|&i| i as usize),
            PartIndices::All(r) => r.next(),
        }
    }
}

fn round(p: Pt) -> (i32, i32) {
    (p.0.round() as i32, p.1.round() as i32)
}

/// Twice the signed area (surveyor's formula) in tile units; positive = MVT exterior.
fn twice_area(ring: &[(i32, i32)]) -> i64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            a.0 as i64 * b.1 as i64 - b.0 as i64 * a.1 as i64
        })
        .sum()
}

fn command(id: u32, count: u32) -> u32 {
    (id & 0x7) | (count << 3)
}

fn zigzag32(n: i32) -> u32 {
    ((n << 1) ^ (n >> 31)) as u32
}

fn zigzag64(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

fn write_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn varint_len(v: u64) -> usize {
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

fn write_key(out: &mut Vec<u8>, field: u32, wire_type: u8) {
    write_varint(out, ((field as u64) << 3) | wire_type as u64);
}

fn write_varint_field(out: &mut Vec<u8>, field: u32, v: u64) {
    write_key(out, field, 0);
    write_varint(out, v);
}

fn write_bytes_field(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    write_key(out, field, 2);
    write_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn write_packed(out: &mut Vec<u8>, field: u32, values: &[u32]) {
    if values.is_empty() {
        return;
    }
    let mut body = Vec::with_capacity(values.len() * 2);
    for &v in values {
        write_varint(&mut body, v as u64);
    }
    write_bytes_field(out, field, &body);
}
