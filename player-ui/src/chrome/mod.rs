//! The player chrome: the video and its controls, as Leptos components (the commerce
//! surfaces over it are `crate::commerce::view`).

mod actions;
mod auto_hide;
pub mod clip;
mod controls;
pub mod icons;
pub mod miniplayer;
mod orientation;
mod overlays;
mod quality_menu;
mod seek_bar;

pub use actions::Actions;
pub use icons::Icon;

use leptos::prelude::*;
use player_core::web::time_ranges;

use crate::commerce::view::ShopLayer;
use crate::commerce::Commerce;
use crate::state::PlayerState;
use auto_hide::ControlsAutoHide;
use clip::{Clip, FullShowButton};
use controls::Controls;
use miniplayer::{Miniplayer, MiniplayerBar};
use orientation::VideoOrientation;
use overlays::{BigPlayButton, ErrorMessage, LiveStatus, UnmuteButton};

/// The whole player: video, overlays and control bar.
#[component]
pub fn PlayerChrome(
    state: PlayerState,
    actions: Actions,
    commerce: Commerce,
    clip: Clip,
    mini: Miniplayer,
    poster: Option<String>,
) -> impl IntoView {
    let sync = move || {
        if let Some(video) = actions.video.get_untracked() {
            state.position.set(video.current_time());
            state.duration.set(video.duration());
            state.paused.set(video.paused());
            let seekable = time_ranges(&video.seekable());
            if let (Some(first), Some(last)) = (seekable.0.first(), seekable.0.last()) {
                state.seekable.set((first.start, last.end));
            }
            let ranges = time_ranges(&video.buffered());
            state
                .buffered
                .set(ranges.0.iter().map(|r| (r.start, r.end)).collect());
        }
    };
    let sync_volume = move || {
        if let Some(video) = actions.video.get_untracked() {
            state.muted.set(video.muted());
            state.volume.set(video.volume());
        }
    };
    view! {
        <div class="sp-stage">
            <video
                node_ref=actions.video
                part="video"
                class="sp-video"
                playsinline=true
                poster=poster
                on:timeupdate=move |_| sync()
                on:durationchange=move |_| sync()
                on:progress=move |_| sync()
                on:seeking=move |_| sync()
                on:play=move |_| {
                    state.started.set(true);
                    state.autoplay_blocked.set(false);
                    sync();
                }
                on:pause=move |_| sync()
                on:waiting=move |_| state.waiting.set(true)
                on:playing=move |_| state.waiting.set(false)
                on:volumechange=move |_| sync_volume()
                on:click=move |_| actions.toggle_play(state)
            ></video>
            <BigPlayButton state actions />
            <UnmuteButton state actions />
            <ControlsAutoHide actions />
            <VideoOrientation actions />
            <ErrorMessage state />
            <LiveStatus state />
            <FullShowButton clip state actions />
            <Controls state actions commerce clip mini />
            <MiniplayerBar mini actions />
            <ShopLayer state commerce />
        </div>
    }
}
