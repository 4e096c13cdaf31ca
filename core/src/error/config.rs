//! A site configuration breaks a rule (found at build time: an invalid configuration fails the build).

#[allow(unused_imports)]
use crate::prelude::*;

use thiserror::Error as ThisError;

use super::Error;

/// A site configuration breaks a rule (found at build time: an invalid configuration fails the build).
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum ConfigError {
    /// The site configuration is not valid JSON or does not have the expected shape.
    #[error("site configuration is malformed: {message}")]
    ConfigMalformed {
        /// What the parser reported.
        message: String,
    },
    /// Two purposes of a configuration share an id.
    #[error("purpose {purpose:?} is defined twice")]
    PurposeDuplicate {
        /// The repeated purpose id.
        purpose: String,
    },
    /// Two services of a configuration share an id.
    #[error("service {service:?} is defined twice")]
    ServiceDuplicate {
        /// The repeated service id.
        service: String,
    },
    /// A configuration has no purposes at all.
    #[error("a site configuration needs at least one purpose")]
    NoPurposes,
    /// A language of the configuration lacks a text that the notice shows.
    #[error("language {language:?} has no text for {field}")]
    TextMissing {
        /// The language.
        language: String,
        /// Which text is missing.
        field: String,
    },
    /// The consent lifetime is outside 1..=395 days.
    #[error("consent lifetime of {days} days is outside 1..=395")]
    LifetimeOutOfRange {
        /// The configured lifetime.
        days: u32,
    },
    /// The legal basis does not fit the purpose: an optional purpose must rest on
    /// consent, a required one must not (consent that cannot be refused is not consent).
    #[error("purpose {purpose:?}: {reason}")]
    LegalBasisInvalid {
        /// The purpose.
        purpose: String,
        /// Why the basis does not fit.
        reason: String,
    },
    /// The default language has no texts.
    #[error("default language {language:?} has no texts")]
    DefaultLanguageMissing {
        /// The default language.
        language: String,
    },
    /// An opt-in form of the configuration breaks a rule: two forms with one
    /// id, an offer of a purpose the form does not have, an SMS offer on a
    /// form that asks no phone number, an age of consent outside 13..=16.
    #[error("form {form:?}: {reason}")]
    FormInvalid {
        /// The form.
        form: String,
        /// Which rule it breaks.
        reason: String,
    },
    /// A retention period is not 1 to 3650 days.
    #[error("retention periods are 1 to 3650 days, not {days}")]
    RetentionInvalid {
        /// The days configured.
        days: u32,
    },
    /// `rights.recycle_bin_days` is not 1 to 90 days (leave it out for
    /// immediate erasure).
    #[error(
        "rights.recycle_bin_days is 1 to 90 days (or absent for immediate erasure), not {days}"
    )]
    RecycleBinInvalid {
        /// The days configured.
        days: u32,
    },
    /// `log.shards` breaks a rule of [`crate::log::shards`]: a count outside
    /// 1 to 64, a generation after the first without a `from` date, or
    /// dates not in increasing order.
    #[error("log.shards: {reason}")]
    ShardsInvalid {
        /// Which rule it breaks.
        reason: String,
    },
    /// The site's theme breaks a rule of [`crate::config::Theme`]: a colour
    /// not `#rgb` or `#rrggbb`, a radius outside 0 to 2rem, or a text whose
    /// contrast with what it is on is under 4.5:1.
    #[error("theme: {reason}")]
    ThemeInvalid {
        /// Which rule it breaks.
        reason: String,
    },
    /// The site's TCF settings break a rule: a purpose or service it does
    /// not have, an IAB purpose or special feature out of range, a list
    /// version other than the Global Vendor List's.
    #[error("tcf: {reason}")]
    TcfInvalid {
        /// Which rule it breaks.
        reason: String,
    },
    /// A vendor of the site's TCF settings is not on the Global Vendor List
    /// (or was deleted from it).
    #[error("IAB vendor {vendor} is not on the Global Vendor List")]
    TcfVendorUnknown {
        /// The vendor id.
        vendor: u16,
    },
    /// The disclosure hash of the site's TCF settings is not the hash of what
    /// the Global Vendor List discloses of its vendors (they were added or
    /// the list changed): the expected hash is given.
    #[error("tcf.disclosure is stale: the vendors as the list declares them hash to {expected}")]
    TcfDisclosureStale {
        /// The hash of the disclosure as the list has it.
        expected: String,
    },
    /// A draft changes a field that only a deploy may change (see
    /// [`crate::config::edition::FIXED_AT_DEPLOY`]): where the widget may
    /// run, where data goes, how the log is sharded and kept.
    #[error("{field} changes only with a deploy (edge/sites/*.json)")]
    FixedAtDeploy {
        /// The field.
        field: String,
    },
    /// There is no draft to publish or preview.
    #[error("there is no draft: save one first")]
    DraftNone,
    /// The draft was made from a configuration that is no longer in force:
    /// someone published (or deployed) since. Start again from the one in
    /// force, so that nobody's change is overwritten unseen.
    #[error("the draft was made before {in_force} came into force: start again from it")]
    DraftStale {
        /// What is in force now: `edition N` or `the deployed file`.
        in_force: String,
    },
    /// The draft is the configuration in force: there is nothing to publish.
    #[error("the draft is the configuration in force: nothing to publish")]
    DraftUnchanged,
    /// No edition of that number was published.
    #[error("no edition {edition} was published")]
    EditionUnknown {
        /// The number asked for.
        edition: u32,
    },
}

impl ConfigError {
    /// The stable machine-readable code, e.g. `config_malformed`.
    pub fn code(&self) -> &'static str {
        match self {
            ConfigError::ConfigMalformed { .. } => "config_malformed",
            ConfigError::PurposeDuplicate { .. } => "purpose_duplicate",
            ConfigError::ServiceDuplicate { .. } => "service_duplicate",
            ConfigError::NoPurposes => "no_purposes",
            ConfigError::TextMissing { .. } => "text_missing",
            ConfigError::LifetimeOutOfRange { .. } => "lifetime_out_of_range",
            ConfigError::LegalBasisInvalid { .. } => "legal_basis_invalid",
            ConfigError::DefaultLanguageMissing { .. } => "default_language_missing",
            ConfigError::FormInvalid { .. } => "form_invalid",
            ConfigError::RetentionInvalid { .. } => "retention_invalid",
            ConfigError::RecycleBinInvalid { .. } => "recycle_bin_invalid",
            ConfigError::ShardsInvalid { .. } => "shards_invalid",
            ConfigError::ThemeInvalid { .. } => "theme_invalid",
            ConfigError::TcfInvalid { .. } => "tcf_invalid",
            ConfigError::TcfVendorUnknown { .. } => "tcf_vendor_unknown",
            ConfigError::TcfDisclosureStale { .. } => "tcf_disclosure_stale",
            ConfigError::FixedAtDeploy { .. } => "fixed_at_deploy",
            ConfigError::DraftNone => "draft_none",
            ConfigError::DraftStale { .. } => "draft_stale",
            ConfigError::DraftUnchanged => "draft_unchanged",
            ConfigError::EditionUnknown { .. } => "edition_unknown",
        }
    }
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Error::Config(e)
    }
}
