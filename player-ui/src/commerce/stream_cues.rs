//! Product moments carried by the stream itself, picked out of the engine's metadata cues:
//!
//! - `#EXT-X-DATERANGE:…,CLASS="com.shoppable.product",X-PRODUCT-ID="tee"` (duration from the
//!   range's `END-DATE`/`DURATION`/`PLANNED-DURATION`),
//! - an ID3 `TXXX` frame with description `shoppable` and the JSON value
//!   `{"product":"tee","duration":8}` (`duration` optional, seconds).
//!
//! Cues without an end last the product timeline's default duration.

use player_core::commerce::json;
use player_core::hls::metadata::{MetadataCue, MetadataPayload};

/// The `EXT-X-DATERANGE` class of product moments.
pub const PRODUCT_CLASS: &str = "com.shoppable.product";
/// The date range attribute naming the product.
pub const PRODUCT_ATTRIBUTE: &str = "X-PRODUCT-ID";
/// The ID3 `TXXX` description of product moments.
pub const ID3_DESCRIPTION: &str = "shoppable";

/// A product moment: product id, start and end (media seconds; `None`: default duration).
#[derive(Debug, PartialEq)]
pub struct ProductMoment {
    pub product_id: String,
    pub start: f64,
    pub end: Option<f64>,
}

/// The product moment a metadata cue carries, if it is one.
pub fn product_moment(cue: &MetadataCue) -> Option<ProductMoment> {
    let (product_id, end) = match &cue.payload {
        MetadataPayload::DateRange { class, attributes } => {
            if class.as_deref() != Some(PRODUCT_CLASS) {
                return None;
            }
            let attribute = attributes.iter().find(|a| a.name == PRODUCT_ATTRIBUTE)?;
            (attribute.value.as_str()?.trim().to_owned(), cue.end)
        }
        MetadataPayload::Id3Text { description, value } => {
            if description != ID3_DESCRIPTION {
                return None;
            }
            let v = json::parse(value).ok()?;
            let id = v.get("product")?;
            let id = match (id.as_str(), id.as_i64()) {
                (Some(s), _) => s.trim().to_owned(),
                (None, Some(n)) if n >= 0 => n.to_string(),
                _ => return None,
            };
            let duration = v.get("duration").and_then(|d| d.as_f64());
            let end = match duration {
                Some(d) if d > 0.0 => Some(cue.start + d),
                _ => cue.end,
            };
            (id, end)
        }
    };
    (!product_id.is_empty()).then_some(ProductMoment {
        product_id,
        start: cue.start,
        end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use player_core::hls::playlist::{ClientAttribute, ClientAttributeValue};

    fn cue(payload: MetadataPayload, end: Option<f64>) -> MetadataCue {
        MetadataCue {
            id: "x".into(),
            start: 12.0,
            end,
            payload,
        }
    }

    fn range(class: &str, id: &str) -> MetadataPayload {
        MetadataPayload::DateRange {
            class: Some(class.into()),
            attributes: vec![ClientAttribute {
                name: PRODUCT_ATTRIBUTE.into(),
                value: ClientAttributeValue::String(id.into()),
            }],
        }
    }

    fn id3(description: &str, value: &str) -> MetadataPayload {
        MetadataPayload::Id3Text {
            description: description.into(),
            value: value.into(),
        }
    }

    #[test]
    fn date_ranges_of_the_product_class() {
        let m = product_moment(&cue(range(PRODUCT_CLASS, "tee"), Some(20.0))).unwrap();
        assert_eq!(
            (m.product_id.as_str(), m.start, m.end),
            ("tee", 12.0, Some(20.0))
        );
        assert_eq!(product_moment(&cue(range("com.other", "tee"), None)), None);
        assert_eq!(product_moment(&cue(range(PRODUCT_CLASS, " "), None)), None);
    }

    #[test]
    fn id3_json_values() {
        let m = product_moment(&cue(
            id3("shoppable", r#"{"product":"tote","duration":5}"#),
            None,
        ));
        assert_eq!(m.unwrap().end, Some(17.0));
        let m = product_moment(&cue(id3("shoppable", r#"{"product":7234}"#), None)).unwrap();
        assert_eq!((m.product_id.as_str(), m.end), ("7234", None));
        for bad in [
            r#"{"product":""}"#,
            "not json",
            r#"{"id":"tee"}"#,
            r#"{"product":true}"#,
        ] {
            assert_eq!(
                product_moment(&cue(id3("shoppable", bad), None)),
                None,
                "{bad}"
            );
        }
        assert_eq!(
            product_moment(&cue(id3("other", r#"{"product":"tee"}"#), None)),
            None
        );
    }
}
