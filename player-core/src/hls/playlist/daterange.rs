//! `EXT-X-DATERANGE` (RFC 8216bis §4.4.5.1): timed metadata such as ad breaks and, for this
//! product, shoppable moments (`CLASS="com.shoppable.product"`, `X-PRODUCT-ID="…"`).

use super::attributes::{parse_signed_decimal_float, AttributeValue};
use super::error::PlaylistErrorKind as Kind;
use super::parser::{attr_err, required, set_once, Parser, Result};
use super::DateTime;

/// At most this many `X-` attributes per tag; keeps the duplicate check cheap.
pub const MAX_CLIENT_ATTRIBUTES: usize = 256;

/// The largest `SCTE35-*` or `X-` hexadecimal value accepted, in bytes.
const MAX_HEX_BYTES: usize = 1 << 16;

/// One `EXT-X-DATERANGE` tag.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DateRange {
    /// `ID`, unique within the playlist.
    pub id: String,
    /// `CLASS`: the semantics of the range and of its client attributes.
    pub class: Option<String>,
    /// `START-DATE`.
    pub start_date: Option<DateTime>,
    /// `CUE` (`PRE`, `POST`, `ONCE`, comma-separated), verbatim.
    pub cue: Option<String>,
    /// `END-DATE`.
    pub end_date: Option<DateTime>,
    /// `DURATION` in seconds.
    pub duration: Option<f64>,
    /// `PLANNED-DURATION` in seconds: the expected duration while the real one is unknown.
    pub planned_duration: Option<f64>,
    /// `END-ON-NEXT=YES`: the range ends where the next range of the same class starts.
    pub end_on_next: bool,
    /// `SCTE35-CMD` splice info section bytes.
    pub scte35_cmd: Option<Vec<u8>>,
    /// `SCTE35-OUT`.
    pub scte35_out: Option<Vec<u8>>,
    /// `SCTE35-IN`.
    pub scte35_in: Option<Vec<u8>>,
    /// Every `X-…` attribute, in tag order.
    pub client_attributes: Vec<ClientAttribute>,
}

/// An `X-` attribute of a date range.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientAttribute {
    /// Including the `X-` prefix, e.g. `X-PRODUCT-ID`.
    pub name: String,
    pub value: ClientAttributeValue,
}

/// The three value types the spec allows for client attributes.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientAttributeValue {
    /// A quoted string (variables substituted).
    String(String),
    /// A hexadecimal sequence.
    Hex(Vec<u8>),
    /// A (signed) decimal floating-point number.
    Float(f64),
}

impl ClientAttributeValue {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            ClientAttributeValue::String(s) => Some(s),
            _ => None,
        }
    }
}

impl DateRange {
    /// The value of client attribute `name` (with its `X-` prefix).
    pub fn client_attribute(&self, name: &str) -> Option<&ClientAttributeValue> {
        self.client_attributes
            .iter()
            .find(|a| a.name == name)
            .map(|a| &a.value)
    }

    /// When the range ends: `END-DATE`, or `START-DATE` + `DURATION`. `None` when open-ended.
    pub fn end(&self) -> Option<DateTime> {
        self.end_date
            .or_else(|| Some(self.start_date?.add_seconds(self.duration?)))
    }
}

impl Parser<'_> {
    pub(super) fn date_range(&mut self, value: Option<&str>) -> Result<()> {
        self.media_tag()?;
        let value = self.value(value, "EXT-X-DATERANGE")?;
        let line = self.line;
        let mut r = DateRange::default();
        let (
            mut id,
            mut class,
            mut start,
            mut cue,
            mut end,
            mut duration,
            mut planned,
            mut end_on_next,
        ) = (None, None, None, None, None, None, None, None);
        let (mut cmd, mut out, mut inn) = (None, None, None);
        let mut client = Vec::new();
        self.attributes(value, |p, a| match a.name {
            "ID" => {
                let v = p.string(&a)?;
                set_once(&mut id, &a, v)
            }
            "CLASS" => {
                let v = p.string(&a)?;
                set_once(&mut class, &a, v)
            }
            "START-DATE" => {
                let v = p.string(&a)?;
                let d = DateTime::parse(&v).ok_or_else(|| a.error(Kind::ExpectedDateTime))?;
                set_once(&mut start, &a, d)
            }
            "CUE" => {
                let v = p.string(&a)?;
                set_once(&mut cue, &a, v)
            }
            "END-DATE" => {
                let v = p.string(&a)?;
                let d = DateTime::parse(&v).ok_or_else(|| a.error(Kind::ExpectedDateTime))?;
                set_once(&mut end, &a, d)
            }
            "DURATION" => set_once(&mut duration, &a, a.duration()?),
            "PLANNED-DURATION" => set_once(&mut planned, &a, a.duration()?),
            "END-ON-NEXT" => set_once(&mut end_on_next, &a, a.yes_no()?),
            "SCTE35-CMD" => {
                let v = p.hex(&a, MAX_HEX_BYTES)?;
                set_once(&mut cmd, &a, v)
            }
            "SCTE35-OUT" => {
                let v = p.hex(&a, MAX_HEX_BYTES)?;
                set_once(&mut out, &a, v)
            }
            "SCTE35-IN" => {
                let v = p.hex(&a, MAX_HEX_BYTES)?;
                set_once(&mut inn, &a, v)
            }
            name if name.starts_with("X-") => {
                let value = match a.value {
                    AttributeValue::Quoted(_) => ClientAttributeValue::String(p.string(&a)?),
                    AttributeValue::Unquoted(text)
                        if text.starts_with("0x") || text.starts_with("0X") =>
                    {
                        ClientAttributeValue::Hex(p.hex(&a, MAX_HEX_BYTES)?)
                    }
                    AttributeValue::Unquoted(text) => {
                        let v = parse_signed_decimal_float(text).map_err(|k| a.error(k))?;
                        if !v.is_finite() {
                            return Err(a.error(Kind::OutOfRange { what: "number" }));
                        }
                        ClientAttributeValue::Float(v)
                    }
                };
                client.push(ClientAttribute {
                    name: name.to_owned(),
                    value,
                });
                Ok(())
            }
            _ => Ok(()),
        })?;
        // A pairwise check, bounded by the cap on client attributes per tag.
        if client.len() > MAX_CLIENT_ATTRIBUTES {
            return Err(attr_err(
                line,
                &client[MAX_CLIENT_ATTRIBUTES].name,
                Kind::OutOfRange {
                    what: "number of X- attributes",
                },
            ));
        }
        for (i, c) in client.iter().enumerate() {
            if client[..i].iter().any(|earlier| earlier.name == c.name) {
                return Err(attr_err(line, &c.name, Kind::DuplicateAttribute));
            }
        }
        r.id = required(id, line, "ID")?;
        r.class = class;
        r.start_date = start;
        r.cue = cue;
        r.end_date = end;
        r.duration = duration;
        r.planned_duration = planned;
        r.end_on_next = end_on_next.unwrap_or(false);
        r.scte35_cmd = cmd;
        r.scte35_out = out;
        r.scte35_in = inn;
        r.client_attributes = client;
        if r.end_on_next {
            if r.class.is_none() {
                return Err(attr_err(
                    line,
                    "END-ON-NEXT",
                    Kind::InvalidDateRange("END-ON-NEXT requires a CLASS"),
                ));
            }
            if r.duration.is_some() || r.end_date.is_some() {
                return Err(attr_err(
                    line,
                    "END-ON-NEXT",
                    Kind::InvalidDateRange("END-ON-NEXT excludes DURATION and END-DATE"),
                ));
            }
        }
        if let (Some(start), Some(end)) = (r.start_date, r.end_date) {
            if end < start {
                return Err(attr_err(
                    line,
                    "END-DATE",
                    Kind::InvalidDateRange("END-DATE is before START-DATE"),
                ));
            }
        }
        self.media.date_ranges.push(r);
        Ok(())
    }
}
