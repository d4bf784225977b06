//! The player's shape follows the video's: a vertical (9:16) show makes the element portrait,
//! so it fills a phone's width and most of its height instead of sitting in a 16:9 letterbox.
//!
//! The host element gets `data-video-orientation="portrait"` or `"landscape"`; the stylesheet's
//! `:host([data-video-orientation=portrait])` rules then set the aspect ratio. Rules of the
//! page itself win over `:host` rules, so a page that sizes the player keeps its size (the
//! video is then fitted into that box: cropped a little when both are portrait, letterboxed
//! otherwise).

use gloo_events::EventListener;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlVideoElement, ShadowRoot};

use super::Actions;

pub const ATTRIBUTE: &str = "data-video-orientation";

#[component]
pub fn VideoOrientation(actions: Actions) -> impl IntoView {
    let listeners = StoredValue::new_local(Vec::<EventListener>::new());
    actions.video.on_load(move |video| {
        let video: HtmlVideoElement = video.clone().unchecked_into();
        // `resize`: the picture's size is known, or changed with a rendition of another shape.
        let all = ["loadedmetadata", "resize"]
            .into_iter()
            .map(|name| {
                let video = video.clone();
                EventListener::new(&video.clone(), name, move |_| mark(&video))
            })
            .collect();
        listeners.set_value(all);
    });
    on_cleanup(move || listeners.update_value(Vec::clear));
}

fn mark(video: &HtmlVideoElement) {
    let (width, height) = (video.video_width(), video.video_height());
    if width == 0 || height == 0 {
        return;
    }
    let Some(host) = video
        .get_root_node()
        .dyn_into::<ShadowRoot>()
        .ok()
        .map(|root| root.host())
    else {
        return;
    };
    let shape = if height > width {
        "portrait"
    } else {
        "landscape"
    };
    host.set_attribute(ATTRIBUTE, shape).ok();
}
