//! Property tests of Merkle proofs over random tree sizes (native only: proptest).
#![cfg(not(target_arch = "wasm32"))]

use assent_core::merkle::{
    consistency_proof, inclusion_proof, leaf_hash, root_at, verify_consistency, verify_inclusion,
    Frontier, MemoryStore,
};
use proptest::prelude::*;
use std::sync::OnceLock;

const N: u64 = 3000;

fn tree() -> &'static MemoryStore {
    static STORE: OnceLock<MemoryStore> = OnceLock::new();
    STORE.get_or_init(|| {
        let mut tree = Frontier::default();
        let mut store = MemoryStore::default();
        for i in 0..N {
            store.insert(tree.append(leaf_hash(&i.to_le_bytes())));
        }
        store
    })
}

proptest! {
    /// Any leaf's proof verifies against the root of any tree that contains it.
    #[test]
    fn inclusion_holds(size in 1..=N, pick in any::<u64>()) {
        let index = pick % size;
        let store = tree();
        let root = root_at(store, size).unwrap();
        let proof = inclusion_proof(store, index, size).unwrap();
        prop_assert!(proof.len() <= 64 - (size - 1).leading_zeros() as usize + 1);
        verify_inclusion(&leaf_hash(&index.to_le_bytes()), index, size, &proof, &root).unwrap();
        // Another leaf's hash never verifies with this proof.
        let other = (index + 1) % size;
        if other != index {
            prop_assert!(verify_inclusion(&leaf_hash(&other.to_le_bytes()), index, size, &proof, &root).is_err());
        }
    }

    /// Any older tree is consistent with any newer one, and not with a forged root.
    #[test]
    fn consistency_holds(a in 0..=N, b in 0..=N) {
        let (from, to) = (a.min(b), a.max(b));
        let store = tree();
        let (old, new) = (root_at(store, from).unwrap(), root_at(store, to).unwrap());
        let proof = consistency_proof(store, from, to).unwrap();
        verify_consistency(from, to, &proof, &old, &new).unwrap();
        if from > 0 && from < to {
            let mut forged = new;
            forged[31] ^= 1;
            prop_assert!(verify_consistency(from, to, &proof, &old, &forged).is_err());
        }
    }
}
