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
