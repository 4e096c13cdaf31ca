//! The directory's side of a site's configuration without a deploy: its
//! typed endpoints and their table over [`SqlEditionStore`]. Every rule is
//! core's (`assent_core::config::edition`); the deployed file each rule
//! weighs a draft against is the Worker's embedded one
//! ([`crate::sites::deployed`]).

use assent_core::config::edition::{self, Draft, Edition, EditionStore, EditionSummary};
use assent_core::error::{ConfigError, RequestError};
use assent_core::ids::SiteId;
use serde::{Deserialize, Serialize};
use worker::{Request, Response, SqlStorage};

use crate::edition_store::SqlEditionStore;
use crate::error::ApiError;
use crate::messages::{endpoints, Endpoint};

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
