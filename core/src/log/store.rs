//! The log's storage, as the [sequencer](super::sequencer) needs it: a few
//! reads and one write per append.
//!
//! An append is one entry, written atomically ([`LogStore::append`]): the
//! record, the answer, and the hashes of the complete subtrees that its leaf
//! completed (the leaf first, then one per level). Subtree `(level, j)` is
//! completed by leaf `((j + 1) << level) - 1`, so every node of the tree is
//! found in exactly one entry, and an append can never be half-written: a
//! store needs no multi-statement transaction (a Durable Object's SQL has
//! none to offer from Rust), only an atomic single-row insert.

#[allow(unused_imports)]
use crate::prelude::*;

use core::fmt;

use crate::ids::{EventId, NoticeHash, SubjectId};
use crate::log::archive::ArchivedNotice;
use crate::log::LogOrigin;
use crate::merkle::Hash;
use crate::subject_key::SubjectKeyHash;

/// A stored entry: one record of the log and the answer its append gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Leaf index, from 0.
    pub index: u64,
    /// The record's RFC 8785 text: the leaf data.
    pub record: String,
    /// The first answer to the append (with the receipt), replayed on a repeat.
    pub answer: String,
}

/// A record as listed for its owner: index and stored text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// Leaf index.
    pub index: u64,
    /// The record's RFC 8785 text.
    pub record: String,
}

/// What one append commits.
#[derive(Debug, Clone, Copy)]
pub struct NewEntry<'a> {
    /// Leaf index: the log's size before this append.
    pub index: u64,
    /// The event id (unique in the log: the idempotency key).
    pub event_id: &'a EventId,
    /// The subject (the log links each record to the subject's previous one).
    pub subject: &'a SubjectId,
    /// The record's RFC 8785 text.
    pub record: &'a str,
    /// The answer with the receipt.
    pub answer: &'a str,
    /// The subtrees this leaf completed: the leaf hash, then one hash per level.
    pub nodes: &'a [Hash],
    /// With the first entry only: the log's origin, fixed from then on.
    pub origin: Option<&'a LogOrigin>,
    /// The UTC day of the record (`YYYY-MM-DD`), for its counters.
    pub day: &'a str,
    /// The counters the record adds to, and by how much ([`crate::stats::counts`]).
    pub counts: &'a [(String, u64)],
    /// With a subject's first entry only: the hash of the key its widget
    /// holds ([`crate::subject_key`]), kept beside the log, never in it.
    pub subject_key: Option<&'a SubjectKeyHash>,
    /// The notice the record refers to, where the site shows it now
    /// ([`crate::log::archive`]): kept beside the log unless its hash is
    /// kept already (never overwritten).
    pub notice: Option<&'a ArchivedNotice>,
}

/// A signed checkpoint as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    /// The tree size it signs.
    pub size: u64,
    /// The C2SP signed note.
    pub note: String,
    /// When it was signed (server time).
    pub signed_at_ms: u64,
}

/// Why a store operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The index or the event id is already taken: another append committed
    /// first. Nothing was written.
    Conflict,
    /// The storage failed (I/O, a constraint the sequencer did not expect, a
    /// row that does not decode). What was written before it in the same
    /// append is invisible (see the module docs).
    Fault(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Conflict => f.write_str("index or event id already stored"),
            StoreError::Fault(reason) => write!(f, "storage fault: {reason}"),
        }
    }
}

/// A site log's storage. Implemented in memory here ([`MemoryLogStore`]) and
/// on SQLite by the edge.
pub trait LogStore {
    /// Number of entries (the tree size).
    fn size(&self) -> Result<u64, StoreError>;
    /// The origin fixed by the first entry.
    fn origin(&self) -> Result<Option<LogOrigin>, StoreError>;
    /// The subtrees completed by leaf `index` (leaf hash first), if stored.
    fn completed(&self, index: u64) -> Result<Option<Vec<Hash>>, StoreError>;
    /// The entry of `event_id`.
    fn entry_by_event(&self, event_id: &EventId) -> Result<Option<Entry>, StoreError>;
    /// The subject's last entry in log order.
    fn last_of_subject(&self, subject: &SubjectId) -> Result<Option<Entry>, StoreError>;
    /// Up to `limit` of the subject's records, oldest first (the order a
    /// subject's state is folded in).
    fn of_subject(&self, subject: &SubjectId, limit: u64) -> Result<Vec<Listed>, StoreError>;
    /// Up to `limit` records with index below `before`, newest first.
    fn newest_before(&self, before: u64, limit: u64) -> Result<Vec<Listed>, StoreError>;
    /// Up to `limit` records from index `from`, oldest first.
    fn oldest_from(&self, from: u64, limit: u64) -> Result<Vec<Listed>, StoreError>;
    /// The checkpoint of the largest size signed so far.
    fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError>;
    /// Commits an entry, atomically; [`StoreError::Conflict`] when its index
    /// or event id is taken.
    fn append(&mut self, entry: &NewEntry<'_>) -> Result<(), StoreError>;
    /// Keeps a signed checkpoint.
    fn put_checkpoint(&mut self, checkpoint: &StoredCheckpoint) -> Result<(), StoreError>;
    /// The counters of every day from `from_day` on: `(day, key, n)`.
    fn stats(&self, from_day: &str) -> Result<Vec<(String, String, u64)>, StoreError>;
    /// The hash of the subject's key, kept from its first entry.
    fn subject_key(&self, subject: &SubjectId) -> Result<Option<SubjectKeyHash>, StoreError>;
    /// The archived notice with this hash ([`crate::log::archive`]).
    fn notice(&self, hash: &NoticeHash) -> Result<Option<ArchivedNotice>, StoreError>;
    /// Keeps a notice under its hash, unless one is kept already: a kept
    /// notice is never overwritten.
    fn keep_notice(&mut self, notice: &ArchivedNotice) -> Result<(), StoreError>;
}

/// An in-memory [`LogStore`] for tools and tests.
#[derive(Debug, Clone, Default)]
pub struct MemoryLogStore {
    entries: Vec<(EventId, SubjectId, Entry, Vec<Hash>)>,
    origin: Option<LogOrigin>,
    checkpoints: Vec<StoredCheckpoint>,
    stats: alloc::collections::BTreeMap<(String, String), u64>,
    keys: alloc::collections::BTreeMap<String, SubjectKeyHash>,
    notices: alloc::collections::BTreeMap<NoticeHash, ArchivedNotice>,
}

impl LogStore for MemoryLogStore {
    fn size(&self) -> Result<u64, StoreError> {
        Ok(self.entries.len() as u64)
    }

    fn origin(&self) -> Result<Option<LogOrigin>, StoreError> {
        Ok(self.origin.clone())
    }

    fn completed(&self, index: u64) -> Result<Option<Vec<Hash>>, StoreError> {
        Ok(usize::try_from(index)
            .ok()
            .and_then(|i| self.entries.get(i))
            .map(|(_, _, _, n)| n.clone()))
    }

    fn entry_by_event(&self, event_id: &EventId) -> Result<Option<Entry>, StoreError> {
        Ok(self
            .entries
            .iter()
            .find(|(e, ..)| e == event_id)
            .map(|(_, _, entry, _)| entry.clone()))
    }

    fn of_subject(&self, subject: &SubjectId, limit: u64) -> Result<Vec<Listed>, StoreError> {
        Ok(self
            .entries
            .iter()
            .filter(|(_, s, ..)| s == subject)
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|(_, _, entry, _)| Listed {
                index: entry.index,
                record: entry.record.clone(),
            })
            .collect())
    }

    fn last_of_subject(&self, subject: &SubjectId) -> Result<Option<Entry>, StoreError> {
        Ok(self
            .entries
            .iter()
            .rev()
            .find(|(_, s, ..)| s == subject)
            .map(|(_, _, entry, _)| entry.clone()))
    }

    fn newest_before(&self, before: u64, limit: u64) -> Result<Vec<Listed>, StoreError> {
        let end = before.min(self.entries.len() as u64) as usize;
        Ok(self.entries[..end]
            .iter()
            .rev()
            .take(limit as usize)
            .map(|(_, _, e, _)| Listed {
                index: e.index,
                record: e.record.clone(),
            })
            .collect())
    }

    fn oldest_from(&self, from: u64, limit: u64) -> Result<Vec<Listed>, StoreError> {
        Ok(self
            .entries
            .iter()
            .skip(from.min(usize::MAX as u64) as usize)
            .take(limit as usize)
            .map(|(_, _, e, _)| Listed {
                index: e.index,
                record: e.record.clone(),
            })
            .collect())
    }

    fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        Ok(self.checkpoints.iter().max_by_key(|c| c.size).cloned())
    }

    fn append(&mut self, entry: &NewEntry<'_>) -> Result<(), StoreError> {
        if entry.index != self.entries.len() as u64
            || self.entries.iter().any(|(e, ..)| e == entry.event_id)
        {
            return Err(StoreError::Conflict);
        }
        if let Some(origin) = entry.origin {
            self.origin = Some(origin.clone());
        }
        self.entries.push((
            entry.event_id.clone(),
            entry.subject.clone(),
            Entry {
                index: entry.index,
                record: entry.record.to_string(),
                answer: entry.answer.to_string(),
            },
            entry.nodes.to_vec(),
        ));
        for (key, n) in entry.counts {
            *self
                .stats
                .entry((entry.day.to_string(), key.clone()))
                .or_insert(0) += n;
        }
        if let Some(hash) = entry.subject_key {
            self.keys.entry(entry.subject.to_string()).or_insert(*hash);
        }
        if let Some(notice) = entry.notice {
            self.keep_notice(notice)?;
        }
        Ok(())
    }

    fn notice(&self, hash: &NoticeHash) -> Result<Option<ArchivedNotice>, StoreError> {
        Ok(self.notices.get(hash).cloned())
    }

    fn keep_notice(&mut self, notice: &ArchivedNotice) -> Result<(), StoreError> {
        self.notices
            .entry(notice.hash.clone())
            .or_insert_with(|| notice.clone());
        Ok(())
    }

    fn subject_key(&self, subject: &SubjectId) -> Result<Option<SubjectKeyHash>, StoreError> {
        Ok(self.keys.get(subject.as_str()).copied())
    }

    fn put_checkpoint(&mut self, checkpoint: &StoredCheckpoint) -> Result<(), StoreError> {
        self.checkpoints.retain(|c| c.size != checkpoint.size);
        self.checkpoints.push(checkpoint.clone());
        Ok(())
    }
    fn stats(&self, from_day: &str) -> Result<Vec<(String, String, u64)>, StoreError> {
        Ok(self
            .stats
            .iter()
            .filter(|((day, _), _)| day.as_str() >= from_day)
            .map(|((day, key), n)| (day.clone(), key.clone(), *n))
            .collect())
    }
}
