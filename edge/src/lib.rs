//! # assent-edge
//!
//! The Cloudflare Worker of Assent: a thin shell over `assent-core`. It reads
//! HTTP, checks origins and sizes, calls core to validate, and hands valid
//! events to the site's [`site_log::SiteLog`] Durable Object, which sequences
//! and stores them in SQLite. Business rules live in core, not here.
//!
//! Modules, one per concept:
//! - [`routes`]: the HTTP API (`/v1/...`), one submodule per resource;
//! - [`sites`]: site configurations, validated at build time and embedded;
//! - [`cors`]: origin checks and CORS headers;
//! - [`rate_limit`]: per-site, per-client limits (hashed client address);
//! - [`site_log`]: the per-site Durable Object, an adapter that runs core's
//!   log sequencer ([`assent_core::log::sequencer`]) on its SQLite;
//! - [`site_admin`]: the object's owner endpoints (keys, audit, rights);
//! - [`admin_store`]: core's `AdminStore` (keys, audit trail) on SQLite;
//! - [`log_store`]: core's `LogStore` on SQLite (the object's, or `rusqlite` in tests);
//! - [`messages`]: the typed messages between the Worker and the log object;
//! - [`public_origin`]: the edge's configured public origins (`iss`, log origins);
//! - [`signing`]: the signing key and the JWKS, from secrets;
//! - [`error`]: the API error type: a stable code, a status, no internals.

use worker::{event, Context, Env, Request, Response, Result};

pub mod admin_store;
pub mod consent_cookie;
pub mod cors;
pub mod error;
pub mod form_store;
pub mod geo;
pub mod jobs;
pub mod log_handlers;
pub mod log_store;
pub mod messages;
pub mod public_origin;
pub mod rate_limit;
pub mod routes;
pub mod signing;
pub mod site_admin;
pub mod site_import;
pub mod site_log;
pub mod sites;
pub mod webhooks;

/// Largest request body the API reads (16 KiB): a consent event is about 1 KiB.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// Whether this is `make dev` or the tests (`ASSENT_DEV=1`): the dev-only
/// inputs (the geography header, a forced retention or recycle bin clock) are read only
/// then; `deploy-check` refuses a `wrangler.toml` that sets it.
pub(crate) fn dev_mode(env: &worker::Env) -> bool {
    env.var("ASSENT_DEV").map(|v| v.to_string()).ok().as_deref() == Some("1")
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    Ok(routes::handle(req, env).await)
}
