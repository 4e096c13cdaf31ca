//! The log object's import endpoints (suppression lists), handed the paths
//! that are neither the log's nor the owner's other endpoints.
//!
//! [`IMPORT`] takes one batch of lookup keys (never an address: the Worker
//! turned each into its keyed hash), runs core's
//! `rights::import::import_batch` on the object's SQLite (the suppressions
//! and the batch's `import` record in one synchronous stretch, committed
//! together) and answers what became of them.

use assent_core::form::intake::{EdgeContext, SuppressionKind};
use assent_core::ids::EventId;
use assent_core::rights::import::{import_batch, BatchOutcome};
use serde::{Deserialize, Serialize};
use worker::{Env, Request, SqlStorage};

use crate::error::ApiError;
use crate::form_store::SqlFormStore;
use crate::log_store::SqlLogStore;
use crate::messages::{self, Endpoint};
use crate::site_admin::Served;
use crate::{signing, sites};

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

/// Answers `path` if it is an import endpoint; `None` otherwise.
pub async fn serve(
    path: &str,
    req: Request,
    env: &Env,
    sql: &SqlStorage,
) -> Option<worker::Result<Served>> {
    if path != IMPORT.path {
        return None;
    }
    let mut store = SqlLogStore(sql);
    let mut forms = SqlFormStore(sql);
    let mut grew = false;
    let response = messages::serve(req, |r: ImportRequest| {
        let site = sites::get(r.ctx.origin.site().as_str()).ok_or(ApiError::NotFound)?;
        let outcome = import_batch(
            &mut store,
            &mut forms,
            site,
            &signing::current(env)?,
            r.lookups,
            r.kind,
            r.event_id,
            &r.ctx,
        )?;
        grew = outcome.record.is_some() && !outcome.repeat;
        Ok(outcome)
    })
    .await;
    Some(response.map(|response| Served { response, grew }))
}
