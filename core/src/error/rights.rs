//! A data-subject request cannot be answered as asked.

#[allow(unused_imports)]
use crate::prelude::*;

use thiserror::Error as ThisError;

use super::Error;

/// A data-subject request cannot be answered as asked.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum RightsError {
    /// The log holds no record of this subject and the vault no contact (404).
    #[error("no such subject on this site")]
    SubjectUnknown,
    /// No request of this site has this id (404).
    #[error("no such request")]
    RequestUnknown,
    /// The request was fulfilled or refused already (409).
    #[error("this request was decided already")]
    RequestDecided,
    /// The subject was erased: nothing more can be done with them (410).
    #[error("this subject was erased")]
    SubjectErased,
    /// A restriction is lifted where none holds (409).
    #[error("processing of this subject is not restricted")]
    NotRestricted,
    /// A privacy center link was opened before: links are single-use (410).
    #[error("this link was used already; ask for a new one")]
    LinkUsed,
    /// A subject key that is malformed, or not the key of this subject (or
    /// the subject has none): alike, so the answer tells nothing (401).
    #[error("this is not the key of this subject")]
    SubjectKeyInvalid,
    /// A restore names a subject that is not in the recycle bin: never
    /// deleted, or restored already (409).
    #[error("this subject is not in the recycle bin")]
    NotInRecycleBin,
    /// The subject is in the recycle bin: nothing is processed for them
    /// until the owner restores them (409).
    #[error("this subject is in the recycle bin; restore it first")]
    SubjectInRecycleBin,
    /// The address is on none of the site's opt-out or block lists (an
    /// erasure's suppression is the erasure's, not a list's) (404).
    #[error("this address is on no list of this site")]
    NotListed,
    /// An owner's record of consent given offline, or of a lawful basis,
    /// breaks a rule: `field` names the field (400).
    #[error("{field}: {reason}")]
    AttestationInvalid {
        /// The field at fault (`offers`, `given_on`, `note`, ...).
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The person objected to this channel: only their own confirmed
    /// opt-in lifts it, never the owner's word (409).
    #[error("the person objected to contact on this channel")]
    Objected,
    /// The address is on the site's opt-out or block list: the owner
    /// cannot record consent for it (409).
    #[error("this address is on the site's opt-out or block list")]
    AddressListed,
    /// A request is not one the law knows as asked: an objection without
    /// its channel, a detail on anything but a rectification, a refusal
    /// without its reason (400).
    #[error("request: {reason}")]
    RequestInvalid {
        /// What is wrong with it.
        reason: String,
    },
    /// A site's closing day is not a day after today, within a year (400).
    #[error("closing: {reason}")]
    ClosingInvalid {
        /// What is wrong with it.
        reason: String,
    },
    /// The site's closing day has come: its anonymisation runs and cannot
    /// be moved or taken back (409).
    #[error("the site's closing day has come")]
    SiteClosed,
    /// No closing is set for this site (404).
    #[error("no closing is set for this site")]
    NotClosing,
    /// A breach record or update breaks a rule: a text empty, too long or
    /// with a control character, a time not as `YYYY-MM-DDTHH:MMZ` or in the
    /// future, days out of order, or a late notification without the
    /// reasons for its delay (400).
    #[error("breach: {reason}")]
    BreachInvalid {
        /// What is wrong with it.
        reason: String,
    },
    /// No incident of the register has this id (404).
    #[error("no such incident in the breach register")]
    BreachUnknown,
    /// The incident is closed: both notifications are decided (409).
    #[error("the incident is closed")]
    BreachClosed,
    /// A backup does not read: another key, a chunk out of its place or
    /// missing, a page of the wrong shape, or a restore whose result does
    /// not match what the backup holds (400).
    #[error("backup: {reason}")]
    BackupInvalid {
        /// What is wrong with it.
        reason: String,
    },
    /// A restore goes only into an empty site: this one holds records,
    /// contacts or keys (409).
    #[error("the site is not empty: a restore goes only into an empty site")]
    SiteNotEmpty,
    /// A note about a contact is empty, too long, or holds control
    /// characters (400).
    #[error("note: {reason}")]
    NoteInvalid {
        /// What is wrong with it.
        reason: String,
    },
}

impl RightsError {
    /// The stable machine-readable code, e.g. `subject_unknown`.
    pub fn code(&self) -> &'static str {
        match self {
            RightsError::SubjectUnknown => "subject_unknown",
            RightsError::RequestUnknown => "request_unknown",
            RightsError::RequestDecided => "request_decided",
            RightsError::LinkUsed => "link_used",
            RightsError::SubjectErased => "subject_erased",
            RightsError::NotRestricted => "not_restricted",
            RightsError::SubjectKeyInvalid => "subject_key_invalid",
            RightsError::NotInRecycleBin => "not_in_recycle_bin",
            RightsError::SubjectInRecycleBin => "subject_in_recycle_bin",
            RightsError::NotListed => "not_listed",
            RightsError::AttestationInvalid { .. } => "attestation_invalid",
            RightsError::Objected => "objected",
            RightsError::AddressListed => "address_listed",
            RightsError::NoteInvalid { .. } => "note_invalid",
            RightsError::ClosingInvalid { .. } => "closing_invalid",
            RightsError::RequestInvalid { .. } => "request_invalid",
            RightsError::SiteClosed => "site_closed",
            RightsError::NotClosing => "not_closing",
            RightsError::BreachInvalid { .. } => "breach_invalid",
            RightsError::BreachUnknown => "breach_unknown",
            RightsError::BreachClosed => "breach_closed",
            RightsError::BackupInvalid { .. } => "backup_invalid",
            RightsError::SiteNotEmpty => "site_not_empty",
        }
    }
}

impl From<RightsError> for Error {
    fn from(e: RightsError) -> Self {
        Error::Rights(e)
    }
}
