//! Opt-in forms over HTTP. The rules are core's (`assent_core::form`); this
//! module reads requests, draws on the edge's secrets and answers.
//!
//! - `GET /v1/sites/{site}/forms/{form}?lang=`: the form notice and its hash.
//! - `POST /v1/sites/{site}/forms/{form}/submissions`: a submission; `202`
//!   with `{status, event_id, outcome}`, the same for every address (a
//!   repeat too): the answer tells the submitter nothing about the address.
//! - `GET /v1/sites/{site}/confirm?token=`: the double opt-in page, with a
//!   button; `POST` to the same address confirms. A GET changes nothing, so
//!   a mail scanner that opens links cannot confirm for the person.
//! - `POST /v1/sites/{site}/confirm/phone?token=` (field `code`): the code
//!   texted to the submission's phone number, once the link confirmed it;
//!   the confirmation page asks for it where one was sent.
//! - `GET /v1/sites/{site}/subjects/me/state`: the state of the subject
//!   whose key is presented (`Assent-Subject` and `Assent-Key`).
//! - `GET /v1/admin/sites/{site}/subjects/{subject}/state` and
//!   `GET /v1/admin/sites/{site}/mail` (admin key; the mailbox only where
//!   `MAILER` is `dev`).

use assent_core::config::{language_preferences, SiteConfig, Word};
use assent_core::error::{FormError, RightsError};
use assent_core::event::Context;
use assent_core::form::identity::lookup_key;
use assent_core::form::intake::Submission;
use assent_core::form::secret::FormSecret;
use assent_core::form::settle;
use assent_core::form::submission::{FormSubmission, Outcome};
use assent_core::form::token::{self, Claims};
use assent_core::ids::SubjectId;
use assent_core::rights::story;
use assent_core::subject_key::{self, SubjectKey};
use worker::{Date, Env, Headers, Request, Response};

use crate::error::ApiError;
use crate::messages::{self, ConfirmRequest};
use crate::public_origin::PublicOrigins;
use crate::routes::events::bounded_body;
use crate::routes::page::{self, escape};
use crate::routes::Query;
use assent_core::error::RequestError;

pub(crate) fn form_secret(env: &Env) -> Result<FormSecret, ApiError> {
    let text = env
        .secret("FORM_SECRET")
        .map(|s| s.to_string())
        .or_else(|_| env.var("FORM_SECRET").map(|v| v.to_string()))
        .map_err(|_| ApiError::NotConfigured("FORM_SECRET"))?;
    FormSecret::from_secret(&text).map_err(|e| ApiError::Internal(format!("FORM_SECRET: {e}")))
}

/// `GET .../forms/{form}`: the form notice in the negotiated language.
pub fn get(req: &Request, env: &Env, site: &SiteConfig, form: &str) -> Result<Response, ApiError> {
    let wanted = crate::routes::config::wanted_languages(req)?;
    let country = crate::geo::of(req, env).country;
    let answer = site.form_answer(form, language_preferences(&wanted), country.as_deref())?;
    let mut resp = Response::from_json(&answer)?;
    // Per country (the age of consent): private to the visitor's cache.
    let _ = resp
        .headers_mut()
        .set("cache-control", "private, max-age=60");
    let _ = resp.headers_mut().set("vary", "Accept-Language");
    Ok(resp)
}

/// `POST .../forms/{form}/submissions`.
pub async fn submit(
    mut req: Request,
    env: &Env,
    site: &SiteConfig,
    form: &str,
) -> Result<Response, ApiError> {
    let body = bounded_body(&mut req).await?;
    let submission = FormSubmission::from_json(&body)?;
    let now_ms = Date::now().as_millis();
    let public = PublicOrigins::from_env(env);
    let own = public.as_ref().ok().and_then(|p| p.own(&req));
    let geo = crate::geo::of(&req, env);
    let country = geo.country.clone();
    let checked = submission.check(
        site,
        form,
        &Context {
            now_ms,
            self_origin: own.as_deref(),
        },
        country.as_deref(),
    )?;
    let public = public?;
    let secret = form_secret(env)?;
    let event = submission.event;
    let event_id = event.event_id.clone();
    let outcome = checked.outcome;
    let lookup = lookup_key(secret.lookup(), &site.site, &checked.identity.email);
    // A parent's mail counts against the parent's address (core's limit).
    let parent_lookup = checked
        .identity
        .parent_email
        .as_ref()
        .map(|p| lookup_key(secret.lookup(), &site.site, p));
    let stored = messages::call(
        env,
        &site.site,
        &messages::SUBMIT,
        &messages::SubmitRequest {
            submission: Submission {
                event,
                checked,
                lookup,
                parent_lookup,
                sec_gpc: req.headers().get("sec-gpc").ok().flatten().as_deref() == Some("1"),
                country,
                regime: geo.regime(site),
            },
            ctx: assent_core::site::EdgeContext {
                now_ms,
                origin: public.log_origin(&site.site)?,
                issuer: public.canonical().to_string(),
            },
        },
    )
    .await;
    match stored {
        // A blocked address stored nothing, and is answered as any other.
        Err(e) if e.code() == FormError::AddressBlocked.code() => {}
        other => {
            other?;
        }
    }
    // Stored or stored before, a known address or a new one, erased, binned,
    // listed or blocked: one answer, from the submission alone. The record (its
    // subject, its link to a previous record, a re-addition) and its receipt
    // are the person's, reached through a link mailed to the address, and
    // the owner's: a form's submitter may be anyone who typed the address.
    let mut resp = Response::from_json(&received(&event_id, outcome))?.with_status(202);
    let _ = resp.headers_mut().set("cache-control", "no-store");
    Ok(resp)
}

/// The public answer to a form submission: what was sent, never what is known.
fn received(event_id: &assent_core::ids::EventId, outcome: Outcome) -> serde_json::Value {
    serde_json::json!({"status": "received", "event_id": event_id, "outcome": outcome})
}

/// A link's token, verified, with the texts of the page it opens: the
/// form's in the language the person saw it in. A link that does not verify
/// is answered with its page.
struct Link {
    claims: Claims,
    raw: String,
    lang: String,
    texts: &'static assent_core::form::config::FormTexts,
}

fn link(
    req: &Request,
    env: &Env,
    site: &'static SiteConfig,
) -> Result<Result<Link, Response>, ApiError> {
    let query = Query::parse(req, &["token"])?;
    let raw = query.get("token").unwrap_or_default().to_string();
    let now_ms = Date::now().as_millis();
    let secret = form_secret(env)?;
    let verified = token::verify(secret.token(), &raw, &site.site, now_ms);
    let lang = verified
        .as_ref()
        .map(|c| c.language.clone())
        .unwrap_or_else(|_| site.default_language.clone());
    // The texts of the form the token names (or of the site's first form,
    // for a link too broken to name one).
    let form_id = verified.as_ref().ok().map(|c| c.form.to_string());
    let texts = site
        .languages
        .get(&lang)
        .or_else(|| site.languages.get(&site.default_language))
        .and_then(|t| {
            form_id
                .as_ref()
                .and_then(|f| t.forms.get(f))
                .or_else(|| t.forms.values().next())
        })
        .ok_or(ApiError::from(RequestError::NotFound))?;
    match verified {
        Ok(claims) => Ok(Ok(Link {
            claims,
            raw,
            lang,
            texts,
        })),
        Err(e) => {
            let code = e.code();
            let status = ApiError::Core(e).status();
            let text = if code == "token_expired" {
                &texts.page_expired
            } else {
                &texts.page_invalid
            };
            Ok(Err(page(status, &lang, &texts.title, text, None, code)?))
        }
    }
}

/// The confirmation page, `GET` (a button) or `POST` (confirms). Where the
/// confirmation texted a code to the submission's phone number, the page
/// asks for it ([`confirm_phone`]).
pub async fn confirm(
    req: Request,
    env: &Env,
    site: &'static SiteConfig,
) -> Result<Response, ApiError> {
    let Link {
        claims,
        raw,
        lang,
        texts,
    } = match link(&req, env, site)? {
        Ok(link) => link,
        Err(page) => return Ok(page),
    };
    if req.method() != worker::Method::Post {
        return page(
            200,
            &lang,
            &texts.title,
            if claims.parent {
                &texts.parent_mail_text
            } else {
                &texts.mail_text
            },
            Some(&texts.confirm),
            "confirm",
        );
    }
    let ctx = crate::routes::edge_context(env, &site.site)?;
    match messages::call(
        env,
        &site.site,
        &messages::CONFIRM,
        &ConfirmRequest { claims, ctx },
    )
    .await
    {
        Ok(confirmed) => {
            // The page says what was confirmed, by the labels the form showed.
            let text = format!(
                "<p>{}</p>{}",
                escape(&texts.page_confirmed),
                confirmed_list(site, &lang, &confirmed)
            );
            if confirmed.code_sent {
                code_page(200, &lang, &texts.title, &text, site, &raw, "confirmed")
            } else {
                page::html(200, &lang, &texts.title, &text, "confirmed")
            }
        }
        Err(e) => refused(e, &lang, texts),
    }
}

/// An error of the log object as the page a person reads (a fault stays a fault).
fn refused(
    e: ApiError,
    lang: &str,
    texts: &assent_core::form::config::FormTexts,
) -> Result<Response, ApiError> {
    match e.code() {
        "token_expired" => page(
            410,
            lang,
            &texts.title,
            &texts.page_expired,
            None,
            "token_expired",
        ),
        _ if e.status() < 500 => page(
            e.status(),
            lang,
            &texts.title,
            &texts.page_invalid,
            None,
            e.code(),
        ),
        _ => Err(e),
    }
}

/// What a confirmation confirmed: Assent's "You confirmed:" and each
/// offer the submission ticked, by the label its form showed.
fn confirmed_list(site: &SiteConfig, lang: &str, confirmed: &settle::Confirmed) -> String {
    if confirmed.offers.is_empty() {
        return String::new();
    }
    let items: String = confirmed
        .offers
        .iter()
        .map(|offer| {
            let label = story::offer_label(site, lang, Some(confirmed.form.as_str()), offer);
            format!(
                "<li data-confirmed=\"{}\">{}</li>",
                escape(offer),
                escape(&label)
            )
        })
        .collect();
    format!(
        "<p>{}</p><ul>{items}</ul>",
        escape(site.word(lang, Word::ConfirmList))
    )
}

/// A page with `text` (HTML, escaped), then the form that asks for the
/// texted code and POSTs it to [`confirm_phone`] with the link's token.
fn code_page(
    status: u16,
    lang: &str,
    title: &str,
    text: &str,
    site: &SiteConfig,
    token: &str,
    outcome: &str,
) -> Result<Response, ApiError> {
    let action = format!(
        "{}?token={}",
        assent_core::api::confirm_phone(&site.site),
        form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>()
    );
    page::html(
        status,
        lang,
        title,
        &format!(
            "{text}<p>{}</p><form method=\"post\" action=\"{}\">\
<p><label for=\"code\">{}</label><br>\
<input id=\"code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" \
maxlength=\"12\" required></p>\
<button type=\"submit\">{}</button></form>",
            escape(site.word(lang, Word::CodeAsk)),
            escape(&action),
            escape(site.word(lang, Word::CodeLabel)),
            escape(site.word(lang, Word::CodeButton)),
        ),
        outcome,
    )
}

/// `POST /v1/sites/{site}/confirm/phone?token=` with the form field `code`:
/// the code texted to the phone number of the submission the link
/// confirmed (core's `form::intake::verify_phone`). The right code grants
/// the phone offers (`phone_confirmed`), and again answers the same; a
/// wrong one is `400 phone_code_invalid` with the form again; the fifth
/// wrong one and every try after it `410 phone_code_exhausted`. `GET` shows
/// the form and changes nothing.
pub async fn confirm_phone(
    mut req: Request,
    env: &Env,
    site: &'static SiteConfig,
) -> Result<Response, ApiError> {
    let Link {
        claims,
        raw,
        lang,
        texts,
    } = match link(&req, env, site)? {
        Ok(link) => link,
        Err(page) => return Ok(page),
    };
    if req.method() != worker::Method::Post {
        let text = format!("<p>{}</p>", escape(&texts.page_confirmed));
        return code_page(200, &lang, &texts.title, &text, site, &raw, "phone_code");
    }
    let form = crate::routes::page::form_body(&mut req).await?;
    let code = crate::routes::page::field(&form, "code")
        .unwrap_or_default()
        .chars()
        .take(32)
        .collect();
    let ctx = crate::routes::edge_context(env, &site.site)?;
    let request = messages::PhoneConfirmRequest { claims, code, ctx };
    match messages::call(env, &site.site, &messages::PHONE_CONFIRM, &request).await {
        Ok(_) => {
            let done = site.word(&lang, Word::CodeDone);
            page(200, &lang, &texts.title, done, None, "phone_confirmed")
        }
        Err(e) if e.code() == "phone_code_invalid" => {
            let text = format!(
                "<p role=\"alert\">{}</p>",
                escape(site.word(&lang, Word::CodeWrong))
            );
            code_page(
                400,
                &lang,
                &texts.title,
                &text,
                site,
                &raw,
                "phone_code_invalid",
            )
        }
        Err(e) if e.code() == "phone_code_exhausted" => {
            let dead = site.word(&lang, Word::CodeDead);
            page(410, &lang, &texts.title, dead, None, "phone_code_exhausted")
        }
        Err(e) => refused(e, &lang, texts),
    }
}

/// The subject whose key this request carries: `Assent-Subject` names it,
/// `Assent-Key` proves it (`assent_core::subject_key`). A receipt is made to
/// be shown, so it opens nothing; a missing, malformed or wrong key and a
/// subject without a key (a form's contact: its person proves themselves
/// with a mailed link, in the privacy center) are one refusal,
/// `401 subject_key_invalid`, so the answer tells nobody which ids exist.
async fn subject_by_key(
    req: &Request,
    env: &Env,
    site: &SiteConfig,
) -> Result<SubjectId, ApiError> {
    let refused = || ApiError::from(assent_core::Error::from(RightsError::SubjectKeyInvalid));
    let header = |name| req.headers().get(name).ok().flatten();
    let subject = header(subject_key::SUBJECT_HEADER)
        .and_then(|s| SubjectId::new(&s).ok())
        .ok_or_else(refused)?;
    let key = header(subject_key::HEADER)
        .and_then(|k| SubjectKey::parse(&k).ok())
        .ok_or_else(refused)?;
    let at = messages::Object::of(site, &subject);
    match messages::call(env, at, &messages::SUBJECT_KEY, &subject).await? {
        Some(stored) if stored.admits(&subject, &key) => Ok(subject),
        _ => Err(refused()),
    }
}

/// `GET .../subjects/me/state`: the state of the subject whose key this is.
pub async fn my_state(req: &Request, env: &Env, site: &SiteConfig) -> Result<Response, ApiError> {
    Query::parse(req, &[])?;
    let subject = subject_by_key(req, env, site).await?;
    state_of(env, site, subject).await
}

/// `POST .../subjects/me/withdraw` `{"offers": ["email:newsletter"]}` (all
/// when absent): withdraws for the subject whose key this is; `201` with the
/// withdrawal's receipt, `400 nothing_to_withdraw` when nothing holds.
pub async fn my_withdraw(
    mut req: Request,
    env: &Env,
    site: &SiteConfig,
) -> Result<Response, ApiError> {
    Query::parse(&req, &[])?;
    let subject = subject_by_key(&req, env, site).await?;
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        #[serde(default)]
        offers: Option<Vec<String>>,
    }
    let body = bounded_body(&mut req).await?;
    let body: Body = if body.iter().all(u8::is_ascii_whitespace) {
        Body { offers: None }
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::from(assent_core::Error::from(
                assent_core::error::EventError::EventMalformed {
                    message: e.to_string(),
                },
            ))
        })?
    };
    if body
        .offers
        .as_ref()
        .is_some_and(|o| o.is_empty() || o.len() > 64)
    {
        return Err(
            assent_core::Error::from(assent_core::error::FormError::NothingToWithdraw).into(),
        );
    }
    let at = messages::Object::of(site, &subject);
    let request = messages::WithdrawRequest {
        subject,
        offers: body.offers,
        event_id: crate::routes::fresh_event_id()?,
        ctx: crate::routes::edge_context(env, at)?,
        here: false,
    };
    let appended = messages::call(env, at, &messages::WITHDRAW, &request).await?;
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "no-store")?;
    Ok(Response::ok(appended.answer)?
        .with_status(201)
        .with_headers(headers))
}

/// The state per offer of `subject`.
pub async fn state_of(
    env: &Env,
    site: &SiteConfig,
    subject: SubjectId,
) -> Result<Response, ApiError> {
    let at = messages::Object::of(site, &subject);
    let state = messages::call(env, at, &messages::STATE, &subject).await?;
    let mut resp = Response::from_json(&serde_json::json!({
        "subject": subject,
        "offers": state.offers,
        "choice": state.choice,
        "restricted": state.restricted,
        "deleted": state.deleted.map(|e| e.deleted()),
    }))?;
    let _ = resp.headers_mut().set("cache-control", "private, no-store");
    Ok(resp)
}

/// `GET /v1/admin/sites/{site}/mail`: the local mailbox, newest first. Only
/// where `MAILER` is `dev` (`make dev` and the tests set it; a deploy never).
pub async fn mailbox(req: &Request, env: &Env, site: &SiteConfig) -> Result<Response, ApiError> {
    if env.var("MAILER").map(|v| v.to_string()).ok().as_deref() != Some("dev") {
        return Err(ApiError::from(RequestError::NotFound));
    }
    let query = Query::parse(req, &["limit"])?;
    let limit = assent_core::paging::MAILBOX.of(query.u64("limit")?);
    let mails = messages::call(env, &site.site, &messages::MAILBOX, &limit).await?;
    let mut resp = Response::from_json(&serde_json::json!({ "mails": mails }))?;
    let _ = resp.headers_mut().set("cache-control", "no-store");
    Ok(resp)
}

/// A small page without scripts: a heading, a text, maybe a button that
/// POSTs to the same address. `data-outcome` names what happened, for tests
/// and for people reading the source.
fn page(
    status: u16,
    lang: &str,
    title: &str,
    text: &str,
    button: Option<&str>,
    outcome: &str,
) -> Result<Response, ApiError> {
    let action = button
        .map(|b| {
            format!(
                "<form method=\"post\"><button type=\"submit\">{}</button></form>",
                escape(b)
            )
        })
        .unwrap_or_default();
    page::html(
        status,
        lang,
        title,
        &format!("<p>{}</p>{action}", escape(text)),
        outcome,
    )
}

/// `GET /v1/admin/sites/{site}/webhooks`: every delivery, newest first, with
/// its state, tries, last status and error (never its body).
pub async fn deliveries(req: &Request, env: &Env, site: &SiteConfig) -> Result<Response, ApiError> {
    let query = Query::parse(req, &["limit"])?;
    let limit = assent_core::paging::DELIVERIES.of(query.u64("limit")?);
    let list = messages::call(env, &site.site, &messages::DELIVERIES, &limit).await?;
    let mut resp = Response::from_json(&serde_json::json!({ "deliveries": list }))?;
    let _ = resp.headers_mut().set("cache-control", "no-store");
    Ok(resp)
}
