//! AAC in ADTS (ISO/IEC 14496-3 §1.A.2): frame headers, the AudioSpecificConfig an MP4
//! needs, and raw AAC frames timed from the PES timestamps.

use super::error::TransmuxError;

/// Samples per AAC frame (one raw data block).
pub(crate) const AAC_FRAME_SAMPLES: u32 = 1024;

const SAMPLE_RATES: [u32; 13] = [
    96_000, 88_200, 64_000, 48_000, 44_100, 32_000, 24_000, 22_050, 16_000, 12_000, 11_025, 8_000,
    7_350,
];

/// What the init segment needs to know about the audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AudioConfig {
    /// MPEG-4 audio object type (2 = AAC LC).
    pub object_type: u8,
    pub sampling_index: u8,
    pub sample_rate: u32,
    pub channels: u8,
}

impl AudioConfig {
    /// The two-byte AudioSpecificConfig (14496-3 §1.6.2.1).
    pub(crate) fn audio_specific_config(&self) -> [u8; 2] {
        let v = u16::from(self.object_type) << 11
            | u16::from(self.sampling_index) << 7
            | u16::from(self.channels) << 3;
        v.to_be_bytes()
    }

    /// Appends the RFC 6381 codec string, e.g. `mp4a.40.2`.
    pub(crate) fn push_codec_string(&self, out: &mut String) {
        out.push_str("mp4a.40.");
        push_decimal(out, u32::from(self.object_type));
    }
}

pub(crate) fn push_decimal(out: &mut String, mut v: u32) {
    let mut digits = [0u8; 10];
    let mut n = 0;
    loop {
        digits[n] = b'0' + (v % 10) as u8;
        n += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for &d in digits[..n].iter().rev() {
        out.push(char::from(d));
    }
}

/// A parsed ADTS header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AdtsHeader {
    pub config: AudioConfig,
    pub header_len: usize,
    pub frame_len: usize,
    /// Raw data blocks in the frame (usually 1).
    pub blocks: u32,
}

/// Parses the ADTS header at the start of `b`. `None` when it is not a plausible header.
pub(crate) fn parse_header(b: &[u8]) -> Option<AdtsHeader> {
    if b.len() < 7 || b[0] != 0xFF || b[1] & 0xF6 != 0xF0 {
        return None;
    }
    let header_len = if b[1] & 1 == 1 { 7 } else { 9 };
    let sampling_index = b[2] >> 2 & 0xF;
    let sample_rate = *SAMPLE_RATES.get(usize::from(sampling_index))?;
    let frame_len = usize::from(b[3] & 3) << 11 | usize::from(b[4]) << 3 | usize::from(b[5] >> 5);
    if frame_len <= header_len {
        return None;
    }
    Some(AdtsHeader {
        config: AudioConfig {
            object_type: (b[2] >> 6) + 1,
            sampling_index,
            sample_rate,
            channels: (b[2] & 1) << 2 | b[3] >> 6,
        },
        header_len,
        frame_len,
        blocks: u32::from(b[6] & 3) + 1,
    })
}

/// One AAC frame in the output: its bytes are in [`AudioTrackBuilder::data`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AudioSample {
    /// Presentation time in 90 kHz ticks, from the PES PTS.
    pub pts: i64,
    pub size: u32,
    /// Duration in samples (1024 per raw data block).
    pub duration: u32,
}

/// Splits the ADTS byte stream of one PID into raw AAC frames.
#[derive(Default)]
pub(crate) struct AudioTrackBuilder {
    pub samples: Vec<AudioSample>,
    pub data: Vec<u8>,
    pub config: Option<AudioConfig>,
    pub pid: u16,
    /// A frame cut by the end of a PES, waiting for the rest.
    carry: Vec<u8>,
    carry_pts: i64,
    /// Time of the next frame when a PES has no PTS of its own.
    next_pts: Option<i64>,
}

impl AudioTrackBuilder {
    pub(crate) fn clear(&mut self) {
        self.samples.clear();
        self.data.clear();
        self.config = None;
        self.carry.clear();
        self.next_pts = None;
    }

    pub(crate) fn push_pes(
        &mut self,
        pts: Option<i64>,
        payload: &[u8],
        packet: usize,
        warn: &mut impl FnMut(TransmuxError),
    ) {
        let Some(pts) = pts.or(self.next_pts) else {
            return; // untimed audio at the start of a segment
        };
        if self.carry.is_empty() {
            self.frames(payload, 0, pts, packet, warn);
        } else {
            let mut buf = core::mem::take(&mut self.carry);
            let carried = buf.len();
            buf.extend_from_slice(payload);
            let carry_pts = self.carry_pts;
            self.frames(&buf, carried, pts, packet, warn);
            // The frame that began in the previous PES keeps its own time.
            if let Some(first) = self.samples.iter_mut().rev().find(|s| s.pts == i64::MIN) {
                first.pts = carry_pts;
            }
            if self.carry.is_empty() {
                buf.clear();
                self.carry = buf;
            }
        }
    }

    /// Cuts `buf` into frames. Frames starting before `carried` began in the previous PES
    /// (marked with `i64::MIN` and fixed by the caller); the first one starting at or after
    /// it is at `pts`.
    fn frames(
        &mut self,
        buf: &[u8],
        carried: usize,
        pts: i64,
        packet: usize,
        warn: &mut impl FnMut(TransmuxError),
    ) {
        let mut at = 0;
        let mut k: i64 = 0;
        let mut warned = false;
        while at < buf.len() {
            let Some(h) = parse_header(&buf[at..]) else {
                if buf.len() - at < 9 && buf[at] == 0xFF {
                    break; // a header cut by the PES boundary
                }
                if !warned {
                    warn(TransmuxError::BadAdts {
                        packet,
                        offset: at.saturating_sub(carried),
                    });
                    warned = true;
                }
                at += 1;
                continue;
            };
            if h.config.channels == 0 {
                if !warned {
                    warn(TransmuxError::UnsupportedAdts {
                        packet,
                        reason: "channel configuration 0 (PCE)",
                    });
                    warned = true;
                }
                at += h.frame_len;
                continue;
            }
            if at + h.frame_len > buf.len() {
                break;
            }
            if h.blocks > 1 && !warned {
                // Kept whole so that timing holds, but an MP4 sample should be one block.
                warn(TransmuxError::UnsupportedAdts {
                    packet,
                    reason: "several raw data blocks in one ADTS frame",
                });
                warned = true;
            }
            let config = *self.config.get_or_insert(h.config);
            let frame_pts = if at < carried {
                i64::MIN
            } else {
                let t =
                    pts + k * i64::from(AAC_FRAME_SAMPLES) * 90_000 / i64::from(config.sample_rate);
                k += i64::from(h.blocks);
                t
            };
            let body = &buf[at + h.header_len..at + h.frame_len];
            self.data.extend_from_slice(body);
            self.samples.push(AudioSample {
                pts: frame_pts,
                size: body.len() as u32,
                duration: AAC_FRAME_SAMPLES * h.blocks,
            });
            at += h.frame_len;
        }
        let rate = i64::from(self.config.map_or(90_000, |c| c.sample_rate));
        let next = pts + k * i64::from(AAC_FRAME_SAMPLES) * 90_000 / rate;
        self.next_pts = Some(next);
        if at < buf.len() {
            self.carry.clear();
            self.carry.extend_from_slice(&buf[at..]);
            self.carry_pts = if at < carried { self.carry_pts } else { next };
        } else {
            self.carry.clear();
        }
    }

    /// Ends the segment; a frame still incomplete is reported and dropped.
    pub(crate) fn finish(&mut self, warn: &mut impl FnMut(TransmuxError)) {
        if !self.carry.is_empty() {
            warn(TransmuxError::TruncatedFrame {
                pid: self.pid,
                what: "ADTS frame",
            });
            self.carry.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An ADTS frame: AAC LC, 44.1 kHz (index 4), stereo, no CRC, `body` bytes of payload.
    pub(crate) fn frame(body: &[u8]) -> Vec<u8> {
        let len = body.len() + 7;
        let mut f = vec![
            0xFF,
            0xF1,
            (1 << 6) | (4 << 2),
            (2 << 6) | (len >> 11) as u8,
            (len >> 3) as u8,
            ((len & 7) << 5) as u8 | 0x1F,
            0xFC,
        ];
        f.extend_from_slice(body);
        f
    }

    fn collect(b: &mut AudioTrackBuilder, pts: Option<i64>, payload: &[u8]) -> Vec<TransmuxError> {
        let mut w = Vec::new();
        b.push_pes(pts, payload, 7, &mut |e| w.push(e));
        w
    }

    #[test]
    fn header_fields_and_audio_specific_config() {
        let h = parse_header(&frame(&[1, 2, 3])).unwrap();
        assert_eq!(h.header_len, 7);
        assert_eq!(h.frame_len, 10);
        assert_eq!(h.blocks, 1);
        let c = h.config;
        assert_eq!((c.object_type, c.sample_rate, c.channels), (2, 44_100, 2));
        // AAC LC (2), index 4, 2 channels → 00010 0100 0010 000 = 0x12 0x10
        assert_eq!(c.audio_specific_config(), [0x12, 0x10]);
        let mut s = String::new();
        c.push_codec_string(&mut s);
        assert_eq!(s, "mp4a.40.2");
    }

    #[test]
    fn rejects_bad_headers() {
        assert!(parse_header(&[0xFF, 0xF1, 0x50]).is_none()); // short
        let mut f = frame(&[0; 4]);
        f[1] = 0xF7; // layer 3
        assert!(parse_header(&f).is_none());
        let mut f = frame(&[0; 4]);
        f[2] |= 0xF << 2; // sampling index 15
        assert!(parse_header(&f).is_none());
        let mut f = frame(&[]);
        f[4] = 0;
        f[5] = 0; // frame length 0
        assert!(parse_header(&f).is_none());
    }

    #[test]
    fn frames_are_timed_from_the_pes_and_carried_across_pes() {
        let mut b = AudioTrackBuilder::default();
        let mut pes = frame(&[1; 10]);
        pes.extend(frame(&[2; 20]));
        let third = frame(&[3; 30]);
        pes.extend_from_slice(&third[..12]);
        assert!(collect(&mut b, Some(1000), &pes).is_empty());
        assert_eq!(b.samples.len(), 2);
        // The third frame completes in the next PES, whose own PTS is for its first new frame.
        let mut pes2 = third[12..].to_vec();
        pes2.extend(frame(&[4; 5]));
        let next = 1000 + 3 * 1024 * 90_000 / 44_100;
        assert!(collect(&mut b, Some(next), &pes2).is_empty());
        let times: Vec<i64> = b.samples.iter().map(|s| s.pts).collect();
        assert_eq!(
            times,
            [1000, 1000 + 2089, 1000 + 2 * 1024 * 90_000 / 44_100, next]
        );
        assert_eq!(
            b.samples.iter().map(|s| s.size).collect::<Vec<_>>(),
            [10, 20, 30, 5]
        );
        assert_eq!(b.data.len(), 65);
        assert_eq!(&b.data[30..60], &[3; 30]);
    }

    #[test]
    fn garbage_is_skipped_with_a_warning() {
        let mut b = AudioTrackBuilder::default();
        let mut pes = vec![0x12, 0x34, 0x56];
        pes.extend(frame(&[9; 8]));
        let w = collect(&mut b, Some(0), &pes);
        assert_eq!(
            w,
            [TransmuxError::BadAdts {
                packet: 7,
                offset: 0
            }]
        );
        assert_eq!(b.samples.len(), 1);
        assert_eq!(b.data, [9; 8]);
    }

    #[test]
    fn truncated_last_frame_is_reported() {
        let mut b = AudioTrackBuilder {
            pid: 0x101,
            ..Default::default()
        };
        let f = frame(&[1; 40]);
        collect(&mut b, Some(0), &f[..20]);
        let mut w = Vec::new();
        b.finish(&mut |e| w.push(e));
        assert_eq!(
            w,
            [TransmuxError::TruncatedFrame {
                pid: 0x101,
                what: "ADTS frame"
            }]
        );
        assert!(b.samples.is_empty());
    }
}
