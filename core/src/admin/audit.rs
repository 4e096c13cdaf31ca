//! The audit trail: one entry per authenticated admin request, chained by
//! hash so that an edited, inserted or removed entry shows
//! ([`verify_chain`]). Entries name the key (never its secret), the
//! operation and its target (a subject or key id, never an email).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{KeyId, Operation, Principal};

/// The `prev` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One admin action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditEntry {
    /// Position in the trail, from 1.
    pub seq: u64,
    /// When (ms since the Unix epoch).
    pub at_ms: u64,
    /// The key's name, or `operator`.
    pub who: String,
    /// The key's id (none for the operator).
    pub key: Option<KeyId>,
    /// What was asked.
    pub op: Operation,
    /// What it was asked of: a subject id, a key id.
    pub target: Option<String>,
    /// Whether the key's scopes allowed it.
    pub allowed: bool,
    /// Hex SHA-256 of the previous entry ([`GENESIS`] for the first).
    pub prev: String,
    /// Hex SHA-256 of this entry (every field above, RFC 8785).
    pub hash: String,
}

#[derive(Serialize)]
struct Hashed<'a> {
    seq: u64,
    at_ms: u64,
    who: &'a str,
    key: &'a Option<KeyId>,
    op: Operation,
    target: &'a Option<String>,
    allowed: bool,
    prev: &'a str,
}

fn hash_of(e: &AuditEntry) -> String {
    let body = crate::canonical::to_canonical_bytes(&Hashed {
        seq: e.seq,
        at_ms: e.at_ms,
        who: &e.who,
        key: &e.key,
        op: e.op,
        target: &e.target,
        allowed: e.allowed,
        prev: &e.prev,
    })
    .expect("an audit entry has canonical bytes");
    hex::encode(
        Sha256::new()
            .chain_update(b"assent/audit/v1\0")
            .chain_update(&body)
            .finalize(),
    )
}

impl AuditEntry {
    /// The entry after `last` (the first when `None`).
    pub fn next(
        last: Option<&AuditEntry>,
        principal: &Principal,
        op: Operation,
        target: Option<String>,
        allowed: bool,
        at_ms: u64,
    ) -> AuditEntry {
        let key = match principal {
            Principal::Operator => None,
            Principal::Key { id, .. } => Some(id.clone()),
        };
        let mut entry = AuditEntry {
            seq: last.map_or(1, |l| l.seq + 1),
            at_ms,
            who: principal.name().to_string(),
            key,
            op,
            target,
            allowed,
            prev: last.map_or(GENESIS.to_string(), |l| l.hash.clone()),
            hash: String::new(),
        };
        entry.hash = hash_of(&entry);
        entry
    }
}

/// Checks that `entries` are consecutive, each hashing to its `hash` and
/// naming its predecessor's; `after` is the entry before the first (none
/// when the slice starts the trail). Returns the first broken `seq`.
pub fn verify_chain(after: Option<&AuditEntry>, entries: &[AuditEntry]) -> Result<(), u64> {
    let mut prev = after.cloned();
    for e in entries {
        let expected_seq = prev.as_ref().map_or(1, |p| p.seq + 1);
        let expected_prev = prev.as_ref().map_or(GENESIS, |p| p.hash.as_str());
        if e.seq != expected_seq || e.prev != expected_prev || e.hash != hash_of(e) {
            return Err(e.seq);
        }
        prev = Some(e.clone());
    }
    Ok(())
}

/// The CSV header of an audit export.
pub const CSV_HEADER: [&str; 9] = [
    "seq",
    "at",
    "who",
    "key",
    "operation",
    "target",
    "allowed",
    "prev",
    "hash",
];

impl AuditEntry {
    /// The entry's CSV cells (time as RFC 3339 UTC), in [`CSV_HEADER`] order.
    pub fn csv_row(&self) -> [String; 9] {
        [
            self.seq.to_string(),
            crate::rights::export::rfc3339(self.at_ms),
            self.who.clone(),
            self.key.as_ref().map(|k| k.to_string()).unwrap_or_default(),
            self.op.code().to_string(),
            self.target.clone().unwrap_or_default(),
            self.allowed.to_string(),
            self.prev.clone(),
            self.hash.clone(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trail(n: u64) -> Vec<AuditEntry> {
        let mut out: Vec<AuditEntry> = Vec::new();
        for i in 0..n {
            let e = AuditEntry::next(
                out.last(),
                &Principal::Operator,
                Operation::SubjectExport,
                Some(format!("s{i}")),
                true,
                i,
            );
            out.push(e);
        }
        out
    }

    #[test]
    fn a_trail_verifies_and_any_change_shows() {
        let t = trail(4);
        assert_eq!(verify_chain(None, &t), Ok(()));
        assert_eq!(verify_chain(Some(&t[0]), &t[1..]), Ok(()));
        let mut edited = t.clone();
        edited[2].target = Some("other".into());
        assert_eq!(verify_chain(None, &edited), Err(3));
        let mut removed = t.clone();
        removed.remove(1);
        assert_eq!(verify_chain(None, &removed), Err(3));
        let mut denied = t.clone();
        denied[3].allowed = false;
        assert_eq!(verify_chain(None, &denied), Err(4));
    }
}
