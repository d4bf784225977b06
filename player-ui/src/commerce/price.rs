//! Prices as shoppers read them, formatted by the browser's `Intl.NumberFormat` in the feed's
//! currency and the player's locale: no formatting code (and none of Rust's float formatting,
//! ~15 KB) in the wasm.

use js_sys::Object;
use wasm_bindgen::prelude::*;

use crate::host;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl, js_name = NumberFormat)]
    type NumberFormat;

    // `catch`: an invalid locale or currency throws a RangeError.
    #[wasm_bindgen(constructor, js_namespace = Intl, js_class = NumberFormat, catch)]
    fn new(locales: &JsValue, options: &Object) -> Result<NumberFormat, JsValue>;

    #[wasm_bindgen(method)]
    fn format(this: &NumberFormat, value: f64) -> String;
}

/// A currency formatter, rebuilt only when the currency changes.
pub struct PriceFormat {
    locale: JsValue,
    currency: String,
    format: Option<NumberFormat>,
}

impl PriceFormat {
    pub fn new(locale: Option<&str>) -> Self {
        PriceFormat {
            locale: locale.map_or(JsValue::UNDEFINED, JsValue::from),
            currency: String::new(),
            format: None,
        }
    }

    /// Formats `cents` (hundredths of `currency`'s unit, as feeds and Shopify count them):
    /// `2900` in USD with `en-US` is `$29.00`.
    pub fn format(&mut self, cents: u64, currency: &str) -> String {
        if self.format.is_none() || self.currency != currency {
            self.currency = currency.to_owned();
            let options: Object =
                host::object(&[("style", "currency".into()), ("currency", currency.into())])
                    .unchecked_into();
            // An unknown locale falls back to the browser's; an unusable currency code to a
            // plain number.
            self.format = NumberFormat::new(&self.locale, &options)
                .or_else(|_| NumberFormat::new(&JsValue::UNDEFINED, &options))
                .or_else(|_| NumberFormat::new(&JsValue::UNDEFINED, &Object::new()))
                .ok();
        }
        let major = cents as f64 / 100.0;
        match &self.format {
            Some(f) => f.format(major),
            None => String::new(),
        }
    }
}
