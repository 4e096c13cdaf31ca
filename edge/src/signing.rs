//! The edge's signing keys, from the environment.
//!
//! - `SIGNING_KEY` (a wrangler secret; `.dev.vars` locally): the current
//!   Ed25519 key, base64url of its 32-byte seed (`assent keys generate`).
//! - `RETIRED_KEYS` (a var or secret, optional): public keys (JWK `x`,
//!   base64url) of keys that signed before, separated by commas or spaces.
//!   They stay in the JWKS so old receipts and checkpoints keep verifying.
//!
//! Rotation: generate a key, add the current key's public `x` to
//! `RETIRED_KEYS`, then put the new `SIGNING_KEY`; see docs/operating.md.

use assent_core::keys::{Jwks, PublicKey, SigningKey};
use worker::Env;

use crate::error::ApiError;

/// The current signing key; a missing or malformed key is a deployment fault.
///
/// Decoded once per isolate and secret: deriving the public half is a scalar
/// multiplication, 0.2 ms of an event's CPU under workerd when it ran on
/// every request (BENCHMARKS.md, "Where an event's CPU goes"). Keyed by the
/// secret's text, so a rotated secret is decoded afresh.
pub fn current(env: &Env) -> Result<SigningKey, ApiError> {
    thread_local! {
        static DECODED: std::cell::RefCell<Option<(String, SigningKey)>> = const { std::cell::RefCell::new(None) };
    }
    let secret = env
        .secret("SIGNING_KEY")
        .map(|s| s.to_string())
        .map_err(|_| ApiError::Internal("the SIGNING_KEY secret is not set".into()))?;
    if let Some(key) = DECODED.with_borrow(|d| {
        d.as_ref()
            .filter(|(s, _)| *s == secret)
            .map(|(_, k)| k.clone())
    }) {
        return Ok(key);
    }
    let key = SigningKey::from_secret(&secret)
        .map_err(|e| ApiError::Internal(format!("SIGNING_KEY: {e}")))?;
    DECODED.set(Some((secret, key.clone())));
    Ok(key)
}

/// The retired public keys.
pub fn retired(env: &Env) -> Vec<PublicKey> {
    let list = env
        .var("RETIRED_KEYS")
        .map(|v| v.to_string())
        .or_else(|_| env.secret("RETIRED_KEYS").map(|s| s.to_string()))
        .unwrap_or_default();
    list.split([',', ' ', '\n'])
        .filter(|x| !x.is_empty())
        .filter_map(|x| PublicKey::from_x(x).ok())
        .collect()
}

/// Every key that verifies: the current one first, then the retired ones.
pub fn jwks(env: &Env) -> Result<Jwks, ApiError> {
    let current = current(env)?.public();
    let mut keys = vec![current.to_jwk(None)];
    keys.extend(
        retired(env)
            .into_iter()
            .filter(|k| *k != current)
            .map(|k| k.to_jwk(Some("retired"))),
    );
    Ok(Jwks::new(keys))
}
