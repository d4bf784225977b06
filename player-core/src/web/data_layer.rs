//! The page's Google Tag Manager `dataLayer`: pushing events to it, and reading Consent Mode's
//! commands back from it.
//!
//! The array is looked up by name on `window` at every push (the page may create or replace
//! it after the player loaded) and created when missing, as `gtag.js` snippets do. Pushes go
//! through the array's own `push` *property*: once GTM has loaded it replaces `push` with its
//! own function, which is how GTM hears about the event; `Array.prototype.push` would bypass
//! it.

use js_sys::{Array, Function, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};

use crate::analytics::consent::{consent_mode, Consent};
use crate::commerce::json;

/// `window[name]`, created as an empty array when the page has none.
fn data_layer(name: &str) -> Option<JsValue> {
    let window = web_sys::window()?;
    let key = JsValue::from_str(name);
    let existing = Reflect::get(&window, &key).ok()?;
    if existing.is_object() {
        return Some(existing);
    }
    let created: JsValue = Array::new().into();
    Reflect::set(&window, &key, &created).ok()?;
    Some(created)
}

/// Pushes the object whose JSON text is `json` to `window[name]`. Returns whether it was
/// pushed: a page that replaced the `dataLayer` with something without `push` is told so
/// by the caller, not thrown at.
pub fn push(name: &str, json: &str) -> bool {
    let Some(layer) = data_layer(name) else {
        return false;
    };
    let Ok(object) = JSON::parse(json) else {
        return false;
    };
    let push = Reflect::get(&layer, &"push".into()).ok();
    match push.and_then(|p| p.dyn_into::<Function>().ok()) {
        // A GTM listener that throws must not break the player.
        Some(push) => push.call1(&layer, &object).is_ok(),
        None => false,
    }
}

/// Consent Mode's `analytics_storage` as the page's `dataLayer` says it now (see
/// [`consent_mode`] for the rules). Only the `consent` commands are read, so the rest of the
/// array (which may hold anything, even objects that cannot be serialised) is never copied.
pub fn consent(name: &str) -> Option<Consent> {
    let window = web_sys::window()?;
    let layer = Reflect::get(&window, &JsValue::from_str(name)).ok()?;
    let layer: Array = layer.dyn_into().ok()?;
    let commands = Array::new();
    for entry in layer.iter() {
        // `gtag()` pushes its `arguments` object: `{0: 'consent', 1: 'default', 2: {...}}`.
        let arg = |i: u32| Reflect::get(&entry, &JsValue::from(i)).unwrap_or_default();
        if arg(0).as_string().as_deref() == Some("consent") {
            commands.push(&Array::of3(&arg(0), &arg(1), &arg(2)));
        }
    }
    if commands.length() == 0 {
        return None;
    }
    let text = JSON::stringify(&commands).ok()?.as_string()?;
    consent_mode(&json::parse(&text).ok()?)
}
