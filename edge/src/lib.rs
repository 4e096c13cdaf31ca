//! # assent-edge
//!
//! The Cloudflare Worker of Assent: a thin shell over `assent-core`. It reads
//! HTTP, checks origins and sizes, calls core to validate, and hands valid
//! events to the shard of the site's log their subject lives in
//! ([`site_log::SiteLog`], placed by `assent_core::shards`), which sequences
//! and stores them in SQLite; owner keys and the audit trail live in the
//! site's [`directory::SiteDirectory`]. Business rules live in core, not here.
//!
//! Modules, one per concept:
//! - [`routes`]: the HTTP API (`/v1/...`), one submodule per resource;
//! - [`sites`]: site configurations, validated at build time and embedded,
//!   and the editions published over them as this isolate knows them;
//! - [`site_config`], [`edition_store`]: the configuration without a deploy
//!   between the objects (the directory's drafts and editions, an
//!   isolate's asking), and its store on SQLite;
//! - [`cors`]: origin checks and CORS headers;
//! - [`geo`]: the visitor's country, from Cloudflare's header;
//! - [`first_layer`]: the banner's line of third parties and lifetime, worded
//!   with the platform's `Intl` into the config answer (the widget's plan of
//!   a first visit, `assent_widget::plan`, goes beside it);
//! - [`rate_limit`]: per-site, per-client limits (hashed client address);
//! - [`consent_cookie`]: the first-party cookie that carries the choice in force;
//! - [`messages`]: the typed messages between the Worker and the objects, by
//!   role ([`messages::Role`]); [`objects`]: which object a message goes to,
//!   and sending it;
//! - [`site_log`]: a log shard's Durable Object (the home shard also keeps
//!   the forms' store of its subjects); its tables [`log_handlers`],
//!   [`site_admin`] and [`site_import`]; its alarm's jobs, [`jobs`];
//! - [`directory`]: a site's directory object: owner keys and the audit trail;
//! - [`migrations`]: each object's numbered schema migrations;
//! - [`site_backup`], [`backup_store`]: a backup's pages read from and restored
//!   into either role's object, for any table.
//! - [`log_store`], [`form_store`], [`admin_store`]: core's store traits on SQLite
//!   (the object's, or `rusqlite` in tests);
//! - [`webhooks`]: the CRM hand-off, mail and SMS senders;
//! - [`public_origin`]: the edge's configured public origins (`iss`, log origins);
//! - [`signing`]: the signing key and the JWKS, from secrets;
//! - [`error`]: the API error type: a stable code, a status (core's class), no internals.

use worker::{event, Context, Env, Request, Response, Result};

pub mod admin_store;
pub mod backup_store;
pub mod consent_cookie;
pub mod cors;
pub mod directory;
pub mod edition_store;
pub mod error;
pub mod first_layer;
pub mod form_store;
pub mod geo;
pub mod jobs;
pub mod log_handlers;
pub mod log_store;
pub mod messages;
pub mod migrations;
pub mod objects;
pub mod public_origin;
pub mod rate_limit;
pub mod routes;
pub mod signing;
pub mod site_admin;
pub mod site_backup;
pub mod site_config;
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

/// How far ahead of the clock the alarm's jobs run: `ASSENT_DEV_ALARM_AHEAD_MS`,
/// read only in dev mode (the tests of a retention run killed midway need a
/// clock two years on), 0 everywhere else.
pub(crate) fn dev_alarm_ahead_ms(env: &worker::Env) -> u64 {
    if !dev_mode(env) {
        return 0;
    }
    env.var("ASSENT_DEV_ALARM_AHEAD_MS")
        .ok()
        .and_then(|v| v.to_string().parse().ok())
        .unwrap_or(0)
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    Ok(routes::handle(req, env).await)
}
