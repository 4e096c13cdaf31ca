//! The recycle bin, without I/O: a soft delete before the erasure, for a
//! site that asks for one (`rights.recycle_bin_days` in its configuration,
//! 1 to [`MAX_RECYCLE_BIN_DAYS`] days; absent, erasure is immediate).
//!
//! **Delete** ([`delete`]). An owner's erasure (the API, the CLI, the
//! console) or a fulfilled erasure request ([`super::fulfil`], by the owner
//! or automatically) puts the subject in the bin: one [`Binned`] entry
//! (subject, when, when it will be purged, by whom). Nothing is appended
//! and nothing is destroyed yet, but from that moment nothing is processed
//! for the subject:
//! - no webhook or mail goes out for them: their queued deliveries are
//!   *held* (a [`FormStore`]'s due deliveries leave out binned subjects),
//!   not dropped: a restore releases them as they were, the purge releases
//!   them to go out without an identity (the vault no longer opens), as
//!   after an immediate erasure;
//! - their open confirmation links answer `token_expired` (a restore
//!   revives the ones still in time), the privacy center mails them no
//!   link (as for an address it does not know), and the owner's
//!   restriction, objection and rectification are refused
//!   ([`RightsError::SubjectInRecycleBin`]);
//! - retention leaves them to the purge, which comes within 90 days anyway.
//!
//! The person's own withdrawal still works (it only ever narrows what is
//! done). The owner's state, export and lookup show the entry. Erasing a
//! binned subject again answers the entry; once purged, it answers the
//! `erase` record.
//!
//! **Restore** ([`restore`]) takes the subject out of the bin before the
//! purge: everything is as before. Where a request put them there, the
//! request is open again in the owner's queue, with its deadline.
//!
//! **Purge** ([`purge`]) runs the real erasure ([`super::erase_by`]: the
//! suppression, the crypto-shredding, the `erase` event on surface `api`,
//! `subject.erased` to the CRM) for every entry due, in batches; the log
//! object's alarm rings for the earliest purge time, and the owner may
//! purge now. The erasure's event id is derived from the subject
//! ([`purge_id`]), so a retried purge is the same erasure, and a request's
//! `erasure` names it from the moment the request is fulfilled.
//!
//! A request's erasure is purged by its legal deadline (one calendar month
//! after receipt, GDPR Art. 12(3)) even where the bin keeps others longer.
//!
//! **A new opt-in of a binned address** completes the erasure first, then
//! is a re-addition under a new subject, flagged `readds` with the
//! erasure's event id, as after any erasure. It is neither refused nor a
//! restore: refusing would tell whoever types an address into a public form
//! that it is in the bin, and would lose the person's new consent; restoring
//! would let anyone who knows an address undo the owner's decision and
//! revive the old history. Purging early only does sooner what was decided,
//! and the new consent starts a history of its own.
//!
//! **Retention** does not go through the bin: it is the site's policy,
//! applied by the schedule, not a possibly mistaken click, so there is
//! nothing to undo.

use serde::{Deserialize, Serialize};

use super::requests::{RequestStatus, RequestStore, SubjectRequest};
use super::{erase_by, fault, history};
use crate::config::SiteConfig;
use crate::error::{Error, RightsError};
use crate::event::Surface;
use crate::form::intake::{EdgeContext, FormStore};
use crate::ids::{EventId, SubjectId};
use crate::keys::SigningKey;
use crate::log::sequencer::Appended;
use crate::log::store::{LogStore, StoreError};
use crate::utc::rfc3339;

pub use crate::config::MAX_RECYCLE_BIN_DAYS;

/// One day, in milliseconds.
const DAY_MS: u64 = 86_400_000;

/// A subject in the recycle bin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binned {
    /// Who is deleted.
    pub subject: SubjectId,
    /// When they were put in the bin (ms since the Unix epoch).
    pub deleted_ms: u64,
    /// When the erasure runs (ms since the Unix epoch).
    pub purge_ms: u64,
    /// Who deleted: a key's name, `operator`, or `request <id>`.
    pub by: String,
}

/// What the owner's answers say of a binned subject: `{at, purge_at}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deleted {
    /// When it was put in the bin (RFC 3339).
    pub at: String,
    /// When it will be erased (RFC 3339).
    pub purge_at: String,
}

impl Binned {
    /// `{at, purge_at}`, for the state, the export and the lookup.
    pub fn deleted(&self) -> Deleted {
        Deleted {
            at: rfc3339(self.deleted_ms),
            purge_at: rfc3339(self.purge_ms),
        }
    }

    /// The entry as the owner's API lists it:
    /// `{subject, deleted_at, purge_at, by}`.
    pub fn view(&self) -> serde_json::Value {
        serde_json::json!({
            "subject": self.subject,
            "deleted_at": rfc3339(self.deleted_ms),
            "purge_at": rfc3339(self.purge_ms),
            "by": self.by,
        })
    }
}

/// Where the bin is kept: beside the forms' storage (every [`FormStore`]
/// is one, so the forms' rules can see who is binned).
pub trait BinStore {
    /// Puts a subject in the bin ([`StoreError::Conflict`] if it is in already).
    fn put_binned(&mut self, entry: &Binned) -> Result<(), StoreError>;
    /// A subject's entry.
    fn binned(&self, subject: &SubjectId) -> Result<Option<Binned>, StoreError>;
    /// Takes a subject out of the bin (nothing if it is not in it).
    fn unbin(&mut self, subject: &SubjectId) -> Result<(), StoreError>;
    /// Up to `limit` entries whose purge time is at or before `until_ms`,
    /// the soonest purge first (then by subject).
    fn binned_until(&self, until_ms: u64, limit: u64) -> Result<Vec<Binned>, StoreError>;
}

/// The id of the erasure that purges `subject`: derived, so a retried
/// purge is the same erasure and a request can name it in advance.
pub fn purge_id(subject: &SubjectId) -> EventId {
    EventId::from_random_bytes(crate::ids::derived("assent/bin/v1", &[subject.as_str()]))
}

/// What an owner's erasure did.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deletion {
    /// The subject is erased (the site has no bin, or it was erased
    /// before): the `erase` record's answer.
    Erased(Appended),
    /// The subject is in the bin.
    Binned {
        /// Its entry.
        entry: Binned,
        /// Put there now (`false`: it was there already).
        new: bool,
    },
}

/// An owner's erasure of `subject` by `who` (a key's name or `operator`):
/// to the bin where the site has one, else [`super::erase`] with
/// `event_id`. A subject in the bin answers its entry, an erased one the
/// erasure; one with no record is [`RightsError::SubjectUnknown`].
#[allow(clippy::too_many_arguments)]
pub fn delete<L: LogStore + ?Sized, F: FormStore + ?Sized>(
    log: &mut L,
    forms: &mut F,
    config: &SiteConfig,
    key: &SigningKey,
    subject: &SubjectId,
    who: &str,
    event_id: EventId,
    ctx: &EdgeContext,
) -> Result<Deletion, Error> {
    delete_as(
        log,
        forms,
        config,
        key,
        subject,
        who.to_string(),
        None,
        event_id,
        ctx,
    )
}

/// [`delete`] for the fulfilment of an erasure request: by `request <id>`,
/// purged by the request's deadline at the latest.
pub(crate) fn delete_for_request<L: LogStore + ?Sized, F: FormStore + ?Sized>(
    log: &mut L,
    forms: &mut F,
    config: &SiteConfig,
    key: &SigningKey,
    request: &SubjectRequest,
    event_id: EventId,
    ctx: &EdgeContext,
) -> Result<Deletion, Error> {
    delete_as(
        log,
        forms,
        config,
        key,
        &request.subject,
        format!("request {}", request.id),
        Some(request),
        event_id,
        ctx,
    )
}

#[allow(clippy::too_many_arguments)]
fn delete_as<L: LogStore + ?Sized, F: FormStore + ?Sized>(
    log: &mut L,
    forms: &mut F,
    config: &SiteConfig,
    key: &SigningKey,
    subject: &SubjectId,
    by: String,
    request: Option<&SubjectRequest>,
    event_id: EventId,
    ctx: &EdgeContext,
) -> Result<Deletion, Error> {
    if let Some(entry) = forms.binned(subject).map_err(fault)? {
        return Ok(Deletion::Binned { entry, new: false });
    }
    let Some(days) = config.rights.recycle_bin_days else {
        return super::erase(log, forms, config, key, subject, event_id, ctx).map(Deletion::Erased);
    };
    let records = history(log, subject)?;
    if let Some(done) = super::erasure(records.iter().map(|(_, r)| r)) {
        return crate::form::intake::repeat(log, &done.event.event_id).map(Deletion::Erased);
    }
    if records.is_empty() {
        return Err(RightsError::SubjectUnknown.into());
    }
    let mut purge_ms = ctx.now_ms.saturating_add(u64::from(days) * DAY_MS);
    if let Some(r) = request {
        // The law's deadline comes first (Art. 12(3)).
        purge_ms = purge_ms.min(r.due_ms.max(ctx.now_ms));
    }
    let entry = Binned {
        subject: subject.clone(),
        deleted_ms: ctx.now_ms,
        purge_ms,
        by,
    };
    forms.put_binned(&entry).map_err(fault)?;
    Ok(Deletion::Binned { entry, new: true })
}

/// Takes `subject` out of the bin before its purge and answers its entry;
/// the erasure requests fulfilled into the bin are open again (their
/// erasure will not happen). A subject not in
/// the bin is [`RightsError::NotInRecycleBin`] ([`RightsError::SubjectErased`]
/// once purged, [`RightsError::SubjectUnknown`] without a record).
pub fn restore<L: LogStore + ?Sized, F: FormStore + ?Sized, R: RequestStore + ?Sized>(
    log: &L,
    forms: &mut F,
    requests: &mut R,
    subject: &SubjectId,
) -> Result<Binned, Error> {
    let Some(entry) = forms.binned(subject).map_err(fault)? else {
        let records = history(log, subject)?;
        if records.is_empty() {
            return Err(RightsError::SubjectUnknown.into());
        }
        if super::erasure(records.iter().map(|(_, r)| r)).is_some() {
            return Err(RightsError::SubjectErased.into());
        }
        return Err(RightsError::NotInRecycleBin.into());
    };
    // The requests first: a fault before the entry goes leaves it binned,
    // and the retry finds them open already.
    let erasure = purge_id(subject);
    for mut r in requests.requests_of(subject).map_err(fault)? {
        if r.status == RequestStatus::Fulfilled && r.erasure.as_ref() == Some(&erasure) {
            r.status = RequestStatus::Open;
            r.decided_by = None;
            r.decided_ms = None;
            r.erasure = None;
            requests.update_request(&r).map_err(fault)?;
        }
    }
    forms.unbin(subject).map_err(fault)?;
    Ok(entry)
}

/// Up to `limit` entries of the bin, the soonest purge first.
pub fn list<F: FormStore + ?Sized>(forms: &F, limit: u64) -> Result<Vec<Binned>, Error> {
    forms.binned_until(u64::MAX, limit).map_err(fault)
}

/// When the next purge is due, if the bin holds anyone.
pub fn next_purge<F: FormStore + ?Sized>(forms: &F) -> Result<Option<u64>, Error> {
    Ok(forms
        .binned_until(u64::MAX, 1)
        .map_err(fault)?
        .first()
        .map(|e| e.purge_ms))
}

/// Erases up to `limit` subjects whose purge time is at or before
/// `until_ms` (the alarm: now; the owner's purge now: everyone), at
/// `ctx.now_ms`; answers their entries.
pub fn purge<L: LogStore + ?Sized, F: FormStore + ?Sized>(
    log: &mut L,
    forms: &mut F,
    config: &SiteConfig,
    key: &SigningKey,
    ctx: &EdgeContext,
    until_ms: u64,
    limit: u64,
) -> Result<Vec<Binned>, Error> {
    let due = forms.binned_until(until_ms, limit).map_err(fault)?;
    for entry in &due {
        purge_subject(log, forms, config, key, &entry.subject, ctx)?;
    }
    Ok(due)
}

/// The erasure of a binned subject now: [`super::erase_by`] with
/// [`purge_id`], which takes them out of the bin.
pub(crate) fn purge_subject<L: LogStore + ?Sized, F: FormStore + ?Sized>(
    log: &mut L,
    forms: &mut F,
    config: &SiteConfig,
    key: &SigningKey,
    subject: &SubjectId,
    ctx: &EdgeContext,
) -> Result<Appended, Error> {
    erase_by(
        log,
        forms,
        config,
        key,
        subject,
        purge_id(subject),
        ctx,
        Surface::Api,
    )
}

/// [`RightsError::SubjectInRecycleBin`] if `subject` is in the bin (the
/// owner's changes wait for a restore).
pub(crate) fn refuse_binned<F: FormStore + ?Sized>(
    forms: &F,
    subject: &SubjectId,
) -> Result<(), Error> {
    match forms.binned(subject).map_err(fault)? {
        Some(_) => Err(RightsError::SubjectInRecycleBin.into()),
        None => Ok(()),
    }
}

/// An in-memory [`BinStore`] (the one [`crate::form::intake::MemoryFormStore`] holds).
#[derive(Debug, Clone, Default)]
pub struct MemoryBinStore(Vec<Binned>);

impl MemoryBinStore {
    /// Whether `subject` is in the bin.
    pub fn holds(&self, subject: &SubjectId) -> bool {
        self.0.iter().any(|e| e.subject == *subject)
    }
}

impl BinStore for MemoryBinStore {
    fn put_binned(&mut self, entry: &Binned) -> Result<(), StoreError> {
        if self.holds(&entry.subject) {
            return Err(StoreError::Conflict);
        }
        self.0.push(entry.clone());
        Ok(())
    }
    fn binned(&self, subject: &SubjectId) -> Result<Option<Binned>, StoreError> {
        Ok(self.0.iter().find(|e| e.subject == *subject).cloned())
    }
    fn unbin(&mut self, subject: &SubjectId) -> Result<(), StoreError> {
        self.0.retain(|e| e.subject != *subject);
        Ok(())
    }
    fn binned_until(&self, until_ms: u64, limit: u64) -> Result<Vec<Binned>, StoreError> {
        let mut out: Vec<Binned> = self
            .0
            .iter()
            .filter(|e| e.purge_ms <= until_ms)
            .cloned()
            .collect();
        out.sort_by(|a, b| (a.purge_ms, &a.subject).cmp(&(b.purge_ms, &b.subject)));
        out.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u8, purge_ms: u64) -> Binned {
        Binned {
            subject: SubjectId::from_random_bytes([n; 16]),
            deleted_ms: 1_795_564_800_000,
            purge_ms,
            by: "dpo".into(),
        }
    }

    #[test]
    fn the_bin_lists_the_soonest_purge_first_and_holds_a_subject_once() {
        let mut bin = MemoryBinStore::default();
        let (late, soon, also_soon) = (entry(1, 30), entry(2, 10), entry(3, 10));
        for e in [&late, &soon, &also_soon] {
            bin.put_binned(e).unwrap();
        }
        assert_eq!(bin.put_binned(&late), Err(StoreError::Conflict));
        assert_eq!(
            bin.binned_until(u64::MAX, 10).unwrap(),
            [soon.clone(), also_soon.clone(), late.clone()]
        );
        assert_eq!(
            bin.binned_until(10, 1).unwrap(),
            std::slice::from_ref(&soon)
        );
        assert!(bin.binned_until(9, 10).unwrap().is_empty());
        bin.unbin(&soon.subject).unwrap();
        bin.unbin(&soon.subject).unwrap();
        assert_eq!(bin.binned(&soon.subject).unwrap(), None);
        assert_eq!(bin.binned(&late.subject).unwrap(), Some(late));
    }

    #[test]
    fn the_owner_sees_times_in_rfc_3339_and_the_purge_has_one_id() {
        let e = entry(4, 1_795_564_800_000 + 30 * DAY_MS);
        assert_eq!(
            e.deleted(),
            Deleted {
                at: "2026-11-25T00:00:00.000Z".into(),
                purge_at: "2026-12-25T00:00:00.000Z".into(),
            }
        );
        assert_eq!(e.view()["purge_at"], "2026-12-25T00:00:00.000Z");
        assert_eq!(e.view()["by"], "dpo");
        assert_eq!(purge_id(&e.subject), purge_id(&e.subject));
        assert_ne!(purge_id(&e.subject), purge_id(&entry(5, 0).subject));
    }
}
