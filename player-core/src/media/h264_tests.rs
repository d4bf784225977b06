use super::*;
use crate::media::test_stream::{access_unit, escape, sps, BitWriter, PPS};

#[test]
fn sps_dimensions_profile_level_and_codec_string() {
    let info = parse_sps(&sps(66, 30, 320, 240)).unwrap();
    assert_eq!((info.width, info.height), (320, 240));
    assert_eq!(
        (info.profile_idc, info.constraint_flags, info.level_idc),
        (66, 0xC0, 30)
    );
    let mut s = String::new();
    info.push_codec_string(&mut s);
    assert_eq!(s, "avc1.42c01e");
}

#[test]
fn sps_cropping_and_high_profile_fields() {
    // 1920x1080 is coded as 1920x1088 and cropped by 8 lines (4 crop units in 4:2:0).
    let info = parse_sps(&sps(100, 40, 1920, 1080)).unwrap();
    assert_eq!((info.width, info.height), (1920, 1080));
    assert_eq!((info.chroma_format_idc, info.bit_depth_luma), (1, 8));
    let info = parse_sps(&sps(100, 31, 854, 480)).unwrap();
    assert_eq!((info.width, info.height), (854, 480));
}

/// An SPS with interlaced coding, scaling lists, POC type 1 and a VUI with SAR and timing.
fn rich_sps() -> Vec<u8> {
    let mut w = BitWriter::default();
    w.bits(8, 100).bits(8, 0).bits(8, 40).ue(0);
    w.ue(1).ue(0).ue(0).bits(1, 0);
    w.bits(1, 1); // seq_scaling_matrix_present_flag
    for i in 0..8 {
        if i == 0 {
            w.bits(1, 1);
            for _ in 0..16 {
                w.se(1);
            }
        } else {
            w.bits(1, 0);
        }
    }
    w.ue(0).ue(1).bits(1, 0).se(-1).se(2).ue(2).se(3).se(-4);
    w.ue(4).bits(1, 0).ue(44).ue(17); // 720 wide, 18 map units
    w.bits(1, 0).bits(1, 0).bits(1, 1); // field coding, mb_adaptive, direct_8x8
    w.bits(1, 0); // no cropping
    w.bits(1, 1); // VUI
    w.bits(1, 1).bits(8, 255).bits(16, 40).bits(16, 33); // SAR 40:33
    w.bits(1, 0).bits(1, 0).bits(1, 0);
    w.bits(1, 1).bits(32, 1001).bits(32, 60_000).bits(1, 1); // 29.97 fps
    w.bits(1, 0).bits(1, 0).bits(1, 0).trailing();
    let mut nal = vec![0x67];
    nal.extend(escape(&w.bytes));
    nal
}

#[test]
fn sps_interlaced_scaling_lists_poc1_and_vui() {
    let info = parse_sps(&rich_sps()).unwrap();
    assert_eq!((info.width, info.height), (720, 576));
    assert_eq!(info.sar, (40, 33));
    assert_eq!(info.frame_duration, Some(3003));
}

#[test]
fn sps_errors_do_not_panic() {
    let good = rich_sps();
    for cut in 0..good.len() {
        let _ = parse_sps(&good[..cut]);
    }
    assert_eq!(parse_sps(&[0x68, 1, 2, 3]), Err(SpsError::NotSps));
    assert!(matches!(
        parse_sps(&[0x67, 66, 0, 30]),
        Err(SpsError::Bits(_))
    ));
    // seq_parameter_set_id 40
    let mut w = BitWriter::default();
    w.bits(24, 0x42_00_1e).ue(40).trailing();
    let mut nal = vec![0x67];
    nal.extend(w.bytes.clone());
    assert_eq!(
        parse_sps(&nal),
        Err(SpsError::OutOfRange {
            field: "seq_parameter_set_id",
            value: 40
        })
    );
}

#[test]
fn start_codes_are_found() {
    let d = [9, 0, 0, 1, 5, 0, 0, 0, 1, 7, 0, 0, 2, 0, 0, 1];
    assert_eq!(find_start_code(&d, 0), Some(1));
    assert_eq!(find_start_code(&d, 2), Some(6));
    assert_eq!(find_start_code(&d, 7), Some(13));
    assert_eq!(find_start_code(&d, 14), None);
    assert_eq!(find_start_code(&[0, 0], 0), None);
    assert_eq!(find_start_code(&[], 0), None);
}

fn nal_types(sample: &[u8]) -> Vec<u8> {
    let mut types = Vec::new();
    let mut at = 0;
    while at + 4 <= sample.len() {
        let len = u32::from_be_bytes([sample[at], sample[at + 1], sample[at + 2], sample[at + 3]])
            as usize;
        types.push(sample[at + 4] & 0x1F);
        at += 4 + len;
    }
    assert_eq!(at, sample.len(), "length prefixes cover the sample exactly");
    types
}

#[test]
fn annex_b_becomes_length_prefixed_without_aud() {
    let mut b = VideoTrackBuilder::default();
    b.push_pes(Some(3000), Some(0), &access_unit(true, 50, 1), 0);
    b.push_pes(Some(6000), Some(3000), &access_unit(false, 40, 2), 5);
    b.finish();
    assert_eq!(b.samples.len(), 2);
    assert_eq!(
        b.samples[0],
        VideoSample {
            pts: 3000,
            dts: 0,
            size: b.samples[0].size,
            key: true
        }
    );
    assert!(!b.samples[1].key);
    let first = &b.data[..b.samples[0].size as usize];
    assert_eq!(nal_types(first), [7, 8, 5]);
    assert_eq!(nal_types(&b.data[first.len()..]), [1]);
    // Slice bodies are intact: 1 header byte + 50.
    assert_eq!(b.samples[1].size, 4 + 41);
    let config = video_config(&b).unwrap().unwrap();
    assert_eq!(config.pps, PPS);
    assert_eq!((config.info.width, config.info.height), (320, 240));
}

#[test]
fn nal_unit_cut_by_a_pes_boundary_continues() {
    let au = access_unit(true, 500, 3);
    let mut b = VideoTrackBuilder::default();
    b.push_pes(Some(0), None, &au[..300], 0);
    b.push_pes(None, None, &au[300..], 2);
    b.push_pes(Some(3000), None, &access_unit(false, 10, 0), 4);
    b.finish();
    assert_eq!(b.samples.len(), 2);
    let first = &b.data[..b.samples[0].size as usize];
    assert_eq!(nal_types(first), [7, 8, 5]);
    // The AUD (6 bytes with its start code) is gone; the slice's 3-byte start code became a
    // 4-byte length.
    assert_eq!(first.len(), au.len() - 6 + 1);
}

#[test]
fn data_without_a_timestamp_is_ignored() {
    let mut b = VideoTrackBuilder::default();
    b.push_pes(None, None, &access_unit(true, 50, 1), 0);
    b.finish();
    assert!(b.samples.is_empty());
    assert!(b.data.is_empty());
}
