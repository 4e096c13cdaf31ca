//! The public log: `GET /v1/sites/{site}/log/checkpoint` (a C2SP signed
//! checkpoint, text), `.../log/inclusion?index=N&size=M` and
//! `.../log/consistency?from=A&to=B` (`{..., hashes: [base64...]}`), and
//! `GET /.well-known/jwks.json`, every key that signed receipts or checkpoints.

use assent_core::config::SiteConfig;
use worker::{Env, Request, Response};

use crate::error::ApiError;
use crate::{signing, site_log};

/// Forwards a log read to the site's Durable Object.
pub async fn get(
    req: &Request,
    env: &Env,
    site: &SiteConfig,
    what: &str,
) -> Result<Response, ApiError> {
    crate::rate_limit::check(env, req, &site.site).await?;
    let url = req.url().map_err(ApiError::from)?;
    let path = match url.query() {
        Some(q) => format!("/{what}?{q}"),
        None => format!("/{what}"),
    };
    let mut resp = site_log::get(env, &site.site, &path).await?;
    // A checkpoint changes at most every second; proofs for a given size never change.
    let cache = if what == "checkpoint" {
        "public, max-age=1"
    } else {
        "public, max-age=86400, immutable"
    };
    if resp.status_code() == 200 {
        let _ = resp.headers_mut().set("cache-control", cache);
    }
    Ok(resp)
}

/// The JWKS: current key first, retired keys marked `"status": "retired"`.
pub fn jwks(env: &Env) -> Result<Response, ApiError> {
    let mut resp = Response::from_json(&signing::jwks(env)?)?;
    let _ = resp
        .headers_mut()
        .set("cache-control", "public, max-age=300");
    Ok(resp)
}
