//! Receipts: the visitor's proof of one consent event, a JWS in compact
//! serialization (RFC 7515) with `alg: "EdDSA"` (RFC 8037) and a `kid`.
//!
//! The payload carries the stored record itself; its RFC 8785 bytes are the
//! log leaf, so a verifier recomputes the leaf hash from the receipt alone and
//! then asks the log for an inclusion proof. Any JWT library with EdDSA and the
//! edge's JWKS can check the signature.
//!
//! ```
//! use assent_core::{canonical::to_canonical_bytes, merkle::leaf_hash};
//! use assent_core::keys::{Jwks, SigningKey};
//! use assent_core::receipt::{sign, verify, LogPosition, ReceiptClaims};
//!
//! let key = SigningKey::from_seed([3; 32]);
//! let record = serde_json::json!({"v": 1, "event": {"event_id": "e", "subject": "s"}});
//! let leaf = leaf_hash(&to_canonical_bytes(&record).unwrap());
//! let position = LogPosition::new("edge.example/demo", 0, &leaf);
//! let claims = ReceiptClaims::new("https://edge.example", 1_795_000_000, record, position);
//! let jws = sign(&claims, &key);
//! let jwks = Jwks::new([key.public().to_jwk(None)]);
//! assert_eq!(verify(&jws, &jwks).unwrap().claims.jti, "e");
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::canonical::to_canonical_bytes;
use crate::error::{Error, KeyError, LogError};
use crate::keys::{Jwks, PublicKey, SigningKey};
use crate::merkle::{hashes_equal, leaf_hash, Hash};

/// Where the record sits in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogPosition {
    /// The log's origin (checkpoint origin), `<edge host>/<site>`.
    pub origin: String,
    /// Leaf index, from 0.
    pub index: u64,
    /// RFC 6962 leaf hash of the record's canonical bytes, base64.
    pub leaf_hash: String,
}

impl LogPosition {
    /// A position with its leaf hash.
    pub fn new(origin: &str, index: u64, leaf: &Hash) -> Self {
        LogPosition {
            origin: origin.to_string(),
            index,
            leaf_hash: STANDARD.encode(leaf),
        }
    }

    /// The leaf hash as bytes.
    pub fn leaf(&self) -> Result<Hash, Error> {
        STANDARD
            .decode(&self.leaf_hash)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| malformed("log.leaf_hash is not a base64 SHA-256 hash"))
    }
}

/// The receipt payload (JWT claims).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceiptClaims {
    /// The edge origin that stored the record.
    pub iss: String,
    /// Server receive time, seconds since the Unix epoch.
    pub iat: u64,
    /// The event id.
    pub jti: String,
    /// The pseudonymous subject.
    pub sub: String,
    /// The stored record, exactly as logged.
    pub record: Value,
    /// Its place in the log.
    pub log: LogPosition,
}

impl ReceiptClaims {
    /// Claims for `record` (a stored record as JSON); `jti` and `sub` are taken from it.
    pub fn new(iss: &str, iat: u64, record: Value, log: LogPosition) -> Self {
        let field = |k: &str| record["event"][k].as_str().unwrap_or_default().to_string();
        ReceiptClaims {
            iss: iss.to_string(),
            iat,
            jti: field("event_id"),
            sub: field("subject"),
            log,
            record,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Header {
    alg: String,
    kid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    typ: Option<String>,
}

fn malformed(reason: &str) -> Error {
    Error::Key(KeyError::ReceiptMalformed {
        reason: reason.to_string(),
    })
}

/// Signs claims into a compact JWS.
pub fn sign(claims: &ReceiptClaims, key: &SigningKey) -> String {
    let header = Header {
        alg: "EdDSA".into(),
        kid: key.public().kid(),
        typ: Some("JWT".into()),
    };
    let h = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).expect("header serializes"));
    let p = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialize"));
    let input = format!("{h}.{p}");
    let sig = URL_SAFE_NO_PAD.encode(key.sign(input.as_bytes()));
    format!("{input}.{sig}")
}

/// A receipt that verified.
#[derive(Debug, Clone)]
pub struct Verified {
    /// Its claims.
    pub claims: ReceiptClaims,
    /// The key that signed it.
    pub key: PublicKey,
    /// The leaf hash recomputed from the record.
    pub leaf: Hash,
}

/// Verifies a receipt: EdDSA signature by the JWKS key named by `kid`, and a
/// leaf hash equal to the RFC 6962 leaf hash of the record's canonical bytes.
pub fn verify(jws: &str, jwks: &Jwks) -> Result<Verified, Error> {
    let mut parts = jws.trim().split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed("a compact JWS has three parts"));
    };
    let header: Header = URL_SAFE_NO_PAD
        .decode(h)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| malformed("the header is not base64url JSON"))?;
    if header.alg != "EdDSA" {
        return Err(malformed("alg must be EdDSA"));
    }
    let key = jwks.find(&header.kid).ok_or_else(|| {
        Error::Key(KeyError::KeyUnknown {
            detail: format!(": kid {:?} is not in the JWKS", header.kid),
        })
    })?;
    let sig = URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| malformed("the signature is not base64url"))?;
    key.verify(format!("{h}.{p}").as_bytes(), &sig)?;

    let payload = URL_SAFE_NO_PAD
        .decode(p)
        .map_err(|_| malformed("the payload is not base64url"))?;
    let claims: ReceiptClaims =
        serde_json::from_slice(&payload).map_err(|e| malformed(&format!("the payload: {e}")))?;
    let canonical = to_canonical_bytes(&claims.record).map_err(|e| malformed(&e.to_string()))?;
    let leaf = leaf_hash(&canonical);
    if !hashes_equal(&leaf, &claims.log.leaf()?) {
        return Err(Error::Log(LogError::LeafHashMismatch));
    }
    let event = &claims.record["event"];
    if event["event_id"].as_str() != Some(claims.jti.as_str())
        || event["subject"].as_str() != Some(claims.sub.as_str())
    {
        return Err(malformed(
            "jti and sub must be the record's event id and subject",
        ));
    }
    Ok(Verified { claims, key, leaf })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::SigningKey;

    fn record() -> Value {
        serde_json::json!({"v": 1, "event": {"event_id": "e1", "subject": "s1"}})
    }

    fn claims(record: Value) -> ReceiptClaims {
        let leaf = leaf_hash(&to_canonical_bytes(&record).unwrap());
        let position = LogPosition::new("edge.example/demo", 4, &leaf);
        ReceiptClaims::new("https://edge.example", 1_795_000_000, record, position)
    }

    fn setup() -> (SigningKey, Jwks) {
        let key = SigningKey::from_seed([5; 32]);
        let jwks = Jwks::new([key.public().to_jwk(None)]);
        (key, jwks)
    }

    #[test]
    fn a_receipt_verifies_with_its_leaf() {
        let (key, jwks) = setup();
        let c = claims(record());
        assert_eq!((c.jti.as_str(), c.sub.as_str()), ("e1", "s1"));
        let v = verify(&sign(&c, &key), &jwks).unwrap();
        assert_eq!(v.claims, c);
        assert_eq!(v.key, key.public());
        assert_eq!(v.leaf, c.log.leaf().unwrap());
        // Surrounding white space (a pasted receipt) is fine.
        assert!(verify(&format!(" {}\n", sign(&c, &key)), &jwks).is_ok());
    }

    /// Kills the `event_id != jti` test made `false` (or `||` made `&&`):
    /// a receipt signed with another event's id as its `jti` is refused.
    #[test]
    fn a_jti_other_than_the_record_s_event_id_is_refused() {
        let (key, jwks) = setup();
        let mut c = claims(record());
        c.jti = "e2".into();
        let e = verify(&sign(&c, &key), &jwks).unwrap_err();
        assert_eq!(e.code(), "receipt_malformed");
        c.jti = String::new();
        assert_eq!(
            verify(&sign(&c, &key), &jwks).unwrap_err().code(),
            "receipt_malformed"
        );
    }

    /// Kills the `subject != sub` test made `false` (or `||` made `&&`).
    #[test]
    fn a_sub_other_than_the_record_s_subject_is_refused() {
        let (key, jwks) = setup();
        let mut c = claims(record());
        c.sub = "s2".into();
        assert_eq!(
            verify(&sign(&c, &key), &jwks).unwrap_err().code(),
            "receipt_malformed"
        );
        // A record without an event id or subject binds no jti or sub.
        let bare = claims(serde_json::json!({"v": 1, "event": {}}));
        assert_eq!(
            verify(&sign(&bare, &key), &jwks).unwrap_err().code(),
            "receipt_malformed"
        );
    }

    #[test]
    fn a_record_that_does_not_hash_to_the_leaf_is_refused() {
        let (key, jwks) = setup();
        let mut c = claims(record());
        c.record["v"] = 2.into();
        assert_eq!(
            verify(&sign(&c, &key), &jwks).unwrap_err().code(),
            "leaf_hash_mismatch"
        );
        c = claims(record());
        c.log.leaf_hash = "AAAA".into();
        assert_eq!(
            verify(&sign(&c, &key), &jwks).unwrap_err().code(),
            "receipt_malformed"
        );
    }

    #[test]
    fn a_bad_signature_alg_kid_or_shape_is_refused() {
        let (key, jwks) = setup();
        let jws = sign(&claims(record()), &key);
        let other = SigningKey::from_seed([6; 32]);
        // Another key that the JWKS does not hold.
        assert_eq!(
            verify(&sign(&claims(record()), &other), &jwks)
                .unwrap_err()
                .code(),
            "key_unknown"
        );
        // A signature of other bytes.
        let (h, rest) = jws.split_once('.').unwrap();
        let (p, _) = rest.split_once('.').unwrap();
        let forged = URL_SAFE_NO_PAD.encode(key.sign(b"other"));
        assert!(verify(&format!("{h}.{p}.{forged}"), &jwks).is_err());
        // alg none.
        let none = URL_SAFE_NO_PAD.encode(
            serde_json::to_vec(&serde_json::json!({"alg": "none", "kid": key.public().kid()}))
                .unwrap(),
        );
        let input = format!("{none}.{p}");
        let sig = URL_SAFE_NO_PAD.encode(key.sign(input.as_bytes()));
        assert_eq!(
            verify(&format!("{input}.{sig}"), &jwks).unwrap_err().code(),
            "receipt_malformed"
        );
        for bad in [
            "",
            "a.b",
            "a.b.c.d",
            &format!("{h}.{p}"),
            &format!("{h}.{p}.!!"),
            &format!("!!.{p}.x"),
        ] {
            assert!(verify(bad, &jwks).is_err(), "{bad}");
        }
        // A payload that is not the claims, signed properly.
        let junk = URL_SAFE_NO_PAD.encode(b"{\"x\":1}");
        let input = format!("{h}.{junk}");
        let sig = URL_SAFE_NO_PAD.encode(key.sign(input.as_bytes()));
        assert_eq!(
            verify(&format!("{input}.{sig}"), &jwks).unwrap_err().code(),
            "receipt_malformed"
        );
    }

    #[test]
    fn a_position_keeps_its_leaf() {
        let leaf = leaf_hash(b"x");
        let p = LogPosition::new("edge.example/demo", 7, &leaf);
        assert_eq!(p.leaf().unwrap(), leaf);
        assert_eq!(p.index, 7);
        assert_eq!(p.origin, "edge.example/demo");
        let short = LogPosition {
            leaf_hash: STANDARD.encode([1u8; 31]),
            ..p
        };
        assert_eq!(short.leaf().unwrap_err().code(), "receipt_malformed");
    }
}
