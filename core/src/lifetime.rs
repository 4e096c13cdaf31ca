//! Whether a choice is still in force: one rule for the widget (ask again or
//! not) and the log (what an action is checked against).
//!
//! A choice counts while it was made on the current notice version and is
//! younger than the site's consent lifetime; a refusal likewise, so a visitor
//! who refused is not asked again before then. Both times are the visitor's
//! own clock (the widget's `Date.now()`, an event's `client_time_ms`), so a
//! skewed clock cannot shorten or stretch the lifetime.
//!
//! ```
//! use assent_core::lifetime::in_force;
//!
//! const DAY: u64 = 86_400_000;
//! assert!(in_force("v1", "v1", 10 * DAY, 20 * DAY, 182));
//! assert!(!in_force("v1", "v2", 10 * DAY, 20 * DAY, 182), "a new notice asks again");
//! assert!(!in_force("v1", "v1", 10 * DAY, 192 * DAY, 182), "expired");
//! ```

/// Milliseconds in a day.
pub const DAY_MS: u64 = 86_400_000;

/// Whether a choice made at `decided_at_ms` on notice `made_on` still holds at
/// `now_ms` under notice `current` and a lifetime of `lifetime_days`.
pub fn in_force(
    made_on: &str,
    current: &str,
    decided_at_ms: u64,
    now_ms: u64,
    lifetime_days: u32,
) -> bool {
    made_on == current && now_ms.saturating_sub(decided_at_ms) < u64::from(lifetime_days) * DAY_MS
}

/// How the first layer says how long a choice is kept (its `{duration}`):
/// in whole months from four weeks on (a month being 30.44 days, rounded to
/// the nearest), else in days. The number and its unit, as `Intl` names it
/// (`"month"`, `"day"`); the page's language words it.
///
/// ```
/// use assent_core::lifetime::shown;
/// assert_eq!(shown(180), (6, "month"));
/// assert_eq!(shown(395), (13, "month"));
/// assert_eq!(shown(28), (1, "month"));
/// assert_eq!(shown(27), (27, "day"));
/// ```
pub fn shown(days: u32) -> (u32, &'static str) {
    if days < 28 {
        (days, "day")
    } else {
        // Round half up, in integers: months = days / 30.44.
        ((days * 100 + 1522) / 3044, "month")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lifetime_is_shown_in_days_below_four_weeks_then_in_rounded_months() {
        let cases = [
            (0, (0, "day")),
            (27, (27, "day")),
            (28, (1, "month")),
            (45, (1, "month")),   // 1.478 months
            (46, (2, "month")),   // 1.511 months
            (365, (12, "month")), // 11.99
            (395, (13, "month")),
        ];
        for (days, want) in cases {
            assert_eq!(shown(days), want, "{days} days");
            // The loader's rule until the edge worded it: Math.round(days / 30.44).
            if days >= 28 {
                assert_eq!(want.0, (f64::from(days) / 30.44).round() as u32);
            }
        }
    }
}
