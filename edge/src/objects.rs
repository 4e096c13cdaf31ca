//! Which object a message goes to, and the Worker's side of the hop: a
//! site's directory (by its site id) or one shard of its log (the site id
//! names the home shard, `<site>/<k>` the others), chosen by the endpoint's
//! role ([`Role`]); [`call`] sends one typed request and decodes its typed
//! answer, [`call_each`] asks every shard at once.

use assent_core::config::SiteConfig;
use assent_core::ids::{SiteId, SubjectId};
use assent_core::shards::ShardIndex;
use serde::de::DeserializeOwned;
use serde::Serialize;
use worker::{Env, Method, ObjectNamespace, Request, RequestInit};

use crate::error::ApiError;
use crate::error::WireError;
use std::marker::PhantomData;

/// Name of the log shards' Durable Object binding in `wrangler.toml`.
pub const BINDING: &str = "SITE_LOG";

/// Name of the site directories' Durable Object binding in `wrangler.toml`.
pub const DIRECTORY_BINDING: &str = "SITE_DIRECTORY";

/// Which object role an endpoint belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A shard of a site's log ([`crate::site_log`]).
    Shard,
    /// A site's directory ([`crate::directory`]): keys and the audit trail.
    Directory,
}

/// An endpoint of an object: its role, its path, and what goes in and out.
pub struct Endpoint<Q, A> {
    /// The role of the object that serves it.
    pub role: Role,
    /// The path the object matches.
    pub path: &'static str,
    types: PhantomData<fn(Q) -> A>,
}

impl<Q, A> Endpoint<Q, A> {
    /// A log shard's endpoint at `path` (public so that endpoints may live
    /// beside their handlers, as the import's do in `site_import`).
    pub const fn new(path: &'static str) -> Self {
        Endpoint {
            role: Role::Shard,
            path,
            types: PhantomData,
        }
    }

    /// A site directory's endpoint at `path`.
    pub const fn directory(path: &'static str) -> Self {
        Endpoint {
            role: Role::Directory,
            path,
            types: PhantomData,
        }
    }
}

/// Which object a message goes to: one shard of a site's log
/// (`assent_core::shards`). A site's id alone names its home shard, which
/// also keeps what is site-wide.
#[derive(Debug, Clone, Copy)]
pub struct Object<'a> {
    /// The site.
    pub site: &'a SiteId,
    /// The shard.
    pub shard: ShardIndex,
}

impl<'a> Object<'a> {
    /// The shard `subject` lives in, for life.
    pub fn of(site: &'a SiteConfig, subject: &SubjectId) -> Self {
        Object {
            site: &site.site,
            shard: site.log.shards.of(subject),
        }
    }

    /// Every shard of `site` that may hold records, home first.
    pub fn all(site: &'a SiteConfig) -> impl Iterator<Item = Object<'a>> {
        site.log.shards.all().map(|shard| Object {
            site: &site.site,
            shard,
        })
    }

    /// The object's name: the site id for home (as before shards, so a
    /// site's existing log is its home shard), `<site>/<k>` for the others.
    pub fn name(&self) -> String {
        if self.shard == ShardIndex::HOME {
            self.site.to_string()
        } else {
            format!("{}/{}", self.site, self.shard)
        }
    }
}

impl<'a> From<&'a SiteId> for Object<'a> {
    /// The home shard.
    fn from(site: &'a SiteId) -> Self {
        Object {
            site,
            shard: ShardIndex::HOME,
        }
    }
}

/// Sends `request` to a site's log object (its home shard, or the one
/// named) and decodes its answer.
pub async fn call<'a, Q: Serialize, A: DeserializeOwned>(
    env: &Env,
    to: impl Into<Object<'a>>,
    endpoint: &Endpoint<Q, A>,
    request: &Q,
) -> Result<A, ApiError> {
    let to = to.into();
    // A site has one directory (named by the site) and its shards.
    let (binding, name) = match endpoint.role {
        Role::Shard => (BINDING, to.name()),
        Role::Directory => (DIRECTORY_BINDING, to.site.to_string()),
    };
    let stub = namespace(env, binding, to.site)?
        .id_from_name(&name)?
        .get_stub()?;
    let body = serde_json::to_string(request).map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(body.into()));
    let mut req = Request::new_with_init(&format!("https://site-log{}", endpoint.path), &init)?;
    if endpoint.role == Role::Shard {
        // The shard checks against the edition this Worker used (`sites`).
        let edition = crate::sites::latest_known(to.site.as_str());
        req.headers_mut()?.set(
            crate::sites::EDITION_HEADER,
            &format!("{} {edition}", to.site),
        )?;
    }
    let resp = stub.fetch_with_request(req).await?;
    // serde_json on the text, not JavaScript's JSON.parse: integers stay exact.
    let text = whole_text(resp.into()).await?;
    let answer: Result<A, WireError> = serde_json::from_str(&text)
        .map_err(|e| ApiError::Internal(format!("log answer to {}: {e}", endpoint.path)))?;
    answer.map_err(ApiError::Relayed)
}

/// The namespace `binding` for `site`: restricted to the site's
/// `data_location` jurisdiction where its configuration names one (the
/// objects of such a site are created there and never leave it).
///
/// A runtime that cannot restrict fails the call: an EU site's records are
/// never stored elsewhere because a platform said no. The one exception is
/// `make dev` and the tests (`ASSENT_DEV=1`) under workerd, which has no
/// jurisdictions ("not implemented in workerd"): there every object is local.
fn namespace(env: &Env, binding: &str, site: &SiteId) -> Result<ObjectNamespace, ApiError> {
    let plain = env.durable_object(binding)?;
    let Some(location) = crate::sites::get(site.as_str()).and_then(|c| c.data_location) else {
        return Ok(plain);
    };
    // workers-rs has no `jurisdiction()` yet: call the runtime's own.
    use worker::wasm_bindgen::JsCast;
    let raw: &worker::wasm_bindgen::JsValue = plain.as_ref();
    let restricted = worker::js_sys::Reflect::get(raw, &"jurisdiction".into())
        .ok()
        .and_then(|f| f.dyn_into::<worker::js_sys::Function>().ok())
        .and_then(|f| f.call1(raw, &location.jurisdiction().into()).ok());
    match restricted {
        Some(ns) => Ok(ns.unchecked_into::<ObjectNamespace>()),
        None if crate::dev_mode(env) => Ok(plain),
        None => Err(ApiError::Internal(format!(
            "this runtime cannot restrict objects to the {} jurisdiction",
            location.jurisdiction()
        ))),
    }
}

/// A response's body as one string, read by the runtime's own `text()`.
/// workers-rs's `Response::text` reads a streamed body chunk by chunk and
/// releases the stream's lock after: 1 ms of a banner event's CPU under
/// workerd (BENCHMARKS.md, "Where an event's CPU goes").
pub(crate) async fn whole_text(resp: worker::web_sys::Response) -> Result<String, ApiError> {
    let promise = resp
        .text()
        .map_err(|_| ApiError::Internal("a body already read".into()))?;
    worker::wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .ok()
        .and_then(|v| v.as_string())
        .ok_or_else(|| ApiError::Internal("an unreadable body".into()))
}

/// Sends a request built for each shard of `site` (home first) to that
/// shard, all at once, and answers every shard's answer in shard order: the
/// owner's views of the whole site (the recycle bin, requests, stats).
pub async fn call_each<'a, Q: Serialize, A: DeserializeOwned>(
    env: &Env,
    site: &'a SiteConfig,
    endpoint: &Endpoint<Q, A>,
    request: impl Fn(Object<'a>) -> Result<Q, ApiError>,
) -> Result<Vec<A>, ApiError> {
    let requests = Object::all(site)
        .map(|to| Ok((to, request(to)?)))
        .collect::<Result<Vec<_>, ApiError>>()?;
    let calls = requests.iter().map(|(to, q)| call(env, *to, endpoint, q));
    futures_util::future::join_all(calls)
        .await
        .into_iter()
        .collect()
}
