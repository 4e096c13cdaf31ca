//! The log object's import endpoints (suppression lists), handed the paths
//! that are neither the log's nor the owner's other endpoints.

use worker::{Env, Request, SqlStorage};

use crate::site_admin::Served;

/// Answers `path` if it is an import endpoint; `None` otherwise (none yet).
pub async fn serve(
    _path: &str,
    _req: Request,
    _env: &Env,
    _sql: &SqlStorage,
) -> Option<worker::Result<Served>> {
    None
}
