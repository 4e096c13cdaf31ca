//! A publisher's restrictions on vendors: for one purpose, these vendors may
//! not process at all, or only on consent, or only on legitimate interest.

#[allow(unused_imports)]
use crate::prelude::*;

use serde::{Deserialize, Serialize};

use super::bits::{BitReader, BitWriter};
use super::vendors::{read_ranges, write_ranges, VendorSet};
use super::Invalid;

/// What a restriction requires of its vendors for its purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RestrictionType {
    /// The purpose is not allowed (0).
    NotAllowed,
    /// Only with consent (1).
    RequireConsent,
    /// Only on legitimate interest (2).
    RequireLegitimateInterest,
}

/// One restriction: a purpose, what is required, and of which vendors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublisherRestriction {
    /// The IAB purpose (1 to 63 in the field; 1 to 11 exist).
    pub purpose: u8,
    /// What is required.
    pub restriction: RestrictionType,
    /// The vendors it applies to.
    pub vendors: VendorSet,
}

impl PublisherRestriction {
    /// NumPubRestrictions, then each: purpose, type, its vendors as ranges.
    pub(crate) fn write_all(w: &mut BitWriter, all: &[Self]) -> Result<(), Invalid> {
        if all.len() > 4095 {
            return Err(Invalid::IdOutOfRange);
        }
        w.int(all.len() as u64, 12);
        for r in all {
            if r.purpose == 0 || r.purpose > 63 {
                return Err(Invalid::IdOutOfRange);
            }
            w.int(u64::from(r.purpose), 6);
            w.int(r.restriction as u64, 2);
            write_ranges(w, &r.vendors.runs())?;
        }
        Ok(())
    }

    pub(crate) fn read_all(r: &mut BitReader) -> Result<Vec<Self>, Invalid> {
        let count = r.int(12)?;
        let mut all = Vec::new();
        for _ in 0..count {
            let purpose = r.int(6)? as u8;
            let restriction = match r.int(2)? {
                0 => RestrictionType::NotAllowed,
                1 => RestrictionType::RequireConsent,
                2 => RestrictionType::RequireLegitimateInterest,
                _ => return Err(Invalid::RestrictionType),
            };
            if purpose == 0 {
                return Err(Invalid::IdOutOfRange);
            }
            all.push(PublisherRestriction {
                purpose,
                restriction,
                vendors: read_ranges(r)?,
            });
        }
        Ok(all)
    }
}
