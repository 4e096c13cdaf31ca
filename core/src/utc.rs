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
}
