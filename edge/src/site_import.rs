//! The log object's list endpoints (opt-out and block lists), handed the
//! paths that are neither the log's nor the owner's other endpoints.
//!
//! [`IMPORT`] takes one batch of lookup keys (never an address: the Worker
//! turned each into its keyed hash), runs core's
//! `rights::import::import_batch` on the object's SQLite (the suppressions,
//! the batch's `import` record and each listed contact's withdrawal in one
//! synchronous stretch, committed together) and answers what became of
//! them. [`SUPPRESSIONS`] pages through the lists by lookup key;
//! [`UNLIST`] takes one key off them, with its `unlist` record.

use assent_core::form::store::{Suppression, SuppressionKind, Suppressions};
use assent_core::ids::EventId;
use assent_core::log::LogStore;
use assent_core::rights::import::{BatchOutcome, ImportRecord, List};
use assent_core::site::{EdgeContext, Site};
use serde::{Deserialize, Serialize};
use worker::{Env, Request, Response, SqlStorage};

use crate::error::ApiError;
use crate::form_store::SqlFormStore;
use crate::log_store::SqlLogStore;
use crate::messages::{endpoints, Endpoint};
use crate::{signing, sites};
use assent_core::error::RequestError;

/// Suppress a batch of lookup keys and record it in the log.
pub const IMPORT: Endpoint<ImportRequest, BatchOutcome> = Endpoint::new("/rights/import");
/// A page of the lists, by lookup key.
pub const SUPPRESSIONS: Endpoint<ListPage, Vec<Suppression>> =
    Endpoint::new("/rights/suppressions");
/// Take a lookup key off the lists, with its record.
pub const UNLIST: Endpoint<UnlistRequest, ImportRecord> = Endpoint::new("/rights/unlist");

/// A page of the lists: up to `limit` entries after `after`, of `kind` when given.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListPage {
    /// Only this lookup key's entry (the owner's search by address).
    pub only: Option<String>,
    /// The last lookup key of the page before.
    pub after: Option<String>,
    /// Only entries of this kind.
    pub kind: Option<SuppressionKind>,
    /// At most this many.
    pub limit: u64,
}

/// The owner's removal of one lookup key from the lists.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnlistRequest {
    /// The lookup key.
    pub lookup: String,
    /// The `unlist` record's event id (drawn by the Worker).
    pub event_id: EventId,
    /// Server time, log origin and issuer.
    pub ctx: EdgeContext,
}

/// One batch of an imported list.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    /// The batch's lookup keys, in row order (duplicates are the object's to count).
    pub lookups: Vec<String>,
    /// What the list is, and the channels it withdraws.
    pub list: List,
    /// The batch record's event id (drawn by the Worker).
    pub event_id: EventId,
    /// Server time, log origin and issuer.
    pub ctx: EdgeContext,
}

/// Serves `req` if its path is the import's (setting `grew` when the log
/// appended); any other path is no endpoint of the object's: `404`.
pub async fn serve(
    path: &str,
    req: Request,
    env: &Env,
    sql: &SqlStorage,
    grew: &mut bool,
) -> worker::Result<Response> {
    let mut store = SqlLogStore(sql);
    let mut forms = SqlFormStore(sql);
    endpoints!(path, req, {
        IMPORT => |r: ImportRequest| {
            let site = sites::get(r.ctx.origin.site().as_str()).ok_or(ApiError::from(RequestError::NotFound))?;
            let outcome = Site::new(&mut store, &mut forms, site, &signing::current(env)?, &r.ctx).import_batch(r.lookups, &r.list, r.event_id)?;
            *grew = outcome.record.is_some() && !outcome.repeat;
            Ok(outcome)
        },
        SUPPRESSIONS => |r: ListPage| {
            let page = match &r.only {
                Some(lookup) => forms.suppression(lookup).map(|s| s.into_iter().collect()),
                None => forms.suppressions(
                    r.after.as_deref(),
                    r.kind,
                    r.limit.min(assent_core::paging::SUPPRESSIONS.max),
                ),
            };
            Ok(page.map_err(assent_core::Error::from)?)
        },
        UNLIST => |r: UnlistRequest| {
            let site = sites::get(r.ctx.origin.site().as_str()).ok_or(ApiError::from(RequestError::NotFound))?;
            let fresh = store.entry_by_event(&r.event_id).map_err(assent_core::Error::from)?.is_none();
            let record = Site::new(&mut store, &mut forms, site, &signing::current(env)?, &r.ctx).unlist(&r.lookup, r.event_id)?;
            *grew = fresh;
            Ok(record)
        },
    } else {
        Ok(ApiError::from(RequestError::NotFound).to_response())
    })
}
