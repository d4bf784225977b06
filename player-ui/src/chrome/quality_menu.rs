//! The quality menu: "Auto" and each rendition, as a native `<select>` (keyboard-operable and
//! announced by screen readers without extra ARIA).

use leptos::prelude::*;
use player_core::hls::RenditionChoice;

use super::Actions;
use crate::state::PlayerState;
use crate::strings::text;

const AUTO: &str = "auto";

#[component]
pub fn QualityMenu(state: PlayerState, actions: Actions) -> impl IntoView {
    let auto_label = move || {
        let current = state.current_rendition.get();
        let renditions = state.renditions.get();
        match (
            state.rendition_choice.get(),
            current.and_then(|i| renditions.get(i)),
        ) {
            (RenditionChoice::Auto, Some(r)) => format!("{} ({})", text().auto, r.label()),
            _ => text().auto.into(),
        }
    };
    let selected = move || match state.rendition_choice.get() {
        RenditionChoice::Auto => AUTO.to_string(),
        RenditionChoice::Fixed(i) => i.to_string(),
    };
    let on_change = move |ev| {
        let value = event_target_value(&ev);
        let choice = value
            .parse()
            .map_or(RenditionChoice::Auto, RenditionChoice::Fixed);
        state.rendition_choice.set(choice);
        actions.choose_rendition(choice);
    };
    view! {
        <Show when=move || { state.renditions.with(|r| r.len() > 1) }>
            <select
                part="quality-menu"
                class="sp-quality"
                aria-label=text().quality
                prop:value=selected
                on:change=on_change
            >
                <option value=AUTO>{auto_label}</option>
                {move || {
                    state
                        .renditions
                        .get()
                        .into_iter()
                        .enumerate()
                        .rev()
                        .map(|(i, r)| view! { <option value=i.to_string()>{r.label()}</option> })
                        .collect_view()
                }}
            </select>
        </Show>
    }
}
