//! Helpers shared by the playlist tag tests: parse as the kind a test expects, and check the
//! line, attribute and kind an error names.

#![allow(dead_code)] // Each test file uses a different subset.

use player_core::hls::playlist::{
    parse_playlist, MediaPlaylist, MultivariantPlaylist, Playlist, PlaylistError,
    PlaylistErrorKind as Kind,
};

pub const URL: &str = "https://cdn.example/show/720p/index.m3u8";

pub fn media(text: &str) -> MediaPlaylist {
    match parse_playlist(text, URL) {
        Ok(Playlist::Media(m)) => m,
        other => panic!("expected a media playlist, got {other:?}"),
    }
}

pub fn multivariant(text: &str) -> MultivariantPlaylist {
    match parse_playlist(text, URL) {
        Ok(Playlist::Multivariant(m)) => m,
        other => panic!("expected a multivariant playlist, got {other:?}"),
    }
}

pub fn error(text: &str) -> PlaylistError {
    match parse_playlist(text, URL) {
        Err(e) => e,
        Ok(p) => panic!("expected an error, parsed {p:?}"),
    }
}

/// A media playlist with `body` between the header and one closing segment.
pub fn with_segment(body: &str) -> String {
    format!("#EXTM3U\n#EXT-X-TARGETDURATION:6\n{body}\n#EXTINF:6,\nlast.ts\n")
}

pub fn assert_error(e: &PlaylistError, line: usize, attribute: Option<&str>, kind: Kind) {
    assert_eq!(
        (e.line, e.attribute.as_deref(), &e.kind),
        (line, attribute, &kind),
        "{e}"
    );
}
