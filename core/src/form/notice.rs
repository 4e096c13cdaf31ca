//! A form's notice: everything the form shows in one language, and its hash.
//!
//! Like the banner's [`Notice`](crate::notice::Notice), the form notice is
//! derived from the site configuration for one language, served to the form
//! widget, rendered field for field, and hashed (SHA-256 of its RFC 8785
//! bytes) into every submission, so a record proves which privacy
//! information, which offers and which texts the person saw, that every box
//! was unticked, and whether double opt-in and an age rule applied.

use serde::{Deserialize, Serialize};

use crate::config::{Controller, SiteConfig, Word};
use crate::error::excerpt;
use crate::error::{Error, EventError, FormError};
use crate::form::config::{AgeRule, Channel, Fields, FormTexts};

/// One offer as shown: its checkbox label and its purpose in this language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeOffer {
    /// `channel:purpose`, the key of the decision in the event.
    pub key: String,
    /// The channel.
    pub channel: Channel,
    /// The purpose id.
    pub purpose: String,
    /// The checkbox label.
    pub label: String,
    /// The purpose's name.
    pub purpose_name: String,
    /// The purpose's description.
    pub purpose_description: String,
}

/// Everything one form shows in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormNotice {
    /// The site.
    pub site: String,
    /// The form.
    pub form: String,
    /// The site's notice version (one version for banner and forms).
    pub notice_version: String,
    /// The language of every text.
    pub language: String,
    /// Who is responsible.
    pub controller: Controller,
    /// The privacy information linked beside the form.
    pub privacy_policy: String,
    /// Identity fields asked besides the email.
    pub fields: Fields,
    /// The checkboxes, in the order shown.
    pub offers: Vec<NoticeOffer>,
    /// Every box starts unticked (always true; recorded so the proof says so).
    pub unticked: bool,
    /// Whether a submission holds only once confirmed by email.
    pub double_opt_in: bool,
    /// Hours a confirmation link holds.
    pub confirm_within_hours: u32,
    /// The age rule, where the form applies one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<AgeRule>,
    /// The texts.
    pub texts: FormTexts,
    /// Assent's own words beside them. Absent in notices before 2026-12-06,
    /// so those keep their hashes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub words: Option<FormWords>,
}

/// Assent's own words a form shows beside the site's texts
/// ([`crate::config::Word`]), in the notice's language: shown, so hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormWords {
    /// Marks a field the person may leave empty, e.g. "(optional)".
    pub optional: String,
    /// Why the form asks an age or a birth year, shown with that field.
    pub age_why: String,
    /// Said when nothing was ticked: nothing was stored.
    pub nothing_chosen: String,
}

impl FormNotice {
    /// The notice hash: lowercase hex SHA-256 of the RFC 8785 bytes.
    pub fn hash(&self) -> String {
        crate::canonical::sha256_hex(self)
            .expect("a form notice has only strings, bools and integers")
    }
}

/// The edge's answer to `GET /v1/sites/{site}/forms/{form}`: the form
/// notice in the negotiated language and its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormAnswer {
    /// The site.
    pub site: String,
    /// The form.
    pub form: String,
    /// The language of `notice`.
    pub language: String,
    /// Every language the site offers.
    pub languages: Vec<String>,
    /// [`FormNotice::hash`] of `notice`: the widget echoes it in the event.
    pub notice_hash: String,
    /// What to show.
    pub notice: FormNotice,
    /// The age of consent for this visitor's country, where the form has an
    /// age rule (not hashed: the rule is; this is its reading for the
    /// request), so the form can ask for a parent's email up front.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_of_consent: Option<u8>,
}

impl SiteConfig {
    /// The notice of form `form` in `language`.
    pub fn form_notice(&self, form: &str, language: &str) -> Result<FormNotice, Error> {
        let config = self.form(form).ok_or_else(|| {
            Error::Form(FormError::FormUnknown {
                form: excerpt(form),
            })
        })?;
        let texts = self
            .languages
            .get(language)
            .and_then(|t| t.forms.get(form))
            .ok_or_else(|| {
                Error::Event(EventError::LanguageUnknown {
                    language: excerpt(language),
                })
            })?;
        let offers = config
            .offers
            .iter()
            .map(|o| {
                let key = o.key();
                let purpose = texts.purposes.get(o.purpose.as_str());
                NoticeOffer {
                    label: texts.offers.get(&key).cloned().unwrap_or_default(),
                    key,
                    channel: o.channel,
                    purpose: o.purpose.to_string(),
                    purpose_name: purpose.map(|p| p.name.clone()).unwrap_or_default(),
                    purpose_description: purpose.map(|p| p.description.clone()).unwrap_or_default(),
                }
            })
            .collect();
        Ok(FormNotice {
            site: self.site.to_string(),
            form: config.id.to_string(),
            notice_version: self.notice_version.clone(),
            language: language.to_string(),
            controller: self.controller.clone(),
            privacy_policy: config
                .privacy_policy(&self.controller.privacy_policy)
                .to_string(),
            fields: config.fields.clone(),
            offers,
            unticked: true,
            double_opt_in: config.double_opt_in,
            confirm_within_hours: config.confirm_within_hours,
            age: config.age.clone(),
            texts: texts.clone(),
            words: Some(FormWords {
                optional: self.word(language, Word::FormOptional).to_string(),
                age_why: self.word(language, Word::FormAgeWhy).to_string(),
                nothing_chosen: self.word(language, Word::FormNothingChosen).to_string(),
            }),
        })
    }

    /// The public answer for form `form`, a visitor's language preferences
    /// and the platform's country.
    pub fn form_answer<'a>(
        &self,
        form: &str,
        preferences: impl IntoIterator<Item = &'a str>,
        country: Option<&str>,
    ) -> Result<FormAnswer, Error> {
        let language = self.negotiate(preferences).to_string();
        let notice = self.form_notice(form, &language)?;
        Ok(FormAnswer {
            site: self.site.to_string(),
            form: notice.form.clone(),
            language,
            languages: self.languages().map(str::to_string).collect(),
            notice_hash: notice.hash(),
            age_of_consent: notice.age.as_ref().map(|a| a.threshold(country)),
            notice,
        })
    }
}
