//! HLS: playlists, URL resolution, rendition choice and the sans-IO playback engine.
//!
//! [`Engine`] is the heart of playback: it takes what happened (a playlist or segment
//! arrived, the media element moved, the viewer asked for something) and answers with
//! [`Command`]s for the driver to perform. See the crate docs for the sans-IO rule.

pub mod abr;
pub mod buffer;
pub mod command;
pub mod engine;
pub mod engine_choice;
pub mod live;
pub mod metadata;
pub mod playlist;
pub mod retry;
pub mod url;

pub use command::{Command, EngineEvent, FetchRequest, RenditionChoice, RenditionInfo, RequestId};
pub use engine::{Engine, EngineConfig};
