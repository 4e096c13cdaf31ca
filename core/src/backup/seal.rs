//! Sealing a backup's chunks to the operator's key, without I/O: X25519
//! between a fresh ephemeral key and the operator's public key, HKDF-SHA256
//! over the shared secret (salted with both public keys, so a chunk is
//! bound to the key it was sealed to), then XChaCha20-Poly1305 with the
//! chunk's place in the backup as associated data. Only the holder of the
//! operator's secret key opens a chunk; the edge, which seals, cannot.
//!
//! Keys travel as text: `assent-backup-pub-` and `assent-backup-secret-`
//! followed by 32 bytes in unpadded base64url.
//!
//! ```
//! use assent_core::backup::seal::{open, seal, Identity};
//! let me = Identity::from_random([7; 32]);
//! let to = me.recipient();
//! assert!(to.to_string().starts_with("assent-backup-pub-"));
//! let sealed = seal(&to, b"where", b"rows", [9; 56]);
//! assert_eq!(open(&me, b"where", &sealed).unwrap(), b"rows");
//! assert!(open(&me, b"elsewhere", &sealed).is_err());
//! ```

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use sha2::Sha256;
use x25519_dalek::{PublicKey, StaticSecret};

use crate::error::{Error, RightsError};

/// How a recipient (public key) begins.
pub const RECIPIENT_PREFIX: &str = "assent-backup-pub-";
/// How an identity (secret key) begins.
pub const IDENTITY_PREFIX: &str = "assent-backup-secret-";
/// Bytes before the ciphertext: the ephemeral public key and the nonce.
pub const OVERHEAD: usize = 32 + 24 + 16;

fn invalid(reason: &str) -> Error {
    RightsError::BackupInvalid {
        reason: reason.into(),
    }
    .into()
}

fn key32(text: &str, prefix: &str) -> Result<[u8; 32], Error> {
    let body = text
        .trim()
        .strip_prefix(prefix)
        .ok_or_else(|| invalid("a key with another prefix"))?;
    B64.decode(body)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| invalid("a key is 32 bytes of base64url"))
}

/// The operator's public key: what a backup is sealed to.
#[derive(Clone, PartialEq, Eq)]
pub struct Recipient(PublicKey);

impl core::str::FromStr for Recipient {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Ok(Recipient(PublicKey::from(key32(s, RECIPIENT_PREFIX)?)))
    }
}

impl core::fmt::Display for Recipient {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{RECIPIENT_PREFIX}{}", B64.encode(self.0.as_bytes()))
    }
}

impl core::fmt::Debug for Recipient {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Recipient({self})")
    }
}

/// The operator's secret key: opens what was sealed to its [`Recipient`].
/// Never printed by `Debug`.
pub struct Identity(StaticSecret);

impl Identity {
    /// An identity from 32 random bytes.
    pub fn from_random(random: [u8; 32]) -> Self {
        Identity(StaticSecret::from(random))
    }

    /// Its public key.
    pub fn recipient(&self) -> Recipient {
        Recipient(PublicKey::from(&self.0))
    }

    /// The identity as text, to be kept secret (a file only the operator reads).
    pub fn to_secret_text(&self) -> String {
        format!("{IDENTITY_PREFIX}{}", B64.encode(self.0.to_bytes()))
    }
}

impl core::str::FromStr for Identity {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Ok(Identity::from_random(key32(s, IDENTITY_PREFIX)?))
    }
}

impl core::fmt::Debug for Identity {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Identity({})", self.recipient())
    }
}

fn cipher(shared: &[u8; 32], ephemeral: &PublicKey, to: &PublicKey) -> XChaCha20Poly1305 {
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(ephemeral.as_bytes());
    salt[32..].copy_from_slice(to.as_bytes());
    let mut key = [0u8; 32];
    Hkdf::<Sha256>::new(Some(&salt), shared)
        .expand(b"assent/backup/v1", &mut key)
        .expect("32 bytes is a valid HKDF length");
    XChaCha20Poly1305::new(&key.into())
}

/// Seals `plaintext` to `to`, bound to `aad`; `random` gives the ephemeral
/// key (32 bytes) and the nonce (24). Answers `ephemeral || nonce || ciphertext`.
pub fn seal(to: &Recipient, aad: &[u8], plaintext: &[u8], random: [u8; 56]) -> Vec<u8> {
    let secret = StaticSecret::from(<[u8; 32]>::try_from(&random[..32]).expect("32 bytes"));
    let ephemeral = PublicKey::from(&secret);
    let shared = secret.diffie_hellman(&to.0);
    let nonce = XNonce::from(<[u8; 24]>::try_from(&random[32..]).expect("24 bytes"));
    let sealed = cipher(shared.as_bytes(), &ephemeral, &to.0)
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .expect("XChaCha20-Poly1305 seals any length this holds");
    let mut out = Vec::with_capacity(OVERHEAD + plaintext.len());
    out.extend_from_slice(ephemeral.as_bytes());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    out
}

/// Opens what [`seal`] sealed to `me`'s recipient with the same `aad`;
/// `backup_invalid` for anything else (another key, another place, a
/// changed byte, a low-order ephemeral key).
pub fn open(me: &Identity, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, Error> {
    if sealed.len() < OVERHEAD {
        return Err(invalid("a chunk shorter than its overhead"));
    }
    let ephemeral = PublicKey::from(<[u8; 32]>::try_from(&sealed[..32]).expect("32 bytes"));
    let shared = me.0.diffie_hellman(&ephemeral);
    if !shared.was_contributory() {
        return Err(invalid("a chunk sealed with a low-order key"));
    }
    let nonce = XNonce::from(<[u8; 24]>::try_from(&sealed[32..56]).expect("24 bytes"));
    cipher(shared.as_bytes(), &ephemeral, &me.recipient().0)
        .decrypt(
            &nonce,
            Payload {
                msg: &sealed[56..],
                aad,
            },
        )
        .map_err(|_| invalid("a chunk that does not open with this key here"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_back_and_refuse_what_is_not_theirs() {
        let me = Identity::from_random([1; 32]);
        let text = me.to_secret_text();
        assert!(text.starts_with(IDENTITY_PREFIX));
        let again: Identity = text.parse().unwrap();
        assert_eq!(again.recipient(), me.recipient());
        let pubtext = me.recipient().to_string();
        assert_eq!(pubtext.parse::<Recipient>().unwrap(), me.recipient());
        assert!(
            !format!("{me:?}").contains(&text[IDENTITY_PREFIX.len()..]),
            "Debug never shows the secret"
        );
        assert_eq!(
            format!("{me:?}"),
            format!("Identity({pubtext})"),
            "it shows the public key"
        );
        assert_eq!(
            format!("{:?}", me.recipient()),
            format!("Recipient({pubtext})")
        );
        for bad in [
            pubtext.replace("pub", "secret"),
            format!("{RECIPIENT_PREFIX}AAAA"),
            format!("{RECIPIENT_PREFIX}{}!", &pubtext[RECIPIENT_PREFIX.len()..]),
            String::new(),
        ] {
            let err = bad.parse::<Recipient>().err().map(|e| e.code());
            assert_eq!(err, Some("backup_invalid"), "{bad}");
        }
        assert_eq!(
            "assent-backup-secret-AAAA"
                .parse::<Identity>()
                .unwrap_err()
                .code(),
            "backup_invalid"
        );
    }

    #[test]
    fn a_chunk_opens_only_with_its_key_its_place_and_its_bytes() {
        let me = Identity::from_random([1; 32]);
        let other = Identity::from_random([2; 32]);
        let sealed = seal(&me.recipient(), b"s\x000", b"rows of a table", [3; 56]);
        assert_eq!(sealed.len(), OVERHEAD + 15);
        assert!(!sealed.windows(4).any(|w| w == b"rows"), "nothing readable");
        assert_eq!(open(&me, b"s\x000", &sealed).unwrap(), b"rows of a table");
        assert!(open(&other, b"s\x000", &sealed).is_err(), "another key");
        assert!(open(&me, b"s\x001", &sealed).is_err(), "another place");
        for at in [0, 31, 32, 55, 56, sealed.len() - 1] {
            let mut bad = sealed.clone();
            bad[at] ^= 1;
            assert!(open(&me, b"s\x000", &bad).is_err(), "byte {at}");
        }
        assert!(open(&me, b"s\x000", &sealed[..OVERHEAD - 1]).is_err());
        assert!(
            open(&me, b"s\x000", &sealed[..10]).is_err(),
            "shorter than a key"
        );
        // An empty chunk is exactly its overhead, and opens.
        let empty = seal(&me.recipient(), b"e", b"", [6; 56]);
        assert_eq!(empty.len(), OVERHEAD);
        assert_eq!(open(&me, b"e", &empty).unwrap(), b"");
        // A low-order ephemeral key (all zero) is refused before decrypting.
        let mut zero = sealed.clone();
        zero[..32].fill(0);
        let e = open(&me, b"s\x000", &zero).unwrap_err();
        assert!(format!("{e}").contains("low-order"), "{e}");
        // The same plaintext sealed twice with other randomness differs.
        assert_ne!(
            seal(&me.recipient(), b"a", b"x", [4; 56]),
            seal(&me.recipient(), b"a", b"x", [5; 56])
        );
    }
}
