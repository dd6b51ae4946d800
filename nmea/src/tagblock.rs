//! NMEA 4 tag blocks: the `\s:station,c:1700000000*hh\` prefix that receivers and aggregators
//! put in front of a sentence to say where and when it was received.
//!
//! The checksum (XOR of the text between the first `\` and `*`) is verified when present; many
//! feeds send tag blocks without one, so a missing checksum is accepted. Unknown parameters are
//! skipped, so that a feed adding its own does not lose its sentences.

use crate::decoder::Rejection;
use crate::sentence::{checksum, parse_hex_byte};

/// Above this, a `c:` value is taken to be milliseconds: 10^11 seconds is the year 5138.
const MILLISECONDS_THRESHOLD: i64 = 100_000_000_000;

/// NMEA 4 tag block `\s:src,c:unixtime,...*hh\`. All parameters are optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagBlock {
    /// `s:` source / station identifier.
    pub source: Option<String>,
    /// `c:` receive time in whole UNIX seconds (a millisecond `c:` is floored to seconds).
    pub unix_time: Option<i64>,
    /// `c:` receive time in UNIX milliseconds (a second `c:` is multiplied by 1000).
    pub unix_time_ms: Option<i64>,
    /// `g:n-m-id` sentence group: this is sentence `n` of `m` in group `id`.
    pub group: Option<(u8, u8, u32)>,
    /// `d:` destination identifier.
    pub destination: Option<String>,
    /// `n:` line count.
    pub line_count: Option<u32>,
    /// `r:` relative time.
    pub relative_time: Option<i64>,
    /// `t:` free text.
    pub text: Option<String>,
}

impl TagBlock {
    /// Parses the inside of a tag block (the text between the backslashes).
    pub fn parse(inner: &[u8]) -> Result<Self, Rejection> {
        let fields = match inner.iter().position(|&b| b == b'*') {
            Some(star) => {
                let given = parse_hex_byte(&inner[star + 1..]).ok_or(Rejection::BadTagBlock)?;
                if inner.len() != star + 3 || given != checksum(&inner[..star]) {
                    return Err(Rejection::BadTagBlock);
                }
                &inner[..star]
            }
            None => inner,
        };
        let text = std::str::from_utf8(fields).map_err(|_| Rejection::BadTagBlock)?;
        let mut tag = TagBlock::default();
        for field in text.split(',') {
            let (key, value) = field.split_once(':').ok_or(Rejection::BadTagBlock)?;
            let number = |v: &str| v.parse::<i64>().map_err(|_| Rejection::BadTagBlock);
            match key {
                "s" => tag.source = Some(value.to_owned()),
                "d" => tag.destination = Some(value.to_owned()),
                "t" => tag.text = Some(value.to_owned()),
                "c" => {
                    let c = number(value)?;
                    if c > MILLISECONDS_THRESHOLD {
                        tag.unix_time = Some(c.div_euclid(1000));
                        tag.unix_time_ms = Some(c);
                    } else {
                        tag.unix_time = Some(c);
                        tag.unix_time_ms = Some(c * 1000);
                    }
                }
                "r" => tag.relative_time = Some(number(value)?),
                "n" => tag.line_count = Some(value.parse().map_err(|_| Rejection::BadTagBlock)?),
                "g" => tag.group = Some(parse_group(value).ok_or(Rejection::BadTagBlock)?),
                _ => {}
            }
        }
        Ok(tag)
    }

    /// The tag block as sent on the wire, backslashes and checksum included, e.g.
    /// `\s:rcv1,c:1700000000*5C\`. A time with a millisecond part is written in milliseconds.
    pub fn to_nmea(&self) -> String {
        let mut fields: Vec<String> = Vec::new();
        if let Some((n, m, id)) = self.group {
            fields.push(format!("g:{n}-{m}-{id}"));
        }
        if let Some(n) = self.line_count {
            fields.push(format!("n:{n}"));
        }
        if let Some(s) = &self.source {
            fields.push(format!("s:{s}"));
        }
        if let Some(d) = &self.destination {
            fields.push(format!("d:{d}"));
        }
        match (self.unix_time, self.unix_time_ms) {
            (_, Some(ms)) if ms % 1000 != 0 => fields.push(format!("c:{ms}")),
            (Some(s), _) => fields.push(format!("c:{s}")),
            (None, Some(ms)) => fields.push(format!("c:{}", ms / 1000)),
            (None, None) => {}
        }
        if let Some(r) = self.relative_time {
            fields.push(format!("r:{r}"));
        }
        if let Some(t) = &self.text {
            fields.push(format!("t:{t}"));
        }
        let inner = fields.join(",");
        format!("\\{inner}*{:02X}\\", checksum(inner.as_bytes()))
    }
}

fn parse_group(value: &str) -> Option<(u8, u8, u32)> {
    let mut parts = value.splitn(3, '-');
    let n = parts.next()?.parse().ok()?;
    let m = parts.next()?.parse().ok()?;
    let id = parts.next()?.parse().ok()?;
    Some((n, m, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_source_time_and_group() {
        let tag = TagBlock::parse(b"g:1-2-73874,n:157036,s:r003669945,c:1241544035*4A").unwrap();
        assert_eq!(tag.source.as_deref(), Some("r003669945"));
        assert_eq!(tag.unix_time, Some(1_241_544_035));
        assert_eq!(tag.unix_time_ms, Some(1_241_544_035_000));
        assert_eq!(tag.group, Some((1, 2, 73874)));
        assert_eq!(tag.line_count, Some(157_036));
    }

    #[test]
    fn millisecond_times_are_recognised() {
        let tag = TagBlock::parse(b"c:1700000000123").unwrap();
        assert_eq!(tag.unix_time, Some(1_700_000_000));
        assert_eq!(tag.unix_time_ms, Some(1_700_000_000_123));
    }

    #[test]
    fn checksum_is_verified() {
        assert_eq!(
            TagBlock::parse(b"s:rcv1,c:1700000000*00"),
            Err(Rejection::BadTagBlock)
        );
    }

    #[test]
    fn round_trips_through_to_nmea() {
        let tag = TagBlock {
            source: Some("rcv1".into()),
            unix_time: Some(1_700_000_000),
            unix_time_ms: Some(1_700_000_000_000),
            group: Some((1, 2, 7)),
            ..TagBlock::default()
        };
        let wire = tag.to_nmea();
        let inner = &wire.as_bytes()[1..wire.len() - 1];
        assert_eq!(TagBlock::parse(inner).unwrap(), tag);
    }
}
