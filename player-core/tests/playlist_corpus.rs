//! Real-world-shaped playlists (`tests/corpus/*.m3u8`), each with assertions on what was parsed,
//! and a check that every one of them survives print → parse unchanged.

use player_core::hls::playlist::{
    parse_playlist, parse_playlist_with, ByteRange, ClientAttributeValue, DateTime, KeyMethod,
    MediaPlaylist, MediaType, MultivariantPlaylist, ParseOptions, Playlist, PlaylistType,
    PreloadHintType,
};

macro_rules! corpus {
    ($name:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/", $name))
    };
}

const ALL: &[(&str, &str)] = &[
    (
        "apple_multivariant.m3u8",
        corpus!("apple_multivariant.m3u8"),
    ),
    ("ll_hls_live.m3u8", corpus!("ll_hls_live.m3u8")),
    ("ll_hls_delta.m3u8", corpus!("ll_hls_delta.m3u8")),
    (
        "fmp4_vod_byterange.m3u8",
        corpus!("fmp4_vod_byterange.m3u8"),
    ),
    (
        "aes128_key_rotation.m3u8",
        corpus!("aes128_key_rotation.m3u8"),
    ),
    (
        "discontinuities_ads.m3u8",
        corpus!("discontinuities_ads.m3u8"),
    ),
    (
        "daterange_products.m3u8",
        corpus!("daterange_products.m3u8"),
    ),
    (
        "drm_multi_keyformat.m3u8",
        corpus!("drm_multi_keyformat.m3u8"),
    ),
    ("crlf_bom.m3u8", corpus!("crlf_bom.m3u8")),
];

const BASE: &str = "https://cdn.example/vod/spring/index.m3u8";

fn media(text: &str) -> MediaPlaylist {
    match parse_playlist(text, BASE) {
        Ok(Playlist::Media(m)) => m,
        other => panic!("expected a media playlist, got {other:?}"),
    }
}

fn multivariant(text: &str, url: &str) -> MultivariantPlaylist {
    match parse_playlist(text, url) {
        Ok(Playlist::Multivariant(m)) => m,
        other => panic!("expected a multivariant playlist, got {other:?}"),
    }
}

#[test]
fn every_corpus_playlist_round_trips_through_the_writer() {
    for (name, text) in ALL {
        let parsed = parse_playlist(text, BASE).unwrap_or_else(|e| panic!("{name}: {e}"));
        let printed = parsed.to_string();
        let reparsed = parse_playlist(&printed, BASE)
            .unwrap_or_else(|e| panic!("{name} reprinted: {e}\n{printed}"));
        assert_eq!(reparsed, parsed, "{name}");
    }
}

#[test]
fn apple_style_multivariant() {
    let m = multivariant(
        corpus!("apple_multivariant.m3u8"),
        "https://cdn.example/vod/spring/master.m3u8",
    );
    assert!(m.independent_segments);
    assert_eq!(m.version, Some(6));
    assert_eq!(m.variants.len(), 5);
    assert_eq!(m.renditions.len(), 8);
    assert_eq!(m.iframe_variants.len(), 3);
    assert_eq!(m.session_data[0].value.as_deref(), Some("Spring drop"));
    let top = m.variants.iter().max_by_key(|v| v.bandwidth).unwrap();
    assert_eq!(top.uri, "https://cdn.example/vod/spring/v9/prog_index.m3u8");
    assert_eq!(top.audio.as_deref(), Some("ec3-surround"));
    assert_eq!(top.codecs.as_deref(), Some("avc1.64002a,ec-3"));
    assert_eq!(top.frame_rate, Some(60.0));
    let french: Vec<_> = m
        .renditions_in_group(MediaType::Audio, "aac-stereo")
        .filter(|r| r.language.as_deref() == Some("fr"))
        .collect();
    assert_eq!(french.len(), 1);
    assert_eq!(french[0].name, "Français");
    assert!(!french[0].default && french[0].autoselect);
    let forced: Vec<_> = m.renditions.iter().filter(|r| r.forced).collect();
    assert_eq!(forced.len(), 1);
    assert_eq!(
        forced[0].uri.as_deref(),
        Some("https://cdn.example/vod/spring/subtitles/en-forced/prog_index.m3u8")
    );
    let cc = m
        .renditions
        .iter()
        .find(|r| r.media_type == MediaType::ClosedCaptions)
        .unwrap();
    assert_eq!(
        (cc.instream_id.as_deref(), cc.uri.as_deref()),
        (Some("CC1"), None)
    );
    assert_eq!(m.iframe_variants[2].resolution.map(|r| r.height), Some(360));
}

#[test]
fn ll_hls_live_with_parts_and_preload_hint() {
    let m = media(corpus!("ll_hls_live.m3u8"));
    assert_eq!(m.segments.len(), 6);
    assert_eq!(m.segments[5].media_sequence, 2665);
    assert_eq!(m.segments[3].parts.len(), 0);
    assert_eq!(m.segments[4].parts.len(), 4);
    assert!(m.segments[4].parts[2].independent);
    assert_eq!(m.pending_parts.len(), 2);
    assert_eq!(
        m.pending_parts[1].uri,
        "https://cdn.example/vod/spring/filePart2666.1.mp4"
    );
    assert_eq!(m.preload_hints.len(), 1);
    assert_eq!(m.preload_hints[0].hint_type, PreloadHintType::Part);
    assert_eq!(
        m.preload_hints[0].uri,
        "https://cdn.example/vod/spring/filePart2666.2.mp4"
    );
    let sc = m.server_control.unwrap();
    assert!(sc.can_block_reload);
    assert_eq!(
        (sc.can_skip_until, sc.part_hold_back, sc.hold_back),
        (Some(24.0), Some(3.012), None)
    );
    assert_eq!(m.part_inf.unwrap().part_target, 1.004);
    assert_eq!(m.rendition_reports.len(), 2);
    assert_eq!(
        m.rendition_reports[0].uri,
        "https://cdn.example/vod/1M/waitForMSN.php"
    );
    assert_eq!(m.rendition_reports[1].last_part, Some(1));
    assert_eq!(m.next_media_sequence(), 2666);
    // Explicit date on segment 3, extrapolated on segment 5.
    let t3 = DateTime::parse("2024-05-01T18:00:12Z").unwrap();
    assert_eq!(m.date_time_of(5), Some(t3.add_seconds(8.00016)));
    assert_eq!(m.date_times().nth(5).flatten(), m.date_time_of(5));
    assert!(!m.end_list);
}

#[test]
fn ll_hls_delta_update_with_skip() {
    let m = media(corpus!("ll_hls_delta.m3u8"));
    let skip = m.skip.as_ref().unwrap();
    assert_eq!(skip.skipped_segments, 6);
    assert_eq!(skip.recently_removed_dateranges, ["promo-1", "promo-2"]);
    assert_eq!(
        m.segments[0].media_sequence, 2666,
        "skipped segments are counted"
    );
    assert_eq!(
        m.url_of(&m.segments[0]),
        "https://cdn.example/vod/spring/fileSequence2666.mp4"
    );
    assert!(m.server_control.unwrap().can_skip_dateranges);
    assert_eq!(
        m.date_ranges[0]
            .client_attribute("X-PRODUCT-ID")
            .and_then(ClientAttributeValue::as_str),
        Some("linen-tee")
    );
    assert_eq!(m.pending_parts.len(), 2);
}

#[test]
fn fmp4_vod_with_implicit_byte_range_offsets() {
    let m = media(corpus!("fmp4_vod_byterange.m3u8"));
    assert_eq!(m.playlist_type, Some(PlaylistType::Vod));
    assert!(m.end_list && m.independent_segments);
    assert_eq!(
        m.init_sections[0].byte_range,
        Some(ByteRange {
            offset: 0,
            length: 1402
        })
    );
    let ranges: Vec<_> = m.segments.iter().map(|s| s.byte_range.unwrap()).collect();
    // Each range without an offset follows the previous one.
    for pair in ranges.windows(2) {
        assert_eq!(pair[1].offset, pair[0].end());
    }
    assert_eq!(
        ranges[0],
        ByteRange {
            offset: 1402,
            length: 1_021_592
        }
    );
    assert_eq!(
        ranges[4].end(),
        1402 + 1_021_592 + 891_836 + 1_104_280 + 998_436 + 612_304
    );
    assert_eq!(m.segments[4].media_sequence, 5);
    assert!((m.duration() - 27.5275).abs() < 1e-9);
    assert!(m
        .segments
        .iter()
        .all(|s| m.url_of(s) == "https://cdn.example/vod/spring/main.mp4"));
}

#[test]
fn aes128_with_key_rotation() {
    let m = media(corpus!("aes128_key_rotation.m3u8"));
    assert_eq!(m.keys.len(), 3, "NONE is not stored");
    let key_uris: Vec<_> = (0..m.segments.len())
        .map(|i| m.identity_key(i).and_then(|k| k.uri.clone()))
        .collect();
    assert_eq!(
        key_uris,
        [
            Some("https://keys.example.com/key?id=7794".to_owned()),
            Some("https://keys.example.com/key?id=7794".to_owned()),
            Some("https://keys.example.com/key?id=7796".to_owned()),
            Some("https://keys.example.com/key?id=7796".to_owned()),
            None,
            Some("https://cdn.example/vod/keys/7799.key".to_owned()),
        ]
    );
    assert!(m.keys.iter().all(|k| k.method == KeyMethod::Aes128));
    // Sequence-number IV for segment 7795, explicit IV for 7796 and 7797.
    assert_eq!(
        m.iv_for(1),
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x1E, 0x73]
    );
    let explicit = [
        0x9c, 0x7d, 0xb8, 0x77, 0x85, 0x70, 0xd0, 0x5c, 0x31, 0x77, 0xc3, 0x49, 0xfd, 0x92, 0x36,
        0xaa,
    ];
    assert_eq!(m.iv_for(2), explicit);
    assert_eq!(m.iv_for(3), explicit);
    assert_eq!(m.iv_for(5)[15], 0x77, "7799 = 0x1E77");
}

#[test]
fn discontinuities_and_ad_markers() {
    let m = media(corpus!("discontinuities_ads.m3u8"));
    assert_eq!(m.segments.len(), 8);
    let seqs: Vec<_> = m
        .segments
        .iter()
        .map(|s| s.discontinuity_sequence)
        .collect();
    assert_eq!(seqs, [3, 3, 4, 4, 4, 5, 5, 5]);
    assert_eq!(
        m.url_of(&m.segments[2]),
        "https://ads.example.net/creative-9/0.ts"
    );
    assert!(m.segments[6].gap);
    let cue_tags: Vec<_> = m
        .unknown_tags
        .iter()
        .map(|t| (t.position, t.text.as_str()))
        .collect();
    assert_eq!(
        cue_tags,
        [
            (2, "#EXT-X-CUE-OUT:DURATION=15"),
            (3, "#EXT-X-CUE-OUT-CONT:ElapsedTime=5,Duration=15"),
            (5, "#EXT-X-CUE-IN"),
        ]
    );
    assert_eq!(m.segments[7].start, 6.006 * 2.0 + 15.0 + 6.006 * 2.0);
}

#[test]
fn date_range_product_cues() {
    let m = media(corpus!("daterange_products.m3u8"));
    assert_eq!(m.playlist_type, Some(PlaylistType::Event));
    assert_eq!(
        m.segments[0].program_date_time,
        DateTime::parse("2024-05-01T16:00:00Z")
    );
    let products: Vec<_> = m
        .date_ranges
        .iter()
        .filter(|r| r.class.as_deref() == Some("com.shoppable.product"))
        .collect();
    assert_eq!(
        products.len(),
        3,
        "a repeated tag is kept; consumers merge by ID"
    );
    assert_eq!(products[0].id, "tee-1");
    assert_eq!(
        products[0].client_attribute("X-PRODUCT-ID"),
        Some(&ClientAttributeValue::String("tee".into()))
    );
    assert_eq!(
        products[0].client_attribute("X-PRIORITY"),
        Some(&ClientAttributeValue::Float(2.0))
    );
    assert_eq!(products[0].end(), DateTime::parse("2024-05-01T16:00:18Z"));
    assert_eq!(
        products[1].end(),
        DateTime::parse("2024-05-01T16:00:22.500Z")
    );
    let chapter = &m.date_ranges[0];
    assert!(chapter.end_on_next);
    assert_eq!(chapter.end(), None);
    let splice = m.date_ranges.iter().find(|r| r.id == "splice-1").unwrap();
    assert_eq!(splice.planned_duration, Some(8.0));
    assert_eq!(
        splice.scte35_out.as_ref().map(|b| (b[0], b.len())),
        Some((0xFC, 36))
    );
}

#[test]
fn drm_with_two_key_formats() {
    let m = media(corpus!("drm_multi_keyformat.m3u8"));
    assert_eq!(m.segment_keys(0).len(), 2);
    assert_eq!(
        m.segment_keys(0)[0].key_format.as_deref(),
        Some("com.apple.streamingkeydelivery")
    );
    assert_eq!(m.segment_keys(2)[0].uri.as_deref(), Some("skd://key66"));
    assert_eq!(
        m.segment_keys(2)[1].key_format.as_deref(),
        Some("urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed")
    );
    assert!(m.segment_keys(2)[1]
        .uri
        .as_deref()
        .is_some_and(|u| u.starts_with("data:text/plain;base64,")));
    assert!(
        m.identity_key(0).is_none(),
        "no clear-key AES-128 for a player to do itself"
    );
}

#[test]
fn crlf_and_bom() {
    let text = corpus!("crlf_bom.m3u8");
    assert!(
        text.starts_with('\u{feff}') && text.contains("\r\n"),
        "the fixture keeps its bytes"
    );
    let m = media(text);
    assert_eq!(m.segments.len(), 3);
    assert_eq!(m.segments[0].title.as_deref(), Some("Opening titles"));
    assert_eq!(
        m.url_of(&m.segments[0]),
        "http://windows-encoder.example/stream/seq0.ts"
    );
    assert_eq!(
        m.url_of(&m.segments[1]),
        "https://cdn.example/vod/spring/seq1.ts"
    );
    assert_eq!(m.segments[1].title, None);
    assert_eq!(m.target_duration, 10);
    assert!(m.end_list);
}

#[test]
fn variables_from_query_and_import() {
    let master_url = "https://cdn.example/vod/spring/master.m3u8?token=s3cr%3Dt&lang=en";
    let master = multivariant(corpus!("variables_multivariant.m3u8"), master_url);
    assert_eq!(
        master.variants[0].uri,
        "https://edge-1.cdn.example/vod/spring/480p/index.m3u8?token=s3cr=t"
    );
    assert_eq!(
        master.variants[1].uri,
        "https://edge-2.cdn.example/vod/spring/480p/index.m3u8?token=s3cr=t"
    );
    assert_eq!(master.variants[1].pathway_id.as_deref(), Some("CDN-B"));
    assert_eq!(
        master
            .content_steering
            .as_ref()
            .map(|c| c.server_uri.as_str()),
        Some("https://cdn.example/steering?video=spring")
    );

    let options = ParseOptions {
        imported_variables: &master.defines,
    };
    let media_url = &master.variants[0].uri;
    let Ok(Playlist::Media(m)) =
        parse_playlist_with(corpus!("variables_media.m3u8"), media_url, &options)
    else {
        panic!("media playlist with IMPORT");
    };
    assert_eq!(
        m.init_sections[0].uri,
        "https://edge-1.cdn.example/vod/spring/480p/480p/init.mp4?token=s3cr=t"
    );
    assert_eq!(
        m.url_of(&m.segments[1]),
        "https://edge-1.cdn.example/vod/spring/480p/480p/1.m4s?token=s3cr=t"
    );
    // Without the parent's variables the IMPORT cannot be satisfied.
    let e = parse_playlist(corpus!("variables_media.m3u8"), media_url).unwrap_err();
    assert_eq!((e.line, e.attribute.as_deref()), (4, Some("IMPORT")));
}
