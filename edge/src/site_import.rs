//! The log object's import endpoints (suppression lists), handed the paths
//! that are neither the log's nor the owner's other endpoints.
//!
//! [`IMPORT`] takes one batch of lookup keys (never an address: the Worker
//! turned each into its keyed hash), runs core's
//! `rights::import::import_batch` on the object's SQLite (the suppressions
//! and the batch's `import` record in one synchronous stretch, committed
//! together) and answers what became of them.

use assent_core::form::store::SuppressionKind;
use assent_core::ids::EventId;
use assent_core::rights::import::BatchOutcome;
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

/// One batch of an imported list.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    /// The batch's lookup keys, in row order (duplicates are the object's to count).
    pub lookups: Vec<String>,
    /// What the list is.
    pub kind: SuppressionKind,
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
            let outcome = Site::new(&mut store, &mut forms, site, &signing::current(env)?, &r.ctx).import_batch(r.lookups, r.kind, r.event_id)?;
            *grew = outcome.record.is_some() && !outcome.repeat;
            Ok(outcome)
        },
    } else {
        Ok(ApiError::from(RequestError::NotFound).to_response())
    })
}
