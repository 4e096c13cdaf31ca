//! A backup's pages read from and written to an object's SQLite, for any
//! table: the adapter of `assent_core::backup` (whose format and checks
//! these are). Reading copies rows as stored (sealed stays sealed);
//! writing inserts them with their rowids, so a restored object reads as
//! the one backed up. The directory's audit trail has one twist
//! ([`insert_page`]): the restore's own audited calls, written before the
//! backed-up trail arrives, are held aside and chained on after it at the
//! end ([`rechain_held`]).

use assent_core::admin::audit::AuditEntry;
use assent_core::backup::{table_order, Cell, Page, PAGE_BYTES, PAGE_ROWS};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::log_store::{Sql, SqlValue};

/// Where a backup goes on in one object: a table and the last rowid read
/// ([`BEFORE_FIRST`] before the first: a rowid may be 0, the log's first
/// leaf's index).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// The table.
    pub table: String,
    /// The last rowid read.
    pub after: i64,
}

/// The `after` of a table not read yet.
pub const BEFORE_FIRST: i64 = i64::MIN;

/// One page of an object, and where the next goes on (none: the object is done).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Read {
    /// The page, if the object had rows from the cursor on.
    pub page: Option<Page>,
    /// Where the next page goes on.
    pub next: Option<Cursor>,
}

fn sql_err(e: crate::log_store::SqlError) -> ApiError {
    ApiError::Internal(format!("backup: {}", e.0))
}

/// The object's tables a backup holds, in [`table_order`].
pub fn tables<C: Sql>(db: &C) -> Result<Vec<String>, ApiError> {
    let rows = db
        .query(
            "SELECT name FROM sqlite_master WHERE type = 'table'",
            vec![],
        )
        .map_err(sql_err)?;
    let names = rows
        .into_iter()
        .filter_map(|r| match r.into_iter().next() {
            Some(SqlValue::Text(t)) => Some(t),
            _ => None,
        })
        .collect();
    Ok(table_order(names))
}

fn columns<C: Sql>(db: &C, table: &str) -> Result<Vec<String>, ApiError> {
    let rows = db
        .query(
            "SELECT name FROM pragma_table_info(?) ORDER BY cid",
            vec![SqlValue::Text(table.into())],
        )
        .map_err(sql_err)?;
    let mut out = vec!["rowid".to_string()];
    out.extend(rows.into_iter().filter_map(|r| match r.into_iter().next() {
        Some(SqlValue::Text(t)) => Some(t),
        _ => None,
    }));
    Ok(out)
}

fn cell(v: SqlValue) -> Cell {
    match v {
        SqlValue::Null => Cell::Null(()),
        SqlValue::Int(i) => Cell::Int(i),
        SqlValue::Text(t) => Cell::Text(t),
        SqlValue::Blob(b) => Cell::blob(&b),
    }
}

fn value(c: &Cell) -> Result<SqlValue, ApiError> {
    Ok(match c {
        Cell::Null(()) => SqlValue::Null,
        Cell::Int(i) => SqlValue::Int(*i),
        Cell::Text(t) => SqlValue::Text(t.clone()),
        Cell::Blob { .. } => SqlValue::Blob(c.bytes()?.unwrap_or_default()),
    })
}

/// The next page of `object` from `from` (the first table when none):
/// up to [`PAGE_ROWS`] rows or about [`PAGE_BYTES`], skipping empty tables.
pub fn read_page<C: Sql>(db: &C, object: &str, from: Option<Cursor>) -> Result<Read, ApiError> {
    let order = tables(db)?;
    let (mut at, mut after) = match from {
        Some(c) => (
            order
                .iter()
                .position(|t| *t == c.table)
                .unwrap_or(order.len()),
            c.after,
        ),
        None => (0, BEFORE_FIRST),
    };
    while let Some(table) = order.get(at) {
        let cols = columns(db, table)?;
        let list = cols[1..]
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = db
            .query(
                &format!(
                    "SELECT rowid, {list} FROM \"{table}\" WHERE rowid > ? ORDER BY rowid LIMIT ?"
                ),
                vec![SqlValue::Int(after), SqlValue::Int(PAGE_ROWS as i64)],
            )
            .map_err(sql_err)?;
        let full = rows.len() == PAGE_ROWS;
        let mut page = Page {
            object: object.into(),
            table: table.clone(),
            columns: cols,
            rows: Vec::new(),
        };
        let mut bytes = 0;
        for row in rows {
            let row: Vec<Cell> = row.into_iter().map(cell).collect();
            bytes += row.iter().map(Cell::weight).sum::<usize>();
            page.rows.push(row);
            if bytes >= PAGE_BYTES {
                break;
            }
        }
        let Some(Cell::Int(last)) = page.rows.last().map(|r| r[0].clone()) else {
            (at, after) = (at + 1, BEFORE_FIRST);
            continue;
        };
        let more = full || bytes >= PAGE_BYTES;
        let next = if more {
            Some(Cursor {
                table: table.clone(),
                after: last,
            })
        } else {
            order.get(at + 1).map(|t| Cursor {
                table: t.clone(),
                after: BEFORE_FIRST,
            })
        };
        return Ok(Read {
            page: Some(page),
            next,
        });
    }
    Ok(Read {
        page: None,
        next: None,
    })
}

/// The tables of the object that hold rows a restore would collide with.
/// A directory's audit trail does not count: whatever it holds (the
/// restore's own calls, a read before it) is held aside when the backed-up
/// trail comes, and chained on after it ([`insert_page`]).
pub fn occupied<C: Sql>(db: &C, directory: bool) -> Result<Vec<String>, ApiError> {
    let mut out = Vec::new();
    for table in tables(db)? {
        if directory && table == "audit" {
            continue;
        }
        let any = db
            .query(&format!("SELECT 1 FROM \"{table}\" LIMIT 1"), vec![])
            .map_err(sql_err)?;
        if !any.is_empty() {
            out.push(table);
        }
    }
    Ok(out)
}

/// Rows per table of the object.
pub fn counts<C: Sql>(db: &C) -> Result<std::collections::BTreeMap<String, u64>, ApiError> {
    let mut out = std::collections::BTreeMap::new();
    for table in tables(db)? {
        let n = db
            .query(&format!("SELECT COUNT(*) FROM \"{table}\""), vec![])
            .map_err(sql_err)?;
        if let Some(SqlValue::Int(n)) = n.first().and_then(|r| r.first()) {
            if *n > 0 {
                out.insert(table, *n as u64);
            }
        }
    }
    Ok(out)
}

/// The held-aside entries of the restore's own calls (a directory's
/// migration 3).
pub const HELD_SCHEMA: &str = "CREATE TABLE IF NOT EXISTS audit_held (data TEXT NOT NULL);";

/// The mark of a restore in progress (both roles' migration 4): set by
/// [`mark`] on an empty object, needed by [`insert_page`], cleared by
/// [`unmark`]. Without it no page is taken: the restore route cannot write
/// rows into a live site, whose log only its sequencer appends to.
pub const MARK_SCHEMA: &str =
    "CREATE TABLE IF NOT EXISTS restore_mark (started_ms INTEGER NOT NULL);";

/// Marks the object as being restored into.
pub fn mark<C: Sql>(db: &C, now_ms: u64) -> Result<(), ApiError> {
    db.query(
        "INSERT INTO restore_mark (started_ms) VALUES (?)",
        vec![SqlValue::Int(now_ms as i64)],
    )
    .map_err(sql_err)?;
    Ok(())
}

/// Whether a restore is marked here (the alarm's jobs wait for its end).
pub fn marked<C: Sql>(db: &C) -> bool {
    db.query("SELECT 1 FROM restore_mark LIMIT 1", vec![])
        .is_ok_and(|rows| !rows.is_empty())
}

/// Ends the restore: no page is taken after it.
pub fn unmark<C: Sql>(db: &C) -> Result<(), ApiError> {
    db.query("DELETE FROM restore_mark", vec![])
        .map_err(sql_err)?;
    Ok(())
}

/// Inserts a checked page's rows, with their rowids, into its table (which
/// must exist here), while a restore is marked (else `backup_invalid`). In the directory's audit trail, entries from the page's first
/// `seq` on (the restore's own, audited before the backed-up trail came)
/// are held aside first.
pub fn insert_page<C: Sql>(db: &C, page: &Page) -> Result<u64, ApiError> {
    page.check()?;
    if !marked(db) {
        return Err(
            assent_core::Error::from(assent_core::error::RightsError::BackupInvalid {
                reason:
                    "no restore in progress here: a restore checks that the site is empty first"
                        .into(),
            })
            .into(),
        );
    }
    if !tables(db)?.contains(&page.table) {
        return Err(
            assent_core::Error::from(assent_core::error::RightsError::BackupInvalid {
                reason: format!("no table {} in this object", page.table),
            })
            .into(),
        );
    }
    let trail = page.object == assent_core::backup::DIRECTORY && page.table == "audit";
    if let (true, Some(Cell::Int(first))) = (trail, page.rows.first().map(|r| &r[0])) {
        db.query(
            "INSERT INTO audit_held (data) SELECT data FROM audit WHERE seq >= ? ORDER BY seq",
            vec![SqlValue::Int(*first)],
        )
        .map_err(sql_err)?;
        db.query(
            "DELETE FROM audit WHERE seq >= ?",
            vec![SqlValue::Int(*first)],
        )
        .map_err(sql_err)?;
    }
    let names = page
        .columns
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let marks = vec!["?"; page.columns.len()].join(", ");
    let insert = format!("INSERT INTO \"{}\" ({names}) VALUES ({marks})", page.table);
    for row in &page.rows {
        let values = row.iter().map(value).collect::<Result<Vec<_>, _>>()?;
        db.query(&insert, values).map_err(|e| {
            if e.is_unique_violation() {
                assent_core::Error::from(assent_core::error::RightsError::SiteNotEmpty).into()
            } else {
                sql_err(e)
            }
        })?;
    }
    Ok(page.rows.len() as u64)
}

/// Chains the held-aside entries on after the restored trail, in order,
/// each as it was (who, what, when) under its new place; answers how many.
pub fn rechain_held<C: Sql>(db: &C) -> Result<u64, ApiError> {
    use assent_core::admin::store::AdminStore;
    let held = db
        .query("SELECT data FROM audit_held ORDER BY rowid", vec![])
        .map_err(sql_err)?;
    let mut store = crate::admin_store::SqlAdminStore(db);
    let mut last = store.last_audit().map_err(assent_core::Error::from)?;
    for row in &held {
        let Some(SqlValue::Text(json)) = row.first() else {
            continue;
        };
        let entry: AuditEntry = serde_json::from_str(json)
            .map_err(|e| ApiError::Internal(format!("a held audit entry: {e}")))?;
        let next = AuditEntry::rechain(last.as_ref(), &entry);
        store.put_audit(&next).map_err(assent_core::Error::from)?;
        last = Some(next);
    }
    db.query("DELETE FROM audit_held", vec![])
        .map_err(sql_err)?;
    Ok(held.len() as u64)
}

#[cfg(test)]
mod tests;
