//! The live show's playlists as text, and the LL-HLS blocking-reload arithmetic, as pure
//! functions of where the stream stands ([`Position`]).

use std::fmt::Write as _;

use player_core::hls::playlist::DateTime;

use super::source::{PreparedRendition, Source};
use super::timeline::{occurrences, seconds, Micros, Moment, Schedule, MICROS_PER_SECOND};

/// LL-HLS `PART-TARGET`.
pub const PART_TARGET: Micros = MICROS_PER_SECOND / 2;
/// `PART-HOLD-BACK`: three part targets, as Apple recommends (the spec's floor is two).
const PART_HOLD_BACK: Micros = 3 * PART_TARGET;

/// Plain HLS, or Low-Latency HLS with parts, blocking reloads and delta updates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    Plain,
    LowLatency,
}

/// How an LL-HLS stream addresses its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartLayout {
    /// Byte ranges of the segment's own resource (`seg_{msn}.ts`); the preload hint is an
    /// open-ended range of the segment in progress.
    ByteRanges,
    /// Each part a resource of its own (`seg_{msn}.part{n}.ts`), as Apple's packagers
    /// write them; the preload hint names the next part's resource.
    Resources,
}

/// The name of part `part` of segment `msn` as a resource of its own.
pub fn part_file(msn: u64, part: u64) -> String {
    format!("seg_{msn}.part{part}.ts")
}

/// The (segment, part) a part file name stands for (see [`part_file`]).
pub fn parse_part_file(file: &str) -> Option<(u64, u64)> {
    let (msn, part) = file
        .strip_prefix("seg_")?
        .strip_suffix(".ts")?
        .split_once(".part")?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(msn) || !digits(part) {
        return None;
    }
    Some((msn.parse().ok()?, part.parse().ok()?))
}

/// Where the stream stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// Live, at this stream time.
    Live(Micros),
    /// The show is over: segments up to and including `last` exist, nothing more will.
    Ended { last: u64 },
}

/// What a rendition has published at a [`Position`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    /// Segments complete: also the sequence number of the segment in progress.
    pub complete: u64,
    /// Parts of the segment in progress published (always 0 in plain mode).
    pub parts: u64,
    pub ended: bool,
}

/// Everything a live show's playlists depend on besides the position.
pub struct Show<'a> {
    pub schedule: &'a Schedule,
    pub renditions: &'a [PreparedRendition],
    /// Rendition names (directories), in the order of `renditions`.
    pub names: &'a [&'a str],
    pub mode: Mode,
    pub parts: PartLayout,
    /// How many complete segments the playlist lists.
    pub window: u64,
    pub moments: &'a [Moment],
    /// Wall-clock time of stream time 0, in Unix milliseconds.
    pub origin_unix_ms: i64,
}

/// What to do with a blocking playlist request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reload {
    /// Answer now.
    Now,
    /// The requested segment or part appears at this stream time.
    At(Micros),
    /// Answer 400 Bad Request, with this reason.
    Refuse(String),
}

impl Show<'_> {
    /// `EXT-X-TARGETDURATION`: the longest segment, rounded to the nearest second.
    pub fn target_duration(&self) -> u64 {
        (0..self.schedule.source_len())
            .map(|i| (self.schedule.duration(i) + MICROS_PER_SECOND / 2) / MICROS_PER_SECOND)
            .max()
            .unwrap_or(1)
            .max(1)
    }

    /// `CAN-SKIP-UNTIL`: six target durations, the spec's minimum.
    pub fn skip_until(&self) -> Micros {
        6 * self.target_duration() * MICROS_PER_SECOND
    }

    /// How long a blocking request may be held: three target durations.
    pub fn block_limit(&self) -> Micros {
        3 * self.target_duration() * MICROS_PER_SECOND
    }

    /// RFC 8216bis §6.2.5.2: the Advance Part Limit, 3 s worth of parts.
    fn advance_part_limit(&self) -> u64 {
        (3 * MICROS_PER_SECOND).div_ceil(PART_TARGET)
    }

    pub fn edge(&self, rendition: usize, position: Position) -> Edge {
        match position {
            Position::Ended { last } => Edge {
                complete: last + 1,
                parts: 0,
                ended: true,
            },
            Position::Live(t) => {
                let complete = self.schedule.complete_at(t);
                let parts = match self.mode {
                    Mode::Plain => 0,
                    Mode::LowLatency => self.renditions[rendition].parts_complete(
                        self.schedule,
                        complete,
                        t - self.schedule.start(complete),
                    ),
                };
                Edge {
                    complete,
                    parts,
                    ended: false,
                }
            }
        }
    }

    /// The end of the media published, parts included.
    fn published_end(&self, rendition: usize, edge: Edge) -> Micros {
        let start = self.schedule.start(edge.complete);
        match edge.parts {
            0 => start,
            parts => {
                start + self.renditions[rendition].part_end(self.schedule, edge.complete, parts - 1)
            }
        }
    }

    /// The last part published: (segment, part index).
    fn last_part(&self, rendition: usize, edge: Edge) -> Option<(u64, u64)> {
        if edge.parts > 0 {
            return Some((edge.complete, edge.parts - 1));
        }
        let msn = edge.complete.checked_sub(1)?;
        let count = self.renditions[rendition].parts(self.schedule, msn).len() as u64;
        Some((msn, count - 1))
    }

    fn program_date_time(&self, t: Micros) -> DateTime {
        DateTime::from_unix_millis(self.origin_unix_ms + (t / 1000) as i64)
    }

    /// The Media Playlist of `rendition`; `skip` asks for a delta update (`_HLS_skip=YES`),
    /// which only LL-HLS live playlists honour.
    #[cfg(test)]
    pub fn media_playlist(&self, rendition: usize, position: Position, skip: bool) -> String {
        self.media_playlist_listing(rendition, position, skip).0
    }

    /// [`Self::media_playlist`], and the (segment, part) of every `EXT-X-PART` it lists.
    pub fn media_playlist_listing(
        &self,
        rendition: usize,
        position: Position,
        skip: bool,
    ) -> (String, Vec<(u64, u64)>) {
        let schedule = self.schedule;
        let source = &self.renditions[rendition];
        let edge = self.edge(rendition, position);
        let low_latency = self.mode == Mode::LowLatency;
        let target = self.target_duration();
        let first = edge.complete.saturating_sub(self.window);
        let published_end = self.published_end(rendition, edge);
        let mut out = String::new();
        let mut line = |text: &str| {
            out.push_str(text);
            out.push('\n');
        };

        line("#EXTM3U");
        // EXT-X-SKIP needs version 9; plain playlists need 3 for decimal durations.
        line(&format!(
            "#EXT-X-VERSION:{}",
            if low_latency { 9 } else { 3 }
        ));
        line(&format!("#EXT-X-TARGETDURATION:{target}"));
        if low_latency {
            line(&format!(
                "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL={},HOLD-BACK={},PART-HOLD-BACK={}",
                seconds(self.skip_until()),
                seconds(3 * target * MICROS_PER_SECOND),
                seconds(PART_HOLD_BACK)
            ));
            line(&format!(
                "#EXT-X-PART-INF:PART-TARGET={}",
                seconds(PART_TARGET)
            ));
        }
        line(&format!("#EXT-X-MEDIA-SEQUENCE:{first}"));
        // The discontinuities before the first segment; its own tag stays with it.
        let before_first = schedule.loop_of(first) - u64::from(schedule.is_discontinuity(first));
        line(&format!("#EXT-X-DISCONTINUITY-SEQUENCE:{before_first}"));
        line("#EXT-X-INDEPENDENT-SEGMENTS");

        // Delta update: segments further than CAN-SKIP-UNTIL from the end are left out.
        let mut listed = first;
        if low_latency && skip && !edge.ended {
            let boundary = published_end.saturating_sub(self.skip_until());
            while listed < edge.complete && schedule.end(listed) <= boundary {
                listed += 1;
            }
            line(&format!("#EXT-X-SKIP:SKIPPED-SEGMENTS={}", listed - first));
        }

        // Date ranges overlapping the full window (a delta update keeps them all: this server
        // does not offer CAN-SKIP-DATERANGES), each before the segment where it starts.
        let date_range_moments: Vec<Moment> = self
            .moments
            .iter()
            .filter(|m| m.carriage.date_range)
            .cloned()
            .collect();
        let mut ranges = occurrences(
            &date_range_moments,
            schedule,
            schedule.start(first),
            published_end,
        )
        .into_iter()
        .peekable();
        let mut date_ranges_until = |end: Micros, line: &mut dyn FnMut(&str)| {
            while let Some(range) = ranges.next_if(|r| r.start < end) {
                line(&format!(
                    "#EXT-X-DATERANGE:ID=\"{}\",CLASS=\"com.shoppable.product\",START-DATE=\"{}\",DURATION={},X-PRODUCT-ID=\"{}\"",
                    range.id(),
                    self.program_date_time(range.start),
                    seconds(range.end - range.start),
                    range.moment.product
                ));
            }
        };
        let mut listed_parts = Vec::new();
        let layout = self.parts;
        let mut part_lines = |msn: u64, count: usize, line: &mut dyn FnMut(&str)| {
            for (index, part) in source.parts(schedule, msn).iter().take(count).enumerate() {
                let index = index as u64;
                listed_parts.push((msn, index));
                let address = match layout {
                    PartLayout::ByteRanges => {
                        format!(
                            "URI=\"seg_{msn}.ts\",BYTERANGE=\"{}@{}\"",
                            part.length, part.offset
                        )
                    }
                    PartLayout::Resources => format!("URI=\"{}\"", part_file(msn, index)),
                };
                line(&format!(
                    "#EXT-X-PART:DURATION={},{address}{}",
                    seconds(part.duration),
                    if part.independent {
                        ",INDEPENDENT=YES"
                    } else {
                        ""
                    }
                ));
            }
        };
        // EXT-X-PART tags are kept for segments ending within three target durations of
        // the end (RFC 8216bis §6.2.2).
        let parts_from = published_end.saturating_sub(3 * target * MICROS_PER_SECOND);

        for msn in listed..edge.complete {
            date_ranges_until(schedule.end(msn), &mut line);
            if schedule.is_discontinuity(msn) {
                line("#EXT-X-DISCONTINUITY");
            }
            if msn == listed || schedule.is_discontinuity(msn) {
                line(&format!(
                    "#EXT-X-PROGRAM-DATE-TIME:{}",
                    self.program_date_time(schedule.start(msn))
                ));
            }
            if low_latency && schedule.end(msn) > parts_from {
                part_lines(msn, usize::MAX, &mut line);
            }
            line(&format!("#EXTINF:{},", seconds(schedule.duration(msn))));
            line(&format!("seg_{msn}.ts"));
        }

        if edge.ended {
            line("#EXT-X-ENDLIST");
        } else if low_latency {
            let msn = edge.complete;
            if edge.parts > 0 {
                date_ranges_until(published_end, &mut line);
                if schedule.is_discontinuity(msn) {
                    line("#EXT-X-DISCONTINUITY");
                }
                if msn == listed || schedule.is_discontinuity(msn) {
                    line(&format!(
                        "#EXT-X-PROGRAM-DATE-TIME:{}",
                        self.program_date_time(schedule.start(msn))
                    ));
                }
                part_lines(msn, edge.parts as usize, &mut line);
            }
            let next = source.parts(schedule, msn)[edge.parts as usize];
            line(&match self.parts {
                PartLayout::ByteRanges => format!(
                    "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"seg_{msn}.ts\",BYTERANGE-START={}",
                    next.offset
                ),
                PartLayout::Resources => format!(
                    "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"{}\"",
                    part_file(msn, edge.parts)
                ),
            });
        }

        // Where the other renditions stand, for switching at the live edge.
        if low_latency && !edge.ended {
            for (other, name) in self.names.iter().enumerate() {
                if other == rendition {
                    continue;
                }
                let report = self.edge(other, position);
                if let Some((msn, part)) = self.last_part(other, report) {
                    line(&format!(
                        "#EXT-X-RENDITION-REPORT:URI=\"../{name}/index.m3u8\",LAST-MSN={msn},LAST-PART={part}"
                    ));
                }
            }
        }
        (out, listed_parts)
    }

    /// Blocking Playlist Reload (RFC 8216bis §6.2.5.2): whether a request for segment `msn`
    /// (and part `part` of it) can be answered at `position`, or when it can.
    pub fn reload(
        &self,
        rendition: usize,
        position: Position,
        msn: u64,
        part: Option<u64>,
    ) -> Reload {
        let edge = self.edge(rendition, position);
        if edge.ended || self.mode == Mode::Plain {
            return Reload::Now;
        }
        let schedule = self.schedule;
        let source = &self.renditions[rendition];
        let last = self.last_part(rendition, edge);
        let last_msn = last.map_or(0, |(msn, _)| msn);
        if msn > last_msn + 2 {
            return Reload::Refuse(format!(
                "_HLS_msn={msn} is more than two segments past the last one ({last_msn})"
            ));
        }
        let Some(part) = part else {
            return if msn < edge.complete {
                Reload::Now
            } else {
                Reload::At(schedule.end(msn))
            };
        };
        // A part past the segment's last is part 0 of the next segment.
        let (msn, part) = if part >= source.parts(schedule, msn).len() as u64 {
            (msn + 1, 0)
        } else {
            (msn, part)
        };
        let wanted = source.absolute_part(schedule, msn, part);
        let published = source.absolute_part(schedule, edge.complete, edge.parts);
        let limit = self.advance_part_limit();
        if wanted >= published + limit {
            return Reload::Refuse(format!(
                "_HLS_part={part} of segment {msn} is more than {limit} parts past the last one"
            ));
        }
        if wanted < published {
            Reload::Now
        } else {
            Reload::At(schedule.start(msn) + source.part_end(schedule, msn, part))
        }
    }
}

/// The Multivariant Playlist over the source's renditions.
pub fn multivariant_playlist(source: &Source) -> String {
    let mut out = String::from("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n");
    for rendition in &source.renditions {
        let mut attributes = format!("BANDWIDTH={}", rendition.bandwidth);
        if let Some(average) = rendition.average_bandwidth {
            let _ = write!(attributes, ",AVERAGE-BANDWIDTH={average}");
        }
        if let Some(resolution) = rendition.resolution {
            let _ = write!(
                attributes,
                ",RESOLUTION={}x{}",
                resolution.width, resolution.height
            );
        }
        if let Some(rate) = rendition.frame_rate {
            let _ = write!(
                attributes,
                ",FRAME-RATE={}",
                seconds((rate * 1e6).round() as Micros)
            );
        }
        if let Some(codecs) = &rendition.codecs {
            let _ = write!(attributes, ",CODECS=\"{codecs}\"");
        }
        let _ = writeln!(
            out,
            "#EXT-X-STREAM-INF:{attributes}\n{}/index.m3u8",
            rendition.name
        );
    }
    out
}
