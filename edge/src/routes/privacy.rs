//! The visitor's privacy center: pages the edge serves, no script, HTML
//! forms only (see `assent_core::rights::center` for who may open it).
//!
//! - `GET /v1/sites/{site}/privacy`: ask for a link (an email field);
//! - `POST .../privacy/link`: mails a link if the address is known; the
//!   page says the same whether it is or not;
//! - `GET .../privacy/open?token=`: a button (a mail scanner's `GET` spends
//!   nothing); `POST` spends the link and opens the center;
//! - `POST .../privacy/browser`: a browser visitor's way in, posted by the
//!   widget's `assent.privacyCenter()`: the subject id and the subject key
//!   its browser holds (`assent_core::subject_key`) open the center;
//! - `POST .../privacy/act`: the center's forms, each carrying the session:
//!   `withdraw` (one offer, one banner purpose, or all), `download`
//!   (`json` or `csv`), `request` (`access` or `erasure`).
//!
//! The center shows the state per offer, every record with what was shown
//! (notice version, language, hash) and its receipt, and the person's
//! requests with their deadlines.

use assent_core::config::SiteConfig;
use assent_core::error::RightsError;
use assent_core::form::identity::{lookup_key, normalise_email};
use assent_core::ids::SubjectId;
use assent_core::rights::center::{self, Kind, Token};
use assent_core::rights::export::SubjectExport;
use assent_core::rights::requests::{RequestKind, SubjectRequest};
use assent_core::subject_key::SubjectKey;
use assent_core::utc::rfc3339;
use worker::{Date, Env, Headers, Method, Request, Response};

use crate::error::ApiError;
use crate::messages::{self, PrivacyLinkRequest, RequestFile, WithdrawRequest};
use crate::public_origin::PublicOrigins;
use crate::routes::center_page::{
    banner_section, history_section, offers_section, rights_section, Buttons,
};
use crate::routes::forms::form_secret;
use crate::routes::page::{escape, html};
use crate::routes::page::{field, form_body};
use crate::routes::{edge_context, fresh_event_id, Query};
use assent_core::error::RequestError;

/// Answers a privacy center route of `site`.
pub async fn handle(
    mut req: Request,
    env: &Env,
    site: &'static SiteConfig,
    rest: &[&str],
) -> Result<Response, ApiError> {
    let lang = site.default_language.clone();
    match (req.method(), rest) {
        (Method::Get | Method::Head, []) => {
            Query::parse(&req, &[])?;
            start(site, &lang, None)
        }
        (Method::Post, ["link"]) => {
            Query::parse(&req, &[])?;
            let form = form_body(&mut req).await?;
            let Some(email) = field(&form, "email").and_then(|e| normalise_email(e).ok()) else {
                return start(site, &lang, Some("That is not an email address."));
            };
            let secret = form_secret(env)?;
            let request = PrivacyLinkRequest {
                lookup: lookup_key(secret.lookup(), &site.site, &email),
                to: email,
                base: PublicOrigins::from_env(env)?.canonical().to_string(),
            };
            // Known or not, limited or not: the same page, so the page
            // tells nobody whether an address is on the list.
            if let Err(e) = messages::call(env, &site.site, &messages::PRIVACY_LINK, &request).await
            {
                if e.status() >= 500 {
                    return Err(e);
                }
            }
            notice(
                &lang,
                "Check your inbox",
                &format!(
                    "If {} knows this address, a link to your privacy center is on its way. It works once, for an hour.",
                    site.controller.name
                ),
                "link_sent",
            )
        }
        (Method::Get | Method::Head, ["open"]) => {
            let token = link_token(&req, env, site)?;
            match token {
                Ok(_) => html(
                    200,
                    &lang,
                    "Your privacy center",
                    "<p>Open your privacy center to see and change what you agreed to.</p>\
                     <form method=\"post\"><button type=\"submit\">Open my privacy center</button></form>",
                    "open",
                ),
                Err(e) => refused(&lang, &e),
            }
        }
        (Method::Post, ["open"]) => {
            let token = match link_token(&req, env, site)? {
                Ok(t) => t,
                Err(e) => return refused(&lang, &e),
            };
            if let Err(e) =
                messages::call(env, &site.site, &messages::SPEND_LINK, &token.nonce).await
            {
                return refused(&lang, &e);
            }
            let (session, text) = session_for(env, site, &token.subject)?;
            center_page(env, site, &session, &text, None).await
        }
        (Method::Post, ["browser"]) => {
            Query::parse(&req, &[])?;
            let form = form_body(&mut req).await?;
            let subject = match browser_subject(env, site, &form).await? {
                Ok(s) => s,
                Err(e) => return refused(&lang, &e),
            };
            let (session, text) = session_for(env, site, &subject)?;
            center_page(env, site, &session, &text, None).await
        }
        (Method::Post, ["act"]) => {
            Query::parse(&req, &[])?;
            let form = form_body(&mut req).await?;
            let secret = form_secret(env)?;
            let session = field(&form, "session").unwrap_or_default();
            let token = match center::verify(
                secret.privacy(),
                session,
                &site.site,
                Kind::Session,
                now_ms(),
            ) {
                Ok(t) => t,
                Err(e) => return refused(&lang, &e.into()),
            };
            act(env, site, &token, session, &form).await
        }
        (_, [] | ["link" | "open" | "act" | "browser"]) => {
            Err(ApiError::from(RequestError::MethodNotAllowed))
        }
        _ => Err(ApiError::from(RequestError::NotFound)),
    }
}

async fn act(
    env: &Env,
    site: &'static SiteConfig,
    token: &Token,
    session: &str,
    form: &[(String, String)],
) -> Result<Response, ApiError> {
    let id = &site.site;
    // The person's records, and their requests, are in their shard.
    let at = messages::Object::of(site, &token.subject);
    match field(form, "action") {
        Some("withdraw") => {
            // A banner purpose (`purpose`) or a form's offer (`offer`): the
            // same withdrawal, asked of the core rule for each.
            let banner = field(form, "purpose").is_some();
            let (endpoint, named, done) = if banner {
                (
                    &messages::BANNER_WITHDRAW,
                    field(form, "purpose"),
                    "Withdrawn. The site's pages stop using it when you are back there; the receipt is in the history below.",
                )
            } else {
                (
                    &messages::WITHDRAW,
                    field(form, "offer"),
                    "Withdrawn. Your receipt for it is in the history below.",
                )
            };
            let request = WithdrawRequest {
                subject: token.subject.clone(),
                offers: match named {
                    Some("all") | None => None,
                    Some(one) => Some(vec![one.to_string()]),
                },
                event_id: fresh_event_id()?,
                ctx: edge_context(env, at)?,
            };
            let message = match messages::call(env, at, endpoint, &request).await {
                Ok(_) => done,
                Err(e) if e.code() == "nothing_to_withdraw" => "There was nothing to withdraw.",
                Err(e) => return Err(e),
            };
            center_page(env, site, token, session, Some(message)).await
        }
        Some("download") => {
            let export = messages::call(env, at, &messages::SUBJECT_EXPORT, &own(token)).await?;
            let (body, kind, ext) = match field(form, "format") {
                Some("csv") => (export.to_csv(), "text/csv; charset=utf-8", "csv"),
                _ => (
                    serde_json::to_string_pretty(&export)
                        .map_err(|e| ApiError::Internal(e.to_string()))?,
                    "application/json",
                    "json",
                ),
            };
            let headers = Headers::new();
            headers.set("content-type", kind)?;
            headers.set(
                "content-disposition",
                &format!("attachment; filename=\"my-consent-{id}.{ext}\""),
            )?;
            headers.set("cache-control", "no-store")?;
            Ok(Response::ok(body)?.with_headers(headers))
        }
        Some("request") => {
            let kind = match field(form, "kind") {
                Some("access") => RequestKind::Access,
                Some("erasure") => RequestKind::Erasure,
                Some("rectification") => RequestKind::Rectification,
                Some("restriction") => RequestKind::Restriction,
                Some("objection") => RequestKind::Objection,
                _ => return Err(crate::routes::query_invalid("kind")),
            };
            let channel = match field(form, "channel") {
                None => None,
                Some(c) => Some(
                    assent_core::form::Channel::parse(c)
                        .ok_or_else(|| crate::routes::query_invalid("channel"))?,
                ),
            };
            let asked = assent_core::rights::requests::Asked {
                kind,
                via: assent_core::rights::requests::Via::Center,
                channel,
                detail: field(form, "detail").map(str::to_owned),
            };
            let filed = RequestFile {
                subject: token.subject.clone(),
                asked,
                id: fresh_event_id()?,
                ctx: edge_context(env, at)?,
            };
            let request = messages::call(env, at, &messages::REQUEST_FILE, &filed).await?;
            if request.erasure.is_some() {
                return notice(
                    &site.default_language,
                    "Erased",
                    "Your data was erased. The records that prove what you chose remain, and name no one.",
                    "erased",
                );
            }
            let message = format!(
                "Your request is with {}. The law gives them until {} to answer.",
                site.controller.name,
                &rfc3339(request.due_ms)[..10]
            );
            center_page(env, site, token, session, Some(&message)).await
        }
        _ => Err(crate::routes::query_invalid("action")),
    }
}

/// The center for a verified session (`token`, and its text for the forms).
async fn center_page(
    env: &Env,
    site: &'static SiteConfig,
    token: &Token,
    session: &str,
    message: Option<&str>,
) -> Result<Response, ApiError> {
    let at = messages::Object::of(site, &token.subject);
    let export: SubjectExport =
        messages::call(env, at, &messages::SUBJECT_EXPORT, &own(token)).await?;
    let requests: Vec<SubjectRequest> =
        messages::call(env, at, &messages::REQUESTS_OF, &token.subject).await?;
    let buttons = Buttons {
        action: format!("{}/act", assent_core::api::privacy(&site.site)),
        hidden: format!(
            "<input type=\"hidden\" name=\"session\" value=\"{}\">",
            escape(session)
        ),
    };
    let mut main = String::new();
    if let Some(m) = message {
        main.push_str(&format!(
            "<p role=\"status\" data-message>{}</p>",
            escape(m)
        ));
    }
    if let Some(identity) = &export.identity {
        main.push_str(&format!(
            "<p>Signed in as <strong data-email>{}</strong> until {} (UTC).</p>",
            escape(&identity.email),
            &rfc3339(token.expires_ms)[11..16]
        ));
    }
    main.push_str(&offers_section(&export, &buttons));
    main.push_str(&banner_section(site, &export, &buttons));
    main.push_str(&history_section(&export));
    main.push_str(&rights_section(&requests, &buttons));
    main.push_str(&super::center_page::who_answers(&site.controller));
    html(
        200,
        &site.default_language,
        "Your privacy center",
        &main,
        "center",
    )
}

/// A new session for `subject` (of a spent link, or a browser's key).
fn session_for(
    env: &Env,
    site: &SiteConfig,
    subject: &SubjectId,
) -> Result<(Token, String), ApiError> {
    let secret = form_secret(env)?;
    let session = Token {
        site: site.site.clone(),
        subject: subject.clone(),
        kind: Kind::Session,
        nonce: fresh_event_id()?,
        expires_ms: now_ms() + center::SESSION_MS,
    };
    let text = center::issue(secret.privacy(), &session);
    Ok((session, text))
}

/// The subject a browser's form names, if the key beside it is that
/// subject's: a malformed id or key, a subject without a key and a wrong
/// key are one refusal (`subject_key_invalid`), so the page tells nobody
/// which subject ids exist.
async fn browser_subject(
    env: &Env,
    site: &SiteConfig,
    form: &[(String, String)],
) -> Result<Result<SubjectId, ApiError>, ApiError> {
    let refused = || {
        Ok(Err(assent_core::Error::from(
            RightsError::SubjectKeyInvalid,
        )
        .into()))
    };
    let (Some(subject), Some(key)) = (
        field(form, "subject").and_then(|s| SubjectId::new(s).ok()),
        field(form, "key").and_then(|k| SubjectKey::parse(k).ok()),
    ) else {
        return refused();
    };
    let at = messages::Object::of(site, &subject);
    match messages::call(env, at, &messages::SUBJECT_KEY, &subject).await? {
        Some(stored) if stored.admits(&subject, &key) => Ok(Ok(subject)),
        _ => refused(),
    }
}

/// The link token of `?token=`, verified (the outer error is the edge's,
/// the inner one the visitor's: a page).
fn link_token(
    req: &Request,
    env: &Env,
    site: &SiteConfig,
) -> Result<Result<Token, ApiError>, ApiError> {
    let q = Query::parse(req, &["token"])?;
    let secret = form_secret(env)?;
    let token = q.get("token").unwrap_or_default();
    Ok(
        center::verify(secret.privacy(), token, &site.site, Kind::Link, now_ms())
            .map_err(ApiError::from),
    )
}

/// The start page: an email field.
fn start(site: &SiteConfig, lang: &str, problem: Option<&str>) -> Result<Response, ApiError> {
    let problem = problem
        .map(|p| format!("<p role=\"alert\">{}</p>", escape(p)))
        .unwrap_or_default();
    html(
        if problem.is_empty() { 200 } else { 400 },
        lang,
        "Your privacy center",
        &format!(
            "<p>See, download or change what you agreed to with {}, or ask for a copy or erasure of your data. \
             We send a link to the address you gave us.</p>{problem}\
             <form method=\"post\" action=\"{}/link\"><label for=\"email\">Email address</label><br>\
             <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" required> \
             <button type=\"submit\">Send me a link</button></form>",
            escape(&site.controller.name),
            escape(&assent_core::api::privacy(&site.site)),
        ),
        if problem.is_empty() { "start" } else { "email_invalid" },
    )
}

fn notice(lang: &str, title: &str, text: &str, outcome: &str) -> Result<Response, ApiError> {
    html(
        200,
        lang,
        title,
        &format!("<p>{}</p>", escape(text)),
        outcome,
    )
}

/// A refused link or session, as a page with its status and code.
fn refused(lang: &str, e: &ApiError) -> Result<Response, ApiError> {
    if e.status() >= 500 {
        return Err(ApiError::Internal(e.to_string()));
    }
    let text = match e.code() {
        "link_used" => {
            "This link was used already. Ask for a new one on the privacy center's page."
        }
        "token_expired" => "This link or session has expired. Ask for a new link.",
        "subject_key_invalid" => {
            "This browser cannot open that privacy center. Open it from the site where you made your choice, or ask for a link by email."
        }
        _ => "This link is not valid. Ask for a new one on the privacy center's page.",
    };
    html(
        e.status(),
        lang,
        "Your privacy center",
        &format!("<p>{text}</p>"),
        e.code(),
    )
}

/// The person's own export request.
fn own(token: &Token) -> messages::ExportRequest {
    messages::ExportRequest {
        subject: token.subject.clone(),
        own: true,
    }
}

fn now_ms() -> u64 {
    Date::now().as_millis()
}
