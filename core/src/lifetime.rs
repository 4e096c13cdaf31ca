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
