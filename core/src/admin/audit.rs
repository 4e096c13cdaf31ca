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

    /// Kills `e.prev != expected_prev` replaced by `false` (or the `||`
    /// before it by `&&`): an entry edited and re-hashed is consistent with
    /// itself, so only its successor's `prev` link shows the edit.
    #[test]
    fn a_rehashed_edit_breaks_the_next_link() {
        let t = trail(4);
        let mut edited = t.clone();
        edited[1].target = Some("other".into());
        edited[1].hash = hash_of(&edited[1]);
        assert_eq!(verify_chain(None, &edited[..2]), Ok(()), "self-consistent");
        assert_eq!(verify_chain(None, &edited), Err(3), "the next entry's prev");
    }

    /// An entry whose `prev` names another entry (re-hashed, so its own hash
    /// holds) is refused at that entry, also against the entry given as
    /// `after` and for the first entry of a trail (GENESIS).
    #[test]
    fn a_prev_that_names_another_entry_is_refused() {
        let t = trail(4);
        let mut relinked = t.clone();
        relinked[2].prev = t[0].hash.clone();
        relinked[2].hash = hash_of(&relinked[2]);
        assert_eq!(verify_chain(None, &relinked), Err(3));
        assert_eq!(verify_chain(Some(&t[1]), &relinked[2..]), Err(3));
        let mut first = t.clone();
        first[0].prev = t[3].hash.clone();
        first[0].hash = hash_of(&first[0]);
        assert_eq!(verify_chain(None, &first[..1]), Err(1));
        // A slice checked against the wrong predecessor.
        assert_eq!(verify_chain(Some(&t[0]), &t[2..]), Err(3));
        let mut renumbered = t[2..].to_vec();
        renumbered[0].seq = 2;
        renumbered[0].hash = hash_of(&renumbered[0]);
        assert_eq!(
            verify_chain(Some(&t[0]), &renumbered),
            Err(2),
            "seq right, prev wrong"
        );
    }

    /// The first entry names GENESIS and is seq 1; each next one counts on.
    #[test]
    fn entries_count_from_one_and_link_to_genesis() {
        let t = trail(3);
        assert_eq!(t[0].seq, 1);
        assert_eq!(t[0].prev, GENESIS);
        assert_eq!(t[1].seq, 2);
        assert_eq!(t[1].prev, t[0].hash);
        assert_eq!(t[2].prev, t[1].hash);
        let key = KeyId::new("0123456789abcdef").unwrap();
        let p = Principal::Key {
            id: key.clone(),
            name: crate::admin::KeyName::new("dpo").unwrap(),
            scopes: crate::admin::Scopes::parse("read").unwrap(),
        };
        let e = AuditEntry::next(Some(&t[2]), &p, Operation::LogList, None, false, 9);
        assert_eq!(
            (e.seq, e.who.as_str(), e.key.as_ref()),
            (4, "dpo", Some(&key))
        );
        assert_eq!(verify_chain(Some(&t[2]), core::slice::from_ref(&e)), Ok(()));
        let row = e.csv_row();
        assert_eq!(row[0], "4");
        assert_eq!(row[3], "0123456789abcdef");
        assert_eq!(row[4], "log.list");
        assert_eq!(row[6], "false");
        assert_eq!(row[7], t[2].hash);
        assert_eq!(row[8], e.hash);
        assert_eq!(trail(1)[0].csv_row()[1], "1970-01-01T00:00:00.000Z");
    }
}
