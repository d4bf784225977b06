//! A wall-clock instant with millisecond precision, parsed from the ISO 8601 / RFC 3339
//! profile HLS uses (`2024-05-01T12:00:00.000Z`, `2024-05-01T14:00:00+02:00`).

use std::fmt;

/// Milliseconds since 1970-01-01T00:00:00Z (negative before). Digits beyond the millisecond
/// are truncated when parsing.
///
/// ```
/// use player_core::hls::playlist::DateTime;
/// let a = DateTime::parse("2024-05-01T12:00:00.250Z").unwrap();
/// let b = DateTime::parse("2024-05-01T14:00:00.25+02:00").unwrap();
/// assert_eq!(a, b);
/// assert_eq!(a.unix_millis(), 1_714_564_800_250);
/// assert_eq!(a.to_string(), "2024-05-01T12:00:00.250Z");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    unix_millis: i64,
}

impl DateTime {
    pub const fn from_unix_millis(unix_millis: i64) -> Self {
        DateTime { unix_millis }
    }

    pub const fn unix_millis(self) -> i64 {
        self.unix_millis
    }

    /// Seconds since the Unix epoch.
    pub fn unix_seconds(self) -> f64 {
        self.unix_millis as f64 / 1000.0
    }

    /// This instant moved by `seconds` (rounded to the millisecond, saturating).
    pub fn add_seconds(self, seconds: f64) -> Self {
        // `as` saturates for out-of-range floats and maps NaN to 0.
        let delta = (seconds * 1000.0).round() as i64;
        DateTime {
            unix_millis: self.unix_millis.saturating_add(delta),
        }
    }

    /// Parses `YYYY-MM-DDThh:mm:ss[.fraction][Z|±hh:mm|±hhmm|±hh]`.
    ///
    /// Tolerated beyond RFC 3339, because real encoders write them: a lowercase `t`/`z`, a
    /// space instead of `T`, and a missing zone (taken as UTC). Returns `None` otherwise.
    pub fn parse(s: &str) -> Option<DateTime> {
        Self::parse_cached(s, &mut DayCache::default())
    }

    /// [`parse`](Self::parse), reusing the day of the previous date when `s` has the same
    /// `YYYY-MM-DD`: consecutive `EXT-X-PROGRAM-DATE-TIME` tags nearly always do, and the
    /// calendar arithmetic (64-bit divisions, which opt-level "z" keeps as divisions) is most
    /// of the cost of a date.
    pub(super) fn parse_cached(s: &str, cache: &mut DayCache) -> Option<DateTime> {
        let b = s.as_bytes();
        // A fixed-size array: the indexing below needs no bounds checks.
        let head: &[u8; 19] = b.get(..19)?.try_into().ok()?;
        if head[4] != b'-' || head[7] != b'-' || head[13] != b':' || head[16] != b':' {
            return None;
        }
        if !matches!(head[10], b'T' | b't' | b' ') {
            return None;
        }
        // `YYYY-MM-DD` as two integers, so the comparison is not a `memcmp` call.
        let date = (
            u64::from_le_bytes([
                head[0], head[1], head[2], head[3], head[4], head[5], head[6], head[7],
            ]),
            u16::from_le_bytes([head[8], head[9]]),
        );
        let days = if cache.date == date {
            cache.days
        } else {
            let year = two_digits(head[0], head[1])? * 100 + two_digits(head[2], head[3])?;
            let month = two_digits(head[5], head[6])?;
            let day = two_digits(head[8], head[9])?;
            if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
                return None;
            }
            let days = days_from_civil(i64::from(year), i64::from(month), i64::from(day));
            *cache = DayCache { date, days };
            days
        };
        let hour = two_digits(head[11], head[12])?;
        let minute = two_digits(head[14], head[15])?;
        let second = two_digits(head[17], head[18])?;
        if hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        let mut rest = &b[19..];
        let mut millis = 0i64;
        if let Some((&b'.', fraction)) = rest.split_first() {
            let mut len = 0;
            let mut scale = 100;
            for &c in fraction {
                if !c.is_ascii_digit() {
                    break;
                }
                // Digits beyond the millisecond are read (they must be digits) and dropped.
                millis += i64::from(c - b'0') * scale;
                scale /= 10;
                len += 1;
            }
            if len == 0 {
                return None;
            }
            rest = &fraction[len..];
        }
        let offset_minutes = match rest {
            [] | [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), zone @ ..] => {
                let (h, m) = match *zone {
                    [h1, h2] => (two_digits(h1, h2)?, 0),
                    [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => {
                        (two_digits(h1, h2)?, two_digits(m1, m2)?)
                    }
                    _ => return None,
                };
                if h > 23 || m > 59 {
                    return None;
                }
                let minutes = i64::from(h * 60 + m);
                if *sign == b'-' {
                    -minutes
                } else {
                    minutes
                }
            }
            _ => return None,
        };
        let seconds =
            days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)
                - offset_minutes * 60;
        Some(DateTime {
            unix_millis: seconds * 1000 + millis,
        })
    }
}

/// The last `YYYY-MM-DD` parsed and its day number, for [`DateTime::parse_cached`]. Starts
/// with bytes no valid date has, so the first date is always computed.
#[derive(Default)]
pub(super) struct DayCache {
    date: (u64, u16),
    days: i64,
}

impl fmt::Display for DateTime {
    /// RFC 3339 in UTC with milliseconds: `2024-05-01T12:00:00.250Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = self.unix_millis.rem_euclid(1000);
        let seconds = self.unix_millis.div_euclid(1000);
        let days = seconds.div_euclid(86_400);
        let second_of_day = seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            year,
            month,
            day,
            second_of_day / 3600,
            second_of_day / 60 % 60,
            second_of_day % 60,
            millis
        )
    }
}

/// Two ASCII digits as a number.
#[inline(always)]
fn two_digits(tens: u8, units: u8) -> Option<u32> {
    let (tens, units) = (tens.wrapping_sub(b'0'), units.wrapping_sub(b'0'));
    (tens < 10 && units < 10).then(|| u32::from(tens) * 10 + u32::from(units))
}

fn is_leap(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date. Counts in 400-year eras (146,097 days
/// each) with years starting on March 1st, so the leap day is the last day of the year.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let march_based_month = (month + 9) % 12;
    let day_of_year = (153 * march_based_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    // 719,468 days from 0000-03-01 to 1970-01-01.
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let march_based_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * march_based_month + 2) / 5 + 1;
    let month = if march_based_month < 10 {
        march_based_month + 3
    } else {
        march_based_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_known_instants() {
        assert_eq!(
            DateTime::parse("1970-01-01T00:00:00Z")
                .unwrap()
                .unix_millis(),
            0
        );
        assert_eq!(
            DateTime::parse("2010-02-19T14:54:23.031+08:00")
                .unwrap()
                .unix_millis(),
            1_266_562_463_031
        );
        assert_eq!(
            DateTime::parse("2000-02-29T00:00:00Z")
                .unwrap()
                .unix_millis(),
            951_782_400_000
        );
        assert_eq!(
            DateTime::parse("1969-12-31T23:59:59.999Z")
                .unwrap()
                .unix_millis(),
            -1
        );
    }

    #[test]
    fn zones_and_tolerated_forms() {
        let utc = DateTime::parse("2024-05-01T12:00:00Z").unwrap();
        for s in [
            "2024-05-01T13:30:00+01:30",
            "2024-05-01T13:30:00+0130",
            "2024-05-01T10:00:00-02",
            "2024-05-01t12:00:00z",
            "2024-05-01 12:00:00",
            "2024-05-01T12:00:00.000999Z",
        ] {
            assert_eq!(DateTime::parse(s), Some(utc), "{s}");
        }
    }

    #[test]
    fn rejects_malformed_dates() {
        for s in [
            "",
            "2024-05-01",
            "2024-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-05-01T24:00:00Z",
            "2024-05-01T12:00:00.Z",
            "2024-05-01T12:00:00+2",
            "2024-05-01T12:00:00+25:00",
            "2024-05-01T12:00:00Zjunk",
            "２０２4-05-01T12:00:00Z",
        ] {
            assert_eq!(DateTime::parse(s), None, "{s}");
        }
    }

    #[test]
    fn display_round_trips_over_centuries() {
        for millis in [
            0,
            -1,
            951_782_400_000,
            4_102_444_799_999,
            -2_208_988_800_000,
        ] {
            let d = DateTime::from_unix_millis(millis);
            assert_eq!(DateTime::parse(&d.to_string()), Some(d), "{d}");
        }
    }
}
