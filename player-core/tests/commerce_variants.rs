//! The variant picker against brute-force definitions, on random products.

use player_core::commerce::feed::{parse_feed, Product, ProductOption, Variant};
use player_core::commerce::variants::VariantPicker;
use proptest::prelude::*;

/// A product with 0–3 options of 1–4 values and a random subset of the combinations as
/// variants (in random order), each available or not.
fn product() -> impl Strategy<Value = Product> {
    prop::collection::vec(1usize..=4, 0..=3)
        .prop_flat_map(|sizes| {
            let combos: usize = sizes.iter().product();
            (
                Just(sizes),
                prop::collection::vec(any::<bool>(), combos),
                prop::collection::vec(any::<bool>(), combos),
                Just(()).prop_perturb(move |_, mut rng| {
                    let mut order: Vec<usize> = (0..combos).collect();
                    for i in (1..order.len()).rev() {
                        order.swap(i, rng.random_range(0..=i));
                    }
                    order
                }),
            )
        })
        .prop_filter_map("at least one variant", |(sizes, keep, available, order)| {
            let options: Vec<ProductOption> = sizes
                .iter()
                .enumerate()
                .map(|(o, &n)| ProductOption {
                    name: format!("O{o}"),
                    values: (0..n).map(|v| format!("v{o}{v}")).collect(),
                })
                .collect();
            let mut variants = Vec::new();
            for combo in order {
                if !keep[combo] {
                    continue;
                }
                let mut rest = combo;
                let values = sizes
                    .iter()
                    .enumerate()
                    .map(|(o, &n)| {
                        let v = rest % n;
                        rest /= n;
                        format!("v{o}{v}")
                    })
                    .collect();
                variants.push(Variant {
                    id: format!("id{combo}"),
                    sku: None,
                    options: values,
                    price: 100 + combo as u64,
                    compare_at_price: None,
                    available: available[combo],
                    image: None,
                    inventory: None,
                });
            }
            (!variants.is_empty()).then(|| Product {
                id: "p".into(),
                title: "P".into(),
                brand: None,
                category: None,
                url: None,
                image: None,
                description: None,
                options,
                variants,
            })
        })
}

/// The definition: some available variant has `value` at `option` and the picker's current
/// values everywhere else.
fn brute_available(picker: &VariantPicker, option: usize, value: &str) -> bool {
    let current = &picker.variant().options;
    picker.product().variants.iter().any(|v| {
        v.available
            && v.options.get(option).map(String::as_str) == Some(value)
            && (0..current.len()).all(|j| j == option || v.options[j] == current[j])
    })
}

fn kept(a: &Variant, b: &Variant, skip: usize) -> usize {
    (0..a.options.len())
        .filter(|&j| j != skip && a.options[j] == b.options[j])
        .count()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn picker_agrees_with_the_definitions(
        product in product(),
        steps in prop::collection::vec((0usize..4, 0usize..5), 0..12),
    ) {
        let mut picker = VariantPicker::new(&product).unwrap();
        let first_available = product.variants.iter().position(|v| v.available).unwrap_or(0);
        prop_assert_eq!(picker.variant_id(), product.variants[first_available].id.as_str());

        for (option, value_index) in steps {
            // Availability answers and per-option states match the brute-force definition.
            for (o, opt) in product.options.iter().enumerate() {
                let states = picker.values(o);
                prop_assert_eq!(states.len(), opt.values.len());
                for (state, value) in states.iter().zip(&opt.values) {
                    let expected = brute_available(&picker, o, value);
                    prop_assert_eq!(picker.is_value_available(o, value), expected);
                    prop_assert_eq!(state.available, expected);
                    prop_assert_eq!(state.selected, picker.selected_value(o) == Some(value.as_str()));
                }
            }

            let value = format!("v{option}{value_index}");
            let before = picker.variant().clone();
            let changed = picker.select(option, &value);
            let after = picker.variant();
            prop_assert_eq!(changed, after.id != before.id);

            let candidates: Vec<&Variant> = product
                .variants
                .iter()
                .filter(|v| v.options.get(option) == Some(&value))
                .collect();
            if candidates.is_empty() {
                prop_assert!(!changed, "an unknown value changes nothing");
                continue;
            }
            // The selection always holds the chosen value …
            prop_assert_eq!(picker.selected_value(option), Some(value.as_str()));
            let n = product.options.len();
            let exact = candidates.iter().find(|v| kept(v, &before, option) + 1 == n);
            match exact {
                // … keeps every other choice when a variant has them (sold out or not) …
                Some(exact) => prop_assert_eq!(&after.id, &exact.id),
                None => {
                    // … else prefers available variants, then keeps as many choices as any
                    // candidate of the same availability could.
                    let any_available = candidates.iter().any(|v| v.available);
                    prop_assert_eq!(after.available, any_available);
                    let best = candidates
                        .iter()
                        .filter(|v| v.available == any_available)
                        .map(|v| kept(v, &before, option))
                        .max()
                        .unwrap_or(0);
                    prop_assert_eq!(kept(after, &before, option), best);
                }
            }
        }
    }

    #[test]
    fn picker_restores_from_a_variant_id(product in product(), pick in any::<prop::sample::Index>()) {
        let variant = pick.get(&product.variants);
        let picker = VariantPicker::for_variant(&product, &variant.id).unwrap();
        prop_assert_eq!(picker.variant(), variant);
        for (o, value) in variant.options.iter().enumerate() {
            prop_assert_eq!(picker.selected_value(o), Some(value.as_str()));
        }
    }
}

#[test]
fn demo_feed_picker_walkthrough() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/feeds/demo.json"
    ))
    .unwrap();
    let feed = parse_feed(&text).unwrap().feed;
    let tee = feed.product("tee").unwrap();
    let mut picker = VariantPicker::new(tee).unwrap();
    assert_eq!(picker.title(), "Sand / S");
    assert_eq!(picker.image(), Some("/img/tee.svg"));
    // Sand / L is sold out; Navy / S is sold out.
    let sizes: Vec<(&str, bool)> = picker
        .values(1)
        .iter()
        .map(|v| (v.value, v.available))
        .collect();
    assert_eq!(sizes, [("S", true), ("M", true), ("L", false)]);
    assert!(!picker.is_value_available(0, "Navy"));
    assert!(picker.select(0, "Navy"));
    assert_eq!(picker.title(), "Navy / S");
    assert!(
        !picker.is_available(),
        "the exact combination is kept, shown as sold out"
    );
    assert!(picker.select(1, "L"));
    assert_eq!((picker.price(), picker.inventory()), (3100, Some(8)));
}
