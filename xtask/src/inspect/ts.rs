//! What an MPEG-TS file carries, read directly from its packets: programs (PAT/PMT), each PID's
//! stream type, and the PES packets' timestamps. Deliberately separate from the engine's
//! demuxer, whose results `inspect` prints next to these so the two can be compared.

use std::collections::BTreeMap;

use anyhow::{ensure, Result};
use serde_json::{json, Value};

const PACKET: usize = 188;
const SYNC: u8 = 0x47;
const PAT_PID: u16 = 0;

#[derive(Debug, Default)]
pub struct TsScan {
    pub packets: u64,
    pub programs: Vec<Program>,
    pub pids: BTreeMap<u16, PidStats>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    pub number: u16,
    pub pmt_pid: u16,
    pub pcr_pid: Option<u16>,
    /// `(elementary PID, stream_type)` in PMT order.
    pub streams: Vec<(u16, u8)>,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct PidStats {
    pub packets: u64,
    /// Packets with `payload_unit_start_indicator`: PES packets or PSI sections begun.
    pub unit_starts: u64,
    /// Continuity counter jumps (a lost or repeated packet).
    pub continuity_errors: u64,
    /// 90 kHz PTS of the first and last PES (in packet order) and the smallest and largest.
    pub first_pts: Option<u64>,
    pub last_pts: Option<u64>,
    pub min_pts: Option<u64>,
    pub max_pts: Option<u64>,
    last_counter: Option<u8>,
}

/// Scans every packet. Fails only when the data is not MPEG-TS at all.
pub fn scan(data: &[u8]) -> Result<TsScan> {
    ensure!(
        data.len() >= PACKET && data[0] == SYNC,
        "not MPEG-TS: no sync byte 0x47 at the start"
    );
    let mut scan = TsScan::default();
    let mut pmt_pids: BTreeMap<u16, u16> = BTreeMap::new();
    for packet in data.chunks_exact(PACKET) {
        if packet[0] != SYNC {
            continue;
        }
        scan.packets += 1;
        let pid = u16::from_be_bytes([packet[1] & 0x1f, packet[2]]);
        let unit_start = packet[1] & 0x40 != 0;
        let adaptation = (packet[3] >> 4) & 0x3;
        let counter = packet[3] & 0x0f;
        let stats = scan.pids.entry(pid).or_default();
        stats.packets += 1;
        if adaptation & 1 != 0 {
            if let Some(last) = stats.last_counter {
                // A repeated counter is allowed once (duplicate packet); anything else is a loss.
                if counter != (last + 1) & 0x0f && counter != last {
                    stats.continuity_errors += 1;
                }
            }
            stats.last_counter = Some(counter);
        }
        let payload_start = match adaptation {
            1 => 4,
            3 => 5 + usize::from(packet[4]),
            _ => continue,
        };
        let Some(payload) = packet.get(payload_start..) else {
            continue;
        };
        if !unit_start {
            continue;
        }
        stats.unit_starts += 1;
        if pid == PAT_PID {
            for (number, pmt_pid) in pat_entries(payload) {
                pmt_pids.insert(pmt_pid, number);
            }
        } else if let Some(&number) = pmt_pids.get(&pid) {
            if !scan.programs.iter().any(|p| p.number == number) {
                if let Some(program) = pmt(payload, number, pid) {
                    scan.programs.push(program);
                }
            }
        } else if let Some(pts) = pes_pts(payload) {
            stats.first_pts.get_or_insert(pts);
            stats.last_pts = Some(pts);
            stats.min_pts = Some(stats.min_pts.map_or(pts, |m| m.min(pts)));
            stats.max_pts = Some(stats.max_pts.map_or(pts, |m| m.max(pts)));
        }
    }
    Ok(scan)
}

/// The PSI section a payload starts (after its pointer field), cut to `section_length`.
fn section(payload: &[u8]) -> Option<&[u8]> {
    let pointer = usize::from(*payload.first()?);
    let section = payload.get(1 + pointer..)?;
    let length = usize::from(u16::from_be_bytes([*section.get(1)?, *section.get(2)?]) & 0x0fff);
    section.get(..3 + length)
}

/// `(program_number, PMT PID)` of a PAT, without the NIT entry (program 0).
fn pat_entries(payload: &[u8]) -> Vec<(u16, u16)> {
    let Some(section) = section(payload).filter(|s| s.first() == Some(&0x00)) else {
        return Vec::new();
    };
    // 8 header bytes, 4 CRC bytes.
    let entries = section
        .get(8..section.len().saturating_sub(4))
        .unwrap_or_default();
    entries
        .chunks_exact(4)
        .map(|e| {
            (
                u16::from_be_bytes([e[0], e[1]]),
                u16::from_be_bytes([e[2] & 0x1f, e[3]]),
            )
        })
        .filter(|(number, _)| *number != 0)
        .collect()
}

fn pmt(payload: &[u8], number: u16, pmt_pid: u16) -> Option<Program> {
    let section = section(payload).filter(|s| s.first() == Some(&0x02))?;
    let pcr_pid = u16::from_be_bytes([*section.get(8)? & 0x1f, *section.get(9)?]);
    let info_length =
        usize::from(u16::from_be_bytes([*section.get(10)?, *section.get(11)?]) & 0x0fff);
    let mut at = 12 + info_length;
    let end = section.len().saturating_sub(4);
    let mut streams = Vec::new();
    while at + 5 <= end {
        let stream_type = section[at];
        let pid = u16::from_be_bytes([section[at + 1] & 0x1f, section[at + 2]]);
        let es_info = usize::from(u16::from_be_bytes([section[at + 3], section[at + 4]]) & 0x0fff);
        streams.push((pid, stream_type));
        at += 5 + es_info;
    }
    Some(Program {
        number,
        pmt_pid,
        // 0x1FFF: no PCR in this program.
        pcr_pid: (pcr_pid != 0x1fff).then_some(pcr_pid),
        streams,
    })
}

/// The 33-bit PTS of a PES header, if it has one.
fn pes_pts(payload: &[u8]) -> Option<u64> {
    if payload.get(..3)? != [0, 0, 1] {
        return None;
    }
    let flags = *payload.get(7)?;
    if flags & 0x80 == 0 {
        return None;
    }
    let b = payload.get(9..14)?;
    Some(
        (u64::from(b[0] >> 1) & 0x07) << 30
            | u64::from(b[1]) << 22
            | u64::from(b[2] >> 1) << 15
            | u64::from(b[3]) << 7
            | u64::from(b[4] >> 1),
    )
}

/// ISO/IEC 13818-1 Table 2-34 and the HLS additions, for the types an HLS TS can carry.
pub fn stream_type_name(stream_type: u8) -> &'static str {
    match stream_type {
        0x01 | 0x02 => "MPEG-1/2 video",
        0x03 | 0x04 => "MPEG-1/2 audio",
        0x06 => "private PES (e.g. AC-3, subtitles)",
        0x0f => "AAC (ADTS)",
        0x11 => "AAC (LATM)",
        0x15 => "timed metadata (ID3 in PES)",
        0x1b => "H.264",
        0x24 => "H.265",
        0x81 => "AC-3",
        0x87 => "E-AC-3",
        0xcf => "AAC, SAMPLE-AES",
        0xdb => "H.264, SAMPLE-AES",
        _ => "unknown",
    }
}

pub fn describe(scan: &TsScan) -> Value {
    let seconds = |pts: Option<u64>| pts.map(|p| p as f64 / 90_000.0);
    let programs: Vec<Value> = scan
        .programs
        .iter()
        .map(|program| {
            let streams: Vec<Value> = program
                .streams
                .iter()
                .map(|&(pid, stream_type)| {
                    let stats = scan.pids.get(&pid).cloned().unwrap_or_default();
                    json!({
                        "pid": pid,
                        "stream_type": format!("{stream_type:#04x}"),
                        "stream_type_name": stream_type_name(stream_type),
                        "packets": stats.packets,
                        "pes_packets": stats.unit_starts,
                        "continuity_errors": stats.continuity_errors,
                        "first_pts": seconds(stats.first_pts),
                        "last_pts": seconds(stats.last_pts),
                        "min_pts": seconds(stats.min_pts),
                        "max_pts": seconds(stats.max_pts),
                    })
                })
                .collect();
            json!({
                "program_number": program.number,
                "pmt_pid": program.pmt_pid,
                "pcr_pid": program.pcr_pid,
                "streams": streams,
            })
        })
        .collect();
    let pids: serde_json::Map<String, Value> = scan
        .pids
        .iter()
        .map(|(pid, stats)| (format!("{pid:#06x}"), json!(stats.packets)))
        .collect();
    json!({
        "packets": scan.packets,
        "programs": programs,
        "packets_per_pid": pids,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pts_is_read_from_its_five_marker_bytes() {
        // PTS 0x1_2345_6789 with marker bits, as a muxer writes it ('0010' prefix).
        let pts: u64 = 0x1_2345_6789;
        let b = [
            0x21 | ((pts >> 29) & 0x0e) as u8,
            (pts >> 22) as u8,
            0x01 | ((pts >> 14) & 0xfe) as u8,
            (pts >> 7) as u8,
            0x01 | ((pts << 1) & 0xfe) as u8,
        ];
        let mut pes = vec![0, 0, 1, 0xe0, 0, 0, 0x80, 0x80, 5];
        pes.extend_from_slice(&b);
        assert_eq!(pes_pts(&pes), Some(pts));
        pes[7] = 0;
        assert_eq!(pes_pts(&pes), None);
    }

    #[test]
    fn pmt_lists_streams_and_pcr_pid() {
        // pointer 0; table 2, length; program 1; version; sections; PCR PID 0x100; no info;
        // H.264 on 0x100, AAC on 0x101 with a 2-byte descriptor; CRC (not checked).
        let payload = [
            0, 0x02, 0xb0, 0x19, 0, 1, 0xc1, 0, 0, 0xe1, 0x00, 0xf0, 0, 0x1b, 0xe1, 0x00, 0xf0, 0,
            0x0f, 0xe1, 0x01, 0xf0, 2, 0x0a, 0x00, 1, 2, 3, 4,
        ];
        let program = pmt(&payload, 1, 0x1000).unwrap();
        assert_eq!(program.pcr_pid, Some(0x100));
        assert_eq!(program.streams, vec![(0x100, 0x1b), (0x101, 0x0f)]);
    }
}
