//! Every input saved under `tests/vectors/fuzz/<target>/` (a crash the
//! fuzzer found, after its fix; or a seed worth keeping) replayed through
//! its fuzz target's body (`core/fuzz/src/bodies.rs`): none may panic.
//! `make fuzz` runs the targets themselves.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../fuzz/src/bodies.rs"]
mod bodies;

use std::path::Path;

fn replay(target: &str, body: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors/fuzz")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return 0;
    };
    let mut n = 0;
    for entry in entries {
        let path = entry.unwrap().path();
        body(&std::fs::read(&path).unwrap());
        n += 1;
    }
    n
}

#[test]
fn every_saved_input_replays_without_a_panic() {
    type Body = fn(&[u8]);
    let targets: [(&str, Body); 9] = [
        ("event", bodies::event),
        ("site_config", bodies::site_config),
        ("form_submission", bodies::form_submission),
        ("note", bodies::note),
        ("receipt", bodies::receipt),
        ("proofs", bodies::proofs),
        ("import", bodies::import),
        ("tokens", bodies::tokens),
        ("keys", bodies::keys),
    ];
    let replayed: usize = targets.iter().map(|(t, body)| replay(t, *body)).sum();
    assert!(replayed > 0, "no saved input under tests/vectors/fuzz");
}

#[test]
fn the_planted_bug_is_there_to_be_found() {
    // `make fuzz-planted` must find this; the other targets must never.
    let found = std::panic::catch_unwind(|| bodies::planted(b"bug@example.com"));
    assert!(found.is_err());
    bodies::planted(b"ana@example.com");
}
