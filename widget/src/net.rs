//! The two requests the widget makes: fetch the notice, post an event.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, RequestMode, Response};

async fn send(request: &Request) -> Result<Response, JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let resp = JsFuture::from(window.fetch_with_request(request)).await?;
    resp.dyn_into()
}

/// GETs JSON; errors on network failure or a non-2xx answer.
pub async fn get_json(url: &str) -> Result<JsValue, JsValue> {
    let init = RequestInit::new();
    init.set_mode(RequestMode::Cors);
    let resp = send(&Request::new_with_str_and_init(url, &init)?).await?;
    if !resp.ok() {
        return Err(JsValue::from_str(&format!("HTTP {}", resp.status())));
    }
    JsFuture::from(resp.json()?).await
}

/// POSTs a JSON body and returns the status. `keepalive` lets the request
/// finish when the page is being closed.
pub async fn post_json(url: &str, body: &str) -> Result<u16, JsValue> {
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_mode(RequestMode::Cors);
    js_sys::Reflect::set(&init, &"keepalive".into(), &JsValue::TRUE)?;
    init.set_body(&JsValue::from_str(body));
    let request = Request::new_with_str_and_init(url, &init)?;
    request.headers().set("content-type", "application/json")?;
    Ok(send(&request).await?.status())
}
