//! The HTTP API, v1. Routing is a plain `match` on the path segments so that
//! every miss (unknown path, wrong or unknown method, unknown query
//! parameter) is a JSON error like any other.

use assent_core::config::SiteConfig;
use assent_core::ids::SiteId;
use worker::{Env, Method, Request, Response};

use crate::cors;
use crate::error::ApiError;
use assent_core::error::RequestError;

pub mod admin;
mod admin_config;
mod admin_keys;
mod admin_site;
mod admin_subjects;
mod attest;
mod backup;
mod breaches;
pub mod config;
mod contacts;
pub mod events;
pub mod forms;
pub mod import;
mod lists;
pub mod loader;
pub mod log;
pub mod notices;
pub mod page;
pub mod preview;
pub mod privacy;
pub mod ropa;
mod unsubscribe;

/// The request's method, if it is one the API answers anywhere. workers-rs
/// reads any other method (`PROPFIND`, ...) as `GET`, so the raw name is checked.
fn method(req: &Request) -> Option<Method> {
    let raw = req.inner().method();
    // DELETE only on the owner's API (an entry off a list), whose router
    // names it per route; every other router knows GET, HEAD, POST and
    // OPTIONS only.
    let owner = || req.path().starts_with("/v1/admin/");
    (matches!(raw.as_str(), "GET" | "HEAD" | "POST" | "OPTIONS") || (raw == "DELETE" && owner()))
        .then(|| req.method())
}

/// Answers one request; never fails (faults become a JSON 500).
pub async fn handle(req: Request, env: Env) -> Response {
    let path = req.path();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let Some(method) = method(&req) else {
        return ApiError::from(RequestError::MethodNotAllowed).to_response();
    };
    match segments.as_slice() {
        ["v1", "sites", site, resource @ ("config" | "events" | "assent.js")] => {
            let (site, allow) = match site_with_cors(&req, &env, site).await {
                Ok(found) => found,
                Err(resp) => return resp,
            };
            let result = site_resource(req, &env, site, resource, allow.as_deref()).await;
            let resp = result.unwrap_or_else(|e| e.to_response());
            cors::decorate(resp, allow.as_deref())
        }
        ["v1", "sites", site, rest @ ("forms" | "subjects"), tail @ ..] => {
            let (site, allow) = match site_with_cors(&req, &env, site).await {
                Ok(found) => found,
                Err(resp) => return resp,
            };
            let route = match (*rest, tail) {
                ("forms", [form]) => FormRoute::Notice(form),
                ("forms", [form, "submissions"]) => FormRoute::Submit(form),
                ("subjects", ["me", "state"]) => FormRoute::MyState,
                ("subjects", ["me", "withdraw"]) => FormRoute::MyWithdraw,
                _ => return ApiError::from(RequestError::NotFound).to_response(),
            };
            let result = form_resource(req, &env, site, route, method, allow.as_deref()).await;
            cors::decorate(result.unwrap_or_else(|e| e.to_response()), allow.as_deref())
        }
        // Pages a person reads: a limit is a page too.
        ["v1", "sites", site, "privacy", rest @ ..] => {
            let result = match known_site(&env, site).await {
                Err(e) => Err(e),
                Ok((id, site)) => match crate::rate_limit::check(&env, &req, &id).await {
                    Ok(()) => privacy::handle(req, &env, site, rest).await,
                    Err(_) => page::limited(&site.default_language),
                },
            };
            result.unwrap_or_else(|e| e.to_response())
        }
        ["v1", "sites", site, "unsubscribe"] => {
            let result = match (method, known_site(&env, site).await) {
                (_, Err(e)) => Err(e),
                (Method::Get | Method::Head | Method::Post, Ok((id, site))) => {
                    match crate::rate_limit::check(&env, &req, &id).await {
                        Ok(()) => unsubscribe::handle(req, &env, site).await,
                        Err(_) => page::limited(&site.default_language),
                    }
                }
                _ => Err(ApiError::from(RequestError::MethodNotAllowed)),
            };
            result.unwrap_or_else(|e| e.to_response())
        }
        ["v1", "sites", site, "confirm", rest @ ..] if matches!(rest, [] | ["phone"]) => {
            let phone = !rest.is_empty();
            let result = match (method, known_site(&env, site).await) {
                (_, Err(e)) => Err(e),
                (Method::Get | Method::Head | Method::Post, Ok((id, site))) => {
                    match crate::rate_limit::check(&env, &req, &id).await {
                        Ok(()) if phone => forms::confirm_phone(req, &env, site).await,
                        Ok(()) => forms::confirm(req, &env, site).await,
                        Err(_) => page::limited(&site.default_language),
                    }
                }
                _ => Err(ApiError::from(RequestError::MethodNotAllowed)),
            };
            result.unwrap_or_else(|e| e.to_response())
        }
        ["v1", "sites", site, "preview", token, rest @ ..] => {
            preview_of(req, &env, site, token, rest).await
        }
        // The owner's routes: the key, the route, the audit, the answer.
        ["v1", "admin", "sites", site, tail @ ..] => owner(req, &env, site, tail).await,
        ["v1", "sites", site, "log", proof @ ("checkpoint" | "checkpoints" | "inclusion" | "consistency")] =>
        {
            let result = match (method, known_site(&env, site).await) {
                (_, Err(e)) => Err(e),
                (Method::Get | Method::Head, Ok((id, config))) => {
                    match crate::rate_limit::check(&env, &req, &id).await {
                        Ok(()) => log::get(&req, &env, config, proof).await,
                        Err(e) => Err(e),
                    }
                }
                (Method::Options, Ok(_)) => Ok(cors::preflight(Some("*"))),
                _ => Err(ApiError::from(RequestError::MethodNotAllowed)),
            };
            // Proofs are public evidence: any page or tool may read them.
            cors::decorate(result.unwrap_or_else(|e| e.to_response()), Some("*"))
        }
        ["v1", "sites", site, "notices", hash] => {
            let result = match (method, known_site(&env, site).await) {
                (_, Err(e)) => Err(e),
                (Method::Get | Method::Head, Ok((id, _))) => {
                    match crate::rate_limit::check(&env, &req, &id).await {
                        Ok(()) => notices::get(&req, &env, &id, hash).await,
                        Err(e) => Err(e),
                    }
                }
                (Method::Options, Ok(_)) => Ok(cors::preflight(Some("*"))),
                _ => Err(ApiError::from(RequestError::MethodNotAllowed)),
            };
            // A notice is what the site shows every visitor, and evidence
            // like the proofs: any page or tool may read it.
            cors::decorate(result.unwrap_or_else(|e| e.to_response()), Some("*"))
        }
        [".well-known", "jwks.json"] => {
            let result = match method {
                Method::Get | Method::Head => log::jwks(&env),
                _ => Err(ApiError::from(RequestError::MethodNotAllowed)),
            };
            cors::decorate(result.unwrap_or_else(|e| e.to_response()), Some("*"))
        }
        _ => ApiError::from(RequestError::NotFound).to_response(),
    }
}

/// `config`, `assent.js` and `events` of a known site, after the rate limit.
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
        (Method::Get | Method::Head, "assent.js") => loader::get(&req, env, site).await,
        (Method::Post, "events") => {
            Query::parse(&req, &[])?;
            events::post(req, env, site).await
        }
        _ => Err(ApiError::from(RequestError::MethodNotAllowed)),
    }
}

/// An owner's route of a known site.
async fn owner(req: Request, env: &Env, site: &str, tail: &[&str]) -> Response {
    let result = match known_site(env, site).await {
        Ok((_, config)) => admin::handle(req, env, config, tail).await,
        Err(e) => Err(e),
    };
    result.unwrap_or_else(|e| e.to_response())
}

/// A preview of a known site's draft (its token is the capability), after
/// the rate limit.
async fn preview_of(req: Request, env: &Env, site: &str, token: &str, rest: &[&str]) -> Response {
    let result = match known_site(env, site).await {
        Ok((id, site)) => match crate::rate_limit::check(env, &req, &id).await {
            Ok(()) => preview::handle(req, env, site, token, rest).await,
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    result.unwrap_or_else(|e| e.to_response())
}

/// A form route of a known site.
enum FormRoute<'a> {
    Notice(&'a str),
    Submit(&'a str),
    MyState,
    MyWithdraw,
}

/// The form routes of a known site, after the rate limit.
async fn form_resource(
    req: Request,
    env: &Env,
    site: &'static SiteConfig,
    route: FormRoute<'_>,
    method: Method,
    allow: Option<&str>,
) -> Result<Response, ApiError> {
    if method == Method::Options {
        return Ok(cors::preflight(allow));
    }
    crate::rate_limit::check(env, &req, &site.site).await?;
    match (method, route) {
        (Method::Get | Method::Head, FormRoute::Notice(form)) => forms::get(&req, env, site, form),
        (Method::Post, FormRoute::Submit(form)) => {
            Query::parse(&req, &[])?;
            forms::submit(req, env, site, form).await
        }
        (Method::Get, FormRoute::MyState) => forms::my_state(&req, env, site).await,
        (Method::Post, FormRoute::MyWithdraw) => forms::my_withdraw(req, env, site).await,
        _ => Err(ApiError::from(RequestError::MethodNotAllowed)),
    }
}

/// A known site and the CORS origin this request may be answered for;
/// an unknown site or a refused origin is the answer itself.
async fn site_with_cors(
    req: &Request,
    env: &Env,
    site: &str,
) -> Result<(&'static SiteConfig, Option<String>), Response> {
    let (_, site) = known_site(env, site).await.map_err(|e| e.to_response())?;
    let allow = cors::check(req, env, site).map_err(|e| e.to_response())?;
    Ok((site, allow))
}

/// A known site and its configuration in force (`sites::resolve`).
async fn known_site(env: &Env, site: &str) -> Result<(SiteId, &'static SiteConfig), ApiError> {
    let id = SiteId::new(site)?;
    let config = crate::site_config::resolve(env, &id)
        .await?
        .ok_or_else(|| {
            ApiError::from(RequestError::SiteUnknown {
                site: site.to_string(),
            })
        })?;
    Ok((id, config))
}

/// Where an edge-made event happens: now, the origin of the shard it goes
/// to (a site id alone: home), the issuer.
pub(crate) fn edge_context<'a>(
    env: &Env,
    to: impl Into<crate::messages::Object<'a>>,
) -> Result<assent_core::site::EdgeContext, ApiError> {
    let public = crate::public_origin::PublicOrigins::from_env(env)?;
    Ok(assent_core::site::EdgeContext {
        now_ms: worker::Date::now().as_millis(),
        origin: public.log_origin(to)?,
        issuer: public.canonical().to_string(),
    })
}

/// A new event id from the platform's CSPRNG (for events the edge makes).
pub(crate) fn fresh_event_id() -> Result<assent_core::ids::EventId, ApiError> {
    Ok(assent_core::ids::EventId::from_random_bytes(random()?))
}

/// `N` random bytes from the platform (an id, a key, a nonce).
pub(crate) fn random<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes).map_err(|e| ApiError::Internal(format!("randomness: {e}")))?;
    Ok(bytes)
}

/// `query_invalid`: core's one error for a query outside the rules, whether
/// the edge finds it (syntax) or the log does (outside the log).
pub(crate) fn query_invalid(parameter: &'static str) -> ApiError {
    assent_core::Error::from(assent_core::error::LogError::QueryInvalid { parameter }).into()
}

/// A request's query, checked: only the parameters a route names, each at
/// most once; anything else is `query_invalid`.
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    /// Parses the query of `req`, allowing only `allowed` names.
    pub(crate) fn parse(req: &Request, allowed: &[&'static str]) -> Result<Self, ApiError> {
        let url = req.url().map_err(ApiError::from)?;
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (k, v) in url.query_pairs() {
            let Some(name) = allowed.iter().find(|a| **a == k) else {
                return Err(query_invalid("unknown parameter"));
            };
            if pairs.iter().any(|(seen, _)| seen == name) {
                return Err(query_invalid(name));
            }
            pairs.push((k.into_owned(), v.into_owned()));
        }
        Ok(Query(pairs))
    }

    /// The value of `name`, if given.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `name` as an unsigned decimal integer, if given.
    pub(crate) fn u64(&self, name: &'static str) -> Result<Option<u64>, ApiError> {
        self.get(name)
            .map(|v| {
                // Digits only: `+5`, ` 5` and `0x5` are not numbers here.
                if v.is_empty() || v.len() > 20 || !v.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(query_invalid(name));
                }
                v.parse().map_err(|_| query_invalid(name))
            })
            .transpose()
    }

    /// `name` as an unsigned integer, required.
    pub(crate) fn required_u64(&self, name: &'static str) -> Result<u64, ApiError> {
        self.u64(name)?.ok_or_else(|| query_invalid(name))
    }
}
