//! The HTTP API, v1. Routing is a plain `match` on the path segments so that
//! every miss (unknown path, wrong method) is a JSON error like any other.

use assent_core::config::SiteConfig;
use assent_core::ids::SiteId;
use worker::{Env, Method, Request, Response};

use crate::cors;
use crate::error::ApiError;
use crate::sites;

pub mod admin;
pub mod config;
pub mod events;
pub mod log;

/// Answers one request; never fails (faults become a JSON 500).
pub async fn handle(req: Request, env: Env) -> Response {
    let path = req.path();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let method = req.method();
    match segments.as_slice() {
        ["v1", "sites", site, resource @ ("config" | "events")] => {
            let site = match known_site(site) {
                Ok(site) => site,
                Err(e) => return e.to_response(),
            };
            let allow = match cors::check(&req, site) {
                Ok(allow) => allow,
                Err(e) => return e.to_response(),
            };
            let result = site_resource(req, &env, site, resource, allow.as_deref()).await;
            let resp = result.unwrap_or_else(|e| e.to_response());
            cors::decorate(resp, allow.as_deref())
        }
        ["v1", "sites", site, "log", proof @ ("checkpoint" | "inclusion" | "consistency")] => {
            let result = match (method, known_site(site)) {
                (_, Err(e)) => Err(e),
                (Method::Get | Method::Head, Ok(site)) => log::get(&req, &env, site, proof).await,
                (Method::Options, Ok(_)) => Ok(cors::preflight(Some("*"))),
                _ => Err(ApiError::MethodNotAllowed),
            };
            // Proofs are public evidence: any page or tool may read them.
            cors::decorate(result.unwrap_or_else(|e| e.to_response()), Some("*"))
        }
        [".well-known", "jwks.json"] => {
            let result = match method {
                Method::Get | Method::Head => log::jwks(&env),
                _ => Err(ApiError::MethodNotAllowed),
            };
            cors::decorate(result.unwrap_or_else(|e| e.to_response()), Some("*"))
        }
        ["v1", "admin", "sites", site, resource @ ("events" | "export")] => {
            let result = match (method, known_site(site)) {
                (_, Err(e)) => Err(e),
                (Method::Get, Ok(site)) if *resource == "events" => {
                    admin::list_events(&req, &env, site).await
                }
                (Method::Get, Ok(site)) => admin::export(&req, &env, site),
                _ => Err(ApiError::MethodNotAllowed),
            };
            result.unwrap_or_else(|e| e.to_response())
        }
        _ => ApiError::NotFound.to_response(),
    }
}

/// `config` and `events` of a known site, after the rate limit.
async fn site_resource(
    req: Request,
    env: &Env,
    site: &'static SiteConfig,
    resource: &str,
    allow: Option<&str>,
) -> Result<Response, ApiError> {
    let method = req.method();
    if method == Method::Options {
        return Ok(cors::preflight(allow));
    }
    crate::rate_limit::check(env, &req, &site.site).await?;
    match (method, resource) {
        (Method::Get | Method::Head, "config") => config::get(&req, env, site),
        (Method::Post, "events") => events::post(req, env, site).await,
        _ => Err(ApiError::MethodNotAllowed),
    }
}

fn known_site(site: &str) -> Result<&'static SiteConfig, ApiError> {
    SiteId::new(site)?;
    sites::get(site).ok_or_else(|| ApiError::SiteUnknown(site.to_string()))
}

/// A query parameter parsed as an unsigned integer, if present.
pub(crate) fn query_u64(req: &Request, name: &'static str) -> Result<Option<u64>, ApiError> {
    let url = req.url().map_err(ApiError::from)?;
    let value = url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned());
    match value {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| ApiError::QueryInvalid(name)),
    }
}
