//! Data-subject rights on the log, without I/O: erasure that keeps every
//! proof, and the export a person (or their DPO) receives. Written against
//! the log's and the forms' storage traits, like the sequencer and intake.
//!
//! **Erasure** ([`erase`]) is crypto-shredding plus an event:
//! 1. the contact's lookup key becomes a [`Suppression`] entry (an HMAC
//!    under the site's secret: it names no one, but the same address is
//!    recognised if it comes back);
//! 2. the contact's salt and key, every sealed identity and mail are
//!    overwritten and deleted ([`FormStore::shred`]), and open confirmation
//!    links stop working: the commitments in the log now link to no one;
//! 3. an `erase` event is appended under the subject (surface `api`,
//!    control `erase`): every consent ends, in the log's own order, and the
//!    CRM is told (`subject.erased`).
//!
//! Nothing in the log changes, so every receipt, inclusion and consistency
//! proof still verifies. A later submission with the same address is a new
//! contact with a new subject, flagged `readds` (the erasure's event id).
//! A second erasure of the same subject answers the first again.
//!
//! The steps run in this order so that a fault in between loses nothing: a
//! retry finds the suppression entry (kept), no contact (gone) and no
//! `erase` record yet, and appends it. On a Durable Object the three are
//! one synchronous stretch, committed together.
//!
//! **Imports** ([`import`]) of an opt-out or block list put each address's
//! lookup key (or a keyed hash the site computed itself) in the same
//! suppressions, and record every batch in the log: an `import` record that
//! commits to the batch's keys by count and digest, so a later opt-in of an
//! imported address is flagged `readds` with that record's event id.

pub mod export;
pub mod import;

use crate::config::SiteConfig;
use crate::error::{Error, RightsError, StorageError};
use crate::event::{Action, Control, PageRef, Surface, UiRef};
use crate::form::intake::{EdgeContext, FormStore, Suppression, SuppressionKind};
use crate::form::submission::Outcome;
use crate::ids::{EventId, SubjectId};
use crate::keys::SigningKey;
use crate::log::sequencer::{AppendStatus, Appended};
use crate::log::store::{LogStore, StoreError};
use crate::record::StoredRecord;

/// The most records of one subject that rights operations read.
pub const MAX_SUBJECT_RECORDS: u64 = 10_000;

fn fault(e: StoreError) -> Error {
    Error::Storage(StorageError::StorageFault {
        reason: e.to_string(),
    })
}

/// A subject's records, in log order, with their index and answer.
pub(crate) fn history<L: LogStore + ?Sized>(
    log: &L,
    subject: &SubjectId,
) -> Result<Vec<(u64, StoredRecord)>, Error> {
    log.of_subject(subject, MAX_SUBJECT_RECORDS)
        .map_err(fault)?
        .into_iter()
        .map(|l| {
            serde_json::from_str(&l.record)
                .map(|r| (l.index, r))
                .map_err(|e| fault(StoreError::Fault(e.to_string())))
        })
        .collect()
}

/// The answer of an appended record, as a repeat.
fn repeat<L: LogStore + ?Sized>(log: &L, id: &EventId) -> Result<Appended, Error> {
    let entry = log
        .entry_by_event(id)
        .map_err(fault)?
        .ok_or_else(|| fault(StoreError::Fault("an erasure without its record".into())))?;
    let receipt = serde_json::from_str::<serde_json::Value>(&entry.answer)
        .ok()
        .and_then(|v| v["receipt"].as_str().map(str::to_owned))
        .unwrap_or_default();
    Ok(Appended {
        status: AppendStatus::Repeat,
        answer: entry.answer,
        receipt,
        in_force: false,
    })
}

/// Erases `subject` (see the module docs); `event_id` is the erasure
/// event's id, drawn by the caller. A subject with neither records nor a
/// contact is [`RightsError::SubjectUnknown`].
#[allow(clippy::too_many_arguments)]
pub fn erase<L: LogStore + ?Sized, F: FormStore + ?Sized>(
    log: &mut L,
    forms: &mut F,
    config: &SiteConfig,
    key: &SigningKey,
    subject: &SubjectId,
    event_id: EventId,
    ctx: &EdgeContext,
) -> Result<Appended, Error> {
    let records = history(log, subject)?;
    if let Some((_, done)) = records
        .iter()
        .find(|(_, r)| r.event.action == Action::Erase)
    {
        return repeat(log, &done.event.event_id);
    }
    let Some((_, last)) = records.last() else {
        return Err(RightsError::SubjectUnknown.into());
    };
    if let Some(contact) = forms.contact_of(subject).map_err(fault)? {
        forms
            .put_suppression(&Suppression {
                lookup: contact.lookup,
                kind: SuppressionKind::Erased,
                event_id: event_id.clone(),
                created_ms: ctx.now_ms,
            })
            .map_err(fault)?;
    }
    forms.shred(subject, &event_id).map_err(fault)?;

    let mut event = last.event.clone();
    event.event_id = event_id;
    event.action = Action::Erase;
    event.answers = None;
    event.ui = UiRef {
        surface: Surface::Api,
        control: Control::Erase,
    };
    event.client_time_ms = ctx.now_ms;
    event.gpc = false;
    event.widget_version = "edge".into();
    event.page = PageRef {
        origin: ctx.issuer.clone(),
        path: crate::api::admin_erasure(&config.site, subject),
    };
    // Every consent ends: optional purposes and services refused, every
    // offer of the subject's last form unticked.
    for p in &config.purposes {
        event.decisions.insert(p.id.to_string(), p.required);
    }
    for v in event.services.values_mut() {
        *v = false;
    }
    let last_form = records.iter().rev().find(|(_, r)| r.event.form.is_some());
    event.form = last_form
        .and_then(|(_, r)| r.event.form.clone())
        .map(|mut f| {
            f.offers.values_mut().for_each(|v| *v = false);
            f
        });
    // The form facts (the commitment) are the last form record's; a
    // banner subject has none.
    let facts_from = last_form.map_or(last, |(_, r)| r);
    if facts_from.form.is_none() {
        event.form = None;
    }
    let appended = crate::form::intake::append_settlement(
        log,
        config,
        key,
        facts_from,
        event,
        Outcome::Erased,
        ctx,
    )?;
    crate::form::intake::enqueue(forms, config, &appended, ctx.now_ms)?;
    Ok(appended)
}

/// What the owner's lookup by email finds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Found {
    /// The subject the address belongs to now, if any.
    pub subject: Option<SubjectId>,
    /// When that contact was first stored.
    pub created_ms: Option<u64>,
    /// The erasure that suppressed the address before, if one did.
    pub suppressed_by: Option<EventId>,
}

/// Finds the contact with lookup key `lookup`, and any suppression of it.
pub fn find<F: FormStore + ?Sized>(forms: &F, lookup: &str) -> Result<Found, Error> {
    let contact = forms.contact(lookup).map_err(fault)?;
    let suppressed = forms.suppression(lookup).map_err(fault)?;
    Ok(Found {
        created_ms: contact.as_ref().map(|c| c.created_ms),
        subject: contact.map(|c| c.subject),
        suppressed_by: suppressed.map(|s| s.event_id),
    })
}
