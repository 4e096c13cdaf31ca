//! Assent's opt-in form widget: `<div data-assent-form="newsletter">` gets
//! Assent's form, and `<form data-assent-form="newsletter">` (the site's own
//! CRM or mailing-list form) gets the consent part: one unticked checkbox
//! per channel and purpose, the privacy information, and, where the form
//! applies an age rule, the age question and a parent's email.
//!
//! On submit it checks what was typed with core's rules, posts the consent
//! event and the identity to the edge (kept in an outbox first, so a fault
//! or a closed tab loses nothing), announces the outcome in a live region
//! and as an `assent:form` event, and lets the site's own submission go on
//! unchanged, or stops it with an accessible message when the edge refuses.
//!
//! Loaded only on pages with a form, by its own tag, apart from the banner:
//!
//! ```html
//! <script type="module" src="https://EDGE/assent-form.js" data-site="demo"></script>
//! ```
//!
//! The rules are core's; this crate is the DOM around them: [`dom`] (mounting
//! the form, reading it, announcing the outcome), [`html`] (the form's markup
//! from its notice, as pure strings), [`submission`] (what was typed, checked
//! with core's rules), [`outbox`] (submissions kept until the edge has them)
//! and [`edge`] (the form notice and the submissions over `fetch`).

pub mod dom;
pub mod edge;
pub mod html;
pub mod outbox;
pub mod submission;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::edge::Edge;

/// Mounts every form on the page: `site` is the tag's `data-site`, `base`
/// the edge's address (where the script came from), `lang` the page's
/// language (`<html lang>`, else the browser's).
#[wasm_bindgen]
pub async fn start(site: String, base: String, lang: String) -> Result<js_sys::Array, JsValue> {
    let edge = Edge { base, site };
    dom::flush(&edge).await;
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let found = doc.query_selector_all("[data-assent-form]")?;
    let mounted = js_sys::Array::new();
    for n in 0..found.length() {
        let Some(el) = found
            .item(n)
            .and_then(|node| node.dyn_into::<web_sys::Element>().ok())
        else {
            continue;
        };
        let form = el.get_attribute("data-assent-form").unwrap_or_default();
        match edge.form(&form, &lang).await {
            Ok(answer) => {
                dom::mount(el, answer, edge.clone(), n as usize)?;
                mounted.push(&JsValue::from_str(&form));
            }
            // The site's form keeps working without the consent part; a
            // div stays empty. Either way nothing is recorded.
            Err(e) => web_sys::console::warn_2(&"assent: form unavailable".into(), &e),
        }
    }
    // Back online: send what waits.
    let online = {
        let edge = edge.clone();
        Closure::<dyn Fn()>::new(move || {
            let edge = edge.clone();
            wasm_bindgen_futures::spawn_local(async move { dom::flush(&edge).await });
        })
    };
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback("online", online.as_ref().unchecked_ref());
    }
    online.forget();
    Ok(mounted)
}

/// This site's form submissions that the edge acknowledged, sent from this
/// browser, oldest first: `{form, event_id, outcome}`. The edge answers
/// every address alike, so a page learns nothing more about a person; their
/// record, receipts and withdrawal are in their privacy center.
#[wasm_bindgen]
pub fn submissions(site: String) -> Result<JsValue, JsValue> {
    Ok(serde::Serialize::serialize(
        &outbox::acknowledged(&site),
        &serde_wasm_bindgen::Serializer::json_compatible(),
    )?)
}
