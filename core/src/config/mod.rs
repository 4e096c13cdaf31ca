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

use alloc::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::consent_mode::ConsentMode;
use crate::error::{excerpt, ConfigError, Error, EventError};
use crate::form::config::{FormConfig, WebhookConfig};
use crate::ids::SiteId;
#[cfg(feature = "std")]
use crate::notice::ConfigAnswer;
use crate::notice::{Notice, NoticePurpose, FIRST_LAYER_CHOICES};

mod accountability;
#[cfg(feature = "std")]
pub mod edition;
#[cfg(feature = "std")]
pub mod preview;
#[cfg(feature = "std")]
mod theme;
#[cfg(feature = "std")]
pub use theme::{contrast, Theme, MIN_CONTRAST};
pub(crate) mod checks;
mod language_checks;
mod languages;
mod log;
pub(crate) mod purposes;
mod rights;
mod site_checks;
pub mod tcf;
#[cfg(feature = "std")]
mod words;
pub use accountability::{Contact, DataLocation, LOCATION_NOT_STATED};
pub use checks::check_origin;
pub(crate) use checks::{check_len, check_text, check_url, MAX_LABEL, MAX_TEXT, MAX_TITLE};
pub use languages::{
    language_preferences, text_direction, LanguageTexts, PurposeText, ServiceText,
    MAX_LANGUAGE_PREFERENCES,
};
pub use log::LogConfig;
pub(crate) use purposes::is_false;
pub use purposes::{Controller, LegalBasis, Purpose, Service, StorageItem, StorageKind};
pub use rights::{RetentionConfig, RightsConfig, MAX_RECYCLE_BIN_DAYS};
#[cfg(feature = "std")]
pub use words::{Word, Words, BUILT_IN as WORD_LANGUAGES};

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
    /// Where the site's objects are kept (a Durable Object jurisdiction);
    /// absent: wherever Cloudflare places them. Fixed when a site starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_location: Option<DataLocation>,
    /// The widget's look (see [`Theme`]); absent: the widget's own.
    #[cfg(feature = "std")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<Theme>,
    /// IAB TCF v2.3 (`docs/tcf.md`): the CMP's registration, the vendor
    /// list's version, which IAB purposes the site's purposes stand for, and
    /// the IAB vendors of its services. Absent: no TCF.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcf: Option<tcf::TcfConfig>,
}

fn default_lifetime() -> u32 {
    DEFAULT_LIFETIME_DAYS
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
        // Part by part, in this order: the first broken rule is the error,
        // so a configuration with several always gets the same one.
        self.log.validate()?;
        self.rights.validate()?;
        self.check_site()?;
        let purpose_ids = self.check_purposes()?;
        if let Some(mode) = &self.consent_mode {
            mode.validate(|p| purpose_ids.contains(p))?;
        }
        let form_ids = self.check_forms()?;
        if let Some(j) = &self.jurisdictions {
            j.validate()?;
        }
        self.check_webhooks()?;
        if let Some(tcf) = &self.tcf {
            let optional = self
                .purposes
                .iter()
                .filter(|p| !p.required)
                .map(|p| p.id.as_str())
                .collect();
            tcf.validate(&optional, &self.purpose_of_services())?;
        }
        #[cfg(feature = "std")]
        if let Some(theme) = &self.theme {
            theme.validate()?;
        }
        self.check_languages(&purpose_ids, &form_ids)
    }

    /// Each service's purpose: service id → purpose id.
    pub fn purpose_of_services(&self) -> BTreeMap<&str, &str> {
        purposes::purpose_of(
            self.purposes
                .iter()
                .map(|p| (p.id.as_str(), p.services.as_slice())),
        )
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
            #[cfg(feature = "std")]
            kinds: self.kind_words(language),
            #[cfg(not(feature = "std"))]
            kinds: BTreeMap::new(),
            tcf: self.tcf.clone(),
            #[cfg(feature = "std")]
            tcf_words: self.tcf_words(language),
            #[cfg(not(feature = "std"))]
            tcf_words: BTreeMap::new(),
        })
    }

    /// The vendor list's labels in `language`, where the site has TCF settings.
    #[cfg(feature = "std")]
    fn tcf_words(&self, language: &str) -> BTreeMap<String, String> {
        if self.tcf.is_none() {
            return BTreeMap::new();
        }
        words::TCF_WORDS
            .iter()
            .map(|w| (w.key().to_string(), self.word(language, *w).to_string()))
            .collect()
    }

    /// The words for the kinds of storage this site's services use, in `language`.
    #[cfg(feature = "std")]
    fn kind_words(&self, language: &str) -> BTreeMap<String, String> {
        let items = self
            .purposes
            .iter()
            .flat_map(|p| &p.services)
            .flat_map(|s| &s.cookies);
        items
            .map(|c| {
                let (name, word) = match c.kind {
                    StorageKind::Cookie => ("cookie", Word::KindCookie),
                    StorageKind::LocalStorage => ("local_storage", Word::KindLocalStorage),
                    StorageKind::SessionStorage => ("session_storage", Word::KindSessionStorage),
                };
                (name.to_string(), self.word(language, word).to_string())
            })
            .collect()
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
