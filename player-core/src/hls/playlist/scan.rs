//! Byte scanning for ASCII delimiters, the innermost loop of the parser.
//!
//! `str::split` and `str::find` with a `char` go through the generic pattern machinery and a
//! `memchr` tuned for long haystacks; playlist lines are 20–100 bytes, where that set-up cost
//! dominates. These helpers scan bytes directly, eight at a time for line ends (in wasm, `u64`
//! arithmetic is native). Splitting a `str` at an ASCII byte always lands on a char boundary.

const LOW_BITS: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// Index of the first `needle` in `haystack`, or `None`.
#[inline(always)]
pub(super) fn find_byte(haystack: &[u8], needle: u8) -> Option<usize> {
    let pattern = LOW_BITS.wrapping_mul(u64::from(needle));
    let mut chunks = haystack.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        // `chunks_exact(8)` makes the conversion infallible; the fallback is never taken.
        let word: [u8; 8] = chunk.try_into().unwrap_or([0; 8]);
        let x = u64::from_le_bytes(word) ^ pattern;
        // Sets the high bit of the first zero byte of `x` (and possibly of later ones).
        let found = x.wrapping_sub(LOW_BITS) & !x & HIGH_BITS;
        if found != 0 {
            return Some(offset + (found.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == needle)
        .map(|i| offset + i)
}

/// Splits `s` at the first `delimiter` (an ASCII byte), dropping the delimiter.
#[inline(always)]
pub(super) fn split_once_byte(s: &str, delimiter: u8) -> Option<(&str, &str)> {
    debug_assert!(delimiter.is_ascii());
    let i = find_byte(s.as_bytes(), delimiter)?;
    Some((&s[..i], &s[i + 1..]))
}

/// The lines of `text` (split at `\n`; a final line end does not start an empty line).
pub(super) struct Lines<'a> {
    rest: &'a str,
}

impl<'a> Lines<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Lines { rest: text }
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a str;

    #[inline(always)]
    fn next(&mut self) -> Option<&'a str> {
        if self.rest.is_empty() {
            return None;
        }
        match find_byte(self.rest.as_bytes(), b'\n') {
            Some(i) => {
                let line = &self.rest[..i];
                self.rest = &self.rest[i + 1..];
                Some(line)
            }
            None => Some(std::mem::take(&mut self.rest)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn find_byte_matches_position(haystack in proptest::collection::vec(any::<u8>(), 0..40), needle in any::<u8>()) {
            prop_assert_eq!(find_byte(&haystack, needle), haystack.iter().position(|&b| b == needle));
        }

        #[test]
        fn lines_match_split(text in "[a\\n\\r#é]{0,40}") {
            let expected: Vec<&str> = text.strip_suffix('\n').unwrap_or(&text).split('\n').collect();
            let expected = if text.is_empty() { Vec::new() } else { expected };
            prop_assert_eq!(Lines::new(&text).collect::<Vec<_>>(), expected);
        }
    }

    #[test]
    fn splits_at_ascii_delimiters() {
        assert_eq!(split_once_byte("EXTINF:6,t", b':'), Some(("EXTINF", "6,t")));
        assert_eq!(split_once_byte("é:ü", b':'), Some(("é", "ü")));
        assert_eq!(split_once_byte("none", b':'), None);
        assert_eq!(find_byte(b"0123456789abcdef\n", b'\n'), Some(16));
        assert_eq!(find_byte(&[0x8a, 0x0a], b'\n'), Some(1));
    }
}
