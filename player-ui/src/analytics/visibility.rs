//! Whether the viewer can see the player: at least half of it in the viewport
//! (`IntersectionObserver`), on a page that is not hidden (`visibilitychange`). GA4's video
//! events report it as `visible`, and product cards only count as seen while it holds.

use std::cell::Cell;
use std::rc::Rc;

use gloo_events::EventListener;
use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    HtmlElement, IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit,
    VisibilityState,
};

/// Watches one element; dropping it disconnects the observer and the listener.
pub struct VisibilityWatch {
    observer: IntersectionObserver,
    _callback: Closure<dyn FnMut(Array)>,
    _page: EventListener,
}

impl VisibilityWatch {
    /// Calls `on_change(visible)` whenever the combined answer changes. Until the observer's
    /// first report the player counts as visible.
    pub fn new(element: &HtmlElement, on_change: impl Fn(bool) + 'static) -> Option<Self> {
        let document = element.owner_document()?;
        let in_view = Rc::new(Cell::new(true));
        let page_shown = Rc::new(Cell::new(
            document.visibility_state() == VisibilityState::Visible,
        ));
        let on_change = Rc::new(on_change);
        let report = {
            let (in_view, page_shown) = (in_view.clone(), page_shown.clone());
            move || on_change(in_view.get() && page_shown.get())
        };
        let callback = {
            let report = report.clone();
            let in_view = in_view.clone();
            Closure::<dyn FnMut(Array)>::new(move |entries: Array| {
                // Several entries can queue up between callbacks: the last one is current.
                let last = entries.iter().last();
                if let Some(entry) =
                    last.and_then(|e| e.dyn_into::<IntersectionObserverEntry>().ok())
                {
                    in_view.set(entry.intersection_ratio() >= 0.499);
                    report();
                }
            })
        };
        let init = IntersectionObserverInit::new();
        init.set_threshold(&JsValue::from_f64(0.5));
        let observer =
            IntersectionObserver::new_with_options(callback.as_ref().unchecked_ref(), &init)
                .ok()?;
        observer.observe(element);
        let page = EventListener::new(&document, "visibilitychange", {
            let document = document.clone();
            move |_| {
                page_shown.set(document.visibility_state() == VisibilityState::Visible);
                report();
            }
        });
        Some(VisibilityWatch {
            observer,
            _callback: callback,
            _page: page,
        })
    }
}

impl Drop for VisibilityWatch {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}
