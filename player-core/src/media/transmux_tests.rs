use super::*;
use crate::media::isobmff::Boxes;
use crate::media::test_stream::*;

fn ctx(start: f64, disc: u64) -> SegmentContext {
    SegmentContext {
        start,
        discontinuity_sequence: disc,
    }
}

/// (track_ID, tfdt, [(duration, size, flags, composition offset)]) of each traf.
type Run = (u32, u64, Vec<(u32, u32, u32, i32)>);

fn runs(media: &[u8]) -> Vec<Run> {
    let mut out = Vec::new();
    let moof = Boxes::new(media, 0).next().unwrap().unwrap();
    assert_eq!(&moof.fourcc, b"moof");
    let mdat_len = media.len() - moof.body.len() - 8;
    for traf in Boxes::new(moof.body, 8)
        .map(Result::unwrap)
        .filter(|b| &b.fourcc == b"traf")
    {
        let mut run: Run = (0, 0, Vec::new());
        for b in Boxes::new(traf.body, traf.offset).map(Result::unwrap) {
            let be = |at: usize| {
                u32::from_be_bytes([b.body[at], b.body[at + 1], b.body[at + 2], b.body[at + 3]])
            };
            match &b.fourcc {
                b"tfhd" => run.0 = be(4),
                b"tfdt" => run.1 = u64::from(be(4)) << 32 | u64::from(be(8)),
                b"trun" => {
                    let flags = be(0) & 0xFFFFFF;
                    let n = be(4) as usize;
                    let off = be(8) as usize;
                    assert!(
                        off >= moof.body.len() + 8 + 8 && off <= moof.body.len() + 8 + mdat_len
                    );
                    let per = if flags & 0x800 != 0 { 16 } else { 8 };
                    for i in 0..n {
                        let at = 12 + i * per;
                        let (f, c) = if per == 16 {
                            (be(at + 8), be(at + 12) as i32)
                        } else {
                            (0, 0)
                        };
                        run.2.push((be(at), be(at + 4), f, c));
                    }
                }
                _ => {}
            }
        }
        out.push(run);
    }
    out
}

#[test]
fn muxed_segment_becomes_init_and_one_fragment() {
    let mut tx = Transmuxer::new();
    let out = tx
        .transmux(&segment(900_000, 30, true, true), ctx(10.0, 0))
        .unwrap();
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert!(out.init.is_some());
    assert_eq!(out.codecs, "avc1.42c01e,mp4a.40.2");
    assert!(out.has_video && out.has_audio);
    assert_eq!(out.start, 10.0);
    // 30 frames of 1/30 s; 46 AAC frames of 1024/48000 s = 0.981 s.
    assert!((out.end - 11.0).abs() < 1e-9, "{}", out.end);
    let r = runs(&out.media);
    assert_eq!(r.len(), 2);
    let (vid, vbase, v) = &r[0];
    assert_eq!((*vid, *vbase), (1, 900_000));
    assert_eq!(v.len(), 30);
    assert!(
        v.iter().all(|s| s.0 == 3000),
        "durations from DTS deltas, last one repeated"
    );
    assert_eq!(v[0].2, fmp4::FLAGS_SYNC);
    assert!(v[1..].iter().all(|s| s.2 == fmp4::FLAGS_NON_SYNC));
    let (aid, abase, a) = &r[1];
    assert_eq!((*aid, *abase), (2, 480_000));
    assert_eq!(a.len(), 46);
    assert!(a.iter().all(|s| s.0 == 1024));
    assert_eq!(a.iter().filter(|s| s.1 == 100).count(), 23);
    // mdat = video samples then audio frames (ADTS headers stripped).
    let total: u32 = v.iter().chain(a.iter()).map(|s| s.1).sum();
    assert_eq!(
        out.media.len() as u32,
        total + u32::from_be_bytes(out.media[..4].try_into().unwrap()) + 8
    );
}

#[test]
fn next_segment_continues_without_init_or_gap() {
    let mut tx = Transmuxer::new();
    let a = tx
        .transmux(&segment(900_000, 30, true, true), ctx(0.0, 0))
        .unwrap();
    // The playlist's EXTINF said 1.001 s: the offset of the first segment is kept anyway.
    let b = tx
        .transmux(&segment(990_000, 30, true, true), ctx(1.001, 0))
        .unwrap();
    assert!(b.init.is_none());
    assert_eq!(b.start, a.end.min(1.0));
    let (ra, rb) = (runs(&a.media), runs(&b.media));
    assert_eq!(rb[0].1, ra[0].1 + 90_000);
    // The synthetic audio really has a hole of 896 samples (46 frames per 30 video frames):
    // more than half a frame, so it is kept rather than papered over.
    let audio_end = ra[1].1 + ra[1].2.iter().map(|s| u64::from(s.0)).sum::<u64>();
    assert_eq!(rb[1].1, audio_end + 896);
}

/// An audio-only segment of `frames` ADTS frames at 48 kHz, one per PES.
fn audio_segment(pts0: u64, frames: usize) -> Vec<u8> {
    let mut ts = pat_packet();
    ts.extend(pmt_packet(&[(0x0F, AUDIO_PID)]));
    let mut cc = 0;
    for i in 0..frames {
        let pts = pts0 + i as u64 * 1920;
        ts.extend(packetize(
            AUDIO_PID,
            &pes(0xC0, Some(pts), None, &adts_frame(50, i as u8), true),
            &mut cc,
        ));
    }
    ts
}

#[test]
fn audio_rounding_jitter_is_absorbed_and_holes_keep_sync() {
    let mut tx = Transmuxer::new();
    let a = tx
        .transmux(&audio_segment(10_000, 10), ctx(0.0, 0))
        .unwrap();
    // Next segment's first PTS is 2 ticks late: snapped to the exact end of the previous one.
    let b = tx
        .transmux(&audio_segment(10_000 + 10 * 1920 + 2, 10), ctx(0.4, 0))
        .unwrap();
    assert_eq!(runs(&b.media)[0].1, 10 * 1024);
    assert_eq!(b.start, a.end);
    // Frames 3..5 lost: the frame before the hole is stretched so later frames keep time.
    let mut ts = pat_packet();
    ts.extend(pmt_packet(&[(0x0F, AUDIO_PID)]));
    let mut cc = 0;
    for i in [0u64, 1, 2, 6, 7] {
        ts.extend(packetize(
            AUDIO_PID,
            &pes(0xC0, Some(i * 1920), None, &adts_frame(50, 0), true),
            &mut cc,
        ));
    }
    let mut tx = Transmuxer::new();
    let c = tx.transmux(&ts, ctx(0.0, 0)).unwrap();
    let durations: Vec<u32> = runs(&c.media)[0].2.iter().map(|s| s.0).collect();
    assert_eq!(durations, [1024, 1024, 4 * 1024, 1024, 1024]);
    assert!((c.end - 8.0 * 1024.0 / 48_000.0).abs() < 1e-9);
}

#[test]
fn pts_wrap_keeps_the_timeline_continuous() {
    let near_wrap = (1u64 << 33) - 45_000; // 0.5 s before the wrap
    let mut tx = Transmuxer::new();
    let a = tx
        .transmux(&segment(near_wrap, 30, true, false), ctx(100.0, 3))
        .unwrap();
    // The next segment's timestamps started at near_wrap + 90000, i.e. wrapped to 45000.
    let b = tx
        .transmux(&segment(45_000, 30, true, false), ctx(101.0, 3))
        .unwrap();
    assert_eq!(a.start, 100.0);
    assert!((b.start - a.end).abs() < 1e-9, "{} vs {}", b.start, a.end);
    // A segment that wraps in its middle.
    let mut tx = Transmuxer::new();
    let c = tx
        .transmux(
            &segment((1u64 << 33) - 30_000, 30, true, false),
            ctx(0.0, 0),
        )
        .unwrap();
    let r = runs(&c.media);
    assert!(r[0].2.iter().all(|s| s.0 == 3000));
    assert!((c.end - 1.0).abs() < 1e-9);
}

#[test]
fn discontinuity_starts_a_new_mapping_at_the_playlist_time() {
    let mut tx = Transmuxer::new();
    let a = tx
        .transmux(&segment(900_000, 30, true, true), ctx(0.0, 0))
        .unwrap();
    let b = tx
        .transmux(&segment(77_777_777, 30, true, true), ctx(1.0, 1))
        .unwrap();
    assert!(b.init.is_none(), "same configuration: no new init");
    assert_eq!(b.start, 1.0);
    assert!((b.start - a.end).abs() < 1.0 / 30.0);
    assert_eq!(runs(&b.media)[0].1, 90_000);
}

#[test]
fn b_frames_get_composition_offsets() {
    // Decode order I P B B with PTS 2,5,3,4 frames (ticks of 3000), DTS 0..3.
    let order = [(true, 2u64), (false, 5), (false, 3), (false, 4)];
    let mut ts = pat_packet();
    ts.extend(pmt_packet(&[(0x1B, VIDEO_PID)]));
    let mut cc = 0;
    for (i, &(key, p)) in order.iter().enumerate() {
        let au = access_unit(key, 50, i as u8);
        ts.extend(packetize(
            VIDEO_PID,
            &pes(0xE0, Some(p * 3000), Some(i as u64 * 3000), &au, false),
            &mut cc,
        ));
    }
    let mut tx = Transmuxer::new();
    let out = tx.transmux(&ts, ctx(0.0, 0)).unwrap();
    assert_eq!(out.codecs, "avc1.42c01e");
    assert!(out.has_video && !out.has_audio);
    let r = runs(&out.media);
    assert_eq!(r.len(), 1);
    // The first frame decodes at its presentation time (0); B-frames present before they
    // would decode on that shifted clock: negative offsets.
    assert_eq!(r[0].1, 0);
    let cto: Vec<i32> = r[0].2.iter().map(|s| s.3).collect();
    assert_eq!(cto, [0, 6000, -3000, -3000]);
    assert_eq!(out.start, 0.0);
    assert!((out.end - 4.0 * 3000.0 / 90_000.0).abs() < 1e-9);
}

#[test]
fn audio_only_segment() {
    let mut tx = Transmuxer::new();
    let out = tx
        .transmux(&segment(0, 30, false, true), ctx(5.0, 0))
        .unwrap();
    assert_eq!(out.codecs, "mp4a.40.2");
    assert!(!out.has_video && out.has_audio);
    assert_eq!(out.start, 5.0);
    let r = runs(&out.media);
    assert_eq!((r.len(), r[0].0, r[0].2.len()), (1, 2, 46));
}

fn id3_tag(value: &str) -> Vec<u8> {
    let mut body = b"\x03shoppable\x00".to_vec();
    body.extend_from_slice(value.as_bytes());
    let mut frame = b"TXXX".to_vec();
    frame.extend([0, 0, 0, body.len() as u8, 0, 0]);
    frame.extend(body);
    let mut tag = b"ID3\x04\x00\x00\x00\x00\x00".to_vec();
    tag.push(frame.len() as u8);
    tag.extend(frame);
    tag
}

#[test]
fn id3_pes_becomes_a_cue_on_the_output_timeline() {
    let mut ts = segment(900_000, 30, true, true);
    ts.splice(
        188..376,
        pmt_packet(&[(0x1B, VIDEO_PID), (0x0F, AUDIO_PID), (0x15, ID3_PID)]),
    );
    let mut cc = 0;
    ts.extend(packetize(
        ID3_PID,
        &pes(
            0xBD,
            Some(900_000 + 45_000),
            None,
            &id3_tag("{\"product\":\"tee\"}"),
            true,
        ),
        &mut cc,
    ));
    ts.extend(packetize(
        ID3_PID,
        &pes(0xBD, Some(900_000), None, b"not id3", true),
        &mut cc,
    ));
    let mut tx = Transmuxer::new();
    let out = tx.transmux(&ts, ctx(20.0, 0)).unwrap();
    assert_eq!(
        out.cues,
        [TimedMetadata {
            time: 20.5,
            frames: vec![Id3Frame::Txxx {
                description: "shoppable".into(),
                value: "{\"product\":\"tee\"}".into()
            }]
        }]
    );
    assert!(matches!(out.warnings[..], [TransmuxError::BadId3 { .. }]));
}

#[test]
fn configuration_change_emits_a_new_init() {
    let mut tx = Transmuxer::new();
    tx.transmux(&segment(0, 10, true, false), ctx(0.0, 0))
        .unwrap();
    // Same stream with audio added: the track set changed.
    let b = tx
        .transmux(&segment(30_000, 10, true, true), ctx(0.333, 0))
        .unwrap();
    assert!(b.init.is_some());
    assert_eq!(b.codecs, "avc1.42c01e,mp4a.40.2");
    // reset() forgets everything.
    tx.reset();
    let c = tx
        .transmux(&segment(30_000, 10, true, true), ctx(7.0, 0))
        .unwrap();
    assert!(c.init.is_some());
    assert_eq!(c.start, 7.0);
}

#[test]
fn errors_say_what_is_missing() {
    let mut tx = Transmuxer::new();
    assert_eq!(
        tx.transmux(b"", ctx(0.0, 0)),
        Err(TransmuxError::NoSync { len: 0 })
    );
    let mut cc = 0;
    let no_tables = packetize(
        VIDEO_PID,
        &pes(0xE0, Some(0), None, &access_unit(true, 10, 0), false),
        &mut cc,
    );
    assert_eq!(
        tx.transmux(&no_tables, ctx(0.0, 0)),
        Err(TransmuxError::NoProgram)
    );
    let mut ts = pat_packet();
    ts.extend(pmt_packet(&[(0x81, 0x100), (0x24, 0x101)]));
    assert_eq!(
        tx.transmux(&ts, ctx(0.0, 0)),
        Err(TransmuxError::NoSupportedStream {
            stream_types: vec![0x81, 0x24]
        })
    );
    let mut ts = pat_packet();
    ts.extend(pmt_packet(&[(0x1B, VIDEO_PID)]));
    assert_eq!(tx.transmux(&ts, ctx(0.0, 0)), Err(TransmuxError::Empty));
    let mut cc = 0;
    ts.extend(packetize(
        VIDEO_PID,
        &pes(0xE0, Some(0), None, &access_unit(false, 10, 0), false),
        &mut cc,
    ));
    assert_eq!(
        tx.transmux(&ts, ctx(0.0, 0)),
        Err(TransmuxError::MissingParameterSets { pid: VIDEO_PID })
    );
}

#[test]
fn fmp4_passes_through() {
    let mut tx = Transmuxer::new();
    let out = tx
        .transmux(&segment(900_000, 30, true, true), ctx(3.0, 0))
        .unwrap();
    let mut whole = out.init.clone().unwrap();
    whole.extend_from_slice(&out.media);
    let mut rx = Transmuxer::new();
    let p = rx.transmux(&whole, ctx(3.0, 0)).unwrap();
    assert_eq!(p.init, out.init);
    assert_eq!(p.media, out.media);
    assert_eq!(p.codecs, out.codecs);
    assert!(p.has_video && p.has_audio);
    assert_eq!((p.start, p.end), (out.start, out.end));
    assert_eq!(p.timestamp_offset, 0.0);
    // A media segment alone, after the init was given separately.
    let mut rx = Transmuxer::new();
    assert_eq!(
        rx.set_init_segment(out.init.as_ref().unwrap()).unwrap(),
        out.codecs
    );
    let p = rx.transmux(&out.media, ctx(3.0, 0)).unwrap();
    assert!(p.init.is_none());
    assert_eq!((p.start, p.end), (out.start, out.end));
}

/// fMP4 media of one encode: its init and `count` one-second segments whose own
/// timestamps start at `own_start` seconds.
fn fmp4_encode(own_start: f64, count: usize) -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut tx = Transmuxer::new();
    let mut init = None;
    let media = (0..count)
        .map(|i| {
            let pts = ((own_start + i as f64) * 90_000.0) as u64 + 126_000;
            let out = tx
                .transmux(&segment(pts, 30, true, true), ctx(own_start + i as f64, 0))
                .unwrap();
            init = init.take().or(out.init);
            out.media
        })
        .collect();
    (init.unwrap(), media)
}

#[test]
fn fmp4_timestamps_restarting_at_a_discontinuity_are_placed_after_it() {
    let (init_a, a) = fmp4_encode(0.0, 2);
    // The second encode's clock starts at 0 again, as a spliced-in ad's would.
    let (init_b, b) = fmp4_encode(0.0, 2);
    let mut rx = Transmuxer::new();
    rx.set_init_segment(&init_a).unwrap();
    let first = rx.place_fmp4(&a[0], ctx(0.0, 0));
    assert_eq!((first.timestamp_offset, first.start), (0.0, 0.0));
    let second = rx.place_fmp4(&a[1], ctx(1.0, 0));
    assert_eq!(second.timestamp_offset, 0.0);
    let splice = second.end;
    assert!((splice - 2.0).abs() < 0.05, "{splice}");

    rx.set_init_segment(&init_b).unwrap();
    let after = rx.place_fmp4(&b[0], ctx(splice, 1));
    assert!((after.timestamp_offset - splice).abs() < 1e-4, "{after:?}");
    assert!((after.start - splice).abs() < 1e-4, "{after:?}");
    assert!(after.warnings.is_empty(), "{:?}", after.warnings);
    // A later segment of the sequence keeps its offset despite EXTINF rounding.
    let next = rx.place_fmp4(&b[1], ctx(splice + 1.0004, 1));
    assert_eq!(next.timestamp_offset, after.timestamp_offset);
    // Seeking back into the first sequence lands on its own offset again.
    rx.set_init_segment(&init_a).unwrap();
    assert_eq!(rx.place_fmp4(&a[1], ctx(1.0, 0)).timestamp_offset, 0.0);
}

#[test]
fn fmp4_own_timeline_is_anchored_on_the_playlist() {
    // A packager whose first fragment says 10 s, in a playlist starting at 0.
    let (init, media) = fmp4_encode(10.0, 1);
    let mut rx = Transmuxer::new();
    rx.set_init_segment(&init).unwrap();
    let placed = rx.place_fmp4(&media[0], ctx(0.0, 0));
    assert!((placed.timestamp_offset + 10.0).abs() < 1e-4, "{placed:?}");
    assert!(placed.start.abs() < 1e-4 && (placed.end - 1.0).abs() < 0.05);
}

#[test]
fn unreadable_fmp4_keeps_the_offset_and_warns() {
    let (init, media) = fmp4_encode(5.0, 1);
    let mut rx = Transmuxer::new();
    rx.set_init_segment(&init).unwrap();
    let offset = rx.place_fmp4(&media[0], ctx(0.0, 0)).timestamp_offset;
    // A moof whose size runs past the end of the data.
    let broken = [0, 0, 0x10, 0, b'm', b'o', b'o', b'f', 0, 0];
    let placed = rx.place_fmp4(&broken, ctx(1.0, 0));
    assert_eq!(placed.timestamp_offset, offset);
    assert_eq!(placed.start, 1.0);
    assert!(
        matches!(placed.warnings[..], [TransmuxError::Mp4(_)]),
        "{placed:?}"
    );
}

#[test]
fn encoder_clock_reset_without_discontinuity_is_re_anchored() {
    let mut tx = Transmuxer::new();
    tx.transmux(&segment(900_000, 30, true, true), ctx(0.0, 0))
        .unwrap();
    // Same discontinuity sequence, but the timestamps jumped 1000 s ahead.
    let b = tx
        .transmux(&segment(90_990_000, 30, true, true), ctx(1.0, 0))
        .unwrap();
    assert_eq!(b.start, 1.0);
    assert!(matches!(
        b.warnings[..],
        [TransmuxError::TimestampJump {
            discontinuity_sequence: 0,
            millis: -1_000_000
        }]
    ));
}

#[test]
fn fmp4_emsg_id3_becomes_a_cue() {
    let mut tx = Transmuxer::new();
    let out = tx
        .transmux(&segment(900_000, 30, true, false), ctx(3.0, 0))
        .unwrap();
    let tag = id3_tag("{\"product\":\"tee\"}");
    // emsg version 1: timescale 1000, presentation_time 3500 (3.5 s).
    let mut body = vec![
        1, 0, 0, 0, 0, 0, 0x03, 0xE8, 0, 0, 0, 0, 0, 0, 0x0D, 0xAC, 0, 0, 0, 0, 0, 0, 0, 1,
    ];
    body.extend_from_slice(b"https://aomedia.org/emsg/ID3\0\0");
    body.extend_from_slice(&tag);
    let mut media = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    media.extend_from_slice(b"emsg");
    media.extend(body);
    // A second emsg of another scheme is ignored.
    let other = b"\0\0\0\0urn:other\0\0\0\0\0\x01\0\0\0\0\0\0\0\0\0\0\0\0";
    media.extend_from_slice(&((other.len() + 8) as u32).to_be_bytes());
    media.extend_from_slice(b"emsg");
    media.extend_from_slice(other);
    media.extend_from_slice(&out.media);
    let mut rx = Transmuxer::new();
    rx.set_init_segment(out.init.as_ref().unwrap()).unwrap();
    let p = rx.transmux(&media, ctx(3.0, 0)).unwrap();
    assert_eq!(p.cues.len(), 1);
    assert_eq!(p.cues[0].time, 3.5);
    assert_eq!(
        p.cues[0].frames,
        [Id3Frame::Txxx {
            description: "shoppable".into(),
            value: "{\"product\":\"tee\"}".into()
        }]
    );
    assert_eq!((p.start, p.end), (out.start, out.end));
}

#[test]
fn damaged_sps_keeps_the_known_configuration() {
    // Segment whose SPS has pic_width_in_mbs_minus1 far out of range.
    let broken_sps = {
        let mut w = BitWriter::default();
        w.bits(24, 0x42_c0_1e)
            .ue(0)
            .ue(0)
            .ue(0)
            .ue(0)
            .ue(1)
            .bits(1, 0)
            .ue(5000)
            .ue(10);
        w.bits(3, 0b110).trailing();
        let mut nal = vec![0x67];
        nal.extend(escape(&w.bytes));
        nal
    };
    let good_sps = sps(66, 30, 320, 240);
    let make = |pts0: u64| {
        let mut ts = pat_packet();
        ts.extend(pmt_packet(&[(0x1B, VIDEO_PID)]));
        let mut cc = 0;
        for f in 0..10u64 {
            let mut au = access_unit(f == 0, 100, f as u8);
            if let Some(at) = au
                .windows(good_sps.len())
                .position(|w| w == good_sps.as_slice())
            {
                au.splice(at..at + good_sps.len(), broken_sps.iter().copied());
            }
            let pts = pts0 + 3000 * f;
            ts.extend(packetize(
                VIDEO_PID,
                &pes(0xE0, Some(pts), None, &au, false),
                &mut cc,
            ));
        }
        ts
    };
    let mut tx = Transmuxer::new();
    // Without a known configuration the damaged SPS is an error…
    assert!(matches!(
        tx.transmux(&make(0), ctx(0.0, 0)),
        Err(TransmuxError::BadSps { .. })
    ));
    // …with one, a warning.
    tx.transmux(&segment(0, 10, true, false), ctx(0.0, 0))
        .unwrap();
    let out = tx.transmux(&make(30_000), ctx(0.333, 0)).unwrap();
    assert!(out.init.is_none());
    assert!(matches!(out.warnings[..], [TransmuxError::BadSps { .. }]));
}
