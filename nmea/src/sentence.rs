//! NMEA 0183 framing: trimming a received line, the `*hh` checksum, splitting off an NMEA 4 tag
//! block, and the one-pass scan of `!xxVDM`/`!xxVDO` sentences that checks the checksum and
//! de-armours the payload in the same loop.
//!
//! Receivers append their own data after the checksum (`,b003660465`, `,s36310,d-081,T59.01`,
//! a literal `\x0d\x0a`); such a suffix is accepted when it starts with `,`, `\` or a blank.

use crate::armor::Payload;
use crate::decoder::Rejection;

/// The XOR of all bytes: the NMEA checksum of the text between `$`/`!` and `*`.
pub fn checksum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0, |acc, b| acc ^ b)
}

/// `body` framed as a sentence: `{start}{body}*HH`.
pub fn with_checksum(start: char, body: &str) -> String {
    format!("{start}{body}*{:02X}", checksum(body.as_bytes()))
}

/// The line without leading and trailing whitespace (including `\r` and `\n`).
pub fn trim_line(line: &[u8]) -> &[u8] {
    let start = line
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(line.len());
    let end = line
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    &line[start..end]
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

/// Two hex digits at the start of `bytes`.
pub fn parse_hex_byte(bytes: &[u8]) -> Option<u8> {
    match bytes {
        [hi, lo, ..] => Some(hex_digit(*hi)? << 4 | hex_digit(*lo)?),
        _ => None,
    }
}

/// Checks the `hh` after a `*` (`after_star` starts right after it) against `computed`, and
/// that whatever follows the two digits is an acceptable receiver suffix.
fn verify_checksum(after_star: &[u8], computed: u8) -> Result<(), Rejection> {
    let given = parse_hex_byte(after_star).ok_or(Rejection::BadChecksum)?;
    if given != computed {
        return Err(Rejection::BadChecksum);
    }
    match after_star.get(2) {
        None | Some(b',' | b'\\' | b' ' | b'\t') => Ok(()),
        Some(_) => Err(Rejection::Malformed),
    }
}

/// Splits an optional leading tag block off a trimmed line: returns the tag block's inside
/// (between the backslashes, checksum included) and the sentence after it.
pub fn split_tag_block(line: &[u8]) -> Result<(Option<&[u8]>, &[u8]), Rejection> {
    match line.split_first() {
        Some((b'\\', rest)) => {
            let end = rest
                .iter()
                .position(|&b| b == b'\\')
                .ok_or(Rejection::BadTagBlock)?;
            Ok((Some(&rest[..end]), &rest[end + 1..]))
        }
        _ => Ok((None, line)),
    }
}

/// Checks the checksum of a `$` sentence and returns the text between `$` and `*`.
pub fn checked_body(sentence: &[u8]) -> Result<&[u8], Rejection> {
    let body = sentence.get(1..).unwrap_or_default();
    let star = body
        .iter()
        .position(|&b| b == b'*')
        .ok_or(Rejection::BadChecksum)?;
    verify_checksum(&body[star + 1..], checksum(&body[..star]))?;
    Ok(&body[..star])
}

/// The header fields of an AIS VDM/VDO sentence: `!AIVDM,2,1,3,B,<payload>,0*hh`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VdmHeader {
    /// `!xxVDO`: the receiver's own ship.
    pub own_ship: bool,
    /// Number of sentences the message is split into (1..=9).
    pub fragment_count: u8,
    /// This sentence's number (1..=fragment_count).
    pub fragment_number: u8,
    /// Sequential message id tying the fragments of one message together.
    pub sequence_id: Option<u8>,
    /// Radio channel as given (`A`, `B`, `1`, `2`, …), if any.
    pub channel: Option<u8>,
}

/// Comma-separated fields of a VDM sentence: address, count, number, sequence ID, channel,
/// payload, fill bits.
const VDM_FIELDS: usize = 7;

/// Scans a `!xxVDM` / `!xxVDO` sentence (starting at `!`) in one pass: computes the checksum,
/// reads the header fields and appends the de-armoured payload, fill bits removed, to `payload`.
///
/// The checksum is checked before anything else is judged, so a corrupted line is reported as
/// `BadChecksum` rather than by whatever its corruption looks like.
pub fn scan_vdm(sentence: &[u8], payload: &mut Payload) -> Result<VdmHeader, Rejection> {
    let body = sentence.get(1..).unwrap_or_default();
    let mut xor = 0u8;
    let mut field_starts = [0usize; VDM_FIELDS + 1];
    let mut field = 0;
    let mut payload_valid = true;
    let mut payload_len = 0;
    let mut i = 0;
    let mut star = None;
    while i < body.len() {
        let b = body[i];
        if b == b'*' {
            star = Some(i);
            break;
        }
        xor ^= b;
        i += 1;
        if b == b',' {
            field += 1;
            if field <= VDM_FIELDS {
                field_starts[field] = i;
            }
            if field == 5 {
                let armored = payload.push_armored_field(&body[i..], &mut xor);
                payload_valid = armored.valid;
                payload_len = armored.len;
                i += armored.len;
            }
        }
    }
    let star = star.ok_or(Rejection::BadChecksum)?;
    verify_checksum(&body[star + 1..], xor)?;
    // The sentence kind first: another `!` sentence is unsupported, whatever its fields.
    let address_end = body[..star].iter().position(|&b| b == b',').unwrap_or(star);
    let own_ship = match &body[..address_end] {
        [t1, t2, b'V', b'D', b'M'] if t1.is_ascii_uppercase() && t2.is_ascii_uppercase() => false,
        [t1, t2, b'V', b'D', b'O'] if t1.is_ascii_uppercase() && t2.is_ascii_uppercase() => true,
        _ => return Err(Rejection::UnsupportedSentence),
    };
    if field != VDM_FIELDS - 1 {
        return Err(Rejection::Malformed);
    }
    field_starts[VDM_FIELDS] = star + 1;
    let text = |n: usize| &body[field_starts[n]..field_starts[n + 1] - 1];
    let digit = |f: &[u8]| match f {
        [d @ b'0'..=b'9'] => Some(d - b'0'),
        _ => None,
    };
    let fragment_count = digit(text(1)).ok_or(Rejection::Malformed)?;
    let fragment_number = digit(text(2)).ok_or(Rejection::Malformed)?;
    if fragment_count == 0 || fragment_number == 0 || fragment_number > fragment_count {
        return Err(Rejection::Malformed);
    }
    let sequence_id = match text(3) {
        [] => None,
        f => Some(digit(f).ok_or(Rejection::Malformed)?),
    };
    let channel = match text(4) {
        [] => None,
        [c] if c.is_ascii_graphic() => Some(*c),
        _ => return Err(Rejection::Malformed),
    };
    let fill_bits = match text(6) {
        [] => 0,
        f => match digit(f) {
            Some(n @ 0..=5) => n,
            _ => return Err(Rejection::Malformed),
        },
    };
    if payload_len == 0 {
        return Err(Rejection::EmptyPayload);
    }
    if !payload_valid {
        return Err(Rejection::BadArmor);
    }
    payload.drop_fill_bits(usize::from(fill_bits));
    Ok(VdmHeader {
        own_ship,
        fragment_count,
        fragment_number,
        sequence_id,
        channel,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_whitespace_and_line_endings() {
        assert_eq!(trim_line(b"  $GPRMC\r\n"), b"$GPRMC");
        assert_eq!(trim_line(b" \r\n"), b"");
    }

    #[test]
    fn scans_a_vdm_sentence() {
        let mut p = Payload::new();
        let h = scan_vdm(
            b"!AIVDM,2,1,3,B,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C",
            &mut p,
        );
        // the sample's real checksum belongs to seq id 1 on channel A
        assert_eq!(h, Err(Rejection::BadChecksum));
        let h = scan_vdm(
            b"!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C",
            &mut p,
        )
        .unwrap();
        assert_eq!(h.fragment_count, 2);
        assert_eq!(h.sequence_id, Some(1));
        assert_eq!(h.channel, Some(b'A'));
    }

    #[test]
    fn accepts_receiver_suffixes_only_after_a_separator() {
        let mut p = Payload::new();
        assert!(scan_vdm(b"!AIVDM,1,1,,B,:6TMCD1GOS60,0*5B,s36310,d-081", &mut p).is_ok());
        p = Payload::new();
        assert!(scan_vdm(b"!AIVDM,1,1,,B,:6TMCD1GOS60,0*5B\\x0d\\x0a", &mut p).is_ok());
        p = Payload::new();
        assert_eq!(
            scan_vdm(b"!AIVDM,1,1,,B,:6TMCD1GOS60,0*5B7", &mut p),
            Err(Rejection::Malformed)
        );
    }
}
