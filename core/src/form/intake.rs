//! The form's side of the log: submissions in, confirmations and expiries,
//! the identity vault and the mail waiting to go out. Written, like the
//! log's sequencer (`crate::log::sequencer`), against storage traits: the edge runs
//! it on the Durable Object's SQLite, the tests on [`MemoryFormStore`].
//!
//! **Submit.** The person is found by the lookup key of their email (or
//! becomes a new contact with a fresh subject id, salt and key); the event
//! is appended under the contact's subject with the commitment to the
//! identity; the identity is sealed under the contact's key beside the log;
//! a submission that waits (double opt-in, or a parent) gets a pending entry
//! and its confirmation mail, sealed too. A repeat of the same event stores
//! nothing new.
//!
//! **Confirm.** The link's token names the pending submission; the
//! confirmation event answers it. Its event id is derived from the pending
//! one, so a second click is the same event: the first answer again.
//!
//! **Phone.** A confirmation of a submission that ticked an offer on a
//! channel that needs a phone (SMS, calls) leaves that offer `unverified`
//! and texts the submission's number a code ([`crate::form::phone`]),
//! through the same sealed queue as the mails and counted against the
//! number; [`verify_phone`] takes the code typed and appends a second
//! confirmation (control `phone_confirm`) that grants it. Its id is derived
//! too: the right code again answers the first.
//!
//! **Expire.** Pending submissions past their time are closed by an
//! `expire` event each (the Durable Object's alarm calls [`expire_due`]).
//!
//! Vault writes come before the append (a repeat overwrites nothing: they
//! are keyed by event id), the pending entry and the mail after it: if the
//! store fails in between, the record says pending and the expiry closes it.
//! On a Durable Object all of it is one synchronous stretch, which the
//! runtime commits together.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::config::SiteConfig;
use crate::error::{Error, FormError, StorageError};
use crate::event::{Action, ConsentEvent, Control, PageRef, Surface, UiRef};
use crate::form::identity::Identity;
use crate::form::submission::{Checked, Outcome};
use crate::form::webhook::{self, Delivery, DeliveryState};
use crate::ids::{EventId, FormId, SiteId, SubjectId};
use crate::keys::SigningKey;
use crate::log::sequencer::{self, AppendRequest, AppendStatus, Appended};
use crate::log::store::{LogStore, StoreError};
use crate::log::LogOrigin;
use crate::record::{FormFacts, StoredRecord};

/// The most mails Assent sends to one address in [`MAIL_WINDOW_MS`]
/// (confirmations, a parent's consent requests, privacy center links),
/// counted by the address they go to: a submission beyond them is recorded
/// and waits without a mail, a link beyond them is not sent.
pub const MAX_MAILS_PER_DAY: u64 = 3;

/// The window [`MAX_MAILS_PER_DAY`] counts in: 24 hours.
pub const MAIL_WINDOW_MS: u64 = 24 * 3_600_000;

/// A person known by their email: their subject, commitment salt and vault key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// [`lookup_key`](crate::form::identity::lookup_key) of the email.
    pub lookup: String,
    /// The subject their events are logged under.
    pub subject: SubjectId,
    /// The commitment salt.
    pub salt: [u8; 32],
    /// The vault key.
    pub key: [u8; 32],
    /// When the contact was first stored.
    pub created_ms: u64,
}

/// Why an address is suppressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuppressionKind {
    /// The contact was erased.
    Erased,
    /// The address came in an imported opt-out or block list.
    OptOut,
}

impl SuppressionKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionKind::Erased => "erased",
            SuppressionKind::OptOut => "opt_out",
        }
    }
}

/// An address that may not be opted in silently: the lookup key of an
/// erased contact or of an imported opt-out. Holds no identity: the lookup
/// key is an HMAC under the site's secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// The lookup key.
    pub lookup: String,
    /// Why.
    pub kind: SuppressionKind,
    /// The log record that put it here: the erasure, or the import batch.
    pub event_id: EventId,
    /// When (ms since the Unix epoch).
    pub created_ms: u64,
}

/// Something sealed under a contact's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// The event it belongs to (an identity) or the mail's number.
    pub event_id: EventId,
    /// The contact's subject.
    pub subject: SubjectId,
    /// XChaCha20 nonce.
    pub nonce: [u8; 24],
    /// Ciphertext and tag.
    pub bytes: Vec<u8>,
    /// When it was stored.
    pub created_ms: u64,
}

/// A submission waiting for its confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The pending submission.
    pub event_id: EventId,
    /// Its subject.
    pub subject: SubjectId,
    /// Its form.
    pub form: FormId,
    /// When the link expires.
    pub expires_ms: u64,
    /// Whether a parent must confirm.
    pub parent: bool,
    /// The confirmation or expiry that settled it.
    pub settled_by: Option<EventId>,
}

/// A message to send, as sealed in the mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mail {
    /// The recipient (the person, or their parent).
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Body text; the link follows it.
    pub text: String,
    /// The confirmation link.
    pub link: String,
}

/// A form's storage beside the log, with the recycle bin
/// ([`BinStore`](crate::rights::bin::BinStore)) beside it.
pub trait FormStore: crate::rights::bin::BinStore {
    /// The contact with this lookup key.
    fn contact(&self, lookup: &str) -> Result<Option<Contact>, StoreError>;
    /// The contact of a subject.
    fn contact_of(&self, subject: &SubjectId) -> Result<Option<Contact>, StoreError>;
    /// Up to `limit` contacts whose subject sorts after `after`, in subject order.
    fn contacts_after(
        &self,
        after: Option<&SubjectId>,
        limit: u64,
    ) -> Result<Vec<Contact>, StoreError>;
    /// Stores a new contact ([`StoreError::Conflict`] if its lookup or subject is taken).
    fn put_contact(&mut self, contact: &Contact) -> Result<(), StoreError>;
    /// Stores an event's sealed identity (a second one for the event is ignored).
    fn put_identity(&mut self, sealed: &Sealed) -> Result<(), StoreError>;
    /// An event's sealed identity.
    fn identity(&self, event_id: &EventId) -> Result<Option<Sealed>, StoreError>;
    /// Stores a pending submission.
    fn put_pending(&mut self, pending: &Pending) -> Result<(), StoreError>;
    /// A pending submission, settled or not.
    fn pending(&self, event_id: &EventId) -> Result<Option<Pending>, StoreError>;
    /// Marks a pending submission settled by `by`.
    fn settle(&mut self, event_id: &EventId, by: &EventId) -> Result<(), StoreError>;
    /// How many mails to the address with lookup key `recipient` were
    /// queued at or after `since_ms`.
    fn mails_to(&self, recipient: &str, since_ms: u64) -> Result<u64, StoreError>;
    /// Counts one mail to `recipient` at `at_ms` (a lookup key: it names
    /// nobody); counts older than [`MAIL_WINDOW_MS`] may be dropped.
    fn count_mail(&mut self, recipient: &str, at_ms: u64) -> Result<(), StoreError>;
    /// How many wrong phone codes were typed for the pending submission
    /// `pending` ([`crate::form::phone::MAX_TRIES`] at most count).
    fn phone_tries(&self, pending: &EventId) -> Result<u64, StoreError>;
    /// Counts one wrong phone code for `pending`.
    fn count_phone_try(&mut self, pending: &EventId) -> Result<(), StoreError>;
    /// Up to `limit` unsettled submissions expired at `now_ms`, oldest first.
    fn due(&self, now_ms: u64, limit: u64) -> Result<Vec<Pending>, StoreError>;
    /// When the next unsettled submission expires.
    fn next_due(&self) -> Result<Option<u64>, StoreError>;
    /// Stores a sealed mail (keyed by the event it is about).
    fn put_mail(&mut self, mail: &Sealed) -> Result<(), StoreError>;
    /// Up to `limit` mails, newest first.
    fn mails(&self, limit: u64) -> Result<Vec<Sealed>, StoreError>;
    /// The mail about an event.
    fn mail_of(&self, event_id: &EventId) -> Result<Option<Sealed>, StoreError>;
    /// Queues a webhook delivery; returns its number.
    fn put_delivery(&mut self, delivery: &Delivery) -> Result<u64, StoreError>;
    /// Stores a delivery's new state after a try.
    fn update_delivery(&mut self, delivery: &Delivery) -> Result<(), StoreError>;
    /// Up to `limit` pending deliveries due at `now_ms`, oldest first,
    /// except those of a subject in the recycle bin: they are held until
    /// the subject leaves it (restored, or erased by the purge).
    fn due_deliveries(&self, now_ms: u64, limit: u64) -> Result<Vec<Delivery>, StoreError>;
    /// When the next pending delivery is due (held ones aside).
    fn next_delivery(&self) -> Result<Option<u64>, StoreError>;
    /// Up to `limit` deliveries, newest first (the owner's list).
    fn deliveries(&self, limit: u64) -> Result<Vec<Delivery>, StoreError>;
    /// Crypto-shreds a subject: overwrites, then deletes, their contact
    /// (salt and key), sealed identities and mails, and settles their open
    /// pending submissions by `by` (their links stop working).
    fn shred(&mut self, subject: &SubjectId, by: &EventId) -> Result<(), StoreError>;
    /// Adds a suppression entry (a second one for the same lookup is ignored).
    fn put_suppression(&mut self, entry: &Suppression) -> Result<(), StoreError>;
    /// The suppression entry of a lookup key.
    fn suppression(&self, lookup: &str) -> Result<Option<Suppression>, StoreError>;
}

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

/// A checked submission to store (the Worker's request to the log object).
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
    /// Server receive time.
    pub received_at_ms: u64,
    /// `Sec-GPC: 1` was sent.
    pub sec_gpc: bool,
    /// The platform's country.
    pub country: Option<String>,
    /// The log's origin.
    pub origin: LogOrigin,
    /// The receipts' issuer.
    pub issuer: String,
    /// The confirmation mail, where the outcome waits (built by the caller,
    /// who holds the token key); its recipient is filled in here.
    pub mail: Option<Mail>,
    /// The regime the edge applied (recorded; a form asks first everywhere).
    #[serde(default)]
    pub regime: Option<crate::jurisdiction::Regime>,
}

fn fault(e: StoreError) -> Error {
    Error::Storage(StorageError::StorageFault {
        reason: e.to_string(),
    })
}

/// Stores a submission (see the module docs); the answer is the append's.
pub fn submit<L: LogStore + ?Sized, F: FormStore + ?Sized>(
    log: &mut L,
    forms: &mut F,
    config: &SiteConfig,
    key: &SigningKey,
    mut sub: Submission,
    fresh: Fresh,
) -> Result<Appended, Error> {
    let site = &config.site;
    let mut readds = None;
    let mut found = forms.contact(&sub.lookup).map_err(fault)?;
    if let Some(binned) = &found {
        // The address is in the recycle bin: the erasure the owner decided
        // runs now, and this opt-in starts afresh, flagged as a re-addition
        // (see `rights::bin`). A repeat of a submission stored before is
        // answered as stored.
        let repeat = log
            .entry_by_event(&sub.event.event_id)
            .map_err(fault)?
            .is_some();
        if !repeat && forms.binned(&binned.subject).map_err(fault)?.is_some() {
            let ctx = EdgeContext {
                now_ms: sub.received_at_ms,
                origin: sub.origin.clone(),
                issuer: sub.issuer.clone(),
            };
            crate::rights::bin::purge_subject(log, forms, config, key, &binned.subject, &ctx)?;
            found = None;
        }
    }
    let contact = match found {
        Some(c) => c,
        None => {
            // An address erased before comes back as a new contact, flagged.
            readds = forms
                .suppression(&sub.lookup)
                .map_err(fault)?
                .map(|s| s.event_id);
            let contact = Contact {
                lookup: sub.lookup.clone(),
                subject: SubjectId::from_random_bytes(fresh.subject),
                salt: fresh.salt,
                key: fresh.key,
                created_ms: sub.received_at_ms,
            };
            forms.put_contact(&contact).map_err(fault)?;
            contact
        }
    };
    sub.event.subject = contact.subject.clone();
    let identity = &sub.checked.identity;
    forms
        .put_identity(&Sealed {
            event_id: sub.event.event_id.clone(),
            subject: contact.subject.clone(),
            nonce: fresh.identity_nonce,
            bytes: identity.seal(&contact.key, &fresh.identity_nonce, site, &contact.subject),
            created_ms: sub.received_at_ms,
        })
        .map_err(fault)?;
    let facts = FormFacts {
        identity: STANDARD.encode(identity.commitment(&contact.salt)),
        outcome: sub.checked.outcome,
        age_of_consent: sub.checked.age_of_consent,
        readds,
    };
    let event_id = sub.event.event_id.clone();
    let form = sub.event.form.as_ref().map(|f| f.id.clone());
    let appended = sequencer::append(
        log,
        config,
        key,
        AppendRequest {
            event: sub.event,
            received_at_ms: sub.received_at_ms,
            sec_gpc: sub.sec_gpc,
            country: sub.country,
            origin: sub.origin,
            issuer: sub.issuer,
            form: Some(facts),
            regime: sub.regime,
            import: None,
            proof: crate::log::sequencer::Proof::Edge,
        },
    )?;
    enqueue(forms, config, &appended, sub.received_at_ms)?;
    let waits = matches!(
        sub.checked.outcome,
        Outcome::Pending | Outcome::ParentalConsentRequired
    );
    if appended.status == AppendStatus::New && waits {
        let parent = sub.checked.outcome == Outcome::ParentalConsentRequired;
        let (Some(mut mail), Some(form)) = (sub.mail, form) else {
            return Err(fault(StoreError::Fault(
                "a waiting submission without its mail".into(),
            )));
        };
        mail.to = match (&identity.parent_email, parent) {
            (Some(p), true) => p.clone(),
            _ => identity.email.clone(),
        };
        let expires_ms = expiry_of(&mail.link).unwrap_or(sub.received_at_ms);
        forms
            .put_pending(&Pending {
                event_id: event_id.clone(),
                subject: contact.subject.clone(),
                form,
                expires_ms,
                parent,
                settled_by: None,
            })
            .map_err(fault)?;
        // The mail counts against the address it goes to (the person's, or
        // the parent's typed by the submitter): beyond the limit the
        // submission waits without a mail, and its expiry closes it.
        let recipient = if parent {
            sub.parent_lookup.as_deref().ok_or_else(|| {
                fault(StoreError::Fault(
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
        queue_mail(
            forms,
            site,
            &contact,
            recipient,
            &mail,
            sealed,
            sub.received_at_ms,
        )?;
    }
    Ok(appended)
}

/// Where a mail is kept and how it is listed.
pub(crate) struct SealedMail {
    /// What it is about (its key in the mailbox, its delivery's event).
    pub id: EventId,
    /// The seal's nonce.
    pub nonce: [u8; 24],
    /// The delivery's kind (`mail.confirmation`, `mail.privacy`).
    pub kind: &'static str,
}

/// Seals `mail` under the contact's key and queues it for the mailer
/// (retried and listed like a webhook), if the address it goes to
/// (`recipient`, its lookup key) has had fewer than [`MAX_MAILS_PER_DAY`]
/// in [`MAIL_WINDOW_MS`]: `false` if not, and nothing is queued.
pub(crate) fn queue_mail<F: FormStore + ?Sized>(
    forms: &mut F,
    site: &SiteId,
    contact: &Contact,
    recipient: &str,
    mail: &Mail,
    sealed: SealedMail,
    now_ms: u64,
) -> Result<bool, Error> {
    let window_start = now_ms.saturating_sub(MAIL_WINDOW_MS);
    if forms.mails_to(recipient, window_start).map_err(fault)? >= MAX_MAILS_PER_DAY {
        return Ok(false);
    }
    forms.count_mail(recipient, now_ms).map_err(fault)?;
    let text = serde_json::to_vec(mail).expect("a mail serializes");
    let mut delivery = webhook::mail_delivery(&sealed.id, &contact.subject, now_ms);
    delivery.kind = sealed.kind.into();
    forms.put_delivery(&delivery).map_err(fault)?;
    forms
        .put_mail(&Sealed {
            event_id: sealed.id,
            subject: contact.subject.clone(),
            nonce: sealed.nonce,
            bytes: seal_bytes(&contact.key, &sealed.nonce, site, &contact.subject, &text),
            created_ms: now_ms,
        })
        .map_err(fault)?;
    Ok(true)
}

/// The expiry a link's token carries (the caller signed it; read back here
/// so the pending entry and the link can never disagree).
fn expiry_of(link: &str) -> Option<u64> {
    let token = link.split("token=").nth(1)?.split('&').next()?;
    let payload = token.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let claims: crate::form::token::Claims = serde_json::from_slice(&bytes).ok()?;
    Some(claims.expires_ms)
}

pub(crate) fn seal_bytes(
    key: &[u8; 32],
    nonce: &[u8; 24],
    site: &SiteId,
    subject: &SubjectId,
    text: &[u8],
) -> Vec<u8> {
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    let cipher = chacha20poly1305::XChaCha20Poly1305::new(&(*key).into());
    let aad = format!("assent/mail/v1\0{site}\0{subject}");
    cipher
        .encrypt(
            &(*nonce).into(),
            Payload {
                msg: text,
                aad: aad.as_bytes(),
            },
        )
        .expect("XChaCha20-Poly1305 seals any message under 256 GiB")
}

/// Queues the webhook deliveries of a new record (none if the record is not
/// one the CRM receives, or the site has no webhooks).
pub(crate) fn enqueue<F: FormStore + ?Sized>(
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
        .ok_or_else(|| fault(StoreError::Fault("an answer without its record".into())))?;
    let hooks: Vec<String> = config.webhooks.iter().map(|w| w.id.clone()).collect();
    for delivery in webhook::deliveries_for(&record, &hooks, now_ms) {
        forms.put_delivery(&delivery).map_err(fault)?;
    }
    Ok(())
}

/// The body of a delivery as it is sent now: the record, the subject's
/// state per offer after it, the contact opened from the vault (none once
/// erased) and the receipt.
pub fn delivery_body<L: LogStore + ?Sized, F: FormStore + ?Sized>(
    log: &L,
    forms: &F,
    site: &SiteId,
    delivery: &Delivery,
) -> Result<String, Error> {
    let entry = log
        .entry_by_event(&delivery.event_id)
        .map_err(fault)?
        .ok_or_else(|| fault(StoreError::Fault("a delivery without its record".into())))?;
    let record: StoredRecord =
        serde_json::from_str(&entry.record).map_err(|e| fault(StoreError::Fault(e.to_string())))?;
    let history: Vec<StoredRecord> = log
        .of_subject(&record.event.subject, 10_000)
        .map_err(fault)?
        .iter()
        .filter(|l| l.index <= entry.index)
        .filter_map(|l| serde_json::from_str(&l.record).ok())
        .collect();
    let offers = crate::form::state::fold(&history);
    // The contact as it stands after this record (a submission nobody
    // confirmed names nobody new: see `identity_in_force`).
    let identity = match forms.contact_of(&record.event.subject).map_err(fault)? {
        Some(contact) => identity_in_force(forms, site, &contact, &history)?,
        None => None,
    };
    let receipt = serde_json::from_str::<serde_json::Value>(&entry.answer)
        .ok()
        .and_then(|v| v["receipt"].as_str().map(str::to_owned))
        .unwrap_or_default();
    Ok(webhook::body(
        delivery,
        &record,
        entry.index,
        &offers,
        identity.as_ref(),
        &receipt,
    ))
}

/// The identity in force of `contact`, from its history in log order: the
/// newest one the person or the owner vouched for (a submission that the
/// address's holder confirmed by the mailed link, an owner's
/// rectification), else the first one submitted. A later submission that
/// nobody confirmed changes no name or phone, in the owner's export, the
/// privacy center or the CRM: its submitter may be anyone who typed the
/// address. An identity that no longer opens (erased) is none.
pub fn identity_in_force<F: FormStore + ?Sized>(
    forms: &F,
    site: &SiteId,
    contact: &Contact,
    history: &[StoredRecord],
) -> Result<Option<Identity>, Error> {
    let vouched = |r: &StoredRecord| {
        r.event.action == Action::Rectify
            || history.iter().any(|h| {
                h.event.action == Action::Confirm
                    && h.event.answers.as_ref() == Some(&r.event.event_id)
            })
    };
    let mut first = None;
    for r in history.iter().rev() {
        if let Some(sealed) = forms.identity(&r.event.event_id).map_err(fault)? {
            if vouched(r) {
                return Ok(open_identity(&sealed, contact, site).ok());
            }
            first = Some(sealed);
        }
    }
    Ok(first.and_then(|sealed| open_identity(&sealed, contact, site).ok()))
}

/// The mail a delivery of [`webhook::MAIL`] sends, opened; `None` once the
/// contact is erased.
pub fn mail_for<F: FormStore + ?Sized>(
    forms: &F,
    site: &SiteId,
    delivery: &Delivery,
) -> Result<Option<Mail>, Error> {
    let Some(sealed) = forms.mail_of(&delivery.event_id).map_err(fault)? else {
        return Ok(None);
    };
    let contact = forms.contact_of(&sealed.subject).map_err(fault)?;
    Ok(contact.and_then(|c| open_mail(&sealed, &c, site)))
}

/// Opens a sealed mail with its contact's key; `None` once the contact is
/// erased or the bytes changed.
pub fn open_mail(mail: &Sealed, contact: &Contact, site: &SiteId) -> Option<Mail> {
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    let cipher = chacha20poly1305::XChaCha20Poly1305::new(&contact.key.into());
    let aad = format!("assent/mail/v1\0{site}\0{}", mail.subject);
    let plain = cipher
        .decrypt(
            &mail.nonce.into(),
            Payload {
                msg: &mail.bytes,
                aad: aad.as_bytes(),
            },
        )
        .ok()?;
    serde_json::from_slice(&plain).ok()
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

/// The id of the event that settles `pending` in `kind` (`confirm` or
/// `expire`): derived, so the same settlement is always the same event.
pub fn settling_id(pending: &EventId, kind: &str) -> EventId {
    EventId::from_random_bytes(crate::ids::derived(
        "assent/settle/v1",
        &[kind, pending.as_str()],
    ))
}

/// Where an edge-made event says it happened.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EdgeContext {
    /// Server time.
    pub now_ms: u64,
    /// The log's origin.
    pub origin: LogOrigin,
    /// The receipts' issuer (the edge's public origin).
    pub issuer: String,
}

impl EdgeContext {
    /// The append of an event the edge made here and now: no GPC, no
    /// country, no regime (nobody's request carried them).
    pub fn request(
        &self,
        event: ConsentEvent,
        form: Option<FormFacts>,
        import: Option<crate::record::ImportFacts>,
    ) -> AppendRequest {
        AppendRequest {
            event,
            received_at_ms: self.now_ms,
            sec_gpc: false,
            country: None,
            origin: self.origin.clone(),
            issuer: self.issuer.clone(),
            form,
            regime: None,
            import,
            proof: crate::log::sequencer::Proof::Edge,
        }
    }
}

/// What a confirmation did.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Confirmed {
    /// The append's answer (a repeat on a second click).
    pub appended: Appended,
    /// The form, for the page's texts.
    pub form: FormId,
    /// The language the person saw the form in.
    pub language: String,
    /// A code was texted to the submission's phone number and is still to be
    /// typed (the page then asks for it); on a repeat, as long as the number
    /// is not proven yet.
    #[serde(default)]
    pub code_sent: bool,
}

/// What a confirmation needs to text a phone its code: the site's form
/// secret (the codes' key, and the lookup key the SMS is counted under) and
/// the sealed SMS's nonce, drawn by the caller.
#[derive(Clone, Copy)]
pub struct Texting<'a> {
    /// The site's form secret.
    pub secret: &'a crate::form::secret::FormSecret,
    /// The sealed SMS's nonce.
    pub nonce: [u8; 24],
}

fn settle_event(
    pending: &StoredRecord,
    id: EventId,
    ctx: &EdgeContext,
    ui: UiRef,
    action: Action,
) -> ConsentEvent {
    // The form's decisions stay the submission's: a confirmation settles
    // what was ticked there, and says so by repeating it.
    let path = crate::api::confirm(&pending.event.site);
    let mut event = edge_event(&pending.event, id, action, ui, path, ctx);
    event.answers = Some(pending.event.event_id.clone());
    event
}

/// `from` made again by the edge, here and now: a new id and action, the
/// control it was made with, the edge's clock, version and page (`path`),
/// no GPC and no answered event (a caller that answers one says so). Its
/// choices are `from`'s until the caller changes them.
pub(crate) fn edge_event(
    from: &ConsentEvent,
    id: EventId,
    action: Action,
    ui: UiRef,
    path: String,
    ctx: &EdgeContext,
) -> ConsentEvent {
    let mut event = from.clone();
    event.event_id = id;
    event.action = action;
    event.answers = None;
    event.ui = ui;
    event.client_time_ms = ctx.now_ms;
    event.gpc = false;
    event.widget_version = "edge".into();
    event.page = PageRef {
        origin: ctx.issuer.clone(),
        path,
    };
    event
}

/// The first answer of an edge-made record, again (a repeat).
pub(crate) fn repeat<L: LogStore + ?Sized>(log: &L, id: &EventId) -> Result<Appended, Error> {
    let entry = log.entry_by_event(id).map_err(fault)?.ok_or_else(|| {
        fault(StoreError::Fault(
            "a settled event without its record".into(),
        ))
    })?;
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

fn pending_record<L: LogStore + ?Sized>(log: &L, id: &EventId) -> Result<StoredRecord, Error> {
    let entry = log.entry_by_event(id).map_err(fault)?.ok_or_else(|| {
        fault(StoreError::Fault(
            "a pending submission without its record".into(),
        ))
    })?;
    serde_json::from_str(&entry.record).map_err(|e| fault(StoreError::Fault(e.to_string())))
}

pub(crate) fn append_settlement<L: LogStore + ?Sized>(
    log: &mut L,
    config: &SiteConfig,
    key: &SigningKey,
    record: &StoredRecord,
    event: ConsentEvent,
    outcome: Outcome,
    ctx: &EdgeContext,
) -> Result<Appended, Error> {
    // A confirmation is of the submission it answers, re-addition and all.
    let facts = record.form.clone().map(|f| FormFacts {
        outcome,
        readds: f.readds.filter(|_| outcome == Outcome::Granted),
        ..f
    });
    sequencer::append(log, config, key, ctx.request(event, facts, None))
}

/// Confirms the pending submission a verified token names (`parent`: the
/// token went to a parent). A second confirmation answers the first again;
/// a submission already closed by its expiry is [`FormError::TokenExpired`].
/// Where the confirmation leaves an offer `unverified` (a channel that needs
/// a phone), the submission's number is texted its code (`texting`), counted
/// against the number; [`Confirmed::code_sent`] says so.
pub fn confirm<L: LogStore + ?Sized, F: FormStore + ?Sized>(
    log: &mut L,
    forms: &mut F,
    config: &SiteConfig,
    key: &SigningKey,
    claims: &crate::form::token::Claims,
    texting: Texting<'_>,
    ctx: &EdgeContext,
) -> Result<Confirmed, Error> {
    let pending = pending_of(forms, claims)?;
    let record = pending_record(log, &pending.event_id)?;
    let id = settling_id(&pending.event_id, "confirm");
    let language = record.event.notice.language.clone();
    if let Some(by) = &pending.settled_by {
        if *by != id {
            return Err(Error::Form(FormError::TokenExpired));
        }
        return Ok(Confirmed {
            appended: repeat(log, &id)?,
            code_sent: code_waits(log, forms, &pending.event_id)?,
            form: pending.form,
            language,
        });
    }
    // In the recycle bin, nothing is processed: the link is dead unless the
    // owner restores the subject in time.
    if forms.binned(&pending.subject).map_err(fault)?.is_some() {
        return Err(Error::Form(FormError::TokenExpired));
    }
    let control = if pending.parent {
        Control::ParentConfirm
    } else {
        Control::Confirm
    };
    let event = settle_event(
        &record,
        id.clone(),
        ctx,
        UiRef {
            surface: Surface::Mail,
            control,
        },
        Action::Confirm,
    );
    let appended = append_settlement(log, config, key, &record, event, Outcome::Granted, ctx)?;
    forms.settle(&pending.event_id, &id).map_err(fault)?;
    enqueue(forms, config, &appended, ctx.now_ms)?;
    let code_sent = appended.status == AppendStatus::New
        && text_code(log, forms, config, &pending, &id, texting, ctx.now_ms)?;
    Ok(Confirmed {
        appended,
        form: pending.form,
        language,
        code_sent,
    })
}

/// The pending submission a verified token names, if the token is the one
/// made for it (the person's, or a parent's).
fn pending_of<F: FormStore + ?Sized>(
    forms: &F,
    claims: &crate::form::token::Claims,
) -> Result<Pending, Error> {
    forms
        .pending(&claims.pending)
        .map_err(fault)?
        .filter(|p| p.parent == claims.parent && p.form == claims.form)
        .ok_or(Error::Form(FormError::TokenInvalid))
}

/// A subject's records, oldest first.
fn records_of<L: LogStore + ?Sized>(
    log: &L,
    subject: &SubjectId,
) -> Result<Vec<StoredRecord>, Error> {
    Ok(log
        .of_subject(subject, 10_000)
        .map_err(fault)?
        .iter()
        .filter_map(|l| serde_json::from_str(&l.record).ok())
        .collect())
}

/// Texts the submission's number its code if the confirmation `by` left an
/// offer `unverified`: `true` if the SMS was queued (the number's limit
/// allowed it).
fn text_code<L: LogStore + ?Sized, F: FormStore + ?Sized>(
    log: &L,
    forms: &mut F,
    config: &SiteConfig,
    pending: &Pending,
    by: &EventId,
    texting: Texting<'_>,
    now_ms: u64,
) -> Result<bool, Error> {
    use crate::form::state::OfferState;
    let left_unverified = crate::form::state::fold(&records_of(log, &pending.subject)?)
        .values()
        .any(|s| s.state == OfferState::Unverified && s.event_id == *by);
    if !left_unverified {
        return Ok(false);
    }
    let (Some(contact), Some(sealed)) = (
        forms.contact_of(&pending.subject).map_err(fault)?,
        forms.identity(&pending.event_id).map_err(fault)?,
    ) else {
        return Ok(false);
    };
    // The number of this submission: the one the code proves.
    let Some(number) = open_identity(&sealed, &contact, &config.site)?.phone else {
        return Ok(false);
    };
    let code = crate::form::phone::code(texting.secret.phone(), &pending.event_id);
    let sms = Mail {
        to: number.clone(),
        subject: crate::form::phone::SMS_SUBJECT.into(),
        text: crate::form::phone::sms_text(&config.controller.name, &code),
        link: String::new(),
    };
    // Counted against the number, as a mail against its address (a number
    // and an address never share a lookup key: one has an '@').
    let recipient =
        crate::form::identity::lookup_key(texting.secret.lookup(), &config.site, &number);
    let sealed = SealedMail {
        id: settling_id(&pending.event_id, "sms"),
        nonce: texting.nonce,
        kind: crate::form::phone::SMS_KIND,
    };
    queue_mail(
        forms,
        &config.site,
        &contact,
        &recipient,
        &sms,
        sealed,
        now_ms,
    )
}

/// Whether a code was texted for `pending` and still waits to be typed: not
/// typed right yet, not killed by wrong tries.
fn code_waits<L: LogStore + ?Sized, F: FormStore + ?Sized>(
    log: &L,
    forms: &F,
    pending: &EventId,
) -> Result<bool, Error> {
    Ok(forms
        .mail_of(&settling_id(pending, "sms"))
        .map_err(fault)?
        .is_some()
        && log
            .entry_by_event(&settling_id(pending, "phone"))
            .map_err(fault)?
            .is_none()
        && forms.phone_tries(pending).map_err(fault)? < crate::form::phone::MAX_TRIES)
}

/// Checks the code `typed` for the phone number of the submission a
/// verified token names, once its link confirmed it: the right code appends
/// a confirmation (surface `mail`, control `phone_confirm`) that answers the
/// submission and grants the offers the link left `unverified`, and tells
/// the CRM (`opt_in.confirmed`); the right code again answers the first.
/// A wrong code is [`FormError::PhoneCodeInvalid`], counted; the one that
/// reaches [`MAX_TRIES`](crate::form::phone::MAX_TRIES), and every try
/// after it, [`FormError::PhoneCodeExhausted`]. A submission the link has
/// not confirmed, or for which no code was sent, takes no code
/// ([`FormError::PhoneCodeInvalid`], not counted); one closed otherwise
/// (expired, erased) or in the recycle bin is [`FormError::TokenExpired`].
/// `phone_key` is the site's [`FormSecret::phone`](crate::form::secret::FormSecret::phone).
#[allow(clippy::too_many_arguments)]
pub fn verify_phone<L: LogStore + ?Sized, F: FormStore + ?Sized>(
    log: &mut L,
    forms: &mut F,
    config: &SiteConfig,
    key: &SigningKey,
    phone_key: &[u8; 32],
    claims: &crate::form::token::Claims,
    typed: &str,
    ctx: &EdgeContext,
) -> Result<Confirmed, Error> {
    use crate::form::phone::{matches, MAX_TRIES};
    let pending = pending_of(forms, claims)?;
    let confirmed_by = settling_id(&pending.event_id, "confirm");
    match &pending.settled_by {
        Some(by) if *by == confirmed_by => {}
        Some(_) => return Err(Error::Form(FormError::TokenExpired)),
        // Not confirmed by the link yet: no code went out.
        None => return Err(Error::Form(FormError::PhoneCodeInvalid)),
    }
    let record = pending_record(log, &pending.event_id)?;
    let language = record.event.notice.language.clone();
    let id = settling_id(&pending.event_id, "phone");
    let done = log.entry_by_event(&id).map_err(fault)?.is_some();
    if done {
        if !matches(phone_key, &pending.event_id, typed) {
            return Err(Error::Form(FormError::PhoneCodeInvalid));
        }
        return Ok(Confirmed {
            appended: repeat(log, &id)?,
            form: pending.form,
            language,
            code_sent: false,
        });
    }
    let sent = forms
        .mail_of(&settling_id(&pending.event_id, "sms"))
        .map_err(fault)?
        .is_some();
    if !sent {
        return Err(Error::Form(FormError::PhoneCodeInvalid));
    }
    let tries = forms.phone_tries(&pending.event_id).map_err(fault)?;
    if tries >= MAX_TRIES {
        return Err(Error::Form(FormError::PhoneCodeExhausted));
    }
    if !matches(phone_key, &pending.event_id, typed) {
        forms.count_phone_try(&pending.event_id).map_err(fault)?;
        return Err(Error::Form(if tries + 1 >= MAX_TRIES {
            FormError::PhoneCodeExhausted
        } else {
            FormError::PhoneCodeInvalid
        }));
    }
    if forms.binned(&pending.subject).map_err(fault)?.is_some() {
        return Err(Error::Form(FormError::TokenExpired));
    }
    let mut event = settle_event(
        &record,
        id,
        ctx,
        UiRef {
            surface: Surface::Mail,
            control: Control::PhoneConfirm,
        },
        Action::Confirm,
    );
    event.page.path = crate::api::confirm_phone(&config.site);
    let appended = append_settlement(log, config, key, &record, event, Outcome::Granted, ctx)?;
    enqueue(forms, config, &appended, ctx.now_ms)?;
    Ok(Confirmed {
        appended,
        form: pending.form,
        language,
        code_sent: false,
    })
}

/// Withdraws, for `subject`, the offers named (all when `None`) that are
/// granted or wait: one `withdraw` event (surface `api`) on the form of the
/// subject's last form record, its unticked offers the ones withdrawn, and
/// a webhook `opt_in.withdrawn`. Nothing to withdraw is
/// [`FormError::NothingToWithdraw`].
#[allow(clippy::too_many_arguments)]
pub fn withdraw<L: LogStore + ?Sized, F: FormStore + ?Sized>(
    log: &mut L,
    forms: &mut F,
    config: &SiteConfig,
    key: &SigningKey,
    subject: &SubjectId,
    offers: Option<&[String]>,
    event_id: EventId,
    ctx: &EdgeContext,
) -> Result<Appended, Error> {
    let records: Vec<StoredRecord> = log
        .of_subject(subject, 10_000)
        .map_err(fault)?
        .iter()
        .filter_map(|l| serde_json::from_str(&l.record).ok())
        .collect();
    let state = crate::form::state::fold(&records);
    let last = records
        .iter()
        .rev()
        .find(|r| r.event.form.is_some() && r.form.is_some())
        .ok_or(Error::Form(FormError::NothingToWithdraw))?;
    let choice = last.event.form.as_ref().expect("found with a form");
    use crate::form::state::OfferState::{
        Granted, ParentalConsentRequired, Pending as Waiting, Unverified,
    };
    let mut decided = alloc::collections::BTreeMap::new();
    let mut any = false;
    for key in choice.offers.keys() {
        let wanted = offers.is_none_or(|list| list.iter().any(|o| o == key));
        let holds = state.get(key).is_some_and(|s| {
            matches!(
                s.state,
                Granted | Waiting | ParentalConsentRequired | Unverified
            )
        });
        any |= wanted && holds;
        decided.insert(key.clone(), holds && !wanted);
    }
    if !any {
        return Err(Error::Form(FormError::NothingToWithdraw));
    }
    let ui = UiRef {
        surface: Surface::Api,
        control: Control::Api,
    };
    let mut event = settle_event(last, event_id, ctx, ui, Action::Withdraw);
    event.answers = None;
    event.page.path = crate::api::my_withdraw(&config.site);
    event.form = Some(crate::event::FormChoice {
        id: choice.id.clone(),
        offers: decided,
    });
    let appended = append_settlement(log, config, key, last, event, Outcome::Withdrawn, ctx)?;
    enqueue(forms, config, &appended, ctx.now_ms)?;
    Ok(appended)
}

/// Closes up to `limit` pending submissions whose links expired by
/// `ctx.now_ms`, each with an `expire` event; returns how many.
pub fn expire_due<L: LogStore + ?Sized, F: FormStore + ?Sized>(
    log: &mut L,
    forms: &mut F,
    config: &SiteConfig,
    key: &SigningKey,
    ctx: &EdgeContext,
    limit: u64,
) -> Result<u64, Error> {
    let due = forms.due(ctx.now_ms, limit).map_err(fault)?;
    for pending in &due {
        let record = pending_record(log, &pending.event_id)?;
        let id = settling_id(&pending.event_id, "expire");
        let ui = UiRef {
            surface: Surface::Schedule,
            control: Control::Expire,
        };
        let event = settle_event(&record, id.clone(), ctx, ui, Action::Expire);
        append_settlement(log, config, key, &record, event, Outcome::Expired, ctx)?;
        forms.settle(&pending.event_id, &id).map_err(fault)?;
    }
    Ok(due.len() as u64)
}

/// An in-memory [`FormStore`] for tools and tests.
#[derive(Debug, Clone, Default)]
pub struct MemoryFormStore {
    contacts: Vec<Contact>,
    identities: Vec<Sealed>,
    pending: Vec<Pending>,
    mails: Vec<Sealed>,
    mail_counts: Vec<(String, u64)>,
    phone_tries: Vec<EventId>,
    deliveries: Vec<Delivery>,
    suppressions: Vec<Suppression>,
    bin: crate::rights::bin::MemoryBinStore,
}

impl MemoryFormStore {
    /// Every sealed byte string and key held, for tests that search them.
    pub fn raw_bytes(&self) -> Vec<Vec<u8>> {
        let sealed = self
            .identities
            .iter()
            .chain(&self.mails)
            .map(|s| s.bytes.clone());
        let keys = self.contacts.iter().flat_map(|c| {
            [
                c.lookup.as_bytes().to_vec(),
                c.key.to_vec(),
                c.salt.to_vec(),
            ]
        });
        sealed.chain(keys).collect()
    }
}

impl FormStore for MemoryFormStore {
    fn contact(&self, lookup: &str) -> Result<Option<Contact>, StoreError> {
        Ok(self.contacts.iter().find(|c| c.lookup == lookup).cloned())
    }
    fn contact_of(&self, subject: &SubjectId) -> Result<Option<Contact>, StoreError> {
        Ok(self
            .contacts
            .iter()
            .find(|c| c.subject == *subject)
            .cloned())
    }
    fn contacts_after(
        &self,
        after: Option<&SubjectId>,
        limit: u64,
    ) -> Result<Vec<Contact>, StoreError> {
        let mut out: Vec<Contact> = self
            .contacts
            .iter()
            .filter(|c| after.is_none_or(|a| c.subject > *a))
            .cloned()
            .collect();
        out.sort_by(|a, b| a.subject.cmp(&b.subject));
        out.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(out)
    }
    fn put_contact(&mut self, contact: &Contact) -> Result<(), StoreError> {
        if self
            .contacts
            .iter()
            .any(|c| c.lookup == contact.lookup || c.subject == contact.subject)
        {
            return Err(StoreError::Conflict);
        }
        self.contacts.push(contact.clone());
        Ok(())
    }
    fn put_identity(&mut self, sealed: &Sealed) -> Result<(), StoreError> {
        if !self
            .identities
            .iter()
            .any(|s| s.event_id == sealed.event_id)
        {
            self.identities.push(sealed.clone());
        }
        Ok(())
    }
    fn identity(&self, event_id: &EventId) -> Result<Option<Sealed>, StoreError> {
        Ok(self
            .identities
            .iter()
            .find(|s| s.event_id == *event_id)
            .cloned())
    }
    fn put_pending(&mut self, pending: &Pending) -> Result<(), StoreError> {
        if self.pending.iter().any(|p| p.event_id == pending.event_id) {
            return Err(StoreError::Conflict);
        }
        self.pending.push(pending.clone());
        Ok(())
    }
    fn pending(&self, event_id: &EventId) -> Result<Option<Pending>, StoreError> {
        Ok(self
            .pending
            .iter()
            .find(|p| p.event_id == *event_id)
            .cloned())
    }
    fn settle(&mut self, event_id: &EventId, by: &EventId) -> Result<(), StoreError> {
        let p = self
            .pending
            .iter_mut()
            .find(|p| p.event_id == *event_id)
            .ok_or(StoreError::Fault("no such pending".into()))?;
        p.settled_by = Some(by.clone());
        Ok(())
    }
    fn mails_to(&self, recipient: &str, since_ms: u64) -> Result<u64, StoreError> {
        Ok(self
            .mail_counts
            .iter()
            .filter(|(r, at)| r == recipient && *at >= since_ms)
            .count() as u64)
    }
    fn count_mail(&mut self, recipient: &str, at_ms: u64) -> Result<(), StoreError> {
        let window_start = at_ms.saturating_sub(MAIL_WINDOW_MS);
        self.mail_counts.retain(|(_, at)| *at >= window_start);
        self.mail_counts.push((recipient.to_string(), at_ms));
        Ok(())
    }
    fn phone_tries(&self, pending: &EventId) -> Result<u64, StoreError> {
        Ok(self.phone_tries.iter().filter(|p| *p == pending).count() as u64)
    }
    fn count_phone_try(&mut self, pending: &EventId) -> Result<(), StoreError> {
        self.phone_tries.push(pending.clone());
        Ok(())
    }
    fn due(&self, now_ms: u64, limit: u64) -> Result<Vec<Pending>, StoreError> {
        let mut due: Vec<Pending> = self
            .pending
            .iter()
            .filter(|p| p.settled_by.is_none() && p.expires_ms <= now_ms)
            .cloned()
            .collect();
        due.sort_by_key(|p| p.expires_ms);
        due.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(due)
    }
    fn next_due(&self) -> Result<Option<u64>, StoreError> {
        Ok(self
            .pending
            .iter()
            .filter(|p| p.settled_by.is_none())
            .map(|p| p.expires_ms)
            .min())
    }
    fn put_mail(&mut self, mail: &Sealed) -> Result<(), StoreError> {
        self.mails.push(mail.clone());
        Ok(())
    }
    fn mails(&self, limit: u64) -> Result<Vec<Sealed>, StoreError> {
        Ok(self
            .mails
            .iter()
            .rev()
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .cloned()
            .collect())
    }
    fn mail_of(&self, event_id: &EventId) -> Result<Option<Sealed>, StoreError> {
        Ok(self.mails.iter().find(|m| m.event_id == *event_id).cloned())
    }
    fn put_delivery(&mut self, delivery: &Delivery) -> Result<u64, StoreError> {
        let id = self.deliveries.len() as u64 + 1;
        self.deliveries.push(Delivery {
            id,
            ..delivery.clone()
        });
        Ok(id)
    }
    fn update_delivery(&mut self, delivery: &Delivery) -> Result<(), StoreError> {
        let d = self
            .deliveries
            .iter_mut()
            .find(|d| d.id == delivery.id)
            .ok_or(StoreError::Fault("no such delivery".into()))?;
        *d = delivery.clone();
        Ok(())
    }
    fn due_deliveries(&self, now_ms: u64, limit: u64) -> Result<Vec<Delivery>, StoreError> {
        let mut due: Vec<Delivery> = self
            .deliveries
            .iter()
            .filter(|d| d.state == DeliveryState::Pending && d.next_ms.is_some_and(|n| n <= now_ms))
            .filter(|d| !self.bin.holds(&d.subject))
            .cloned()
            .collect();
        due.sort_by_key(|d| (d.next_ms, d.id));
        due.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(due)
    }
    fn next_delivery(&self) -> Result<Option<u64>, StoreError> {
        Ok(self
            .deliveries
            .iter()
            .filter(|d| d.state == DeliveryState::Pending && !self.bin.holds(&d.subject))
            .filter_map(|d| d.next_ms)
            .min())
    }
    fn deliveries(&self, limit: u64) -> Result<Vec<Delivery>, StoreError> {
        Ok(self
            .deliveries
            .iter()
            .rev()
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .cloned()
            .collect())
    }
    fn shred(&mut self, subject: &SubjectId, by: &EventId) -> Result<(), StoreError> {
        for p in self
            .pending
            .iter_mut()
            .filter(|p| p.subject == *subject && p.settled_by.is_none())
        {
            p.settled_by = Some(by.clone());
        }
        self.identities.retain(|s| s.subject != *subject);
        self.mails.retain(|s| s.subject != *subject);
        self.contacts.retain(|c| c.subject != *subject);
        Ok(())
    }
    fn put_suppression(&mut self, entry: &Suppression) -> Result<(), StoreError> {
        if !self.suppressions.iter().any(|s| s.lookup == entry.lookup) {
            self.suppressions.push(entry.clone());
        }
        Ok(())
    }
    fn suppression(&self, lookup: &str) -> Result<Option<Suppression>, StoreError> {
        Ok(self
            .suppressions
            .iter()
            .find(|s| s.lookup == lookup)
            .cloned())
    }
}

impl crate::rights::bin::BinStore for MemoryFormStore {
    fn put_binned(&mut self, entry: &crate::rights::bin::Binned) -> Result<(), StoreError> {
        self.bin.put_binned(entry)
    }
    fn binned(
        &self,
        subject: &SubjectId,
    ) -> Result<Option<crate::rights::bin::Binned>, StoreError> {
        self.bin.binned(subject)
    }
    fn unbin(&mut self, subject: &SubjectId) -> Result<(), StoreError> {
        self.bin.unbin(subject)
    }
    fn binned_until(
        &self,
        until_ms: u64,
        limit: u64,
    ) -> Result<Vec<crate::rights::bin::Binned>, StoreError> {
        self.bin.binned_until(until_ms, limit)
    }
}
