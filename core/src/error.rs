//! The one error type of `assent-core`.
//!
//! Every variant has a stable, machine-readable [`Error::code`]. Codes are part
//! of the public contract (the edge returns them to clients, golden vectors
//! assert them): a code is never renamed or reused for another meaning.
//! Messages are for people and may change.

#[allow(unused_imports)]
use crate::prelude::*;

use thiserror::Error as ThisError;

/// Everything that can be wrong with a site configuration or a consent event.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum Error {
    /// The site configuration is not valid JSON or does not have the expected shape.
    #[error("site configuration is malformed: {message}")]
    ConfigMalformed {
        /// What the parser reported.
        message: String,
    },
    /// The consent event is not valid JSON or does not have the expected shape.
    #[error("event is malformed: {message}")]
    EventMalformed {
        /// What the parser reported.
        message: String,
    },
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
    /// A subject id is not a lowercase, hyphenated UUID version 4.
    #[error("subject id {value:?} is not a lowercase UUIDv4")]
    SubjectIdInvalid {
        /// The offending value (truncated).
        value: String,
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
    /// An origin is not `scheme://host[:port]`.
    #[error("origin {origin:?} is invalid: use scheme://host[:port] without a path")]
    OriginInvalid {
        /// The offending origin (truncated).
        origin: String,
    },
    /// An origin is not among the site's allowed origins.
    #[error("origin {origin:?} is not allowed for this site")]
    OriginNotAllowed {
        /// The refused origin (truncated).
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
    /// A Merkle proof does not verify, or could not be built.
    #[error("proof is invalid: {reason}")]
    ProofInvalid {
        /// What failed.
        reason: String,
    },
    /// The storage behind a proof failed: a fault of the log, never evidence
    /// that a proof is invalid.
    #[error("log storage failed: {reason}")]
    StorageFault {
        /// What the storage reported.
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
    /// A receipt's leaf hash is not the leaf hash of its record.
    #[error("the receipt's leaf hash is not the hash of its record")]
    LeafHashMismatch,
}

impl Error {
    /// The stable machine-readable code of this error, e.g. `purpose_unknown`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::ConfigMalformed { .. } => "config_malformed",
            Error::EventMalformed { .. } => "event_malformed",
            Error::SiteIdInvalid { .. } => "site_id_invalid",
            Error::PurposeIdInvalid { .. } => "purpose_id_invalid",
            Error::ServiceIdInvalid { .. } => "service_id_invalid",
            Error::LanguageInvalid { .. } => "language_invalid",
            Error::EventIdInvalid { .. } => "event_id_invalid",
            Error::SubjectIdInvalid { .. } => "subject_id_invalid",
            Error::SiteMismatch { .. } => "site_mismatch",
            Error::PurposeUnknown { .. } => "purpose_unknown",
            Error::PurposeDuplicate { .. } => "purpose_duplicate",
            Error::ServiceDuplicate { .. } => "service_duplicate",
            Error::NoPurposes => "no_purposes",
            Error::DecisionMissing { .. } => "decision_missing",
            Error::RequiredPurposeRefused { .. } => "required_purpose_refused",
            Error::ServiceUnknown { .. } => "service_unknown",
            Error::ServiceOutsidePurpose { .. } => "service_outside_purpose",
            Error::GpcConflict { .. } => "gpc_conflict",
            Error::ActionMismatch { .. } => "action_mismatch",
            Error::NoticeOutdated { .. } => "notice_outdated",
            Error::LanguageUnknown { .. } => "language_unknown",
            Error::NoticeHashMismatch { .. } => "notice_hash_mismatch",
            Error::ClientTimeSkew { .. } => "client_time_skew",
            Error::OriginInvalid { .. } => "origin_invalid",
            Error::OriginNotAllowed { .. } => "origin_not_allowed",
            Error::FieldTooLong { .. } => "field_too_long",
            Error::FieldInvalid { .. } => "field_invalid",
            Error::TextMissing { .. } => "text_missing",
            Error::LifetimeOutOfRange { .. } => "lifetime_out_of_range",
            Error::LegalBasisInvalid { .. } => "legal_basis_invalid",
            Error::DefaultLanguageMissing { .. } => "default_language_missing",
            Error::ProofInvalid { .. } => "proof_invalid",
            Error::StorageFault { .. } => "storage_fault",
            Error::IndexOutOfRange { .. } => "index_out_of_range",
            Error::NoteMalformed { .. } => "note_malformed",
            Error::KeyUnknown { .. } => "key_unknown",
            Error::SignatureInvalid => "signature_invalid",
            Error::KeyMalformed { .. } => "key_malformed",
            Error::ReceiptMalformed { .. } => "receipt_malformed",
            Error::LeafHashMismatch => "leaf_hash_mismatch",
        }
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
