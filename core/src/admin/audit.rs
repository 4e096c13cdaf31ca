//! The audit trail: one entry per authenticated admin request, chained by
//! hash so that an edited, inserted or removed entry shows
//! ([`verify_chain`]). Entries name the key (never its secret), the
//! operation and its target (a subject or key id, never an email).
//!
//! **A name that can go.** A key's name is a person's ("Jo at the desk").
//! Entries of version 2 (every entry written since) hash the key's id, not
//! its name: the name beside it is for the reader, so erasing a revoked
//! key's name ([`erase_who`]) blanks it in every entry of that key and the
//! chain still verifies. Version 1 entries (written before) hashed the name
//! and keep it: erasing it there would break the chain.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{KeyId, Operation, Principal};

/// The `prev` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One admin action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditEntry {
    /// 1: `who` is hashed (entries written before names could be erased);
    /// 2: it is not, the key id is.
    #[serde(default = "version_1", skip_serializing_if = "is_version_1")]
    pub version: u8,
    /// Position in the trail, from 1.
    pub seq: u64,
    /// When (ms since the Unix epoch).
    pub at_ms: u64,
    /// The key's name, or `operator`; empty once erased ([`erase_who`]).
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

fn version_1() -> u8 {
    1
}

fn is_version_1(v: &u8) -> bool {
    *v == 1
}

/// The version new entries are written in.
pub const VERSION: u8 = 2;

/// Version 1's hashed fields: `who` among them.
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

/// Version 2's hashed fields: the key's id, not its name (`operator` for
/// the operator, who has no id).
#[derive(Serialize)]
struct HashedV2<'a> {
    seq: u64,
    at_ms: u64,
    operator: bool,
    key: &'a Option<KeyId>,
    op: Operation,
    target: &'a Option<String>,
    allowed: bool,
    prev: &'a str,
}

fn hash_of(e: &AuditEntry) -> String {
    let (domain, body): (&[u8], _) = match e.version {
        1 => (
            b"assent/audit/v1\0",
            crate::canonical::to_canonical_bytes(&Hashed {
                seq: e.seq,
                at_ms: e.at_ms,
                who: &e.who,
                key: &e.key,
                op: e.op,
                target: &e.target,
                allowed: e.allowed,
                prev: &e.prev,
            }),
        ),
        _ => (
            b"assent/audit/v2\0",
            crate::canonical::to_canonical_bytes(&HashedV2 {
                seq: e.seq,
                at_ms: e.at_ms,
                operator: e.key.is_none(),
                key: &e.key,
                op: e.op,
                target: &e.target,
                allowed: e.allowed,
                prev: &e.prev,
            }),
        ),
    };
    let body = body.expect("an audit entry has canonical bytes");
    hex::encode(
        Sha256::new()
            .chain_update(domain)
            .chain_update(&body)
            .finalize(),
    )
}

/// Erases the name in `entries` written by key `id` in version 2 (blank
/// `who`); answers how many version 1 entries of that key keep it.
pub fn erase_who(entries: &mut [AuditEntry], id: &KeyId) -> u64 {
    let mut kept = 0;
    for e in entries.iter_mut().filter(|e| e.key.as_ref() == Some(id)) {
        if e.version == 1 {
            kept += 1;
        } else {
            e.who.clear();
        }
    }
    kept
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
            version: VERSION,
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

impl AuditEntry {
    /// `entry` again, after `last`: the same act (who, key, what, target,
    /// allowed, when) in a new place of the chain. A restore moves its own
    /// calls' entries after the trail it restored.
    pub fn rechain(last: Option<&AuditEntry>, entry: &AuditEntry) -> AuditEntry {
        let mut next = AuditEntry {
            version: VERSION,
            seq: last.map_or(1, |l| l.seq + 1),
            prev: last.map_or(GENESIS.to_string(), |l| l.hash.clone()),
            hash: String::new(),
            ..entry.clone()
        };
        next.hash = hash_of(&next);
        next
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
        let known = matches!(e.version, 1 | VERSION);
        if !known || e.seq != expected_seq || e.prev != expected_prev || e.hash != hash_of(e) {
            return Err(e.seq);
        }
        prev = Some(e.clone());
    }
    Ok(())
}

/// The CSV header of an audit export.
pub const CSV_HEADER: [&str; 10] = [
    "seq",
    "at",
    "who",
    "key",
    "operation",
    "target",
    "allowed",
    "prev",
    "hash",
    "version",
];

impl AuditEntry {
    /// The entry's CSV cells (time as RFC 3339 UTC), in [`CSV_HEADER`] order.
    pub fn csv_row(&self) -> [String; 10] {
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
            self.version.to_string(),
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

    fn keyed(name: &str, id: &str) -> Principal {
        Principal::Key {
            id: KeyId::new(id).unwrap(),
            name: crate::admin::KeyName::new(name).unwrap(),
            scopes: crate::admin::Scopes::parse("read").unwrap(),
        }
    }

    /// A revoked key's name erased: blank in each of its entries, the
    /// chain still whole; another key's entries keep theirs; the key id
    /// stays, and changing it (or who is the operator) still shows.
    #[test]
    fn a_name_erased_keeps_the_chain_whole() {
        let jo = keyed("Jo Hale", "0123456789abcdef");
        let sam = keyed("Sam", "fedcba9876543210");
        let mut t: Vec<AuditEntry> = Vec::new();
        for (i, p) in [&jo, &sam, &Principal::Operator, &jo]
            .into_iter()
            .enumerate()
        {
            let e = AuditEntry::next(t.last(), p, Operation::LogList, None, true, i as u64);
            t.push(e);
        }
        assert!(t.iter().all(|e| e.version == VERSION));
        let id = KeyId::new("0123456789abcdef").unwrap();
        assert_eq!(erase_who(&mut t, &id), 0);
        let names: Vec<&str> = t.iter().map(|e| e.who.as_str()).collect();
        assert_eq!(names, ["", "Sam", "operator", ""]);
        assert_eq!(verify_chain(None, &t), Ok(()));
        let mut other = t.clone();
        other[0].key = Some(KeyId::new("fedcba9876543210").unwrap());
        assert_eq!(verify_chain(None, &other), Err(1), "the key id is hashed");
        let mut operator = t.clone();
        operator[2].key = Some(id.clone());
        assert_eq!(verify_chain(None, &operator), Err(3));
        let mut unknown = t.clone();
        unknown[1].version = 3;
        assert_eq!(
            verify_chain(None, &unknown),
            Err(2),
            "an unknown version is refused"
        );
        // A version 2 entry serialises its version; a version 1 entry reads
        // without one (as written before).
        assert!(serde_json::to_string(&t[0])
            .unwrap()
            .starts_with("{\"version\":2,"));
    }

    /// Version 1 entries hash the name: editing it shows, and erasing
    /// leaves them as they are (counted as kept).
    #[test]
    fn version_1_entries_keep_their_names() {
        let jo = keyed("Jo Hale", "0123456789abcdef");
        let mut e = AuditEntry::next(None, &jo, Operation::LogList, None, true, 1);
        e.version = 1;
        e.hash = hash_of(&e);
        let json = serde_json::to_string(&e).unwrap();
        assert!(!json.contains("version"), "{json}");
        let back: AuditEntry = serde_json::from_str(&json).unwrap();
        assert_eq!(back.version, 1);
        assert_eq!(verify_chain(None, core::slice::from_ref(&back)), Ok(()));
        let mut renamed = back.clone();
        renamed.who = "someone".into();
        assert_eq!(verify_chain(None, &[renamed]), Err(1));
        let mut both = vec![back];
        both.push(AuditEntry::next(
            both.last(),
            &jo,
            Operation::LogList,
            None,
            true,
            2,
        ));
        assert_eq!(
            erase_who(&mut both, &KeyId::new("0123456789abcdef").unwrap()),
            1
        );
        assert_eq!(
            (both[0].who.as_str(), both[1].who.as_str()),
            ("Jo Hale", "")
        );
        assert_eq!(verify_chain(None, &both), Ok(()));
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
        assert_eq!(row[9], "2", "which hash the entry has");
        assert_eq!(trail(1)[0].csv_row()[1], "1970-01-01T00:00:00.000Z");
    }
}
