//! The sequencer: every rule of appending to a site's log, written once
//! against a [`LogStore`] and nothing else (no clock, no network, no
//! runtime types). The edge's Durable Object runs it on SQLite; tests run it
//! on [`MemoryLogStore`](super::MemoryLogStore) with injected faults.
//!
//! An append, in order:
//! 0. **Who writes.** A visitor's event for a subject that has a key needs
//!    that key, a repeat too ([`Proof`]); a visitor continues a subject's
//!    history only with its key; an erased subject takes nothing more
//!    ([`RightsError::SubjectErased`]).
//! 1. **Idempotency.** An event id already in the log answers with the first
//!    answer (`Repeat`), byte for byte; the same id with other content is
//!    [`LogError::EventIdConflict`].
//! 2. **History.** The subject's previous record *in log order* is linked as
//!    `prev_event_id`, and the action must describe the change from the
//!    choice in force before it ([`lifetime::in_force`]): `give` and `refuse`
//!    only when nothing optional was granted, `update` and `withdraw` only
//!    when something was.
//! 3. **Tree.** The record's RFC 8785 bytes become a leaf; the entry carries
//!    the subtrees its leaf completes and is written in one atomic step (see
//!    [`super::store`]): an append is all there or not at all.
//! 4. **Receipt.** Signed with the log's key; `iss` and the origin come from
//!    the edge's configuration, the origin is fixed by the first entry.
//! 5. **Notice.** The notice the record refers to (`event.notice.hash`), if
//!    the site shows it now, is kept in the [archive](super::archive) in the
//!    same write as the entry, unless its hash is kept already.
//!
//! The answer says whether its record is the subject's choice in force (the
//! last in log order), which is what the edge may put in its cookie: never
//! anything about a subject's other events, so that knowing a subject id
//! reveals nothing.

#[allow(unused_imports)]
use crate::prelude::*;

use serde::{Deserialize, Serialize};

use crate::canonical::to_canonical_bytes;
use crate::config::SiteConfig;
use crate::error::LogError;
use crate::error::{Error, RightsError, StorageError};
use crate::event::{Action, ConsentEvent};
use crate::keys::SigningKey;
use crate::lifetime;
use crate::log::store::{LogStore, NewEntry, StoreError, StoredCheckpoint};
use crate::log::{ConsistencyProof, InclusionProof, LogOrigin};
use crate::merkle::{self, Frontier, Hash, NodeId, NodeStore};
use crate::note::Checkpoint;
use crate::receipt::{self, LogPosition, ReceiptClaims};
use crate::record::{FormFacts, ImportFacts, ServerFacts, StoredRecord};

/// One validated event to append, with what only the edge knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppendRequest {
    /// The event, already validated against the site's configuration.
    pub event: ConsentEvent,
    /// Server receive time, milliseconds since the Unix epoch.
    pub received_at_ms: u64,
    /// `Sec-GPC: 1` was sent.
    pub sec_gpc: bool,
    /// Country hint of the platform.
    pub country: Option<String>,
    /// The log's origin from the edge's configuration (fixed by the first entry).
    pub origin: LogOrigin,
    /// The edge's public origin: the receipts' `iss`.
    pub issuer: String,
    /// A form event's identity commitment and outcome (see [`FormFacts`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<FormFacts>,
    /// An import batch's facts (see [`ImportFacts`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import: Option<ImportFacts>,
    /// The regime the edge applied (see [`crate::jurisdiction`]); under a
    /// regime that presumes consent, a subject's first choice changes the
    /// presumed one (an opt-out is a `withdraw`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regime: Option<crate::jurisdiction::Regime>,
    /// Who writes the event and what proves it is them (see [`Proof`]).
    pub proof: Proof,
}

/// What proves that whoever sends an event may write the subject's record.
///
/// A subject id is a pseudonym that travels (receipts, exports, the CRM), so
/// knowing it proves nothing. A visitor proves a subject is theirs with the
/// key their browser drew for it ([`crate::subject_key`]): the first record
/// under a subject keeps the key's hash, and every later visitor event of
/// that subject must carry the same key. Events the edge makes itself carry
/// the edge's word instead: it checked a mailed link, a privacy center
/// session or the owner's key, runs its own schedule (expiry, purge), or
/// found the subject itself (a form's contact, by the address).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Proof {
    /// A visitor's event through the public route: the hash of the key the
    /// request carried (`Assent-Key`), if it carried one.
    SubjectKey(Option<crate::subject_key::SubjectKeyHash>),
    /// An event the edge makes or vouches for (see above).
    Edge,
}

/// Whether an append stored something new.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppendStatus {
    /// Stored now (HTTP 201).
    New,
    /// Stored before: the first answer again (HTTP 200).
    Repeat,
}

/// What an append answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appended {
    /// New or repeat.
    pub status: AppendStatus,
    /// The answer's JSON text, `{receipt, record, log}`: the same bytes on every repeat.
    pub answer: String,
    /// The receipt (compact JWS) inside the answer.
    pub receipt: String,
    /// Whether this record is the subject's last in log order: the choice in force.
    pub in_force: bool,
}

impl Appended {
    /// The id of the event this answer is for (read from the answer, so a
    /// repeat names the first event, not the retry's).
    pub fn event_id(&self) -> Result<crate::ids::EventId, Error> {
        let answer: serde_json::Value = serde_json::from_str(&self.answer)
            .map_err(|e| Error::from(StoreError::Fault(e.to_string())))?;
        answer["record"]["event"]["event_id"]
            .as_str()
            .and_then(|s| crate::ids::EventId::new(s).ok())
            .ok_or_else(|| StoreError::Fault("an answer without its event id".into()).into())
    }
}

/// Checks a restored log: the tree its stored nodes make at the newest
/// checkpoint's size has that checkpoint's root, and the log holds at least
/// that many leaves. Answers `(size, checkpoint size)`; `backup_invalid`
/// where they disagree (a page lost or changed on the way).
pub fn check_restored<S: LogStore + ?Sized>(store: &S) -> Result<(u64, Option<u64>), Error> {
    let size = store.size()?;
    let Some(stored) = store.latest_checkpoint()? else {
        return Ok((size, None));
    };
    let mismatch = |why: &str| -> Error {
        crate::error::RightsError::BackupInvalid {
            reason: format!("the restored log {why}"),
        }
        .into()
    };
    let note = crate::note::SignedNote::parse(&stored.note)?;
    let checkpoint = crate::note::Checkpoint::parse_text(&note.text)?;
    if checkpoint.size != stored.size || stored.size > size {
        return Err(mismatch("is shorter than its newest checkpoint"));
    }
    let root = merkle::root_at(&Nodes(store), stored.size)
        .map_err(|_| mismatch("lacks nodes its checkpoint covers"))?;
    if root != checkpoint.root {
        return Err(mismatch("does not have its checkpoint's root"));
    }
    Ok((size, Some(stored.size)))
}

/// Reads nodes through a [`LogStore`]; a missing node is a storage fault.
struct Nodes<'a, S: ?Sized>(&'a S);

impl<S: LogStore + ?Sized> NodeStore for Nodes<'_, S> {
    type Error = StoreError;
    fn node(&self, id: NodeId) -> Result<Hash, StoreError> {
        // Subtree (level, j) was completed by its last leaf.
        let missing = || StoreError::Fault(format!("node {}/{} missing", id.level, id.index));
        let last = id
            .index
            .checked_add(1)
            .and_then(|j| j.checked_shl(u32::from(id.level)))
            .ok_or_else(missing)?
            - 1;
        self.0
            .completed(last)?
            .and_then(|nodes| nodes.get(usize::from(id.level)).copied())
            .ok_or_else(missing)
    }
}

/// The compact tree state of a store, from its size and stored subtrees.
fn frontier<S: LogStore + ?Sized>(store: &S) -> Result<Frontier, Error> {
    let size = store.size()?;
    let nodes = Nodes(store);
    let mut hashes = Vec::new();
    let mut start = 0u64;
    for level in (0..64u8).rev() {
        if size & (1 << level) != 0 {
            hashes.push(nodes.node(NodeId {
                level,
                index: start >> level,
            })?);
            start += 1 << level;
        }
    }
    // A frontier that does not fit its size comes from stored state: a fault.
    Frontier::from_parts(size, hashes).map_err(|e| storage(e.to_string()))
}

/// A fault of the storage (or of what it holds): never the caller's input.
fn storage(reason: String) -> Error {
    StorageError::StorageFault { reason }.into()
}

/// A record that could not be encoded: a bug.
fn encoding(e: impl core::fmt::Display) -> Error {
    LogError::RecordEncoding {
        reason: e.to_string(),
    }
    .into()
}

fn answer_receipt(answer: &str) -> Result<String, Error> {
    #[derive(Deserialize)]
    struct Answer {
        receipt: String,
    }
    serde_json::from_str::<Answer>(answer)
        .map(|a| a.receipt)
        .map_err(|e| storage(format!("stored answer: {e}")))
}

fn parse_record(text: &str) -> Result<StoredRecord, Error> {
    serde_json::from_str(text).map_err(|e| storage(format!("stored record: {e}")))
}

/// Appends a validated event (see the module docs).
pub fn append<S: LogStore + ?Sized>(
    store: &mut S,
    config: &SiteConfig,
    key: &SigningKey,
    req: AppendRequest,
) -> Result<Appended, Error> {
    check_shard(config, &req)?;
    let stored_key = store.subject_key(&req.event.subject)?;
    let presented = match req.proof {
        Proof::SubjectKey(presented) => Some(presented),
        Proof::Edge => None,
    };
    // A subject with a key is written only with that key: a repeat too, so
    // that an event id read somewhere fetches no answer.
    if let (Some(stored), Some(presented)) = (stored_key, presented) {
        if !presented.is_some_and(|p| stored.is(&p)) {
            return Err(RightsError::SubjectKeyInvalid.into());
        }
    }
    if let Some(existing) = store.entry_by_event(&req.event.event_id)? {
        return repeat(
            store,
            &req.event,
            existing.index,
            &existing.record,
            existing.answer,
        );
    }
    let previous = store
        .last_of_subject(&req.event.subject)?
        .map(|e| parse_record(&e.record))
        .transpose()?;
    let presumed = req.regime.is_some_and(|r| {
        config
            .purposes
            .iter()
            .any(|p| !p.required && r.presumes(p.sale_or_sharing, req.event.gpc || req.sec_gpc))
    });
    // An erasure is final: nothing more is written under that subject.
    if previous
        .as_ref()
        .is_some_and(|p| p.event.action == Action::Erase)
    {
        return Err(RightsError::SubjectErased.into());
    }
    // A visitor continues a history only with the subject's key: a subject
    // with records and no key (a form's contact, an import) takes no
    // visitor's event at all.
    if presented.is_some() && previous.is_some() && stored_key.is_none() {
        return Err(RightsError::SubjectKeyInvalid.into());
    }
    check_action(config, previous.as_ref(), &req.event, presumed)?;
    // Only the first choice under a subject id can name its key: later ones
    // could come from anyone who read the id in a receipt.
    let subject_key = presented.flatten().filter(|_| previous.is_none());
    let notice = unarchived_notice(store, config, &req)?;

    let mut tree = frontier(store)?;
    let index = tree.size();
    let origin = store.origin()?.unwrap_or(req.origin);
    let record = StoredRecord::new(
        req.event,
        ServerFacts {
            received_at_ms: req.received_at_ms,
            sec_gpc: req.sec_gpc,
            country: req.country,
            regime: req.regime,
        },
        previous.map(|p| p.event.event_id),
    );
    let mut record = match req.form {
        Some(facts) => record.with_form(facts),
        None => record,
    };
    record.import = req.import;
    let Sealed {
        text,
        leaf,
        answer,
        receipt,
    } = seal(
        &record,
        key,
        &origin,
        index,
        &req.issuer,
        req.received_at_ms,
    )?;

    let nodes: Vec<Hash> = tree
        .append(leaf)
        .into_iter()
        .map(|(_, hash)| hash)
        .collect();
    let counts = counts_of(config, &record);
    let day = crate::stats::day_of(record.received_at_ms);
    let entry = NewEntry {
        day: &day,
        counts: &counts,
        index,
        event_id: &record.event.event_id,
        subject: &record.event.subject,
        record: &text,
        answer: &answer,
        nodes: &nodes,
        origin: (index == 0).then_some(&origin),
        subject_key: subject_key.as_ref(),
        notice: notice.as_ref(),
    };
    commit(store, &entry, &record.event, receipt)
}

/// The notice the record refers to, to keep in the archive with the entry
/// unless it is kept already (a read costs less than deriving the notice
/// and its RFC 8785 bytes again: about 0.1 ms natively for the demo's).
fn unarchived_notice<S: LogStore + ?Sized>(
    store: &S,
    config: &SiteConfig,
    req: &AppendRequest,
) -> Result<Option<crate::log::archive::ArchivedNotice>, Error> {
    Ok(match crate::ids::NoticeHash::new(&req.event.notice.hash) {
        Ok(hash) if store.notice(&hash)?.is_none() => crate::log::archive::shown(
            config,
            &req.event.notice,
            req.event.form.as_ref().map(|f| &f.id),
            req.received_at_ms,
        ),
        _ => None,
    })
}

/// A subject's records live in one shard for life: an append that reached
/// another is the router's bug, and storing it would split the subject's
/// chain over two trees.
fn check_shard(config: &SiteConfig, req: &AppendRequest) -> Result<(), Error> {
    let expected = config.log.shards.of(&req.event.subject);
    if expected != req.origin.shard() {
        return Err(LogError::ShardMismatch {
            shard: req.origin.shard().get(),
            expected: expected.get(),
        }
        .into());
    }
    Ok(())
}

/// A record made ready for the log: its canonical text and leaf hash, and
/// the answer with the receipt signed over it.
struct Sealed {
    text: String,
    leaf: Hash,
    answer: String,
    receipt: String,
}

/// Seals `record` as the leaf at `index` of the log `origin`: its RFC 8785
/// bytes, their leaf hash, and the receipt `issuer` signs with `key`.
fn seal(
    record: &StoredRecord,
    key: &SigningKey,
    origin: &LogOrigin,
    index: u64,
    issuer: &str,
    received_at_ms: u64,
) -> Result<Sealed, Error> {
    let bytes = to_canonical_bytes(record).map_err(encoding)?;
    let leaf = merkle::leaf_hash(&bytes);
    let record_value = serde_json::to_value(record).map_err(encoding)?;
    let position = LogPosition::new(origin.as_str(), index, &leaf);
    let claims = ReceiptClaims::new(
        issuer,
        received_at_ms / 1000,
        record_value.clone(),
        position.clone(),
    );
    let receipt = receipt::sign(&claims, key);
    let answer = serde_json::json!({"receipt": receipt, "record": record_value, "log": position})
        .to_string();
    let text = String::from_utf8(bytes).map_err(encoding)?;
    Ok(Sealed {
        text,
        leaf,
        answer,
        receipt,
    })
}

/// The counters a record adds to (see `crate::stats`).
fn counts_of(config: &SiteConfig, record: &StoredRecord) -> Vec<(String, u64)> {
    let optional: Vec<String> = config
        .purposes
        .iter()
        .filter(|p| !p.required)
        .map(|p| p.id.clone())
        .collect();
    crate::stats::counts(record, &optional)
}

/// Writes `entry`, answering `event`'s first record again where another
/// append of it committed first.
fn commit<S: LogStore + ?Sized>(
    store: &mut S,
    entry: &NewEntry<'_>,
    event: &ConsentEvent,
    receipt: String,
) -> Result<Appended, Error> {
    match store.append(entry) {
        Ok(()) => Ok(Appended {
            status: AppendStatus::New,
            answer: entry.answer.to_owned(),
            receipt,
            in_force: true,
        }),
        // Another append committed between our reads and our write: if it was
        // this event, answer as a repeat; otherwise nothing was written and the
        // caller may retry.
        Err(StoreError::Conflict) => match store.entry_by_event(&event.event_id)? {
            Some(existing) => repeat(
                store,
                event,
                existing.index,
                &existing.record,
                existing.answer,
            ),
            None => Err(storage("concurrent append at the same index".into())),
        },
        Err(e) => Err(e.into()),
    }
}

fn repeat<S: LogStore + ?Sized>(
    store: &S,
    event: &ConsentEvent,
    index: u64,
    record: &str,
    answer: String,
) -> Result<Appended, Error> {
    let stored = parse_record(record)?;
    if stored.event != *event {
        return Err(LogError::EventIdConflict {
            event_id: event.event_id.to_string(),
        }
        .into());
    }
    let last = store.last_of_subject(&event.subject)?;
    Ok(Appended {
        status: AppendStatus::Repeat,
        receipt: answer_receipt(&answer)?,
        answer,
        in_force: last.is_some_and(|l| l.index == index),
    })
}

/// The action must describe the change from the subject's choice in force.
fn check_action(
    config: &SiteConfig,
    previous: Option<&StoredRecord>,
    event: &ConsentEvent,
    presumed: bool,
) -> Result<(), Error> {
    // A form's history is its fold (`form::state`): each submission stands
    // on its own, and confirmations and expiries are the edge's own.
    // An erasure is the owner's act on whatever the history is.
    if event.form.is_some() || event.action.by_edge() {
        return Ok(());
    }
    // A banner choice follows the subject's last banner choice only.
    let previous = previous.filter(|p| p.event.form.is_none());
    let grants = |e: &ConsentEvent| {
        config
            .purposes
            .iter()
            .any(|p| !p.required && e.decisions.get(&p.id) == Some(&true))
    };
    // Before any choice, a regime that presumes consent counts as a grant.
    let had = (previous.is_none() && presumed)
        || previous.is_some_and(|p| {
            lifetime::in_force(
                &p.event.notice.version,
                &config.notice_version,
                p.event.client_time_ms,
                event.client_time_ms,
                config.consent_lifetime_days,
            ) && grants(&p.event)
        });
    let expected = Action::for_change(had, grants(event));
    if event.action == expected {
        Ok(())
    } else {
        Err(LogError::ActionAgainstHistory {
            action: event.action,
            expected,
        }
        .into())
    }
}

/// The latest signed checkpoint, signing one first when the log grew since
/// the last (the alarm calls this a second after growth; readers too).
pub fn checkpoint<S: LogStore + ?Sized>(
    store: &mut S,
    key: &SigningKey,
    now_ms: u64,
) -> Result<String, Error> {
    let size = store.size()?;
    let latest = store.latest_checkpoint()?;
    if let Some(latest) = latest.filter(|c| c.size == size) {
        return Ok(latest.note);
    }
    let Some(origin) = store.origin()? else {
        return Err(LogError::LogEmpty.into());
    };
    let tree = frontier(store)?;
    let note = Checkpoint {
        origin: origin.as_str().to_string(),
        size,
        root: tree.root(),
    }
    .sign(key);
    store.put_checkpoint(&StoredCheckpoint {
        size,
        note: note.clone(),
        signed_at_ms: now_ms,
    })?;
    Ok(note)
}

/// The audit path of leaf `index` in the tree of `size` leaves.
pub fn inclusion<S: LogStore + ?Sized>(
    store: &S,
    index: u64,
    size: u64,
) -> Result<InclusionProof, Error> {
    if size == 0 || size > store.size()? {
        return Err(LogError::QueryInvalid { parameter: "size" }.into());
    }
    if index >= size {
        return Err(LogError::QueryInvalid { parameter: "index" }.into());
    }
    let hashes = merkle::inclusion_proof(&Nodes(store), index, size)?;
    Ok(InclusionProof {
        index,
        size,
        hashes,
    })
}

/// The consistency proof between the trees of `from` and `to` leaves.
pub fn consistency<S: LogStore + ?Sized>(
    store: &S,
    from: u64,
    to: u64,
) -> Result<ConsistencyProof, Error> {
    if to > store.size()? {
        return Err(LogError::QueryInvalid { parameter: "to" }.into());
    }
    if from > to {
        return Err(LogError::QueryInvalid { parameter: "from" }.into());
    }
    let hashes = merkle::consistency_proof(&Nodes(store), from, to)?;
    Ok(ConsistencyProof { from, to, hashes })
}
