//! The identity a form collects: normalised, checked, committed to, looked up
//! and sealed, so that it never enters the log.
//!
//! - **Normalised** before anything else, so one person is one person: an
//!   email is trimmed and lowercased (local part too: mailbox providers
//!   treat case as the same mailbox in practice), its domain converted to
//!   ASCII (IDNA). Dots and `+tags` are *kept*: `a.b+news@x` and `ab@x` are
//!   one mailbox at some providers and two at others, and merging two people
//!   is worse than keeping one twice. Quoted local parts and IP-literal
//!   domains are refused. A phone number becomes `+` and its digits (`00`
//!   read as `+`); a name is trimmed with inner whitespace runs collapsed
//!   (Unicode normalisation forms are not applied).
//! - **Committed to** in the log: HMAC-SHA256 keyed with a random per-subject
//!   salt over the RFC 8785 bytes of the normalised identity. With the salt
//!   the commitment proves whose consent a record is; once the salt is erased
//!   it links to no one, and the log's proofs are untouched.
//! - **Looked up** by email with HMAC-SHA256 under a site secret, so the
//!   store can find a person's subject without holding the address in clear.
//! - **Sealed** beside the log with XChaCha20-Poly1305 under a per-subject
//!   key, bound to the site and subject (associated data): erasing the key
//!   erases the identity.
//!
//! ```
//! use assent_core::form::identity::{normalise_email, IdentityInput};
//!
//! assert_eq!(normalise_email("  Ana.Lopez+News@Example.COM ").unwrap(), "ana.lopez+news@example.com");
//! assert_eq!(normalise_email("ana@bücher.example").unwrap(), "ana@xn--bcher-kva.example");
//! assert_eq!(normalise_email("ana@@example.com").unwrap_err().code(), "email_invalid");
//!
//! let input = IdentityInput { email: "Ana@Example.com".into(), phone: Some("+44 20 7946 0958".into()), ..Default::default() };
//! let id = input.normalise(None).unwrap();
//! assert_eq!(id.phone.as_deref(), Some("+442079460958"));
//! ```

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::XChaCha20Poly1305;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::canonical::to_canonical_bytes;
use crate::error::{Error, FormError};
use crate::ids::{SiteId, SubjectId};

/// Longest email field read (RFC 5321 allows a 254-octet path; the raw field
/// may carry surrounding whitespace).
pub const MAX_EMAIL_INPUT: usize = 320;
/// Longest name kept, in characters.
pub const MAX_NAME: usize = 100;
/// Longest phone field read.
pub const MAX_PHONE_INPUT: usize = 32;

/// The identity fields as the form sent them. Unknown fields are refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityInput {
    /// The email address (always asked).
    pub email: String,
    /// The name, where the form asks it.
    #[serde(default)]
    pub name: Option<String>,
    /// The phone number, where the form asks it.
    #[serde(default)]
    pub phone: Option<String>,
    /// A parent's email address, for a person under the age of consent.
    #[serde(default)]
    pub parent_email: Option<String>,
}

/// A normalised, checked identity: what is committed to and sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    /// The normalised email.
    pub email: String,
    /// The normalised name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The phone number as `+` and digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The parent's normalised email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_email: Option<String>,
    /// An owner's evidence note, recorded with consent given offline
    /// (`form::attest`): sealed and erased with the identity, never in the
    /// log. Absent from every identity a form collects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl IdentityInput {
    /// Normalises and checks every field given; empty optional fields count
    /// as not given. A phone number written nationally is read by
    /// `phone_country`'s rules ([`normalise_phone`]).
    pub fn normalise(&self, phone_country: Option<&str>) -> Result<Identity, Error> {
        let given = |v: &Option<String>| {
            v.as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(str::to_owned)
        };
        Ok(Identity {
            email: normalise_email(&self.email)?,
            name: given(&self.name).map(|n| normalise_name(&n)).transpose()?,
            phone: given(&self.phone)
                .map(|p| normalise_phone(&p, phone_country))
                .transpose()?,
            parent_email: given(&self.parent_email)
                .map(|e| normalise_email(&e))
                .transpose()?,
            note: None,
        })
    }
}

fn email_invalid(reason: &str) -> Error {
    Error::Form(FormError::EmailInvalid {
        reason: reason.into(),
    })
}

/// Normalises an email address (see the module docs for what is and is not
/// normalised) and checks it is one a message can be sent to. The domain
/// goes to ASCII by WHATWG URL host parsing (UTS 46), with the `url` crate.
pub fn normalise_email(raw: &str) -> Result<String, Error> {
    normalise_email_with(raw, |domain| match url::Host::parse(domain) {
        Ok(url::Host::Domain(d)) => Some(d),
        _ => None,
    })
}

/// [`normalise_email`] with another implementation of the same WHATWG URL
/// host parsing: the form widget uses the browser's own (`new URL`), which
/// spares every visitor the IDNA tables; every other rule is this one.
pub fn normalise_email_with(
    raw: &str,
    host_to_ascii: impl FnOnce(&str) -> Option<String>,
) -> Result<String, Error> {
    if raw.len() > MAX_EMAIL_INPUT {
        return Err(email_invalid("longer than 254 characters"));
    }
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(Error::Form(FormError::FieldRequired {
            field: "email".into(),
        }));
    }
    if trimmed.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(email_invalid("spaces or control characters"));
    }
    let (local, domain) = trimmed
        .split_once('@')
        .filter(|(_, d)| !d.contains('@'))
        .ok_or_else(|| email_invalid("not one '@'"))?;
    let local = local.to_lowercase();
    if local.is_empty() || local.len() > 64 {
        return Err(email_invalid(
            "the part before '@' is empty or longer than 64",
        ));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(email_invalid("a misplaced dot before '@'"));
    }
    if local.contains(['"', '(', ')', ',', ':', ';', '<', '>', '[', ']', '\\']) {
        return Err(email_invalid("quoted or special characters before '@'"));
    }
    let domain =
        host_to_ascii(domain).ok_or_else(|| email_invalid("the domain is not a host name"))?;
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    if labels.len() < 2
        || !labels.iter().all(label_ok)
        || labels
            .last()
            .is_some_and(|t| t.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(email_invalid("the domain is not a public host name"));
    }
    let email = format!("{local}@{domain}");
    if email.len() > 254 {
        return Err(email_invalid("longer than 254 characters"));
    }
    Ok(email)
}

/// Normalises a phone number to E.164, `+` and its digits. Spaces, dots,
/// dashes and parentheses are dropped and a leading `00` is read as `+`; a
/// number so written is international. One written nationally
/// (`020 7946 0958`) is read by the rules of `country` (ISO 3166-1 alpha-2:
/// the form's, else the visitor's), where one is known.
///
/// With the `phone-numbers` feature (the edge) the number must be a valid
/// number of its country by libphonenumber's metadata. Without it only
/// international numbers are read, 8 to 15 digits without a leading zero
/// (E.164's shape); a national one is `phone_invalid`.
pub fn normalise_phone(raw: &str, country: Option<&str>) -> Result<String, Error> {
    let invalid = || Error::Form(FormError::PhoneInvalid);
    if raw.len() > MAX_PHONE_INPUT {
        return Err(invalid());
    }
    let compact: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
        .collect();
    let international = compact
        .strip_prefix('+')
        .or_else(|| compact.strip_prefix("00"));
    if let Some(digits) = international {
        let e164 = (8..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if !e164 {
            return Err(invalid());
        }
    }
    national::read(&compact, international, country).ok_or_else(invalid)
}

/// The reading of a number by libphonenumber's metadata (`phone-numbers`).
#[cfg(feature = "phone-numbers")]
mod national {
    use phonenumber::{country, Mode};

    pub(super) fn read(
        compact: &str,
        international: Option<&str>,
        country: Option<&str>,
    ) -> Option<String> {
        if !compact.bytes().skip(1).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let (region, text) = match international {
            Some(digits) => (None, format!("+{digits}")),
            None => (
                Some(country?.parse::<country::Id>().ok()?),
                compact.to_string(),
            ),
        };
        let number = phonenumber::parse(region, text).ok()?;
        number
            .is_valid()
            .then(|| number.format().mode(Mode::E164).to_string())
    }
}

/// Without the metadata: international numbers only, as checked above.
#[cfg(not(feature = "phone-numbers"))]
mod national {
    pub(super) fn read(_: &str, international: Option<&str>, _: Option<&str>) -> Option<String> {
        international.map(|digits| format!("+{digits}"))
    }
}

/// Whether `raw` could be a phone number as a person types one, national
/// or international: 6 to 15 digits once spaces, dots, dashes, parentheses
/// and a leading `+` are dropped. The form's check in the browser, which has
/// no metadata: the edge reads the number with [`normalise_phone`].
pub fn plausible_phone(raw: &str) -> Result<(), Error> {
    let trimmed = raw.trim();
    let digits: String = trimmed
        .strip_prefix('+')
        .unwrap_or(trimmed)
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
        .collect();
    let plausible = raw.len() <= MAX_PHONE_INPUT
        && (6..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit());
    plausible
        .then_some(())
        .ok_or(Error::Form(FormError::PhoneInvalid))
}

/// Normalises a name: trimmed, inner whitespace runs made one space; 1 to
/// [`MAX_NAME`] characters without control characters.
pub fn normalise_name(raw: &str) -> Result<String, Error> {
    if raw.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        return Err(Error::Form(FormError::NameInvalid));
    }
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(Error::Form(FormError::NameInvalid));
    }
    Ok(name)
}

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac =
        <HmacSha256 as hmac::KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

impl Identity {
    /// The RFC 8785 bytes of this identity: what is committed to and sealed.
    fn canonical(&self) -> Vec<u8> {
        to_canonical_bytes(self).expect("an identity has only strings")
    }

    /// The commitment the log record carries: HMAC-SHA256 keyed with the
    /// subject's random `salt` over the canonical identity.
    pub fn commitment(&self, salt: &[u8; 32]) -> [u8; 32] {
        hmac(salt, &[b"assent/identity/v1\0", &self.canonical()])
    }

    /// [`Identity::commitment`] as a record's form facts carry it (base64).
    pub fn committed(&self, salt: &[u8; 32]) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(self.commitment(salt))
    }

    /// Seals this identity for the vault under the subject's `key`, with a
    /// fresh random `nonce` (XChaCha20's 24 bytes make random nonces safe),
    /// bound to the site and subject so a sealed value cannot be moved to
    /// another subject.
    pub fn seal(
        &self,
        key: &[u8; 32],
        nonce: &[u8; 24],
        site: &SiteId,
        subject: &SubjectId,
    ) -> Vec<u8> {
        let cipher = XChaCha20Poly1305::new(&(*key).into());
        let aad = vault_aad(site, subject);
        cipher
            .encrypt(
                &(*nonce).into(),
                Payload {
                    msg: &self.canonical(),
                    aad: &aad,
                },
            )
            .expect("XChaCha20-Poly1305 seals any message under 256 GiB")
    }

    /// Opens what [`Identity::seal`] sealed; a changed byte, another key or
    /// another subject is [`FormError::VaultUnreadable`].
    pub fn open(
        sealed: &[u8],
        key: &[u8; 32],
        nonce: &[u8; 24],
        site: &SiteId,
        subject: &SubjectId,
    ) -> Result<Identity, Error> {
        let cipher = XChaCha20Poly1305::new(&(*key).into());
        let aad = vault_aad(site, subject);
        let plain = cipher
            .decrypt(
                &(*nonce).into(),
                Payload {
                    msg: sealed,
                    aad: &aad,
                },
            )
            .map_err(|_| Error::Form(FormError::VaultUnreadable))?;
        serde_json::from_slice(&plain).map_err(|_| Error::Form(FormError::VaultUnreadable))
    }
}

fn vault_aad(site: &SiteId, subject: &SubjectId) -> Vec<u8> {
    format!("assent/vault/v1\0{site}\0{subject}").into_bytes()
}

/// The key a person's subject is found by: HMAC-SHA256 under the site's
/// lookup secret of the normalised email, scoped to the site, in hex.
pub fn lookup_key(secret: &[u8], site: &SiteId, email: &str) -> String {
    hex::encode(hmac(
        secret,
        &[
            b"assent/lookup/v1\0",
            site.as_str().as_bytes(),
            b"\0",
            email.as_bytes(),
        ],
    ))
}

#[cfg(test)]
mod phone_tests {
    use super::*;

    #[test]
    fn a_plausible_number_has_six_to_fifteen_digits_and_nothing_else() {
        for ok in [
            "020 7946 0958",
            "+44 (20) 7946-0958",
            "123456",
            "123.456.789.012.345",
        ] {
            assert!(plausible_phone(ok).is_ok(), "{ok}");
        }
        for bad in [
            "12345",
            "1234567890123456",
            "020 79x6 0958",
            "",
            "++441234567",
            &"1".repeat(33),
        ] {
            assert_eq!(
                plausible_phone(bad).unwrap_err().code(),
                "phone_invalid",
                "{bad}"
            );
        }
    }

    #[test]
    fn the_longest_input_read_is_bounded() {
        let long = format!("+44 20 7946 0958{}", " ".repeat(MAX_PHONE_INPUT));
        assert_eq!(
            normalise_phone(&long, None).unwrap_err().code(),
            "phone_invalid"
        );
        let edge = format!("+442079460958{}", " ".repeat(MAX_PHONE_INPUT - 13));
        assert_eq!(normalise_phone(&edge, None).unwrap(), "+442079460958");
    }
}
