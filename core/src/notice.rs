//! The notice: everything a visitor is shown in one language, and its hash.
//!
//! A [`Notice`] is derived from the site configuration for one language. It is
//! what the edge serves to the widget and what the widget renders, field for
//! field. Its **notice hash** is SHA-256 over the RFC 8785 bytes of the whole
//! notice, so a stored consent event proves which texts, purposes, services and
//! choices the visitor saw, including that "reject all" was offered beside
//! "accept all" with equal prominence.

#[allow(unused_imports)]
use crate::prelude::*;

use serde::{Deserialize, Serialize};

use crate::config::purposes::{Controller, LegalBasis, Service};
use crate::consent_mode::ConsentMode;

/// What the visitor can click on the first layer. Part of the hashed notice:
/// the proof records that refusing was offered exactly as prominently as accepting.
pub const FIRST_LAYER_CHOICES: [&str; 3] = ["accept_all", "reject_all", "customise"];

/// Everything shown to a visitor in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// The site.
    pub site: String,
    /// The notice version the site currently shows.
    pub notice_version: String,
    /// The language of every text below.
    pub language: String,
    /// Who is responsible, and where the privacy policy is.
    pub controller: Controller,
    /// How long a choice is kept before the visitor is asked again.
    pub consent_lifetime_days: u32,
    /// The texts of the banner and the preferences panel.
    pub texts: NoticeTexts,
    /// The purposes, in the order shown.
    pub purposes: Vec<NoticePurpose>,
    /// The buttons of the first layer, in the order shown.
    pub choices: Vec<String>,
    /// Whether all first-layer buttons share one size and style (always true
    /// for the Assent widget; recorded so the proof says so).
    pub equal_prominence: bool,
    /// What each kind of storage the services use is called in this
    /// language, by its wire name (`cookie`, `local_storage`,
    /// `session_storage`): Assent's words ([`crate::config::Word`]), shown in
    /// the panel beside each name. Absent in notices before 2026-12-06.
    #[serde(
        default,
        skip_serializing_if = "alloc::collections::BTreeMap::is_empty"
    )]
    pub kinds: alloc::collections::BTreeMap<String, String>,
    /// The site's IAB TCF settings, its disclosure hash among them: the
    /// vendors as shown are part of what this notice's hash proves. Absent
    /// without TCF.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcf: Option<crate::config::tcf::TcfConfig>,
    /// The labels of the panel's vendor list in this language, by key
    /// (Assent's words `tcf_*`, [`crate::config::Word`]), on a site with TCF
    /// settings: the hash covers them as it covers, through the disclosure,
    /// the vendor texts beside them. Absent without TCF.
    #[serde(
        default,
        skip_serializing_if = "alloc::collections::BTreeMap::is_empty"
    )]
    pub tcf_words: alloc::collections::BTreeMap<String, String>,
}

/// The texts of the banner and the panel in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeTexts {
    /// Banner heading.
    pub title: String,
    /// Banner body text.
    pub text: String,
    /// "Accept all" button.
    pub accept_all: String,
    /// "Reject all" button.
    pub reject_all: String,
    /// "Customise" button, opens the preferences panel.
    pub customise: String,
    /// Heading of the preferences panel.
    pub preferences_title: String,
    /// "Save choices" button of the panel.
    pub save: String,
    /// Label beside a required purpose's locked switch ("Always on").
    pub always_on: String,
    /// Close button of the panel.
    pub close: String,
    /// The persistent control that reopens the panel.
    pub privacy_choices: String,
    /// Link text of the privacy policy.
    pub privacy_policy: String,
    /// "Withdraw all" button of the panel: refuses every optional purpose.
    pub withdraw_all: String,
    /// Shown when the browser sends Global Privacy Control and the site has
    /// purposes it opts out of.
    pub gpc_honoured: String,
    /// Placeholder text of a blocked embed; `{purpose}` is replaced by the
    /// purpose's name.
    pub embed_blocked: String,
    /// Placeholder button that grants the embed's purpose and loads it.
    pub allow_and_load: String,
    /// "Accept all" while Global Privacy Control is on and some purpose is
    /// sale or sharing: the button says what it does (those stay refused).
    /// Required in every language of a site with such a purpose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept_all_gpc: Option<String>,
    /// First layer: who else receives data; `{providers}` is replaced by the
    /// providers of the optional purposes' services (EDPB Guidelines 05/2020
    /// on consent, para. 65). Shown when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub third_parties: Option<String>,
    /// First layer: how long the choice is kept; `{duration}` is replaced by
    /// the consent lifetime (CNIL recommends saying so). Shown when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifetime: Option<String>,
}

/// One purpose as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticePurpose {
    /// Purpose id.
    pub id: String,
    /// Required purposes are on and locked.
    pub required: bool,
    /// GDPR Art. 6(1) basis.
    pub legal_basis: LegalBasis,
    /// Name in this language.
    pub name: String,
    /// Description in this language.
    pub description: String,
    /// The services that run under this purpose.
    pub services: Vec<Service>,
    /// Global Privacy Control opts out of this purpose (sale, sharing,
    /// targeted advertising). Absent when false, so older hashes hold.
    #[serde(default, skip_serializing_if = "crate::config::purposes::is_false")]
    pub sale_or_sharing: bool,
}

impl Notice {
    #[cfg(feature = "std")]
    /// The notice hash: lowercase hex SHA-256 of the RFC 8785 bytes of this notice.
    pub fn hash(&self) -> String {
        crate::canonical::sha256_hex(self).expect("a notice has only strings, bools and integers")
    }

    /// The first layer's third parties (its `{providers}`): every provider
    /// of an optional purpose's services, once each, in the notice's order,
    /// the controller aside (the site itself is no third party).
    ///
    /// ```
    /// # let config = assent_core::config::SiteConfig::from_json(include_str!("../tests/vectors/site.json")).unwrap();
    /// let notice = config.notice("en").unwrap();
    /// assert_eq!(notice.controller.name, "Vector Test Ltd");
    /// assert_eq!(notice.third_parties(), ["Vector Test Ltd (self-hosted)", "Example Ads SA"]);
    /// ```
    pub fn third_parties(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let optional = self.purposes.iter().filter(|p| !p.required);
        for provider in optional.flat_map(|p| p.services.iter().map(|s| s.provider.as_str())) {
            if provider != self.controller.name && !out.contains(&provider) {
                out.push(provider);
            }
        }
        out
    }

    /// The ids of the purposes that need consent (not required).
    pub fn optional_purposes(&self) -> impl Iterator<Item = &str> + Clone {
        self.purposes
            .iter()
            .filter(|p| !p.required)
            .map(|p| p.id.as_str())
    }
}

/// The edge's answer to `GET /v1/sites/{site}/config`: the notice in the
/// negotiated language, its hash, and the languages the site offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigAnswer {
    /// The site.
    pub site: String,
    /// The current notice version.
    pub notice_version: String,
    /// The language of `notice`.
    pub language: String,
    /// Every language the site offers.
    pub languages: Vec<String>,
    /// [`Notice::hash`] of `notice`: the widget echoes it in each event.
    pub notice_hash: String,
    /// What to show.
    pub notice: Notice,
    /// The site's Google Consent Mode wiring (not shown, so not hashed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_mode: Option<ConsentMode>,
}

#[cfg(test)]
mod tests {
    use crate::config::SiteConfig;

    #[test]
    fn the_third_parties_are_each_optional_provider_once_the_controller_aside() {
        let config = SiteConfig::from_json(include_str!("../tests/vectors/site.json")).unwrap();
        let mut notice = config.notice("en").unwrap();
        let ads = notice.purposes[2].services[0].clone();
        // The same provider twice, a required purpose's own provider, and
        // the controller behind an optional purpose.
        notice.purposes[1].services.push(ads.clone());
        notice.purposes[0].services[0].provider = "Required Only GmbH".into();
        let mut own = ads;
        own.provider = notice.controller.name.clone();
        notice.purposes[2].services.push(own);
        assert_eq!(
            notice.third_parties(),
            ["Vector Test Ltd (self-hosted)", "Example Ads SA"]
        );
    }
}
