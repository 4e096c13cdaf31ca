//! The kind of a consent decision ([`Action`]): what an event says happened,
//! and the one rule of which action describes a change of mind. Its own
//! module so that the error enums, which name it, depend on nothing else.

#[allow(unused_imports)]
use crate::prelude::*;

use serde::{Deserialize, Serialize};

/// The kind of decision. The variants only the edge makes (`confirm`,
/// `expire`) exist with `std`: the banner's `no_std` engine never writes
/// them, and every variant costs its bytes on the banner path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Consent to at least one optional purpose where none was given before.
    Give,
    /// No optional purpose granted, and none was granted before.
    Refuse,
    /// A change that still grants something, or grants something else.
    Update,
    /// Every optional purpose refused after some were granted.
    Withdraw,
    /// A pending form submission confirmed through the link sent by email
    /// (double opt-in), by the person or, under the age of consent, a parent.
    /// Made by the edge only.
    #[cfg(feature = "std")]
    Confirm,
    /// A pending form submission that was never confirmed, closed when its
    /// link expired. Made by the edge only.
    #[cfg(feature = "std")]
    Expire,
    /// The subject was erased at the site owner's hands (Art. 17): the
    /// identity is destroyed, every consent ends, the records stay as proof.
    /// Made by the edge only.
    #[cfg(feature = "std")]
    Erase,
    /// A batch of an imported opt-out or block list: the record commits to
    /// the batch's suppressed lookup keys (see `record::ImportFacts`).
    /// Made by the edge only, under a subject of its own per batch.
    #[cfg(feature = "std")]
    Import,
    /// An address taken off an opt-out or block list by the owner: the
    /// record commits to its lookup key (`record::ImportFacts`, `removed`).
    /// Made by the edge only, under a subject of its own.
    #[cfg(feature = "std")]
    Unlist,
    /// Processing of the subject's data is restricted (Art. 18): consent
    /// stays as it was, but nothing may be done with it until lifted.
    /// Made by the edge only, at the owner's hands.
    #[cfg(feature = "std")]
    Restrict,
    /// A restriction lifted. Made by the edge only.
    #[cfg(feature = "std")]
    LiftRestriction,
    /// The subject's identity corrected (Art. 16): a new commitment, the
    /// old records untouched. Made by the edge only.
    #[cfg(feature = "std")]
    Rectify,
    /// The subject objected to contact on a channel (Art. 21): every offer
    /// on it ends, granted or not, and none holds again but by the person's
    /// own confirmed opt-in. Made by the edge only.
    #[cfg(feature = "std")]
    Object,
}

impl Action {
    /// The action that describes a change of mind: from a choice that granted
    /// some optional purpose (`had_granted`, false on a first visit) to one
    /// that grants some (`grants`).
    ///
    /// ```
    /// use assent_core::event::Action;
    ///
    /// assert_eq!(Action::for_change(false, false), Action::Refuse);
    /// assert_eq!(Action::for_change(false, true), Action::Give);
    /// assert_eq!(Action::for_change(true, false), Action::Withdraw);
    /// assert_eq!(Action::for_change(true, true), Action::Update);
    /// ```
    pub fn for_change(had_granted: bool, grants: bool) -> Action {
        match (had_granted, grants) {
            (false, false) => Action::Refuse,
            (false, true) => Action::Give,
            (true, false) => Action::Withdraw,
            (true, true) => Action::Update,
        }
    }

    /// Whether only the edge makes this action (a confirmation, an expiry,
    /// the owner's acts): a client's event with it is refused.
    pub fn by_edge(self) -> bool {
        !matches!(
            self,
            Action::Give | Action::Refuse | Action::Update | Action::Withdraw
        )
    }

    /// The wire name, e.g. `withdraw`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Give => "give",
            Action::Refuse => "refuse",
            Action::Update => "update",
            Action::Withdraw => "withdraw",
            #[cfg(feature = "std")]
            Action::Confirm => "confirm",
            #[cfg(feature = "std")]
            Action::Expire => "expire",
            #[cfg(feature = "std")]
            Action::Erase => "erase",
            #[cfg(feature = "std")]
            Action::Import => "import",
            #[cfg(feature = "std")]
            Action::Unlist => "unlist",
            #[cfg(feature = "std")]
            Action::Restrict => "restrict",
            #[cfg(feature = "std")]
            Action::LiftRestriction => "lift_restriction",
            #[cfg(feature = "std")]
            Action::Rectify => "rectify",
            #[cfg(feature = "std")]
            Action::Object => "object",
        }
    }
}
