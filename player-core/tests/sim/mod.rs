//! A deterministic stand-in for a browser and a network, for driving the engine in tests.
//!
//! Time moves in fixed steps. Downloads share a link whose bandwidth follows a scripted trace;
//! playback consumes the buffer and stalls when it runs dry; the media buffer turns appended
//! segments back into time ranges. Quality-of-experience figures are recorded as it runs.

#![allow(dead_code)] // Each test file uses a different part of the simulator.

use std::collections::{HashMap, VecDeque};

use player_core::hls::buffer::{BufferedRanges, TimeRange};
use player_core::hls::engine::{FetchFailure, FetchedBody, MediaBufferFailure, MediaState};
use player_core::hls::{Command, Engine, EngineConfig, EngineEvent, RequestId};

pub const BASE: &str = "https://cdn.test/show";

/// A rendition of the simulated ladder.
#[derive(Clone, Copy)]
pub struct Rung {
    pub name: &'static str,
    pub bandwidth: u64,
    pub height: u32,
}

pub const LADDER: [Rung; 3] = [
    Rung {
        name: "144p",
        bandwidth: 300_000,
        height: 144,
    },
    Rung {
        name: "240p",
        bandwidth: 600_000,
        height: 240,
    },
    Rung {
        name: "360p",
        bandwidth: 1_100_000,
        height: 360,
    },
];

pub fn master_playlist() -> String {
    let mut text = String::from("#EXTM3U\n");
    // Deliberately not in bandwidth order: the engine sorts.
    for rung in [LADDER[2], LADDER[0], LADDER[1]] {
        let width = rung.height * 16 / 9;
        text.push_str(&format!(
            "#EXT-X-STREAM-INF:BANDWIDTH={},RESOLUTION={width}x{},CODECS=\"avc1.4d401e,mp4a.40.2\"\n{}/index.m3u8\n",
            rung.bandwidth, rung.height, rung.name
        ));
    }
    text
}

pub fn media_playlist(rung: &str, segments: usize, segment_s: f64) -> String {
    let mut text = format!(
        "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:{}\n#EXT-X-MEDIA-SEQUENCE:0\n\
         #EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MAP:URI=\"init.mp4\"\n",
        segment_s.ceil()
    );
    for i in 0..segments {
        text.push_str(&format!("#EXTINF:{segment_s:.3},\n{rung}-seg{i:05}.m4s\n"));
    }
    text.push_str("#EXT-X-ENDLIST\n");
    text
}

/// A live show the simulated server produces in real time over the ladder's segments.
pub struct LiveScript {
    pub window: usize,
    pub segment_s: f64,
    /// Stop producing (the playlist stays as it was) from this simulated time, in ms.
    pub frozen_at: Option<f64>,
    /// End the show (`EXT-X-ENDLIST`) at this simulated time, in ms.
    pub ended_at: Option<f64>,
    /// Product moments: (id, start in show seconds, duration, product id).
    pub moments: Vec<(&'static str, f64, f64, &'static str)>,
    /// Extra playlist header lines (e.g. `EXT-X-SERVER-CONTROL`).
    pub header: String,
    /// LL-HLS: parts of this many seconds, listed for the last segments and the one in progress.
    pub part_s: Option<f64>,
    /// LL-HLS: an `EXT-X-PRELOAD-HINT` names the next part before it exists.
    pub preload_hints: bool,
    /// LL-HLS: `EXT-X-RENDITION-REPORT`s tell where the other renditions' edges are.
    pub rendition_reports: bool,
}

/// The show's program date-time at show second 0: 2026-11-22T10:00:00Z.
pub const SHOW_EPOCH_MS: i64 = 1_795_341_600_000;

fn iso_date(unix_ms: i64) -> String {
    // Days-from-civil, inverted (Howard Hinnant's algorithm), enough for test dates.
    let days = unix_ms.div_euclid(86_400_000);
    let ms_of_day = unix_ms.rem_euclid(86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, sec, ms) = (
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1000 % 60,
        ms_of_day % 1000,
    );
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{sec:02}.{ms:03}Z")
}

impl LiveScript {
    pub fn new(window: usize) -> Self {
        LiveScript {
            window,
            segment_s: 2.0,
            frozen_at: None,
            ended_at: None,
            moments: Vec::new(),
            header: String::new(),
            part_s: None,
            preload_hints: false,
            rendition_reports: false,
        }
    }

    /// Show seconds produced by `now_ms` (production stops while frozen).
    fn produced_s(&self, now_ms: f64) -> f64 {
        self.frozen_at.map_or(now_ms, |f| f.min(now_ms)) / 1000.0
    }

    fn parts_per_segment(&self) -> u64 {
        self.part_s
            .map_or(0, |p| (self.segment_s / p).round() as u64)
    }

    /// Whether part `part` of segment `msn` exists at `now_ms` (a part number past the
    /// segment's last means part 0 of the next, as blocking reloads count).
    fn part_ready(&self, msn: u64, part: u64, now_ms: f64) -> bool {
        let Some(part_s) = self.part_s else {
            return self.segment_ready(msn, now_ms);
        };
        let per = self.parts_per_segment().max(1);
        let (msn, part) = (msn + part / per, part % per);
        let end = msn as f64 * self.segment_s + (part + 1) as f64 * part_s;
        self.produced_s(now_ms) + 1e-9 >= end
    }

    fn segment_ready(&self, msn: u64, now_ms: f64) -> bool {
        self.produced_s(now_ms) + 1e-9 >= (msn + 1) as f64 * self.segment_s
    }

    /// A blocking reload (`_HLS_msn`, `_HLS_part`) of the playlist is answered once this holds.
    fn reload_ready(&self, msn: u64, part: Option<u64>, now_ms: f64) -> bool {
        if self.ended_at.is_some_and(|e| e <= now_ms) {
            return true;
        }
        match part {
            Some(part) => self.part_ready(msn, part, now_ms),
            None => self.segment_ready(msn, now_ms),
        }
    }

    fn can_block(&self) -> bool {
        self.part_s.is_some() || self.header.contains("CAN-BLOCK-RELOAD=YES")
    }

    /// The media playlist of `rung` as the server would answer at `now_ms`.
    fn playlist(&self, rung: &str, now_ms: f64) -> String {
        let at = self.frozen_at.map_or(now_ms, |f| f.min(now_ms));
        let ended = self.ended_at.is_some_and(|e| e <= now_ms);
        let produced = (at / 1000.0 / self.segment_s).floor() as u64;
        let first = produced.saturating_sub(self.window as u64);
        let mut text = format!(
            "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:{}\n#EXT-X-MEDIA-SEQUENCE:{first}\n{}#EXT-X-MAP:URI=\"init.mp4\"\n",
            self.segment_s.ceil(),
            self.header
        );
        let pdt = SHOW_EPOCH_MS + (first as f64 * self.segment_s * 1000.0) as i64;
        text.push_str(&format!("#EXT-X-PROGRAM-DATE-TIME:{}\n", iso_date(pdt)));
        let window_start = first as f64 * self.segment_s;
        let window_end = produced as f64 * self.segment_s;
        for (id, start, duration, product) in &self.moments {
            if start + duration >= window_start && *start <= window_end {
                let date = iso_date(SHOW_EPOCH_MS + (start * 1000.0) as i64);
                text.push_str(&format!(
                    "#EXT-X-DATERANGE:ID=\"{id}\",CLASS=\"com.shoppable.product\",START-DATE=\"{date}\",DURATION={duration},X-PRODUCT-ID=\"{product}\"\n"
                ));
            }
        }
        if let Some(part_s) = self.part_s {
            text.push_str(&format!(
                "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK={:.3},HOLD-BACK={:.3}\n#EXT-X-PART-INF:PART-TARGET={part_s:.3}\n",
                3.0 * part_s,
                3.0 * self.segment_s
            ));
        }
        let parts_per_segment = self
            .part_s
            .map_or(0, |p| (self.segment_s / p).round() as u64);
        let part_lines = |text: &mut String, msn: u64, count: u64| {
            for k in 0..count {
                let independent = if k == 0 { ",INDEPENDENT=YES" } else { "" };
                text.push_str(&format!(
                    "#EXT-X-PART:DURATION={:.3},URI=\"{rung}-seg{msn:05}.part{k}.m4s\"{independent}\n",
                    self.part_s.unwrap_or(0.0)
                ));
            }
        };
        for msn in first..produced {
            if msn + 2 >= produced {
                part_lines(&mut text, msn, parts_per_segment);
            }
            text.push_str(&format!(
                "#EXTINF:{:.3},\n{rung}-seg{msn:05}.m4s\n",
                self.segment_s
            ));
        }
        if let (Some(part_s), false) = (self.part_s, ended) {
            let done = ((at / 1000.0 - produced as f64 * self.segment_s) / part_s).floor() as u64;
            let done = done.min(parts_per_segment.saturating_sub(1));
            part_lines(&mut text, produced, done);
            if self.preload_hints {
                text.push_str(&format!(
                    "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"{rung}-seg{produced:05}.part{done}.m4s\"\n"
                ));
            }
            if self.rendition_reports {
                let (msn, part) = match done.checked_sub(1) {
                    Some(part) => (produced, part),
                    None => (produced.saturating_sub(1), parts_per_segment - 1),
                };
                for other in LADDER.iter().filter(|r| r.name != rung) {
                    text.push_str(&format!(
                        "#EXT-X-RENDITION-REPORT:URI=\"../{}/index.m3u8\",LAST-MSN={msn},LAST-PART={part}\n",
                        other.name
                    ));
                }
            }
        }
        if ended {
            text.push_str("#EXT-X-ENDLIST\n");
        }
        text
    }
}

/// A file on the simulated server: its size and, for media, the time range it holds.
#[derive(Clone)]
struct ServedFile {
    body: Vec<u8>,
    /// Size on the wire when `body` is a stand-in (segments are not materialised).
    size: usize,
    media: Option<(f64, f64, u64)>,
}

struct Download {
    id: RequestId,
    url: String,
    started: f64,
    remaining_bytes: f64,
    /// Held by the server until what it asks for exists (LL-HLS blocking requests).
    hold: Option<Hold>,
}

/// What a held request waits for.
#[derive(Debug, Clone, Copy)]
enum Hold {
    /// A blocking playlist reload of `rung`: `_HLS_msn`, `_HLS_part`.
    Playlist {
        rung: &'static str,
        msn: u64,
        part: Option<u64>,
    },
    /// A part requested from a preload hint before it was produced.
    Part { msn: u64, part: u64 },
}

/// A request seen by the simulated server: when it was sent and when its last byte arrived.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub id: RequestId,
    pub url: String,
    pub sent_ms: f64,
    pub done_ms: Option<f64>,
}

/// Figures a viewer would notice.
#[derive(Debug, Default, Clone)]
pub struct Qoe {
    /// Time from load to the first frame, ms.
    pub startup_ms: Option<f64>,
    /// Time spent stalled after playback started, ms.
    pub stall_ms: f64,
    pub stalls: u32,
    /// Time-weighted bitrate of the media actually played, bit/s.
    pub mean_bitrate: f64,
    /// Changes of the played rendition.
    pub switches: u32,
    /// The most seconds of media ever buffered at once.
    pub max_buffered_s: f64,
    /// Segment bytes downloaded.
    pub bytes: u64,
}

pub struct Sim {
    pub engine: Engine,
    files: HashMap<String, ServedFile>,
    /// (from ms, bit/s) steps.
    trace: Vec<(f64, f64)>,
    pub latency_ms: f64,
    pub now: f64,
    pub step_ms: f64,
    pub position: f64,
    pub playing: bool,
    buffered: Vec<(f64, f64, u64)>,
    downloads: Vec<Download>,
    /// Media ranges of completed downloads, waiting for their `Append`.
    arrived: VecDeque<(f64, f64, u64)>,
    pub fetched: Vec<String>,
    /// Every request with its timing, in the order sent (query strings kept).
    pub exchanges: Vec<Exchange>,
    pub events: Vec<EngineEvent>,
    pub commands: Vec<Command>,
    pub ended: bool,
    pub qoe: Qoe,
    played_bitrate_s: f64,
    played_s: f64,
    last_played_bandwidth: Option<u64>,
    stalled: bool,
    next_media_tick: f64,
    wake_at: Option<f64>,
    /// Requests answered with this status instead of their body.
    pub failing: HashMap<String, u16>,
    /// The next N requests for these URLs are accepted and then never answered (a hung
    /// server): only the engine's own deadline ends them.
    pub hangs: HashMap<String, u32>,
    /// No request gets an answer: each fails at once as a network error (the viewer is
    /// offline).
    pub offline: bool,
    /// Like a wedged decoder: playback sticks at this position, data or not, until a seek.
    pub wedge_at: Option<f64>,
    /// The media buffer refuses appends (QuotaExceededError) beyond this many seconds.
    pub quota_s: Option<f64>,
    pub quota_errors: u32,
    /// Serve a live show instead of the on-demand playlists.
    pub live: Option<LiveScript>,
    /// Live media is placed on the engine's timeline, which starts at the first window seen
    /// (what the transmuxer does with real timestamps).
    live_offset: Option<f64>,
    /// The media element's playback rate.
    pub rate: f64,
}

impl Sim {
    /// A VOD ladder of `segments` segments of `segment_s` seconds on a constant link.
    pub fn new(segments: usize, segment_s: f64, bits_per_second: f64) -> Sim {
        Sim::with_config(
            segments,
            segment_s,
            bits_per_second,
            EngineConfig::default(),
        )
    }

    pub fn with_config(segments: usize, segment_s: f64, bps: f64, config: EngineConfig) -> Sim {
        let mut files = HashMap::new();
        let text = |t: String| ServedFile {
            size: t.len(),
            body: t.into_bytes(),
            media: None,
        };
        files.insert(format!("{BASE}/master.m3u8"), text(master_playlist()));
        for rung in LADDER {
            let playlist = media_playlist(rung.name, segments, segment_s);
            files.insert(format!("{BASE}/{}/index.m3u8", rung.name), text(playlist));
            files.insert(
                format!("{BASE}/{}/init.mp4", rung.name),
                ServedFile {
                    body: b"ftypmoov".to_vec(),
                    size: 800,
                    media: None,
                },
            );
            let size = (rung.bandwidth as f64 * segment_s / 8.0) as usize;
            for i in 0..segments {
                let start = i as f64 * segment_s;
                files.insert(
                    format!("{BASE}/{0}/{0}-seg{i:05}.m4s", rung.name),
                    ServedFile {
                        body: b"moofmdat".to_vec(),
                        size,
                        media: Some((start, start + segment_s, rung.bandwidth)),
                    },
                );
            }
        }
        Sim {
            engine: Engine::new(config),
            files,
            trace: vec![(0.0, bps)],
            latency_ms: 20.0,
            now: 0.0,
            step_ms: 50.0,
            position: 0.0,
            playing: true,
            buffered: Vec::new(),
            downloads: Vec::new(),
            arrived: VecDeque::new(),
            fetched: Vec::new(),
            exchanges: Vec::new(),
            events: Vec::new(),
            commands: Vec::new(),
            ended: false,
            qoe: Qoe::default(),
            played_bitrate_s: 0.0,
            played_s: 0.0,
            last_played_bandwidth: None,
            stalled: false,
            next_media_tick: 0.0,
            wake_at: None,
            failing: HashMap::new(),
            hangs: HashMap::new(),
            offline: false,
            wedge_at: None,
            quota_s: None,
            quota_errors: 0,
            live: None,
            live_offset: None,
            rate: 1.0,
        }
    }

    /// A live show over a ladder with `segments` source segments (enough for the run).
    pub fn live(script: LiveScript, bps: f64) -> Sim {
        let mut sim = Sim::new(4_000, script.segment_s, bps);
        sim.live = Some(script);
        sim
    }

    /// The live edge as the server has it now, on the engine's timeline.
    pub fn live_edge(&self) -> f64 {
        let Some(script) = &self.live else {
            return 0.0;
        };
        let at = script.frozen_at.map_or(self.now, |f| f.min(self.now));
        (at / 1000.0 / script.segment_s).floor() * script.segment_s
            + self.live_offset.unwrap_or(0.0)
    }

    /// Makes a segment's media end `seconds` early on every rendition, as AAC frames that do
    /// not line up with a discontinuity leave a hole of a few tens of milliseconds.
    pub fn trim_segment_end(&mut self, msn: u64, seconds: f64) {
        let suffix = format!("-seg{msn:05}.m4s");
        for (url, file) in self.files.iter_mut() {
            if url.ends_with(&suffix) {
                if let Some(media) = &mut file.media {
                    media.1 -= seconds;
                }
            }
        }
    }

    /// From `at_ms` on, the link carries `bps`.
    pub fn set_bandwidth_from(&mut self, at_ms: f64, bps: f64) {
        self.trace.push((at_ms, bps));
        self.trace.sort_by(|a, b| a.0.total_cmp(&b.0));
    }

    /// Serves every file under `from` again under `to` (a redundant copy of the stream on
    /// another server).
    pub fn mirror(&mut self, from: &str, to: &str) {
        let copies: Vec<(String, ServedFile)> = self
            .files
            .iter()
            .filter_map(|(url, file)| {
                let rest = url.strip_prefix(from)?;
                Some((format!("{to}{rest}"), file.clone()))
            })
            .collect();
        self.files.extend(copies);
    }

    pub fn serve_text(&mut self, url: &str, text: &str) {
        let file = ServedFile {
            body: text.as_bytes().to_vec(),
            size: text.len(),
            media: None,
        };
        self.files.insert(url.to_owned(), file);
    }

    fn bandwidth_at(&self, t: f64) -> f64 {
        self.trace
            .iter()
            .rev()
            .find(|(from, _)| *from <= t)
            .map_or(self.trace[0].1, |s| s.1)
    }

    /// The buffer as MSE reports it: adjacent pieces merged into one range.
    pub fn ranges(&self) -> BufferedRanges {
        let mut merged: Vec<TimeRange> = Vec::new();
        for &(start, end, _) in &self.buffered {
            match merged.last_mut() {
                Some(last) if start <= last.end + 1e-6 => last.end = last.end.max(end),
                _ => merged.push(TimeRange::new(start, end)),
            }
        }
        BufferedRanges(merged)
    }

    pub fn buffered_seconds(&self) -> f64 {
        self.buffered.iter().map(|(s, e, _)| e - s).sum()
    }

    pub fn load(&mut self, url: &str) {
        self.engine.load(url, self.now);
        self.drain();
    }

    pub fn load_ladder(&mut self) {
        self.load(&format!("{BASE}/master.m3u8"));
    }

    fn add_range(&mut self, (start, end, bandwidth): (f64, f64, u64)) {
        self.remove_range(start, end);
        self.buffered.push((start, end, bandwidth));
        self.buffered.sort_by(|a, b| a.0.total_cmp(&b.0));
    }

    fn remove_range(&mut self, start: f64, end: f64) {
        let mut kept = Vec::new();
        for &(s, e, b) in &self.buffered {
            if e <= start || s >= end {
                kept.push((s, e, b));
            } else {
                if s < start {
                    kept.push((s, start, b));
                }
                if e > end {
                    kept.push((end, e, b));
                }
            }
        }
        self.buffered = kept;
    }

    /// The buffered span holding `t`, merging adjacent pieces as MSE reports them.
    fn piece_at(&self, t: f64) -> Option<(f64, u64)> {
        let piece = self
            .buffered
            .iter()
            .find(|(s, e, _)| *s <= t + 1e-9 && t < *e - 1e-9)?;
        let mut end = piece.1;
        for &(s, e, _) in &self.buffered {
            if (s - end).abs() < 1e-6 {
                end = e;
            }
        }
        Some((end, piece.2))
    }

    fn buffer_updated(&mut self) {
        let ranges = self.ranges();
        self.engine.handle_buffer_updated(ranges, self.now);
    }

    /// Performs every command the engine has queued.
    pub fn drain(&mut self) {
        while let Some(command) = self.engine.poll_command() {
            self.commands.push(command.clone());
            match command {
                Command::Fetch(request) => {
                    self.fetched.push(request.url.clone());
                    self.exchanges.push(Exchange {
                        id: request.id,
                        url: request.url.clone(),
                        sent_ms: self.now,
                        done_ms: None,
                    });
                    let path = request.url.split('?').next().unwrap_or_default().to_owned();
                    let hold = self.live.as_ref().and_then(|script| {
                        if let Some(rung) = live_rung(&path) {
                            let msn = query_number(&request.url, "_HLS_msn")?;
                            let part = query_number(&request.url, "_HLS_part");
                            let wait =
                                script.can_block() && !script.reload_ready(msn, part, self.now);
                            return wait.then_some(Hold::Playlist { rung, msn, part });
                        }
                        let (msn, part, _) = live_part(&path)?;
                        (!script.part_ready(msn, part, self.now))
                            .then_some(Hold::Part { msn, part })
                    });
                    if let (Some(script), Some(rung)) = (&self.live, live_rung(&path)) {
                        let text = script.playlist(rung, self.now);
                        if self.live_offset.is_none() {
                            let first: f64 = text
                                .lines()
                                .find_map(|l| l.strip_prefix("#EXT-X-MEDIA-SEQUENCE:"))
                                .and_then(|n| n.parse().ok())
                                .unwrap_or(0.0);
                            self.live_offset = Some(-first * script.segment_s);
                        }
                        let file = ServedFile {
                            size: text.len(),
                            body: text.into_bytes(),
                            media: None,
                        };
                        self.files.insert(path.clone(), file);
                    }
                    if let (Some(script), Some((msn, k, bandwidth))) =
                        (&self.live, live_part(&path))
                    {
                        let part_s = script.part_s.unwrap_or(0.5);
                        let start = msn as f64 * script.segment_s + k as f64 * part_s;
                        let size = (bandwidth as f64 * part_s / 8.0) as usize;
                        let media = Some((start, start + part_s, bandwidth));
                        let file = ServedFile {
                            body: b"moofmdat".to_vec(),
                            size,
                            media,
                        };
                        self.files.insert(path.clone(), file);
                    }
                    let request = player_core::hls::FetchRequest {
                        url: path,
                        ..request
                    };
                    if self.offline {
                        let failure = FetchFailure::Network("offline".into());
                        self.engine
                            .handle_fetch_failure(request.id, failure, self.now);
                        continue;
                    }
                    if let Some(left) = self.hangs.get_mut(&request.url).filter(|n| **n > 0) {
                        *left -= 1;
                        self.downloads.push(Download {
                            id: request.id,
                            url: request.url,
                            started: self.now,
                            remaining_bytes: f64::INFINITY,
                            hold: None,
                        });
                        continue;
                    }
                    if let Some(&status) = self.failing.get(&request.url) {
                        let failure = FetchFailure::Status(status);
                        self.engine
                            .handle_fetch_failure(request.id, failure, self.now);
                        continue;
                    }
                    match self.files.get(&request.url) {
                        Some(file) => self.downloads.push(Download {
                            id: request.id,
                            url: request.url,
                            started: self.now,
                            remaining_bytes: file.size as f64,
                            hold,
                        }),
                        None => {
                            let failure = FetchFailure::Status(404);
                            self.engine
                                .handle_fetch_failure(request.id, failure, self.now);
                        }
                    }
                }
                Command::Abort(id) => self.downloads.retain(|d| d.id != id),
                Command::Append(_) => {
                    if let Some(range) = self.arrived.pop_front() {
                        let size = range.1 - range.0;
                        if self
                            .quota_s
                            .is_some_and(|q| self.buffered_seconds() + size > q)
                        {
                            self.quota_errors += 1;
                            let failure = MediaBufferFailure::QuotaExceeded;
                            self.engine.handle_buffer_error(failure, self.now);
                            continue;
                        }
                        let offset = self.live_offset.unwrap_or(0.0);
                        self.add_range((range.0 + offset, range.1 + offset, range.2));
                    }
                    self.buffer_updated();
                }
                Command::Remove { start, end } => {
                    self.remove_range(start, end);
                    self.buffer_updated();
                }
                Command::EndOfStream => {
                    self.ended = true;
                    self.buffer_updated();
                }
                Command::AddSourceBuffer { .. }
                | Command::ChangeType { .. }
                | Command::SetTimestampOffset(_)
                | Command::SetDuration(_) => self.buffer_updated(),
                Command::Seek(t) => {
                    self.position = t;
                    self.wedge_at = None;
                    self.engine.seek(t, self.now);
                }
                Command::SetPlaybackRate(rate) => self.rate = rate,
                Command::SetLiveSeekableRange { .. } => self.buffer_updated(),
                Command::Emit(event) => self.events.push(event),
            }
        }
        self.wake_at = self.engine.poll_timeout();
        self.qoe.max_buffered_s = self.qoe.max_buffered_s.max(self.buffered_seconds());
    }

    /// Releases held requests whose resource now exists (the playlist is written as it is
    /// then), and answers 503 to those held longer than three target durations.
    fn release_holds(&mut self) {
        let Some(script) = &self.live else {
            return;
        };
        let limit_ms = 3.0 * script.segment_s.ceil() * 1000.0;
        let mut timed_out = Vec::new();
        let mut rewritten = Vec::new();
        for download in &mut self.downloads {
            let Some(hold) = download.hold else {
                continue;
            };
            let ready = match hold {
                Hold::Playlist { msn, part, .. } => script.reload_ready(msn, part, self.now),
                Hold::Part { msn, part } => script.part_ready(msn, part, self.now),
            };
            if ready {
                download.hold = None;
                // The first byte leaves the server now.
                download.started = self.now;
                if let Hold::Playlist { rung, .. } = hold {
                    let text = script.playlist(rung, self.now);
                    download.remaining_bytes = text.len() as f64;
                    rewritten.push((download.url.clone(), text));
                }
            } else if self.now - download.started >= limit_ms {
                timed_out.push(download.id);
            }
        }
        for (url, text) in rewritten {
            self.serve_text(&url, &text);
        }
        for id in timed_out {
            self.downloads.retain(|d| d.id != id);
            let failure = FetchFailure::Status(503);
            self.engine.handle_fetch_failure(id, failure, self.now);
            self.drain();
        }
    }

    fn step(&mut self) {
        let dt = self.step_ms;
        self.release_holds();
        // Downloads share the link equally, after their first-byte latency.
        let active: Vec<usize> = (0..self.downloads.len())
            .filter(|&i| {
                let d = &self.downloads[i];
                d.hold.is_none() && self.now - d.started >= self.latency_ms
            })
            .collect();
        if !active.is_empty() {
            let share = self.bandwidth_at(self.now) / 8.0 / 1000.0 * dt / active.len() as f64;
            for &i in &active {
                self.downloads[i].remaining_bytes -= share;
            }
        }
        self.now += dt;
        let done: Vec<Download> = {
            let (done, pending) = std::mem::take(&mut self.downloads)
                .into_iter()
                .partition(|d| d.remaining_bytes <= 0.0);
            self.downloads = pending;
            done
        };
        for download in done {
            if let Some(exchange) = self.exchanges.iter_mut().find(|e| e.id == download.id) {
                exchange.done_ms = Some(self.now);
            }
            let file = self.files[&download.url].clone();
            if let Some(media) = file.media {
                self.arrived.push_back(media);
                self.qoe.bytes += file.size as u64;
            }
            let body = FetchedBody {
                bytes: if file.media.is_some() {
                    vec![0; file.size]
                } else {
                    file.body
                },
                url: download.url,
                elapsed_ms: self.now - download.started,
            };
            self.engine
                .handle_fetch_success(download.id, body, self.now);
            self.drain();
        }

        // Playback.
        if self.playing && !self.ended_playing() {
            let wedged = self
                .wedge_at
                .is_some_and(|w| (w - self.position).abs() < 0.05);
            match self.piece_at(self.position) {
                Some((end, bandwidth)) if end - self.position >= dt / 1000.0 && !wedged => {
                    if self.qoe.startup_ms.is_none() {
                        self.qoe.startup_ms = Some(self.now);
                    }
                    if self.stalled {
                        self.stalled = false;
                    }
                    self.position += dt / 1000.0 * self.rate;
                    self.played_s += dt / 1000.0;
                    self.played_bitrate_s += bandwidth as f64 * dt / 1000.0;
                    if self.last_played_bandwidth.is_some_and(|b| b != bandwidth) {
                        self.qoe.switches += 1;
                    }
                    self.last_played_bandwidth = Some(bandwidth);
                }
                _ if self.qoe.startup_ms.is_some() => {
                    if !self.stalled {
                        self.stalled = true;
                        self.qoe.stalls += 1;
                    }
                    self.qoe.stall_ms += dt;
                }
                _ => {}
            }
        }
        if self.now >= self.next_media_tick {
            self.next_media_tick = self.now + 250.0;
            let state = MediaState {
                position: self.position,
                paused: !self.playing,
                waiting: self.stalled,
                max_height: None,
            };
            self.engine.handle_media_state(state, self.now);
            self.drain();
        }
        if self.wake_at.is_some_and(|at| at <= self.now) {
            self.engine.handle_timeout(self.now);
            self.drain();
        }
        if self.played_s > 0.0 {
            self.qoe.mean_bitrate = self.played_bitrate_s / self.played_s;
        }
    }

    /// True once the playhead reached the end of an ended stream.
    pub fn ended_playing(&self) -> bool {
        let last_end = self.buffered.iter().map(|b| b.1).fold(0.0, f64::max);
        self.ended && self.position >= last_end - 0.05
    }

    /// Runs for `ms` of simulated time.
    pub fn run_for(&mut self, ms: f64) {
        let until = self.now + ms;
        while self.now < until {
            self.step();
        }
    }

    /// The viewer seeks to `t`.
    pub fn seek(&mut self, t: f64) {
        self.position = t;
        self.engine.seek(t, self.now);
        self.drain();
    }

    pub fn segments_fetched(&self, rung: &str) -> usize {
        let part = format!("/{rung}/");
        self.fetched
            .iter()
            .filter(|u| u.contains(&part) && u.ends_with(".m4s"))
            .count()
    }

    pub fn last_error(&self) -> Option<player_core::error::PlayerError> {
        self.events.iter().rev().find_map(|e| match e {
            EngineEvent::Error(error) => Some(error.clone()),
            _ => None,
        })
    }
}

/// The rendition of a live media playlist URL (`…/{rung}/index.m3u8`).
fn live_rung(url: &str) -> Option<&'static str> {
    let rest = url.strip_prefix(BASE)?.strip_prefix('/')?;
    let (rung, file) = rest.split_once('/')?;
    if file != "index.m3u8" {
        return None;
    }
    LADDER.iter().find(|r| r.name == rung).map(|r| r.name)
}

/// The decimal value of query parameter `name` in `url`.
fn query_number(url: &str, name: &str) -> Option<u64> {
    let (_, query) = url.split_once('?')?;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))?
        .parse()
        .ok()
}

/// A live part URL (`…/{rung}/{rung}-seg{msn}.part{k}.m4s`): its segment, part and bandwidth.
fn live_part(url: &str) -> Option<(u64, u64, u64)> {
    let file = url.rsplit('/').next()?;
    let (name, rest) = file.split_once("-seg")?;
    let (msn, rest) = rest.split_once(".part")?;
    let k = rest.strip_suffix(".m4s")?;
    let bandwidth = LADDER.iter().find(|r| r.name == name)?.bandwidth;
    Some((msn.parse().ok()?, k.parse().ok()?, bandwidth))
}
