//! An opt-in form as the site configuration describes it, and its texts.
//!
//! A form offers *pairs* of a channel and a purpose ("email me the
//! newsletter", "text me offers"), each an unticked checkbox. It always asks
//! for an email address (where the confirmation goes); a name and a phone
//! number are optional or required per form, and an SMS or phone offer needs
//! the phone number asked. Double opt-in is on unless the form turns it off.
//! Where the form sets an age rule, it asks the age (or birth year) and a
//! person under the age of digital consent of their country (GDPR Art. 8:
//! 16 unless a member state set 13 to 15) needs a parent to confirm.

#[allow(unused_imports)]
use crate::prelude::*;

use alloc::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::config::checks::{check_len, check_text, check_url, MAX_LABEL, MAX_TEXT, MAX_TITLE};
use crate::error::{ConfigError, Error};
use crate::ids::{FormId, PurposeId};

/// The most forms a site may have.
pub const MAX_FORMS: usize = 16;
/// The most offers (checkboxes) a form may have.
pub const MAX_OFFERS: usize = 32;
/// GDPR Art. 8(1): the age of digital consent where a member state set none.
pub const DEFAULT_AGE_OF_CONSENT: u8 = 16;
/// How long a confirmation link holds when the form names no time: 72 hours.
pub const DEFAULT_CONFIRM_HOURS: u32 = 72;
/// The longest a confirmation link may hold: 30 days.
pub const MAX_CONFIRM_HOURS: u32 = 720;

/// A channel a person may be contacted through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Email.
    Email,
    /// Text messages.
    Sms,
    /// Phone calls.
    Phone,
    /// Letters and catalogues by post.
    Post,
}

impl Channel {
    /// The wire name, e.g. `sms`.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Phone => "phone",
            Channel::Post => "post",
        }
    }

    /// Whether contact through this channel needs the person's phone number.
    pub fn needs_phone(self) -> bool {
        matches!(self, Channel::Sms | Channel::Phone)
    }

    /// The channel of an offer key (`sms:offers` is [`Channel::Sms`]).
    pub fn of_offer(key: &str) -> Option<Channel> {
        Channel::parse(key.split_once(':')?.0)
    }

    /// The channel of a wire name (`sms` is [`Channel::Sms`]).
    pub fn parse(name: &str) -> Option<Channel> {
        [Channel::Email, Channel::Sms, Channel::Phone, Channel::Post]
            .into_iter()
            .find(|c| c.as_str() == name)
    }
}

/// One checkbox of a form: a purpose through a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Offer {
    /// How the person would be contacted.
    pub channel: Channel,
    /// What for: one of the form's purposes.
    pub purpose: PurposeId,
}

impl Offer {
    /// The key of this offer in events and texts: `channel:purpose`, e.g. `sms:offers`.
    pub fn key(&self) -> String {
        format!("{}:{}", self.channel.as_str(), self.purpose)
    }
}

/// Whether a form asks for an identity field beside the email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldUse {
    /// Asked; may be left empty.
    Optional,
    /// Asked; must be filled in.
    Required,
}

/// The identity fields a form asks besides the email (which it always asks).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fields {
    /// The person's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<FieldUse>,
    /// The person's phone number (international format).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<FieldUse>,
}

/// How a form asks for the age.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeQuestion {
    /// "How old are you?"
    Age,
    /// "Which year were you born?" (judged on the year alone: someone born in
    /// the threshold year counts as having reached it, the lenient reading).
    BirthYear,
}

/// The age of digital consent a form applies (GDPR Art. 8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgeRule {
    /// How the form asks.
    pub ask: AgeQuestion,
    /// The age where no country rule applies or the country is unknown.
    #[serde(default = "default_age")]
    pub default: u8,
    /// Per ISO 3166-1 alpha-2 country (e.g. `"FR": 15`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub countries: BTreeMap<String, u8>,
}

fn default_age() -> u8 {
    DEFAULT_AGE_OF_CONSENT
}

impl AgeRule {
    /// The age of consent for a request from `country` (the platform's
    /// attribution; unknown countries get the default).
    pub fn threshold(&self, country: Option<&str>) -> u8 {
        country
            .and_then(|c| self.countries.get(c))
            .copied()
            .unwrap_or(self.default)
    }
}

/// One opt-in form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormConfig {
    /// The form id, as in `data-assent-form="newsletter"`.
    pub id: FormId,
    /// The purposes the form asks consent for (each must rest on consent;
    /// they are the form's own, apart from the banner's).
    pub purposes: Vec<PurposeId>,
    /// The checkboxes, in the order shown.
    pub offers: Vec<Offer>,
    /// Identity fields besides the email.
    #[serde(default)]
    pub fields: Fields,
    /// Whether a submission holds only once confirmed through a link sent to
    /// the email address (default yes).
    #[serde(default = "yes")]
    pub double_opt_in: bool,
    /// Hours a confirmation link holds.
    #[serde(default = "default_confirm_hours")]
    pub confirm_within_hours: u32,
    /// The age of digital consent, where the form applies one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<AgeRule>,
    /// The privacy information linked beside the form (default: the
    /// controller's privacy policy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_policy: Option<String>,
    /// The country (ISO 3166-1 alpha-2) whose national format the phone
    /// field reads (`020 7946 0958` for `GB`); absent, the visitor's country
    /// as the platform attributes the request. Numbers typed with `+` or
    /// `00` are read as international either way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_country: Option<String>,
}

/// Whether `code` is written as an ISO 3166-1 alpha-2 code: two capitals.
fn is_country_code(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())
}

fn yes() -> bool {
    true
}

fn default_confirm_hours() -> u32 {
    DEFAULT_CONFIRM_HOURS
}

/// A webhook that receives the site's confirmed opt-ins, changes and
/// withdrawals (see [`crate::form::webhook`]). Its address and secret are
/// not in the configuration: they are deployment secrets, named here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// The webhook's id (1-32 of `a-z`, `0-9`, `_`, `-`), e.g. `crm`.
    pub id: String,
    /// The variable or secret holding its HTTPS address, e.g. `CRM_WEBHOOK_URL`.
    pub url_from: String,
    /// The secret holding its signing secret (`whsec_...`), e.g. `CRM_WEBHOOK_SECRET`.
    pub secret_from: String,
}

impl WebhookConfig {
    /// Checks the id and the names.
    pub fn validate(&self) -> Result<(), Error> {
        let invalid = |reason: &str| {
            Error::Config(ConfigError::FormInvalid {
                form: format!("webhook {}", self.id),
                reason: reason.into(),
            })
        };
        let id_ok = (1..=32).contains(&self.id.len())
            && self
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        // "mail" is the queue's own (`form::webhook::MAIL`).
        if !id_ok || self.id == "mail" {
            return Err(invalid(
                "a webhook id is 1-32 of a-z, 0-9, '_' and '-', and not \"mail\"",
            ));
        }
        let name_ok = |n: &str| {
            (1..=64).contains(&n.len())
                && n.as_bytes()[0].is_ascii_uppercase()
                && n.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        };
        if !name_ok(&self.url_from) || !name_ok(&self.secret_from) {
            return Err(invalid(
                "url_from and secret_from name variables: A-Z, 0-9 and '_'",
            ));
        }
        Ok(())
    }
}

/// A form purpose's name and description in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormPurposeText {
    /// Short name, e.g. "Newsletter".
    pub name: String,
    /// What is sent and how often, in plain words.
    pub description: String,
}

/// Everything a form shows (and sends) in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormTexts {
    /// Heading of the form.
    pub title: String,
    /// The lead text.
    pub intro: String,
    /// Label of the email field.
    pub email: String,
    /// Label of the name field (where asked).
    pub name: String,
    /// Label of the phone field (where asked).
    pub phone: String,
    /// Label of the age or birth-year field (where asked).
    pub age: String,
    /// Label of the parent's email field, shown to those under the age of consent.
    pub parent_email: String,
    /// Why a parent must confirm.
    pub parental_notice: String,
    /// The privacy information shown with the form.
    pub privacy_notice: String,
    /// Text of the link to the privacy policy.
    pub privacy_link: String,
    /// The submit button (of the form Assent renders).
    pub submit: String,
    /// The button of the confirmation page (the link's page).
    pub confirm: String,
    /// Shown after a submission that waits for confirmation.
    pub pending: String,
    /// Shown after a submission that holds at once.
    pub done: String,
    /// A field is required.
    pub error_required: String,
    /// The email address is not valid.
    pub error_email: String,
    /// The phone number is not valid.
    pub error_phone: String,
    /// The edge refused or could not be reached.
    pub error_failed: String,
    /// Subject of the confirmation mail.
    pub mail_subject: String,
    /// Body of the confirmation mail; the link follows it.
    pub mail_text: String,
    /// Subject of the mail to a parent.
    pub parent_mail_subject: String,
    /// Body of the mail to a parent; the link follows it.
    pub parent_mail_text: String,
    /// The confirmation page after a confirmation.
    pub page_confirmed: String,
    /// The confirmation page for an expired link.
    pub page_expired: String,
    /// The confirmation page for an invalid link.
    pub page_invalid: String,
    /// Name and description of each of the form's purposes.
    pub purposes: BTreeMap<String, FormPurposeText>,
    /// The label of each offer, by `channel:purpose`.
    pub offers: BTreeMap<String, String>,
}

impl FormTexts {
    /// Every plain text with its name and length limit.
    fn plain(&self) -> [(&'static str, &str, usize); 25] {
        [
            ("title", &self.title, MAX_TITLE),
            ("intro", &self.intro, MAX_TEXT),
            ("email", &self.email, MAX_LABEL),
            ("name", &self.name, MAX_LABEL),
            ("phone", &self.phone, MAX_LABEL),
            ("age", &self.age, MAX_LABEL),
            ("parent_email", &self.parent_email, MAX_LABEL),
            ("parental_notice", &self.parental_notice, MAX_TEXT),
            ("privacy_notice", &self.privacy_notice, MAX_TEXT),
            ("privacy_link", &self.privacy_link, MAX_LABEL),
            ("submit", &self.submit, MAX_LABEL),
            ("confirm", &self.confirm, MAX_LABEL),
            ("pending", &self.pending, MAX_TEXT),
            ("done", &self.done, MAX_TEXT),
            ("error_required", &self.error_required, MAX_TITLE),
            ("error_email", &self.error_email, MAX_TITLE),
            ("error_phone", &self.error_phone, MAX_TITLE),
            ("error_failed", &self.error_failed, MAX_TITLE),
            ("mail_subject", &self.mail_subject, MAX_TITLE),
            ("mail_text", &self.mail_text, MAX_TEXT),
            ("parent_mail_subject", &self.parent_mail_subject, MAX_TITLE),
            ("parent_mail_text", &self.parent_mail_text, MAX_TEXT),
            ("page_confirmed", &self.page_confirmed, MAX_TEXT),
            ("page_expired", &self.page_expired, MAX_TEXT),
            ("page_invalid", &self.page_invalid, MAX_TEXT),
        ]
    }
}

impl FormConfig {
    /// When a confirmation link mailed at `now_ms` stops working: the token
    /// and the pending entry both expire then.
    pub fn link_expires_ms(&self, now_ms: u64) -> u64 {
        now_ms.saturating_add(u64::from(self.confirm_within_hours) * 3_600_000)
    }

    /// The offer with this `channel:purpose` key.
    pub fn offer(&self, key: &str) -> Option<&Offer> {
        self.offers.iter().find(|o| o.key() == key)
    }

    /// The privacy policy linked beside the form.
    pub fn privacy_policy<'a>(&'a self, controller_policy: &'a str) -> &'a str {
        self.privacy_policy.as_deref().unwrap_or(controller_policy)
    }

    /// Checks the form's own rules (texts are checked per language by
    /// [`FormConfig::validate_texts`]).
    pub fn validate(&self) -> Result<(), Error> {
        let invalid = |reason: &str| {
            Error::Config(ConfigError::FormInvalid {
                form: self.id.to_string(),
                reason: reason.into(),
            })
        };
        if self.purposes.is_empty() || self.offers.is_empty() {
            return Err(invalid("a form needs at least one purpose and one offer"));
        }
        if self.offers.len() > MAX_OFFERS {
            return Err(invalid("a form may have at most 32 offers"));
        }
        let purposes: BTreeSet<&PurposeId> = self.purposes.iter().collect();
        if purposes.len() != self.purposes.len() {
            return Err(invalid("a purpose is listed twice"));
        }
        let mut keys = BTreeSet::new();
        for offer in &self.offers {
            if !purposes.contains(&offer.purpose) {
                return Err(invalid("an offer names a purpose the form does not list"));
            }
            if !keys.insert(offer.key()) {
                return Err(invalid("an offer is listed twice"));
            }
            if offer.channel.needs_phone() && self.fields.phone.is_none() {
                return Err(invalid("an SMS or phone offer needs the phone field asked"));
            }
        }
        if let Some(p) = self
            .purposes
            .iter()
            .find(|p| !self.offers.iter().any(|o| &o.purpose == *p))
        {
            return Err(invalid(&format!("purpose {p} has no offer")));
        }
        if !(1..=MAX_CONFIRM_HOURS).contains(&self.confirm_within_hours) {
            return Err(invalid("confirm_within_hours must be within 1..=720"));
        }
        if let Some(age) = &self.age {
            let ages = core::iter::once(&age.default).chain(age.countries.values());
            if ages.into_iter().any(|a| !(13..=16).contains(a)) {
                return Err(invalid(
                    "an age of digital consent must be within 13..=16 (GDPR Art. 8)",
                ));
            }
            if age.countries.keys().any(|c| !is_country_code(c)) {
                return Err(invalid(
                    "age countries are ISO 3166-1 alpha-2 codes, e.g. \"FR\"",
                ));
            }
            if !self.double_opt_in {
                return Err(invalid(
                    "an age rule needs double opt-in: a parent confirms by the link",
                ));
            }
        }
        if let Some(url) = &self.privacy_policy {
            check_url("forms.privacy_policy", url)?;
        }
        if self
            .phone_country
            .as_deref()
            .is_some_and(|c| !is_country_code(c))
        {
            return Err(invalid(
                "phone_country is an ISO 3166-1 alpha-2 code, e.g. \"GB\"",
            ));
        }
        Ok(())
    }

    /// Checks that `texts` has every text of this form in `language`.
    pub fn validate_texts(&self, language: &str, texts: &FormTexts) -> Result<(), Error> {
        let missing = |field: String| {
            Error::Config(ConfigError::TextMissing {
                language: language.to_string(),
                field: format!("forms.{}.{field}", self.id),
            })
        };
        for (field, value, max) in texts.plain() {
            if value.trim().is_empty() {
                return Err(missing(field.to_string()));
            }
            check_len(&format!("forms.{}.{field}", self.id), value, max)?;
        }
        for p in &self.purposes {
            let text = texts
                .purposes
                .get(p.as_str())
                .ok_or_else(|| missing(format!("purposes.{p}")))?;
            check_text(
                &format!("forms.{}.purposes.{p}.name", self.id),
                &text.name,
                MAX_LABEL,
            )?;
            check_text(
                &format!("forms.{}.purposes.{p}.description", self.id),
                &text.description,
                MAX_TEXT,
            )?;
        }
        for offer in &self.offers {
            let key = offer.key();
            let label = texts
                .offers
                .get(&key)
                .ok_or_else(|| missing(format!("offers.{key}")))?;
            check_text(&format!("forms.{}.offers.{key}", self.id), label, MAX_TEXT)?;
        }
        let stray = texts
            .purposes
            .keys()
            .find(|k| !self.purposes.iter().any(|p| p == k.as_str()))
            .or_else(|| texts.offers.keys().find(|k| self.offer(k).is_none()));
        if let Some(stray) = stray {
            return Err(Error::Config(ConfigError::FormInvalid {
                form: self.id.to_string(),
                reason: format!(
                    "language {language} has a text for {stray:?}, which the form does not have"
                ),
            }));
        }
        Ok(())
    }
}
