//! Clip mode in the player: `start`/`end`, or `product="ID"` (that product's moments), played
//! as a clip that stops (or loops) at its end and offers the whole show from there. Also the
//! one-shot `resume-at` seek of a restored miniplayer. The decisions are
//! `player_core::commerce::clip`; this module follows the playhead and acts.

use leptos::prelude::*;
use player_core::commerce::clip::{ClipPlan, ClipStep};

use super::Actions;
use crate::commerce::Commerce;
use crate::options::PlayerOptions;
use crate::state::PlayerState;
use crate::strings::text;

/// The clip of a player; `Copy`.
#[derive(Clone, Copy)]
pub struct Clip {
    /// The clip being played; `None` when there is none or the viewer chose the full show.
    pub plan: Memo<Option<ClipPlan>>,
    /// The clip reached its end and stopped: the "watch the full show" button shows.
    pub ended: RwSignal<bool>,
    /// The viewer chose the full show: clip mode is over for this player.
    full_show: RwSignal<bool>,
}

impl Clip {
    /// Sets up clip mode from the options and starts following the playhead.
    pub fn new(
        options: &PlayerOptions,
        state: PlayerState,
        actions: Actions,
        commerce: Commerce,
    ) -> Clip {
        let full_show = RwSignal::new(false);
        let product = options.product.clone();
        let bounds = (options.start, options.end);
        let plan = Memo::new(move |_| {
            if full_show.get() {
                return None;
            }
            match &product {
                // From every source of moments (feed timeline, stream date ranges, ID3), as
                // they arrive.
                Some(id) => commerce
                    .timeline
                    .with(|t| ClipPlan::from_moments(&t.moments(id))),
                None if bounds != (None, None) => ClipPlan::from_bounds(bounds.0, bounds.1),
                None => None,
            }
        });
        let clip = Clip {
            plan,
            ended: RwSignal::new(false),
            full_show,
        };
        let looped = options.looped;
        Effect::new(move |_| {
            let position = state.position.get();
            plan.with(|plan| {
                if let Some(plan) = plan {
                    clip.follow(plan, position, looped, state, actions);
                }
            });
        });
        if let Some(at) = options.resume_at {
            // Once the stream knows its length, so the seek is not clamped to nothing.
            let pending = StoredValue::new(true);
            Effect::new(move |_| {
                if state.duration.get().is_finite() && pending.get_value() {
                    pending.set_value(false);
                    actions.seek(at);
                }
            });
        }
        clip
    }

    fn follow(
        &self,
        plan: &ClipPlan,
        position: f64,
        looped: bool,
        state: PlayerState,
        actions: Actions,
    ) {
        match plan.step(position) {
            ClipStep::Play => self.ended.set(false),
            ClipStep::Jump(to) => actions.seek(to),
            ClipStep::End if looped => actions.seek(plan.start()),
            ClipStep::End if !self.ended.get_untracked() => {
                self.ended.set(true);
                if let Some(video) = actions.video.get_untracked() {
                    video.pause().ok();
                }
            }
            // Play pressed again at the end: the clip starts over.
            ClipStep::End if !state.paused.get_untracked() => {
                self.ended.set(false);
                actions.seek(plan.start());
            }
            ClipStep::End => {}
        }
    }

    /// The seek bar's span while a clip plays: the clip's, within the video.
    pub fn window(&self, duration: f64) -> Option<(f64, f64)> {
        self.plan
            .with(|p| p.as_ref().map(|p| (p.start(), p.end().min(duration))))
    }

    /// Leaves clip mode and plays on from here in the whole show.
    pub fn watch_full_show(&self, state: PlayerState, actions: Actions) {
        self.full_show.set(true);
        self.ended.set(false);
        actions.play(state);
    }
}

/// At the end of a clip: the way into the whole replay.
#[component]
pub fn FullShowButton(clip: Clip, state: PlayerState, actions: Actions) -> impl IntoView {
    view! {
        <Show when=move || clip.ended.get()>
            <button
                part="full-show-button"
                class="sp-full-show"
                type="button"
                on:click=move |_| clip.watch_full_show(state, actions)
            >
                {text().watch_full_show}
            </button>
        </Show>
    }
}
