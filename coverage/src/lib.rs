//! Coverage of the coast by radars and cameras (skeleton; see issue 6).
