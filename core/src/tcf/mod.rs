//! IAB Europe's Transparency and Consent Framework (TCF v2.3): the TC string
//! a publisher's CMP sets for the advertising vendors on a page, encoded and
//! decoded here with **no I/O**, for the widget (wasm) and the edge alike.
//!
//! - [`api`]: what the page's `__tcfapi` answers of a string, and Google's reading of it.
//! - `bits`: fields most significant bit first, base64url in whole quanta.
//! - [`vendors`]: a set of vendor ids, as a bit field or ranges, whichever is shorter.
//! - [`gvl`]: the Global Vendor List, and what one site discloses of it.
//! - [`choice`]: which bits a visitor's choice sets, one rule for whatever writes or checks a string.
//! - [`restrictions`]: the publisher's restrictions on vendors, per purpose.
//! - [`tc_string`]: the string itself: the core segment, DisclosedVendors, the
//!   publisher's own purposes.
//!
//! Known answers come from the specification's own example, and a test of
//! the repository (`tests/tcf/`) checks the codec both ways against the IAB's
//! reference library, `@iabtechlabtcf/core`.
//!
//! ```
//! use assent_core::tcf::{TcString, VendorSet};
//!
//! // The example of the specification ("TC String Format").
//! let tc = TcString::decode("CQSbk4AQSbk4ANwAAAENAwCgAAAAAAAAAAYgACPAAAAA.IDKQA4AAgAKAGQAygAAA.YAAAAAAAAAAA").unwrap();
//! assert_eq!((tc.cmp_id, tc.consent_language.as_str(), tc.publisher_cc.as_str()), (880, "EN", "DE"));
//! assert_eq!(tc.vendor_consents, VendorSet::of([1, 2, 3, 4]));
//! assert_eq!(tc.disclosed_vendors, Some(VendorSet::of([1, 2, 3, 4, 5, 100, 404])));
//!
//! // A string cut short is refused, never read as a "no".
//! let err = TcString::decode("CQSbk4AQSbk4ANwAAAENAwCg").unwrap_err();
//! assert_eq!(err, assent_core::tcf::Invalid::Truncated);
//! ```

pub mod api;
pub(crate) mod bits;
pub mod choice;
pub mod gvl;
pub mod restrictions;
pub mod tc_string;
pub mod vendors;

pub use restrictions::{PublisherRestriction, RestrictionType};
pub use tc_string::{Ids, PublisherPurposes, TcString};
pub use vendors::VendorSet;

use thiserror::Error as ThisError;

/// The longest TC string read, in characters: every vendor id there can be,
/// as three bit fields, is 33 KiB; a real one is a few hundred characters.
pub const MAX_TC_STRING: usize = 40_000;

/// Why a TC string was refused (the reason of `tc_string_invalid`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum Invalid {
    /// A segment is empty (two dots in a row, or nothing at all).
    #[error("a segment is empty")]
    Empty,
    /// A character outside base64url, or padding.
    #[error("not base64url")]
    NotBase64,
    /// The string ends before its fields do.
    #[error("the string ends before its fields do")]
    Truncated,
    /// The core segment is not of version 2.
    #[error("not a TCF v2 string")]
    Version,
    /// A vendor range names an id above the section's MaxVendorId.
    #[error("a vendor range goes past MaxVendorId")]
    VendorAboveMax,
    /// A range starts at 0, ends before it starts, or the ranges expand to
    /// more ids than a segment may.
    #[error("a vendor range is not a range of vendor ids")]
    BadRange,
    /// A language or country code is not two letters A to Z.
    #[error("a language or country is not two letters")]
    BadLetters,
    /// A publisher restriction of type 3 (undefined).
    #[error("a publisher restriction of an undefined type")]
    RestrictionType,
    /// A segment of a type this version does not have (2, AllowedVendors,
    /// was removed in TCF 2.2).
    #[error("a segment of an unknown type")]
    SegmentUnknown,
    /// A segment type given twice.
    #[error("a segment given twice")]
    SegmentTwice,
    /// Longer than [`MAX_TC_STRING`].
    #[error("longer than any TC string")]
    TooLong,
    /// (Encoding) an id, a count or a time its field cannot hold.
    #[error("a value its field cannot hold")]
    IdOutOfRange,
    /// (An event's string) the site has no TCF settings.
    #[error("the site has no TCF settings")]
    NoSettings,
    /// (An event's string) it says other than the event's choice does
    /// (`choice::tc_string` of the event's decisions, services, language and day).
    #[error("it says other than the choice")]
    Mismatch,
}
