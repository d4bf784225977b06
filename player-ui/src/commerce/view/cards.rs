//! What shows over the video: product cards while their moment lasts, the shop bar (product
//! rail and cart buttons), the feed notice, and the rail of every product in the show.

use leptos::prelude::*;
use player_core::commerce::feed::Product;

use super::bind::{click, flag, text};
use super::dialog::{close_button, dialog_keys, focus_on_open};
use crate::chrome::{icons, Icon};
use crate::commerce::{Commerce, Panel};
use crate::state::PlayerState;
use crate::strings::text as strings;
use crate::time_format::clock;

/// Most cards shown at once (the latest moments win).
const MAX_CARDS: usize = 3;

/// Cards for the products whose moment covers the playhead.
#[component]
pub fn ProductCards(state: PlayerState, commerce: Commerce) -> impl IntoView {
    let active = Memo::new(move |_| {
        let t = state.position.get();
        commerce.feed.with(|feed| {
            // A new feed re-renders the cards (same ids, maybe new titles or prices).
            let generation = std::sync::Arc::as_ptr(feed) as usize;
            commerce.timeline.with(|timeline| {
                let mut ids: Vec<(String, usize)> = timeline
                    .active_products(t)
                    .into_iter()
                    .filter(|id| feed.product(id).is_some())
                    .map(|id| (id.to_owned(), generation))
                    .collect();
                ids.drain(..ids.len().saturating_sub(MAX_CARDS));
                ids
            })
        })
    });
    // What is on screen counts towards `view_item_list` (once seen for a second).
    Effect::new(move |_| {
        let ids: Vec<String> = active.with(|a| a.iter().map(|(id, _)| id.clone()).collect());
        commerce.analytics.cards_shown(&ids);
    });
    // A fixed number of slots, each re-rendered only when its own product changes: cheaper in
    // the wasm than a keyed list.
    let slots = (0..MAX_CARDS)
        .map(|k| {
            let card = Memo::new(move |_| active.with(|a| a.get(k).cloned()));
            move || card.get().map(|(id, _)| product_card(&id, commerce))
        })
        .collect_view();
    view! {
        <div
            class="sp-cards"
            role="region"
            aria-label=strings().products_now
            aria-live="polite"
            prop:inert=flag(move || commerce.panel.with(|p| *p != Panel::Closed))
        >
            {slots}
        </div>
    }
}

fn product_card(id: &str, commerce: Commerce) -> impl IntoView {
    let feed = commerce.feed.get_untracked();
    let product = feed.product(id)?;
    let chosen = product.id.clone();
    Some(view! {
        <button
            part="product-card"
            class="sp-card"
            type="button"
            aria-haspopup="dialog"
            data-product-id=product.id.clone()
            on:click=click(move |_| commerce.select(&chosen))
        >
            {summary(product, commerce)}
        </button>
    })
}

/// Image, title and price: the inside of a card and of a rail entry.
fn summary(product: &Product, commerce: Commerce) -> impl IntoView {
    let (low, high) = product.price_range().unwrap_or_default();
    let price = if low == high {
        commerce.price(low)
    } else {
        format!("{} {}", strings().from_price, commerce.price(low))
    };
    view! {
        <img class="sp-thumb" src=product.image.clone() alt="" loading="lazy" />
        <span class="sp-summary">
            <span class="sp-summary-title">{product.title.clone()}</span>
            <span class="sp-summary-price">{price}</span>
        </span>
    }
}

/// The buttons at the top of the player: the product rail and the cart (with its count).
#[component]
pub fn ShopBar(commerce: Commerce) -> impl IntoView {
    let t = strings();
    let no_products = move || commerce.feed.with(|f| f.products.is_empty());
    let count = move || commerce.cart.with(|c| c.item_count());
    view! {
        <div class="sp-shopbar" prop:inert=flag(move || commerce.panel.with(|p| *p != Panel::Closed))>
            <button
                part="rail-button"
                class="sp-pill"
                type="button"
                aria-haspopup="dialog"
                prop:hidden=flag(no_products)
                on:click=click(move |_| commerce.open_panel(Panel::Rail))
            >
                <Icon path=Signal::derive(|| icons::LIST) />
                <span class="sp-pill-label">{t.show_products}</span>
            </button>
            <button
                part="cart-button"
                class="sp-pill"
                type="button"
                aria-haspopup="dialog"
                prop:hidden=flag(move || no_products() && count() == 0)
                aria-label=text(move || format!("{}, {} {}", t.cart, count(), t.items))
                on:click=click(move |_| commerce.open_panel(Panel::Cart))
            >
                <Icon path=Signal::derive(|| icons::BAG) />
                <span part="cart-count" class="sp-count">{text(move || count().to_string())}</span>
            </button>
        </div>
    }
}

/// A quiet, dismissible notice that the feed had problems; the video is not interrupted.
#[component]
pub fn FeedNotice(commerce: Commerce) -> impl IntoView {
    let t = strings();
    view! {
        <Show when=move || commerce.feed_notice.get()>
            <div part="feed-error" class="sp-notice" role="status">
                <span>{t.feed_problem}</span>
                <button
                    class="sp-notice-close"
                    type="button"
                    aria-label=t.dismiss
                    on:click=click(move |_| commerce.feed_notice.set(false))
                >
                    <Icon path=Signal::derive(|| icons::CLOSE) />
                </button>
            </div>
        </Show>
    }
}

/// Every product of the show, rendered only while open (a feed may have a thousand). Each
/// entry opens the product's sheet, or seeks to its first moment in the video.
#[component]
pub fn ProductRail(commerce: Commerce) -> impl IntoView {
    let t = strings();
    let feed = commerce.feed.get_untracked();
    let entries = commerce.timeline.with_untracked(|timeline| {
        feed.products
            .iter()
            .map(|product| {
                let first = timeline.moments(&product.id).first().map(|m| m.start);
                let chosen = product.id.clone();
                let seek = first.map(|at| {
                    let label = format!("{} {} · {}", t.watch_at, clock(at), product.title);
                    view! {
                        <button
                            part="rail-seek"
                            class="sp-rail-seek"
                            type="button"
                            aria-label=label
                            on:click=click(move |_| {
                                commerce.actions.seek(at);
                                commerce.close_panel();
                            })
                        >
                            {clock(at)}
                        </button>
                    }
                });
                view! {
                    <li part="rail-item" class="sp-rail-item" data-product-id=product.id.clone()>
                        <button
                            class="sp-rail-open"
                            type="button"
                            on:click=click(move |_| commerce.select(&chosen))
                        >
                            {summary(product, commerce)}
                        </button>
                        {seek}
                    </li>
                }
            })
            .collect_view()
    });
    view! {
        <div
            node_ref=focus_on_open(commerce)
            part="product-rail"
            class="sp-panel"
            role="dialog"
            aria-modal="true"
            aria-labelledby="sp-rail-title"
            tabindex="-1"
            on:keydown=dialog_keys(commerce)
        >
            {close_button(commerce)}
            <h2 id="sp-rail-title" class="sp-panel-title">{t.products_in_video}</h2>
            <ul class="sp-rail-list">{entries}</ul>
        </div>
    }
}
