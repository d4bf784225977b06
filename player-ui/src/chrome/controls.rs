//! The control bar: play/pause, seek bar, time, volume, quality, full screen.

use leptos::prelude::*;

use super::clip::Clip;
use super::icons::{self, Icon};
use super::miniplayer::{Miniplayer, MiniplayerButton};
use super::quality_menu::QualityMenu;
use super::seek_bar::SeekBar;
use super::Actions;
use crate::commerce::Commerce;
use crate::state::PlayerState;
use crate::strings::text;
use crate::time_format::clock;

#[component]
pub fn Controls(
    state: PlayerState,
    actions: Actions,
    commerce: Commerce,
    clip: Clip,
    mini: Miniplayer,
) -> impl IntoView {
    let t = text();
    let play_label = move || if state.paused.get() { t.play } else { t.pause };
    let play_icon = Signal::derive(move || {
        if state.paused.get() {
            icons::PLAY
        } else {
            icons::PAUSE
        }
    });
    let mute_label = move || if state.muted.get() { t.unmute } else { t.mute };
    let mute_icon = Signal::derive(move || {
        if state.muted.get() {
            icons::MUTED
        } else {
            icons::VOLUME
        }
    });
    // More than a few seconds behind the edge: the badge turns grey and invites a jump.
    let behind = move || state.seekable.get().1 - state.position.get() > 12.0;
    let time = move || {
        let duration = state.duration.get();
        if state.live.get() {
            let behind = state.seekable.get().1 - state.position.get();
            if behind > 12.0 {
                format!("-{}", clock(behind))
            } else {
                String::new()
            }
        } else if !duration.is_finite() {
            clock(state.position.get())
        } else {
            format!("{} / {}", clock(state.position.get()), clock(duration))
        }
    };
    view! {
        <div part="controls" class="sp-controls" role="group" aria-label=t.video_controls>
            <SeekBar state actions commerce clip />
            <div class="sp-bar">
                <button
                    part="play-button"
                    class="sp-button"
                    type="button"
                    aria-label=play_label
                    on:click=move |_| actions.toggle_play(state)
                >
                    <Icon path=play_icon />
                </button>
                <button
                    part="mute-button"
                    class="sp-button"
                    type="button"
                    aria-label=mute_label
                    aria-pressed=move || state.muted.get().to_string()
                    on:click=move |_| actions.toggle_muted()
                >
                    <Icon path=mute_icon />
                </button>
                <input
                    part="volume"
                    class="sp-volume"
                    type="range"
                    min="0"
                    max="1"
                    step="0.05"
                    aria-label=t.volume
                    prop:value=move || if state.muted.get() { 0.0 } else { state.volume.get() }
                    on:input=move |ev| actions.set_volume(event_target_value(&ev).parse().unwrap_or(1.0))
                />
                <Show when=move || state.live.get()>
                    <button
                        part="live-badge"
                        class="sp-live"
                        class:sp-live-behind=behind
                        type="button"
                        aria-label=t.go_live
                        on:click=move |_| actions.go_live()
                    >
                        {t.live}
                    </button>
                </Show>
                <span part="time" class="sp-time" aria-live="off">{time}</span>
                <span class="sp-spacer"></span>
                <QualityMenu state actions />
                <MiniplayerButton mini />
                <button
                    part="fullscreen-button"
                    class="sp-button"
                    type="button"
                    aria-label=t.full_screen
                    on:click=move |_| actions.toggle_fullscreen()
                >
                    <Icon path=Signal::derive(|| icons::FULLSCREEN) />
                </button>
            </div>
        </div>
    }
}
