//! The log: what makes a site's consent records an append-only, verifiable
//! log, written once and with no I/O.
//!
//! - [`origin`](LogOrigin): the checked `<host>/<site>` name of a log;
//! - [`wire`](InclusionProof): the proof answers as they travel between edge and verifiers;
//! - [`store`]: the storage the log needs ([`LogStore`]) and an in-memory one;
//! - [`sequencer`]: appending (idempotency, the subject's chain, the action
//!   against history, tree, receipt), checkpoints, proofs and pages;
//! - [`verify`]: that one signed checkpoint extends another;
//! - [`archive`]: the notice archive, every notice a record refers to, by its hash.
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

pub mod archive;
#[cfg(feature = "test-support")]
pub mod conformance;
mod origin;
pub mod sequencer;
pub use crate::shards;
pub mod store;
pub mod verify;
mod wire;

pub use origin::LogOrigin;
pub use store::{LogStore, MemoryLogStore, StoreError};
pub use wire::{ConsistencyProof, InclusionProof};

/// The log's errors are core's [`Error::Log`](crate::Error::Log) category
/// (storage faults: [`Error::Storage`](crate::Error::Storage)).
pub use crate::error::LogError;

impl From<StoreError> for crate::Error {
    fn from(e: StoreError) -> Self {
        crate::error::StorageError::StorageFault {
            reason: e.to_string(),
        }
        .into()
    }
}
