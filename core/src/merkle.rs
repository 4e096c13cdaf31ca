//! RFC 6962 / RFC 9162 (section 2.1) Merkle tree math for an append-only log.
//!
//! - hashing: leaf = SHA-256(0x00 || data), node = SHA-256(0x01 || left || right);
//! - [`Frontier`]: the compact state of a growing tree (one hash per set bit of
//!   its size), so an append costs O(log n) time and space, never a rebuild;
//! - proofs: inclusion and consistency proofs are generated from a
//!   [`NodeStore`] (the hashes of complete subtrees, which the log keeps as it
//!   appends) and verified with the RFC 9162 algorithms;
//! - roots are compared in constant time.
//!
//! ```
//! use assent_core::merkle::{leaf_hash, Frontier, MemoryStore, inclusion_proof, verify_inclusion};
//!
//! let mut tree = Frontier::default();
//! let mut store = MemoryStore::default();
//! for data in [&b"a"[..], b"b", b"c"] {
//!     store.insert(tree.append(leaf_hash(data)));
//! }
//! let proof = inclusion_proof(&store, 1, 3).unwrap();
//! verify_inclusion(&leaf_hash(b"b"), 1, 3, &proof, &tree.root()).unwrap();
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

#[cfg(feature = "std")]
use std::collections::HashMap;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{Error, LogError, StorageError};

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// The root of the empty tree: SHA-256 of the empty string.
pub const EMPTY_ROOT: Hash = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

/// RFC 6962 leaf hash: SHA-256(0x00 || data).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// RFC 6962 interior node hash: SHA-256(0x01 || left || right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Constant-time equality of two hashes.
pub fn hashes_equal(a: &Hash, b: &Hash) -> bool {
    a.ct_eq(b).into()
}

/// A complete subtree: `2^level` leaves starting at leaf `index << level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NodeId {
    /// Height: 0 for a leaf.
    pub level: u8,
    /// Position among the subtrees of this height, from the left.
    pub index: u64,
}

/// The compact state of an append-only tree: the roots of the complete
/// subtrees that make up its size, largest (leftmost) first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    nodes: Vec<Hash>,
}

impl Frontier {
    /// Rebuilds a frontier from its parts (as stored), checking that they fit.
    pub fn from_parts(size: u64, nodes: Vec<Hash>) -> Result<Self, Error> {
        if nodes.len() != size.count_ones() as usize {
            return Err(Error::Log(LogError::ProofInvalid {
                reason: "frontier does not match its size".into(),
            }));
        }
        Ok(Frontier { size, nodes })
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The subtree roots, largest first.
    pub fn nodes(&self) -> &[Hash] {
        &self.nodes
    }

    /// Appends a leaf hash; returns every complete subtree this append
    /// completed (the leaf itself first), for the [`NodeStore`].
    pub fn append(&mut self, leaf: Hash) -> Vec<(NodeId, Hash)> {
        let index = self.size;
        let mut created = vec![(NodeId { level: 0, index }, leaf)];
        let mut hash = leaf;
        let mut level = 0u8;
        // Every trailing 1-bit of the old size is a complete subtree of that
        // height waiting for a right sibling of the same height: merge them.
        let mut bits = self.size;
        while bits & 1 == 1 {
            let left = self.nodes.pop().expect("one node per set bit");
            hash = node_hash(&left, &hash);
            level += 1;
            created.push((
                NodeId {
                    level,
                    index: index >> level,
                },
                hash,
            ));
            bits >>= 1;
        }
        self.nodes.push(hash);
        self.size += 1;
        created
    }

    /// The root hash (RFC 6962 MTH) of the tree.
    pub fn root(&self) -> Hash {
        let mut nodes = self.nodes.iter().rev();
        match nodes.next() {
            None => EMPTY_ROOT,
            Some(last) => nodes.fold(*last, |acc, left| node_hash(left, &acc)),
        }
    }
}

/// Read access to the hashes of complete subtrees, as the log stores them.
pub trait NodeStore {
    /// Why a node could not be read.
    type Error: core::fmt::Display;

    /// The hash of complete subtree `id`.
    fn node(&self, id: NodeId) -> Result<Hash, Self::Error>;
}

/// An in-memory [`NodeStore`], for tools and tests.
#[cfg(feature = "std")]
#[derive(Debug, Clone, Default)]
pub struct MemoryStore(HashMap<NodeId, Hash>);

#[cfg(feature = "std")]
impl MemoryStore {
    /// Stores the nodes an append created.
    pub fn insert(&mut self, nodes: Vec<(NodeId, Hash)>) {
        self.0.extend(nodes);
    }
}

#[cfg(feature = "std")]
impl NodeStore for MemoryStore {
    type Error = &'static str;
    fn node(&self, id: NodeId) -> Result<Hash, Self::Error> {
        self.0.get(&id).copied().ok_or("node not stored")
    }
}

/// The largest power of two strictly smaller than `n` (n >= 2).
fn split(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

fn store_error<E: core::fmt::Display>(e: E) -> Error {
    Error::Storage(StorageError::StorageFault {
        reason: e.to_string(),
    })
}

/// MTH of leaves `[start, end)`, from complete subtrees: O(log n) reads.
fn subtree<S: NodeStore>(store: &S, start: u64, end: u64) -> Result<Hash, Error> {
    let n = end - start;
    if n.is_power_of_two() && start.is_multiple_of(n) {
        return store
            .node(NodeId {
                level: n.trailing_zeros() as u8,
                index: start / n,
            })
            .map_err(store_error);
    }
    let k = split(n);
    Ok(node_hash(
        &subtree(store, start, start + k)?,
        &subtree(store, start + k, end)?,
    ))
}

/// The root of the tree's first `size` leaves (an older root of a grown log).
pub fn root_at<S: NodeStore>(store: &S, size: u64) -> Result<Hash, Error> {
    if size == 0 {
        return Ok(EMPTY_ROOT);
    }
    subtree(store, 0, size)
}

/// The RFC 6962 audit path of leaf `index` in the tree of the first `size` leaves.
pub fn inclusion_proof<S: NodeStore>(store: &S, index: u64, size: u64) -> Result<Vec<Hash>, Error> {
    if index >= size {
        return Err(Error::Log(LogError::IndexOutOfRange { index, size }));
    }
    let mut proof = Vec::new();
    let (mut m, mut start, mut end) = (index, 0, size);
    // Walk down from the root; siblings are collected top-down, and the proof
    // lists them bottom-up.
    while end - start > 1 {
        let k = split(end - start);
        if m < k {
            proof.push(subtree(store, start + k, end)?);
            end = start + k;
        } else {
            proof.push(subtree(store, start, start + k)?);
            start += k;
            m -= k;
        }
    }
    proof.reverse();
    Ok(proof)
}

/// The RFC 6962 consistency proof between the trees of the first `from` and `to` leaves.
pub fn consistency_proof<S: NodeStore>(store: &S, from: u64, to: u64) -> Result<Vec<Hash>, Error> {
    if from > to {
        return Err(Error::Log(LogError::IndexOutOfRange {
            index: from,
            size: to,
        }));
    }
    if from == 0 || from == to {
        return Ok(Vec::new());
    }
    let mut proof = Vec::new();
    let (mut m, mut start, mut end) = (from, 0u64, to);
    let mut complete = true;
    loop {
        let n = end - start;
        if m == n {
            if !complete {
                proof.push(subtree(store, start, end)?);
            }
            break;
        }
        let k = split(n);
        if m <= k {
            proof.push(subtree(store, start + k, end)?);
            end = start + k;
        } else {
            proof.push(subtree(store, start, start + k)?);
            start += k;
            m -= k;
            complete = false;
        }
    }
    proof.reverse();
    Ok(proof)
}

fn invalid(reason: &str) -> Error {
    Error::Log(LogError::ProofInvalid {
        reason: reason.to_string(),
    })
}

/// The walk up the tree that both RFC 9162 verifications share: for each
/// proof hash, `step(hash, left)` is told whether it is the left sibling.
/// Starts at node `f` of a tree whose last node is `s`; fails if the proof is
/// longer or shorter than the path to the root.
fn walk(
    kind: &str,
    (mut f, mut s): (u64, u64),
    proof: &[Hash],
    mut step: impl FnMut(&Hash, bool),
) -> Result<(), Error> {
    for p in proof {
        if s == 0 {
            return Err(invalid(&format!("{kind} proof is too long")));
        }
        let left = f & 1 == 1 || f == s;
        step(p, left);
        if left {
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(invalid(&format!("{kind} proof is too short")));
    }
    Ok(())
}

/// Verifies an inclusion proof (RFC 9162 section 2.1.3.2).
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), Error> {
    if index >= size {
        return Err(Error::Log(LogError::IndexOutOfRange { index, size }));
    }
    let mut r = *leaf;
    walk("inclusion", (index, size - 1), proof, |p, left| {
        r = if left {
            node_hash(p, &r)
        } else {
            node_hash(&r, p)
        };
    })?;
    if !hashes_equal(&r, root) {
        return Err(invalid("inclusion proof does not lead to the root"));
    }
    Ok(())
}

/// Verifies a consistency proof (RFC 9162 section 2.1.4.2): the tree of
/// `from` leaves with root `old` is a prefix of the tree of `to` leaves with root `new`.
pub fn verify_consistency(
    from: u64,
    to: u64,
    proof: &[Hash],
    old: &Hash,
    new: &Hash,
) -> Result<(), Error> {
    if from > to {
        return Err(invalid("the old tree is larger than the new one"));
    }
    if from == to {
        if !proof.is_empty() {
            return Err(invalid("trees of equal size need an empty proof"));
        }
        if !hashes_equal(old, new) {
            return Err(invalid("trees of equal size have different roots"));
        }
        return Ok(());
    }
    if from == 0 {
        if !proof.is_empty() {
            return Err(invalid("the empty tree needs an empty proof"));
        }
        return Ok(());
    }
    if proof.is_empty() {
        return Err(invalid("consistency proof is empty"));
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if from.is_power_of_two() {
        path.push(*old);
    }
    path.extend_from_slice(proof);
    let (mut f, mut s) = (from - 1, to - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    walk("consistency", (f, s), &path[1..], |c, left| {
        if left {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
        } else {
            sr = node_hash(&sr, c);
        }
    })?;
    if !hashes_equal(&fr, old) {
        return Err(invalid("consistency proof does not lead to the old root"));
    }
    if !hashes_equal(&sr, new) {
        return Err(invalid("consistency proof does not lead to the new root"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(EMPTY_ROOT, <[u8; 32]>::from(Sha256::digest(b"")));
    }

    #[test]
    fn split_is_the_largest_power_of_two_below() {
        assert_eq!(split(2), 1);
        assert_eq!(split(3), 2);
        assert_eq!(split(4), 2);
        assert_eq!(split(5), 4);
        assert_eq!(split(1 << 40), 1 << 39);
    }

    fn tree(n: u64) -> (Frontier, MemoryStore, Vec<Hash>) {
        let mut tree = Frontier::default();
        let mut store = MemoryStore::default();
        let leaves: Vec<Hash> = (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        for leaf in &leaves {
            store.insert(tree.append(*leaf));
        }
        (tree, store, leaves)
    }

    fn out_of_range(e: Error) -> Option<(u64, u64)> {
        match e {
            Error::Log(LogError::IndexOutOfRange { index, size }) => Some((index, size)),
            _ => None,
        }
    }

    /// Kills `index >= size` made `index > size` in [`inclusion_proof`]:
    /// the leaf just past the tree has no audit path.
    #[test]
    fn no_inclusion_proof_for_the_index_equal_to_the_size() {
        for n in 1..=9 {
            let (_, store, _) = tree(n);
            assert!(
                inclusion_proof(&store, n - 1, n).is_ok(),
                "last leaf of {n}"
            );
            let e = inclusion_proof(&store, n, n).unwrap_err();
            assert_eq!(out_of_range(e), Some((n, n)), "index {n} of {n}");
            assert!(inclusion_proof(&store, n + 1, n).is_err());
        }
        let empty = MemoryStore::default();
        assert_eq!(
            out_of_range(inclusion_proof(&empty, 0, 0).unwrap_err()),
            Some((0, 0))
        );
    }

    /// Kills `index >= size` made `index > size` in [`verify_inclusion`]:
    /// with it, a one-leaf tree "includes" its own leaf again at index 1
    /// (the empty path leads from the leaf to the root).
    #[test]
    fn verify_inclusion_refuses_the_index_equal_to_the_size() {
        let leaf = leaf_hash(b"only");
        verify_inclusion(&leaf, 0, 1, &[], &leaf).unwrap();
        assert_eq!(
            out_of_range(verify_inclusion(&leaf, 1, 1, &[], &leaf).unwrap_err()),
            Some((1, 1))
        );
        assert_eq!(
            out_of_range(verify_inclusion(&leaf, 0, 0, &[], &EMPTY_ROOT).unwrap_err()),
            Some((0, 0))
        );
        for n in 2..=9u64 {
            let (t, store, leaves) = tree(n);
            let root = t.root();
            let path = inclusion_proof(&store, n - 1, n).unwrap();
            verify_inclusion(&leaves[n as usize - 1], n - 1, n, &path, &root).unwrap();
            assert_eq!(
                out_of_range(
                    verify_inclusion(&leaves[n as usize - 1], n, n, &path, &root).unwrap_err()
                ),
                Some((n, n))
            );
        }
    }

    /// A consistency proof is refused when `from > to`, and between equal
    /// sizes is empty; from the empty tree it is empty too.
    #[test]
    fn consistency_edges() {
        let (t, store, _) = tree(5);
        assert_eq!(
            out_of_range(consistency_proof(&store, 6, 5).unwrap_err()),
            Some((6, 5))
        );
        assert!(consistency_proof(&store, 5, 5).unwrap().is_empty());
        assert!(consistency_proof(&store, 0, 5).unwrap().is_empty());
        let root = t.root();
        verify_consistency(5, 5, &[], &root, &root).unwrap();
        assert!(verify_consistency(5, 5, &[root], &root, &root).is_err());
        assert!(verify_consistency(5, 5, &[], &root, &EMPTY_ROOT).is_err());
        assert!(verify_consistency(6, 5, &[], &root, &root).is_err());
        verify_consistency(0, 5, &[], &EMPTY_ROOT, &root).unwrap();
        assert!(verify_consistency(0, 5, &[root], &EMPTY_ROOT, &root).is_err());
        let old = root_at(&store, 3).unwrap();
        assert!(verify_consistency(3, 5, &[], &old, &root).is_err(), "empty");
        assert_eq!(root_at(&store, 0).unwrap(), EMPTY_ROOT);
        assert_eq!(root_at(&store, 5).unwrap(), root);
    }

    /// A frontier's parts are checked against its size.
    #[test]
    fn a_frontier_rebuilds_only_from_matching_parts() {
        let (t, _, _) = tree(6);
        let back = Frontier::from_parts(t.size(), t.nodes().to_vec()).unwrap();
        assert_eq!(back, t);
        assert_eq!(back.root(), t.root());
        assert!(Frontier::from_parts(7, t.nodes().to_vec()).is_err());
        assert!(Frontier::from_parts(6, t.nodes()[..1].to_vec()).is_err());
        assert_eq!(Frontier::default().root(), EMPTY_ROOT);
    }
}
