//! Product descriptions arrive as HTML (Shopify's `description` / `body_html`); the player shows
//! plain text, never markup. This keeps the words: tags go, block elements become line breaks,
//! `<script>`/`<style>` contents and comments go, the common entities are decoded and
//! whitespace collapses as a browser would collapse it.

/// Plain text of an HTML fragment. Text without markup comes back with only its whitespace
/// collapsed, and a `<` that cannot start a tag (`a < b`) stays text, as in HTML.
///
/// ```
/// use player_core::commerce::feed::html_to_text;
/// assert_eq!(
///     html_to_text("<p>Soft &amp; light.</p><ul><li>Linen</li><li>Made in&nbsp;EU</li></ul>"),
///     "Soft & light.\n\n• Linen\n• Made in\u{a0}EU"
/// );
/// ```
pub fn html_to_text(html: &str) -> String {
    let mut out = Text::default();
    let mut rest = html;
    while let Some(i) = rest.find(['<', '&']) {
        out.words(&rest[..i]);
        rest = &rest[i..];
        if rest.starts_with('&') {
            let (decoded, used) = entity(rest);
            match decoded {
                Some(c) => out.char(c),
                None => out.words(&rest[..used]),
            }
            rest = &rest[used..];
        } else {
            rest = out.tag(rest);
        }
    }
    out.words(rest);
    out.text
}

#[derive(Default)]
struct Text {
    text: String,
    space: bool,
    breaks: u8,
}

impl Text {
    fn words(&mut self, s: &str) {
        for c in s.chars() {
            self.char(c);
        }
    }

    fn char(&mut self, c: char) {
        // U+00A0 (&nbsp;) is kept: it means "do not break or collapse here".
        if c.is_whitespace() && c != '\u{a0}' {
            self.space = true;
            return;
        }
        if c.is_control() {
            return; // invisible at best; never worth showing
        }
        if !self.text.is_empty() {
            if self.breaks > 0 {
                for _ in 0..self.breaks.min(2) {
                    self.text.push('\n');
                }
            } else if self.space {
                self.text.push(' ');
            }
        }
        self.space = false;
        self.breaks = 0;
        self.text.push(c);
    }

    /// Handles the markup at the start of `s` (which starts with `<`); returns what follows.
    fn tag<'a>(&mut self, s: &'a str) -> &'a str {
        if let Some(comment) = s.strip_prefix("<!--") {
            return comment.find("-->").map_or("", |i| &comment[i + 3..]);
        }
        let after = &s[1..];
        let closing = after.starts_with('/');
        let name_start = usize::from(closing);
        let starts_tag = match after.as_bytes().get(name_start) {
            Some(b) => b.is_ascii_alphabetic() || (!closing && matches!(b, b'!' | b'?')),
            None => false,
        };
        if !starts_tag {
            self.char('<');
            return after;
        }
        let name_len = after[name_start..]
            .bytes()
            .take_while(u8::is_ascii_alphanumeric)
            .count();
        let name = after[name_start..name_start + name_len].to_ascii_lowercase();
        let rest = skip_tag(after);
        match name.as_str() {
            "script" | "style" | "template" | "title" if !closing => {
                let lower_end = format!("</{name}");
                skip_until_ci(rest, &lower_end)
            }
            "br" => {
                self.breaks += 1;
                rest
            }
            "li" if !closing => {
                self.breaks = self.breaks.max(1);
                self.char('•');
                self.space = true;
                rest
            }
            "p" | "div" | "ul" | "ol" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "table"
            | "tr" | "blockquote" | "section" | "article" | "header" | "footer" | "hr" | "pre"
            | "dl" | "dt" | "dd" => {
                self.breaks = (self.breaks + 1).min(2);
                rest
            }
            // Cells and other inline elements still separate words.
            "td" | "th" => {
                self.space = true;
                rest
            }
            _ => rest,
        }
    }
}

/// The text after the `>` that ends the tag at the start of `s`, respecting quoted attributes.
fn skip_tag(s: &str) -> &str {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '>') => return &s[i + 1..],
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
    }
    ""
}

/// The text after the end of the element whose close tag starts with `close` (lower case).
fn skip_until_ci<'a>(s: &'a str, close: &str) -> &'a str {
    let bytes = s.as_bytes();
    let pat = close.as_bytes();
    let found = (0..bytes.len()).find(|&i| {
        bytes
            .get(i..i + pat.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(pat))
    });
    match found {
        Some(i) => skip_tag(&s[i..]),
        None => "",
    }
}

/// Decodes the entity at the start of `s` (which starts with `&`): the character, if known,
/// and how many bytes to consume (just the `&` when unknown).
fn entity(s: &str) -> (Option<char>, usize) {
    let Some(end) = s.get(1..).and_then(|r| r.get(..r.len().min(32))?.find(';')) else {
        return (None, 1);
    };
    let body = &s[1..end + 1];
    let used = end + 2;
    let c = if let Some(num) = body.strip_prefix('#') {
        let (digits, radix) = match num.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16),
            None => (num, 10),
        };
        if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return (None, 1);
        }
        match u32::from_str_radix(digits, radix) {
            Ok(0) => Some('\u{fffd}'),
            Ok(n) => Some(char::from_u32(n).unwrap_or('\u{fffd}')),
            Err(_) => return (None, 1),
        }
    } else {
        named(body)
    };
    match c {
        Some(c) => (Some(c), used),
        None => (None, 1),
    }
}

fn named(name: &str) -> Option<char> {
    const TABLE: &[(&str, char)] = &[
        ("amp", '&'),
        ("lt", '<'),
        ("gt", '>'),
        ("quot", '"'),
        ("apos", '\''),
        ("nbsp", '\u{a0}'),
        ("ndash", '–'),
        ("mdash", '—'),
        ("hellip", '…'),
        ("lsquo", '‘'),
        ("rsquo", '’'),
        ("ldquo", '“'),
        ("rdquo", '”'),
        ("laquo", '«'),
        ("raquo", '»'),
        ("bull", '•'),
        ("middot", '·'),
        ("copy", '©'),
        ("reg", '®'),
        ("trade", '™'),
        ("deg", '°'),
        ("times", '×'),
        ("euro", '€'),
        ("pound", '£'),
        ("yen", '¥'),
        ("cent", '¢'),
        ("frac12", '½'),
        ("eacute", 'é'),
        ("egrave", 'è'),
        ("agrave", 'à'),
        ("uuml", 'ü'),
        ("ouml", 'ö'),
        ("auml", 'ä'),
        ("szlig", 'ß'),
        ("ccedil", 'ç'),
        ("ntilde", 'ñ'),
    ];
    TABLE.iter().find(|(n, _)| *n == name).map(|&(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::html_to_text as t;

    #[test]
    fn plain_text_only_collapses_whitespace() {
        assert_eq!(t("A breathable  linen\ttee.\n"), "A breathable linen tee.");
        assert_eq!(t("a < b and c > d"), "a < b and c > d");
        assert_eq!(t("AT&T; Q&A"), "AT&T; Q&A");
        assert_eq!(t(""), "");
        assert_eq!(t("a\u{1}b\u{7f}c\u{85}d &#1;e"), "abc d e");
    }

    #[test]
    fn strips_tags_and_breaks_blocks() {
        assert_eq!(t("<p>One</p><p>Two<br>three</p>"), "One\n\nTwo\nthree");
        assert_eq!(
            t("<strong>Bold</strong> <em>and</em> <a href=\"/x\">link</a>"),
            "Bold and link"
        );
        assert_eq!(t("<ul>\n<li>a</li>\n<li>b</li>\n</ul>"), "• a\n• b");
        assert_eq!(t("<div><img src=x alt='a>b'>after</div>"), "after");
        assert_eq!(t("<table><tr><td>S</td><td>M</td></tr></table>"), "S M");
        assert_eq!(t("x<br><br><br><br>y"), "x\n\ny");
    }

    #[test]
    fn drops_scripts_styles_and_comments() {
        assert_eq!(t("a<script>alert('<b>')</script>b"), "ab");
        assert_eq!(t("a<SCRIPT type=x>1</ScRiPt >b"), "ab");
        assert_eq!(t("a<style>p{color:red}</style> b"), "a b");
        assert_eq!(t("a<!-- <p>hidden</p> -->b"), "ab");
        assert_eq!(t("a<!-- unterminated"), "a");
        assert_eq!(t("a<script>never closed"), "a");
        assert_eq!(t("a<b unterminated"), "a");
    }

    #[test]
    fn decodes_entities() {
        assert_eq!(
            t("&lt;b&gt; &amp; &quot;q&quot; &#39;s&#x27;"),
            "<b> & \"q\" 's'"
        );
        assert_eq!(t("&euro;5 &ndash; &hellip;&rsquo;"), "€5 – …’");
        assert_eq!(t("&#128512; &#x1F600;"), "😀 😀");
        assert_eq!(t("&#0; &#xD800; &#99999999;"), "\u{fffd} \u{fffd} \u{fffd}");
        assert_eq!(t("&#+5; &#12a;"), "&#+5; &#12a;");
        assert_eq!(t("&unknown; &amp"), "&unknown; &amp");
        assert_eq!(t("&lt;script&gt;"), "<script>");
    }
}
