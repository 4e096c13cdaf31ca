//! The console's "Verify" button, in Rust: the signed checkpoint and the
//! consistency proof checked by `assent_core`, the same code as `assent
//! verify consistency`, compiled to wasm so the browser re-derives nothing.
//! The keys are the edge's JWKS, fetched by the console from the edge it
//! is signed into; what a key-pinning auditor does stays the CLI's.

use assent_core::keys::Jwks;
use assent_core::log::ConsistencyProof;
use assent_core::note::Checkpoint;
use wasm_bindgen::prelude::*;

fn fail(e: impl core::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

fn keys(jwks: &str) -> Result<Vec<assent_core::keys::PublicKey>, JsError> {
    Ok(Jwks::from_json(jwks.as_bytes())
        .map_err(fail)?
        .public_keys())
}

/// Whether a list import's batch of `rows` rows and `bytes` bytes still
/// takes a row of `line` bytes (core's `rights::import::batch_fits`, the
/// rule `assent import` fills its batches by).
#[wasm_bindgen]
pub fn batch_fits(rows: usize, bytes: usize, line: usize) -> bool {
    assent_core::rights::import::batch_fits(rows, bytes, line)
}

/// `{origin, size, root}` of a checkpoint signed by a key of `jwks`; throws
/// with core's message otherwise.
#[wasm_bindgen]
pub fn checkpoint(note: &str, jwks: &str) -> Result<String, JsError> {
    let cp = Checkpoint::verify_any_origin(note, &keys(jwks)?).map_err(fail)?;
    Ok(serde_json::json!({"origin": cp.origin, "size": cp.size, "root": cp.to_text().lines().nth(2)}).to_string())
}

/// Whether the log of `new` extends the log of `old` by `proof` (the
/// edge's consistency answer, JSON): the new checkpoint's `{origin, size,
/// root}`, or a throw with core's reason.
#[wasm_bindgen]
pub fn verify_extension(old: &str, new: &str, proof: &str, jwks: &str) -> Result<String, JsError> {
    let proof: ConsistencyProof = serde_json::from_str(proof).map_err(fail)?;
    let (_, cp) =
        assent_core::log::verify::extension(old, new, &proof, &keys(jwks)?).map_err(fail)?;
    Ok(serde_json::json!({"origin": cp.origin, "size": cp.size, "root": cp.to_text().lines().nth(2)}).to_string())
}
