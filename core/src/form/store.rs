//! What a site keeps beside its log, by capability: the contacts and their
//! sealed identities ([`Contacts`]), the submissions waiting for a
//! confirmation ([`Confirmations`]), the sealed mails and their counts
//! ([`Mailbox`]), the webhook and mail deliveries ([`Outbox`]), the
//! suppressed addresses ([`Suppressions`]) and the recycle bin
//! ([`BinStore`]). A [`FormStore`] is all of them; an operation asks only
//! for the capabilities it uses. The edge implements them on a Durable
//! Object's SQLite, tools and tests on
//! [`MemoryFormStore`](crate::form::memory::MemoryFormStore).
//!
//! Nothing stored here is readable without a contact's key: identities and
//! mails are sealed, lookups are HMACs. Erasing a contact shreds the key.

use serde::{Deserialize, Serialize};

use crate::form::webhook::Delivery;
use crate::ids::{EventId, FormId, SubjectId};
use crate::log::store::StoreError;
pub use crate::record::SuppressionKind;
use crate::utc::rfc3339;

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

/// An address that may not be opted in silently, or at all: the lookup key
/// of an erased contact or of an imported opt-out or block list. Holds no
/// identity: the lookup key is an HMAC under the site's secret.
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

/// The contacts and the identity vault.
pub trait Contacts {
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
    /// Stores a sealed note about a contact (`form::notes`; its id is the
    /// sealed value's `event_id`, a second one with that id is ignored).
    fn put_note(&mut self, sealed: &Sealed) -> Result<(), StoreError>;
    /// A contact's sealed notes, oldest first.
    fn notes(&self, subject: &SubjectId) -> Result<Vec<Sealed>, StoreError>;
    /// Crypto-shreds a subject: overwrites, then deletes, their contact
    /// (salt and key), sealed identities, notes and mails, and settles their
    /// open pending submissions by `by` (their links stop working).
    fn shred(&mut self, subject: &SubjectId, by: &EventId) -> Result<(), StoreError>;
}

/// The submissions waiting for a confirmation, and the phone codes typed.
pub trait Confirmations {
    /// Stores a pending submission.
    fn put_pending(&mut self, pending: &Pending) -> Result<(), StoreError>;
    /// A pending submission, settled or not.
    fn pending(&self, event_id: &EventId) -> Result<Option<Pending>, StoreError>;
    /// Marks a pending submission settled by `by`.
    fn settle(&mut self, event_id: &EventId, by: &EventId) -> Result<(), StoreError>;
    /// Up to `limit` unsettled submissions expired at `now_ms`, oldest first.
    fn due(&self, now_ms: u64, limit: u64) -> Result<Vec<Pending>, StoreError>;
    /// When the next unsettled submission expires.
    fn next_due(&self) -> Result<Option<u64>, StoreError>;
    /// How many wrong phone codes were typed for the pending submission
    /// `pending` ([`crate::form::phone::MAX_TRIES`] at most count).
    fn phone_tries(&self, pending: &EventId) -> Result<u64, StoreError>;
    /// Counts one wrong phone code for `pending`.
    fn count_phone_try(&mut self, pending: &EventId) -> Result<(), StoreError>;
}

/// The sealed mails (and texts), and how many went to each address.
pub trait Mailbox {
    /// How many mails to the address with lookup key `recipient` were
    /// queued at or after `since_ms`.
    fn mails_to(&self, recipient: &str, since_ms: u64) -> Result<u64, StoreError>;
    /// Counts one mail to `recipient` at `at_ms` (a lookup key: it names
    /// nobody); counts older than
    /// [`MAIL_WINDOW_MS`](crate::form::mail::MAIL_WINDOW_MS) may be dropped.
    fn count_mail(&mut self, recipient: &str, at_ms: u64) -> Result<(), StoreError>;
    /// Stores a sealed mail (keyed by the event it is about).
    fn put_mail(&mut self, mail: &Sealed) -> Result<(), StoreError>;
    /// Up to `limit` mails, newest first.
    fn mails(&self, limit: u64) -> Result<Vec<Sealed>, StoreError>;
    /// The mail about an event.
    fn mail_of(&self, event_id: &EventId) -> Result<Option<Sealed>, StoreError>;
}

/// The webhook and mail deliveries, with their retries.
pub trait Outbox {
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
}

/// The suppressed addresses (erased contacts, imported opt-out and block
/// lists).
pub trait Suppressions {
    /// Adds a suppression entry; one for a lookup already listed replaces
    /// it only if its kind is stronger ([`SuppressionKind`]'s order).
    fn put_suppression(&mut self, entry: &Suppression) -> Result<(), StoreError>;
    /// The suppression entry of a lookup key.
    fn suppression(&self, lookup: &str) -> Result<Option<Suppression>, StoreError>;
    /// Up to `limit` entries after lookup key `after`, by lookup key, of
    /// `kind` only when given (the owner's list and export).
    fn suppressions(
        &self,
        after: Option<&str>,
        kind: Option<SuppressionKind>,
        limit: u64,
    ) -> Result<Vec<Suppression>, StoreError>;
    /// Takes a lookup key's entry out; answers it, if there was one.
    fn remove_suppression(&mut self, lookup: &str) -> Result<Option<Suppression>, StoreError>;
}

/// Everything a site keeps beside its log: what a form's and the rights'
/// operations that touch several capabilities ask for.
pub trait FormStore: Contacts + Confirmations + Mailbox + Outbox + Suppressions + BinStore {}

impl<T: Contacts + Confirmations + Mailbox + Outbox + Suppressions + BinStore + ?Sized> FormStore
    for T
{
}

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

/// The whole site anonymised by a day (`rights::retention`, the end of a
/// contract): set by the operator, read by the schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closing {
    /// Every contact is anonymised from this time on (ms since the epoch).
    pub anonymise_by_ms: u64,
    /// When it was set.
    pub set_ms: u64,
    /// Who set it (the audit trail's name).
    pub by: String,
}

/// Where the recycle bin ([`crate::rights::bin`]) is kept: beside the
/// forms' storage (every [`FormStore`] is one, so the forms' rules can see
/// who is binned).
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
    /// The site's closing, if one is set (the erasure of everyone by a day,
    /// kept with the bin: both are erasures that wait for their time).
    fn closing(&self) -> Result<Option<Closing>, StoreError>;
    /// Sets the site's closing, or takes it back (`None`).
    fn set_closing(&mut self, closing: Option<&Closing>) -> Result<(), StoreError>;
}
