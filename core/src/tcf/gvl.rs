//! The IAB Global Vendor List (v3 format) as far as a CMP shows it, and the
//! part of it one site discloses: its vendors, with every purpose, legitimate
//! interest, feature, data category and retention they declare, and the
//! texts of the purposes and features those name.
//!
//! A site's [`Disclosure`] is what its visitors are shown of the list, so
//! its hash is part of the site's notice: the proof says which vendors, with
//! which declarations, under which list version, a choice was made on.

#[allow(unused_imports)]
use crate::prelude::*;

use alloc::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A Global Vendor List: the texts of purposes and features, and vendors by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Gvl {
    /// The format's version (3).
    pub gvl_specification_version: u8,
    /// The list's version: a TC string's VendorListVersion.
    pub vendor_list_version: u16,
    /// The TCF policy version: a TC string's TcfPolicyVersion.
    pub tcf_policy_version: u8,
    /// When the IAB published it.
    pub last_updated: String,
    /// Purposes 1 to 11, by id (keys in JSON are the ids as text).
    pub purposes: BTreeMap<u8, Declared>,
    /// Special purposes (no choice, shown), by id.
    pub special_purposes: BTreeMap<u8, Declared>,
    /// Features (no choice, shown), by id.
    pub features: BTreeMap<u8, Declared>,
    /// Special features (opted in), by id.
    pub special_features: BTreeMap<u8, Declared>,
    /// Categories of data a vendor may declare, by id.
    #[serde(default)]
    pub data_categories: BTreeMap<u8, Declared>,
    /// Vendors by id.
    pub vendors: BTreeMap<u16, Vendor>,
}

/// A purpose, feature or data category: its id, name and what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declared {
    /// Its id within its kind.
    pub id: u8,
    /// Its name.
    pub name: String,
    /// What it means.
    pub description: String,
    /// Examples, where the list has them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub illustrations: Vec<String>,
}

/// One vendor as the list declares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Vendor {
    /// The vendor's id.
    pub id: u16,
    /// The vendor's name.
    pub name: String,
    /// Purposes on consent.
    pub purposes: Vec<u8>,
    /// Purposes on legitimate interest (the person may object).
    pub leg_int_purposes: Vec<u8>,
    /// Purposes a publisher may move to the other basis.
    #[serde(default)]
    pub flexible_purposes: Vec<u8>,
    /// Special purposes (no choice).
    pub special_purposes: Vec<u8>,
    /// Features (no choice).
    pub features: Vec<u8>,
    /// Special features (opt-in).
    pub special_features: Vec<u8>,
    /// Categories of data collected.
    #[serde(default)]
    pub data_declaration: Vec<u8>,
    /// How long data is kept, in days: in general and per purpose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_retention: Option<serde_json::Value>,
    /// The longest a cookie of the vendor lives, in seconds (-1: the session).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cookie_max_age_seconds: Option<i64>,
    /// Whether it uses cookies.
    #[serde(default)]
    pub uses_cookies: bool,
    /// Whether a cookie's life starts again when it is refreshed.
    #[serde(default)]
    pub cookie_refresh: bool,
    /// Whether it stores or reads other than with cookies.
    #[serde(default)]
    pub uses_non_cookie_access: bool,
    /// Where its storage disclosure is published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_storage_disclosure_url: Option<String>,
    /// Its privacy policy and legitimate-interest claim, per language.
    #[serde(default)]
    pub urls: Vec<serde_json::Value>,
    /// When it left the list; a deleted vendor cannot be chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_date: Option<String>,
}

/// What one site shows of the list: its vendors, and the texts they name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disclosure {
    /// The list's version the vendors were chosen under.
    pub vendor_list_version: u16,
    /// The list's policy version.
    pub policy_version: u8,
    /// Purposes 1 to 11 (all shown: the panel lists every purpose).
    pub purposes: BTreeMap<u8, Declared>,
    /// Special purposes the vendors declare.
    pub special_purposes: BTreeMap<u8, Declared>,
    /// Features the vendors declare.
    pub features: BTreeMap<u8, Declared>,
    /// Special features (all shown: each is opted in to).
    pub special_features: BTreeMap<u8, Declared>,
    /// Data categories the vendors declare.
    pub data_categories: BTreeMap<u8, Declared>,
    /// The vendors, in id order.
    pub vendors: Vec<Vendor>,
}

impl Gvl {
    /// Reads a list (unknown fields are left: the IAB adds some).
    #[cfg(feature = "std")]
    pub fn from_json(json: &str) -> Result<Self, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    /// Vendor `id`, unless the list does not have it or it was deleted.
    pub fn vendor(&self, id: u16) -> Option<&Vendor> {
        self.vendors.get(&id).filter(|v| v.deleted_date.is_none())
    }

    /// What a site with `vendors` shows: `Err` names the first vendor the
    /// list does not have (or has deleted).
    pub fn disclose(&self, vendors: impl IntoIterator<Item = u16>) -> Result<Disclosure, u16> {
        let mut ids: Vec<u16> = vendors.into_iter().collect();
        ids.sort_unstable();
        ids.dedup();
        let vendors = ids
            .iter()
            .map(|&id| self.vendor(id).cloned().ok_or(id))
            .collect::<Result<Vec<_>, _>>()?;
        let named = |all: &BTreeMap<u8, Declared>, of: &dyn Fn(&Vendor) -> &Vec<u8>| {
            all.iter()
                .filter(|(id, _)| vendors.iter().any(|v| of(v).contains(id)))
                .map(|(id, d)| (*id, d.clone()))
                .collect()
        };
        Ok(Disclosure {
            vendor_list_version: self.vendor_list_version,
            policy_version: self.tcf_policy_version,
            purposes: self.purposes.clone(),
            special_purposes: named(&self.special_purposes, &|v| &v.special_purposes),
            features: named(&self.features, &|v| &v.features),
            special_features: self.special_features.clone(),
            data_categories: named(&self.data_categories, &|v| &v.data_declaration),
            vendors,
        })
    }
}

impl Disclosure {
    /// Lowercase hex SHA-256 of its RFC 8785 bytes: the notice's `tcf.disclosure`.
    #[cfg(feature = "std")]
    pub fn hash(&self) -> String {
        crate::canonical::sha256_hex(self).expect("a disclosure is plain JSON")
    }
}
