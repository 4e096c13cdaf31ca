//! What a verifier concludes from two signed checkpoints of one log and the
//! consistency proof between them: the one check behind `assent verify
//! consistency` and the console's "Verify" button (its wasm).

use super::wire::ConsistencyProof;
use crate::error::{Error, LogError};
use crate::keys::PublicKey;
use crate::merkle;
use crate::note::Checkpoint;

fn invalid(reason: &str) -> Error {
    LogError::ProofInvalid {
        reason: reason.into(),
    }
    .into()
}

/// Verifies that the log of `new` extends the log of `old`: both notes
/// signed by one of `keys`, of the same origin, `old` no larger, and
/// `proof` (between their sizes) joining their roots. Returns both.
pub fn extension(
    old: &str,
    new: &str,
    proof: &ConsistencyProof,
    keys: &[PublicKey],
) -> Result<(Checkpoint, Checkpoint), Error> {
    let old = Checkpoint::verify_any_origin(old, keys)?;
    let new = Checkpoint::verify_any_origin(new, keys)?;
    if old.origin != new.origin {
        return Err(invalid("the checkpoints are of different logs"));
    }
    if old.size > new.size {
        return Err(invalid("the old checkpoint is larger than the new one"));
    }
    if proof.from != old.size || proof.to != new.size {
        return Err(invalid("the proof is between other sizes"));
    }
    merkle::verify_consistency(old.size, new.size, &proof.hashes, &old.root, &new.root)?;
    Ok((old, new))
}
