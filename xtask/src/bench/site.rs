//! The bench's server: the demo server's whole site (`/dist`, `/streams`, `/tests`, examples)
//! plus the bench's page shell, hls.js from the bench's own npm install and the bench media, all
//! on one loopback origin so both players load under identical conditions.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;

use anyhow::{Context, Result};
use axum::extract::Request;
use axum::http::header::CACHE_CONTROL;
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tower_http::services::ServeDir;

use super::media::{MEDIA_DIR, MEDIA_URL};
use super::BENCH_DIR;
use crate::server;

/// A server on its own threads; dropping it stops it.
pub struct BenchServer {
    pub port: u16,
    _runtime: tokio::runtime::Runtime,
}

fn router(root: &Path) -> Router {
    let bench = root.join(BENCH_DIR);
    Router::new()
        .nest_service("/bench", ServeDir::new(bench.join("pages")))
        .nest_service(
            "/vendor/hls.js",
            ServeDir::new(bench.join("node_modules/hls.js/dist")),
        )
        .nest_service(MEDIA_URL, ServeDir::new(root.join(MEDIA_DIR)))
        .layer(middleware::from_fn(revalidate))
        .merge(server::router(root))
}

/// The demo server tells browsers to revalidate everything it serves; the bench's own files get
/// the same header, so hls.js is cached exactly as our SDK is.
async fn revalidate(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

pub fn spawn(root: &Path) -> Result<BenchServer> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(address))
        .with_context(|| format!("could not listen on {address}"))?;
    let port = listener.local_addr()?.port();
    let app = router(root);
    runtime.spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            eprintln!("bench server stopped: {error}");
        }
    });
    Ok(BenchServer {
        port,
        _runtime: runtime,
    })
}
