//! The miniplayer: the player floats in a corner of the window and keeps playing while the
//! shopper browses the store; it can be dragged to another corner, expanded back or closed.
//!
//! Floating is the host element's own state (`data-miniplayer="<corner>"`, styled by the
//! adopted stylesheet's `:host([data-miniplayer…])` rules), so no iframe and no page CSS are
//! involved. Leaving the page while floating saves the video, the second of it and the muted
//! state in `sessionStorage` under [`STORAGE_KEY`]; the loader on the next page of the site
//! puts the miniplayer back there (see `npm-package/src/element.js`). The cart needs nothing:
//! it is the page's cart, kept in `localStorage`.

use gloo_events::EventListener;
use js_sys::JSON;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlElement, PointerEvent};

use super::icons::{self, Icon};
use super::Actions;
use crate::analytics::Analytics;
use crate::host;
use crate::strings::text;

/// `sessionStorage` key of a miniplayer to restore on the next page.
pub const STORAGE_KEY: &str = "shoppable-player:miniplayer:v1";

const CORNERS: [&str; 4] = ["bottom-right", "bottom-left", "top-right", "top-left"];

/// The host's geometry while it floats (the corner's sides are set apart).
const FLOATING: [(&str, &str); 6] = [
    ("position", "fixed"),
    ("z-index", "2147483000"),
    ("width", "min(360px, calc(100vw - 32px))"),
    ("height", "auto"),
    ("max-width", "none"),
    ("margin", "0"),
];

/// The miniplayer state of one player; `Copy`.
#[derive(Clone, Copy)]
pub struct Miniplayer {
    pub open: RwSignal<bool>,
    corner: RwSignal<&'static str>,
    host: StoredValue<HtmlElement, LocalStorage>,
    analytics: Analytics,
    /// Restored from another page (the `miniplayer` option): it has no place in this page.
    restored: bool,
    /// The pointer that is dragging the player, and where it started.
    drag: StoredValue<Option<(i32, f64, f64)>>,
    _page_hide: StoredValue<Option<EventListener>, LocalStorage>,
}

impl Miniplayer {
    /// `options_json`: the player's options as JavaScript passed them, saved on page hide.
    pub fn new(
        host: HtmlElement,
        analytics: Analytics,
        actions: Actions,
        options_json: Option<String>,
        restored: bool,
    ) -> Miniplayer {
        let open = RwSignal::new(false);
        let page_hide = web_sys::window().map(|window| {
            EventListener::new(&window, "pagehide", move |_| {
                if open.try_get_untracked() == Some(true) {
                    save(actions, options_json.as_deref());
                }
            })
        });
        Miniplayer {
            open,
            corner: RwSignal::new(CORNERS[0]),
            host: StoredValue::new_local(host),
            analytics,
            restored,
            drag: StoredValue::new(None),
            _page_hide: StoredValue::new_local(page_hide),
        }
    }

    /// Floats the player (`true`) or puts it back in the page.
    pub fn set_open(&self, open: bool) {
        if self.open.get_untracked() == open {
            return;
        }
        self.open.set(open);
        self.place();
        let name = if open {
            "miniplayer_open"
        } else {
            "miniplayer_close"
        };
        self.analytics.player_event(name);
    }

    /// Floats the host (or puts it back). The geometry is set on the host's own style, through
    /// the CSSOM (allowed under `style-src 'self'`) and `!important`, because the page's rules
    /// for the element (`shoppable-player { width: 100% }`) outrank `:host` rules.
    fn place(&self) {
        let open = self.open.get_untracked();
        let corner = self.corner.get_untracked();
        self.host.with_value(|host| {
            let style = host.style();
            let (vertical, horizontal) = corner.split_once('-').unwrap_or(("bottom", "right"));
            for (property, value) in FLOATING {
                if open {
                    style
                        .set_property_with_priority(property, value, "important")
                        .ok();
                } else {
                    style.remove_property(property).ok();
                }
            }
            for side in ["top", "right", "bottom", "left"] {
                let value = if side == vertical || side == horizontal {
                    "16px"
                } else {
                    "auto"
                };
                if open {
                    style
                        .set_property_with_priority(side, value, "important")
                        .ok();
                } else {
                    style.remove_property(side).ok();
                }
            }
            if open {
                host.set_attribute("data-miniplayer", corner).ok();
            } else {
                host.remove_attribute("data-miniplayer").ok();
            }
            style.remove_property("translate").ok();
        });
    }

    /// Stops playback and closes the miniplayer: a player that only exists as a miniplayer
    /// (restored on this page) goes away; one that belongs to the page goes back in it.
    fn close(&self, actions: Actions) {
        if let Some(video) = actions.video.get_untracked() {
            video.pause().ok();
        }
        self.set_open(false);
        if self.restored {
            let host = self.host.get_value();
            // After this click's handlers: removing the element destroys the player.
            wasm_bindgen_futures::spawn_local(async move {
                let tick = js_sys::Promise::resolve(&JsValue::NULL);
                wasm_bindgen_futures::JsFuture::from(tick).await.ok();
                host.remove();
            });
        }
    }

    fn drag_start(&self, event: &PointerEvent) {
        if let Some(target) = event.current_target() {
            let target: web_sys::Element = target.unchecked_into();
            target.set_pointer_capture(event.pointer_id()).ok();
        }
        let start = (
            event.pointer_id(),
            f64::from(event.client_x()),
            f64::from(event.client_y()),
        );
        self.drag.set_value(Some(start));
    }

    fn drag_move(&self, event: &PointerEvent) {
        let Some((id, x, y)) = self.drag.get_value() else {
            return;
        };
        if id != event.pointer_id() {
            return;
        }
        let (dx, dy) = (
            f64::from(event.client_x()) - x,
            f64::from(event.client_y()) - y,
        );
        // CSSOM, not a style attribute: allowed under `style-src 'self'`.
        self.host.with_value(|host| {
            let value = format!("{}px {}px", dx as i32, dy as i32);
            host.style().set_property("translate", &value).ok();
        });
    }

    /// Docks at the corner nearest to where the pointer let go.
    fn drag_end(&self, event: &PointerEvent) {
        if self.drag.get_value().map(|d| d.0) != Some(event.pointer_id()) {
            return;
        }
        self.drag.set_value(None);
        let Some(window) = web_sys::window() else {
            return;
        };
        let width = window.inner_width().ok().and_then(|w| w.as_f64());
        let height = window.inner_height().ok().and_then(|h| h.as_f64());
        let (Some(width), Some(height)) = (width, height) else {
            return;
        };
        let right = f64::from(event.client_x()) > width / 2.0;
        let bottom = f64::from(event.client_y()) > height / 2.0;
        let corner = match (bottom, right) {
            (true, true) => CORNERS[0],
            (true, false) => CORNERS[1],
            (false, true) => CORNERS[2],
            (false, false) => CORNERS[3],
        };
        self.corner.set(corner);
        self.place();
    }
}

/// Writes what the next page needs to put this miniplayer back.
fn save(actions: Actions, options_json: Option<&str>) {
    let Some(video) = actions.video.get_untracked() else {
        return;
    };
    let options = options_json
        .and_then(|o| JSON::parse(o).ok())
        .unwrap_or(JsValue::NULL);
    let record = host::object(&[
        ("options", options),
        ("time", video.current_time().into()),
        ("muted", video.muted().into()),
        ("playing", (!video.paused()).into()),
        ("at", js_sys::Date::now().into()),
    ]);
    let storage = web_sys::window().and_then(|w| w.session_storage().ok().flatten());
    let text = JSON::stringify(&record).ok().and_then(|t| t.as_string());
    if let (Some(storage), Some(text)) = (storage, text) {
        // Private modes may refuse: the next page then simply has no miniplayer.
        storage.set_item(STORAGE_KEY, &text).ok();
    }
}

/// The control bar's button that floats the player.
#[component]
pub fn MiniplayerButton(mini: Miniplayer) -> impl IntoView {
    view! {
        <Show when=move || !mini.open.get()>
            <button
                part="miniplayer-button"
                class="sp-button"
                type="button"
                aria-label=text().miniplayer
                on:click=move |_| mini.set_open(true)
            >
                <Icon path=Signal::derive(|| icons::MINIPLAYER) />
            </button>
        </Show>
    }
}

/// The floating player's own controls: a handle to drag it, expand, close.
#[component]
pub fn MiniplayerBar(mini: Miniplayer, actions: Actions) -> impl IntoView {
    let t = text();
    let pointer = move |f: fn(&Miniplayer, &PointerEvent)| {
        move |event: PointerEvent| {
            event.prevent_default();
            f(&mini, &event);
        }
    };
    view! {
        <Show when=move || mini.open.get()>
            <div class="sp-mini-bar">
                <span
                    part="miniplayer-drag"
                    class="sp-mini-drag"
                    role="img"
                    aria-label=t.move_player
                    on:pointerdown=pointer(Miniplayer::drag_start)
                    on:pointermove=pointer(Miniplayer::drag_move)
                    on:pointerup=pointer(Miniplayer::drag_end)
                    on:pointercancel=pointer(Miniplayer::drag_end)
                ></span>
                <button
                    part="miniplayer-expand"
                    class="sp-button"
                    type="button"
                    aria-label=t.expand_player
                    on:click=move |_| mini.set_open(false)
                >
                    <Icon path=Signal::derive(|| icons::EXPAND) />
                </button>
                <button
                    part="miniplayer-close"
                    class="sp-button"
                    type="button"
                    aria-label=t.close_player
                    on:click=move |_| mini.close(actions)
                >
                    <Icon path=Signal::derive(|| icons::CLOSE) />
                </button>
            </div>
        </Show>
    }
}
