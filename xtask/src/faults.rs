//! Network fault injection for the dev/test server: the faults a viewer's network and a CDN
//! produce (error statuses, latency, a slow link, truncated bodies, dropped connections,
//! requests that never finish), on demand, for requests whose path matches a pattern.
//!
//! Control (the server binds loopback only, so only this machine can reach it):
//! - `POST /__faults` with a JSON rule (or an array of rules) adds rules;
//! - `POST /__faults/reset` removes every rule;
//! - `GET /__faults` lists the rules with how many requests each one hit.
//!
//! A rule (`docs/testing.md` has the reference):
//! `{"path": "/faulty/t1/vod-fmp4/360p/*.m4s", "status": 404, "times": 2}` — `path` is a
//! pattern over the request path where `*` matches any run of characters; `times` limits the
//! rule to the next N matching requests (absent: every one). The fault fields may be combined:
//! `status`, `latency_ms`, `bytes_per_second`, `truncate` (a fraction of the body is sent while
//! `Content-Length` promises all of it), `reset` (a fraction of the body, then the connection is
//! dropped), `hang` (headers, then nothing).
//!
//! `/faulty/{scope}/…` serves the stream fixtures again under a path of the test's choosing,
//! so a test's rules (which name its scope) cannot touch requests of tests running beside it.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use tower_http::services::ServeDir;

use crate::fixtures::STREAMS_DIR;

/// The largest body a fault that reshapes bodies buffers (segments are far smaller).
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
/// How long a hung response stays open at most: long past any player timeout, short enough
/// that an abandoned connection does not outlive a test run by much.
const HANG_FOR: Duration = Duration::from_secs(120);
/// How often a bandwidth-capped body sends a chunk: small enough for a smooth rate.
const THROTTLE_TICK: Duration = Duration::from_millis(50);

/// What to do to a matching response. Fields combine: latency first, then the status or the
/// body's fate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fault {
    /// Answer with this status (and a short text body) instead of the resource.
    pub status: Option<u16>,
    /// Wait this long before answering.
    pub latency_ms: u64,
    /// Send the body no faster than this.
    pub bytes_per_second: Option<u64>,
    /// Send this fraction of the body, keep the full `Content-Length`, then end the response:
    /// the client sees a body shorter than promised.
    pub truncate: Option<f64>,
    /// Send this fraction of the body, then fail the stream: the server drops the connection.
    pub reset: Option<f64>,
    /// Send the headers, then nothing, until the client gives up.
    pub hang: bool,
}

/// A fault for the requests whose path matches `pattern`.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    pub pattern: String,
    pub fault: Fault,
    /// Matching requests still to fault; `None`: all of them.
    pub remaining: Option<u32>,
    /// Requests faulted so far.
    pub hits: u32,
}

/// Why a rule was refused, naming the field.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleError {
    pub field: &'static str,
    pub reason: String,
}

impl std::fmt::Display for RuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "fault rule field `{}`: {}", self.field, self.reason)
    }
}

impl FaultRule {
    /// Reads one rule from its JSON form (see the module docs).
    pub fn from_json(value: &Value) -> Result<FaultRule, RuleError> {
        let err = |field: &'static str, reason: &str| RuleError {
            field,
            reason: reason.to_owned(),
        };
        let object = value
            .as_object()
            .ok_or_else(|| err("(rule)", "expected a JSON object"))?;
        for key in object.keys() {
            if !matches!(
                key.as_str(),
                "path"
                    | "times"
                    | "status"
                    | "latency_ms"
                    | "bytes_per_second"
                    | "truncate"
                    | "reset"
                    | "hang"
            ) {
                return Err(RuleError {
                    field: "(rule)",
                    reason: format!("unknown field `{key}`"),
                });
            }
        }
        let pattern = object
            .get("path")
            .and_then(Value::as_str)
            .filter(|p| p.starts_with('/'))
            .ok_or_else(|| err("path", "expected a pattern starting with /"))?
            .to_owned();
        let count = |field: &'static str| -> Result<Option<u64>, RuleError> {
            match object.get(field) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v
                    .as_u64()
                    .map(Some)
                    .ok_or_else(|| err(field, "expected a non-negative integer")),
            }
        };
        let fraction = |field: &'static str| -> Result<Option<f64>, RuleError> {
            match object.get(field) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v
                    .as_f64()
                    .filter(|f| (0.0..1.0).contains(f))
                    .map(Some)
                    .ok_or_else(|| err(field, "expected a fraction of the body in [0, 1)")),
            }
        };
        let status = match count("status")? {
            None => None,
            Some(s) if (400..600).contains(&s) => Some(s as u16),
            Some(_) => return Err(err("status", "expected an error status, 400 to 599")),
        };
        let bytes_per_second = match count("bytes_per_second")? {
            Some(0) => return Err(err("bytes_per_second", "must be above 0")),
            other => other,
        };
        let hang = match object.get("hang") {
            None | Some(Value::Null) => false,
            Some(v) => v
                .as_bool()
                .ok_or_else(|| err("hang", "expected true or false"))?,
        };
        let fault = Fault {
            status,
            latency_ms: count("latency_ms")?.unwrap_or(0),
            bytes_per_second,
            truncate: fraction("truncate")?,
            reset: fraction("reset")?,
            hang,
        };
        let body_faults = [fault.truncate.is_some(), fault.reset.is_some(), fault.hang];
        if body_faults.iter().filter(|&&b| b).count() > 1
            || (fault.status.is_some() && body_faults.contains(&true))
        {
            return Err(err(
                "(rule)",
                "status, truncate, reset and hang exclude each other",
            ));
        }
        if fault == Fault::default() {
            return Err(err("(rule)", "no fault given"));
        }
        let times = count("times")?
            .map(|t| u32::try_from(t).map_err(|_| err("times", "too large")))
            .transpose()?;
        Ok(FaultRule {
            pattern,
            fault,
            remaining: times,
            hits: 0,
        })
    }

    fn to_json(&self) -> Value {
        json!({
            "path": self.pattern,
            "remaining": self.remaining,
            "hits": self.hits,
            "status": self.fault.status,
            "latency_ms": self.fault.latency_ms,
            "bytes_per_second": self.fault.bytes_per_second,
            "truncate": self.fault.truncate,
            "reset": self.fault.reset,
            "hang": self.fault.hang,
        })
    }
}

/// `*` matches any run of characters (slashes included); everything else matches itself.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let mut pieces = pattern.split('*');
    let Some(first) = pieces.next() else {
        return true;
    };
    let Some(mut rest) = path.strip_prefix(first) else {
        return false;
    };
    let pieces: Vec<&str> = pieces.collect();
    let Some((last, middle)) = pieces.split_last() else {
        return rest.is_empty(); // No `*`: the whole path must match.
    };
    for piece in middle {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// The rules in force, shared by the control routes and the middleware.
#[derive(Debug, Clone, Default)]
pub struct Faults(Arc<Mutex<Vec<FaultRule>>>);

impl Faults {
    pub fn add(&self, rule: FaultRule) {
        if let Ok(mut rules) = self.0.lock() {
            rules.push(rule);
        }
    }

    pub fn reset(&self) {
        if let Ok(mut rules) = self.0.lock() {
            rules.clear();
        }
    }

    /// The fault for a request to `path`, counting it against the first matching rule that has
    /// requests left. Spent rules stay listed (with their hits) until a reset.
    pub fn take(&self, path: &str) -> Option<Fault> {
        let mut rules = self.0.lock().ok()?;
        let rule = rules
            .iter_mut()
            .find(|r| r.remaining != Some(0) && path_matches(&r.pattern, path))?;
        rule.hits += 1;
        if let Some(n) = &mut rule.remaining {
            *n -= 1;
        }
        Some(rule.fault.clone())
    }

    fn to_json(&self) -> Value {
        let rules = self.0.lock().map(|r| r.clone()).unwrap_or_default();
        Value::Array(rules.iter().map(FaultRule::to_json).collect())
    }
}

/// The control routes and the `/faulty/{scope}/…` mirror of the stream fixtures.
pub fn router(root: &Path, faults: Faults) -> Router {
    let streams = ServeDir::new(root.join(STREAMS_DIR));
    Router::new()
        .route("/__faults", post(add_rules).get(list_rules))
        .route("/__faults/reset", post(reset_rules))
        .with_state(faults)
        .nest_service("/faulty/{scope}", streams)
}

async fn add_rules(State(faults): State<Faults>, body: Bytes) -> Response {
    let value: Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(error) => return bad_request(format!("the body is not JSON: {error}")),
    };
    let values = match value {
        Value::Array(values) => values,
        one => vec![one],
    };
    let mut rules = Vec::with_capacity(values.len());
    for (i, value) in values.iter().enumerate() {
        match FaultRule::from_json(value) {
            Ok(rule) => rules.push(rule),
            Err(error) => return bad_request(format!("rule {i}: {error}")),
        }
    }
    for rule in rules {
        faults.add(rule);
    }
    json_response(&faults)
}

async fn list_rules(State(faults): State<Faults>) -> Response {
    json_response(&faults)
}

async fn reset_rules(State(faults): State<Faults>) -> StatusCode {
    faults.reset();
    StatusCode::NO_CONTENT
}

fn json_response(faults: &Faults) -> Response {
    let body = faults.to_json().to_string();
    ([(CONTENT_TYPE, "application/json")], body).into_response()
}

fn bad_request(message: String) -> Response {
    (StatusCode::BAD_REQUEST, message).into_response()
}

/// The middleware: applies the matching rule's fault, if any, around the real response.
pub async fn inject(State(faults): State<Faults>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    // The control routes themselves are never faulted.
    if path.starts_with("/__faults") {
        return next.run(request).await;
    }
    let Some(fault) = faults.take(path) else {
        return next.run(request).await;
    };
    if fault.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(fault.latency_ms)).await;
    }
    if let Some(status) = fault.status {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return (status, format!("injected fault: {status}\n")).into_response();
    }
    let response = next.run(request).await;
    if !response.status().is_success() {
        return response;
    }
    reshape_body(response, fault).await
}

/// Replaces the body with one sent as the fault says, keeping status and headers.
async fn reshape_body(response: Response, fault: Fault) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(error) => {
            return (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response();
        }
    };
    // Every variant promises the whole body; the faults break that promise.
    parts
        .headers
        .insert(CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let plan = BodyPlan::new(&fault, bytes.len());
    let stream = futures_util::stream::unfold(
        (bytes, 0usize, plan, false),
        |(bytes, sent, plan, done)| async move {
            if done {
                return None;
            }
            if sent >= plan.send {
                return match plan.end {
                    BodyEnd::Complete | BodyEnd::Short => None,
                    BodyEnd::Reset => Some((
                        Err(std::io::Error::other("injected connection reset")),
                        (bytes, sent, plan, true),
                    )),
                    BodyEnd::Hang => {
                        tokio::time::sleep(HANG_FOR).await;
                        Some((
                            Err(std::io::Error::other("injected hang ended")),
                            (bytes, sent, plan, true),
                        ))
                    }
                };
            }
            let chunk = match plan.chunk {
                Some(chunk) => {
                    tokio::time::sleep(THROTTLE_TICK).await;
                    chunk
                }
                None => plan.send,
            };
            let end = (sent + chunk).min(plan.send);
            let data: Result<Bytes, std::io::Error> = Ok(bytes.slice(sent..end));
            Some((data, (bytes, end, plan, false)))
        },
    );
    Response::from_parts(parts, Body::from_stream(stream))
}

/// How a body is sent: `send` bytes (in `chunk`s a tick apart when throttled), then `end`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct BodyPlan {
    send: usize,
    chunk: Option<usize>,
    end: BodyEnd,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum BodyEnd {
    Complete,
    /// Ends cleanly before `Content-Length` is reached.
    Short,
    Reset,
    Hang,
}

impl BodyPlan {
    fn new(fault: &Fault, len: usize) -> BodyPlan {
        let part = |fraction: f64| ((len as f64 * fraction) as usize).min(len.saturating_sub(1));
        let (send, end) = match (fault.truncate, fault.reset, fault.hang) {
            (Some(f), _, _) => (part(f), BodyEnd::Short),
            (_, Some(f), _) => (part(f), BodyEnd::Reset),
            (_, _, true) => (0, BodyEnd::Hang),
            _ => (len, BodyEnd::Complete),
        };
        let chunk = fault.bytes_per_second.map(|bps| {
            let per_tick = bps as f64 * THROTTLE_TICK.as_secs_f64();
            (per_tick as usize).max(1)
        });
        BodyPlan { send, chunk, end }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt as _;

    #[test]
    fn patterns_match_whole_paths_with_stars_anywhere() {
        assert!(path_matches("/a/b.m3u8", "/a/b.m3u8"));
        assert!(!path_matches("/a/b.m3u8", "/a/b.m3u8x"));
        assert!(path_matches(
            "/faulty/t1/*.m4s",
            "/faulty/t1/vod/360p/seg_001.m4s"
        ));
        assert!(!path_matches(
            "/faulty/t1/*.m4s",
            "/faulty/t2/vod/360p/seg_001.m4s"
        ));
        assert!(path_matches("/x/*/360p/*", "/x/vod/360p/seg_001.m4s"));
        assert!(!path_matches("/x/*/360p/*", "/x/vod/240p/seg_001.m4s"));
        assert!(path_matches("*", "/anything"));
        assert!(path_matches("/a*b*c", "/abc"));
        assert!(!path_matches("/a*b*c", "/acb"));
    }

    #[test]
    fn rules_are_read_with_their_limits_and_bad_ones_name_the_field() {
        let rule = FaultRule::from_json(&json!({"path": "/s/*", "status": 503, "times": 2}))
            .expect("valid");
        assert_eq!(rule.fault.status, Some(503));
        assert_eq!(rule.remaining, Some(2));
        let bad = |v: Value| FaultRule::from_json(&v).unwrap_err().field;
        assert_eq!(bad(json!({"status": 404})), "path");
        assert_eq!(bad(json!({"path": "/s", "status": 200})), "status");
        assert_eq!(bad(json!({"path": "/s", "truncate": 1.5})), "truncate");
        assert_eq!(
            bad(json!({"path": "/s", "bytes_per_second": 0})),
            "bytes_per_second"
        );
        assert_eq!(bad(json!({"path": "/s"})), "(rule)");
        assert_eq!(
            bad(json!({"path": "/s", "status": 404, "hang": true})),
            "(rule)"
        );
        assert_eq!(bad(json!({"path": "/s", "stauts": 404})), "(rule)");
    }

    #[test]
    fn a_limited_rule_faults_the_next_n_matching_requests_only() {
        let faults = Faults::default();
        faults.add(
            FaultRule::from_json(&json!({"path": "/p/*", "status": 503, "times": 2})).unwrap(),
        );
        assert_eq!(faults.take("/q/x"), None);
        assert!(faults.take("/p/x").is_some());
        assert!(faults.take("/p/y").is_some());
        assert_eq!(faults.take("/p/z"), None);
        assert_eq!(faults.to_json()[0]["hits"], 2);
        faults.reset();
        assert_eq!(faults.to_json(), json!([]));
    }

    #[test]
    fn body_plans_send_what_each_fault_says() {
        let plan = |v: Value| BodyPlan::new(&FaultRule::from_json(&v).unwrap().fault, 1000);
        assert_eq!(plan(json!({"path": "/", "truncate": 0.25})).send, 250);
        assert_eq!(
            plan(json!({"path": "/", "truncate": 0.25})).end,
            BodyEnd::Short
        );
        assert_eq!(plan(json!({"path": "/", "reset": 0.5})).end, BodyEnd::Reset);
        assert_eq!(plan(json!({"path": "/", "hang": true})).end, BodyEnd::Hang);
        let capped = plan(json!({"path": "/", "bytes_per_second": 10_000}));
        assert_eq!((capped.send, capped.chunk), (1000, Some(500)));
    }

    // ----- through the router, as a client sees it -----

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    /// A site with one 40,000-byte fixture at `/faulty/{scope}/vod/seg.m4s`.
    fn site() -> (std::path::PathBuf, Router) {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let root = std::env::temp_dir().join(format!("xtask-faults-{}-{n}", std::process::id()));
        let dir = root.join(STREAMS_DIR).join("vod");
        std::fs::create_dir_all(&dir).unwrap();
        let body: Vec<u8> = (0..40_000u32).map(|i| i as u8).collect();
        std::fs::write(dir.join("seg.m4s"), body).unwrap();
        let faults = Faults::default();
        let app = router(&root, faults.clone())
            .layer(axum::middleware::from_fn_with_state(faults, inject));
        (root, app)
    }

    fn send(app: &Router, method: &str, path: &str, body: &str) -> Response {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .body(Body::from(body.to_owned()))
            .unwrap();
        runtime().block_on(app.clone().oneshot(request)).unwrap()
    }

    /// The status, the promised length and what the body delivered (`Err` when it failed).
    fn fetch(
        app: &Router,
        path: &str,
        limit: Duration,
    ) -> (u16, Option<usize>, Result<usize, String>) {
        let response = send(app, "GET", path, "");
        let status = response.status().as_u16();
        let promised = response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse().ok());
        let body = runtime().block_on(async {
            match tokio::time::timeout(
                limit,
                axum::body::to_bytes(response.into_body(), usize::MAX),
            )
            .await
            {
                Ok(Ok(bytes)) => Ok(bytes.len()),
                Ok(Err(error)) => Err(error.to_string()),
                Err(_) => Err("timed out".into()),
            }
        });
        (status, promised, body)
    }

    const SEG: &str = "/faulty/t/vod/seg.m4s";

    #[test]
    fn the_mirror_serves_fixtures_untouched_without_rules() {
        let (root, app) = site();
        assert_eq!(
            fetch(&app, SEG, Duration::from_secs(5)),
            (200, Some(40_000), Ok(40_000))
        );
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn statuses_latency_and_bandwidth_are_injected() {
        let (root, app) = site();
        let add = |rule: &str| assert_eq!(send(&app, "POST", "/__faults", rule).status(), 200);
        add(r#"{"path": "/faulty/t/*", "status": 503, "times": 1}"#);
        assert_eq!(fetch(&app, SEG, Duration::from_secs(5)).0, 503);
        assert_eq!(fetch(&app, SEG, Duration::from_secs(5)).0, 200, "times: 1");

        add(
            r#"{"path": "/faulty/t/*", "latency_ms": 300, "bytes_per_second": 100000, "times": 1}"#,
        );
        let started = std::time::Instant::now();
        assert_eq!(fetch(&app, SEG, Duration::from_secs(10)).2, Ok(40_000));
        // 300 ms before the first byte, then 40 kB at 100 kB/s: at least 0.3 + 0.35 s.
        assert!(
            started.elapsed() >= Duration::from_millis(600),
            "{:?}",
            started.elapsed()
        );

        let listed: Value = serde_json::from_slice(
            &runtime()
                .block_on(axum::body::to_bytes(
                    send(&app, "GET", "/__faults", "").into_body(),
                    usize::MAX,
                ))
                .unwrap(),
        )
        .unwrap();
        assert_eq!(listed.as_array().map(Vec::len), Some(2));
        assert_eq!(listed[0]["hits"], 1);
        assert_eq!(send(&app, "POST", "/__faults/reset", "").status(), 204);
        assert_eq!(send(&app, "POST", "/__faults", "{oops").status(), 400);
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn truncated_reset_and_hung_bodies_break_their_promise() {
        let (root, app) = site();
        let add = |rule: &str| assert_eq!(send(&app, "POST", "/__faults", rule).status(), 200);
        add(r#"{"path": "/faulty/t/*", "truncate": 0.5, "times": 1}"#);
        add(r#"{"path": "/faulty/t/*", "reset": 0.25, "times": 1}"#);
        add(r#"{"path": "/faulty/t/*", "hang": true, "times": 1}"#);
        // Truncated: the stream ends after half, short of the promised length (hyper turns
        // that into a failed body on a real connection).
        let (status, promised, body) = fetch(&app, SEG, Duration::from_secs(5));
        assert_eq!((status, promised, body), (200, Some(40_000), Ok(20_000)));
        // Reset: the body fails.
        let (status, promised, body) = fetch(&app, SEG, Duration::from_secs(5));
        assert_eq!((status, promised), (200, Some(40_000)));
        assert!(body.is_err(), "{body:?}");
        // Hung: headers, then nothing.
        let (status, _, body) = fetch(&app, SEG, Duration::from_millis(500));
        assert_eq!((status, body), (200, Err("timed out".into())));
        // All three rules are spent: the next request is whole.
        assert_eq!(fetch(&app, SEG, Duration::from_secs(5)).2, Ok(40_000));
        std::fs::remove_dir_all(root).unwrap();
    }
}
