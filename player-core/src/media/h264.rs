//! H.264 (ISO/IEC 14496-10) in MPEG-TS: Annex B byte streams become length-prefixed samples,
//! and the SPS yields the picture size and the `avc1.PPCCLL` codec string.

use super::bits::{unescape_rbsp, BitReader};
use super::error::{SpsError, TransmuxError};

const NAL_IDR: u8 = 5;
const NAL_SPS: u8 = 7;
const NAL_PPS: u8 = 8;
const NAL_AUD: u8 = 9;
const NAL_FILLER: u8 = 12;

/// What the init segment needs to know about the video.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VideoConfig {
    pub sps: Vec<u8>,
    pub pps: Vec<u8>,
    pub info: SpsInfo,
}

/// The fields of a sequence parameter set that matter for muxing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct SpsInfo {
    pub profile_idc: u8,
    pub constraint_flags: u8,
    pub level_idc: u8,
    pub chroma_format_idc: u8,
    pub bit_depth_luma: u8,
    pub bit_depth_chroma: u8,
    pub width: u32,
    pub height: u32,
    /// Sample aspect ratio (1:1 when not signalled).
    pub sar: (u16, u16),
    /// Frame duration in 90 kHz ticks from VUI timing, when signalled.
    pub frame_duration: Option<u32>,
}

impl SpsInfo {
    /// Appends the RFC 6381 codec string, e.g. `avc1.64001f`.
    pub(crate) fn push_codec_string(&self, out: &mut String) {
        out.push_str("avc1.");
        for b in [self.profile_idc, self.constraint_flags, self.level_idc] {
            push_hex_byte(out, b);
        }
    }
}

pub(crate) fn push_hex_byte(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(char::from(HEX[usize::from(b >> 4)]));
    out.push(char::from(HEX[usize::from(b & 15)]));
}

/// Table E-1: sample aspect ratios for aspect_ratio_idc 1..=16.
const SAR_TABLE: [(u16, u16); 16] = [
    (1, 1),
    (12, 11),
    (10, 11),
    (16, 11),
    (40, 33),
    (24, 11),
    (20, 11),
    (32, 11),
    (80, 33),
    (18, 11),
    (15, 11),
    (64, 33),
    (160, 99),
    (4, 3),
    (3, 2),
    (2, 1),
];

/// Parses an SPS NAL unit (with its header byte, still escaped).
pub(crate) fn parse_sps(nal: &[u8]) -> Result<SpsInfo, SpsError> {
    if nal.first().map(|b| b & 0x1F) != Some(NAL_SPS) || nal.len() < 4 {
        return Err(SpsError::NotSps);
    }
    let mut rbsp = Vec::new();
    unescape_rbsp(&nal[1..], &mut rbsp);
    let mut r = BitReader::new(&rbsp);
    let mut info = SpsInfo {
        profile_idc: r.bits(8)? as u8,
        constraint_flags: r.bits(8)? as u8,
        level_idc: r.bits(8)? as u8,
        chroma_format_idc: 1,
        bit_depth_luma: 8,
        bit_depth_chroma: 8,
        sar: (1, 1),
        ..SpsInfo::default()
    };
    let range = |field, v: u32, max: u32| {
        if v > max {
            Err(SpsError::OutOfRange { field, value: v })
        } else {
            Ok(v)
        }
    };
    range("seq_parameter_set_id", r.ue()?, 31)?;
    let mut separate_colour_planes = false;
    if matches!(
        info.profile_idc,
        100 | 110 | 122 | 244 | 44 | 83 | 86 | 118 | 128 | 138 | 139 | 134 | 135
    ) {
        info.chroma_format_idc = range("chroma_format_idc", r.ue()?, 3)? as u8;
        if info.chroma_format_idc == 3 {
            separate_colour_planes = r.flag()?;
        }
        info.bit_depth_luma = 8 + range("bit_depth_luma_minus8", r.ue()?, 6)? as u8;
        info.bit_depth_chroma = 8 + range("bit_depth_chroma_minus8", r.ue()?, 6)? as u8;
        r.skip(1)?; // qpprime_y_zero_transform_bypass_flag
        if r.flag()? {
            let lists = if info.chroma_format_idc == 3 { 12 } else { 8 };
            for i in 0..lists {
                if r.flag()? {
                    skip_scaling_list(&mut r, if i < 6 { 16 } else { 64 })?;
                }
            }
        }
    }
    range("log2_max_frame_num_minus4", r.ue()?, 12)?;
    match range("pic_order_cnt_type", r.ue()?, 2)? {
        0 => {
            range("log2_max_pic_order_cnt_lsb_minus4", r.ue()?, 12)?;
        }
        1 => {
            r.skip(1)?;
            r.se()?;
            r.se()?;
            let cycle = range("num_ref_frames_in_pic_order_cnt_cycle", r.ue()?, 255)?;
            for _ in 0..cycle {
                r.se()?;
            }
        }
        _ => {}
    }
    r.ue()?; // max_num_ref_frames
    r.skip(1)?; // gaps_in_frame_num_value_allowed_flag
    let width_mbs = range("pic_width_in_mbs_minus1", r.ue()?, 1023)? + 1;
    let height_units = range("pic_height_in_map_units_minus1", r.ue()?, 1023)? + 1;
    let frame_mbs_only = u32::from(r.flag()?);
    if frame_mbs_only == 0 {
        r.skip(1)?; // mb_adaptive_frame_field_flag
    }
    r.skip(1)?; // direct_8x8_inference_flag
    let width = width_mbs * 16;
    let height = (2 - frame_mbs_only) * height_units * 16;
    let (mut crop_x, mut crop_y) = (0, 0);
    if r.flag()? {
        let chroma_array_type = if separate_colour_planes {
            0
        } else {
            info.chroma_format_idc
        };
        let (unit_x, unit_y) = match chroma_array_type {
            0 => (1, 2 - frame_mbs_only),
            1 => (2, 2 * (2 - frame_mbs_only)),
            2 => (2, 2 - frame_mbs_only),
            _ => (1, 2 - frame_mbs_only),
        };
        let left = r.ue()?;
        let right = r.ue()?;
        let top = r.ue()?;
        let bottom = r.ue()?;
        crop_x = unit_x * (u64::from(left) + u64::from(right)).min(u64::from(width)) as u32;
        crop_y = unit_y * (u64::from(top) + u64::from(bottom)).min(u64::from(height)) as u32;
    }
    if crop_x >= width || crop_y >= height {
        return Err(SpsError::OutOfRange {
            field: "frame_cropping",
            value: crop_x.max(crop_y),
        });
    }
    info.width = width - crop_x;
    info.height = height - crop_y;
    if r.flag()? {
        parse_vui(&mut r, &mut info)?;
    }
    Ok(info)
}

fn skip_scaling_list(r: &mut BitReader<'_>, size: usize) -> Result<(), SpsError> {
    let (mut last, mut next) = (8i32, 8i32);
    for _ in 0..size {
        if next != 0 {
            next = (i64::from(last) + i64::from(r.se()?)).rem_euclid(256) as i32;
        }
        if next != 0 {
            last = next;
        }
    }
    Ok(())
}

/// VUI (Annex E) up to the timing information; HRD and beyond are not needed.
fn parse_vui(r: &mut BitReader<'_>, info: &mut SpsInfo) -> Result<(), SpsError> {
    if r.flag()? {
        let idc = r.bits(8)?;
        info.sar = match idc {
            1..=16 => SAR_TABLE[idc as usize - 1],
            255 => {
                let w = r.bits(16)? as u16;
                let h = r.bits(16)? as u16;
                if w == 0 || h == 0 {
                    (1, 1)
                } else {
                    (w, h)
                }
            }
            _ => (1, 1),
        };
    }
    if r.flag()? {
        r.skip(1)?; // overscan_appropriate_flag
    }
    if r.flag()? {
        r.skip(4)?; // video_format, video_full_range_flag
        if r.flag()? {
            r.skip(24)?; // colour primaries, transfer, matrix
        }
    }
    if r.flag()? {
        r.ue()?;
        r.ue()?;
    }
    if r.flag()? {
        let units = u64::from(r.bits(32)?);
        let scale = u64::from(r.bits(32)?);
        // A frame lasts two ticks (one per field) in the VUI's clock.
        if units != 0 && scale != 0 {
            let d = 2 * units * 90_000 / scale;
            if (1..=90_000).contains(&d) {
                info.frame_duration = Some(d as u32);
            }
        }
    }
    Ok(())
}

/// One access unit in the output: its bytes are in [`VideoTrackBuilder::data`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct VideoSample {
    pub pts: i64,
    pub dts: i64,
    pub size: u32,
    pub key: bool,
}

/// Turns the PES payloads of one H.264 stream into length-prefixed samples.
///
/// Each PES with a PTS starts an access unit (how HLS encoders mux); a NAL unit cut by a
/// PES boundary continues in the next PES.
#[derive(Default)]
pub(crate) struct VideoTrackBuilder {
    pub samples: Vec<VideoSample>,
    /// Samples back to back: NAL units each with a 4-byte big-endian length.
    pub data: Vec<u8>,
    /// First SPS/PPS seen in this segment, and the packet of the PES that carried the SPS.
    pub sps: Option<(Vec<u8>, usize)>,
    pub pps: Option<Vec<u8>>,
    pub pid: u16,
    current: Option<(i64, i64, bool)>,
    sample_start: usize,
    /// Position of the length field of the NAL unit still being written.
    open_nal: Option<usize>,
}

impl VideoTrackBuilder {
    pub(crate) fn clear(&mut self) {
        self.samples.clear();
        self.data.clear();
        self.sps = None;
        self.pps = None;
        self.current = None;
        self.open_nal = None;
    }

    pub(crate) fn push_pes(
        &mut self,
        pts: Option<i64>,
        dts: Option<i64>,
        payload: &[u8],
        packet: usize,
    ) {
        let first = find_start_code(payload, 0);
        if self.open_nal.is_some() {
            // Bytes before the first start code belong to the NAL unit cut by the PES boundary.
            self.data
                .extend_from_slice(&payload[..first.unwrap_or(payload.len())]);
        }
        if let Some(pts) = pts {
            self.close_nal(packet);
            self.close_sample();
            self.current = Some((pts, dts.unwrap_or(pts), false));
            self.sample_start = self.data.len();
        }
        if self.current.is_none() {
            return; // no timestamp yet: cannot place these bytes
        }
        let Some(mut sc) = first else {
            return;
        };
        loop {
            self.close_nal(packet);
            let begin = sc + 3;
            let next = find_start_code(payload, begin);
            let end = next.unwrap_or(payload.len());
            self.open_nal = Some(self.data.len());
            self.data.extend_from_slice(&[0; 4]);
            self.data.extend_from_slice(&payload[begin..end]);
            match next {
                Some(n) => sc = n,
                None => break,
            }
        }
    }

    /// Ends the open NAL unit: trims the zero bytes that precede a start code, patches its
    /// length, and drops it if it is an access unit delimiter or filler.
    fn close_nal(&mut self, packet: usize) {
        let Some(at) = self.open_nal.take() else {
            return;
        };
        while self.data.len() > at + 4 && self.data.last() == Some(&0) {
            self.data.pop();
        }
        let len = self.data.len() - at - 4;
        let kind = self.data.get(at + 4).map_or(0, |b| b & 0x1F);
        if len == 0 || kind == NAL_AUD || kind == NAL_FILLER {
            self.data.truncate(at);
            return;
        }
        self.data[at..at + 4].copy_from_slice(&(len as u32).to_be_bytes());
        let nal = &self.data[at + 4..];
        match kind {
            NAL_IDR => {
                if let Some(c) = &mut self.current {
                    c.2 = true;
                }
            }
            NAL_SPS if self.sps.is_none() => self.sps = Some((nal.to_vec(), packet)),
            NAL_PPS if self.pps.is_none() => self.pps = Some(nal.to_vec()),
            _ => {}
        }
    }

    fn close_sample(&mut self) {
        if let Some((pts, dts, key)) = self.current.take() {
            let size = self.data.len() - self.sample_start;
            if size > 0 {
                self.samples.push(VideoSample {
                    pts,
                    dts,
                    size: size as u32,
                    key,
                });
            }
        }
    }

    /// Ends the segment's last access unit.
    pub(crate) fn finish(&mut self) {
        self.close_nal(0);
        self.close_sample();
    }
}

/// Index of the next `00 00 01` at or after `from`.
pub(crate) fn find_start_code(data: &[u8], from: usize) -> Option<usize> {
    let mut i = from + 2;
    while i < data.len() {
        let b = data[i];
        if b > 1 {
            // No start code can end at i, i+1 or i+2.
            i += 3;
        } else if b == 1 && data[i - 1] == 0 && data[i - 2] == 0 {
            return Some(i - 2);
        } else {
            i += 1;
        }
    }
    None
}

/// Builds the video configuration from a segment's parameter sets.
pub(crate) fn video_config(b: &VideoTrackBuilder) -> Result<Option<VideoConfig>, TransmuxError> {
    let (Some((sps, packet)), Some(pps)) = (&b.sps, &b.pps) else {
        return Ok(None);
    };
    let info = parse_sps(sps).map_err(|source| TransmuxError::BadSps {
        packet: *packet,
        source,
    })?;
    Ok(Some(VideoConfig {
        sps: sps.clone(),
        pps: pps.clone(),
        info,
    }))
}

#[cfg(test)]
#[path = "h264_tests.rs"]
mod tests;
