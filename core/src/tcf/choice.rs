//! The TC string of a visitor's choice: which bits a choice on a site with
//! TCF settings sets, decided once here so that what writes a string (the
//! widget) and what checks one (the edge) cannot differ.
//!
//! - **Consent only.** A purpose or vendor bit is set where the visitor
//!   granted a site purpose that stands for it; no legitimate interest is
//!   established for any purpose (Assent asks; it does not presume), except
//!   what the specification requires: a vendor that declares special
//!   purposes only, and was shown, has its legitimate-interest bit.
//! - **A service's vendors follow the service**: granted where its purpose is
//!   granted and the visitor did not refuse the service itself.
//! - **Every vendor of the site was disclosed** (the panel lists them all).
//! - **The day, not the moment**: Created and LastUpdated are midnight UTC of
//!   the choice (TCF 2.2), so the string does not time a visit.

#[allow(unused_imports)]
use crate::prelude::*;

use alloc::collections::BTreeMap;

use super::gvl::{Disclosure, Gvl};
use super::{Ids, Invalid, TcString, VendorSet};
use crate::config::tcf::TcfConfig;
use crate::config::SiteConfig;
use crate::error::{Error, EventError};
use crate::event::ConsentEvent;
use crate::notice::Notice;

const DAY_MS: u64 = 86_400_000;

/// The visitor's choice: granted or refused per purpose, and the services
/// decided apart from their purpose.
pub struct Choice<'a> {
    /// Site purpose id → granted.
    pub decisions: &'a BTreeMap<String, bool>,
    /// Service id → granted, where decided apart from its purpose.
    pub services: &'a BTreeMap<String, bool>,
    /// The language the visitor was shown (`en`, `pt-BR`: its first two letters).
    pub language: &'a str,
    /// When, ms since the Unix epoch.
    pub at_ms: u64,
}

/// What of a site a TC string depends on: its TCF settings and each
/// service's purpose. The edge reads it from the site's file, the widget from
/// the notice it was shown (which carries both), so the two cannot differ.
pub struct Site<'a> {
    /// The site's TCF settings.
    pub tcf: &'a TcfConfig,
    /// Service id → the id of its purpose.
    pub purpose_of: BTreeMap<&'a str, &'a str>,
}

impl<'a> Site<'a> {
    /// The site of `config`; `None` without TCF settings.
    pub fn of_config(config: &'a SiteConfig) -> Option<Self> {
        Some(Site {
            tcf: config.tcf.as_ref()?,
            purpose_of: config.purpose_of_services(),
        })
    }

    /// The site as `notice` shows it; `None` without TCF settings.
    pub fn of_notice(notice: &'a Notice) -> Option<Self> {
        let purposes = notice.purposes.iter();
        Some(Site {
            tcf: notice.tcf.as_ref()?,
            purpose_of: crate::config::purposes::purpose_of(
                purposes.map(|p| (p.id.as_str(), p.services.as_slice())),
            ),
        })
    }
}

/// The TC string of `choice` on `site`, whose vendors are `disclosure` (the
/// list as the notice's hash covers it).
pub fn tc_string(site: &Site<'_>, disclosure: &Disclosure, choice: &Choice<'_>) -> TcString {
    let settings = site.tcf;
    let purpose_of = &site.purpose_of;
    let granted = |purpose: &str| choice.decisions.get(purpose).copied().unwrap_or(false);
    let union = |map: &BTreeMap<String, Vec<u8>>| -> Ids {
        map.iter()
            .filter(|(purpose, _)| granted(purpose))
            .flat_map(|(_, ids)| ids.iter().copied())
            .collect()
    };
    let vendor_consents = settings
        .vendors
        .iter()
        .filter(|(service, _)| {
            let purpose = purpose_of
                .get(service.as_str())
                .copied()
                .unwrap_or_default();
            granted(purpose) && choice.services.get(*service).copied().unwrap_or(true)
        })
        .flat_map(|(_, ids)| ids.iter().copied());
    let special_purposes_only = disclosure
        .vendors
        .iter()
        .filter(|v| {
            v.purposes.is_empty() && v.leg_int_purposes.is_empty() && !v.special_purposes.is_empty()
        })
        .map(|v| v.id);
    let day = choice.at_ms - choice.at_ms % DAY_MS;
    let language: String = choice
        .language
        .chars()
        .take(2)
        .collect::<String>()
        .to_ascii_uppercase();
    TcString {
        created_ms: day,
        last_updated_ms: day,
        cmp_id: settings.cmp_id,
        cmp_version: settings.cmp_version,
        consent_screen: 1,
        consent_language: language,
        vendor_list_version: disclosure.vendor_list_version,
        policy_version: disclosure.policy_version,
        is_service_specific: true,
        use_non_standard_texts: false,
        special_feature_opt_ins: union(&settings.special_features),
        purpose_consents: union(&settings.purposes),
        purpose_legitimate_interests: Ids::new(),
        purpose_one_treatment: false,
        publisher_cc: settings.publisher_cc.clone(),
        vendor_consents: VendorSet::of(vendor_consents),
        vendor_legitimate_interests: VendorSet::of(special_purposes_only),
        publisher_restrictions: Vec::new(),
        disclosed_vendors: Some(VendorSet::of(settings.vendor_ids())),
        publisher: None,
    }
}

/// Holds an event's TC string, if it has one, to its choice: it decodes, the
/// site has TCF settings, and it is exactly [`tc_string`] of the event's
/// decisions, services, language and client day under `gvl`'s disclosure.
/// `tc_string_invalid` otherwise, with the reason.
pub fn check(config: &SiteConfig, gvl: &Gvl, event: &ConsentEvent) -> Result<(), Error> {
    let Some(text) = &event.tc_string else {
        return Ok(());
    };
    let made = TcString::decode(text).map_err(invalid)?;
    if of_event(config, gvl, event)? == made {
        Ok(())
    } else {
        Err(invalid(Invalid::Mismatch))
    }
}

/// What the edge does with a banner event before it is recorded: one that
/// carries a TC string is held to its choice ([`check`]); on a site with TCF
/// settings, one without is given the string of its choice. Every banner
/// record of such a site then keeps its string, whether or not the page's
/// CMP, which loads off the banner path, had loaded when the visitor chose.
/// A form's event (channels, not purposes) gets none.
pub fn complete(config: &SiteConfig, gvl: &Gvl, event: &mut ConsentEvent) -> Result<(), Error> {
    if event.tc_string.is_some() {
        return check(config, gvl, event);
    }
    if event.form.is_some() || config.tcf.is_none() {
        return Ok(());
    }
    let made = of_event(config, gvl, event)?;
    event.tc_string = Some(made.encode().map_err(invalid)?);
    Ok(())
}

fn invalid(why: Invalid) -> Error {
    Error::Event(EventError::TcStringInvalid { why })
}

/// The string of `event`'s choice on `config`'s site.
fn of_event(config: &SiteConfig, gvl: &Gvl, event: &ConsentEvent) -> Result<TcString, Error> {
    let site = Site::of_config(config).ok_or(invalid(Invalid::NoSettings))?;
    let disclosure = gvl
        .disclose(site.tcf.vendor_ids())
        .map_err(|_| invalid(Invalid::NoSettings))?;
    let choice = Choice {
        decisions: &event.decisions,
        services: &event.services,
        language: &event.notice.language,
        at_ms: event.client_time_ms,
    };
    Ok(tc_string(&site, &disclosure, &choice))
}
