//! Preview links: who may see the site's draft rendered by the real widget
//! before it is published (`/v1/sites/{site}/preview/{token}/`).
//!
//! An owner with the `edit` scope asks for one; it shows the draft as it
//! is when opened, to whoever holds the link, until it expires
//! ([`PREVIEW_MS`]). It reads nothing about anyone and records nothing
//! (the edge answers `preview_only` to every write under it), so the link
//! is a capability to read texts that are not public yet, and no more.
//! The token is the expiry and an HMAC-SHA256 tag over the site and the
//! expiry, under the site's preview key
//! ([`FormSecret::preview`](crate::form::secret::FormSecret::preview)):
//! only characters a URL path keeps as they are.
//!
//! ```
//! use assent_core::config::preview;
//! use assent_core::ids::SiteId;
//!
//! let site = SiteId::new("demo").unwrap();
//! let token = preview::issue(&[7; 32], &site, 5_000);
//! assert!(preview::verify(&[7; 32], &token, &site, 4_999).is_ok());
//! assert_eq!(preview::verify(&[7; 32], &token, &site, 5_000).unwrap_err().code(), "token_expired");
//! assert_eq!(preview::verify(&[8; 32], &token, &site, 0).unwrap_err().code(), "token_invalid");
//! let other = SiteId::new("other").unwrap();
//! assert_eq!(preview::verify(&[7; 32], &token, &other, 0).unwrap_err().code(), "token_invalid");
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::{Error, FormError};
use crate::ids::SiteId;

/// How long a preview link shows the draft: half an hour.
pub const PREVIEW_MS: u64 = 30 * 60 * 1000;

fn mac(key: &[u8; 32], site: &SiteId, expires_ms: u64) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(key).expect("any key length");
    mac.update(b"assent/preview/v1\0");
    mac.update(site.as_str().as_bytes());
    mac.update(b"\0");
    mac.update(expires_ms.to_string().as_bytes());
    mac
}

/// A preview token of `site` that expires at `expires_ms`.
pub fn issue(key: &[u8; 32], site: &SiteId, expires_ms: u64) -> String {
    let tag = URL_SAFE_NO_PAD.encode(mac(key, site, expires_ms).finalize().into_bytes());
    format!("{expires_ms}.{tag}")
}

/// Checks a preview token of `site` at `now_ms`: the tag (constant time),
/// then the time.
pub fn verify(key: &[u8; 32], token: &str, site: &SiteId, now_ms: u64) -> Result<(), Error> {
    let invalid = || Error::Form(FormError::TokenInvalid);
    let (expires, tag) = token.split_once('.').ok_or_else(invalid)?;
    // Digits only, as `issue` writes them: `+5` or `05` is another token.
    if expires.is_empty() || expires.len() > 20 || !expires.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let expires_ms: u64 = expires.parse().map_err(|_| invalid())?;
    if expires_ms.to_string() != expires {
        return Err(invalid());
    }
    let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| invalid())?;
    mac(key, site, expires_ms)
        .verify_slice(&tag)
        .map_err(|_| invalid())?;
    if now_ms >= expires_ms {
        return Err(Error::Form(FormError::TokenExpired));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_lasts_half_an_hour() {
        assert_eq!(PREVIEW_MS, 1_800_000);
    }

    #[test]
    fn a_token_altered_anywhere_is_invalid() {
        let site = SiteId::new("demo").unwrap();
        let token = issue(&[1; 32], &site, 9_000);
        assert!(verify(&[1; 32], &token, &site, 0).is_ok());
        for bad in [
            token.replacen("9000", "9001", 1),
            token.replacen("9000", "09000", 1),
            token.replacen("9000", "+9000", 1),
            token.replace('.', ""),
            format!("{token}A"),
            String::new(),
            ".".into(),
        ] {
            assert_eq!(
                verify(&[1; 32], &bad, &site, 0).unwrap_err().code(),
                "token_invalid",
                "{bad}"
            );
        }
        assert!(token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
    }
}
