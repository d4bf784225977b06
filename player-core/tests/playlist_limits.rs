//! Hostile input: huge playlists, absurd numbers, expansion bombs. Every case ends in a value
//! or a typed error, in bounded time and memory, never a panic.

use std::fmt::Write;
use std::time::{Duration, Instant};

use player_core::hls::playlist::{
    parse_playlist, Playlist, PlaylistError, PlaylistErrorKind as Kind, MAX_CLIENT_ATTRIBUTES,
    MAX_KEY_FORMATS, MAX_VARIABLES, SUBSTITUTION_BUDGET_BASE, SUBSTITUTION_BUDGET_FACTOR,
};

const URL: &str = "https://cdn.example/live/index.m3u8";

/// Far above what linear parsing needs even unoptimised on a loaded machine, far below what
/// quadratic behaviour on a million lines would take.
const GENEROUS: Duration = Duration::from_secs(60);

fn timed<T>(f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    assert!(start.elapsed() < GENEROUS, "took {:?}", start.elapsed());
    out
}

fn error(text: &str) -> PlaylistError {
    parse_playlist(text, URL).expect_err("expected an error")
}

#[test]
fn million_line_media_playlist() {
    let mut text = String::from("#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
    for i in 0..500_000 {
        // A key change on every segment exercises the key-run bookkeeping.
        if i % 2 == 0 {
            writeln!(text, "#EXT-X-KEY:METHOD=AES-128,URI=\"k{}\"", i % 7).unwrap();
        }
        writeln!(text, "#EXTINF:2,\n{i}.ts").unwrap();
    }
    let Ok(Playlist::Media(m)) = timed(|| parse_playlist(&text, URL)) else {
        panic!()
    };
    assert_eq!(m.segments.len(), 500_000);
    assert_eq!(m.keys.len(), 250_000);
    assert_eq!(m.segments[499_999].start, 999_998.0);
}

#[test]
fn million_unknown_tags_and_comments() {
    let mut text = String::from("#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
    for i in 0..500_000 {
        writeln!(text, "#EXT-X-VENDOR-{i}:A=1\n# comment {i}").unwrap();
    }
    let Ok(Playlist::Media(m)) = timed(|| parse_playlist(&text, URL)) else {
        panic!()
    };
    assert_eq!(m.unknown_tags.len(), 500_000);
    // Printing is linear too.
    let printed = timed(|| m.to_string());
    assert!(printed.len() > 500_000 * 15);
}

#[test]
fn one_enormous_line() {
    // 100,000 attributes on one line: the unknown ones are skipped in linear time, and the
    // X- attributes a date range keeps are capped.
    let mut attrs = String::new();
    for i in 0..100_000 {
        write!(attrs, ",FUTURE-{i}=\"{i}\"").unwrap();
    }
    let text = format!("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-DATERANGE:ID=\"big\"{attrs}\n");
    let Ok(Playlist::Media(m)) = timed(|| parse_playlist(&text, URL)) else {
        panic!()
    };
    assert_eq!(m.date_ranges[0].id, "big");

    let mut client = String::new();
    for i in 0..MAX_CLIENT_ATTRIBUTES {
        write!(client, ",X-A{i}=\"{i}\"").unwrap();
    }
    let text = format!("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-DATERANGE:ID=\"c\"{client}\n");
    let Ok(Playlist::Media(m)) = timed(|| parse_playlist(&text, URL)) else {
        panic!()
    };
    assert_eq!(
        m.date_ranges[0].client_attributes.len(),
        MAX_CLIENT_ATTRIBUTES
    );
    let dup = text.replace("X-A250=", "X-A5=");
    let e = timed(|| error(&dup));
    assert_eq!(
        (e.line, e.attribute.as_deref(), e.kind),
        (3, Some("X-A5"), Kind::DuplicateAttribute)
    );
    let over = text.replace(
        "\n#EXT-X-DATERANGE:ID=\"c\"",
        "\n#EXT-X-DATERANGE:ID=\"c\",X-ONE-MORE=1",
    );
    let e = error(&over);
    assert_eq!(
        e.kind,
        Kind::OutOfRange {
            what: "number of X- attributes"
        }
    );
}

#[test]
fn absurd_durations() {
    for value in ["1e308", "NaN", "-0.5", "-1", "inf", "1000000000.5"] {
        let e = error(&format!(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:{value},\na.ts\n"
        ));
        assert_eq!(e.line, 3, "{value}: {e}");
    }
    let huge = "9".repeat(309);
    let e = error(&format!(
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:{huge},\na.ts\n"
    ));
    assert_eq!(e.kind, Kind::OutOfRange { what: "duration" });
    let e = error(&format!("#EXTM3U\n#EXT-X-TARGETDURATION:{huge}\n"));
    assert_eq!(e.kind, Kind::IntegerOverflow { bits: 64 });
    let e = error("#EXTM3U\n#EXT-X-TARGETDURATION:99999999999\n");
    assert_eq!(
        e.kind,
        Kind::OutOfRange {
            what: "target duration"
        }
    );
    let e = error("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-PART-INF:PART-TARGET=1e3\n");
    assert_eq!(
        (e.attribute.as_deref(), e.kind),
        (Some("PART-TARGET"), Kind::ExpectedFloat)
    );
    let e = error("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-SERVER-CONTROL:HOLD-BACK=-3\n");
    assert_eq!(e.attribute.as_deref(), Some("HOLD-BACK"));
}

#[test]
fn byte_range_overflow_in_every_form() {
    let max = u64::MAX;
    let cases = [
        format!("#EXTINF:1,\n#EXT-X-BYTERANGE:1@{max}\na.ts\n"),
        format!("#EXTINF:1,\n#EXT-X-BYTERANGE:{max}@0\na.ts\n#EXTINF:1,\n#EXT-X-BYTERANGE:1\na.ts\n"),
        format!("#EXTINF:1,\n#EXT-X-BYTERANGE:{}0\na.ts\n", max),
        format!("#EXT-X-MAP:URI=\"i\",BYTERANGE=\"2@{}\"\n", max - 1),
        format!("#EXT-X-PART-INF:PART-TARGET=1\n#EXT-X-PART:DURATION=1,URI=\"p\",BYTERANGE=\"{max}@1\"\n"),
        format!("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"p\",BYTERANGE-START={max},BYTERANGE-LENGTH=1\n"),
    ];
    for body in cases {
        let e = error(&format!("#EXTM3U\n#EXT-X-TARGETDURATION:2\n{body}"));
        assert!(
            matches!(
                e.kind,
                Kind::ByteRangeOverflow | Kind::ExpectedByteRange | Kind::IntegerOverflow { .. }
            ),
            "{body}: {e}"
        );
    }
}

#[test]
fn sequence_numbers_saturate_instead_of_overflowing() {
    let max = u64::MAX;
    let text = format!(
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:{max}\n#EXT-X-DISCONTINUITY-SEQUENCE:{max}\n#EXT-X-SKIP:SKIPPED-SEGMENTS={max}\n#EXT-X-DISCONTINUITY\n#EXTINF:1,\na.ts\n#EXTINF:1,\nb.ts\n"
    );
    let Ok(Playlist::Media(m)) = parse_playlist(&text, URL) else {
        panic!()
    };
    assert_eq!(m.segments[1].media_sequence, max);
    assert_eq!(m.segments[0].discontinuity_sequence, max);
    assert_eq!(m.next_media_sequence(), max);
    let _ = m.iv_for(1);
    let _ = m.iv_for(usize::MAX);
    assert_eq!(
        m.index_of_sequence(max),
        Some(0),
        "the first segment with the saturated number"
    );
}

#[test]
fn other_absurd_values() {
    let cases = [
        (
            "#EXT-X-STREAM-INF:BANDWIDTH=99999999999999999999\nv.m3u8",
            "BANDWIDTH",
        ),
        (
            "#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=4294967296x1\nv.m3u8",
            "RESOLUTION",
        ),
        (
            "#EXT-X-STREAM-INF:BANDWIDTH=1,FRAME-RATE=-30\nv.m3u8",
            "FRAME-RATE",
        ),
        ("#EXT-X-STREAM-INF:BANDWIDTH=1,SCORE=NaN\nv.m3u8", "SCORE"),
    ];
    for (body, attribute) in cases {
        let e = error(&format!("#EXTM3U\n{body}\n"));
        assert_eq!(
            (e.line, e.attribute.as_deref()),
            (2, Some(attribute)),
            "{e}"
        );
    }
    let long_hex = format!("0x{}", "AB".repeat(70_000));
    let e = error(&format!(
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-DATERANGE:ID=\"a\",SCTE35-CMD={long_hex}\n"
    ));
    assert_eq!(e.kind, Kind::HexTooLong { max_bytes: 1 << 16 });
}

#[test]
fn expansion_bomb_hits_the_budget() {
    let big = "x".repeat(100_000);
    let mut text =
        format!("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-DEFINE:NAME=\"b\",VALUE=\"{big}\"\n");
    let line = "{$b}".repeat(100);
    for _ in 0..1_000 {
        writeln!(text, "#EXTINF:1,\n{line}").unwrap();
    }
    // Unchecked this would expand to 10 GB.
    let e = timed(|| error(&text));
    let max_bytes = SUBSTITUTION_BUDGET_BASE + SUBSTITUTION_BUDGET_FACTOR * text.len();
    assert_eq!(e.kind, Kind::ExpansionLimit { max_bytes });
    assert!(e.line > 3);
}

#[test]
fn references_to_empty_variables_cost_budget_too() {
    // Each reference is charged at least one byte, so even references to an empty value are
    // bounded by the input size: two million of them are within budget and parse quickly.
    let mut text = String::from(
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-DEFINE:NAME=\"e\",VALUE=\"\"\n#EXTINF:1,\n",
    );
    text.push_str(&"{$e}".repeat(2_000_000));
    text.push('\n');
    let Ok(Playlist::Media(m)) = timed(|| parse_playlist(&text, URL)) else {
        panic!()
    };
    assert_eq!(
        m.url_of(&m.segments[0]),
        URL,
        "an empty reference resolves to the base"
    );
}

#[test]
fn variable_count_is_capped() {
    let mut text = String::from("#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
    for i in 0..=MAX_VARIABLES {
        writeln!(text, "#EXT-X-DEFINE:NAME=\"v{i}\",VALUE=\"{i}\"").unwrap();
    }
    let e = error(&text);
    assert_eq!(
        (e.line, e.kind),
        (
            MAX_VARIABLES + 3,
            Kind::TooManyVariables { max: MAX_VARIABLES }
        )
    );
}

#[test]
fn key_formats_in_effect_are_capped() {
    let mut text = String::from("#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
    for i in 0..=MAX_KEY_FORMATS {
        writeln!(
            text,
            "#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"k\",KEYFORMAT=\"f{i}\""
        )
        .unwrap();
    }
    let e = error(&text);
    assert_eq!(e.line, MAX_KEY_FORMATS + 3);
}

#[test]
fn control_characters_and_odd_unicode_do_not_panic() {
    let nasty = [
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:1,\u{0}\u{7f}\u{202e}\n\u{0}a.ts\n",
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-DATERANGE:ID=\"é\",START-DATE=\"２０２４-05-01T00:00:00Z\"\n",
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-PROGRAM-DATE-TIME:2024-05-01T00:00:00.ééé\n",
        "#EXTM3U\n\r\r\r\n#EXT-X-STREAM-INF:BANDWIDTH=1\n\u{feff}v.m3u8\n",
        "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"\"\n:\n",
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:1,\n//[::1]:99999/../../a.ts?#\n",
    ];
    for text in nasty {
        let _ = parse_playlist(text, URL);
        let _ = parse_playlist(text, "");
        let _ = parse_playlist(text, "not a url at all ../..");
    }
}
