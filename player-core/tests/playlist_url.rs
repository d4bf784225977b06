//! RFC 3986 §5.4 reference resolution examples, and query lookup for `QUERYPARAM`.

use player_core::hls::url::{query_param, resolve, Resolver, UriRef};

const BASE: &str = "http://a/b/c/d;p?q";

fn check(cases: &[(&str, &str)]) {
    let resolver = Resolver::new(BASE);
    for (reference, expected) in cases {
        assert_eq!(
            resolve(BASE, reference),
            *expected,
            "resolve({reference:?})"
        );
        assert_eq!(
            resolver.resolve(reference),
            *expected,
            "Resolver::resolve({reference:?})"
        );
    }
}

#[test]
fn rfc3986_normal_examples() {
    check(&[
        ("g:h", "g:h"),
        ("g", "http://a/b/c/g"),
        ("./g", "http://a/b/c/g"),
        ("g/", "http://a/b/c/g/"),
        ("/g", "http://a/g"),
        ("//g", "http://g"),
        ("?y", "http://a/b/c/d;p?y"),
        ("g?y", "http://a/b/c/g?y"),
        ("#s", "http://a/b/c/d;p?q#s"),
        ("g#s", "http://a/b/c/g#s"),
        ("g?y#s", "http://a/b/c/g?y#s"),
        (";x", "http://a/b/c/;x"),
        ("g;x", "http://a/b/c/g;x"),
        ("g;x?y#s", "http://a/b/c/g;x?y#s"),
        ("", "http://a/b/c/d;p?q"),
        (".", "http://a/b/c/"),
        ("./", "http://a/b/c/"),
        ("..", "http://a/b/"),
        ("../", "http://a/b/"),
        ("../g", "http://a/b/g"),
        ("../..", "http://a/"),
        ("../../", "http://a/"),
        ("../../g", "http://a/g"),
    ]);
}

#[test]
fn rfc3986_abnormal_examples() {
    check(&[
        ("../../../g", "http://a/g"),
        ("../../../../g", "http://a/g"),
        ("/./g", "http://a/g"),
        ("/../g", "http://a/g"),
        ("g.", "http://a/b/c/g."),
        (".g", "http://a/b/c/.g"),
        ("g..", "http://a/b/c/g.."),
        ("..g", "http://a/b/c/..g"),
        ("./../g", "http://a/b/g"),
        ("./g/.", "http://a/b/c/g/"),
        ("g/./h", "http://a/b/c/g/h"),
        ("g/../h", "http://a/b/c/h"),
        ("g;x=1/./y", "http://a/b/c/g;x=1/y"),
        ("g;x=1/../y", "http://a/b/c/y"),
        ("g?y/./x", "http://a/b/c/g?y/./x"),
        ("g?y/../x", "http://a/b/c/g?y/../x"),
        ("g#s/./x", "http://a/b/c/g#s/./x"),
        ("g#s/../x", "http://a/b/c/g#s/../x"),
        // Strict parsers (RFC 3986 §5.4.2) keep the scheme.
        ("http:g", "http:g"),
    ]);
}

#[test]
fn hls_shaped_references() {
    let base = "https://cdn.example/live/show/master.m3u8?token=abc";
    assert_eq!(
        resolve(base, "720p/index.m3u8"),
        "https://cdn.example/live/show/720p/index.m3u8"
    );
    assert_eq!(
        resolve(base, "../keys/k1.bin"),
        "https://cdn.example/live/keys/k1.bin"
    );
    assert_eq!(
        resolve(base, "/abs/seg.ts"),
        "https://cdn.example/abs/seg.ts"
    );
    assert_eq!(
        resolve(base, "//other.example/x.ts"),
        "https://other.example/x.ts"
    );
    assert_eq!(
        resolve(base, "https://b.example/y.ts"),
        "https://b.example/y.ts"
    );
    assert_eq!(
        resolve(base, "seg.ts?a=1"),
        "https://cdn.example/live/show/seg.ts?a=1"
    );
    assert_eq!(resolve("https://h", "seg.ts"), "https://h/seg.ts");
    assert_eq!(
        resolve("https://h/a/../b/p.m3u8", "s.ts"),
        "https://h/b/s.ts"
    );
    assert_eq!(resolve("https://h/a/b/p.m3u8", "c:d/e"), "c:d/e");
    assert_eq!(
        resolve("https://h/a/b/p.m3u8", "c/d:e"),
        "https://h/a/b/c/d:e"
    );
    // Resolving an already resolved URL changes nothing (the writer relies on it).
    let once = resolve(base, "a/./b/../c.ts");
    assert_eq!(resolve(base, &once), once);
}

#[test]
fn splits_components() {
    let u = UriRef::split("https://user@h:8080/p/q.m3u8?x=1#frag");
    assert_eq!(u.scheme, Some("https"));
    assert_eq!(u.authority, Some("user@h:8080"));
    assert_eq!(u.path, "/p/q.m3u8");
    assert_eq!(u.query, Some("x=1"));
    assert_eq!(u.fragment, Some("frag"));
    let r = UriRef::split("seg.ts?");
    assert_eq!(
        (r.scheme, r.authority, r.path, r.query),
        (None, None, "seg.ts", Some(""))
    );
}

#[test]
fn query_parameters() {
    let url = "https://h/p.m3u8?a=1&token=x%2By%20z&b=two+words&empty=&flag&a=2#t=3";
    assert_eq!(query_param(url, "a").as_deref(), Some("1"));
    assert_eq!(query_param(url, "token").as_deref(), Some("x+y z"));
    assert_eq!(query_param(url, "b").as_deref(), Some("two words"));
    assert_eq!(query_param(url, "empty").as_deref(), Some(""));
    assert_eq!(query_param(url, "flag").as_deref(), Some(""));
    assert_eq!(query_param(url, "t"), None);
    assert_eq!(query_param(url, "missing"), None);
    assert_eq!(
        query_param("https://h/p.m3u8?bad=%zz%4", "bad").as_deref(),
        Some("%zz%4")
    );
    assert_eq!(
        query_param("https://h/p.m3u8?k%65y=v", "key").as_deref(),
        Some("v")
    );
}
