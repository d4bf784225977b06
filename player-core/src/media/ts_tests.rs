use super::*;
use crate::media::test_stream::*;

/// (kind, PID, first packet, PTS, DTS, payload)
type Delivered = (StreamKind, u16, usize, Option<u64>, Option<u64>, Vec<u8>);

#[derive(Default)]
struct Collect {
    pes: Vec<Delivered>,
    warnings: Vec<TransmuxError>,
}

impl PesSink for Collect {
    fn pes(&mut self, kind: StreamKind, p: Pes<'_>) {
        self.pes
            .push((kind, p.pid, p.packet, p.pts, p.dts, p.payload.to_vec()));
    }
    fn warn(&mut self, w: TransmuxError) {
        self.warnings.push(w);
    }
}

fn run(ts: &[u8]) -> (TsDemuxer, Collect) {
    let mut d = TsDemuxer::default();
    let mut c = Collect::default();
    d.demux(ts, &mut c).unwrap();
    (d, c)
}

fn header() -> Vec<u8> {
    let mut ts = pat_packet();
    ts.extend(pmt_packet(&[
        (0x1B, VIDEO_PID),
        (0x0F, AUDIO_PID),
        (0x15, ID3_PID),
        (0x81, 0x103),
    ]));
    ts
}

#[test]
fn crc32_mpeg2_check_value() {
    // The CRC-32/MPEG-2 catalogue check value.
    assert_eq!(crc32_mpeg2(b"123456789"), 0x0376_E6E7);
}

#[test]
fn timestamps_use_all_33_bits() {
    let p = pes(0xE0, Some((1 << 33) - 1), Some(0x1_2345_6789), b"x", false);
    let (pts, dts, range) = parse_pes(&p).unwrap();
    assert_eq!(pts, Some((1 << 33) - 1));
    assert_eq!(dts, Some(0x1_2345_6789));
    assert_eq!(&p[range], b"x");
}

#[test]
fn pat_and_pmt_give_the_program_map() {
    let (d, c) = run(&header());
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let p = d.program().unwrap();
    assert_eq!(
        (p.video, p.audio, p.id3),
        (Some(VIDEO_PID), Some(AUDIO_PID), Some(ID3_PID))
    );
    assert_eq!(p.other_types, [0x81]);
}

#[test]
fn corrupt_pmt_is_reported_with_its_location() {
    let mut ts = header();
    ts[188 + 20] ^= 0x55; // inside the PMT section: CRC no longer matches
    let (d, c) = run(&ts);
    assert!(d.program().is_none());
    assert_eq!(
        c.warnings,
        [TransmuxError::BadSection {
            pid: PMT_PID,
            packet: 1,
            reason: "CRC mismatch"
        }]
    );
}

#[test]
fn pmt_spanning_two_packets_is_reassembled() {
    // 40 streams × 5 bytes = 200 bytes: more than one packet.
    let mut streams: Vec<(u8, u16)> = (0..39).map(|i| (0x06, 0x200 + i)).collect();
    streams.push((0x1B, VIDEO_PID));
    // Pointer field + section, split over packets by hand.
    let long = {
        let mut body = vec![0xE1, 0x00, 0xF0, 0x00];
        for &(t, pid) in &streams {
            body.extend([t, 0xE0 | (pid >> 8) as u8, pid as u8, 0xF0, 0]);
        }
        let len = 5 + body.len() + 4;
        let mut s = vec![2, 0xB0 | (len >> 8) as u8, len as u8, 0, 1, 0xC1, 0, 0];
        s.extend(body);
        let crc = crc32_mpeg2(&s);
        s.extend(crc.to_be_bytes());
        let mut payload = vec![0];
        payload.extend(s);
        payload
    };
    let mut ts = pat_packet();
    for (i, chunk) in long.chunks(184).enumerate() {
        let mut chunk = chunk.to_vec();
        chunk.resize(184, 0xFF);
        ts.extend(packet(PMT_PID, i == 0, i as u8, &chunk));
    }
    let (d, c) = run(&ts);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    assert_eq!(d.program().unwrap().video, Some(VIDEO_PID));
    assert_eq!(d.program().unwrap().other_types.len(), 39);
}

#[test]
fn pes_is_reassembled_across_packets_and_adaptation_fields_skipped() {
    let payload: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
    let mut ts = header();
    let mut cc = 0;
    ts.extend(packetize(
        VIDEO_PID,
        &pes(0xE0, Some(9000), Some(6000), &payload, false),
        &mut cc,
    ));
    ts.extend(packetize(
        VIDEO_PID,
        &pes(0xE0, Some(12000), None, b"second", false),
        &mut cc,
    ));
    let (_, c) = run(&ts);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    assert_eq!(c.pes.len(), 2);
    assert_eq!(
        c.pes[0],
        (
            StreamKind::Video,
            VIDEO_PID,
            2,
            Some(9000),
            Some(6000),
            payload
        )
    );
    // Without a DTS, DTS = PTS.
    assert_eq!(c.pes[1].3, Some(12000));
    assert_eq!(c.pes[1].4, Some(12000));
    assert_eq!(c.pes[1].5, b"second");
}

#[test]
fn bounded_pes_is_delivered_when_complete_without_trailing_stuffing() {
    let mut ts = header();
    let mut cc = 0;
    let audio = pes(0xC0, Some(100), None, &[7; 300], true);
    ts.extend(packetize(AUDIO_PID, &audio, &mut cc));
    let (_, c) = run(&ts);
    assert_eq!(c.pes.len(), 1);
    assert_eq!(c.pes[0].5, vec![7; 300]);
}

#[test]
fn continuity_errors_are_tolerated_and_duplicates_dropped() {
    let payload: Vec<u8> = (0..600u32).map(|i| (i / 184) as u8).collect();
    let mut ts = header();
    let mut cc = 0;
    let packets = packetize(
        VIDEO_PID,
        &pes(0xE0, Some(0), None, &payload, false),
        &mut cc,
    );
    assert_eq!(packets.len(), 4 * 188);
    ts.extend_from_slice(&packets[..188]);
    ts.extend_from_slice(&packets[..188][..]); // duplicate: same CC, skipped silently
    ts.extend_from_slice(&packets[2 * 188..]); // packet 1 lost
    ts.extend(packetize(
        VIDEO_PID,
        &pes(0xE0, Some(3000), None, b"next", false),
        &mut cc,
    ));
    let (_, c) = run(&ts);
    assert_eq!(
        c.warnings,
        [TransmuxError::Continuity {
            pid: VIDEO_PID,
            packet: 4,
            expected: 1,
            got: 2
        }]
    );
    assert_eq!(c.pes.len(), 2, "both PES still delivered");
    assert_eq!(c.pes[0].5.len(), 600 - 184);
    assert_eq!(c.pes[1].5, b"next");
}

#[test]
fn payload_before_the_first_unit_start_is_dropped() {
    let mut ts = header();
    ts.extend(packet(VIDEO_PID, false, 3, &[1; 100]));
    let mut cc = 4;
    ts.extend(packetize(
        VIDEO_PID,
        &pes(0xE0, Some(0), None, b"ok", false),
        &mut cc,
    ));
    let (_, c) = run(&ts);
    assert_eq!(c.pes.len(), 1);
    assert_eq!(c.pes[0].5, b"ok");
}

#[test]
fn garbage_between_packets_resynchronises() {
    let mut ts = header();
    ts.extend([0x00, 0x47, 0x12]); // junk including a false sync byte
    let mut cc = 0;
    ts.extend(packetize(
        AUDIO_PID,
        &pes(0xC0, Some(5), None, b"abc", true),
        &mut cc,
    ));
    let (_, c) = run(&ts);
    assert_eq!(c.warnings, [TransmuxError::LostSync { offset: 376 }]);
    assert_eq!(c.pes.len(), 1);
}

#[test]
fn no_sync_is_an_error_and_truncation_is_not() {
    let mut d = TsDemuxer::default();
    let mut c = Collect::default();
    assert_eq!(
        d.demux(&[0u8; 400], &mut c),
        Err(TransmuxError::NoSync { len: 400 })
    );
    let mut ts = header();
    let mut cc = 0;
    ts.extend(packetize(
        AUDIO_PID,
        &pes(0xC0, Some(5), None, &[1; 400], true),
        &mut cc,
    ));
    ts.truncate(ts.len() - 50);
    let (_, c) = run(&ts);
    // The cut-off PES is still flushed (shorter) at the end of the segment.
    assert_eq!(c.pes.len(), 1);
    // 14 header bytes + 400 payload over 3 packets; the last one is cut and ignored.
    assert_eq!(c.pes[0].5.len(), 2 * 184 - 14);
}

#[test]
fn transport_errors_and_bad_adaptation_fields_are_skipped() {
    let mut ts = header();
    let mut bad = packet(VIDEO_PID, true, 0, b"zzz");
    bad[1] |= 0x80;
    ts.extend(bad);
    let mut bad = packet(VIDEO_PID, true, 0, b"zzz");
    bad[4] = 184;
    ts.extend(bad);
    let (_, c) = run(&ts);
    assert_eq!(
        c.warnings,
        [
            TransmuxError::TransportError {
                packet: 2,
                pid: VIDEO_PID
            },
            TransmuxError::BadAdaptationField {
                packet: 3,
                pid: VIDEO_PID,
                len: 184
            }
        ]
    );
    assert!(c.pes.is_empty());
}

#[test]
fn malformed_pes_header_is_reported() {
    let mut ts = header();
    ts.extend(packet(
        AUDIO_PID,
        true,
        0,
        &[0, 0, 2, 0xC0, 0, 0, 0x80, 0, 0],
    ));
    let (_, c) = run(&ts);
    assert_eq!(
        c.warnings,
        [TransmuxError::BadPes {
            pid: AUDIO_PID,
            packet: 2
        }]
    );
}
