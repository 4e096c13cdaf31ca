//! The record's sections, each built from the configuration (and from the
//! purposes and forms already built): one function per section.

use alloc::collections::BTreeSet;

use super::{
    AgeEntry, Category, FormEntry, FormPurposeEntry, IdentityField, PurposeEntry, Recipient,
    Retention, ServiceEntry,
};
use crate::config::{LanguageTexts, LegalBasis, SiteConfig};
use crate::form::config::{AgeQuestion, Channel, FieldUse, FormConfig, FormTexts};

/// A category of data subjects or of personal data.
fn category(id: &str, description: &str, forms: Vec<String>) -> Category {
    Category {
        id: id.into(),
        description: description.into(),
        forms,
    }
}

/// The ids of the forms `pred` holds for, in the order of the forms.
fn form_ids(forms: &[FormEntry], pred: impl Fn(&FormEntry) -> bool) -> Vec<String> {
    forms
        .iter()
        .filter(|f| pred(f))
        .map(|f| f.id.clone())
        .collect()
}

/// (b) The banner's purposes, in the order shown, with their texts in the
/// default language and their services.
pub(super) fn purposes(config: &SiteConfig, texts: Option<&LanguageTexts>) -> Vec<PurposeEntry> {
    config
        .purposes
        .iter()
        .map(|p| {
            let text = texts.and_then(|t| t.purposes.get(&p.id));
            PurposeEntry {
                id: p.id.clone(),
                name: text.map(|t| t.name.clone()).unwrap_or_default(),
                description: text.map(|t| t.description.clone()).unwrap_or_default(),
                legal_basis: p.legal_basis,
                required: p.required,
                sale_or_sharing: p.sale_or_sharing,
                services: p
                    .services
                    .iter()
                    .map(|s| ServiceEntry {
                        id: s.id.clone(),
                        name: s.name.clone(),
                        provider: s.provider.clone(),
                        storage: s.cookies.clone(),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// (b) The opt-in forms: each with its purposes, the identity fields it asks,
/// its age rule and its privacy information.
pub(super) fn forms(config: &SiteConfig, texts: Option<&LanguageTexts>) -> Vec<FormEntry> {
    config
        .forms
        .iter()
        .map(|f| {
            let form_texts = texts.and_then(|t| t.forms.get(f.id.as_str()));
            FormEntry {
                id: f.id.to_string(),
                purposes: form_purposes(f, form_texts),
                identity_fields: identity_fields(f),
                double_opt_in: f.double_opt_in,
                confirm_within_hours: f.confirm_within_hours,
                age: f.age.as_ref().map(|a| AgeEntry {
                    ask: a.ask,
                    default: a.default,
                    countries: a.countries.clone(),
                }),
                privacy_policy: f
                    .privacy_policy(&config.controller.privacy_policy)
                    .to_string(),
            }
        })
        .collect()
}

/// A form's purposes, with their texts in the default language and the
/// channels each is offered through; the basis is always consent (a form
/// asks for it).
fn form_purposes(f: &FormConfig, texts: Option<&FormTexts>) -> Vec<FormPurposeEntry> {
    f.purposes
        .iter()
        .map(|p| {
            let text = texts.and_then(|t| t.purposes.get(p.as_str()));
            let mut channels: Vec<Channel> = f
                .offers
                .iter()
                .filter(|o| o.purpose == *p)
                .map(|o| o.channel)
                .collect();
            channels.dedup();
            FormPurposeEntry {
                id: p.to_string(),
                name: text.map(|t| t.name.clone()).unwrap_or_default(),
                description: text.map(|t| t.description.clone()).unwrap_or_default(),
                legal_basis: LegalBasis::Consent,
                channels,
            }
        })
        .collect()
}

/// The identity fields a form asks: the email always, then its name and
/// phone where configured, then its age question and a parent's email where
/// it has an age rule.
fn identity_fields(f: &FormConfig) -> Vec<IdentityField> {
    let mut fields = vec![IdentityField {
        field: "email".into(),
        required: true,
    }];
    for (name, used) in [("name", f.fields.name), ("phone", f.fields.phone)] {
        if let Some(used) = used {
            fields.push(IdentityField {
                field: name.into(),
                required: used == FieldUse::Required,
            });
        }
    }
    if let Some(age) = &f.age {
        fields.push(IdentityField {
            field: age_field(age.ask).into(),
            required: true,
        });
        fields.push(IdentityField {
            field: "parent_email".into(),
            required: false,
        });
    }
    fields
}

/// The identity field an age question fills in: `age` or `birth_year`.
fn age_field(ask: AgeQuestion) -> &'static str {
    match ask {
        AgeQuestion::Age => "age",
        AgeQuestion::BirthYear => "birth_year",
    }
}

/// (c) The categories of data subjects: every visitor; with forms, the
/// people who submit them; with an age rule, the parents who confirm.
pub(super) fn data_subjects(forms: &[FormEntry]) -> Vec<Category> {
    let mut data_subjects = vec![category(
        "website_visitors",
        "Visitors of the site's pages who are shown the consent notice.",
        Vec::new(),
    )];
    if !forms.is_empty() {
        data_subjects.push(category(
            "form_submitters",
            "People who submit an opt-in form.",
            form_ids(forms, |_| true),
        ));
    }
    let with_age = form_ids(forms, |f| f.age.is_some());
    if !with_age.is_empty() {
        data_subjects.push(category(
            "parents",
            "Parents who confirm for a child under the age of digital consent.",
            with_age,
        ));
    }
    data_subjects
}

/// (c) The categories of personal data: what every consent record holds,
/// then each identity field some form asks, with the forms that ask it.
pub(super) fn personal_data(forms: &[FormEntry]) -> Vec<Category> {
    let mut personal_data = vec![
        category(
            "subject_id",
            "A pseudonymous subject id (random, made in the browser or by the form).",
            Vec::new(),
        ),
        category(
            "consent_decisions",
            "Consent decisions per purpose and service (per channel for forms), with the notice version, language and hash shown and the control used.",
            Vec::new(),
        ),
        category(
            "time",
            "The time of each decision (the browser's and the edge's clock).",
            Vec::new(),
        ),
        category(
            "country_hint",
            "The country the request came from, as the platform attributes it (no IP address is stored).",
            Vec::new(),
        ),
        category(
            "gpc_signal",
            "Whether the browser sent a Global Privacy Control signal.",
            Vec::new(),
        ),
    ];
    if !forms.is_empty() {
        personal_data.push(category(
            "email",
            "Email address (always asked by a form).",
            form_ids(forms, |_| true),
        ));
    }
    for (field, description) in [
        ("name", "Name."),
        ("phone", "Phone number (international format)."),
        ("age", "Age (to apply the age of digital consent)."),
        (
            "birth_year",
            "Year of birth (to apply the age of digital consent).",
        ),
        (
            "parent_email",
            "A parent's email address, when the person is under the age of digital consent.",
        ),
    ] {
        let asking = form_ids(forms, |f| {
            f.identity_fields.iter().any(|i| i.field == field)
        });
        if !asking.is_empty() {
            personal_data.push(category(field, description, asking));
        }
    }
    personal_data
}

/// (d) The recipients: each provider once (in the order first met), then
/// each webhook.
pub(super) fn recipients(
    config: &SiteConfig,
    purposes: &[PurposeEntry],
    forms: &[FormEntry],
) -> Vec<Recipient> {
    let mut recipients: Vec<Recipient> = Vec::new();
    for p in purposes {
        for s in &p.services {
            let i = match recipients.iter().position(|r| r.name == s.provider) {
                Some(i) => i,
                None => {
                    recipients.push(Recipient {
                        name: s.provider.clone(),
                        kind: "service_provider".into(),
                        controller_itself: s.provider == config.controller.name,
                        purposes: Vec::new(),
                        services: Vec::new(),
                        receives: "What its services collect in the visitor's browser under the purposes named, once the purpose is allowed (a required purpose: always).".into(),
                    });
                    recipients.len() - 1
                }
            };
            let r = &mut recipients[i];
            if !r.purposes.contains(&p.id) {
                r.purposes.push(p.id.clone());
            }
            r.services.push(s.id.clone());
        }
    }
    let form_purposes: Vec<String> = {
        let mut seen = BTreeSet::new();
        forms
            .iter()
            .flat_map(|f| f.purposes.iter().map(|p| p.id.clone()))
            .filter(|p| seen.insert(p.clone()))
            .collect()
    };
    for hook in &config.webhooks {
        recipients.push(Recipient {
            name: format!("CRM webhook {}", hook.id),
            kind: "webhook".into(),
            controller_itself: false,
            purposes: form_purposes.clone(),
            services: Vec::new(),
            receives: "The forms' confirmed opt-ins, changes, withdrawals and erasures, with the contact's identity and the signed receipt.".into(),
        });
    }
    recipients
}

/// (f) The time limits: how long a choice holds, the proof records, each
/// form's pending submissions, and (with forms) the identities.
pub(super) fn retention(config: &SiteConfig, forms: &[FormEntry]) -> Vec<Retention> {
    let days = config.consent_lifetime_days;
    let mut retention = vec![
        Retention {
            data: "consent_choice".into(),
            form: None,
            period: format!(
                "A choice holds {days} days; then the visitor is asked again (and at once when the notice version changes)."
            ),
            days: Some(days),
            hours: None,
        },
        Retention {
            data: "proof_record".into(),
            form: None,
            period: "Every record is kept as proof of consent in the append-only log; it names only a pseudonymous subject, and after an erasure it links to no one.".into(),
            days: None,
            hours: None,
        },
    ];
    for f in forms {
        retention.push(Retention {
            data: "pending_submission".into(),
            form: Some(f.id.clone()),
            period: format!(
                "A submission waiting for confirmation (double opt-in, or a parent's) expires after {} hours and its link stops working.",
                f.confirm_within_hours
            ),
            days: None,
            hours: Some(f.confirm_within_hours),
        });
    }
    if !forms.is_empty() {
        let bin = config.rights.recycle_bin_days.map_or(String::new(), |d| {
            format!(
                " An erasure first waits {d} days in the recycle bin, where nothing is processed for the person and a mistaken one can be undone."
            )
        });
        retention.push(Retention {
            data: "identity".into(),
            form: None,
            period: format!(
                "A form's identity fields are kept, encrypted, until the person's erasure, which destroys them.{bin}"
            ),
            days: None,
            hours: None,
        });
    }
    retention
}
