//! The subject key: how a browser visitor proves a subject id is theirs.
//!
//! A subject id is a pseudonym that travels: it sits in every record, every
//! receipt and every export, and a receipt is made to be shown to others. So
//! it is never a credential. A visitor whose choices were made in the banner
//! (no email, so no mailed link) proves who they are with a **subject key**:
//! a random secret the widget draws once (`crypto.randomUUID()`: 122 random
//! bits), keeps in the browser beside the choice, and sends with every event
//! in the `Assent-Key` header.
//!
//! The edge keeps only a [`SubjectKeyHash`], domain-separated and bound to the
//! subject id, and only from the subject's **first** record: whoever made the
//! first choice under a random subject id is the only one who could have
//! known it then. A key sent with a later event changes nothing, so learning
//! a subject id from a receipt never lets anyone claim it. A key is compared
//! in constant time ([`SubjectKeyHash::admits`]). No slow hash is needed: the
//! secret has 122 random bits, not a person's password.
//!
//! ```
//! use assent_core::ids::SubjectId;
//! use assent_core::subject_key::SubjectKey;
//!
//! let subject = SubjectId::from_random_bytes([1; 16]);
//! let key = SubjectKey::parse("0c2a4f0e-93d1-4b7e-8a55-6f1c2d3e4b5a").unwrap();
//! let stored = key.hash(&subject);
//! assert!(stored.admits(&subject, &key));
//!
//! let other = SubjectId::from_random_bytes([2; 16]);
//! assert!(!stored.admits(&other, &key));
//! let wrong = SubjectKey::parse("11111111-2222-4333-8444-555555555555").unwrap();
//! assert!(!stored.admits(&subject, &wrong));
//! assert_eq!(SubjectKey::parse("guessable").unwrap_err().code(), "subject_key_invalid");
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

use core::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{Error, RightsError};
use crate::ids::SubjectId;

/// The header that carries the key with an event.
pub const HEADER: &str = "assent-key";

/// The header that names the subject whose key [`HEADER`] carries, where
/// the request is not an event (`/subjects/me/...`).
pub const SUBJECT_HEADER: &str = "assent-subject";

/// A subject key as presented: a UUID in lowercase hex (what
/// `crypto.randomUUID()` returns). Its `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct SubjectKey(String);

impl SubjectKey {
    /// Reads a presented key: 36 characters, lowercase hex in groups of
    /// 8-4-4-4-12. Anything else is [`RightsError::SubjectKeyInvalid`].
    pub fn parse(text: &str) -> Result<Self, Error> {
        let well_formed = text.len() == 36
            && text.bytes().enumerate().all(|(i, b)| match i {
                8 | 13 | 18 | 23 => b == b'-',
                _ => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
            });
        if well_formed {
            Ok(SubjectKey(text.to_string()))
        } else {
            Err(RightsError::SubjectKeyInvalid.into())
        }
    }

    /// What the edge stores for `subject`.
    pub fn hash(&self, subject: &SubjectId) -> SubjectKeyHash {
        let mut h = Sha256::new();
        h.update(b"assent/subject-key/v1\0");
        h.update(subject.as_str().as_bytes());
        h.update([0]);
        h.update(self.0.as_bytes());
        SubjectKeyHash(h.finalize().into())
    }
}

impl fmt::Debug for SubjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SubjectKey(..)")
    }
}

/// The stored form of a subject key: SHA-256 over a domain tag, the subject
/// id and the key. Serialised as 64 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubjectKeyHash(pub [u8; 32]);

impl SubjectKeyHash {
    /// Whether `key` is the key of `subject` this hash was made from
    /// (compared in constant time).
    pub fn admits(&self, subject: &SubjectId, key: &SubjectKey) -> bool {
        key.hash(subject).0.ct_eq(&self.0).into()
    }

    /// Whether `other` is this hash (compared in constant time): a presented
    /// key, hashed for the same subject, against the stored one.
    pub fn is(&self, other: &SubjectKeyHash) -> bool {
        self.0.ct_eq(&other.0).into()
    }

    /// [`Self::admits`] as a result: [`RightsError::SubjectKeyInvalid`] when not.
    pub fn check(&self, subject: &SubjectId, key: &SubjectKey) -> Result<(), Error> {
        if self.admits(subject, key) {
            Ok(())
        } else {
            Err(RightsError::SubjectKeyInvalid.into())
        }
    }
}

impl Serialize for SubjectKeyHash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(self.0))
    }
}

impl<'de> Deserialize<'de> for SubjectKeyHash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let mut out = [0u8; 32];
        hex::decode_to_slice(&text, &mut out).map_err(serde::de::Error::custom)?;
        Ok(SubjectKeyHash(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(b: u8) -> SubjectId {
        SubjectId::from_random_bytes([b; 16])
    }

    #[test]
    fn parse_takes_only_what_random_uuid_gives() {
        for good in [
            "00000000-0000-0000-0000-000000000000",
            "0c2a4f0e-93d1-4b7e-8a55-6f1c2d3e4b5a",
        ] {
            assert!(SubjectKey::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "0C2A4F0E-93D1-4B7E-8A55-6F1C2D3E4B5A",
            "0c2a4f0e93d14b7e8a556f1c2d3e4b5a",
            "0c2a4f0e-93d1-4b7e-8a55-6f1c2d3e4b5",
            "0c2a4f0e-93d1-4b7e-8a55-6f1c2d3e4b5a0",
            "0c2a4f0e-93d1-4b7e-8a55_6f1c2d3e4b5a",
            "0c2a4f0e-93d1-4b7e-8a55-6f1c2d3e4b5\u{e9}",
            "0c2a4f0e-93d1-4b7e-8a55-6f1c2d3e4b5\n",
        ] {
            let e = SubjectKey::parse(bad).unwrap_err();
            assert_eq!(e.code(), "subject_key_invalid", "{bad:?}");
        }
    }

    #[test]
    fn the_hash_binds_subject_and_key_and_round_trips() {
        let key = SubjectKey::parse("0c2a4f0e-93d1-4b7e-8a55-6f1c2d3e4b5a").unwrap();
        let h = key.hash(&subject(1));
        assert_ne!(h, key.hash(&subject(2)));
        assert!(h.check(&subject(1), &key).is_ok());
        assert_eq!(
            h.check(&subject(2), &key).unwrap_err().code(),
            "subject_key_invalid"
        );
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(json.len(), 66);
        assert_eq!(serde_json::from_str::<SubjectKeyHash>(&json).unwrap(), h);
        assert!(serde_json::from_str::<SubjectKeyHash>("\"zz\"").is_err());
        assert_eq!(format!("{key:?}"), "SubjectKey(..)");
    }
}
