//! `GET`/`POST /v1/sites/{site}/unsubscribe?token=`: the one-click
//! unsubscribe link (RFC 8058) that every delivery and Assent's own mails
//! carry (`assent_core::form::unsubscribe`).
//!
//! `GET` only asks ("Stop email from …?", one button): a link scanner or a
//! prefetch that opens the link changes nothing. `POST` withdraws: from
//! the page's button, or from a mail client's one click (`List-Unsubscribe=
//! One-Click`, RFC 8058 §3.2). Both answer the page that says it is done,
//! with the withdrawal's event id as its reference; a second use says the
//! same (there is nothing left to withdraw). A link that does not verify
//! gets a page saying so, never what it names.

use assent_core::config::SiteConfig;
use assent_core::form::config::Channel;
use assent_core::form::unsubscribe;
use worker::{Env, Method, Request, Response};

use crate::error::ApiError;
use crate::messages::{self, UnsubscribeRequest};
use crate::routes::{edge_context, forms::form_secret, fresh_event_id, page, Query};

/// Answers the link.
pub async fn handle(req: Request, env: &Env, site: &SiteConfig) -> Result<Response, ApiError> {
    let q = Query::parse(&req, &["token"])?;
    let lang = &site.default_language;
    let secret = form_secret(env)?;
    let claims = match unsubscribe::verify(secret.token(), q.get("token").unwrap_or_default(), &site.site) {
        Ok(claims) => claims,
        Err(_) => {
            return page::html(
                400,
                lang,
                "Unsubscribe",
                "<p>This unsubscribe link is not valid. Use the link in the newest message you got.</p>",
                "invalid",
            )
        }
    };
    let who = page::escape(&site.controller.name);
    let channel = match claims.channel {
        Channel::Email => "email",
        Channel::Sms => "text messages",
        Channel::Phone => "calls",
        Channel::Post => "post",
    };
    if req.method() != Method::Post {
        return page::html(
            200,
            lang,
            "Unsubscribe",
            &format!(
                "<p>Stop {channel} from {who}? Your choice is recorded with a receipt.</p>\
<form method=\"post\"><button type=\"submit\">Unsubscribe</button></form>"
            ),
            "ask",
        );
    }
    let at = messages::Object::of(site, &claims.subject);
    let request = UnsubscribeRequest {
        subject: claims.subject.clone(),
        channel: claims.channel,
        event_id: fresh_event_id()?,
        ctx: edge_context(env, at)?,
    };
    let done = messages::call(env, at, &messages::UNSUBSCRIBE, &request).await?;
    let reference = done
        .as_ref()
        .and_then(|a| serde_json::from_str::<serde_json::Value>(&a.answer).ok())
        .and_then(|v| v["record"]["event"]["event_id"].as_str().map(str::to_owned))
        .map(|id| format!("<p>Reference: <code>{}</code></p>", page::escape(&id)))
        .unwrap_or_default();
    page::html(
        200,
        lang,
        "Unsubscribed",
        &format!("<p>You will get no more {channel} from {who}.</p>{reference}"),
        if done.is_some() {
            "unsubscribed"
        } else {
            "already"
        },
    )
}
