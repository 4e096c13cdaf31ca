//! A site's configuration without a deploy, between the objects: the
//! directory's typed endpoints and their table over [`SqlEditionStore`],
//! and how an isolate asks it ([`resolve`], [`catch_up`]; what it knows
//! is [`crate::sites`]'). Every rule is
//! core's (`assent_core::config::edition`); the deployed file each rule
//! weighs a draft against is the Worker's embedded one
//! ([`crate::sites::deployed`]).

use assent_core::config::edition::{self, Draft, Edition, EditionStore, EditionSummary};
use assent_core::error::{ConfigError, RequestError};
use assent_core::ids::SiteId;
use serde::{Deserialize, Serialize};
use worker::{Request, Response, SqlStorage};

use assent_core::log::archive::ArchivedNotice;
use worker::Env;

use crate::edition_store::SqlEditionStore;
use crate::error::ApiError;
use crate::messages::{endpoints, Endpoint};
use crate::sites;

/// The newest edition, if newer than the number sent (what the asker knows).
pub const LATEST: Endpoint<u32, Option<Edition>> = Endpoint::directory("/config/latest");
/// The draft, if one is saved.
pub const DRAFT: Endpoint<(), Option<Draft>> = Endpoint::directory("/config/draft");
/// Checks and saves the draft.
pub const SAVE: Endpoint<SaveRequest, Draft> = Endpoint::directory("/config/save");
/// Discards the draft.
pub const DISCARD: Endpoint<(), ()> = Endpoint::directory("/config/discard");
/// Publishes the draft.
pub const PUBLISH: Endpoint<PublishRequest, Edition> = Endpoint::directory("/config/publish");
/// Every edition, newest first.
pub const EDITIONS: Endpoint<(), Vec<EditionSummary>> = Endpoint::directory("/config/editions");
/// One edition, whole.
pub const EDITION: Endpoint<u32, Edition> = Endpoint::directory("/config/edition");

/// Keeps the notices of a newly published edition, and of the one it
/// replaces, in the archive (the home shard's; a hash kept keeps its first
/// bytes): how many were new. Served by `log_handlers`.
pub const KEEP_NOTICES: Endpoint<Vec<ArchivedNotice>, u64> = Endpoint::new("/notices/keep");

/// A draft to check and save.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SaveRequest {
    /// The site.
    pub site: SiteId,
    /// The configuration's JSON, as sent.
    pub config: String,
    /// The hash of the configuration its author started from.
    pub base: String,
    /// Who saves it.
    pub by: String,
}

/// A publish.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PublishRequest {
    /// The site.
    pub site: SiteId,
    /// Who publishes.
    pub by: String,
}

/// Whether `path` is one of these endpoints.
pub fn handles(path: &str) -> bool {
    path.starts_with("/config/")
}

/// Asks the directory of `site` for an edition newer than the one known
/// and takes it in.
async fn ask(env: &Env, site: &SiteId) -> Result<(), ApiError> {
    let answer =
        crate::messages::call(env, site, &LATEST, &sites::latest_known(site.as_str())).await?;
    sites::adopt(site.as_str(), answer.as_ref(), now_ms());
    Ok(())
}

/// The configuration of `site` in force, asked of its directory when what
/// this isolate knows is older than [`sites::FRESH_MS`]; `None`: the edge does not
/// serve the site. The Worker's way to a site.
pub async fn resolve(
    env: &Env,
    site: &SiteId,
) -> Result<Option<&'static assent_core::config::SiteConfig>, ApiError> {
    if sites::deployed(site.as_str()).is_none() {
        return Ok(None);
    }
    let stale = sites::checked_ms(site.as_str())
        .is_none_or(|at| now_ms().saturating_sub(at) >= sites::FRESH_MS);
    if stale {
        if let Err(e) = ask(env, site).await {
            // What was known stays in force; nothing known is not guessed.
            worker::console_error!("site {site}: the directory did not answer: {e:?}");
            if sites::checked_ms(site.as_str()).is_none() {
                return Err(ApiError::Internal(format!(
                    "site {site}: no configuration known: {e:?}"
                )));
            }
        }
    }
    Ok(sites::get(site.as_str()))
}

/// A shard's way: catches up with the edition a message names (its
/// [`sites::EDITION_HEADER`]) before the message is handled.
pub async fn catch_up(env: &Env, header: Option<String>) -> Result<(), ApiError> {
    let Some((site, number)) = header.as_deref().and_then(|h| h.split_once(' ')) else {
        return Ok(());
    };
    // 0: the Worker knows of no edition, and the deployed file serves.
    let number: u32 = number.parse().unwrap_or(0);
    let Ok(site) = SiteId::new(site) else {
        return Ok(());
    };
    if number == 0 || sites::latest_known(site.as_str()) >= number {
        return Ok(());
    }
    ask(env, &site).await
}

fn now_ms() -> u64 {
    worker::Date::now().as_millis()
}

fn deployed(site: &SiteId) -> Result<&'static assent_core::config::SiteConfig, ApiError> {
    crate::sites::deployed(site.as_str()).ok_or_else(|| {
        ApiError::from(RequestError::SiteUnknown {
            site: site.to_string(),
        })
    })
}

/// Serves one of these endpoints on the directory's SQLite.
pub async fn serve(req: Request, sql: &SqlStorage) -> worker::Result<Response> {
    let mut store = SqlEditionStore(sql);
    let path = req.path();
    let now = worker::Date::now().as_millis();
    endpoints!(path.as_str(), req, {
        LATEST => |known: u32| {
                Ok(store.latest().map_err(assent_core::Error::from)?.filter(|e| e.number > known))
            },
        DRAFT => |()| Ok(store.draft().map_err(assent_core::Error::from)?),
        SAVE => |r: SaveRequest| {
                Ok(edition::save_draft(&mut store, deployed(&r.site)?, &r.config, &r.base, &r.by, now)?)
            },
        DISCARD => |()| Ok(store.discard_draft().map_err(assent_core::Error::from)?),
        PUBLISH => |r: PublishRequest| {
                let edition = edition::publish(&mut store, deployed(&r.site)?, &r.by, now)?;
                crate::sites::adopt(r.site.as_str(), Some(&edition), now);
                Ok(edition)
            },
        EDITIONS => |()| Ok(store.editions().map_err(assent_core::Error::from)?),
        EDITION => |n: u32| {
                Ok(store
                    .edition(n)
                    .map_err(assent_core::Error::from)?
                    .ok_or(assent_core::Error::from(ConfigError::EditionUnknown { edition: n }))?)
            },
    } else {
        Ok(ApiError::from(RequestError::NotFound).to_response())
    })
}
