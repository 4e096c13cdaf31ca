//! The edge's own small HTML pages (the double opt-in page, the privacy
//! center): one frame, no script, a strict CSP, nothing cached, no referrer.

use worker::{Headers, Request, Response};

use crate::error::ApiError;

pub use assent_core::html::escape;

// Narrow first: at 320 px and 200% text nothing scrolls sideways (rows
// wrap, long hashes break, fields take the width they have).
const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;overflow-wrap:anywhere}\
button{font:inherit;padding:.6rem 1.2rem;border-radius:.4rem;border:0;background:#1f4fd1;color:#fff;cursor:pointer;min-height:44px;max-width:100%}\
button.quiet{background:#e8ecf7;color:#1a1a1a}input,select,textarea{font:inherit;padding:.5rem;max-width:100%;box-sizing:border-box}\
input[type=email],textarea{width:100%}table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}\
code{word-break:break-all;font-size:.8rem}form.inline{display:inline}section{margin:2rem 0}\
.rows{list-style:none;padding:0;margin:0}.rows li{display:flex;flex-wrap:wrap;align-items:center;gap:.25rem 1rem;padding:.5rem 0;border-bottom:1px solid #ddd}\
.rows .what{flex:1 1 12rem;font-weight:600}.rows .service{padding-inline-start:1.5rem}.rows .service .what{font-weight:400}.since{color:#555;font-size:.9rem}\
.history{padding-inline-start:1.25rem}.history>li{margin:.75rem 0}.history ul{margin:.25rem 0}details summary{cursor:pointer;color:#1f4fd1}\
.actions{display:flex;flex-wrap:wrap;gap:.5rem}\
@media (prefers-color-scheme:dark){body{background:#111;color:#eee}button.quiet{background:#333;color:#eee}td,th,.rows li{border-color:#444}.since{color:#bbb}details summary{color:#9db5ff}}";

/// A page: `title` as its heading, `main` (already escaped HTML) below it;
/// `data-outcome` names what happened, for tests and people reading the source.
pub fn html(
    status: u16,
    lang: &str,
    title: &str,
    main: &str,
    outcome: &str,
) -> Result<Response, ApiError> {
    let html = format!(
        "<!doctype html><html lang=\"{lang}\" dir=\"{dir}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
<title>{title}</title><style>{STYLE}</style></head>\
<body><main data-outcome=\"{outcome}\"><h1>{title}</h1>{main}</main></body></html>",
        lang = escape(lang),
        dir = assent_core::config::text_direction(lang),
        title = escape(title),
        outcome = escape(outcome),
    );
    let headers = Headers::new();
    headers.set("content-type", "text/html; charset=utf-8")?;
    headers.set("cache-control", "no-store")?;
    headers.set("referrer-policy", "no-referrer")?;
    headers.set("x-content-type-options", "nosniff")?;
    // `frame-ancestors 'none'` for browsers that read CSP, this for the rest.
    headers.set("x-frame-options", "DENY")?;
    headers.set(
        "content-security-policy",
        &assent_core::html::page_policy(STYLE),
    )?;
    Ok(Response::from_html(html)?
        .with_status(status)
        .with_headers(headers))
}

/// What a limited request gets where the answer is a page (the privacy
/// center, the confirmation link): a page, `429` with `Retry-After`, never
/// JSON in front of a person.
pub fn limited(lang: &str) -> Result<Response, ApiError> {
    let mut resp = html(
        429,
        lang,
        "Please wait a moment",
        "<p>Too many requests came from your network just now. Please try again in a minute.</p>",
        "rate_limited",
    )?;
    resp.headers_mut().set(
        "retry-after",
        &assent_core::limits::WINDOW_SECONDS.to_string(),
    )?;
    Ok(resp)
}

/// The largest form body a page reads (an email, or a session and two choices).
const MAX_FORM_BYTES: usize = 4096;

/// A bounded `application/x-www-form-urlencoded` body.
pub(crate) async fn form_body(req: &mut Request) -> Result<Vec<(String, String)>, ApiError> {
    let body = crate::routes::events::body_up_to(req, MAX_FORM_BYTES).await?;
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    // A field given twice says two things: refused, like a duplicate JSON key.
    for (i, (k, _)) in pairs.iter().enumerate() {
        if pairs[..i].iter().any(|(seen, _)| seen == k) {
            return Err(crate::routes::query_invalid("duplicate field"));
        }
    }
    Ok(pairs)
}

pub(crate) fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}
