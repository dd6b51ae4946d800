//! The coastline as numbered segments in the plane: lengths on the ellipsoid, the town each
//! belongs to, an R-tree, and which parameter intervals of each segment a view covers.

use geo::{Coord, MultiLineString};

use crate::intervals::Intervals;
use crate::plane::{norm, SegmentIndex};
use crate::projection::TransverseMercator;
use crate::visibility::Visibility;

#[derive(Debug, Clone)]
pub(crate) struct CoastSegment {
    pub a: Coord<f64>,
    pub b: Coord<f64>,
    /// Length on the ellipsoid (planar length over the point scale factor).
    pub length_m: f64,
    /// Index of the nearest town to the segment's midpoint, if there are towns.
    pub town: Option<usize>,
}

impl CoastSegment {
    pub(crate) fn at(&self, t: f64) -> Coord<f64> {
        if t == 1.0 {
            self.b
        } else {
            self.a + (self.b - self.a) * t
        }
    }
}

/// One connected line of the coastline: segments `first..end`, closed if it ends where it starts.
#[derive(Debug, Clone)]
pub(crate) struct CoastPart {
    pub first: usize,
    pub end: usize,
    pub closed: bool,
}

/// A piece of one segment seen by one view.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SegmentHit {
    pub segment: u32,
    pub t0: f64,
    pub t1: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct Coast {
    pub segments: Vec<CoastSegment>,
    pub parts: Vec<CoastPart>,
    index: SegmentIndex,
}

impl Coast {
    /// `lines` in planar metres; `nearest_town` maps a planar point to a town index.
    pub(crate) fn new(
        lines: &MultiLineString<f64>,
        projection: &TransverseMercator,
        nearest_town: impl Fn(Coord<f64>) -> Option<usize>,
    ) -> Self {
        let mut segments = Vec::new();
        let mut parts = Vec::new();
        for line in &lines.0 {
            let first = segments.len();
            for l in line.lines().filter(|l| l.start != l.end) {
                let mid = (l.start + l.end) * 0.5;
                segments.push(CoastSegment {
                    a: l.start,
                    b: l.end,
                    length_m: norm(l.end - l.start) / projection.scale_factor(mid.x),
                    town: nearest_town(mid),
                });
            }
            if segments.len() > first {
                parts.push(CoastPart {
                    first,
                    end: segments.len(),
                    closed: line.is_closed(),
                });
            }
        }
        let index = SegmentIndex::new(
            segments
                .iter()
                .enumerate()
                .map(|(i, s)| (s.a, s.b, i as u32)),
        );
        Self {
            segments,
            parts,
            index,
        }
    }

    pub(crate) fn length_m(&self) -> f64 {
        self.segments.iter().map(|s| s.length_m).sum()
    }

    /// Every coastline piece the view covers, by segment number.
    pub(crate) fn hits(&self, view: &Visibility) -> Vec<SegmentHit> {
        let segments: Vec<u32> = self
            .index
            .within(view.origin, view.range)
            .map(|(_, _, i)| i)
            .collect();
        self.hits_on(view, segments)
    }

    /// Like `hits`, but only looking at the given segments (ascending).
    pub(crate) fn hits_on(&self, view: &Visibility, mut segments: Vec<u32>) -> Vec<SegmentHit> {
        segments.sort_unstable();
        let mut out = Vec::new();
        let mut intervals: Intervals = Vec::new();
        for segment in segments {
            let s = &self.segments[segment as usize];
            intervals.clear();
            view.clip_segment(s.a, s.b, &mut intervals);
            out.extend(
                intervals
                    .iter()
                    .map(|&(t0, t1)| SegmentHit { segment, t0, t1 }),
            );
        }
        out
    }
}
