//! The [`Event`] handed to the browser layer, and the small JSON writer that builds its text.

use crate::commerce::json::write_string;

/// The first of the two pushes of every event that carries an `ecommerce` object: GTM merges
/// each push into its data model, so without it an `items` array would be merged with the
/// previous event's.
pub const CLEAR_ECOMMERCE: &str = r#"{"ecommerce":null}"#;

/// An event due: its GA4 name and the JSON text of the object to push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// `add_to_cart`, `video_progress`, … (also the DOM event's `shoppable:<name>`).
    pub name: &'static str,
    /// The object for `dataLayer.push` and the `CustomEvent`'s `detail`.
    pub json: String,
    /// The object has an `ecommerce` member: push [`CLEAR_ECOMMERCE`] first.
    pub ecommerce: bool,
}

impl Event {
    /// The texts to push to the `dataLayer`, in order: `{"ecommerce":null}` and the event for
    /// ecommerce events, the event alone otherwise.
    pub fn pushes(&self) -> Vec<&str> {
        let mut out = Vec::with_capacity(2);
        if self.ecommerce {
            out.push(CLEAR_ECOMMERCE);
        }
        out.push(&self.json);
        out
    }
}

/// Decimal places of a fixed-point amount: cents in major units, milliseconds in seconds.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Fixed {
    Cents = 2,
    Millis = 3,
}

/// Compact JSON written straight into a string, members in call order. Not a general writer:
/// callers open and close containers in matching pairs.
pub(crate) struct Payload(String);

impl Payload {
    /// `{"event":"<name>"` …
    pub(crate) fn event(name: &str) -> Payload {
        let mut p = Payload::object();
        p.str("event", name);
        p
    }

    pub(crate) fn object() -> Payload {
        let mut out = String::with_capacity(512);
        out.push('{');
        Payload(out)
    }

    /// A comma unless this is the first member or element of its container.
    fn separate(&mut self) {
        if !matches!(self.0.as_bytes().last(), Some(b'{' | b'[' | b':') | None) {
            self.0.push(',');
        }
    }

    /// Starts a member (`"key":`), or an array element when `key` is `None`.
    fn key(&mut self, key: Option<&str>) {
        self.separate();
        if let Some(key) = key {
            write_string(key, &mut self.0);
            self.0.push(':');
        }
    }

    pub(crate) fn str(&mut self, key: &str, value: &str) {
        self.key(Some(key));
        write_string(value, &mut self.0);
    }

    /// Leaves the member out when there is no value (or an empty one).
    pub(crate) fn opt_str(&mut self, key: &str, value: Option<&str>) {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            self.str(key, v);
        }
    }

    pub(crate) fn uint(&mut self, key: &str, n: u64) {
        self.key(Some(key));
        write_fixed(&mut self.0, n, 0);
    }

    /// `n` hundredths or thousandths as an exact JSON number: `2950` cents → `29.5`.
    pub(crate) fn fixed(&mut self, key: &str, n: u64, scale: Fixed) {
        self.key(Some(key));
        write_fixed(&mut self.0, n, scale as u32);
    }

    pub(crate) fn bool(&mut self, key: &str, b: bool) {
        self.key(Some(key));
        self.0.push_str(if b { "true" } else { "false" });
    }

    /// Opens an object (`{`) or array (`[`), as a member or (no key) as an array element.
    pub(crate) fn open(&mut self, key: Option<&str>, bracket: char) {
        self.key(key);
        self.0.push(bracket);
    }

    pub(crate) fn close(&mut self, bracket: char) {
        self.0.push(bracket);
    }

    /// Closes the top-level object.
    pub(crate) fn finish(mut self) -> String {
        self.0.push('}');
        self.0
    }

    pub(crate) fn into_event(self, name: &'static str, ecommerce: bool) -> Event {
        Event {
            name,
            json: self.finish(),
            ecommerce,
        }
    }
}

/// Writes `n / 10^places` as the shortest exact decimal: `(2900, 2)` → `29`, `(2950, 2)` →
/// `29.5`, `(99, 2)` → `0.99`, `(12345, 3)` → `12.345`.
pub(crate) fn write_fixed(out: &mut String, mut n: u64, places: u32) {
    // Digits from the last, at least one before the point.
    let mut digits = [b'0'; 24];
    let mut len = 0;
    while n > 0 || len <= places as usize {
        digits[len] = b'0' + (n % 10) as u8;
        n /= 10;
        len += 1;
    }
    let mut last = 0;
    while last < places as usize && digits[last] == b'0' {
        last += 1;
    }
    for i in (last..len).rev() {
        if i + 1 == places as usize {
            out.push('.');
        }
        out.push(char::from(digits[i]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(n: u64, places: u32) -> String {
        let mut s = String::new();
        write_fixed(&mut s, n, places);
        s
    }

    #[test]
    fn fixed_point_is_exact_and_shortest() {
        let cases = [
            (0, 2, "0"),
            (5, 2, "0.05"),
            (50, 2, "0.5"),
            (99, 2, "0.99"),
            (2900, 2, "29"),
            (2950, 2, "29.5"),
            (2999, 2, "29.99"),
            (100_000, 2, "1000"),
            (1, 3, "0.001"),
            (12_000, 3, "12"),
            (12_300, 3, "12.3"),
            (12_340, 3, "12.34"),
            (12_345, 3, "12.345"),
            (7, 0, "7"),
            (u64::MAX, 0, "18446744073709551615"),
            (u64::MAX, 2, "184467440737095516.15"),
        ];
        for (n, places, want) in cases {
            assert_eq!(fixed(n, places), want, "{n} / 10^{places}");
        }
    }

    #[test]
    fn members_and_elements_are_separated() {
        let mut p = Payload::event("x");
        p.open(Some("a"), '[');
        p.open(None, '{');
        p.close('}');
        p.open(None, '{');
        p.uint("n", 1);
        p.bool("b", false);
        p.close('}');
        p.close(']');
        p.open(Some("o"), '{');
        p.close('}');
        p.opt_str("none", None);
        p.opt_str("empty", Some(""));
        p.fixed("t", 1500, Fixed::Millis);
        assert_eq!(
            p.finish(),
            r#"{"event":"x","a":[{},{"n":1,"b":false}],"o":{},"t":1.5}"#
        );
    }

    #[test]
    fn ecommerce_events_push_a_clear_first() {
        let e = Payload::event("view_cart").into_event("view_cart", true);
        assert_eq!(e.pushes(), [CLEAR_ECOMMERCE, r#"{"event":"view_cart"}"#]);
        let v = Payload::event("video_start").into_event("video_start", false);
        assert_eq!(v.pushes(), [r#"{"event":"video_start"}"#]);
    }
}
