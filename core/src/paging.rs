//! How much one page of an owner's list holds, and the log's pages: every
//! list's default and cap in one place, for the routes that read the
//! owner's `?limit=` and the objects that answer them (a cap applied on one
//! side only would let a direct call to an object read a whole table).

use serde::{Deserialize, Serialize};

use crate::error::{Error, LogError};
use crate::log::store::{Listed, LogStore};

/// A list's page size: what the owner gets without asking, and the most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Without `?limit=`.
    pub default: u64,
    /// The most one page holds.
    pub max: u64,
}

impl Limit {
    /// The page size for the owner's `asked` (none: the default), within
    /// `1..=max`.
    ///
    /// ```
    /// use assent_core::paging::DELIVERIES;
    /// assert_eq!(DELIVERIES.of(None), 50);
    /// assert_eq!(DELIVERIES.of(Some(0)), 1);
    /// assert_eq!(DELIVERIES.of(Some(501)), 500);
    /// ```
    pub fn of(self, asked: Option<u64>) -> u64 {
        asked.unwrap_or(self.default).clamp(1, self.max)
    }
}

/// The log's records, newest first (a limit outside is refused, see
/// [`PageRequest::new`]).
pub const RECORDS: Limit = Limit {
    default: 50,
    max: 500,
};
/// The webhook and mail deliveries.
pub const DELIVERIES: Limit = Limit {
    default: 50,
    max: 500,
};
/// The development mailbox (`MAILER=dev`).
pub const MAILBOX: Limit = Limit {
    default: 20,
    max: 100,
};
/// The recycle bin, per shard.
pub const RECYCLE_BIN: Limit = Limit {
    default: 100,
    max: 500,
};
/// The data-subject requests queue, per shard.
pub const REQUESTS: Limit = Limit {
    default: 100,
    max: 500,
};
/// The opt-out and block lists, by lookup key (the owner's route refuses a
/// `?limit=` outside `1..=max`; the object caps what it answers at `max`).
pub const SUPPRESSIONS: Limit = Limit {
    default: 100,
    max: 1000,
};
/// Audit entries in one page of the trail (and of a shard's handover).
pub const AUDIT: u64 = 500;
/// Contacts one retention dry run lists, per shard.
pub const RETENTION_DUE: u64 = 1000;

/// Default number of records in an owner's page.
pub const PAGE_DEFAULT: u64 = RECORDS.default;
/// Largest owner's page.
pub const PAGE_MAX: u64 = RECORDS.max;
/// Records in one page of an export stream.
pub const EXPORT_PAGE: u64 = 1000;

/// A checked request for a page of records, newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageRequest {
    /// Records per page, `1..=PAGE_MAX`.
    pub limit: u64,
    /// Only records below this index; `None`: from the newest.
    pub before: Option<u64>,
}

impl PageRequest {
    /// Checks the owner's query: a limit in `1..=PAGE_MAX` (default
    /// [`PAGE_DEFAULT`]) and an index that SQLite's integers can hold.
    pub fn new(limit: Option<u64>, before: Option<u64>) -> Result<Self, Error> {
        let limit = limit.unwrap_or(PAGE_DEFAULT);
        if !(1..=PAGE_MAX).contains(&limit) {
            return Err(LogError::QueryInvalid { parameter: "limit" }.into());
        }
        if before.is_some_and(|b| b > i64::MAX as u64) {
            return Err(LogError::QueryInvalid {
                parameter: "before",
            }
            .into());
        }
        Ok(PageRequest { limit, before })
    }
}

/// A page of records, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Records in the log.
    pub total: u64,
    /// The records, newest first.
    pub records: Vec<Listed>,
    /// `before` of the next page, while there may be more.
    pub next_before: Option<u64>,
}

/// One page of the owner's list.
pub fn page<S: LogStore + ?Sized>(store: &S, req: PageRequest) -> Result<Page, Error> {
    let total = store.size()?;
    // Below the size every index is a small integer (JavaScript's safe range too).
    let before = req.before.unwrap_or(total).min(total);
    let records = store.newest_before(before, req.limit)?;
    let next_before = if records.len() as u64 == req.limit {
        records.last().map(|r| r.index)
    } else {
        None
    };
    Ok(Page {
        total,
        records,
        next_before,
    })
}

/// One page of the export stream from index `from`, and the next `from`
/// while more may remain.
pub fn export_page<S: LogStore + ?Sized>(
    store: &S,
    from: u64,
) -> Result<(Vec<Listed>, Option<u64>), Error> {
    let records = store.oldest_from(from, EXPORT_PAGE)?;
    let next = (records.len() as u64 == EXPORT_PAGE).then(|| from + EXPORT_PAGE);
    Ok((records, next))
}
