//! The product sheet: the selected variant's image, title, brand, prices, SKU and
//! description, the variant picker (one group per option, swatches for colours) and the add
//! button.

use std::sync::Arc;

use leptos::prelude::*;
use player_core::commerce::feed::{Product, Variant};
use player_core::commerce::variants::VariantPicker;
use wasm_bindgen::prelude::*;

use super::bind::{aria_disabled, click, flag, maybe_text, text};
use super::dialog::{close_button, dialog_keys, focus_on_open};
use crate::commerce::{Commerce, Panel};
use crate::strings::text as strings;

#[wasm_bindgen]
extern "C" {
    /// `CSS.supports(property, value)`.
    #[wasm_bindgen(js_namespace = CSS, js_name = supports)]
    fn css_supports(property: &str, value: &str) -> bool;
}

/// The picker's state as the view needs it: the selected variant's index and, per option,
/// each value's (selected, available).
#[derive(Clone, PartialEq)]
struct Choice {
    variant: usize,
    values: Vec<Vec<(bool, bool)>>,
}

fn choice(product: &Product, variant_id: &str) -> Choice {
    let Some(picker) = VariantPicker::for_variant(product, variant_id) else {
        return Choice {
            variant: 0,
            values: Vec::new(),
        };
    };
    let values = (0..product.options.len())
        .map(|j| {
            let values = picker.values(j).into_iter();
            values.map(|v| (v.selected, v.available)).collect()
        })
        .collect();
    let variant = product
        .variants
        .iter()
        .position(|v| v.id == variant_id)
        .unwrap_or(0);
    Choice { variant, values }
}

#[component]
pub fn ProductSheet(id: String, commerce: Commerce) -> impl IntoView {
    let t = strings();
    let product = commerce
        .feed
        .with_untracked(|f| f.product(&id).cloned().map(Arc::new))?;
    let first = VariantPicker::new(&product).map(|p| p.variant_id().to_owned());
    let selected = RwSignal::new(first.unwrap_or_default());
    let stored = StoredValue::new(product.clone());
    let state = Memo::new(move |_| selected.with(|v| stored.with_value(|p| choice(p, v))));
    // The closures below hold only `Copy` handles, so each can be used many times.
    let variant = move || {
        let i = state.with(|s| s.variant);
        stored.with_value(|p| p.variants.get(i).cloned())
    };
    let from_variant =
        move |f: fn(&Variant) -> Option<String>| maybe_text(move || variant().and_then(|v| f(&v)));
    let image = maybe_text(move || {
        let own = variant().and_then(|v| v.image);
        own.or_else(|| stored.with_value(|p| p.image.clone()))
    });
    let price = text(move || {
        variant()
            .map(|v| commerce.price(v.price))
            .unwrap_or_default()
    });
    let compare = maybe_text(move || {
        let cents = variant().and_then(|v| v.compare_at_price)?;
        Some(commerce.price(cents))
    });
    let available = move || variant().is_some_and(|v| v.available);
    let stock = maybe_text(move || match variant() {
        Some(v) if !v.available => Some(t.sold_out.to_owned()),
        Some(v) => v
            .inventory
            .filter(|&n| n <= 5)
            .map(|n| format!("{} {n}", t.only_left)),
        None => None,
    });
    let add = click(move |_| {
        let Some(v) = variant() else { return };
        // The second click of a double click adds nothing (and reports nothing).
        if !v.available
            || !commerce
                .analytics
                .allow_click(&format!("add_to_cart:{}", v.id))
        {
            return;
        }
        let message = match commerce.add(&v.id, 1) {
            Ok(change) if change.added() > 0 => t.added_to_cart.to_owned(),
            Ok(change) => format!("{} {}", t.only_left, change.line.cap()),
            Err(e) => e,
        };
        commerce.added.set(Some(message));
    });
    let groups = product
        .options
        .iter()
        .enumerate()
        .map(|(j, option)| {
            let label_id = format!("sp-option-{j}");
            let name_id = label_id.clone();
            let colour_option = ["color", "colour"]
                .iter()
                .any(|c| option.name.eq_ignore_ascii_case(c));
            let buttons = option
                .values
                .iter()
                .enumerate()
                .map(|(i, value)| {
                    let flags =
                        move || state.with(|s| s.values.get(j).and_then(|o| o.get(i)).copied());
                    let colour = css_supports("color", value).then(|| value.clone());
                    let swatch = (colour_option || colour.is_some()).then(|| {
                        view! {
                            <span
                                class="sp-swatch"
                                aria-hidden="true"
                                style:background-color=colour.unwrap_or_default()
                            ></span>
                        }
                    });
                    let chosen = value.clone();
                    let pick = click(move |_| {
                        let current = selected.get_untracked();
                        let next = stored.with_value(|p| {
                            let mut picker = VariantPicker::for_variant(p, &current)?;
                            picker.select(j, &chosen);
                            Some(picker.variant_id().to_owned())
                        });
                        commerce.added.set(None);
                        let Some(next) = next.filter(|n| *n != current) else {
                            return;
                        };
                        selected.set(next.clone());
                        let product_id = stored.with_value(|p| p.id.clone());
                        commerce
                            .analytics
                            .variant_event("select_variant", &product_id, &next);
                    });
                    view! {
                        <button
                            part="variant-option"
                            class="sp-option"
                            type="button"
                            data-option=option.name.clone()
                            data-value=value.clone()
                            aria-pressed=text(move || flags().is_some_and(|f| f.0).to_string())
                            aria-disabled=aria_disabled(move || !flags().is_some_and(|f| f.1))
                            on:click=pick
                        >
                            {swatch}
                            <span>{value.clone()}</span>
                        </button>
                    }
                })
                .collect_view();
            view! {
                <div class="sp-option-group" role="group" aria-labelledby=label_id>
                    <p class="sp-option-name" id=name_id>{option.name.clone()}</p>
                    <div class="sp-option-values">{buttons}</div>
                </div>
            }
        })
        .collect_view();
    let sold_out = flag(move || !available());
    Some(view! {
        <div
            node_ref=focus_on_open(commerce)
            part="product-sheet"
            class="sp-panel"
            role="dialog"
            aria-modal="true"
            aria-labelledby="sp-sheet-title"
            tabindex="-1"
            on:keydown=dialog_keys(commerce)
        >
            {close_button(commerce)}
            <div class="sp-sheet">
                <img part="product-image" class="sp-sheet-image" src=image alt=product.title.clone() />
                <div class="sp-sheet-info">
                    <p class="sp-brand">{product.brand.clone()}</p>
                    <h2 id="sp-sheet-title" class="sp-panel-title">{product.title.clone()}</h2>
                    <p class="sp-prices">
                        <span part="price" class="sp-price">{price}</span>
                        " "
                        <s part="compare-at-price" class="sp-compare" prop:hidden=flag(move || compare().is_none())>
                            <span class="sp-sr">{t.was_price}" "</span>
                            {compare.clone()}
                        </s>
                    </p>
                    {groups}
                    <p part="sku" class="sp-sku">
                        {from_variant(|v| v.sku.as_ref().map(|s| format!("{} {s}", strings().sku)))}
                    </p>
                    <p part="stock" class="sp-stock" class:sp-sold-out=sold_out.clone()>{stock}</p>
                    <button part="add-to-cart" class="sp-primary" type="button" prop:disabled=sold_out on:click=add>
                        {text(move || if available() { t.add_to_cart } else { t.sold_out }.to_owned())}
                    </button>
                    <p class="sp-added" role="status" prop:hidden=flag(move || commerce.added.with(Option::is_none))>
                        {maybe_text(move || commerce.added.get())}
                        " "
                        <button
                            class="sp-link"
                            type="button"
                            on:click=click(move |_| commerce.open_panel(Panel::Cart))
                        >
                            {t.view_cart}
                        </button>
                    </p>
                    <p part="description" class="sp-description">{product.description.clone()}</p>
                    <a part="product-link" class="sp-link" href=product.url.clone() prop:hidden=product.url.is_none()>
                        {t.more_details}
                    </a>
                </div>
            </div>
        </div>
    })
}
