//! An opt-in form submission, its identity fields or a confirmation token do

#[allow(unused_imports)]
use crate::prelude::*;

use thiserror::Error as ThisError;

use super::Error;

/// An opt-in form submission, its identity fields or a confirmation token do
/// not check out. Messages never repeat an identity value: they may be logged.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum FormError {
    /// The site has no form with this id.
    #[error("form {form:?} is not offered by this site")]
    FormUnknown {
        /// The form id sent (truncated).
        form: String,
    },
    /// A form event decides on a channel and purpose pair the form does not offer.
    #[error("form offers no {offer:?}")]
    OfferUnknown {
        /// The `channel:purpose` key sent (truncated).
        offer: String,
    },
    /// A form event has no decision for a pair the form offers (an unticked
    /// box is sent as `false`: the proof says it was shown and left empty).
    #[error("no decision for {offer:?}")]
    OfferMissing {
        /// The `channel:purpose` key.
        offer: String,
    },
    /// A form event carries banner decisions, or a banner event a form's.
    #[error("{reason}")]
    SurfaceMismatch {
        /// What does not fit.
        reason: String,
    },
    /// A field the form needs is empty: the email always, a name or phone
    /// number the form requires, a phone number for a ticked SMS or phone
    /// offer, a parent's email or the age where the form asks for them.
    #[error("field {field} is required")]
    FieldRequired {
        /// The field.
        field: String,
    },
    /// A field the form does not ask for was sent.
    #[error("field {field} is not asked by this form")]
    FieldNotAsked {
        /// The field.
        field: String,
    },
    /// The email address is not one a message can be sent to.
    #[error("the email address is invalid: {reason}")]
    EmailInvalid {
        /// What is wrong (never the address).
        reason: String,
    },
    /// The phone number is not one of its country's: international (`+` or
    /// `00`), or national read with the form's or the visitor's country.
    #[error("the phone number is invalid")]
    PhoneInvalid,
    /// The name is empty after trimming, too long or holds control characters.
    #[error("the name is invalid")]
    NameInvalid,
    /// The age or birth year is outside what a person can have.
    #[error("the age is invalid")]
    AgeInvalid,
    /// A confirmation token is malformed or its signature does not verify
    /// (forged, or cut short in a mail client).
    #[error("the confirmation link is invalid")]
    TokenInvalid,
    /// A confirmation token verified but its time is up.
    #[error("the confirmation link has expired")]
    TokenExpired,
    /// A confirmation token of another site or another form.
    #[error("the confirmation link is for another site or form")]
    TokenScope,
    /// A withdrawal names no offer the subject has granted or that waits.
    #[error("nothing to withdraw")]
    NothingToWithdraw,
    /// A submission ticks no offer: nothing is stored (no contact, no
    /// record, no mail), and the form says so.
    #[error("nothing was ticked, so nothing was stored")]
    NothingChosen,
    /// The code typed is not the one texted for this submission (or no code
    /// was texted for it); counted, up to
    /// [`phone::MAX_TRIES`](crate::form::phone::MAX_TRIES).
    #[error("the code is not the one we sent")]
    PhoneCodeInvalid,
    /// The submission's code took its last wrong try: it no longer works
    /// (the phone offers stay unverified; a new submission sends a new code).
    #[error("too many wrong codes: this code no longer works")]
    PhoneCodeExhausted,
    /// A sealed identity does not open: another key, another subject, or a
    /// changed byte. A fault of the vault, never the caller's.
    #[error("a sealed identity does not open")]
    VaultUnreadable,
    /// The address is on the site's block list: nothing is stored. Between
    /// the edge and its log object only: the public answer to the
    /// submission reads as any other's, so a list is never revealed.
    #[error("the address is blocked")]
    AddressBlocked,
}

impl FormError {
    /// The stable machine-readable code, e.g. `email_invalid`.
    pub fn code(&self) -> &'static str {
        match self {
            FormError::FormUnknown { .. } => "form_unknown",
            FormError::OfferUnknown { .. } => "offer_unknown",
            FormError::OfferMissing { .. } => "offer_missing",
            FormError::SurfaceMismatch { .. } => "surface_mismatch",
            FormError::FieldRequired { .. } => "field_required",
            FormError::FieldNotAsked { .. } => "field_not_asked",
            FormError::EmailInvalid { .. } => "email_invalid",
            FormError::PhoneInvalid => "phone_invalid",
            FormError::NameInvalid => "name_invalid",
            FormError::AgeInvalid => "age_invalid",
            FormError::TokenInvalid => "token_invalid",
            FormError::TokenExpired => "token_expired",
            FormError::TokenScope => "token_scope",
            FormError::VaultUnreadable => "vault_unreadable",
            FormError::NothingToWithdraw => "nothing_to_withdraw",
            FormError::NothingChosen => "nothing_chosen",
            FormError::PhoneCodeInvalid => "phone_code_invalid",
            FormError::PhoneCodeExhausted => "phone_code_exhausted",
            FormError::AddressBlocked => "address_blocked",
        }
    }
}

impl From<FormError> for Error {
    fn from(e: FormError) -> Self {
        Error::Form(e)
    }
}
