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
    // A plain loop: at opt-level "z" `Iterator::position` with a closure is a call.
    for &b in chunks.remainder() {
        if b == needle {
            return Some(offset);
        }
        offset += 1;
    }
    None
}

/// Splits `s` at the first `delimiter` (an ASCII byte), dropping the delimiter.
#[inline(always)]
pub(super) fn split_once_byte(s: &str, delimiter: u8) -> Option<(&str, &str)> {
    debug_assert!(delimiter.is_ascii());
    let i = find_byte(s.as_bytes(), delimiter)?;
    Some((&s[..i], &s[i + 1..]))
}

/// `s` without leading and trailing ASCII whitespace. Nearly every playlist line has none, and
/// at opt-level "z" `str::trim_ascii` is an out-of-line call per line: look at the two ends
/// first. Every ASCII whitespace byte is at most `b' '`.
#[inline(always)]
pub(super) fn trim(s: &str) -> &str {
    match s.as_bytes() {
        [first, .., last] if *first > b' ' && *last > b' ' => s,
        [only] if *only > b' ' => s,
        _ => s.trim_ascii(),
    }
}

/// The eight bytes of `bytes` from `at`, as a little-endian word (0 past the end). Comparing
/// tag names a word at a time avoids a `memcmp` call per comparison.
#[inline(always)]
pub(super) fn word_at(bytes: &[u8], at: usize) -> u64 {
    match bytes.get(at..at + 8) {
        Some(chunk) => {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            u64::from_le_bytes(word)
        }
        None => 0,
    }
}

/// An eight-byte literal as the word [`word_at`] reads.
pub(super) const fn word(literal: &[u8; 8]) -> u64 {
    u64::from_le_bytes(*literal)
}

/// Decodes playlist bytes as UTF-8, replacing invalid sequences with U+FFFD. Valid input (all
/// real playlists) is borrowed after `str::from_utf8`, whose ASCII fast path checks a word at a
/// time; `String::from_utf8_lossy` walks byte by byte even when nothing needs replacing.
pub(super) fn decode_lossy(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// The lines of `text` (split at `\n`; a final line end does not start an empty line).
pub(super) struct Lines<'a> {
    text: &'a str,
    /// Where the next line starts.
    at: usize,
}

impl<'a> Lines<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Lines { text, at: 0 }
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a str;

    #[inline(always)]
    fn next(&mut self) -> Option<&'a str> {
        let rest = self
            .text
            .as_bytes()
            .get(self.at..)
            .filter(|r| !r.is_empty())?;
        let start = self.at;
        // One slice of `text` per line: at opt-level "z" each `str` slicing is a call.
        let end = match find_byte(rest, b'\n') {
            Some(i) => {
                self.at = start + i + 1;
                start + i
            }
            None => {
                self.at = self.text.len();
                self.text.len()
            }
        };
        self.text.get(start..end)
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
        fn trim_matches_trim_ascii(text in "[ \t\r\x0c\x01a\u{85}]{0,6}") {
            prop_assert_eq!(trim(&text), text.trim_ascii());
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

    #[test]
    fn trims_like_trim_ascii() {
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\ta\r",
            "ab",
            "a b",
            "\x01a\x01",
            "\u{a0}a",
        ] {
            assert_eq!(trim(s), s.trim_ascii(), "{s:?}");
        }
    }

    #[test]
    fn reads_words() {
        assert_eq!(word_at(b"#EXTINF:6", 0), word(b"#EXTINF:"));
        assert_eq!(word_at(b"#EXTINF", 0), 0);
        assert_eq!(word_at(b"x#EXTINF:", 1), word(b"#EXTINF:"));
    }

    #[test]
    fn decodes_like_from_utf8_lossy() {
        for bytes in [&b"#EXTM3U\n"[..], "é".as_bytes(), b"a\xffb", b"\xe2\x82"] {
            assert_eq!(decode_lossy(bytes), String::from_utf8_lossy(bytes));
        }
    }
}
