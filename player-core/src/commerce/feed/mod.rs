//! The product feed, version 1 (see `docs/feed.md`), and Shopify's product JSON.
//!
//! [`parse_feed`] accepts a feed object (`{"version":1,"currency":…,"products":[…],
//! "timeline":[…]}`), a bare array of products, or one product. Each product may be in our
//! shape or Shopify's (`/products/{handle}.js`, Liquid's `{{ product | json }}`).
//!
//! A broken product does not sink the feed: it is left out and each of its problems is reported
//! as a [`FeedIssue`] with a JSON path, so a live show keeps selling the products that are fine.
//! Only text that is not JSON or not a feed at all is a [`FeedError`].
//!
//! ```
//! use player_core::commerce::feed::parse_feed;
//! let report = parse_feed(r#"[{"id":"tee","title":"Tee","variants":[{"id":"1","price":2900}]},
//!                            {"id":"cap","title":"Cap","variants":[{"id":"2","price":19.5}]}]"#)
//!     .unwrap();
//! assert_eq!(report.feed.products.len(), 1);
//! assert_eq!(
//!     report.issues[0].to_string(),
//!     "[1].variants[0].price: expected an integer number of cents, found the number 19.5 (line 2, column 84)"
//! );
//! ```

mod issue;
mod product;
mod text;

pub use issue::{FeedError, FeedIssue, FeedIssueKind, MAX_ISSUES};
pub use text::html_to_text;

use issue::{describe, Issues, Path};
use product::{read_id, read_product, ProductRead};

use super::json::{self, JsonValue};
use super::money::Currency;

/// The feed format version this player reads.
pub const FEED_VERSION: i64 = 1;
/// Most options a product may have (Shopify allows 3).
pub const MAX_OPTIONS: usize = 8;
/// Most variants a product may have (Shopify's limit).
pub const MAX_VARIANTS: usize = 2048;

/// A validated product feed. Every product has at least one variant, ids are unique (product ids
/// among products, variant ids across the whole feed), and every variant has exactly one value
/// per product option, drawn from that option's values.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Feed {
    /// `None` when the feed does not say (bare arrays and Shopify products never do).
    pub currency: Option<Currency>,
    pub products: Vec<Product>,
    /// Entries referring to products of this feed only.
    pub timeline: Vec<TimelineEntry>,
}

/// A product as shown on a card. Strings are plain text: render them as text, never as HTML.
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    pub id: String,
    pub title: String,
    pub brand: Option<String>,
    pub category: Option<String>,
    /// Storefront page (http(s), protocol-relative or relative; see `docs/feed.md`).
    pub url: Option<String>,
    pub image: Option<String>,
    /// Plain text (HTML descriptions are converted by [`html_to_text`]).
    pub description: Option<String>,
    /// Empty when there is nothing to choose (one variant).
    pub options: Vec<ProductOption>,
    /// Never empty in a parsed feed.
    pub variants: Vec<Variant>,
}

/// A product option such as `Size`, with its values in display order.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductOption {
    pub name: String,
    pub values: Vec<String>,
}

/// One purchasable variant.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub id: String,
    pub sku: Option<String>,
    /// One value per product option, in option order.
    pub options: Vec<String>,
    /// Price in cents.
    pub price: u64,
    /// The "was" price in cents; only kept when above `price`.
    pub compare_at_price: Option<u64>,
    pub available: bool,
    pub image: Option<String>,
    /// Most units that can be bought, when known.
    pub inventory: Option<u32>,
}

/// A product moment from the feed's `timeline`, in media seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
    pub product: String,
    pub start: f64,
    /// `None`: until the end of the video.
    pub end: Option<f64>,
}

impl Feed {
    pub fn product(&self, id: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.id == id)
    }

    /// The product and variant for a variant id (e.g. to refresh a cart line).
    pub fn variant(&self, variant_id: &str) -> Option<(&Product, &Variant)> {
        self.products
            .iter()
            .find_map(|p| Some((p, p.variant(variant_id)?)))
    }
}

impl Product {
    pub fn variant(&self, id: &str) -> Option<&Variant> {
        self.variants.iter().find(|v| v.id == id)
    }

    /// True when some variant can be bought.
    pub fn is_available(&self) -> bool {
        self.variants.iter().any(|v| v.available)
    }

    /// Lowest and highest variant price in cents, for "from $29" on a card.
    pub fn price_range(&self) -> Option<(u64, u64)> {
        let prices = self.variants.iter().map(|v| v.price);
        Some((prices.clone().min()?, prices.max()?))
    }
}

impl Variant {
    /// The option values joined by " / " (`Sand / S`), as Shopify titles variants; empty when
    /// the product has no options.
    pub fn title(&self) -> String {
        self.options.join(" / ")
    }
}

/// A parsed feed and what was wrong with the parts that were left out.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedReport {
    pub feed: Feed,
    /// The first [`MAX_ISSUES`] problems, in document order of discovery.
    pub issues: Vec<FeedIssue>,
    /// Problems beyond [`MAX_ISSUES`], counted but not listed.
    pub omitted_issues: usize,
}

impl FeedReport {
    /// True when nothing was left out.
    pub fn is_clean(&self) -> bool {
        self.issues.is_empty() && self.omitted_issues == 0
    }
}

/// Parses a product feed; see the module docs for the accepted shapes.
pub fn parse_feed(text: &str) -> Result<FeedReport, FeedError> {
    let root = json::parse(text)?;
    let mut r = Issues::default();
    let root_path = Path::ROOT;
    let mut feed = Feed::default();
    let has = |key| root.get(key).is_some();

    let mut timeline = None;
    let products_path;
    let products: &[JsonValue] = if let Some(items) = root.as_array() {
        products_path = root_path;
        items
    } else if has("products") {
        check_version(text, &root)?;
        feed.currency = read_currency(&mut r, &root);
        products_path = root_path.key("products");
        let list = root.get("products").unwrap_or(&root);
        timeline = root.get("timeline").filter(|t| !t.is_null());
        match list.as_array() {
            Some(items) => items,
            None => {
                r.expected(&products_path, list, "an array of products");
                return Err(fatal(text, r));
            }
        }
    } else if root.as_object().is_some() && (has("variants") || has("id")) {
        products_path = root_path;
        std::slice::from_ref(&root)
    } else {
        let kind = issue::FeedIssueKind::NotAFeed {
            found: describe(&root),
        };
        r.push(&root_path, &root, kind);
        return Err(fatal(text, r));
    };

    let single = products.len() == 1 && root.as_object().is_some() && !has("products");
    let mut reads = Vec::with_capacity(products.len());
    for (i, v) in products.iter().enumerate() {
        let path = if single {
            root_path
        } else {
            products_path.index(i)
        };
        if let Some(read) = read_product(&mut r, &path, v) {
            reads.push((i, read));
        }
    }
    let path_of = |i: usize| {
        if single {
            String::new()
        } else {
            products_path.index(i).render()
        }
    };
    drop_duplicates(&mut r, &mut reads, &products_path, single, &path_of);
    feed.products = reads.into_iter().map(|(_, read)| read.product).collect();
    if let Some(t) = timeline {
        feed.timeline = read_timeline(&mut r, &root_path.key("timeline"), t, &feed);
    }
    r.locate(text);
    Ok(FeedReport {
        feed,
        issues: r.list,
        omitted_issues: r.omitted,
    })
}

fn fatal(text: &str, mut r: Issues) -> FeedError {
    r.locate(text);
    match r.list.pop() {
        Some(issue) => FeedError::Invalid(issue),
        None => FeedError::Invalid(FeedIssue {
            path: "(root)".to_owned(),
            offset: 0,
            line: 1,
            column: 1,
            kind: FeedIssueKind::Missing {
                expected: "a product feed",
            },
        }),
    }
}

fn check_version(text: &str, root: &JsonValue) -> Result<(), FeedError> {
    let Some(v) = root.get("version") else {
        // Version 1 is the only version; a feed that omits it is read as version 1.
        return Ok(());
    };
    if v.as_i64() == Some(FEED_VERSION) {
        return Ok(());
    }
    let mut r = Issues::default();
    let found = match v.as_number() {
        Some(n) => n.as_str().to_owned(),
        None => describe(v),
    };
    let kind = FeedIssueKind::UnsupportedVersion { found };
    r.push(&Path::ROOT.key("version"), v, kind);
    Err(fatal(text, r))
}

fn read_currency(r: &mut Issues, root: &JsonValue) -> Option<Currency> {
    let v = root.get("currency").filter(|v| !v.is_null())?;
    let currency = v.as_str().and_then(Currency::parse);
    if currency.is_none() {
        let expected = "a three-letter currency code such as \"USD\"";
        r.expected(&Path::ROOT.key("currency"), v, expected);
    }
    currency
}

/// Keeps the first product with a given id, and drops any product reusing a variant id that an
/// earlier product already has (the cart keys lines by variant id).
fn drop_duplicates(
    r: &mut Issues,
    reads: &mut Vec<(usize, ProductRead)>,
    products_path: &Path,
    single: bool,
    path_of: &dyn Fn(usize) -> String,
) {
    let mut drop = vec![false; reads.len()];
    // Product ids.
    // One tuple type for every sort here keeps one copy of the sort code in the wasm.
    let mut ids: Vec<(&str, usize, usize)> = reads
        .iter()
        .enumerate()
        .map(|(k, (_, read))| (read.product.id.as_str(), k, 0))
        .collect();
    ids.sort_unstable();
    for pair in ids.windows(2) {
        let ((a, first, _), (b, dup, _)) = (pair[0], pair[1]);
        if a == b {
            drop[dup] = true;
            let (i, read) = &reads[dup];
            let kind = FeedIssueKind::DuplicateId {
                what: "product",
                id: b.to_owned(),
                first: path_of(reads[first].0),
            };
            r.push_at(&products_path.index(*i).key("id"), read.id_offset, kind);
        }
    }
    // Variant ids, across all products still kept.
    let mut vids: Vec<(&str, usize, usize)> = Vec::new();
    for (k, (_, read)) in reads.iter().enumerate() {
        if !drop[k] {
            let ids = read.product.variants.iter().enumerate();
            vids.extend(ids.map(|(j, v)| (v.id.as_str(), k, j)));
        }
    }
    vids.sort_unstable();
    let mut first = 0;
    for n in 0..vids.len() {
        if n == 0 || vids[first].0 != vids[n].0 {
            first = n;
            continue;
        }
        let ((id, fk, fj), (_, k, j)) = (vids[first], vids[n]);
        drop[k] = true;
        let (i, read) = &reads[k];
        let mut first_path = path_of(reads[fk].0);
        first_path.push_str(&format!("{}variants[{fj}]", if single { "" } else { "." }));
        let kind = FeedIssueKind::DuplicateId {
            what: "variant",
            id: id.to_owned(),
            first: first_path,
        };
        let base = if single {
            Path::ROOT
        } else {
            products_path.index(*i)
        };
        let variants = base.key("variants");
        let offset = read.variant_id_offsets.get(j).copied().unwrap_or(0);
        r.push_at(&variants.index(j).key("id"), offset, kind);
    }
    let mut k = 0;
    reads.retain(|_| {
        k += 1;
        !drop[k - 1]
    });
}

fn read_timeline(r: &mut Issues, path: &Path, v: &JsonValue, feed: &Feed) -> Vec<TimelineEntry> {
    let Some(items) = v.as_array() else {
        r.expected(path, v, "an array of timeline entries");
        return Vec::new();
    };
    let seconds = "a number of seconds, 0 or more";
    let mut known: Vec<(&str, usize, usize)> = feed
        .products
        .iter()
        .map(|p| (p.id.as_str(), 0, 0))
        .collect();
    known.sort_unstable();
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = path.index(i);
        if item.as_object().is_none() {
            r.expected(&path, item, "a timeline entry object");
            continue;
        }
        let before = r.count();
        let product = read_id(r, &path, item, "product");
        let start = match item.get("start") {
            None => {
                let kind = FeedIssueKind::Missing { expected: seconds };
                r.push(&path.key("start"), item, kind);
                None
            }
            Some(s) => match s.as_f64() {
                Some(t) if t >= 0.0 => Some(t),
                _ => {
                    r.expected(&path.key("start"), s, seconds);
                    None
                }
            },
        };
        let end = match item.get("end").filter(|e| !e.is_null()) {
            None => None,
            Some(e) => match (e.as_f64(), start) {
                (Some(t), Some(s)) if t > s => Some(t),
                (Some(_), Some(_)) => {
                    let end = e.as_number().map(|n| n.as_str().to_owned());
                    let kind = FeedIssueKind::EndBeforeStart {
                        end: end.unwrap_or_default(),
                    };
                    r.push(&path.key("end"), e, kind);
                    None
                }
                (Some(_), None) => None,
                (None, _) => {
                    r.expected(&path.key("end"), e, seconds);
                    None
                }
            },
        };
        let (Some((product, at)), Some(start)) = (product, start) else {
            continue;
        };
        let slot = known.partition_point(|k| k.0 < product.as_str());
        if known.get(slot).is_none_or(|k| k.0 != product) {
            let kind = FeedIssueKind::UnknownProduct {
                id: product.clone(),
            };
            r.push_at(&path.key("product"), at, kind);
        }
        if r.count() == before {
            out.push(TimelineEntry {
                product,
                start,
                end,
            });
        }
    }
    out
}
