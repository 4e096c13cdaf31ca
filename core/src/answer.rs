//! What an answer of the edge means to the client that sent something it
//! must keep (a banner event, a form submission): keep it, send it again
//! later, or let it go; and how long to wait between tries. One rule for
//! the banner's outbox and the form's (re-exported as `api::outcome`).

/// What the edge's answer to something it must keep (a banner event, a
/// form submission) means to the client that sent it: one rule for the
/// banner's outbox and the form's, by status alone (`0`: the network failed).
///
/// ```
/// use assent_core::api::{outcome, Outcome};
/// assert_eq!(outcome(201), Outcome::Acknowledged);
/// assert_eq!(outcome(202), Outcome::Acknowledged);
/// assert_eq!(outcome(429), Outcome::Retry);
/// assert_eq!(outcome(410), Outcome::Gone);
/// assert_eq!(outcome(400), Outcome::Rejected);
/// assert_eq!(outcome(503), Outcome::Retry);
/// assert_eq!(outcome(0), Outcome::Retry);
/// ```
/// (The discriminants are the widget's wire numbers to its loader.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Outcome {
    /// Stored, or already stored (2xx): done.
    Acknowledged = 0,
    /// Refused for good (4xx): sending it again cannot help.
    Rejected = 1,
    /// Not taken now (network, 5xx, 408, 425, 429): keep it, send it later.
    Retry = 2,
    /// What it is about is gone for good (410, an erased subject): nothing
    /// more is taken under it.
    Gone = 3,
}

/// The [`Outcome`] of an answer's status.
pub fn outcome(status: u16) -> Outcome {
    match status {
        200..=299 => Outcome::Acknowledged,
        408 | 425 | 429 => Outcome::Retry,
        410 => Outcome::Gone,
        400..=499 => Outcome::Rejected,
        _ => Outcome::Retry,
    }
}

/// How long a client waits before it sends an event again after its
/// `attempt`-th fault in a row (counted from 1), before jitter: 1 s, doubling,
/// never more than 60 s. The form's outbox uses this; the banner's outbox
/// (`widget/loader/outbox.js`, kept in JavaScript for the banner path's
/// bytes) follows the same schedule, and its test asserts these delays.
///
/// ```
/// use assent_core::api::retry_delay_ms;
/// assert_eq!([1, 2, 3, 6, 7, 40].map(retry_delay_ms), [1_000, 2_000, 4_000, 32_000, 60_000, 60_000]);
/// ```
pub fn retry_delay_ms(attempt: u32) -> u64 {
    let doublings = attempt.saturating_sub(1).min(6);
    (1_000u64 << doublings).min(MAX_RETRY_DELAY_MS)
}

/// The longest a client waits between two tries of an event: 60 s.
pub const MAX_RETRY_DELAY_MS: u64 = 60_000;
