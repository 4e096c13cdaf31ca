//! The public log: `GET /v1/sites/{site}/log/checkpoint` (a C2SP signed
//! checkpoint, text), `.../log/inclusion?index=N&size=M` and
//! `.../log/consistency?from=A&to=B` (`{..., hashes: [base64...]}`), and
//! `GET /.well-known/jwks.json`, every key that signed receipts or checkpoints.

use assent_core::ids::SiteId;
use worker::{Env, Headers, Request, Response};

use crate::error::ApiError;
use crate::messages::{self, ConsistencyQuery, InclusionQuery};
use crate::routes::Query;
use crate::signing;

/// Answers a log read from the site's log object.
pub async fn get(
    req: &Request,
    env: &Env,
    site: &SiteId,
    what: &str,
) -> Result<Response, ApiError> {
    let mut resp = match what {
        "checkpoint" => {
            Query::parse(req, &[])?;
            let note = messages::call(env, site, &messages::CHECKPOINT, &()).await?;
            let headers = Headers::new();
            headers.set("content-type", "text/plain; charset=utf-8")?;
            Response::ok(note)?.with_headers(headers)
        }
        "inclusion" => {
            let q = Query::parse(req, &["index", "size"])?;
            let query = InclusionQuery {
                index: q.required_u64("index")?,
                size: q.required_u64("size")?,
            };
            Response::from_json(&messages::call(env, site, &messages::INCLUSION, &query).await?)?
        }
        _ => {
            let q = Query::parse(req, &["from", "to"])?;
            let query = ConsistencyQuery {
                from: q.required_u64("from")?,
                to: q.required_u64("to")?,
            };
            Response::from_json(&messages::call(env, site, &messages::CONSISTENCY, &query).await?)?
        }
    };
    // A checkpoint changes at most every second; proofs for a given size never change.
    let cache = if what == "checkpoint" {
        "public, max-age=1"
    } else {
        "public, max-age=86400, immutable"
    };
    let _ = resp.headers_mut().set("cache-control", cache);
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
