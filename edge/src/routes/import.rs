//! `POST /v1/admin/sites/{site}/suppressions/import`: an opt-out or block
//! list (CSV), checked row by row, its entries suppressed and recorded in the log.

use assent_core::config::SiteConfig;
use worker::{Env, Request, Response};

use crate::error::ApiError;

/// Imports a list (not built yet).
pub async fn post(_req: Request, _env: &Env, _site: &SiteConfig) -> Result<Response, ApiError> {
    Err(ApiError::NotFound)
}
