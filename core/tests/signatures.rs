//! Signed notes, checkpoints and receipts: interoperable known answers, and
//! every single-byte change to signed evidence is caught. Native and Chromium.

use assent_core::canonical::to_canonical_bytes;
use assent_core::keys::{Jwks, SigningKey};
use assent_core::merkle::leaf_hash;
use assent_core::note::{parse_verifier_key, verifier_key, Checkpoint, SignedNote};
use assent_core::receipt::{self, LogPosition, ReceiptClaims};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// The example of Go's golang.org/x/mod/sumdb/note documentation, which the
/// C2SP signed-note spec describes: our verifier must accept it as is.
#[test]
fn verifies_the_go_note_example() {
    let vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    let note = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    let (name, key) = parse_verifier_key(vkey).unwrap();
    assert_eq!(name, "PeterNeumann");
    assert_eq!(verifier_key(&name, &key), vkey);
    let signed = SignedNote::parse(note).unwrap();
    signed.verify("PeterNeumann", &[key]).unwrap();
    let tampered = note.replace("answer", "Answer");
    assert_eq!(
        SignedNote::parse(&tampered)
            .unwrap()
            .verify("PeterNeumann", &[key])
            .unwrap_err()
            .code(),
        "signature_invalid"
    );
}

fn checkpoint() -> (SigningKey, Checkpoint, String) {
    let key = SigningKey::from_seed([42; 32]);
    let cp = Checkpoint {
        origin: "edge.example/demo".into(),
        size: 1234,
        root: leaf_hash(b"root"),
    };
    let note = cp.sign(&key);
    (key, cp, note)
}

#[test]
fn a_checkpoint_round_trips_in_the_c2sp_format() {
    let (key, cp, note) = checkpoint();
    let mut lines = note.lines();
    assert_eq!(lines.next(), Some("edge.example/demo"));
    assert_eq!(lines.next(), Some("1234"));
    assert_eq!(lines.next().map(str::len), Some(44), "base64 of 32 bytes");
    assert_eq!(lines.next(), Some(""));
    assert!(lines
        .next()
        .unwrap()
        .starts_with("\u{2014} edge.example/demo "));
    assert_eq!(
        Checkpoint::verify(&note, "edge.example/demo", &[key.public()]).unwrap(),
        cp
    );
}

#[test]
fn a_checkpoint_by_an_unknown_key_or_for_another_log_is_rejected() {
    let (_, _, note) = checkpoint();
    let stranger = SigningKey::from_seed([1; 32]);
    let err = Checkpoint::verify(&note, "edge.example/demo", &[stranger.public()]).unwrap_err();
    assert_eq!(err.code(), "key_unknown");
    let (key, _, _) = checkpoint();
    assert_eq!(
        Checkpoint::verify(&note, "edge.example/other", &[key.public()])
            .unwrap_err()
            .code(),
        "note_malformed"
    );
}

#[test]
fn every_single_byte_change_to_a_checkpoint_is_caught() {
    let (key, _, note) = checkpoint();
    let bytes = note.as_bytes();
    for i in 0..bytes.len() {
        for flip in [0x01u8, 0x20] {
            let mut changed = bytes.to_vec();
            changed[i] ^= flip;
            let Ok(text) = String::from_utf8(changed) else {
                continue;
            };
            assert!(
                Checkpoint::verify(&text, "edge.example/demo", &[key.public()]).is_err(),
                "byte {i} ^ {flip:#x} went unnoticed"
            );
        }
    }
}

fn receipt() -> (SigningKey, Jwks, String) {
    let key = SigningKey::from_seed([5; 32]);
    let record = serde_json::json!({
        "v": 1,
        "event": {"event_id": "0b6f3c52-7a1e-4d2b-9c4f-1e2d3c4b5a69", "subject": "5d1f9e2a-3b4c-4d5e-8f60-718293a4b5c6",
                  "decisions": {"analytics": false, "necessary": true}},
        "received_at_ms": 1_795_000_000_123u64,
        "sec_gpc": false, "country": null, "prev_event_id": null
    });
    let leaf = leaf_hash(&to_canonical_bytes(&record).unwrap());
    let claims = ReceiptClaims::new(
        "https://edge.example",
        1_795_000_000,
        record,
        LogPosition::new("edge.example/demo", 7, &leaf),
    );
    let jws = receipt::sign(&claims, &key);
    (key.clone(), Jwks::new([key.public().to_jwk(None)]), jws)
}

#[test]
fn a_receipt_verifies_and_names_its_leaf() {
    let (_, jwks, jws) = receipt();
    let v = receipt::verify(&jws, &jwks).unwrap();
    assert_eq!(v.claims.log.index, 7);
    assert_eq!(v.claims.sub, "5d1f9e2a-3b4c-4d5e-8f60-718293a4b5c6");
    assert_eq!(v.leaf, v.claims.log.leaf().unwrap());
}

#[test]
fn every_single_byte_change_to_a_receipt_is_caught() {
    let (_, jwks, jws) = receipt();
    let bytes = jws.as_bytes();
    for i in 0..bytes.len() {
        let mut changed = bytes.to_vec();
        changed[i] ^= 0x01;
        let Ok(text) = String::from_utf8(changed) else {
            continue;
        };
        assert!(
            receipt::verify(&text, &jwks).is_err(),
            "byte {i} went unnoticed"
        );
    }
}

#[test]
fn a_re_signed_receipt_with_an_edited_record_is_caught() {
    let (key, jwks, jws) = receipt();
    let mut claims = receipt::verify(&jws, &jwks).unwrap().claims;
    // The record now says analytics was granted; the leaf hash still names the original.
    claims.record["event"]["decisions"]["analytics"] = serde_json::Value::Bool(true);
    let forged = receipt::sign(&claims, &key);
    assert_eq!(
        receipt::verify(&forged, &jwks).unwrap_err().code(),
        "leaf_hash_mismatch"
    );
    // Signed by a key the edge never published.
    let stranger = SigningKey::from_seed([6; 32]);
    let claims = receipt::verify(&jws, &jwks).unwrap().claims;
    assert_eq!(
        receipt::verify(&receipt::sign(&claims, &stranger), &jwks)
            .unwrap_err()
            .code(),
        "key_unknown"
    );
}

#[test]
fn the_kid_is_the_rfc7638_thumbprint() {
    // RFC 8037 appendix A.3: the thumbprint of its example Ed25519 key.
    let jwk = assent_core::keys::Jwk {
        kty: "OKP".into(),
        crv: "Ed25519".into(),
        x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo".into(),
        kid: "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k".into(),
        alg: "EdDSA".into(),
        key_use: "sig".into(),
        status: None,
    };
    assert_eq!(
        jwk.public_key().unwrap().kid(),
        "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    );
}

/// RFC 8032 section 7.1, test 1: the empty message under its example key.
const RFC8032_PUBLIC: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const RFC8032_SIGNATURE: &str = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

fn rfc8032_key() -> assent_core::keys::PublicKey {
    assent_core::keys::PublicKey::from_bytes(&hex::decode(RFC8032_PUBLIC).unwrap()).unwrap()
}

#[test]
fn the_rfc8032_known_answer_verifies() {
    let sig = hex::decode(RFC8032_SIGNATURE).unwrap();
    rfc8032_key().verify(b"", &sig).unwrap();
}

/// `s + L` is the same signature to a lenient verifier (the group has order
/// `L`) but a second encoding of it: evidence must have one.
#[test]
fn a_malleable_signature_s_plus_l_is_refused() {
    // L = 2^252 + 27742317777372353535851937790883648493, little-endian.
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut sig = hex::decode(RFC8032_SIGNATURE).unwrap();
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(sig[32 + i]) + u16::from(L[i]) + carry;
        sig[32 + i] = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0);
    assert_eq!(
        sig[63] & 0xe0,
        0,
        "s + L still fits the 253 bits a signature parser allows"
    );
    assert_eq!(
        rfc8032_key().verify(b"", &sig).unwrap_err().code(),
        "signature_invalid"
    );
}

/// The identity point is a small-order ("weak") key: with `R` the identity
/// and `s = 0`, a lenient verifier accepts this signature for every message.
#[test]
fn a_small_order_public_key_is_refused() {
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let key = assent_core::keys::PublicKey::from_bytes(&identity).unwrap();
    let mut sig = [0u8; 64];
    sig[0] = 1; // R = identity, s = 0
    for message in [&b""[..], b"anything", b"a forged receipt"] {
        assert_eq!(
            key.verify(message, &sig).unwrap_err().code(),
            "signature_invalid"
        );
    }
}

/// What a checkpoint's text reads as is what it writes back: no control
/// character in it (a `\r` before a line end read as one, found by `make
/// fuzz`), and an origin that is a key name, as it is signed under it.
#[test]
fn a_checkpoint_text_reads_only_what_it_writes() {
    let good = Checkpoint::parse_text(
        "edge.example/demo\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
    )
    .unwrap();
    assert_eq!(Checkpoint::parse_text(&good.to_text()).unwrap(), good);
    for bad in [
        "edge.example/demo\r\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
        "e\r\r\n0\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
        "edge example\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
        "edge.example/demo\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    ] {
        assert!(Checkpoint::parse_text(bad).is_err(), "{bad:?}");
    }
}
