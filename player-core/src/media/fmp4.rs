//! Fragmented MP4 writer (ISO/IEC 14496-12, with avcC from 14496-15 and esds from 14496-14):
//! the init segment and `moof`+`mdat` fragments. Boxes are written straight into one `Vec`
//! and their sizes patched when they close.

use super::adts::AudioConfig;
use super::h264::VideoConfig;

pub(crate) const VIDEO_TRACK_ID: u32 = 1;
pub(crate) const AUDIO_TRACK_ID: u32 = 2;

/// sample_depends_on = 2 (an I picture): a sync sample.
pub(crate) const FLAGS_SYNC: u32 = 0x0200_0000;
/// sample_depends_on = 1, sample_is_non_sync_sample = 1.
pub(crate) const FLAGS_NON_SYNC: u32 = 0x0101_0000;

const MATRIX: [u32; 9] = [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000];

fn begin(out: &mut Vec<u8>, fourcc: &[u8; 4]) -> usize {
    let at = out.len();
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(fourcc);
    at
}

fn begin_full(out: &mut Vec<u8>, fourcc: &[u8; 4], version: u8, flags: u32) -> usize {
    let at = begin(out, fourcc);
    u32(out, u32::from(version) << 24 | flags);
    at
}

fn end(out: &mut [u8], at: usize) {
    let size = (out.len() - at) as u32;
    out[at..at + 4].copy_from_slice(&size.to_be_bytes());
}

fn u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn zeros(out: &mut Vec<u8>, n: usize) {
    out.resize(out.len() + n, 0);
}

/// Writes `ftyp` + `moov` for the tracks present.
pub(crate) fn write_init(
    out: &mut Vec<u8>,
    video: Option<&VideoConfig>,
    audio: Option<&AudioConfig>,
) {
    let at = begin(out, b"ftyp");
    out.extend_from_slice(b"isom");
    u32(out, 0x200);
    out.extend_from_slice(b"isomiso6mp41");
    if video.is_some() {
        out.extend_from_slice(b"avc1");
    }
    end(out, at);

    let moov = begin(out, b"moov");
    let mvhd = begin_full(out, b"mvhd", 0, 0);
    zeros(out, 8); // creation and modification time
    u32(out, 1000); // timescale
    u32(out, 0); // duration: unknown, fragments carry it
    u32(out, 0x0001_0000); // rate 1.0
    u16(out, 0x0100); // volume 1.0
    zeros(out, 10);
    MATRIX.iter().for_each(|&m| u32(out, m));
    zeros(out, 24); // pre_defined
    u32(out, AUDIO_TRACK_ID + 1); // next_track_ID
    end(out, mvhd);
    if let Some(v) = video {
        write_trak(out, VIDEO_TRACK_ID, 90_000, Some(v), None);
    }
    if let Some(a) = audio {
        write_trak(out, AUDIO_TRACK_ID, a.sample_rate, None, Some(a));
    }
    let mvex = begin(out, b"mvex");
    for (present, id) in [
        (video.is_some(), VIDEO_TRACK_ID),
        (audio.is_some(), AUDIO_TRACK_ID),
    ] {
        if present {
            let trex = begin_full(out, b"trex", 0, 0);
            u32(out, id);
            u32(out, 1); // default_sample_description_index
            zeros(out, 12); // default duration, size, flags: every trun says its own
            end(out, trex);
        }
    }
    end(out, mvex);
    end(out, moov);
}

fn write_trak(
    out: &mut Vec<u8>,
    id: u32,
    timescale: u32,
    video: Option<&VideoConfig>,
    audio: Option<&AudioConfig>,
) {
    let trak = begin(out, b"trak");
    let tkhd = begin_full(out, b"tkhd", 0, 3); // enabled, in movie
    zeros(out, 8);
    u32(out, id);
    zeros(out, 4 + 4 + 8); // reserved, duration, reserved
    u16(out, 0); // layer
    u16(out, 0); // alternate_group
    u16(out, if audio.is_some() { 0x0100 } else { 0 });
    u16(out, 0);
    MATRIX.iter().for_each(|&m| u32(out, m));
    let (w, h) = video.map_or((0, 0), |v| {
        // tkhd carries the display size: the coded width stretched by the sample aspect ratio.
        let (sw, sh) = (u64::from(v.info.sar.0), u64::from(v.info.sar.1.max(1)));
        (
            (u64::from(v.info.width) * sw / sh).min(0xFFFF) as u32,
            v.info.height,
        )
    });
    u32(out, w << 16);
    u32(out, h << 16);
    end(out, tkhd);

    let mdia = begin(out, b"mdia");
    let mdhd = begin_full(out, b"mdhd", 0, 0);
    zeros(out, 8);
    u32(out, timescale);
    u32(out, 0);
    u16(out, 0x55C4); // language "und"
    u16(out, 0);
    end(out, mdhd);
    let hdlr = begin_full(out, b"hdlr", 0, 0);
    u32(out, 0);
    out.extend_from_slice(if video.is_some() { b"vide" } else { b"soun" });
    zeros(out, 12);
    out.extend_from_slice(if video.is_some() {
        b"VideoHandler\0"
    } else {
        b"SoundHandler\0"
    });
    end(out, hdlr);

    let minf = begin(out, b"minf");
    if video.is_some() {
        let vmhd = begin_full(out, b"vmhd", 0, 1);
        zeros(out, 8);
        end(out, vmhd);
    } else {
        let smhd = begin_full(out, b"smhd", 0, 0);
        zeros(out, 4);
        end(out, smhd);
    }
    let dinf = begin(out, b"dinf");
    let dref = begin_full(out, b"dref", 0, 0);
    u32(out, 1);
    let url = begin_full(out, b"url ", 0, 1); // media data is in this file
    end(out, url);
    end(out, dref);
    end(out, dinf);

    let stbl = begin(out, b"stbl");
    let stsd = begin_full(out, b"stsd", 0, 0);
    u32(out, 1);
    if let Some(v) = video {
        write_avc1(out, v);
    }
    if let Some(a) = audio {
        write_mp4a(out, a);
    }
    end(out, stsd);
    // Empty sample tables: every sample lives in a fragment.
    for fourcc in [b"stts", b"stsc", b"stco"] {
        let b = begin_full(out, fourcc, 0, 0);
        u32(out, 0);
        end(out, b);
    }
    let stsz = begin_full(out, b"stsz", 0, 0);
    zeros(out, 8);
    end(out, stsz);
    end(out, stbl);
    end(out, minf);
    end(out, mdia);
    end(out, trak);
}

fn write_avc1(out: &mut Vec<u8>, v: &VideoConfig) {
    let i = &v.info;
    let avc1 = begin(out, b"avc1");
    zeros(out, 6);
    u16(out, 1); // data_reference_index
    zeros(out, 16);
    u16(out, i.width.min(0xFFFF) as u16);
    u16(out, i.height.min(0xFFFF) as u16);
    u32(out, 0x0048_0000); // 72 dpi
    u32(out, 0x0048_0000);
    u32(out, 0);
    u16(out, 1); // frame_count
    zeros(out, 32); // compressorname
    u16(out, 0x18); // depth
    u16(out, 0xFFFF); // pre_defined = -1

    let avcc = begin(out, b"avcC");
    out.extend_from_slice(&[
        1,
        i.profile_idc,
        i.constraint_flags,
        i.level_idc,
        0xFF,
        0xE1,
    ]);
    u16(out, v.sps.len() as u16);
    out.extend_from_slice(&v.sps);
    out.push(1);
    u16(out, v.pps.len() as u16);
    out.extend_from_slice(&v.pps);
    if matches!(i.profile_idc, 100 | 110 | 122 | 144) {
        out.push(0xFC | (i.chroma_format_idc & 3));
        out.push(0xF8 | (i.bit_depth_luma.saturating_sub(8) & 7));
        out.push(0xF8 | (i.bit_depth_chroma.saturating_sub(8) & 7));
        out.push(0); // numOfSequenceParameterSetExt
    }
    end(out, avcc);
    if i.sar.0 != i.sar.1 {
        let pasp = begin(out, b"pasp");
        u32(out, u32::from(i.sar.0));
        u32(out, u32::from(i.sar.1));
        end(out, pasp);
    }
    end(out, avc1);
}

fn write_mp4a(out: &mut Vec<u8>, a: &AudioConfig) {
    let mp4a = begin(out, b"mp4a");
    zeros(out, 6);
    u16(out, 1); // data_reference_index
    zeros(out, 8);
    u16(out, u16::from(a.channels));
    u16(out, 16); // samplesize
    zeros(out, 4);
    // 16.16 fixed point; rates above 65535 Hz do not fit and the decoder uses the ASC anyway.
    u32(
        out,
        if a.sample_rate > 0xFFFF {
            0
        } else {
            a.sample_rate << 16
        },
    );

    let esds = begin_full(out, b"esds", 0, 0);
    let asc = a.audio_specific_config();
    // ES_Descriptor ⊃ DecoderConfigDescriptor ⊃ DecoderSpecificInfo, then SLConfigDescriptor.
    out.extend_from_slice(&[0x03, 25, 0, 0, 0]);
    out.extend_from_slice(&[0x04, 17, 0x40, 0x15, 0, 0, 0]); // AAC, audio stream, bufferSizeDB
    zeros(out, 8); // max and average bitrate: unknown
    out.extend_from_slice(&[0x05, 2, asc[0], asc[1]]);
    out.extend_from_slice(&[0x06, 1, 0x02]);
    end(out, esds);
    end(out, mp4a);
}

/// One sample of a fragment's `trun`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FragmentSample {
    pub duration: u32,
    pub size: u32,
    pub flags: u32,
    /// Presentation minus decode time (may be negative: `trun` version 1).
    pub composition_offset: i32,
}

/// One track's run in a fragment.
pub(crate) struct TrackRun<'a> {
    pub track_id: u32,
    pub base_decode_time: u64,
    pub samples: &'a [FragmentSample],
    pub data: &'a [u8],
    /// Video: write flags and composition offsets per sample.
    pub video: bool,
}

/// Writes one `moof` with a `traf` per track, then one `mdat` holding the tracks' data one
/// after the other.
pub(crate) fn write_fragment(out: &mut Vec<u8>, sequence: u32, runs: &[TrackRun<'_>]) {
    let moof = begin(out, b"moof");
    let mfhd = begin_full(out, b"mfhd", 0, 0);
    u32(out, sequence);
    end(out, mfhd);
    let mut offset_fields = [0usize; 2];
    for (run, field) in runs.iter().zip(offset_fields.iter_mut()) {
        let traf = begin(out, b"traf");
        let tfhd = begin_full(out, b"tfhd", 0, 0x02_0000); // default-base-is-moof
        u32(out, run.track_id);
        end(out, tfhd);
        let tfdt = begin_full(out, b"tfdt", 1, 0);
        out.extend_from_slice(&run.base_decode_time.to_be_bytes());
        end(out, tfdt);
        // data-offset, sample duration and size; video adds flags and composition offsets.
        let (version, flags) = if run.video { (1, 0xF01) } else { (0, 0x301) };
        let trun = begin_full(out, b"trun", version, flags);
        u32(out, run.samples.len() as u32);
        *field = out.len();
        u32(out, 0);
        for s in run.samples {
            u32(out, s.duration);
            u32(out, s.size);
            if run.video {
                u32(out, s.flags);
                u32(out, s.composition_offset as u32);
            }
        }
        end(out, trun);
        end(out, traf);
    }
    end(out, moof);
    let mut data_offset = out.len() - moof + 8;
    for (run, &field) in runs.iter().zip(offset_fields.iter()) {
        out[field..field + 4].copy_from_slice(&(data_offset as u32).to_be_bytes());
        data_offset += run.data.len();
    }
    let total: usize = 8 + runs.iter().map(|r| r.data.len()).sum::<usize>();
    u32(out, total as u32);
    out.extend_from_slice(b"mdat");
    for run in runs {
        out.extend_from_slice(run.data);
    }
}

#[cfg(test)]
#[path = "fmp4_tests.rs"]
mod tests;
