//! The cart as a value: lines keyed by variant id, integer cents, and a merge for two tabs.
//!
//! Every change takes `now_ms` (the caller's clock; nothing here reads one) and stamps the
//! line it touches. Removing a line leaves a short-lived *removal mark* so that another tab's
//! older copy of the line does not bring it back when the two carts are merged.
//!
//! ## Merge policy (two tabs, one `localStorage` record)
//! Per line, the newer change wins: for each variant id, the version (line or removal mark)
//! with the later `updated` stamp is kept. So a line that only one side has is kept, unless the
//! other side removed it *after* that version was written. A removal beats a line with the same
//! stamp; two lines with the same stamp are ordered by their content, so merging is
//! commutative, associative and idempotent and every tab converges on the same cart. A tab's
//! own change is always stamped later than the version it changed, even if the clock stalls.
//! Removal marks are kept for [`REMOVAL_TTL_MS`] (at most [`MAX_REMOVALS`]): a tab asleep
//! longer than that may bring back a line removed meanwhile — it can re-add, never lose.
//!
//! ```
//! use player_core::commerce::cart::{Cart, CartItem};
//! let mut cart = Cart::new();
//! let tee = CartItem {
//!     variant_id: "40001".into(), product_id: "tee".into(), title: "Linen tee".into(),
//!     variant_title: "Sand / S".into(), unit_price: 2900, image: None, max_quantity: Some(5),
//! };
//! let change = cart.add(tee, 7, 1_000);
//! assert_eq!((change.added(), change.limited), (5, true)); // clamped to stock
//! assert_eq!(cart.subtotal(), Some(14_500));
//! assert_eq!(cart.item_count(), 5);
//! ```

mod record;

pub use record::{CartWarning, CART_RECORD_VERSION, MAX_STORED_LINES};

use super::feed::{Feed, Product, Variant};
use crate::insertion_sort;

/// Most distinct lines [`Cart::add`] creates.
pub const MAX_LINES: usize = 100;
/// Most units of one variant in the cart.
pub const MAX_LINE_QUANTITY: u32 = 999;
/// How long a removal mark is kept (30 days).
pub const REMOVAL_TTL_MS: u64 = 30 * 24 * 60 * 60 * 1000;
/// Most removal marks kept (the newest).
pub const MAX_REMOVALS: usize = 200;

/// One line of the cart. Prices are cents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartLine {
    pub variant_id: String,
    pub product_id: String,
    /// Product title.
    pub title: String,
    /// Option values joined by " / "; empty for a product without options.
    pub variant_title: String,
    pub unit_price: u64,
    pub quantity: u32,
    pub image: Option<String>,
    /// Most units that can be bought (known inventory); `Some(0)`: sold out.
    pub max_quantity: Option<u32>,
    /// When the line was created (ms): lines are listed in this order.
    pub added: u64,
    /// When the shopper last changed the line (ms): the newer version wins a merge.
    pub updated: u64,
}

impl CartLine {
    /// `unit_price × quantity`; `None` on overflow.
    pub fn total(&self) -> Option<u64> {
        self.unit_price.checked_mul(u64::from(self.quantity))
    }

    /// The variant is known to be sold out.
    pub fn is_sold_out(&self) -> bool {
        self.max_quantity == Some(0)
    }

    /// The highest quantity the line may hold.
    pub fn cap(&self) -> u32 {
        self.max_quantity
            .map_or(MAX_LINE_QUANTITY, |m| m.min(MAX_LINE_QUANTITY))
    }

    /// What this line is of, to add it again (e.g. to undo its removal).
    pub fn item(&self) -> CartItem {
        CartItem {
            variant_id: self.variant_id.clone(),
            product_id: self.product_id.clone(),
            title: self.title.clone(),
            variant_title: self.variant_title.clone(),
            unit_price: self.unit_price,
            image: self.image.clone(),
            max_quantity: self.max_quantity,
        }
    }
}

/// What to put in the cart: a variant's details at the time of adding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartItem {
    pub variant_id: String,
    pub product_id: String,
    pub title: String,
    pub variant_title: String,
    pub unit_price: u64,
    pub image: Option<String>,
    /// Known inventory; `Some(0)` for a sold-out variant.
    pub max_quantity: Option<u32>,
}

impl CartItem {
    /// The item for a feed variant (image falls back to the product's; sold out → max 0).
    pub fn from_variant(product: &Product, variant: &Variant) -> CartItem {
        CartItem {
            variant_id: variant.id.clone(),
            product_id: product.id.clone(),
            title: product.title.clone(),
            variant_title: variant.title(),
            unit_price: variant.price,
            image: variant.image.clone().or_else(|| product.image.clone()),
            max_quantity: if variant.available {
                variant.inventory
            } else {
                Some(0)
            },
        }
    }
}

/// What a cart operation did to one line, for the UI and analytics (`add_to_cart` reports
/// [`added`](Self::added) units, `remove_from_cart` [`removed`](Self::removed)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartChange {
    /// The line after the change (for a removal: as it was, with quantity 0).
    pub line: CartLine,
    pub before: u32,
    pub after: u32,
    /// The stock limit, [`MAX_LINE_QUANTITY`] or [`MAX_LINES`] cut the request short.
    pub limited: bool,
}

impl CartChange {
    pub fn added(&self) -> u32 {
        self.after.saturating_sub(self.before)
    }

    pub fn removed(&self) -> u32 {
        self.before.saturating_sub(self.after)
    }

    pub fn is_noop(&self) -> bool {
        self.before == self.after
    }
}

/// A removal mark: this variant was taken out of the cart at `updated`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Removal {
    pub(crate) variant_id: String,
    pub(crate) updated: u64,
}

/// The shopper's cart.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cart {
    lines: Vec<CartLine>,
    removed: Vec<Removal>,
}

impl Cart {
    pub fn new() -> Cart {
        Cart::default()
    }

    /// Lines in the order they were added.
    pub fn lines(&self) -> &[CartLine] {
        &self.lines
    }

    pub fn line(&self, variant_id: &str) -> Option<&CartLine> {
        self.lines.iter().find(|l| l.variant_id == variant_id)
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Number of units (what `cart-count` shows).
    pub fn item_count(&self) -> u32 {
        self.lines
            .iter()
            .fold(0u32, |n, l| n.saturating_add(l.quantity))
    }

    /// Sum of line totals in cents; `None` on overflow.
    pub fn subtotal(&self) -> Option<u64> {
        self.lines
            .iter()
            .try_fold(0u64, |sum, l| sum.checked_add(l.total()?))
    }

    /// When the variant's line was removed, while the removal mark is kept (see the module
    /// docs); `None` if it was not removed recently or is in the cart.
    pub fn removed_at(&self, variant_id: &str) -> Option<u64> {
        let mark = self.removed.iter().find(|r| r.variant_id == variant_id);
        mark.map(|r| r.updated)
    }

    /// The latest change stamp in the cart (0 for a cart never changed).
    pub fn updated(&self) -> u64 {
        let lines = self.lines.iter().map(|l| l.updated);
        let removals = self.removed.iter().map(|r| r.updated);
        lines.chain(removals).max().unwrap_or(0)
    }

    /// Adds `quantity` units, merging with an existing line and clamping to the known stock,
    /// [`MAX_LINE_QUANTITY`] and [`MAX_LINES`]. The line's details (price, titles, image,
    /// stock) are refreshed from `item`. Adding never lowers a quantity. The change may be a
    /// no-op (`limited` then says why nothing happened).
    pub fn add(&mut self, item: CartItem, quantity: u32, now_ms: u64) -> CartChange {
        let index = self.position(&item.variant_id);
        let prior = index.map(|i| {
            (
                self.lines[i].quantity,
                self.lines[i].added,
                self.lines[i].updated,
            )
        });
        let removed_at = self
            .removed
            .iter()
            .find(|r| r.variant_id == item.variant_id)
            .map(|r| r.updated);
        let (before, added, updated) = match (prior, removed_at) {
            (Some((q, added, updated)), _) => (q, added, later(now_ms, updated)),
            // Re-adding a removed line must outrank its removal mark in a merge.
            (None, Some(r)) => (0, now_ms, later(now_ms, r)),
            (None, None) => (0, now_ms, now_ms),
        };
        let mut line = CartLine {
            variant_id: item.variant_id,
            product_id: item.product_id,
            title: item.title,
            variant_title: item.variant_title,
            unit_price: item.unit_price,
            quantity: before,
            image: item.image,
            max_quantity: item.max_quantity,
            added,
            updated,
        };
        let wanted = before.saturating_add(quantity);
        let full = index.is_none() && self.lines.len() >= MAX_LINES;
        let after = if full {
            0
        } else {
            wanted.min(line.cap()).max(before)
        };
        line.quantity = after;
        let change = CartChange {
            line: line.clone(),
            before,
            after,
            limited: after < wanted,
        };
        if after != before {
            self.forget_removal(&line.variant_id);
            match index {
                Some(i) => self.lines[i] = line,
                None => self.lines.push(line),
            }
            self.prune(now_ms);
        }
        change
    }

    /// Sets a line's quantity (0 removes it), clamped to its cap. `None` when there is no such
    /// line or nothing changed.
    pub fn set_quantity(
        &mut self,
        variant_id: &str,
        quantity: u32,
        now_ms: u64,
    ) -> Option<CartChange> {
        if quantity == 0 {
            return self.remove(variant_id, now_ms);
        }
        let i = self.position(variant_id)?;
        let line = &mut self.lines[i];
        let before = line.quantity;
        // A decrease is always allowed; an increase stops at the cap (or stays put above it).
        let after = if quantity <= before {
            quantity
        } else {
            quantity.min(line.cap().max(before))
        };
        if after == before {
            return None;
        }
        line.quantity = after;
        line.updated = later(now_ms, line.updated);
        Some(CartChange {
            line: line.clone(),
            before,
            after,
            limited: after < quantity,
        })
    }

    /// Removes a line. `None` when there is no such line.
    pub fn remove(&mut self, variant_id: &str, now_ms: u64) -> Option<CartChange> {
        let i = self.position(variant_id)?;
        let mut line = self.lines.remove(i);
        self.removed.push(Removal {
            variant_id: line.variant_id.clone(),
            updated: later(now_ms, line.updated),
        });
        let before = line.quantity;
        line.quantity = 0;
        self.prune(now_ms);
        Some(CartChange {
            line,
            before,
            after: 0,
            limited: false,
        })
    }

    /// Empties the cart (e.g. after checkout); returns a change per removed line.
    pub fn clear(&mut self, now_ms: u64) -> Vec<CartChange> {
        let ids: Vec<String> = self.lines.iter().map(|l| l.variant_id.clone()).collect();
        ids.iter()
            .filter_map(|id| self.remove(id, now_ms))
            .collect()
    }

    /// Refreshes prices, titles, images and stock from a newly loaded feed, and lowers
    /// quantities above the known stock (never below 1: a sold-out line stays, flagged by
    /// [`CartLine::is_sold_out`], until the shopper removes it). Lines whose variant the feed
    /// does not have are left as they are. Not a shopper change: stamps are kept, so call it
    /// again after a merge. Returns whether anything changed.
    pub fn refresh(&mut self, feed: &Feed) -> bool {
        let mut changed = false;
        for line in &mut self.lines {
            let Some((product, variant)) = feed.variant(&line.variant_id) else {
                continue;
            };
            let item = CartItem::from_variant(product, variant);
            let quantity = line.quantity.min(line_cap(item.max_quantity)).max(1);
            let fresh = CartLine {
                variant_id: item.variant_id,
                product_id: item.product_id,
                title: item.title,
                variant_title: item.variant_title,
                unit_price: item.unit_price,
                quantity,
                image: item.image,
                max_quantity: item.max_quantity,
                added: line.added,
                updated: line.updated,
            };
            if *line != fresh {
                *line = fresh;
                changed = true;
            }
        }
        changed
    }

    /// Merges another tab's cart into this one (see the module docs). Returns whether this
    /// cart changed.
    pub fn merge(&mut self, other: &Cart) -> bool {
        // `other` need not be canonical: repeated ids resolve by the same rule (the loader
        // relies on this).
        let mut changed = false;
        for theirs in &other.lines {
            let id = theirs.variant_id.as_str();
            let ours_line = self.position(id);
            let ours_removed = self.removed.iter().position(|r| r.variant_id == id);
            let take = match (ours_line, ours_removed) {
                // Strictly beating compares every field, so taking it is a change.
                (Some(i), _) => line_beats(theirs, &self.lines[i]),
                (None, Some(r)) => theirs.updated > self.removed[r].updated,
                (None, None) => true,
            };
            if take {
                changed = true;
                self.forget_removal(id);
                match ours_line {
                    Some(i) => self.lines[i] = theirs.clone(),
                    None => self.lines.push(theirs.clone()),
                }
            }
        }
        for mark in &other.removed {
            let id = mark.variant_id.as_str();
            if let Some(i) = self.position(id) {
                if mark.updated >= self.lines[i].updated {
                    changed = true;
                    self.lines.remove(i);
                    self.removed.push(mark.clone());
                }
            } else {
                match self.removed.iter_mut().find(|r| r.variant_id == id) {
                    Some(r) if r.updated >= mark.updated => {}
                    Some(r) => {
                        changed = true;
                        r.updated = mark.updated;
                    }
                    None => {
                        changed = true;
                        self.removed.push(mark.clone());
                    }
                }
            }
        }
        self.sort();
        changed
    }

    fn position(&self, variant_id: &str) -> Option<usize> {
        self.lines.iter().position(|l| l.variant_id == variant_id)
    }

    fn forget_removal(&mut self, variant_id: &str) {
        self.removed.retain(|r| r.variant_id != variant_id);
    }

    /// Canonical order, so equal carts compare (and serialize) equal.
    fn sort(&mut self) {
        insertion_sort(&mut self.lines, |a, b| {
            (a.added, &a.variant_id) > (b.added, &b.variant_id)
        });
        insertion_sort(&mut self.removed, |a, b| a.variant_id > b.variant_id);
    }

    /// Drops expired removal marks and all but the newest [`MAX_REMOVALS`].
    fn prune(&mut self, now_ms: u64) {
        self.removed
            .retain(|r| now_ms.saturating_sub(r.updated) <= REMOVAL_TTL_MS);
        while self.removed.len() > MAX_REMOVALS {
            let oldest = self.removed.iter().enumerate().min_by(|(_, a), (_, b)| {
                (a.updated, &a.variant_id).cmp(&(b.updated, &b.variant_id))
            });
            match oldest {
                Some((i, _)) => drop(self.removed.remove(i)),
                None => break,
            }
        }
        self.sort();
    }

    /// A canonical cart from lines and removal marks as read from a record (ids may repeat).
    pub(crate) fn from_parts(lines: Vec<CartLine>, removed: Vec<Removal>) -> Cart {
        let mut cart = Cart::new();
        // Through `merge`, so repeated ids resolve exactly as two tabs would.
        cart.merge(&Cart { lines, removed });
        cart
    }

    pub(crate) fn removals(&self) -> &[Removal] {
        &self.removed
    }
}

fn line_cap(max: Option<u32>) -> u32 {
    max.map_or(MAX_LINE_QUANTITY, |m| m.min(MAX_LINE_QUANTITY))
}

/// A stamp for a change to something stamped `previous`: `now`, but always later.
fn later(now_ms: u64, previous: u64) -> u64 {
    now_ms.max(previous.saturating_add(1))
}

/// Whether `a` wins over `b` (same variant): the later stamp, then a fixed order of content so
/// that both tabs pick the same one.
fn line_beats(a: &CartLine, b: &CartLine) -> bool {
    merge_key(a) > merge_key(b)
}

type MergeKey<'a> = (
    u64,
    u32,
    u64,
    u64,
    Option<u32>,
    [&'a str; 3],
    Option<&'a str>,
);

fn merge_key(l: &CartLine) -> MergeKey<'_> {
    let texts = [&*l.product_id, &*l.title, &*l.variant_title];
    let (q, p) = (l.quantity, l.unit_price);
    (
        l.updated,
        q,
        p,
        l.added,
        l.max_quantity,
        texts,
        l.image.as_deref(),
    )
}
