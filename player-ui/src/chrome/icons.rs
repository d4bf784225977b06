//! Control icons as inline SVG paths on a 24×24 grid (no image requests, no CSP concerns).

use leptos::prelude::*;

pub const PLAY: &str = "M8 5v14l11-7z";
pub const PAUSE: &str = "M7 5h3.5v14H7zM13.5 5H17v14h-3.5z";
pub const VOLUME: &str = "M4 9v6h4l5 4V5L8 9zm12.5 3a4.5 4.5 0 0 0-2.5-4v8a4.5 4.5 0 0 0 2.5-4z";
pub const MUTED: &str = "M4 9v6h4l5 4V5L8 9zm11.3.3 1.4-1.4 2.3 2.3 2.3-2.3 1.4 1.4-2.3 2.3 2.3 2.3-1.4 1.4-2.3-2.3-2.3 2.3-1.4-1.4 2.3-2.3z";
pub const FULLSCREEN: &str = "M4 4h6v2H6v4H4zm10 0h6v6h-2V6h-4zM4 14h2v4h4v2H4zm14 0h2v6h-6v-2h4z";
pub const CLOSE: &str =
    "M6.4 5 5 6.4l5.6 5.6L5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z";
pub const MINIPLAYER: &str = "M3 5h18v14H3zm2 2v10h14V7zm6 5h7v4h-7z";
pub const EXPAND: &str =
    "M4 4h7v2H7.4l4.3 4.3-1.4 1.4L6 7.4V11H4zm16 16h-7v-2h3.6l-4.3-4.3 1.4-1.4 4.3 4.3V13h2z";
pub const LIST: &str = "M4 5h3v3H4zm5 0h11v3H9zM4 10.5h3v3H4zm5 0h11v3H9zM4 16h3v3H4zm5 0h11v3H9z";
pub const BAG: &str = "M7 8V7a5 5 0 0 1 10 0v1h3l-1 13H5L4 8zm2 0h6V7a3 3 0 0 0-6 0z";

/// An icon; decorative, since every button carries an `aria-label`.
#[component]
pub fn Icon(#[prop(into)] path: Signal<&'static str>) -> impl IntoView {
    view! {
        <svg class="sp-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d=path></path>
        </svg>
    }
}
