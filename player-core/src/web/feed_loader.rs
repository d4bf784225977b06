//! Downloading a product feed. Parsing is the commerce core's (`commerce::feed::parse_feed`);
//! this only fetches the text, with an `AbortController` so that destroying the player
//! cancels a feed still on its way.

use web_sys::{AbortController, RequestInit};

use super::text_request::request_text;

/// Why the feed text could not be had: a sentence for `shoppable:error` (`feed_load`).
#[derive(Debug, Clone, PartialEq)]
pub struct FeedLoadError {
    pub message: String,
    /// The URL as the page gave it, or where the request ended up.
    pub url: String,
}

/// A feed download in flight. Dropping it aborts the request; `on_done` is then never called.
pub struct FeedRequest {
    controller: Option<AbortController>,
}

impl FeedRequest {
    /// Fetches `url` (relative URLs resolve against the page) and calls `on_done` with the
    /// body of a 2xx answer, or with what went wrong.
    pub fn start(
        url: &str,
        on_done: impl FnOnce(Result<String, FeedLoadError>) + 'static,
    ) -> FeedRequest {
        let controller = AbortController::new().ok();
        let init = RequestInit::new();
        if let Some(c) = &controller {
            init.set_signal(Some(&c.signal()));
        }
        let signal = controller.as_ref().map(|c| c.signal());
        let url = url.to_owned();
        wasm_bindgen_futures::spawn_local(async move {
            let result = request_text(&url, &init).await;
            if signal.is_some_and(|s| s.aborted()) {
                return;
            }
            on_done(match result {
                Ok(r) if r.ok() => Ok(r.text),
                Ok(r) => Err(FeedLoadError {
                    message: format!("The product feed could not be loaded: HTTP {}", r.status),
                    url: r.url,
                }),
                Err(message) => Err(FeedLoadError {
                    message: format!("The product feed could not be loaded: {message}"),
                    url,
                }),
            });
        });
        FeedRequest { controller }
    }
}

impl Drop for FeedRequest {
    fn drop(&mut self) {
        if let Some(c) = self.controller.take() {
            c.abort();
        }
    }
}
