//! A key, a signature or a receipt does not check out.

#[allow(unused_imports)]
use crate::prelude::*;

use thiserror::Error as ThisError;

use super::Error;

/// A key, a signature or a receipt does not check out.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum KeyError {
    /// No signature on a note or receipt is by a key the verifier knows.
    #[error("signed by no known key{detail}")]
    KeyUnknown {
        /// Which key was looked for, if any.
        detail: String,
    },
    /// A signature does not verify.
    #[error("signature does not verify")]
    SignatureInvalid,
    /// A key is not in the expected encoding.
    #[error("key is malformed: {reason}")]
    KeyMalformed {
        /// What is wrong.
        reason: String,
    },
    /// A receipt is not a well-formed JWS of an Assent receipt.
    #[error("receipt is malformed: {reason}")]
    ReceiptMalformed {
        /// What is wrong.
        reason: String,
    },
}

impl KeyError {
    /// The stable machine-readable code, e.g. `key_unknown`.
    pub fn code(&self) -> &'static str {
        match self {
            KeyError::KeyUnknown { .. } => "key_unknown",
            KeyError::SignatureInvalid => "signature_invalid",
            KeyError::KeyMalformed { .. } => "key_malformed",
            KeyError::ReceiptMalformed { .. } => "receipt_malformed",
        }
    }
}

impl From<KeyError> for Error {
    fn from(e: KeyError) -> Self {
        Error::Key(e)
    }
}
