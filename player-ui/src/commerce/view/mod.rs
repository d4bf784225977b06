//! The commerce surfaces, as Leptos components.

mod bind;
mod cards;
mod dialog;
mod drawer;
mod sheet;
mod swipe;

use leptos::prelude::*;

use crate::commerce::{Commerce, Panel};
use crate::state::PlayerState;
use cards::{FeedNotice, ProductCards, ProductRail, ShopBar};
use drawer::CartDrawer;
use sheet::ProductSheet;

/// Everything commerce puts over the video; the open panel last, so it covers the rest.
#[component]
pub fn ShopLayer(state: PlayerState, commerce: Commerce) -> impl IntoView {
    view! {
        <ProductCards state commerce />
        <ShopBar commerce />
        <FeedNotice commerce />
        {move || match commerce.panel.get() {
            Panel::Closed => ().into_any(),
            Panel::Rail => view! { <ProductRail commerce /> }.into_any(),
            Panel::Sheet(id) => view! { <ProductSheet id commerce /> }.into_any(),
            Panel::Cart => view! { <CartDrawer commerce /> }.into_any(),
        }}
    }
}
