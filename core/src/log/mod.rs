//! The log: what makes a site's consent records an append-only, verifiable
//! log, written once and with no I/O.
//!
//! - [`origin`]: [`LogOrigin`], the checked `<host>/<site>` name of a log;
//! - [`wire`]: the proof answers as they travel between edge and verifiers.
//!
//! Needs the `std` feature (canonical JSON).

mod origin;
mod wire;

pub use origin::LogOrigin;
pub use wire::{ConsistencyProof, InclusionProof};
