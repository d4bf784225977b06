//! One or more tests per tag of Media Playlists (and the tags both kinds share): what is
//! parsed, and which line and attribute an error names. Multivariant and LL-HLS tags are in
//! `playlist_tags_multivariant.rs` and `playlist_tags_llhls.rs`.

use player_core::hls::playlist::{
    parse_playlist, parse_playlist_with, ByteRange, ClientAttributeValue, DateTime, KeyMethod,
    ParseOptions, Playlist, PlaylistErrorKind as Kind, PlaylistType, VariableSource,
};

mod playlist_support;
use playlist_support::*;

// ---- EXTM3U and general line handling ----

#[test]
fn header_is_required() {
    assert_error(&error(""), 1, None, Kind::MissingHeader);
    assert_error(
        &error("#EXT-X-TARGETDURATION:6\n"),
        1,
        None,
        Kind::MissingHeader,
    );
    assert_error(&error("\n\nhello\n#EXTM3U\n"), 3, None, Kind::MissingHeader);
}

#[test]
fn tolerates_bom_crlf_blank_lines_whitespace_and_comments() {
    let text = "\u{feff}#EXTM3U\r\n\r\n#EXT-X-TARGETDURATION:4 \r\n# a comment\r\n\t#EXTINF:4.0,\r\n  seg 1.ts  \r\n\r\n";
    let m = media(text);
    assert_eq!(m.target_duration, 4);
    assert_eq!(
        m.segments[0].reference, "seg 1.ts",
        "kept as written, trimmed"
    );
    assert_eq!(
        m.url_of(&m.segments[0]),
        "https://cdn.example/show/720p/seg 1.ts"
    );
}

#[test]
fn error_display_names_line_and_attribute() {
    let e = error("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=lots\nv.m3u8\n");
    assert_eq!(
        e.to_string(),
        "line 2, attribute BANDWIDTH: expected a decimal integer"
    );
    let e = error("#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:x,\na.ts\n");
    assert_eq!(
        e.to_string(),
        "line 3: expected a decimal floating-point number"
    );
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert!(boxed.to_string().starts_with("line 3"));
}

#[test]
fn malformed_attribute_lists_name_the_attribute() {
    let e = error("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"avc1\nv.m3u8\n");
    assert_error(&e, 2, Some("CODECS"), Kind::UnterminatedQuotedString);
    let e = error("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH\nv.m3u8\n");
    assert_error(&e, 2, Some("BANDWIDTH"), Kind::MalformedAttributeList);
}

#[test]
fn unknown_tags_are_kept_in_place_and_unknown_attributes_ignored() {
    let m = media(&with_segment(
        "#EXT-X-CUE-OUT:DURATION=30\n#EXTINF:6,\na.ts\n#EXT-X-CUE-IN\n#EXT-X-MAP:URI=\"i.mp4\",FUTURE=1",
    ));
    assert_eq!(m.unknown_tags.len(), 2);
    assert_eq!(m.unknown_tags[0].text, "#EXT-X-CUE-OUT:DURATION=30");
    assert_eq!(m.unknown_tags[0].position, 0);
    assert_eq!(m.unknown_tags[1].text, "#EXT-X-CUE-IN");
    assert_eq!(m.unknown_tags[1].position, 1);
    assert_eq!(m.init_sections.len(), 1);
}

#[test]
fn mixed_playlists_are_refused() {
    let e = error("#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n");
    assert_error(&e, 3, None, Kind::MixedPlaylist);
    let e = error("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n#EXTINF:6,\na.ts\n");
    assert_error(&e, 4, None, Kind::MixedPlaylist);
}

// ---- EXT-X-VERSION, EXT-X-INDEPENDENT-SEGMENTS, EXT-X-START ----

#[test]
fn version() {
    assert_eq!(media(&with_segment("#EXT-X-VERSION:7")).version, Some(7));
    assert_eq!(media(&with_segment("")).version, None);
    let e = error(&with_segment("#EXT-X-VERSION:3\n#EXT-X-VERSION:4"));
    assert_error(
        &e,
        4,
        None,
        Kind::DuplicateTag {
            tag: "EXT-X-VERSION",
        },
    );
    assert_error(
        &error(&with_segment("#EXT-X-VERSION:300")),
        3,
        None,
        Kind::IntegerOverflow { bits: 8 },
    );
    assert_error(
        &error(&with_segment("#EXT-X-VERSION")),
        3,
        None,
        Kind::MissingTagValue {
            tag: "EXT-X-VERSION",
        },
    );
}

#[test]
fn independent_segments_in_both_kinds() {
    assert!(media(&with_segment("#EXT-X-INDEPENDENT-SEGMENTS")).independent_segments);
    let m = multivariant(
        "#EXTM3U\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n",
    );
    assert!(m.independent_segments);
}

#[test]
fn start() {
    let s = media(&with_segment("#EXT-X-START:TIME-OFFSET=-12.5,PRECISE=YES"))
        .start
        .unwrap();
    assert_eq!((s.time_offset, s.precise), (-12.5, true));
    let s = media(&with_segment("#EXT-X-START:TIME-OFFSET=3"))
        .start
        .unwrap();
    assert_eq!((s.time_offset, s.precise), (3.0, false));
    assert_error(
        &error(&with_segment("#EXT-X-START:PRECISE=YES")),
        3,
        Some("TIME-OFFSET"),
        Kind::MissingAttribute,
    );
    assert_error(
        &error(&with_segment("#EXT-X-START:TIME-OFFSET=1e9999")),
        3,
        Some("TIME-OFFSET"),
        Kind::ExpectedSignedFloat,
    );
    assert_error(
        &error(&with_segment("#EXT-X-START:TIME-OFFSET=1,PRECISE=MAYBE")),
        3,
        Some("PRECISE"),
        Kind::UnexpectedValue {
            value: "MAYBE".into(),
        },
    );
}

// ---- EXT-X-DEFINE ----

#[test]
fn define_substitutes_uris_quoted_strings_and_hex() {
    let m = media(&with_segment(concat!(
        "#EXT-X-DEFINE:NAME=\"host\",VALUE=\"https://keys.example\"\n",
        "#EXT-X-DEFINE:NAME=\"iv\",VALUE=\"0000000000000000000000000000000A\"\n",
        "#EXT-X-DEFINE:NAME=\"n\",VALUE=\"7\"\n",
        "#EXT-X-KEY:METHOD=AES-128,URI=\"{$host}/k{$n}\",IV=0x{$iv}\n",
        "#EXT-X-MAP:URI=\"init-{$n}.mp4\"\n",
        "#EXTINF:6,\nseg-{$n}.ts",
    )));
    assert_eq!(m.keys[0].uri.as_deref(), Some("https://keys.example/k7"));
    assert_eq!(m.keys[0].iv.unwrap()[15], 0x0A);
    assert_eq!(
        m.init_sections[0].uri,
        "https://cdn.example/show/720p/init-7.mp4"
    );
    assert_eq!(
        m.url_of(&m.segments[0]),
        "https://cdn.example/show/720p/seg-7.ts"
    );
    assert_eq!(m.defines.len(), 3);
    assert_eq!(m.defines[2].source, VariableSource::Value);
}

#[test]
fn references_without_any_define_are_literal_and_undefined_ones_are_errors() {
    let m = media(&with_segment("#EXTINF:6,\na{$x}.ts"));
    assert_eq!(m.segments[0].reference, "a{$x}.ts");
    assert_eq!(
        m.url_of(&m.segments[0]),
        "https://cdn.example/show/720p/a{$x}.ts"
    );
    // Once a playlist defines variables, a reference before the definition is an error too:
    // what a line means must not depend on tags further down.
    let e = error(&with_segment(
        "#EXTINF:6,\n{$a}.ts\n#EXT-X-DEFINE:NAME=\"a\",VALUE=\"1\"",
    ));
    assert_error(&e, 4, None, Kind::UndefinedVariable { name: "a".into() });
    let e = error(&with_segment(
        "#EXT-X-DEFINE:NAME=\"a\",VALUE=\"1\"\n#EXTINF:6,\n{$b}.ts",
    ));
    assert_error(&e, 5, None, Kind::UndefinedVariable { name: "b".into() });
    let e = error(&with_segment(
        "#EXT-X-DEFINE:NAME=\"a\",VALUE=\"1\"\n#EXT-X-MAP:URI=\"{$c}\"",
    ));
    assert_error(
        &e,
        4,
        Some("URI"),
        Kind::UndefinedVariable { name: "c".into() },
    );
}

#[test]
fn define_import_reads_the_parent_variables() {
    let parent = multivariant(concat!(
        "#EXTM3U\n#EXT-X-DEFINE:NAME=\"token\",VALUE=\"t0k\"\n",
        "#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8?auth={$token}\n",
    ));
    assert_eq!(
        parent.variants[0].uri,
        "https://cdn.example/show/720p/v.m3u8?auth=t0k"
    );
    let text = with_segment("#EXT-X-DEFINE:IMPORT=\"token\"\n#EXTINF:6,\ns.ts?auth={$token}");
    let options = ParseOptions {
        imported_variables: &parent.defines,
    };
    let Ok(Playlist::Media(m)) = parse_playlist_with(&text, URL, &options) else {
        panic!()
    };
    assert_eq!(
        m.url_of(&m.segments[0]),
        "https://cdn.example/show/720p/s.ts?auth=t0k"
    );
    assert_eq!(m.defines[0].source, VariableSource::Import);
    // Without the parent's variables the import fails, naming the attribute.
    assert_error(
        &error(&text),
        3,
        Some("IMPORT"),
        Kind::ImportNotFound {
            name: "token".into(),
        },
    );
}

#[test]
fn define_import_is_refused_in_multivariant_playlists() {
    let e = error("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n#EXT-X-DEFINE:IMPORT=\"x\"\n");
    assert_error(&e, 4, Some("IMPORT"), Kind::ImportInMultivariant);
}

#[test]
fn define_queryparam_reads_the_playlist_url() {
    let text = with_segment("#EXT-X-DEFINE:QUERYPARAM=\"token\"\n#EXTINF:6,\ns.ts?t={$token}");
    let Ok(Playlist::Media(m)) = parse_playlist(&text, "https://h/p.m3u8?x=1&token=a%20b") else {
        panic!()
    };
    assert_eq!(m.url_of(&m.segments[0]), "https://h/s.ts?t=a b");
    let e = parse_playlist(&text, "https://h/p.m3u8?x=1").unwrap_err();
    assert_error(
        &e,
        3,
        Some("QUERYPARAM"),
        Kind::QueryParamNotFound {
            name: "token".into(),
        },
    );
}

#[test]
fn define_validation() {
    let e = error(&with_segment(
        "#EXT-X-DEFINE:NAME=\"a\",VALUE=\"1\"\n#EXT-X-DEFINE:NAME=\"a\",VALUE=\"2\"",
    ));
    assert_error(
        &e,
        4,
        Some("NAME"),
        Kind::DuplicateVariable { name: "a".into() },
    );
    assert_error(
        &error(&with_segment("#EXT-X-DEFINE:NAME=\"a b\",VALUE=\"1\"")),
        3,
        Some("NAME"),
        Kind::InvalidVariableName,
    );
    assert_error(
        &error(&with_segment("#EXT-X-DEFINE:NAME=\"a\"")),
        3,
        Some("VALUE"),
        Kind::MissingAttribute,
    );
    assert_error(
        &error(&with_segment(
            "#EXT-X-DEFINE:NAME=\"a\",VALUE=\"1\",IMPORT=\"b\"",
        )),
        3,
        None,
        Kind::InvalidDefine,
    );
}

// ---- Media Playlist header tags ----

#[test]
fn target_duration_is_required_and_unique() {
    let e = error("#EXTM3U\n#EXTINF:6,\na.ts\n");
    assert_error(
        &e,
        2,
        None,
        Kind::MissingTag {
            tag: "EXT-X-TARGETDURATION",
        },
    );
    assert_error(
        &error("#EXTM3U\n"),
        1,
        None,
        Kind::MissingTag {
            tag: "EXT-X-TARGETDURATION",
        },
    );
    assert_error(
        &error(&with_segment("#EXT-X-TARGETDURATION:6")),
        3,
        None,
        Kind::DuplicateTag {
            tag: "EXT-X-TARGETDURATION",
        },
    );
    assert_error(
        &error("#EXTM3U\n#EXT-X-TARGETDURATION:6.5\n"),
        2,
        None,
        Kind::ExpectedInteger,
    );
    // An empty live playlist is valid.
    assert!(media("#EXTM3U\n#EXT-X-TARGETDURATION:2\n")
        .segments
        .is_empty());
}

#[test]
fn media_sequence_numbers_segments() {
    let m = media(&with_segment(
        "#EXT-X-MEDIA-SEQUENCE:1000\n#EXTINF:6,\na.ts",
    ));
    assert_eq!(m.media_sequence, 1000);
    assert_eq!(m.segments[0].media_sequence, 1000);
    assert_eq!(m.segments[1].media_sequence, 1001);
    assert_eq!(m.next_media_sequence(), 1002);
    assert_eq!(m.index_of_sequence(1001), Some(1));
    assert_eq!(m.index_of_sequence(999), None);
    let e = error(&with_segment("#EXTINF:6,\na.ts\n#EXT-X-MEDIA-SEQUENCE:5"));
    assert_error(
        &e,
        5,
        None,
        Kind::TagAfterFirstSegment {
            tag: "EXT-X-MEDIA-SEQUENCE",
        },
    );
    let e = error(&with_segment("#EXT-X-MEDIA-SEQUENCE:18446744073709551616"));
    assert_error(&e, 3, None, Kind::IntegerOverflow { bits: 64 });
}

#[test]
fn discontinuity_and_discontinuity_sequence() {
    let m = media(&with_segment(
        "#EXT-X-DISCONTINUITY-SEQUENCE:4\n#EXTINF:6,\na.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:6,\nb.ts",
    ));
    assert_eq!(m.discontinuity_sequence, 4);
    let seqs: Vec<_> = m
        .segments
        .iter()
        .map(|s| (s.discontinuity, s.discontinuity_sequence))
        .collect();
    assert_eq!(seqs, [(false, 4), (true, 5), (false, 5)]);
}

#[test]
fn endlist_playlist_type_and_iframes_only() {
    let m = media(&with_segment(
        "#EXT-X-PLAYLIST-TYPE:EVENT\n#EXT-X-I-FRAMES-ONLY",
    ));
    assert_eq!(m.playlist_type, Some(PlaylistType::Event));
    assert!(m.i_frames_only);
    assert!(!m.end_list);
    assert!(media(&format!("{}#EXT-X-ENDLIST\n", with_segment(""))).end_list);
    let e = error(&with_segment("#EXT-X-PLAYLIST-TYPE:LIVE"));
    assert_error(
        &e,
        3,
        None,
        Kind::UnexpectedValue {
            value: "LIVE".into(),
        },
    );
}

// ---- Media segment tags ----

#[test]
fn extinf_durations_titles_and_starts() {
    let m = media(&with_segment(
        "#EXTINF:5.005,Intro, part 1\na.ts\n#EXTINF:4\nb.ts",
    ));
    assert_eq!(m.segments[0].duration, 5.005);
    assert_eq!(m.segments[0].title.as_deref(), Some("Intro, part 1"));
    assert_eq!(m.segments[1].title, None);
    assert_eq!(m.segments[1].start, 5.005);
    assert_eq!(
        m.segments[2].start,
        5.005 + 4.0,
        "start is the running sum of the durations"
    );
}

#[test]
fn extinf_refuses_absurd_durations() {
    for bad in ["-1", "NaN", "inf", "1e308", "1x", ""] {
        let e = error(&with_segment(&format!("#EXTINF:{bad},\na.ts")));
        assert_eq!(e.line, 3, "{bad}: {e}");
    }
    let e = error(&with_segment("#EXTINF:1000000001,\na.ts"));
    assert_error(&e, 3, None, Kind::OutOfRange { what: "duration" });
    let e = error(&with_segment(&format!(
        "#EXTINF:{},\na.ts",
        "9".repeat(400)
    )));
    assert_error(&e, 3, None, Kind::OutOfRange { what: "duration" });
}

#[test]
fn uri_lines_need_their_extinf_and_vice_versa() {
    assert_error(
        &error(&with_segment("orphan.ts")),
        3,
        None,
        Kind::UnexpectedUri,
    );
    assert_error(
        &error(&with_segment("#EXTINF:6,\n#EXTINF:6,\na.ts")),
        4,
        None,
        Kind::ExtinfWithoutUri,
    );
    let e = error("#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\na.ts\n#EXTINF:6,\n");
    assert_error(&e, 5, None, Kind::MissingUri { tag: "EXTINF" });
}

#[test]
fn byte_ranges_with_implicit_offsets() {
    let m = media(&with_segment(concat!(
        "#EXTINF:6,\n#EXT-X-BYTERANGE:100\nall.ts\n",
        "#EXTINF:6,\n#EXT-X-BYTERANGE:200\nall.ts\n",
        "#EXTINF:6,\n#EXT-X-BYTERANGE:50@1000\nall.ts\n",
        "#EXT-X-BYTERANGE:10\n#EXTINF:6,\nall.ts",
    )));
    let ranges: Vec<_> = m.segments[..4]
        .iter()
        .map(|s| s.byte_range.unwrap())
        .collect();
    assert_eq!(
        ranges,
        [
            ByteRange {
                offset: 0,
                length: 100
            },
            ByteRange {
                offset: 100,
                length: 200
            },
            ByteRange {
                offset: 1000,
                length: 50
            },
            ByteRange {
                offset: 1050,
                length: 10
            },
        ]
    );
    assert_eq!(ranges[1].http_range().as_deref(), Some("bytes=100-299"));
}

#[test]
fn an_implicit_offset_follows_the_same_resource_however_it_is_written() {
    // Segment references are kept as written; the offset follows the resource they resolve to.
    let m = media(&with_segment(concat!(
        "#EXTINF:6,\n#EXT-X-BYTERANGE:100@0\nall.ts\n",
        "#EXTINF:6,\n#EXT-X-BYTERANGE:200\n./all.ts\n",
        "#EXTINF:6,\n#EXT-X-BYTERANGE:50\nhttps://cdn.example/show/720p/all.ts\n",
    )));
    let offsets: Vec<_> = m.segments[..3]
        .iter()
        .map(|s| s.byte_range.unwrap().offset)
        .collect();
    assert_eq!(offsets, [0, 100, 300]);
    assert_eq!(m.segments[1].reference, "./all.ts");
    assert_eq!(
        m.segment_url(1).as_deref(),
        Some("https://cdn.example/show/720p/all.ts")
    );
    let urls: Vec<String> = m.segment_urls().collect();
    assert_eq!(urls.len(), m.segments.len());
    assert!(urls[..3]
        .iter()
        .all(|u| u == "https://cdn.example/show/720p/all.ts"));
}

#[test]
fn byte_range_errors() {
    let e = error(&with_segment(
        "#EXTINF:6,\n#EXT-X-BYTERANGE:1@0\na.ts\n#EXTINF:6,\n#EXT-X-BYTERANGE:5\nb.ts",
    ));
    assert_error(&e, 7, None, Kind::ByteRangeWithoutOffset);
    let e = error(&with_segment(
        "#EXTINF:6,\nb.ts\n#EXTINF:6,\n#EXT-X-BYTERANGE:5\nb.ts",
    ));
    assert_error(&e, 6, None, Kind::ByteRangeWithoutOffset);
    let e = error(&with_segment(
        "#EXTINF:6,\n#EXT-X-BYTERANGE:2@18446744073709551615\na.ts",
    ));
    assert_error(&e, 4, None, Kind::ByteRangeOverflow);
    let e = error(&with_segment(
        "#EXTINF:6,\n#EXT-X-BYTERANGE:18446744073709551615@1\na.ts\n#EXTINF:6,\n#EXT-X-BYTERANGE:1\na.ts",
    ));
    assert_error(&e, 4, None, Kind::ByteRangeOverflow);
    let e = error(&with_segment("#EXTINF:6,\n#EXT-X-BYTERANGE:abc\na.ts"));
    assert_error(&e, 4, None, Kind::ExpectedByteRange);
}

#[test]
fn keys_iv_and_rotation() {
    let m = media(&with_segment(concat!(
        "#EXT-X-MEDIA-SEQUENCE:7\n",
        "#EXT-X-KEY:METHOD=AES-128,URI=\"../keys/k1\"\n#EXTINF:6,\na.ts\n#EXTINF:6,\nb.ts\n",
        "#EXT-X-KEY:METHOD=AES-128,URI=\"../keys/k2\",IV=0x000102030405060708090a0b0c0d0e0f\n#EXTINF:6,\nc.ts\n",
        "#EXT-X-KEY:METHOD=NONE",
    )));
    assert_eq!(m.keys.len(), 2);
    assert_eq!(m.keys[0].method, KeyMethod::Aes128);
    assert_eq!(
        m.keys[0].uri.as_deref(),
        Some("https://cdn.example/show/keys/k1")
    );
    let key_of: Vec<_> = m.segments.iter().map(|s| s.key).collect();
    assert_eq!(key_of, [Some(0), Some(0), Some(1), None]);
    let mut derived = [0u8; 16];
    derived[15] = 8;
    assert_eq!(
        m.iv_for(1),
        derived,
        "IV is the big-endian media sequence number"
    );
    assert_eq!(
        m.iv_for(2),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
    );
    assert!(m.identity_key(3).is_none());
}

#[test]
fn keys_of_several_formats_apply_together() {
    let m = media(&with_segment(concat!(
        "#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"skd://a\",KEYFORMAT=\"com.apple.streamingkeydelivery\",KEYFORMATVERSIONS=\"1\"\n",
        "#EXT-X-KEY:METHOD=SAMPLE-AES-CTR,URI=\"data:text/plain;base64,AAAA\",KEYFORMAT=\"urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed\"\n",
        "#EXT-X-KEY:METHOD=AES-128,URI=\"k\",KEYFORMAT=\"identity\"\n",
        "#EXTINF:6,\na.ts\n#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"skd://b\",KEYFORMAT=\"com.apple.streamingkeydelivery\"",
    )));
    assert_eq!(m.segment_keys(0).len(), 3);
    assert_eq!(m.segment_keys(0)[1].method, KeyMethod::SampleAesCtr);
    assert_eq!(
        m.identity_key(0).and_then(|k| k.uri.as_deref()),
        Some("https://cdn.example/show/720p/k")
    );
    assert_eq!(
        m.identity_key(0).unwrap().key_format,
        None,
        "identity is stored as the default"
    );
    let second = m.segment_keys(1);
    assert_eq!(second.len(), 3);
    assert_eq!(
        second[0].uri.as_deref(),
        Some("skd://b"),
        "same format replaced in place"
    );
    assert_eq!(second[2].method, KeyMethod::Aes128);
}

#[test]
fn key_errors() {
    assert_error(
        &error(&with_segment("#EXT-X-KEY:METHOD=AES-128")),
        3,
        Some("URI"),
        Kind::MissingAttribute,
    );
    assert_error(
        &error(&with_segment("#EXT-X-KEY:URI=\"k\"")),
        3,
        Some("METHOD"),
        Kind::MissingAttribute,
    );
    assert_error(
        &error(&with_segment(
            "#EXT-X-KEY:METHOD=AES-128,URI=\"k\",IV=0x0102030405060708090a0b0c0d0e0f1011",
        )),
        3,
        Some("IV"),
        Kind::HexTooLong { max_bytes: 16 },
    );
    assert_error(
        &error(&with_segment("#EXT-X-KEY:METHOD=AES-128,URI=\"k\",IV=12")),
        3,
        Some("IV"),
        Kind::ExpectedHex,
    );
    assert_error(
        &error(&with_segment(
            "#EXT-X-KEY:METHOD=AES-128,URI=\"k\",URI=\"j\"",
        )),
        3,
        Some("URI"),
        Kind::DuplicateAttribute,
    );
    let m = media(&with_segment("#EXT-X-KEY:METHOD=FUTURE-CIPHER,URI=\"k\""));
    assert_eq!(m.keys[0].method, KeyMethod::Other("FUTURE-CIPHER".into()));
}

#[test]
fn map_is_shared_until_replaced() {
    let m = media(&with_segment(concat!(
        "#EXT-X-MAP:URI=\"init.mp4\",BYTERANGE=\"720\"\n#EXTINF:6,\na.m4s\n#EXTINF:6,\nb.m4s\n",
        "#EXT-X-MAP:URI=\"init2.mp4\"",
    )));
    assert_eq!(m.init_sections.len(), 2);
    assert_eq!(
        m.init_sections[0].byte_range,
        Some(ByteRange {
            offset: 0,
            length: 720
        })
    );
    let maps: Vec<_> = m.segments.iter().map(|s| s.init_section).collect();
    assert_eq!(maps, [Some(0), Some(0), Some(1)]);
    assert_eq!(
        m.init_section_of(2).map(|i| i.uri.as_str()),
        Some("https://cdn.example/show/720p/init2.mp4")
    );
    assert_error(
        &error(&with_segment("#EXT-X-MAP:BYTERANGE=\"1@0\"")),
        3,
        Some("URI"),
        Kind::MissingAttribute,
    );
    assert_error(
        &error(&with_segment("#EXT-X-MAP:URI=\"i\",BYTERANGE=\"1@x\"")),
        3,
        Some("BYTERANGE"),
        Kind::ExpectedByteRange,
    );
}

#[test]
fn program_date_time() {
    let m = media(&with_segment(
        "#EXT-X-PROGRAM-DATE-TIME:2024-05-01T12:00:00.000Z\n#EXTINF:6,\na.ts\n#EXTINF:4,\nb.ts",
    ));
    let t0 = DateTime::parse("2024-05-01T12:00:00Z").unwrap();
    assert_eq!(m.segments[0].program_date_time, Some(t0));
    assert_eq!(
        m.date_time_of(2)
            .map(|d| d.unix_millis() - t0.unix_millis()),
        Some(10_000)
    );
    let e = error(&with_segment("#EXT-X-PROGRAM-DATE-TIME:yesterday"));
    assert_error(&e, 3, None, Kind::ExpectedDateTime);
}

#[test]
fn gap_and_bitrate() {
    let m = media(&with_segment(concat!(
        "#EXT-X-BITRATE:800\n#EXT-X-GAP\n#EXTINF:6,\na.ts\n",
        "#EXTINF:6,\n#EXT-X-BYTERANGE:10@0\nb.ts\n#EXT-X-BITRATE:1200",
    )));
    assert!(m.segments[0].gap);
    assert!(!m.segments[1].gap);
    let rates: Vec<_> = m.segments.iter().map(|s| s.bitrate).collect();
    assert_eq!(
        rates,
        [Some(800), None, Some(1200)],
        "byte-range segments have no BITRATE"
    );
}

#[test]
fn date_range_with_product_cue() {
    let m = media(&with_segment(concat!(
        "#EXT-X-PROGRAM-DATE-TIME:2024-05-01T12:00:00Z\n",
        "#EXT-X-DATERANGE:ID=\"p1\",CLASS=\"com.shoppable.product\",START-DATE=\"2024-05-01T12:00:04.000Z\",",
        "DURATION=14.0,X-PRODUCT-ID=\"tee\",X-SCORE=-0.5,X-BLOB=0x00FF,CUE=\"ONCE\"",
    )));
    let r = &m.date_ranges[0];
    assert_eq!(r.id, "p1");
    assert_eq!(r.class.as_deref(), Some("com.shoppable.product"));
    assert_eq!(r.duration, Some(14.0));
    assert_eq!(r.cue.as_deref(), Some("ONCE"));
    assert_eq!(
        r.client_attribute("X-PRODUCT-ID")
            .and_then(ClientAttributeValue::as_str),
        Some("tee")
    );
    assert_eq!(
        r.client_attribute("X-SCORE"),
        Some(&ClientAttributeValue::Float(-0.5))
    );
    assert_eq!(
        r.client_attribute("X-BLOB"),
        Some(&ClientAttributeValue::Hex(vec![0, 255]))
    );
    assert_eq!(
        r.end().map(|d| d.to_string()).as_deref(),
        Some("2024-05-01T12:00:18.000Z")
    );
}

#[test]
fn date_range_scte35_planned_duration_and_end_on_next() {
    let m = media(&with_segment(concat!(
        "#EXT-X-DATERANGE:ID=\"ad\",START-DATE=\"2024-05-01T12:00:00Z\",PLANNED-DURATION=30,SCTE35-OUT=0xFC30\n",
        "#EXT-X-DATERANGE:ID=\"ad\",START-DATE=\"2024-05-01T12:00:00Z\",END-DATE=\"2024-05-01T12:00:29.5Z\",SCTE35-IN=0xFC31\n",
        "#EXT-X-DATERANGE:ID=\"ch\",CLASS=\"chapter\",START-DATE=\"2024-05-01T12:00:00Z\",END-ON-NEXT=YES",
    )));
    assert_eq!(m.date_ranges.len(), 3);
    assert_eq!(m.date_ranges[0].planned_duration, Some(30.0));
    assert_eq!(m.date_ranges[0].scte35_out, Some(vec![0xFC, 0x30]));
    assert_eq!(m.date_ranges[1].scte35_in, Some(vec![0xFC, 0x31]));
    assert!(m.date_ranges[2].end_on_next);
}

#[test]
fn date_range_errors() {
    let e = error(&with_segment(
        "#EXT-X-DATERANGE:START-DATE=\"2024-05-01T12:00:00Z\"",
    ));
    assert_error(&e, 3, Some("ID"), Kind::MissingAttribute);
    let e = error(&with_segment(
        "#EXT-X-DATERANGE:ID=\"a\",START-DATE=\"2024-05-01T12:00:00Z\",END-ON-NEXT=YES",
    ));
    assert_error(
        &e,
        3,
        Some("END-ON-NEXT"),
        Kind::InvalidDateRange("END-ON-NEXT requires a CLASS"),
    );
    let e = error(&with_segment(
        "#EXT-X-DATERANGE:ID=\"a\",START-DATE=\"2024-05-01T12:00:00Z\",END-DATE=\"2024-05-01T11:00:00Z\"",
    ));
    assert_error(
        &e,
        3,
        Some("END-DATE"),
        Kind::InvalidDateRange("END-DATE is before START-DATE"),
    );
    let e = error(&with_segment(
        "#EXT-X-DATERANGE:ID=\"a\",START-DATE=\"soon\"",
    ));
    assert_error(&e, 3, Some("START-DATE"), Kind::ExpectedDateTime);
    let e = error(&with_segment(
        "#EXT-X-DATERANGE:ID=\"a\",X-A=\"1\",X-A=\"2\"",
    ));
    assert_error(&e, 3, Some("X-A"), Kind::DuplicateAttribute);
    let e = error(&with_segment("#EXT-X-DATERANGE:ID=\"a\",X-A=word"));
    assert_error(&e, 3, Some("X-A"), Kind::ExpectedSignedFloat);
    let e = error(&with_segment("#EXT-X-DATERANGE:ID=\"a\",DURATION=-1"));
    assert_error(&e, 3, Some("DURATION"), Kind::ExpectedFloat);
}
