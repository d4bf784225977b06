//! The last word of a panic. The wasm is built with `panic = "abort"`, so a panic stops every
//! player on the page at once, and the page would otherwise see only a `RuntimeError:
//! unreachable` in the console. Before the abort, the hook installed here dispatches
//! `shoppable:error` with `{code: "internal", message, url: null, fatal: true}` on the element
//! of every player still mounted, and logs the message with `console.error`, so the host can
//! hide the players, show its own notice or reload them.
//!
//! The hook runs in the middle of a panic: it touches no Leptos state and borrows nothing
//! that could already be borrowed (a failed `try_borrow` reports to no one rather than panic
//! again). A listener that calls back into the player meets a stopped program.

mod message;

use std::cell::RefCell;
use std::panic::PanicHookInfo;
use std::sync::Once;

use wasm_bindgen::JsValue;
use web_sys::HtmlElement;

use crate::host;
use message::{describe, Registry, CODE};

thread_local! {
    static LIVE: RefCell<Registry<HtmlElement>> = RefCell::default();
}

/// Installs the hook, once per page (the first `mount`).
pub fn install() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| std::panic::set_hook(Box::new(report)));
}

/// A player was mounted into `host`.
pub fn register(host: &HtmlElement) {
    LIVE.with(|live| live.borrow_mut().add(host.clone()));
}

/// The player of `host` was destroyed: it is no longer told about panics.
pub fn unregister(host: &HtmlElement) {
    LIVE.with(|live| live.borrow_mut().remove(host));
}

fn report(info: &PanicHookInfo<'_>) {
    let location = info.location().map(|l| (l.file(), l.line(), l.column()));
    let message = describe(info.payload(), location);
    web_sys::console::error_1(&format!("shoppable-player: {message}").into());
    let hosts = LIVE
        .try_with(|live| live.try_borrow().map(|l| l.snapshot()).unwrap_or_default())
        .unwrap_or_default();
    let detail = host::object(&[
        ("code", CODE.into()),
        ("message", message.as_str().into()),
        ("url", JsValue::NULL),
        ("fatal", true.into()),
    ]);
    for host in hosts {
        host::dispatch(&host, "error", &detail);
    }
}
