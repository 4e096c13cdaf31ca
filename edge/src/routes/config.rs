//! `GET /v1/sites/{site}/config?lang=de-AT,en`: the notice the widget renders,
//! in the best language for the visitor, with its notice hash.

use assent_core::config::{language_preferences, SiteConfig};
use worker::{Env, Request, Response};

use crate::consent_cookie;
use crate::error::ApiError;
use crate::routes::Query;

/// Serves the site's notice in the negotiated language.
pub fn get(req: &Request, env: &Env, site: &SiteConfig) -> Result<Response, ApiError> {
    let (answer, cache) = answer(req, env, site, true)?;
    let mut resp = Response::from_json(&answer)?;
    let _ = resp.headers_mut().set("cache-control", cache);
    let _ = resp.headers_mut().append("vary", "Cookie");
    Ok(resp)
}

/// The visitor's language list: `?lang=` (the only query parameter a
/// notice route takes), else `Accept-Language`.
pub fn wanted_languages(req: &Request) -> Result<String, ApiError> {
    let query = Query::parse(req, &["lang"])?;
    Ok(query
        .get("lang")
        .map(str::to_string)
        .or_else(|| req.headers().get("accept-language").ok().flatten())
        .unwrap_or_default())
}

/// The config answer for this request (the notice in the negotiated
/// language, and, where `visitor`, the cookie's choice on a first-party
/// edge) and the `cache-control` it may carry. A draft's preview is not
/// the visitor's site: it asks as a first visit would.
pub fn answer(
    req: &Request,
    env: &Env,
    site: &SiteConfig,
    visitor: bool,
) -> Result<(serde_json::Value, &'static str), ApiError> {
    let wanted = wanted_languages(req)?;
    // "de-AT,de;q=0.9,en;q=0.8" and "de-AT,en" both work: by weight, then
    // order (core's rule, shared with every other reader of the header).
    let answer = site.config_answer(language_preferences(&wanted));
    // A first-party edge hands back the choice its cookie kept (see
    // `consent_cookie`); such an answer is the visitor's own: never cached.
    let internal = |e: serde_json::Error| ApiError::Internal(e.to_string());
    let mut value = serde_json::to_value(&answer).map_err(internal)?;
    // A first visit's choices, answered ahead by the widget's engine (its
    // `plan`): the loader draws the banner and records a first-layer
    // choice from them without fetching the engine.
    if let Some(plan) = assent_widget::plan::of_answer(&answer) {
        value["first"] = serde_json::from_str(&plan.to_json()).map_err(internal)?;
    }
    // The first layer's line, worded here rather than by the page's `Intl`.
    value["meta"] = crate::first_layer::line(&answer.notice)?.into();
    // Where the site has jurisdiction rules, the answer says which regime
    // applies here, and under one that presumes consent it carries the
    // presumed choice for a browser that has none (see
    // `assent_core::jurisdiction`): per visitor, so never cached.
    // The site's look, as declarations for the widget's host (checked by core).
    if let Some(theme) = site
        .theme
        .as_ref()
        .map(|t| t.css())
        .filter(|c| !c.is_empty())
    {
        value["theme"] = theme.into();
    }
    let geo = crate::geo::of(req, env);
    let regime = geo.regime(site);
    if let Some(regime) = regime {
        value["regime"] = serde_json::to_value(regime).map_err(internal)?;
    }
    let kept = visitor
        .then(|| consent_cookie::read(req, env, site))
        .flatten();
    Ok(match kept {
        Some(choice) => {
            value["choice"] = serde_json::to_value(&choice).map_err(internal)?;
            (value, "private, no-store")
        }
        None => match regime.and_then(|r| presumed(req, site, r, &answer.language)) {
            Some(choice) => {
                value["choice"] = serde_json::to_value(&choice).map_err(internal)?;
                (value, "private, no-store")
            }
            None if regime.is_some() => (value, "private, max-age=60"),
            None => (value, "public, max-age=60"),
        },
    })
}

/// The presumed choice under `regime` for this request (GPC from `Sec-GPC`).
fn presumed(
    req: &Request,
    site: &SiteConfig,
    regime: assent_core::jurisdiction::Regime,
    language: &str,
) -> Option<assent_core::presumed::PresumedChoice> {
    let gpc = req.headers().get("sec-gpc").ok().flatten().as_deref() == Some("1");
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).ok()?;
    let subject = assent_core::ids::SubjectId::from_random_bytes(bytes);
    site.presumed_choice(
        regime,
        language,
        gpc,
        subject,
        worker::Date::now().as_millis(),
    )
}
