//! Numbered schema migrations, one list per object role: a shard of a
//! site's log ([`SHARD`]) and a site's directory ([`DIRECTORY`]). An object
//! runs its list when it starts; each migration runs once, in order, and is
//! recorded in `schema_migrations` with the time it ran.
//!
//! A database written before migrations existed (no `schema_migrations`)
//! takes migration 1, whose statements are all `IF NOT EXISTS`: its tables
//! and rows stay as they are, and every proof it held still verifies (the
//! native test below migrates a committed fixture written by that code).
//! A later change of layout is a new migration at the end of a list, never
//! an edit of one that has run.

use crate::log_store::{Sql, SqlError, SqlValue};

/// One migration: its number, what it does, and its statements.
pub struct Migration {
    /// Its number: 1, 2, ... in the order they run.
    pub version: u32,
    /// What it does, for the reader.
    pub what: &'static str,
    /// Its scripts, run in order.
    pub scripts: &'static [&'static str],
}

/// A shard of a site's log: the tree, checkpoints, notices and counters;
/// the forms' store of its subjects; their requests and spent links.
pub const SHARD: &[Migration] = &[
    Migration {
        version: 1,
        what: "the log, the forms' store, requests and spent links, and (from before \
               the directory) keys and the audit trail, as they were",
        scripts: &[
            crate::log_store::SCHEMA,
            crate::form_store::SCHEMA,
            crate::admin_store::REQUESTS_SCHEMA,
            crate::admin_store::KEYS_SCHEMA,
        ],
    },
    Migration {
        version: 2,
        what: "the owner's sealed notes about contacts",
        scripts: &[crate::form_store::NOTES_SCHEMA],
    },
    Migration {
        version: 3,
        what: "the site's closing: everyone anonymised by a day",
        scripts: &[crate::form_store::CLOSING_SCHEMA],
    },
    Migration {
        version: 4,
        what: "the mark of a restore in progress",
        scripts: &[crate::backup_store::MARK_SCHEMA],
    },
];

/// A site's directory: its owner keys and the audit trail, and the mark of
/// the handover of those the home shard kept before the directory existed.
pub const DIRECTORY: &[Migration] = &[
    Migration {
        version: 1,
        what: "keys, the audit trail, and the handover mark",
        scripts: &[
            crate::admin_store::KEYS_SCHEMA,
            "CREATE TABLE IF NOT EXISTS handover (done_ms INTEGER NOT NULL);",
        ],
    },
    Migration {
        version: 2,
        what: "the breach register",
        scripts: &[crate::admin_store::BREACHES_SCHEMA],
    },
    Migration {
        version: 3,
        what: "a restore's own audit entries, held aside until the restored trail is in",
        scripts: &[crate::backup_store::HELD_SCHEMA],
    },
    Migration {
        version: 4,
        what: "the mark of a restore in progress",
        scripts: &[crate::backup_store::MARK_SCHEMA],
    },
    Migration {
        version: 5,
        what: "the site's configuration: its draft and published editions",
        scripts: &[crate::edition_store::SCHEMA],
    },
];

const LEDGER: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  what       TEXT NOT NULL,
  applied_ms INTEGER NOT NULL
);";

/// Runs the migrations of `list` this database has not had; answers its
/// version afterwards.
pub fn migrate<C: Sql>(db: &C, list: &[Migration], now_ms: u64) -> Result<u32, SqlError> {
    db.batch(LEDGER)?;
    let rows = db.query("SELECT MAX(version) FROM schema_migrations", vec![])?;
    let mut version = match rows.first().and_then(|r| r.first()) {
        Some(SqlValue::Int(v)) => *v as u32,
        _ => 0,
    };
    let due: Vec<&Migration> = list.iter().filter(|m| m.version > version).collect();
    for m in due {
        for script in m.scripts {
            db.batch(script)?;
        }
        db.query(
            "INSERT INTO schema_migrations (version, what, applied_ms) VALUES (?, ?, ?)",
            vec![
                SqlValue::Int(i64::from(m.version)),
                SqlValue::Text(m.what.to_string()),
                SqlValue::Int(now_ms as i64),
            ],
        )?;
        version = m.version;
    }
    Ok(version)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
pub(crate) mod tests {
    use super::*;
    use crate::admin_store::SqlAdminStore;
    use crate::log_store::SqlLogStore;
    use assent_core::admin::store::AdminStore;
    use assent_core::log::LogStore;

    /// A shard's database as written before migrations and before the
    /// directory (the code of 2026-12-05): a log of 12 records, two owner
    /// keys and their audit trail. Made by `write_fixture` below.
    const FIXTURE: &str = "tests/fixtures/shard-2026-12-05.sqlite";

    pub(crate) fn copy_of_fixture() -> rusqlite::Connection {
        let bytes = std::fs::read(FIXTURE).expect("the committed fixture");
        let path = std::env::temp_dir().join(format!(
            "assent-fixture-{}-{}.sqlite",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::write(&path, bytes).unwrap();
        rusqlite::Connection::open(path).unwrap()
    }

    #[test]
    fn lists_are_numbered_from_one_without_gaps() {
        for list in [SHARD, DIRECTORY] {
            let versions: Vec<u32> = list.iter().map(|m| m.version).collect();
            assert_eq!(versions, (1..=list.len() as u32).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_migration_runs_once() {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&db, SHARD, 5).unwrap(), 4);
        assert_eq!(migrate(&db, SHARD, 6).unwrap(), 4);
        let ran = db
            .query(
                "SELECT version, applied_ms FROM schema_migrations ORDER BY version",
                vec![],
            )
            .unwrap();
        assert_eq!(
            ran,
            vec![
                vec![SqlValue::Int(1), SqlValue::Int(5)],
                vec![SqlValue::Int(2), SqlValue::Int(5)],
                vec![SqlValue::Int(3), SqlValue::Int(5)],
                vec![SqlValue::Int(4), SqlValue::Int(5)]
            ]
        );
    }

    #[test]
    fn a_database_of_the_code_before_migrates_and_every_proof_still_verifies() {
        let db = copy_of_fixture();
        let before = SqlLogStore(&db).size().unwrap();
        assert_eq!(before, 12);
        assert!(db
            .query(
                "SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'",
                vec![]
            )
            .unwrap()
            .is_empty());
        assert_eq!(migrate(&db, SHARD, 1).unwrap(), 4);
        let mut store = SqlLogStore(&db);
        assert_eq!(store.size().unwrap(), before);
        assent_core::log::conformance::check_proofs(&mut store);

        // The directory takes the keys and the audit trail over, unchanged:
        // the trail's hash chain still verifies there.
        let shard = SqlAdminStore(&db);
        let (keys, audit) = (
            shard.keys().unwrap(),
            shard.audit_after(0, i64::MAX as u64).unwrap(),
        );
        assert_eq!((keys.len(), audit.len()), (2, 3));
        let dir = rusqlite::Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&dir, DIRECTORY, 1).unwrap(), 5);
        let mut directory = SqlAdminStore(&dir);
        directory.adopt(&keys, &audit).unwrap();
        directory.adopt(&keys, &audit).unwrap();
        assert_eq!(directory.keys().unwrap(), keys);
        let adopted = directory.audit_after(0, i64::MAX as u64).unwrap();
        assert_eq!(adopted, audit);
        assent_core::admin::audit::verify_chain(None, &adopted).unwrap();
        // Entries written before names could be erased are version 1, and
        // the next one (version 2) chains on to them.
        assert!(adopted.iter().all(|e| e.version == 1));
        let next = assent_core::admin::audit::AuditEntry::next(
            adopted.last(),
            &assent_core::admin::Principal::Operator,
            assent_core::admin::Operation::BreachList,
            None,
            true,
            9,
        );
        assent_core::admin::audit::verify_chain(None, &[adopted, vec![next]].concat()).unwrap();
    }

    /// Writes the fixture with the stores as they were on 2026-12-05 (run
    /// once, at that commit: `cargo test -p assent-edge write_fixture -- --ignored`).
    #[test]
    #[ignore]
    fn write_fixture() {
        use assent_core::admin::{KeyName, Operation, Scopes};
        use assent_core::ids::SiteId;
        let _ = std::fs::remove_file(FIXTURE);
        let db = rusqlite::Connection::open(FIXTURE).unwrap();
        db.execute_batch("PRAGMA page_size = 512;").unwrap();
        let schema = format!(
            "{}{}{}{}",
            crate::log_store::SCHEMA,
            crate::form_store::SCHEMA,
            crate::admin_store::REQUESTS_SCHEMA,
            crate::admin_store::KEYS_SCHEMA
        );
        db.execute_batch(&schema).unwrap();
        let mut store = SqlLogStore(&db);
        let c = assent_core::log::conformance::config();
        for n in 0..12 {
            let e =
                assent_core::log::conformance::event(&c, n, n, "give", true, 1_795_000_000_000 + n);
            let req = assent_core::log::sequencer::AppendRequest {
                received_at_ms: e.client_time_ms + 5,
                event: e,
                sec_gpc: false,
                country: None,
                origin: assent_core::log::LogOrigin::parse("edge.example/vectors").unwrap(),
                issuer: "https://edge.example".into(),
                form: None,
                regime: None,
                import: None,
                proof: assent_core::log::sequencer::Proof::Edge,
            };
            let key = assent_core::log::conformance::key();
            assent_core::log::sequencer::append(&mut store, &c, &key, req).unwrap();
        }
        let mut admin = SqlAdminStore(&db);
        let site = SiteId::new("vectors").unwrap();
        for (i, name) in ["analyst", "dpo"].iter().enumerate() {
            assent_core::admin::store::create_key(
                &mut admin,
                &site,
                KeyName::new(name).unwrap(),
                Scopes::parse("read").unwrap(),
                [i as u8 + 1; 40],
                1_795_000_000_000,
            )
            .unwrap();
        }
        // The operator's three calls: each an audit entry, hash-chained.
        for op in [
            Operation::KeyCreate,
            Operation::KeyCreate,
            Operation::KeyList,
        ] {
            assent_core::admin::store::authorize(
                &mut admin,
                &site,
                "operator-secret",
                Some("operator-secret"),
                op,
                None,
                1_795_000_000_000,
            )
            .unwrap();
        }
        assent_core::log::sequencer::checkpoint(
            &mut store,
            &assent_core::log::conformance::key(),
            1_795_000_001_000,
        )
        .unwrap();
    }
}
