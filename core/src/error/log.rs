//! The log refused an operation, or a Merkle proof, a tree or a signed note

#[allow(unused_imports)]
use crate::prelude::*;

use crate::action::Action;
use thiserror::Error as ThisError;

use super::Error;

/// The log refused an operation, or a Merkle proof, a tree or a signed note
/// does not check out.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum LogError {
    /// An event id already in the log was sent with other content.
    #[error("event id {event_id} was already used for a different event")]
    EventIdConflict {
        /// The event id.
        event_id: String,
    },
    /// The action does not describe the change from the subject's choice in
    /// force in the log (a `refuse` after a `give`, a `give` after a `give`).
    #[error("action {} does not follow the subject's previous choice: expected {}", .action.as_str(), .expected.as_str())]
    ActionAgainstHistory {
        /// The action sent.
        action: Action,
        /// The action the history calls for.
        expected: Action,
    },
    /// The log has no record yet, so there is no checkpoint.
    #[error("the log is empty: no checkpoint yet")]
    LogEmpty,
    /// A query parameter is unknown, repeated, not a decimal number, or
    /// asks outside the log (a proof or page beyond its size).
    #[error("query parameter {parameter:?} is invalid")]
    QueryInvalid {
        /// The parameter.
        parameter: &'static str,
    },
    /// A record or an answer could not be encoded: a bug, never bad input.
    #[error("record encoding failed: {reason}")]
    RecordEncoding {
        /// What failed.
        reason: String,
    },
    /// A Merkle proof does not verify, or could not be built.
    #[error("proof is invalid: {reason}")]
    ProofInvalid {
        /// What failed.
        reason: String,
    },
    /// A leaf index or tree size is beyond the tree.
    #[error("index {index} is outside a tree of {size} leaves")]
    IndexOutOfRange {
        /// The index asked for.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// A signed note or checkpoint is not in the C2SP format.
    #[error("note is malformed: {reason}")]
    NoteMalformed {
        /// What is wrong.
        reason: String,
    },
    /// A receipt's leaf hash is not the leaf hash of its record.
    #[error("the receipt's leaf hash is not the hash of its record")]
    LeafHashMismatch,
    /// The notice archive keeps no notice with this hash (see
    /// `crate::log::archive`).
    #[error("no notice with hash {hash} is kept for this site")]
    NoticeUnknown {
        /// The hash asked for.
        hash: String,
    },
    /// An archived notice is not the notice a record refers to: other bytes,
    /// not RFC 8785, not a notice, or another site, version or language.
    #[error("the notice is not the one the record refers to: {reason}")]
    NoticeMismatch {
        /// What differs.
        reason: String,
    },
    /// An append reached a shard that the subject does not live in (see
    /// [`crate::log::shards`]): the edge routed it wrongly, a bug that
    /// would split a subject's chain over two trees, so nothing is stored.
    #[error("subject lives in shard {expected}, not in shard {shard}")]
    ShardMismatch {
        /// The shard the append reached.
        shard: u16,
        /// The subject's shard.
        expected: u16,
    },
}

impl LogError {
    /// The stable machine-readable code, e.g. `event_id_conflict`.
    pub fn code(&self) -> &'static str {
        match self {
            LogError::EventIdConflict { .. } => "event_id_conflict",
            LogError::ActionAgainstHistory { .. } => "action_mismatch",
            LogError::LogEmpty => "log_empty",
            LogError::QueryInvalid { .. } => "query_invalid",
            LogError::RecordEncoding { .. } => "record_encoding",
            LogError::ProofInvalid { .. } => "proof_invalid",
            LogError::IndexOutOfRange { .. } => "index_out_of_range",
            LogError::NoteMalformed { .. } => "note_malformed",
            LogError::LeafHashMismatch => "leaf_hash_mismatch",
            LogError::NoticeUnknown { .. } => "notice_unknown",
            LogError::NoticeMismatch { .. } => "notice_mismatch",
            LogError::ShardMismatch { .. } => "shard_mismatch",
        }
    }
}

impl From<LogError> for Error {
    fn from(e: LogError) -> Self {
        Error::Log(e)
    }
}
