//! The parts of the panic report that are plain Rust: the message and the registry of live
//! players. No browser types here, so that they are tested natively
//! (`player-core/tests/hostile_panic_report.rs` compiles this very file).

use std::any::Any;

/// `shoppable:error`'s `code` for a panic.
pub const CODE: &str = "internal";

/// The longest panic text quoted: a payload can hold input data (a playlist line, a URL).
const MAX_QUOTED: usize = 200;

/// The human message for a panic with `payload` (what `panic!`, `expect` or an index out of
/// bounds carried) at `location` (file, line, column).
///
/// ```ignore
/// let m = describe(&"index out of bounds", Some(("src/a.rs", 3, 9)));
/// assert!(m.contains("index out of bounds at src/a.rs:3:9"));
/// ```
pub fn describe(payload: &dyn Any, location: Option<(&str, u32, u32)>) -> String {
    let what = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message");
    let mut message = String::from("The video player stopped on an internal error (");
    message.push_str(quote(what));
    if let Some((file, line, column)) = location {
        message.push_str(&format!(" at {file}:{line}:{column}"));
    }
    message.push_str("). Reload the page to play again.");
    message
}

/// `text` cut to at most [`MAX_QUOTED`] bytes, on a character boundary.
fn quote(text: &str) -> &str {
    if text.len() <= MAX_QUOTED {
        return text;
    }
    let mut end = MAX_QUOTED;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The hosts of the players mounted now, in mount order: whom a panic is reported to.
#[derive(Debug)]
pub struct Registry<T> {
    live: Vec<T>,
}

impl<T> Default for Registry<T> {
    fn default() -> Self {
        Registry { live: Vec::new() }
    }
}

impl<T: PartialEq + Clone> Registry<T> {
    /// A player mounted into `host`. Mounting the same host twice keeps one entry.
    pub fn add(&mut self, host: T) {
        if !self.live.contains(&host) {
            self.live.push(host);
        }
    }

    /// The player of `host` was destroyed.
    pub fn remove(&mut self, host: &T) {
        self.live.retain(|h| h != host);
    }

    /// A copy, so reporting dispatches events without holding the registry: a listener that
    /// mounts or destroys a player must not find it borrowed.
    pub fn snapshot(&self) -> Vec<T> {
        self.live.clone()
    }
}
