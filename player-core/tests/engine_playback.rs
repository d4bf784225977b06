//! The engine driven by a simulated browser: an in-memory server, a media buffer that records
//! what was appended, and a clock. No real I/O, fully deterministic.

use std::collections::HashMap;

use player_core::error::ErrorCode;
use player_core::hls::buffer::{BufferedRanges, TimeRange};
use player_core::hls::engine::{FetchFailure, FetchedBody, MediaState};
use player_core::hls::{Command, Engine, EngineConfig, EngineEvent, RenditionChoice};

const BASE: &str = "https://cdn.test/show";

fn media_playlist(name: &str, segments: usize) -> String {
    let mut text = String::from(
        "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n\
         #EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MAP:URI=\"init.mp4\"\n",
    );
    for i in 0..segments {
        text.push_str(&format!("#EXTINF:2.000,\n{name}-seg{i:03}.m4s\n"));
    }
    text.push_str("#EXT-X-ENDLIST\n");
    text
}

const MASTER: &str = "#EXTM3U\n\
#EXT-X-STREAM-INF:BANDWIDTH=1100000,RESOLUTION=640x360,CODECS=\"avc1.4d401e,mp4a.40.2\"\n360p/index.m3u8\n\
#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=256x144,CODECS=\"avc1.4d400d,mp4a.40.2\"\n144p/index.m3u8\n\
#EXT-X-STREAM-INF:BANDWIDTH=600000,RESOLUTION=426x240,CODECS=\"avc1.4d4015,mp4a.40.2\"\n240p/index.m3u8\n";

/// A browser stand-in: serves files, "plays" appended segments into buffered ranges.
struct Sim {
    engine: Engine,
    files: HashMap<String, Vec<u8>>,
    /// Bytes per millisecond of the simulated link.
    link_bytes_per_ms: f64,
    now: f64,
    position: f64,
    buffered: Vec<(f64, f64)>,
    /// The media time range of each segment URL, to turn appends into buffered ranges.
    segment_times: HashMap<String, (f64, f64)>,
    pending_append_range: Option<(f64, f64)>,
    fetched: Vec<String>,
    events: Vec<EngineEvent>,
    commands: Vec<Command>,
    ended: bool,
}

impl Sim {
    fn new(segments: usize) -> Sim {
        let mut files = HashMap::new();
        let mut segment_times = HashMap::new();
        files.insert(format!("{BASE}/master.m3u8"), MASTER.as_bytes().to_vec());
        for name in ["360p", "240p", "144p"] {
            files.insert(
                format!("{BASE}/{name}/index.m3u8"),
                media_playlist(name, segments).into_bytes(),
            );
            files.insert(format!("{BASE}/{name}/init.mp4"), b"ftypmoov".to_vec());
            for i in 0..segments {
                let url = format!("{BASE}/{name}/{name}-seg{i:03}.m4s");
                let size = match name {
                    "360p" => 275_000,
                    "240p" => 150_000,
                    _ => 75_000,
                };
                files.insert(url.clone(), vec![0u8; size]);
                segment_times.insert(url, (i as f64 * 2.0, i as f64 * 2.0 + 2.0));
            }
        }
        Sim {
            engine: Engine::new(EngineConfig::default()),
            files,
            link_bytes_per_ms: 10_000.0 / 8.0 * 1000.0 / 1000.0, // 10 Mbit/s
            now: 0.0,
            position: 0.0,
            buffered: Vec::new(),
            segment_times,
            pending_append_range: None,
            fetched: Vec::new(),
            events: Vec::new(),
            commands: Vec::new(),
            ended: false,
        }
    }

    fn ranges(&self) -> BufferedRanges {
        BufferedRanges(
            self.buffered
                .iter()
                .map(|&(s, e)| TimeRange::new(s, e))
                .collect(),
        )
    }

    fn add_range(&mut self, (start, end): (f64, f64)) {
        self.buffered.push((start, end));
        self.buffered.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut merged: Vec<(f64, f64)> = Vec::new();
        for (s, e) in self.buffered.drain(..) {
            match merged.last_mut() {
                Some(last) if s <= last.1 + 1e-9 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        self.buffered = merged;
    }

    fn remove_range(&mut self, start: f64, end: f64) {
        let mut kept = Vec::new();
        for &(s, e) in &self.buffered {
            if e <= start || s >= end {
                kept.push((s, e));
            } else {
                if s < start {
                    kept.push((s, start));
                }
                if e > end {
                    kept.push((end, e));
                }
            }
        }
        self.buffered = kept;
    }

    /// Performs commands until the engine is idle. Fetches complete at link speed.
    fn run(&mut self) {
        while let Some(command) = self.engine.poll_command() {
            self.commands.push(command.clone());
            match command {
                Command::Fetch(request) => {
                    self.fetched.push(request.url.clone());
                    match self.files.get(&request.url).cloned() {
                        Some(bytes) => {
                            let elapsed = 5.0 + bytes.len() as f64 / self.link_bytes_per_ms;
                            self.now += elapsed;
                            self.pending_append_range =
                                self.segment_times.get(&request.url).copied();
                            let body = FetchedBody {
                                bytes,
                                url: request.url,
                                elapsed_ms: elapsed,
                            };
                            self.engine.handle_fetch_success(request.id, body, self.now);
                        }
                        None => self.engine.handle_fetch_failure(
                            request.id,
                            FetchFailure::Status(404),
                            self.now,
                        ),
                    }
                }
                Command::Append(_) => {
                    if let Some(range) = self.pending_append_range.take() {
                        self.add_range(range);
                    }
                    let ranges = self.ranges();
                    self.engine.handle_buffer_updated(ranges, self.now);
                }
                Command::Remove { start, end } => {
                    self.remove_range(start, end);
                    let ranges = self.ranges();
                    self.engine.handle_buffer_updated(ranges, self.now);
                }
                Command::EndOfStream => {
                    self.ended = true;
                    let ranges = self.ranges();
                    self.engine.handle_buffer_updated(ranges, self.now);
                }
                Command::AddSourceBuffer { .. }
                | Command::ChangeType { .. }
                | Command::SetDuration(_) => {
                    let ranges = self.ranges();
                    self.engine.handle_buffer_updated(ranges, self.now);
                }
                Command::Seek(t) => self.position = t,
                Command::Emit(event) => self.events.push(event),
                Command::Abort(_) => {}
            }
            if let Some(at) = self.engine.poll_timeout() {
                if self.engine.poll_command().is_none() {
                    // Idle but waiting for a retry: let time pass.
                    self.now = self.now.max(at);
                    self.engine.handle_timeout(self.now);
                }
            }
        }
    }

    /// Plays for `seconds` of media time in 250 ms steps (like `timeupdate`).
    fn play(&mut self, seconds: f64) {
        let steps = (seconds / 0.25).round() as usize;
        for _ in 0..steps {
            if self
                .ranges()
                .range_at(self.position)
                .is_some_and(|r| r.end > self.position + 0.25)
            {
                self.position += 0.25;
            }
            self.now += 250.0;
            let state = MediaState {
                position: self.position,
                paused: false,
                max_height: None,
            };
            self.engine.handle_media_state(state, self.now);
            self.run();
        }
    }

    fn segments_fetched(&self, rendition: &str) -> usize {
        self.fetched
            .iter()
            .filter(|u| u.contains(&format!("/{rendition}/")) && u.ends_with(".m4s"))
            .count()
    }
}

#[test]
fn loads_the_ladder_and_buffers_ahead_then_stops() {
    let mut sim = Sim::new(30);
    sim.engine.load(&format!("{BASE}/master.m3u8"), 0.0);
    sim.run();
    let loaded = sim.events.iter().find_map(|e| match e {
        EngineEvent::Loaded {
            renditions,
            live,
            duration,
        } => Some((renditions.clone(), *live, *duration)),
        _ => None,
    });
    let (renditions, live, duration) = loaded.expect("a Loaded event");
    assert_eq!(
        renditions.iter().map(|r| r.bandwidth).collect::<Vec<_>>(),
        vec![300_000, 600_000, 1_100_000]
    );
    assert!(!live);
    assert_eq!(duration, Some(60.0));
    // The forward buffer target is 30 s: fifteen 2 s segments, not the whole 60 s.
    let buffered_ahead = sim.ranges().ahead_of(0.0);
    assert!(
        (30.0..=32.0).contains(&buffered_ahead),
        "buffered {buffered_ahead}"
    );
    assert!(sim
        .commands
        .iter()
        .any(|c| matches!(c, Command::AddSourceBuffer { mime } if mime.contains("avc1."))));
    assert!(sim
        .commands
        .iter()
        .any(|c| matches!(c, Command::SetDuration(d) if *d == 60.0)));
}

#[test]
fn plays_to_the_end_without_stalling_and_ends_the_stream() {
    let mut sim = Sim::new(30);
    sim.engine.load(&format!("{BASE}/master.m3u8"), 0.0);
    sim.run();
    sim.play(70.0);
    assert!(sim.position >= 59.75, "reached {}", sim.position);
    assert!(sim.ended, "EndOfStream was sent");
    // Back buffer eviction kept memory bounded: nothing older than 30 s + slack remains.
    let start = sim.ranges().start().unwrap_or(0.0);
    assert!(
        start >= sim.position - 32.0,
        "oldest buffered {start} at {}",
        sim.position
    );
}

#[test]
fn adaptive_choice_moves_up_on_a_fast_link() {
    let mut sim = Sim::new(30);
    sim.engine.load(&format!("{BASE}/master.m3u8"), 0.0);
    sim.run();
    sim.play(20.0);
    assert_eq!(
        sim.engine.current_rendition(),
        Some(2),
        "10 Mbit/s sustains the top rendition"
    );
    assert!(sim.segments_fetched("360p") > 0);
}

#[test]
fn a_fixed_choice_replaces_the_forward_buffer_from_the_next_boundary() {
    let mut sim = Sim::new(30);
    sim.engine.load(&format!("{BASE}/master.m3u8"), 0.0);
    sim.run();
    sim.play(3.0);
    let before = sim.fetched.len();
    sim.engine.set_rendition(RenditionChoice::Fixed(0), sim.now);
    sim.run();
    let removed_from = sim.commands.iter().rev().find_map(|c| match c {
        Command::Remove { start, end } if end.is_infinite() => Some(*start),
        _ => None,
    });
    assert_eq!(
        removed_from,
        Some(4.0),
        "flushed from the end of the playing segment"
    );
    let after: Vec<_> = sim.fetched[before..]
        .iter()
        .filter(|u| u.ends_with(".m4s"))
        .collect();
    assert!(!after.is_empty());
    assert!(after.iter().all(|u| u.contains("/144p/")), "{after:?}");
    assert!(
        after[0].ends_with("144p-seg002.m4s"),
        "continues at the boundary: {}",
        after[0]
    );
}

#[test]
fn seeking_outside_the_buffer_loads_from_the_seek_target() {
    let mut sim = Sim::new(60);
    sim.engine.load(&format!("{BASE}/master.m3u8"), 0.0);
    sim.run();
    sim.position = 91.0;
    sim.engine.seek(91.0, sim.now);
    let before = sim.fetched.len();
    sim.run();
    let first = sim.fetched[before..]
        .iter()
        .find(|u| u.ends_with(".m4s"))
        .expect("a segment fetch");
    assert!(first.ends_with("seg045.m4s"), "{first}");
}

#[test]
fn a_missing_playlist_fails_after_bounded_retries_with_a_clear_error() {
    let mut sim = Sim::new(5);
    sim.engine.load(&format!("{BASE}/nope.m3u8"), 0.0);
    sim.run();
    let attempts = sim
        .fetched
        .iter()
        .filter(|u| u.ends_with("nope.m3u8"))
        .count();
    assert_eq!(
        attempts,
        EngineConfig::default().retry.max_attempts as usize
    );
    let error = sim.events.iter().find_map(|e| match e {
        EngineEvent::Error(error) => Some(error.clone()),
        _ => None,
    });
    let error = error.expect("an error event");
    assert_eq!(error.code, ErrorCode::ManifestLoad);
    assert!(error.fatal);
    assert!(error.message.contains("HTTP 404"), "{}", error.message);
    assert_eq!(error.url.as_deref(), Some(&*format!("{BASE}/nope.m3u8")));
    assert!(sim.engine.has_failed());
}

#[test]
fn a_web_page_instead_of_a_playlist_is_a_parse_error_naming_the_line() {
    let mut sim = Sim::new(5);
    sim.files.insert(
        format!("{BASE}/page.m3u8"),
        b"<!doctype html><p>hi</p>".to_vec(),
    );
    sim.engine.load(&format!("{BASE}/page.m3u8"), 0.0);
    sim.run();
    let error = sim.events.iter().find_map(|e| match e {
        EngineEvent::Error(error) => Some(error.clone()),
        _ => None,
    });
    let error = error.expect("an error event");
    assert_eq!(error.code, ErrorCode::ManifestParse);
    assert!(error.message.contains("line 1"), "{}", error.message);
}
