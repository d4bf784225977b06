//! `localStorage` that never throws at its caller, and other tabs' writes as callbacks.
//!
//! Storage can be missing or hostile in ordinary browsing: reading `window.localStorage`
//! throws a `SecurityError` when cookies are blocked or in some sandboxed frames, `setItem`
//! throws `QuotaExceededError` when the origin is full (and always in some private modes).
//! Every failure comes back as a message for a `console.warn`; the caller keeps its state in
//! memory either way.

use gloo_events::EventListener;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Storage, StorageEvent};

/// The value stored under `key`, `Ok(None)` when there is none.
pub fn read(key: &str) -> Result<Option<String>, String> {
    local_storage()?.get_item(key).map_err(describe)
}

/// Stores `value` under `key`.
pub fn write(key: &str, value: &str) -> Result<(), String> {
    local_storage()?.set_item(key, value).map_err(describe)
}

/// Removes `key`.
pub fn remove(key: &str) -> Result<(), String> {
    local_storage()?.remove_item(key).map_err(describe)
}

fn local_storage() -> Result<Storage, String> {
    let window = web_sys::window().ok_or("no window")?;
    match window.local_storage() {
        Ok(Some(storage)) => Ok(storage),
        Ok(None) => Err("localStorage is not available".into()),
        Err(error) => Err(describe(error)),
    }
}

/// `NameOfError: message` for a DOMException or Error, else its string form.
pub(crate) fn describe(error: JsValue) -> String {
    if let Some(e) = error.dyn_ref::<js_sys::Error>() {
        return format!("{}: {}", String::from(e.name()), String::from(e.message()));
    }
    error.as_string().unwrap_or_else(|| "unknown error".into())
}

/// Calls `on_change(key, new_value)` when another tab of this origin writes to
/// `localStorage` (browsers do not fire `storage` in the tab that wrote). `new_value` is
/// `None` when the key was removed, and `key` is `None` when storage was cleared. Dropping
/// the watch removes the listener.
pub struct StorageWatch {
    _listener: EventListener,
}

impl StorageWatch {
    pub fn new(on_change: impl Fn(Option<String>, Option<String>) + 'static) -> Option<Self> {
        let window = web_sys::window()?;
        let listener = EventListener::new(&window, "storage", move |event| {
            if let Some(event) = event.dyn_ref::<StorageEvent>() {
                on_change(event.key(), event.new_value());
            }
        });
        Some(StorageWatch {
            _listener: listener,
        })
    }
}
