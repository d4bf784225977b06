//! A `fetch` whose answer is text, for the small JSON documents commerce exchanges (the
//! product feed, a store's cart API), abortable through an `AbortSignal`.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestInit, Response};

use super::storage::describe;

/// What came back: the status, the body and the final URL (after redirects).
pub struct TextResponse {
    pub status: u16,
    pub text: String,
    pub url: String,
}

impl TextResponse {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Sends the request; `Err` only when no answer arrived (network, CORS, abort), with the
/// browser's message.
pub async fn request_text(url: &str, init: &RequestInit) -> Result<TextResponse, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, init))
        .await
        .and_then(|r| r.dyn_into())
        .map_err(describe)?;
    let text = JsFuture::from(response.text().map_err(describe)?)
        .await
        .map_err(describe)?;
    let final_url = response.url();
    Ok(TextResponse {
        status: response.status(),
        text: text.as_string().unwrap_or_default(),
        url: if final_url.is_empty() {
            url.to_owned()
        } else {
            final_url
        },
    })
}
