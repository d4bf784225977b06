//! Player options as JavaScript passes them (`createPlayer(container, options)` or the
//! element's attributes, translated by the loader into the same object).

use js_sys::Reflect;
use wasm_bindgen::JsValue;

/// The options this build understands. Unknown keys are ignored so that newer pages keep
/// working with older players.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlayerOptions {
    pub src: Option<String>,
    pub poster: Option<String>,
    pub autoplay: bool,
    pub muted: bool,
    pub video_id: Option<String>,
    pub video_title: Option<String>,
}

impl PlayerOptions {
    pub fn from_js(value: &JsValue) -> PlayerOptions {
        let text = |key: &str| {
            Reflect::get(value, &JsValue::from_str(key))
                .ok()
                .and_then(|v| v.as_string())
                .filter(|s| !s.is_empty())
        };
        let flag =
            |key: &str| Reflect::get(value, &JsValue::from_str(key)).is_ok_and(|v| v.is_truthy());
        PlayerOptions {
            src: text("src"),
            poster: text("poster"),
            autoplay: flag("autoplay"),
            muted: flag("muted"),
            video_id: text("videoId"),
            video_title: text("videoTitle"),
        }
    }
}
