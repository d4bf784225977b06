//! The seek bar: a native range input (keyboard and screen-reader support for free) over the
//! buffered ranges, with the product moments as chapter markers.

use leptos::prelude::*;

use super::clip::Clip;
use super::Actions;
use crate::commerce::Commerce;
use crate::state::PlayerState;
use crate::strings::text;
use crate::time_format::clock;

/// Most chapter markers on the bar (the earliest moments): each is a tab stop.
const MAX_CHAPTERS: usize = 40;

#[component]
pub fn SeekBar(
    state: PlayerState,
    actions: Actions,
    commerce: Commerce,
    clip: Clip,
) -> impl IntoView {
    // The span the bar covers: the clip, the whole video, or a live stream's seekable (DVR)
    // window.
    let window = move || {
        let duration = state.duration.get();
        if state.live.get() || !duration.is_finite() {
            state.seekable.get()
        } else {
            clip.window(duration).unwrap_or((0.0, duration.max(0.0)))
        }
    };
    let percent = move |t: f64| {
        let (start, end) = window();
        css_percent(t - start, end - start)
    };
    let width = move |from: f64, to: f64| {
        let (start, end) = window();
        css_percent(to.min(end) - from.max(start), end - start)
    };
    let buffered = move || {
        state
            .buffered
            .get()
            .into_iter()
            .map(|(from, to)| {
                view! {
                    <span
                        class="sp-buffered"
                        style:left=percent(from)
                        style:width=width(from, to)
                    ></span>
                }
            })
            .collect_view()
    };
    let value_text = move || {
        let (start, end) = window();
        let position = state.position.get();
        if state.live.get() {
            format!("{} {}", clock(end - position), text().behind_live)
        } else {
            format!("{} {} {}", clock(position - start), text().of, clock(end))
        }
    };
    // Every product moment in the span, by start: (product id, title, start).
    let chapters = Memo::new(move |_| {
        let (start, end) = window();
        if end <= start {
            return Vec::new();
        }
        let mut marks: Vec<(String, String, f64)> = commerce.feed.with(|feed| {
            commerce.timeline.with(|timeline| {
                feed.products
                    .iter()
                    .flat_map(|p| {
                        let moments = timeline.moments(&p.id).into_iter();
                        moments.map(move |m| (p.id.clone(), p.title.clone(), m.start))
                    })
                    .filter(|(_, _, at)| *at >= start && *at < end)
                    .collect()
            })
        });
        marks.sort_by(|a, b| a.2.total_cmp(&b.2));
        marks.truncate(MAX_CHAPTERS);
        marks
    });
    let markers = move || {
        chapters
            .get()
            .into_iter()
            .map(|(id, title, at)| {
                let label = format!("{title}, {}", clock(at));
                let name = title.clone();
                view! {
                    <button
                        part="chapter"
                        class="sp-chapter"
                        type="button"
                        data-product-id=id
                        aria-label=label
                        title=name
                        style:left=percent(at)
                        on:click=move |_| actions.seek(at)
                    >
                        <span class="sp-chapter-name" aria-hidden="true">{title}</span>
                    </button>
                }
            })
            .collect_view()
    };
    view! {
        <div class="sp-seek">
            <div class="sp-chapters" role="group" aria-label=text().chapters>{markers}</div>
            <div class="sp-track" aria-hidden="true">
                {buffered}
                <span class="sp-played" style:width=move || width(window().0, state.position.get())></span>
            </div>
            <input
                part="seek-bar"
                class="sp-seek-input"
                type="range"
                step="any"
                aria-label=text().seek
                min=move || decimal(window().0)
                max=move || decimal(window().1)
                prop:value=move || decimal(state.position.get())
                aria-valuetext=value_text
                on:input=move |ev| actions.seek(event_target_value(&ev).parse().unwrap_or(0.0))
            />
        </div>
    }
}

/// `part / whole` as a CSS percentage with three decimals, in integer arithmetic: Rust's float
/// formatting would cost the bundle ~15 KB for this one string.
fn css_percent(part: f64, whole: f64) -> String {
    // Zero, negative or NaN: nothing to divide by.
    if whole.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return "0%".into();
    }
    let thousandths = ((part / whole).max(0.0).min(1.0) * 100_000.0).round() as u32;
    format!("{}.{:03}%", thousandths / 1000, thousandths % 1000)
}

/// A number as an attribute value, formatted by the browser's own `Number#toString`.
fn decimal(value: f64) -> String {
    js_sys::Number::from(value)
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::css_percent;

    #[test]
    fn percentages_are_clamped_and_exact() {
        assert_eq!(css_percent(1.0, 3.0), "33.333%");
        assert_eq!(css_percent(5.0, 4.0), "100.000%");
        assert_eq!(css_percent(-1.0, 4.0), "0.000%");
        assert_eq!(css_percent(1.0, 0.0), "0%");
        assert_eq!(css_percent(1.0, f64::NAN), "0%");
    }
}
