//! SplitMix64 (Steele, Lea & Flood 2014), a tiny, fully specified PRNG.
//!
//! We carry our own instead of the `rand` crate so that a seed yields the same demo files
//! byte for byte on every platform and with every dependency version.

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// A SplitMix64 generator.
pub struct Rng {
    state: u64,
}

impl Rng {
    /// The generator for one named stream of `seed`. Each layer draws from its own stream,
    /// so changing how one layer is built does not reshuffle the others.
    pub fn stream(seed: u64, name: &str) -> Self {
        // FNV-1a turns the stream name into a salt.
        let salt = name.bytes().fold(0xCBF2_9CE4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01B3)
        });
        Rng {
            state: mix(seed ^ mix(salt)),
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        mix(self.state)
    }

    /// Uniform in [0, 1), from the top 53 bits (exact in f64).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1_u64 << 53) as f64
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform integer in 0..n (Lemire's multiply-shift; the bias is below 2^-50 for our n).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform integer in lo..=hi.
    pub fn int(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below((hi - lo + 1) as usize) as u32
    }

    pub fn chance(&mut self, probability: f64) -> bool {
        self.unit() < probability
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }

    /// Marks exactly `k` items, drawn without replacement with probability proportional to
    /// `weights`. Exact counts keep shares (idle piers, failed cameras) the same for every seed.
    pub fn choose_weighted(&mut self, weights: &[f64], k: usize) -> Vec<bool> {
        let mut left = weights.to_vec();
        let mut chosen = vec![false; weights.len()];
        for _ in 0..k {
            let i = self.pick_weighted(&left);
            chosen[i] = true;
            left[i] = 0.0;
        }
        chosen
    }

    /// An index drawn with probability proportional to `weights` (some must be positive).
    fn pick_weighted(&mut self, weights: &[f64]) -> usize {
        let mut target = self.unit() * weights.iter().sum::<f64>();
        let last_positive = weights
            .iter()
            .rposition(|&w| w > 0.0)
            .expect("more items chosen than have a positive weight");
        // Rounding can leave `target` just past the last weight; it then belongs to the last item.
        weights[..last_positive]
            .iter()
            .position(|&w| {
                target -= w;
                w > 0.0 && target < 0.0
            })
            .unwrap_or(last_positive)
    }
}

/// The SplitMix64 output function.
fn mix(z: u64) -> u64 {
    let z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_splitmix64_reference_output() {
        // First outputs of the reference implementation seeded with 0.
        let mut rng = Rng { state: 0 };
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn streams_differ_by_name_and_seed() {
        let first = |seed, name| Rng::stream(seed, name).next_u64();
        assert_ne!(first(988, "piers"), first(988, "cameras"));
        assert_ne!(first(988, "piers"), first(989, "piers"));
        assert_eq!(first(988, "piers"), first(988, "piers"));
    }

    #[test]
    fn choose_weighted_picks_exactly_k_and_never_zero_weights() {
        let mut rng = Rng::stream(1, "test");
        let weights = [1.0, 0.0, 3.0, 2.0, 0.0, 1.0];
        for k in 0..=4 {
            let chosen = rng.choose_weighted(&weights, k);
            assert_eq!(chosen.iter().filter(|&&c| c).count(), k);
            assert!(!chosen[1] && !chosen[4]);
        }
    }

    #[test]
    fn ranges_stay_in_bounds() {
        let mut rng = Rng::stream(7, "test");
        for _ in 0..10_000 {
            let x = rng.range(2.0, 3.0);
            assert!((2.0..3.0).contains(&x));
            assert!((4..=6).contains(&rng.int(4, 6)));
            assert!(rng.below(5) < 5);
        }
    }
}
