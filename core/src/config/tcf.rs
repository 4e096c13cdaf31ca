//! A site's IAB TCF settings: its CMP's registration, the Global Vendor List
//! version its vendors were chosen under, which IAB purposes and special
//! features each of its own purposes stands for, and which vendors each of
//! its services is.
//!
//! The settings name a **disclosure hash**: the hash of what visitors are
//! shown of the list ([`crate::tcf::gvl::Disclosure`]), like a lock file. The
//! notice carries it, so a record's notice hash covers every vendor's
//! declarations as shown. [`TcfConfig::check_against`] (the build, a
//! publish) recomputes it from the list and refuses a site whose hash, list
//! version or vendors the list does not bear out.

#[allow(unused_imports)]
use crate::prelude::*;

use alloc::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::error::{ConfigError, Error};
#[cfg(feature = "std")]
use crate::tcf::gvl::Gvl;

/// The IAB purposes (1 to 11) and special features (1 and 2) of TCF v2.3.
pub const IAB_PURPOSES: u8 = 11;
/// The special features of TCF v2.3.
pub const IAB_SPECIAL_FEATURES: u8 = 2;

/// A site's TCF settings (`tcf` in its configuration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TcfConfig {
    /// The CMP id the IAB registered for the site's CMP.
    pub cmp_id: u16,
    /// The CMP's version.
    pub cmp_version: u16,
    /// The publisher's country, two letters (the law of reference).
    pub publisher_cc: String,
    /// The Global Vendor List version the vendors were chosen under.
    pub vendor_list_version: u16,
    /// For each of the site's optional purposes, the IAB purposes it stands for.
    pub purposes: BTreeMap<String, Vec<u8>>,
    /// For each of the site's optional purposes, the special features it opts in to.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub special_features: BTreeMap<String, Vec<u8>>,
    /// For each service, the IAB vendors it is.
    pub vendors: BTreeMap<String, Vec<u16>>,
    /// The hash of what visitors are shown of the list (`Disclosure::hash`).
    pub disclosure: String,
}

fn invalid(reason: impl Into<String>) -> Error {
    Error::Config(ConfigError::TcfInvalid {
        reason: reason.into(),
    })
}

impl TcfConfig {
    /// Checks the settings against the site's purposes (optional ones, by
    /// id) and services (by id, with their purpose): no list needed.
    pub fn validate(
        &self,
        optional: &BTreeSet<&str>,
        services: &BTreeMap<&str, &str>,
    ) -> Result<(), Error> {
        let letters = self.publisher_cc.len() == 2
            && self.publisher_cc.bytes().all(|b| b.is_ascii_uppercase());
        if !letters {
            return Err(invalid("publisher_cc is two capital letters"));
        }
        if self.cmp_id == 0
            || self.cmp_id > 4095
            || self.cmp_version > 4095
            || self.vendor_list_version == 0
            || self.vendor_list_version > 4095
        {
            return Err(invalid(
                "cmp_id 1 to 4095, cmp_version up to 4095, vendor_list_version 1 to 4095",
            ));
        }
        for (map, width, what) in [
            (&self.purposes, IAB_PURPOSES, "purposes"),
            (
                &self.special_features,
                IAB_SPECIAL_FEATURES,
                "special_features",
            ),
        ] {
            for (purpose, ids) in map {
                if !optional.contains(purpose.as_str()) {
                    return Err(invalid(format!(
                        "{what}: {purpose:?} is not an optional purpose of the site"
                    )));
                }
                if ids.is_empty() || ids.iter().any(|&id| id == 0 || id > width) {
                    return Err(invalid(format!(
                        "{what} of {purpose:?}: ids 1 to {width}, at least one"
                    )));
                }
            }
        }
        if self.vendors.is_empty() {
            return Err(invalid(
                "vendors: at least one service with its IAB vendors",
            ));
        }
        for (service, ids) in &self.vendors {
            let Some(purpose) = services.get(service.as_str()) else {
                return Err(invalid(format!(
                    "vendors: {service:?} is not a service of the site"
                )));
            };
            if !self.purposes.contains_key(*purpose) {
                return Err(invalid(format!(
                    "vendors: the purpose of {service:?} stands for no IAB purpose"
                )));
            }
            if ids.is_empty() || ids.contains(&0) {
                return Err(invalid(format!(
                    "vendors of {service:?}: vendor ids from 1, at least one"
                )));
            }
        }
        let hex = self.disclosure.len() == 64
            && self
                .disclosure
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if !hex {
            return Err(invalid("disclosure is a lowercase hex SHA-256"));
        }
        Ok(())
    }

    /// Every vendor id of every service, once.
    pub fn vendor_ids(&self) -> BTreeSet<u16> {
        self.vendors.values().flatten().copied().collect()
    }

    /// Checks the settings against the list they were chosen under: its
    /// version, every vendor on it (and not deleted), and the disclosure
    /// hash what it shows of them has.
    #[cfg(feature = "std")]
    pub fn check_against(&self, gvl: &Gvl) -> Result<(), Error> {
        if gvl.vendor_list_version != self.vendor_list_version {
            return Err(invalid(format!(
                "vendor_list_version {} is not the list's ({}): refresh the vendors with the list (docs/tcf.md)",
                self.vendor_list_version, gvl.vendor_list_version
            )));
        }
        let disclosure = gvl
            .disclose(self.vendor_ids())
            .map_err(|vendor| Error::Config(ConfigError::TcfVendorUnknown { vendor }))?;
        let expected = disclosure.hash();
        if expected != self.disclosure {
            return Err(Error::Config(ConfigError::TcfDisclosureStale { expected }));
        }
        Ok(())
    }
}
