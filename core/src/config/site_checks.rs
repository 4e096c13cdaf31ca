//! The checks of a configuration's parts other than its languages, one
//! function per part: the site itself (controller, origins, notice version,
//! lifetime), the purposes and their services, the forms, the webhooks.
//! [`SiteConfig::validate`] runs them in a fixed order and returns the first
//! broken rule, so which error a configuration gets never changes.

#[allow(unused_imports)]
use crate::prelude::*;

use alloc::collections::BTreeSet;

use crate::error::{ConfigError, Error, SyntaxError};
use crate::form::config::MAX_FORMS;
use crate::ids::{PurposeId, ServiceId};

use super::{
    check_origin, check_text, check_url, LegalBasis, Purpose, Service, SiteConfig, MAX_LABEL,
    MAX_LIFETIME_DAYS, MAX_TEXT, MAX_TITLE,
};

impl SiteConfig {
    /// Checks the controller, the allowed origins (at least one), the notice
    /// version and the consent lifetime.
    pub(super) fn check_site(&self) -> Result<(), Error> {
        check_text("controller.name", &self.controller.name, MAX_TITLE)?;
        check_text("controller.contact", &self.controller.contact, MAX_TITLE)?;
        check_url("controller.privacy_policy", &self.controller.privacy_policy)?;
        if let Some(dpo) = &self.controller.dpo {
            dpo.check("controller.dpo")?;
        }
        if let Some(rep) = &self.controller.eu_representative {
            rep.check("controller.eu_representative")?;
        }
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
        Ok(())
    }

    /// Checks the purposes (at least one) and each purpose's services, in
    /// order; returns the purpose ids.
    pub(super) fn check_purposes(&self) -> Result<BTreeSet<&str>, Error> {
        if self.purposes.is_empty() {
            return Err(Error::Config(ConfigError::NoPurposes));
        }
        let mut purpose_ids = BTreeSet::new();
        let mut service_ids = BTreeSet::new();
        for purpose in &self.purposes {
            check_purpose(purpose, &mut purpose_ids)?;
            for service in &purpose.services {
                check_service(service, &mut service_ids)?;
            }
        }
        Ok(purpose_ids)
    }

    /// Checks the forms: at most [`MAX_FORMS`], each id once, each form
    /// valid; returns the form ids.
    pub(super) fn check_forms(&self) -> Result<BTreeSet<&str>, Error> {
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
        Ok(form_ids)
    }

    /// Checks the webhooks: each valid, each id once.
    pub(super) fn check_webhooks(&self) -> Result<(), Error> {
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
        Ok(())
    }
}

/// Checks one purpose: its id, not seen before (added to `ids`), and a legal
/// basis that fits whether the visitor may refuse it.
fn check_purpose<'a>(purpose: &'a Purpose, ids: &mut BTreeSet<&'a str>) -> Result<(), Error> {
    PurposeId::new(&purpose.id)?;
    if !ids.insert(purpose.id.as_str()) {
        return Err(Error::Config(ConfigError::PurposeDuplicate {
            purpose: purpose.id.clone(),
        }));
    }
    match (purpose.required, purpose.legal_basis) {
        (true, LegalBasis::Consent) => Err(Error::Config(ConfigError::LegalBasisInvalid {
            purpose: purpose.id.clone(),
            reason: "a required purpose cannot rest on consent".into(),
        })),
        (false, basis) if basis != LegalBasis::Consent => {
            Err(Error::Config(ConfigError::LegalBasisInvalid {
                purpose: purpose.id.clone(),
                reason: "a purpose the visitor may refuse must rest on consent".into(),
            }))
        }
        _ => Ok(()),
    }
}

/// Checks one service: its id, not seen before in any purpose (added to
/// `ids`), its name, provider and storage items.
fn check_service<'a>(service: &'a Service, ids: &mut BTreeSet<&'a str>) -> Result<(), Error> {
    ServiceId::new(&service.id)?;
    if !ids.insert(service.id.as_str()) {
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
    Ok(())
}

/// Checks the notice version: 1 to 32 characters of A-Z, a-z, 0-9, `.`, `-`
/// and `_`.
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
