//! Property tests: an arbitrary playlist, printed by the writer and parsed back, is equal to
//! itself. The generators build values the way the parser would (derived fields such as
//! `start` and sequence numbers computed, indices consistent), so equality is exact.

use player_core::hls::playlist::{
    parse_playlist, ByteRange, ClientAttribute, ClientAttributeValue, ContentSteering, DateRange,
    DateTime, IFrameVariant, InitSection, KeyMethod, MediaPlaylist, MediaSegment, MediaType,
    MultivariantPlaylist, PartInf, PartialSegment, Playlist, PlaylistType, PreloadHint,
    PreloadHintType, Rendition, RenditionReport, Resolution, SegmentKey, ServerControl,
    SessionData, SessionDataFormat, Skip, StartPoint, UnknownTag, VariableDefinition,
    VariableSource, Variant,
};
use proptest::collection::vec;
use proptest::option::of;
use proptest::prelude::*;

const BASE: &str = "https://cdn.example/live/playlist.m3u8";

fn uri() -> impl Strategy<Value = String> {
    "[a-z0-9]{1,6}(/[a-z0-9_-]{1,6}){0,2}\\.(ts|m4s|m3u8|key)(\\?[a-z]=[0-9]{1,3})?"
        .prop_map(|path| format!("https://cdn.example/{path}"))
}

/// Text that may appear inside a quoted string.
fn text() -> impl Strategy<Value = String> {
    "[A-Za-z0-9 ._:/,=-]{0,12}"
}

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._-]{1,10}"
}

fn duration() -> impl Strategy<Value = f64> {
    prop_oneof![
        (0u32..100_000).prop_map(|ms| f64::from(ms) / 1000.0),
        0.0f64..1.0e6,
        Just(0.0),
    ]
}

fn signed() -> impl Strategy<Value = f64> {
    -1.0e6f64..1.0e6
}

fn date() -> impl Strategy<Value = DateTime> {
    (0i64..4_102_444_800_000).prop_map(DateTime::from_unix_millis)
}

fn byte_range() -> impl Strategy<Value = ByteRange> {
    (0u64..u64::MAX / 2, 0u64..u64::MAX / 2)
        .prop_map(|(offset, length)| ByteRange { offset, length })
}

fn start_point() -> impl Strategy<Value = StartPoint> {
    (signed(), any::<bool>()).prop_map(|(time_offset, precise)| StartPoint {
        time_offset,
        precise,
    })
}

fn defines() -> impl Strategy<Value = Vec<VariableDefinition>> {
    vec(("[A-Za-z0-9_-]{1,8}", text()), 0..3).prop_map(|pairs| {
        let mut out: Vec<VariableDefinition> = Vec::new();
        for (name, value) in pairs {
            if !out.iter().any(|d| d.name == name) {
                out.push(VariableDefinition {
                    name,
                    value,
                    source: VariableSource::Value,
                });
            }
        }
        out
    })
}

fn unknown_tags(max_position: usize) -> impl Strategy<Value = Vec<UnknownTag>> {
    vec(
        (
            0..=max_position,
            "#EXT-X-FUTURE-[A-Z]{1,5}(:[A-Z0-9=,]{1,10})?",
        ),
        0..3,
    )
    .prop_map(|mut tags| {
        tags.sort_by_key(|(position, _)| *position);
        tags.into_iter()
            .map(|(position, text)| UnknownTag { position, text })
            .collect()
    })
}

fn key(format: Option<&'static str>) -> impl Strategy<Value = SegmentKey> {
    let method = prop_oneof![
        Just(KeyMethod::Aes128),
        Just(KeyMethod::SampleAes),
        Just(KeyMethod::SampleAesCtr),
        Just(KeyMethod::Other("X-CIPHER".into())),
    ];
    (
        method,
        uri(),
        of(any::<[u8; 16]>()),
        of("[1-5](/[1-5]){0,2}"),
    )
        .prop_map(move |(method, uri, iv, versions)| SegmentKey {
            method,
            uri: Some(uri),
            iv,
            key_format: format.map(str::to_owned),
            key_format_versions: versions,
        })
}

/// A set of keys in effect together: distinct formats, in some order.
fn key_run() -> impl Strategy<Value = Vec<SegmentKey>> {
    let formats = [
        None,
        Some("com.apple.streamingkeydelivery"),
        Some("urn:uuid:edef8ba9"),
    ];
    proptest::sample::subsequence(formats.to_vec(), 1..=3)
        .prop_shuffle()
        .prop_flat_map(|formats| formats.into_iter().map(key).collect::<Vec<_>>())
}

fn part() -> impl Strategy<Value = PartialSegment> {
    (
        uri(),
        duration(),
        any::<bool>(),
        of(byte_range()),
        any::<bool>(),
    )
        .prop_map(
            |(uri, duration, independent, byte_range, gap)| PartialSegment {
                uri,
                duration,
                independent,
                byte_range,
                gap,
            },
        )
}

#[derive(Debug, Clone)]
enum KeyChange {
    Keep,
    Clear,
    Set(Vec<SegmentKey>),
}

#[derive(Debug, Clone)]
struct SegmentSpec {
    uri: String,
    duration: f64,
    title: Option<String>,
    byte_range: Option<ByteRange>,
    key: KeyChange,
    map: Option<InitSection>,
    discontinuity: bool,
    program_date_time: Option<DateTime>,
    gap: bool,
    bitrate: Option<u64>,
    parts: Vec<PartialSegment>,
}

fn segment_spec() -> impl Strategy<Value = SegmentSpec> {
    let key_change = prop_oneof![
        4 => Just(KeyChange::Keep),
        1 => Just(KeyChange::Clear),
        1 => key_run().prop_map(KeyChange::Set),
    ];
    let map =
        of((uri(), of(byte_range())).prop_map(|(uri, byte_range)| InitSection { uri, byte_range }));
    (
        (
            uri(),
            duration(),
            of("[A-Za-z0-9]([A-Za-z0-9 ,.-]{0,8}[A-Za-z0-9])?"),
            of(byte_range()),
        ),
        (
            key_change,
            map,
            any::<bool>(),
            of(date()),
            any::<bool>(),
            of(0u64..100_000),
        ),
        vec(part(), 0..3),
    )
        .prop_map(
            |(
                (uri, duration, title, byte_range),
                (key, map, discontinuity, program_date_time, gap, bitrate),
                parts,
            )| {
                SegmentSpec {
                    uri,
                    duration,
                    title,
                    byte_range,
                    key,
                    map,
                    discontinuity,
                    program_date_time,
                    gap,
                    bitrate,
                    parts,
                }
            },
        )
}

fn date_range() -> impl Strategy<Value = DateRange> {
    let client_value = prop_oneof![
        text().prop_map(ClientAttributeValue::String),
        vec(any::<u8>(), 1..6).prop_map(ClientAttributeValue::Hex),
        signed().prop_map(ClientAttributeValue::Float),
    ];
    (
        (
            token(),
            of(text()),
            of(date()),
            of("(PRE|POST|ONCE)"),
            of(0i64..1_000_000),
        ),
        (of(duration()), of(duration()), any::<bool>()),
        (
            of(vec(any::<u8>(), 1..8)),
            of(vec(any::<u8>(), 1..8)),
            of(vec(any::<u8>(), 1..8)),
        ),
        vec(("X-[A-Z]{1,6}", client_value), 0..4),
    )
        .prop_map(
            |(
                (id, class, start_date, cue, end_after),
                (duration, planned_duration, end_on_next),
                (cmd, out, inn),
                client,
            )| {
                let end_date = match (start_date, end_after) {
                    (Some(start), Some(ms)) => {
                        Some(DateTime::from_unix_millis(start.unix_millis() + ms))
                    }
                    _ => None,
                };
                let end_on_next =
                    end_on_next && class.is_some() && duration.is_none() && end_date.is_none();
                let mut client_attributes: Vec<ClientAttribute> = Vec::new();
                for (name, value) in client {
                    if !client_attributes.iter().any(|c| c.name == name) {
                        client_attributes.push(ClientAttribute { name, value });
                    }
                }
                DateRange {
                    id,
                    class,
                    start_date,
                    cue,
                    end_date,
                    duration,
                    planned_duration,
                    end_on_next,
                    scte35_cmd: cmd,
                    scte35_out: out,
                    scte35_in: inn,
                    client_attributes,
                }
            },
        )
}

fn media_playlist() -> impl Strategy<Value = MediaPlaylist> {
    let header = (
        (
            of(1u8..=12),
            0u64..100_000,
            0u64..u64::MAX / 2,
            0u64..u64::MAX / 2,
            any::<bool>(),
        ),
        (
            of(prop_oneof![
                Just(PlaylistType::Vod),
                Just(PlaylistType::Event)
            ]),
            any::<bool>(),
            any::<bool>(),
            of(start_point()),
            defines(),
        ),
    );
    let ll_hls = (
        of((
            of(duration()),
            any::<bool>(),
            of(duration()),
            of(duration()),
            any::<bool>(),
        )),
        of(duration().prop_map(|part_target| PartInf { part_target })),
        of((0u64..1000, vec("[A-Za-z0-9._-]{1,6}", 0..3))),
        vec(part(), 0..3),
        vec(
            (
                prop_oneof![
                    Just(PreloadHintType::Part),
                    Just(PreloadHintType::Map),
                    Just(PreloadHintType::Other("FUTURE".into()))
                ],
                uri(),
                of(0u64..1 << 40),
                of(0u64..1 << 40),
            ),
            0..2,
        ),
        vec((uri(), of(any::<u64>()), of(any::<u64>())), 0..2),
    );
    (
        header,
        ll_hls,
        vec(segment_spec(), 0..12),
        vec(date_range(), 0..3),
        any::<bool>(),
    )
        .prop_flat_map(|(header, ll, specs, date_ranges, trailing_map)| {
            let n = specs.len();
            (
                Just((header, ll, specs, date_ranges, trailing_map)),
                unknown_tags(n),
                uri(),
            )
        })
        .prop_map(
            |((header, ll, specs, date_ranges, trailing_map), unknown_tags, trailing_map_uri)| {
                let (
                    (version, target_duration, media_sequence, discontinuity_sequence, end_list),
                    (playlist_type, i_frames_only, independent_segments, start, defines),
                ) = header;
                let (server_control, part_inf, skip, pending_parts, hints, reports) = ll;
                let mut m = MediaPlaylist {
                    url: BASE.to_owned(),
                    version,
                    target_duration,
                    media_sequence,
                    discontinuity_sequence,
                    end_list,
                    playlist_type,
                    i_frames_only,
                    independent_segments,
                    start,
                    defines,
                    part_inf,
                    date_ranges,
                    unknown_tags,
                    ..MediaPlaylist::default()
                };
                m.server_control = server_control.map(
                    |(
                        can_skip_until,
                        can_skip_dateranges,
                        hold_back,
                        part_hold_back,
                        can_block_reload,
                    )| {
                        ServerControl {
                            can_skip_until,
                            can_skip_dateranges,
                            hold_back,
                            part_hold_back,
                            can_block_reload,
                        }
                    },
                );
                m.skip = skip.map(|(skipped_segments, recently_removed_dateranges)| Skip {
                    skipped_segments,
                    recently_removed_dateranges,
                });
                m.preload_hints = hints
                    .into_iter()
                    .map(
                        |(hint_type, uri, byte_range_start, byte_range_length)| PreloadHint {
                            hint_type,
                            uri,
                            byte_range_start,
                            byte_range_length,
                        },
                    )
                    .collect();
                m.rendition_reports = reports
                    .into_iter()
                    .map(|(uri, last_msn, last_part)| RenditionReport {
                        uri,
                        last_msn,
                        last_part,
                    })
                    .collect();
                m.pending_parts = pending_parts;

                // Build the segments the way the parser does.
                let skipped = m.skip.as_ref().map_or(0, |s| s.skipped_segments);
                let (mut key_run, mut map, mut bitrate, mut start, mut disc) =
                    (None, None, None, 0.0, discontinuity_sequence);
                for (i, spec) in specs.into_iter().enumerate() {
                    match spec.key {
                        KeyChange::Keep => {}
                        KeyChange::Clear => key_run = None,
                        KeyChange::Set(run) => {
                            key_run = Some((m.keys.len() as u32, run.len() as u16));
                            m.keys.extend(run);
                        }
                    }
                    if let Some(section) = spec.map {
                        map = Some(m.init_sections.len() as u32);
                        m.init_sections.push(section);
                    }
                    // BITRATE cannot be cancelled, only changed.
                    if spec.bitrate.is_some() {
                        bitrate = spec.bitrate;
                    }
                    if spec.discontinuity {
                        disc += 1;
                    }
                    m.segments.push(MediaSegment {
                        reference: spec.uri,
                        duration: spec.duration,
                        title: spec.title,
                        start,
                        media_sequence: media_sequence + skipped + i as u64,
                        discontinuity_sequence: disc,
                        bitrate: if spec.byte_range.is_none() {
                            bitrate
                        } else {
                            None
                        },
                        byte_range: spec.byte_range,
                        init_section: map,
                        key: key_run.map(|(first, _)| first),
                        key_count: key_run.map_or(0, |(_, count)| count),
                        discontinuity: spec.discontinuity,
                        program_date_time: spec.program_date_time,
                        gap: spec.gap,
                        parts: spec.parts,
                    });
                    start += spec.duration;
                }
                if trailing_map {
                    m.init_sections.push(InitSection {
                        uri: trailing_map_uri,
                        byte_range: None,
                    });
                }
                let has_parts =
                    !m.pending_parts.is_empty() || m.segments.iter().any(|s| !s.parts.is_empty());
                if has_parts && m.part_inf.is_none() {
                    m.part_inf = Some(PartInf { part_target: 1.0 });
                }
                m
            },
        )
}

fn variant() -> impl Strategy<Value = Variant> {
    (
        (
            uri(),
            any::<u64>(),
            of(any::<u64>()),
            of(0.0f64..100.0),
            of(text()),
            of(text()),
        ),
        (
            of((1u32..10_000, 1u32..10_000)),
            of(0.0f64..240.0),
            of("(TYPE-0|TYPE-1|NONE)"),
            of(text()),
            of("(SDR|HLG|PQ)"),
            of(text()),
        ),
        (
            of(token()),
            of(token()),
            of(token()),
            of(token()),
            of(token()),
            any::<bool>(),
            of(token()),
            of(any::<u64>()),
        ),
    )
        .prop_map(|(a, b, c)| {
            let (uri, bandwidth, average_bandwidth, score, codecs, supplemental_codecs) = a;
            let (resolution, frame_rate, hdcp_level, allowed_cpc, video_range, req_video_layout) =
                b;
            let (
                stable_variant_id,
                audio,
                video,
                subtitles,
                closed_captions,
                no_cc,
                pathway_id,
                program_id,
            ) = c;
            Variant {
                uri,
                bandwidth,
                average_bandwidth,
                score,
                codecs,
                supplemental_codecs,
                resolution: resolution.map(|(width, height)| Resolution { width, height }),
                frame_rate,
                hdcp_level,
                allowed_cpc,
                video_range,
                req_video_layout,
                stable_variant_id,
                audio,
                video,
                subtitles,
                closed_captions: if no_cc { None } else { closed_captions },
                no_closed_captions: no_cc,
                pathway_id,
                program_id,
            }
        })
}

fn rendition() -> impl Strategy<Value = Rendition> {
    let media_type = prop_oneof![
        Just(MediaType::Audio),
        Just(MediaType::Video),
        Just(MediaType::Subtitles),
        Just(MediaType::ClosedCaptions),
    ];
    (
        (
            media_type,
            of(uri()),
            token(),
            of(token()),
            of(token()),
            text(),
            of(token()),
        ),
        (
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            of("(CC[1-4]|SERVICE[1-9])"),
            of(any::<u64>()),
            of(any::<u64>()),
            of(text()),
            of("[0-9]{1,2}(/JOC)?"),
        ),
    )
        .prop_map(|(a, b)| {
            let (media_type, uri, group_id, language, assoc_language, name, stable_rendition_id) =
                a;
            let (
                default,
                autoselect,
                forced,
                instream_id,
                bit_depth,
                sample_rate,
                characteristics,
                channels,
            ) = b;
            let cc = media_type == MediaType::ClosedCaptions;
            Rendition {
                media_type,
                uri: if cc { None } else { uri },
                group_id,
                language,
                assoc_language,
                name,
                stable_rendition_id,
                default,
                autoselect,
                forced,
                instream_id: if cc {
                    Some(instream_id.unwrap_or_else(|| "CC1".into()))
                } else {
                    instream_id
                },
                bit_depth,
                sample_rate,
                characteristics,
                channels,
            }
        })
}

fn iframe_variant() -> impl Strategy<Value = IFrameVariant> {
    variant().prop_map(|v| IFrameVariant {
        uri: v.uri,
        bandwidth: v.bandwidth,
        average_bandwidth: v.average_bandwidth,
        score: v.score,
        codecs: v.codecs,
        supplemental_codecs: v.supplemental_codecs,
        resolution: v.resolution,
        hdcp_level: v.hdcp_level,
        allowed_cpc: v.allowed_cpc,
        video_range: v.video_range,
        req_video_layout: v.req_video_layout,
        stable_variant_id: v.stable_variant_id,
        video: v.video,
        pathway_id: v.pathway_id,
        program_id: v.program_id,
    })
}

fn multivariant_playlist() -> impl Strategy<Value = MultivariantPlaylist> {
    let session_data = (
        token(),
        prop_oneof![
            text().prop_map(|v| (Some(v), None)),
            uri().prop_map(|u| (None, Some(u)))
        ],
        any::<bool>(),
        of(token()),
    )
        .prop_map(|(data_id, (value, uri), raw, language)| SessionData {
            data_id,
            value,
            uri,
            format: if raw {
                SessionDataFormat::Raw
            } else {
                SessionDataFormat::Json
            },
            language,
        });
    (
        (
            of(1u8..=12),
            vec(variant(), 1..5),
            vec(rendition(), 0..4),
            vec(iframe_variant(), 0..2),
        ),
        (
            vec(session_data, 0..2),
            vec(key(None), 0..2),
            of((uri(), of(token()))),
            any::<bool>(),
            of(start_point()),
            defines(),
        ),
    )
        .prop_flat_map(|(a, b)| {
            let n = a.1.len();
            (Just((a, b)), unknown_tags(n))
        })
        .prop_map(
            |(
                (
                    (version, variants, renditions, iframe_variants),
                    (session_data, session_keys, steering, independent_segments, start, defines),
                ),
                unknown_tags,
            )| {
                MultivariantPlaylist {
                    version,
                    variants,
                    renditions,
                    iframe_variants,
                    session_data,
                    session_keys,
                    content_steering: steering.map(|(server_uri, pathway_id)| ContentSteering {
                        server_uri,
                        pathway_id,
                    }),
                    independent_segments,
                    start,
                    defines,
                    unknown_tags,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn media_playlist_round_trips(m in media_playlist()) {
        let text = m.to_string();
        match parse_playlist(&text, BASE) {
            Ok(Playlist::Media(parsed)) => prop_assert_eq!(parsed, m, "printed:\n{}", text),
            other => prop_assert!(false, "{:?}\nprinted:\n{}", other, text),
        }
    }

    #[test]
    fn multivariant_playlist_round_trips(m in multivariant_playlist()) {
        let text = m.to_string();
        match parse_playlist(&text, BASE) {
            Ok(Playlist::Multivariant(parsed)) => prop_assert_eq!(parsed, m, "printed:\n{}", text),
            other => prop_assert!(false, "{:?}\nprinted:\n{}", other, text),
        }
    }

    /// Parsing never panics, whatever the lines, and printing what was parsed gives text that
    /// parses to the same value.
    #[test]
    fn arbitrary_lines_never_panic_and_reprint_stably(lines in vec(prop_oneof![
        Just("#EXTINF:4,".to_owned()),
        Just("#EXT-X-TARGETDURATION:4".to_owned()),
        Just("#EXT-X-DISCONTINUITY".to_owned()),
        Just("#EXT-X-PART-INF:PART-TARGET=1".to_owned()),
        "#EXT-X-BYTERANGE:[0-9]{1,3}(@[0-9]{1,3})?",
        "#EXT-X-KEY:METHOD=(AES-128|NONE),URI=\"k[0-9]\"",
        "#EXT-X-MAP:URI=\"i[0-9]\"",
        "#EXT-X-PART:DURATION=1,URI=\"p[0-9]\"(,BYTERANGE=\"[0-9]{1,2}\")?",
        "[a-z]{1,3}\\.ts",
        "#[ -~]{0,20}",
        "[ -~]{0,20}",
    ], 0..30)) {
        let text = format!("#EXTM3U\n{}\n", lines.join("\n"));
        if let Ok(parsed) = parse_playlist(&text, BASE) {
            let reprinted = parsed.to_string();
            prop_assert_eq!(parse_playlist(&reprinted, BASE), Ok(parsed), "printed:\n{}", reprinted);
        }
    }
}
