//! A site's admin keys and audit trail (core's [`AdminStore`], kept by the
//! site's directory object) and its data-subject requests and spent
//! privacy-center links (core's [`RequestStore`], kept by each shard for its
//! subjects), over any [`Sql`] connection. Keys are stored as the hash of
//! their secret, never the secret; audit entries as their JSON, in order.

use assent_core::admin::audit::AuditEntry;
use assent_core::admin::store::AdminStore;
use assent_core::admin::{AdminKey, KeyId};
use assent_core::breach::{BreachId, BreachStore, Incident, MAX_LISTED};
use assent_core::ids::{EventId, SubjectId};
use assent_core::log::StoreError;
use assent_core::rights::requests::{RequestStatus, RequestStore, SubjectRequest};

use crate::log_store::{bound, fault, int, json, json_rows, Sql, SqlValue};

/// The keys' and the audit trail's tables (the directory's; a home shard
/// written before the split has them too, read once by the handover).
pub const KEYS_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS admin_keys (
  id         TEXT PRIMARY KEY,
  data       TEXT NOT NULL          -- the key: name, scopes, dates and the hash of its secret
);
CREATE TABLE IF NOT EXISTS audit (
  seq        INTEGER PRIMARY KEY,
  data       TEXT NOT NULL          -- the entry, hash-chained to the one before
);
";

/// The breach register's table (a directory's): one row per incident.
pub const BREACHES_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS breaches (
  id          TEXT PRIMARY KEY,
  recorded_ms INTEGER NOT NULL,
  data        TEXT NOT NULL         -- the incident: facts, clock, count, notifications
);
";

/// The requests' and the spent links' tables (a shard's).
pub const REQUESTS_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS subject_requests (
  id         TEXT PRIMARY KEY,
  subject    TEXT NOT NULL,
  open       INTEGER NOT NULL,      -- 1 while it waits for the owner
  due_ms     INTEGER NOT NULL,
  decided_ms INTEGER,
  data       TEXT NOT NULL          -- the request (kind, times, status, who decided)
);
CREATE INDEX IF NOT EXISTS subject_requests_of ON subject_requests(subject);
CREATE TABLE IF NOT EXISTS spent_links (
  nonce      TEXT PRIMARY KEY,      -- a privacy center link, opened once
  spent_ms   INTEGER NOT NULL
);
";

/// [`AdminStore`] and [`RequestStore`] on a SQLite connection with [`KEYS_SCHEMA`] and [`REQUESTS_SCHEMA`].
pub struct SqlAdminStore<C>(pub C);

impl<C: Sql> SqlAdminStore<C> {
    fn column<T: serde::de::DeserializeOwned>(
        &self,
        sql: &str,
        params: Vec<SqlValue>,
    ) -> Result<Vec<T>, StoreError> {
        json_rows(&self.0, sql, params)
    }
}

impl<C: Sql> SqlAdminStore<C> {
    /// Takes over keys and audit entries kept elsewhere (the home shard's,
    /// from before the directory): each kept as it was, none overwritten, so
    /// a second handover, or one that races a newer write, changes nothing
    /// already here.
    pub fn adopt(&mut self, keys: &[AdminKey], audit: &[AuditEntry]) -> Result<(), StoreError> {
        for key in keys {
            self.0
                .query(
                    "INSERT INTO admin_keys (id, data) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
                    vec![SqlValue::Text(key.id.to_string()), json(key)],
                )
                .map_err(fault)?;
        }
        for entry in audit {
            self.0
                .query(
                    "INSERT INTO audit (seq, data) VALUES (?, ?) ON CONFLICT (seq) DO NOTHING",
                    vec![int(entry.seq)?, json(entry)],
                )
                .map_err(fault)?;
        }
        Ok(())
    }
}

impl<C: Sql> AdminStore for SqlAdminStore<C> {
    fn key(&self, id: &KeyId) -> Result<Option<AdminKey>, StoreError> {
        Ok(self
            .column(
                "SELECT data FROM admin_keys WHERE id = ?",
                vec![SqlValue::Text(id.to_string())],
            )?
            .pop())
    }

    fn keys(&self) -> Result<Vec<AdminKey>, StoreError> {
        self.column("SELECT data FROM admin_keys ORDER BY rowid", vec![])
    }

    fn put_key(&mut self, key: &AdminKey) -> Result<(), StoreError> {
        self.0
            .query(
                "INSERT INTO admin_keys (id, data) VALUES (?, ?)",
                vec![SqlValue::Text(key.id.to_string()), json(key)],
            )
            .map_err(|e| {
                if e.is_unique_violation() {
                    StoreError::Conflict
                } else {
                    fault(e)
                }
            })?;
        Ok(())
    }

    fn revoke_key(&mut self, id: &KeyId, at_ms: u64) -> Result<(), StoreError> {
        if let Some(mut key) = self.key(id)? {
            key.revoked_ms.get_or_insert(at_ms);
            self.0
                .query(
                    "UPDATE admin_keys SET data = ? WHERE id = ?",
                    vec![json(&key), SqlValue::Text(id.to_string())],
                )
                .map_err(fault)?;
        }
        Ok(())
    }

    fn erase_key_name(&mut self, id: &KeyId, at_ms: u64) -> Result<u64, StoreError> {
        if let Some(mut key) = self.key(id)? {
            key.name = assent_core::admin::KeyName::new(assent_core::admin::ERASED_NAME)
                .map_err(|e| StoreError::Fault(e.to_string()))?;
            key.name_erased_ms.get_or_insert(at_ms);
            self.0
                .query(
                    "UPDATE admin_keys SET data = ? WHERE id = ?",
                    vec![json(&key), SqlValue::Text(id.to_string())],
                )
                .map_err(fault)?;
        }
        // Version 2 entries do not hash `who` (core's `audit::erase_who`):
        // blank it in place; version 1 entries (no `version`) keep theirs.
        let id = SqlValue::Text(id.to_string());
        self.0
            .query(
                "UPDATE audit SET data = json_set(data, '$.who', '') \
                 WHERE json_extract(data, '$.key') = ? AND json_extract(data, '$.version') = 2",
                vec![id.clone()],
            )
            .map_err(fault)?;
        let kept = self
            .0
            .query(
                "SELECT COUNT(*) FROM audit \
                 WHERE json_extract(data, '$.key') = ? AND json_extract(data, '$.version') IS NULL",
                vec![id],
            )
            .map_err(fault)?;
        match kept.first().and_then(|r| r.first()) {
            Some(SqlValue::Int(n)) => Ok(*n as u64),
            _ => Err(StoreError::Fault("no count".into())),
        }
    }

    fn last_audit(&self) -> Result<Option<AuditEntry>, StoreError> {
        Ok(self
            .column("SELECT data FROM audit ORDER BY seq DESC LIMIT 1", vec![])?
            .pop())
    }

    fn put_audit(&mut self, entry: &AuditEntry) -> Result<(), StoreError> {
        self.0
            .query(
                "INSERT INTO audit (seq, data) VALUES (?, ?)",
                vec![int(entry.seq)?, json(entry)],
            )
            .map_err(fault)?;
        Ok(())
    }

    fn audit_after(&self, after: u64, limit: u64) -> Result<Vec<AuditEntry>, StoreError> {
        self.column(
            "SELECT data FROM audit WHERE seq > ? ORDER BY seq LIMIT ?",
            vec![int(after)?, bound(limit)?],
        )
    }
}

impl<C: Sql> BreachStore for SqlAdminStore<C> {
    fn put_breach(&mut self, incident: &Incident) -> Result<(), StoreError> {
        self.0
            .query(
                "INSERT INTO breaches (id, recorded_ms, data) VALUES (?, ?, ?) \
                 ON CONFLICT (id) DO UPDATE SET data = excluded.data",
                vec![
                    SqlValue::Text(incident.id.to_string()),
                    int(incident.recorded_ms)?,
                    json(incident),
                ],
            )
            .map_err(fault)?;
        Ok(())
    }

    fn breach(&self, id: &BreachId) -> Result<Option<Incident>, StoreError> {
        Ok(self
            .column(
                "SELECT data FROM breaches WHERE id = ?",
                vec![SqlValue::Text(id.to_string())],
            )?
            .pop())
    }

    fn breaches(&self) -> Result<Vec<Incident>, StoreError> {
        self.column(
            "SELECT data FROM breaches ORDER BY recorded_ms DESC, id DESC LIMIT ?",
            vec![bound(MAX_LISTED as u64)?],
        )
    }
}

impl<C: Sql> RequestStore for SqlAdminStore<C> {
    fn put_request(&mut self, r: &SubjectRequest) -> Result<(), StoreError> {
        self.0
            .query(
                "INSERT INTO subject_requests (id, subject, open, due_ms, decided_ms, data) VALUES (?, ?, ?, ?, ?, ?)",
                vec![
                    SqlValue::Text(r.id.to_string()),
                    SqlValue::Text(r.subject.to_string()),
                    int(u64::from(r.status == RequestStatus::Open))?,
                    int(r.due_ms)?,
                    r.decided_ms.map_or(Ok(SqlValue::Null), int)?,
                    json(r),
                ],
            )
            .map_err(fault)?;
        Ok(())
    }

    fn update_request(&mut self, r: &SubjectRequest) -> Result<(), StoreError> {
        self.0
            .query(
                "UPDATE subject_requests SET open = ?, decided_ms = ?, data = ? WHERE id = ?",
                vec![
                    int(u64::from(r.status == RequestStatus::Open))?,
                    r.decided_ms.map_or(Ok(SqlValue::Null), int)?,
                    json(r),
                    SqlValue::Text(r.id.to_string()),
                ],
            )
            .map_err(fault)?;
        Ok(())
    }

    fn request(&self, id: &EventId) -> Result<Option<SubjectRequest>, StoreError> {
        Ok(self
            .column(
                "SELECT data FROM subject_requests WHERE id = ?",
                vec![SqlValue::Text(id.to_string())],
            )?
            .pop())
    }

    fn requests_of(&self, subject: &SubjectId) -> Result<Vec<SubjectRequest>, StoreError> {
        self.column(
            "SELECT data FROM subject_requests WHERE subject = ? ORDER BY rowid",
            vec![SqlValue::Text(subject.to_string())],
        )
    }

    fn queue(&self, limit: u64) -> Result<Vec<SubjectRequest>, StoreError> {
        self.column(
            "SELECT data FROM subject_requests ORDER BY open DESC, CASE WHEN open = 1 THEN due_ms ELSE -decided_ms END LIMIT ?",
            vec![bound(limit)?],
        )
    }

    fn spend_link(&mut self, nonce: &EventId, now_ms: u64) -> Result<bool, StoreError> {
        let rows = self
            .0
            .query(
                "INSERT INTO spent_links (nonce, spent_ms) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING RETURNING nonce",
                vec![SqlValue::Text(nonce.to_string()), int(now_ms)?],
            )
            .map_err(fault)?;
        Ok(!rows.is_empty())
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::log_store::native;
    use assent_core::admin::audit::verify_chain;
    use assent_core::admin::store::{authorize, create_key, revoke_key};
    use assent_core::admin::{KeyName, Operation, Scopes};
    use assent_core::ids::SiteId;

    #[test]
    fn the_breach_register_on_sqlite() {
        let conn = native::connection(BREACHES_SCHEMA);
        assent_core::breach::conformance(SqlAdminStore(&conn));
    }

    #[test]
    fn a_revoked_key_s_name_is_erased_on_sqlite() {
        let conn = native::connection(KEYS_SCHEMA);
        assent_core::admin::store::erasure_conformance(SqlAdminStore(&conn));
    }

    /// An entry written before names could be erased (version 1, no
    /// `version` in its JSON) keeps its name and is counted as kept.
    #[test]
    fn an_old_entry_keeps_its_name_on_sqlite() {
        use assent_core::admin::store::AdminStore;
        let conn = native::connection(KEYS_SCHEMA);
        let mut store = SqlAdminStore(&conn);
        let site = SiteId::new("demo").unwrap();
        let scopes = Scopes::parse("read").unwrap();
        let (key, token) = create_key(
            &mut store,
            &site,
            KeyName::new("Jo").unwrap(),
            scopes,
            [5; 40],
            1,
        )
        .unwrap();
        authorize(
            &mut store,
            &site,
            &token.to_string(),
            None,
            Operation::LogList,
            None,
            2,
        )
        .unwrap();
        revoke_key(&mut store, &key.id, 3).unwrap();
        // The entries as the old code wrote them: no `version`.
        conn.execute("UPDATE audit SET data = json_remove(data, '$.version')", [])
            .unwrap();
        let kept = store.erase_key_name(&key.id, 4).unwrap();
        assert_eq!(kept, 1);
        assert_eq!(store.last_audit().unwrap().unwrap().who, "Jo", "kept");
    }

    #[test]
    fn keys_and_the_audit_trail_on_sqlite() {
        let conn = native::connection(&format!("{KEYS_SCHEMA}{REQUESTS_SCHEMA}"));
        let mut store = SqlAdminStore(&conn);
        let site = SiteId::new("demo").unwrap();
        let (key, token) = create_key(
            &mut store,
            &site,
            KeyName::new("dpo").unwrap(),
            Scopes::parse("read,export").unwrap(),
            [4; 40],
            1,
        )
        .unwrap();
        assert_eq!(
            create_key(
                &mut store,
                &site,
                KeyName::new("again").unwrap(),
                Scopes::parse("read").unwrap(),
                [4; 40],
                2
            )
            .unwrap_err()
            .code(),
            "storage_fault",
            "an id is never reused"
        );
        let t = token.to_string();
        let run =
            |store: &mut SqlAdminStore<_>, op| authorize(store, &site, &t, Some("op"), op, None, 3);
        assert!(run(&mut store, Operation::SubjectExport).is_ok());
        assert_eq!(
            run(&mut store, Operation::SubjectErase).unwrap_err().code(),
            "scope_missing"
        );
        revoke_key(&mut store, &key.id, 4).unwrap();
        assert_eq!(
            run(&mut store, Operation::SubjectExport)
                .unwrap_err()
                .code(),
            "key_revoked"
        );
        let keys = store.keys().unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].revoked_ms, Some(4));
        let raw: Vec<String> = conn
            .prepare("SELECT data FROM admin_keys")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(
            !raw[0].contains(t.rsplit('.').next().unwrap()),
            "no secret stored"
        );
        let trail = store.audit_after(0, 10).unwrap();
        assert_eq!(trail.len(), 3);
        assert_eq!(verify_chain(None, &trail), Ok(()));
        assert_eq!(store.audit_after(2, 10).unwrap().len(), 1);
    }

    #[test]
    fn requests_and_spent_links_on_sqlite() {
        use assent_core::rights::requests::{self, RequestKind};
        let conn = native::connection(&format!("{KEYS_SCHEMA}{REQUESTS_SCHEMA}"));
        let mut store = SqlAdminStore(&conn);
        let s = SubjectId::from_random_bytes([1; 16]);
        let id = |n| EventId::from_random_bytes([n; 16]);
        let erase = requests::file(&mut store, &s, RequestKind::Erasure, id(2), 100).unwrap();
        let again = requests::file(&mut store, &s, RequestKind::Erasure, id(3), 200).unwrap();
        assert_eq!(again, erase, "the open one, not a second");
        let access = requests::file(&mut store, &s, RequestKind::Access, id(4), 300).unwrap();
        let open = requests::open(&store, &erase.id).unwrap();
        requests::decide(&mut store, open, RequestStatus::Refused, "dpo", None, 400).unwrap();
        assert_eq!(
            requests::open(&store, &erase.id).unwrap_err().code(),
            "request_decided"
        );
        let queue = store.queue(10).unwrap();
        assert_eq!(
            queue.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
            [access.id, erase.id]
        );
        assert_eq!(queue[1].decided_by.as_deref(), Some("dpo"));
        assert!(store.spend_link(&id(9), 1).unwrap());
        assert!(!store.spend_link(&id(9), 2).unwrap(), "a link opens once");
    }
}
