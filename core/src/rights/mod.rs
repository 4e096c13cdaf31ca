//! Data-subject rights on the log, without I/O: erasure that keeps every
//! proof, and the export a person (or their DPO) receives. Written against
//! the log's and the forms' storage traits, like the sequencer and intake.
//!
//! **Erasure** ([`Site::erase`](crate::site::Site::erase)) is crypto-shredding plus an event:
//! 1. the contact's lookup key becomes a [`Suppression`] entry (an HMAC
//!    under the site's secret: it names no one, but the same address is
//!    recognised if it comes back);
//! 2. the contact's salt and key, every sealed identity and mail are
//!    overwritten and deleted ([`Contacts::shred`](crate::form::store::Contacts::shred)), and open confirmation
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
//! **The recycle bin** ([`bin`]): where a site asks for one, an owner's
//! erasure (or a fulfilled request) first puts the subject in the bin for
//! the configured days, processing nothing for them; the owner may restore
//! them until the purge runs the erasure above. Retention erases directly.
//!
//! **Imports** ([`import`]) of an opt-out or block list put each address's
//! lookup key (or a keyed hash the site computed itself) in the same
//! suppressions, and record every batch in the log: an `import` record that
//! commits to the batch's keys by count and digest, so a later opt-in of an
//! imported address is flagged `readds` with that record's event id.

pub mod banner;
pub mod bin;
pub mod center;
pub mod center_page;
pub mod contacts;
pub mod export;
pub mod import;
pub mod lists;
pub mod requests;
pub mod retention;
pub mod story;

use crate::error::{Error, RightsError};
use crate::event::{Action, Control, Surface, UiRef};
use crate::form::settle::{append_settlement, edge_event, repeat};
use crate::form::store::{FormStore, Suppression, SuppressionKind};
use crate::form::submission::Outcome;
use crate::ids::{EventId, SubjectId};
use crate::log::sequencer::Appended;
use crate::log::store::LogStore;
use crate::record::{FormFacts, StoredRecord};
use crate::site::{EdgeContext, Site};

pub(crate) use crate::record::history;
pub use crate::record::MAX_SUBJECT_RECORDS;

impl<L: LogStore + ?Sized, F: FormStore + ?Sized> Site<'_, L, F> {
    /// Erases `subject` (see the module docs); `event_id` is the erasure
    /// event's id, drawn by the caller. A subject with neither records nor a
    /// contact is [`RightsError::SubjectUnknown`].
    pub fn erase(&mut self, subject: &SubjectId, event_id: EventId) -> Result<Appended, Error> {
        self.erase_by(subject, event_id, Surface::Api)
    }
}

impl<L: LogStore + ?Sized, F: FormStore + ?Sized> Site<'_, L, F> {
    /// [`Site::erase`](crate::site::Site::erase), made by `surface`: `api` (the owner, or a request they
    /// validated, at once or at the purge of the recycle bin) or `schedule`
    /// (retention). An erased subject leaves the recycle bin, if it was in it.
    pub fn erase_by(
        &mut self,
        subject: &SubjectId,
        event_id: EventId,
        surface: Surface,
    ) -> Result<Appended, Error> {
        let appended = self.erase_once(subject, event_id, surface)?;
        // Last: a fault before it leaves the entry, and the purge's retry
        // answers the erasure and takes it out.
        self.forms.unbin(subject)?;
        Ok(appended)
    }
}

impl<L: LogStore + ?Sized, F: FormStore + ?Sized> Site<'_, L, F> {
    fn erase_once(
        &mut self,
        subject: &SubjectId,
        event_id: EventId,
        surface: Surface,
    ) -> Result<Appended, Error> {
        let (log, forms, config, key, ctx) = self.parts();
        let records = history(log, subject)?;
        if let Some(done) = erasure(records.iter().map(|(_, r)| r)) {
            return repeat(log, &done.event.event_id);
        }
        let Some((_, last)) = records.last() else {
            return Err(RightsError::SubjectUnknown.into());
        };
        if let Some(contact) = forms.contact_of(subject)? {
            forms.put_suppression(&Suppression {
                lookup: contact.lookup,
                kind: SuppressionKind::Erased,
                event_id: event_id.clone(),
                created_ms: ctx.now_ms,
            })?;
        }
        forms.shred(subject, &event_id)?;

        let ui = UiRef {
            surface,
            control: Control::Erase,
        };
        let path = crate::api::admin_erasure(&config.site, subject);
        let mut event = edge_event(&last.event, event_id, Action::Erase, ui, path, ctx);
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
        let appended =
            append_settlement(log, config, key, facts_from, event, Outcome::Erased, ctx)?;
        crate::form::intake::enqueue(forms, config, &appended, ctx.now_ms)?;
        Ok(appended)
    }
}

/// What the owner's lookup by email finds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Found {
    /// The subject the address belongs to now, if any.
    pub subject: Option<SubjectId>,
    /// When that contact was first stored.
    pub created_ms: Option<u64>,
    /// Whether the address is suppressed, why and since when: never which
    /// subject or record it was (an erased pseudonym's history stays
    /// unlinked from the address).
    pub suppressed: Option<Suppressed>,
    /// The subject's recycle bin entry, if it is in the bin.
    #[serde(default)]
    pub deleted: Option<bin::Binned>,
}

/// Finds the contact with lookup key `lookup`, and any suppression of it.
pub fn find<F: FormStore + ?Sized>(forms: &F, lookup: &str) -> Result<Found, Error> {
    let contact = forms.contact(lookup)?;
    let suppressed = forms.suppression(lookup)?;
    let deleted = match &contact {
        Some(c) => forms.binned(&c.subject)?,
        None => None,
    };
    Ok(Found {
        deleted,
        created_ms: contact.as_ref().map(|c| c.created_ms),
        subject: contact.map(|c| c.subject),
        suppressed: suppressed.map(|s| Suppressed {
            kind: s.kind,
            since_ms: s.created_ms,
        }),
    })
}

/// That an address is suppressed (see [`Found::suppressed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Suppressed {
    /// Erased, or listed by an import.
    pub kind: crate::form::store::SuppressionKind,
    /// Since when (ms since the Unix epoch).
    pub since_ms: u64,
}

impl<L: LogStore + ?Sized, F: FormStore + ?Sized> Site<'_, L, F> {
    /// Fulfils the open request `id`, recording `who` decided. An erasure
    /// runs [`Site::erase`](crate::site::Site::erase) with `erasure_id`, or, where the site has a recycle bin,
    /// puts the subject in it ([`bin`]): the request's `erasure` then names the
    /// erasure its purge will append ([`bin::purge_id`]).
    pub fn fulfil<R: requests::RequestStore + ?Sized>(
        &mut self,
        store: &mut R,
        id: &EventId,
        who: &str,
        erasure_id: EventId,
    ) -> Result<requests::SubjectRequest, Error> {
        let (log, forms, config, key, ctx) = self.parts();
        let mut request = requests::open(store, id)?;
        let event_of = |appended: &crate::log::sequencer::Appended| appended.event_id().map(Some);
        // The id drawn for the request's own event (an erasure, a
        // restriction, an objection).
        let event_id = erasure_id;
        let mut site = Site::new(log, forms, config, key, ctx);
        let mut erasure = None;
        let mut erased_now = None;
        match request.kind {
            requests::RequestKind::Erasure => {
                erasure = match site.delete_for_request(&request, event_id)? {
                    bin::Deletion::Erased(appended) => {
                        erased_now = event_of(&appended)?;
                        erased_now.clone()
                    }
                    bin::Deletion::Binned { .. } => Some(bin::purge_id(&request.subject)),
                }
            }
            requests::RequestKind::Restriction => {
                let appended = site.restrict(&request.subject, true, event_id)?;
                request.fulfilled_by = event_of(&appended)?;
            }
            requests::RequestKind::Objection => {
                let channel = request.channel.ok_or(RightsError::RequestInvalid {
                    reason: "an objection without its channel".into(),
                })?;
                let ui = crate::event::UiRef {
                    surface: crate::event::Surface::Owner,
                    control: crate::event::Control::Object,
                };
                let path = crate::api::admin_objection(&config.site, &request.subject);
                let appended = site.object(&request.subject, channel, event_id, ui, path)?;
                request.fulfilled_by = event_of(&appended)?;
            }
            // The copy is released by the edge; the correction is the
            // owner's to make (`rectify`), the request marks it done.
            requests::RequestKind::Access | requests::RequestKind::Rectification => {}
        }
        let subject = request.subject.clone();
        let decided = requests::decide(
            store,
            request,
            requests::RequestStatus::Fulfilled,
            who,
            erasure,
            ctx.now_ms,
        )?;
        // Erased now: the person's other open requests have nothing left.
        if let Some(erased) = erased_now {
            requests::close_for_erasure(store, &subject, &erased, ctx.now_ms)?;
        }
        Ok(decided)
    }
}

/// The subject's erasure record, if they were erased: an erasure is
/// final, so every rights operation asks this first.
pub fn erasure<'a>(
    records: impl IntoIterator<Item = &'a StoredRecord>,
) -> Option<&'a StoredRecord> {
    records
        .into_iter()
        .find(|r| r.event.action == Action::Erase)
}

/// Whether processing of the subject is restricted: the newest `restrict`
/// or `lift_restriction` record decides.
pub fn restricted<'a>(records: impl IntoIterator<Item = &'a StoredRecord>) -> bool {
    records
        .into_iter()
        .fold(false, |on, r| match r.event.action {
            Action::Restrict => true,
            Action::LiftRestriction => false,
            _ => on,
        })
}

/// An owner's event about a subject (restriction, rectification): the
/// subject's last record's event, made by the edge now, carrying the last
/// form's choice as it stands (so the CRM knows a contact is meant).
fn owner_event(
    records: &[(u64, StoredRecord)],
    action: Action,
    event_id: EventId,
    path: String,
    ctx: &EdgeContext,
) -> Result<crate::event::ConsentEvent, Error> {
    let Some((_, last)) = records.last() else {
        return Err(RightsError::SubjectUnknown.into());
    };
    if erasure(records.iter().map(|(_, r)| r)).is_some() {
        return Err(RightsError::SubjectErased.into());
    }
    let ui = UiRef {
        surface: Surface::Api,
        control: Control::Api,
    };
    let mut event = edge_event(&last.event, event_id, action, ui, path, ctx);
    event.form = records
        .iter()
        .rev()
        .find_map(|(_, r)| r.event.form.clone().filter(|_| r.form.is_some()));
    Ok(event)
}

impl<L: LogStore + ?Sized, F: FormStore + ?Sized> Site<'_, L, F> {
    /// Restricts processing of `subject` (`on`), or lifts the restriction. The
    /// same state again answers the record that set it.
    pub fn restrict(
        &mut self,
        subject: &SubjectId,
        on: bool,
        event_id: EventId,
    ) -> Result<Appended, Error> {
        let (log, forms, config, key, ctx) = self.parts();
        let records = history(log, subject)?;
        bin::refuse_binned(forms, subject)?;
        let last = records
            .iter()
            .rev()
            .map(|(_, r)| r)
            .find(|r| matches!(r.event.action, Action::Restrict | Action::LiftRestriction));
        if last.is_some_and(|r| r.event.action == Action::Restrict) == on {
            if let Some(r) = last {
                return repeat(log, &r.event.event_id);
            }
            if !on {
                return Err(RightsError::NotRestricted.into());
            }
        }
        let action = if on {
            Action::Restrict
        } else {
            Action::LiftRestriction
        };
        let path = crate::api::admin_restriction(&config.site, subject);
        let event = owner_event(&records, action, event_id, path, ctx)?;
        let appended =
            crate::log::sequencer::append(log, config, key, ctx.request(event, None, None))?;
        crate::form::intake::enqueue(forms, config, &appended, ctx.now_ms)?;
        Ok(appended)
    }
}

/// What a rectification changes: a field given replaces it, an empty one
/// removes it; the email is not changed here (a new address is a new
/// contact: the person opts in with it).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rectification {
    /// The corrected name.
    pub name: Option<String>,
    /// The corrected phone number.
    pub phone: Option<String>,
}

impl<L: LogStore + ?Sized, F: FormStore + ?Sized> Site<'_, L, F> {
    /// Corrects a form subject's identity: the new identity is sealed beside
    /// the log under the event's id, and a `rectify` record commits to it.
    pub fn rectify(
        &mut self,
        subject: &SubjectId,
        changes: &Rectification,
        event_id: EventId,
        nonce: [u8; 24],
    ) -> Result<Appended, Error> {
        let (log, forms, config, key, ctx) = self.parts();
        use crate::form::identity::{normalise_name, normalise_phone};
        let records = history(log, subject)?;
        bin::refuse_binned(forms, subject)?;
        let path = crate::api::admin_rectification(&config.site, subject);
        let event = owner_event(&records, Action::Rectify, event_id.clone(), path, ctx)?;
        let contact = forms
            .contact_of(subject)?
            .ok_or(RightsError::SubjectUnknown)?;
        let mut identity =
            export::identity_of(log, forms, config, subject)?.ok_or(RightsError::SubjectUnknown)?;
        let field = |v: &Option<String>, check: &dyn Fn(&str) -> Result<String, Error>| match v
            .as_deref()
        {
            None => Ok(None),
            Some(s) if s.trim().is_empty() => Ok(Some(None)),
            Some(s) => check(s).map(|n| Some(Some(n))),
        };
        if let Some(name) = field(&changes.name, &normalise_name)? {
            identity.name = name;
        }
        // A number written nationally is read as the person's form reads it.
        let country = records
            .iter()
            .rev()
            .find_map(|(_, r)| r.event.form.as_ref())
            .and_then(|f| config.form(f.id.as_str()))
            .and_then(|f| f.phone_country.clone());
        let phone = |p: &str| normalise_phone(p, country.as_deref());
        if let Some(phone) = field(&changes.phone, &phone)? {
            identity.phone = phone;
        }
        let last_facts = records
            .iter()
            .rev()
            .find_map(|(_, r)| r.form.clone())
            .ok_or(RightsError::SubjectUnknown)?;
        forms.put_identity(&crate::form::store::Sealed {
            event_id: event_id.clone(),
            subject: subject.clone(),
            nonce,
            bytes: identity.seal(&contact.key, &nonce, &config.site, subject),
            created_ms: ctx.now_ms,
        })?;
        let facts = FormFacts {
            identity: identity.committed(&contact.salt),
            outcome: Outcome::Rectified,
            age_of_consent: last_facts.age_of_consent,
            readds: None,
            attested: None,
        };
        let appended =
            crate::log::sequencer::append(log, config, key, ctx.request(event, Some(facts), None))?;
        crate::form::intake::enqueue(forms, config, &appended, ctx.now_ms)?;
        Ok(appended)
    }
}

/// A subject's state: per offer, the banner choice, and whether processing
/// is restricted or the subject is in the recycle bin.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SubjectState {
    /// The state per offer (`channel:purpose`).
    pub offers: alloc::collections::BTreeMap<String, crate::form::state::OfferStatus>,
    /// The subject's last banner choice ([`banner::last_choice`]), as its
    /// event: what the widget adopts after a change in the privacy center.
    pub choice: Option<crate::event::ConsentEvent>,
    /// Processing is restricted (Art. 18).
    pub restricted: bool,
    /// The subject's recycle bin entry, while it is in the bin.
    pub deleted: Option<bin::Binned>,
}

/// A subject's state, from their history and the recycle bin.
pub fn state<L: LogStore + ?Sized, F: crate::form::store::BinStore + ?Sized>(
    log: &L,
    forms: &F,
    subject: &SubjectId,
) -> Result<SubjectState, Error> {
    let records = crate::record::records_of(log, subject)?;
    Ok(SubjectState {
        offers: crate::form::state::fold(&records),
        choice: banner::last_choice(&records).map(|r| r.event.clone()),
        restricted: restricted(&records),
        deleted: forms.binned(subject)?,
    })
}
