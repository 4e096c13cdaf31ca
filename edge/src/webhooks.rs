//! Sending the queued webhook deliveries (core's `form::webhook` decides
//! what, when and how it is signed; this module reads the deployment's
//! addresses and secrets and makes the requests). Called from the site log
//! object's alarm; the queue lives in its SQLite, so a restart loses none.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use assent_core::config::SiteConfig;
use assent_core::form::intake;
use assent_core::form::mail;
use assent_core::form::store::FormStore;
use assent_core::form::webhook::{self, Delivery, Secret};
use assent_core::log::LogStore;
use futures_util::future::{select, Either};
use worker::{Delay, Env, Fetch, Headers, Method, Request, RequestInit};

/// How long a receiver has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

fn setting(env: &Env, name: &str) -> Option<String> {
    env.secret(name)
        .map(|s| s.to_string())
        .or_else(|_| env.var(name).map(|v| v.to_string()))
        .ok()
        .filter(|v| !v.is_empty())
}

/// Sends what is due; returns how many were tried.
pub async fn deliver_due<L: LogStore, F: FormStore>(
    env: &Env,
    site: &SiteConfig,
    log: &L,
    forms: &mut F,
    now_ms: u64,
) -> u64 {
    let due = match forms.due_deliveries(now_ms, assent_core::schedule::Job::Deliver.batch()) {
        Ok(due) => due,
        Err(e) => {
            worker::console_error!("webhooks: {e}");
            return 0;
        }
    };
    let tried = due.len() as u64;
    for mut delivery in due {
        let (status, error) = send(env, site, log, forms, &delivery, now_ms).await;
        delivery.tried(now_ms, status, error);
        if let Err(e) = forms.update_delivery(&delivery) {
            worker::console_error!("webhooks: {e}");
        }
    }
    tried
}

async fn send<L: LogStore, F: FormStore>(
    env: &Env,
    site: &SiteConfig,
    log: &L,
    forms: &F,
    delivery: &Delivery,
    now_ms: u64,
) -> (Option<u16>, Option<String>) {
    if delivery.webhook == webhook::MAIL && delivery.kind.starts_with("sms.") {
        return sms(env, site, forms, delivery, now_ms).await;
    }
    if delivery.webhook == webhook::MAIL {
        return mail(env, site, forms, delivery, now_ms).await;
    }
    let Some(hook) = site.webhooks.iter().find(|w| w.id == delivery.webhook) else {
        return (None, Some("the webhook is no longer configured".into()));
    };
    // Each delivery carries the contact's one-click unsubscribe links, for
    // the CRM's or mailer's `List-Unsubscribe` headers.
    let (public, secret) = match (
        crate::public_origin::PublicOrigins::from_env(env),
        crate::routes::forms::form_secret(env),
    ) {
        (Ok(p), Ok(s)) => (p, s),
        _ => {
            return (
                None,
                Some("not configured: PUBLIC_ORIGINS and FORM_SECRET".into()),
            )
        }
    };
    let links = intake::Links {
        issuer: public.canonical(),
        key: secret.token(),
    };
    let body = match intake::delivery_body(log, forms, &site.site, delivery, links) {
        Ok(body) => body,
        Err(e) => return (None, Some(format!("body: {}", e.code()))),
    };
    post_signed(
        env,
        &hook.url_from,
        &hook.secret_from,
        &delivery.message_id(),
        &body,
        now_ms,
    )
    .await
}

/// The queued message of a mail or SMS delivery, opened; or the delivery's
/// outcome when there is none to send: the contact was erased (no one to
/// write to any more: done, `204`), or it cannot be opened (`what: code`).
fn queued<F: FormStore>(
    forms: &F,
    site: &SiteConfig,
    delivery: &Delivery,
    what: &str,
) -> Result<mail::Mail, (Option<u16>, Option<String>)> {
    match mail::mail_for(forms, &site.site, delivery) {
        Ok(Some(message)) => Ok(message),
        Ok(None) => Err((Some(204), None)),
        Err(e) => Err((None, Some(format!("{what}: {}", e.code())))),
    }
}

/// A confirmation mail, through the deployment's `MAILER`:
/// - `dev`: the local mailbox (`GET /v1/admin/sites/{site}/mail`) holds it already;
/// - `send_email`: the Workers `send_email` binding `EMAIL`, from `MAIL_FROM`;
/// - `webhook`: a signed POST of `{type, to, subject, text, link}` to
///   `MAIL_WEBHOOK_URL` (secret `MAIL_WEBHOOK_SECRET`), for the operator's relay.
///
/// Anything else is "not configured": retried and listed, never dropped.
async fn mail<F: FormStore>(
    env: &Env,
    site: &SiteConfig,
    forms: &F,
    delivery: &Delivery,
    now_ms: u64,
) -> (Option<u16>, Option<String>) {
    let mailer = setting(env, "MAILER").unwrap_or_default();
    if mailer == "dev" {
        return (Some(202), None);
    }
    let mail = match queued(forms, site, delivery, "mail") {
        Ok(mail) => mail,
        Err(answer) => return answer,
    };
    match mailer.as_str() {
        "send_email" => {
            let (Ok(binding), Some(from)) = (env.send_email("EMAIL"), setting(env, "MAIL_FROM"))
            else {
                return (
                    None,
                    Some("not configured: bind EMAIL (send_email) and set MAIL_FROM".into()),
                );
            };
            let message = worker::SendEmailBuilder::new(&from, &mail.to, &mail.subject);
            message.set_text(&mail.body());
            // RFC 8058: a mail client's one-click unsubscribe.
            if let Some(url) = &mail.list_unsubscribe {
                let headers = worker::js_sys::Object::new();
                let set = |k: &str, v: &str| {
                    worker::js_sys::Reflect::set(&headers, &k.into(), &v.into()).is_ok()
                };
                if !(set("List-Unsubscribe", &format!("<{url}>"))
                    && set("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
                {
                    return (None, Some("the mail's headers could not be set".into()));
                }
                message.set_headers(wasm_bindgen::JsCast::unchecked_ref(&headers));
            }
            match binding.send_with_builder(&message).await {
                Ok(_) => (Some(202), None),
                Err(_) => (None, Some("send_email refused the message".into())),
            }
        }
        "webhook" => {
            let body = serde_json::json!({
                "type": delivery.kind, "to": mail.to, "subject": mail.subject, "text": mail.text, "link": mail.link,
                "footer": mail.footer, "body": mail.body(),
                // The relay sets `List-Unsubscribe: <url>` and
                // `List-Unsubscribe-Post: List-Unsubscribe=One-Click` from it (RFC 8058).
                "list_unsubscribe": mail.list_unsubscribe,
            })
            .to_string();
            post_signed(
                env,
                "MAIL_WEBHOOK_URL",
                "MAIL_WEBHOOK_SECRET",
                &delivery.message_id(),
                &body,
                now_ms,
            )
            .await
        }
        _ => (
            None,
            Some("not configured: set MAILER to send_email or webhook".into()),
        ),
    }
}

/// The SMS provider in force: `SMS`, or `dev` where it is unset and
/// `MAILER` is `dev` (`make dev` and the tests: the local mailbox shows the
/// SMS with the mails). A deploy sets it.
fn sms_provider(env: &Env) -> String {
    setting(env, "SMS").unwrap_or_else(|| match setting(env, "MAILER").as_deref() {
        Some("dev") => "dev".into(),
        _ => String::new(),
    })
}

/// An SMS (a phone code; core's `form::phone`), through the deployment's `SMS`:
/// - `dev`: the local mailbox (`GET /v1/admin/sites/{site}/mail`) holds it already;
/// - `twilio`: Twilio's Programmable Messaging API, `POST
///   https://api.twilio.com/2010-04-01/Accounts/{TWILIO_ACCOUNT_SID}/Messages.json`
///   with `To`, `From` (`SMS_FROM`) and `Body`, HTTP Basic auth with the
///   account SID and `TWILIO_AUTH_TOKEN` (secrets); `201` is success;
/// - `webhook`: a signed POST of `{type, to, text}` to `SMS_WEBHOOK_URL`
///   (secret `SMS_WEBHOOK_SECRET`), for the operator's own gateway.
///
/// Anything else is "not configured": retried and listed, never dropped.
async fn sms<F: FormStore>(
    env: &Env,
    site: &SiteConfig,
    forms: &F,
    delivery: &Delivery,
    now_ms: u64,
) -> (Option<u16>, Option<String>) {
    let provider = sms_provider(env);
    if provider == "dev" {
        return (Some(202), None);
    }
    let sms = match queued(forms, site, delivery, "sms") {
        Ok(sms) => sms,
        Err(answer) => return answer,
    };
    match provider.as_str() {
        "twilio" => {
            let (Some(sid), Some(token), Some(from)) = (
                setting(env, "TWILIO_ACCOUNT_SID"),
                setting(env, "TWILIO_AUTH_TOKEN"),
                setting(env, "SMS_FROM"),
            ) else {
                return (
                    None,
                    Some(
                        "not configured: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and SMS_FROM"
                            .into(),
                    ),
                );
            };
            let body: String = form_urlencoded::Serializer::new(String::new())
                .append_pair("To", &sms.to)
                .append_pair("From", &from)
                .append_pair("Body", &sms.text)
                .finish();
            let url = format!("https://api.twilio.com/2010-04-01/Accounts/{sid}/Messages.json");
            let headers = Headers::new();
            let _ = headers.set("content-type", "application/x-www-form-urlencoded");
            let _ = headers.set(
                "authorization",
                &format!("Basic {}", STANDARD.encode(format!("{sid}:{token}"))),
            );
            // Twilio answers 201 Created for a message it took; any other
            // status is listed and tried again.
            send_within(&url, "TWILIO_ACCOUNT_SID", headers, body).await
        }
        "webhook" => {
            let body = serde_json::json!({"type": delivery.kind, "to": sms.to, "text": sms.text})
                .to_string();
            post_signed(
                env,
                "SMS_WEBHOOK_URL",
                "SMS_WEBHOOK_SECRET",
                &delivery.message_id(),
                &body,
                now_ms,
            )
            .await
        }
        _ => (
            None,
            Some("not configured: set SMS to twilio or webhook".into()),
        ),
    }
}

/// POSTs `body` to the address in `url_from`, signed with the secret in
/// `secret_from` (Standard Webhooks), within [`TIMEOUT`].
async fn post_signed(
    env: &Env,
    url_from: &str,
    secret_from: &str,
    id: &str,
    body: &str,
    now_ms: u64,
) -> (Option<u16>, Option<String>) {
    let (Some(url), Some(secret)) = (setting(env, url_from), setting(env, secret_from)) else {
        return (
            None,
            Some(format!("not configured: set {url_from} and {secret_from}")),
        );
    };
    let Ok(secret) = Secret::parse(&secret) else {
        return (None, Some(format!("{secret_from} is not a whsec_ secret")));
    };
    let timestamp = now_ms / 1000;
    let headers = Headers::new();
    let _ = headers.set("content-type", "application/json");
    let _ = headers.set(
        "user-agent",
        concat!("Assent-Webhooks/", env!("CARGO_PKG_VERSION")),
    );
    let _ = headers.set("webhook-id", id);
    let _ = headers.set("webhook-timestamp", &timestamp.to_string());
    let _ = headers.set(
        "webhook-signature",
        &webhook::sign(&secret, id, timestamp, body.as_bytes()),
    );
    send_within(&url, url_from, headers, body.to_string()).await
}

/// POSTs `body` with `headers` to `url` (named by the setting `url_from`
/// in errors), within [`TIMEOUT`].
async fn send_within(
    url: &str,
    url_from: &str,
    headers: Headers,
    body: String,
) -> (Option<u16>, Option<String>) {
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(body.into()));
    let Ok(req) = Request::new_with_init(url, &init) else {
        return (None, Some(format!("{url_from} is not a URL")));
    };
    let fetch = Fetch::Request(req);
    let outcome = {
        let sent = Box::pin(fetch.send());
        match select(sent, Box::pin(Delay::from(TIMEOUT))).await {
            Either::Left((Ok(resp), _)) => (Some(resp.status_code()), None),
            // Errors name no address or body: the log may be read by anyone operating the edge.
            Either::Left((Err(_), _)) => (None, Some("network error".into())),
            Either::Right(_) => (None, Some("no answer within 10 s".into())),
        }
    };
    outcome
}
