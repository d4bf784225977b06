//! The seek bar: a native range input (keyboard and screen-reader support for free) over the
//! buffered ranges.

use leptos::prelude::*;

use super::Actions;
use crate::state::PlayerState;
use crate::time_format::clock;

#[component]
pub fn SeekBar(state: PlayerState, actions: Actions) -> impl IntoView {
    let duration = move || {
        let d = state.duration.get();
        if d.is_finite() && d > 0.0 {
            d
        } else {
            0.0
        }
    };
    let percent = move |t: f64| {
        let d = duration();
        if d > 0.0 {
            format!("{:.3}%", (t / d * 100.0).clamp(0.0, 100.0))
        } else {
            "0%".into()
        }
    };
    let buffered = move || {
        state
            .buffered
            .get()
            .into_iter()
            .map(|(start, end)| {
                view! {
                    <span
                        class="sp-buffered"
                        style:left=percent(start)
                        style:width=percent(end - start)
                    ></span>
                }
            })
            .collect_view()
    };
    view! {
        <div class="sp-seek">
            <div class="sp-track" aria-hidden="true">
                {buffered}
                <span class="sp-played" style:width=move || percent(state.position.get())></span>
            </div>
            <input
                part="seek-bar"
                class="sp-seek-input"
                type="range"
                min="0"
                step="any"
                aria-label="Seek"
                max=move || duration().to_string()
                prop:value=move || state.position.get().to_string()
                aria-valuetext=move || format!("{} of {}", clock(state.position.get()), clock(duration()))
                on:input=move |ev| actions.seek(event_target_value(&ev).parse().unwrap_or(0.0))
            />
        </div>
    }
}
