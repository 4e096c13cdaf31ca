//! The site's form secret (`FORM_SECRET`, a wrangler secret): 32 random
//! bytes in base64url, from which the keys of the forms are derived with
//! HMAC-SHA256 under distinct labels, so one secret serves uses that can
//! never be confused: the lookup key (of an email or a phone number), the
//! confirmation tokens' key, the privacy center's and the phone codes' key.
//!
//! ```
//! use assent_core::form::secret::FormSecret;
//!
//! let secret = FormSecret::from_secret("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").unwrap();
//! assert_ne!(secret.lookup(), secret.token());
//! assert_ne!(secret.phone(), secret.token());
//! assert_ne!(secret.preview(), secret.privacy());
//! assert_eq!(FormSecret::from_secret("short").unwrap_err().code(), "key_malformed");
//! ```

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::{Error, KeyError};

/// The keys derived from a site's form secret.
#[derive(Clone)]
pub struct FormSecret {
    lookup: [u8; 32],
    token: [u8; 32],
    privacy: [u8; 32],
    phone: [u8; 32],
    preview: [u8; 32],
}

impl core::fmt::Debug for FormSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("FormSecret(..)")
    }
}

fn derive(secret: &[u8], label: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(secret).expect("any key length");
    mac.update(b"assent/form-secret/v1\0");
    mac.update(label);
    mac.finalize().into_bytes().into()
}

impl FormSecret {
    /// Reads the secret form: base64url (or base64) of 32 bytes.
    pub fn from_secret(text: &str) -> Result<Self, Error> {
        let bytes = crate::keys::decode_any(text.trim())
            .filter(|b| b.len() == 32)
            .ok_or_else(|| {
                Error::Key(KeyError::KeyMalformed {
                    reason: "FORM_SECRET must be 32 bytes in base64url".into(),
                })
            })?;
        Ok(FormSecret {
            lookup: derive(&bytes, b"lookup"),
            token: derive(&bytes, b"token"),
            privacy: derive(&bytes, b"privacy"),
            phone: derive(&bytes, b"phone"),
            preview: derive(&bytes, b"preview"),
        })
    }

    /// The key of [`lookup_key`](crate::form::identity::lookup_key).
    pub fn lookup(&self) -> &[u8; 32] {
        &self.lookup
    }

    /// The key of [confirmation tokens](crate::form::token).
    pub fn token(&self) -> &[u8; 32] {
        &self.token
    }

    /// The key of the [privacy center's tokens](crate::rights::center).
    pub fn privacy(&self) -> &[u8; 32] {
        &self.privacy
    }

    /// The key of the [phone codes](crate::form::phone).
    pub fn phone(&self) -> &[u8; 32] {
        &self.phone
    }

    /// The key of the [draft's preview links](crate::config::preview).
    pub fn preview(&self) -> &[u8; 32] {
        &self.preview
    }
}
