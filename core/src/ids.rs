//! Checked identifiers: a value of these types has passed its syntax check.
//!
//! Ids that come from the network are plain strings on the wire and become
//! these types during validation, so a malformed id is reported with its own
//! code (`event_id_invalid`, ...) rather than as a generic parse error.
//!
//! ```
//! use assent_core::ids::{EventId, PurposeId, SiteId};
//!
//! assert!(SiteId::new("demo").is_ok());
//! assert_eq!(PurposeId::new("Analytics").unwrap_err().code(), "purpose_id_invalid");
//!
//! // The caller brings the randomness; core only formats it.
//! let id = EventId::from_random_bytes([7; 16]);
//! assert_eq!(id.as_str(), "07070707-0707-4707-8707-070707070707");
//! assert!(EventId::new(id.as_str()).is_ok());
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

use crate::error::{excerpt, Error, SyntaxError};
use core::fmt;

macro_rules! checked_id {
    ($(#[$doc:meta])* $name:ident, $check:path, $variant:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// Checks `value` and wraps it.
            pub fn new(value: &str) -> Result<Self, Error> {
                if $check(value) {
                    Ok(Self(value.to_string()))
                } else {
                    Err(Error::Syntax(SyntaxError::$variant { value: excerpt(value) }))
                }
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        /// Read back only if it passes the same check: a value of this type
        /// is checked however it was made.
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(d)?;
                $name::new(&text).map_err(serde::de::Error::custom)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }
    };
}

checked_id!(
    /// A site: 1-64 characters of `a-z`, `0-9` and `-`. It appears in URLs and log origins.
    SiteId, is_site_id, SiteIdInvalid
);
checked_id!(
    /// A purpose of processing, e.g. `analytics`: 1-32 of `a-z`, `0-9`, `_`, starting with a letter.
    PurposeId, is_purpose_id, PurposeIdInvalid
);
checked_id!(
    /// An opt-in form of a site, e.g. `newsletter`: 1-32 of `a-z`, `0-9`, `_`,
    /// starting with a letter. It appears in HTML (`data-assent-form`) and URLs.
    FormId, is_purpose_id, FormIdInvalid
);
checked_id!(
    /// A service (a vendor's tool) inside a purpose: 1-64 of `a-z`, `0-9`, `_`, `-`.
    ServiceId, is_service_id, ServiceIdInvalid
);
checked_id!(
    /// A BCP 47 language tag in canonical case: language, optional script,
    /// region and variants (`en`, `pt-BR`, `zh-Hant`, `es-419`, `sr-Latn-RS`).
    LanguageTag, is_language_tag, LanguageInvalid
);
checked_id!(
    /// The id of one consent event: a lowercase UUIDv4, chosen by the client.
    /// It is the idempotency key: the same id sent twice is stored once.
    EventId, is_uuid_v4, EventIdInvalid
);
checked_id!(
    /// A notice hash as events carry it and the notice archive answers it:
    /// the 64 lowercase hex digits of a SHA-256
    /// ([`Notice::hash`](crate::notice::Notice::hash)).
    NoticeHash, is_notice_hash, NoticeHashInvalid
);
checked_id!(
    /// A pseudonymous subject (one browser profile on one site): a lowercase
    /// UUIDv7 drawn by the widget (the time of its first choice, then random
    /// bits), or a UUIDv4 (drawn by the edge for a form's contact, and by
    /// widgets before shards). It carries no IP, no user agent, nothing
    /// derived; its time decides its log shard ([`crate::log::shards`]).
    SubjectId, is_subject_uuid, SubjectIdInvalid
);

impl EventId {
    /// Formats 16 random bytes as a UUIDv4 (version and variant bits set).
    pub fn from_random_bytes(bytes: [u8; 16]) -> Self {
        Self(format_uuid_v4(bytes))
    }
}

impl SubjectId {
    /// Formats 16 random bytes as a UUIDv4 (version and variant bits set).
    pub fn from_random_bytes(bytes: [u8; 16]) -> Self {
        Self(format_uuid_v4(bytes))
    }

    /// A UUIDv7 (RFC 9562): `now_ms` in its first 48 bits, then 74 of the
    /// random bits. What the widget draws for a new subject, so that the
    /// id says under which shard layout it was born.
    ///
    /// ```
    /// use assent_core::ids::SubjectId;
    /// let id = SubjectId::drawn(1_796_000_000_000, [0xab; 16]);
    /// assert_eq!(id.as_str(), "01a229f1-2800-7bab-abab-abababababab");
    /// assert_eq!(id.drawn_at_ms(), Some(1_796_000_000_000));
    /// assert_eq!(SubjectId::from_random_bytes([7; 16]).drawn_at_ms(), None);
    /// ```
    pub fn drawn(now_ms: u64, mut bytes: [u8; 16]) -> Self {
        // A loop, not a slice copy: nothing here can panic (the widget's size).
        for (i, b) in bytes.iter_mut().take(6).enumerate() {
            *b = (now_ms >> (40 - 8 * i)) as u8;
        }
        Self(format_uuid(bytes, 0x70))
    }

    /// The time a UUIDv7 subject was drawn (ms since the Unix epoch); `None`
    /// for a UUIDv4.
    pub fn drawn_at_ms(&self) -> Option<u64> {
        let b = self.0.as_bytes();
        if b[14] != b'7' {
            return None;
        }
        let high = u64::from_str_radix(&self.0[..8], 16).ok()?;
        let low = u64::from_str_radix(&self.0[9..13], 16).ok()?;
        Some(high << 16 | low)
    }
}

impl LanguageTag {
    /// The primary language subtag, lowercased: `pt` for `pt-BR`.
    pub fn primary(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }
}

// Written out by hand rather than with `format!`: this runs in the widget,
// where pulling in the formatting machinery costs kilobytes.
fn format_uuid_v4(b: [u8; 16]) -> String {
    format_uuid(b, 0x40)
}

/// RFC 9562 text of `b` with the version nibble `version` (`0x40`, `0x70`)
/// and the variant bits set.
fn format_uuid(mut b: [u8; 16], version: u8) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    b[6] = (b[6] & 0x0f) | version;
    b[8] = (b[8] & 0x3f) | 0x80;
    let mut out = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(HEX[usize::from(byte >> 4)] as char);
        out.push(HEX[usize::from(byte & 0x0f)] as char);
    }
    out
}

fn is_site_id(v: &str) -> bool {
    (1..=64).contains(&v.len())
        && v.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        && !v.starts_with('-')
}

fn is_purpose_id(v: &str) -> bool {
    (1..=32).contains(&v.len())
        && v.as_bytes()[0].is_ascii_lowercase()
        && v.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
}

fn is_service_id(v: &str) -> bool {
    (1..=64).contains(&v.len())
        && v.as_bytes()[0].is_ascii_alphanumeric()
        && v.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-')
}

/// A BCP 47 language tag as a notice language: language, optional script,
/// region and variants (`en`, `es-419`, `sr-Latn-RS`, `de-CH-1996`), written
/// in its canonical case (`pt-BR`, not `pt-br`), no extensions or private use.
/// With `std`, ICU4X's parser (`icu_locale_core`) decides and the tag must be
/// its own canonical form; the `no_std` build checks the same shape by hand.
#[cfg(feature = "std")]
fn is_language_tag(v: &str) -> bool {
    use icu_locale_core::LanguageIdentifier;
    v.len() <= 64
        && LanguageIdentifier::try_from_str(v)
            .is_ok_and(|id| id.language.as_str() != "und" && id.to_string() == v)
}

#[cfg(not(feature = "std"))]
fn is_language_tag(v: &str) -> bool {
    let alpha = |s: &str, lower: bool| {
        s.bytes().all(|c| {
            if lower {
                c.is_ascii_lowercase()
            } else {
                c.is_ascii_uppercase()
            }
        })
    };
    let mut parts = v.split('-').peekable();
    let lang = parts.next().unwrap_or("");
    if !(matches!(lang.len(), 2 | 3 | 5..=8) && alpha(lang, true)) {
        return false;
    }
    if let Some(script) = parts
        .peek()
        .filter(|p| p.len() == 4 && p.as_bytes()[0].is_ascii_uppercase())
    {
        if !alpha(&script[1..], true) {
            return false;
        }
        parts.next();
    }
    if let Some(region) = parts.peek().filter(|p| p.len() <= 3) {
        let ok = (region.len() == 2 && alpha(region, false))
            || (region.len() == 3 && region.bytes().all(|c| c.is_ascii_digit()));
        if !ok {
            return false;
        }
        parts.next();
    }
    v.len() <= 64
        && parts.all(|variant| {
            let lower_alnum = variant
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
            lower_alnum
                && ((5..=8).contains(&variant.len())
                    || (variant.len() == 4 && variant.as_bytes()[0].is_ascii_digit()))
        })
}

fn is_notice_hash(v: &str) -> bool {
    v.len() == 64
        && v.bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

fn is_uuid_v4(v: &str) -> bool {
    is_uuid(v, b'4')
}

fn is_subject_uuid(v: &str) -> bool {
    is_uuid(v, b'4') || is_uuid(v, b'7')
}

/// Lowercase RFC 9562 syntax of the version `version`, variant bits `10`.
fn is_uuid(v: &str, version: u8) -> bool {
    let b = v.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        })
        && b[14] == version
        && matches!(b[19], b'8' | b'9' | b'a' | b'b')
}

/// 16 bytes derived from a domain and its parts (SHA-256 of `domain`, then
/// each part, all followed by a NUL but the last, truncated): the ids the
/// edge derives instead of drawing, so that the same act is always the same
/// id and a retry stores nothing twice.
///
/// ```
/// let a = assent_core::ids::derived("assent/example/v1", &["x", "y"]);
/// assert_eq!(a, assent_core::ids::derived("assent/example/v1", &["x", "y"]));
/// assert_ne!(a, assent_core::ids::derived("assent/example/v1", &["xy"]));
/// ```
pub fn derived(domain: &str, parts: &[&str]) -> [u8; 16] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(domain.as_bytes());
    for part in parts {
        h.update(b"\0");
        h.update(part.as_bytes());
    }
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_v4_syntax() {
        assert!(is_uuid_v4("3f1c2a4e-9b7d-4c1e-8a2b-0c9d8e7f6a5b"));
        assert!(
            !is_uuid_v4("3F1C2A4E-9B7D-4C1E-8A2B-0C9D8E7F6A5B"),
            "uppercase"
        );
        assert!(
            !is_uuid_v4("3f1c2a4e-9b7d-1c1e-8a2b-0c9d8e7f6a5b"),
            "version 1"
        );
        assert!(
            !is_uuid_v4("3f1c2a4e-9b7d-4c1e-7a2b-0c9d8e7f6a5b"),
            "variant"
        );
        assert!(
            !is_uuid_v4("3f1c2a4e9b7d4c1e8a2b0c9d8e7f6a5b"),
            "no hyphens"
        );
    }

    #[test]
    fn notice_hashes_are_64_lowercase_hex_digits() {
        assert!(NoticeHash::new(&"0a".repeat(32)).is_ok());
        for bad in [
            "".to_string(),
            "0a".repeat(31),
            "0a".repeat(33),
            "0A".repeat(32),
            format!("{}g", "0".repeat(63)),
            format!("{} ", "0".repeat(63)),
        ] {
            let e = NoticeHash::new(&bad).unwrap_err();
            assert_eq!(e.code(), "notice_hash_invalid", "{bad:?}");
        }
    }

    #[test]
    fn generated_ids_pass_their_own_check() {
        for seed in [0u8, 1, 0x7f, 0xff] {
            let id = EventId::from_random_bytes([seed; 16]);
            assert!(EventId::new(id.as_str()).is_ok(), "{id}");
        }
    }

    #[test]
    fn language_tags() {
        for ok in [
            "en",
            "de",
            "pt-BR",
            "zh-Hant",
            "ast",
            "es-419",
            "sr-Latn-RS",
            "zh-Hant-TW",
            "de-CH-1996",
            "sl-rozaj",
        ] {
            assert!(LanguageTag::new(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "EN",
            "en_US",
            "en-us",
            "english1",
            "en-US-x",
            "sr-latn-RS",
            "es-41",
            "en--US",
            "en-",
            "und",
            "de-DE-u-co-phonebk",
            "en-x-private",
        ] {
            assert!(LanguageTag::new(bad).is_err(), "{bad}");
        }
        assert_eq!(LanguageTag::new("pt-BR").unwrap().primary(), "pt");
    }

    #[test]
    fn site_and_purpose_ids() {
        assert!(SiteId::new("demo-shop-2").is_ok());
        assert!(SiteId::new("-x").is_err());
        assert!(SiteId::new(&"a".repeat(65)).is_err());
        assert!(PurposeId::new("ad_measurement").is_ok());
        assert!(PurposeId::new("1st").is_err());
        assert!(ServiceId::new("google-analytics").is_ok());
    }
}
