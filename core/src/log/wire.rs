//! The log's answers as they travel over HTTP: one type per answer, written
//! by the edge and read by the CLI, so both sides agree by construction.
//! Hashes are standard base64 on the wire and [`Hash`]es in memory.
//!
//! ```
//! use assent_core::log::InclusionProof;
//!
//! let proof: InclusionProof =
//!     serde_json::from_str(r#"{"index":1,"size":2,"hashes":["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="]}"#).unwrap();
//! assert_eq!(proof.hashes, vec![[0u8; 32]]);
//! assert!(serde_json::from_str::<InclusionProof>(r#"{"index":1,"size":2,"hashes":["AA=="]}"#).is_err());
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

use serde::{Deserialize, Serialize};

use crate::merkle::Hash;

/// `GET .../log/inclusion?index=N&size=M`: the RFC 6962 audit path of leaf
/// `index` in the tree of `size` leaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionProof {
    /// Leaf index.
    pub index: u64,
    /// Tree size the path leads to.
    pub size: u64,
    /// The audit path, leaf side first.
    #[serde(with = "base64_hashes")]
    pub hashes: Vec<Hash>,
}

/// `GET .../log/consistency?from=A&to=B`: the RFC 6962 consistency proof
/// between the trees of `from` and `to` leaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyProof {
    /// Older tree size.
    pub from: u64,
    /// Newer tree size.
    pub to: u64,
    /// The proof's hashes.
    #[serde(with = "base64_hashes")]
    pub hashes: Vec<Hash>,
}

/// Standard base64 of each 32-byte hash; anything else is refused on read.
pub(crate) mod base64_hashes {
    #[allow(unused_imports)]
    use crate::prelude::*;

    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use serde::{de::Error as _, Deserialize, Deserializer, Serializer};

    use crate::merkle::Hash;

    pub fn serialize<S: Serializer>(hashes: &[Hash], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(hashes.iter().map(|h| STANDARD.encode(h)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Hash>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|text| {
                STANDARD
                    .decode(text)
                    .ok()
                    .and_then(|bytes| bytes.try_into().ok())
                    .ok_or_else(|| D::Error::custom("a proof hash is not base64 of 32 bytes"))
            })
            .collect()
    }
}
