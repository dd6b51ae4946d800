// Constituents defined differently by Neaps 0.11.0 and tidewatch-tides (see README.md):
// left out of the comparison and of the timing on both sides.
export const LEFT_OUT = ["M1", "MKS2"];
