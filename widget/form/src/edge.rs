//! The edge, as the form sees it: its form notice and submissions. `fetch` through web-sys; answers read with serde.

use assent_core::api::Outcome;
use assent_core::form::notice::FormAnswer;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

/// Where the edge is and which site this page belongs to.
#[derive(Debug, Clone)]
pub struct Edge {
    /// The edge's origin and base path, ending in `/`.
    pub base: String,
    /// The site id.
    pub site: String,
}

/// What a POST came back with.
pub enum Sent {
    /// Received (202, the same for every address): the answer's JSON.
    Stored(serde_json::Value),
    /// Refused for good (a 4xx other than 408, 425, 429): its code.
    Refused(String),
    /// Not delivered (network down, no answer in [`TIMEOUT_MS`], a 5xx): try again later.
    Later,
}

/// How long a request may wait for its answer: an edge that takes it and
/// never answers is a fault like a network error (the submission waits in
/// the outbox; the edge stores an event id once, so a late answer does no harm).
pub const TIMEOUT_MS: u32 = 20_000;

async fn fetch(url: &str, init: &RequestInit) -> Result<Response, JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    // The page's own timer (not `AbortSignal.timeout`): the one a page's
    // clock runs, so a test can move it.
    let stop = web_sys::AbortController::new()?;
    init.set_signal(Some(&stop.signal()));
    let abort = Closure::once_into_js(move || stop.abort());
    window.set_timeout_with_callback_and_timeout_and_arguments_0(
        abort.unchecked_ref(),
        TIMEOUT_MS as i32,
    )?;
    let req = Request::new_with_str_and_init(url, init)?;
    let resp = JsFuture::from(window.fetch_with_request(&req)).await?;
    resp.dyn_into()
}

async fn text(resp: &Response) -> Result<String, JsValue> {
    Ok(JsFuture::from(resp.text()?)
        .await?
        .as_string()
        .unwrap_or_default())
}

impl Edge {
    /// The form notice in the best of the page's languages.
    pub async fn form(&self, form: &str, lang: &str) -> Result<FormAnswer, JsValue> {
        let url = format!(
            "{}v1/sites/{}/forms/{}?lang={}",
            self.base,
            self.site,
            form,
            js_sys::encode_uri_component(lang)
        );
        let init = RequestInit::new();
        init.set_method("GET");
        let resp = fetch(&url, &init).await?;
        if !resp.ok() {
            return Err(format!("form notice: {}", resp.status()).into());
        }
        serde_json::from_str(&text(&resp).await?).map_err(|e| e.to_string().into())
    }

    /// Posts a submission's body.
    pub async fn submit(&self, form: &str, body: &str) -> Sent {
        let url = format!(
            "{}v1/sites/{}/forms/{}/submissions",
            self.base, self.site, form
        );
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_body(&JsValue::from_str(body));
        let headers = web_sys::Headers::new().expect("Headers");
        let _ = headers.set("content-type", "application/json");
        init.set_headers(&headers);
        let Ok(resp) = fetch(&url, &init).await else {
            return Sent::Later;
        };
        let status = resp.status();
        let body = text(&resp).await.unwrap_or_default();
        let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        // Core's rule, the banner outbox's too; a form keeps no subject to
        // forget, so a 410 is a refusal like any other.
        match assent_core::api::outcome(status) {
            Outcome::Acknowledged => Sent::Stored(json),
            Outcome::Retry => Sent::Later,
            Outcome::Rejected | Outcome::Gone => Sent::Refused(
                json["error"]["code"]
                    .as_str()
                    .unwrap_or("refused")
                    .to_string(),
            ),
        }
    }
}
