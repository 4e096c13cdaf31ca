#![no_main]
// See `assent_core_fuzz::proofs`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| assent_core_fuzz::proofs(data));
