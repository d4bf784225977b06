//! Swipe down to close a panel shown as a bottom sheet (narrow players), as phone sheets do.
//! The sheet follows the finger while it is dragged down from the top of its content; let go
//! far or fast enough and it closes, otherwise it slides back. The top band with the grabber
//! always drags; elsewhere, dragging up, or down while the content is scrolled, scrolls.
//!
//! Touch events rather than pointer events: only a non-passive `touchmove` may keep the browser
//! from scrolling (or pulling to refresh) while the sheet is being dragged.

use std::cell::Cell;
use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, TouchEvent};

use crate::commerce::Commerce;

/// Closes when dragged this far (px), or a quarter of the sheet's height if that is more …
const CLOSE_DISTANCE: f64 = 80.0;
/// … or when let go faster than this (px per ms).
const CLOSE_SPEED: f64 = 0.6;
/// The sheet's top band (px) that drags it even when its content is scrolled.
const HANDLE_HEIGHT: f64 = 32.0;
/// While dragging, the sheet has this class (no slide transition: it sticks to the finger).
const DRAGGING: &str = "sp-dragging";

#[derive(Clone, Copy, Default)]
struct Drag {
    /// `None`: no drag in progress.
    start: Option<(f64, f64)>,
    distance: f64,
}

/// The listeners that make `panel` swipeable; dropping them ends it.
pub fn swipe_to_close(panel: &HtmlElement, commerce: Commerce) -> Vec<EventListener> {
    let drag = Rc::new(Cell::new(Drag::default()));
    let start = {
        let (panel, drag) = (panel.clone(), drag.clone());
        EventListener::new(panel.clone().as_ref(), "touchstart", move |event| {
            let Some(y) = touch_y(event) else { return };
            // Only a sheet (its grabber shows) is dragged: by its top edge (where the grabber
            // is), or anywhere when its content is scrolled to the top.
            let sheet = panel
                .query_selector(".sp-grabber")
                .ok()
                .flatten()
                .and_then(|g| g.dyn_into::<HtmlElement>().ok())
                .is_some_and(|g| g.offset_height() > 0);
            let on_edge = y - panel.get_bounding_client_rect().top() < HANDLE_HEIGHT;
            if sheet && (on_edge || panel.scroll_top() <= 0) {
                drag.set(Drag {
                    start: Some((y, event.time_stamp())),
                    distance: 0.0,
                });
            }
        })
    };
    let mut active = EventListenerOptions::enable_prevent_default();
    active.phase = gloo_events::EventListenerPhase::Bubble;
    let moved = {
        let (panel, drag) = (panel.clone(), drag.clone());
        EventListener::new_with_options(panel.clone().as_ref(), "touchmove", active, move |event| {
            let (Some((from, _)), Some(y)) = (drag.get().start, touch_y(event)) else {
                return;
            };
            let distance = y - from;
            if distance < 0.0 {
                // Upwards: the viewer scrolls the sheet.
                drag.set(Drag::default());
                settle(&panel);
                return;
            }
            event.prevent_default();
            drag.set(Drag {
                distance,
                ..drag.get()
            });
            panel.class_list().add_1(DRAGGING).ok();
            // CSSOM, not a style attribute: allowed under `style-src 'self'`.
            let offset = format!("translateY({}px)", distance as i32);
            panel.style().set_property("transform", &offset).ok();
        })
    };
    let end = |name: &'static str| {
        let (panel, drag) = (panel.clone(), drag.clone());
        EventListener::new(panel.clone().as_ref(), name, move |event| {
            let Drag { start, distance } = drag.replace(Drag::default());
            let Some((_, at)) = start else { return };
            let speed = distance / (event.time_stamp() - at).max(1.0);
            let far = CLOSE_DISTANCE.max(f64::from(panel.offset_height()) / 4.0);
            if name == "touchend" && (distance > far || (distance > 20.0 && speed > CLOSE_SPEED)) {
                commerce.close_panel();
            } else {
                settle(&panel);
            }
        })
    };
    vec![start, moved, end("touchend"), end("touchcancel")]
}

/// Back in place, with the slide transition.
fn settle(panel: &HtmlElement) {
    panel.class_list().remove_1(DRAGGING).ok();
    panel.style().remove_property("transform").ok();
}

fn touch_y(event: &web_sys::Event) -> Option<f64> {
    let touches = event.dyn_ref::<TouchEvent>()?.touches();
    // One finger drags; two pinch or scroll.
    if touches.length() != 1 {
        return None;
    }
    Some(f64::from(touches.get(0)?.client_y()))
}
