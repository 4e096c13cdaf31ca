//! Benchmarks only: see `benches/append.rs`.
