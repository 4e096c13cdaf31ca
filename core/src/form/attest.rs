//! Consent given elsewhere than a form of the site (by phone, on paper, in
//! person, carried over from a legacy CRM), and offers held under a lawful
//! basis other than consent (legitimate interests, a contract: an existing
//! customer's "soft opt-in"), as the site's owner records them; no I/O.
//!
//! **Attested, never the person's own.** Such a record is a form record
//! (surface `owner`, control `attest`) whose [`FormFacts`] carry an
//! [`Attestation`]: the basis, where and when the person gave it, which
//! owner key recorded it and, where there is one, the SHA-256 of a scanned
//! document. Exports, the console and the privacy center say "recorded by
//! the site owner" wherever they show one; the proofs prove that the owner
//! said so, not that the person did. An evidence note (free text) is sealed
//! with the identity ([`Identity::note`]): it may name people, so it leaves
//! the log and is erased with the identity.
//!
//! **What an attestation cannot do.** It cannot grant where the person
//! objected ([`RightsError::Objected`]: only the person's own confirmed
//! opt-in lifts an objection), nor for an address on the site's opt-out or
//! block list ([`RightsError::AddressListed`]: the list says the person said
//! no), nor for a contact in the recycle bin. An offer the person granted
//! themselves stays granted under consent when the owner records another
//! basis for it.
//!
//! ```
//! use assent_core::form::attest::{Attest, Basis, Source};
//! let body = br#"{"form":"newsletter","email":"Ana@Example.com","offers":["email:newsletter"],
//!   "source":"phone","given_on":"2026-11-02","note":"Called about her order; agreed to the newsletter."}"#;
//! let attest = Attest::from_json(body).unwrap();
//! assert_eq!((attest.source, attest.basis), (Source::Phone, Basis::Consent));
//! ```

use alloc::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::SiteConfig;
use crate::error::{Error, FormError, RightsError};
use crate::event::{Action, ConsentEvent, Control, FormChoice, NoticeRef, PageRef, Surface, UiRef};
use crate::form::identity::{Identity, IdentityInput};
use crate::form::intake::Fresh;
use crate::form::state::fold;

use crate::form::store::{FormStore, Sealed, SuppressionKind};
use crate::form::submission::Outcome;
use crate::ids::{EventId, FormId};
use crate::log::sequencer::{self, Appended};
use crate::log::store::LogStore;
use crate::record::{records_of, FormFacts};
use crate::site::Site;

/// Longest evidence note kept, in characters.
pub const MAX_NOTE: usize = 2000;
/// Most offers one attestation names.
pub const MAX_OFFERS: usize = 32;
/// Most attestations one request holds (a batch of a legacy CRM's file).
pub const MAX_BATCH: usize = 100;
/// Most bytes one request's body holds.
pub const MAX_BATCH_BYTES: usize = 1 << 20;

pub use crate::attestation::{Attestation, Basis, Source};

/// The body of `POST /v1/admin/sites/{site}/attestations`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attest {
    /// The form whose offers (and notice) the person was given.
    pub form: String,
    /// The person's email address.
    pub email: String,
    /// Their name.
    #[serde(default)]
    pub name: Option<String>,
    /// Their phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// The offers (`channel:purpose`) the person agreed to, or that the
    /// basis covers.
    pub offers: Vec<String>,
    /// The basis (default `consent`).
    #[serde(default)]
    pub basis: Basis,
    /// Where the person gave it.
    pub source: Source,
    /// The day they gave it (`YYYY-MM-DD`), not after today.
    pub given_on: String,
    /// Hex SHA-256 of a scanned document.
    #[serde(default)]
    pub evidence_sha256: Option<String>,
    /// An evidence note, sealed with the identity.
    #[serde(default)]
    pub note: Option<String>,
    /// The idempotency key (a UUIDv4): the same again records nothing new.
    /// The CLI derives one per row of a file, so an import run twice
    /// records each row once.
    #[serde(default)]
    pub event_id: Option<EventId>,
}

/// An attestation that passed every rule (the Worker's request to the
/// subject's object; who sends it is checked by the Worker).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Attested {
    /// The event id.
    pub event_id: EventId,
    /// The form.
    pub form: FormId,
    /// The normalised identity, the note with it.
    pub identity: Identity,
    /// The email's lookup key.
    pub lookup: String,
    /// The offers, each `true`.
    pub offers: Vec<String>,
    /// What the record commits to.
    pub attestation: Attestation,
}

fn invalid(field: &'static str, reason: &str) -> Error {
    RightsError::AttestationInvalid {
        field,
        reason: reason.into(),
    }
    .into()
}

impl Attest {
    /// Parses a body; its shape errors are `attestation_invalid`.
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        serde_json::from_slice(json).map_err(|e| invalid("body", &e.to_string()))
    }

    /// Parses a batch: a JSON array of 1 to [`MAX_BATCH`] bodies. One
    /// that does not parse refuses the whole (`attestation_invalid`, with
    /// serde's position); the rules are checked per body ([`Attest::check`]).
    pub fn batch_from_json(json: &[u8]) -> Result<Vec<Self>, Error> {
        let items: Vec<Self> =
            serde_json::from_slice(json).map_err(|e| invalid("body", &e.to_string()))?;
        if items.is_empty() || items.len() > MAX_BATCH {
            return Err(invalid("body", "an array of 1 to 100 attestations"));
        }
        Ok(items)
    }

    /// Checks every field against `config` and today (`now_ms`); `by` is
    /// the recording key's id, `event_id` the one to use where the body
    /// names none, `lookup` the email's lookup key (the caller holds the
    /// secret).
    pub fn check(
        self,
        config: &SiteConfig,
        by: &str,
        now_ms: u64,
        event_id: EventId,
        lookup: impl FnOnce(&str) -> String,
    ) -> Result<Attested, Error> {
        let form = config.form(&self.form).ok_or_else(|| {
            Error::Form(FormError::FormUnknown {
                form: crate::error::excerpt(&self.form),
            })
        })?;
        if self.offers.is_empty() || self.offers.len() > MAX_OFFERS {
            return Err(invalid("offers", "one to 32 offers of the form"));
        }
        let mut offers = self.offers.clone();
        offers.sort();
        offers.dedup();
        if offers.len() != self.offers.len() {
            return Err(invalid("offers", "an offer named twice"));
        }
        if let Some(other) = offers
            .iter()
            .find(|o| !form.offers.iter().any(|f| f.key() == **o))
        {
            return Err(invalid(
                "offers",
                &format!("not an offer of the form: {}", crate::error::excerpt(other)),
            ));
        }
        let given = crate::utc::parse_date(&self.given_on)
            .ok_or_else(|| invalid("given_on", "a date as YYYY-MM-DD"))?;
        if given > now_ms {
            return Err(invalid("given_on", "a day not after today"));
        }
        if let Some(hash) = &self.evidence_sha256 {
            if hash.len() != 64 || !hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
                return Err(invalid("evidence_sha256", "64 lowercase hex digits"));
            }
        }
        let note = self
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        if let Some(note) = note {
            let control = note.chars().any(|c| c.is_control() && c != '\n');
            if control || note.chars().count() > MAX_NOTE {
                return Err(invalid(
                    "note",
                    "at most 2000 characters, no control characters but line breaks",
                ));
            }
        }
        let mut identity = IdentityInput {
            email: self.email,
            name: self.name,
            phone: self.phone,
            parent_email: None,
        }
        .normalise(form.phone_country.as_deref())?;
        identity.note = note.map(str::to_owned);
        let needs_phone = offers.iter().any(|o| {
            crate::form::Channel::of_offer(o).is_some_and(crate::form::Channel::needs_phone)
        });
        if needs_phone && identity.phone.is_none() {
            return Err(invalid(
                "phone",
                "an offer by text or call needs the number",
            ));
        }
        Ok(Attested {
            event_id: self.event_id.unwrap_or(event_id),
            form: form.id.clone(),
            lookup: lookup(&identity.email),
            identity,
            offers,
            attestation: Attestation {
                basis: self.basis,
                source: self.source,
                given_on: self.given_on,
                by: by.to_owned(),
                evidence_sha256: self.evidence_sha256,
            },
        })
    }
}

impl<L: LogStore + ?Sized, F: FormStore + ?Sized> Site<'_, L, F> {
    /// Records an attestation (see the module docs): the contact found by
    /// its address (or a new one), the identity sealed (the fields not
    /// given kept from the one in force), and a form record whose offers
    /// are the attested ones. A repeat of the same event id answers the
    /// first record.
    pub fn attest(&mut self, a: Attested, fresh: Fresh) -> Result<Appended, Error> {
        let (log, forms, config, key, ctx) = self.parts();
        if log.entry_by_event(&a.event_id)?.is_some() {
            return crate::form::settle::repeat(log, &a.event_id);
        }
        let listed = forms.suppression(&a.lookup)?.map(|s| s.kind);
        if matches!(
            listed,
            Some(SuppressionKind::OptOut | SuppressionKind::Blocked)
        ) {
            return Err(RightsError::AddressListed.into());
        }
        let existing = forms.contact(&a.lookup)?;
        let mut identity = a.identity;
        if let Some(contact) = &existing {
            if forms.binned(&contact.subject)?.is_some() {
                return Err(RightsError::SubjectInRecycleBin.into());
            }
            let history = records_of(log, &contact.subject)?;
            let state = fold(&history);
            if a.offers
                .iter()
                .any(|o| crate::form::state::objected(&state, o))
            {
                return Err(RightsError::Objected.into());
            }
            let held =
                crate::form::intake::identity_in_force(&*forms, &config.site, contact, &history)?;
            if let Some(held) = held {
                identity.name = identity.name.or(held.name);
                identity.phone = identity.phone.or(held.phone);
                identity.parent_email = held.parent_email;
            }
        }
        let mut site = Site::new(&mut *log, &mut *forms, config, key, ctx);
        let (contact, readds) = site.contact_for(&a.lookup, &a.event_id, &fresh)?;
        let (log, forms, config, key, ctx) = self.parts();
        forms.put_identity(&Sealed {
            event_id: a.event_id.clone(),
            subject: contact.subject.clone(),
            nonce: fresh.identity_nonce,
            bytes: identity.seal(
                &contact.key,
                &fresh.identity_nonce,
                &config.site,
                &contact.subject,
            ),
            created_ms: ctx.now_ms,
        })?;
        let facts = FormFacts {
            identity: identity.committed(&contact.salt),
            outcome: Outcome::Granted,
            age_of_consent: None,
            readds,
            attested: Some(a.attestation),
        };
        let language = &config.default_language;
        let notice = config.form_notice(a.form.as_str(), language)?;
        let event = ConsentEvent {
            event_id: a.event_id,
            site: config.site.clone(),
            subject: contact.subject,
            action: Action::Give,
            decisions: BTreeMap::new(),
            services: BTreeMap::new(),
            form: Some(FormChoice {
                id: a.form,
                offers: a.offers.into_iter().map(|o| (o, true)).collect(),
            }),
            answers: None,
            notice: NoticeRef {
                hash: notice.hash(),
                version: notice.notice_version,
                language: language.clone(),
            },
            ui: UiRef {
                surface: Surface::Owner,
                control: Control::Attest,
            },
            client_time_ms: ctx.now_ms,
            gpc: false,
            page: PageRef {
                origin: ctx.issuer.clone(),
                path: crate::api::admin_attestations(&config.site),
            },
            widget_version: "edge".into(),
            tc_string: None,
        };
        let appended = sequencer::append(log, config, key, ctx.request(event, Some(facts), None))?;
        crate::form::intake::enqueue(forms, config, &appended, ctx.now_ms)?;
        Ok(appended)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"{"form":"newsletter","email":"a@example.com","offers":["email:news"],"source":"phone","given_on":"2026-01-02"}"#;

    #[test]
    fn a_batch_is_an_array_of_one_to_a_hundred() {
        let batch = |n: usize| format!("[{}]", vec![ONE; n].join(","));
        assert_eq!(
            Attest::batch_from_json(batch(2).as_bytes()).unwrap().len(),
            2
        );
        assert_eq!(
            Attest::batch_from_json(batch(MAX_BATCH).as_bytes())
                .unwrap()
                .len(),
            MAX_BATCH
        );
        for bad in [
            batch(0),
            batch(MAX_BATCH + 1),
            ONE.into(),
            "[1]".into(),
            format!("[{ONE},{{}}]"),
        ] {
            assert_eq!(
                Attest::batch_from_json(bad.as_bytes()).unwrap_err().code(),
                "attestation_invalid"
            );
        }
        // What the docs promise a batch may weigh.
        assert_eq!(MAX_BATCH_BYTES, 1024 * 1024);
    }

    fn site() -> SiteConfig {
        SiteConfig::from_json(include_str!("../../tests/vectors/site.json")).unwrap()
    }

    fn checked(body: serde_json::Value, now_ms: u64) -> Result<Attested, Error> {
        let id = EventId::from_random_bytes([1; 16]);
        Attest::from_json(body.to_string().as_bytes())?
            .check(&site(), "k", now_ms, id, |e| e.into())
    }

    #[test]
    fn today_is_a_day_the_person_may_have_given_it() {
        let body = |day: &str| serde_json::json!({"form": "newsletter", "email": "a@example.com", "offers": ["email:news"], "source": "phone", "given_on": day});
        let midnight = crate::utc::parse_date("2026-11-02").unwrap();
        assert!(
            checked(body("2026-11-02"), midnight).is_ok(),
            "at the very start of the day"
        );
        assert_eq!(
            checked(body("2026-11-03"), midnight + 86_399_999)
                .unwrap_err()
                .code(),
            "attestation_invalid"
        );
    }

    #[test]
    fn at_most_32_offers_are_read() {
        let body = |n: usize| serde_json::json!({"form": "newsletter", "email": "a@example.com", "offers": vec!["email:news"; n], "source": "phone", "given_on": "2026-01-02"});
        let reason = |n| checked(body(n), u64::MAX / 2).unwrap_err().to_string();
        assert!(reason(MAX_OFFERS).contains("named twice"), "32 are read");
        assert!(reason(MAX_OFFERS + 1).contains("one to 32"), "33 are not");
    }
}
