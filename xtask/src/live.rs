//! The live simulator: a live show, in plain HLS or LL-HLS, made from the on-demand fixture
//! ladder (`tests/fixtures/streams/vod-ts`), so the live demo and the live tests work
//! offline. The source loops forever; every wrap to its start is an `EXT-X-DISCONTINUITY`.
//! Product moments come as `EXT-X-DATERANGE` in the playlists and as ID3 timed metadata in
//! the segments. `docs/live.md` is the user's guide; this is the map.
//!
//! Routes (`{name}`: letters, digits, `-`, `_`; a name ending in `-ll` is LL-HLS with parts
//! as byte ranges of their segments, one ending in `-ll-parts` LL-HLS with each part a
//! resource of its own):
//! - `GET /live/{name}/master.m3u8`: the multivariant playlist over the ladder.
//! - `GET /live/{name}/{rendition}/index.m3u8`: the sliding-window media playlist; LL-HLS
//!   streams honour `_HLS_msn`, `_HLS_part` (blocking reload) and `_HLS_skip=YES` (delta).
//! - `GET /live/{name}/{rendition}/seg_{msn}.ts`: a segment, `Range` requests included; in
//!   LL-HLS the segment in progress is sent part by part as its parts appear.
//! - `GET /live/{name}/{rendition}/seg_{msn}.part{n}.ts`: a part as a resource of its own
//!   (`-ll-parts` streams); a part not yet published is held until it is, as a preload
//!   hint's request is.
//! - `GET /live/{name}/parts`: per part, when it was first requested and first listed in a
//!   served playlist, as JSON (the server binds to loopback only, like the controls).
//! - `GET /live/{name}/status`: where the stream stands, as JSON.
//! - `POST /live/{name}/control/{restart|freeze|unfreeze|end}`: test controls; `restart`
//!   takes `window`, `preroll`, `moments`, `mode` and `parts` (`ranges` or `resources`) as
//!   query parameters.
//!
//! Each name is its own stream, created by its first request, so parallel tests do not
//! interfere. The clock math lives in [`timeline`], the playlists and the blocking-reload
//! rules in [`playlist`], the MPEG-TS surgery in [`mpegts`] and [`source`].

mod mpegts;
mod playlist;
mod show;
mod source;
mod timeline;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Path as UrlPath, RawQuery, State};
use axum::http::header::{ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, RANGE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use player_core::hls::playlist::DateTime;
use tokio::sync::Notify;

use crate::fixtures::STREAMS_DIR;
use playlist::{parse_part_file, Mode, PartLayout, Position, Reload, Show, PART_TARGET};
use show::{MomentsPreset, ShowHandle, ShowOptions, ShowState};
use source::{Prepared, Source};
use timeline::{Micros, Moment, MICROS_PER_SECOND};

/// The on-demand ladder the show loops.
const SOURCE: &str = "vod-ts";
/// Streams live in memory for the server's lifetime; this bounds a runaway test.
const MAX_SHOWS: usize = 256;

pub fn router(root: &Path) -> Router {
    let live = Live(Arc::new(LiveInner {
        source_dir: root.join(STREAMS_DIR).join(SOURCE),
        source: Mutex::new(None),
        prepared: Mutex::new(HashMap::new()),
        shows: Mutex::new(HashMap::new()),
    }));
    Router::new()
        .route("/live/{name}/master.m3u8", get(master_playlist))
        .route("/live/{name}/status", get(status))
        .route("/live/{name}/parts", get(part_log))
        .route("/live/{name}/control/{action}", post(control))
        .route("/live/{name}/{rendition}/index.m3u8", get(media_playlist))
        .route("/live/{name}/{rendition}/{file}", get(segment))
        .with_state(live)
}

#[derive(Clone)]
struct Live(Arc<LiveInner>);

struct LiveInner {
    source_dir: PathBuf,
    source: Mutex<Option<Arc<Source>>>,
    prepared: Mutex<HashMap<MomentsPreset, Arc<Prepared>>>,
    shows: Mutex<HashMap<String, Arc<ShowHandle>>>,
}

/// An error response: a status and a line of text.
struct LiveError(StatusCode, String);

impl IntoResponse for LiveError {
    fn into_response(self) -> Response {
        let mut response = (self.0, format!("{}\n", self.1)).into_response();
        response.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        response
    }
}

fn not_found(what: impl std::fmt::Display) -> LiveError {
    LiveError(StatusCode::NOT_FOUND, format!("{what} not found"))
}

fn bad_request(why: impl Into<String>) -> LiveError {
    LiveError(StatusCode::BAD_REQUEST, why.into())
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Live {
    /// The source, loaded on first use (and retried until it loads: the fixtures may be
    /// generated while the server runs).
    fn source(&self) -> Result<Arc<Source>, LiveError> {
        let mut slot = lock(&self.0.source);
        if let Some(source) = &*slot {
            return Ok(source.clone());
        }
        let source = Source::load(&self.0.source_dir).map_err(|error| {
            LiveError(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "the live simulator has no source media ({error:#}); run `cargo xtask fixtures`"
                ),
            )
        })?;
        let source = Arc::new(source);
        *slot = Some(source.clone());
        Ok(source)
    }

    fn prepared(&self, source: &Source, preset: MomentsPreset) -> Result<Arc<Prepared>, LiveError> {
        let mut cache = lock(&self.0.prepared);
        if let Some(prepared) = cache.get(&preset) {
            return Ok(prepared.clone());
        }
        let moments = preset.moments(source.schedule.loop_duration());
        let prepared = Prepared::new(source, &moments, PART_TARGET).map_err(|error| {
            LiveError(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("could not prepare the live segments: {error:#}"),
            )
        })?;
        let prepared = Arc::new(prepared);
        cache.insert(preset, prepared.clone());
        Ok(prepared)
    }

    /// The show called `name`, started now if this is its first request.
    fn show(&self, name: &str, source: &Source) -> Result<Arc<ShowHandle>, LiveError> {
        if name.is_empty()
            || name.len() > 64
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(not_found(format_args!("live stream {name:?}")));
        }
        let mut shows = lock(&self.0.shows);
        if let Some(show) = shows.get(name) {
            return Ok(show.clone());
        }
        if shows.len() >= MAX_SHOWS {
            return Err(LiveError(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("too many live streams ({MAX_SHOWS}); restart the server"),
            ));
        }
        let options = ShowOptions::for_name(name, &source.schedule);
        // Prepared before the clock starts, so that the first viewer finds the preroll.
        self.prepared(source, options.moments)?;
        let show = Arc::new(ShowHandle {
            state: Mutex::new(ShowState::new(options)),
            changed: Notify::new(),
        });
        shows.insert(name.to_owned(), show.clone());
        Ok(show)
    }
}

/// The playlist view of a show in its current state.
fn view<'a>(
    source: &'a Source,
    prepared: &'a Prepared,
    names: &'a [&'a str],
    moments: &'a [Moment],
    state: &ShowState,
) -> Show<'a> {
    Show {
        schedule: &source.schedule,
        renditions: &prepared.renditions,
        names,
        mode: state.options.mode,
        parts: state.options.parts,
        window: state.options.window,
        moments,
        origin_unix_ms: state.origin_unix_ms,
    }
}

/// One step of a request that waits for the stream.
enum Step<T> {
    Ready(T),
    /// Not yet; expected at this stream time.
    At(Micros),
    Fail(LiveError),
}

/// Runs `check` against the show until it is ready, waking when the stream time it names
/// arrives or a control changes the show; 503 once `deadline` passes.
async fn wait_for<T>(
    live: &Live,
    show: &ShowHandle,
    source: &Source,
    deadline: Instant,
    mut check: impl FnMut(&Show<'_>, Position) -> Step<T>,
) -> Result<T, LiveError> {
    let names: Vec<&str> = source.renditions.iter().map(|r| r.name.as_str()).collect();
    loop {
        // Registered before the check, so that a control in between is not missed.
        let mut notified = std::pin::pin!(show.changed.notified());
        notified.as_mut().enable();
        let now = Instant::now();
        let sleep = {
            let state = lock(&show.state);
            let prepared = live.prepared(source, state.options.moments)?;
            let moments = state
                .options
                .moments
                .moments(source.schedule.loop_duration());
            let show_view = view(source, &prepared, &names, &moments, &state);
            match check(&show_view, state.position(now)) {
                Step::Ready(value) => return Ok(value),
                Step::Fail(error) => return Err(error),
                // Frozen: only a control can make it come.
                Step::At(_) if state.frozen_at.is_some() => None,
                Step::At(t) => Some(Duration::from_micros(t.saturating_sub(state.clock(now)))),
            }
        };
        let left = deadline.saturating_duration_since(now);
        if left.is_zero() {
            return Err(LiveError(
                StatusCode::SERVICE_UNAVAILABLE,
                "what was asked for did not appear within three target durations".into(),
            ));
        }
        // A millisecond of slack so that the check after waking finds the part complete.
        let sleep = sleep.map_or(left, |s| (s + Duration::from_millis(1)).min(left));
        let _ = tokio::time::timeout(sleep, notified).await;
    }
}

fn query_pairs(query: Option<&str>) -> Vec<(&str, &str)> {
    query
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .collect()
}

fn query_value<'a>(pairs: &[(&'a str, &'a str)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(key, _)| *key == name).map(|(_, v)| *v)
}

fn query_number(pairs: &[(&str, &str)], name: &str) -> Result<Option<u64>, LiveError> {
    query_value(pairs, name)
        .map(|value| {
            value
                .parse()
                .map_err(|_| bad_request(format!("{name}={value} is not a decimal integer")))
        })
        .transpose()
}

fn playlist_response(text: String) -> Response {
    ([(CONTENT_TYPE, "application/vnd.apple.mpegurl")], text).into_response()
}

async fn master_playlist(
    State(live): State<Live>,
    UrlPath(name): UrlPath<String>,
) -> Result<Response, LiveError> {
    let source = live.source()?;
    live.show(&name, &source)?;
    Ok(playlist_response(playlist::multivariant_playlist(&source)))
}

async fn media_playlist(
    State(live): State<Live>,
    UrlPath((name, rendition)): UrlPath<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, LiveError> {
    let source = live.source()?;
    let show = live.show(&name, &source)?;
    let index = source
        .rendition_index(&rendition)
        .ok_or_else(|| not_found(format_args!("rendition {rendition:?}")))?;
    let pairs = query_pairs(query.as_deref());
    let msn = query_number(&pairs, "_HLS_msn")?;
    let part = query_number(&pairs, "_HLS_part")?;
    // v2 would also drop old date ranges; this server does not offer CAN-SKIP-DATERANGES,
    // so a v2 request gets the same delta update as YES.
    let skip = matches!(query_value(&pairs, "_HLS_skip"), Some("YES" | "v2"));
    let deadline = {
        let state = lock(&show.state);
        let prepared = live.prepared(&source, state.options.moments)?;
        let show_view = view(&source, &prepared, &[], &[], &state);
        if state.options.mode == Mode::LowLatency && part.is_some() && msn.is_none() {
            return Err(bad_request("_HLS_part without _HLS_msn"));
        }
        Instant::now() + Duration::from_micros(show_view.block_limit())
    };
    let (text, listed) = wait_for(&live, &show, &source, deadline, |show_view, position| {
        let reload = match msn {
            Some(msn) => show_view.reload(index, position, msn, part),
            None => Reload::Now,
        };
        match reload {
            Reload::Now => Step::Ready(show_view.media_playlist_listing(index, position, skip)),
            Reload::At(t) => Step::At(t),
            Reload::Refuse(why) => Step::Fail(bad_request(why)),
        }
    })
    .await?;
    {
        let mut state = lock(&show.state);
        let at = state.elapsed_ms(Instant::now());
        state.part_log.listed(index, &listed, at);
    }
    Ok(playlist_response(text))
}

/// A single `bytes=` range of a resource of `length` bytes: `Ok(None)` to send it all (no
/// header, or a form this server does not split, such as several ranges), `Err` when it
/// cannot be satisfied.
fn byte_range(headers: &HeaderMap, length: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(spec) = headers
        .get(RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().strip_prefix("bytes="))
    else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let (first, last) = spec.split_once('-').ok_or(())?;
    let (first, last) = (first.trim(), last.trim());
    let range = if first.is_empty() {
        let suffix: u64 = last.parse().map_err(|_| ())?;
        (
            length.saturating_sub(suffix),
            length.checked_sub(1).ok_or(())?,
        )
    } else {
        let first: u64 = first.parse().map_err(|_| ())?;
        let last = match last {
            "" => length.saturating_sub(1),
            last => last
                .parse::<u64>()
                .map_err(|_| ())?
                .min(length.saturating_sub(1)),
        };
        (first, last)
    };
    if range.0 > range.1 || range.0 >= length {
        return Err(());
    }
    Ok(Some(range))
}

async fn segment(
    State(live): State<Live>,
    UrlPath((name, rendition, file)): UrlPath<(String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, LiveError> {
    let source = live.source()?;
    let show = live.show(&name, &source)?;
    let index = source
        .rendition_index(&rendition)
        .ok_or_else(|| not_found(format_args!("rendition {rendition:?}")))?;
    if let Some((msn, part)) = parse_part_file(&file) {
        return part_resource(live, show, source, index, msn, part).await;
    }
    let msn: u64 = file
        .strip_prefix("seg_")
        .and_then(|rest| rest.strip_suffix(".ts"))
        .and_then(|number| number.parse().ok())
        .ok_or_else(|| not_found(&file))?;
    let (prepared, edge, limit, mode) = {
        let state = lock(&show.state);
        let prepared = live.prepared(&source, state.options.moments)?;
        let show_view = view(&source, &prepared, &[], &[], &state);
        let edge = show_view.edge(index, state.position(Instant::now()));
        let limit = show_view.block_limit();
        (prepared.clone(), edge, limit, state.options.mode)
    };
    let segment = prepared.renditions[index].segment(&source.schedule, msn);
    let bytes = segment.bytes.clone();
    let length = bytes.len() as u64;
    let Ok(range) = byte_range(&headers, length) else {
        let mut response = LiveError(
            StatusCode::RANGE_NOT_SATISFIABLE,
            "range not satisfiable".into(),
        )
        .into_response();
        if let Ok(value) = HeaderValue::from_str(&format!("bytes */{length}")) {
            response.headers_mut().insert(CONTENT_RANGE, value);
        }
        return Ok(response);
    };
    let (first, last) = range.unwrap_or((0, length - 1));
    let mut response = if msn < edge.complete {
        Response::new(Body::from(bytes.slice(first as usize..=last as usize)))
    } else if msn == edge.complete && !edge.ended && mode == Mode::LowLatency {
        // The segment in progress (the preload hint names it): each part is sent once it
        // is complete (RFC 8216bis §6.2.6), the first one within three target durations.
        let parts: Vec<(u64, Bytes)> = segment
            .parts
            .iter()
            .enumerate()
            .filter(|(_, part)| part.end() > first && part.offset <= last)
            .map(|(i, part)| {
                let from = part.offset.max(first) as usize;
                let to = part.end().min(last + 1) as usize;
                (i as u64, bytes.slice(from..to))
            })
            .collect();
        let deadline = Instant::now() + Duration::from_micros(limit);
        let wait_part = move |live: Live, show: Arc<ShowHandle>, source: Arc<Source>, part: u64| async move {
            wait_for(&live, &show, &source, deadline, |show_view, position| {
                part_published(show_view, position, index, msn, part)
            })
            .await
        };
        let Some(&(first_part, _)) = parts.first() else {
            return Err(not_found(&file));
        };
        wait_part(live.clone(), show.clone(), source.clone(), first_part).await?;
        let stream =
            futures_util::stream::unfold((parts.into_iter(), false), move |(mut parts, failed)| {
                let (live, show, source) = (live.clone(), show.clone(), source.clone());
                async move {
                    if failed {
                        return None;
                    }
                    let (part, data) = parts.next()?;
                    match wait_part(live, show, source, part).await {
                        Ok(()) => Some((Ok(data), (parts, false))),
                        // Ends the response early: the client sees a truncated body.
                        Err(LiveError(_, why)) => {
                            Some((Err(std::io::Error::other(why)), (parts, true)))
                        }
                    }
                }
            });
        Response::new(Body::from_stream(stream))
    } else {
        return Err(not_found(format_args!("segment {msn} (not published)")));
    };
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("video/mp2t"));
    headers.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(CONTENT_LENGTH, HeaderValue::from(last - first + 1));
    if range.is_some() {
        *response.status_mut() = StatusCode::PARTIAL_CONTENT;
        if let Ok(value) = HeaderValue::from_str(&format!("bytes {first}-{last}/{length}")) {
            response.headers_mut().insert(CONTENT_RANGE, value);
        }
    }
    Ok(response)
}

/// Part `part` of segment `msn` as a resource of its own, held until it is published.
async fn part_resource(
    live: Live,
    show: Arc<ShowHandle>,
    source: Arc<Source>,
    index: usize,
    msn: u64,
    part: u64,
) -> Result<Response, LiveError> {
    let deadline = {
        let mut state = lock(&show.state);
        if state.options.mode != Mode::LowLatency || state.options.parts != PartLayout::Resources {
            return Err(not_found(format_args!(
                "part {part} of segment {msn} (this stream's parts are not resources)"
            )));
        }
        let now = Instant::now();
        let at = state.elapsed_ms(now);
        state.part_log.requested(index, msn, part, at);
        let prepared = live.prepared(&source, state.options.moments)?;
        let show_view = view(&source, &prepared, &[], &[], &state);
        now + Duration::from_micros(show_view.block_limit())
    };
    wait_for(&live, &show, &source, deadline, |show_view, position| {
        part_resource_ready(show_view, position, index, msn, part)
    })
    .await?;
    let prepared = {
        let state = lock(&show.state);
        live.prepared(&source, state.options.moments)?
    };
    let segment = prepared.renditions[index].segment(&source.schedule, msn);
    let range = segment
        .parts
        .get(part as usize)
        .and_then(|p| Some(p.offset as usize..usize::try_from(p.end()).ok()?))
        .filter(|r| r.end <= segment.bytes.len())
        .ok_or_else(|| not_found(format_args!("part {part} of segment {msn}")))?;
    let mut response = Response::new(Body::from(segment.bytes.slice(range)));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("video/mp2t"));
    Ok(response)
}

/// Whether part `part` of segment `msn` can be sent as a resource of its own at `position`.
/// Parts of the segment after the one in progress are held too: a client may ask for the
/// next segment's first part before the playlist hints it.
fn part_resource_ready(
    show: &Show<'_>,
    position: Position,
    rendition: usize,
    msn: u64,
    part: u64,
) -> Step<()> {
    let edge = show.edge(rendition, position);
    let count = show.renditions[rendition].parts(show.schedule, msn).len() as u64;
    if part >= count {
        return Step::Fail(not_found(format_args!(
            "part {part} of segment {msn} (it has {count})"
        )));
    }
    if msn < edge.complete || (msn == edge.complete && part < edge.parts) {
        Step::Ready(())
    } else if edge.ended {
        Step::Fail(not_found(format_args!(
            "segment {msn} (the show has ended)"
        )))
    } else if msn > edge.complete + 1 {
        Step::Fail(not_found(format_args!("segment {msn} (not published)")))
    } else {
        Step::At(
            show.schedule.start(msn)
                + show.renditions[rendition].part_end(show.schedule, msn, part),
        )
    }
}

fn part_published(
    show: &Show<'_>,
    position: Position,
    rendition: usize,
    msn: u64,
    part: u64,
) -> Step<()> {
    let edge = show.edge(rendition, position);
    if msn < edge.complete || (msn == edge.complete && part < edge.parts) {
        Step::Ready(())
    } else if edge.ended || msn > edge.complete {
        Step::Fail(not_found(format_args!("segment {msn} (no longer coming)")))
    } else {
        Step::At(
            show.schedule.start(msn)
                + show.renditions[rendition].part_end(show.schedule, msn, part),
        )
    }
}

async fn control(
    State(live): State<Live>,
    UrlPath((name, action)): UrlPath<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, LiveError> {
    let source = live.source()?;
    let show = live.show(&name, &source)?;
    {
        let mut state = lock(&show.state);
        let now = Instant::now();
        match action.as_str() {
            "restart" => {
                let pairs = query_pairs(query.as_deref());
                let options = ShowOptions::from_query(&pairs, &name, &source.schedule)
                    .map_err(bad_request)?;
                live.prepared(&source, options.moments)?;
                *state = ShowState::new(options);
            }
            "freeze" => state.freeze(now),
            "unfreeze" => state.unfreeze(),
            "end" => state.end(now, &source.schedule),
            other => {
                return Err(not_found(format_args!(
                    "control {other:?} (expected restart, freeze, unfreeze or end)"
                )));
            }
        }
    }
    show.changed.notify_waiters();
    status_response(&live, &name, &show, &source)
}

/// `GET /live/{name}/parts`: the show's [`show::PartLog`], oldest part first.
async fn part_log(
    State(live): State<Live>,
    UrlPath(name): UrlPath<String>,
) -> Result<Response, LiveError> {
    let source = live.source()?;
    let show = live.show(&name, &source)?;
    let state = lock(&show.state);
    let prepared = live.prepared(&source, state.options.moments)?;
    let schedule = &source.schedule;
    let preroll = state.options.preroll as f64;
    let parts: Vec<_> = state
        .part_log
        .records()
        .map(|((rendition, msn, part), record)| {
            // When the part was complete, on the same clock (negative: before the show
            // (re)started, in its preroll; a freeze delays it).
            let complete =
                schedule.start(msn) + prepared.renditions[rendition].part_end(schedule, msn, part);
            serde_json::json!({
                "rendition": source.renditions[rendition].name,
                "msn": msn,
                "part": part,
                "requests": record.requests,
                "first_requested_ms": record.first_requested_ms,
                "first_listed_ms": record.first_listed_ms,
                "published_ms": (complete as f64 - preroll) / 1000.0,
            })
        })
        .collect();
    let body = serde_json::json!({ "name": name, "parts": parts });
    Ok(([(CONTENT_TYPE, "application/json")], body.to_string()).into_response())
}

async fn status(
    State(live): State<Live>,
    UrlPath(name): UrlPath<String>,
) -> Result<Response, LiveError> {
    let source = live.source()?;
    let show = live.show(&name, &source)?;
    status_response(&live, &name, &show, &source)
}

fn status_response(
    live: &Live,
    name: &str,
    show: &ShowHandle,
    source: &Source,
) -> Result<Response, LiveError> {
    let state = lock(&show.state);
    let prepared = live.prepared(source, state.options.moments)?;
    let show_view = view(source, &prepared, &[], &[], &state);
    let position = state.position(Instant::now());
    let edge = show_view.edge(0, position);
    let time = match position {
        Position::Live(t) => t,
        Position::Ended { last } => source.schedule.end(last),
    };
    let body = serde_json::json!({
        "name": name,
        "mode": match state.options.mode { Mode::Plain => "plain", Mode::LowLatency => "ll" },
        "parts": match state.options.parts {
            PartLayout::ByteRanges => "ranges",
            PartLayout::Resources => "resources",
        },
        "window": state.options.window,
        "moments": state.options.moments.name(),
        "origin": DateTime::from_unix_millis(state.origin_unix_ms).to_string(),
        "time": time as f64 / MICROS_PER_SECOND as f64,
        "frozen": state.frozen_at.is_some(),
        "ended": state.ended_at.is_some(),
        "media_sequence": edge.complete.saturating_sub(state.options.window),
        "segments_complete": edge.complete,
        "parts_published": edge.parts,
        "target_duration": show_view.target_duration(),
        "renditions": source.renditions.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
    });
    Ok(([(CONTENT_TYPE, "application/json")], body.to_string()).into_response())
}

#[cfg(test)]
mod http_tests;
#[cfg(test)]
mod tests;
