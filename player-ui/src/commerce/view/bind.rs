//! Type-erased reactive values and click handlers for the views.
//!
//! Leptos compiles its render, update and teardown code once per closure type, so every
//! `move || …` in a view costs its own copy in the wasm. Erased to a handful of trait-object
//! types, every text node, attribute and click handler shares one copy (tens of KB saved).

use std::sync::Arc;

use web_sys::MouseEvent;

/// Text that follows signals.
pub type Text = Arc<dyn Fn() -> String + Send + Sync>;
/// An attribute that may be absent.
pub type MaybeText = Arc<dyn Fn() -> Option<String> + Send + Sync>;
/// A class or property toggle.
pub type Flag = Arc<dyn Fn() -> bool + Send + Sync>;
pub type Click = Box<dyn FnMut(MouseEvent) + Send>;

pub fn text(f: impl Fn() -> String + Send + Sync + 'static) -> Text {
    Arc::new(f)
}

pub fn maybe_text(f: impl Fn() -> Option<String> + Send + Sync + 'static) -> MaybeText {
    Arc::new(f)
}

pub fn flag(f: impl Fn() -> bool + Send + Sync + 'static) -> Flag {
    Arc::new(f)
}

/// `aria-disabled="true"` while `f` holds, absent otherwise.
pub fn aria_disabled(f: impl Fn() -> bool + Send + Sync + 'static) -> MaybeText {
    Arc::new(move || f().then(|| "true".to_owned()))
}

pub fn click(f: impl FnMut(MouseEvent) + Send + 'static) -> Click {
    Box::new(f)
}
