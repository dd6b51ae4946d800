//! Decodes generated glyph ranges with a reader written here from the protobuf spec (not
//! the crate's encoder) and checks the metrics and distance fields MapLibre will use.

use std::time::Instant;

use tidewatch_glyphs::{parse_range, GlyphFont};

#[derive(Debug, Default)]
struct Glyph {
    id: Option<u32>,
    bitmap: Option<Vec<u8>>,
    width: Option<u32>,
    height: Option<u32>,
    left: Option<i32>,
    top: Option<i32>,
    advance: Option<u32>,
}

#[derive(Debug, Default)]
struct Fontstack {
    name: Option<String>,
    range: Option<String>,
    glyphs: Vec<Glyph>,
}

/// A protobuf field: number and either a varint or length-delimited payload.
enum Value<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

fn fields(mut buf: &[u8]) -> Vec<(u64, Value<'_>)> {
    fn varint(buf: &mut &[u8]) -> u64 {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let (&b, rest) = buf.split_first().expect("truncated varint");
            *buf = rest;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return v;
            }
        }
        panic!("varint too long");
    }
    let mut out = Vec::new();
    while !buf.is_empty() {
        let key = varint(&mut buf);
        let value = match key & 7 {
            0 => Value::Varint(varint(&mut buf)),
            2 => {
                let len = varint(&mut buf) as usize;
                assert!(len <= buf.len(), "length past end of message");
                let (bytes, rest) = buf.split_at(len);
                buf = rest;
                Value::Bytes(bytes)
            }
            wire => panic!("unexpected wire type {wire}"),
        };
        out.push((key >> 3, value));
    }
    out
}

fn uint(v: &Value) -> u32 {
    match v {
        Value::Varint(v) => u32::try_from(*v).expect("uint32 overflow"),
        Value::Bytes(_) => panic!("expected varint"),
    }
}

fn sint(v: &Value) -> i32 {
    let n = uint(v);
    ((n >> 1) as i32) ^ -((n & 1) as i32)
}

fn bytes<'a>(v: &Value<'a>) -> &'a [u8] {
    match v {
        Value::Bytes(b) => b,
        Value::Varint(_) => panic!("expected bytes"),
    }
}

fn decode(buf: &[u8]) -> Vec<Fontstack> {
    fields(buf)
        .iter()
        .map(|(field, v)| {
            assert_eq!(*field, 1, "glyphs has only field 1");
            let mut stack = Fontstack::default();
            for (field, v) in fields(bytes(v)) {
                match field {
                    1 => stack.name = Some(String::from_utf8(bytes(&v).to_vec()).unwrap()),
                    2 => stack.range = Some(String::from_utf8(bytes(&v).to_vec()).unwrap()),
                    3 => {
                        let mut g = Glyph::default();
                        for (field, v) in fields(bytes(&v)) {
                            match field {
                                1 => g.id = Some(uint(&v)),
                                2 => g.bitmap = Some(bytes(&v).to_vec()),
                                3 => g.width = Some(uint(&v)),
                                4 => g.height = Some(uint(&v)),
                                5 => g.left = Some(sint(&v)),
                                6 => g.top = Some(sint(&v)),
                                7 => g.advance = Some(uint(&v)),
                                f => panic!("unknown glyph field {f}"),
                            }
                        }
                        stack.glyphs.push(g);
                    }
                    f => panic!("unknown fontstack field {f}"),
                }
            }
            stack
        })
        .collect()
}

/// The single fontstack of a range, with every required field checked present.
fn decode_range(start: u32) -> Fontstack {
    let pbf = GlyphFont::bundled().range_pbf(start).unwrap();
    let mut stacks = decode(&pbf);
    assert_eq!(stacks.len(), 1);
    let stack = stacks.remove(0);
    assert_eq!(stack.name.as_deref(), Some("Noto Sans Regular"));
    assert_eq!(stack.range, Some(format!("{}-{}", start, start + 255)));
    for g in &stack.glyphs {
        let id = g.id.expect("id");
        assert!((start..start + 256).contains(&id), "{id} outside range");
        let (w, h) = (g.width.expect("width"), g.height.expect("height"));
        assert!(g.left.is_some() && g.top.is_some() && g.advance.is_some());
        match &g.bitmap {
            Some(b) => assert_eq!(b.len() as u32, (w + 6) * (h + 6), "bitmap size of {id}"),
            None => assert_eq!((w, h), (0, 0), "{id} has a box but no bitmap"),
        }
    }
    let ids: Vec<u32> = stack.glyphs.iter().map(|g| g.id.unwrap()).collect();
    assert!(
        ids.windows(2).all(|p| p[0] < p[1]),
        "ids ascend, no repeats"
    );
    stack
}

fn glyph(stack: &Fontstack, c: char) -> &Glyph {
    stack
        .glyphs
        .iter()
        .find(|g| g.id == Some(c as u32))
        .unwrap_or_else(|| panic!("no glyph for {c:?}"))
}

/// The SDF as rows of bytes, top row first.
fn rows(g: &Glyph) -> Vec<&[u8]> {
    let w = g.width.unwrap() as usize + 6;
    g.bitmap.as_ref().unwrap().chunks(w).collect()
}

/// Number of separate runs of "inside" pixels (>= the 191 edge value) along a line.
fn inside_runs(line: impl IntoIterator<Item = u8>) -> usize {
    let mut runs = 0;
    let mut was_inside = false;
    for v in line {
        let inside = v > 191;
        runs += usize::from(inside && !was_inside);
        was_inside = inside;
    }
    runs
}

#[test]
fn latin_range_has_sensible_metrics() {
    let stack = decode_range(0);
    // Noto Sans covers all of Basic Latin and Latin-1's printable characters.
    for c in (0x20u8..0x7f).chain(0xa0..=0xff) {
        glyph(&stack, c as char);
    }

    // 'A' in Noto Sans: advance 639 units, box x 0..639, y 0..714 (1000 units per em).
    let a = glyph(&stack, 'A');
    assert_eq!(a.advance, Some(15), "639 × 24/1000 = 15.3");
    assert_eq!(a.left, Some(0));
    assert_eq!(a.width, Some(15));
    assert_eq!(a.height, Some(17), "cap height 714 units = 17.1 px");
    // top = round(yMax) − ascender = 17 − ceil(1069 × 0.024) = 17 − 26.
    assert_eq!(a.top, Some(-9));

    // Descenders reach below the baseline: 'g' bottom = top + ascender − height < 0.
    let g = glyph(&stack, 'g');
    let g_bottom = g.top.unwrap() + 26 - g.height.unwrap() as i32;
    assert!((-6..=-4).contains(&g_bottom), "g descends to {g_bottom}");
    // 'x' sits on the baseline at x-height (536 units = 12.9 px).
    let x = glyph(&stack, 'x');
    assert_eq!(x.top.unwrap() + 26 - x.height.unwrap() as i32, 0);
    assert_eq!(x.top, Some(13 - 26));

    let space = glyph(&stack, ' ');
    assert_eq!(
        (space.width, space.height, space.bitmap.as_ref()),
        (Some(0), Some(0), None)
    );
    assert_eq!(space.advance, Some(6), "260 units");
    assert_eq!(
        glyph(&stack, '0').advance,
        Some(14),
        "tabular digits, 572 units"
    );
}

#[test]
fn distance_fields_have_the_glyph_shape() {
    let stack = decode_range(0);
    for c in ['A', 'I', 'O', 'g', '7', '.'] {
        let r = rows(glyph(&stack, c));
        // The outermost ring lies >= 2.5 px outside the ink's box (allowing 0.5 px for
        // rounding the box): at most 255 − 255·(2/8 + 0.25).
        let ring = r[0]
            .iter()
            .chain(r[r.len() - 1])
            .chain(r.iter().map(|l| &l[0]))
            .chain(r.iter().map(|l| &l[l.len() - 1]));
        assert!(ring.copied().all(|v| v <= 128), "{c:?} border: {r:?}");
        // Stems are ~2 px wide at 24 px, so the deepest point is ~1 px inside: ~223.
        assert!(
            r.iter().flat_map(|l| l.iter()).any(|&v| v > 210),
            "{c:?} has an inside"
        );
    }
    // Corners far from any ink are fully outside.
    let (o, a) = (rows(glyph(&stack, 'O')), rows(glyph(&stack, 'A')));
    let (oh, ow) = (o.len() - 1, o[0].len() - 1);
    assert_eq!(
        [o[0][0], o[0][ow], o[oh][0], o[oh][ow]],
        [0; 4],
        "O's corners"
    );
    assert_eq!([a[0][0], a[0][a[0].len() - 1]], [0; 2], "A's top corners");
    // A's feet touch its bottom corners: the corner pixel centre is 2.5·√2 px away.
    assert_eq!(a[a.len() - 1][0], 79, "255 − 255·(3.54/8 + 0.25)");

    // 'I' is one stem: its centre is inside, and the field falls by 255/8 ≈ 32 per pixel
    // across the stem's edge.
    let i = rows(glyph(&stack, 'I'));
    let mid = &i[i.len() / 2];
    assert!(
        mid[mid.len() / 2] > 192,
        "centre of I: {}",
        mid[mid.len() / 2]
    );
    assert_eq!(inside_runs(mid.iter().copied()), 1);
    let steps: Vec<i32> = mid
        .windows(2)
        .map(|p| i32::from(p[1]) - i32::from(p[0]))
        .filter(|&d| d > 0 && d < 255)
        .collect();
    assert!(
        steps.iter().filter(|&&d| (30..=33).contains(&d)).count() >= 3,
        "ramp of ~32/px outside the stem: {mid:?}"
    );

    // 'A' down its middle column: apex, counter (outside), crossbar, open bottom.
    let a = rows(glyph(&stack, 'A'));
    let col = a[0].len() / 2;
    let column: Vec<u8> = a.iter().map(|l| l[col]).collect();
    assert_eq!(
        inside_runs(column.iter().copied()),
        2,
        "A's middle: {column:?}"
    );
    assert!(column[column.len() - 4] < 64, "below the crossbar is open");

    // 'O' across its middle row: two strokes around an empty counter.
    let o = rows(glyph(&stack, 'O'));
    let mid = &o[o.len() / 2];
    assert_eq!(inside_runs(mid.iter().copied()), 2, "O's middle: {mid:?}");
    assert!(mid[mid.len() / 2] < 96, "O's counter is outside");
}

#[test]
fn missing_code_points_give_an_empty_valid_range() {
    // CJK ideographs (MapLibre draws those locally) and the Private Use Area.
    for start in [19968, 0xE000] {
        let stack = decode_range(start);
        assert!(
            stack.glyphs.is_empty(),
            "{start}: {} glyphs",
            stack.glyphs.len()
        );
    }
    // A range the font covers only partly: Latin Extended Additional is there, the
    // surrogate block (never chars) is not.
    assert!(!decode_range(0x1E00).glyphs.is_empty());
    assert!(decode_range(0xD800).glyphs.is_empty());
}

#[test]
fn requested_range_strings_round_trip() {
    for start in [0, 256, 8192, 65280] {
        let s = format!("{}-{}", start, start + 255);
        assert_eq!(parse_range(&s).unwrap(), start);
        assert_eq!(decode_range(start).range.as_deref(), Some(s.as_str()));
    }
}

#[test]
fn a_range_renders_quickly() {
    let font = GlyphFont::bundled();
    font.range_pbf(0).unwrap(); // parse the font outside the timing
    let t = Instant::now();
    let pbf = font.range_pbf(0).unwrap();
    let took = t.elapsed();
    eprintln!("0-255: {} bytes in {took:?}", pbf.len());
    // The goal is well under 100 ms; the bound leaves room for a loaded CI machine.
    assert!(took.as_millis() < 500, "0-255 took {took:?}");
}

/// `fixtures/fontnik-…-0-255.pbf` is node-fontnik 0.7.7's rendering of the same
/// NotoSans-Regular.ttf (see README.md): the reference MapLibre's glyph metrics come from.
#[test]
fn matches_fontnik_for_the_same_font() {
    let theirs = decode(include_bytes!(
        "fixtures/fontnik-0.7.7-noto-sans-regular-0-255.pbf"
    ))
    .remove(0);
    let ours = decode_range(0);
    assert_eq!(theirs.name, ours.name);
    assert_eq!(theirs.range, ours.range);
    let ids = |s: &Fontstack| s.glyphs.iter().map(|g| g.id.unwrap()).collect::<Vec<_>>();
    assert_eq!(ids(&theirs), ids(&ours), "same code points covered");

    let (mut diff_sum, mut pixels, mut rounded_up) = (0u64, 0u64, 0);
    for (t, o) in theirs.glyphs.iter().zip(&ours.glyphs) {
        let id = t.id.unwrap();
        assert_eq!(
            (t.width, t.height, t.left, t.top),
            (o.width, o.height, o.left, o.top),
            "box of U+{id:04X}"
        );
        // fontnik truncates advances; we round (see sdf.rs), so ours may be 1 px wider.
        let extra = o.advance.unwrap() - t.advance.unwrap();
        assert!(extra <= 1, "advance of U+{id:04X}");
        rounded_up += extra;
        if let (Some(tb), Some(ob)) = (&t.bitmap, &o.bitmap) {
            for (&a, &b) in tb.iter().zip(ob) {
                let d = a.abs_diff(b);
                assert!(d <= 16, "U+{id:04X} SDF differs by {d}");
                diff_sum += u64::from(d);
                pixels += 1;
            }
        }
    }
    // About half the advances have a fraction >= .5; all of them being rounded up (or
    // none) would mean a wrong scale.
    assert!(
        (60..140).contains(&rounded_up),
        "{rounded_up} advances rounded up"
    );
    let mean = diff_sum as f64 / pixels as f64;
    assert!(
        mean < 1.0,
        "mean SDF difference {mean:.2} over {pixels} pixels"
    );
}
