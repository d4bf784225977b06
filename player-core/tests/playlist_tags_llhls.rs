//! One or more tests per Low-Latency HLS tag: what is parsed, and which line and attribute an
//! error names.

use player_core::hls::playlist::{ByteRange, PlaylistErrorKind as Kind, PreloadHintType};

mod playlist_support;
use playlist_support::*;

// ---- LL-HLS ----

#[test]
fn server_control_and_part_inf() {
    let m = media(&with_segment(
        "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=36,CAN-SKIP-DATERANGES=YES,HOLD-BACK=12,PART-HOLD-BACK=1.5\n#EXT-X-PART-INF:PART-TARGET=0.5",
    ));
    let sc = m.server_control.unwrap();
    assert!(sc.can_block_reload && sc.can_skip_dateranges);
    assert_eq!(
        (sc.can_skip_until, sc.hold_back, sc.part_hold_back),
        (Some(36.0), Some(12.0), Some(1.5))
    );
    assert_eq!(m.part_inf.unwrap().part_target, 0.5);
    let e = error(&with_segment("#EXT-X-PART-INF:PART=1"));
    assert_error(&e, 3, Some("PART-TARGET"), Kind::MissingAttribute);
}

#[test]
fn parts_attach_to_the_next_segment_and_trailing_parts_are_pending() {
    let m = media(concat!(
        "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-PART-INF:PART-TARGET=1\n#EXT-X-MEDIA-SEQUENCE:10\n",
        "#EXT-X-PART:DURATION=1,URI=\"s10.mp4\",BYTERANGE=\"1000@0\",INDEPENDENT=YES\n",
        "#EXT-X-PART:DURATION=1,URI=\"s10.mp4\",BYTERANGE=\"500\"\n",
        "#EXTINF:2,\ns10.mp4\n",
        "#EXT-X-PART:DURATION=1,URI=\"p11.0.mp4\",INDEPENDENT=YES\n",
        "#EXT-X-PART:DURATION=1,URI=\"p11.1.mp4\",GAP=YES\n",
        "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"p11.2.mp4\"\n",
        "#EXT-X-PRELOAD-HINT:TYPE=MAP,URI=\"init.mp4\",BYTERANGE-START=0,BYTERANGE-LENGTH=700\n",
        "#EXT-X-RENDITION-REPORT:URI=\"../1080p/index.m3u8\",LAST-MSN=11,LAST-PART=1\n",
    ));
    assert_eq!(m.segments.len(), 1);
    let parts = &m.segments[0].parts;
    assert_eq!(parts.len(), 2);
    assert!(parts[0].independent);
    assert_eq!(
        parts[1].byte_range,
        Some(ByteRange {
            offset: 1000,
            length: 500
        })
    );
    assert_eq!(m.pending_parts.len(), 2);
    assert!(m.pending_parts[1].gap);
    assert_eq!(
        m.pending_parts[0].uri,
        "https://cdn.example/show/720p/p11.0.mp4"
    );
    assert_eq!(m.preload_hints[0].hint_type, PreloadHintType::Part);
    assert_eq!(m.preload_hints[1].byte_range_length, Some(700));
    let report = &m.rendition_reports[0];
    assert_eq!(report.uri, "https://cdn.example/show/1080p/index.m3u8");
    assert_eq!((report.last_msn, report.last_part), (Some(11), Some(1)));
}

#[test]
fn part_errors() {
    let e = error("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-PART:DURATION=1,URI=\"p\"\n");
    assert_error(
        &e,
        3,
        None,
        Kind::MissingTag {
            tag: "EXT-X-PART-INF",
        },
    );
    let e = error(&with_segment(
        "#EXT-X-PART-INF:PART-TARGET=1\n#EXT-X-PART:URI=\"p\"",
    ));
    assert_error(&e, 4, Some("DURATION"), Kind::MissingAttribute);
    let e = error(&with_segment(
        "#EXT-X-PART-INF:PART-TARGET=1\n#EXT-X-PART:DURATION=1,URI=\"a\"\n#EXT-X-PART:DURATION=1,URI=\"a\",BYTERANGE=\"5\"",
    ));
    assert_error(&e, 5, Some("BYTERANGE"), Kind::ByteRangeWithoutOffset);
    let e = error(&with_segment("#EXT-X-PRELOAD-HINT:URI=\"p\""));
    assert_error(&e, 3, Some("TYPE"), Kind::MissingAttribute);
    let e = error(&with_segment("#EXT-X-RENDITION-REPORT:LAST-MSN=1"));
    assert_error(&e, 3, Some("URI"), Kind::MissingAttribute);
}

#[test]
fn skip_shifts_sequence_numbers() {
    let m = media(&with_segment(
        "#EXT-X-MEDIA-SEQUENCE:100\n#EXT-X-SKIP:SKIPPED-SEGMENTS=20,RECENTLY-REMOVED-DATERANGES=\"a\tb\"",
    ));
    let skip = m.skip.as_ref().unwrap();
    assert_eq!(skip.skipped_segments, 20);
    assert_eq!(skip.recently_removed_dateranges, ["a", "b"]);
    assert_eq!(m.segments[0].media_sequence, 120);
    assert_eq!(m.next_media_sequence(), 121);
    let e = error(&with_segment(
        "#EXTINF:6,\na.ts\n#EXT-X-SKIP:SKIPPED-SEGMENTS=1",
    ));
    assert_error(
        &e,
        5,
        None,
        Kind::TagAfterFirstSegment { tag: "EXT-X-SKIP" },
    );
    let e = error(&with_segment(
        "#EXT-X-SKIP:RECENTLY-REMOVED-DATERANGES=\"a\"",
    ));
    assert_error(&e, 3, Some("SKIPPED-SEGMENTS"), Kind::MissingAttribute);
}
