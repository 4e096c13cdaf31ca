//! The log's storage on SQLite: [`SqlLogStore`] implements core's
//! [`LogStore`] over any [`Sql`] connection. The Durable Object runs it on
//! its own SQLite (`state.storage().sql()`); the native tests run the same
//! code, and core's whole conformance suite, on `rusqlite`.
//!
//! One table holds the log: a row per entry, written by one `INSERT` (the
//! commit point of an append; see `assent_core::log::store`). Rows are never
//! updated or deleted. Beside it, written in the same step (a Durable Object
//! commits the writes between two awaits together): the day counters, the
//! hash of a subject's key from its first entry, and the notice the record
//! refers to (the notice archive, `assent_core::log::archive`), each kept
//! once and never overwritten.

use assent_core::ids::{EventId, NoticeHash, SubjectId};
use assent_core::log::archive::ArchivedNotice;
use assent_core::log::store::{Entry, Listed, NewEntry, StoredCheckpoint};
use assent_core::log::{LogOrigin, LogStore, StoreError};
use assent_core::merkle::Hash;
use assent_core::subject_key::SubjectKeyHash;

/// The schema, created when the object starts.
pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS entries (
  idx      INTEGER PRIMARY KEY,   -- leaf index, from 0, without gaps
  event_id TEXT NOT NULL UNIQUE,  -- idempotency key
  subject  TEXT NOT NULL,
  record   TEXT NOT NULL,         -- RFC 8785 text of the stored record: the leaf data
  answer   TEXT NOT NULL,         -- the first answer (with the receipt), replayed on a repeat
  nodes    BLOB NOT NULL,         -- the subtrees this leaf completed, 32 bytes each, leaf first
  origin   TEXT                   -- the log origin, on the first entry only
);
CREATE INDEX IF NOT EXISTS entries_by_subject ON entries(subject, idx);
CREATE TABLE IF NOT EXISTS stats (
  day      TEXT NOT NULL,         -- UTC YYYY-MM-DD of the records counted
  key      TEXT NOT NULL,         -- core::stats's counter key
  n        INTEGER NOT NULL,
  PRIMARY KEY (day, key)
);
CREATE TABLE IF NOT EXISTS subject_keys (
  subject  TEXT PRIMARY KEY,      -- from the subject's first entry (core::subject_key)
  hash     BLOB NOT NULL          -- SHA-256 of the key the widget holds, never the key
);
CREATE TABLE IF NOT EXISTS notices (
  hash     TEXT PRIMARY KEY,      -- lowercase hex SHA-256 of bytes: the hash records carry
  version  TEXT NOT NULL,
  language TEXT NOT NULL,
  bytes    BLOB NOT NULL,         -- the notice's RFC 8785 bytes, exactly as hashed
  first_ms INTEGER NOT NULL       -- when it was first kept (a record's receive time, or first asked for)
);
CREATE TABLE IF NOT EXISTS checkpoints (
  size         INTEGER PRIMARY KEY,
  note         TEXT NOT NULL,
  signed_at_ms INTEGER NOT NULL
);
";

/// A value bound to or read from SQL.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    /// NULL.
    Null,
    /// An integer.
    Int(i64),
    /// Text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
}

/// What a SQL call failed with.
#[derive(Debug, Clone)]
pub struct SqlError(pub String);

impl SqlError {
    /// SQLite's words for a `UNIQUE` or `PRIMARY KEY` violation, the same in
    /// workerd and in `rusqlite`.
    pub(crate) fn is_unique_violation(&self) -> bool {
        self.0.contains("UNIQUE constraint failed")
    }
}

/// A SQLite connection: one statement, its parameters, its rows.
pub trait Sql {
    /// Runs one statement and returns every row.
    fn query(&self, sql: &str, params: Vec<SqlValue>) -> Result<Vec<Vec<SqlValue>>, SqlError>;
    /// Runs a script of statements without parameters (a migration).
    fn batch(&self, sql: &str) -> Result<(), SqlError>;
}

/// A shared connection is a connection (the log and the form stores of one
/// object use the same SQLite).
impl<T: Sql + ?Sized> Sql for &T {
    fn query(&self, sql: &str, params: Vec<SqlValue>) -> Result<Vec<Vec<SqlValue>>, SqlError> {
        (**self).query(sql, params)
    }
    fn batch(&self, sql: &str) -> Result<(), SqlError> {
        (**self).batch(sql)
    }
}

/// [`LogStore`] on a SQLite connection with [`SCHEMA`].
pub struct SqlLogStore<C>(pub C);

pub(crate) fn fault(e: SqlError) -> StoreError {
    StoreError::Fault(e.0)
}

/// The largest integer a JavaScript number holds exactly (2^53 - 1): what
/// "no bound" is in a query. Every integer stored (times in ms, indexes,
/// counts) is far below it; a larger one crosses into workerd inexact, and
/// workers-rs logs a warning for it on every call (0.9 ms of CPU a banner
/// event when the recycle bin's next purge was asked with `u64::MAX`,
/// BENCHMARKS.md "Where an event's CPU goes").
pub(crate) const NO_BOUND: u64 = (1 << 53) - 1;

/// A query's bound or limit: `v`, or [`NO_BOUND`] where it is larger.
pub(crate) fn bound(v: u64) -> Result<SqlValue, StoreError> {
    int(v.min(NO_BOUND))
}

/// An integer parameter: at most [`NO_BOUND`] (a bound or limit beyond it
/// goes through [`bound`]).
pub(crate) fn int(v: u64) -> Result<SqlValue, StoreError> {
    if v > NO_BOUND {
        return Err(StoreError::Fault(format!(
            "{v} is beyond the integers a query takes"
        )));
    }
    Ok(SqlValue::Int(v as i64))
}

pub(crate) fn bad_row(what: &str) -> StoreError {
    StoreError::Fault(format!("unexpected row shape: {what}"))
}

pub(crate) fn get_u64(v: &SqlValue) -> Result<u64, StoreError> {
    match v {
        SqlValue::Int(i) => u64::try_from(*i).map_err(|_| bad_row("negative integer")),
        _ => Err(bad_row("integer expected")),
    }
}

pub(crate) fn get_text(v: &SqlValue) -> Result<String, StoreError> {
    match v {
        SqlValue::Text(t) => Ok(t.clone()),
        _ => Err(bad_row("text expected")),
    }
}

/// A value kept as its JSON text.
pub(crate) fn json(v: &impl serde::Serialize) -> SqlValue {
    SqlValue::Text(serde_json::to_string(v).expect("serializes"))
}

/// The rows of a query whose one column is JSON text, each read as a `T`
/// (the stores that keep each thing as its JSON: keys, the trail, editions).
pub(crate) fn json_rows<T: serde::de::DeserializeOwned>(
    db: &impl Sql,
    sql: &str,
    params: Vec<SqlValue>,
) -> Result<Vec<T>, StoreError> {
    db.query(sql, params)
        .map_err(fault)?
        .iter()
        .map(|r| {
            let text = get_text(r.first().ok_or_else(|| bad_row("no column"))?)?;
            serde_json::from_str(&text).map_err(|_| bad_row("stored JSON"))
        })
        .collect()
}

impl<C: Sql> SqlLogStore<C> {
    fn rows(&self, sql: &str, params: Vec<SqlValue>) -> Result<Vec<Vec<SqlValue>>, StoreError> {
        self.0.query(sql, params).map_err(fault)
    }

    fn entry(&self, sql: &str, key: &str) -> Result<Option<Entry>, StoreError> {
        let rows = self.rows(sql, vec![SqlValue::Text(key.to_string())])?;
        rows.first()
            .map(|r| match r.as_slice() {
                [idx, record, answer] => Ok(Entry {
                    index: get_u64(idx)?,
                    record: get_text(record)?,
                    answer: get_text(answer)?,
                }),
                _ => Err(bad_row("entry")),
            })
            .transpose()
    }

    fn listed(&self, sql: &str, params: Vec<SqlValue>) -> Result<Vec<Listed>, StoreError> {
        self.rows(sql, params)?
            .iter()
            .map(|r| match r.as_slice() {
                [idx, record] => Ok(Listed {
                    index: get_u64(idx)?,
                    record: get_text(record)?,
                }),
                _ => Err(bad_row("listed")),
            })
            .collect()
    }
}

impl<C: Sql> LogStore for SqlLogStore<C> {
    fn size(&self) -> Result<u64, StoreError> {
        let rows = self.rows("SELECT COALESCE(MAX(idx) + 1, 0) FROM entries", vec![])?;
        rows.first()
            .and_then(|r| r.first())
            .map_or(Err(bad_row("size")), get_u64)
    }

    fn origin(&self) -> Result<Option<LogOrigin>, StoreError> {
        let rows = self.rows("SELECT origin FROM entries WHERE idx = 0", vec![])?;
        match rows.first().and_then(|r| r.first()) {
            None | Some(SqlValue::Null) => Ok(None),
            Some(v) => LogOrigin::parse(&get_text(v)?)
                .map(Some)
                .map_err(|e| StoreError::Fault(format!("stored origin: {e}"))),
        }
    }

    fn completed(&self, index: u64) -> Result<Option<Vec<Hash>>, StoreError> {
        let rows = self.rows("SELECT nodes FROM entries WHERE idx = ?", vec![int(index)?])?;
        match rows.first().and_then(|r| r.first()) {
            None => Ok(None),
            Some(SqlValue::Blob(bytes)) if bytes.len() % 32 == 0 => Ok(Some(
                bytes
                    .chunks_exact(32)
                    .map(|c| c.try_into().expect("32-byte chunk"))
                    .collect(),
            )),
            Some(_) => Err(bad_row("nodes")),
        }
    }

    fn entry_by_event(&self, event_id: &EventId) -> Result<Option<Entry>, StoreError> {
        self.entry(
            "SELECT idx, record, answer FROM entries WHERE event_id = ?",
            event_id.as_str(),
        )
    }

    fn last_of_subject(&self, subject: &SubjectId) -> Result<Option<Entry>, StoreError> {
        self.entry(
            "SELECT idx, record, answer FROM entries WHERE subject = ? ORDER BY idx DESC LIMIT 1",
            subject.as_str(),
        )
    }

    fn of_subject(&self, subject: &SubjectId, limit: u64) -> Result<Vec<Listed>, StoreError> {
        self.listed(
            "SELECT idx, record FROM entries WHERE subject = ? ORDER BY idx ASC LIMIT ?",
            vec![SqlValue::Text(subject.to_string()), bound(limit)?],
        )
    }

    fn newest_before(&self, before: u64, limit: u64) -> Result<Vec<Listed>, StoreError> {
        self.listed(
            "SELECT idx, record FROM entries WHERE idx < ? ORDER BY idx DESC LIMIT ?",
            vec![bound(before)?, bound(limit)?],
        )
    }

    fn oldest_from(&self, from: u64, limit: u64) -> Result<Vec<Listed>, StoreError> {
        self.listed(
            "SELECT idx, record FROM entries WHERE idx >= ? ORDER BY idx ASC LIMIT ?",
            vec![bound(from)?, bound(limit)?],
        )
    }

    fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        let rows = self.rows(
            "SELECT size, note, signed_at_ms FROM checkpoints ORDER BY size DESC LIMIT 1",
            vec![],
        )?;
        rows.first()
            .map(|r| match r.as_slice() {
                [size, note, at] => Ok(StoredCheckpoint {
                    size: get_u64(size)?,
                    note: get_text(note)?,
                    signed_at_ms: get_u64(at)?,
                }),
                _ => Err(bad_row("checkpoint")),
            })
            .transpose()
    }

    fn append(&mut self, entry: &NewEntry<'_>) -> Result<(), StoreError> {
        let nodes: Vec<u8> = entry.nodes.iter().flatten().copied().collect();
        let result = self.0.query(
            "INSERT INTO entries (idx, event_id, subject, record, answer, nodes, origin) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
            vec![
                int(entry.index)?,
                SqlValue::Text(entry.event_id.to_string()),
                SqlValue::Text(entry.subject.to_string()),
                SqlValue::Text(entry.record.to_string()),
                SqlValue::Text(entry.answer.to_string()),
                SqlValue::Blob(nodes),
                entry
                    .origin
                    .map_or(SqlValue::Null, |o| SqlValue::Text(o.as_str().to_string())),
            ],
        );
        match result {
            Ok(_) => {}
            Err(e) if e.is_unique_violation() => return Err(StoreError::Conflict),
            Err(e) => return Err(fault(e)),
        }
        for (key, n) in entry.counts {
            self.rows(
                "INSERT INTO stats (day, key, n) VALUES (?, ?, ?) \
                 ON CONFLICT (day, key) DO UPDATE SET n = n + excluded.n",
                vec![
                    SqlValue::Text(entry.day.to_string()),
                    SqlValue::Text(key.clone()),
                    int(*n)?,
                ],
            )?;
        }
        if let Some(hash) = entry.subject_key {
            self.rows(
                "INSERT OR IGNORE INTO subject_keys (subject, hash) VALUES (?, ?)",
                vec![
                    SqlValue::Text(entry.subject.to_string()),
                    SqlValue::Blob(hash.0.to_vec()),
                ],
            )?;
        }
        if let Some(notice) = entry.notice {
            self.keep_notice(notice)?;
        }
        Ok(())
    }

    fn notice(&self, hash: &NoticeHash) -> Result<Option<ArchivedNotice>, StoreError> {
        let rows = self.rows(
            "SELECT hash, version, language, bytes, first_ms FROM notices WHERE hash = ?",
            vec![SqlValue::Text(hash.to_string())],
        )?;
        rows.first()
            .map(|r| match r.as_slice() {
                [hash, version, language, SqlValue::Blob(bytes), first_ms] => Ok(ArchivedNotice {
                    hash: NoticeHash::new(&get_text(hash)?).map_err(|_| bad_row("notice hash"))?,
                    version: get_text(version)?,
                    language: get_text(language)?,
                    canonical: String::from_utf8(bytes.clone())
                        .map_err(|_| bad_row("notice bytes"))?,
                    first_ms: get_u64(first_ms)?,
                }),
                _ => Err(bad_row("notices")),
            })
            .transpose()
    }

    fn keep_notice(&mut self, notice: &ArchivedNotice) -> Result<(), StoreError> {
        self.rows(
            "INSERT OR IGNORE INTO notices (hash, version, language, bytes, first_ms) \
             VALUES (?, ?, ?, ?, ?)",
            vec![
                SqlValue::Text(notice.hash.to_string()),
                SqlValue::Text(notice.version.clone()),
                SqlValue::Text(notice.language.clone()),
                SqlValue::Blob(notice.canonical.as_bytes().to_vec()),
                int(notice.first_ms)?,
            ],
        )?;
        Ok(())
    }

    fn subject_key(&self, subject: &SubjectId) -> Result<Option<SubjectKeyHash>, StoreError> {
        let rows = self.rows(
            "SELECT hash FROM subject_keys WHERE subject = ?",
            vec![SqlValue::Text(subject.to_string())],
        )?;
        match rows.first().and_then(|r| r.first()) {
            None => Ok(None),
            Some(SqlValue::Blob(b)) if b.len() == 32 => Ok(Some(SubjectKeyHash(
                b.as_slice().try_into().expect("32 bytes"),
            ))),
            Some(_) => Err(bad_row("subject_keys")),
        }
    }

    fn stats(&self, from_day: &str) -> Result<Vec<(String, String, u64)>, StoreError> {
        self.rows(
            "SELECT day, key, n FROM stats WHERE day >= ? ORDER BY day, key",
            vec![SqlValue::Text(from_day.to_string())],
        )?
        .iter()
        .map(|r| match r.as_slice() {
            [day, key, n] => Ok((get_text(day)?, get_text(key)?, get_u64(n)?)),
            _ => Err(bad_row("stats")),
        })
        .collect()
    }

    fn put_checkpoint(&mut self, cp: &StoredCheckpoint) -> Result<(), StoreError> {
        self.rows(
            "INSERT OR REPLACE INTO checkpoints (size, note, signed_at_ms) VALUES (?, ?, ?)",
            vec![
                int(cp.size)?,
                SqlValue::Text(cp.note.clone()),
                int(cp.signed_at_ms)?,
            ],
        )?;
        Ok(())
    }
}

/// The Durable Object's SQLite.
impl Sql for worker::SqlStorage {
    fn batch(&self, sql: &str) -> Result<(), SqlError> {
        self.exec(sql, None)
            .map(drop)
            .map_err(|e| SqlError(e.to_string()))
    }

    fn query(&self, sql: &str, params: Vec<SqlValue>) -> Result<Vec<Vec<SqlValue>>, SqlError> {
        use worker::SqlStorageValue as V;
        let params: Vec<V> = params
            .into_iter()
            .map(|p| match p {
                SqlValue::Null => V::Null,
                SqlValue::Int(i) => V::Integer(i),
                SqlValue::Text(t) => V::String(t),
                SqlValue::Blob(b) => V::Blob(b),
            })
            .collect();
        let cursor = self
            .exec(sql, params)
            .map_err(|e| SqlError(e.to_string()))?;
        cursor
            .raw()
            .map(|row| {
                row.map_err(|e| SqlError(e.to_string())).map(|values| {
                    values
                        .into_iter()
                        .map(|v| match v {
                            V::Null => SqlValue::Null,
                            V::Integer(i) => SqlValue::Int(i),
                            V::Boolean(b) => SqlValue::Int(i64::from(b)),
                            // Integers beyond 2^53 come back as floats: none of ours are.
                            V::Float(f) => SqlValue::Int(f as i64),
                            V::String(s) => SqlValue::Text(s),
                            V::Blob(b) => SqlValue::Blob(b),
                        })
                        .collect()
                })
            })
            .collect()
    }
}

/// SQLite through `rusqlite` (bundled), for the native tests of the stores
/// and the native benchmarks (feature `native-sqlite`).
#[cfg(all(any(test, feature = "native-sqlite"), not(target_arch = "wasm32")))]
pub mod native {
    use super::*;

    impl Sql for rusqlite::Connection {
        fn batch(&self, sql: &str) -> Result<(), SqlError> {
            self.execute_batch(sql).map_err(|e| SqlError(e.to_string()))
        }

        fn query(&self, sql: &str, params: Vec<SqlValue>) -> Result<Vec<Vec<SqlValue>>, SqlError> {
            use rusqlite::types::Value as V;
            let err = |e: rusqlite::Error| SqlError(e.to_string());
            let mut stmt = self.prepare(sql).map_err(err)?;
            let columns = stmt.column_count();
            let params: Vec<V> = params
                .into_iter()
                .map(|p| match p {
                    SqlValue::Null => V::Null,
                    SqlValue::Int(i) => V::Integer(i),
                    SqlValue::Text(t) => V::Text(t),
                    SqlValue::Blob(b) => V::Blob(b),
                })
                .collect();
            let mut rows = stmt
                .query(rusqlite::params_from_iter(params))
                .map_err(err)?;
            let mut out = Vec::new();
            while let Some(row) = rows.next().map_err(err)? {
                let mut values = Vec::with_capacity(columns);
                for i in 0..columns {
                    values.push(match row.get::<_, V>(i).map_err(err)? {
                        V::Null => SqlValue::Null,
                        V::Integer(i) => SqlValue::Int(i),
                        V::Real(f) => SqlValue::Int(f as i64),
                        V::Text(t) => SqlValue::Text(t),
                        V::Blob(b) => SqlValue::Blob(b),
                    });
                }
                out.push(values);
            }
            Ok(out)
        }
    }

    /// A fresh in-memory database with `schema`.
    pub fn connection(schema: &str) -> rusqlite::Connection {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(schema).unwrap();
        conn
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    //! Core's conformance suite on real SQLite (`rusqlite`, bundled), through
    //! the same `SqlLogStore` the Durable Object runs.
    use super::*;
    use assent_core::log::conformance as suite;

    fn store() -> SqlLogStore<rusqlite::Connection> {
        SqlLogStore(super::native::connection(SCHEMA))
    }

    #[test]
    fn no_parameter_is_beyond_what_a_javascript_number_holds() {
        // Probed at the boundary: 2^53 - 1 passes, 2^53 is refused, and a
        // bound beyond it is clamped, not refused.
        assert!(matches!(int(NO_BOUND), Ok(SqlValue::Int(v)) if v == (1 << 53) - 1));
        assert!(int(NO_BOUND + 1).is_err());
        assert!(matches!(bound(u64::MAX), Ok(SqlValue::Int(v)) if v == (1 << 53) - 1));
        assert!(matches!(bound(7), Ok(SqlValue::Int(7))));
    }

    #[test]
    fn appends_and_proves() {
        suite::appends_and_proves(&mut store());
    }

    #[test]
    fn grows_into_shards_without_moving_anyone() {
        suite::grows_into_shards_without_moving_anyone(store);
    }

    #[test]
    fn counters_match_a_recount() {
        suite::counters_match_a_recount(&mut store());
    }

    #[test]
    fn repeats_are_idempotent() {
        suite::repeats_are_idempotent(&mut store());
    }

    #[test]
    fn a_presumed_choice_is_the_history_of_a_first_choice() {
        suite::a_presumed_choice_is_the_history_of_a_first_choice(&mut store());
    }

    #[test]
    fn chains_subjects_and_checks_actions() {
        suite::chains_subjects_and_checks_actions(&mut store());
    }

    #[test]
    fn fixes_the_origin() {
        suite::fixes_the_origin(&mut store());
    }

    #[test]
    fn the_alarm_signs_checkpoints() {
        suite::the_alarm_signs_checkpoints(&mut store());
    }

    #[test]
    fn a_restored_log_is_checked_against_its_checkpoint() {
        suite::a_restored_log_is_checked_against_its_checkpoint(store);
    }

    #[test]
    fn survives_faults() {
        suite::survives_faults(store);
    }

    #[test]
    fn proof_faults_are_internal() {
        suite::proof_faults_are_internal(store());
    }

    #[test]
    fn concurrent_retry() {
        suite::concurrent_retry(store());
    }

    #[test]
    fn pages() {
        suite::pages(&mut store());
    }

    #[test]
    fn keeps_the_first_subject_key() {
        suite::keeps_the_first_subject_key(&mut store());
    }

    #[test]
    fn an_erased_subject_takes_nothing() {
        suite::an_erased_subject_takes_nothing(&mut store());
    }

    #[test]
    fn keeps_notices() {
        suite::keeps_notices(&mut store());
    }

    #[test]
    fn a_taken_index_is_a_conflict_and_writes_nothing() {
        let mut s = store();
        let nodes = [[0u8; 32]];
        let subject = SubjectId::from_random_bytes([1; 16]);
        let (a, b) = (
            EventId::from_random_bytes([2; 16]),
            EventId::from_random_bytes([3; 16]),
        );
        let entry = |event_id| NewEntry {
            index: 0,
            event_id,
            subject: &subject,
            record: "{}",
            answer: "{}",
            nodes: &nodes,
            origin: None,
            day: "2026-01-01",
            counts: &[],
            subject_key: None,
            notice: None,
        };
        s.append(&entry(&a)).unwrap();
        assert_eq!(s.append(&entry(&b)), Err(StoreError::Conflict));
        assert_eq!(s.size().unwrap(), 1);
        assert!(s.entry_by_event(&b).unwrap().is_none());
    }
}
