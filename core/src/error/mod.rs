//! The one error type of `assent-core`, grouped by category the way rustls
//! groups its `Error`: [`Error`] names the category (configuration, syntax,
//! event, log and proof, key and receipt, storage), and each category is an enum of its own whose
//! variants say exactly what is wrong.
//!
//! Every variant has a stable, machine-readable code ([`Error::code`]). Codes
//! are part of the public contract (the edge returns them to clients, golden
//! vectors assert them): a code is never renamed or reused for another
//! meaning, and regrouping changed none. Messages are for people and may change.
//!
//! ```
//! use assent_core::error::{Error, EventError};
//!
//! let e = Error::from(EventError::PurposeUnknown { purpose: "telemetry".into() });
//! assert_eq!(e.code(), "purpose_unknown");
//! assert!(matches!(e, Error::Event(_)));
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

use thiserror::Error as ThisError;

/// Everything that can be wrong with a configuration, an event or a proof, by category.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum Error {
    /// A site configuration breaks a rule (found at build time: an invalid configuration fails the build).
    #[error(transparent)]
    Config(ConfigError),
    /// A value is not in its syntax: an id, an origin, a field too long or with characters it may not hold.
    #[error(transparent)]
    Syntax(SyntaxError),
    /// A consent event breaks a rule of the site it was sent to.
    #[error(transparent)]
    Event(EventError),
    /// An opt-in form submission, its identity fields or a confirmation
    /// token do not check out.
    #[error(transparent)]
    Form(FormError),
    /// A Merkle proof, a tree or a signed note does not check out.
    #[error(transparent)]
    Log(LogError),
    /// A key, a signature or a receipt does not check out.
    #[error(transparent)]
    Key(KeyError),
    /// The storage behind the log failed: a fault, never a verdict on the evidence.
    #[error(transparent)]
    Storage(StorageError),
    /// An admin key is missing, wrong, revoked, another site's, or lacks the
    /// scope an operation needs (see `crate::admin`).
    #[error(transparent)]
    Access(AccessError),
    /// A data-subject request cannot be answered as asked (see `crate::rights`).
    #[error(transparent)]
    Rights(RightsError),
    /// The edge cannot route or read a request (an unknown path, method or
    /// site, a body or a rate over its limit, no owner's key).
    #[error(transparent)]
    Request(RequestError),
}

mod access;
mod class;
mod config;
mod event;
mod form;
mod key;
mod log;
mod request;
mod rights;
mod storage;
mod syntax;
pub use access::AccessError;
pub use class::ErrorClass;
pub use config::ConfigError;
pub use event::EventError;
pub use form::FormError;
pub use key::KeyError;
pub use log::LogError;
pub use request::RequestError;
pub use rights::RightsError;
pub use storage::StorageError;
pub use syntax::SyntaxError;

impl Error {
    /// The stable machine-readable code of this error, e.g. `purpose_unknown`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Config(e) => e.code(),
            Error::Syntax(e) => e.code(),
            Error::Event(e) => e.code(),
            Error::Form(e) => e.code(),
            Error::Log(e) => e.code(),
            Error::Key(e) => e.code(),
            Error::Storage(e) => e.code(),
            Error::Access(e) => e.code(),
            Error::Rights(e) => e.code(),
            Error::Request(e) => e.code(),
        }
    }
}

/// Shortens untrusted input before it is echoed in an error message, so an
/// error can never carry a megabyte of attacker-chosen text back out.
pub(crate) fn excerpt(value: &str) -> String {
    const MAX: usize = 80;
    match value.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", &value[..cut]),
        None => value.to_string(),
    }
}
