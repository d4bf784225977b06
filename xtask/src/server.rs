//! The demo and test server: static files over HTTP the way a CDN would serve an HLS stream and
//! the SDK (byte ranges, conditional requests, correct media types), bound to loopback only.
//!
//! [`router`] is the whole site. Additions (the live-stream simulator of `live.rs`; later,
//! fault injection, a fake Shopify cart API) are routes merged into it there, before the
//! fallback.

use std::fs::File;
use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE, RANGE,
};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tokio::net::TcpListener;
use tower_http::services::ServeDir;

use crate::fixtures::STREAMS_DIR;

// The fake Shopify Ajax Cart API lives in its own file beside this one.
#[path = "shopify_cart.rs"]
mod shopify_cart;
// Network fault injection (`/__faults`, `/faulty/{scope}/…`), also beside this one.
#[path = "faults.rs"]
mod faults;

/// URL prefix → directory under the workspace root. `/` (examples) is the fallback.
const MOUNTS: &[(&str, &str)] = &[
    ("/dist", "npm-package/dist"),
    ("/streams", STREAMS_DIR),
    ("/tests", "tests/pages"),
];
const SITE_ROOT: &str = "examples";

/// Pages served under a strict Content-Security-Policy (`/csp/…` → `examples/csp/`): the
/// policy a careful store sends, and the least the player needs (docs/csp.md). Only the
/// documents carry it; a page's policy governs everything the page loads.
const CSP_MOUNT: (&str, &str) = ("/csp", "examples/csp");
pub const STRICT_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data:; media-src 'self' blob:; connect-src 'self'";

pub fn router(root: &Path) -> Router {
    let mut router = Router::new();
    for (prefix, dir) in MOUNTS {
        router = router.nest_service(prefix, ServeDir::new(root.join(dir)));
    }
    // The live simulator (`/live/…`): generated playlists and segments, test controls.
    router = router.merge(crate::live::router(root));
    // A fake Shopify cart (`/cart/add.js`, `/cart.js`, `/cart`, test hooks under `/__shopify/`).
    router = router.merge(shopify_cart::router(root));
    // Fault injection: control routes, the scoped stream mirror, and the middleware that
    // applies the rules to every request.
    let faults = faults::Faults::default();
    router = router.merge(faults::router(root, faults.clone()));
    let (prefix, dir) = CSP_MOUNT;
    router = router.merge(
        Router::new()
            .nest_service(prefix, ServeDir::new(root.join(dir)))
            .layer(middleware::from_fn(strict_csp)),
    );
    router
        .fallback_service(ServeDir::new(root.join(SITE_ROOT)))
        .layer(middleware::from_fn_with_state(faults, faults::inject))
        .layer(middleware::from_fn(media_headers))
}

/// Content types by extension, where `mime_guess` is wrong or vague for media: MSE and
/// `WebAssembly.instantiateStreaming` check them, and so do CDNs' customers.
fn content_type_for(path: &str) -> Option<&'static str> {
    let file_name = path.rsplit('/').next()?;
    let extension = file_name.rsplit_once('.')?.1;
    Some(match extension.to_ascii_lowercase().as_str() {
        "m3u8" => "application/vnd.apple.mpegurl",
        "ts" => "video/mp2t",
        "m4s" | "mp4" => "video/mp4",
        "m4a" => "audio/mp4",
        "aac" => "audio/aac",
        "wasm" => "application/wasm",
        "js" | "mjs" => "text/javascript",
        "json" => "application/json",
        "key" => "application/octet-stream",
        _ => return None,
    })
}

async fn media_headers(request: Request, next: Next) -> Response {
    let content_type = content_type_for(request.uri().path());
    let mut response = next.run(request).await;
    let success = response.status().is_success();
    let headers = response.headers_mut();
    // Only bodies of the file itself: an error page or a multipart range body keeps its own type.
    let whole_or_single_range = headers
        .get(CONTENT_TYPE)
        .is_none_or(|value| !value.as_bytes().starts_with(b"multipart/"));
    if let Some(content_type) = content_type.filter(|_| success && whole_or_single_range) {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    // Fixtures and dist are rebuilt in place; a browser must revalidate (ETag/Last-Modified)
    // instead of replaying a stale copy into a test.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

async fn strict_csp(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response.headers_mut().insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(STRICT_CSP),
    );
    response
}

/// Where the one-line-per-request log goes: the terminal for `serve`/`demo`, a file during
/// `test` so it does not interleave with the test report.
#[derive(Clone)]
pub enum RequestLog {
    Stdout,
    File(Arc<Mutex<File>>),
}

impl RequestLog {
    pub fn file(path: &Path) -> Result<Self> {
        let file =
            File::create(path).with_context(|| format!("could not create {}", path.display()))?;
        Ok(Self::File(Arc::new(Mutex::new(file))))
    }

    fn write(&self, line: &str) {
        match self {
            Self::Stdout => println!("{line}"),
            Self::File(file) => {
                if let Ok(mut file) = file.lock() {
                    let _ = writeln!(file, "{line}");
                }
            }
        }
    }
}

async fn log_request(State(log): State<RequestLog>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let range = request
        .headers()
        .get(RANGE)
        .and_then(|value| value.to_str().ok())
        .map(|range| format!(" [{range}]"))
        .unwrap_or_default();
    let response = next.run(request).await;
    let bytes = response
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("-");
    log.write(&format!(
        "{method} {path}{range} {} {bytes}",
        response.status().as_u16()
    ));
    response
}

fn app(root: &Path, log: RequestLog) -> Router {
    router(root).layer(middleware::from_fn_with_state(log, log_request))
}

async fn bind(port: u16) -> Result<TcpListener> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    TcpListener::bind(address).await.with_context(|| {
        format!("could not listen on {address}: is another server using it? pass --port N, or --port 0 for any free port")
    })
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("could not start the async runtime")
}

/// Serves in the foreground; `announce` receives the bound port (useful with port 0).
pub fn run_until_ctrl_c(root: &Path, port: u16, announce: impl FnOnce(u16)) -> Result<()> {
    runtime()?.block_on(async {
        let listener = bind(port).await?;
        announce(listener.local_addr()?.port());
        axum::serve(listener, app(root, RequestLog::Stdout))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("the server stopped with an error")
    })
}

/// A server on its own threads for the duration of a test run; dropping it stops it.
pub struct BackgroundServer {
    pub port: u16,
    _runtime: tokio::runtime::Runtime,
}

pub fn spawn_in_background(root: &Path, log: RequestLog) -> Result<BackgroundServer> {
    let runtime = runtime()?;
    let listener = runtime.block_on(bind(0))?;
    let port = listener.local_addr()?.port();
    let app = app(root, log);
    runtime.spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            eprintln!("test server stopped: {error}");
        }
    });
    Ok(BackgroundServer {
        port,
        _runtime: runtime,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_follow_the_hls_and_wasm_specs() {
        assert_eq!(
            content_type_for("/streams/vod-ts/master.m3u8"),
            Some("application/vnd.apple.mpegurl")
        );
        assert_eq!(
            content_type_for("/streams/vod-ts/360p/seg_000.ts"),
            Some("video/mp2t")
        );
        assert_eq!(content_type_for("/a/seg_000.M4S"), Some("video/mp4"));
        assert_eq!(
            content_type_for("/dist/shoppable_player_wasm_bg.wasm"),
            Some("application/wasm")
        );
        assert_eq!(content_type_for("/dist/index.js"), Some("text/javascript"));
        assert_eq!(content_type_for("/index.html"), None);
        assert_eq!(content_type_for("/streams/v1.2/no-extension"), None);
    }

    fn get(app: &Router, path: &str, range: Option<&str>) -> (u16, String, Vec<u8>) {
        use tower::ServiceExt as _;
        let mut request = Request::get(path);
        if let Some(range) = range {
            request = request.header(RANGE, range);
        }
        let request = request.body(axum::body::Body::empty()).unwrap();
        runtime().unwrap().block_on(async {
            let response = app.clone().oneshot(request).await.unwrap();
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get(CONTENT_TYPE)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            (status, content_type, body.to_vec())
        })
    }

    #[test]
    fn serves_mounts_with_ranges_and_media_types() {
        let root = std::env::temp_dir().join(format!("xtask-server-{}", std::process::id()));
        let segment_dir = root.join(STREAMS_DIR).join("vod-ts/360p");
        std::fs::create_dir_all(&segment_dir).unwrap();
        std::fs::create_dir_all(root.join(SITE_ROOT)).unwrap();
        let segment: Vec<u8> = (0..=255u8).cycle().take(4000).collect();
        std::fs::write(segment_dir.join("seg_000.ts"), &segment).unwrap();
        std::fs::write(root.join(SITE_ROOT).join("index.html"), "<h1>demo</h1>").unwrap();
        let app = router(&root);

        let (status, content_type, body) = get(
            &app,
            "/streams/vod-ts/360p/seg_000.ts",
            Some("bytes=100-1099"),
        );
        assert_eq!((status, content_type.as_str()), (206, "video/mp2t"));
        assert_eq!(body, &segment[100..1100]);

        let (status, content_type, body) = get(&app, "/", None);
        assert_eq!(status, 200);
        assert!(content_type.starts_with("text/html"), "{content_type}");
        assert_eq!(body, b"<h1>demo</h1>");

        std::fs::create_dir_all(root.join(CSP_MOUNT.1)).unwrap();
        std::fs::write(root.join(CSP_MOUNT.1).join("index.html"), "<h1>strict</h1>").unwrap();
        let csp = |path: &str| {
            use tower::ServiceExt as _;
            let request = Request::get(path).body(axum::body::Body::empty()).unwrap();
            runtime().unwrap().block_on(async {
                let response = app.clone().oneshot(request).await.unwrap();
                response
                    .headers()
                    .get(CONTENT_SECURITY_POLICY)
                    .map(|v| v.to_str().unwrap().to_owned())
            })
        };
        assert_eq!(csp("/csp/").as_deref(), Some(STRICT_CSP));
        assert_eq!(csp("/"), None, "only /csp/ pages carry the strict policy");

        let (status, content_type, _) = get(&app, "/dist/missing.wasm", None);
        assert_eq!(status, 404);
        assert_ne!(content_type, "application/wasm");

        std::fs::remove_dir_all(&root).unwrap();
    }
}
