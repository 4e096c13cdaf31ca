//! Confirmation tokens: what a double opt-in link carries.
//!
//! A token names the site, the form, the pending submission it confirms,
//! whether it goes to a parent, and when it expires; it is signed with
//! HMAC-SHA256 under a key only the edge holds. `base64url(claims) "."
//! base64url(tag)`, at most [`MAX_TOKEN_LEN`] characters. It is *single-use*
//! by what it does, not by a list of spent tokens: a confirmation's event id
//! is derived from the submission it answers, so a second click is the same
//! event again, which the log stores once.
//!
//! ```
//! use assent_core::form::token::{issue, verify, Claims};
//! use assent_core::ids::{EventId, FormId, SiteId};
//!
//! let key = [7u8; 32];
//! let claims = Claims {
//!     site: SiteId::new("demo").unwrap(),
//!     form: FormId::new("newsletter").unwrap(),
//!     pending: EventId::from_random_bytes([1; 16]),
//!     parent: false,
//!     language: "en".into(),
//!     expires_ms: 2_000,
//! };
//! let token = issue(&key, &claims);
//! assert_eq!(verify(&key, &token, &claims.site, 1_000).unwrap(), claims);
//! assert_eq!(verify(&key, &token, &claims.site, 2_000).unwrap_err().code(), "token_expired");
//! assert_eq!(verify(&[8; 32], &token, &claims.site, 1_000).unwrap_err().code(), "token_invalid");
//! assert_eq!(verify(&key, &token, &SiteId::new("other").unwrap(), 1_000).unwrap_err().code(), "token_scope");
//! ```

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::{Error, FormError};
use crate::ids::{EventId, FormId, SiteId};

/// The longest token read.
pub const MAX_TOKEN_LEN: usize = 512;

/// What a confirmation link says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    /// The site.
    #[serde(rename = "s")]
    pub site: SiteId,
    /// The form.
    #[serde(rename = "f")]
    pub form: FormId,
    /// The pending submission the link confirms.
    #[serde(rename = "e")]
    pub pending: EventId,
    /// Sent to a parent (the confirmation is the parent's).
    #[serde(rename = "p")]
    pub parent: bool,
    /// The language the form was shown in: the confirmation page's.
    #[serde(rename = "l")]
    pub language: String,
    /// Expiry, milliseconds since the Unix epoch.
    #[serde(rename = "x")]
    pub expires_ms: u64,
}

/// `base64url(claims) "." base64url(tag)`, the tag HMAC-SHA256 under `key`
/// over `domain` and the payload: one key signs several kinds of token,
/// none of which can pass for another.
pub(crate) fn seal<T: Serialize>(key: &[u8; 32], domain: &[u8], claims: &T) -> String {
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialize"));
    let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(key).expect("any key length");
    mac.update(domain);
    mac.update(payload.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{payload}.{sig}")
}

/// The claims of a token [`seal`] made under `key` and `domain`, its tag
/// checked in constant time first; anything else is
/// [`FormError::TokenInvalid`].
pub(crate) fn open<T: serde::de::DeserializeOwned>(
    key: &[u8; 32],
    domain: &[u8],
    token: &str,
) -> Result<T, Error> {
    let invalid = || Error::Form(FormError::TokenInvalid);
    if token.len() > MAX_TOKEN_LEN {
        return Err(invalid());
    }
    let (payload, sig) = token.split_once('.').ok_or_else(invalid)?;
    let sig = URL_SAFE_NO_PAD.decode(sig).map_err(|_| invalid())?;
    let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(key).expect("any key length");
    mac.update(domain);
    mac.update(payload.as_bytes());
    mac.verify_slice(&sig).map_err(|_| invalid())?;
    URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(invalid)
}

const DOMAIN: &[u8] = b"assent/confirm/v1\0";

/// Issues a token for `claims`.
pub fn issue(key: &[u8; 32], claims: &Claims) -> String {
    seal(key, DOMAIN, claims)
}

/// Verifies a token for `site` at `now_ms`: its tag (in constant time),
/// then its scope, then its time.
pub fn verify(key: &[u8; 32], token: &str, site: &SiteId, now_ms: u64) -> Result<Claims, Error> {
    let claims: Claims = open(key, DOMAIN, token)?;
    if claims.site != *site {
        return Err(Error::Form(FormError::TokenScope));
    }
    if now_ms >= claims.expires_ms {
        return Err(Error::Form(FormError::TokenExpired));
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tag [`seal`] puts after a payload, for tests that forge payloads.
    fn tag(key: &[u8; 32], payload: &str) -> Vec<u8> {
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(key).expect("any key length");
        mac.update(DOMAIN);
        mac.update(payload.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    fn claims(expires_ms: u64) -> Claims {
        Claims {
            site: SiteId::new("demo").unwrap(),
            form: FormId::new("newsletter").unwrap(),
            pending: EventId::from_random_bytes([1; 16]),
            parent: true,
            language: "de".into(),
            expires_ms,
        }
    }

    /// Kills `now_ms >= expires_ms` made `>` (or `<`, `==`): valid up to
    /// the millisecond before the expiry, expired at it and after.
    #[test]
    fn a_token_expires_at_its_millisecond() {
        let key = [7u8; 32];
        let t0 = 1_795_000_000_000;
        let c = claims(t0 + 72 * 3_600_000);
        let t = issue(&key, &c);
        assert_eq!(verify(&key, &t, &c.site, t0).unwrap(), c);
        assert_eq!(verify(&key, &t, &c.site, c.expires_ms - 1).unwrap(), c);
        for late in [c.expires_ms, c.expires_ms + 1, u64::MAX] {
            assert_eq!(
                verify(&key, &t, &c.site, late).unwrap_err().code(),
                "token_expired"
            );
        }
    }

    /// Kills `site != *site` made `false`: another site's token is out of
    /// scope even unexpired, and the scope is checked before the time.
    #[test]
    fn a_token_is_scoped_to_its_site() {
        let key = [7u8; 32];
        let c = claims(100);
        let t = issue(&key, &c);
        let other = SiteId::new("example").unwrap();
        assert_eq!(
            verify(&key, &t, &other, 1).unwrap_err().code(),
            "token_scope"
        );
        assert_eq!(
            verify(&key, &t, &other, 500).unwrap_err().code(),
            "token_scope"
        );
    }

    /// A changed byte anywhere, another key, another domain's tag (the
    /// privacy center's), junk and overlong tokens are invalid.
    #[test]
    fn a_forged_or_malformed_token_is_invalid() {
        let key = [7u8; 32];
        let c = claims(100);
        let t = issue(&key, &c);
        for i in 0..t.len() {
            let mut b = t.clone().into_bytes();
            if b[i] == b'.' {
                continue;
            }
            b[i] = if b[i] == b'A' { b'B' } else { b'A' };
            let forged = String::from_utf8(b).unwrap();
            if forged == t {
                continue;
            }
            assert_eq!(
                verify(&key, &forged, &c.site, 1).unwrap_err().code(),
                "token_invalid",
                "byte {i}"
            );
        }
        assert_eq!(
            verify(&[8; 32], &t, &c.site, 1).unwrap_err().code(),
            "token_invalid"
        );
        // The same claims tagged under the privacy center's domain.
        let (payload, _) = t.split_once('.').unwrap();
        let center = crate::rights::center::issue(
            &key,
            &crate::rights::center::Token {
                site: c.site.clone(),
                subject: crate::ids::SubjectId::from_random_bytes([1; 16]),
                kind: crate::rights::center::Kind::Link,
                nonce: EventId::from_random_bytes([1; 16]),
                expires_ms: 100,
            },
        );
        let (_, center_sig) = center.split_once('.').unwrap();
        assert_eq!(
            verify(&key, &format!("{payload}.{center_sig}"), &c.site, 1)
                .unwrap_err()
                .code(),
            "token_invalid"
        );
        assert_eq!(
            verify(&key, &center, &c.site, 1).unwrap_err().code(),
            "token_invalid"
        );
        for bad in ["", ".", "x.y", "abc", &format!("{t}x"), &"a".repeat(600)] {
            assert_eq!(
                verify(&key, bad, &c.site, 1).unwrap_err().code(),
                "token_invalid",
                "{bad}"
            );
        }
        // Well tagged, but not the claims.
        let junk = URL_SAFE_NO_PAD.encode(b"{\"s\":\"demo\"}");
        let sig = URL_SAFE_NO_PAD.encode(tag(&key, &junk));
        assert_eq!(
            verify(&key, &format!("{junk}.{sig}"), &c.site, 1)
                .unwrap_err()
                .code(),
            "token_invalid"
        );
    }

    /// Kills `token.len() > MAX_TOKEN_LEN` made `>=` or `==`: exactly the
    /// limit is read, one more is not.
    #[test]
    fn the_longest_token_is_read() {
        let key = [7u8; 32];
        let c = claims(100);
        let json = serde_json::to_string(&c).unwrap();
        let make = |pad: usize| {
            let padded = format!("{}{}}}", &json[..json.len() - 1], " ".repeat(pad));
            let payload = URL_SAFE_NO_PAD.encode(padded.as_bytes());
            format!("{payload}.{}", URL_SAFE_NO_PAD.encode(tag(&key, &payload)))
        };
        let mut pad = 0;
        while make(pad).len() < MAX_TOKEN_LEN {
            pad += 1;
        }
        assert_eq!(make(pad).len(), MAX_TOKEN_LEN);
        assert_eq!(verify(&key, &make(pad), &c.site, 1).unwrap(), c);
        while make(pad).len() <= MAX_TOKEN_LEN {
            pad += 1;
        }
        assert_eq!(
            verify(&key, &make(pad), &c.site, 1).unwrap_err().code(),
            "token_invalid"
        );
    }
}
