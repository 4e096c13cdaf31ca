//! `/v1/sites/{site}/preview/{token}/`: the site's draft shown by the real
//! widget, before it is published (`assent_core::config::preview`).
//!
//! The token's prefix is an edge of its own for the widget: the page loads
//! the per-site tag built from the draft (`.../assent.js`) and the form
//! widget (`.../assent-form.js`), whose addresses make the prefix their
//! base, so every later request comes back here. The draft's form notices
//! and, on a TCF site, the vendors it discloses are answered under it; its files are the edge's own; every write (an
//! event, a submission) is `preview_only` (403), so nothing a preview does
//! reaches the log. The page keeps the widget's storage in memory
//! (`preview.js`), so a preview neither reads nor changes the choice the
//! browser keeps for the live site.

use assent_core::config::edition;
use assent_core::config::{preview, SiteConfig};
use assent_core::error::{ConfigError, RequestError};
use assent_core::utc::rfc3339;
use worker::{Env, Headers, Method, Request, Response};

use crate::error::ApiError;
use crate::public_origin::PublicOrigins;
use crate::routes::page::escape;
use crate::routes::{config, forms, loader};
use crate::site_config;

/// The edge's files a preview serves under its prefix: the widget's parts.
const FILES: [(&str, &str); 7] = [
    ("assent.wasm", "application/wasm"),
    ("assent-panel.js", "text/javascript; charset=utf-8"),
    ("assent-privacy.js", "text/javascript; charset=utf-8"),
    ("assent-form.js", "text/javascript; charset=utf-8"),
    ("assent-form.wasm", "application/wasm"),
    ("assent-tcf.js", "text/javascript; charset=utf-8"),
    ("assent-tcf.wasm", "application/wasm"),
];

/// Keeps the widget's storage in this page's memory: the widget finds
/// `localStorage` throwing, as in a sandboxed frame, and falls back.
const SHIM: &str = "// A preview keeps nothing: the widget's storage lives in this page's memory.\n\
try{Object.defineProperty(window,\"localStorage\",{get(){throw new Error(\"preview\")}})}catch(e){}\n";

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:0 auto;padding:1rem;color:#1a1a1a;overflow-wrap:anywhere}\
.note{background:#fff4d6;border:1px solid #e0b84c;border-radius:.5rem;padding:.75rem 1rem}\
nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;padding:0}\
section{margin:2rem 0;padding-top:1rem;border-top:1px solid #ddd}\
@media (prefers-color-scheme:dark){body{background:#111;color:#eee}.note{background:#3a2f10;border-color:#8a6d1f}}";

/// Answers a preview request: `rest` is the path after the token.
pub async fn handle(
    req: Request,
    env: &Env,
    site: &'static SiteConfig,
    token: &str,
    rest: &[&str],
) -> Result<Response, ApiError> {
    let id = &site.site;
    let now = worker::Date::now().as_millis();
    // The page is read; under it, a write is refused as what it is.
    match (req.method(), rest) {
        (Method::Get | Method::Head, _) => {}
        (Method::Post, [_, ..]) => return Err(ApiError::from(RequestError::PreviewOnly)),
        _ => return Err(ApiError::from(RequestError::MethodNotAllowed)),
    }
    let secret = forms::form_secret(env)?;
    preview::verify(secret.preview(), token, id, now)?;
    let draft = crate::messages::call(env, id, &site_config::DRAFT, &()).await?;
    let draft = draft.ok_or(assent_core::Error::from(ConfigError::DraftNone))?;
    let seed = crate::sites::deployed(id.as_str()).ok_or(ApiError::from(RequestError::NotFound))?;
    let config = edition::check(seed, &draft.config)?;
    let prefix = format!("/v1/sites/{id}/preview/{token}/");
    match rest {
        [] => page(&req, &config, &prefix, &draft),
        ["preview.js"] => file(SHIM.as_bytes().to_vec(), "text/javascript; charset=utf-8"),
        ["assent.js"] => {
            let public = PublicOrigins::from_env(env)?;
            let resp = loader::tag(
                &req,
                env,
                &config,
                format!("{}{prefix}", public.canonical()),
                false,
            )
            .await?;
            no_store(resp)
        }
        ["v1", "sites", s, "config"] if *s == id.as_str() => {
            let (answer, _) = config::answer(&req, env, &config, false)?;
            no_store(Response::from_json(&answer)?)
        }
        ["v1", "sites", s, "forms", form] if *s == id.as_str() => {
            no_store(forms::get(&req, env, &config, form)?)
        }
        // The vendors the draft discloses (a TCF site's CMP reads them by
        // the hash its notice names): made from the draft, never archived.
        ["v1", "sites", s, "notices", hash] if *s == id.as_str() => {
            let shown = assent_core::log::archive::disclosure(&config, crate::sites::gvl())
                .filter(|d| d.hash.as_str() == *hash)
                .ok_or(ApiError::from(RequestError::NotFound))?;
            file(shown.canonical.into_bytes(), "application/json")
        }
        [name] => match FILES.iter().find(|(n, _)| n == name) {
            Some((name, kind)) => file(loader::asset(env, &format!("/{name}")).await?, kind),
            None => Err(ApiError::from(RequestError::NotFound)),
        },
        _ => Err(ApiError::from(RequestError::NotFound)),
    }
}

fn headers(kind: &str) -> Result<Headers, ApiError> {
    let headers = Headers::new();
    headers.set("content-type", kind)?;
    headers.set("cache-control", "no-store")?;
    // The token is in the address: it never leaves in a Referer.
    headers.set("referrer-policy", "no-referrer")?;
    headers.set("x-robots-tag", "noindex")?;
    headers.set("x-content-type-options", "nosniff")?;
    Ok(headers)
}

fn file(bytes: Vec<u8>, kind: &str) -> Result<Response, ApiError> {
    Ok(Response::from_bytes(bytes)?.with_headers(headers(kind)?))
}

fn no_store(mut resp: Response) -> Result<Response, ApiError> {
    resp.headers_mut().set("cache-control", "no-store")?;
    resp.headers_mut().set("referrer-policy", "no-referrer")?;
    Ok(resp)
}

/// The preview page: a note that nothing is recorded, the draft's
/// languages, the banner (from the tag) and each of its forms.
fn page(
    req: &Request,
    config: &SiteConfig,
    prefix: &str,
    draft: &assent_core::config::edition::Draft,
) -> Result<Response, ApiError> {
    let query = crate::routes::Query::parse(req, &["lang"])?;
    let wanted = query.get("lang").unwrap_or(&config.default_language);
    let lang = config
        .languages()
        .find(|l| *l == wanted)
        .unwrap_or(&config.default_language)
        .to_string();
    let languages: String = config
        .languages()
        .map(|l| {
            let current = if *l == lang {
                " aria-current=\"page\""
            } else {
                ""
            };
            format!(
                "<li><a href=\"{prefix}?lang={l}\"{current}>{l}</a></li>",
                l = escape(l)
            )
        })
        .collect();
    let forms: String = config
        .forms
        .iter()
        .map(|f| {
            let title = config
                .languages
                .get(&lang)
                .and_then(|t| t.forms.get(f.id.as_str()))
                .map_or(f.id.to_string(), |t| t.title.clone());
            format!(
                "<section><h2>Form: {title}</h2><div data-assent-form=\"{id}\"></div></section>",
                title = escape(&title),
                id = escape(f.id.as_str())
            )
        })
        .collect();
    let lang_q = escape(&lang);
    let html = format!(
        "<!doctype html><html lang=\"{lang_q}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width\"><title>Preview of the draft: {site}</title>\
<script src=\"{prefix}preview.js\"></script>\
<script src=\"{prefix}assent.js?lang={lang_q}\"></script>\
<script type=\"module\" src=\"{prefix}assent-form.js\" data-site=\"{site}\"></script>\
<style>{STYLE}</style></head><body><main data-preview=\"{site}\">\
<h1>Preview of the draft</h1>\
<p class=\"note\" role=\"note\">The draft saved {saved} by {by}, shown by the real widget. \
Nothing chosen here is recorded or kept; visitors see it only once it is published.</p>\
<nav aria-label=\"Languages\"><ul>{languages}</ul></nav>{forms}</main></body></html>",
        dir = assent_core::config::text_direction(&lang),
        site = escape(config.site.as_str()),
        saved = escape(&rfc3339(draft.saved_ms)),
        by = escape(&draft.by),
    );
    let headers = headers("text/html; charset=utf-8")?;
    headers.set(
        "content-security-policy",
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'",
    )?;
    Ok(Response::from_html(html)?.with_headers(headers))
}
