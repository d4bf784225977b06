//! Reading one product, in our version-1 shape or Shopify's product JSON, into a [`Product`].
//!
//! Every field is read the same way whichever shape it came in (`brand` or `vendor`, `options`
//! as names or as objects, `options` or `option1..3` on variants), so a feed may mix shapes.

use super::issue::{FeedIssueKind, Issues, Path};
use super::text::html_to_text;
use super::{Product, ProductOption, Variant, MAX_OPTIONS, MAX_VARIANTS};
use crate::commerce::json::{JsonValue, MAX_SAFE_INTEGER};
use crate::commerce::url::{check_url, UrlUse};

const CENTS: &str = "an integer number of cents";
const ID: &str = "a non-empty string or a whole number";
const TEXT: &str = "a non-empty string";
const IMAGE: &str = "an image URL or an object with \"src\"";
const OPTION_KEYS: [&str; 3] = ["option1", "option2", "option3"];

/// A product that read without issues, with the offsets needed to report duplicates later.
pub(super) struct ProductRead {
    pub(super) product: Product,
    pub(super) id_offset: u32,
    pub(super) variant_id_offsets: Vec<u32>,
}

struct VariantRead {
    variant: Variant,
    id_offset: u32,
    /// Offset of each option value, and whether they came from `options` or `option1..3`.
    option_offsets: Vec<u32>,
    from_array: bool,
}

struct OptionRead {
    name: String,
    values: Option<Vec<String>>,
}

/// Reads the product at `path`; `None` (with issues recorded) when anything is wrong.
pub(super) fn read_product(r: &mut Issues, path: &Path, v: &JsonValue) -> Option<ProductRead> {
    if v.as_object().is_none() {
        r.expected(path, v, "a product object");
        return None;
    }
    let before = r.count();
    let id = read_id(r, path, v, "id");
    let title = required_text(r, path, v, "title");
    let brand = first_text(r, path, v, &["brand", "vendor"]);
    let category = first_text(r, path, v, &["category", "type", "product_type"]);
    let url = match url_field(r, path, v, "url", UrlUse::Link) {
        Some(url) => Some(url),
        None => handle_url(r, path, v),
    };
    let mut image = None;
    for key in ["image", "featured_image"] {
        if image.is_none() {
            image = image_field(r, &path.key(key), v.get(key));
        }
    }
    if image.is_none() {
        let first = v.get("images").and_then(|i| i.as_array()?.first());
        image = image_field(r, &path.key("images").index(0), first);
    }
    let description = first_text(r, path, v, &["description", "body_html"])
        .map(|html| html_to_text(&html))
        .filter(|t| !t.is_empty());
    let options = read_options(r, path, v);
    let variants = read_variants(r, path, v, options.len());

    let (id, title, options, variants) = (id?, title?, options, variants?);
    if r.count() > before {
        return None;
    }
    let options = reconcile_options(r, path, v, options, &variants)?;
    let (variant_id_offsets, variants) = variants
        .into_iter()
        .map(|vr| (vr.id_offset, vr.variant))
        .unzip();
    let mut product = Product {
        id: id.0,
        title,
        brand,
        category,
        url,
        image,
        description,
        options,
        variants,
    };
    drop_default_title(&mut product);
    Some(ProductRead {
        product,
        id_offset: id.1,
        variant_id_offsets,
    })
}

/// An id: a non-empty string (trimmed) or a whole number such as Shopify's `7234567890123`.
pub(super) fn read_id(
    r: &mut Issues,
    path: &Path,
    obj: &JsonValue,
    key: &'static str,
) -> Option<(String, u32)> {
    let Some(v) = present(obj, key) else {
        r.push(&path.key(key), obj, FeedIssueKind::Missing { expected: ID });
        return None;
    };
    let id = match (v.as_str().map(str::trim), v.as_i64()) {
        (Some(s), _) if !s.is_empty() => Some(s.to_owned()),
        (None, Some(n)) if n >= 0 => Some(n.to_string()),
        _ => None,
    };
    if id.is_none() {
        r.expected(&path.key(key), v, ID);
    }
    Some((id?, v.offset))
}

/// A member that is there and not `null`.
fn present<'v>(obj: &'v JsonValue, key: &str) -> Option<&'v JsonValue> {
    obj.get(key).filter(|v| !v.is_null())
}

/// An optional string; empty counts as absent, any other type is an issue.
fn optional_text(r: &mut Issues, path: &Path, obj: &JsonValue, key: &str) -> Option<String> {
    let v = present(obj, key)?;
    match v.as_str() {
        Some(s) => Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_owned),
        None => {
            r.expected(&path.key(key), v, "a string");
            None
        }
    }
}

fn first_text(r: &mut Issues, path: &Path, obj: &JsonValue, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|key| optional_text(r, path, obj, key))
}

fn required_text(r: &mut Issues, path: &Path, obj: &JsonValue, key: &str) -> Option<String> {
    let found = optional_text(r, path, obj, key);
    match (found, present(obj, key)) {
        (Some(s), _) => Some(s),
        (None, Some(v)) if v.as_str().is_some() => {
            r.expected(&path.key(key), v, TEXT);
            None
        }
        (None, Some(_)) => None,
        (None, None) => {
            r.push(
                &path.key(key),
                obj,
                FeedIssueKind::Missing { expected: TEXT },
            );
            None
        }
    }
}

fn url_field(
    r: &mut Issues,
    path: &Path,
    obj: &JsonValue,
    key: &str,
    usage: UrlUse,
) -> Option<String> {
    let raw = optional_text(r, path, obj, key)?;
    checked_url(r, &path.key(key), obj.get(key)?, &raw, usage)
}

fn checked_url(
    r: &mut Issues,
    path: &Path,
    at: &JsonValue,
    raw: &str,
    usage: UrlUse,
) -> Option<String> {
    match check_url(raw, usage) {
        Ok(url) => Some(url.to_owned()),
        Err(found) => {
            r.push(path, at, FeedIssueKind::UnsafeUrl { found });
            None
        }
    }
}

/// Shopify's `handle` as the storefront URL `/products/{handle}`.
fn handle_url(r: &mut Issues, path: &Path, obj: &JsonValue) -> Option<String> {
    let handle = optional_text(r, path, obj, "handle")?;
    let slug_ok = handle
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') || b >= 0x80);
    if !slug_ok {
        let at = obj.get("handle")?;
        r.expected(
            &path.key("handle"),
            at,
            "a product handle (letters, digits, '-')",
        );
        return None;
    }
    Some(format!("/products/{handle}"))
}

/// An image: a URL string, or an object with a `src` URL (Shopify's variant `featured_image`).
fn image_field(r: &mut Issues, path: &Path, v: Option<&JsonValue>) -> Option<String> {
    let v = v.filter(|v| !v.is_null())?;
    let (src, at, path) = match v.as_str() {
        Some(s) => (s, v, *path),
        None => match v.get("src").map(|s| (s.as_str(), s)) {
            Some((Some(s), at)) => (s, at, path.key("src")),
            _ => {
                r.expected(path, v, IMAGE);
                return None;
            }
        },
    };
    if src.trim().is_empty() {
        return None;
    }
    checked_url(r, &path, at, src, UrlUse::Image)
}

fn read_options(r: &mut Issues, path: &Path, v: &JsonValue) -> Vec<OptionRead> {
    let path = path.key("options");
    let Some(list) = present(v, "options") else {
        return Vec::new();
    };
    let Some(items) = list.as_array() else {
        r.expected(&path, list, "an array of options");
        return Vec::new();
    };
    if items.len() > MAX_OPTIONS {
        let kind = FeedIssueKind::TooMany {
            what: "options",
            max: MAX_OPTIONS,
        };
        r.push(&path, list, kind);
        return Vec::new();
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = path.index(i);
        if let Some(name) = item.as_str() {
            // Liquid's `{{ product | json }}`: names only, values come from the variants.
            out.push(OptionRead {
                name: name.trim().to_owned(),
                values: None,
            });
            continue;
        }
        if item.as_object().is_none() {
            r.expected(
                &path,
                item,
                "an option name or an object with \"name\" and \"values\"",
            );
            continue;
        }
        let Some(name) = required_text(r, &path, item, "name") else {
            continue;
        };
        let values = present(item, "values").and_then(|vals| {
            let items = vals.as_array();
            if items.is_none() {
                r.expected(&path.key("values"), vals, "an array of strings");
            }
            let mut values: Vec<String> = Vec::new();
            for (j, value) in items?.iter().enumerate() {
                match value.as_str() {
                    Some(s) if !values.iter().any(|v| v == s) => values.push(s.to_owned()),
                    Some(_) => {}
                    None => r.expected(&path.key("values").index(j), value, "a string"),
                }
            }
            Some(values)
        });
        out.push(OptionRead { name, values });
    }
    out
}

fn read_variants(
    r: &mut Issues,
    path: &Path,
    v: &JsonValue,
    option_count: usize,
) -> Option<Vec<VariantRead>> {
    let path = path.key("variants");
    let Some(list) = present(v, "variants") else {
        let kind = FeedIssueKind::Missing {
            expected: "an array of variants",
        };
        r.push(&path, v, kind);
        return None;
    };
    let Some(items) = list.as_array() else {
        r.expected(&path, list, "an array of variants");
        return None;
    };
    if items.is_empty() {
        r.expected(&path, list, "at least one variant");
        return None;
    }
    if items.len() > MAX_VARIANTS {
        let kind = FeedIssueKind::TooMany {
            what: "variants",
            max: MAX_VARIANTS,
        };
        r.push(&path, list, kind);
        return None;
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if let Some(read) = read_variant(r, &path.index(i), item, option_count) {
            out.push(read);
        }
    }
    (out.len() == items.len()).then_some(out)
}

fn read_variant(
    r: &mut Issues,
    path: &Path,
    v: &JsonValue,
    option_count: usize,
) -> Option<VariantRead> {
    if v.as_object().is_none() {
        r.expected(path, v, "a variant object");
        return None;
    }
    let before = r.count();
    let id = read_id(r, path, v, "id");
    let sku = optional_text(r, path, v, "sku");

    let (options, option_offsets, from_array) = match present(v, "options") {
        Some(list) => {
            let (mut values, mut offsets) = (Vec::new(), Vec::new());
            match list.as_array() {
                Some(items) => {
                    for (j, item) in items.iter().enumerate() {
                        match item.as_str() {
                            Some(s) => {
                                values.push(s.to_owned());
                                offsets.push(item.offset);
                            }
                            None => r.expected(&path.key("options").index(j), item, "a string"),
                        }
                    }
                }
                None => r.expected(&path.key("options"), list, "an array of option values"),
            }
            (values, offsets, true)
        }
        None => {
            // Shopify's option1..option3, null when unused.
            let (mut values, mut offsets) = (Vec::new(), Vec::new());
            for key in OPTION_KEYS {
                let Some(item) = present(v, key) else { break };
                match item.as_str() {
                    Some(s) => {
                        values.push(s.to_owned());
                        offsets.push(item.offset);
                    }
                    None => r.expected(&path.key(key), item, "a string"),
                }
            }
            (values, offsets, false)
        }
    };
    if r.count() == before && options.len() != option_count && option_count > 0 {
        let kind = FeedIssueKind::OptionCount {
            expected: option_count,
            found: options.len(),
        };
        r.push(path, v, kind);
    }

    let price = cents(r, path, v, "price", true);
    let compare_at_price = cents(r, path, v, "compare_at_price", false);
    let available = match present(v, "available") {
        None => true,
        Some(b) => b.as_bool().unwrap_or_else(|| {
            r.expected(&path.key("available"), b, "true or false");
            false
        }),
    };
    let mut image = image_field(r, &path.key("image"), v.get("image"));
    if image.is_none() {
        image = image_field(r, &path.key("featured_image"), v.get("featured_image"));
    }
    let inventory = inventory(r, path, v, available);

    let (id, price) = (id?, price?);
    if r.count() > before {
        return None;
    }
    Some(VariantRead {
        variant: Variant {
            id: id.0,
            sku,
            options,
            price,
            // A compare-at price at or below the price is not a discount: nothing to strike.
            compare_at_price: compare_at_price.filter(|&c| c > price),
            available,
            image,
            inventory,
        },
        id_offset: id.1,
        option_offsets,
        from_array,
    })
}

/// Whole cents in `0..=2^53-1`. `2900.0` is accepted (it is whole); `29.5` and `"29.00"`
/// (Shopify's `.json` endpoint writes decimal strings) are not.
fn cents(r: &mut Issues, path: &Path, obj: &JsonValue, key: &str, required: bool) -> Option<u64> {
    let Some(v) = present(obj, key) else {
        if required {
            let kind = FeedIssueKind::Missing { expected: CENTS };
            r.push(&path.key(key), obj, kind);
        }
        return None;
    };
    match v.as_i64() {
        Some(n @ 0..=MAX_SAFE_INTEGER) => Some(n as u64),
        _ => {
            r.expected(&path.key(key), v, CENTS);
            None
        }
    }
}

/// The most a shopper can buy, when the feed says: `inventory` (ours) or Shopify's
/// `inventory_quantity`. Untracked stock (`inventory_management: null`), overselling
/// (`inventory_policy: "continue"`) and a non-positive count on an available variant (which
/// only overselling allows) all mean "no known limit".
fn inventory(r: &mut Issues, path: &Path, v: &JsonValue, available: bool) -> Option<u32> {
    let key = ["inventory", "inventory_quantity"]
        .into_iter()
        .find(|k| present(v, k).is_some())?;
    let value = present(v, key)?;
    let Some(n) = value.as_i64() else {
        r.expected(&path.key(key), value, "a whole number");
        return None;
    };
    let untracked = v
        .get("inventory_management")
        .is_some_and(JsonValue::is_null);
    let oversell = v.get("inventory_policy").and_then(JsonValue::as_str) == Some("continue");
    if untracked || oversell || (available && n <= 0) {
        return None;
    }
    Some(u32::try_from(n.max(0)).unwrap_or(u32::MAX))
}

/// Fills option values from the variants when the feed gives names only, and checks every
/// variant value against the declared ones.
fn reconcile_options(
    r: &mut Issues,
    path: &Path,
    product: &JsonValue,
    options: Vec<OptionRead>,
    variants: &[VariantRead],
) -> Option<Vec<ProductOption>> {
    let before = r.count();
    if options.is_empty() && variants.iter().any(|vr| !vr.variant.options.is_empty()) {
        r.push(&path.key("options"), product, FeedIssueKind::MissingOptions);
        return None;
    }
    let mut out = Vec::with_capacity(options.len());
    for (j, option) in options.into_iter().enumerate() {
        let declared = option.values.is_some();
        let mut values = option.values.unwrap_or_default();
        for (i, vr) in variants.iter().enumerate() {
            let Some(value) = vr.variant.options.get(j) else {
                continue;
            };
            if values.contains(value) {
                continue;
            }
            if !declared {
                values.push(value.clone());
                continue;
            }
            let variants_path = path.key("variants");
            let vpath = variants_path.index(i);
            let options_path = vpath.key("options");
            let vpath = if vr.from_array {
                options_path.index(j)
            } else {
                vpath.key(OPTION_KEYS.get(j).copied().unwrap_or("options"))
            };
            let kind = FeedIssueKind::UnknownOptionValue {
                option: option.name.clone(),
                value: value.clone(),
            };
            let offset = vr.option_offsets.get(j).copied().unwrap_or(0);
            r.push_at(&vpath, offset, kind);
        }
        out.push(ProductOption {
            name: option.name,
            values,
        });
    }
    // Two variants with the same option values could never both be chosen.
    // Sorted by an unambiguous encoding of the values (length-prefixed), then by position.
    let keys: Vec<String> = variants
        .iter()
        .map(|vr| {
            let parts = vr
                .variant
                .options
                .iter()
                .map(|v| format!("{}:{v}", v.len()));
            parts.collect()
        })
        .collect();
    let mut order: Vec<(&str, usize, usize)> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i, 0))
        .collect();
    order.sort_unstable();
    let mut first = 0;
    for (k, &(_, i, _)) in order.iter().enumerate() {
        if k == 0 || variants[first].variant.options != variants[i].variant.options {
            first = i;
            continue;
        }
        let kind = FeedIssueKind::DuplicateOptions { first };
        r.push_at(&path.key("variants").index(i), variants[i].id_offset, kind);
    }
    (r.count() == before).then_some(out)
}

/// Shopify gives option-less products one option "Title" with the single value
/// "Default Title"; there is nothing to pick, so the picker should show nothing.
fn drop_default_title(product: &mut Product) {
    let is_default = match product.options.as_slice() {
        [only] => only.name == "Title" && only.values == ["Default Title"],
        _ => false,
    };
    if is_default && product.variants.len() == 1 {
        product.options.clear();
        product.variants.iter_mut().for_each(|v| v.options.clear());
    }
}
