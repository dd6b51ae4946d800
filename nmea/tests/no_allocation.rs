//! The hot path does not allocate: decoding a single-sentence position report (types 1 and 18,
//! the bulk of any AIS feed) runs on the stack. Checked with a counting global allocator, which
//! is why this test has a binary of its own.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use tidewatch_nmea::encode::position_sentences;
use tidewatch_nmea::{Decoded, Decoder, PositionReport};

struct CountingAllocator;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

#[test]
fn position_reports_decode_without_allocating() {
    let lines: Vec<String> = (0..1000u32)
        .flat_map(|i| {
            let lon = 121.5 + f64::from(i) * 1e-3;
            let report = if i % 2 == 0 {
                PositionReport::class_a(412_000_000 + i, lon, 29.2, Some(7.5), Some(90.0), None, 1)
            } else {
                PositionReport::class_b(412_000_000 + i, lon, 29.2, Some(7.5), Some(90.0), None, 1)
            };
            position_sentences(&report, 'A', None)
        })
        .collect();
    let mut decoder = Decoder::new();
    let mut decoded = 0;
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for (n, line) in lines.iter().enumerate() {
        if let Ok(Some(Decoded::Ais { .. })) = decoder.feed(line.as_bytes(), n as u64) {
            decoded += 1;
        }
    }
    let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;
    assert_eq!(decoded, 1000);
    assert_eq!(allocations, 0);
}
