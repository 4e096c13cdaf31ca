//! The TC string of TCF v2.3: the core segment with every field of the
//! specification, the DisclosedVendors segment (mandatory since 2.3), and
//! the publisher's own purposes; encoded to text and decoded from it.
//!
//! This is the wire format only. Which bits a visitor's choice sets (and
//! which the policies forbid, such as legitimate interest for purposes 3
//! to 6) is decided before a [`TcString`] is built.

#[allow(unused_imports)]
use crate::prelude::*;

use alloc::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::bits::{BitReader, BitWriter};
use super::restrictions::PublisherRestriction;
use super::vendors::VendorSet;
use super::{Invalid, MAX_TC_STRING};

/// Ids of purposes or special features: each a bit of a fixed-width field
/// (24 purposes, 12 special features, up to 63 custom purposes), 1 the first.
pub type Ids = BTreeSet<u8>;

/// A TC string's fields, as the specification names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TcString {
    /// When the string was created, epoch milliseconds (kept in deciseconds:
    /// since TCF 2.2 the day, at midnight UTC, as LastUpdated).
    pub created_ms: u64,
    /// When it was last updated, epoch milliseconds (the day, as Created).
    pub last_updated_ms: u64,
    /// The CMP's id, as the IAB registered it.
    pub cmp_id: u16,
    /// The CMP's version.
    pub cmp_version: u16,
    /// The CMP's screen the choice was made on.
    pub consent_screen: u8,
    /// The language the CMP spoke, two letters (`EN`).
    pub consent_language: String,
    /// The Global Vendor List version the choice was made under.
    pub vendor_list_version: u16,
    /// The TCF policy version of that list.
    pub policy_version: u8,
    /// Always true for a publisher's CMP (global strings are gone).
    pub is_service_specific: bool,
    /// Whether the CMP changed the IAB's standard texts.
    pub use_non_standard_texts: bool,
    /// Special features opted in (1 to 12).
    pub special_feature_opt_ins: Ids,
    /// Purposes consented to (1 to 24).
    pub purpose_consents: Ids,
    /// Purposes whose legitimate interest was disclosed and not objected to.
    pub purpose_legitimate_interests: Ids,
    /// Purpose 1 was not disclosed (a jurisdiction without that consent).
    pub purpose_one_treatment: bool,
    /// The publisher's country, two letters (`DE`).
    pub publisher_cc: String,
    /// Vendors consented to.
    pub vendor_consents: VendorSet,
    /// Vendors whose legitimate interest was disclosed and not objected to.
    pub vendor_legitimate_interests: VendorSet,
    /// The publisher's restrictions on vendors, per purpose.
    pub publisher_restrictions: Vec<PublisherRestriction>,
    /// Vendors shown to the person (segment 1; written whenever present).
    pub disclosed_vendors: Option<VendorSet>,
    /// The publisher's own purposes (segment 3).
    pub publisher: Option<PublisherPurposes>,
}

/// The publisher's own purposes: the IAB's, and custom ones of its own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublisherPurposes {
    /// IAB purposes consented to for the publisher (1 to 24).
    pub consents: Ids,
    /// IAB purposes under the publisher's legitimate interest.
    pub legitimate_interests: Ids,
    /// How many custom purposes the publisher has (0 to 63).
    pub custom_purposes: u8,
    /// Custom purposes consented to.
    pub custom_consents: Ids,
    /// Custom purposes under the publisher's legitimate interest.
    pub custom_legitimate_interests: Ids,
}

/// Segment types after the core segment.
const DISCLOSED_VENDORS: u64 = 1;
const PUBLISHER_TC: u64 = 3;

impl TcString {
    /// The string's text: core, then disclosed vendors, then the publisher's
    /// purposes, joined by dots. Fails on a value its field cannot hold.
    pub fn encode(&self) -> Result<String, Invalid> {
        let mut w = BitWriter::default();
        w.int(2, 6);
        w.int(deciseconds(self.created_ms)?, 36);
        w.int(deciseconds(self.last_updated_ms)?, 36);
        w.int(u64::from(self.cmp_id), 12);
        w.int(u64::from(self.cmp_version), 12);
        w.int(u64::from(self.consent_screen), 6);
        letters(&mut w, &self.consent_language)?;
        w.int(u64::from(self.vendor_list_version), 12);
        w.int(u64::from(self.policy_version), 6);
        w.bit(self.is_service_specific);
        w.bit(self.use_non_standard_texts);
        bitfield(&mut w, &self.special_feature_opt_ins, 12)?;
        bitfield(&mut w, &self.purpose_consents, 24)?;
        bitfield(&mut w, &self.purpose_legitimate_interests, 24)?;
        w.bit(self.purpose_one_treatment);
        letters(&mut w, &self.publisher_cc)?;
        self.vendor_consents.write(&mut w);
        self.vendor_legitimate_interests.write(&mut w);
        PublisherRestriction::write_all(&mut w, &self.publisher_restrictions)?;
        let mut text = w.finish();
        if let Some(disclosed) = &self.disclosed_vendors {
            let mut w = BitWriter::default();
            w.int(DISCLOSED_VENDORS, 3);
            disclosed.write(&mut w);
            text.push('.');
            text.push_str(&w.finish());
        }
        if let Some(publisher) = &self.publisher {
            let mut w = BitWriter::default();
            w.int(PUBLISHER_TC, 3);
            publisher.write(&mut w)?;
            text.push('.');
            text.push_str(&w.finish());
        }
        Ok(text)
    }

    /// Reads a TC string of version 2: the core segment first, then each
    /// other segment at most once, in any order. Anything else is refused.
    pub fn decode(text: &str) -> Result<Self, Invalid> {
        if text.len() > MAX_TC_STRING {
            return Err(Invalid::TooLong);
        }
        let mut segments = text.split('.');
        let mut r = BitReader::new(segments.next().unwrap_or_default())?;
        if r.int(6)? != 2 {
            return Err(Invalid::Version);
        }
        let mut tc = TcString {
            created_ms: r.int(36)? * 100,
            last_updated_ms: r.int(36)? * 100,
            cmp_id: r.int(12)? as u16,
            cmp_version: r.int(12)? as u16,
            consent_screen: r.int(6)? as u8,
            consent_language: read_letters(&mut r)?,
            vendor_list_version: r.int(12)? as u16,
            policy_version: r.int(6)? as u8,
            is_service_specific: r.bit()?,
            use_non_standard_texts: r.bit()?,
            special_feature_opt_ins: read_bitfield(&mut r, 12)?,
            purpose_consents: read_bitfield(&mut r, 24)?,
            purpose_legitimate_interests: read_bitfield(&mut r, 24)?,
            purpose_one_treatment: r.bit()?,
            publisher_cc: read_letters(&mut r)?,
            vendor_consents: VendorSet::read(&mut r)?,
            vendor_legitimate_interests: VendorSet::read(&mut r)?,
            publisher_restrictions: PublisherRestriction::read_all(&mut r)?,
            disclosed_vendors: None,
            publisher: None,
        };
        for segment in segments {
            let mut r = BitReader::new(segment)?;
            match r.int(3)? {
                DISCLOSED_VENDORS if tc.disclosed_vendors.is_none() => {
                    tc.disclosed_vendors = Some(VendorSet::read(&mut r)?)
                }
                PUBLISHER_TC if tc.publisher.is_none() => {
                    tc.publisher = Some(PublisherPurposes::read(&mut r)?)
                }
                DISCLOSED_VENDORS | PUBLISHER_TC => return Err(Invalid::SegmentTwice),
                _ => return Err(Invalid::SegmentUnknown),
            }
        }
        Ok(tc)
    }
}

impl PublisherPurposes {
    fn write(&self, w: &mut BitWriter) -> Result<(), Invalid> {
        bitfield(w, &self.consents, 24)?;
        bitfield(w, &self.legitimate_interests, 24)?;
        if self.custom_purposes > 63 {
            return Err(Invalid::IdOutOfRange);
        }
        w.int(u64::from(self.custom_purposes), 6);
        bitfield(w, &self.custom_consents, self.custom_purposes)?;
        bitfield(w, &self.custom_legitimate_interests, self.custom_purposes)
    }

    fn read(r: &mut BitReader) -> Result<Self, Invalid> {
        let consents = read_bitfield(r, 24)?;
        let legitimate_interests = read_bitfield(r, 24)?;
        let custom_purposes = r.int(6)? as u8;
        Ok(PublisherPurposes {
            consents,
            legitimate_interests,
            custom_purposes,
            custom_consents: read_bitfield(r, custom_purposes)?,
            custom_legitimate_interests: read_bitfield(r, custom_purposes)?,
        })
    }
}

/// Epoch milliseconds as the string's deciseconds (rounded, as the IAB's
/// library does), refused past the 36 bits the field has.
fn deciseconds(ms: u64) -> Result<u64, Invalid> {
    let ds = ms / 100 + u64::from(ms % 100 >= 50);
    if ds >> 36 == 0 {
        Ok(ds)
    } else {
        Err(Invalid::IdOutOfRange)
    }
}

/// Ids 1..=width as a field of `width` bits, id 1 the first.
fn bitfield(w: &mut BitWriter, ids: &Ids, width: u8) -> Result<(), Invalid> {
    if ids.iter().any(|&id| id == 0 || id > width) {
        return Err(Invalid::IdOutOfRange);
    }
    for id in 1..=width {
        w.bit(ids.contains(&id));
    }
    Ok(())
}

fn read_bitfield(r: &mut BitReader, width: u8) -> Result<Ids, Invalid> {
    let mut ids = Ids::new();
    for id in 1..=width {
        if r.bit()? {
            ids.insert(id);
        }
    }
    Ok(ids)
}

/// Two letters A to Z, six bits each (A is 0).
fn letters(w: &mut BitWriter, two: &str) -> Result<(), Invalid> {
    let bytes = two.as_bytes();
    if bytes.len() != 2 || !bytes.iter().all(u8::is_ascii_alphabetic) {
        return Err(Invalid::BadLetters);
    }
    for b in bytes {
        w.int(u64::from(b.to_ascii_uppercase() - b'A'), 6);
    }
    Ok(())
}

fn read_letters(r: &mut BitReader) -> Result<String, Invalid> {
    let mut two = String::with_capacity(2);
    for _ in 0..2 {
        let n = r.int(6)? as u8;
        if n > 25 {
            return Err(Invalid::BadLetters);
        }
        two.push(char::from(b'A' + n));
    }
    Ok(two)
}
