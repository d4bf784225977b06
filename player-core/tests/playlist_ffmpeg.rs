//! Playlists exactly as ffmpeg's HLS muxer writes them.

use player_core::hls::playlist::{parse_playlist, ByteRange, DateTime, Playlist, PlaylistType};

const BASE: &str = "https://cdn.example/show/";

fn media(text: &str, name: &str) -> player_core::hls::playlist::MediaPlaylist {
    match parse_playlist(text, &format!("{BASE}{name}")) {
        Ok(Playlist::Media(m)) => m,
        other => panic!("expected a media playlist, got {other:?}"),
    }
}

#[test]
fn ffmpeg_multivariant() {
    let text = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-STREAM-INF:BANDWIDTH=75900,RESOLUTION=160x90,CODECS=\"avc1.f4000b,mp4a.40.2\"\nfmp4.m3u8\n\n";
    let Ok(Playlist::Multivariant(m)) =
        parse_playlist(text, "https://cdn.example/show/master.m3u8")
    else {
        panic!("expected a multivariant playlist");
    };
    assert_eq!(m.version, Some(7));
    assert_eq!(m.variants.len(), 1);
    let v = &m.variants[0];
    assert_eq!(v.uri, "https://cdn.example/show/fmp4.m3u8");
    assert_eq!(v.bandwidth, 75_900);
    assert_eq!(v.resolution.map(|r| (r.width, r.height)), Some((160, 90)));
    assert_eq!(v.codecs.as_deref(), Some("avc1.f4000b,mp4a.40.2"));
}

#[test]
fn ffmpeg_fmp4_single_file_vod() {
    let text = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MAP:URI=\"fmp4.m4s\",BYTERANGE=\"1354@0\"\n#EXTINF:2.000000,\n#EXT-X-BYTERANGE:28153@1354\nfmp4.m4s\n#EXTINF:2.000000,\n#EXT-X-BYTERANGE:28327@29507\nfmp4.m4s\n#EXTINF:2.000000,\n#EXT-X-BYTERANGE:28865@57834\nfmp4.m4s\n#EXT-X-ENDLIST\n";
    let m = media(text, "fmp4.m3u8");
    assert_eq!(m.target_duration, 2);
    assert_eq!(m.playlist_type, Some(PlaylistType::Vod));
    assert!(m.end_list);
    assert_eq!(m.init_sections.len(), 1);
    assert_eq!(m.init_sections[0].uri, "https://cdn.example/show/fmp4.m4s");
    assert_eq!(
        m.init_sections[0].byte_range,
        Some(ByteRange {
            offset: 0,
            length: 1354
        })
    );
    assert_eq!(m.segments.len(), 3);
    let starts: Vec<f64> = m.segments.iter().map(|s| s.start).collect();
    assert_eq!(starts, [0.0, 2.0, 4.0]);
    assert_eq!(
        m.segments[2].byte_range,
        Some(ByteRange {
            offset: 57_834,
            length: 28_865
        })
    );
    assert!(m
        .segments
        .iter()
        .all(|s| s.init_section == Some(0) && s.key.is_none()));
    assert_eq!(m.segments[1].media_sequence, 1);
    assert_eq!(m.duration(), 6.0);
}

#[test]
fn ffmpeg_ts_with_program_date_time_and_discontinuity() {
    let text = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-DISCONTINUITY\n#EXTINF:2.000000,\n#EXT-X-PROGRAM-DATE-TIME:2026-11-22T04:52:10.834+0000\nts0.ts\n#EXTINF:2.000000,\n#EXT-X-PROGRAM-DATE-TIME:2026-11-22T04:52:12.834+0000\nts1.ts\n#EXTINF:2.000000,\nts2.ts\n#EXT-X-ENDLIST\n";
    let m = media(text, "ts.m3u8");
    assert_eq!(m.segments.len(), 3);
    assert!(m.segments[0].discontinuity);
    assert_eq!(m.segments[0].discontinuity_sequence, 1);
    assert!(!m.segments[1].discontinuity);
    let d0 = DateTime::parse("2026-11-22T04:52:10.834Z").unwrap();
    assert_eq!(m.segments[0].program_date_time, Some(d0));
    assert_eq!(m.segments[2].program_date_time, None);
    assert_eq!(m.date_time_of(2), Some(d0.add_seconds(4.0)));
    assert_eq!(m.url_of(&m.segments[0]), "https://cdn.example/show/ts0.ts");
}
