//! A value is not in its syntax: an id, an origin, a field too long or with characters it may not hold.

#[allow(unused_imports)]
use crate::prelude::*;

use thiserror::Error as ThisError;

use super::Error;

/// A value is not in its syntax: an id, an origin, a field too long or with characters it may not hold.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum SyntaxError {
    /// A site id is not 1-64 characters of `a-z`, `0-9` and `-`.
    #[error("site id {value:?} is invalid: use 1-64 characters of a-z, 0-9 and '-'")]
    SiteIdInvalid {
        /// The offending value (truncated).
        value: String,
    },
    /// A purpose id is not 1-32 characters of `a-z`, `0-9` and `_`, starting with a letter.
    #[error("purpose id {value:?} is invalid: use 1-32 characters of a-z, 0-9 and '_', starting with a letter")]
    PurposeIdInvalid {
        /// The offending value (truncated).
        value: String,
    },
    /// A service id is not 1-64 characters of `a-z`, `0-9`, `_` and `-`.
    #[error("service id {value:?} is invalid: use 1-64 characters of a-z, 0-9, '_' and '-'")]
    ServiceIdInvalid {
        /// The offending value (truncated).
        value: String,
    },
    /// A language tag is not a simple BCP 47 tag such as `en`, `de` or `pt-BR`.
    #[error("language tag {value:?} is invalid")]
    LanguageInvalid {
        /// The offending value (truncated).
        value: String,
    },
    /// An event id is not a lowercase, hyphenated UUID version 4.
    #[error("event id {value:?} is not a lowercase UUIDv4")]
    EventIdInvalid {
        /// The offending value (truncated).
        value: String,
    },
    /// A form id is not 1-32 of `a-z`, `0-9`, `_` starting with a letter.
    #[error("form id {value:?} is invalid")]
    FormIdInvalid {
        /// The rejected value (truncated).
        value: String,
    },
    /// A subject id is not a lowercase, hyphenated UUID version 4.
    #[error("subject id {value:?} is not a lowercase UUIDv4")]
    SubjectIdInvalid {
        /// The offending value (truncated).
        value: String,
    },
    /// An origin is not `scheme://host[:port]`.
    #[error("origin {origin:?} is invalid: use scheme://host[:port] without a path")]
    OriginInvalid {
        /// The offending origin (truncated).
        origin: String,
    },
    /// A field is longer than its limit.
    #[error("field {field} is longer than {max} characters")]
    FieldTooLong {
        /// Dotted path of the field.
        field: String,
        /// The limit, in characters.
        max: usize,
    },
    /// A field has a value that is not allowed.
    #[error("field {field} is invalid: {reason}")]
    FieldInvalid {
        /// Dotted path of the field.
        field: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A notice hash is not 64 lowercase hex digits (the form
    /// [`Notice::hash`](crate::notice::Notice::hash) gives).
    #[error("notice hash {value:?} is invalid: use the 64 lowercase hex digits of a SHA-256")]
    NoticeHashInvalid {
        /// The offending value (truncated).
        value: String,
    },
}

impl SyntaxError {
    /// The stable machine-readable code, e.g. `site_id_invalid`.
    pub fn code(&self) -> &'static str {
        match self {
            SyntaxError::SiteIdInvalid { .. } => "site_id_invalid",
            SyntaxError::PurposeIdInvalid { .. } => "purpose_id_invalid",
            SyntaxError::ServiceIdInvalid { .. } => "service_id_invalid",
            SyntaxError::LanguageInvalid { .. } => "language_invalid",
            SyntaxError::EventIdInvalid { .. } => "event_id_invalid",
            SyntaxError::SubjectIdInvalid { .. } => "subject_id_invalid",
            SyntaxError::FormIdInvalid { .. } => "form_id_invalid",
            SyntaxError::OriginInvalid { .. } => "origin_invalid",
            SyntaxError::FieldTooLong { .. } => "field_too_long",
            SyntaxError::FieldInvalid { .. } => "field_invalid",
            SyntaxError::NoticeHashInvalid { .. } => "notice_hash_invalid",
        }
    }
}

impl From<SyntaxError> for Error {
    fn from(e: SyntaxError) -> Self {
        Error::Syntax(e)
    }
}
