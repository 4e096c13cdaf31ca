//! Sending the queued webhook deliveries (core's `form::webhook` decides
//! what, when and how it is signed; this module reads the deployment's
//! addresses and secrets and makes the requests). Called from the site log
//! object's alarm; the queue lives in its SQLite, so a restart loses none.

use std::time::Duration;

use assent_core::config::SiteConfig;
use assent_core::form::intake::{self, FormStore};
use assent_core::form::webhook::{self, Delivery, Secret};
use assent_core::log::LogStore;
use futures_util::future::{select, Either};
use worker::{Delay, Env, Fetch, Headers, Method, Request, RequestInit};

/// Deliveries sent per alarm at most (the rest at the next).
pub const BATCH: u64 = 20;
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
    let due = match forms.due_deliveries(now_ms, BATCH) {
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
    let Some(hook) = site.webhooks.iter().find(|w| w.id == delivery.webhook) else {
        return (None, Some("the webhook is no longer configured".into()));
    };
    let (Some(url), Some(secret)) = (
        setting(env, &hook.url_from),
        setting(env, &hook.secret_from),
    ) else {
        return (
            None,
            Some(format!(
                "not configured: set {} and {}",
                hook.url_from, hook.secret_from
            )),
        );
    };
    let Ok(secret) = Secret::parse(&secret) else {
        return (
            None,
            Some(format!("{} is not a whsec_ secret", hook.secret_from)),
        );
    };
    let body = match intake::delivery_body(log, forms, &site.site, delivery) {
        Ok(body) => body,
        Err(e) => return (None, Some(format!("body: {}", e.code()))),
    };
    let id = delivery.message_id();
    let timestamp = now_ms / 1000;
    let headers = Headers::new();
    let _ = headers.set("content-type", "application/json");
    let _ = headers.set(
        "user-agent",
        concat!("Assent-Webhooks/", env!("CARGO_PKG_VERSION")),
    );
    let _ = headers.set("webhook-id", &id);
    let _ = headers.set("webhook-timestamp", &timestamp.to_string());
    let _ = headers.set(
        "webhook-signature",
        &webhook::sign(&secret, &id, timestamp, body.as_bytes()),
    );
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(body.into()));
    let Ok(req) = Request::new_with_init(&url, &init) else {
        return (None, Some(format!("{} is not a URL", hook.url_from)));
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
