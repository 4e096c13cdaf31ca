//! The owner's routes of the site's configuration without a deploy
//! (`assent_core::config::edition`): the configuration in force, the draft
//! (saved, discarded, previewed), publishing, and the editions.
//!
//! - `GET    .../config`                 in force: edition, hash, notice version, configuration
//! - `GET    .../config/draft`           the draft, or `null`
//! - `POST   .../config/draft?base=HASH` saves the body (the whole configuration) as the draft
//! - `DELETE .../config/draft`           discards it
//! - `POST   .../config/draft/preview`   a preview link of the draft (`assent_core::config::preview`)
//! - `POST   .../config/publish`         publishes the draft (scope `publish`)
//! - `GET    .../config/editions`        every edition, newest first
//! - `GET    .../config/editions/{n}`    one, with its configuration

use assent_core::admin::{Operation, Principal};
use assent_core::config::edition::{self, Edition, FIXED_AT_DEPLOY, MAX_CONFIG_BYTES};
use assent_core::config::{preview, SiteConfig};
use assent_core::error::RequestError;
use assent_core::log::archive;
use assent_core::utc::rfc3339;
use serde_json::{json, Value};
use worker::{Env, Method, Request, Response};

use super::admin::json_value;
use crate::error::ApiError;
use crate::messages;
use crate::routes::events::body_up_to;
use crate::routes::{query_invalid, Query};
use crate::site_config::{self, PublishRequest, SaveRequest};
use crate::sites;

/// One of these routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigRoute {
    /// The configuration in force.
    InForce,
    /// The draft.
    Draft,
    /// Save the draft.
    Save,
    /// Discard the draft.
    Discard,
    /// A preview link.
    Preview,
    /// Publish the draft.
    Publish,
    /// The editions.
    Editions,
    /// One edition.
    Edition(u32),
}

impl ConfigRoute {
    /// The route of `method` on the path after `.../config`; `Err(true)`:
    /// a path of these routes with another method, `Err(false)`: none.
    pub fn of(method: &Method, rest: &[&str]) -> Result<ConfigRoute, bool> {
        let (get, post, delete) = (
            *method == Method::Get,
            *method == Method::Post,
            *method == Method::Delete,
        );
        Ok(match rest {
            [] if get => ConfigRoute::InForce,
            ["draft"] if get => ConfigRoute::Draft,
            ["draft"] if post => ConfigRoute::Save,
            ["draft"] if delete => ConfigRoute::Discard,
            ["draft", "preview"] if post => ConfigRoute::Preview,
            ["publish"] if post => ConfigRoute::Publish,
            ["editions"] if get => ConfigRoute::Editions,
            ["editions", n] if get => ConfigRoute::Edition(number(n).ok_or(false)?),
            []
            | ["draft"]
            | ["draft", "preview"]
            | ["publish"]
            | ["editions"]
            | ["editions", _] => return Err(true),
            _ => return Err(false),
        })
    }

    /// What it does, for the key's scope and the audit trail.
    pub fn op(self) -> Operation {
        match self {
            ConfigRoute::InForce
            | ConfigRoute::Draft
            | ConfigRoute::Editions
            | ConfigRoute::Edition(_) => Operation::ConfigRead,
            ConfigRoute::Save | ConfigRoute::Discard | ConfigRoute::Preview => {
                Operation::ConfigEdit
            }
            ConfigRoute::Publish => Operation::ConfigPublish,
        }
    }

    /// What the audit trail names: the edition read.
    pub fn target(self) -> Option<String> {
        match self {
            ConfigRoute::Edition(n) => Some(format!("edition {n}")),
            _ => None,
        }
    }
}

/// An edition number: 1 to 9 digits, no sign, no leading zero.
fn number(text: &str) -> Option<u32> {
    let digits = !text.is_empty() && text.len() <= 9 && text.bytes().all(|b| b.is_ascii_digit());
    (digits && !text.starts_with('0')).then(|| text.parse().ok())?
}

/// Who did it, as an edition names them: `operator` or `key <id>`.
fn by(principal: &Principal) -> String {
    match principal {
        Principal::Operator => "operator".into(),
        Principal::Key { id, .. } => format!("key {id}"),
    }
}

fn config_value(canonical: &str) -> Result<Value, ApiError> {
    serde_json::from_str(canonical).map_err(|e| ApiError::Internal(e.to_string()))
}

fn edition_view(e: &Edition, whole: bool) -> Result<Value, ApiError> {
    let mut view = json!({
        "edition": e.number,
        "notice_version": e.notice_version,
        "hash": e.hash,
        "published_at": rfc3339(e.published_ms),
        "by": e.by,
    });
    if whole {
        view["config"] = config_value(&e.config)?;
    }
    Ok(view)
}

/// Answers one of these routes for `principal` (authorised and audited).
pub async fn handle(
    route: ConfigRoute,
    mut req: Request,
    env: &Env,
    site: &'static SiteConfig,
    principal: &Principal,
) -> Result<Response, ApiError> {
    let id = &site.site;
    let now = worker::Date::now().as_millis();
    if route != ConfigRoute::Save {
        Query::parse(&req, &[])?;
    }
    match route {
        ConfigRoute::InForce => {
            let latest = messages::call(env, id, &site_config::LATEST, &0).await?;
            let seed =
                sites::deployed(id.as_str()).ok_or(ApiError::from(RequestError::NotFound))?;
            let now = edition::in_force(seed, latest.as_ref());
            json_value(
                &json!({
                    "edition": now.edition,
                    "hash": now.hash,
                    "notice_version": now.config.notice_version,
                    "fixed_at_deploy": FIXED_AT_DEPLOY,
                    "config": serde_json::to_value(&now.config).map_err(|e| ApiError::Internal(e.to_string()))?,
                }),
                200,
            )
        }
        ConfigRoute::Draft => {
            let draft = messages::call(env, id, &site_config::DRAFT, &()).await?;
            let view = match draft {
                Some(d) => json!({
                    "base": d.base,
                    "saved_at": rfc3339(d.saved_ms),
                    "by": d.by,
                    "config": config_value(&d.config)?,
                }),
                None => Value::Null,
            };
            json_value(&json!({ "draft": view }), 200)
        }
        ConfigRoute::Save => {
            let q = Query::parse(&req, &["base"])?;
            let base = q
                .get("base")
                .ok_or_else(|| query_invalid("base"))?
                .to_string();
            let body = body_up_to(&mut req, MAX_CONFIG_BYTES).await?;
            let config = String::from_utf8(body).map_err(|_| query_invalid("body"))?;
            let request = SaveRequest {
                site: id.clone(),
                config,
                base,
                by: by(principal),
            };
            let d = messages::call(env, id, &site_config::SAVE, &request).await?;
            json_value(
                &json!({ "base": d.base, "saved_at": rfc3339(d.saved_ms), "by": d.by }),
                200,
            )
        }
        ConfigRoute::Discard => {
            messages::call(env, id, &site_config::DISCARD, &()).await?;
            json_value(&json!({ "draft": null }), 200)
        }
        ConfigRoute::Preview => {
            // Only a draft that checks today is worth a link.
            if messages::call(env, id, &site_config::DRAFT, &())
                .await?
                .is_none()
            {
                return Err(
                    assent_core::Error::from(assent_core::error::ConfigError::DraftNone).into(),
                );
            }
            let secret = crate::routes::forms::form_secret(env)?;
            let expires = now + preview::PREVIEW_MS;
            let token = preview::issue(secret.preview(), id, expires);
            let public = crate::public_origin::PublicOrigins::from_env(env)?;
            let url = format!("{}/v1/sites/{id}/preview/{token}/", public.canonical());
            json_value(&json!({ "url": url, "expires_at": rfc3339(expires) }), 201)
        }
        ConfigRoute::Publish => publish(env, site, principal, now).await,
        ConfigRoute::Editions => {
            let list = messages::call(env, id, &site_config::EDITIONS, &()).await?;
            let list: Vec<Value> = list
                .iter()
                .map(|e| {
                    json!({
                        "edition": e.number,
                        "notice_version": e.notice_version,
                        "hash": e.hash,
                        "published_at": rfc3339(e.published_ms),
                        "by": e.by,
                    })
                })
                .collect();
            json_value(&json!({ "editions": list }), 200)
        }
        ConfigRoute::Edition(n) => {
            let e = messages::call(env, id, &site_config::EDITION, &n).await?;
            json_value(&edition_view(&e, true)?, 200)
        }
    }
}

/// Publishes the draft, takes the edition in here at once, and keeps its
/// notices (and those of the configuration it replaces) in the archive.
async fn publish(
    env: &Env,
    site: &'static SiteConfig,
    principal: &Principal,
    now: u64,
) -> Result<Response, ApiError> {
    let id = &site.site;
    let request = PublishRequest {
        site: id.clone(),
        by: by(principal),
    };
    let outgoing = sites::notices(id.as_str()).unwrap_or_default();
    let e = messages::call(env, id, &site_config::PUBLISH, &request).await?;
    sites::adopt(id.as_str(), Some(&e), now);
    // Every notice of the edition, and of the configuration it
    // replaces, goes into the archive now: an auditor can fetch
    // each one years later even if no record names it.
    let incoming = sites::notices(id.as_str()).unwrap_or_default();
    let shown: Vec<_> = incoming
        .iter()
        .chain(outgoing)
        .map(|n| archive::ArchivedNotice {
            first_ms: e.published_ms,
            ..n.clone()
        })
        .collect();
    let kept = messages::call(env, id, &site_config::KEEP_NOTICES, &shown).await?;
    let mut view = edition_view(&e, false)?;
    view["notices"] = incoming.len().into();
    view["notices_new"] = kept.into();
    json_value(&view, 201)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edition_number_is_plain_digits() {
        assert_eq!(number("1"), Some(1));
        assert_eq!(number("999999999"), Some(999_999_999));
        for bad in ["", "0", "01", "+1", "1000000000", "1e3", " 1"] {
            assert_eq!(number(bad), None, "{bad:?}");
        }
    }
}
