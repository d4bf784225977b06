//! The host element and the page around it: its shadow root, our stylesheet, the DOM events the
//! page listens to, and the warnings its developer reads in the console.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    CssStyleSheet, CustomEvent, CustomEventInit, HtmlElement, ShadowRoot, ShadowRootInit,
    ShadowRootMode,
};

const STYLE: &str = include_str!("style.css");

/// The host's open shadow root (created on first use), with our stylesheet adopted. A
/// constructable stylesheet keeps working under `style-src 'self'`, unlike a `<style>` tag.
pub fn shadow_root(host: &HtmlElement) -> Result<ShadowRoot, JsValue> {
    let root = match host.shadow_root() {
        Some(root) => root,
        None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?,
    };
    let sheet = CssStyleSheet::new()?;
    sheet.replace_sync(STYLE)?;
    root.set_adopted_style_sheets(&Array::of1(&sheet));
    Ok(root)
}

/// Dispatches `shoppable:<name>` on the host with `detail` (bubbles, crosses the shadow
/// boundary), the channel behind `player.on(name, cb)`.
pub fn dispatch(host: &HtmlElement, name: &str, detail: &JsValue) {
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(detail);
    if let Ok(event) = CustomEvent::new_with_event_init_dict(&format!("shoppable:{name}"), &init) {
        host.dispatch_event(&event).ok();
    }
}

/// A plain object from key/value pairs.
pub fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let obj = Object::new();
    for (key, value) in entries {
        Reflect::set(&obj, &JsValue::from_str(key), value).ok();
    }
    obj.unchecked_into()
}

/// A warning for the page's developer in the console, marked as ours.
pub fn warn(message: &str) {
    web_sys::console::warn_1(&format!("shoppable-player: {message}").into());
}
