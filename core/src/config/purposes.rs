//! What a site does with data, as its configuration says: the controller,
//! the purposes with their legal basis, the services and the storage each
//! sets. Plain types, so that the notice (which shows them) and the
//! configuration (which checks them) both depend on this and not on each
//! other.

#[allow(unused_imports)]
use crate::prelude::*;

use serde::{Deserialize, Serialize};

/// The data controller (GDPR Art. 4(7)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Controller {
    /// Legal name.
    pub name: String,
    /// Where to reach the controller or its DPO (an e-mail address or URL).
    pub contact: String,
    /// URL of the privacy policy.
    pub privacy_policy: String,
    /// The data protection officer (GDPR Art. 37), where there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpo: Option<super::Contact>,
    /// The representative in the Union of a controller established outside
    /// it (GDPR Art. 27).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eu_representative: Option<super::Contact>,
}

/// Each service's purpose, service id → purpose id, of `purposes` given as
/// (purpose id, its services): a site's file and a notice list them alike.
pub(crate) fn purpose_of<'a>(
    purposes: impl IntoIterator<Item = (&'a str, &'a [Service])>,
) -> alloc::collections::BTreeMap<&'a str, &'a str> {
    purposes
        .into_iter()
        .flat_map(|(purpose, services)| services.iter().map(move |s| (s.id.as_str(), purpose)))
        .collect()
}

/// One purpose of processing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Purpose {
    /// Purpose id (see [`PurposeId`](crate::ids::PurposeId)).
    pub id: String,
    /// A required purpose is always on and cannot be refused.
    #[serde(default)]
    pub required: bool,
    /// The GDPR Art. 6(1) legal basis.
    pub legal_basis: LegalBasis,
    /// The services that process data for this purpose.
    #[serde(default)]
    pub services: Vec<Service>,
    /// The purpose sells or shares personal data, or targets advertising
    /// (CCPA/CPRA and the US state laws): Global Privacy Control opts out of it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub sale_or_sharing: bool,
}

pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}

/// GDPR Art. 6(1) legal bases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum LegalBasis {
    Consent,
    Contract,
    LegalObligation,
    VitalInterests,
    PublicTask,
    LegitimateInterests,
}

/// A vendor's tool that runs under a purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Service id (see [`ServiceId`](crate::ids::ServiceId)).
    pub id: String,
    /// Product name, e.g. "Google Analytics 4".
    pub name: String,
    /// Who provides it, e.g. "Google Ireland Ltd".
    pub provider: String,
    /// What it stores in the visitor's browser.
    #[serde(default)]
    pub cookies: Vec<StorageItem>,
}

/// One cookie or storage entry a service sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageItem {
    /// Name (or name prefix ending in `*`).
    pub name: String,
    /// Where it is stored.
    #[serde(default)]
    pub kind: StorageKind,
    /// How long it lives, in days; absent for session storage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_days: Option<u32>,
    /// What it is for, in the site's default language (each language's
    /// `services` may say it in its own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
}

/// Where a service stores something.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum StorageKind {
    #[default]
    Cookie,
    LocalStorage,
    SessionStorage,
}
