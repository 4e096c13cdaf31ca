//! The auditor's checks of a log at their edges: `log::verify::extension`
//! (two checkpoints and the consistency proof between them) and the log's
//! inclusion answer for the index just past a tree. Each test names the
//! one-line change (a mutant) it catches.
#![cfg(not(target_arch = "wasm32"))]

use assent_core::keys::{PublicKey, SigningKey};
use assent_core::log::verify::extension;
use assent_core::log::ConsistencyProof;
use assent_core::merkle::{self, leaf_hash, Frontier, Hash, MemoryStore};
use assent_core::note::Checkpoint;

/// A tree of `n` leaves, its store, and its root at every size.
fn tree(n: u64) -> (MemoryStore, Vec<Hash>) {
    let mut tree = Frontier::default();
    let mut store = MemoryStore::default();
    let mut roots = vec![tree.root()];
    for i in 0..n {
        store.insert(tree.append(leaf_hash(&i.to_be_bytes())));
        roots.push(tree.root());
    }
    (store, roots)
}

fn key() -> SigningKey {
    SigningKey::from_seed([11; 32])
}

fn keys() -> Vec<PublicKey> {
    vec![key().public()]
}

fn note(origin: &str, size: u64, root: Hash) -> String {
    Checkpoint {
        origin: origin.into(),
        size,
        root,
    }
    .sign(&key())
}

fn proof(store: &MemoryStore, from: u64, to: u64) -> ConsistencyProof {
    ConsistencyProof {
        from,
        to,
        hashes: merkle::consistency_proof(store, from, to).unwrap(),
    }
}

fn reason(e: assent_core::Error) -> String {
    assert_eq!(e.code(), "proof_invalid", "{e}");
    e.to_string()
}

const A: &str = "edge.example/a";
const B: &str = "edge.example/b";

#[test]
fn a_log_extends_its_older_checkpoints() {
    let (store, roots) = tree(9);
    for from in 0..=9u64 {
        let old = note(A, from, roots[from as usize]);
        let new = note(A, 9, roots[9]);
        let (o, n) = extension(&old, &new, &proof(&store, from, 9), &keys()).unwrap();
        assert_eq!((o.size, n.size, o.origin.as_str()), (from, 9, A));
        assert_eq!((o.root, n.root), (roots[from as usize], roots[9]));
    }
}

/// Kills `old.origin != new.origin` made `false` (or `==`): two logs that
/// happen to hold the same leaves (here: the same size and root, and an
/// empty proof that is right for them) are still two logs.
#[test]
fn checkpoints_of_two_logs_are_refused() {
    let (store, roots) = tree(5);
    let same_root = extension(
        &note(A, 5, roots[5]),
        &note(B, 5, roots[5]),
        &proof(&store, 5, 5),
        &keys(),
    )
    .unwrap_err();
    assert!(reason(same_root).contains("different logs"));
    let grown = extension(
        &note(A, 3, roots[3]),
        &note(B, 5, roots[5]),
        &proof(&store, 3, 5),
        &keys(),
    )
    .unwrap_err();
    assert!(reason(grown).contains("different logs"));
    // The same checks pass for one origin.
    assert!(extension(
        &note(B, 3, roots[3]),
        &note(B, 5, roots[5]),
        &proof(&store, 3, 5),
        &keys()
    )
    .is_ok());
}

/// Kills `old.size > new.size` made `>=`, `==` or `false`: the old
/// checkpoint may equal the new one, never be larger; and the proof's
/// sizes must be the checkpoints' (`proof.from != old.size` and
/// `proof.to != new.size`, each made `false`).
#[test]
fn sizes_are_checked_before_the_proof() {
    let (store, roots) = tree(6);
    // Equal checkpoints with the empty proof: consistent.
    assert!(extension(
        &note(A, 6, roots[6]),
        &note(A, 6, roots[6]),
        &proof(&store, 6, 6),
        &keys()
    )
    .is_ok());
    // Swapped: old larger. The proof names the same swapped sizes, so only
    // the size check can refuse it before the Merkle check.
    let swapped = extension(
        &note(A, 6, roots[6]),
        &note(A, 4, roots[4]),
        &ConsistencyProof {
            from: 6,
            to: 4,
            hashes: vec![],
        },
        &keys(),
    )
    .unwrap_err();
    assert!(reason(swapped).contains("larger"));
    // A proof between other sizes, even one that verifies for those sizes.
    let old = note(A, 2, roots[2]);
    let new = note(A, 6, roots[6]);
    for (from, to) in [(3, 6), (2, 5), (4, 6)] {
        let mut p = proof(&store, 2, 6);
        (p.from, p.to) = (from, to);
        let e = extension(&old, &new, &p, &keys()).unwrap_err();
        assert!(reason(e).contains("other sizes"), "{from}..{to}");
    }
    // A proof for (4, 4) presented for checkpoints of 4 and 4 under other roots.
    let e = extension(
        &note(A, 4, roots[4]),
        &note(A, 4, roots[5]),
        &proof(&store, 4, 4),
        &keys(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "proof_invalid");
}

#[test]
fn a_wrong_proof_key_or_note_is_refused() {
    let (store, roots) = tree(7);
    let old = note(A, 3, roots[3]);
    let new = note(A, 7, roots[7]);
    let mut p = proof(&store, 3, 7);
    p.hashes[0][0] ^= 1;
    assert_eq!(
        extension(&old, &new, &p, &keys()).unwrap_err().code(),
        "proof_invalid"
    );
    let other = vec![SigningKey::from_seed([12; 32]).public()];
    assert!(extension(&old, &new, &proof(&store, 3, 7), &other).is_err());
    // A rewritten history: the old root is not a prefix of the new tree.
    let forged = note(A, 3, roots[2]);
    assert!(extension(&forged, &new, &proof(&store, 3, 7), &keys()).is_err());
    assert!(extension("not a note", &new, &proof(&store, 3, 7), &keys()).is_err());
    assert!(extension(&old, "", &proof(&store, 3, 7), &keys()).is_err());
}

/// Kills `index >= size` made `index > size` in the log's inclusion
/// answer (`log::sequencer::inclusion`): leaf `size` of a tree of `size`
/// leaves is a query error, not a proof, and the last leaf still proves.
#[cfg(feature = "test-support")]
#[test]
fn the_log_refuses_an_inclusion_proof_for_the_index_equal_to_the_size() {
    use assent_core::log::conformance;
    use assent_core::log::sequencer;
    use assent_core::log::store::{LogStore, MemoryLogStore};

    let mut store = MemoryLogStore::default();
    conformance::appends_and_proves(&mut store);
    let size = store.size().unwrap();
    assert!(size >= 2);
    for n in 1..=size {
        let last = sequencer::inclusion(&store, n - 1, n).unwrap();
        assert_eq!((last.index, last.size), (n - 1, n));
        let e = sequencer::inclusion(&store, n, n).unwrap_err();
        assert_eq!(e.code(), "query_invalid", "index {n} of {n}");
        assert!(e.to_string().contains("index"), "{e}");
    }
    let e = sequencer::inclusion(&store, 0, size + 1).unwrap_err();
    assert_eq!(e.code(), "query_invalid");
    assert!(e.to_string().contains("size"), "{e}");
    assert_eq!(
        sequencer::inclusion(&store, 0, 0).unwrap_err().code(),
        "query_invalid"
    );
}
