//! The site configuration: who the controller is, which purposes and services a
//! site has, where the widget may run, and the texts shown in each language.
//!
//! A configuration is only ever used after [`SiteConfig::validate`] accepted it:
//! the edge's build script validates every checked-in site, so a configuration
//! with an error fails the build and never deploys.
//!
//! ```
//! use assent_core::config::SiteConfig;
//!
//! let config = SiteConfig::from_json(include_str!("../../tests/vectors/site.json")).unwrap();
//! assert_eq!(config.negotiate(["de-AT", "en"]), "de");
//! assert_eq!(config.negotiate(["ja"]), "en"); // falls back to the default language
//! let en = config.notice("en").unwrap();
//! assert_eq!(en.hash().len(), 64);
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

use alloc::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::consent_mode::ConsentMode;
use crate::error::{excerpt, ConfigError, Error, EventError, SyntaxError};
use crate::form::config::{FormConfig, FormTexts, WebhookConfig, MAX_FORMS};
use crate::ids::{LanguageTag, PurposeId, ServiceId, SiteId};
#[cfg(feature = "std")]
use crate::notice::ConfigAnswer;
use crate::notice::{Notice, NoticePurpose, NoticeTexts, FIRST_LAYER_CHOICES};

pub(crate) mod checks;
pub(crate) mod purposes;
pub use checks::check_origin;
pub(crate) use checks::{check_len, check_text, check_url, MAX_LABEL, MAX_TEXT, MAX_TITLE};
pub(crate) use purposes::is_false;
pub use purposes::{Controller, LegalBasis, Purpose, Service, StorageItem, StorageKind};

/// Consent lifetime when the configuration names none: about six months, the
/// period the CNIL recommends before asking again.
pub const DEFAULT_LIFETIME_DAYS: u32 = 182;
/// The longest allowed consent lifetime: 13 months.
pub const MAX_LIFETIME_DAYS: u32 = 395;

/// A site's whole configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// The site id, checked when the configuration is read.
    pub site: SiteId,
    /// The data controller.
    pub controller: Controller,
    /// Origins (`scheme://host[:port]`) whose pages may embed the widget and post events.
    pub allowed_origins: Vec<String>,
    /// The version of the notice; a new version asks every visitor again.
    pub notice_version: String,
    /// Days a choice is kept before the visitor is asked again.
    #[serde(default = "default_lifetime")]
    pub consent_lifetime_days: u32,
    /// Language used when none of the visitor's languages is offered.
    pub default_language: String,
    /// Purposes of processing, in the order shown.
    pub purposes: Vec<Purpose>,
    /// Texts per language tag.
    pub languages: BTreeMap<String, LanguageTexts>,
    /// Google Consent Mode v2 wiring, if the site uses Google tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_mode: Option<ConsentMode>,
    /// Opt-in forms (see [`crate::form`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forms: Vec<FormConfig>,
    /// Webhooks that receive the forms' opt-ins (the CRM hand-off).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub webhooks: Vec<WebhookConfig>,
    /// Which consent regime applies where (see [`crate::jurisdiction`]);
    /// absent: opt-in everywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdictions: Option<crate::jurisdiction::Jurisdictions>,
    /// How data-subject requests are handled (see `crate::rights`).
    #[serde(default, skip_serializing_if = "RightsConfig::is_default")]
    pub rights: RightsConfig,
    /// How the site's log is kept (see [`LogConfig`]).
    #[serde(default, skip_serializing_if = "LogConfig::is_default")]
    pub log: LogConfig,
}

/// How a site's log is kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// The shards the log spreads over, by subject
    /// ([`crate::shards`]): a count, or generations of counts with the
    /// dates they start. Default: one.
    #[serde(default)]
    pub shards: crate::shards::Shards,
}

impl LogConfig {
    fn is_default(&self) -> bool {
        self == &LogConfig::default()
    }
}

/// How the site handles data-subject requests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RightsConfig {
    /// Fulfil requests from the privacy center as they arrive, without the
    /// owner's validation (default: the owner validates each).
    #[serde(default)]
    pub auto_fulfil: bool,
    /// Pseudonymous mode: the owner's exports and console show subject ids
    /// only, never identities (the person's own download still holds theirs).
    #[serde(default)]
    pub pseudonymous: bool,
    /// How long identities are kept (see `crate::rights::retention`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<RetentionConfig>,
    /// The recycle bin: an owner's erasure (the API, the CLI, the console, a
    /// fulfilled request) first moves the subject to the bin for this many
    /// days (1 to [`MAX_RECYCLE_BIN_DAYS`]), during which nothing is
    /// processed for them and the owner may restore them; then the erasure
    /// runs (see `crate::rights::bin`). Absent: erasure is immediate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recycle_bin_days: Option<u32>,
}

/// The longest grace period of the recycle bin, in days.
pub const MAX_RECYCLE_BIN_DAYS: u32 = 90;

/// How long a contact's identity is kept before it is anonymised (erased,
/// as an owner's erasure does, by the schedule).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionConfig {
    /// Days without a new record after which a contact is anonymised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inactive_days: Option<u32>,
    /// Days after which a contact who never confirmed any opt-in (only
    /// pending, expired or refused offers) is anonymised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unconfirmed_days: Option<u32>,
}

impl RightsConfig {
    fn is_default(&self) -> bool {
        *self == RightsConfig::default()
    }
}

fn default_lifetime() -> u32 {
    DEFAULT_LIFETIME_DAYS
}

/// All texts in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageTexts {
    /// Banner and panel texts.
    pub ui: NoticeTexts,
    /// Name and description of each purpose, by purpose id.
    pub purposes: BTreeMap<String, PurposeText>,
    /// The texts of each opt-in form, by form id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub forms: BTreeMap<String, FormTexts>,
    /// Each service's name and its cookies' purposes in this language, by
    /// service id. Every service of the site needs one in every language but
    /// the default, unless `fallback` says the default language's may show.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub services: BTreeMap<String, ServiceText>,
    /// Services without texts here show in the default language: an explicit
    /// choice, so a missing translation is never silent.
    #[serde(default, skip_serializing_if = "is_false")]
    pub fallback: bool,
}

/// A service's name and what its cookies are for, in one language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceText {
    /// The service's name.
    pub name: String,
    /// Each cookie's purpose, by cookie name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cookies: BTreeMap<String, String>,
}

/// A purpose's name and description in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurposeText {
    /// Short name, e.g. "Analytics".
    pub name: String,
    /// What the purpose does with whose data, in plain words.
    pub description: String,
}

impl SiteConfig {
    /// Parses JSON and validates the result.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        let config: SiteConfig = serde_json::from_str(json).map_err(|e| {
            // A site id that fails its check keeps its own code.
            #[derive(Deserialize)]
            struct Site {
                site: Option<String>,
            }
            serde_json::from_str::<Site>(json)
                .ok()
                .and_then(|s| SiteId::new(&s.site?).err())
                .unwrap_or_else(|| {
                    Error::Config(ConfigError::ConfigMalformed {
                        message: e.to_string(),
                    })
                })
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks every rule; the first broken one is returned.
    pub fn validate(&self) -> Result<(), Error> {
        self.log.shards.validate()?;
        if let Some(r) = &self.rights.retention {
            for days in [r.inactive_days, r.unconfirmed_days].into_iter().flatten() {
                if !(1..=3650).contains(&days) {
                    return Err(Error::Config(ConfigError::RetentionInvalid { days }));
                }
            }
        }
        if let Some(days) = self.rights.recycle_bin_days {
            if !(1..=MAX_RECYCLE_BIN_DAYS).contains(&days) {
                return Err(Error::Config(ConfigError::RecycleBinInvalid { days }));
            }
        }
        check_text("controller.name", &self.controller.name, MAX_TITLE)?;
        check_text("controller.contact", &self.controller.contact, MAX_TITLE)?;
        check_url("controller.privacy_policy", &self.controller.privacy_policy)?;
        if self.allowed_origins.is_empty() {
            return Err(Error::Syntax(SyntaxError::FieldInvalid {
                field: "allowed_origins".into(),
                reason: "at least one origin is needed".into(),
            }));
        }
        for origin in &self.allowed_origins {
            check_origin(origin)?;
        }
        check_notice_version(&self.notice_version)?;
        if !(1..=MAX_LIFETIME_DAYS).contains(&self.consent_lifetime_days) {
            return Err(Error::Config(ConfigError::LifetimeOutOfRange {
                days: self.consent_lifetime_days,
            }));
        }

        if self.purposes.is_empty() {
            return Err(Error::Config(ConfigError::NoPurposes));
        }
        let mut purpose_ids = BTreeSet::new();
        let mut service_ids = BTreeSet::new();
        for purpose in &self.purposes {
            PurposeId::new(&purpose.id)?;
            if !purpose_ids.insert(purpose.id.as_str()) {
                return Err(Error::Config(ConfigError::PurposeDuplicate {
                    purpose: purpose.id.clone(),
                }));
            }
            match (purpose.required, purpose.legal_basis) {
                (true, LegalBasis::Consent) => {
                    return Err(Error::Config(ConfigError::LegalBasisInvalid {
                        purpose: purpose.id.clone(),
                        reason: "a required purpose cannot rest on consent".into(),
                    }))
                }
                (false, basis) if basis != LegalBasis::Consent => {
                    return Err(Error::Config(ConfigError::LegalBasisInvalid {
                        purpose: purpose.id.clone(),
                        reason: "a purpose the visitor may refuse must rest on consent".into(),
                    }))
                }
                _ => {}
            }
            for service in &purpose.services {
                ServiceId::new(&service.id)?;
                if !service_ids.insert(service.id.as_str()) {
                    return Err(Error::Config(ConfigError::ServiceDuplicate {
                        service: service.id.clone(),
                    }));
                }
                check_text("service.name", &service.name, MAX_LABEL)?;
                check_text("service.provider", &service.provider, MAX_TITLE)?;
                for item in &service.cookies {
                    check_text("service.cookies.name", &item.name, MAX_LABEL)?;
                    if let Some(p) = &item.purpose {
                        check_text("service.cookies.purpose", p, MAX_TEXT)?;
                    }
                }
            }
        }

        if let Some(mode) = &self.consent_mode {
            mode.validate(|p| purpose_ids.contains(p))?;
        }
        if self.forms.len() > MAX_FORMS {
            return Err(Error::Config(ConfigError::FormInvalid {
                form: String::new(),
                reason: "a site may have at most 16 forms".into(),
            }));
        }
        let mut form_ids = BTreeSet::new();
        for form in &self.forms {
            if !form_ids.insert(form.id.as_str()) {
                return Err(Error::Config(ConfigError::FormInvalid {
                    form: form.id.to_string(),
                    reason: "two forms share this id".into(),
                }));
            }
            form.validate()?;
        }
        if let Some(j) = &self.jurisdictions {
            j.validate()?;
        }
        let mut hook_ids = BTreeSet::new();
        for hook in &self.webhooks {
            hook.validate()?;
            if !hook_ids.insert(hook.id.as_str()) {
                return Err(Error::Config(ConfigError::FormInvalid {
                    form: format!("webhook {}", hook.id),
                    reason: "two webhooks share this id".into(),
                }));
            }
        }

        LanguageTag::new(&self.default_language)?;
        if !self.languages.contains_key(&self.default_language) {
            return Err(Error::Config(ConfigError::DefaultLanguageMissing {
                language: self.default_language.clone(),
            }));
        }
        for (lang, texts) in &self.languages {
            LanguageTag::new(lang)?;
            check_texts(lang, &texts.ui)?;
            self.check_language(lang, texts)?;
            for purpose in &self.purposes {
                let text = texts.purposes.get(&purpose.id).ok_or_else(|| {
                    Error::Config(ConfigError::TextMissing {
                        language: lang.clone(),
                        field: format!("purposes.{}", purpose.id),
                    })
                })?;
                let missing = |field: &str| {
                    Error::Config(ConfigError::TextMissing {
                        language: lang.clone(),
                        field: format!("purposes.{}.{field}", purpose.id),
                    })
                };
                if text.name.trim().is_empty() {
                    return Err(missing("name"));
                }
                if text.description.trim().is_empty() {
                    return Err(missing("description"));
                }
                check_len(
                    &format!("purposes.{}.name", purpose.id),
                    &text.name,
                    MAX_LABEL,
                )?;
                check_len(
                    &format!("purposes.{}.description", purpose.id),
                    &text.description,
                    MAX_TEXT,
                )?;
            }
            for form in &self.forms {
                let form_texts = texts.forms.get(form.id.as_str()).ok_or_else(|| {
                    Error::Config(ConfigError::TextMissing {
                        language: lang.clone(),
                        field: format!("forms.{}", form.id),
                    })
                })?;
                form.validate_texts(lang, form_texts)?;
            }
            if let Some(stray) = texts.forms.keys().find(|k| !form_ids.contains(k.as_str())) {
                return Err(Error::Config(ConfigError::FormInvalid {
                    form: stray.clone(),
                    reason: format!("language {lang} has texts for a form the site does not have"),
                }));
            }
            if let Some(extra) = texts
                .purposes
                .keys()
                .find(|k| !purpose_ids.contains(k.as_str()))
            {
                return Err(Error::Event(EventError::PurposeUnknown {
                    purpose: extra.clone(),
                }));
            }
        }
        Ok(())
    }

    /// The languages offered, sorted.
    pub fn languages(&self) -> impl Iterator<Item = &str> {
        self.languages.keys().map(String::as_str)
    }

    /// Picks the language to show for a visitor's preferences, most preferred
    /// first (an `Accept-Language` header goes through
    /// [`language_preferences`] first, which orders it by `q`): an exact tag,
    /// then the same primary language, then the default.
    pub fn negotiate<'a>(&self, preferences: impl IntoIterator<Item = &'a str>) -> &str {
        for wanted in preferences {
            let wanted = wanted.trim();
            if let Some((lang, _)) = self
                .languages
                .iter()
                .find(|(l, _)| l.eq_ignore_ascii_case(wanted))
            {
                return lang;
            }
            let primary = wanted.split(['-', '_']).next().unwrap_or("");
            if let Some((lang, _)) = self.languages.iter().find(|(l, _)| {
                l.split('-')
                    .next()
                    .is_some_and(|p| p.eq_ignore_ascii_case(primary))
            }) {
                return lang;
            }
        }
        &self.default_language
    }

    /// The notice shown in `language`.
    pub fn notice(&self, language: &str) -> Result<Notice, Error> {
        let texts = self.languages.get(language).ok_or_else(|| {
            Error::Event(EventError::LanguageUnknown {
                language: excerpt(language),
            })
        })?;
        let purposes = self
            .purposes
            .iter()
            .map(|p| {
                let text = texts.purposes.get(&p.id);
                NoticePurpose {
                    id: p.id.clone(),
                    required: p.required,
                    legal_basis: p.legal_basis,
                    name: text.map(|t| t.name.clone()).unwrap_or_default(),
                    description: text.map(|t| t.description.clone()).unwrap_or_default(),
                    services: p
                        .services
                        .iter()
                        .map(|svc| localise(svc, texts.services.get(&svc.id)))
                        .collect(),
                    sale_or_sharing: p.sale_or_sharing,
                }
            })
            .collect();
        Ok(Notice {
            site: self.site.to_string(),
            notice_version: self.notice_version.clone(),
            language: language.to_string(),
            controller: self.controller.clone(),
            consent_lifetime_days: self.consent_lifetime_days,
            texts: texts.ui.clone(),
            purposes,
            choices: FIRST_LAYER_CHOICES.iter().map(|c| c.to_string()).collect(),
            equal_prominence: true,
        })
    }

    #[cfg(feature = "std")]
    /// The public answer for a visitor whose preferred languages are
    /// `preferences` (most preferred first, e.g. [`language_preferences`] of
    /// the `Accept-Language` header): the negotiated notice and its hash.
    pub fn config_answer<'a>(
        &self,
        preferences: impl IntoIterator<Item = &'a str>,
    ) -> ConfigAnswer {
        let language = self.negotiate(preferences).to_string();
        // negotiate() only returns offered languages, so the notice exists.
        let notice = self
            .notice(&language)
            .expect("negotiated language is offered");
        ConfigAnswer {
            site: self.site.to_string(),
            notice_version: self.notice_version.clone(),
            language,
            languages: self.languages().map(str::to_string).collect(),
            notice_hash: notice.hash(),
            notice,
            consent_mode: self.consent_mode.clone(),
        }
    }

    /// The form with this id.
    pub fn form(&self, id: &str) -> Option<&FormConfig> {
        self.forms.iter().find(|f| f.id == *id)
    }

    /// The purpose with this id.
    pub fn purpose(&self, id: &str) -> Option<&Purpose> {
        self.purposes.iter().find(|p| p.id == id)
    }

    /// Whether pages of `origin` may use this site's widget and post its events.
    pub fn is_origin_allowed(&self, origin: &str) -> bool {
        self.allowed_origins.iter().any(|o| o == origin)
    }
}

/// The most items of a language list that count (a header is the visitor's,
/// and its length is theirs to choose).
pub const MAX_LANGUAGE_PREFERENCES: usize = 16;

/// The languages of an `Accept-Language` header (RFC 9110 section 12.5.4) or
/// of a `?lang=` list, most preferred first: by `q` weight, equal weights in
/// the order written; `q=0` ("not acceptable"), `*`, empty items and items with
/// a malformed weight are left out. Only the first
/// [`MAX_LANGUAGE_PREFERENCES`] items are read. Hand the result to
/// [`SiteConfig::negotiate`] or `SiteConfig::config_answer`.
///
/// ```
/// use assent_core::config::language_preferences;
/// assert_eq!(
///     language_preferences("en;q=0.5, de-AT, fr;q=0, de;q=0.9"),
///     ["de-AT", "de", "en"]
/// );
/// assert_eq!(language_preferences("de-AT,en"), ["de-AT", "en"]);
/// ```
pub fn language_preferences(list: &str) -> Vec<&str> {
    let mut weighted: Vec<(u16, &str)> = list
        .split(',')
        .take(MAX_LANGUAGE_PREFERENCES)
        .filter_map(|item| {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let mut q = 1000;
            for param in parts {
                let (name, value) = param.split_once('=')?;
                if name.trim().eq_ignore_ascii_case("q") {
                    q = parse_weight(value.trim())?;
                }
            }
            (q > 0 && !tag.is_empty() && tag != "*").then_some((q, tag))
        })
        .collect();
    // A stable sort: equal weights keep the order they were written in.
    weighted.sort_by_key(|w| core::cmp::Reverse(w.0));
    weighted.into_iter().map(|(_, tag)| tag).collect()
}

/// An RFC 9110 weight in thousandths: `0`, `0.5`, `1.000`; `None` otherwise.
fn parse_weight(value: &str) -> Option<u16> {
    let (int, frac) = value.split_once('.').unwrap_or((value, ""));
    if frac.len() > 3 || !frac.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let thousandths = frac.bytes().chain(core::iter::repeat(b'0')).take(3);
    let frac = thousandths.fold(0u16, |n, c| n * 10 + u16::from(c - b'0'));
    match int {
        "0" => Some(frac),
        "1" if frac == 0 => Some(1000),
        _ => None,
    }
}

/// A service as shown in a language: its own name and cookie purposes
/// where the language has them, else the default language's.
fn localise(service: &Service, text: Option<&ServiceText>) -> Service {
    let Some(text) = text else {
        return service.clone();
    };
    let mut out = service.clone();
    out.name = text.name.clone();
    for c in &mut out.cookies {
        if let Some(p) = text.cookies.get(&c.name) {
            c.purpose = Some(p.clone());
        }
    }
    out
}

fn check_texts(lang: &str, t: &NoticeTexts) -> Result<(), Error> {
    let fields: [(&str, &str, usize); 15] = [
        ("title", &t.title, MAX_TITLE),
        ("text", &t.text, MAX_TEXT),
        ("accept_all", &t.accept_all, MAX_LABEL),
        ("reject_all", &t.reject_all, MAX_LABEL),
        ("customise", &t.customise, MAX_LABEL),
        ("preferences_title", &t.preferences_title, MAX_TITLE),
        ("save", &t.save, MAX_LABEL),
        ("always_on", &t.always_on, MAX_LABEL),
        ("close", &t.close, MAX_LABEL),
        ("privacy_choices", &t.privacy_choices, MAX_LABEL),
        ("privacy_policy", &t.privacy_policy, MAX_LABEL),
        ("withdraw_all", &t.withdraw_all, MAX_LABEL),
        ("gpc_honoured", &t.gpc_honoured, MAX_TEXT),
        ("embed_blocked", &t.embed_blocked, MAX_TEXT),
        ("allow_and_load", &t.allow_and_load, MAX_LABEL),
    ];
    for (name, value, max) in fields {
        if value.trim().is_empty() {
            return Err(Error::Config(ConfigError::TextMissing {
                language: lang.to_string(),
                field: format!("ui.{name}"),
            }));
        }
        check_len(&format!("languages.{lang}.ui.{name}"), value, max)?;
    }
    Ok(())
}

impl SiteConfig {
    /// What a language must have beyond the fixed texts: the first layer's
    /// optional lines exactly when the default language has them, "Accept
    /// all" under GPC when a purpose is sale or sharing, and every
    /// service's name and cookie purposes unless it falls back explicitly.
    fn check_language(&self, lang: &str, texts: &LanguageTexts) -> Result<(), Error> {
        let missing = |field: String| {
            Error::Config(ConfigError::TextMissing {
                language: lang.to_string(),
                field,
            })
        };
        let default = self.languages.get(&self.default_language);
        let ui = &texts.ui;
        let lines: [(&str, Option<&String>, Option<&String>, &str); 2] = [
            (
                "third_parties",
                ui.third_parties.as_ref(),
                default.and_then(|d| d.ui.third_parties.as_ref()),
                "{providers}",
            ),
            (
                "lifetime",
                ui.lifetime.as_ref(),
                default.and_then(|d| d.ui.lifetime.as_ref()),
                "{duration}",
            ),
        ];
        for (name, here, in_default, placeholder) in lines {
            match (here, in_default) {
                (None, Some(_)) => return Err(missing(format!("ui.{name}"))),
                (Some(_), None) => {
                    return Err(Error::Syntax(SyntaxError::FieldInvalid {
                        field: format!("languages.{lang}.ui.{name}"),
                        reason: "the default language does not show this line".into(),
                    }))
                }
                (Some(t), _) => {
                    check_text(&format!("languages.{lang}.ui.{name}"), t, MAX_TEXT)?;
                    if !t.contains(placeholder) {
                        return Err(Error::Syntax(SyntaxError::FieldInvalid {
                            field: format!("languages.{lang}.ui.{name}"),
                            reason: format!("must contain {placeholder}"),
                        }));
                    }
                }
                (None, None) => {}
            }
        }
        match &ui.accept_all_gpc {
            Some(t) => check_text(&format!("languages.{lang}.ui.accept_all_gpc"), t, MAX_LABEL)?,
            None if self.purposes.iter().any(|p| p.sale_or_sharing) => {
                return Err(missing("ui.accept_all_gpc".into()))
            }
            None => {}
        }
        for (id, text) in &texts.services {
            let Some(service) = self
                .purposes
                .iter()
                .flat_map(|p| &p.services)
                .find(|s| s.id == *id)
            else {
                return Err(Error::Syntax(SyntaxError::FieldInvalid {
                    field: format!("languages.{lang}.services.{id}"),
                    reason: "no such service".into(),
                }));
            };
            check_text(
                &format!("languages.{lang}.services.{id}.name"),
                &text.name,
                MAX_LABEL,
            )?;
            for (cookie, purpose) in &text.cookies {
                if !service.cookies.iter().any(|c| c.name == *cookie) {
                    return Err(Error::Syntax(SyntaxError::FieldInvalid {
                        field: format!("languages.{lang}.services.{id}.cookies.{cookie}"),
                        reason: "the service stores no such item".into(),
                    }));
                }
                check_text(
                    &format!("languages.{lang}.services.{id}.cookies.{cookie}"),
                    purpose,
                    MAX_TEXT,
                )?;
            }
        }
        if lang == self.default_language || texts.fallback {
            return Ok(());
        }
        for service in self.purposes.iter().flat_map(|p| &p.services) {
            let text = texts
                .services
                .get(&service.id)
                .ok_or_else(|| missing(format!("services.{}", service.id)))?;
            for c in service.cookies.iter().filter(|c| c.purpose.is_some()) {
                if !text.cookies.contains_key(&c.name) {
                    return Err(missing(format!(
                        "services.{}.cookies.{}",
                        service.id, c.name
                    )));
                }
            }
        }
        Ok(())
    }
}

fn check_notice_version(v: &str) -> Result<(), Error> {
    let ok = (1..=32).contains(&v.len())
        && v.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'));
    if ok {
        Ok(())
    } else {
        Err(Error::Syntax(SyntaxError::FieldInvalid {
            field: "notice_version".into(),
            reason: "use 1-32 characters of A-Z, a-z, 0-9, '.', '-' and '_'".into(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> SiteConfig {
        SiteConfig::from_json(include_str!("../../tests/vectors/site.json")).unwrap()
    }

    #[test]
    fn the_recycle_bin_keeps_1_to_90_days() {
        let with = |days: &str| {
            let mut v: serde_json::Value =
                serde_json::from_str(include_str!("../../tests/vectors/site.json")).unwrap();
            v["rights"] =
                serde_json::from_str(&format!("{{\"recycle_bin_days\": {days}}}")).unwrap();
            SiteConfig::from_json(&v.to_string())
        };
        assert_eq!(with("1").unwrap().rights.recycle_bin_days, Some(1));
        assert_eq!(with("90").unwrap().rights.recycle_bin_days, Some(90));
        for bad in ["0", "91", "3650"] {
            let e = with(bad).unwrap_err();
            assert_eq!(e.code(), "recycle_bin_invalid", "{bad}");
            assert!(e.to_string().contains(bad), "{e}");
        }
        assert_eq!(with("-1").unwrap_err().code(), "config_malformed");
        assert_eq!(
            config().rights.recycle_bin_days,
            None,
            "immediate by default"
        );
    }

    #[test]
    fn origins() {
        for ok in [
            "https://shop.example",
            "http://127.0.0.1:8787",
            "http://localhost:3000",
            "https://shop.example:8443",
            "http://shop.example:443",
            "https://shop.example:80",
            "https://xn--bcher-kva.example",
            "http://[::1]:8787",
            "http://[2001:db8::1]",
        ] {
            assert!(check_origin(ok).is_ok(), "{ok}");
        }
        for bad in [
            "shop.example",
            "https://shop.example/",
            "https://shop.example/path",
            "https://Shop.example",
            "ftp://shop.example",
            "https://shop.example:0",
            "https://shop.example:99999",
            "https://",
            // A browser never sends a default port.
            "https://shop.example:443",
            "http://shop.example:80",
            "https://shop.example:0443",
            // Unicode hosts: the punycode form is the origin.
            "https://bücher.example",
            // IPv6: bracketed and shortest only; IPv4 dotted decimal only.
            "http://[::1",
            "http://[::1]x",
            "http://::1",
            "http://[::G]",
            // Trailing dots, empty labels, user info.
            "https://shop.example.",
            "https://shop..example",
            "https://user@shop.example",
        ] {
            assert_eq!(
                check_origin(bad).unwrap_err().code(),
                "origin_invalid",
                "{bad}"
            );
        }
    }

    /// What only the WHATWG parser knows (std): forms a browser rewrites.
    #[cfg(feature = "std")]
    #[test]
    fn origins_a_browser_would_rewrite() {
        for bad in [
            "http://[0:0:0:0:0:0:0:1]",
            "http://[2001:DB8::1]",
            "http://0x7f.0.0.1",
            "http://127.1",
            "https://xn--zz.example",
        ] {
            assert_eq!(
                check_origin(bad).unwrap_err().code(),
                "origin_invalid",
                "{bad}"
            );
        }
    }

    #[test]
    fn accept_language_is_ordered_by_q() {
        assert_eq!(
            language_preferences("de;q=0.1, en-GB;q=0.8, fr"),
            ["fr", "en-GB", "de"]
        );
        // Equal weights keep their order; q=0, '*', empty and malformed go.
        assert_eq!(
            language_preferences(
                "it, es;q=0, *;q=0.5, , pt;q=2, pl;q=0.5000, nl;Q=1.0, sv;q=0.999"
            ),
            ["it", "nl", "sv"]
        );
        assert_eq!(language_preferences(""), Vec::<&str>::new());
        let long = "xx;q=0.1,".repeat(40) + "de";
        assert_eq!(language_preferences(&long).len(), MAX_LANGUAGE_PREFERENCES);
        // Through negotiation: a language weighted lower loses even when
        // written first (the demo offers both de and en).
        let c = config();
        assert!(c.languages().any(|l| l == "de") && c.languages().any(|l| l == "en"));
        assert_eq!(c.negotiate(language_preferences("de;q=0.2, en")), "en");
        assert_eq!(c.negotiate(language_preferences("en;q=0.2, de-AT")), "de");
    }

    #[test]
    fn privacy_policy_urls() {
        for ok in [
            "https://shop.example",
            "https://shop.example/privacy",
            "https://shop.example:8443/privacy?x=1#top",
            "https://xn--bcher-kva.example/datenschutz",
        ] {
            assert!(check_url("f", ok).is_ok(), "{ok}");
        }
        for bad in [
            "https://shop.example:443/privacy",
            "http://shop.example:80",
            "https://Shop.example/privacy",
            "https://bücher.example/datenschutz",
            "https:///privacy",
            "https://shop.example/a b",
            "mailto:dpo@shop.example",
            "/privacy",
        ] {
            assert_eq!(
                check_url("f", bad).unwrap_err().code(),
                "field_invalid",
                "{bad}"
            );
        }
    }

    #[test]
    fn a_bad_site_id_keeps_its_code_when_read() {
        let json = include_str!("../../tests/vectors/site.json")
            .replace("\"site\": \"vectors\"", "\"site\": \"Demo\"");
        assert_eq!(
            SiteConfig::from_json(&json).unwrap_err().code(),
            "site_id_invalid"
        );
    }

    type Mutation = Box<dyn Fn(&mut SiteConfig)>;

    #[test]
    fn each_rule_has_its_code() {
        let cases: Vec<(&str, Mutation)> = vec![
            ("no_purposes", Box::new(|c| c.purposes.clear())),
            (
                "purpose_duplicate",
                Box::new(|c| {
                    let p = c.purposes[1].clone();
                    c.purposes.push(p)
                }),
            ),
            (
                "purpose_id_invalid",
                Box::new(|c| c.purposes[1].id = "Bad Id".into()),
            ),
            (
                "legal_basis_invalid",
                Box::new(|c| c.purposes[1].legal_basis = LegalBasis::LegitimateInterests),
            ),
            (
                "legal_basis_invalid",
                Box::new(|c| c.purposes[0].legal_basis = LegalBasis::Consent),
            ),
            (
                "lifetime_out_of_range",
                Box::new(|c| c.consent_lifetime_days = 396),
            ),
            (
                "lifetime_out_of_range",
                Box::new(|c| c.consent_lifetime_days = 0),
            ),
            (
                "origin_invalid",
                Box::new(|c| c.allowed_origins.push("https://x.example/".into())),
            ),
            ("field_invalid", Box::new(|c| c.allowed_origins.clear())),
            (
                "field_invalid",
                Box::new(|c| c.notice_version = "v 1".into()),
            ),
            (
                "field_invalid",
                Box::new(|c| c.controller.privacy_policy = "javascript:alert(1)".into()),
            ),
            (
                "default_language_missing",
                Box::new(|c| c.default_language = "fr".into()),
            ),
            (
                "language_invalid",
                Box::new(|c| {
                    let en = c.languages["en"].clone();
                    c.languages.insert("EN".into(), en);
                }),
            ),
            (
                "text_missing",
                Box::new(|c| c.languages.get_mut("de").unwrap().ui.reject_all = " ".into()),
            ),
            (
                "text_missing",
                Box::new(|c| {
                    c.languages
                        .get_mut("de")
                        .unwrap()
                        .purposes
                        .remove("analytics");
                }),
            ),
            (
                "purpose_unknown",
                Box::new(|c| {
                    let t = PurposeText {
                        name: "x".into(),
                        description: "y".into(),
                    };
                    c.languages
                        .get_mut("en")
                        .unwrap()
                        .purposes
                        .insert("ghost".into(), t);
                }),
            ),
            (
                "field_too_long",
                Box::new(|c| c.languages.get_mut("en").unwrap().ui.accept_all = "a".repeat(81)),
            ),
            (
                "service_duplicate",
                Box::new(|c| {
                    let s = c.purposes[1].services[0].clone();
                    c.purposes[2].services.push(s)
                }),
            ),
        ];
        for (code, mutate) in cases {
            let mut c = config();
            mutate(&mut c);
            assert_eq!(c.validate().map_err(|e| e.code()), Err(code), "{code}");
        }
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let json =
            include_str!("../../tests/vectors/site.json").replacen('{', "{\"colour\":\"red\",", 1);
        assert_eq!(
            SiteConfig::from_json(&json).unwrap_err().code(),
            "config_malformed"
        );
    }

    #[test]
    fn notice_hash_depends_on_every_shown_text() {
        let c = config();
        let base = c.notice("en").unwrap().hash();
        let mut changed = c.clone();
        changed
            .languages
            .get_mut("en")
            .unwrap()
            .ui
            .reject_all
            .push('!');
        assert_ne!(base, changed.notice("en").unwrap().hash());
        let mut changed = c.clone();
        changed.purposes[1].services[0].provider.push('.');
        assert_ne!(base, changed.notice("en").unwrap().hash());
        assert_ne!(base, c.notice("de").unwrap().hash());
    }

    #[test]
    fn a_language_is_complete_or_falls_back_explicitly() {
        let code = |c: &SiteConfig| c.validate().err().map(|e| e.code());
        let mut c = config();
        assert_eq!(code(&c), None, "de falls back explicitly");
        c.languages.get_mut("de").unwrap().fallback = false;
        assert_eq!(code(&c), Some("text_missing"), "de names no service");

        // Complete: each service named, each cookie with a purpose explained.
        let mut c = config();
        c.purposes[1].services[0].cookies[0].purpose = Some("Tells visits apart".into());
        let de = c.languages.get_mut("de").unwrap();
        de.fallback = false;
        for p in &config().purposes {
            for s in &p.services {
                de.services.insert(
                    s.id.clone(),
                    ServiceText {
                        name: format!("{} (de)", s.name),
                        cookies: BTreeMap::new(),
                    },
                );
            }
        }
        assert_eq!(
            code(&c),
            Some("text_missing"),
            "a cookie purpose untranslated"
        );
        let svc = c.purposes[1].services[0].clone();
        let de = c.languages.get_mut("de").unwrap();
        de.services
            .get_mut(&svc.id)
            .unwrap()
            .cookies
            .insert(svc.cookies[0].name.clone(), "Unterscheidet Besuche".into());
        assert_eq!(code(&c), None);
        let shown = c.notice("de").unwrap();
        assert_eq!(
            shown.purposes[1].services[0].name,
            format!("{} (de)", svc.name)
        );
        assert_eq!(
            shown.purposes[1].services[0].cookies[0].purpose.as_deref(),
            Some("Unterscheidet Besuche")
        );
        assert_eq!(
            c.notice("en").unwrap().purposes[1].services[0].cookies[0]
                .purpose
                .as_deref(),
            Some("Tells visits apart")
        );

        // Texts for what does not exist are refused, not ignored.
        let mut bad = c.clone();
        bad.languages
            .get_mut("de")
            .unwrap()
            .services
            .insert("nope".into(), ServiceText::default());
        assert_eq!(code(&bad), Some("field_invalid"));
        let mut bad = c.clone();
        bad.languages
            .get_mut("de")
            .unwrap()
            .services
            .get_mut(&svc.id)
            .unwrap()
            .cookies
            .insert("nope".into(), "x".into());
        assert_eq!(code(&bad), Some("field_invalid"));
    }

    #[test]
    fn first_layer_lines_are_in_every_language_or_none_and_gpc_has_its_label() {
        let code = |c: &SiteConfig| c.validate().err().map(|e| e.code());
        let mut c = config();
        c.languages.get_mut("en").unwrap().ui.lifetime = Some("Kept for {duration}.".into());
        assert_eq!(code(&c), Some("text_missing"), "de lacks the line en shows");
        c.languages.get_mut("de").unwrap().ui.lifetime = Some("Gespeichert für {duration}.".into());
        assert_eq!(code(&c), None);
        c.languages.get_mut("de").unwrap().ui.third_parties = Some("Partner: {providers}.".into());
        assert_eq!(
            code(&c),
            Some("field_invalid"),
            "a line the default language does not show"
        );
        let mut c = config();
        c.languages.get_mut("en").unwrap().ui.lifetime = Some("Kept a while.".into());
        c.languages.get_mut("de").unwrap().ui.lifetime = Some("Gespeichert.".into());
        assert_eq!(
            code(&c),
            Some("field_invalid"),
            "the placeholder is missing"
        );
        let mut c = config();
        c.languages.get_mut("de").unwrap().ui.accept_all_gpc = None;
        assert_eq!(
            code(&c),
            Some("text_missing"),
            "a sale or sharing purpose needs the GPC label"
        );
        for p in &mut c.purposes {
            p.sale_or_sharing = false;
        }
        assert_eq!(code(&c), None);
    }
}
