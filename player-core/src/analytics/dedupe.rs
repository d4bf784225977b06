//! No double counting: `view_item_list` once per product per view and only for cards that were
//! really seen, and one event per deliberate click.
//!
//! ```
//! use player_core::analytics::dedupe::{ClickGuard, ViewItemListTracker};
//! let mut cards = ViewItemListTracker::new();
//! cards.show("tee", 0);
//! assert!(cards.poll(999).is_empty());
//! assert_eq!(cards.poll_timeout(), Some(1_000));
//! assert_eq!(cards.poll(1_000), ["tee"]);
//! cards.hide("tee", 5_000);
//! cards.show("tee", 9_000); // shown again in the same view: not reported again
//! assert!(cards.poll(20_000).is_empty());
//!
//! let mut clicks = ClickGuard::new();
//! assert!(clicks.allow("add_to_cart:40001", 0));
//! assert!(!clicks.allow("add_to_cart:40001", 180)); // the second click of a double click
//! assert!(clicks.allow("add_to_cart:40001", 1_000));
//! ```

/// A card must stay visible this long to count as seen.
pub const MIN_VISIBLE_MS: u64 = 1000;
/// A repeat of the same intent within this long of the previous one is the same click.
pub const DOUBLE_CLICK_MS: u64 = 500;

/// Which product cards count as seen for `view_item_list`: visible (at least half of the card
/// in the viewport, on a visible page) for [`MIN_VISIBLE_MS`] in one stretch, reported once per
/// product per view. Start a new tracker for a new view.
#[derive(Debug, Clone, Default)]
pub struct ViewItemListTracker {
    /// Cards visible now and since when.
    visible: Vec<(String, u64)>,
    /// Seen, waiting for the next [`poll`](Self::poll).
    due: Vec<String>,
    reported: Vec<String>,
}

impl ViewItemListTracker {
    pub fn new() -> ViewItemListTracker {
        ViewItemListTracker::default()
    }

    fn known(&self, product_id: &str) -> bool {
        let mut ids = self.reported.iter().chain(&self.due);
        ids.any(|id| id == product_id)
    }

    /// The card became visible.
    pub fn show(&mut self, product_id: &str, now_ms: u64) {
        if !self.known(product_id) && !self.visible.iter().any(|(id, _)| id == product_id) {
            self.visible.push((product_id.to_owned(), now_ms));
        }
    }

    /// The card is no longer visible (scrolled away, cue ended, page hidden). If it had been
    /// visible long enough it is reported by the next [`poll`](Self::poll).
    pub fn hide(&mut self, product_id: &str, now_ms: u64) {
        if let Some(i) = self.visible.iter().position(|(id, _)| id == product_id) {
            let (id, since) = self.visible.swap_remove(i);
            if now_ms.saturating_sub(since) >= MIN_VISIBLE_MS {
                self.due.push(id);
            }
        }
    }

    /// Every card hidden at once (the page was hidden, the player left the viewport).
    pub fn hide_all(&mut self, now_ms: u64) {
        while let Some((id, _)) = self.visible.last() {
            let id = id.clone();
            self.hide(&id, now_ms);
        }
    }

    /// The products seen since the last poll, in the order they qualified: one
    /// `view_item_list` with all of them.
    pub fn poll(&mut self, now_ms: u64) -> Vec<String> {
        let mut i = 0;
        while i < self.visible.len() {
            if now_ms.saturating_sub(self.visible[i].1) >= MIN_VISIBLE_MS {
                let (id, _) = self.visible.remove(i);
                self.due.push(id);
            } else {
                i += 1;
            }
        }
        let due = std::mem::take(&mut self.due);
        self.reported.extend(due.iter().cloned());
        due
    }

    /// When a visible card will have been seen long enough: call [`poll`](Self::poll) then.
    pub fn poll_timeout(&self) -> Option<u64> {
        let since = self.visible.iter().map(|(_, since)| *since).min()?;
        Some(since.saturating_add(MIN_VISIBLE_MS))
    }
}

/// Ignores a repeat of the same intent (e.g. `add_to_cart:<variant id>`) arriving within
/// [`DOUBLE_CLICK_MS`] of the previous one, so a double click adds once and reports once. A
/// burst of rapid clicks counts once: the window restarts with every repeat.
#[derive(Debug, Clone, Default)]
pub struct ClickGuard {
    last: Option<(String, u64)>,
}

impl ClickGuard {
    pub fn new() -> ClickGuard {
        ClickGuard::default()
    }

    /// Whether to act on `intent` now.
    pub fn allow(&mut self, intent: &str, now_ms: u64) -> bool {
        let repeat = self.last.as_ref().is_some_and(|(last, at)| {
            last == intent && now_ms.saturating_sub(*at) < DOUBLE_CLICK_MS
        });
        self.last = Some((intent.to_owned(), now_ms));
        !repeat
    }
}
