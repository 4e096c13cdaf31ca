//! The owner's word in a record: consent given offline, or an offer held
//! under another lawful basis (what `form::attest` records, and
//! `record::FormFacts` carries). Its own module, with no imports from the
//! crate, so that records, the fold and the webhooks can name it without
//! depending on the intake that makes it.

#[allow(unused_imports)]
use crate::prelude::*;

use serde::{Deserialize, Serialize};

/// The lawful basis an offer is held under (GDPR Art. 6(1)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The person's consent (Art. 6(1)(a)): withdrawn by the person.
    #[default]
    Consent,
    /// The owner's legitimate interests (Art. 6(1)(f)), such as marketing
    /// similar products to an existing customer: ended by an objection.
    LegitimateInterests,
    /// A contract with the person (Art. 6(1)(b)): ended by an objection.
    Contract,
}

impl Basis {
    /// The wire name, e.g. `legitimate_interests`.
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Consent => "consent",
            Basis::LegitimateInterests => "legitimate_interests",
            Basis::Contract => "contract",
        }
    }
}

/// Where the person gave what the owner records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// On the phone.
    Phone,
    /// On paper (a signed form, a letter).
    Paper,
    /// In person (at an event, in a shop).
    InPerson,
    /// Carried over from another system (a legacy CRM, a mailing tool).
    LegacyCrm,
    /// An existing customer's purchase or contract.
    Customer,
}

impl Source {
    /// The wire name, e.g. `legacy_crm`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Phone => "phone",
            Source::Paper => "paper",
            Source::InPerson => "in_person",
            Source::LegacyCrm => "legacy_crm",
            Source::Customer => "customer",
        }
    }
}

/// What a record of the owner's word commits to (in `record::FormFacts`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attestation {
    /// The basis the offers are held under.
    pub basis: Basis,
    /// Where the person gave it.
    pub source: Source,
    /// The day the person gave it (RFC 3339 date).
    pub given_on: String,
    /// Who recorded it: the owner key's id, or `operator` (the audit trail
    /// names the key; a key's id names no one).
    pub by: String,
    /// Hex SHA-256 of a scanned document (a signed form), where there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_sha256: Option<String>,
}

impl Attestation {
    /// The sentence the person reads beside such a record (their privacy
    /// center): whose word it is, where and when, and on what basis.
    ///
    /// ```
    /// use assent_core::form::attest::{Attestation, Basis, Source};
    /// let a = Attestation { basis: Basis::Consent, source: Source::Phone, given_on: "2026-11-02".into(), by: "k1".into(), evidence_sha256: None };
    /// assert_eq!(a.describe(), "Recorded by the site owner, not by you here: consent you gave by phone on 2026-11-02.");
    /// ```
    pub fn describe(&self) -> String {
        let how = match self.source {
            Source::Phone => "by phone",
            Source::Paper => "on paper",
            Source::InPerson => "in person",
            Source::LegacyCrm => "to them before (carried over from their earlier records)",
            Source::Customer => "as their customer",
        };
        let what = match self.basis {
            Basis::Consent => "consent you gave",
            Basis::LegitimateInterests => "their legitimate interests, from your contact",
            Basis::Contract => "a contract with you, from your contact",
        };
        alloc::format!(
            "Recorded by the site owner, not by you here: {what} {how} on {}.",
            self.given_on
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_are_serde_s() {
        for b in [Basis::Consent, Basis::LegitimateInterests, Basis::Contract] {
            assert_eq!(serde_json::to_value(b).unwrap(), b.as_str());
        }
        for s in [
            Source::Phone,
            Source::Paper,
            Source::InPerson,
            Source::LegacyCrm,
            Source::Customer,
        ] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }

    #[test]
    fn each_source_and_basis_reads_as_its_own_sentence() {
        let said = |basis, source| {
            Attestation {
                basis,
                source,
                given_on: "2026-01-02".into(),
                by: "k".into(),
                evidence_sha256: None,
            }
            .describe()
        };
        let mut all: Vec<String> = [
            Source::Phone,
            Source::Paper,
            Source::InPerson,
            Source::LegacyCrm,
            Source::Customer,
        ]
        .into_iter()
        .map(|s| said(Basis::Consent, s))
        .chain([Basis::LegitimateInterests, Basis::Contract].map(|b| said(b, Source::Customer)))
        .collect();
        assert!(all.iter().all(|s| s.ends_with("on 2026-01-02.")));
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 7, "no two read alike");
    }
}
