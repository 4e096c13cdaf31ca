//! The owner's keys: list, create, revoke.

use assent_core::admin::{KeyName, Principal, Scopes};
use assent_core::config::SiteConfig;
use worker::{Env, Request, Response};

use super::admin::{json_value, key_view, malformed, Route};
use crate::error::ApiError;
use crate::messages::{self, KeyCreateRequest};
use crate::routes::events::bounded_body;
use crate::routes::Query;

/// Answers one of this module's routes, for `principal` (authorised and audited).
pub(super) async fn handle(
    route: Route,
    mut req: Request,
    env: &Env,
    site: &'static SiteConfig,
    _principal: &Principal,
) -> Result<Response, ApiError> {
    let id = &site.site;
    match route {
        Route::KeyList => {
            Query::parse(&req, &[])?;
            let keys = messages::call(env, id, &messages::KEY_LIST, &()).await?;
            let keys: Vec<serde_json::Value> = keys.iter().map(key_view).collect();
            json_value(&serde_json::json!({ "keys": keys }), 200)
        }
        Route::KeyCreate => {
            Query::parse(&req, &[])?;
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Body {
                name: String,
                scopes: Vec<String>,
            }
            let body = bounded_body(&mut req).await?;
            let body: Body = serde_json::from_slice(&body).map_err(malformed)?;
            let request = KeyCreateRequest {
                site: id.clone(),
                name: KeyName::new(&body.name)?,
                scopes: Scopes::parse(&body.scopes.join(","))?,
            };
            let created = messages::call(env, id, &messages::KEY_CREATE, &request).await?;
            let mut view = key_view(&created.key);
            view["key"] = created.token.into();
            json_value(&view, 201)
        }
        Route::KeyRevoke(key) => {
            Query::parse(&req, &[])?;
            let revoked = messages::call(env, id, &messages::KEY_REVOKE, &key).await?;
            json_value(&key_view(&revoked), 200)
        }
        _ => unreachable!("routed here by admin::handle"),
    }
}
