//! Hand-built MPEG-TS, PES, H.264 and ADTS bytes for the unit tests.

use super::ts::crc32_mpeg2;

/// Writes bit fields and Exp-Golomb codes (the inverse of `BitReader`).
#[derive(Default)]
pub(crate) struct BitWriter {
    pub bytes: Vec<u8>,
    bit: usize,
}

impl BitWriter {
    pub(crate) fn bits(&mut self, n: u32, v: u64) -> &mut Self {
        for i in (0..n).rev() {
            if self.bit.is_multiple_of(8) {
                self.bytes.push(0);
            }
            if v >> i & 1 == 1 {
                let last = self.bytes.len() - 1;
                self.bytes[last] |= 0x80 >> (self.bit % 8);
            }
            self.bit += 1;
        }
        self
    }

    pub(crate) fn ue(&mut self, v: u32) -> &mut Self {
        let x = u64::from(v) + 1;
        let len = 64 - x.leading_zeros();
        self.bits(len - 1, 0).bits(len, x)
    }

    pub(crate) fn se(&mut self, v: i32) -> &mut Self {
        let k = if v > 0 { 2 * v - 1 } else { -2 * v };
        self.ue(k as u32)
    }

    /// rbsp_trailing_bits.
    pub(crate) fn trailing(&mut self) -> &mut Self {
        self.bits(1, 1);
        while !self.bit.is_multiple_of(8) {
            self.bits(1, 0);
        }
        self
    }
}

/// Inserts emulation-prevention bytes.
pub(crate) fn escape(rbsp: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut zeros = 0;
    for &b in rbsp {
        if zeros >= 2 && b <= 3 {
            out.push(3);
            zeros = 0;
        }
        zeros = if b == 0 { zeros + 1 } else { 0 };
        out.push(b);
    }
    out
}

/// A baseline SPS for `width`×`height` (multiples of 2), cropped from whole macroblocks.
pub(crate) fn sps(profile: u8, level: u8, width: u32, height: u32) -> Vec<u8> {
    let mbs_w = width.div_ceil(16);
    let mbs_h = height.div_ceil(16);
    let mut w = BitWriter::default();
    w.bits(8, u64::from(profile))
        .bits(8, 0xC0)
        .bits(8, u64::from(level))
        .ue(0);
    if profile == 100 {
        w.ue(1).ue(0).ue(0).bits(1, 0).bits(1, 0);
    }
    w.ue(0)
        .ue(0)
        .ue(0)
        .ue(1)
        .bits(1, 0)
        .ue(mbs_w - 1)
        .ue(mbs_h - 1)
        .bits(1, 1)
        .bits(1, 1);
    let (cx, cy) = (mbs_w * 16 - width, mbs_h * 16 - height);
    if cx + cy > 0 {
        w.bits(1, 1).ue(0).ue(cx / 2).ue(0).ue(cy / 2);
    } else {
        w.bits(1, 0);
    }
    w.bits(1, 0).trailing();
    let mut nal = vec![0x67];
    nal.extend(escape(&w.bytes));
    nal
}

pub(crate) const PPS: [u8; 4] = [0x68, 0xCE, 0x38, 0x80];

/// An Annex B access unit: AUD, then (for a keyframe) SPS + PPS + IDR slice, else a non-IDR
/// slice. Slice payloads are `n` filler-free bytes.
pub(crate) fn access_unit(key: bool, n: usize, seed: u8) -> Vec<u8> {
    let mut au = vec![0, 0, 0, 1, 0x09, 0xF0];
    if key {
        au.extend([0, 0, 0, 1]);
        au.extend(sps(66, 30, 320, 240));
        au.extend([0, 0, 0, 1]);
        au.extend(PPS);
    }
    au.extend([0, 0, 1, if key { 0x65 } else { 0x41 }]);
    au.extend((0..n).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) | 0x10));
    au
}

/// ADTS frame: AAC LC, 48 kHz (index 3), stereo.
pub(crate) fn adts_frame(body_len: usize, seed: u8) -> Vec<u8> {
    let len = body_len + 7;
    let mut f = vec![
        0xFF,
        0xF1,
        (1 << 6) | (3 << 2),
        (2 << 6) | (len >> 11) as u8,
        (len >> 3) as u8,
        ((len & 7) << 5) as u8 | 0x1F,
        0xFC,
    ];
    f.extend((0..body_len).map(|i| seed.wrapping_add(i as u8)));
    f
}

fn timestamp(prefix: u8, ts: u64) -> [u8; 5] {
    [
        prefix << 4 | ((ts >> 30) as u8 & 7) << 1 | 1,
        (ts >> 22) as u8,
        ((ts >> 15) as u8 & 0x7F) << 1 | 1,
        (ts >> 7) as u8,
        (ts as u8 & 0x7F) << 1 | 1,
    ]
}

/// A PES packet. `bounded` writes PES_packet_length (audio, metadata); video uses 0.
pub(crate) fn pes(
    stream_id: u8,
    pts: Option<u64>,
    dts: Option<u64>,
    payload: &[u8],
    bounded: bool,
) -> Vec<u8> {
    let mut header = Vec::new();
    let flags = match (pts, dts) {
        (Some(p), Some(d)) => {
            header.extend(timestamp(3, p));
            header.extend(timestamp(1, d));
            0xC0
        }
        (Some(p), None) => {
            header.extend(timestamp(2, p));
            0x80
        }
        _ => 0,
    };
    let len = if bounded {
        3 + header.len() + payload.len()
    } else {
        0
    };
    let mut p = vec![
        0,
        0,
        1,
        stream_id,
        (len >> 8) as u8,
        len as u8,
        0x80,
        flags,
        header.len() as u8,
    ];
    p.extend(header);
    p.extend_from_slice(payload);
    p
}

/// One 188-byte packet, padded with adaptation-field stuffing.
pub(crate) fn packet(pid: u16, unit_start: bool, cc: u8, payload: &[u8]) -> Vec<u8> {
    assert!(payload.len() <= 184);
    let mut p = vec![
        0x47,
        (u8::from(unit_start) << 6) | (pid >> 8) as u8,
        pid as u8,
    ];
    let stuffing = 184 - payload.len();
    if stuffing == 0 {
        p.push(0x10 | cc & 0xF);
    } else {
        p.push(0x30 | cc & 0xF);
        p.push((stuffing - 1) as u8);
        if stuffing > 1 {
            p.push(0);
            p.resize(p.len() + stuffing - 2, 0xFF);
        }
    }
    p.extend_from_slice(payload);
    p
}

/// Splits a PES over packets of `pid`, advancing the continuity counter.
pub(crate) fn packetize(pid: u16, pes: &[u8], cc: &mut u8) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, chunk) in pes.chunks(184).enumerate() {
        out.extend(packet(pid, i == 0, *cc, chunk));
        *cc = (*cc + 1) & 0xF;
    }
    out
}

fn section(table_id: u8, id: u16, body: &[u8]) -> Vec<u8> {
    let len = 5 + body.len() + 4;
    let mut s = vec![
        table_id,
        0xB0 | (len >> 8) as u8,
        len as u8,
        (id >> 8) as u8,
        id as u8,
        0xC1,
        0,
        0,
    ];
    s.extend_from_slice(body);
    let crc = crc32_mpeg2(&s);
    s.extend(crc.to_be_bytes());
    s
}

fn psi_packet(pid: u16, section: &[u8]) -> Vec<u8> {
    let mut payload = vec![0];
    payload.extend_from_slice(section);
    payload.resize(184, 0xFF);
    let mut p = vec![0x47, 0x40 | (pid >> 8) as u8, pid as u8, 0x10];
    p.extend(payload);
    p
}

pub(crate) const PMT_PID: u16 = 0x1000;
pub(crate) const VIDEO_PID: u16 = 0x100;
pub(crate) const AUDIO_PID: u16 = 0x101;
pub(crate) const ID3_PID: u16 = 0x102;

pub(crate) fn pat_packet() -> Vec<u8> {
    psi_packet(
        0,
        &section(0, 1, &[0, 1, 0xE0 | (PMT_PID >> 8) as u8, PMT_PID as u8]),
    )
}

/// PMT listing (stream_type, pid) pairs; metadata streams get Apple's ID3 descriptor.
pub(crate) fn pmt_packet(streams: &[(u8, u16)]) -> Vec<u8> {
    let mut body = vec![0xE1, 0x00, 0xF0, 0x00];
    for &(t, pid) in streams {
        let desc: &[u8] = if t == 0x15 {
            b"\x26\x0d\xff\xffID3 \xffID3 \x00\x0f"
        } else {
            &[]
        };
        body.extend([
            t,
            0xE0 | (pid >> 8) as u8,
            pid as u8,
            0xF0,
            desc.len() as u8,
        ]);
        body.extend_from_slice(desc);
    }
    psi_packet(PMT_PID, &section(2, 1, &body))
}

/// A whole synthetic segment: `frames` video frames at 30 fps starting at `pts0` (one IDR
/// then P frames), AAC frames at 48 kHz covering the same span, in presentation order.
pub(crate) fn segment(pts0: u64, frames: usize, with_video: bool, with_audio: bool) -> Vec<u8> {
    let mut streams = Vec::new();
    if with_video {
        streams.push((0x1B, VIDEO_PID));
    }
    if with_audio {
        streams.push((0x0F, AUDIO_PID));
    }
    let mut ts = pat_packet();
    ts.extend(pmt_packet(&streams));
    let (mut vcc, mut acc) = (0, 0);
    let audio_frames = frames * 3000 * 48_000 / 90_000 / 1024;
    let mut a = 0;
    for f in 0..frames {
        let pts = pts0 + 3000 * f as u64;
        if with_video {
            let au = access_unit(f == 0, 300 + f * 7, f as u8);
            ts.extend(packetize(
                VIDEO_PID,
                &pes(0xE0, Some(pts), Some(pts), &au, false),
                &mut vcc,
            ));
        }
        while with_audio
            && a < audio_frames
            && (a as u64 * 1024 * 90_000 / 48_000) <= 3000 * f as u64
        {
            // Two ADTS frames per PES, as encoders usually do.
            let apts = pts0 + a as u64 * 1024 * 90_000 / 48_000;
            let mut payload = adts_frame(100, a as u8);
            if a + 1 < audio_frames {
                payload.extend(adts_frame(120, a as u8 + 1));
            }
            ts.extend(packetize(
                AUDIO_PID,
                &pes(0xC0, Some(apts), None, &payload, true),
                &mut acc,
            ));
            a += 2;
        }
    }
    ts
}
