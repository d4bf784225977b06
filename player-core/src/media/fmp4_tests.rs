use super::*;
use crate::media::adts::AudioConfig;
use crate::media::h264::{parse_sps, VideoConfig};
use crate::media::isobmff::{codecs_from_init_segment, track_timescales, Boxes};
use crate::media::test_stream::{sps, PPS};

fn video() -> VideoConfig {
    let s = sps(100, 31, 1280, 720);
    VideoConfig {
        info: parse_sps(&s).unwrap(),
        sps: s,
        pps: PPS.to_vec(),
    }
}

fn audio() -> AudioConfig {
    AudioConfig {
        object_type: 2,
        sampling_index: 3,
        sample_rate: 48_000,
        channels: 2,
    }
}

/// Walks a box tree checking that every size is consistent and returns the paths seen.
fn tree(data: &[u8], base: usize, prefix: &str, out: &mut Vec<String>) {
    const CONTAINERS: [&[u8; 4]; 10] = [
        b"moov", b"trak", b"mdia", b"minf", b"dinf", b"stbl", b"mvex", b"moof", b"traf", b"avc1",
    ];
    for b in Boxes::new(data, base) {
        let b = b.expect("consistent box sizes");
        let name = String::from_utf8_lossy(&b.fourcc).into_owned();
        let path = format!("{prefix}/{name}");
        out.push(path.clone());
        if CONTAINERS.contains(&&b.fourcc) {
            let skip = if &b.fourcc == b"avc1" { 78 } else { 0 };
            tree(&b.body[skip..], b.offset + skip, &path, out);
        } else if &b.fourcc == b"stsd" || &b.fourcc == b"dref" {
            tree(&b.body[8..], b.offset + 8, &path, out);
        }
    }
}

#[test]
fn init_segment_structure_and_codecs() {
    let mut out = Vec::new();
    write_init(&mut out, Some(&video()), Some(&audio()));
    let mut paths = Vec::new();
    tree(&out, 0, "", &mut paths);
    for want in [
        "/ftyp",
        "/moov/mvhd",
        "/moov/trak/tkhd",
        "/moov/trak/mdia/mdhd",
        "/moov/trak/mdia/hdlr",
        "/moov/trak/mdia/minf/vmhd",
        "/moov/trak/mdia/minf/smhd",
        "/moov/trak/mdia/minf/dinf/dref/url ",
        "/moov/trak/mdia/minf/stbl/stsd/avc1",
        "/moov/trak/mdia/minf/stbl/stsd/avc1/avcC",
        "/moov/trak/mdia/minf/stbl/stsd/mp4a",
        "/moov/trak/mdia/minf/stbl/stts",
        "/moov/trak/mdia/minf/stbl/stsz",
        "/moov/mvex/trex",
    ] {
        assert!(
            paths.iter().any(|p| p == want),
            "{want} missing from {paths:?}"
        );
    }
    assert_eq!(paths.iter().filter(|p| *p == "/moov/mvex/trex").count(), 2);
    assert_eq!(
        codecs_from_init_segment(&out).unwrap(),
        "avc1.64c01f,mp4a.40.2"
    );
    assert_eq!(track_timescales(&out).unwrap(), [(1, 90_000), (2, 48_000)]);
}

#[test]
fn avcc_and_esds_bytes() {
    let mut out = Vec::new();
    write_avc1(&mut out, &video());
    let v = video();
    let avcc_at = 8 + 78;
    let avcc = &out[avcc_at..];
    let size = u32::from_be_bytes([avcc[0], avcc[1], avcc[2], avcc[3]]) as usize;
    assert_eq!(&avcc[4..8], b"avcC");
    // version, profile, compat, level, 4-byte lengths, 1 SPS
    assert_eq!(&avcc[8..14], &[1, 100, 0xC0, 31, 0xFF, 0xE1]);
    assert_eq!(size, 8 + 6 + 2 + v.sps.len() + 1 + 2 + 4 + 4);
    assert_eq!(out.len(), avcc_at + size, "no pasp for square pixels");

    let mut out = Vec::new();
    write_mp4a(&mut out, &audio());
    let esds = &out[8 + 28..];
    assert_eq!(&esds[4..8], b"esds");
    let body = &esds[12..];
    assert_eq!(body[0], 3);
    assert_eq!(usize::from(body[1]) + 2, body.len());
    assert_eq!(&body[body.len() - 7..], &[5, 2, 0x11, 0x90, 6, 1, 2]);
}

#[test]
fn fragment_sizes_offsets_and_flags() {
    let vs = [
        FragmentSample {
            duration: 3000,
            size: 10,
            flags: FLAGS_SYNC,
            composition_offset: 0,
        },
        FragmentSample {
            duration: 3000,
            size: 6,
            flags: FLAGS_NON_SYNC,
            composition_offset: -3000,
        },
    ];
    let as_ = [FragmentSample {
        duration: 1024,
        size: 4,
        flags: 0,
        composition_offset: 0,
    }];
    let vdata = [1u8; 16];
    let adata = [2u8; 4];
    let mut out = Vec::new();
    write_fragment(
        &mut out,
        7,
        &[
            TrackRun {
                track_id: 1,
                base_decode_time: 1 << 33,
                samples: &vs,
                data: &vdata,
                video: true,
            },
            TrackRun {
                track_id: 2,
                base_decode_time: 5,
                samples: &as_,
                data: &adata,
                video: false,
            },
        ],
    );
    let mut paths = Vec::new();
    tree(&out, 0, "", &mut paths);
    assert_eq!(paths.iter().filter(|p| p.ends_with("/trun")).count(), 2);
    let boxes: Vec<_> = Boxes::new(&out, 0).map(|b| b.unwrap()).collect();
    assert_eq!(boxes.len(), 2);
    let (moof, mdat) = (&boxes[0], &boxes[1]);
    assert_eq!(&mdat.fourcc, b"mdat");
    assert_eq!(mdat.body, [[1u8; 16].as_slice(), &[2u8; 4]].concat());
    // mfhd sequence number
    assert_eq!(&moof.body[8..16], &[0, 0, 0, 0, 0, 0, 0, 7]);
    // Each trun's data_offset, relative to the moof start, points at its track's bytes.
    let moof_start = moof.offset - 8;
    let mut offsets = Vec::new();
    for traf in Boxes::new(moof.body, moof.offset)
        .filter_map(Result::ok)
        .filter(|b| &b.fourcc == b"traf")
    {
        for b in Boxes::new(traf.body, traf.offset).filter_map(Result::ok) {
            match &b.fourcc {
                b"tfdt" => assert_eq!(b.body[0], 1),
                b"trun" => {
                    let off =
                        i32::from_be_bytes([b.body[8], b.body[9], b.body[10], b.body[11]]) as usize;
                    offsets.push(off);
                    if b.body[0] == 1 {
                        // version 1: signed composition offsets
                        let last = &b.body[b.body.len() - 4..];
                        assert_eq!(
                            i32::from_be_bytes([last[0], last[1], last[2], last[3]]),
                            -3000
                        );
                        assert_eq!(&b.body[1..4], &[0, 0x0F, 0x01]);
                    }
                }
                _ => {}
            }
        }
    }
    assert_eq!(offsets.len(), 2);
    assert_eq!(&out[moof_start + offsets[0]..][..16], &[1u8; 16]);
    assert_eq!(&out[moof_start + offsets[1]..][..4], &[2u8; 4]);
}

#[test]
fn sar_gives_pasp_and_display_width() {
    let mut v = video();
    v.info.sar = (4, 3);
    let mut out = Vec::new();
    write_init(&mut out, Some(&v), None);
    let mut paths = Vec::new();
    tree(&out, 0, "", &mut paths);
    assert!(paths.iter().any(|p| p.ends_with("avc1/pasp")));
    assert!(!paths.iter().any(|p| p.ends_with("mp4a")));
    assert_eq!(codecs_from_init_segment(&out).unwrap(), "avc1.64c01f");
}
