//! The one error type of `assent-core`, grouped by category the way rustls
//! groups its `Error`: [`Error`] names the category (configuration, syntax,
//! event, log and proof, key and receipt, storage), and each category is an enum of its own whose
//! variants say exactly what is wrong.
//!
//! Every variant has a stable, machine-readable code ([`Error::code`]). Codes
//! are part of the public contract (the edge returns them to clients, golden
//! vectors assert them): a code is never renamed or reused for another
//! meaning, and regrouping changed none. Messages are for people and may change.
//!
//! ```
//! use assent_core::error::{Error, EventError};
//!
//! let e = Error::from(EventError::PurposeUnknown { purpose: "telemetry".into() });
//! assert_eq!(e.code(), "purpose_unknown");
//! assert!(matches!(e, Error::Event(_)));
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

use thiserror::Error as ThisError;

use crate::action::Action;

/// Everything that can be wrong with a configuration, an event or a proof, by category.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum Error {
    /// A site configuration breaks a rule (found at build time: an invalid configuration fails the build).
    #[error(transparent)]
    Config(ConfigError),
    /// A value is not in its syntax: an id, an origin, a field too long or with characters it may not hold.
    #[error(transparent)]
    Syntax(SyntaxError),
    /// A consent event breaks a rule of the site it was sent to.
    #[error(transparent)]
    Event(EventError),
    /// An opt-in form submission, its identity fields or a confirmation
    /// token do not check out.
    #[error(transparent)]
    Form(FormError),
    /// A Merkle proof, a tree or a signed note does not check out.
    #[error(transparent)]
    Log(LogError),
    /// A key, a signature or a receipt does not check out.
    #[error(transparent)]
    Key(KeyError),
    /// The storage behind the log failed: a fault, never a verdict on the evidence.
    #[error(transparent)]
    Storage(StorageError),
    /// An admin key is missing, wrong, revoked, another site's, or lacks the
    /// scope an operation needs (see `crate::admin`).
    #[error(transparent)]
    Access(AccessError),
    /// A data-subject request cannot be answered as asked (see `crate::rights`).
    #[error(transparent)]
    Rights(RightsError),
}

mod class;
pub use class::ErrorClass;

impl Error {
    /// The stable machine-readable code of this error, e.g. `purpose_unknown`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Config(e) => e.code(),
            Error::Syntax(e) => e.code(),
            Error::Event(e) => e.code(),
            Error::Form(e) => e.code(),
            Error::Log(e) => e.code(),
            Error::Key(e) => e.code(),
            Error::Storage(e) => e.code(),
            Error::Access(e) => e.code(),
            Error::Rights(e) => e.code(),
        }
    }
}

/// A site configuration breaks a rule (found at build time: an invalid configuration fails the build).
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum ConfigError {
    /// The site configuration is not valid JSON or does not have the expected shape.
    #[error("site configuration is malformed: {message}")]
    ConfigMalformed {
        /// What the parser reported.
        message: String,
    },
    /// Two purposes of a configuration share an id.
    #[error("purpose {purpose:?} is defined twice")]
    PurposeDuplicate {
        /// The repeated purpose id.
        purpose: String,
    },
    /// Two services of a configuration share an id.
    #[error("service {service:?} is defined twice")]
    ServiceDuplicate {
        /// The repeated service id.
        service: String,
    },
    /// A configuration has no purposes at all.
    #[error("a site configuration needs at least one purpose")]
    NoPurposes,
    /// A language of the configuration lacks a text that the notice shows.
    #[error("language {language:?} has no text for {field}")]
    TextMissing {
        /// The language.
        language: String,
        /// Which text is missing.
        field: String,
    },
    /// The consent lifetime is outside 1..=395 days.
    #[error("consent lifetime of {days} days is outside 1..=395")]
    LifetimeOutOfRange {
        /// The configured lifetime.
        days: u32,
    },
    /// The legal basis does not fit the purpose: an optional purpose must rest on
    /// consent, a required one must not (consent that cannot be refused is not consent).
    #[error("purpose {purpose:?}: {reason}")]
    LegalBasisInvalid {
        /// The purpose.
        purpose: String,
        /// Why the basis does not fit.
        reason: String,
    },
    /// The default language has no texts.
    #[error("default language {language:?} has no texts")]
    DefaultLanguageMissing {
        /// The default language.
        language: String,
    },
    /// An opt-in form of the configuration breaks a rule: two forms with one
    /// id, an offer of a purpose the form does not have, an SMS offer on a
    /// form that asks no phone number, an age of consent outside 13..=16.
    #[error("form {form:?}: {reason}")]
    FormInvalid {
        /// The form.
        form: String,
        /// Which rule it breaks.
        reason: String,
    },
    /// A retention period is not 1 to 3650 days.
    #[error("retention periods are 1 to 3650 days, not {days}")]
    RetentionInvalid {
        /// The days configured.
        days: u32,
    },
    /// `rights.recycle_bin_days` is not 1 to 90 days (leave it out for
    /// immediate erasure).
    #[error(
        "rights.recycle_bin_days is 1 to 90 days (or absent for immediate erasure), not {days}"
    )]
    RecycleBinInvalid {
        /// The days configured.
        days: u32,
    },
    /// `log.shards` breaks a rule of [`crate::log::shards`]: a count outside
    /// 1 to 64, a generation after the first without a `from` date, or
    /// dates not in increasing order.
    #[error("log.shards: {reason}")]
    ShardsInvalid {
        /// Which rule it breaks.
        reason: String,
    },
}

impl ConfigError {
    /// The stable machine-readable code, e.g. `config_malformed`.
    pub fn code(&self) -> &'static str {
        match self {
            ConfigError::ConfigMalformed { .. } => "config_malformed",
            ConfigError::PurposeDuplicate { .. } => "purpose_duplicate",
            ConfigError::ServiceDuplicate { .. } => "service_duplicate",
            ConfigError::NoPurposes => "no_purposes",
            ConfigError::TextMissing { .. } => "text_missing",
            ConfigError::LifetimeOutOfRange { .. } => "lifetime_out_of_range",
            ConfigError::LegalBasisInvalid { .. } => "legal_basis_invalid",
            ConfigError::DefaultLanguageMissing { .. } => "default_language_missing",
            ConfigError::FormInvalid { .. } => "form_invalid",
            ConfigError::RetentionInvalid { .. } => "retention_invalid",
            ConfigError::RecycleBinInvalid { .. } => "recycle_bin_invalid",
            ConfigError::ShardsInvalid { .. } => "shards_invalid",
        }
    }
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Error::Config(e)
    }
}

/// A value is not in its syntax: an id, an origin, a field too long or with characters it may not hold.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum SyntaxError {
    /// A site id is not 1-64 characters of `a-z`, `0-9` and `-`.
    #[error("site id {value:?} is invalid: use 1-64 characters of a-z, 0-9 and '-'")]
    SiteIdInvalid {
        /// The offending value (truncated).
        value: String,
    },
    /// A purpose id is not 1-32 characters of `a-z`, `0-9` and `_`, starting with a letter.
    #[error("purpose id {value:?} is invalid: use 1-32 characters of a-z, 0-9 and '_', starting with a letter")]
    PurposeIdInvalid {
        /// The offending value (truncated).
        value: String,
    },
    /// A service id is not 1-64 characters of `a-z`, `0-9`, `_` and `-`.
    #[error("service id {value:?} is invalid: use 1-64 characters of a-z, 0-9, '_' and '-'")]
    ServiceIdInvalid {
        /// The offending value (truncated).
        value: String,
    },
    /// A language tag is not a simple BCP 47 tag such as `en`, `de` or `pt-BR`.
    #[error("language tag {value:?} is invalid")]
    LanguageInvalid {
        /// The offending value (truncated).
        value: String,
    },
    /// An event id is not a lowercase, hyphenated UUID version 4.
    #[error("event id {value:?} is not a lowercase UUIDv4")]
    EventIdInvalid {
        /// The offending value (truncated).
        value: String,
    },
    /// A form id is not 1-32 of `a-z`, `0-9`, `_` starting with a letter.
    #[error("form id {value:?} is invalid")]
    FormIdInvalid {
        /// The rejected value (truncated).
        value: String,
    },
    /// A subject id is not a lowercase, hyphenated UUID version 4.
    #[error("subject id {value:?} is not a lowercase UUIDv4")]
    SubjectIdInvalid {
        /// The offending value (truncated).
        value: String,
    },
    /// An origin is not `scheme://host[:port]`.
    #[error("origin {origin:?} is invalid: use scheme://host[:port] without a path")]
    OriginInvalid {
        /// The offending origin (truncated).
        origin: String,
    },
    /// A field is longer than its limit.
    #[error("field {field} is longer than {max} characters")]
    FieldTooLong {
        /// Dotted path of the field.
        field: String,
        /// The limit, in characters.
        max: usize,
    },
    /// A field has a value that is not allowed.
    #[error("field {field} is invalid: {reason}")]
    FieldInvalid {
        /// Dotted path of the field.
        field: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A notice hash is not 64 lowercase hex digits (the form
    /// [`Notice::hash`](crate::notice::Notice::hash) gives).
    #[error("notice hash {value:?} is invalid: use the 64 lowercase hex digits of a SHA-256")]
    NoticeHashInvalid {
        /// The offending value (truncated).
        value: String,
    },
}

impl SyntaxError {
    /// The stable machine-readable code, e.g. `site_id_invalid`.
    pub fn code(&self) -> &'static str {
        match self {
            SyntaxError::SiteIdInvalid { .. } => "site_id_invalid",
            SyntaxError::PurposeIdInvalid { .. } => "purpose_id_invalid",
            SyntaxError::ServiceIdInvalid { .. } => "service_id_invalid",
            SyntaxError::LanguageInvalid { .. } => "language_invalid",
            SyntaxError::EventIdInvalid { .. } => "event_id_invalid",
            SyntaxError::SubjectIdInvalid { .. } => "subject_id_invalid",
            SyntaxError::FormIdInvalid { .. } => "form_id_invalid",
            SyntaxError::OriginInvalid { .. } => "origin_invalid",
            SyntaxError::FieldTooLong { .. } => "field_too_long",
            SyntaxError::FieldInvalid { .. } => "field_invalid",
            SyntaxError::NoticeHashInvalid { .. } => "notice_hash_invalid",
        }
    }
}

impl From<SyntaxError> for Error {
    fn from(e: SyntaxError) -> Self {
        Error::Syntax(e)
    }
}

/// A consent event breaks a rule of the site it was sent to.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum EventError {
    /// The consent event is not valid JSON or does not have the expected shape.
    #[error("event is malformed: {message}")]
    EventMalformed {
        /// What the parser reported.
        message: String,
    },
    /// The event names another site than the one it was sent to.
    #[error("event is for site {found:?} but was sent to site {expected:?}")]
    SiteMismatch {
        /// The site of the route.
        expected: String,
        /// The site named in the event.
        found: String,
    },
    /// The event decides on a purpose the site does not have.
    #[error("purpose {purpose:?} is not offered by this site")]
    PurposeUnknown {
        /// The unknown purpose id.
        purpose: String,
    },
    /// The event has no decision for a purpose the site offers (silence is not consent).
    #[error("no decision for purpose {purpose:?}")]
    DecisionMissing {
        /// The purpose without a decision.
        purpose: String,
    },
    /// The event refuses a purpose the site marks as required.
    #[error("purpose {purpose:?} is required and cannot be refused")]
    RequiredPurposeRefused {
        /// The required purpose.
        purpose: String,
    },
    /// The event decides on a service the site does not have.
    #[error("unknown service {service:?}")]
    ServiceUnknown {
        /// The unknown service id.
        service: String,
    },
    /// The event grants a service whose purpose it refuses, or decides on a
    /// service of a required purpose (those run whenever the site does).
    #[error("service {service:?} cannot be decided apart from its purpose {purpose:?}")]
    ServiceOutsidePurpose {
        /// The service.
        service: String,
        /// Its purpose.
        purpose: String,
    },
    /// The page sent Global Privacy Control, and an "accept all" granted a
    /// purpose GPC opts out of: only a choice about that purpose itself (the
    /// panel's switch, an embed's "allow", the site's own per-purpose UI) may.
    #[error("Global Privacy Control opts out of purpose {purpose:?}; only a choice about it may grant it")]
    GpcConflict {
        /// The sale/sharing purpose granted.
        purpose: String,
    },
    /// The action does not agree with the decisions (a refusal that grants something,
    /// a "give" that grants nothing optional).
    #[error("action {action:?} does not match the decisions")]
    ActionMismatch {
        /// The action named in the event.
        action: String,
    },
    /// The event was shown an older (or unknown) notice version.
    #[error("notice version {found:?} is not the current version {expected:?}")]
    NoticeOutdated {
        /// The current notice version.
        expected: String,
        /// The version named in the event.
        found: String,
    },
    /// The event names a language the site has no texts for.
    #[error("language {language:?} is not offered by this site")]
    LanguageUnknown {
        /// The language named in the event.
        language: String,
    },
    /// The notice hash in the event is not the hash of what the site shows in that language.
    #[error("notice hash does not match the notice shown in {language:?}")]
    NoticeHashMismatch {
        /// The language of the notice.
        language: String,
    },
    /// The client's clock is too far from the server's.
    #[error(
        "client time {client_ms} is outside the accepted window around server time {server_ms}"
    )]
    ClientTimeSkew {
        /// Client time, milliseconds since the Unix epoch.
        client_ms: u64,
        /// Server time, milliseconds since the Unix epoch.
        server_ms: u64,
    },
    /// An origin is not among the site's allowed origins.
    #[error("origin {origin:?} is not allowed for this site")]
    OriginNotAllowed {
        /// The refused origin (truncated).
        origin: String,
    },
}

impl EventError {
    /// The stable machine-readable code, e.g. `event_malformed`.
    pub fn code(&self) -> &'static str {
        match self {
            EventError::EventMalformed { .. } => "event_malformed",
            EventError::SiteMismatch { .. } => "site_mismatch",
            EventError::PurposeUnknown { .. } => "purpose_unknown",
            EventError::DecisionMissing { .. } => "decision_missing",
            EventError::RequiredPurposeRefused { .. } => "required_purpose_refused",
            EventError::ServiceUnknown { .. } => "service_unknown",
            EventError::ServiceOutsidePurpose { .. } => "service_outside_purpose",
            EventError::GpcConflict { .. } => "gpc_conflict",
            EventError::ActionMismatch { .. } => "action_mismatch",
            EventError::NoticeOutdated { .. } => "notice_outdated",
            EventError::LanguageUnknown { .. } => "language_unknown",
            EventError::NoticeHashMismatch { .. } => "notice_hash_mismatch",
            EventError::ClientTimeSkew { .. } => "client_time_skew",
            EventError::OriginNotAllowed { .. } => "origin_not_allowed",
        }
    }
}

impl From<EventError> for Error {
    fn from(e: EventError) -> Self {
        Error::Event(e)
    }
}

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
    /// The phone number is not an international number (`+` and 8 to 15 digits).
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
            FormError::PhoneCodeInvalid => "phone_code_invalid",
            FormError::PhoneCodeExhausted => "phone_code_exhausted",
        }
    }
}

impl From<FormError> for Error {
    fn from(e: FormError) -> Self {
        Error::Form(e)
    }
}

/// The log refused an operation, or a Merkle proof, a tree or a signed note
/// does not check out.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum LogError {
    /// An event id already in the log was sent with other content.
    #[error("event id {event_id} was already used for a different event")]
    EventIdConflict {
        /// The event id.
        event_id: String,
    },
    /// The action does not describe the change from the subject's choice in
    /// force in the log (a `refuse` after a `give`, a `give` after a `give`).
    #[error("action {} does not follow the subject's previous choice: expected {}", .action.as_str(), .expected.as_str())]
    ActionAgainstHistory {
        /// The action sent.
        action: Action,
        /// The action the history calls for.
        expected: Action,
    },
    /// The log has no record yet, so there is no checkpoint.
    #[error("the log is empty: no checkpoint yet")]
    LogEmpty,
    /// A query parameter is unknown, repeated, not a decimal number, or
    /// asks outside the log (a proof or page beyond its size).
    #[error("query parameter {parameter:?} is invalid")]
    QueryInvalid {
        /// The parameter.
        parameter: &'static str,
    },
    /// A record or an answer could not be encoded: a bug, never bad input.
    #[error("record encoding failed: {reason}")]
    RecordEncoding {
        /// What failed.
        reason: String,
    },
    /// A Merkle proof does not verify, or could not be built.
    #[error("proof is invalid: {reason}")]
    ProofInvalid {
        /// What failed.
        reason: String,
    },
    /// A leaf index or tree size is beyond the tree.
    #[error("index {index} is outside a tree of {size} leaves")]
    IndexOutOfRange {
        /// The index asked for.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// A signed note or checkpoint is not in the C2SP format.
    #[error("note is malformed: {reason}")]
    NoteMalformed {
        /// What is wrong.
        reason: String,
    },
    /// A receipt's leaf hash is not the leaf hash of its record.
    #[error("the receipt's leaf hash is not the hash of its record")]
    LeafHashMismatch,
    /// The notice archive keeps no notice with this hash (see
    /// `crate::log::archive`).
    #[error("no notice with hash {hash} is kept for this site")]
    NoticeUnknown {
        /// The hash asked for.
        hash: String,
    },
    /// An archived notice is not the notice a record refers to: other bytes,
    /// not RFC 8785, not a notice, or another site, version or language.
    #[error("the notice is not the one the record refers to: {reason}")]
    NoticeMismatch {
        /// What differs.
        reason: String,
    },
    /// An append reached a shard that the subject does not live in (see
    /// [`crate::log::shards`]): the edge routed it wrongly, a bug that
    /// would split a subject's chain over two trees, so nothing is stored.
    #[error("subject lives in shard {expected}, not in shard {shard}")]
    ShardMismatch {
        /// The shard the append reached.
        shard: u16,
        /// The subject's shard.
        expected: u16,
    },
}

impl LogError {
    /// The stable machine-readable code, e.g. `event_id_conflict`.
    pub fn code(&self) -> &'static str {
        match self {
            LogError::EventIdConflict { .. } => "event_id_conflict",
            LogError::ActionAgainstHistory { .. } => "action_mismatch",
            LogError::LogEmpty => "log_empty",
            LogError::QueryInvalid { .. } => "query_invalid",
            LogError::RecordEncoding { .. } => "record_encoding",
            LogError::ProofInvalid { .. } => "proof_invalid",
            LogError::IndexOutOfRange { .. } => "index_out_of_range",
            LogError::NoteMalformed { .. } => "note_malformed",
            LogError::LeafHashMismatch => "leaf_hash_mismatch",
            LogError::NoticeUnknown { .. } => "notice_unknown",
            LogError::NoticeMismatch { .. } => "notice_mismatch",
            LogError::ShardMismatch { .. } => "shard_mismatch",
        }
    }
}

impl From<LogError> for Error {
    fn from(e: LogError) -> Self {
        Error::Log(e)
    }
}

/// A key, a signature or a receipt does not check out.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum KeyError {
    /// No signature on a note or receipt is by a key the verifier knows.
    #[error("signed by no known key{detail}")]
    KeyUnknown {
        /// Which key was looked for, if any.
        detail: String,
    },
    /// A signature does not verify.
    #[error("signature does not verify")]
    SignatureInvalid,
    /// A key is not in the expected encoding.
    #[error("key is malformed: {reason}")]
    KeyMalformed {
        /// What is wrong.
        reason: String,
    },
    /// A receipt is not a well-formed JWS of an Assent receipt.
    #[error("receipt is malformed: {reason}")]
    ReceiptMalformed {
        /// What is wrong.
        reason: String,
    },
}

impl KeyError {
    /// The stable machine-readable code, e.g. `key_unknown`.
    pub fn code(&self) -> &'static str {
        match self {
            KeyError::KeyUnknown { .. } => "key_unknown",
            KeyError::SignatureInvalid => "signature_invalid",
            KeyError::KeyMalformed { .. } => "key_malformed",
            KeyError::ReceiptMalformed { .. } => "receipt_malformed",
        }
    }
}

impl From<KeyError> for Error {
    fn from(e: KeyError) -> Self {
        Error::Key(e)
    }
}

/// The storage behind the log failed: a fault, never a verdict on the evidence.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum StorageError {
    /// The storage behind a proof failed: a fault of the log, never evidence
    /// that a proof is invalid.
    #[error("log storage failed: {reason}")]
    StorageFault {
        /// What the storage reported.
        reason: String,
    },
}

impl StorageError {
    /// The stable machine-readable code, e.g. `storage_fault`.
    pub fn code(&self) -> &'static str {
        match self {
            StorageError::StorageFault { .. } => "storage_fault",
        }
    }
}

impl From<StorageError> for Error {
    fn from(e: StorageError) -> Self {
        Error::Storage(e)
    }
}

/// An admin key is missing, wrong, revoked, another site's, or lacks the
/// scope an operation needs. A guess learns nothing from the code: a missing,
/// malformed, unknown or wrong key are all `unauthorized`.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum AccessError {
    /// No key, or not one this edge issued for this site (401).
    #[error("a valid admin key is required")]
    Unauthorized,
    /// The key was revoked (401).
    #[error("this admin key was revoked")]
    KeyRevoked,
    /// The key is another site's (403).
    #[error("this admin key is for another site")]
    KeyOtherSite,
    /// The key lacks the scope the operation needs (403).
    #[error("this admin key lacks the {scope} scope")]
    ScopeMissing {
        /// The scope needed.
        scope: &'static str,
    },
    /// Only the operator's key may do this: manage a site's keys (403).
    #[error("only the operator's key may manage keys")]
    OperatorOnly,
    /// A scope list names no scope, one twice, or one that does not exist.
    #[error("invalid scopes: {scope}")]
    ScopeInvalid {
        /// What is wrong (truncated).
        scope: String,
    },
    /// A key name is empty, longer than 64 characters, holds a control
    /// character or is `operator`.
    #[error("a key name is 1 to 64 characters without control characters, and not \"operator\"")]
    KeyNameInvalid,
    /// No key of this site has this id (404).
    #[error("no admin key of this site has this id")]
    AdminKeyUnknown,
}

impl AccessError {
    /// The stable machine-readable code, e.g. `scope_missing`.
    pub fn code(&self) -> &'static str {
        match self {
            AccessError::Unauthorized => "unauthorized",
            AccessError::KeyRevoked => "key_revoked",
            AccessError::KeyOtherSite => "key_other_site",
            AccessError::ScopeMissing { .. } => "scope_missing",
            AccessError::OperatorOnly => "operator_only",
            AccessError::ScopeInvalid { .. } => "scope_invalid",
            AccessError::KeyNameInvalid => "key_name_invalid",
            AccessError::AdminKeyUnknown => "admin_key_unknown",
        }
    }
}

impl From<AccessError> for Error {
    fn from(e: AccessError) -> Self {
        Error::Access(e)
    }
}

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
        }
    }
}

impl From<RightsError> for Error {
    fn from(e: RightsError) -> Self {
        Error::Rights(e)
    }
}

/// Shortens untrusted input before it is echoed in an error message, so an
/// error can never carry a megabyte of attacker-chosen text back out.
pub(crate) fn excerpt(value: &str) -> String {
    const MAX: usize = 80;
    match value.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", &value[..cut]),
        None => value.to_string(),
    }
}
