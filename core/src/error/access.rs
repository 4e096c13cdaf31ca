//! An admin key is missing, wrong, revoked, another site's, or lacks the

#[allow(unused_imports)]
use crate::prelude::*;

use thiserror::Error as ThisError;

use super::Error;

/// An admin key is missing, wrong, revoked, another site's, or lacks the
/// scope an operation needs. A guess learns nothing from the code: a missing,
/// malformed, unknown or wrong key are all `unauthorized`.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum AccessError {
    /// No key, or not one this edge issued for this site (401).
    #[error("a valid admin key is required")]
    Unauthorized,
    /// The key was revoked (401).
    #[error("this admin key was revoked")]
    KeyRevoked,
    /// The key is another site's (403).
    #[error("this admin key is for another site")]
    KeyOtherSite,
    /// The key lacks the scope the operation needs (403).
    #[error("this admin key lacks the {scope} scope")]
    ScopeMissing {
        /// The scope needed.
        scope: &'static str,
    },
    /// Only the operator's key may do this: manage a site's keys (403).
    #[error("only the operator's key may manage keys")]
    OperatorOnly,
    /// A scope list names no scope, one twice, or one that does not exist.
    #[error("invalid scopes: {scope}")]
    ScopeInvalid {
        /// What is wrong (truncated).
        scope: String,
    },
    /// A key name is empty, longer than 64 characters, holds a control
    /// character or is `operator`.
    #[error("a key name is 1 to 64 characters without control characters, and not \"operator\"")]
    KeyNameInvalid,
    /// No key of this site has this id (404).
    #[error("no admin key of this site has this id")]
    AdminKeyUnknown,
    /// A key's name is erased only once the key is revoked (409).
    #[error("revoke the key before erasing its name")]
    KeyNotRevoked,
}

impl AccessError {
    /// The stable machine-readable code, e.g. `scope_missing`.
    pub fn code(&self) -> &'static str {
        match self {
            AccessError::Unauthorized => "unauthorized",
            AccessError::KeyRevoked => "key_revoked",
            AccessError::KeyOtherSite => "key_other_site",
            AccessError::ScopeMissing { .. } => "scope_missing",
            AccessError::OperatorOnly => "operator_only",
            AccessError::ScopeInvalid { .. } => "scope_invalid",
            AccessError::KeyNameInvalid => "key_name_invalid",
            AccessError::AdminKeyUnknown => "admin_key_unknown",
            AccessError::KeyNotRevoked => "key_not_revoked",
        }
    }
}

impl From<AccessError> for Error {
    fn from(e: AccessError) -> Self {
        Error::Access(e)
    }
}
