//! Rate limiting with the Workers rate-limiting bindings, by the buckets of
//! `assent_core::limits` (who bears the cost counts; the numbers are core's
//! and `wrangler.toml`'s, held equal by a test below).
//!
//! The client is the connecting address the platform reports
//! (`CF-Connecting-IP`), hashed into the bucket's key: it is used for this
//! check only and never stored or logged. If a binding is missing the edge
//! fails open: losing a visitor's consent event is worse than letting a
//! burst through (load benchmarks run `wrangler dev` with a dev-only config
//! that has none).

use assent_core::ids::SiteId;
use assent_core::limits::{self, Bucket};
use worker::{Env, Request};

use crate::error::ApiError;
use assent_core::error::RequestError;

/// Every request from an address to a site (`ADDRESS_PER_MINUTE`).
pub const ADDRESS: &str = "ADDRESS_LIMITER";
/// A visitor: an address and a subject key (`VISITOR_PER_MINUTE`).
pub const VISITOR: &str = "CLIENT_LIMITER";
/// The owner's routes, per address and per key id (`OWNER_PER_MINUTE`).
pub const OWNER: &str = "OWNER_LIMITER";

fn client(req: &Request) -> String {
    req.headers()
        .get("cf-connecting-ip")
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// Counts one request in `bucket` on `binding`; `rate_limited` when over.
async fn count(env: &Env, binding: &str, bucket: Bucket<'_>) -> Result<(), ApiError> {
    let Ok(limiter) = env.rate_limiter(binding) else {
        return Ok(());
    };
    match limiter.limit(bucket.key()).await {
        Ok(outcome) if !outcome.success => Err(ApiError::from(RequestError::RateLimited)),
        _ => Ok(()),
    }
}

/// A public request: the address's ceiling, and the visitor's own limit
/// where the request carries a subject key.
pub async fn check(env: &Env, req: &Request, site: &SiteId) -> Result<(), ApiError> {
    let client = client(req);
    count(
        env,
        ADDRESS,
        Bucket::Address {
            site,
            client: &client,
        },
    )
    .await?;
    let key = req
        .headers()
        .get(assent_core::subject_key::HEADER)
        .ok()
        .flatten();
    if let Some(key) = key {
        count(
            env,
            VISITOR,
            Bucket::Visitor {
                site,
                client: &client,
                key: &key,
            },
        )
        .await?;
    }
    Ok(())
}

/// An owner's request presenting `presented`: counted per address and per
/// key id (an unknown id too), before the key is checked.
pub async fn check_owner(
    env: &Env,
    req: &Request,
    site: &SiteId,
    presented: &str,
) -> Result<(), ApiError> {
    let client = client(req);
    count(
        env,
        OWNER,
        Bucket::OwnerClient {
            site,
            client: &client,
        },
    )
    .await?;
    let id = limits::owner_key_id(presented);
    count(env, OWNER, Bucket::OwnerKey { site, id }).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `wrangler.toml` declares each binding with core's number and window
    /// (read as the lines `name = "..."` and `simple = { limit = N, period = P }`
    /// of each `[[ratelimits]]` table).
    #[test]
    fn wrangler_toml_holds_cores_numbers() {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../wrangler.toml"))
                .unwrap();
        let tables: Vec<&str> = text.split("[[ratelimits]]").skip(1).collect();
        assert_eq!(tables.len(), 3, "three limiters");
        for (binding, number) in [
            (ADDRESS, limits::ADDRESS_PER_MINUTE),
            (VISITOR, limits::VISITOR_PER_MINUTE),
            (OWNER, limits::OWNER_PER_MINUTE),
        ] {
            let table = tables
                .iter()
                .find(|t| t.contains(&format!("name = \"{binding}\"")))
                .unwrap_or_else(|| panic!("{binding} is not in wrangler.toml"));
            let simple = format!(
                "simple = {{ limit = {number}, period = {} }}",
                limits::WINDOW_SECONDS
            );
            assert!(table.contains(&simple), "{binding}: {simple}");
        }
    }
}
