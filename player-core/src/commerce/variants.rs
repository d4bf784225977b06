//! Choosing a variant the way a storefront does: one value per option, sold-out combinations
//! marked, and a choice that always lands on a real variant.
//!
//! The selection is always exactly one variant's option values, so the picker's whole state is
//! the selected variant ([`VariantPicker::variant_id`] is enough to restore it).
//!
//! ```
//! use player_core::commerce::feed::parse_feed;
//! use player_core::commerce::variants::VariantPicker;
//! let feed = parse_feed(r#"{"version":1,"products":[{"id":"tee","title":"Tee",
//!   "options":[{"name":"Color","values":["Sand","Navy"]},{"name":"Size","values":["S","M"]}],
//!   "variants":[{"id":"1","options":["Sand","S"],"price":2900,"available":false},
//!               {"id":"2","options":["Sand","M"],"price":2900},
//!               {"id":"3","options":["Navy","S"],"price":3100}]}]}"#).unwrap().feed;
//! let mut picker = VariantPicker::new(&feed.products[0]).unwrap();
//! assert_eq!(picker.variant().id, "2"); // the first available variant
//! assert!(!picker.is_value_available(1, "S")); // Sand / S is sold out: aria-disabled
//! picker.select(0, "Navy"); // Navy / M does not exist: moves to Navy / S
//! assert_eq!(picker.title(), "Navy / S");
//! ```

use super::feed::{Product, Variant};

const NO_VALUE: u16 = u16::MAX;

/// The variant choice for one product.
#[derive(Debug, Clone)]
pub struct VariantPicker<'a> {
    product: &'a Product,
    /// `codes[v * n + j]`: index of variant `v`'s value for option `j` among that option's
    /// values (`NO_VALUE` if it is not one of them), `n` = number of options. Comparing small
    /// integers instead of strings keeps every query a tight scan over the variants.
    codes: Vec<u16>,
    current: usize,
}

/// One value of an option as the UI shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionValue<'a> {
    pub value: &'a str,
    pub selected: bool,
    /// Some available variant has this value together with the other current choices;
    /// `false` means `aria-disabled`.
    pub available: bool,
}

impl<'a> VariantPicker<'a> {
    /// A picker on the first available variant (the first variant when all are sold out);
    /// `None` for a product without variants (a parsed feed has none).
    pub fn new(product: &'a Product) -> Option<Self> {
        let first = product.variants.iter().position(|v| v.available);
        Self::at(product, first.unwrap_or(0))
    }

    /// A picker on the variant with this id, if the product has it.
    pub fn for_variant(product: &'a Product, variant_id: &str) -> Option<Self> {
        let index = product.variants.iter().position(|v| v.id == variant_id)?;
        Self::at(product, index)
    }

    fn at(product: &'a Product, current: usize) -> Option<Self> {
        product.variants.get(current)?;
        let n = product.options.len();
        let mut codes = Vec::with_capacity(product.variants.len() * n);
        for variant in &product.variants {
            for (j, option) in product.options.iter().enumerate() {
                let value = variant.options.get(j);
                let code = value.and_then(|v| option.values.iter().position(|x| x == v));
                codes.push(code.map_or(NO_VALUE, |c| c.min(usize::from(NO_VALUE - 1)) as u16));
            }
        }
        Some(VariantPicker {
            product,
            codes,
            current,
        })
    }

    pub fn product(&self) -> &'a Product {
        self.product
    }

    /// The selected variant.
    pub fn variant(&self) -> &'a Variant {
        // `current` is checked in `at` and only ever set to an index of `variants`.
        &self.product.variants[self.current]
    }

    pub fn variant_id(&self) -> &'a str {
        &self.variant().id
    }

    /// The selected value of option `option`.
    pub fn selected_value(&self, option: usize) -> Option<&'a str> {
        self.variant().options.get(option).map(String::as_str)
    }

    /// Chooses `value` for option `option`. Other choices are kept when a variant has them
    /// with the new value (even a sold-out one: the shopper sees "Sold out" for exactly what
    /// they picked); otherwise the picker moves to the closest variant with the new value,
    /// preferring available ones, then the most other choices kept, earlier options first.
    /// Returns whether the selection changed; an unknown value changes nothing.
    pub fn select(&mut self, option: usize, value: &str) -> bool {
        let Some(code) = self.code_of(option, value) else {
            return false;
        };
        let n = self.product.options.len();
        let current = self.row(self.current).to_vec();
        let mut best: Option<(usize, (bool, usize, u64))> = None;
        for v in 0..self.product.variants.len() {
            let row = self.row(v);
            if row.get(option) != Some(&code) {
                continue;
            }
            let (mut kept, mut mask) = (0, 0u64);
            for j in (0..n).filter(|&j| j != option) {
                if row.get(j) == current.get(j) {
                    kept += 1;
                    // Earlier options weigh more when the counts tie.
                    mask |= 1u64.checked_shl((n - 1 - j) as u32).unwrap_or(0);
                }
            }
            if kept == n - 1 {
                best = Some((v, (true, kept, mask)));
                break;
            }
            let score = (self.product.variants[v].available, kept, mask);
            if best.is_none_or(|(_, s)| score > s) {
                best = Some((v, score));
            }
        }
        match best {
            Some((v, _)) if v != self.current => {
                self.current = v;
                true
            }
            _ => false,
        }
    }

    /// Selects the variant with this id; `false` if the product has none.
    pub fn select_variant(&mut self, variant_id: &str) -> bool {
        match self
            .product
            .variants
            .iter()
            .position(|v| v.id == variant_id)
        {
            Some(i) => {
                self.current = i;
                true
            }
            None => false,
        }
    }

    /// True when some available variant has `value` for option `option` together with the
    /// current values of all the other options. Drives `aria-disabled` on `variant-option`.
    pub fn is_value_available(&self, option: usize, value: &str) -> bool {
        match self.code_of(option, value) {
            Some(code) => self.available_codes(option).contains(&code),
            None => false,
        }
    }

    /// Every value of option `option`, in display order, with its state.
    pub fn values(&self, option: usize) -> Vec<OptionValue<'a>> {
        let Some(opt) = self.product.options.get(option) else {
            return Vec::new();
        };
        let available = self.available_codes(option);
        let selected = self.row(self.current).get(option).copied();
        opt.values
            .iter()
            .enumerate()
            .map(|(i, value)| OptionValue {
                value,
                selected: selected.is_some_and(|s| usize::from(s) == i),
                available: available.contains(&(i as u16)),
            })
            .collect()
    }

    /// Codes of option `option` that an available variant matching the other choices has.
    fn available_codes(&self, option: usize) -> Vec<u16> {
        let n = self.product.options.len();
        if option >= n {
            return Vec::new();
        }
        let current = self.row(self.current);
        let mut out = Vec::new();
        for (v, variant) in self.product.variants.iter().enumerate() {
            let row = self.row(v);
            let others_match = (0..n).all(|j| j == option || row.get(j) == current.get(j));
            let code = row.get(option).copied().unwrap_or(NO_VALUE);
            if variant.available && others_match && !out.contains(&code) {
                out.push(code);
            }
        }
        out
    }

    fn row(&self, v: usize) -> &[u16] {
        let n = self.product.options.len();
        self.codes.get(v * n..(v + 1) * n).unwrap_or_default()
    }

    fn code_of(&self, option: usize, value: &str) -> Option<u16> {
        let values = &self.product.options.get(option)?.values;
        let i = values.iter().position(|v| v == value)?;
        u16::try_from(i).ok().filter(|&c| c != NO_VALUE)
    }

    /// Price of the selected variant in cents.
    pub fn price(&self) -> u64 {
        self.variant().price
    }

    /// "Was" price in cents, when the selected variant is discounted.
    pub fn compare_at_price(&self) -> Option<u64> {
        self.variant().compare_at_price
    }

    /// The selected variant's image, else the product's.
    pub fn image(&self) -> Option<&'a str> {
        let variant = self.variant().image.as_deref();
        variant.or(self.product.image.as_deref())
    }

    pub fn sku(&self) -> Option<&'a str> {
        self.variant().sku.as_deref()
    }

    /// False means "Sold out": the add-to-cart button is disabled.
    pub fn is_available(&self) -> bool {
        self.variant().available
    }

    /// Units left, when the feed says.
    pub fn inventory(&self) -> Option<u32> {
        self.variant().inventory
    }

    /// `Sand / S`; empty for a product without options.
    pub fn title(&self) -> String {
        self.variant().title()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commerce::feed::ProductOption;

    fn variant(id: &str, options: &[&str], available: bool) -> Variant {
        Variant {
            id: id.to_owned(),
            sku: None,
            options: options.iter().map(|s| s.to_string()).collect(),
            price: 100,
            compare_at_price: None,
            available,
            image: None,
            inventory: None,
        }
    }

    fn product(options: &[(&str, &[&str])], variants: Vec<Variant>) -> Product {
        Product {
            id: "p".into(),
            title: "P".into(),
            brand: None,
            category: None,
            url: None,
            image: Some("/p.jpg".into()),
            description: None,
            options: options
                .iter()
                .map(|(name, values)| ProductOption {
                    name: name.to_string(),
                    values: values.iter().map(|s| s.to_string()).collect(),
                })
                .collect(),
            variants,
        }
    }

    fn tee() -> Product {
        product(
            &[("Color", &["Sand", "Navy"]), ("Size", &["S", "M", "L"])],
            vec![
                variant("sand-s", &["Sand", "S"], true),
                variant("sand-m", &["Sand", "M"], true),
                variant("sand-l", &["Sand", "L"], false),
                variant("navy-s", &["Navy", "S"], false),
                variant("navy-m", &["Navy", "M"], true),
                variant("navy-l", &["Navy", "L"], true),
            ],
        )
    }

    #[test]
    fn defaults_to_first_available() {
        let mut p = tee();
        assert_eq!(VariantPicker::new(&p).unwrap().variant_id(), "sand-s");
        p.variants[0].available = false;
        assert_eq!(VariantPicker::new(&p).unwrap().variant_id(), "sand-m");
        p.variants.iter_mut().for_each(|v| v.available = false);
        assert_eq!(VariantPicker::new(&p).unwrap().variant_id(), "sand-s");
        p.variants.clear();
        assert!(VariantPicker::new(&p).is_none());
    }

    #[test]
    fn select_keeps_other_choices_even_when_sold_out() {
        let p = tee();
        let mut picker = VariantPicker::new(&p).unwrap();
        assert!(picker.select(1, "L"));
        assert_eq!(picker.variant_id(), "sand-l");
        assert!(!picker.is_available());
        assert!(picker.select(0, "Navy"));
        assert_eq!(picker.variant_id(), "navy-l");
        assert!(!picker.select(0, "Navy"));
        assert!(!picker.select(0, "Red"));
        assert!(!picker.select(5, "Navy"));
        assert_eq!(picker.variant_id(), "navy-l");
    }

    #[test]
    fn select_moves_to_the_closest_available_variant() {
        // No Navy / S exists at all; Navy / M is sold out, Navy / L is available.
        let p = product(
            &[("Color", &["Sand", "Navy"]), ("Size", &["S", "M", "L"])],
            vec![
                variant("sand-s", &["Sand", "S"], true),
                variant("navy-m", &["Navy", "M"], false),
                variant("navy-l", &["Navy", "L"], true),
            ],
        );
        let mut picker = VariantPicker::new(&p).unwrap();
        assert!(picker.select(0, "Navy"));
        assert_eq!(picker.variant_id(), "navy-l");
        // Sand / L does not exist either: back to the only Sand.
        assert!(picker.select(0, "Sand"));
        assert_eq!(picker.variant_id(), "sand-s");
    }

    #[test]
    fn closest_prefers_keeping_earlier_options() {
        let p = product(
            &[
                ("A", &["a1", "a2"]),
                ("B", &["b1", "b2"]),
                ("C", &["c1", "c2"]),
            ],
            vec![
                variant("1", &["a1", "b1", "c1"], true),
                variant("2", &["a2", "b2", "c1"], true),
                variant("3", &["a1", "b2", "c2"], true),
            ],
        );
        let mut picker = VariantPicker::new(&p).unwrap();
        // a1/b1/c2 does not exist. Variant 3 keeps A; nothing keeps both A and B.
        assert!(picker.select(2, "c2"));
        assert_eq!(picker.variant_id(), "3");
    }

    #[test]
    fn availability_of_values() {
        let p = tee();
        let mut picker = VariantPicker::new(&p).unwrap(); // Sand / S
        assert!(picker.is_value_available(1, "M"));
        assert!(!picker.is_value_available(1, "L"));
        assert!(!picker.is_value_available(0, "Navy")); // Navy / S is sold out
        assert!(!picker.is_value_available(1, "XL"));
        picker.select(1, "M");
        assert!(picker.is_value_available(0, "Navy"));
        let sizes = picker.values(1);
        let states: Vec<_> = sizes
            .iter()
            .map(|v| (v.value, v.selected, v.available))
            .collect();
        assert_eq!(
            states,
            vec![("S", false, true), ("M", true, true), ("L", false, false)]
        );
        assert!(picker.values(7).is_empty());
    }

    #[test]
    fn selected_variant_details() {
        let mut p = tee();
        p.variants[1].image = Some("/sand-m.jpg".into());
        p.variants[1].sku = Some("TEE-SAND-M".into());
        p.variants[1].compare_at_price = Some(150);
        p.variants[1].inventory = Some(3);
        let mut picker = VariantPicker::for_variant(&p, "sand-m").unwrap();
        assert_eq!(picker.image(), Some("/sand-m.jpg"));
        assert_eq!(picker.sku(), Some("TEE-SAND-M"));
        assert_eq!(picker.compare_at_price(), Some(150));
        assert_eq!(picker.inventory(), Some(3));
        assert_eq!(picker.title(), "Sand / M");
        assert_eq!(picker.price(), 100);
        assert_eq!(picker.selected_value(0), Some("Sand"));
        assert!(picker.select_variant("sand-s"));
        assert_eq!(picker.image(), Some("/p.jpg"));
        assert!(!picker.select_variant("nope"));
        assert!(VariantPicker::for_variant(&p, "nope").is_none());
    }

    #[test]
    fn survives_inconsistent_hand_built_products() {
        // Variant options that do not match the declared values must not panic.
        let p = product(
            &[("Color", &["Sand"]), ("Size", &["S"])],
            vec![variant("1", &["Red"], true), variant("2", &[], true)],
        );
        let mut picker = VariantPicker::new(&p).unwrap();
        assert!(!picker.select(0, "Sand"));
        assert!(!picker.is_value_available(0, "Sand"));
        assert_eq!(picker.values(1).len(), 1);
        let none = product(&[], vec![variant("1", &[], true)]);
        let picker = VariantPicker::new(&none).unwrap();
        assert_eq!(picker.title(), "");
        assert!(picker.values(0).is_empty());
    }
}
