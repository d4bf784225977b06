//! Just enough MPEG-TS (ISO/IEC 13818-1) to turn an on-demand segment into a live one: find the
//! program and the video frames, declare a timed-metadata stream in the PMT, splice ID3 PES
//! packets in, and find where the segment can be cut into LL-HLS partial segments.
//!
//! The ID3 carriage follows Apple's "Timed Metadata for HTTP Live Streaming": a PMT entry of
//! `stream_type` 0x15 (metadata in PES) with a `metadata_descriptor` naming the `ID3 ` format,
//! a `metadata_pointer_descriptor` in the program loop, and PES packets on `private_stream_1`
//! whose PTS is when the tag applies.

use std::collections::HashMap;

use anyhow::{bail, ensure, Context, Result};

pub const PACKET_LEN: usize = 188;
const SYNC: u8 = 0x47;
const PID_PAT: u16 = 0;
const STREAM_TYPE_H264: u8 = 0x1B;
const STREAM_TYPE_METADATA: u8 = 0x15;
const STREAM_ID_PRIVATE_1: u8 = 0xBD;
const NAL_IDR: u8 = 5;
const ID3_FORMAT: [u8; 4] = *b"ID3 ";

/// One 188-byte packet's header fields.
struct Packet<'a> {
    pid: u16,
    unit_start: bool,
    payload: &'a [u8],
}

fn packet_at(ts: &[u8], index: usize) -> Result<Packet<'_>> {
    let p = ts
        .get(index * PACKET_LEN..(index + 1) * PACKET_LEN)
        .with_context(|| format!("packet {index} is past the end"))?;
    ensure!(p[0] == SYNC, "packet {index} has no sync byte");
    let pid = u16::from(p[1] & 0x1F) << 8 | u16::from(p[2]);
    let adaptation = p[3] >> 4 & 0b11;
    let payload_start = match adaptation {
        0b01 => 4,
        0b11 => 5 + usize::from(p[4]),
        // Adaptation field only, or reserved: no payload.
        _ => PACKET_LEN,
    };
    ensure!(
        payload_start <= PACKET_LEN,
        "packet {index}: adaptation field longer than the packet"
    );
    Ok(Packet {
        pid,
        unit_start: p[1] & 0x40 != 0,
        payload: &p[payload_start..],
    })
}

fn packet_count(ts: &[u8]) -> Result<usize> {
    ensure!(
        ts.len().is_multiple_of(PACKET_LEN),
        "{} bytes is not a whole number of TS packets",
        ts.len()
    );
    Ok(ts.len() / PACKET_LEN)
}

/// The single program of an HLS segment, as its PAT and PMT describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    pub pmt_pid: u16,
    pub program_number: u16,
    pub video_pid: u16,
    /// Every elementary stream PID, video included.
    pub es_pids: Vec<u16>,
}

impl Program {
    /// The first PID after the existing ones that is free for the metadata stream.
    pub fn free_pid(&self) -> u16 {
        let mut pid = self.video_pid.max(0x100);
        while self.es_pids.contains(&pid) || pid == self.pmt_pid {
            pid += 1;
        }
        pid
    }
}

/// The section carried by a PSI packet (pointer field skipped), up to its CRC inclusive.
fn section(payload: &[u8]) -> Option<&[u8]> {
    let pointer = usize::from(*payload.first()?);
    let s = payload.get(1 + pointer..)?;
    let length = usize::from(u16::from_be_bytes([*s.get(1)?, *s.get(2)?]) & 0x0FFF);
    s.get(..3 + length)
}

/// Reads the PAT and the PMT it points to.
pub fn program(ts: &[u8]) -> Result<Program> {
    let count = packet_count(ts)?;
    let mut pmt_pid = None;
    for index in 0..count {
        let packet = packet_at(ts, index)?;
        if !packet.unit_start {
            continue;
        }
        if packet.pid == PID_PAT && pmt_pid.is_none() {
            let s = section(packet.payload).context("truncated PAT")?;
            ensure!(crc32_mpeg2(s) == 0, "PAT CRC mismatch");
            let entries = &s[8..s.len() - 4];
            let (number, pid) = entries
                .chunks_exact(4)
                .map(|e| {
                    (
                        u16::from_be_bytes([e[0], e[1]]),
                        u16::from(e[2] & 0x1F) << 8 | u16::from(e[3]),
                    )
                })
                .find(|&(number, _)| number != 0)
                .context("the PAT lists no program")?;
            pmt_pid = Some((pid, number));
        } else if let Some((pid, number)) = pmt_pid.filter(|&(pid, _)| pid == packet.pid) {
            let s = section(packet.payload).context("truncated PMT")?;
            ensure!(crc32_mpeg2(s) == 0, "PMT CRC mismatch");
            let streams = pmt_streams(s)?;
            let video_pid = streams
                .iter()
                .find(|&&(stream_type, _)| stream_type == STREAM_TYPE_H264)
                .map(|&(_, pid)| pid)
                .context("the PMT has no H.264 stream")?;
            return Ok(Program {
                pmt_pid: pid,
                program_number: number,
                video_pid,
                es_pids: streams.iter().map(|&(_, pid)| pid).collect(),
            });
        }
    }
    bail!("no PAT and PMT found")
}

/// (stream_type, PID) of each elementary stream of a PMT section.
fn pmt_streams(s: &[u8]) -> Result<Vec<(u8, u16)>> {
    ensure!(s.len() >= 16 && s[0] == 0x02, "not a PMT section");
    let info_len = usize::from(u16::from_be_bytes([s[10], s[11]]) & 0x0FFF);
    let mut es = s
        .get(12 + info_len..s.len() - 4)
        .context("PMT program_info too long")?;
    let mut streams = Vec::new();
    while es.len() >= 5 {
        let pid = u16::from(es[1] & 0x1F) << 8 | u16::from(es[2]);
        streams.push((es[0], pid));
        let info = usize::from(u16::from_be_bytes([es[3], es[4]]) & 0x0FFF);
        es = es.get(5 + info..).unwrap_or(&[]);
    }
    Ok(streams)
}

/// `metadata_descriptor` / `metadata_pointer_descriptor` common head: application format
/// 0xFFFF + `ID3 `, metadata format 0xFF + `ID3 `, service id 0.
fn id3_format_fields() -> Vec<u8> {
    let mut fields = vec![0xFF, 0xFF];
    fields.extend(ID3_FORMAT);
    fields.push(0xFF);
    fields.extend(ID3_FORMAT);
    fields.push(0); // metadata_service_id
    fields
}

/// The PMT section with one more elementary stream: timed ID3 on `id3_pid`.
fn pmt_with_id3(s: &[u8], program_number: u16, id3_pid: u16) -> Result<Vec<u8>> {
    let info_len = usize::from(u16::from_be_bytes([s[10], s[11]]) & 0x0FFF);
    let program_info = s
        .get(12..12 + info_len)
        .context("PMT program_info too long")?;
    let es_loop = &s[12 + info_len..s.len() - 4];

    // metadata_pointer_descriptor (tag 37): no locator record, carried in this program.
    let mut pointer = id3_format_fields();
    pointer.push(0x1F); // metadata_locator_record_flag 0, MPEG_carriage_flags 0, reserved
    pointer.extend(program_number.to_be_bytes());
    // metadata_descriptor (tag 38): no decoder config, no DSM-CC.
    let mut descriptor = id3_format_fields();
    descriptor.push(0x0F);

    let new_info_len = info_len + 2 + pointer.len();
    let mut out = s[..10].to_vec();
    out.push(0xF0 | (new_info_len >> 8) as u8);
    out.push(new_info_len as u8);
    out.extend(program_info);
    out.extend([0x25, pointer.len() as u8]);
    out.extend(pointer);
    out.extend(es_loop);
    out.push(STREAM_TYPE_METADATA);
    out.extend((0xE000 | id3_pid).to_be_bytes());
    let es_info_len = 2 + descriptor.len();
    out.extend((0xF000 | es_info_len as u16).to_be_bytes());
    out.extend([0x26, descriptor.len() as u8]);
    out.extend(descriptor);
    // section_length counts from after the field to the end of the CRC.
    let section_length = out.len() - 3 + 4;
    ensure!(section_length <= 1021, "PMT section too long");
    out[1] = 0xB0 | (section_length >> 8) as u8;
    out[2] = section_length as u8;
    let crc = crc32_mpeg2(&out);
    out.extend(crc.to_be_bytes());
    Ok(out)
}

/// Rewrites every PMT packet of `ts` in place to declare the ID3 stream.
pub fn declare_id3_stream(ts: &mut [u8], program: &Program, id3_pid: u16) -> Result<()> {
    let count = packet_count(ts)?;
    for index in 0..count {
        let (payload_offset, new_section) = {
            let packet = packet_at(ts, index)?;
            if packet.pid != program.pmt_pid || !packet.unit_start {
                continue;
            }
            let s = section(packet.payload).context("truncated PMT")?;
            if pmt_streams(s)?.iter().any(|&(_, pid)| pid == id3_pid) {
                continue;
            }
            let offset = (index + 1) * PACKET_LEN - packet.payload.len();
            (offset, pmt_with_id3(s, program.program_number, id3_pid)?)
        };
        let payload = &mut ts[payload_offset..(index + 1) * PACKET_LEN];
        ensure!(
            new_section.len() < payload.len(),
            "packet {index}: the PMT with an ID3 stream does not fit in one packet"
        );
        payload[0] = 0; // pointer_field: the section follows at once
        payload[1..1 + new_section.len()].copy_from_slice(&new_section);
        payload[1 + new_section.len()..].fill(0xFF);
    }
    Ok(())
}

/// An ID3v2.4 tag with one UTF-8 `TXXX` frame.
pub fn id3_txxx(description: &str, value: &str) -> Vec<u8> {
    let mut body = vec![3]; // text encoding: UTF-8
    body.extend(description.as_bytes());
    body.push(0);
    body.extend(value.as_bytes());
    let mut frame = b"TXXX".to_vec();
    frame.extend(syncsafe(body.len()));
    frame.extend([0, 0]); // frame flags
    frame.extend(body);
    let mut tag = b"ID3\x04\x00\x00".to_vec(); // version 2.4.0, no flags
    tag.extend(syncsafe(frame.len()));
    tag.extend(frame);
    tag
}

fn syncsafe(n: usize) -> [u8; 4] {
    [21, 14, 7, 0].map(|shift| (n >> shift) as u8 & 0x7F)
}

/// A bounded PES packet on `private_stream_1` carrying `payload` at `pts` (90 kHz), with
/// data_alignment_indicator set: each PES holds whole ID3 tags.
pub fn metadata_pes(pts: u64, payload: &[u8]) -> Vec<u8> {
    let length = 3 + 5 + payload.len();
    let mut pes = vec![0, 0, 1, STREAM_ID_PRIVATE_1];
    pes.extend((length as u16).to_be_bytes());
    pes.extend([0x84, 0x80, 5]); // '10' marker + data_alignment; PTS only; 5 header bytes
    pes.extend([
        0x21 | ((pts >> 30) as u8 & 0x07) << 1,
        (pts >> 22) as u8,
        ((pts >> 15) as u8) << 1 | 1,
        (pts >> 7) as u8,
        (pts as u8) << 1 | 1,
    ]);
    pes.extend(payload);
    pes
}

/// Splits a PES packet into TS packets on `pid`, continuity counter from `*cc`; the last one
/// is padded with adaptation-field stuffing.
pub fn packetize(pid: u16, pes: &[u8], cc: &mut u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(pes.len().div_ceil(184) * PACKET_LEN);
    for (i, chunk) in pes.chunks(184).enumerate() {
        let start = out.len();
        out.extend([SYNC, (u8::from(i == 0) << 6) | (pid >> 8) as u8, pid as u8]);
        let stuffing = 184 - chunk.len();
        if stuffing == 0 {
            out.push(0x10 | *cc);
        } else {
            out.push(0x30 | *cc);
            out.push((stuffing - 1) as u8);
            if stuffing > 1 {
                out.push(0); // no adaptation flags
                out.resize(out.len() + stuffing - 2, 0xFF);
            }
        }
        out.extend(chunk);
        debug_assert_eq!(out.len() - start, PACKET_LEN);
        *cc = (*cc + 1) & 0x0F;
    }
    out
}

/// One video access unit (one PES packet on the video PID).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    /// The packet where its PES starts.
    pub packet: usize,
    pub pts: Option<u64>,
    pub dts: Option<u64>,
    /// Holds an IDR slice.
    pub idr: bool,
    /// No PES of another stream is open at `packet`: the segment can be cut here without
    /// splitting any PES.
    pub clean_cut: bool,
}

/// Every video frame of a segment, in decode order.
pub fn video_frames(ts: &[u8], program: &Program) -> Result<Vec<Frame>> {
    let count = packet_count(ts)?;
    let mut frames: Vec<Frame> = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    // Bytes still expected of the open PES of each other elementary stream (None: unbounded).
    let mut open: HashMap<u16, Option<usize>> = HashMap::new();
    let finish = |frames: &mut Vec<Frame>, pes: &[u8]| {
        if let Some(frame) = frames.last_mut() {
            let (pts, dts, payload) = pes_fields(pes);
            frame.pts = pts;
            frame.dts = dts.or(pts);
            frame.idr = payload.is_some_and(has_idr);
        }
    };
    for index in 0..count {
        let packet = packet_at(ts, index)?;
        if packet.pid == program.video_pid {
            if packet.unit_start {
                finish(&mut frames, &current);
                current.clear();
                let clean_cut = open.values().all(|remaining| *remaining == Some(0));
                frames.push(Frame {
                    packet: index,
                    pts: None,
                    dts: None,
                    idr: false,
                    clean_cut,
                });
            }
            if !frames.is_empty() {
                current.extend(packet.payload);
            }
        } else if program.es_pids.contains(&packet.pid) || open.contains_key(&packet.pid) {
            let remaining = open.entry(packet.pid).or_insert(Some(0));
            if packet.unit_start {
                let p = packet.payload;
                *remaining = if p.len() >= 6 && p[..3] == [0, 0, 1] {
                    match usize::from(u16::from_be_bytes([p[4], p[5]])) {
                        0 => None,
                        length => Some((6 + length).saturating_sub(p.len())),
                    }
                } else {
                    None
                };
            } else if let Some(bytes) = remaining {
                *bytes = bytes.saturating_sub(packet.payload.len());
            }
        } else if packet.unit_start && packet.pid != PID_PAT && packet.pid != program.pmt_pid {
            // A PES on a PID the PMT does not list (such as metadata spliced in): track it
            // from its first packet on.
            let p = packet.payload;
            if p.len() >= 6 && p[..3] == [0, 0, 1] {
                let length = usize::from(u16::from_be_bytes([p[4], p[5]]));
                let remaining = (length > 0).then(|| (6 + length).saturating_sub(p.len()));
                open.insert(packet.pid, remaining);
            }
        }
    }
    finish(&mut frames, &current);
    Ok(frames)
}

/// (PTS, DTS, payload) of a PES packet; `None`s where the header is malformed.
fn pes_fields(pes: &[u8]) -> (Option<u64>, Option<u64>, Option<&[u8]>) {
    if pes.len() < 9 || pes[..3] != [0, 0, 1] {
        return (None, None, None);
    }
    let flags = pes[7] >> 6;
    let header_len = usize::from(pes[8]);
    let pts = (flags & 0b10 != 0)
        .then(|| pes.get(9..14).map(timestamp))
        .flatten();
    let dts = (flags == 0b11)
        .then(|| pes.get(14..19).map(timestamp))
        .flatten();
    (pts, dts, pes.get(9 + header_len..))
}

fn timestamp(b: &[u8]) -> u64 {
    (u64::from(b[0] >> 1) & 0x07) << 30
        | u64::from(b[1]) << 22
        | u64::from(b[2] >> 1) << 15
        | u64::from(b[3]) << 7
        | u64::from(b[4] >> 1)
}

/// Whether an Annex B byte stream holds an IDR slice NAL unit.
fn has_idr(annex_b: &[u8]) -> bool {
    annex_b
        .windows(4)
        .any(|w| w[..3] == [0, 0, 1] && w[3] & 0x1F == NAL_IDR)
}

/// Inserts whole TS packets after packet `after` (the packets keep their order).
pub fn insert_packets(ts: &[u8], after: usize, packets: &[u8]) -> Vec<u8> {
    let at = (after + 1) * PACKET_LEN;
    let mut out = Vec::with_capacity(ts.len() + packets.len());
    out.extend(&ts[..at]);
    out.extend(packets);
    out.extend(&ts[at..]);
    out
}

/// CRC-32/MPEG-2 (polynomial 0x04C11DB7, not reflected): zero over a section with its CRC.
pub fn crc32_mpeg2(data: &[u8]) -> u32 {
    data.iter().fold(0xFFFF_FFFF, |crc, &byte| {
        (0..8).fold(crc ^ u32::from(byte) << 24, |crc, _| {
            if crc & 0x8000_0000 != 0 {
                crc << 1 ^ 0x04C1_1DB7
            } else {
                crc << 1
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use player_core::media::{parse_id3, Id3Frame};

    #[test]
    fn crc_of_a_known_pat_section_checks_out() {
        // ffmpeg's PAT for program 1 on PMT PID 0x1000.
        let pat = [
            0x00, 0xB0, 0x0D, 0x00, 0x01, 0xC1, 0x00, 0x00, 0x00, 0x01, 0xF0, 0x00, 0x2A, 0xB1,
            0x04, 0xB2,
        ];
        assert_eq!(crc32_mpeg2(&pat), 0);
        assert_eq!(crc32_mpeg2(&pat[..12]), 0x2AB1_04B2);
    }

    #[test]
    fn id3_tag_parses_back_with_the_engine() {
        let tag = id3_txxx("shoppable", r#"{"product":"tote"}"#);
        assert_eq!(
            parse_id3(&tag).unwrap(),
            [Id3Frame::Txxx {
                description: "shoppable".into(),
                value: r#"{"product":"tote"}"#.into()
            }]
        );
    }

    #[test]
    fn pes_timestamp_round_trips_33_bits() {
        let pts = (1u64 << 33) - 12_345;
        let pes = metadata_pes(pts, b"xyz");
        let (read, dts, payload) = pes_fields(&pes);
        assert_eq!((read, dts, payload), (Some(pts), None, Some(&b"xyz"[..])));
        assert_eq!(
            usize::from(u16::from_be_bytes([pes[4], pes[5]])),
            pes.len() - 6
        );
    }

    #[test]
    fn packetize_pads_and_counts() {
        let mut cc = 15;
        let ts = packetize(0x102, &[7u8; 200], &mut cc);
        assert_eq!(ts.len(), 2 * PACKET_LEN);
        assert_eq!(cc, 1);
        let first = packet_at(&ts, 0).unwrap();
        let second = packet_at(&ts, 1).unwrap();
        assert!(first.unit_start && !second.unit_start);
        assert_eq!((first.pid, first.payload.len()), (0x102, 184));
        assert_eq!(second.payload, &[7u8; 16][..]);
        assert_eq!(ts[3] & 0x0F, 15);
        assert_eq!(ts[PACKET_LEN + 3] & 0x0F, 0);
    }

    /// A PAT + PMT (video 0x100, audio 0x101) pair as ffmpeg writes them.
    fn psi_packets() -> Vec<u8> {
        let mut pat = vec![
            0x00, 0xB0, 0x0D, 0x00, 0x01, 0xC1, 0x00, 0x00, 0x00, 0x01, 0xF0, 0x00,
        ];
        pat.extend(crc32_mpeg2(&pat).to_be_bytes());
        let mut pmt = vec![
            0x02, 0xB0, 0x17, 0x00, 0x01, 0xC1, 0x00, 0x00, 0xE1, 0x00, 0xF0, 0x00, 0x1B, 0xE1,
            0x00, 0xF0, 0x00, 0x0F, 0xE1, 0x01, 0xF0, 0x00,
        ];
        pmt.extend(crc32_mpeg2(&pmt).to_be_bytes());
        let mut out = Vec::new();
        for (pid, section) in [(0u16, pat), (0x1000, pmt)] {
            let mut payload = vec![0];
            payload.extend(section);
            payload.resize(184, 0xFF);
            out.extend([SYNC, 0x40 | (pid >> 8) as u8, pid as u8, 0x10]);
            out.extend(payload);
        }
        out
    }

    #[test]
    fn the_pmt_gains_an_id3_stream_with_its_descriptors() {
        let mut ts = psi_packets();
        let program = program(&ts).unwrap();
        assert_eq!(
            program,
            Program {
                pmt_pid: 0x1000,
                program_number: 1,
                video_pid: 0x100,
                es_pids: vec![0x100, 0x101]
            }
        );
        assert_eq!(program.free_pid(), 0x102);
        declare_id3_stream(&mut ts, &program, 0x102).unwrap();
        let pmt = packet_at(&ts, 1).unwrap();
        let s = section(pmt.payload).unwrap();
        assert_eq!(crc32_mpeg2(s), 0);
        assert_eq!(
            pmt_streams(s).unwrap(),
            [(0x1B, 0x100), (0x0F, 0x101), (0x15, 0x102)]
        );
        // The program loop now holds the metadata_pointer_descriptor.
        assert_eq!(&s[10..14], &[0xF0, 17, 0x25, 15]);
        assert!(s.windows(4).filter(|w| *w == b"ID3 ").count() == 4);
        // Declaring twice changes nothing.
        let before = ts.clone();
        declare_id3_stream(&mut ts, &program, 0x102).unwrap();
        assert_eq!(ts, before);
    }

    #[test]
    fn frames_know_their_timestamps_keyframes_and_clean_cuts() {
        let program = Program {
            pmt_pid: 0x1000,
            program_number: 1,
            video_pid: 0x100,
            es_pids: vec![0x100, 0x101],
        };
        let video = |pts: u64, idr: bool| {
            let mut pes = metadata_pes(pts, &[0, 0, 0, 1, 0x09, 0xF0]);
            pes[3] = 0xE0;
            pes.extend([0, 0, 1, if idr { 0x65 } else { 0x41 }]);
            pes.extend([0x55; 300]);
            pes
        };
        let (mut vcc, mut acc) = (0, 0);
        let mut ts = psi_packets();
        ts.extend(packetize(0x100, &video(9000, true), &mut vcc));
        let audio = metadata_pes(9000, &[0x11; 250]);
        let audio_packets = packetize(0x101, &audio, &mut acc);
        // The audio PES is interrupted by the next frame's start: no clean cut there.
        ts.extend(&audio_packets[..PACKET_LEN]);
        ts.extend(packetize(0x100, &video(12000, false), &mut vcc));
        ts.extend(&audio_packets[PACKET_LEN..]);
        ts.extend(packetize(0x100, &video(15000, false), &mut vcc));
        let frames = video_frames(&ts, &program).unwrap();
        let summary: Vec<_> = frames.iter().map(|f| (f.pts, f.idr, f.clean_cut)).collect();
        assert_eq!(
            summary,
            [
                (Some(9000), true, true),
                (Some(12000), false, false),
                (Some(15000), false, true)
            ]
        );
    }
}
