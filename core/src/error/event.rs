//! A consent event breaks a rule of the site it was sent to.

#[allow(unused_imports)]
use crate::prelude::*;

use thiserror::Error as ThisError;

use super::Error;

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
    /// The event's TC string (IAB TCF) does not decode, or says other than
    /// the event's decisions.
    #[error("TC string is invalid: {why}")]
    TcStringInvalid {
        /// What is wrong with it.
        why: crate::tcf::Invalid,
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
            EventError::TcStringInvalid { .. } => "tc_string_invalid",
        }
    }
}

impl From<EventError> for Error {
    fn from(e: EventError) -> Self {
        Error::Event(e)
    }
}
