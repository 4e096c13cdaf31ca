//! `GET /v1/admin/sites/{site}/processing-record?format=json|csv|html`: the
//! record of processing (GDPR Art. 30), generated from the site's configuration.

use assent_core::config::SiteConfig;
use worker::{Env, Request, Response};

use crate::error::ApiError;

/// Answers the record of processing (not built yet).
pub fn get(_req: &Request, _env: &Env, _site: &SiteConfig) -> Result<Response, ApiError> {
    Err(ApiError::NotFound)
}
