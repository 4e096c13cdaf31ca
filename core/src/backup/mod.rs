//! Backups of a whole site, without I/O: the format of the one file an
//! operator keeps, sealed chunk by chunk to the operator's key
//! ([`seal`]), and the checks a restore makes before it writes anything.
//!
//! **What is in it.** Every row of every table of each of the site's
//! objects (its directory and each log shard): the log and its
//! checkpoints, the sealed identity vault, contacts, suppressions (keyed
//! hashes), keys (their hashes), the audit trail, requests, the breach
//! register, notes, mails and deliveries (sealed). Nothing is opened to
//! make it: what the stores hold sealed stays sealed, and the whole is
//! sealed again to the operator's key, so nothing readable leaves the edge.
//! Secrets (the signing key, the form secret) are not in it: they are
//! wrangler secrets, and a restore goes into a deployment that has them.
//!
//! **The file.** Text, one line each: a [`Header`] (JSON, in clear: the
//! site, the backup's id, when, and to which key), then one sealed
//! [`Chunk`] a line (base64url). A chunk's associated data is its place
//! ([`aad`]: the site, the backup's id and its sequence number), so a chunk
//! moved, dropped, repeated or taken from another backup does not open
//! there. The last chunk is [`Chunk::End`], which names how many came
//! before and every object: [`Backup::read`] refuses a file that stops
//! short, has a gap, or names objects it lacks pages of.
//!
//! **Consistency.** A backup is read a page at a time while the site may
//! still be written to: each object's tables are read in [`table_order`],
//! the checkpoints before the log's entries, so every checkpoint in a
//! backup is covered by the entries in it. Take a backup when the site is
//! quiet for an exact copy of everything else; a restore checks each
//! shard's log against its newest checkpoint before it answers.
//!
//! ```
//! use assent_core::backup::{seal::Identity, Backup, Cell, Chunk, Header, Page};
//! use assent_core::ids::SiteId;
//! let me = Identity::from_random([1; 32]);
//! let header = Header::new(SiteId::new("demo").unwrap(), [2; 16], 0, &me.recipient());
//! let page = Page { object: "directory".into(), table: "admin_keys".into(),
//!     columns: vec!["rowid".into(), "id".into()], rows: vec![vec![Cell::Int(1), Cell::Text("k".into())]] };
//! let file = [
//!     header.line(),
//!     header.seal(&me.recipient(), &Chunk::Rows { seq: 0, page }, [3; 56]),
//!     header.seal(&me.recipient(), &Chunk::End { seq: 1, objects: vec!["directory".into()] }, [4; 56]),
//! ].join("\n");
//! let backup = Backup::read(&file, &me).unwrap();
//! assert_eq!(backup.pages.len(), 1);
//! assert_eq!(backup.rows("directory", "admin_keys"), 1);
//! ```

use alloc::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::error::{Error, RightsError};
use crate::ids::SiteId;

pub mod seal;

use seal::{Identity, Recipient};

/// The format's version, in every header.
pub const FORMAT: u32 = 1;
/// Most rows in one page.
pub const PAGE_ROWS: usize = 500;
/// About the most bytes of cells in one page (a page stops after the row
/// that passes it), so a page fits the restore route's 1 MiB body.
pub const PAGE_BYTES: usize = 256 * 1024;
/// Most bytes of one page sent to the restore route (a page of
/// [`PAGE_BYTES`] of cells, as JSON).
pub const MAX_RESTORE_BYTES: usize = 1024 * 1024;
/// The object name of a site's directory; shards are `shard/<k>`.
pub const DIRECTORY: &str = "directory";

fn invalid(reason: impl Into<String>) -> Error {
    RightsError::BackupInvalid {
        reason: reason.into(),
    }
    .into()
}

/// The first line of a backup file, in clear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// [`FORMAT`].
    pub assent_backup: u32,
    /// The site it is of.
    pub site: SiteId,
    /// Its id: 16 random bytes, hex.
    pub id: String,
    /// When it was started (RFC 3339).
    pub created: String,
    /// The key its chunks are sealed to.
    pub recipient: String,
}

/// One cell of a row: SQLite's null, integer, text or bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Cell {
    /// NULL.
    Null(()),
    /// An integer.
    Int(i64),
    /// Text.
    Text(String),
    /// Bytes, as base64url.
    Blob {
        /// The bytes.
        b64: String,
    },
}

impl Cell {
    /// Bytes as a cell.
    pub fn blob(bytes: &[u8]) -> Cell {
        Cell::Blob {
            b64: B64.encode(bytes),
        }
    }

    /// A cell's bytes, if it holds bytes.
    pub fn bytes(&self) -> Result<Option<Vec<u8>>, Error> {
        match self {
            Cell::Blob { b64 } => B64
                .decode(b64)
                .map(Some)
                .map_err(|_| invalid("a blob cell that is not base64url")),
            _ => Ok(None),
        }
    }

    /// About how many bytes the cell takes.
    pub fn weight(&self) -> usize {
        match self {
            Cell::Null(()) | Cell::Int(_) => 8,
            Cell::Text(t) => t.len(),
            Cell::Blob { b64 } => b64.len(),
        }
    }
}

/// Rows of one table of one object: `columns` names each row's cells,
/// `rowid` first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// `directory` or `shard/<k>`.
    pub object: String,
    /// The table.
    pub table: String,
    /// Its columns, `rowid` first.
    pub columns: Vec<String>,
    /// The rows, in rowid order.
    pub rows: Vec<Vec<Cell>>,
}

impl Page {
    /// Checks the page's shape: names that are SQL identifiers (letters,
    /// digits, `_`), `rowid` first, every row as wide as the columns.
    pub fn check(&self) -> Result<(), Error> {
        let ident = |s: &str| {
            !s.is_empty()
                && s.len() <= 64
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        };
        if !ident(&self.table) || !self.columns.iter().all(|c| ident(c)) {
            return Err(invalid("a table or column name that is not an identifier"));
        }
        if self.columns.first().map(String::as_str) != Some("rowid") {
            return Err(invalid("a page's first column is rowid"));
        }
        let mut seen = alloc::collections::BTreeSet::new();
        if !self.columns.iter().all(|c| seen.insert(c)) {
            return Err(invalid("a column named twice"));
        }
        if self.rows.iter().any(|r| r.len() != self.columns.len()) {
            return Err(invalid("a row not as wide as its columns"));
        }
        if self.rows.iter().any(|r| !matches!(r[0], Cell::Int(_))) {
            return Err(invalid("a rowid that is not an integer"));
        }
        Ok(())
    }
}

/// One sealed line of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Chunk {
    /// A page of rows.
    Rows {
        /// Its place: 0, 1, ...
        seq: u64,
        /// The rows.
        page: Page,
    },
    /// The last chunk: `seq` chunks came before it.
    End {
        /// Its place, which is how many came before.
        seq: u64,
        /// Every object the backup holds, in the order read.
        objects: Vec<String>,
    },
}

impl Chunk {
    fn seq(&self) -> u64 {
        match self {
            Chunk::Rows { seq, .. } | Chunk::End { seq, .. } => *seq,
        }
    }
}

/// The associated data of chunk `seq` of a backup: its place.
pub fn aad(header: &Header, seq: u64) -> Vec<u8> {
    alloc::format!("assent/backup/v1\0{}\0{}\0{seq}", header.site, header.id).into_bytes()
}

impl Header {
    /// The header of a new backup of `site`, id from `random`, started at `now_ms`.
    pub fn new(site: SiteId, random: [u8; 16], now_ms: u64, to: &Recipient) -> Header {
        Header {
            assent_backup: FORMAT,
            site,
            id: hex::encode(random),
            created: crate::utc::rfc3339(now_ms),
            recipient: to.to_string(),
        }
    }

    /// The header's line.
    pub fn line(&self) -> String {
        serde_json::to_string(self).expect("a header serializes")
    }

    /// `chunk` sealed to `to` at its place, as a line; `random` as [`seal::seal`].
    pub fn seal(&self, to: &Recipient, chunk: &Chunk, random: [u8; 56]) -> String {
        let plain = serde_json::to_vec(chunk).expect("a chunk serializes");
        B64.encode(seal::seal(to, &aad(self, chunk.seq()), &plain, random))
    }
}

/// A backup file, opened and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    /// Its header.
    pub header: Header,
    /// Every page, in the order read.
    pub pages: Vec<Page>,
    /// Every object, in the order read.
    pub objects: Vec<String>,
}

impl Backup {
    /// Opens every chunk of `file` with `me` and checks the whole: the
    /// header's format and key, each chunk at its place, none missing
    /// (the last is the end, naming how many came before), each page's
    /// shape, and every page's object among those the end names.
    pub fn read(file: &str, me: &Identity) -> Result<Backup, Error> {
        let mut lines = file.lines().filter(|l| !l.trim().is_empty());
        let header: Header = serde_json::from_str(lines.next().unwrap_or(""))
            .map_err(|e| invalid(alloc::format!("header: {e}")))?;
        if header.assent_backup != FORMAT {
            return Err(invalid("a backup format this version does not read"));
        }
        if header.recipient != me.recipient().to_string() {
            return Err(invalid("sealed to another key"));
        }
        let mut pages = Vec::new();
        for (seq, line) in (0u64..).zip(lines) {
            let sealed = B64
                .decode(line.trim())
                .map_err(|_| invalid(alloc::format!("chunk {seq}: not base64url")))?;
            let plain = seal::open(me, &aad(&header, seq), &sealed)
                .map_err(|_| invalid(alloc::format!("chunk {seq} does not open at its place")))?;
            let chunk: Chunk = serde_json::from_slice(&plain)
                .map_err(|e| invalid(alloc::format!("chunk {seq}: {e}")))?;
            match chunk {
                Chunk::Rows { page, .. } => {
                    page.check()?;
                    pages.push(page);
                }
                Chunk::End { objects, .. } => {
                    if let Some(p) = pages.iter().find(|p| !objects.contains(&p.object)) {
                        return Err(invalid(alloc::format!(
                            "a page of {} the end does not name",
                            p.object
                        )));
                    }
                    return Ok(Backup {
                        header,
                        pages,
                        objects,
                    });
                }
            }
        }
        Err(invalid("the file stops before its end"))
    }

    /// How many rows of `table` of `object` the backup holds.
    pub fn rows(&self, object: &str, table: &str) -> u64 {
        self.pages
            .iter()
            .filter(|p| p.object == object && p.table == table)
            .map(|p| p.rows.len() as u64)
            .sum()
    }

    /// Rows per table of `object`.
    pub fn tables(&self, object: &str) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for p in self.pages.iter().filter(|p| p.object == object) {
            *out.entry(p.table.clone()).or_insert(0) += p.rows.len() as u64;
        }
        out
    }
}

/// The order an object's tables are read and restored in: every other
/// table by name, then `checkpoints`, then `entries` (the log last, so a
/// checkpoint read is covered by the entries read after it). Tables an
/// object keeps for itself are left out: the migration ledger, the
/// directory's handover mark, a restore's own tables, SQLite's, Cloudflare's and the local
/// runtime's own (`__miniflare_do_name`).
pub fn table_order(mut tables: Vec<String>) -> Vec<String> {
    tables.retain(|t| {
        !matches!(
            t.as_str(),
            "schema_migrations" | "handover" | "audit_held" | "restore_mark"
        ) && !t.starts_with("sqlite_")
            && !t.starts_with("_cf")
            && !t.starts_with("__")
    });
    let rank = |t: &str| match t {
        "checkpoints" => 1,
        "entries" => 2,
        _ => 0,
    };
    tables.sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.cmp(b)));
    tables
}

#[cfg(test)]
mod tests;
