//! Per-site, per-client rate limiting with the Workers rate-limiting binding.
//!
//! The client is the connecting IP address, hashed before it becomes a key:
//! the address is used for this check only and is never stored or logged.
//! A visitor makes a handful of requests per page; the limit in
//! `wrangler.toml` (120 per minute) leaves room for many visitors behind one
//! NAT while stopping floods. If the binding is missing the edge fails open:
//! losing a visitor's consent event is worse than letting a burst through.

use assent_core::ids::SiteId;
use sha2::{Digest, Sha256};
use worker::{Env, Request};

use crate::error::ApiError;

/// Name of the rate-limiting binding in `wrangler.toml`.
pub const BINDING: &str = "CLIENT_LIMITER";

/// Refuses the request with `rate_limited` when this client is over the limit for `site`.
///
/// There is no switch to turn it off: load benchmarks run `wrangler dev` with
/// a dev-only config that has no limiter binding.
pub async fn check(env: &Env, req: &Request, site: &SiteId) -> Result<(), ApiError> {
    let Ok(limiter) = env.rate_limiter(BINDING) else {
        return Ok(());
    };
    let ip = req
        .headers()
        .get("cf-connecting-ip")
        .ok()
        .flatten()
        .unwrap_or_default();
    let digest = Sha256::digest(format!("{site}\n{ip}").as_bytes());
    let key: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    match limiter.limit(key).await {
        Ok(outcome) if !outcome.success => Err(ApiError::RateLimited),
        _ => Ok(()),
    }
}
