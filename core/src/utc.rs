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

/// Midnight UTC of a `YYYY-MM-DD` date, in ms since the Unix epoch; `None`
/// for anything else (another shape, a day the month does not have, a year
/// before 1970).
///
/// ```
/// use assent_core::utc::{parse_date, rfc3339};
/// assert_eq!(rfc3339(parse_date("2028-02-29").unwrap()), "2028-02-29T00:00:00.000Z");
/// assert_eq!(parse_date("2027-02-29"), None);
/// assert_eq!(parse_date("2027-2-1"), None);
/// ```
pub fn parse_date(text: &str) -> Option<u64> {
    let b = text.as_bytes();
    let digits = |r: core::ops::Range<usize>| -> Option<u16> {
        b[r].iter().try_fold(0u16, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u16::from(c - b'0'))
        })
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (
        i64::from(digits(0..4)?),
        digits(5..7)? as u8,
        digits(8..10)? as u8,
    );
    if y < 1970 || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d) as u64 * 86_400_000)
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

    /// An oracle independent of the algorithms above: every day from
    /// 1999-01-01 counted one by one with a month-length table.
    fn calendar() -> Vec<(u16, u8, u8)> {
        let leap =
            |y: u16| (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
        let mut out = Vec::new();
        for y in 1999..=2101u16 {
            for m in 1..=12u8 {
                let n = match m {
                    2 if leap(y) => 29,
                    2 => 28,
                    4 | 6 | 9 | 11 => 30,
                    _ => 31,
                };
                for d in 1..=n {
                    out.push((y, m, d));
                }
            }
        }
        out
    }

    /// Days since the epoch of 1999-01-01.
    const FIRST: u64 = 10_592;

    #[test]
    fn every_day_has_its_date() {
        let cal = calendar();
        assert_eq!(date(FIRST * 86_400_000), (1999, 1, 1));
        for (i, ymd) in cal.iter().enumerate() {
            let day = FIRST + i as u64;
            assert_eq!(date(day * 86_400_000), *ymd);
            assert_eq!(date(day * 86_400_000 + 86_399_999), *ymd);
            let (y, m, d) = *ymd;
            assert_eq!(days_from_civil(i64::from(y), m, d), day as i64, "{ymd:?}");
        }
    }

    /// Kills any change to `days_in_month` (30-day months, February in
    /// leap years, centuries), the December roll-over and the clamp: for
    /// every day of every month of 103 years, one month later is the same
    /// day of the next month, or that month's last day, at the same time.
    #[test]
    fn one_month_after_every_day_of_every_month() {
        let cal = calendar();
        let index = |ymd: (u16, u8, u8)| cal.iter().position(|&c| c == ymd);
        let last_of = |y: u16, m: u8| cal.iter().filter(|c| c.0 == y && c.1 == m).count() as u8;
        let mut checked = 0;
        for (i, &(y, m, d)) in cal.iter().enumerate() {
            if y == 2101 && m == 12 {
                break;
            }
            // Every day of the first and of four chosen years, the 28th to
            // the 31st of every month of every year (what the clamp decides).
            if !(matches!(y, 1999 | 2000 | 2027 | 2028 | 2100) || d >= 28) {
                continue;
            }
            let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            let nd = d.min(last_of(ny, nm));
            let j = index((ny, nm, nd)).unwrap();
            for in_day in [0, 1, 43_200_000, 86_399_999] {
                let ms = (FIRST + i as u64) * 86_400_000 + in_day;
                assert_eq!(
                    one_month_after(ms),
                    (FIRST + j as u64) * 86_400_000 + in_day,
                    "{y}-{m}-{d} +{in_day}"
                );
            }
            checked += 1;
        }
        assert!(checked > 5_000);
    }

    #[test]
    fn the_short_months_by_name() {
        let ms = |y: u16, m: u8, d: u8| days_from_civil(i64::from(y), m, d) as u64 * 86_400_000;
        for (from, to) in [
            ((2027, 1, 31), (2027, 2, 28)),
            ((2028, 1, 31), (2028, 2, 29)),
            ((2028, 1, 29), (2028, 2, 29)),
            ((2100, 1, 29), (2100, 2, 28)),
            ((2000, 1, 30), (2000, 2, 29)),
            ((2027, 2, 28), (2027, 3, 28)),
            ((2028, 2, 29), (2028, 3, 29)),
            ((2027, 3, 31), (2027, 4, 30)),
            ((2027, 4, 30), (2027, 5, 30)),
            ((2027, 5, 31), (2027, 6, 30)),
            ((2027, 6, 30), (2027, 7, 30)),
            ((2027, 7, 31), (2027, 8, 31)),
            ((2027, 8, 31), (2027, 9, 30)),
            ((2027, 9, 30), (2027, 10, 30)),
            ((2027, 10, 31), (2027, 11, 30)),
            ((2027, 11, 30), (2027, 12, 30)),
            ((2027, 12, 31), (2028, 1, 31)),
        ] {
            let at = ms(from.0, from.1, from.2);
            assert_eq!(one_month_after(at), ms(to.0, to.1, to.2), "{from:?}");
            assert_eq!(
                one_month_after(at + 1),
                ms(to.0, to.1, to.2) + 1,
                "{from:?} + 1 ms"
            );
        }
    }
}
