//! Calendar dates of Unix-epoch milliseconds in UTC, without a clock or a
//! time-zone database (the civil-from-days algorithm of Howard Hinnant's
//! date library): for years of consent (age rules) and for the times a DPO
//! reads in an export.
//!
//! ```
//! use assent_core::utc;
//! assert_eq!(utc::rfc3339(951_782_400_123), "2000-02-29T00:00:00.123Z");
//! assert_eq!(utc::date(1_798_761_599_000), (2026, 12, 31));
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

/// The UTC `(year, month, day)` of `ms` since the Unix epoch.
pub fn date(ms: u64) -> (u16, u8, u8) {
    let days = (ms / 86_400_000) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year as u16, month as u8, day as u8)
}

/// Days since the Unix epoch of a UTC date (Hinnant's days-from-civil).
fn days_from_civil(y: i64, m: u8, d: u8) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: u8) -> u8 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The same time one calendar month later (GDPR Art. 12(3)'s "one month"):
/// the same day of the next month, or its last day where it is shorter
/// (31 January gives the last day of February).
///
/// ```
/// use assent_core::utc::{one_month_after, rfc3339};
/// let jan31 = 1_801_353_600_000; // 2027-01-31T00:00:00Z
/// assert_eq!(rfc3339(one_month_after(jan31)), "2027-02-28T00:00:00.000Z");
/// ```
pub fn one_month_after(ms: u64) -> u64 {
    let (y, m, d) = date(ms);
    let (y, m) = if m == 12 {
        (i64::from(y) + 1, 1)
    } else {
        (i64::from(y), m + 1)
    };
    let d = d.min(days_in_month(y, m));
    let days = days_from_civil(y, m, d);
    days as u64 * 86_400_000 + ms % 86_400_000
}

/// `ms` as an RFC 3339 UTC timestamp with milliseconds, e.g.
/// `2026-11-25T19:16:53.000Z`.
pub fn rfc3339(ms: u64) -> String {
    let (y, mo, d) = date(ms);
    let in_day = ms % 86_400_000;
    let (h, mi, s, milli) = (
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000,
    );
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_days() {
        assert_eq!(date(0), (1970, 1, 1));
        assert_eq!(date(951_782_400_000), (2000, 2, 29));
        assert_eq!(date(1_798_761_600_000), (2027, 1, 1));
        assert_eq!(rfc3339(1_798_761_599_999), "2026-12-31T23:59:59.999Z");
    }

    #[test]
    fn one_month_later() {
        let at = |s: &str| {
            (0..3_000_000u64)
                .map(|d| d * 86_400_000)
                .find(|&ms| rfc3339(ms).starts_with(s))
                .unwrap()
        };
        for (from, to) in [
            ("2026-11-25", "2026-12-25"),
            ("2026-12-31", "2027-01-31"),
            ("2027-01-31", "2027-02-28"),
            ("2028-01-30", "2028-02-29"),
            ("2026-03-31", "2026-04-30"),
        ] {
            assert!(
                rfc3339(one_month_after(at(from) + 3_600_000)).starts_with(&format!("{to}T01:00")),
                "{from}"
            );
        }
    }
}
