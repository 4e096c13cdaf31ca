//! The log: what makes a site's consent records an append-only, verifiable
//! log, written once and with no I/O.
//!
//! - [`origin`](LogOrigin): the checked `<host>/<site>` name of a log;
//! - [`wire`](InclusionProof): the proof answers as they travel between edge and verifiers;
//! - [`store`]: the storage the log needs ([`LogStore`]) and an in-memory one;
//! - [`sequencer`]: appending (idempotency, the subject's chain, the action
//!   against history, tree, receipt), checkpoints, proofs and pages.
//!
//! Needs the `std` feature (canonical JSON).
//!
//! ```
//! use assent_core::log::{sequencer, MemoryLogStore};
//! use assent_core::keys::SigningKey;
//!
//! let mut store = MemoryLogStore::default();
//! let key = SigningKey::from_seed([1; 32]);
//! // An empty log has nothing to sign yet.
//! assert_eq!(sequencer::checkpoint(&mut store, &key, 0).unwrap_err().code(), "log_empty");
//! ```

#[cfg(feature = "test-support")]
pub mod conformance;
mod origin;
pub mod sequencer;
pub mod store;
mod wire;

pub use origin::LogOrigin;
pub use store::{LogStore, MemoryLogStore, StoreError};
pub use wire::{ConsistencyProof, InclusionProof};

use crate::event::Action;

/// Why the log refused or failed an operation: the log's category of errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LogError {
    /// An event id already in the log was sent with other content.
    #[error("event id {0} was already used for a different event")]
    EventIdConflict(String),
    /// The action does not describe the change from the subject's choice in
    /// force (a `refuse` after a `give`, a `give` after a `give`).
    #[error("action {} does not follow the subject's previous choice: expected {}", .action.as_str(), .expected.as_str())]
    ActionAgainstHistory {
        /// The action sent.
        action: Action,
        /// The action the history calls for.
        expected: Action,
    },
    /// The log has no record yet, so there is no checkpoint.
    #[error("the log is empty: no checkpoint yet")]
    Empty,
    /// A proof or page was asked for outside the log.
    #[error("query parameter {0:?} is invalid")]
    QueryInvalid(&'static str),
    /// The storage failed; never reported as a bad proof or a bad request.
    #[error("storage fault: {0}")]
    Storage(String),
    /// A record or answer could not be encoded (a bug, not bad input).
    #[error("record encoding: {0}")]
    Format(String),
}

impl LogError {
    /// The stable machine-readable code (`internal` for faults).
    pub fn code(&self) -> &'static str {
        match self {
            LogError::EventIdConflict(_) => "event_id_conflict",
            LogError::ActionAgainstHistory { .. } => "action_mismatch",
            LogError::Empty => "log_empty",
            LogError::QueryInvalid(_) => "query_invalid",
            LogError::Storage(_) | LogError::Format(_) => "internal",
        }
    }
}

impl From<StoreError> for LogError {
    fn from(e: StoreError) -> Self {
        LogError::Storage(e.to_string())
    }
}

impl From<crate::Error> for LogError {
    /// Core errors inside the log come from stored state (a frontier or a
    /// node that does not fit): storage faults, never the caller's input.
    fn from(e: crate::Error) -> Self {
        LogError::Storage(e.to_string())
    }
}
