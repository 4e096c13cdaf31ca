//! `GET /v1/sites/{site}/assent.js?lang=de-AT,en`: the widget for one site in
//! one answer. The static loader (`/assent.js` with `data-site`) needs a
//! second round trip after it arrives, for the notice; this answer carries
//! it, so a first visit reaches the banner in as many round trips as a
//! widget whose texts are in the page (the page, then the script).
//!
//! It is the widget's per-site bundle (`assent-site.js`: the static bundle's
//! loader with an entry that fetches no config) after one statement that
//! hands its entry the site, the edge and the config answer (exactly what
//! `/config` would answer this request): the entry reads them from its own
//! script element, so no global is added. The engine (`/assent.wasm`) is not
//! inlined: a first visit draws the banner and records its choice from the
//! answer's plan without it, and a visitor who needs it fetches it as a
//! static file, cached apart from the answer. Cached like the config answer:
//! public for a minute per language, private when the edge's cookie put the
//! visitor's choice in it.

use std::sync::OnceLock;

use assent_core::config::SiteConfig;
use worker::{Env, Headers, Request, Response};

use crate::error::ApiError;
use crate::public_origin::PublicOrigins;
use crate::routes::config;

/// Name of the static assets binding in `wrangler.toml`.
const ASSETS: &str = "ASSETS";

pub(crate) async fn asset(env: &Env, path: &str) -> Result<Vec<u8>, ApiError> {
    let mut resp = env
        .assets(ASSETS)?
        .fetch(format!("https://assets.invalid{path}"), None)
        .await?;
    if resp.status_code() != 200 {
        return Err(ApiError::Internal(format!(
            "asset {path}: HTTP {}",
            resp.status_code()
        )));
    }
    Ok(resp.bytes().await?)
}

/// The widget's per-site bundle.
static WIDGET: OnceLock<Vec<u8>> = OnceLock::new();
/// The CMP API's stub (assent-tcf-stub.js).
static TCF_STUB: OnceLock<Vec<u8>> = OnceLock::new();

/// The static asset at `path`, read once per isolate into `cell`: assets
/// change only with a deploy, which starts new isolates.
async fn once_per_isolate(
    env: &Env,
    cell: &'static OnceLock<Vec<u8>>,
    path: &str,
) -> Result<&'static [u8], ApiError> {
    if let Some(bytes) = cell.get() {
        return Ok(bytes);
    }
    let bytes = asset(env, path).await?;
    Ok(cell.get_or_init(|| bytes))
}

/// Serves the per-site loader.
pub async fn get(req: &Request, env: &Env, site: &SiteConfig) -> Result<Response, ApiError> {
    let public = PublicOrigins::from_env(env)?;
    tag(req, env, site, format!("{}/", public.canonical()), true).await
}

/// The per-site loader of `site` whose widget finds the edge at `base`
/// (the edge's origin; a draft's preview, its own prefix, and no
/// `visitor`: see [`config::answer`]).
pub async fn tag(
    req: &Request,
    env: &Env,
    site: &SiteConfig,
    base: String,
    visitor: bool,
) -> Result<Response, ApiError> {
    let (answer, cache) = config::answer(req, env, site, visitor)?;
    let bundle = once_per_isolate(env, &WIDGET, "/assent-site.js").await?;
    let inline = serde_json::json!({
        "site": site.site,
        "base": base,
        "config": answer,
    });
    // `<` only occurs inside JSON strings (the notice's texts): escaped, a
    // text holding `</script>` stays harmless even if a page inlines this.
    let inline = inline.to_string().replace('<', "\\u003c");
    // A TCF site's CMP API stub comes first: `__tcfapi` exists before any
    // vendor's script can ask for it (widget/tcf/stub.js).
    let mut body = match &site.tcf {
        Some(_) => {
            let mut stub = once_per_isolate(env, &TCF_STUB, "/assent-tcf-stub.js")
                .await?
                .to_vec();
            stub.push(b'\n');
            stub
        }
        None => Vec::new(),
    };
    body.extend_from_slice(format!("document.currentScript.__assent={inline};\n").as_bytes());
    body.extend_from_slice(bundle);
    let headers = Headers::new();
    headers.set("content-type", "text/javascript; charset=utf-8")?;
    headers.set("cache-control", cache)?;
    headers.set("vary", "Accept-Language, Cookie")?;
    Ok(Response::from_bytes(body)?.with_headers(headers))
}
