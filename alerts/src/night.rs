//! Night at a place, from `tidewatch_tides::nights` (sunset/sunrise or civil dusk/dawn
//! computed for the place's own longitude and latitude, days in Asia/Shanghai), cached per
//! place over a three-day span so the Sun is computed about once a day per pier.

use crate::event::TimeSpan;
use crate::metric::LonLat;
use tidewatch_tides::{nights, NightRule, DAY};

pub(crate) struct NightCache {
    /// The span (Unix seconds) whose nights `nights` holds completely.
    from_s: i64,
    to_s: i64,
    nights: Vec<TimeSpan>,
}

impl NightCache {
    fn compute(rule: &NightRule, at: LonLat, t_s: i64) -> NightCache {
        let (from_s, to_s) = (t_s - DAY, t_s + 2 * DAY);
        let nights = nights(rule, at.lon, at.lat, from_s, to_s)
            .into_iter()
            .map(|n| TimeSpan {
                start_ms: n.start * 1000,
                end_ms: n.end * 1000,
            })
            .collect();
        NightCache {
            from_s,
            to_s,
            nights,
        }
    }

    /// The night containing `t_ms` at `at`, if it is night: from the night's start
    /// (inclusive) to its end (exclusive, the instant of sunrise).
    pub fn night_at(
        cache: &mut Option<NightCache>,
        rule: &NightRule,
        at: LonLat,
        t_ms: i64,
    ) -> Option<TimeSpan> {
        let t_s = t_ms.div_euclid(1000);
        let fresh = cache
            .as_ref()
            .is_some_and(|c| c.from_s <= t_s && t_s < c.to_s);
        if !fresh {
            *cache = Some(NightCache::compute(rule, at, t_s));
        }
        cache
            .as_ref()?
            .nights
            .iter()
            .find(|n| n.start_ms <= t_ms && t_ms < n.end_ms)
            .copied()
    }
}
