//! Which playback engine a browser gets: our engine on Media Source Extensions, on Apple's
//! `ManagedMediaSource` (iOS 17.1+, where plain `MediaSource` is missing on iPhone), or the
//! `<video>` element's own HLS (older iPhones have neither).
//!
//! The decision is a pure function of what the page asked for (the `engine` attribute) and
//! what the browser offers, so it is tested here without a browser; `web::media_engine` only
//! detects the offer and starts the engine chosen.
//!
//! ```
//! use player_core::hls::engine_choice::{choose, BrowserSupport, EngineKind, EnginePreference};
//! let iphone_17 = BrowserSupport { media_source: false, managed_media_source: true, native_hls: true };
//! assert_eq!(choose(EnginePreference::Auto, iphone_17), Some(EngineKind::ManagedMse));
//! ```

/// The `engine` attribute: `auto` (default), `mse` or `native`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EnginePreference {
    #[default]
    Auto,
    /// Our engine (and transmuxer) on MSE, even where the browser plays HLS itself.
    Mse,
    /// The browser's own HLS where it has it.
    Native,
}

impl EnginePreference {
    /// Unknown or missing values mean `auto`, so a typo never leaves a page without video.
    pub fn parse(value: Option<&str>) -> EnginePreference {
        match value.map(str::trim) {
            Some(v) if v.eq_ignore_ascii_case("mse") => EnginePreference::Mse,
            Some(v) if v.eq_ignore_ascii_case("native") => EnginePreference::Native,
            _ => EnginePreference::Auto,
        }
    }
}

/// The engine that plays the stream, as `shoppable:ready` and `video_start` report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineKind {
    /// Our engine feeding a `MediaSource`.
    Mse,
    /// Our engine feeding a `ManagedMediaSource`, fetching only while the browser says
    /// `startstreaming`.
    ManagedMse,
    /// `video.src = url`: the browser fetches and plays the HLS stream itself.
    Native,
}

impl EngineKind {
    /// `mse`, `managed-mse` or `native`.
    pub fn as_str(self) -> &'static str {
        match self {
            EngineKind::Mse => "mse",
            EngineKind::ManagedMse => "managed-mse",
            EngineKind::Native => "native",
        }
    }
}

/// What the browser offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BrowserSupport {
    /// `window.MediaSource` exists.
    pub media_source: bool,
    /// `window.ManagedMediaSource` exists.
    pub managed_media_source: bool,
    /// `video.canPlayType('application/vnd.apple.mpegurl')` is not empty.
    pub native_hls: bool,
}

/// The engine for `preference` on a browser with `support`; `None` when it can play no HLS.
///
/// A preference is honoured when the browser can, and is never a dead end: `mse` on a browser
/// without any Media Source falls back to native HLS, `native` without native HLS to MSE.
/// Plain `MediaSource` wins over the managed one where both exist (desktop Safari 17+), since
/// the managed one may stop fetches the engine already scheduled.
pub fn choose(preference: EnginePreference, support: BrowserSupport) -> Option<EngineKind> {
    let mse = if support.media_source {
        Some(EngineKind::Mse)
    } else if support.managed_media_source {
        Some(EngineKind::ManagedMse)
    } else {
        None
    };
    let native = support.native_hls.then_some(EngineKind::Native);
    match preference {
        EnginePreference::Auto | EnginePreference::Mse => mse.or(native),
        EnginePreference::Native => native.or(mse),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn support(media_source: bool, managed: bool, native_hls: bool) -> BrowserSupport {
        BrowserSupport {
            media_source,
            managed_media_source: managed,
            native_hls,
        }
    }

    #[test]
    fn auto_prefers_mse_then_managed_then_native() {
        let auto = EnginePreference::Auto;
        // Chrome, Firefox, desktop Safari (which has both Media Sources and native HLS).
        assert_eq!(
            choose(auto, support(true, true, true)),
            Some(EngineKind::Mse)
        );
        assert_eq!(
            choose(auto, support(true, false, false)),
            Some(EngineKind::Mse)
        );
        // iOS 17.1+.
        assert_eq!(
            choose(auto, support(false, true, true)),
            Some(EngineKind::ManagedMse)
        );
        // Older iPhones.
        assert_eq!(
            choose(auto, support(false, false, true)),
            Some(EngineKind::Native)
        );
        assert_eq!(choose(auto, support(false, false, false)), None);
    }

    #[test]
    fn forced_choices_fall_back_rather_than_fail() {
        let native = EnginePreference::Native;
        assert_eq!(
            choose(native, support(true, false, true)),
            Some(EngineKind::Native)
        );
        assert_eq!(
            choose(native, support(true, false, false)),
            Some(EngineKind::Mse)
        );
        let mse = EnginePreference::Mse;
        assert_eq!(
            choose(mse, support(true, false, true)),
            Some(EngineKind::Mse)
        );
        assert_eq!(
            choose(mse, support(false, false, true)),
            Some(EngineKind::Native)
        );
    }

    #[test]
    fn preference_parsing_is_lenient() {
        assert_eq!(EnginePreference::parse(Some("MSE")), EnginePreference::Mse);
        assert_eq!(
            EnginePreference::parse(Some(" native ")),
            EnginePreference::Native
        );
        assert_eq!(
            EnginePreference::parse(Some("auto")),
            EnginePreference::Auto
        );
        assert_eq!(
            EnginePreference::parse(Some("hlsjs")),
            EnginePreference::Auto
        );
        assert_eq!(EnginePreference::parse(None), EnginePreference::Auto);
        assert_eq!(EngineKind::ManagedMse.as_str(), "managed-mse");
    }
}
