//! C2SP signed notes and checkpoints (c2sp.org/signed-note, c2sp.org/tlog-checkpoint).
//!
//! A signed note is UTF-8 text ending in a newline, a blank line, and one
//! signature line per signer: `— <name> <base64(key hash || signature)>`. For
//! Ed25519 the key hash is the first four bytes of
//! SHA-256(name || "\n" || 0x01 || public key), and the signature covers the
//! text exactly. A checkpoint is a note whose text is the log origin, the tree
//! size in decimal and the base64 root hash, one per line.
//!
//! ```
//! use assent_core::keys::SigningKey;
//! use assent_core::note::Checkpoint;
//!
//! let key = SigningKey::from_seed([1; 32]);
//! let cp = Checkpoint { origin: "edge.example/demo".into(), size: 3, root: [9; 32] };
//! let signed = cp.sign(&key);
//! let back = Checkpoint::verify(&signed, "edge.example/demo", &[key.public()]).unwrap();
//! assert_eq!(back, cp);
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::error::{Error, KeyError, LogError};
use crate::keys::{PublicKey, SigningKey};
use crate::merkle::Hash;

/// The signature type byte of Ed25519 in signed notes.
const ED25519: u8 = 0x01;
/// Signature lines start with an em dash and a space.
const SIG_PREFIX: &str = "\u{2014} ";

fn malformed(reason: &str) -> Error {
    Error::Log(LogError::NoteMalformed {
        reason: reason.to_string(),
    })
}

/// The 4-byte key hash that names a key in a signature line.
pub fn key_hash(name: &str, key: &PublicKey) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([ED25519]);
    h.update(key.to_bytes());
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// The verifier key string of `name`: `name+hex(key hash)+base64(0x01 || key)`,
/// as Go's `note` package and other tools read it.
pub fn verifier_key(name: &str, key: &PublicKey) -> String {
    let mut bytes = vec![ED25519];
    bytes.extend_from_slice(&key.to_bytes());
    format!(
        "{name}+{}+{}",
        hex::encode(key_hash(name, key)),
        STANDARD.encode(bytes)
    )
}

/// Parses a verifier key string (`name+hash+base64(0x01 || key)`), checking its hash.
pub fn parse_verifier_key(vkey: &str) -> Result<(String, PublicKey), Error> {
    let mut parts = vkey.trim().splitn(3, '+');
    let (Some(name), Some(hash), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(malformed("a verifier key is name+hash+key"));
    };
    check_name(name)?;
    let bytes = STANDARD
        .decode(key)
        .map_err(|_| malformed("the verifier key is not base64"))?;
    if bytes.first() != Some(&ED25519) {
        return Err(malformed("only Ed25519 verifier keys are supported"));
    }
    let public = PublicKey::from_bytes(&bytes[1..])?;
    if hex::encode(key_hash(name, &public)) != hash {
        return Err(malformed("the verifier key's hash does not match its key"));
    }
    Ok((name.to_string(), public))
}

fn check_name(name: &str) -> Result<(), Error> {
    if name.is_empty() || name.contains(char::is_whitespace) || name.contains('+') {
        return Err(malformed("a key name is non-empty, without spaces or '+'"));
    }
    Ok(())
}

/// One signature line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// Key name.
    pub name: String,
    /// Key hash.
    pub key_hash: [u8; 4],
    /// The signature bytes.
    pub signature: Vec<u8>,
}

/// A parsed signed note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedNote {
    /// The signed text, ending in a newline.
    pub text: String,
    /// The signatures.
    pub signatures: Vec<NoteSignature>,
}

impl SignedNote {
    /// Signs `text` (which must end in a newline) as `name`.
    pub fn sign(text: &str, name: &str, key: &SigningKey) -> Result<String, Error> {
        check_name(name)?;
        check_text(text)?;
        let mut blob = key_hash(name, &key.public()).to_vec();
        blob.extend_from_slice(&key.sign(text.as_bytes()));
        Ok(format!(
            "{text}\n{SIG_PREFIX}{name} {}\n",
            STANDARD.encode(blob)
        ))
    }

    /// Parses a signed note.
    pub fn parse(note: &str) -> Result<Self, Error> {
        let split = note
            .rfind("\n\n")
            .ok_or_else(|| malformed("no blank line before the signatures"))?;
        let text = &note[..split + 1];
        check_text(text)?;
        let sigs = &note[split + 2..];
        if !sigs.ends_with('\n') {
            return Err(malformed("the note does not end with a newline"));
        }
        let mut signatures = Vec::new();
        for line in sigs.lines() {
            let rest = line
                .strip_prefix(SIG_PREFIX)
                .ok_or_else(|| malformed("a signature line starts with an em dash"))?;
            let (name, b64) = rest
                .split_once(' ')
                .ok_or_else(|| malformed("a signature line is '— name signature'"))?;
            check_name(name)?;
            let blob = STANDARD
                .decode(b64)
                .map_err(|_| malformed("a signature is not base64"))?;
            if blob.len() < 5 {
                return Err(malformed("a signature is too short"));
            }
            signatures.push(NoteSignature {
                name: name.to_string(),
                key_hash: [blob[0], blob[1], blob[2], blob[3]],
                signature: blob[4..].to_vec(),
            });
        }
        if signatures.is_empty() {
            return Err(malformed("the note has no signature"));
        }
        Ok(SignedNote {
            text: text.to_string(),
            signatures,
        })
    }

    /// Verifies that one of `keys` signed this note as `name`; returns that key.
    pub fn verify(&self, name: &str, keys: &[PublicKey]) -> Result<PublicKey, Error> {
        let mut known = false;
        for sig in self.signatures.iter().filter(|s| s.name == name) {
            for key in keys.iter().filter(|k| key_hash(name, k) == sig.key_hash) {
                known = true;
                if key.verify(self.text.as_bytes(), &sig.signature).is_ok() {
                    return Ok(*key);
                }
            }
        }
        if known {
            Err(Error::Key(KeyError::SignatureInvalid))
        } else {
            Err(Error::Key(KeyError::KeyUnknown {
                detail: format!(" for {name}"),
            }))
        }
    }
}

fn check_text(text: &str) -> Result<(), Error> {
    if !text.ends_with('\n') {
        return Err(malformed("the text must end with a newline"));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(malformed("the text has control characters"));
    }
    Ok(())
}

/// A log checkpoint: origin, size and root hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin, `<edge host>/<site>`.
    pub origin: String,
    /// Number of leaves.
    pub size: u64,
    /// RFC 6962 root hash.
    pub root: Hash,
}

impl Checkpoint {
    /// The checkpoint body (the signed text).
    pub fn to_text(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root)
        )
    }

    /// Parses a checkpoint body; extension lines after the root are allowed and ignored.
    pub fn parse_text(text: &str) -> Result<Self, Error> {
        // The rules of a note's text (a final newline, no control character:
        // `lines()` would have read "\r\n" as a line end), and an origin that
        // is also a key name, as the checkpoint is signed under it: what
        // reads here is what `to_text` writes back (found by `make fuzz`).
        check_text(text)?;
        let mut lines = text.split('\n');
        let origin = lines.next().filter(|o| check_name(o).is_ok());
        let size = lines.next().and_then(|s| {
            // Decimal without leading zeros, as the spec requires.
            (s == "0" || !s.starts_with('0'))
                .then(|| s.parse::<u64>().ok())
                .flatten()
        });
        let root = lines
            .next()
            .and_then(|r| STANDARD.decode(r).ok())
            .and_then(|b| <[u8; 32]>::try_from(b).ok());
        match (origin, size, root) {
            (Some(origin), Some(size), Some(root)) => Ok(Checkpoint {
                origin: origin.to_string(),
                size,
                root,
            }),
            _ => Err(malformed(
                "a checkpoint is origin, size and base64 root, one per line",
            )),
        }
    }

    /// The signed note of this checkpoint; the key name is the origin.
    pub fn sign(&self, key: &SigningKey) -> String {
        SignedNote::sign(&self.to_text(), &self.origin, key)
            .expect("an origin is a valid key name and the text is well-formed")
    }

    /// Parses a signed checkpoint, checks its origin and that one of `keys` signed it.
    pub fn verify(note: &str, origin: &str, keys: &[PublicKey]) -> Result<Self, Error> {
        let signed = SignedNote::parse(note)?;
        let cp = Checkpoint::parse_text(&signed.text)?;
        if cp.origin != origin {
            return Err(malformed(&format!(
                "checkpoint is for {:?}, not {origin:?}",
                cp.origin
            )));
        }
        signed.verify(origin, keys)?;
        Ok(cp)
    }

    /// Parses a signed checkpoint and checks that one of `keys` signed it for
    /// its own origin.
    pub fn verify_any_origin(note: &str, keys: &[PublicKey]) -> Result<Self, Error> {
        let signed = SignedNote::parse(note)?;
        let cp = Checkpoint::parse_text(&signed.text)?;
        signed.verify(&cp.origin, keys)?;
        Ok(cp)
    }
}
