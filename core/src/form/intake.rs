//! A form's submission taken in: the contact, the sealed identity, the
//! log's record, and the confirmation mail of a submission that waits.
//! Written, like the log's sequencer (`crate::log::sequencer`), against
//! storage traits ([`crate::form::store`]): the edge runs it on the Durable
//! Object's SQLite, the tests on
//! [`MemoryFormStore`](crate::form::memory::MemoryFormStore). What settles a
//! submission afterwards (its confirmation, the phone code, a withdrawal,
//! the expiry) is [`crate::form::settle`]'s.
//!
//! **Submit** ([`Site::submit`]). The person is found by the lookup key of
//! their email (or becomes a new contact with a fresh subject id, salt and
//! key); the event is appended under the contact's subject with the
//! commitment to the identity; the identity is sealed under the contact's
//! key beside the log; a submission that waits (double opt-in, or a parent)
//! gets a pending entry and its confirmation mail, sealed too, whose link's
//! token expires with the entry ([`crate::form::mail`]). A repeat of the
//! same event stores nothing new.
//!
//! Vault writes come before the append (a repeat overwrites nothing: they
//! are keyed by event id), the pending entry and the mail after it: if the
//! store fails in between, the record says pending and the expiry closes it.
//! On a Durable Object all of it is one synchronous stretch, which the
//! runtime commits together.

use serde::{Deserialize, Serialize};

use crate::config::SiteConfig;
use crate::error::{Error, FormError};
use crate::event::{Action, ConsentEvent};
use crate::form::identity::Identity;
use crate::form::mail::{confirmation, queue_mail, Asked, SealedMail};
use crate::form::store::{Contact, Contacts, FormStore, Outbox, Pending, Sealed, SuppressionKind};
use crate::form::submission::{Checked, Outcome};
use crate::form::token::Claims;
use crate::form::webhook::{self, Delivery};
use crate::ids::{EventId, SiteId, SubjectId};
use crate::log::sequencer::{self, AppendRequest, AppendStatus, Appended};
use crate::log::store::{LogStore, StoreError};
use crate::record::{FormFacts, StoredRecord};
use crate::site::Site;

/// Randomness for one submission, drawn by the caller.
#[derive(Debug, Clone, Copy)]
pub struct Fresh {
    /// A new contact's subject id.
    pub subject: [u8; 16],
    /// A new contact's salt.
    pub salt: [u8; 32],
    /// A new contact's vault key.
    pub key: [u8; 32],
    /// The identity's nonce.
    pub identity_nonce: [u8; 24],
    /// The mail's nonce.
    pub mail_nonce: [u8; 24],
}

/// A checked submission to store (the Worker's request to the log object;
/// when, where and by whom it is received is the [`Site`]'s context).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Submission {
    /// The validated event (its subject is replaced by the contact's).
    pub event: ConsentEvent,
    /// What the checks found.
    pub checked: Checked,
    /// The email's lookup key.
    pub lookup: String,
    /// The parent's email's lookup key, where a parent must confirm: the
    /// mail to the parent counts against that address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_lookup: Option<String>,
    /// `Sec-GPC: 1` was sent.
    pub sec_gpc: bool,
    /// The platform's country.
    pub country: Option<String>,
    /// The regime the edge applied (recorded; a form asks first everywhere).
    #[serde(default)]
    pub regime: Option<crate::jurisdiction::Regime>,
}

impl<L: LogStore + ?Sized, F: FormStore + ?Sized> Site<'_, L, F> {
    /// The contact of the address with lookup key `lookup`, and the erasure
    /// a new contact re-adds (an address erased before comes back as a new
    /// contact, flagged). An address in the recycle bin is purged first: the
    /// erasure the owner decided runs now, and this opt-in starts afresh
    /// (see `rights::bin`); a repeat of the submission `event_id` stored
    /// before finds its contact as it was.
    pub(crate) fn contact_for(
        &mut self,
        lookup: &str,
        event_id: &EventId,
        fresh: &Fresh,
    ) -> Result<(Contact, Option<EventId>), Error> {
        let mut found = self.forms.contact(lookup)?;
        if let Some(binned) = &found {
            let repeat = self.log.entry_by_event(event_id)?.is_some();
            if !repeat && self.forms.binned(&binned.subject)?.is_some() {
                self.purge_subject(&binned.subject)?;
                found = None;
            }
        }
        if let Some(contact) = found {
            return Ok((contact, None));
        }
        let readds = self.forms.suppression(lookup)?.map(|s| s.event_id);
        let contact = Contact {
            lookup: lookup.to_owned(),
            subject: SubjectId::from_random_bytes(fresh.subject),
            salt: fresh.salt,
            key: fresh.key,
            created_ms: self.ctx.now_ms,
        };
        self.forms.put_contact(&contact)?;
        Ok((contact, readds))
    }

    /// Stores a submission (see the module docs); the answer is the append's.
    pub fn submit(
        &mut self,
        mut sub: Submission,
        fresh: Fresh,
        token_key: &[u8; 32],
    ) -> Result<Appended, Error> {
        let (log, forms, config, key, ctx) = self.parts();
        let site = &config.site;
        sub.checked.outcome = as_listed(&*forms, &sub.lookup, sub.checked.outcome)?;
        let (contact, readds) = Site::new(&mut *log, &mut *forms, config, key, ctx).contact_for(
            &sub.lookup,
            &sub.event.event_id,
            &fresh,
        )?;
        sub.event.subject = contact.subject.clone();
        sub.checked.outcome = as_objected(&*log, &contact, &sub.event, sub.checked.outcome)?;
        let identity = &sub.checked.identity;
        forms.put_identity(&Sealed {
            event_id: sub.event.event_id.clone(),
            subject: contact.subject.clone(),
            nonce: fresh.identity_nonce,
            bytes: identity.seal(&contact.key, &fresh.identity_nonce, site, &contact.subject),
            created_ms: ctx.now_ms,
        })?;
        let facts = FormFacts {
            identity: identity.committed(&contact.salt),
            outcome: sub.checked.outcome,
            age_of_consent: sub.checked.age_of_consent,
            readds,
            attested: None,
        };
        let event_id = sub.event.event_id.clone();
        let form = sub.event.form.as_ref().map(|f| f.id.clone());
        let language = sub.event.notice.language.clone();
        let asked = Asked::of(&sub.event);
        let appended = sequencer::append(
            log,
            config,
            key,
            AppendRequest {
                event: sub.event,
                received_at_ms: ctx.now_ms,
                sec_gpc: sub.sec_gpc,
                country: sub.country,
                origin: ctx.origin.clone(),
                issuer: ctx.issuer.clone(),
                form: Some(facts),
                regime: sub.regime,
                import: None,
                proof: crate::log::sequencer::Proof::Edge,
            },
        )?;
        enqueue(forms, config, &appended, ctx.now_ms)?;
        let waits = matches!(
            sub.checked.outcome,
            Outcome::Pending | Outcome::ParentalConsentRequired
        );
        if appended.status == AppendStatus::New && waits {
            let parent = sub.checked.outcome == Outcome::ParentalConsentRequired;
            let Some(form) = form.and_then(|f| config.form(f.as_str())) else {
                return Err(Error::from(StoreError::Fault(
                    "a waiting submission of no form of its site".into(),
                )));
            };
            let to = match (&identity.parent_email, parent) {
                (Some(p), true) => p.clone(),
                _ => identity.email.clone(),
            };
            let claims = Claims {
                site: site.clone(),
                form: form.id.clone(),
                pending: event_id.clone(),
                parent,
                language,
                expires_ms: form.link_expires_ms(ctx.now_ms),
            };
            let expires_ms = claims.expires_ms;
            let mut mail = confirmation(config, &claims, token_key, &ctx.issuer, to, &asked)?;
            if !parent {
                let claims = crate::form::unsubscribe::Claims {
                    site: site.clone(),
                    subject: contact.subject.clone(),
                    channel: crate::form::config::Channel::Email,
                };
                let url = crate::form::unsubscribe::url(&ctx.issuer, token_key, &claims);
                mail.list_unsubscribe = Some(url);
            }
            forms.put_pending(&Pending {
                event_id: event_id.clone(),
                subject: contact.subject.clone(),
                form: claims.form,
                expires_ms,
                parent,
                settled_by: None,
            })?;
            // The mail counts against the address it goes to (the person's, or
            // the parent's typed by the submitter): beyond the limit the
            // submission waits without a mail, and its expiry closes it.
            let recipient = if parent {
                sub.parent_lookup.as_deref().ok_or_else(|| {
                    Error::from(StoreError::Fault(
                        "a parent's mail without its lookup key".into(),
                    ))
                })?
            } else {
                sub.lookup.as_str()
            };
            let sealed = SealedMail {
                id: event_id,
                nonce: fresh.mail_nonce,
                kind: "mail.confirmation",
            };
            queue_mail(forms, site, &contact, recipient, &mail, sealed, ctx.now_ms)?;
        }
        Ok(appended)
    }
}

/// What the site's lists make of a submission's `outcome`: a blocked
/// address stores nothing ([`FormError::AddressBlocked`]); one on an
/// opt-out list may opt in again, but only through the link mailed to it
/// (its own new choice, never a silent re-subscription by whoever typed it).
fn as_listed<F: FormStore + ?Sized>(
    forms: &F,
    lookup: &str,
    outcome: Outcome,
) -> Result<Outcome, Error> {
    Ok(match forms.suppression(lookup)?.map(|s| s.kind) {
        Some(SuppressionKind::Blocked) => return Err(FormError::AddressBlocked.into()),
        Some(SuppressionKind::OptOut) if outcome == Outcome::Granted => Outcome::Pending,
        _ => outcome,
    })
}

/// What the contact's objections make of a submission's `outcome`: one
/// that ticks an offer the person objected to (or its channel) waits for
/// their confirmation, whatever the form's double opt-in says: only their
/// own confirmed opt-in lifts an objection (`form::objection`).
fn as_objected<L: LogStore + ?Sized>(
    log: &L,
    contact: &Contact,
    event: &ConsentEvent,
    outcome: Outcome,
) -> Result<Outcome, Error> {
    if outcome != Outcome::Granted {
        return Ok(outcome);
    }
    let Some(choice) = &event.form else {
        return Ok(outcome);
    };
    let state = crate::form::state::fold(&crate::record::records_of(log, &contact.subject)?);
    let ticked = choice.offers.iter().filter(|(_, &on)| on);
    let objected = ticked
        .into_iter()
        .any(|(k, _)| crate::form::state::objected(&state, k));
    Ok(if objected { Outcome::Pending } else { outcome })
}

/// Queues the webhook deliveries of a new record (none if the record is not
/// one the CRM receives, or the site has no webhooks).
pub(crate) fn enqueue<F: Outbox + ?Sized>(
    forms: &mut F,
    config: &SiteConfig,
    appended: &Appended,
    now_ms: u64,
) -> Result<(), Error> {
    if config.webhooks.is_empty() || appended.status != AppendStatus::New {
        return Ok(());
    }
    let record: StoredRecord = serde_json::from_str::<serde_json::Value>(&appended.answer)
        .ok()
        .and_then(|v| serde_json::from_value(v["record"].clone()).ok())
        .ok_or_else(|| Error::from(StoreError::Fault("an answer without its record".into())))?;
    let hooks: Vec<String> = config.webhooks.iter().map(|w| w.id.clone()).collect();
    for delivery in webhook::deliveries_for(&record, &hooks, now_ms) {
        forms.put_delivery(&delivery)?;
    }
    Ok(())
}

/// The body of a delivery as it is sent now: the record, the subject's
/// state per offer after it, the contact opened from the vault (none once
/// erased) and the receipt.
/// Where a delivery's unsubscribe links point and what signs them: the
/// edge's public origin and the forms' token key.
#[derive(Clone, Copy)]
pub struct Links<'a> {
    /// The edge's public origin.
    pub issuer: &'a str,
    /// The forms' token key ([`FormSecret::token`](crate::form::secret::FormSecret::token)).
    pub key: &'a [u8; 32],
}

/// The body of a delivery (see [`webhook::body`]), with a one-click
/// unsubscribe link per channel of the contact's offers
/// ([`crate::form::unsubscribe`]) while they have an identity.
pub fn delivery_body<L: LogStore + ?Sized, F: Contacts + ?Sized>(
    log: &L,
    forms: &F,
    site: &SiteId,
    delivery: &Delivery,
    links: Links<'_>,
) -> Result<String, Error> {
    let entry = log
        .entry_by_event(&delivery.event_id)?
        .ok_or_else(|| Error::from(StoreError::Fault("a delivery without its record".into())))?;
    let record: StoredRecord = serde_json::from_str(&entry.record)
        .map_err(|e| Error::from(StoreError::Fault(e.to_string())))?;
    let history: Vec<StoredRecord> = crate::record::history(log, &record.event.subject)?
        .into_iter()
        .filter(|(index, _)| *index <= entry.index)
        .map(|(_, r)| r)
        .collect();
    let offers = crate::form::state::fold(&history);
    // The contact as it stands after this record (a submission nobody
    // confirmed names nobody new: see `identity_in_force`).
    let identity = match forms.contact_of(&record.event.subject)? {
        Some(contact) => identity_in_force(forms, site, &contact, &history)?,
        None => None,
    };
    let receipt = serde_json::from_str::<serde_json::Value>(&entry.answer)
        .ok()
        .and_then(|v| v["receipt"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let unsubscribe = match identity {
        Some(_) => crate::form::unsubscribe::links(
            links.issuer,
            links.key,
            site,
            &record.event.subject,
            offers.keys(),
        ),
        None => Default::default(),
    };
    Ok(webhook::body(
        delivery,
        &record,
        entry.index,
        &offers,
        identity.as_ref(),
        &receipt,
        &unsubscribe,
    ))
}

/// The identity in force of `contact`, from its history in log order: the
/// newest one the person or the owner vouched for (a submission that the
/// address's holder confirmed by the mailed link, an owner's
/// rectification), else the first one submitted. A later submission that
/// nobody confirmed changes no name or phone, in the owner's export, the
/// privacy center or the CRM: its submitter may be anyone who typed the
/// address. An identity that no longer opens (erased) is none.
pub fn identity_in_force<F: Contacts + ?Sized>(
    forms: &F,
    site: &SiteId,
    contact: &Contact,
    history: &[StoredRecord],
) -> Result<Option<Identity>, Error> {
    let vouched = |r: &StoredRecord| {
        r.event.action == Action::Rectify
            // The owner recorded it, and answers for it (`form::attest`).
            || r.form.as_ref().is_some_and(|f| f.attested.is_some())
            || history.iter().any(|h| {
                h.event.action == Action::Confirm
                    && h.event.answers.as_ref() == Some(&r.event.event_id)
            })
    };
    let mut first = None;
    for r in history.iter().rev() {
        if let Some(sealed) = forms.identity(&r.event.event_id)? {
            if vouched(r) {
                return Ok(open_identity(&sealed, contact, site).ok());
            }
            first = Some(sealed);
        }
    }
    Ok(first.and_then(|sealed| open_identity(&sealed, contact, site).ok()))
}

/// Opens the identity an event was submitted with.
pub fn open_identity(sealed: &Sealed, contact: &Contact, site: &SiteId) -> Result<Identity, Error> {
    Identity::open(
        &sealed.bytes,
        &contact.key,
        &sealed.nonce,
        site,
        &contact.subject,
    )
}
