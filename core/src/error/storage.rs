//! The storage behind the log failed: a fault, never a verdict on the evidence.

#[allow(unused_imports)]
use crate::prelude::*;

use thiserror::Error as ThisError;

use super::Error;

/// The storage behind the log failed: a fault, never a verdict on the evidence.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum StorageError {
    /// The storage behind a proof failed: a fault of the log, never evidence
    /// that a proof is invalid.
    #[error("log storage failed: {reason}")]
    StorageFault {
        /// What the storage reported.
        reason: String,
    },
}

impl StorageError {
    /// The stable machine-readable code, e.g. `storage_fault`.
    pub fn code(&self) -> &'static str {
        match self {
            StorageError::StorageFault { .. } => "storage_fault",
        }
    }
}

impl From<StorageError> for Error {
    fn from(e: StorageError) -> Self {
        Error::Storage(e)
    }
}
