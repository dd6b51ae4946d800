//! Tide prediction (skeleton; see issue 7).
