//! What covers the video: the big play button and the error message.

use leptos::prelude::*;

use super::icons::{self, Icon};
use super::Actions;
use crate::state::PlayerState;
use crate::strings::text;

/// Shown before playback starts and whenever the browser refused to autoplay.
#[component]
pub fn BigPlayButton(state: PlayerState, actions: Actions) -> impl IntoView {
    let visible = move || {
        state.error.with(Option::is_none)
            && state.paused.get()
            && (!state.started.get() || state.autoplay_blocked.get())
    };
    view! {
        <Show when=visible>
            <button
                part="big-play-button"
                class="sp-big-play"
                type="button"
                aria-label=text().play_video
                on:click=move |_| actions.play(state)
            >
                <Icon path=Signal::derive(|| icons::PLAY) />
            </button>
        </Show>
    }
}

/// Muted autoplay's way back to sound (iOS only autoplays muted): one tap unmutes. Once the
/// viewer has had sound, it is not offered again.
#[component]
pub fn UnmuteButton(state: PlayerState, actions: Actions) -> impl IntoView {
    let heard = RwSignal::new(false);
    Effect::new(move |_| {
        if state.started.get() && !state.muted.get() {
            heard.set(true);
        }
    });
    let visible = move || state.started.get() && state.muted.get() && !heard.get();
    view! {
        <Show when=visible>
            <button
                part="unmute-button"
                class="sp-unmute"
                type="button"
                on:click=move |_| actions.toggle_muted()
            >
                <Icon path=Signal::derive(|| icons::MUTED) />
                <span>{text().unmute}</span>
            </button>
        </Show>
    }
}

/// A fatal error, in words a shopper can read.
#[component]
pub fn ErrorMessage(state: PlayerState) -> impl IntoView {
    view! {
        <Show when=move || state.error.with(Option::is_some)>
            <div part="error" class="sp-error" role="alert">
                <p class="sp-error-title">{text().cannot_play}</p>
                <p class="sp-error-detail">
                    {move || state.error.with(|e| e.as_ref().map(|e| e.message.clone()))}
                </p>
            </div>
        </Show>
    }
}

/// What a live viewer should know: the stream is reconnecting, or the show has ended.
#[component]
pub fn LiveStatus(state: PlayerState) -> impl IntoView {
    let message = move || {
        if state.reconnecting.get() {
            Some(text().reconnecting)
        } else if state.live_ended.get() {
            Some(text().live_ended)
        } else {
            None
        }
    };
    view! {
        <Show when=move || message().is_some()>
            <div part="status" class="sp-status" role="status">{message}</div>
        </Show>
    }
}
