//! The checks of each language's texts: the default language is offered,
//! and every language has all the texts the site shows, each within its
//! length, and none for what the site does not have.

#[allow(unused_imports)]
use crate::prelude::*;

use alloc::collections::BTreeSet;

use crate::error::{ConfigError, Error, EventError, SyntaxError};
use crate::ids::LanguageTag;
use crate::notice::NoticeTexts;

use super::{check_len, check_text, LanguageTexts, SiteConfig, MAX_LABEL, MAX_TEXT, MAX_TITLE};

impl SiteConfig {
    /// Checks the default language (a valid tag, with texts), then each
    /// language in turn: its tag, its fixed texts, what it must have beyond
    /// them, its purposes' and forms' texts, and no texts for a purpose the
    /// site does not have (`purpose_ids`, `form_ids`: the site's).
    pub(super) fn check_languages(
        &self,
        purpose_ids: &BTreeSet<&str>,
        form_ids: &BTreeSet<&str>,
    ) -> Result<(), Error> {
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
            #[cfg(feature = "std")]
            self.check_words(lang, texts.fallback)?;
            self.check_purpose_texts(lang, texts)?;
            self.check_form_texts(lang, texts, form_ids)?;
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

    /// Checks that each purpose has a name and a description in `lang`, not
    /// blank and within their lengths.
    fn check_purpose_texts(&self, lang: &str, texts: &LanguageTexts) -> Result<(), Error> {
        for purpose in &self.purposes {
            let text = texts.purposes.get(&purpose.id).ok_or_else(|| {
                Error::Config(ConfigError::TextMissing {
                    language: lang.to_string(),
                    field: format!("purposes.{}", purpose.id),
                })
            })?;
            let missing = |field: &str| {
                Error::Config(ConfigError::TextMissing {
                    language: lang.to_string(),
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
        Ok(())
    }

    /// Checks that each form has its texts in `lang`, and that `lang` has none
    /// for a form the site does not have (`form_ids`).
    fn check_form_texts(
        &self,
        lang: &str,
        texts: &LanguageTexts,
        form_ids: &BTreeSet<&str>,
    ) -> Result<(), Error> {
        for form in &self.forms {
            let form_texts = texts.forms.get(form.id.as_str()).ok_or_else(|| {
                Error::Config(ConfigError::TextMissing {
                    language: lang.to_string(),
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
        Ok(())
    }

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

/// Checks the fixed texts of the banner and the panel in `lang`: each present,
/// not blank, and within its length.
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
