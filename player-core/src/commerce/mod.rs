//! Commerce: the product feed, variant choice, the cart and the product timeline.
//!
//! Plain values and functions, sans-IO like the rest of the engine: the UI renders them and
//! sends intents back; the browser driver fetches the feed and persists the cart record.
//! Times are passed in (`now_ms`, media seconds); nothing here reads a clock.

pub mod cart;
pub mod clip;
pub mod cues;
pub mod feed;
pub mod json;
pub mod money;
pub(crate) mod url;
pub mod variants;
