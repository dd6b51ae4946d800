//! Names for demo features: Chinese numerals, the nearest town, per-series numbering.
//!
//! Chinese names use Chinese numerals (高塘七号码头), never Latin digits, so labels render
//! with local CJK fonts alone.

use crate::geodesy::distance_m;
use crate::Place;
use geo::Coord;
use std::collections::HashMap;

/// A bilingual name.
#[derive(Debug, Clone)]
pub struct Name {
    pub zh: String,
    pub en: String,
}

impl Name {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Name {
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn of_place(place: &Place) -> Self {
        Name::new(&place.name_zh, &place.name_en)
    }

    /// `self` followed by a number and a noun: 高塘 + 7 + 码头 → "高塘七号码头", "Gaotang Pier 7".
    pub fn numbered(&self, number: u32, noun: &Name) -> Name {
        Name {
            zh: format!("{}{}号{}", self.zh, chinese_numeral(number), noun.zh),
            en: format!("{} {} {number}", self.en, noun.en),
        }
    }

    /// `self` with a suffix on both names: 高塘 + 海岸 → "高塘海岸", "Gaotang Coast".
    pub fn with_suffix(&self, suffix: &Name) -> Name {
        Name {
            zh: format!("{}{}", self.zh, suffix.zh),
            en: format!("{} {}", self.en, suffix.en),
        }
    }
}

/// Hands out 1, 2, 3… separately for each series (one per town and kind, or per pier).
#[derive(Default)]
pub struct Numbering(HashMap<String, u32>);

impl Numbering {
    pub fn next(&mut self, series: &str) -> u32 {
        let n = self.0.entry(series.to_owned()).or_default();
        *n += 1;
        *n
    }
}

/// The place nearest to `p` and its distance in metres (None only for an empty list).
pub fn nearest_place(places: &[Place], p: Coord) -> Option<(&Place, f64)> {
    places
        .iter()
        .map(|place| (place, distance_m(place.position, p)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

/// 1 → 一, 10 → 十, 21 → 二十一, 101 → 一百零一, up to 9999.
pub fn chinese_numeral(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    assert!((1..10_000).contains(&n), "no Chinese numeral for {n}");
    let places = [
        (n / 1000, "千"),
        (n / 100 % 10, "百"),
        (n / 10 % 10, "十"),
        (n % 10, ""),
    ];
    let mut out = String::new();
    let mut zero_pending = false;
    for (digit, unit) in places {
        if digit == 0 {
            // An inner run of zeros is read as one 零 (一百零一), trailing zeros not at all.
            zero_pending |= !out.is_empty();
            continue;
        }
        if zero_pending {
            out.push('零');
            zero_pending = false;
        }
        // 十一, not 一十一, when the number starts with the tens.
        if !(digit == 1 && unit == "十" && out.is_empty()) {
            out.push_str(DIGITS[digit as usize]);
        }
        out.push_str(unit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numerals() {
        let cases = [
            (1, "一"),
            (7, "七"),
            (10, "十"),
            (11, "十一"),
            (20, "二十"),
            (35, "三十五"),
            (100, "一百"),
            (101, "一百零一"),
            (110, "一百一十"),
            (1000, "一千"),
            (1001, "一千零一"),
            (1010, "一千零一十"),
            (2305, "二千三百零五"),
        ];
        for (n, zh) in cases {
            assert_eq!(chinese_numeral(n), zh, "{n}");
        }
    }

    #[test]
    fn numbered_names_follow_local_style() {
        let gaotang = Name::new("高塘", "Gaotang");
        let pier = gaotang.numbered(7, &Name::new("码头", "Pier"));
        assert_eq!(
            (pier.zh.as_str(), pier.en.as_str()),
            ("高塘七号码头", "Gaotang Pier 7")
        );
        let mut numbering = Numbering::default();
        assert_eq!(numbering.next("a"), 1);
        assert_eq!(numbering.next("b"), 1);
        assert_eq!(numbering.next("a"), 2);
    }
}
