//! Attribute lists (RFC 8216bis §4.2) and the scalar value types they carry.
//!
//! The lexer only splits `NAME=VALUE,…`; each tag then converts the values it knows with the
//! typed parsers below, so an error can name the attribute. The converters accept a value
//! whether or not it is quoted: encoders that write `TYPE="AUDIO"` or `BANDWIDTH="800000"` are
//! common enough, and the quoting never changes the meaning of a known attribute.

use super::error::{PlaylistError, PlaylistErrorKind as Kind};
use super::media::ByteRange;
use super::multivariant::Resolution;
use super::scan::find_byte;

/// One attribute value as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeValue<'a> {
    /// `"…"`, without the quotes.
    Quoted(&'a str),
    /// Anything else: a number, a hex sequence, an enumerated string, a resolution.
    Unquoted(&'a str),
}

impl<'a> AttributeValue<'a> {
    /// The text of the value with quotes removed.
    pub fn text(self) -> &'a str {
        match self {
            AttributeValue::Quoted(s) | AttributeValue::Unquoted(s) => s,
        }
    }
}

/// Splits an attribute list, calling `f(name, value)` for each attribute in order.
///
/// Tolerates whitespace around names, values and commas and a trailing comma; refuses an
/// unterminated quoted string, a missing `=`, and a name that is not `[A-Za-z0-9_-]+`.
pub fn parse_attribute_list<'a>(
    list: &'a str,
    line: usize,
    mut f: impl FnMut(&'a str, AttributeValue<'a>) -> Result<(), PlaylistError>,
) -> Result<(), PlaylistError> {
    lex_attribute_list(list, line, &mut |name, value| {
        f(name, value).map_err(Box::new)
    })
    .map_err(|e| *e)
}

/// Which bytes may appear in an attribute name (`[A-Za-z0-9_-]`): one table load per byte
/// instead of five range comparisons.
const NAME_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = matches!(b as u8, b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_');
        b += 1;
    }
    table
};

/// The index of the first byte from `i` on that is not a space or a tab.
#[inline(always)]
fn skip_blanks(bytes: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t') = bytes.get(i) {
        i += 1;
    }
    i
}

#[cold]
#[inline(never)]
fn lex_error(line: usize, name: &str, kind: Kind) -> Box<PlaylistError> {
    Box::new(PlaylistError {
        line,
        attribute: (!name.is_empty()).then(|| name.to_owned()),
        kind,
    })
}

/// The lexer behind [`parse_attribute_list`]. Not generic, so that the twenty-odd tags that
/// call it share one copy in the wasm binary instead of one each.
pub(crate) fn lex_attribute_list<'a>(
    list: &'a str,
    line: usize,
    f: &mut dyn FnMut(&'a str, AttributeValue<'a>) -> Result<(), Box<PlaylistError>>,
) -> Result<(), Box<PlaylistError>> {
    let bytes = list.as_bytes();
    let mut i = 0;
    loop {
        i = skip_blanks(bytes, i);
        if i >= bytes.len() {
            return Ok(());
        }
        let name_start = i;
        while bytes.get(i).is_some_and(|&b| NAME_BYTES[usize::from(b)]) {
            i += 1;
        }
        // Splitting at ASCII bytes: always on a character boundary.
        let name = list.get(name_start..i).unwrap_or_default();
        i = skip_blanks(bytes, i);
        if name.is_empty() || bytes.get(i) != Some(&b'=') {
            return Err(lex_error(line, name, Kind::MalformedAttributeList));
        }
        i = skip_blanks(bytes, i + 1);
        let value = if bytes.get(i) == Some(&b'"') {
            let start = i + 1;
            let Some(len) = bytes.get(start..).and_then(|rest| find_byte(rest, b'"')) else {
                return Err(lex_error(line, name, Kind::UnterminatedQuotedString));
            };
            i = skip_blanks(bytes, start + len + 1);
            if i < bytes.len() && bytes[i] != b',' {
                return Err(lex_error(line, name, Kind::MalformedAttributeList));
            }
            AttributeValue::Quoted(list.get(start..start + len).unwrap_or_default())
        } else {
            let start = i;
            let rest = bytes.get(start..).unwrap_or_default();
            i = start + find_byte(rest, b',').unwrap_or(rest.len());
            let mut end = i;
            while end > start && matches!(bytes[end - 1], b' ' | b'\t') {
                end -= 1;
            }
            let raw = list.get(start..end).unwrap_or_default();
            if find_byte(raw.as_bytes(), b'"').is_some() {
                return Err(lex_error(line, name, Kind::MalformedAttributeList));
            }
            AttributeValue::Unquoted(raw)
        };
        f(name, value)?;
        i += 1; // the comma (or past the end, which ends the loop)
    }
}

/// What the converters return: the caller knows the line and the attribute.
pub type ValueResult<T> = Result<T, Kind>;

/// `decimal-integer`: 1 to 20 digits, 0 ≤ n < 2⁶⁴.
pub fn parse_decimal_integer(s: &str) -> ValueResult<u64> {
    let bytes = s.as_bytes();
    if bytes.is_empty() {
        return Err(Kind::ExpectedInteger);
    }
    // Up to 19 digits cannot overflow, so the loop uses plain arithmetic: in wasm a checked
    // 64-bit multiplication is a call to a 128-bit multiply. Longer inputs are checked below.
    let mut n: u64 = 0;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return Err(Kind::ExpectedInteger);
        }
        n = n.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
    }
    if bytes.len() > 19 {
        // Leading zeros aside, 20 digits fit only below 18446744073709551616.
        let significant = bytes
            .iter()
            .position(|&b| b != b'0')
            .map_or(0, |i| bytes.len() - i);
        if significant > 20 || (significant == 20 && s[s.len() - 20..] > *"18446744073709551615") {
            return Err(Kind::IntegerOverflow { bits: 64 });
        }
    }
    Ok(n)
}

const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// 10^`exponent` when it is exactly representable as a double (exponent ≤ 22).
#[inline(always)]
pub(super) fn exact_power_of_ten(exponent: u32) -> Option<f64> {
    EXACT_POWERS_OF_TEN.get(exponent as usize).copied()
}

/// `decimal-floating-point`: digits with at most one `.`, no sign, no exponent.
///
/// Values such as `10.010` or `6.006000` take an exact fast path: when the digits form an
/// integer below 2⁵³ and there are at most 22 decimals, both the integer and the power of ten
/// are exact doubles, so one IEEE division gives the correctly rounded result. Longer inputs
/// fall back to the standard library's (also correctly rounded) parser.
pub fn parse_decimal_float(s: &str) -> ValueResult<f64> {
    let bytes = s.as_bytes();
    let mut mantissa: u64 = 0;
    let mut digits = 0u32;
    let mut decimals = 0u32;
    let mut seen_dot = false;
    for &b in bytes {
        match b {
            b'0'..=b'9' => {
                digits += 1;
                if seen_dot {
                    decimals += 1;
                }
                mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
            }
            b'.' if !seen_dot => seen_dot = true,
            _ => return Err(Kind::ExpectedFloat),
        }
    }
    if digits == 0 {
        return Err(Kind::ExpectedFloat);
    }
    if digits <= 15 && (decimals as usize) < EXACT_POWERS_OF_TEN.len() {
        // 15 digits < 10^15 < 2^53: no wrap happened and the mantissa is exact.
        return Ok(mantissa as f64 / EXACT_POWERS_OF_TEN[decimals as usize]);
    }
    s.parse::<f64>().map_err(|_| Kind::ExpectedFloat)
}

/// `signed-decimal-floating-point`: an optional `-` (or `+`) then a decimal float.
pub fn parse_signed_decimal_float(s: &str) -> ValueResult<f64> {
    let (negative, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let v = parse_decimal_float(rest).map_err(|_| Kind::ExpectedSignedFloat)?;
    Ok(if negative { -v } else { v })
}

/// `decimal-resolution`: `<width>x<height>`, each fitting in 32 bits.
pub fn parse_resolution(s: &str) -> ValueResult<Resolution> {
    // A byte search: `split_once` with a `char` array goes through the generic pattern code.
    let at = s
        .bytes()
        .position(|b| b == b'x' || b == b'X')
        .ok_or(Kind::ExpectedResolution)?;
    let (w, h) = (&s[..at], &s[at + 1..]);
    let dim = |d: &str| -> ValueResult<u32> {
        let n = parse_decimal_integer(d).map_err(|_| Kind::ExpectedResolution)?;
        u32::try_from(n).map_err(|_| Kind::IntegerOverflow { bits: 32 })
    };
    Ok(Resolution {
        width: dim(w)?,
        height: dim(h)?,
    })
}

/// `hexadecimal-sequence`: `0x` or `0X` then hex digits, as big-endian bytes (an odd digit
/// count is padded with a leading zero nibble). At most `max_bytes` bytes.
pub fn parse_hex(s: &str, max_bytes: usize) -> ValueResult<Vec<u8>> {
    let digits = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .ok_or(Kind::ExpectedHex)?
        .as_bytes();
    if digits.is_empty() {
        return Err(Kind::ExpectedHex);
    }
    if digits.len().div_ceil(2) > max_bytes {
        return Err(Kind::HexTooLong { max_bytes });
    }
    let mut out = Vec::with_capacity(digits.len().div_ceil(2));
    let (head, tail) = digits.split_at(digits.len() % 2);
    if let [only] = head {
        out.push(hex_nibble(*only)?);
    }
    for pair in tail.chunks_exact(2) {
        out.push(hex_nibble(pair[0])? << 4 | hex_nibble(pair[1])?);
    }
    Ok(out)
}

fn hex_nibble(b: u8) -> ValueResult<u8> {
    match b {
        b'0'..=b'9' => Ok(b - b'0'),
        b'a'..=b'f' => Ok(b - b'a' + 10),
        b'A'..=b'F' => Ok(b - b'A' + 10),
        _ => Err(Kind::ExpectedHex),
    }
}

/// A 128-bit hex value such as an `IV`, right-aligned (shorter sequences are zero-extended).
pub fn parse_hex_128(s: &str) -> ValueResult<[u8; 16]> {
    let bytes = parse_hex(s, 16)?;
    let mut out = [0u8; 16];
    out[16 - bytes.len()..].copy_from_slice(&bytes);
    Ok(out)
}

/// `YES` / `NO`.
pub fn parse_yes_no(s: &str) -> ValueResult<bool> {
    match s {
        "YES" => Ok(true),
        "NO" => Ok(false),
        other => Err(Kind::UnexpectedValue {
            value: other.to_owned(),
        }),
    }
}

/// `<n>[@<o>]`, the syntax of `EXT-X-BYTERANGE` and of `BYTERANGE` attributes. The offset is
/// `None` when absent.
pub fn parse_byte_range_spec(s: &str) -> ValueResult<(u64, Option<u64>)> {
    let (length, offset) = match super::scan::split_once_byte(s, b'@') {
        Some((l, o)) => (l, Some(o)),
        None => (s, None),
    };
    let length = parse_decimal_integer(length).map_err(|_| Kind::ExpectedByteRange)?;
    let offset = offset
        .map(|o| parse_decimal_integer(o).map_err(|_| Kind::ExpectedByteRange))
        .transpose()?;
    if let Some(offset) = offset {
        offset.checked_add(length).ok_or(Kind::ByteRangeOverflow)?;
    }
    Ok((length, offset))
}

/// A complete byte range with an explicit or default offset; the end must fit in 64 bits.
pub(crate) fn byte_range(length: u64, offset: u64) -> ValueResult<ByteRange> {
    offset.checked_add(length).ok_or(Kind::ByteRangeOverflow)?;
    Ok(ByteRange { offset, length })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(list: &str) -> Result<Vec<(String, AttributeValue<'_>)>, PlaylistError> {
        let mut out = Vec::new();
        parse_attribute_list(list, 1, |n, v| {
            out.push((n.to_owned(), v));
            Ok(())
        })?;
        Ok(out)
    }

    proptest::proptest! {
        /// The overflow check after the unchecked loop agrees with the standard library.
        #[test]
        fn decimal_integers_match_std(s in "0{0,3}[0-9]{0,21}") {
            let expected = if s.is_empty() {
                Err(Kind::ExpectedInteger)
            } else {
                s.parse::<u64>().map_err(|_| Kind::IntegerOverflow { bits: 64 })
            };
            proptest::prop_assert_eq!(parse_decimal_integer(&s), expected);
        }
    }

    #[test]
    fn decimal_integers_at_the_limit() {
        assert_eq!(parse_decimal_integer("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(
            parse_decimal_integer("0018446744073709551615"),
            Ok(u64::MAX)
        );
        assert_eq!(
            parse_decimal_integer("18446744073709551616"),
            Err(Kind::IntegerOverflow { bits: 64 })
        );
        assert_eq!(
            parse_decimal_integer("99999999999999999999"),
            Err(Kind::IntegerOverflow { bits: 64 })
        );
        assert_eq!(
            parse_decimal_integer("9999999999999999999"),
            Ok(9_999_999_999_999_999_999)
        );
        assert_eq!(parse_decimal_integer("1a"), Err(Kind::ExpectedInteger));
    }

    #[test]
    fn splits_quoted_and_unquoted_values() {
        let attrs =
            collect(r#"BANDWIDTH=1280000,CODECS="avc1.4d401f,mp4a.40.2",RESOLUTION=640x360,X="""#)
                .unwrap();
        assert_eq!(attrs.len(), 4);
        assert_eq!(
            attrs[0],
            ("BANDWIDTH".into(), AttributeValue::Unquoted("1280000"))
        );
        assert_eq!(
            attrs[1],
            (
                "CODECS".into(),
                AttributeValue::Quoted("avc1.4d401f,mp4a.40.2")
            )
        );
        assert_eq!(attrs[3], ("X".into(), AttributeValue::Quoted("")));
    }

    #[test]
    fn tolerates_spaces_and_trailing_comma() {
        let attrs = collect(r#" A=1 , B = "x y" ,C=NO,"#).unwrap();
        assert_eq!(attrs.len(), 3);
        assert_eq!(attrs[1].1, AttributeValue::Quoted("x y"));
        assert_eq!(attrs[2].1, AttributeValue::Unquoted("NO"));
    }

    #[test]
    fn refuses_malformed_lists() {
        assert_eq!(
            collect(r#"URI="abc"#).unwrap_err().kind,
            Kind::UnterminatedQuotedString
        );
        assert_eq!(
            collect("BANDWIDTH").unwrap_err().kind,
            Kind::MalformedAttributeList
        );
        assert_eq!(
            collect("=1").unwrap_err().kind,
            Kind::MalformedAttributeList
        );
        assert_eq!(
            collect(r#"A="x"y,B=1"#).unwrap_err().kind,
            Kind::MalformedAttributeList
        );
        assert_eq!(
            collect(r#"A=x"y""#).unwrap_err().kind,
            Kind::MalformedAttributeList
        );
    }

    #[test]
    fn integers() {
        assert_eq!(parse_decimal_integer("0"), Ok(0));
        assert_eq!(parse_decimal_integer("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(
            parse_decimal_integer("18446744073709551616"),
            Err(Kind::IntegerOverflow { bits: 64 })
        );
        assert_eq!(parse_decimal_integer("-1"), Err(Kind::ExpectedInteger));
        assert_eq!(parse_decimal_integer(""), Err(Kind::ExpectedInteger));
        assert_eq!(parse_decimal_integer("1.0"), Err(Kind::ExpectedInteger));
    }

    #[test]
    fn floats_are_correctly_rounded() {
        for s in ["10", "10.010", "6.006000", "0.1", "9.97663", "1.", ".5", "123456789012345.6789",
            "0.000000000000000000000000001", "179769313486231570000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000.0"] {
            assert_eq!(parse_decimal_float(s), Ok(s.parse::<f64>().unwrap()), "{s}");
        }
        for s in ["", ".", "1e5", "-1", "NaN", "inf", "1.2.3", "0x10"] {
            assert_eq!(parse_decimal_float(s), Err(Kind::ExpectedFloat), "{s}");
        }
        assert_eq!(parse_signed_decimal_float("-2.5"), Ok(-2.5));
        assert_eq!(
            parse_signed_decimal_float("-"),
            Err(Kind::ExpectedSignedFloat)
        );
    }

    #[test]
    fn resolutions_hex_and_ranges() {
        assert_eq!(
            parse_resolution("1920x1080"),
            Ok(Resolution {
                width: 1920,
                height: 1080
            })
        );
        assert_eq!(parse_resolution("1920"), Err(Kind::ExpectedResolution));
        assert_eq!(
            parse_resolution("99999999999x1"),
            Err(Kind::IntegerOverflow { bits: 32 })
        );
        assert_eq!(parse_hex("0x0a0B", 16), Ok(vec![10, 11]));
        assert_eq!(parse_hex("0xABC", 16), Ok(vec![0x0A, 0xBC]));
        assert_eq!(parse_hex("0x", 16), Err(Kind::ExpectedHex));
        assert_eq!(parse_hex("0xZZ", 16), Err(Kind::ExpectedHex));
        assert_eq!(
            parse_hex("0x112233", 2),
            Err(Kind::HexTooLong { max_bytes: 2 })
        );
        let mut iv = [0u8; 16];
        iv[15] = 1;
        assert_eq!(parse_hex_128("0x1"), Ok(iv));
        assert_eq!(parse_byte_range_spec("1000@24"), Ok((1000, Some(24))));
        assert_eq!(parse_byte_range_spec("1000"), Ok((1000, None)));
        assert_eq!(
            parse_byte_range_spec("1@18446744073709551615"),
            Err(Kind::ByteRangeOverflow)
        );
        assert_eq!(parse_byte_range_spec("@1"), Err(Kind::ExpectedByteRange));
    }
}
