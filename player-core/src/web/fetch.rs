//! `fetch` with an `AbortController`, answering in the engine's terms.

use js_sys::Uint8Array;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, RequestInit, Response};

use crate::hls::command::RequestRange;
use crate::hls::engine::{FetchFailure, FetchedBody};

/// A request the browser has been given; [`PendingFetch::body`] waits for its answer.
pub(crate) struct PendingFetch {
    response: JsFuture,
    range: Option<RequestRange>,
    url: String,
    started: f64,
}

/// Starts downloading `url` (only `range`, when given) at once: the browser has the request
/// before this returns, not at the next poll of a future, so that whatever runs in the rest
/// of this task (the UI reacting to engine events) does not delay it.
pub(crate) fn begin(
    url: &str,
    range: Option<RequestRange>,
    signal: &AbortSignal,
) -> Result<PendingFetch, FetchFailure> {
    let started = super::now_ms();
    let init = RequestInit::new();
    init.set_signal(Some(signal));
    if let Some(range) = range {
        let headers = Headers::new().map_err(network)?;
        headers.set("Range", &range.http_range()).map_err(network)?;
        init.set_headers(&headers);
    }
    let window = web_sys::window().ok_or_else(|| FetchFailure::Network("no window".into()))?;
    Ok(PendingFetch {
        response: JsFuture::from(window.fetch_with_str_and_init(url, &init)),
        range,
        url: url.to_owned(),
        started,
    })
}

/// A request the page already made for `url` (the loader fetches the source playlist while
/// the engine downloads), answered as if [`begin`] had made it.
pub(crate) fn adopt(url: &str, response: js_sys::Promise) -> PendingFetch {
    PendingFetch {
        response: JsFuture::from(response),
        range: None,
        url: url.to_owned(),
        started: super::now_ms(),
    }
}

impl PendingFetch {
    /// The whole body, with the time from the start of the request to its last byte.
    pub(crate) async fn body(self) -> Result<FetchedBody, FetchFailure> {
        let range = self.range;
        let response: Response = self
            .response
            .await
            .and_then(|r| r.dyn_into())
            .map_err(network)?;
        if !response.ok() {
            return Err(FetchFailure::Status(response.status()));
        }
        let final_url = response.url();
        let buffer = JsFuture::from(response.array_buffer().map_err(network)?)
            .await
            .map_err(network)?;
        let mut bytes = Uint8Array::new(&buffer).to_vec();
        // A server that ignores `Range` sends the whole file with 200: keep only what was asked.
        if let (Some(range), 200) = (range, response.status()) {
            bytes = range.slice(&bytes).to_vec();
        }
        Ok(FetchedBody {
            bytes,
            url: if final_url.is_empty() {
                self.url
            } else {
                final_url
            },
            elapsed_ms: super::now_ms() - self.started,
        })
    }
}

fn network(error: JsValue) -> FetchFailure {
    let message = error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "network error".into());
    FetchFailure::Network(message)
}
