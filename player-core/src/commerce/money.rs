//! Amounts of money: integer cents and an ISO 4217 currency code.
//!
//! "Cents" means hundredths of the currency's unit for every currency, as Shopify counts them
//! (¥1,000 is `100000`). Sums stay integers; [`Money::to_major`] is only for reporting a
//! number to analytics. Display formatting belongs to the UI (`Intl.NumberFormat`).

use std::fmt;

/// An ISO 4217 alphabetic code such as `USD`, stored upper-case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// Three ASCII letters, any case: `Currency::parse("eur")` is `EUR`.
    pub fn parse(code: &str) -> Option<Currency> {
        match *code.as_bytes() {
            [a, b, c] if [a, b, c].iter().all(u8::is_ascii_alphabetic) => Some(Currency([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
                c.to_ascii_uppercase(),
            ])),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ever built from ASCII letters.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount in cents of a currency.
///
/// ```
/// use player_core::commerce::money::{Currency, Money};
/// let usd = Currency::parse("USD").unwrap();
/// let line = Money::new(2900, usd).checked_mul(3).unwrap();
/// assert_eq!(line.cents, 8700);
/// assert_eq!(line.to_major(), 87.0); // GA4 `price` / `value`
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    pub cents: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(cents: i64, currency: Currency) -> Money {
        Money { cents, currency }
    }

    /// The amount in major units (`2900` → `29.0`) for analytics, which wants numbers.
    /// Compute sums in cents first; this is the last step, never an accumulator.
    pub fn to_major(self) -> f64 {
        self.cents as f64 / 100.0
    }

    /// `None` on overflow or when the currencies differ.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        if self.currency != other.currency {
            return None;
        }
        Some(Money::new(
            self.cents.checked_add(other.cents)?,
            self.currency,
        ))
    }

    /// The price of `quantity` items; `None` on overflow.
    pub fn checked_mul(self, quantity: u32) -> Option<Money> {
        let cents = self.cents.checked_mul(i64::from(quantity))?;
        Some(Money::new(cents, self.currency))
    }
}

/// `cents` (as stored in feeds and carts) in major units for analytics; see [`Money::to_major`].
pub fn cents_to_major(cents: u64) -> f64 {
    cents as f64 / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_codes() {
        assert_eq!(
            Currency::parse("usd").map(|c| c.to_string()).as_deref(),
            Some("USD")
        );
        assert_eq!(Currency::parse("EuR").unwrap().as_str(), "EUR");
        for bad in ["", "US", "USDX", "U5D", "ÜSD", "US "] {
            assert_eq!(Currency::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn arithmetic_is_integer_and_checked() {
        let usd = Currency::parse("USD").unwrap();
        let eur = Currency::parse("EUR").unwrap();
        let a = Money::new(1999, usd);
        assert_eq!(
            a.checked_add(Money::new(1, usd)),
            Some(Money::new(2000, usd))
        );
        assert_eq!(a.checked_add(Money::new(1, eur)), None);
        assert_eq!(Money::new(i64::MAX, usd).checked_add(a), None);
        assert_eq!(Money::new(i64::MAX / 2, usd).checked_mul(3), None);
        // 0.1 + 0.2 style drift cannot happen: ten 10-cent items are exactly 1.0.
        let ten = Money::new(10, usd).checked_mul(10).unwrap();
        assert_eq!(ten.to_major(), 1.0);
        assert_eq!(cents_to_major(2999), 29.99);
    }
}
