//! One or more tests per Multivariant Playlist tag: what is parsed, and which line and
//! attribute an error names.

use player_core::hls::playlist::{MediaType, PlaylistErrorKind as Kind, SessionDataFormat};

mod playlist_support;
use playlist_support::*;

// ---- Multivariant Playlist tags ----

#[test]
fn stream_inf_attributes() {
    let m = multivariant(concat!(
        "#EXTM3U\n",
        "#EXT-X-STREAM-INF:BANDWIDTH=2500000,AVERAGE-BANDWIDTH=2000000,CODECS=\"avc1.64001f,mp4a.40.2\",",
        "RESOLUTION=1280x720,FRAME-RATE=29.970,HDCP-LEVEL=TYPE-0,VIDEO-RANGE=SDR,AUDIO=\"aac\",",
        "SUBTITLES=\"subs\",CLOSED-CAPTIONS=\"cc\",SCORE=1.5,PATHWAY-ID=\"CDN-A\",STABLE-VARIANT-ID=\"hd\",",
        "SUPPLEMENTAL-CODECS=\"dvh1.08.07/db4h\",ALLOWED-CPC=\"com.example:SW\",REQ-VIDEO-LAYOUT=\"CH-STEREO\",VIDEO=\"v\"\n",
        "hd/index.m3u8\n",
        "#EXT-X-STREAM-INF:BANDWIDTH=500000,CLOSED-CAPTIONS=NONE,PROGRAM-ID=1\n",
        "/sd/index.m3u8\n",
    ));
    let v = &m.variants[0];
    assert_eq!(v.uri, "https://cdn.example/show/720p/hd/index.m3u8");
    assert_eq!(
        (v.bandwidth, v.average_bandwidth),
        (2_500_000, Some(2_000_000))
    );
    assert_eq!(v.resolution.map(|r| (r.width, r.height)), Some((1280, 720)));
    assert_eq!(v.frame_rate, Some(29.97));
    assert_eq!(v.hdcp_level.as_deref(), Some("TYPE-0"));
    assert_eq!(v.video_range.as_deref(), Some("SDR"));
    assert_eq!(
        (v.audio.as_deref(), v.subtitles.as_deref()),
        (Some("aac"), Some("subs"))
    );
    assert_eq!(
        (v.closed_captions.as_deref(), v.no_closed_captions),
        (Some("cc"), false)
    );
    assert_eq!(v.score, Some(1.5));
    assert_eq!(v.pathway_id.as_deref(), Some("CDN-A"));
    assert_eq!(v.supplemental_codecs.as_deref(), Some("dvh1.08.07/db4h"));
    assert_eq!(v.video.as_deref(), Some("v"));
    let sd = &m.variants[1];
    assert_eq!(sd.uri, "https://cdn.example/sd/index.m3u8");
    assert_eq!(
        (sd.closed_captions.as_deref(), sd.no_closed_captions),
        (None, true)
    );
    assert_eq!(sd.program_id, Some(1));
}

#[test]
fn stream_inf_errors_name_the_line() {
    let e = error("#EXTM3U\n#EXT-X-STREAM-INF:RESOLUTION=1x1\nv.m3u8\n");
    assert_error(&e, 2, Some("BANDWIDTH"), Kind::MissingAttribute);
    let e = error("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n");
    assert_error(
        &e,
        2,
        None,
        Kind::MissingUri {
            tag: "EXT-X-STREAM-INF",
        },
    );
    let e = error("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n# comment is fine\n#EXT-X-STREAM-INF:BANDWIDTH=2\nv.m3u8\n");
    assert_error(
        &e,
        2,
        None,
        Kind::MissingUri {
            tag: "EXT-X-STREAM-INF",
        },
    );
    let e = error("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=wide\nv.m3u8\n");
    assert_error(&e, 2, Some("RESOLUTION"), Kind::ExpectedResolution);
    let e = error("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,BANDWIDTH=2\nv.m3u8\n");
    assert_error(&e, 2, Some("BANDWIDTH"), Kind::DuplicateAttribute);
}

#[test]
fn media_renditions() {
    let m = multivariant(concat!(
        "#EXTM3U\n",
        "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aac\",NAME=\"English\",LANGUAGE=\"en\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"audio/en.m3u8\"\n",
        "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aac\",NAME=\"Deutsch\",LANGUAGE=\"de\",ASSOC-LANGUAGE=\"de-AT\",URI=\"audio/de.m3u8\",SAMPLE-RATE=48000,BIT-DEPTH=16\n",
        "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",FORCED=YES,CHARACTERISTICS=\"public.accessibility.describes-music-and-sound\",URI=\"subs/en.m3u8\",STABLE-RENDITION-ID=\"s1\"\n",
        "#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID=\"cc\",NAME=\"CC1\",INSTREAM-ID=\"CC1\"\n",
        "#EXT-X-STREAM-INF:BANDWIDTH=1,AUDIO=\"aac\"\nv.m3u8\n",
    ));
    assert_eq!(m.renditions.len(), 4);
    let en = &m.renditions[0];
    assert_eq!(en.media_type, MediaType::Audio);
    assert_eq!(
        en.uri.as_deref(),
        Some("https://cdn.example/show/720p/audio/en.m3u8")
    );
    assert!(en.default && en.autoselect && !en.forced);
    assert_eq!(en.channels.as_deref(), Some("2"));
    assert_eq!(m.renditions[1].sample_rate, Some(48_000));
    assert_eq!(m.renditions[1].assoc_language.as_deref(), Some("de-AT"));
    assert!(m.renditions[2].forced);
    assert_eq!(m.renditions[3].instream_id.as_deref(), Some("CC1"));
    assert_eq!(m.renditions[3].uri, None);
    assert_eq!(m.renditions_in_group(MediaType::Audio, "aac").count(), 2);
}

#[test]
fn media_rendition_errors() {
    let e = error("#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,NAME=\"x\"\n");
    assert_error(&e, 2, Some("GROUP-ID"), Kind::MissingAttribute);
    let e = error("#EXTM3U\n#EXT-X-MEDIA:TYPE=HOLOGRAM,GROUP-ID=\"g\",NAME=\"x\"\n");
    assert_error(
        &e,
        2,
        Some("TYPE"),
        Kind::UnexpectedValue {
            value: "HOLOGRAM".into(),
        },
    );
    let e = error("#EXTM3U\n#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID=\"g\",NAME=\"x\"\n");
    assert_error(&e, 2, Some("INSTREAM-ID"), Kind::MissingAttribute);
    let e = error("#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"g\",NAME=\"x\",DEFAULT=yes\n");
    assert_error(
        &e,
        2,
        Some("DEFAULT"),
        Kind::UnexpectedValue {
            value: "yes".into(),
        },
    );
}

#[test]
fn iframe_variants() {
    let m = multivariant(
        "#EXTM3U\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=86000,RESOLUTION=640x360,CODECS=\"avc1.4d001f\",URI=\"iframe/360.m3u8\"\n",
    );
    let v = &m.iframe_variants[0];
    assert_eq!(v.uri, "https://cdn.example/show/720p/iframe/360.m3u8");
    assert_eq!(v.bandwidth, 86_000);
    let e = error("#EXTM3U\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1\n");
    assert_error(&e, 2, Some("URI"), Kind::MissingAttribute);
}

#[test]
fn session_data_session_key_and_content_steering() {
    let m = multivariant(concat!(
        "#EXTM3U\n",
        "#EXT-X-SESSION-DATA:DATA-ID=\"com.shoppable.title\",VALUE=\"Spring drop\",LANGUAGE=\"en\"\n",
        "#EXT-X-SESSION-DATA:DATA-ID=\"com.shoppable.feed\",URI=\"/feeds/show.json\",FORMAT=RAW\n",
        "#EXT-X-SESSION-KEY:METHOD=AES-128,URI=\"/keys/k1\"\n",
        "#EXT-X-CONTENT-STEERING:SERVER-URI=\"/steer\",PATHWAY-ID=\"CDN-A\"\n",
        "#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n",
    ));
    assert_eq!(m.session_data[0].value.as_deref(), Some("Spring drop"));
    assert_eq!(m.session_data[0].format, SessionDataFormat::Json);
    assert_eq!(
        m.session_data[1].uri.as_deref(),
        Some("https://cdn.example/feeds/show.json")
    );
    assert_eq!(m.session_data[1].format, SessionDataFormat::Raw);
    assert_eq!(
        m.session_keys[0].uri.as_deref(),
        Some("https://cdn.example/keys/k1")
    );
    let cs = m.content_steering.as_ref().unwrap();
    assert_eq!(
        (cs.server_uri.as_str(), cs.pathway_id.as_deref()),
        ("https://cdn.example/steer", Some("CDN-A"))
    );

    let e = error("#EXTM3U\n#EXT-X-SESSION-DATA:DATA-ID=\"a\",VALUE=\"1\",URI=\"u\"\n");
    assert_eq!((e.line, e.attribute.as_deref()), (2, Some("VALUE")));
    let e = error("#EXTM3U\n#EXT-X-SESSION-KEY:METHOD=NONE\n");
    assert_eq!((e.line, e.attribute.as_deref()), (2, Some("METHOD")));
    let e = error("#EXTM3U\n#EXT-X-CONTENT-STEERING:PATHWAY-ID=\"x\"\n");
    assert_error(&e, 2, Some("SERVER-URI"), Kind::MissingAttribute);
}
