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

use assent_core::config::{language_preferences, SiteConfig, Word};
use assent_core::error::RightsError;
use assent_core::form::identity::{lookup_key, normalise_email};
use assent_core::ids::SubjectId;
use assent_core::rights::center::{self, Kind, Token};
use assent_core::rights::center_page::Center;
use assent_core::rights::export::SubjectExport;
use assent_core::rights::requests::{RequestKind, SubjectRequest};
use assent_core::subject_key::SubjectKey;
use assent_core::utc::rfc3339;
use worker::{Date, Env, Headers, Method, Request, Response};

use crate::error::ApiError;
use crate::messages::{self, PrivacyLinkRequest, RequestFile, WithdrawRequest};
use crate::public_origin::PublicOrigins;
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
    let query = Query::parse(&req, &["lang", "token"])?;
    let asked = req.headers().get("accept-language")?.unwrap_or_default();
    let form = match req.method() {
        Method::Post => form_body(&mut req).await?,
        _ => Vec::new(),
    };
    // The language: the page's own choice (a form's `lang`, a link's
    // `?lang=`), else the browser's, negotiated like the banner's.
    let wanted = field(&form, "lang").or(query.get("lang")).unwrap_or(&asked);
    let lang = site
        .center_language(site.negotiate(language_preferences(wanted)))
        .to_string();
    let say = |w: Word| site.word(&lang, w);
    match (req.method(), rest) {
        (Method::Get | Method::Head, []) => {
            no_token(&query)?;
            start(site, &lang, None)
        }
        (Method::Post, ["link"]) => {
            no_token(&query)?;
            let Some(email) = field(&form, "email").and_then(|e| normalise_email(e).ok()) else {
                return start(site, &lang, Some(say(Word::EmailInvalid)));
            };
            let secret = form_secret(env)?;
            let request = PrivacyLinkRequest {
                lookup: lookup_key(secret.lookup(), &site.site, &email),
                to: email,
                base: PublicOrigins::from_env(env)?.canonical().to_string(),
                lang: lang.to_string(),
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
                say(Word::LinkSentTitle),
                &Word::LinkSent.fill(
                    say(Word::LinkSent),
                    &[("controller", &site.controller.name)],
                ),
                "link_sent",
            )
        }
        (Method::Get | Method::Head, ["open"]) => {
            let token = link_token(&query, env, site)?;
            match token {
                Ok(_) => html(
                    200,
                    &lang,
                    say(Word::Title),
                    &format!(
                        "<p>{}</p><form method=\"post\"><input type=\"hidden\" name=\"lang\" value=\"{}\">\
                         <button type=\"submit\">{}</button></form>",
                        escape(say(Word::OpenText)),
                        escape(&lang),
                        escape(say(Word::Open))
                    ),
                    "open",
                ),
                Err(e) => refused(site, &lang, &e),
            }
        }
        (Method::Post, ["open"]) => {
            let token = match link_token(&query, env, site)? {
                Ok(t) => t,
                Err(e) => return refused(site, &lang, &e),
            };
            if let Err(e) =
                messages::call(env, &site.site, &messages::SPEND_LINK, &token.nonce).await
            {
                return refused(site, &lang, &e);
            }
            let (session, text) = session_for(env, site, &token.subject)?;
            center_page(env, site, &lang, &session, &text, None).await
        }
        (Method::Post, ["browser"]) => {
            no_token(&query)?;
            let subject = match browser_subject(env, site, &form).await? {
                Ok(s) => s,
                Err(e) => return refused(site, &lang, &e),
            };
            let (session, text) = session_for(env, site, &subject)?;
            center_page(env, site, &lang, &session, &text, None).await
        }
        (Method::Post, ["act"]) => {
            no_token(&query)?;
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
                Err(e) => return refused(site, &lang, &e.into()),
            };
            act(env, site, &lang, &token, session, &form).await
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
    lang: &str,
    token: &Token,
    session: &str,
    form: &[(String, String)],
) -> Result<Response, ApiError> {
    let id = &site.site;
    let say = |w: Word| site.word(lang, w);
    // The person's records, and their requests, are in their shard.
    let at = messages::Object::of(site, &token.subject);
    match field(form, "action") {
        Some("show") => center_page(env, site, lang, token, session, None).await,
        Some("withdraw") => {
            // A banner purpose (`purpose`) or a form's offer (`offer`): the
            // same withdrawal, asked of the core rule for each.
            let banner = field(form, "purpose").is_some();
            let (endpoint, named, done) = if banner {
                (
                    &messages::BANNER_WITHDRAW,
                    field(form, "purpose"),
                    say(Word::WithdrawnBanner),
                )
            } else {
                (
                    &messages::WITHDRAW,
                    field(form, "offer"),
                    say(Word::WithdrawnOffer),
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
                here: true,
            };
            let message = match messages::call(env, at, endpoint, &request).await {
                Ok(_) => done,
                Err(e) if e.code() == "nothing_to_withdraw" => say(Word::NothingToWithdraw),
                Err(e) => return Err(e),
            };
            center_page(env, site, lang, token, session, Some(message)).await
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
        Some("request") => request(env, site, lang, token, session, form).await,
        _ => Err(crate::routes::query_invalid("action")),
    }
}

/// A request of the person's (`kind`): erasure asked once more first.
async fn request(
    env: &Env,
    site: &'static SiteConfig,
    lang: &str,
    token: &Token,
    session: &str,
    form: &[(String, String)],
) -> Result<Response, ApiError> {
    let say = |w: Word| site.word(lang, w);
    let at = messages::Object::of(site, &token.subject);
    let kind = match field(form, "kind") {
        Some("access") => RequestKind::Access,
        Some("erasure") => RequestKind::Erasure,
        Some("rectification") => RequestKind::Rectification,
        Some("restriction") => RequestKind::Restriction,
        Some("objection") => RequestKind::Objection,
        _ => return Err(crate::routes::query_invalid("kind")),
    };
    // Erasure ends everything: asked once more, "no" the easy answer.
    if kind == RequestKind::Erasure && field(form, "confirm") != Some("yes") {
        let center = center_of(site, lang, session);
        return html(
            200,
            lang,
            say(Word::Title),
            &center.erasure_check(),
            "confirm_erasure",
        );
    }
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
            lang,
            say(Word::ErasedTitle),
            say(Word::ErasedText),
            "erased",
        );
    }
    let message = Word::RequestFiled.fill(
        say(Word::RequestFiled),
        &[
            ("controller", &site.controller.name),
            ("date", &rfc3339(request.due_ms)[..10]),
        ],
    );
    center_page(env, site, lang, token, session, Some(&message)).await
}

/// The center's page renderer for a session in `lang`.
fn center_of<'a>(site: &'a SiteConfig, lang: &'a str, session: &'a str) -> Center<'a> {
    Center {
        config: site,
        lang,
        action: format!("{}/act", assent_core::api::privacy(&site.site)),
        session,
    }
}

/// The center for a verified session (`token`, and its text for the forms).
async fn center_page(
    env: &Env,
    site: &'static SiteConfig,
    lang: &str,
    token: &Token,
    session: &str,
    message: Option<&str>,
) -> Result<Response, ApiError> {
    let at = messages::Object::of(site, &token.subject);
    let export: SubjectExport =
        messages::call(env, at, &messages::SUBJECT_EXPORT, &own(token)).await?;
    let requests: Vec<SubjectRequest> =
        messages::call(env, at, &messages::REQUESTS_OF, &token.subject).await?;
    let center = center_of(site, lang, session);
    let main = center.page(&export, &requests, message, token.expires_ms, now_ms());
    html(200, lang, center.word(Word::Title), &main, "center")
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
    q: &Query,
    env: &Env,
    site: &SiteConfig,
) -> Result<Result<Token, ApiError>, ApiError> {
    let secret = form_secret(env)?;
    let token = q.get("token").unwrap_or_default();
    Ok(
        center::verify(secret.privacy(), token, &site.site, Kind::Link, now_ms())
            .map_err(ApiError::from),
    )
}

/// The start page: an email field.
fn start(site: &SiteConfig, lang: &str, problem: Option<&str>) -> Result<Response, ApiError> {
    let say = |w: Word| site.word(lang, w);
    let problem = problem
        .map(|p| format!("<p role=\"alert\">{}</p>", escape(p)))
        .unwrap_or_default();
    html(
        if problem.is_empty() { 200 } else { 400 },
        lang,
        say(Word::Title),
        &format!(
            "<p>{}</p>{problem}\
             <form method=\"post\" action=\"{}/link\"><input type=\"hidden\" name=\"lang\" value=\"{}\">\
             <label for=\"email\">{}</label><br>\
             <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" required> \
             <button type=\"submit\">{}</button></form>",
            escape(&Word::Start.fill(say(Word::Start), &[("controller", &site.controller.name)])),
            escape(&assent_core::api::privacy(&site.site)),
            escape(lang),
            escape(say(Word::Email)),
            escape(say(Word::SendLink)),
        ),
        if problem.is_empty() { "start" } else { "email_invalid" },
    )
}

fn notice(lang: &str, title: &str, text: &str, outcome: &str) -> Result<Response, ApiError> {
    html(
        200,
        lang,
        title,
        &format!("<p role=\"status\">{}</p>", escape(text)),
        outcome,
    )
}

/// A refused link or session, as a page with its status and code.
fn refused(site: &SiteConfig, lang: &str, e: &ApiError) -> Result<Response, ApiError> {
    if e.status() >= 500 {
        return Err(ApiError::Internal(e.to_string()));
    }
    let word = match e.code() {
        "link_used" => Word::LinkUsed,
        "token_expired" => Word::Expired,
        "subject_key_invalid" => Word::BrowserRefused,
        _ => Word::LinkInvalid,
    };
    html(
        e.status(),
        lang,
        site.word(lang, Word::Title),
        &format!("<p role=\"alert\">{}</p>", escape(site.word(lang, word))),
        e.code(),
    )
}

/// A route that takes no `?token=`.
fn no_token(query: &Query) -> Result<(), ApiError> {
    match query.get("token") {
        Some(_) => Err(crate::routes::query_invalid("unknown parameter")),
        None => Ok(()),
    }
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
