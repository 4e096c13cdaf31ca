//! The fuzz targets' bodies (`bodies.rs`), shared with the regression test
//! that replays every saved input (`core/tests/fuzz_regressions.rs`).
#[path = "bodies.rs"]
mod bodies;
pub use bodies::*;
