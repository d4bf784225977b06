//! The cart drawer: a line per variant with its quantity stepper, the subtotal and checkout.

use leptos::prelude::*;
use player_core::commerce::cart::CartLine;
use wasm_bindgen::JsCast;

use super::bind::{aria_disabled, click, flag, maybe_text, text};
use super::dialog::{close_button, dialog_keys, focus_on_open};
use crate::commerce::Commerce;
use crate::strings::text as strings;

#[component]
pub fn CartDrawer(commerce: Commerce) -> impl IntoView {
    let t = strings();
    let ids = Memo::new(move |_| {
        commerce.cart.with(|c| {
            c.lines()
                .iter()
                .map(|l| l.variant_id.clone())
                .collect::<Vec<_>>()
        })
    });
    let empty = move || ids.with(Vec::is_empty);
    let subtotal = text(move || {
        let cents = commerce.cart.with(|c| c.subtotal().unwrap_or(0));
        commerce.price(cents)
    });
    let blocked = move || empty() || commerce.busy.get();
    view! {
        <div
            node_ref=focus_on_open(commerce)
            part="cart-drawer"
            class="sp-panel"
            role="dialog"
            aria-modal="true"
            aria-labelledby="sp-cart-title"
            tabindex="-1"
            on:keydown=dialog_keys(commerce)
        >
            {close_button(commerce)}
            <h2 id="sp-cart-title" class="sp-panel-title">{t.your_cart}</h2>
            <p class="sp-empty" prop:hidden=flag(move || !empty())>{t.cart_empty}</p>
            <ul class="sp-lines">
                // Re-rendered when a line comes or goes; a quantity change only updates its line.
                {move || ids.get().into_iter().map(|id| line(id, commerce)).collect_view()}
            </ul>
            <div class="sp-cart-footer">
                <p class="sp-subtotal">
                    <span>{t.subtotal}</span>
                    <span part="cart-subtotal">{subtotal}</span>
                </p>
                <p class="sp-busy" role="status">
                    {maybe_text(move || commerce.busy.get().then(|| t.checking_out.to_owned()))}
                </p>
                <button
                    part="checkout-button"
                    class="sp-primary"
                    type="button"
                    aria-disabled=aria_disabled(blocked)
                    on:click=click(move |_| {
                        if !blocked() {
                            commerce.checkout();
                        }
                    })
                >
                    {t.checkout}
                </button>
            </div>
        </div>
    }
}

fn line(id: String, commerce: Commerce) -> impl IntoView {
    let t = strings();
    // Every reader goes through this one function, so there is one copy of it in the wasm.
    let stored_id = StoredValue::new(id.clone());
    let read = move |f: fn(&CartLine) -> u64| {
        stored_id.with_value(|id| commerce.cart.with(|c| c.line(id).map_or(0, f)))
    };
    let field = move |f: fn(&CartLine) -> String| {
        text(move || {
            stored_id.with_value(|id| {
                commerce
                    .cart
                    .with(|c| c.line(id).map(f))
                    .unwrap_or_default()
            })
        })
    };
    let quantity = move || read(|l| u64::from(l.quantity));
    let cap = move || read(|l| u64::from(l.cap()));
    let (name, image) = commerce.cart.with_untracked(|c| {
        let l = c.line(&id);
        let name = l.map(|l| format!("{} {}", l.title, l.variant_title));
        (name.unwrap_or_default(), l.and_then(|l| l.image.clone()))
    });
    let error = {
        let id = id.clone();
        maybe_text(move || {
            commerce
                .line_errors
                .with(|e| e.iter().find(|(v, _)| *v == id).map(|(_, m)| m.clone()))
        })
    };
    let step = {
        let id = id.clone();
        move |delta: i64| {
            let target = quantity() as i64 + delta;
            if target >= 1 && target <= cap() as i64 {
                commerce.set_quantity(&id, target as u32);
            }
        }
    };
    let step_down = step.clone();
    let remove = {
        let id = id.clone();
        click(move |ev| {
            // The button goes with its line: focus moves to the drawer, not to the page.
            let drawer = ev
                .current_target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|b| b.closest("[role=dialog]").ok().flatten())
                .and_then(|d| d.dyn_into::<web_sys::HtmlElement>().ok());
            commerce.remove(&id);
            if let Some(drawer) = drawer {
                drawer.focus().ok();
            }
        })
    };
    let price = text(move || commerce.price(read(|l| l.unit_price)));
    let no_error = {
        let error = error.clone();
        flag(move || error().is_none())
    };
    view! {
        <li part="cart-line" class="sp-line" data-variant-id=id>
            <img class="sp-thumb" src=image alt="" loading="lazy" />
            <div class="sp-line-info">
                <p class="sp-line-title">{field(|l| l.title.clone())}</p>
                <p class="sp-line-variant">{field(|l| l.variant_title.clone())}</p>
                <p part="line-price" class="sp-line-price">{price}</p>
                <div class="sp-stepper" role="group" aria-label=format!("{} {name}", t.quantity)>
                    <button
                        part="quantity-decrease"
                        class="sp-step"
                        type="button"
                        aria-label=format!("{} {name}", t.decrease_quantity)
                        aria-disabled=aria_disabled(move || quantity() <= 1)
                        on:click=click(move |_| step_down(-1))
                    >
                        "−"
                    </button>
                    <span part="quantity" class="sp-qty">{text(move || quantity().to_string())}</span>
                    <button
                        part="quantity-increase"
                        class="sp-step"
                        type="button"
                        aria-label=format!("{} {name}", t.increase_quantity)
                        aria-disabled=aria_disabled(move || quantity() >= cap())
                        on:click=click(move |_| step(1))
                    >
                        "+"
                    </button>
                </div>
                <p part="line-error" class="sp-line-error" role="alert" prop:hidden=no_error>{error}</p>
            </div>
            <button
                part="remove-line"
                class="sp-remove sp-link"
                type="button"
                aria-label=format!("{} {name}", t.remove)
                on:click=remove
            >
                {t.remove}
            </button>
        </li>
    }
}
