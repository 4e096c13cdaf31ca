//! An object's side of a backup and a restore, the same for a site's
//! directory and each log shard (`crate::backup_store` does the SQL):
//! [`PAGE`] reads the next page from a cursor, [`CHECK`] says whether the
//! object is empty enough to restore into, [`RESTORE`] inserts one page,
//! [`END`] counts what is there, checks a shard's log against its newest
//! checkpoint, and chains the directory's held-aside audit entries on.

use std::collections::BTreeMap;

use assent_core::backup::Page;
use serde::{Deserialize, Serialize};
use worker::{Request, Response, SqlStorage};

use crate::backup_store::{self as store, Cursor, Read};
use crate::error::ApiError;
use crate::log_store::SqlLogStore;
use crate::messages::Endpoint;
use crate::objects::Role;

/// The next page of the object, from a cursor (none: its first).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PageRequest {
    /// The object's name in the backup (`directory`, `shard/<k>`).
    pub object: String,
    /// Where to go on.
    pub from: Option<Cursor>,
}

/// Whether a restore may write here.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Readiness {
    /// Tables that hold rows already (empty: ready).
    pub occupied: Vec<String>,
}

/// What an object holds after a restore.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Restored {
    /// Rows per table.
    pub tables: BTreeMap<String, u64>,
    /// A shard's log size and the size its newest checkpoint signs (a
    /// shard whose log does not match its checkpoint answers an error).
    pub log: Option<(u64, Option<u64>)>,
    /// The restore's own audit entries chained on after the restored trail.
    pub rechained: u64,
}

/// The endpoints of `role` (their paths differ, so a message reaches the
/// role it was meant for).
pub struct Endpoints {
    /// [`PAGE`] or [`DIRECTORY_PAGE`].
    pub page: Endpoint<PageRequest, Read>,
    /// [`CHECK`] or [`DIRECTORY_CHECK`]: `true` also marks an empty object.
    pub check: Endpoint<bool, Readiness>,
    /// [`RESTORE`] or [`DIRECTORY_RESTORE`].
    pub restore: Endpoint<Page, u64>,
    /// [`END`] or [`DIRECTORY_END`].
    pub end: Endpoint<(), Restored>,
}

/// A shard's next backup page.
pub const PAGE: Endpoint<PageRequest, Read> = Endpoint::new("/backup/page");
/// Whether a shard is empty (and, asked so, mark it as being restored into).
pub const CHECK: Endpoint<bool, Readiness> = Endpoint::new("/backup/check");
/// Insert a page into a shard.
pub const RESTORE: Endpoint<Page, u64> = Endpoint::new("/backup/restore");
/// A shard after its restore.
pub const END: Endpoint<(), Restored> = Endpoint::new("/backup/end");
/// The directory's next backup page.
pub const DIRECTORY_PAGE: Endpoint<PageRequest, Read> = Endpoint::directory("/backup/page");
/// Whether the directory is empty (and, asked so, mark it).
pub const DIRECTORY_CHECK: Endpoint<bool, Readiness> = Endpoint::directory("/backup/check");
/// Insert a page into the directory.
pub const DIRECTORY_RESTORE: Endpoint<Page, u64> = Endpoint::directory("/backup/restore");
/// The directory after its restore.
pub const DIRECTORY_END: Endpoint<(), Restored> = Endpoint::directory("/backup/end");

/// The endpoints of an object of `role`.
pub fn of(role: Role) -> Endpoints {
    match role {
        Role::Shard => Endpoints {
            page: PAGE,
            check: CHECK,
            restore: RESTORE,
            end: END,
        },
        Role::Directory => Endpoints {
            page: DIRECTORY_PAGE,
            check: DIRECTORY_CHECK,
            restore: DIRECTORY_RESTORE,
            end: DIRECTORY_END,
        },
    }
}

/// Checks the directory's whole audit trail as one hash chain.
fn verify_trail(sql: &SqlStorage) -> Result<(), ApiError> {
    use assent_core::admin::store::AdminStore;
    let store = crate::admin_store::SqlAdminStore(sql);
    let mut last = None;
    loop {
        let after = last
            .as_ref()
            .map_or(0, |e: &assent_core::admin::audit::AuditEntry| e.seq);
        let page = store
            .audit_after(after, assent_core::paging::AUDIT)
            .map_err(assent_core::Error::from)?;
        if let Err(seq) = assent_core::admin::audit::verify_chain(last.as_ref(), &page) {
            return Err(
                assent_core::Error::from(assent_core::error::RightsError::BackupInvalid {
                    reason: format!("the restored audit trail breaks at entry {seq}"),
                })
                .into(),
            );
        }
        match page.last() {
            Some(e) => last = Some(e.clone()),
            None => return Ok(()),
        }
    }
}

/// Whether `path` is one of this module's endpoints for `role`.
pub fn handles(role: Role, path: &str) -> bool {
    let e = of(role);
    [e.page.path, e.check.path, e.restore.path, e.end.path].contains(&path)
}

/// Serves this module's endpoint `path` (one it [`handles`]) for an object of `role`.
pub async fn serve(
    role: Role,
    path: &str,
    req: Request,
    sql: &SqlStorage,
    grew: &mut bool,
) -> worker::Result<Response> {
    let e = of(role);
    let shard = role == Role::Shard;
    if path == e.page.path {
        e.page
            .serve(req, |r: PageRequest| {
                store::read_page(sql, &r.object, r.from)
            })
            .await
    } else if path == e.check.path {
        e.check
            .serve(req, |mark: bool| {
                let occupied = store::occupied(sql, !shard)?;
                if mark && occupied.is_empty() {
                    store::mark(sql, worker::Date::now().as_millis())?;
                }
                Ok(Readiness { occupied })
            })
            .await
    } else if path == e.restore.path {
        e.restore
            .serve(req, |page: Page| store::insert_page(sql, &page))
            .await
    } else {
        e.end
            .serve(req, |()| {
                let log = if shard {
                    Some(assent_core::log::sequencer::check_restored(&SqlLogStore(
                        sql,
                    ))?)
                } else {
                    None
                };
                store::unmark(sql)?;
                let rechained = if shard { 0 } else { store::rechain_held(sql)? };
                if !shard {
                    verify_trail(sql)?;
                }
                let tables = store::counts(sql)?;
                // Counted: the shard's jobs (checkpoints, expiries, deliveries) may run.
                *grew = shard;
                Ok(Restored {
                    tables,
                    log,
                    rechained,
                })
            })
            .await
    }
}
