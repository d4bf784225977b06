//! The panic report of the browser build (`player-ui/src/panic_report/`), natively. The shipped
//! API offers no way to make the wasm panic, and it must not grow one for tests, so the
//! browser half (installing the hook, dispatching the event) is not exercised end to end;
//! what it says and whom it tells is plain Rust, compiled here from the very same file.

#[path = "../../player-ui/src/panic_report/message.rs"]
mod message;

use std::panic;
use std::sync::Mutex;

use message::{describe, Registry, CODE};

#[test]
fn the_message_quotes_the_panic_and_where_it_happened() {
    let m = describe(
        &"index out of bounds",
        Some(("src/hls/engine/mod.rs", 1062, 23)),
    );
    assert_eq!(
        m,
        "The video player stopped on an internal error (index out of bounds at \
         src/hls/engine/mod.rs:1062:23). Reload the page to play again."
    );
    let formatted = format!("attempt to add with overflow: {}", 7);
    assert!(describe(&formatted, None).contains("(attempt to add with overflow: 7)"));
    assert!(describe(&42_u8, None).contains("(no message)"));
    assert_eq!(CODE, "internal");
}

#[test]
fn long_payloads_are_cut_on_a_character_boundary() {
    // A payload can carry input (a whole playlist line): the message stays short.
    let long = "é".repeat(1_000);
    let m = describe(&long, None);
    assert!(m.len() < 300, "{} bytes", m.len());
    assert!(m.contains(&"é".repeat(100)));
}

#[test]
fn a_real_panic_through_a_hook_reads_as_the_browser_hook_reads_it() {
    // The same calls as `panic_report::report`, on a panic of this thread.
    static SEEN: Mutex<Option<String>> = Mutex::new(None);
    let previous = panic::take_hook();
    panic::set_hook(Box::new(|info| {
        let location = info.location().map(|l| (l.file(), l.line(), l.column()));
        *SEEN.lock().unwrap() = Some(describe(info.payload(), location));
    }));
    let values: Vec<u32> = Vec::new();
    let index = values.len() + 3;
    let result = panic::catch_unwind(|| values[index]);
    panic::set_hook(previous);
    assert!(result.is_err());
    let seen = SEEN.lock().unwrap().take().expect("the hook ran");
    assert!(
        seen.contains("index out of bounds: the len is 0 but the index is 3"),
        "{seen}"
    );
    assert!(seen.contains("hostile_panic_report.rs:"), "{seen}");
}

#[test]
fn the_registry_holds_the_live_players_only() {
    let mut live = Registry::default();
    live.add("a");
    live.add("b");
    live.add("a");
    live.add("c");
    assert_eq!(
        live.snapshot(),
        ["a", "b", "c"],
        "one entry per host, in mount order"
    );
    live.remove(&"b");
    assert_eq!(live.snapshot(), ["a", "c"]);
    live.remove(&"b");
    live.remove(&"a");
    live.remove(&"c");
    assert!(
        live.snapshot().is_empty(),
        "a destroyed player is never told"
    );
}
