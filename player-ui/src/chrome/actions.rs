//! What the viewer (or the page, through the player handle) can ask the player to do.

use std::rc::Rc;

use leptos::html::Video;
use leptos::prelude::*;
use player_core::hls::RenditionChoice;
use player_core::web::MediaEngine;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlElement;

use crate::state::PlayerState;

/// Handles to the player's moving parts; `Copy`, so every control can hold one.
#[derive(Clone, Copy)]
pub struct Actions {
    pub video: NodeRef<Video>,
    pub playback: StoredValue<Option<Rc<MediaEngine>>, LocalStorage>,
    host: StoredValue<HtmlElement, LocalStorage>,
}

impl Actions {
    pub fn new(host: HtmlElement) -> Self {
        Actions {
            video: NodeRef::new(),
            playback: StoredValue::new_local(None),
            host: StoredValue::new_local(host),
        }
    }

    fn with_playback(&self, f: impl FnOnce(&MediaEngine)) {
        if let Some(playback) = self.playback.try_get_value().flatten() {
            f(&playback);
        }
    }

    pub fn load(&self, src: &str) {
        self.with_playback(|p| p.load(src));
    }

    /// Plays, and when the browser refuses (autoplay rules) shows the big play button
    /// instead of failing.
    pub fn play(&self, state: PlayerState) {
        let Some(video) = self.video.get_untracked() else {
            return;
        };
        let Ok(promise) = video.play() else {
            state.autoplay_blocked.set(true);
            return;
        };
        wasm_bindgen_futures::spawn_local(async move {
            if JsFuture::from(promise).await.is_err() {
                state.autoplay_blocked.try_set(true);
            }
        });
    }

    /// Autoplay as browsers allow it: inline, and muted when the page asked for muted. When
    /// sound is refused, muted playback is tried (with the tap-to-unmute button); when even
    /// that is refused (iOS Low Power Mode), the big play button is shown.
    pub fn autoplay(&self, state: PlayerState) {
        let Some(video) = self.video.get_untracked() else {
            return;
        };
        let attempt = |video: &web_sys::HtmlVideoElement| video.play().ok().map(JsFuture::from);
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(played) = attempt(&video) {
                if played.await.is_ok() {
                    return;
                }
            }
            if !video.muted() {
                video.set_muted(true);
                if let Some(played) = attempt(&video) {
                    if played.await.is_ok() {
                        return;
                    }
                }
                // A tap on the play button is a gesture: it may play with sound.
                video.set_muted(false);
            }
            state.autoplay_blocked.try_set(true);
        });
    }

    pub fn toggle_play(&self, state: PlayerState) {
        match self.video.get_untracked() {
            Some(video) if video.paused() || video.ended() => self.play(state),
            Some(video) => {
                video.pause().ok();
            }
            None => {}
        }
    }

    pub fn seek(&self, time: f64) {
        if let Some(video) = self.video.get_untracked() {
            if time.is_finite() {
                video.set_current_time(time.max(0.0));
            }
        }
    }

    pub fn go_live(&self) {
        self.with_playback(|p| p.go_live());
    }

    pub fn choose_rendition(&self, choice: RenditionChoice) {
        self.with_playback(|p| p.set_rendition(choice));
    }

    pub fn toggle_muted(&self) {
        if let Some(video) = self.video.get_untracked() {
            video.set_muted(!video.muted());
        }
    }

    pub fn set_volume(&self, volume: f64) {
        if let Some(video) = self.video.get_untracked() {
            video.set_volume(volume.max(0.0).min(1.0));
            video.set_muted(volume <= 0.0);
        }
    }

    /// Full screen for the whole player, so product cards and controls come along.
    pub fn toggle_fullscreen(&self) {
        let Some(host) = self.host.try_get_value() else {
            return;
        };
        let Some(document) = host.owner_document() else {
            return;
        };
        if document.fullscreen_element().is_some() {
            document.exit_fullscreen();
        } else {
            host.request_fullscreen().ok();
        }
    }
}
