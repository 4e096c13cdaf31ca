//! RFC 6962 known answers (transparency-dev's published vectors) and
//! properties of proofs over many tree sizes. Runs natively and in Chromium.

use assent_core::merkle::{
    consistency_proof, inclusion_proof, leaf_hash, root_at, verify_consistency, verify_inclusion,
    Frontier, Hash, MemoryStore, NodeId, NodeStore,
};
use serde_json::Value;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const VECTORS: &str = include_str!("vectors/rfc6962.json");

fn h(s: &Value) -> Hash {
    hex::decode(s.as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap()
}

fn hashes(v: &Value) -> Vec<Hash> {
    v.as_array().unwrap().iter().map(h).collect()
}

fn vectors() -> Value {
    serde_json::from_str(VECTORS).unwrap()
}

/// A tree of the eight vector leaves, with every complete subtree stored.
fn vector_tree(n: usize) -> (Frontier, MemoryStore) {
    let v = vectors();
    let mut tree = Frontier::default();
    let mut store = MemoryStore::default();
    for leaf in v["leaves"].as_array().unwrap().iter().take(n) {
        store.insert(tree.append(leaf_hash(&hex::decode(leaf.as_str().unwrap()).unwrap())));
    }
    (tree, store)
}

fn synthetic_tree(n: u64) -> (Frontier, MemoryStore, Vec<Hash>) {
    let mut tree = Frontier::default();
    let mut store = MemoryStore::default();
    let mut leaves = Vec::new();
    for i in 0..n {
        let leaf = leaf_hash(&i.to_be_bytes());
        leaves.push(leaf);
        store.insert(tree.append(leaf));
    }
    (tree, store, leaves)
}

#[test]
fn roots_of_every_size_match_rfc6962() {
    let v = vectors();
    for (size, root) in v["roots"].as_array().unwrap().iter().enumerate() {
        let (tree, store) = vector_tree(size);
        assert_eq!(tree.root(), h(root), "size {size}");
        assert_eq!(
            root_at(&store, size as u64).unwrap(),
            h(root),
            "size {size} from the store"
        );
    }
}

#[test]
fn complete_subtrees_match_rfc6962() {
    let v = vectors();
    let (_, store) = vector_tree(8);
    for (level, row) in v["nodes"].as_array().unwrap().iter().enumerate() {
        for (index, node) in row.as_array().unwrap().iter().enumerate() {
            let id = NodeId {
                level: level as u8,
                index: index as u64,
            };
            assert_eq!(store.node(id).unwrap(), h(node), "{id:?}");
        }
    }
}

#[test]
fn inclusion_proofs_match_rfc6962_and_verify() {
    let v = vectors();
    let (_, store) = vector_tree(8);
    for case in v["inclusion"].as_array().unwrap() {
        let (index, size) = (
            case["index"].as_u64().unwrap(),
            case["size"].as_u64().unwrap(),
        );
        let expected = hashes(&case["proof"]);
        assert_eq!(
            inclusion_proof(&store, index, size).unwrap(),
            expected,
            "{case}"
        );
        let leaf = leaf_hash(&hex::decode(v["leaves"][index as usize].as_str().unwrap()).unwrap());
        let root = h(&v["roots"][size as usize]);
        verify_inclusion(&leaf, index, size, &expected, &root).unwrap();
    }
}

#[test]
fn consistency_proofs_match_rfc6962_and_verify() {
    let v = vectors();
    let (_, store) = vector_tree(8);
    for case in v["consistency"].as_array().unwrap() {
        let (from, to) = (case["from"].as_u64().unwrap(), case["to"].as_u64().unwrap());
        let expected = hashes(&case["proof"]);
        assert_eq!(
            consistency_proof(&store, from, to).unwrap(),
            expected,
            "{case}"
        );
        let (old, new) = (h(&v["roots"][from as usize]), h(&v["roots"][to as usize]));
        verify_consistency(from, to, &expected, &old, &new).unwrap();
    }
}

#[test]
fn corrupted_inclusion_proofs_are_rejected() {
    let v = vectors();
    for case in v["inclusion"].as_array().unwrap().iter().skip(1) {
        let (index, size) = (
            case["index"].as_u64().unwrap(),
            case["size"].as_u64().unwrap(),
        );
        let proof = hashes(&case["proof"]);
        let leaf = leaf_hash(&hex::decode(v["leaves"][index as usize].as_str().unwrap()).unwrap());
        let root = h(&v["roots"][size as usize]);
        let mut probes: Vec<(u64, u64, Hash, Vec<Hash>, Hash)> = vec![
            (index ^ 1, size, leaf, proof.clone(), root),
            (index, size * 2, leaf, proof.clone(), root),
            (index, size / 2, leaf, proof.clone(), root),
            (index, size, leaf_hash(b"wrong"), proof.clone(), root),
            (index, size, leaf, proof.clone(), leaf),
            (
                index,
                size,
                leaf,
                [proof.clone(), vec![root]].concat(),
                root,
            ),
            (
                index,
                size,
                leaf,
                [vec![root], proof.clone()].concat(),
                root,
            ),
            (index, size, leaf, proof[..proof.len() - 1].to_vec(), root),
        ];
        for i in 0..proof.len() {
            let mut flipped = proof.clone();
            flipped[i][0] ^= 8;
            probes.push((index, size, leaf, flipped, root));
        }
        for (i, (index, size, leaf, proof, root)) in probes.into_iter().enumerate() {
            assert!(
                verify_inclusion(&leaf, index, size, &proof, &root).is_err(),
                "probe {i} of {case}"
            );
        }
    }
}

#[test]
fn corrupted_consistency_proofs_are_rejected() {
    let v = vectors();
    for case in v["consistency"].as_array().unwrap().iter().skip(1) {
        let (from, to) = (case["from"].as_u64().unwrap(), case["to"].as_u64().unwrap());
        let proof = hashes(&case["proof"]);
        let (old, new) = (h(&v["roots"][from as usize]), h(&v["roots"][to as usize]));
        let mut probes: Vec<(u64, u64, Vec<Hash>, Hash, Hash)> = vec![
            (from - 1, to, proof.clone(), old, new),
            (from + 1, to, proof.clone(), old, new),
            (from, to * 2, proof.clone(), old, new),
            (from, to, proof.clone(), new, old),
            (from, to, Vec::new(), old, new),
            (from, to, [proof.clone(), vec![new]].concat(), old, new),
            (from, to, [vec![old], proof.clone()].concat(), old, new),
            (from, to, proof[..proof.len() - 1].to_vec(), old, new),
        ];
        for i in 0..proof.len() {
            let mut flipped = proof.clone();
            flipped[i][0] ^= 16;
            probes.push((from, to, flipped, old, new));
        }
        for (i, (from, to, proof, old, new)) in probes.into_iter().enumerate() {
            if from == 0 {
                continue; // the empty tree is consistent with everything
            }
            assert!(
                verify_consistency(from, to, &proof, &old, &new).is_err(),
                "probe {i} of {case}"
            );
        }
    }
}

#[test]
fn every_leaf_is_included_in_every_later_tree() {
    let n = 40;
    let (_, store, leaves) = synthetic_tree(n);
    for size in 1..=n {
        let root = root_at(&store, size).unwrap();
        for index in 0..size {
            let proof = inclusion_proof(&store, index, size).unwrap();
            verify_inclusion(&leaves[index as usize], index, size, &proof, &root)
                .unwrap_or_else(|e| panic!("leaf {index} in size {size}: {e}"));
        }
    }
}

#[test]
fn every_pair_of_sizes_is_consistent() {
    let n = 40;
    let (_, store, _) = synthetic_tree(n);
    for to in 0..=n {
        let new = root_at(&store, to).unwrap();
        for from in 0..=to {
            let old = root_at(&store, from).unwrap();
            let proof = consistency_proof(&store, from, to).unwrap();
            verify_consistency(from, to, &proof, &old, &new)
                .unwrap_or_else(|e| panic!("{from} -> {to}: {e}"));
        }
    }
}

#[test]
fn a_rewritten_history_is_not_consistent() {
    let (_, store, _) = synthetic_tree(20);
    let mut other = Frontier::default();
    for i in 0..20u64 {
        // The same log with leaf 7 rewritten.
        other.append(leaf_hash(&(if i == 7 { 999u64 } else { i }).to_be_bytes()));
    }
    let old = root_at(&store, 12).unwrap();
    let proof = consistency_proof(&store, 12, 20).unwrap();
    assert!(verify_consistency(12, 20, &proof, &old, &other.root()).is_err());
}

#[test]
fn the_frontier_stays_logarithmic_and_round_trips() {
    let (tree, _, _) = synthetic_tree(1000);
    assert_eq!(tree.nodes().len(), 1000u64.count_ones() as usize);
    let again = Frontier::from_parts(tree.size(), tree.nodes().to_vec()).unwrap();
    assert_eq!(again.root(), tree.root());
    assert!(Frontier::from_parts(1001, tree.nodes().to_vec()).is_err());
}
