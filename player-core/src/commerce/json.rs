//! A small JSON reader (RFC 8259) and compact writer for product feeds and the cart record.
//!
//! Our own rather than `serde_json` because the wasm bundle has a byte budget and the feed
//! validator wants every value's position: each [`JsonValue`] remembers the byte offset where
//! it starts, so errors can point at a line and column. Numbers keep their source text
//! ([`JsonNumber`]), which makes the writer exact without float formatting and lets prices be
//! read as exact integers.
//!
//! ```
//! use player_core::commerce::json::{parse, JsonValue};
//! let v = parse(r#"{"price": 2900, "tags": ["a\u00e9"]}"#).unwrap();
//! assert_eq!(v.get("price").and_then(JsonValue::as_i64), Some(2900));
//! assert_eq!(v.to_json(), r#"{"price":2900,"tags":["aé"]}"#);
//! ```

use std::fmt;

/// Deepest nesting of arrays and objects accepted by [`parse`].
pub const MAX_DEPTH: usize = 64;
/// Largest input accepted by [`parse`], in bytes.
pub const MAX_INPUT_BYTES: usize = 8 * 1024 * 1024;

/// A JSON value and the byte offset in the source text where it starts (0 when built in code).
#[derive(Debug, Clone, PartialEq)]
pub struct JsonValue {
    pub offset: u32,
    pub kind: JsonKind,
}

/// What a [`JsonValue`] is. Object members keep their source order (duplicates included);
/// [`JsonValue::get`] returns the last one, as `JSON.parse` does.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonKind {
    Null,
    Bool(bool),
    Number(JsonNumber),
    String(String),
    Array(Vec<JsonValue>),
    Object(Vec<(String, JsonValue)>),
}

/// A number as written in the source, already checked against the JSON number grammar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonNumber(Box<str>);

/// Largest integer an `f64` (and so a JavaScript number) holds exactly: 2^53 − 1.
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

impl JsonNumber {
    /// Checks `text` against the JSON number grammar.
    pub fn parse(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        (number_len(b, 0) == Some(b.len())).then(|| JsonNumber(text.into()))
    }

    pub fn from_i64(n: i64) -> Self {
        JsonNumber(n.to_string().into())
    }

    /// The source text, e.g. `2.50e1`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value if it is a whole number: `2900`, and also `2900.0` or `2.9e3` when the value
    /// is within ±2^53 (where every integer is exact). `2900.5` is not.
    pub fn as_i64(&self) -> Option<i64> {
        if !self.0.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) {
            return self.0.parse().ok();
        }
        let f = self.as_f64()?;
        (f.fract() == 0.0 && f.abs() <= MAX_SAFE_INTEGER as f64).then_some(f as i64)
    }

    /// The value as a finite `f64` (`None` for overflow such as `1e999`).
    pub fn as_f64(&self) -> Option<f64> {
        self.0.parse::<f64>().ok().filter(|f| f.is_finite())
    }
}

impl JsonValue {
    /// A value built in code (offset 0).
    pub fn new(kind: JsonKind) -> Self {
        JsonValue { offset: 0, kind }
    }

    pub fn string(s: &str) -> Self {
        Self::new(JsonKind::String(s.to_owned()))
    }

    pub fn int(n: i64) -> Self {
        Self::new(JsonKind::Number(JsonNumber::from_i64(n)))
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, JsonKind::Null)
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            JsonKind::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            JsonKind::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&JsonNumber> {
        match &self.kind {
            JsonKind::Number(n) => Some(n),
            _ => None,
        }
    }

    /// See [`JsonNumber::as_i64`].
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number()?.as_i64()
    }

    pub fn as_f64(&self) -> Option<f64> {
        self.as_number()?.as_f64()
    }

    pub fn as_array(&self) -> Option<&[JsonValue]> {
        match &self.kind {
            JsonKind::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(String, JsonValue)]> {
        match &self.kind {
            JsonKind::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The member named `key` of an object (the last one if repeated); `None` otherwise.
    pub fn get(&self, key: &str) -> Option<&JsonValue> {
        let members = self.as_object()?;
        members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// "a string", "an object", … for messages.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            JsonKind::Null => "null",
            JsonKind::Bool(_) => "a boolean",
            JsonKind::Number(_) => "a number",
            JsonKind::String(_) => "a string",
            JsonKind::Array(_) => "an array",
            JsonKind::Object(_) => "an object",
        }
    }

    /// Compact JSON text (no whitespace).
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_to(&mut out);
        out
    }

    /// Appends compact JSON text to `out`.
    pub fn write_to(&self, out: &mut String) {
        match &self.kind {
            JsonKind::Null => out.push_str("null"),
            JsonKind::Bool(true) => out.push_str("true"),
            JsonKind::Bool(false) => out.push_str("false"),
            JsonKind::Number(n) => out.push_str(n.as_str()),
            JsonKind::String(s) => write_string(s, out),
            JsonKind::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_to(out);
                }
                out.push(']');
            }
            JsonKind::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(key, out);
                    out.push(':');
                    value.write_to(out);
                }
                out.push('}');
            }
        }
    }
}

/// Appends `s` as a JSON string literal.
pub fn write_string(s: &str, out: &mut String) {
    out.push('"');
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(s.get(run..i).unwrap_or_default());
        run = i + 1;
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        } else {
            out.push_str(escape);
        }
    }
    out.push_str(s.get(run..).unwrap_or_default());
    out.push('"');
}

/// Limits applied by [`parse_with_limits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonLimits {
    pub max_depth: usize,
    pub max_bytes: usize,
}

impl Default for JsonLimits {
    fn default() -> Self {
        JsonLimits {
            max_depth: MAX_DEPTH,
            max_bytes: MAX_INPUT_BYTES,
        }
    }
}

/// Text that is not JSON, or too big or deep. Displays as `line 3, column 14: expected ':'`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {kind}")]
pub struct JsonError {
    /// Byte offset of the problem in the input.
    pub offset: usize,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    pub kind: JsonErrorKind,
}

/// What was wrong with the JSON text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonErrorKind {
    #[error("unexpected end of input")]
    UnexpectedEnd,
    #[error("expected {expected}, found '{found}'")]
    Unexpected { expected: &'static str, found: char },
    #[error("invalid escape sequence in string")]
    InvalidEscape,
    #[error("expected four hex digits after \\u")]
    InvalidUnicodeEscape,
    #[error("unescaped control character in string")]
    ControlCharacter,
    #[error("invalid number")]
    InvalidNumber,
    #[error("nested deeper than {max} levels")]
    TooDeep { max: usize },
    #[error("input of {len} bytes is larger than the {max}-byte limit")]
    TooLarge { len: usize, max: usize },
}

/// Parses JSON text with the default [`JsonLimits`]. A leading byte-order mark is skipped.
/// Lone surrogate escapes (`"\ud800"`), which `JSON.parse` accepts but Rust strings cannot
/// hold, become U+FFFD.
pub fn parse(text: &str) -> Result<JsonValue, JsonError> {
    parse_with_limits(text, JsonLimits::default())
}

/// [`parse`] with explicit limits.
pub fn parse_with_limits(text: &str, limits: JsonLimits) -> Result<JsonValue, JsonError> {
    if text.len() > limits.max_bytes {
        let kind = JsonErrorKind::TooLarge {
            len: text.len(),
            max: limits.max_bytes,
        };
        return Err(error_at(text, 0, kind));
    }
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        pos: start,
        depth: 0,
        max_depth: limits.max_depth,
    };
    let result = p.value().and_then(|v| {
        p.skip_ws();
        match p.bytes.get(p.pos) {
            None => Ok(v),
            Some(_) => Err(p.unexpected("end of input")),
        }
    });
    result.map_err(|(offset, kind)| error_at(text, offset, kind))
}

/// 1-based line and character column of each byte offset in `text`, in the order given.
/// One pass over the text however many offsets there are.
pub fn line_columns(text: &str, offsets: &[usize]) -> Vec<(u32, u32)> {
    // Few offsets (one per reported issue): an insertion sort is small and fast enough.
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    for i in 1..order.len() {
        let mut j = i;
        while j > 0 && offsets[order[j - 1]] > offsets[order[j]] {
            order.swap(j - 1, j);
            j -= 1;
        }
    }
    let mut out = vec![(1, 1); offsets.len()];
    let (mut line, mut column, mut pos) = (1u32, 1u32, 0usize);
    let bytes = text.as_bytes();
    for i in order {
        let target = offsets[i].min(bytes.len());
        while pos < target {
            let b = bytes[pos];
            if b == b'\n' {
                line += 1;
                column = 1;
            } else if b & 0xc0 != 0x80 {
                // Count a character at its first byte, never at UTF-8 continuation bytes.
                column += 1;
            }
            pos += 1;
        }
        out[i] = (line, column);
    }
    out
}

fn error_at(text: &str, offset: usize, kind: JsonErrorKind) -> JsonError {
    let (line, column) = line_columns(text, &[offset])[0];
    JsonError {
        offset,
        line,
        column,
        kind,
    }
}

type Failure = (usize, JsonErrorKind);

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
    max_depth: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn unexpected(&self, expected: &'static str) -> Failure {
        match self.text.get(self.pos..).and_then(|s| s.chars().next()) {
            Some(found) => (self.pos, JsonErrorKind::Unexpected { expected, found }),
            None => (self.pos, JsonErrorKind::UnexpectedEnd),
        }
    }

    fn value(&mut self) -> Result<JsonValue, Failure> {
        self.skip_ws();
        let offset = self.pos;
        let kind = match self.bytes.get(self.pos) {
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => JsonKind::String(self.string()?),
            Some(b't') => self.literal("true", JsonKind::Bool(true))?,
            Some(b'f') => self.literal("false", JsonKind::Bool(false))?,
            Some(b'n') => self.literal("null", JsonKind::Null)?,
            Some(b'-' | b'0'..=b'9') => {
                let end = number_len(self.bytes, self.pos)
                    .ok_or((self.pos, JsonErrorKind::InvalidNumber))?;
                let text = self.text.get(self.pos..end).unwrap_or_default();
                self.pos = end;
                JsonKind::Number(JsonNumber(text.into()))
            }
            _ => return Err(self.unexpected("a value")),
        };
        Ok(JsonValue {
            offset: offset as u32,
            kind,
        })
    }

    fn literal(&mut self, word: &'static str, kind: JsonKind) -> Result<JsonKind, Failure> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(kind)
        } else {
            Err(self.unexpected("a value"))
        }
    }

    fn enter(&mut self) -> Result<(), Failure> {
        if self.depth >= self.max_depth {
            let max = self.max_depth;
            return Err((self.pos, JsonErrorKind::TooDeep { max }));
        }
        self.depth += 1;
        self.pos += 1;
        self.skip_ws();
        Ok(())
    }

    fn array(&mut self) -> Result<JsonKind, Failure> {
        self.enter()?;
        let mut items = Vec::new();
        if self.bytes.get(self.pos) != Some(&b']') {
            loop {
                items.push(self.value()?);
                self.skip_ws();
                match self.bytes.get(self.pos) {
                    Some(b',') => self.pos += 1,
                    Some(b']') => break,
                    _ => return Err(self.unexpected("',' or ']'")),
                }
            }
        }
        self.pos += 1;
        self.depth -= 1;
        Ok(JsonKind::Array(items))
    }

    fn object(&mut self) -> Result<JsonKind, Failure> {
        self.enter()?;
        let mut members = Vec::new();
        if self.bytes.get(self.pos) != Some(&b'}') {
            loop {
                self.skip_ws();
                if self.bytes.get(self.pos) != Some(&b'"') {
                    return Err(self.unexpected("a string key"));
                }
                let key = self.string()?;
                self.skip_ws();
                if self.bytes.get(self.pos) != Some(&b':') {
                    return Err(self.unexpected("':'"));
                }
                self.pos += 1;
                members.push((key, self.value()?));
                self.skip_ws();
                match self.bytes.get(self.pos) {
                    Some(b',') => self.pos += 1,
                    Some(b'}') => break,
                    _ => return Err(self.unexpected("',' or '}'")),
                }
            }
        }
        self.pos += 1;
        self.depth -= 1;
        Ok(JsonKind::Object(members))
    }

    /// Reads a string literal; `pos` is at its opening quote.
    fn string(&mut self) -> Result<String, Failure> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run = self.pos;
            self.pos += plain_run(self.bytes.get(run..).unwrap_or_default());
            // The run ends at an ASCII byte or the end, so it is whole characters.
            let text = self.text.get(run..self.pos).unwrap_or_default();
            match self.bytes.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    if out.is_empty() {
                        return Ok(text.to_owned());
                    }
                    out.push_str(text);
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(text);
                    out.push(self.escape()?);
                }
                Some(_) => return Err((self.pos, JsonErrorKind::ControlCharacter)),
                None => return Err((self.pos, JsonErrorKind::UnexpectedEnd)),
            }
        }
    }

    /// Reads one escape sequence; `pos` is at the backslash.
    fn escape(&mut self) -> Result<char, Failure> {
        let at = self.pos;
        let Some(&c) = self.bytes.get(at + 1) else {
            return Err((at + 1, JsonErrorKind::UnexpectedEnd));
        };
        self.pos += 2;
        Ok(match c {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4()?;
                if !(0xd800..0xdc00).contains(&unit) {
                    // A lone low surrogate fails `from_u32` and becomes U+FFFD.
                    return Ok(char::from_u32(unit).unwrap_or('\u{fffd}'));
                }
                let rest = &self.bytes[self.pos..];
                if rest.starts_with(b"\\u") {
                    let save = self.pos;
                    self.pos += 2;
                    let low = self.hex4()?;
                    if (0xdc00..0xe000).contains(&low) {
                        let c = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
                        return Ok(char::from_u32(c).unwrap_or('\u{fffd}'));
                    }
                    // Not a low surrogate: it is read again as its own escape.
                    self.pos = save;
                }
                '\u{fffd}'
            }
            _ => return Err((at, JsonErrorKind::InvalidEscape)),
        })
    }

    fn hex4(&mut self) -> Result<u32, Failure> {
        let mut v = 0;
        for i in 0..4 {
            let digit = self
                .bytes
                .get(self.pos + i)
                .and_then(|&b| char::from(b).to_digit(16));
            match digit {
                Some(d) => v = v * 16 + d,
                None => return Err((self.pos, JsonErrorKind::InvalidUnicodeEscape)),
            }
        }
        self.pos += 4;
        Ok(v)
    }
}

/// Length of the leading run of `bytes` that needs no decoding (no `"`, `\\` or control
/// character). Looks at eight bytes at a time: feeds are mostly long strings.
fn plain_run(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut chunks = bytes.chunks_exact(8);
    let mut len = 0;
    for chunk in &mut chunks {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let special = zero_byte(x ^ (ONES * u64::from(b'"')))
            | zero_byte(x ^ (ONES * u64::from(b'\\')))
            | (x.wrapping_sub(ONES * 0x20) & !x & HIGH);
        if special != 0 {
            break;
        }
        len += 8;
    }
    let rest = &bytes[len..];
    len + rest
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .unwrap_or(rest.len())
}

/// End offset of the number starting at `start`, per the RFC 8259 grammar.
fn number_len(b: &[u8], start: usize) -> Option<usize> {
    let digits = |mut i: usize| {
        let first = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        (i > first).then_some(i)
    };
    let mut i = start;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    i = match b.get(i) {
        Some(b'0') => i + 1,
        Some(b'1'..=b'9') => digits(i)?,
        _ => return None,
    };
    if b.get(i) == Some(&b'.') {
        i = digits(i + 1)?;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = b.get(i) {
            i += 1;
        }
        i = digits(i)?;
    }
    Some(i)
}

impl fmt::Display for JsonValue {
    /// The compact JSON text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> JsonError {
        parse(text).expect_err(text)
    }

    #[test]
    fn parses_every_kind_with_offsets() {
        let v = parse(" {\"a\": [1, -2.5e3, true, false, null, \"s\"]}").unwrap();
        assert_eq!(v.offset, 1);
        let a = v.get("a").unwrap();
        assert_eq!(a.offset, 7);
        let items = a.as_array().unwrap();
        assert_eq!(items[0].as_i64(), Some(1));
        assert_eq!(items[1].as_f64(), Some(-2500.0));
        assert_eq!(items[1].as_i64(), Some(-2500));
        assert_eq!(items[2].as_bool(), Some(true));
        assert_eq!(items[3].as_bool(), Some(false));
        assert!(items[4].is_null());
        assert_eq!(items[5].as_str(), Some("s"));
        assert_eq!(items[5].offset, 38);
    }

    #[test]
    fn decodes_every_escape() {
        let v = parse(r#""\" \\ \/ \b \f \n \r \t \u0041 \u00e9 \u20ac""#).unwrap();
        assert_eq!(v.as_str(), Some("\" \\ / \u{8} \u{c} \n \r \t A é €"));
    }

    #[test]
    fn joins_surrogate_pairs_and_replaces_lone_ones() {
        assert_eq!(parse(r#""\ud83d\ude00""#).unwrap().as_str(), Some("😀"));
        assert_eq!(parse(r#""\uD83D\uDE00x""#).unwrap().as_str(), Some("😀x"));
        assert_eq!(parse(r#""\ud800""#).unwrap().as_str(), Some("\u{fffd}"));
        assert_eq!(parse(r#""\udc00a""#).unwrap().as_str(), Some("\u{fffd}a"));
        assert_eq!(
            parse(r#""\ud800\u0041""#).unwrap().as_str(),
            Some("\u{fffd}A")
        );
        assert_eq!(
            parse(r#""\ud800\ud800\udc00""#).unwrap().as_str(),
            Some("\u{fffd}\u{10000}")
        );
    }

    #[test]
    fn keeps_raw_unicode() {
        assert_eq!(parse("\"naïve 😀\"").unwrap().as_str(), Some("naïve 😀"));
    }

    #[test]
    fn rejects_bad_escapes_and_control_characters() {
        assert_eq!(err(r#""\x""#).kind, JsonErrorKind::InvalidEscape);
        assert_eq!(err(r#""\u12g4""#).kind, JsonErrorKind::InvalidUnicodeEscape);
        assert_eq!(err(r#""\u12"#).kind, JsonErrorKind::InvalidUnicodeEscape);
        assert_eq!(err("\"a\nb\"").kind, JsonErrorKind::ControlCharacter);
        assert_eq!(err("\"abc").kind, JsonErrorKind::UnexpectedEnd);
        assert_eq!(err("\"abc\\").kind, JsonErrorKind::UnexpectedEnd);
    }

    #[test]
    fn number_grammar() {
        for ok in [
            "0",
            "-0",
            "1.5",
            "1e5",
            "1E+5",
            "1e-5",
            "-12.34e10",
            "123456789",
        ] {
            assert!(parse(ok).is_ok(), "{ok}");
            assert!(JsonNumber::parse(ok).is_some(), "{ok}");
        }
        for bad in [
            "+1", ".5", "1.", "1e", "-", "--1", "1e+", "0x10", "NaN", "Infinity",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
            assert!(JsonNumber::parse(bad).is_none(), "{bad}");
        }
        assert!(parse("01").is_err());
    }

    #[test]
    fn integers_are_exact() {
        let n = |s: &str| JsonNumber::parse(s).unwrap();
        assert_eq!(n("9007199254740993").as_i64(), Some(9_007_199_254_740_993));
        assert_eq!(n("2900.0").as_i64(), Some(2900));
        assert_eq!(n("2.9e3").as_i64(), Some(2900));
        assert_eq!(n("2900.5").as_i64(), None);
        assert_eq!(n("1e300").as_i64(), None);
        assert_eq!(n("99999999999999999999").as_i64(), None);
        assert_eq!(n("1e999").as_f64(), None);
    }

    #[test]
    fn errors_carry_line_and_column() {
        let e = err("{\n  \"a\": 1,\n  \"é\": x\n}");
        assert_eq!((e.line, e.column), (3, 8));
        assert_eq!(
            e.kind,
            JsonErrorKind::Unexpected {
                expected: "a value",
                found: 'x'
            }
        );
        assert_eq!(
            e.to_string(),
            "line 3, column 8: expected a value, found 'x'"
        );
        assert_eq!(
            err("[1 2]").to_string(),
            "line 1, column 4: expected ',' or ']', found '2'"
        );
        assert_eq!(err("{\"a\" 1}").kind.to_string(), "expected ':', found '1'");
        assert_eq!(
            err("{1:2}").kind.to_string(),
            "expected a string key, found '1'"
        );
        assert_eq!(err("[1,]").kind.to_string(), "expected a value, found ']'");
        assert_eq!(
            err("{\"a\":1,}").kind.to_string(),
            "expected a string key, found '}'"
        );
        assert_eq!(
            err("1 2").kind.to_string(),
            "expected end of input, found '2'"
        );
        assert_eq!(err("").kind, JsonErrorKind::UnexpectedEnd);
        assert_eq!(err("[").kind, JsonErrorKind::UnexpectedEnd);
        assert_eq!(err("tru").kind.to_string(), "expected a value, found 't'");
    }

    #[test]
    fn limits_depth_and_size() {
        let deep = "[".repeat(65) + &"]".repeat(65);
        assert_eq!(err(&deep).kind, JsonErrorKind::TooDeep { max: 64 });
        let ok = "[".repeat(64) + &"]".repeat(64);
        assert!(parse(&ok).is_ok());
        let limits = JsonLimits {
            max_depth: 2,
            max_bytes: 10,
        };
        assert!(parse_with_limits("[[1]]", limits).is_ok());
        assert_eq!(
            parse_with_limits("[[[1]]]", limits).unwrap_err().kind,
            JsonErrorKind::TooDeep { max: 2 }
        );
        assert_eq!(
            parse_with_limits("\"0123456789\"", limits)
                .unwrap_err()
                .kind,
            JsonErrorKind::TooLarge { len: 12, max: 10 }
        );
    }

    #[test]
    fn skips_a_byte_order_mark_and_whitespace() {
        assert_eq!(parse("\u{feff} \t\r\n[]\n").unwrap().offset, 7);
    }

    #[test]
    fn get_takes_the_last_duplicate() {
        let v = parse(r#"{"a":1,"a":2}"#).unwrap();
        assert_eq!(v.get("a").and_then(JsonValue::as_i64), Some(2));
        assert_eq!(v.as_object().unwrap().len(), 2);
    }

    #[test]
    fn writer_escapes() {
        let v = JsonValue::string("q\" b\\ \n\r\t \u{1} \u{1f} é 😀 </script>");
        assert_eq!(
            v.to_json(),
            r#""q\" b\\ \n\r\t \u0001 \u001f é 😀 </script>""#
        );
        assert_eq!(parse(&v.to_json()).unwrap().kind, v.kind);
    }

    #[test]
    fn plain_run_stops_at_the_first_special_byte() {
        for len in 0..20 {
            for b in 0..=255u8 {
                let mut bytes = vec![b'a'; 24];
                bytes[len] = b;
                let special = b == b'"' || b == b'\\' || b < 0x20;
                let expected = if special { len } else { 24 };
                assert_eq!(plain_run(&bytes), expected, "byte {b:#x} at {len}");
            }
        }
        // High bytes (UTF-8) around a quote.
        assert_eq!(plain_run("éééé\"x".as_bytes()), 8);
    }

    #[test]
    fn line_columns_count_characters() {
        let text = "ab\néé x\n";
        let got = line_columns(text, &[8, 0, 3, 100]);
        assert_eq!(got, vec![(2, 4), (1, 1), (2, 1), (3, 1)]);
    }
}
