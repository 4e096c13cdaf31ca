//! The stored record: a validated event plus what only the edge knows.
//!
//! A record is never updated: a change of mind is a new event whose record
//! links to the subject's previous one through `prev_event_id`. Its RFC 8785
//! bytes are what the log commits to.

#[allow(unused_imports)]
use crate::prelude::*;

use serde::{Deserialize, Serialize};

use crate::canonical::{to_canonical_bytes, CanonicalError};
use crate::event::ConsentEvent;
use crate::form::submission::Outcome;
use crate::ids::EventId;

/// One consent event as stored by the edge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredRecord {
    /// Record format version ([`crate::FORMAT_VERSION`]).
    pub v: u32,
    /// The event exactly as validated.
    pub event: ConsentEvent,
    /// Server receive time, milliseconds since the Unix epoch.
    pub received_at_ms: u64,
    /// Whether the request carried `Sec-GPC: 1`.
    pub sec_gpc: bool,
    /// ISO 3166-1 alpha-2 country the platform attributed the request to, when it
    /// gave one: a jurisdiction hint, never an address.
    pub country: Option<String>,
    /// The subject's previous event on this site, if any.
    pub prev_event_id: Option<EventId>,
    /// The consent regime the edge applied to the request (see
    /// [`crate::jurisdiction`]); absent where the site has no rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regime: Option<crate::jurisdiction::Regime>,
    /// What only the edge knows of a form event: the commitment to the
    /// identity and the outcome. Absent for the banner, so its records hash
    /// as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<FormFacts>,
    /// What an `import` record commits to. Absent elsewhere, so other
    /// records hash as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import: Option<ImportFacts>,
}

/// The edge's part of an `import` record: one batch of an imported list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportFacts {
    /// What the list is (`opt_out`, `blocked`).
    pub kind: SuppressionKind,
    /// The channels an opt-out list named (absent: every channel; a block
    /// list is always every channel). The listed contacts' consent on them
    /// was withdrawn, each by an event of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<Vec<crate::form::config::Channel>>,
    /// Whether this record takes the key out of the list (the owner's
    /// removal, `count` 1) rather than putting keys in.
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    pub removed: bool,
    /// How many entries the batch suppressed.
    pub count: u64,
    /// Hex SHA-256 over the batch's suppressed lookup keys, sorted, each
    /// followed by a line feed: any entry's presence can be shown later by
    /// recomputing it from the suppression rows of this record.
    pub digest: String,
}

/// The edge's part of a form record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormFacts {
    /// Base64 of the identity commitment ([`crate::form::identity::Identity::commitment`]).
    pub identity: String,
    /// What the event amounts to.
    pub outcome: Outcome,
    /// The age of digital consent applied, where the form has an age rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_of_consent: Option<u8>,
    /// A submission by an address that was erased (or suppressed) before:
    /// the erasure event it re-adds the person after. The person opted in
    /// again, explicitly; the flag lets the owner and the CRM see it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readds: Option<EventId>,
    /// The owner's word, where the owner recorded this (consent given
    /// offline, or another lawful basis: `form::attest`): never the
    /// person's own event. Absent elsewhere, so other records hash as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attested: Option<crate::attestation::Attestation>,
}

/// What the edge adds to an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerFacts {
    /// Server receive time, milliseconds since the Unix epoch.
    pub received_at_ms: u64,
    /// The `Sec-GPC` request header was `1`.
    pub sec_gpc: bool,
    /// Country hint from the platform.
    pub country: Option<String>,
    /// The regime applied, where the site has jurisdiction rules.
    pub regime: Option<crate::jurisdiction::Regime>,
}

impl StoredRecord {
    /// Builds the record of a validated event.
    pub fn new(event: ConsentEvent, facts: ServerFacts, prev_event_id: Option<EventId>) -> Self {
        let country = facts
            .country
            .filter(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()));
        StoredRecord {
            v: crate::FORMAT_VERSION,
            event,
            received_at_ms: facts.received_at_ms,
            sec_gpc: facts.sec_gpc,
            country,
            prev_event_id,
            regime: facts.regime,
            form: None,
            import: None,
        }
    }

    /// The same record with the edge's form facts.
    pub fn with_form(mut self, facts: FormFacts) -> Self {
        self.form = Some(facts);
        self
    }

    /// The RFC 8785 bytes of this record: what the log leaf commits to.
    pub fn canonical_bytes(&self) -> Result<Vec<u8>, CanonicalError> {
        to_canonical_bytes(self)
    }
}

/// The most records of one subject an operation reads.
pub const MAX_SUBJECT_RECORDS: u64 = 10_000;

/// A subject's records in log order, with their index: the one way every
/// rule reads a subject's history. A stored record that does not parse is
/// a storage fault, never skipped: a rule that skipped it would decide on
/// a history that is not the log's.
pub fn history<L: crate::log::store::LogStore + ?Sized>(
    log: &L,
    subject: &crate::ids::SubjectId,
) -> Result<Vec<(u64, StoredRecord)>, crate::Error> {
    log.of_subject(subject, MAX_SUBJECT_RECORDS)?
        .into_iter()
        .map(|l| {
            serde_json::from_str(&l.record)
                .map(|r| (l.index, r))
                .map_err(|e| crate::log::store::StoreError::Fault(e.to_string()).into())
        })
        .collect()
}

/// A subject's records in log order, without their index.
pub fn records_of<L: crate::log::store::LogStore + ?Sized>(
    log: &L,
    subject: &crate::ids::SubjectId,
) -> Result<Vec<StoredRecord>, crate::Error> {
    Ok(history(log, subject)?.into_iter().map(|(_, r)| r).collect())
}

/// Why an address is suppressed, weakest first: a stronger kind replaces a
/// weaker one for the same address (an erased address that is then listed
/// is listed; a block outranks an opt-out), never the reverse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuppressionKind {
    /// The contact was erased: a later opt-in is a new contact, flagged as
    /// a re-addition.
    Erased,
    /// The address came in an imported opt-out list: its consent on the
    /// list's channels was withdrawn, and a later opt-in goes through
    /// double opt-in, whatever the form says.
    OptOut,
    /// The address came in a block list: it cannot opt in at all, and the
    /// public answer to its submission reads as any other.
    Blocked,
}

impl SuppressionKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionKind::Erased => "erased",
            SuppressionKind::OptOut => "opt_out",
            SuppressionKind::Blocked => "blocked",
        }
    }

    /// The kind of a wire name.
    pub fn parse(s: &str) -> Option<SuppressionKind> {
        [Self::Erased, Self::OptOut, Self::Blocked]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::SuppressionKind;

    /// The wire name is the serde name (the edge stores the one and
    /// answers the other), `parse` reads it back, and the kinds rank
    /// erased < opt-out < blocked (a stronger list replaces a weaker).
    #[test]
    fn a_suppression_kind_s_name_parses_back_and_the_kinds_rank() {
        let all = [
            SuppressionKind::Erased,
            SuppressionKind::OptOut,
            SuppressionKind::Blocked,
        ];
        for kind in all {
            let serde = serde_json::to_string(&kind).unwrap();
            assert_eq!(serde, format!("\"{}\"", kind.as_str()));
            assert_eq!(SuppressionKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(SuppressionKind::parse("opt-out"), None);
        assert_eq!(SuppressionKind::parse(""), None);
        assert!(all.windows(2).all(|w| w[0] < w[1]));
    }
}
