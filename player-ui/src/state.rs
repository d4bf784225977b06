//! The player's observable state, as reactive signals the chrome renders from.

use leptos::prelude::*;
use player_core::error::PlayerError;
use player_core::hls::metadata::MetadataCue;
use player_core::hls::{RenditionChoice, RenditionInfo};

/// Every signal is `Copy`, so components take the whole struct by value.
#[derive(Clone, Copy)]
pub struct PlayerState {
    pub position: RwSignal<f64>,
    pub duration: RwSignal<f64>,
    /// Buffered spans in seconds.
    pub buffered: RwSignal<Vec<(f64, f64)>>,
    pub paused: RwSignal<bool>,
    pub muted: RwSignal<bool>,
    pub volume: RwSignal<f64>,
    pub waiting: RwSignal<bool>,
    pub live: RwSignal<bool>,
    /// The seekable window (start, end): the whole video, or a live stream's DVR window.
    pub seekable: RwSignal<(f64, f64)>,
    /// A live stream's playlist stopped moving; the player keeps trying.
    pub reconnecting: RwSignal<bool>,
    /// The live show ended while watching: it is a replay now.
    pub live_ended: RwSignal<bool>,
    /// Timed metadata from the stream (product moments among them).
    pub cues: RwSignal<Vec<MetadataCue>>,
    pub renditions: RwSignal<Vec<RenditionInfo>>,
    /// The rendition segments come from now.
    pub current_rendition: RwSignal<Option<usize>>,
    pub rendition_choice: RwSignal<RenditionChoice>,
    pub error: RwSignal<Option<PlayerError>>,
    /// The browser refused to autoplay: show a big play button.
    pub autoplay_blocked: RwSignal<bool>,
    /// Playback has started at least once.
    pub started: RwSignal<bool>,
}

impl PlayerState {
    pub fn new() -> Self {
        PlayerState {
            position: RwSignal::new(0.0),
            duration: RwSignal::new(f64::NAN),
            buffered: RwSignal::new(Vec::new()),
            paused: RwSignal::new(true),
            muted: RwSignal::new(false),
            volume: RwSignal::new(1.0),
            waiting: RwSignal::new(false),
            live: RwSignal::new(false),
            seekable: RwSignal::new((0.0, 0.0)),
            reconnecting: RwSignal::new(false),
            live_ended: RwSignal::new(false),
            cues: RwSignal::new(Vec::new()),
            renditions: RwSignal::new(Vec::new()),
            current_rendition: RwSignal::new(None),
            rendition_choice: RwSignal::new(RenditionChoice::Auto),
            error: RwSignal::new(None),
            autoplay_blocked: RwSignal::new(false),
            started: RwSignal::new(false),
        }
    }
}
