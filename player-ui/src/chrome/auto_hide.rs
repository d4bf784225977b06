//! Controls that step aside while the video plays and come back on a tap, a mouse move or a
//! key press, as phone players do. On a touch screen the tap that brings them back only brings
//! them back: it must not also pause the video under the viewer's finger.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions};
use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlVideoElement};

use super::Actions;

/// How long the controls stay after the last sign of the viewer.
const IDLE_MS: u32 = 3_000;
/// The stage's class while the controls are hidden (see `style.css`).
const IDLE_CLASS: &str = "sp-idle";

struct Idle {
    stage: Element,
    video: HtmlVideoElement,
    timer: Option<Timeout>,
    /// The current press began while the controls were hidden: its click only shows them.
    swallow_click: bool,
}

/// Hides the controls after [`IDLE_MS`] of playback without the viewer's attention. Renders
/// nothing; it listens on the stage around the video.
#[component]
pub fn ControlsAutoHide(actions: Actions) -> impl IntoView {
    let listeners = StoredValue::new_local(Vec::<EventListener>::new());
    actions.video.on_load(move |video| {
        let Some(stage) = video.parent_element() else {
            return;
        };
        let idle = Rc::new(RefCell::new(Idle {
            stage: stage.clone(),
            video: video.clone().unchecked_into(),
            timer: None,
            swallow_click: false,
        }));
        let on = |target: &web_sys::EventTarget,
                  name: &'static str,
                  options: EventListenerOptions,
                  f: fn(&Rc<RefCell<Idle>>, &web_sys::Event)| {
            // The listeners own the state (it owns none of them): it lives as long as they do.
            let idle = idle.clone();
            EventListener::new_with_options(target, name, options, move |event| f(&idle, event))
        };
        let capture = EventListenerOptions::run_in_capture_phase;
        let mut all = vec![
            // Capture: seen before any control handles the press.
            on(&stage, "pointerdown", capture(), |idle, event| {
                let video: web_sys::EventTarget = idle.borrow().video.clone().into();
                let on_video = event.target().is_some_and(|t| t == video);
                let hidden = idle.borrow().stage.class_list().contains(IDLE_CLASS);
                idle.borrow_mut().swallow_click = hidden && on_video;
                wake(idle);
            }),
            on(&stage, "pointermove", capture(), |idle, event| {
                // A finger resting on the screen is not a mouse moving over it.
                let touch = event
                    .dyn_ref::<web_sys::PointerEvent>()
                    .is_some_and(|e| e.pointer_type() == "touch");
                if !touch {
                    wake(idle);
                }
            }),
            on(&stage, "keydown", capture(), |idle, _| wake(idle)),
            on(&stage, "focusin", capture(), |idle, _| wake(idle)),
            on(&video, "play", Default::default(), |idle, _| wake(idle)),
            on(&video, "playing", Default::default(), |idle, _| wake(idle)),
            on(&video, "pause", Default::default(), |idle, _| wake(idle)),
        ];
        let mut stop = EventListenerOptions::run_in_capture_phase();
        stop.passive = false;
        all.push(on(&video, "click", stop, |idle, event| {
            if std::mem::take(&mut idle.borrow_mut().swallow_click) {
                // The player's own click handler (play/pause) must not see this tap.
                event.stop_immediate_propagation();
                event.prevent_default();
            }
        }));
        listeners.set_value(all);
        // Autoplay may have started before these listeners.
        wake(&idle);
    });
    on_cleanup(move || listeners.update_value(Vec::clear));
}

/// Shows the controls, and hides them again after [`IDLE_MS`] if the video is still playing.
fn wake(idle: &Rc<RefCell<Idle>>) {
    let weak = Rc::downgrade(idle);
    let mut i = idle.borrow_mut();
    i.stage.class_list().remove_1(IDLE_CLASS).ok();
    i.timer = (!i.video.paused()).then(|| {
        Timeout::new(IDLE_MS, move || {
            if let Some(idle) = weak.upgrade() {
                let i = idle.borrow();
                if !i.video.paused() {
                    i.stage.class_list().add_1(IDLE_CLASS).ok();
                }
            }
        })
    });
}
