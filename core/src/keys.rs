//! Ed25519 keys of the edge: signing (a secret), public (in the JWKS), and the
//! key id (`kid`), which is the RFC 7638 JWK thumbprint of the public key so
//! that anyone can recompute it.
//!
//! The secret is the 32-byte Ed25519 seed in base64url (no padding); the
//! caller brings the randomness that makes one (core has none).
//!
//! ```
//! use assent_core::keys::{Jwks, SigningKey};
//!
//! let key = SigningKey::from_seed([7; 32]);
//! let again = SigningKey::from_secret(&key.to_secret()).unwrap();
//! assert_eq!(again.public().kid(), key.public().kid());
//!
//! let jwks = Jwks::new([key.public().to_jwk(None)]);
//! let sig = key.sign(b"hello");
//! jwks.find(&key.public().kid()).unwrap().verify(b"hello", &sig).unwrap();
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ed25519_dalek::Signer;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, KeyError};

/// The edge's signing key.
#[derive(Clone)]
pub struct SigningKey(ed25519_dalek::SigningKey);

impl core::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Never print the secret.
        write!(f, "SigningKey({})", self.public().kid())
    }
}

impl SigningKey {
    /// The key for a 32-byte seed.
    pub fn from_seed(seed: [u8; 32]) -> Self {
        SigningKey(ed25519_dalek::SigningKey::from_bytes(&seed))
    }

    /// Parses the secret form (base64url or base64 of the 32-byte seed).
    pub fn from_secret(secret: &str) -> Result<Self, Error> {
        let bytes = decode_any(secret.trim()).ok_or_else(|| {
            Error::Key(KeyError::KeyMalformed {
                reason: "the signing key is not base64".into(),
            })
        })?;
        let seed: [u8; 32] = bytes.try_into().map_err(|_| {
            Error::Key(KeyError::KeyMalformed {
                reason: "the signing key must be a 32-byte Ed25519 seed".into(),
            })
        })?;
        Ok(Self::from_seed(seed))
    }

    /// The secret form: base64url of the seed.
    pub fn to_secret(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.to_bytes())
    }

    /// The public half.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// An Ed25519 signature of `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }
}

/// A public Ed25519 key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(ed25519_dalek::VerifyingKey);

impl PublicKey {
    /// The key for 32 raw bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| {
            Error::Key(KeyError::KeyMalformed {
                reason: "an Ed25519 public key has 32 bytes".into(),
            })
        })?;
        ed25519_dalek::VerifyingKey::from_bytes(&bytes)
            .map(PublicKey)
            .map_err(|_| {
                Error::Key(KeyError::KeyMalformed {
                    reason: "not an Ed25519 public key".into(),
                })
            })
    }

    /// The key for a JWK `x` (base64url of the raw key).
    pub fn from_x(x: &str) -> Result<Self, Error> {
        let bytes = URL_SAFE_NO_PAD.decode(x.trim()).map_err(|_| {
            Error::Key(KeyError::KeyMalformed {
                reason: "x is not base64url".into(),
            })
        })?;
        Self::from_bytes(&bytes)
    }

    /// The raw 32 bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The JWK `x`: base64url of the raw key.
    pub fn x(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.to_bytes())
    }

    /// The key id: the RFC 7638 thumbprint, base64url(SHA-256 of
    /// `{"crv":"Ed25519","kty":"OKP","x":"..."}`).
    pub fn kid(&self) -> String {
        let members = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#, self.x());
        URL_SAFE_NO_PAD.encode(Sha256::digest(members.as_bytes()))
    }

    /// Verifies an Ed25519 signature strictly, and only strictly: receipts and
    /// checkpoints are evidence, so a non-canonical `s` (`s + L`), a
    /// non-canonical or small-order `R`, and a small-order (weak) public key
    /// are all refused (`verify_strict`; there is no lenient fallback).
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        let sig = ed25519_dalek::Signature::from_slice(signature)
            .map_err(|_| Error::Key(KeyError::SignatureInvalid))?;
        self.0
            .verify_strict(message, &sig)
            .map_err(|_| Error::Key(KeyError::SignatureInvalid))
    }

    /// This key as a JWK; `status` is `Some("retired")` for a key that no
    /// longer signs but still verifies what it signed.
    pub fn to_jwk(&self, status: Option<&str>) -> Jwk {
        Jwk {
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            x: self.x(),
            kid: self.kid(),
            alg: "EdDSA".into(),
            key_use: "sig".into(),
            status: status.map(str::to_string),
        }
    }
}

/// One key of a JWKS (RFC 7517, OKP keys of RFC 8037).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    /// Always `OKP`.
    pub kty: String,
    /// Always `Ed25519`.
    pub crv: String,
    /// base64url public key.
    pub x: String,
    /// Key id (RFC 7638 thumbprint).
    pub kid: String,
    /// Always `EdDSA`.
    #[serde(default)]
    pub alg: String,
    /// Always `sig`.
    #[serde(rename = "use", default)]
    pub key_use: String,
    /// `retired` for a key that no longer signs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

impl Jwk {
    /// The public key, checked against its `kid`.
    pub fn public_key(&self) -> Result<PublicKey, Error> {
        if self.kty != "OKP" || self.crv != "Ed25519" {
            return Err(Error::Key(KeyError::KeyMalformed {
                reason: "only OKP Ed25519 keys are used".into(),
            }));
        }
        let key = PublicKey::from_x(&self.x)?;
        if key.kid() != self.kid {
            return Err(Error::Key(KeyError::KeyMalformed {
                reason: "kid is not the thumbprint of the key".into(),
            }));
        }
        Ok(key)
    }
}

/// A JSON Web Key Set: every key that signed receipts or checkpoints.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwks {
    /// The keys, current first.
    pub keys: Vec<Jwk>,
}

impl Jwks {
    /// A set of these keys.
    pub fn new(keys: impl IntoIterator<Item = Jwk>) -> Self {
        Jwks {
            keys: keys.into_iter().collect(),
        }
    }

    /// Parses a JWKS document.
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        serde_json::from_slice(json).map_err(|e| {
            Error::Key(KeyError::KeyMalformed {
                reason: format!("JWKS: {e}"),
            })
        })
    }

    /// The valid key with this `kid`, if any.
    pub fn find(&self, kid: &str) -> Option<PublicKey> {
        self.keys
            .iter()
            .filter(|k| k.kid == kid)
            .find_map(|k| k.public_key().ok())
    }

    /// Every valid key, current and retired.
    pub fn public_keys(&self) -> Vec<PublicKey> {
        self.keys
            .iter()
            .filter_map(|k| k.public_key().ok())
            .collect()
    }
}

pub(crate) fn decode_any(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .ok()
        .or_else(|| STANDARD.decode(text).ok())
}
