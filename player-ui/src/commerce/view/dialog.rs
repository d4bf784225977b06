//! What makes a panel (rail, product sheet, cart drawer) a modal dialog: focus moves in when
//! it opens, Escape closes it and gives focus back to its opener, Tab stays inside, and a
//! labelled close button. Plain functions rather than a wrapper component, so that each
//! panel's view stays one concrete type (a wrapper's boxed children cost a copy of Leptos's
//! type-erased view code per panel).

use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent};

use super::bind::click;
use super::swipe::swipe_to_close;
use crate::chrome::{icons, Icon};
use crate::commerce::Commerce;
use crate::strings::text;

/// What can take focus inside a panel.
const FOCUSABLE: &str = "button, a[href], input, select, [tabindex=\"0\"]";

pub type KeyHandler = Box<dyn FnMut(KeyboardEvent) + Send>;

/// A node reference that focuses the panel as soon as it is in the document, and lets it be
/// swiped down to close when it is a bottom sheet. The listeners live as long as the panel's
/// view.
pub fn focus_on_open(commerce: Commerce) -> NodeRef<Div> {
    let node = NodeRef::<Div>::new();
    let swipe = StoredValue::new_local(Vec::new());
    node.on_load(move |el| {
        el.focus().ok();
        swipe.set_value(swipe_to_close(&el, commerce));
    });
    node
}

/// The panel's `keydown` handler: Escape closes, Tab cycles inside.
pub fn dialog_keys(commerce: Commerce) -> KeyHandler {
    Box::new(move |ev: KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            ev.stop_propagation();
            commerce.close_panel();
        }
        "Tab" => {
            let dialog = ev
                .current_target()
                .and_then(|t| t.dyn_into::<HtmlElement>().ok());
            if let Some(dialog) = dialog {
                keep_focus_inside(&ev, &dialog);
            }
        }
        _ => {}
    })
}

/// The panel's close button, and the grabber that shows a bottom sheet can be dragged down.
pub fn close_button(commerce: Commerce) -> impl IntoView {
    view! {
        <div class="sp-grabber" aria-hidden="true"></div>
        <button
            part="close-button"
            class="sp-close sp-button"
            type="button"
            aria-label=text().close
            on:click=click(move |_| commerce.close_panel())
        >
            <Icon path=Signal::derive(|| icons::CLOSE) />
        </button>
    }
}

/// Tab from the last control goes to the first, Shift+Tab from the first to the last.
fn keep_focus_inside(ev: &KeyboardEvent, dialog: &HtmlElement) {
    let Ok(list) = dialog.query_selector_all(FOCUSABLE) else {
        return;
    };
    let (Some(first), Some(last)) = (list.item(0), list.item(list.length().saturating_sub(1)))
    else {
        return;
    };
    let active = dialog
        .get_root_node()
        .dyn_into::<web_sys::ShadowRoot>()
        .ok()
        .and_then(|r| r.active_element());
    let at = |node: &web_sys::Node| active.as_ref().is_some_and(|a| a.is_same_node(Some(node)));
    let target = if ev.shift_key() && (at(&first) || at(dialog)) {
        last
    } else if !ev.shift_key() && at(&last) {
        first
    } else {
        return;
    };
    if let Ok(target) = target.dyn_into::<HtmlElement>() {
        ev.prevent_default();
        target.focus().ok();
    }
}
