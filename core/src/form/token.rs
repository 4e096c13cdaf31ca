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

fn tag(key: &[u8; 32], payload: &str) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(key).expect("any key length");
    mac.update(b"assent/confirm/v1\0");
    mac.update(payload.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Issues a token for `claims`.
pub fn issue(key: &[u8; 32], claims: &Claims) -> String {
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialize"));
    let sig = URL_SAFE_NO_PAD.encode(tag(key, &payload));
    format!("{payload}.{sig}")
}

/// Verifies a token for `site` at `now_ms`: its tag (in constant time),
/// then its scope, then its time.
pub fn verify(key: &[u8; 32], token: &str, site: &SiteId, now_ms: u64) -> Result<Claims, Error> {
    let invalid = || Error::Form(FormError::TokenInvalid);
    if token.len() > MAX_TOKEN_LEN {
        return Err(invalid());
    }
    let (payload, sig) = token.split_once('.').ok_or_else(invalid)?;
    let sig = URL_SAFE_NO_PAD.decode(sig).map_err(|_| invalid())?;
    let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(key).expect("any key length");
    mac.update(b"assent/confirm/v1\0");
    mac.update(payload.as_bytes());
    mac.verify_slice(&sig).map_err(|_| invalid())?;
    let claims: Claims = URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(invalid)?;
    if claims.site != *site {
        return Err(Error::Form(FormError::TokenScope));
    }
    if now_ms >= claims.expires_ms {
        return Err(Error::Form(FormError::TokenExpired));
    }
    Ok(claims)
}
