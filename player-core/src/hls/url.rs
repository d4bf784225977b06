//! URI references (RFC 3986): splitting, reference resolution (§5.2) and query lookup.
//!
//! Playlists name segments, keys and child playlists by URI references relative to the
//! playlist's own URL. The engine only ever requests absolute URLs: the playlist parser
//! resolves references with [`Resolver`] as it reads them, except those of media segments,
//! which a Media Playlist resolves when one is requested
//! (`MediaPlaylist::url_of`): a long playlist lists thousands, and a player requests a few.
//!
//! This is deliberately not a URL *parser* in the WHATWG sense: it does no host validation,
//! no IDNA, no percent-encoding normalisation. It implements exactly the string algorithm of
//! RFC 3986 §5.2, which is what HLS (RFC 8216 §4.1) asks for, in a few hundred bytes of wasm.
//!
//! ```
//! use player_core::hls::url::resolve;
//! assert_eq!(resolve("https://cdn.example/show/master.m3u8", "720p/index.m3u8"),
//!            "https://cdn.example/show/720p/index.m3u8");
//! assert_eq!(resolve("https://cdn.example/a/b/c.m3u8", "../d.ts?t=1"),
//!            "https://cdn.example/a/d.ts?t=1");
//! ```

/// The five components of a URI reference (RFC 3986 Appendix B). `None` means "undefined",
/// which the algorithm distinguishes from "empty" (`?` with nothing after it is an empty query).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UriRef<'a> {
    pub scheme: Option<&'a str>,
    pub authority: Option<&'a str>,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub fragment: Option<&'a str>,
}

impl<'a> UriRef<'a> {
    /// Splits any string into the components of a URI reference. Never fails: RFC 3986's
    /// Appendix B grammar matches every string.
    pub fn split(s: &'a str) -> Self {
        let (rest, fragment) = match s.find('#') {
            Some(i) => (&s[..i], Some(&s[i + 1..])),
            None => (s, None),
        };
        let (rest, query) = match rest.find('?') {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        // A scheme is a non-empty run before the first ':' that precedes any '/'.
        let (scheme, rest) = match rest.find([':', '/']) {
            Some(i) if i > 0 && rest.as_bytes()[i] == b':' => (Some(&rest[..i]), &rest[i + 1..]),
            _ => (None, rest),
        };
        let (authority, path) = match rest.strip_prefix("//") {
            Some(after) => {
                let end = after.find('/').unwrap_or(after.len());
                (Some(&after[..end]), &after[end..])
            }
            None => (None, rest),
        };
        UriRef {
            scheme,
            authority,
            path,
            query,
            fragment,
        }
    }

    /// Recomposes the components (RFC 3986 §5.3) onto `out`.
    fn write_to(&self, out: &mut String) {
        if let Some(scheme) = self.scheme {
            out.push_str(scheme);
            out.push(':');
        }
        if let Some(authority) = self.authority {
            out.push_str("//");
            out.push_str(authority);
        }
        out.push_str(self.path);
        if let Some(query) = self.query {
            out.push('?');
            out.push_str(query);
        }
        if let Some(fragment) = self.fragment {
            out.push('#');
            out.push_str(fragment);
        }
    }
}

/// Resolves `reference` against `base` (RFC 3986 §5.2.2, strict mode).
///
/// For many references against one base, build a [`Resolver`] once instead.
pub fn resolve(base: &str, reference: &str) -> String {
    Resolver::new(base).resolve(reference)
}

/// Resolves many references against one base URL.
///
/// Playlists resolve thousands of segment URIs against the same base, nearly all of them plain
/// relative paths such as `seg-00042.ts`. The resolver precomputes the base's directory prefix
/// so that those cost a single allocation and a copy; anything else takes the full algorithm.
#[derive(Debug, Clone)]
pub struct Resolver {
    base: String,
    /// `scheme://authority` + the dot-free base path up to and including its last `/`.
    directory: String,
    /// Whether `directory` + reference is a correct result for plain relative paths. Not for a
    /// base without authority whose directory starts with `//` (see [`resolve_full`]).
    fast_path: bool,
}

impl Resolver {
    pub fn new(base: &str) -> Self {
        let b = UriRef::split(base);
        let mut directory = String::with_capacity(base.len());
        if let Some(scheme) = b.scheme {
            directory.push_str(scheme);
            directory.push(':');
        }
        if let Some(authority) = b.authority {
            directory.push_str("//");
            directory.push_str(authority);
        }
        let merged_dir = if b.authority.is_some() && b.path.is_empty() {
            "/"
        } else {
            match b.path.rfind('/') {
                Some(i) => &b.path[..=i],
                None => "",
            }
        };
        let path_start = directory.len();
        remove_dot_segments(merged_dir, &mut directory);
        let fast_path = b.authority.is_some() || !directory[path_start..].starts_with("//");
        Resolver {
            base: base.to_owned(),
            directory,
            fast_path,
        }
    }

    /// The base URL this resolver was built for.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Resolves one reference to an absolute URL (when the base is absolute).
    pub fn resolve(&self, reference: &str) -> String {
        self.resolve_plain(reference)
            .unwrap_or_else(|| resolve_full(&self.base, reference))
    }

    /// The resolution of `reference` when it is a plain relative path (the common case, see
    /// [`Resolver`]) without `{`; `None` for anything else, which [`resolve`](Self::resolve)
    /// handles. Declining `{` costs nothing here and lets the playlist parser, which must
    /// substitute `{$name}` variable references first, learn from this one pass that there
    /// are none.
    #[inline]
    pub fn resolve_plain(&self, reference: &str) -> Option<String> {
        if !self.fast_path || !is_plain_relative_path(reference) {
            return None;
        }
        // `concat` sizes, allocates and copies in one call; `with_capacity` + two `push_str`
        // are three, each with its own capacity check.
        Some([self.directory.as_str(), reference].concat())
    }
}

const LOW_BITS: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// Non-zero when one of the eight bytes of `word` is `byte` (the classic zero-byte test on
/// `word ^ byte…byte`; exact about whether there is one, which is all that is asked here).
#[inline(always)]
fn has_byte(word: u64, byte: u8) -> u64 {
    let x = word ^ LOW_BITS.wrapping_mul(u64::from(byte));
    x.wrapping_sub(LOW_BITS) & !x & HIGH_BITS
}

/// Whether eight bytes can be skipped by [`is_plain_relative_path`]: none of them is one the
/// scan acts on. Most of a segment name (`segment_0012`) is skipped this way.
#[inline(always)]
fn is_ordinary_word(word: u64) -> bool {
    (has_byte(word, b'/')
        | has_byte(word, b'?')
        | has_byte(word, b'#')
        | has_byte(word, b':')
        | has_byte(word, b'{'))
        == 0
}

/// True for a relative-path reference (no scheme, not `/`-rooted, non-empty path) none of whose
/// segments is `.` or `..` and that has no `{`: for those, §5.2 reduces to "base directory +
/// reference".
#[inline(always)]
fn is_plain_relative_path(reference: &str) -> bool {
    // This runs for every segment URI: eight bytes at a time where nothing happens, byte by
    // byte around the bytes that matter.
    let bytes = reference.as_bytes();
    if matches!(bytes.first(), None | Some(b'/' | b'?' | b'#')) {
        return false;
    }
    let mut segment_start = 0;
    let mut first_segment = true;
    let mut in_path = true;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(chunk) = bytes.get(i..i + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            if is_ordinary_word(u64::from_le_bytes(word)) {
                i += 8;
                continue;
            }
        }
        let end = bytes.len().min(i + 8);
        while i < end {
            match bytes[i] {
                b'/' if in_path => {
                    if is_dot_segment(&bytes[segment_start..i]) {
                        return false;
                    }
                    first_segment = false;
                    segment_start = i + 1;
                }
                b'?' | b'#' if in_path => {
                    if is_dot_segment(&bytes[segment_start..i]) {
                        return false;
                    }
                    // The query and fragment are copied as they are; only `{` still matters.
                    in_path = false;
                }
                // A ':' in the first segment makes that segment a scheme.
                b':' if first_segment && in_path => return false,
                b'{' => return false,
                _ => {}
            }
            i += 1;
        }
    }
    !in_path || !is_dot_segment(&bytes[segment_start..])
}

#[inline(always)]
fn is_dot_segment(segment: &[u8]) -> bool {
    matches!(segment, [b'.'] | [b'.', b'.'])
}

fn resolve_full(base: &str, reference: &str) -> String {
    let r = UriRef::split(reference);
    let b = UriRef::split(base);
    let mut path = String::with_capacity(base.len() + reference.len());
    let (scheme, authority, query);
    if r.scheme.is_some() {
        (scheme, authority, query) = (r.scheme, r.authority, r.query);
        remove_dot_segments(r.path, &mut path);
    } else if r.authority.is_some() {
        (scheme, authority, query) = (b.scheme, r.authority, r.query);
        remove_dot_segments(r.path, &mut path);
    } else {
        (scheme, authority) = (b.scheme, b.authority);
        if r.path.is_empty() {
            // RFC 3986 copies the base path as it is; removing its dot segments changes nothing
            // for a normalised base and keeps the result stable under re-resolution otherwise.
            remove_dot_segments(b.path, &mut path);
            query = r.query.or(b.query);
        } else {
            query = r.query;
            if r.path.starts_with('/') {
                remove_dot_segments(r.path, &mut path);
            } else {
                let mut merged = String::with_capacity(b.path.len() + r.path.len() + 1);
                if b.authority.is_some() && b.path.is_empty() {
                    merged.push('/');
                } else if let Some(i) = b.path.rfind('/') {
                    merged.push_str(&b.path[..=i]);
                }
                merged.push_str(r.path);
                remove_dot_segments(&merged, &mut path);
            }
        }
    }
    // Without an authority, a path starting with "//" would read back as one. Prefixing "/."
    // keeps the same path (dot-segment removal takes it off again) and makes the result stable
    // when resolved a second time, which the playlist writer relies on.
    if authority.is_none() && path.starts_with("//") {
        path.insert_str(0, "/.");
    }
    let target = UriRef {
        scheme,
        authority,
        path: &path,
        query,
        fragment: r.fragment,
    };
    let mut out = String::with_capacity(base.len() + reference.len() + 2);
    target.write_to(&mut out);
    out
}

/// RFC 3986 §5.2.4, appending the result to `out`. Segments are only ever removed from the part
/// of `out` this call appended.
fn remove_dot_segments(path: &str, out: &mut String) {
    let floor = out.len();
    let mut input = path;
    while !input.is_empty() {
        if let Some(rest) = input.strip_prefix("../") {
            input = rest;
        } else if let Some(rest) = input.strip_prefix("./") {
            input = rest;
        } else if input.starts_with("/./") {
            input = &input[2..];
        } else if input == "/." {
            input = "/";
        } else if input.starts_with("/../") {
            input = &input[3..];
            pop_last_segment(out, floor);
        } else if input == "/.." {
            input = "/";
            pop_last_segment(out, floor);
        } else if input == "." || input == ".." {
            input = "";
        } else {
            let search_from = usize::from(input.starts_with('/'));
            let end = input[search_from..]
                .find('/')
                .map_or(input.len(), |i| i + search_from);
            out.push_str(&input[..end]);
            input = &input[end..];
        }
    }
}

fn pop_last_segment(out: &mut String, floor: usize) {
    match out[floor..].rfind('/') {
        Some(i) => out.truncate(floor + i),
        None => out.truncate(floor),
    }
}

/// The value of the first query parameter called `name` in `url`, decoded the way browsers'
/// `URLSearchParams` decode it (`+` is a space, `%XX` escapes are bytes, invalid UTF-8 is
/// replaced). Used by `EXT-X-DEFINE:QUERYPARAM`.
///
/// ```
/// use player_core::hls::url::query_param;
/// assert_eq!(query_param("https://a/p.m3u8?token=a%2Fb+c&x=1#f", "token").as_deref(), Some("a/b c"));
/// assert_eq!(query_param("https://a/p.m3u8?x", "x").as_deref(), Some(""));
/// assert_eq!(query_param("https://a/p.m3u8", "x"), None);
/// ```
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let query = UriRef::split(url).query?;
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (form_decode(key) == name).then(|| form_decode(value))
    })
}

fn form_decode(s: &str) -> String {
    if !s.contains(['%', '+']) {
        return s.to_owned();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match (hex_digit(bytes[i + 1]), hex_digit(bytes[i + 2])) {
                    (Some(hi), Some(lo)) => {
                        out.push(hi << 4 | lo);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The fast path must agree with the full §5.2 algorithm on every reference.
        #[test]
        fn fast_path_matches_full_algorithm(
            base in "(https?://[a-z]{1,5}(:[0-9]{1,4})?)?(/[a-z.;=]{0,4}){0,4}(\\?[a-z=&]{0,5})?",
            reference in "([a-z]{1,3}:)?(//[a-z]{1,4})?[a-z./;:{]{0,12}(\\?[a-z./:{]{0,4})?(#[a-z./?{]{0,4})?",
        ) {
            let resolver = Resolver::new(&base);
            let full = resolve_full(&base, &reference);
            prop_assert_eq!(resolver.resolve(&reference), full.clone());
            if let Some(plain) = resolver.resolve_plain(&reference) {
                prop_assert!(!reference.contains('{'), "a reference with a brace took the fast path");
                prop_assert_eq!(plain, full);
            }
        }

        /// Resolving a resolved reference again changes nothing (the playlist writer prints
        /// resolved URIs and the parser resolves them again).
        #[test]
        fn resolution_is_idempotent(
            base in "[a-z]{1,3}:(//[a-z]{0,3})?[a-z./]{0,8}",
            reference in "([a-z]{1,2}:)?(//[a-z]{0,2})?[a-z./]{0,10}(\\?[a-z./]{0,3})?",
        ) {
            let once = resolve(&base, &reference);
            prop_assert_eq!(resolve(&base, &once), once.clone());
            prop_assert_eq!(Resolver::new(&base).resolve(&reference), once);
        }
    }

    #[test]
    fn paths_that_would_read_as_an_authority_are_kept_unambiguous() {
        assert_eq!(resolve("a:/b", "/.//c"), "a:/.//c");
        assert_eq!(
            resolve("a:/b", "/.//c").as_str(),
            resolve("a:/b", &resolve("a:/b", "/.//c"))
        );
        assert_eq!(Resolver::new("a:/.//x").resolve("y"), "a:/.//y");
        assert_eq!(resolve("http://h/p", "/.//c"), "http://h//c");
    }
}
