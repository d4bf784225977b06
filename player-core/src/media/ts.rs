//! MPEG-TS demultiplexing (ISO/IEC 13818-1): 188-byte packets, the PAT/PMT program tables and
//! PES reassembly. Complete PES packets are handed to a [`PesSink`]; what they carry is the
//! business of the elementary-stream parsers.

use super::error::TransmuxError;

pub(crate) const PACKET_LEN: usize = 188;
const SYNC: u8 = 0x47;
const PID_PAT: u16 = 0;
const PID_NULL: u16 = 0x1FFF;

/// PMT stream types this transmuxer understands.
pub(crate) const STREAM_TYPE_AAC_ADTS: u8 = 0x0F;
pub(crate) const STREAM_TYPE_H264: u8 = 0x1B;
pub(crate) const STREAM_TYPE_METADATA: u8 = 0x15;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StreamKind {
    Video,
    Audio,
    Id3,
}

/// One reassembled PES packet. Timestamps are the raw 33-bit 90 kHz values.
pub(crate) struct Pes<'a> {
    pub pid: u16,
    /// Index of the TS packet where this PES started.
    pub packet: usize,
    pub pts: Option<u64>,
    pub dts: Option<u64>,
    pub payload: &'a [u8],
}

/// Receives what the demuxer finds.
pub(crate) trait PesSink {
    fn pes(&mut self, kind: StreamKind, pes: Pes<'_>);
    fn warn(&mut self, warning: TransmuxError);
}

struct PesAssembler {
    pid: u16,
    kind: StreamKind,
    buf: Vec<u8>,
    start_packet: usize,
    /// Total PES length from PES_packet_length, or 0 when unbounded (video).
    expected: usize,
    cc: Option<u8>,
}

impl PesAssembler {
    fn new(pid: u16, kind: StreamKind) -> Self {
        Self {
            pid,
            kind,
            buf: Vec::new(),
            start_packet: 0,
            expected: 0,
            cc: None,
        }
    }

    fn flush(&mut self, sink: &mut impl PesSink) {
        if self.buf.is_empty() {
            return;
        }
        match parse_pes(&self.buf) {
            Some((pts, dts, range)) => sink.pes(
                self.kind,
                Pes {
                    pid: self.pid,
                    packet: self.start_packet,
                    pts,
                    dts,
                    payload: &self.buf[range],
                },
            ),
            None => sink.warn(TransmuxError::BadPes {
                pid: self.pid,
                packet: self.start_packet,
            }),
        }
        self.buf.clear();
        self.expected = 0;
    }
}

/// Parses a PES header; returns (PTS, DTS, payload range).
fn parse_pes(buf: &[u8]) -> Option<(Option<u64>, Option<u64>, core::ops::Range<usize>)> {
    if buf.len() < 9 || buf[..3] != [0, 0, 1] || buf[6] & 0xC0 != 0x80 {
        return None;
    }
    let declared = usize::from(u16::from_be_bytes([buf[4], buf[5]]));
    let end = if declared == 0 {
        buf.len()
    } else {
        (6 + declared).min(buf.len())
    };
    let flags = buf[7] >> 6;
    let header_len = usize::from(buf[8]);
    let start = 9 + header_len;
    if start > end {
        return None;
    }
    let pts = if flags & 2 != 0 && header_len >= 5 {
        Some(read_timestamp(&buf[9..14]))
    } else {
        None
    };
    let dts = if flags == 3 && header_len >= 10 {
        Some(read_timestamp(&buf[14..19]))
    } else {
        pts
    };
    Some((pts, dts, start..end))
}

/// A 33-bit PTS/DTS spread over 5 bytes with marker bits.
fn read_timestamp(b: &[u8]) -> u64 {
    (u64::from(b[0] >> 1) & 7) << 30
        | u64::from(b[1]) << 22
        | u64::from(b[2] >> 1) << 15
        | u64::from(b[3]) << 7
        | u64::from(b[4] >> 1)
}

/// The elementary streams of the program, as found in the PMT.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ProgramMap {
    pub video: Option<u16>,
    pub audio: Option<u16>,
    pub id3: Option<u16>,
    /// Stream types present but not handled (for the error message).
    pub other_types: Vec<u8>,
}

/// Demuxer state. The program map survives across segments (a few streams only send PAT/PMT
/// in the first one); PES and continuity state are per segment.
#[derive(Default)]
pub(crate) struct TsDemuxer {
    pmt_pid: Option<u16>,
    program: Option<ProgramMap>,
    streams: Vec<PesAssembler>,
    section: Vec<u8>,
    section_pid: u16,
    section_packet: usize,
}

impl TsDemuxer {
    pub(crate) fn program(&self) -> Option<&ProgramMap> {
        self.program.as_ref()
    }

    /// Demuxes one whole segment, flushing every PES at its end.
    pub(crate) fn demux(
        &mut self,
        ts: &[u8],
        sink: &mut impl PesSink,
    ) -> Result<(), TransmuxError> {
        let mut pos = find_sync(ts, 0).ok_or(TransmuxError::NoSync { len: ts.len() })?;
        for s in &mut self.streams {
            s.buf.clear();
            s.cc = None;
        }
        self.section.clear();
        let mut index = 0;
        while pos + PACKET_LEN <= ts.len() {
            if ts[pos] != SYNC {
                sink.warn(TransmuxError::LostSync { offset: pos });
                match find_sync(ts, pos + 1) {
                    Some(p) => pos = p,
                    None => break,
                }
                continue;
            }
            self.packet(&ts[pos..pos + PACKET_LEN], index, sink);
            pos += PACKET_LEN;
            index += 1;
        }
        for s in &mut self.streams {
            s.flush(sink);
        }
        Ok(())
    }

    fn packet(&mut self, pkt: &[u8], index: usize, sink: &mut impl PesSink) {
        let pid = u16::from(pkt[1] & 0x1F) << 8 | u16::from(pkt[2]);
        if pkt[1] & 0x80 != 0 {
            sink.warn(TransmuxError::TransportError { packet: index, pid });
            return;
        }
        let unit_start = pkt[1] & 0x40 != 0;
        let control = pkt[3] >> 4 & 3;
        let cc = pkt[3] & 0xF;
        let mut start = 4;
        let mut discontinuity = false;
        if control & 2 != 0 {
            let len = pkt[4];
            if usize::from(len) > PACKET_LEN - 5 {
                sink.warn(TransmuxError::BadAdaptationField {
                    packet: index,
                    pid,
                    len,
                });
                return;
            }
            discontinuity = len > 0 && pkt[5] & 0x80 != 0;
            start = 5 + usize::from(len);
        }
        if control & 1 == 0 || pid == PID_NULL {
            return;
        }
        let payload = &pkt[start..];
        if pid == PID_PAT || Some(pid) == self.pmt_pid {
            self.psi(pid, unit_start, payload, index, sink);
            return;
        }
        let Some(s) = self.streams.iter_mut().find(|s| s.pid == pid) else {
            return;
        };
        if let Some(prev) = s.cc {
            let expected = (prev + 1) & 0xF;
            if cc == prev && !discontinuity {
                return; // a duplicate packet (13818-1 §2.4.3.3): same content, send once
            }
            if cc != expected && !discontinuity {
                sink.warn(TransmuxError::Continuity {
                    pid,
                    packet: index,
                    expected,
                    got: cc,
                });
            }
        }
        s.cc = Some(cc);
        if unit_start {
            s.flush(sink);
            s.start_packet = index;
            s.buf.extend_from_slice(payload);
            if s.buf.len() >= 6 {
                let declared = usize::from(u16::from_be_bytes([s.buf[4], s.buf[5]]));
                s.expected = if declared == 0 { 0 } else { 6 + declared };
            }
        } else if !s.buf.is_empty() {
            // Without its start the PES cannot be timed: data before the first unit start of
            // a segment belongs to the previous segment and is dropped.
            s.buf.extend_from_slice(payload);
        }
        if s.expected != 0 && s.buf.len() >= s.expected {
            s.flush(sink);
        }
    }

    /// Reassembles PAT/PMT sections, which may span packets.
    fn psi(
        &mut self,
        pid: u16,
        unit_start: bool,
        payload: &[u8],
        index: usize,
        sink: &mut impl PesSink,
    ) {
        let mut section = core::mem::take(&mut self.section);
        if unit_start {
            let Some((&pointer, rest)) = payload.split_first() else {
                return;
            };
            let pointer = usize::from(pointer);
            if pointer > rest.len() {
                sink.warn(TransmuxError::BadSection {
                    pid,
                    packet: index,
                    reason: "pointer_field past the packet",
                });
                return;
            }
            if self.section_pid == pid && !section.is_empty() {
                section.extend_from_slice(&rest[..pointer]);
                self.try_sections(&mut section, sink);
            }
            section.clear();
            section.extend_from_slice(&rest[pointer..]);
            self.section_pid = pid;
            self.section_packet = index;
        } else if self.section_pid == pid && !section.is_empty() {
            section.extend_from_slice(payload);
        } else {
            self.section = section;
            return;
        }
        self.try_sections(&mut section, sink);
        self.section = section;
    }

    /// Parses every complete section at the front of `buf`, leaving an incomplete one.
    fn try_sections(&mut self, buf: &mut Vec<u8>, sink: &mut impl PesSink) {
        let mut at = 0;
        while buf.len() >= at + 3 && buf[at] != 0xFF {
            let len = 3 + usize::from(u16::from_be_bytes([buf[at + 1], buf[at + 2]]) & 0x0FFF);
            if buf.len() < at + len {
                buf.drain(..at);
                return;
            }
            let (pid, packet) = (self.section_pid, self.section_packet);
            if let Err(reason) = self.section(&buf[at..at + len]) {
                sink.warn(TransmuxError::BadSection {
                    pid,
                    packet,
                    reason,
                });
            }
            at += len;
        }
        buf.clear();
    }

    fn section(&mut self, s: &[u8]) -> Result<(), &'static str> {
        if s.len() < 12 {
            return Err("section too short");
        }
        if crc32_mpeg2(s) != 0 {
            return Err("CRC mismatch");
        }
        let body = &s[8..s.len() - 4];
        match s[0] {
            0x00 => {
                // PAT: the first program that is not the network PID.
                let pmt = body
                    .chunks_exact(4)
                    .find(|e| e[0] != 0 || e[1] != 0)
                    .map(|e| u16::from(e[2] & 0x1F) << 8 | u16::from(e[3]))
                    .ok_or("PAT lists no program")?;
                self.pmt_pid = Some(pmt);
                Ok(())
            }
            0x02 => {
                if body.len() < 4 {
                    return Err("PMT too short");
                }
                let info_len = usize::from(u16::from_be_bytes([body[2], body[3]]) & 0x0FFF);
                let mut es = body
                    .get(4 + info_len..)
                    .ok_or("program_info_length too long")?;
                let mut map = ProgramMap::default();
                while es.len() >= 5 {
                    let stream_type = es[0];
                    let pid = u16::from(es[1] & 0x1F) << 8 | u16::from(es[2]);
                    let info = usize::from(u16::from_be_bytes([es[3], es[4]]) & 0x0FFF);
                    let slot = match stream_type {
                        STREAM_TYPE_H264 => &mut map.video,
                        STREAM_TYPE_AAC_ADTS => &mut map.audio,
                        STREAM_TYPE_METADATA => &mut map.id3,
                        t => {
                            map.other_types.push(t);
                            es = es.get(5 + info..).unwrap_or(&[]);
                            continue;
                        }
                    };
                    if slot.is_none() {
                        *slot = Some(pid);
                    }
                    es = es.get(5 + info..).unwrap_or(&[]);
                }
                self.set_program(map);
                Ok(())
            }
            _ => Ok(()), // other tables on these PIDs are not ours
        }
    }

    fn set_program(&mut self, map: ProgramMap) {
        if self.program.as_ref() == Some(&map) {
            return;
        }
        let wanted = [
            (map.video, StreamKind::Video),
            (map.audio, StreamKind::Audio),
            (map.id3, StreamKind::Id3),
        ];
        self.streams
            .retain(|s| wanted.iter().any(|&(p, k)| p == Some(s.pid) && k == s.kind));
        for (pid, kind) in wanted {
            if let Some(pid) = pid {
                if !self.streams.iter().any(|s| s.pid == pid) {
                    self.streams.push(PesAssembler::new(pid, kind));
                }
            }
        }
        self.program = Some(map);
    }
}

/// The first offset at or after `from` where 0x47 starts a run of packets (two in a row when
/// the data is long enough to tell).
fn find_sync(ts: &[u8], from: usize) -> Option<usize> {
    (from..ts.len()).find(|&p| {
        ts[p] == SYNC
            && (p + PACKET_LEN >= ts.len() || ts[p + PACKET_LEN] == SYNC)
            && p + PACKET_LEN <= ts.len()
    })
}

/// CRC-32/MPEG-2 (polynomial 0x04C11DB7, no reflection). Over a whole section including its
/// CRC field the result is 0. Sections are tiny, so the table-less form costs nothing.
pub(crate) fn crc32_mpeg2(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 {
                crc << 1 ^ 0x04C1_1DB7
            } else {
                crc << 1
            };
        }
    }
    crc
}

#[cfg(test)]
#[path = "ts_tests.rs"]
mod tests;
