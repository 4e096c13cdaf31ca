//! The public log: `GET /v1/sites/{site}/log/checkpoint` (a C2SP signed
//! checkpoint, text), `.../log/inclusion?index=N&size=M` and
//! `.../log/consistency?from=A&to=B` (`{..., hashes: [base64...]}`), each of
//! the home shard or of `&shard=k`; `.../log/checkpoints`, every shard's
//! latest checkpoint (`{"shards": [{shard, origin, checkpoint}]}`); and
//! `GET /.well-known/jwks.json`, every key that signed receipts or checkpoints.

use assent_core::config::SiteConfig;
use assent_core::shards::ShardIndex;
use worker::{Env, Headers, Request, Response};

use crate::error::ApiError;
use crate::messages::{self, ConsistencyQuery, InclusionQuery, Object};
use crate::public_origin::PublicOrigins;
use crate::routes::{query_invalid, Query};
use crate::signing;

/// The shard a query names (`shard=k`, home without one): one the site has.
pub(crate) fn shard_of<'a>(q: &Query, site: &'a SiteConfig) -> Result<Object<'a>, ApiError> {
    let shard = match q.u64("shard")? {
        None => ShardIndex::HOME,
        Some(k) => u16::try_from(k)
            .ok()
            .and_then(ShardIndex::new)
            .filter(|s| site.log.shards.has(*s))
            .ok_or_else(|| query_invalid("shard"))?,
    };
    Ok(Object {
        site: &site.site,
        shard,
    })
}

/// Answers a log read from the shard's object.
pub async fn get(
    req: &Request,
    env: &Env,
    site: &SiteConfig,
    what: &str,
) -> Result<Response, ApiError> {
    let mut resp = match what {
        "checkpoint" => {
            let q = Query::parse(req, &["shard"])?;
            let at = shard_of(&q, site)?;
            let note = messages::call(env, at, &messages::CHECKPOINT, &()).await?;
            let headers = Headers::new();
            headers.set("content-type", "text/plain; charset=utf-8")?;
            Response::ok(note)?.with_headers(headers)
        }
        "checkpoints" => {
            Query::parse(req, &[])?;
            let public = PublicOrigins::from_env(env)?;
            let notes =
                messages::call_each(env, site, &messages::CHECKPOINT_IF_ANY, |_| Ok(())).await?;
            let shards = Object::all(site)
                .zip(notes)
                .map(|(at, note)| {
                    Ok(serde_json::json!({
                        "shard": at.shard,
                        "origin": public.log_origin(at)?,
                        "checkpoint": note,
                    }))
                })
                .collect::<Result<Vec<_>, ApiError>>()?;
            Response::from_json(&serde_json::json!({ "shards": shards }))?
        }
        "inclusion" => {
            let q = Query::parse(req, &["index", "size", "shard"])?;
            let query = InclusionQuery {
                index: q.required_u64("index")?,
                size: q.required_u64("size")?,
            };
            let at = shard_of(&q, site)?;
            Response::from_json(&messages::call(env, at, &messages::INCLUSION, &query).await?)?
        }
        _ => {
            let q = Query::parse(req, &["from", "to", "shard"])?;
            let query = ConsistencyQuery {
                from: q.required_u64("from")?,
                to: q.required_u64("to")?,
            };
            let at = shard_of(&q, site)?;
            Response::from_json(&messages::call(env, at, &messages::CONSISTENCY, &query).await?)?
        }
    };
    // A checkpoint changes at most every second; proofs for a given size never change.
    let cache = if what.starts_with("checkpoint") {
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
