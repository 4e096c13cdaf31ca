//! The record of processing activities (GDPR Art. 30(1)), generated from a
//! site's configuration: no I/O, no clock, the same configuration always
//! gives the same record.
//!
//! What Art. 30(1) asks, and where it comes from here:
//!
//! | Art. 30(1) | from |
//! | --- | --- |
//! | (a) controller, its contact, its DPO and representative | `controller` (name, contact, privacy policy, `dpo`, `eu_representative`) |
//! | (b) purposes | the banner's `purposes` (texts of the default language, legal basis, required, sale or sharing, services and what they store) and each form's purposes and channels |
//! | (c) categories of data subjects and of personal data | fixed for the banner; a form adds the people who submit it (and parents, where it has an age rule) and the identity fields it asks |
//! | (d) recipients | every service's provider; every webhook (`CRM webhook <id>`) |
//! | (e) transfers to third countries | `data_location`: where Assent's own objects are kept ([`LOCATION_NOT_STATED`] without one); the providers' own transfers are the controller's to add |
//! | (f) time limits for erasure | `consent_lifetime_days`, the append-only log, each form's `confirm_within_hours`, identities until erasure |
//! | (g) security measures | fixed: what Assent itself does (encryption, keyed lookups, the Merkle log, hashed keys, the audit chain) |
//!
//! The record renders as JSON (serde), as CSV ([`ProcessingRecord::to_csv`],
//! one row per purpose and service, formula-safe) and as a printable HTML
//! page ([`ProcessingRecord::to_html`], no script, every text escaped).
//! It describes what the configuration says; what the controller does
//! outside Assent (its hosting, its CRM's own processing) is theirs to add.

use alloc::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::{Contact, LegalBasis, SiteConfig, StorageItem};
use crate::form::config::{AgeQuestion, Channel};

mod render;
mod sections;

pub use crate::config::LOCATION_NOT_STATED;

/// The security measures Assent itself takes (Art. 32), the same for every site.
pub const SECURITY_MEASURES: [&str; 7] = [
    "Identities a form collects (email, name, phone, a parent's email), and the owner's evidence notes for consent given offline, are encrypted with XChaCha20-Poly1305 under a per-contact key, bound to the site and subject; erasure destroys the key and the ciphertext.",
    "Lookups by email use a keyed HMAC-SHA256 under a site secret: the store never holds an address in clear to find a person.",
    "Consent records name a pseudonymous subject id, never an email, an IP address or a full user agent.",
    "Every consent record is appended to a tamper-evident Merkle log (RFC 6962) with Ed25519-signed checkpoints, and each visitor receives a signed receipt (JWS) that anyone can verify.",
    "The owner's access uses scoped admin keys (read, export, write, attest), stored only as SHA-256 hashes and compared in constant time.",
    "Every owner request, allowed or refused, is entered in a hash-chained audit trail.",
    "Client addresses are used only hashed for rate limiting and are never stored.",
];

/// The CSV header of [`ProcessingRecord::to_csv`]: one row per purpose and
/// service.
///
/// | column | what |
/// | --- | --- |
/// | `controller` | the controller's name |
/// | `controller_contact` | where to reach the controller or its DPO |
/// | `collected_by` | `banner`, or `form <id>` for a form's purpose |
/// | `purpose_id`, `purpose_name`, `purpose_description` | the purpose, in the site's default language |
/// | `legal_basis` | GDPR Art. 6(1) basis, snake_case (`consent`, `legitimate_interests`, ...) |
/// | `required` | `yes` or `no` (a required purpose cannot be refused) |
/// | `sale_or_sharing` | `yes` or `no` (Global Privacy Control opts out of it) |
/// | `channels` | a form purpose's channels (`email; sms`), empty for the banner |
/// | `service_id`, `service_name`, `provider` | the service (empty for a purpose without one) |
/// | `storage` | what the service stores: `kind name (duration)`, `; `-separated |
/// | `retention` | how long the choice holds and the proof is kept |
/// | `dpo`, `eu_representative` | `name (contact)` of each, empty when the configuration names none |
pub const CSV_HEADER: [&str; 17] = [
    "controller",
    "controller_contact",
    "collected_by",
    "purpose_id",
    "purpose_name",
    "purpose_description",
    "legal_basis",
    "required",
    "sale_or_sharing",
    "channels",
    "service_id",
    "service_name",
    "provider",
    "storage",
    "retention",
    "dpo",
    "eu_representative",
];

/// A site's record of processing activities (GDPR Art. 30(1)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessingRecord {
    /// The site id.
    pub site: String,
    /// The notice version the configuration is at (a new version is a new record).
    pub notice_version: String,
    /// The language of the purposes' names and descriptions: the site's default.
    pub language: String,
    /// (a) The controller.
    pub controller: ControllerEntry,
    /// (b) The banner's purposes, in the order shown.
    pub purposes: Vec<PurposeEntry>,
    /// (b) The opt-in forms and their purposes.
    pub forms: Vec<FormEntry>,
    /// (c) Categories of data subjects.
    pub data_subjects: Vec<Category>,
    /// (c) Categories of personal data.
    pub personal_data: Vec<Category>,
    /// (d) Recipients: the services' providers and the webhooks.
    pub recipients: Vec<Recipient>,
    /// (e) Transfers to third countries: where the site's data is kept
    /// ([`crate::config::DataLocation::describe`], or [`LOCATION_NOT_STATED`]).
    pub international_transfers: String,
    /// (f) Time limits, per kind of data.
    pub retention: Vec<Retention>,
    /// (g) Technical and organisational security measures: [`SECURITY_MEASURES`].
    pub security_measures: Vec<String>,
}

/// The controller (GDPR Art. 4(7)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControllerEntry {
    /// Legal name.
    pub name: String,
    /// Where to reach the controller or its DPO.
    pub contact: String,
    /// URL of the privacy policy.
    pub privacy_policy: String,
    /// The data protection officer, if the configuration names one (absent
    /// from the JSON otherwise, as from the notice's controller).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpo: Option<Contact>,
    /// The representative in the Union, if the configuration names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eu_representative: Option<Contact>,
}

/// One purpose of the banner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurposeEntry {
    /// The purpose id.
    pub id: String,
    /// Its name in the site's default language.
    pub name: String,
    /// Its description in the site's default language.
    pub description: String,
    /// The GDPR Art. 6(1) legal basis (snake_case).
    pub legal_basis: LegalBasis,
    /// Always on; cannot be refused.
    pub required: bool,
    /// Sells or shares personal data, or targets advertising (CCPA/CPRA):
    /// Global Privacy Control opts out of it.
    pub sale_or_sharing: bool,
    /// The services that process data for it.
    pub services: Vec<ServiceEntry>,
}

/// A service that runs under a purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceEntry {
    /// The service id.
    pub id: String,
    /// Product name.
    pub name: String,
    /// Who provides it.
    pub provider: String,
    /// Every cookie and storage key it sets, as the configuration holds them
    /// (name, kind, `duration_days`; the configuration has no description
    /// of an item). No `duration_days`: a session cookie or session storage,
    /// or local storage, which does not expire.
    pub storage: Vec<StorageItem>,
}

/// An opt-in form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormEntry {
    /// The form id.
    pub id: String,
    /// Its purposes, each with the channels it is offered through.
    pub purposes: Vec<FormPurposeEntry>,
    /// The identity fields it asks (the email always).
    pub identity_fields: Vec<IdentityField>,
    /// Whether a submission holds only once confirmed from the email.
    pub double_opt_in: bool,
    /// Hours a confirmation link holds; an unconfirmed submission then expires.
    pub confirm_within_hours: u32,
    /// The age of digital consent it applies (GDPR Art. 8), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<AgeEntry>,
    /// The privacy information linked beside it.
    pub privacy_policy: String,
}

/// A form's purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormPurposeEntry {
    /// The purpose id.
    pub id: String,
    /// Its name in the site's default language.
    pub name: String,
    /// Its description in the site's default language.
    pub description: String,
    /// Always `consent`: a form asks for it.
    pub legal_basis: LegalBasis,
    /// The channels it is offered through (`email`, `sms`, `phone`, `post`).
    pub channels: Vec<Channel>,
}

/// An identity field a form asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityField {
    /// `email`, `name`, `phone`, `age`, `birth_year` or `parent_email`.
    pub field: String,
    /// Whether it must be filled in (a parent's email: when the person is
    /// under the age of digital consent).
    pub required: bool,
}

/// A form's age rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgeEntry {
    /// How it asks: `age` or `birth_year`.
    pub ask: AgeQuestion,
    /// The age of digital consent where no country rule applies.
    pub default: u8,
    /// Per country (ISO 3166-1 alpha-2).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub countries: BTreeMap<String, u8>,
}

/// A category of data subjects or of personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// A stable id, e.g. `website_visitors`, `email`.
    pub id: String,
    /// In plain words.
    pub description: String,
    /// The forms it comes from; empty: every visitor's consent record.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forms: Vec<String>,
}

/// A recipient of personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    /// The provider's name, or `CRM webhook <id>`.
    pub name: String,
    /// `service_provider` or `webhook`.
    pub kind: String,
    /// The provider is the controller itself (same name).
    pub controller_itself: bool,
    /// The purposes it receives data for.
    pub purposes: Vec<String>,
    /// The services it provides (empty for a webhook).
    pub services: Vec<String>,
    /// What it receives, in plain words.
    pub receives: String,
}

/// How long one kind of data is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    /// `consent_choice`, `proof_record`, `pending_submission` or `identity`.
    pub data: String,
    /// The form, for a form's pending submissions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<String>,
    /// The period, in plain words.
    pub period: String,
    /// The period in days, where it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// The period in hours, where it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<u32>,
}

/// The record of processing of `config`, with texts in its default language.
///
/// ```
/// use assent_core::config::{LegalBasis, SiteConfig};
/// use assent_core::ropa::record;
///
/// let config = SiteConfig::from_json(include_str!("../../tests/vectors/site.json")).unwrap();
/// let r = record(&config);
/// assert_eq!(r.controller.name, "Vector Test Ltd");
/// let analytics = r.purposes.iter().find(|p| p.id == "analytics").unwrap();
/// assert_eq!(analytics.legal_basis, LegalBasis::Consent);
/// assert_eq!(analytics.services[0].name, "Matomo");
/// assert!(r.international_transfers.starts_with("No data_location in the configuration"));
/// assert!(r.to_csv().starts_with("controller,controller_contact,collected_by,purpose_id,"));
/// assert!(!r.to_html().contains("<script"));
/// ```
pub fn record(config: &SiteConfig) -> ProcessingRecord {
    let language = config.default_language.clone();
    let texts = config.languages.get(&language);
    let controller = &config.controller;

    let purposes = sections::purposes(config, texts);
    let forms = sections::forms(config, texts);
    let data_subjects = sections::data_subjects(&forms);
    let personal_data = sections::personal_data(&forms);
    let recipients = sections::recipients(config, &purposes, &forms);
    let retention = sections::retention(config, &forms);

    ProcessingRecord {
        site: config.site.to_string(),
        notice_version: config.notice_version.clone(),
        language,
        controller: ControllerEntry {
            name: controller.name.clone(),
            contact: controller.contact.clone(),
            privacy_policy: controller.privacy_policy.clone(),
            dpo: controller.dpo.clone(),
            eu_representative: controller.eu_representative.clone(),
        },
        purposes,
        forms,
        data_subjects,
        personal_data,
        recipients,
        international_transfers: config
            .data_location
            .map_or(LOCATION_NOT_STATED, |l| l.describe())
            .into(),
        retention,
        security_measures: SECURITY_MEASURES.iter().map(|m| m.to_string()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::render::link;
    use super::*;

    fn vectors() -> SiteConfig {
        SiteConfig::from_json(include_str!("../../tests/vectors/site.json")).unwrap()
    }

    #[test]
    fn every_purpose_with_its_basis_and_services() {
        let config = vectors();
        let r = record(&config);
        assert_eq!(r.site, "vectors");
        assert_eq!(r.language, "en");
        assert_eq!(r.controller.name, "Vector Test Ltd");
        assert_eq!(r.controller.contact, "privacy@vectors.example");
        assert_eq!(
            r.controller.privacy_policy,
            "https://vectors.example/privacy"
        );
        let got: Vec<(&str, LegalBasis, bool, bool, Vec<&str>)> = r
            .purposes
            .iter()
            .map(|p| {
                (
                    p.id.as_str(),
                    p.legal_basis,
                    p.required,
                    p.sale_or_sharing,
                    p.services.iter().map(|s| s.id.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "necessary",
                    LegalBasis::LegitimateInterests,
                    true,
                    false,
                    vec!["session"]
                ),
                (
                    "analytics",
                    LegalBasis::Consent,
                    false,
                    false,
                    vec!["matomo"]
                ),
                ("marketing", LegalBasis::Consent, false, true, vec!["ads"]),
            ]
        );
        // Texts in the default language (en), not another.
        assert_eq!(r.purposes[1].name, "Analytics");
        assert_eq!(
            r.purposes[2].description,
            "Shows ads based on your visits. Ünïcödé: €"
        );
        let matomo = &r.purposes[1].services[0];
        assert_eq!(matomo.provider, "Vector Test Ltd (self-hosted)");
        assert_eq!(matomo.storage[0].name, "_pk_id*");
        assert_eq!(matomo.storage[0].duration_days, Some(393));

        // JSON: snake_case legal bases; round-trips.
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["purposes"][0]["legal_basis"], "legitimate_interests");
        assert_eq!(json["international_transfers"], LOCATION_NOT_STATED);
        assert_eq!(json["controller"]["dpo"], serde_json::Value::Null);
        let back: ProcessingRecord = serde_json::from_value(json).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn categories_recipients_retention_and_measures() {
        let config = vectors();
        let r = record(&config);
        let ids = |l: &[Category]| l.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
        let form = &config.forms[0];
        let mut subjects = vec!["website_visitors", "form_submitters"];
        if form.age.is_some() {
            subjects.push("parents");
        }
        assert_eq!(ids(&r.data_subjects), subjects);
        let data = ids(&r.personal_data);
        for id in [
            "subject_id",
            "consent_decisions",
            "time",
            "country_hint",
            "gpc_signal",
            "email",
        ] {
            assert!(data.iter().any(|d| d == id), "{id} in {data:?}");
        }
        assert_eq!(data.iter().any(|d| d == "name"), form.fields.name.is_some());
        assert_eq!(
            data.iter().any(|d| d == "phone"),
            form.fields.phone.is_some()
        );
        // Each provider once, each webhook named.
        let names: Vec<&str> = r.recipients.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(
            &names[..3],
            [
                "Vector Test Ltd",
                "Vector Test Ltd (self-hosted)",
                "Example Ads SA"
            ]
        );
        assert!(r.recipients[0].controller_itself);
        assert!(!r.recipients[2].controller_itself);
        for hook in &config.webhooks {
            assert!(names.contains(&format!("CRM webhook {}", hook.id).as_str()));
        }
        assert_eq!(r.retention[0].data, "consent_choice");
        assert_eq!(r.retention[0].days, Some(config.consent_lifetime_days));
        let pending = r
            .retention
            .iter()
            .find(|x| x.data == "pending_submission")
            .unwrap();
        assert_eq!(pending.form.as_deref(), Some(form.id.as_str()));
        assert_eq!(pending.hours, Some(form.confirm_within_hours));
        let identity = |r: &ProcessingRecord| {
            r.retention
                .iter()
                .find(|x| x.data == "identity")
                .unwrap()
                .period
                .clone()
        };
        assert!(!identity(&r).contains("recycle bin"));
        let mut binned = config.clone();
        binned.rights.recycle_bin_days = Some(30);
        assert!(identity(&record(&binned)).contains("waits 30 days in the recycle bin"));
        assert_eq!(r.security_measures.len(), SECURITY_MEASURES.len());
        assert!(r.security_measures[0].contains("XChaCha20-Poly1305"));
        // The form's purposes, with their channels.
        let f = &r.forms[0];
        assert_eq!(f.id, form.id.as_str());
        assert_eq!(f.purposes.len(), form.purposes.len());
        assert!(f
            .purposes
            .iter()
            .all(|p| p.legal_basis == LegalBasis::Consent));
        assert_eq!(f.identity_fields[0].field, "email");
    }

    #[test]
    fn without_forms_or_webhooks_nothing_of_them_is_claimed() {
        let mut config = vectors();
        config.forms.clear();
        config.webhooks.clear();
        for texts in config.languages.values_mut() {
            texts.forms.clear();
        }
        config.validate().unwrap();
        let r = record(&config);
        assert_eq!(r.data_subjects.len(), 1);
        assert!(r.personal_data.iter().all(|c| c.id != "email"));
        assert!(r.recipients.iter().all(|x| x.kind == "service_provider"));
        assert!(r.retention.iter().all(|x| x.data != "pending_submission"));
        assert!(r.forms.is_empty());
    }

    #[test]
    fn csv_has_its_header_a_row_per_purpose_and_service_and_no_formulas() {
        let mut config = vectors();
        config.controller.name = "=HYPERLINK(\"http://evil.example\",\"x\")".into();
        config.purposes[2].services.clear();
        let r = record(&config);
        let csv = r.to_csv();
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        assert_eq!(header, CSV_HEADER);
        assert!(csv.starts_with("controller,controller_contact,collected_by,purpose_id,purpose_name,purpose_description,legal_basis,required,sale_or_sharing,channels,service_id,service_name,provider,storage,retention,dpo,eu_representative\n"));
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let form_purposes: usize = r.forms.iter().map(|f| f.purposes.len()).sum();
        // necessary x session, analytics x matomo, marketing (no service).
        assert_eq!(rows.len(), 3 + form_purposes);
        for row in &rows {
            assert_eq!(&row[0], "'=HYPERLINK(\"http://evil.example\",\"x\")");
        }
        assert_eq!(&rows[0][3], "necessary");
        assert_eq!(&rows[0][6], "legitimate_interests");
        assert_eq!(&rows[0][7], "yes");
        assert_eq!(&rows[0][10], "session");
        assert_eq!(&rows[0][13], "cookie sid (session)");
        assert_eq!(&rows[1][13], "cookie _pk_id* (393 days)");
        assert_eq!(&rows[2][3], "marketing");
        assert_eq!(&rows[2][8], "yes");
        assert_eq!(&rows[2][10], "");
        assert!(rows[0][14].starts_with("always on"));
        assert!(rows[1][14].contains("182 days"));
        assert!(rows[3][14].contains("72 hours"));
        assert_eq!(&rows[3][2], "form newsletter");
        assert_eq!(&rows[3][6], "consent");
    }

    /// The page's policy allows exactly the stylesheet the page carries: a
    /// browser hashes the `<style>` element's text and finds it named.
    #[test]
    fn the_html_policy_names_the_page_s_own_stylesheet() {
        let html = record(&vectors()).to_html();
        let style = html
            .split_once("<style>")
            .and_then(|(_, rest)| rest.split_once("</style>"))
            .map(|(css, _)| css)
            .expect("the page has one stylesheet");
        assert_eq!(
            ProcessingRecord::html_policy(),
            crate::html::page_policy(style)
        );
        assert!(!ProcessingRecord::html_policy().contains("unsafe"));
    }

    #[test]
    fn html_escapes_every_text_and_runs_no_script() {
        let mut config = vectors();
        config.controller.name = "Evil <script>alert(1)</script> & Co".into();
        config
            .languages
            .get_mut("en")
            .unwrap()
            .purposes
            .get_mut("analytics")
            .unwrap()
            .description = "Counts \"visits\" <img src=x onerror=alert(2)>".into();
        config.purposes[1].services[0].name = "<script src=//evil.example></script>".into();
        let html = record(&config).to_html();
        assert!(!html.to_lowercase().contains("<script"));
        assert!(!html.contains("<img"));
        assert!(html.contains("Evil &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"));
        assert!(html.contains("Counts &quot;visits&quot; &lt;img src=x onerror=alert(2)&gt;"));
        assert!(html.starts_with("<!doctype html>"));
        assert!(html.contains("<style>") && html.contains("@media print"));
        // A heading per section, and what they hold.
        for h in [
            "1. Controller",
            "2. Purposes of processing",
            "3. Categories of data subjects",
            "4. Categories of personal data",
            "5. Recipients",
            "6. Transfers to third countries",
            "7. Time limits for erasure",
            "8. Technical and organisational security measures",
        ] {
            assert!(html.contains(&format!("<h2>{h}</h2>")), "{h}");
        }
        assert!(html.contains("legitimate_interests"));
        assert!(html.contains("<code>_pk_id*</code>"));
        assert!(html.contains(LOCATION_NOT_STATED));
        assert!(html
            .contains("<dt>Data protection officer</dt><dd>none stated in the configuration</dd>"));
        assert!(html.contains("<a href=\"https://vectors.example/privacy\">"));
        // No outside resource: no src= and no stylesheet link.
        assert!(!html.contains(" src=\"") && !html.contains("<link"));
    }

    /// The DPO, the representative and the data location, where the
    /// configuration names them, in the JSON, every CSV row and the page.
    #[test]
    fn the_dpo_the_representative_and_the_location() {
        let mut config = vectors();
        config.controller.dpo = Some(Contact {
            name: "Jo Hale".into(),
            contact: "dpo@vectors.example".into(),
        });
        config.controller.eu_representative = Some(Contact {
            name: "Rep <EU> GmbH".into(),
            contact: "Hauptstr. 1, Berlin".into(),
        });
        config.data_location = Some(crate::config::DataLocation::Eu);
        config.validate().unwrap();
        let r = record(&config);
        assert_eq!(r.controller.dpo.as_ref().unwrap().name, "Jo Hale");
        assert_eq!(
            r.international_transfers,
            crate::config::DataLocation::Eu.describe()
        );
        let csv = r.to_csv();
        let mut lines = csv.lines();
        assert!(lines
            .next()
            .unwrap()
            .ends_with(",retention,dpo,eu_representative"));
        for row in lines {
            assert!(
                row.ends_with(
                    ",Jo Hale (dpo@vectors.example),\"Rep <EU> GmbH (Hauptstr. 1, Berlin)\""
                ),
                "{row}"
            );
        }
        let html = r.to_html();
        assert!(html.contains("<dd>Jo Hale (dpo@vectors.example)</dd>"));
        assert!(html.contains("<dd>Rep &lt;EU&gt; GmbH (Hauptstr. 1, Berlin)</dd>"));
        assert!(html.contains("only in the EU"));
        // A blank DPO is refused when the configuration is read.
        config.controller.dpo.as_mut().unwrap().name = String::new();
        assert!(format!("{:?}", config.validate()).contains("controller.dpo.name"));
    }

    #[test]
    fn a_privacy_policy_that_is_not_http_is_no_link() {
        assert_eq!(link("javascript:alert(1)"), "javascript:alert(1)");
        assert_eq!(
            link("https://a.example/?a=1&b=\"2\""),
            "<a href=\"https://a.example/?a=1&amp;b=&quot;2&quot;\">https://a.example/?a=1&amp;b=&quot;2&quot;</a>"
        );
    }
}
