//! The recycle bin, without I/O: a soft delete before the erasure, for a
//! site that asks for one (`rights.recycle_bin_days` in its configuration,
//! 1 to [`MAX_RECYCLE_BIN_DAYS`] days; absent, erasure is immediate).
//!
//! **Delete** ([`Site::delete`](crate::site::Site::delete)). An owner's erasure (the API, the CLI, the
//! console) or a fulfilled erasure request ([`Site::fulfil`](crate::site::Site::fulfil), by the owner
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
//! **Purge** ([`Site::purge`](crate::site::Site::purge)) runs the real erasure ([`Site::erase_by`](crate::site::Site::erase_by): the
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

use super::history;
use super::requests::{RequestStatus, RequestStore, SubjectRequest};
use crate::error::{Error, RightsError};
use crate::event::Surface;
use crate::form::store::FormStore;
use crate::ids::{EventId, SubjectId};
use crate::log::sequencer::Appended;
use crate::log::store::LogStore;
use crate::site::Site;

pub use crate::form::memory::MemoryBinStore;
pub use crate::form::store::{BinStore, Binned, Deleted};

pub use crate::config::MAX_RECYCLE_BIN_DAYS;

/// One day, in milliseconds.
const DAY_MS: u64 = 86_400_000;

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

impl<L: LogStore + ?Sized, F: FormStore + ?Sized> Site<'_, L, F> {
    /// An owner's erasure of `subject` by `who` (a key's name or `operator`):
    /// to the bin where the site has one, else [`Site::erase`](crate::site::Site::erase) with
    /// `event_id`. A subject in the bin answers its entry, an erased one the
    /// erasure; one with no record is [`RightsError::SubjectUnknown`].
    pub fn delete(
        &mut self,
        subject: &SubjectId,
        who: &str,
        event_id: EventId,
    ) -> Result<Deletion, Error> {
        self.delete_as(subject, who.to_string(), None, event_id)
    }
}

impl<L: LogStore + ?Sized, F: FormStore + ?Sized> Site<'_, L, F> {
    /// [`delete`] for the fulfilment of an erasure request: by `request <id>`,
    /// purged by the request's deadline at the latest.
    pub(crate) fn delete_for_request(
        &mut self,
        request: &SubjectRequest,
        event_id: EventId,
    ) -> Result<Deletion, Error> {
        self.delete_as(
            &request.subject,
            format!("request {}", request.id),
            Some(request),
            event_id,
        )
    }
}

impl<L: LogStore + ?Sized, F: FormStore + ?Sized> Site<'_, L, F> {
    fn delete_as(
        &mut self,
        subject: &SubjectId,
        by: String,
        request: Option<&SubjectRequest>,
        event_id: EventId,
    ) -> Result<Deletion, Error> {
        let (log, forms, config, key, ctx) = self.parts();
        if let Some(entry) = forms.binned(subject)? {
            return Ok(Deletion::Binned { entry, new: false });
        }
        let Some(days) = config.rights.recycle_bin_days else {
            return Site::new(log, forms, config, key, ctx)
                .erase(subject, event_id)
                .map(Deletion::Erased);
        };
        let records = history(log, subject)?;
        if let Some(done) = super::erasure(records.iter().map(|(_, r)| r)) {
            return crate::form::settle::repeat(log, &done.event.event_id).map(Deletion::Erased);
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
        forms.put_binned(&entry)?;
        Ok(Deletion::Binned { entry, new: true })
    }
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
    let Some(entry) = forms.binned(subject)? else {
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
    for mut r in requests.requests_of(subject)? {
        if r.status == RequestStatus::Fulfilled && r.erasure.as_ref() == Some(&erasure) {
            r.status = RequestStatus::Open;
            r.decided_by = None;
            r.decided_ms = None;
            r.erasure = None;
            requests.update_request(&r)?;
        }
    }
    forms.unbin(subject)?;
    Ok(entry)
}

/// Up to `limit` entries of the bin, the soonest purge first.
pub fn list<F: BinStore + ?Sized>(forms: &F, limit: u64) -> Result<Vec<Binned>, Error> {
    forms.binned_until(u64::MAX, limit).map_err(Error::from)
}

/// When the next purge is due, if the bin holds anyone.
pub fn next_purge<F: BinStore + ?Sized>(forms: &F) -> Result<Option<u64>, Error> {
    Ok(forms.binned_until(u64::MAX, 1)?.first().map(|e| e.purge_ms))
}

impl<L: LogStore + ?Sized, F: FormStore + ?Sized> Site<'_, L, F> {
    /// Erases up to `limit` subjects whose purge time is at or before
    /// `until_ms` (the alarm: now; the owner's purge now: everyone), at
    /// `ctx.now_ms`; answers their entries.
    pub fn purge(&mut self, until_ms: u64, limit: u64) -> Result<Vec<Binned>, Error> {
        let (log, forms, config, key, ctx) = self.parts();
        let due = forms.binned_until(until_ms, limit)?;
        for entry in &due {
            Site::new(log, forms, config, key, ctx).purge_subject(&entry.subject)?;
        }
        Ok(due)
    }

    /// [`Site::purge`], then each purged subject's open requests closed in
    /// `requests` by the erasure the purge appended
    /// ([`super::requests::close_for_erasure`]).
    pub fn purge_closing<R: RequestStore + ?Sized>(
        &mut self,
        requests: &mut R,
        until_ms: u64,
        limit: u64,
    ) -> Result<Vec<Binned>, Error> {
        let purged = self.purge(until_ms, limit)?;
        let erased = purged
            .iter()
            .map(|e| (e.subject.clone(), purge_id(&e.subject)));
        super::requests::close_for_erasures(requests, erased, self.ctx.now_ms)?;
        Ok(purged)
    }

    /// [`Site::delete`], then, where it erased at once (no bin), the
    /// subject's open requests closed in `requests` by that erasure.
    pub fn delete_closing<R: RequestStore + ?Sized>(
        &mut self,
        requests: &mut R,
        subject: &SubjectId,
        who: &str,
        event_id: EventId,
    ) -> Result<Deletion, Error> {
        let deletion = self.delete(subject, who, event_id)?;
        if let Deletion::Erased(appended) = &deletion {
            let erasure = appended.event_id()?;
            super::requests::close_for_erasure(requests, subject, &erasure, self.ctx.now_ms)?;
        }
        Ok(deletion)
    }
}

impl<L: LogStore + ?Sized, F: FormStore + ?Sized> Site<'_, L, F> {
    /// The erasure of a binned subject now: [`super::erase_by`] with
    /// [`purge_id`], which takes them out of the bin.
    pub(crate) fn purge_subject(&mut self, subject: &SubjectId) -> Result<Appended, Error> {
        self.erase_by(subject, purge_id(subject), Surface::Api)
    }
}

/// [`RightsError::SubjectInRecycleBin`] if `subject` is in the bin (the
/// owner's changes wait for a restore).
pub(crate) fn refuse_binned<F: BinStore + ?Sized>(
    forms: &F,
    subject: &SubjectId,
) -> Result<(), Error> {
    match forms.binned(subject)? {
        Some(_) => Err(RightsError::SubjectInRecycleBin.into()),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::store::StoreError;

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
