//! `assent keys generate`.

use assent_core::keys::SigningKey;
use serde_json::json;

use crate::CliError;

/// Prints `{"secret": ..., "jwk": {...}}`; the secret goes to
/// `npx wrangler secret put SIGNING_KEY`, never into a file in git.
pub fn generate() -> Result<(), CliError> {
    let mut seed = [0u8; 32];
    getrandom::getrandom(&mut seed).map_err(|e| CliError::Io(format!("no randomness: {e}")))?;
    let key = SigningKey::from_seed(seed);
    let out = json!({"secret": key.to_secret(), "jwk": key.public().to_jwk(None)});
    println!("{out:#}");
    eprintln!(
        "assent: store the secret with `npx wrangler secret put SIGNING_KEY`; when rotating, add the old key's jwk.x to RETIRED_KEYS"
    );
    Ok(())
}
