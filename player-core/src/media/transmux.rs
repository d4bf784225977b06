//! The transmuxer: one HLS segment of MPEG-TS in, fragmented MP4 out, on one continuous
//! timeline.

use super::adts::{AudioConfig, AudioTrackBuilder};
use super::error::{Mp4Error, TransmuxError};
use super::fmp4::{
    self, FragmentSample, TrackRun, AUDIO_TRACK_ID, FLAGS_NON_SYNC, FLAGS_SYNC, VIDEO_TRACK_ID,
};
use super::h264::{video_config, VideoConfig, VideoTrackBuilder};
use super::id3::{parse_id3, Id3Frame};
use super::isobmff::{self, Boxes};
use super::timeline::{seconds_to_ticks, PtsUnwrapper, Timeline};
use super::ts::{Pes, PesSink, StreamKind, TsDemuxer};

/// At most this many warnings are kept per segment: a corrupt segment must not allocate
/// without bound.
const MAX_WARNINGS: usize = 32;
/// Frame duration assumed when nothing better is known (30 fps).
const DEFAULT_FRAME_TICKS: i64 = 3_000;

/// Where a segment sits in the playlist.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SegmentContext {
    /// Start of the segment on the playlist timeline, in seconds.
    pub start: f64,
    /// The segment's discontinuity sequence number (EXT-X-DISCONTINUITY-SEQUENCE plus the
    /// discontinuities before it).
    pub discontinuity_sequence: u64,
}

/// ID3 frames found in the stream, with their time on the output timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TimedMetadata {
    /// Presentation time in seconds (the PES PTS of the tag, mapped like the media).
    pub time: f64,
    pub frames: Vec<Id3Frame>,
}

/// One transmuxed segment, ready for `SourceBuffer.appendBuffer`.
#[derive(Debug, Clone, PartialEq)]
pub struct TransmuxedSegment {
    /// `ftyp`+`moov`, on the first segment and whenever the tracks or their configuration
    /// change. Append it before `media`.
    pub init: Option<Vec<u8>>,
    /// One `moof` (a `traf` per track) and one `mdat`. A single fragment per segment keeps
    /// audio and video in one atomic append with one sequence number, and halves the box
    /// overhead of a fragment per track.
    pub media: Vec<u8>,
    /// RFC 6381 codecs for `video/mp4; codecs="…"`, e.g. `avc1.4d401e,mp4a.40.2`.
    pub codecs: String,
    /// What `SourceBuffer.timestampOffset` must be while `media` is appended: 0 for
    /// transmuxed MPEG-TS, whose timestamps are written already placed; for fMP4 passed
    /// through, what moves its own timestamps onto the output timeline.
    pub timestamp_offset: f64,
    /// Output time range (seconds) the fragment covers: the union of the tracks' ranges.
    pub start: f64,
    pub end: f64,
    /// Presentation range of each track in this fragment. With one SourceBuffer the buffered
    /// range is their intersection; across segments each track is continuous on its own.
    pub video_range: Option<(f64, f64)>,
    pub audio_range: Option<(f64, f64)>,
    pub cues: Vec<TimedMetadata>,
    pub has_video: bool,
    pub has_audio: bool,
    /// What was repaired or skipped (lost packets, garbage, …); at most 32.
    pub warnings: Vec<TransmuxError>,
}

/// Where an fMP4 media segment, appended unchanged, lands on the output timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Fmp4Placement {
    /// Seconds to set `SourceBuffer.timestampOffset` to before appending the segment.
    pub timestamp_offset: f64,
    /// Output time range (seconds) of the segment; its playlist start if it has no `tfdt`.
    pub start: f64,
    pub end: f64,
    /// ID3 tags carried in `emsg` boxes, on the output timeline.
    pub cues: Vec<TimedMetadata>,
    /// What could not be read; at most 32.
    pub warnings: Vec<TransmuxError>,
}

/// What one segment's demuxing produced, before timing.
#[derive(Default)]
struct Demuxed {
    video: VideoTrackBuilder,
    audio: AudioTrackBuilder,
    id3: Vec<(Option<i64>, Vec<Id3Frame>)>,
    warnings: Vec<TransmuxError>,
    clock: PtsUnwrapper,
}

fn push_warning(warnings: &mut Vec<TransmuxError>, w: TransmuxError) {
    if warnings.len() < MAX_WARNINGS {
        warnings.push(w);
    }
}

impl PesSink for Demuxed {
    fn pes(&mut self, kind: StreamKind, pes: Pes<'_>) {
        let pts = pes.pts.map(|t| self.clock.unwrap(t));
        let dts = pes.dts.map(|t| self.clock.unwrap(t));
        match kind {
            StreamKind::Video => {
                self.video.pid = pes.pid;
                self.video.push_pes(pts, dts, pes.payload, pes.packet);
            }
            StreamKind::Audio => {
                self.audio.pid = pes.pid;
                let w = &mut self.warnings;
                self.audio
                    .push_pes(pts, pes.payload, pes.packet, &mut |e| push_warning(w, e));
            }
            StreamKind::Id3 => match parse_id3(pes.payload) {
                Ok(frames) if !frames.is_empty() => self.id3.push((pts, frames)),
                Ok(_) => {}
                Err(source) => push_warning(
                    &mut self.warnings,
                    TransmuxError::BadId3 {
                        packet: pes.packet,
                        source,
                    },
                ),
            },
        }
    }

    fn warn(&mut self, warning: TransmuxError) {
        push_warning(&mut self.warnings, warning);
    }
}

/// MPEG-TS to fragmented-MP4 transmuxer for one HLS rendition.
///
/// State carried from segment to segment: the program map, the codec configuration (to
/// know when a new init segment is due), the timestamp mapping of each discontinuity
/// sequence, and where the audio ended (to keep it gapless).
///
/// ```no_run
/// use player_core::media::{SegmentContext, Transmuxer};
/// # let ts_bytes: Vec<u8> = Vec::new();
/// let mut tx = Transmuxer::new();
/// let out = tx.transmux(&ts_bytes, SegmentContext { start: 0.0, discontinuity_sequence: 0 })?;
/// let mime = format!("video/mp4; codecs=\"{}\"", out.codecs);
/// // appendBuffer(out.init) if Some, then appendBuffer(out.media)
/// # Ok::<(), player_core::media::TransmuxError>(())
/// ```
#[derive(Default)]
pub struct Transmuxer {
    demuxer: TsDemuxer,
    demuxed: Demuxed,
    timeline: Timeline,
    video_config: Option<VideoConfig>,
    audio_config: Option<AudioConfig>,
    /// The tracks the last init segment described.
    init_tracks: Option<(Option<VideoConfig>, Option<AudioConfig>)>,
    codecs: String,
    sequence: u32,
    /// (discontinuity sequence, sample time) where the previous segment's audio ended.
    audio_end: Option<(u64, i64)>,
    last_frame_ticks: Option<i64>,
    video_run: Vec<FragmentSample>,
    audio_run: Vec<FragmentSample>,
    /// For fMP4 pass-through: (track_ID, timescale) from the last init segment.
    mp4_timescales: Vec<(u32, u32)>,
    /// For fMP4 pass-through: the timestamp offset (seconds) of the last placed segment.
    mp4_offset: f64,
}

impl Transmuxer {
    /// A transmuxer that has seen nothing yet: its first segment gets an init segment.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets everything learnt from earlier segments (after a switch to a rendition with
    /// a different encode): the next segment gets a new init segment and a new mapping.
    pub fn reset(&mut self) {
        let sequence = self.sequence;
        *self = Self {
            sequence,
            ..Self::default()
        };
    }

    /// Transmuxes one whole MPEG-TS segment. Input that already is fMP4 passes through.
    pub fn transmux(
        &mut self,
        ts: &[u8],
        ctx: SegmentContext,
    ) -> Result<TransmuxedSegment, TransmuxError> {
        if isobmff::looks_like_mp4(ts) {
            return self.pass_through(ts, ctx);
        }
        let d = &mut self.demuxed;
        d.video.clear();
        d.audio.clear();
        d.id3.clear();
        d.warnings.clear();
        self.demuxer.demux(ts, d)?;
        d.video.finish();
        let w = &mut d.warnings;
        d.audio.finish(&mut |e| push_warning(w, e));

        let program = self.demuxer.program().ok_or(TransmuxError::NoProgram)?;
        if program.video.is_none() && program.audio.is_none() {
            return Err(TransmuxError::NoSupportedStream {
                stream_types: program.other_types.clone(),
            });
        }
        match video_config(&d.video) {
            Ok(Some(c)) => self.video_config = Some(c),
            Ok(None) => {}
            // A damaged SPS in a stream we already know: keep the known configuration.
            Err(e) if self.video_config.is_some() => push_warning(&mut d.warnings, e),
            Err(e) => return Err(e),
        }
        if let Some(c) = d.audio.config {
            self.audio_config = Some(c);
        }
        if !d.video.samples.is_empty() && self.video_config.is_none() {
            return Err(TransmuxError::MissingParameterSets { pid: d.video.pid });
        }
        // The track set follows the program, not this segment's luck: a short segment with
        // no audio frame must not drop the audio track (MSE rejects a changed track count).
        let video = self
            .video_config
            .as_ref()
            .filter(|_| program.video.is_some());
        let audio = self.audio_config.filter(|_| program.audio.is_some());
        let has_video = video.is_some() && !d.video.samples.is_empty();
        let has_audio = audio.is_some() && !d.audio.samples.is_empty();
        if !has_video && !has_audio {
            return Err(TransmuxError::Empty);
        }

        let tracks = (video.cloned(), audio);
        let init = if self.init_tracks.as_ref() != Some(&tracks) {
            let mut out = Vec::with_capacity(1024);
            fmp4::write_init(&mut out, tracks.0.as_ref(), tracks.1.as_ref());
            self.codecs.clear();
            if let Some(v) = &tracks.0 {
                v.info.push_codec_string(&mut self.codecs);
            }
            if let Some(a) = &tracks.1 {
                if !self.codecs.is_empty() {
                    self.codecs.push(',');
                }
                a.push_codec_string(&mut self.codecs);
            }
            self.init_tracks = Some(tracks);
            Some(out)
        } else {
            None
        };

        // One mapping for both tracks keeps them in sync.
        let v = &d.video.samples;
        let a = &d.audio.samples;
        let earliest = v
            .iter()
            .map(|s| s.pts)
            .chain(a.first().map(|s| s.pts))
            .min()
            .unwrap_or(0);
        let decode_delay = v.first().map_or(0, |s| s.pts - s.dts);
        let (map, jump) = self.timeline.mapping(
            ctx.discontinuity_sequence,
            ctx.start,
            earliest,
            decode_delay,
        );
        if let Some(ticks) = jump {
            push_warning(
                &mut d.warnings,
                TransmuxError::TimestampJump {
                    discontinuity_sequence: ctx.discontinuity_sequence,
                    millis: ticks / 90,
                },
            );
        }

        let (mut video_range, mut audio_range) = (None, None);
        let mut video_base = 0;
        self.video_run.clear();
        if has_video {
            let default_ticks = self
                .last_frame_ticks
                .or_else(|| {
                    self.video_config
                        .as_ref()
                        .and_then(|c| c.info.frame_duration)
                        .map(i64::from)
                })
                .unwrap_or(DEFAULT_FRAME_TICKS);
            let mut out_dts = v[0].dts + map.offset + map.decode_shift;
            if out_dts < 0 {
                push_warning(
                    &mut d.warnings,
                    TransmuxError::NegativeTime { track: "video" },
                );
                out_dts = 0;
            }
            video_base = out_dts;
            let mut last_good = default_ticks;
            let (mut first_pts, mut last_end) = (i64::MAX, i64::MIN);
            for (i, s) in v.iter().enumerate() {
                let delta = v.get(i + 1).map_or(last_good, |n| n.dts - s.dts);
                // Non-increasing or absurd DTS steps: keep the decode timeline monotonic.
                let duration = if (1..=90_000).contains(&delta) {
                    delta
                } else {
                    last_good
                };
                last_good = duration;
                let pts = s.pts + map.offset;
                let cto = (pts - out_dts).clamp(i64::from(i32::MIN), i64::from(i32::MAX));
                self.video_run.push(FragmentSample {
                    duration: duration as u32,
                    size: s.size,
                    flags: if s.key { FLAGS_SYNC } else { FLAGS_NON_SYNC },
                    composition_offset: cto as i32,
                });
                first_pts = first_pts.min(pts);
                last_end = last_end.max(pts + duration);
                out_dts += duration;
            }
            self.last_frame_ticks = Some(last_good);
            video_range = Some((first_pts as f64 / 90_000.0, last_end as f64 / 90_000.0));
        }

        let mut audio_base = 0;
        self.audio_run.clear();
        if let (true, Some(cfg)) = (has_audio, audio) {
            let rate = i64::from(cfg.sample_rate);
            // Whole seconds and the remainder apart: an epoch-sized playlist time times
            // 96 kHz would overflow i64, and i128 costs wasm bytes.
            let to_samples = |pts: i64| {
                let t = pts + map.offset;
                t.div_euclid(90_000) * rate + (t.rem_euclid(90_000) * rate + 45_000) / 90_000
            };
            let mut base = to_samples(a[0].pts);
            if let Some((disc, prev_end)) = self.audio_end {
                // Within half a frame of where the previous segment ended: continue from
                // there exactly, so that rounding never opens a gap or an overlap.
                if disc == ctx.discontinuity_sequence && (base - prev_end).abs() <= 512 {
                    base = prev_end;
                }
            }
            if base < 0 {
                push_warning(
                    &mut d.warnings,
                    TransmuxError::NegativeTime { track: "audio" },
                );
                base = 0;
            }
            audio_base = base;
            let mut next = base;
            for s in a {
                let due = to_samples(s.pts);
                // A hole of more than a frame (lost packets): stretch the previous frame so
                // that later frames keep their time and A/V sync holds.
                let hole = due - next;
                if hole > i64::from(s.duration) && hole <= 10 * rate {
                    if let Some(prev) = self.audio_run.last_mut() {
                        prev.duration = prev.duration.saturating_add(hole as u32);
                        next = due;
                    }
                }
                self.audio_run.push(FragmentSample {
                    duration: s.duration,
                    size: s.size,
                    flags: 0,
                    composition_offset: 0,
                });
                next += i64::from(s.duration);
            }
            self.audio_end = Some((ctx.discontinuity_sequence, next));
            audio_range = Some((base as f64 / rate as f64, next as f64 / rate as f64));
        }

        let mut runs = Vec::with_capacity(2);
        if has_video {
            runs.push(TrackRun {
                track_id: VIDEO_TRACK_ID,
                base_decode_time: video_base as u64,
                samples: &self.video_run,
                data: &d.video.data,
                video: true,
            });
        }
        if has_audio {
            runs.push(TrackRun {
                track_id: AUDIO_TRACK_ID,
                base_decode_time: audio_base as u64,
                samples: &self.audio_run,
                data: &d.audio.data,
                video: false,
            });
        }
        let size = 256
            + 16 * self.video_run.len()
            + 8 * self.audio_run.len()
            + d.video.data.len()
            + d.audio.data.len();
        let mut media = Vec::with_capacity(size);
        self.sequence = self.sequence.wrapping_add(1);
        fmp4::write_fragment(&mut media, self.sequence, &runs);

        let cues = d
            .id3
            .drain(..)
            .map(|(pts, frames)| TimedMetadata {
                time: pts.map_or(ctx.start, |p| (p + map.offset) as f64 / 90_000.0),
                frames,
            })
            .collect();
        let (start, end) = match (video_range, audio_range) {
            (Some(v), Some(a)) => (v.0.min(a.0), v.1.max(a.1)),
            (Some(r), None) | (None, Some(r)) => r,
            (None, None) => (ctx.start, ctx.start),
        };
        let (has_video, has_audio) = self
            .init_tracks
            .as_ref()
            .map_or((false, false), |t| (t.0.is_some(), t.1.is_some()));
        Ok(TransmuxedSegment {
            init,
            media,
            codecs: self.codecs.clone(),
            timestamp_offset: 0.0,
            start,
            end,
            video_range,
            audio_range,
            cues,
            has_video,
            has_audio,
            warnings: core::mem::take(&mut d.warnings),
        })
    }

    /// Remembers an fMP4 stream's init segment (EXT-X-MAP) so that its media segments can
    /// be placed by their `tfdt`. Returns its codec string.
    pub fn set_init_segment(&mut self, init: &[u8]) -> Result<String, Mp4Error> {
        self.mp4_timescales = isobmff::track_timescales(init)?;
        self.codecs = isobmff::codecs_from_init_segment(init)?;
        Ok(self.codecs.clone())
    }

    /// Where an fMP4 media segment (after [`set_init_segment`](Self::set_init_segment))
    /// belongs on the output timeline, without copying it: the bytes are appended unchanged
    /// after `SourceBuffer.timestampOffset` is set to the returned offset.
    ///
    /// Its own timestamps are trusted within a discontinuity sequence, as for MPEG-TS: the
    /// first segment seen of a sequence anchors it on its playlist start, later ones keep that
    /// offset. A stream whose timestamps restart at an `EXT-X-DISCONTINUITY` (an ad spliced
    /// in, a second encode) thus plays on instead of landing over what came before. A box
    /// structure too damaged to read a time from keeps the offset of the segment before it
    /// and is reported as a warning: the browser, which decodes it, is the judge of the rest.
    pub fn place_fmp4(&mut self, media: &[u8], ctx: SegmentContext) -> Fmp4Placement {
        let mut warnings = Vec::new();
        let own_range =
            isobmff::fragment_range(media, &self.mp4_timescales).unwrap_or_else(|error| {
                push_warning(&mut warnings, error.into());
                None
            });
        let offset = match own_range {
            Some((own_start, _)) => {
                let (mapping, jump) = self.timeline.mapping(
                    ctx.discontinuity_sequence,
                    ctx.start,
                    seconds_to_ticks(own_start),
                    0,
                );
                if let Some(ticks) = jump {
                    push_warning(
                        &mut warnings,
                        TransmuxError::TimestampJump {
                            discontinuity_sequence: ctx.discontinuity_sequence,
                            millis: ticks / 90,
                        },
                    );
                }
                self.mp4_offset = mapping.offset as f64 / 90_000.0;
                self.mp4_offset
            }
            None => self.mp4_offset,
        };
        let mut cues = Vec::new();
        let own_start = own_range.map_or(ctx.start - offset, |r| r.0);
        for (own_time, at, tag) in isobmff::emsg_id3(media, own_start) {
            match parse_id3(tag) {
                Ok(frames) if !frames.is_empty() => cues.push(TimedMetadata {
                    time: own_time + offset,
                    frames,
                }),
                Ok(_) => {}
                Err(source) => {
                    push_warning(&mut warnings, TransmuxError::BadEmsg { offset: at, source })
                }
            }
        }
        let (start, end) =
            own_range.map_or((ctx.start, ctx.start), |(s, e)| (s + offset, e + offset));
        Fmp4Placement {
            timestamp_offset: offset,
            start,
            end,
            cues,
            warnings,
        }
    }

    /// fMP4 input: returned unchanged (an init at its front is split off into `init`) and
    /// placed by [`place_fmp4`](Self::place_fmp4).
    fn pass_through(
        &mut self,
        data: &[u8],
        ctx: SegmentContext,
    ) -> Result<TransmuxedSegment, TransmuxError> {
        let mut split = 0;
        let mut has_moov = false;
        for b in Boxes::new(data, 0) {
            let b = b?;
            match &b.fourcc {
                b"ftyp" | b"moov" | b"free" => {
                    has_moov |= &b.fourcc == b"moov";
                    split = b.offset + b.body.len();
                }
                _ => break,
            }
        }
        let init = if has_moov {
            self.set_init_segment(&data[..split])?;
            Some(data[..split].to_vec())
        } else {
            None
        };
        let media = &data[split..];
        let mut placed = self.place_fmp4(media, ctx);
        for warning in &mut placed.warnings {
            if let TransmuxError::BadEmsg { offset, .. } = warning {
                *offset += split;
            }
        }
        let is = |prefixes: &[&str]| {
            self.codecs
                .split(',')
                .any(|c| prefixes.iter().any(|p| c.starts_with(p)))
        };
        Ok(TransmuxedSegment {
            init,
            media: media.to_vec(),
            codecs: self.codecs.clone(),
            timestamp_offset: placed.timestamp_offset,
            start: placed.start,
            end: placed.end,
            video_range: None,
            audio_range: None,
            cues: placed.cues,
            has_video: is(&["avc", "hvc", "hev", "vp09", "av01"]),
            has_audio: is(&["mp4a", "ac-3", "ec-3", "opus", "flac"]),
            warnings: placed.warnings,
        })
    }
}

#[cfg(test)]
#[path = "transmux_tests.rs"]
mod tests;
