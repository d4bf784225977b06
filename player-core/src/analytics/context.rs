//! What every event says about where it came from: the video and the second of it, the view
//! (a per-view session id) and the campaign that brought the viewer (captured from the page
//! URL at load).
//!
//! ```
//! use player_core::analytics::context::campaign_params;
//! let url = "https://shop.example/spring?utm_source=news%20letter&utm_medium=email&ref=tiktok#top";
//! assert_eq!(
//!     campaign_params(url, &["ref"]),
//!     [
//!         ("utm_source".to_owned(), "news letter".to_owned()),
//!         ("utm_medium".to_owned(), "email".to_owned()),
//!         ("ref".to_owned(), "tiktok".to_owned()),
//!     ]
//! );
//! ```

use super::payload::{Fixed, Payload};
use crate::commerce::money::Currency;
use crate::hls::url::query_param;

/// `video_provider` of every video event, as GA4's enhanced measurement names YouTube's.
pub const VIDEO_PROVIDER: &str = "shoppable-player";

/// Campaign parameters read from the page URL, in the order they are written: GA4's manual
/// campaign tagging parameters and Google Ads' click ids.
pub const CAMPAIGN_PARAMS: [&str; 12] = [
    "utm_id",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "utm_source_platform",
    "utm_creative_format",
    "utm_marketing_tactic",
    "gclid",
    "gbraid",
    "wbraid",
];

/// Longest campaign value kept, in characters (GA4's limit for an event parameter value).
pub const MAX_CAMPAIGN_VALUE_CHARS: usize = 100;

/// The video an event comes from, and where in it the viewer is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VideoContext {
    /// The element's `video-id`.
    pub video_id: String,
    /// The element's `video-title`.
    pub video_title: String,
    /// The stream's URL (`src`).
    pub video_url: String,
    pub live: bool,
    /// The media time when the event happened (`currentTime`, in ms).
    pub current_time_ms: u64,
    /// `None` while unknown, and for live streams.
    pub duration_ms: Option<u64>,
    /// The player is at least half in the viewport and the page is visible (video events'
    /// `visible`).
    pub visible: bool,
    /// The playback engine, `video_start`'s `video_engine` (`mse`, `managed-mse`, `native`);
    /// empty while unknown.
    pub engine: &'static str,
}

impl VideoContext {
    /// An on-demand video at its start, visible.
    pub fn new(video_id: &str, video_title: &str, video_url: &str) -> VideoContext {
        VideoContext {
            video_id: video_id.to_owned(),
            video_title: video_title.to_owned(),
            video_url: video_url.to_owned(),
            visible: true,
            ..VideoContext::default()
        }
    }
}

/// The view and the campaign: a random id per view of a video, and the campaign parameters
/// of the page URL at load.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Attribution {
    /// `video_session_id`; see [`session_id`].
    pub session_id: String,
    /// `(parameter, value)` pairs from [`campaign_params`], written as they are.
    pub campaign: Vec<(String, String)>,
}

impl Attribution {
    /// The attribution of a new view on the page at `page_url` (`location.href`), with the
    /// store's own campaign parameters `extra_params` (see [`campaign_params`]) and a session
    /// id from `random` (e.g. from `crypto.getRandomValues`).
    pub fn from_url(page_url: &str, extra_params: &[&str], random: u64) -> Attribution {
        Attribution {
            session_id: session_id(random),
            campaign: campaign_params(page_url, extra_params),
        }
    }
}

/// Everything the event builders need besides the event's own data.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EventContext {
    pub video: VideoContext,
    pub attribution: Attribution,
    /// The feed's currency, else the element's `currency` attribute. Without one, ecommerce
    /// events leave out `currency` and `value` (GA4 refuses a value without a currency).
    pub currency: Option<Currency>,
}

impl EventContext {
    pub fn new(video: VideoContext, attribution: Attribution) -> EventContext {
        EventContext {
            video,
            attribution,
            currency: None,
        }
    }
}

/// A per-view session id: the 64 random bits as 16 lower-case hex digits.
///
/// ```
/// assert_eq!(player_core::analytics::context::session_id(0xfeed), "000000000000feed");
/// ```
pub fn session_id(random: u64) -> String {
    (0..16)
        .rev()
        .map(|k| char::from(b"0123456789abcdef"[(random >> (k * 4)) as usize & 15]))
        .collect()
}

/// GA4's UTM parameters and Google's click ids ([`CAMPAIGN_PARAMS`]) found in `url`'s query.
pub fn utm_from_url(url: &str) -> Vec<(String, String)> {
    campaign_params(url, &[])
}

/// [`CAMPAIGN_PARAMS`] and then the store's own `extra` parameters (e.g. `ref`, `affiliate`),
/// as found in `url`'s query string (not its fragment), in that order.
///
/// Values are read as `new URLSearchParams(location.search).get(name)` reads them
/// ([`query_param`]: exact name, first occurrence, `+` is a space, invalid UTF-8 replaced);
/// empty ones are left out and long ones cut to [`MAX_CAMPAIGN_VALUE_CHARS`]. An extra name is
/// ignored unless it is a valid GA4 parameter name (a letter, then up to 39 letters, digits or
/// `_`) that cannot clash with the payload's own fields (`event`, `ecommerce`, `visible`,
/// `video_*`, `gtm*`, `ga_*`, `google_*`, `firebase_*`, in any case) or repeat a built-in one.
pub fn campaign_params(url: &str, extra: &[&str]) -> Vec<(String, String)> {
    let extra = extra.iter().copied().filter(|n| is_extra_param_name(n));
    let mut out: Vec<(String, String)> = Vec::new();
    for name in CAMPAIGN_PARAMS.into_iter().chain(extra) {
        if out.iter().any(|(k, _)| k == name) {
            continue;
        }
        let Some(mut value) = query_param(url, name).filter(|v| !v.is_empty()) else {
            continue;
        };
        let mut chars = 0;
        let cut = value.bytes().position(|b| {
            chars += usize::from(b & 0xc0 != 0x80);
            chars > MAX_CAMPAIGN_VALUE_CHARS
        });
        value.truncate(cut.unwrap_or(value.len()));
        out.push((name.to_owned(), value));
    }
    out
}

fn is_extra_param_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let reserved = ["event", "ecommerce", "visible"].contains(&lower.as_str())
        || ["video_", "gtm", "ga_", "google_", "firebase_"]
            .iter()
            .any(|p| lower.starts_with(p));
    let mut bytes = name.bytes();
    let first_is_letter = bytes.next().is_some_and(|b| b.is_ascii_alphabetic());
    first_is_letter
        && name.len() <= 40
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !reserved
}

/// The context members every event ends with.
pub(crate) fn write_context(p: &mut Payload, ctx: &EventContext) {
    let v = &ctx.video;
    p.str("video_id", &v.video_id);
    p.str("video_title", &v.video_title);
    p.str("video_url", &v.video_url);
    p.str("video_provider", VIDEO_PROVIDER);
    p.fixed("video_current_time", v.current_time_ms, Fixed::Millis);
    // Always written (0 when unknown or live): GTM keeps a key's last pushed value, so a
    // missing one would report another player's duration.
    let duration = if v.live { None } else { v.duration_ms };
    p.fixed("video_duration", duration.unwrap_or(0), Fixed::Millis);
    p.bool("video_live", v.live);
    p.str("video_session_id", &ctx.attribution.session_id);
    for (key, value) in &ctx.attribution.campaign {
        p.str(key, value);
    }
}
