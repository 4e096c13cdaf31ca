//! The form on the page: mounting (Assent's own form into a `<div>`, or the
//! consent part into the site's `<form>`), reading what was typed, showing
//! problems accessibly, and the submit flow.

use std::cell::Cell;
use std::rc::Rc;

use assent_core::form::notice::FormAnswer;
use assent_core::form::submission::year_of;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Event, HtmlElement, HtmlFormElement, HtmlInputElement};

use crate::edge::{Edge, Sent};
use crate::html;
use crate::outbox::{self, Waiting};
use crate::submission::{field_of, nothing_chosen, Values};

/// One mounted form.
pub struct Mounted {
    /// The `<form>` element (Assent's, or the site's it enhances).
    pub form: HtmlFormElement,
    /// Whether it is the site's form (whose own submission goes on).
    pub enhanced: bool,
    /// The notice it shows.
    pub answer: FormAnswer,
    /// The id prefix of its elements.
    pub id: String,
    /// The edge.
    pub edge: Edge,
}

fn document() -> Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a document")
}

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// Adds the stylesheet once per page, as a constructed sheet the document
/// adopts: a strict Content-Security-Policy (no `'unsafe-inline'`) blocks a
/// `<style>` element but not this, so the site keeps its policy. A browser
/// without constructable stylesheets (before 2023) gets the `<style>`
/// element, which its CSP must then allow.
fn style_once(doc: &Document) {
    if doc.get_element_by_id("assent-form-style").is_some() {
        return;
    }
    let adopted = web_sys::CssStyleSheet::new().and_then(|sheet| {
        sheet.replace_sync(html::CSS)?;
        let sheets = doc.adopted_style_sheets();
        sheets.push(&sheet);
        doc.set_adopted_style_sheets(&sheets);
        Ok(())
    });
    // An element with the id says "done" for a second form on the page: an
    // empty marker, or the fallback's <style> itself.
    let Ok(marker) = doc.create_element(if adopted.is_ok() { "meta" } else { "style" }) else {
        return;
    };
    marker.set_id("assent-form-style");
    if adopted.is_err() {
        marker.set_text_content(Some(html::CSS));
    }
    if let Some(head) = doc.head() {
        let _ = head.append_child(&marker);
    }
}

/// Mounts the form `el` names (`data-assent-form`).
pub fn mount(
    el: Element,
    answer: FormAnswer,
    edge: Edge,
    n: usize,
) -> Result<Rc<Mounted>, JsValue> {
    let doc = document();
    style_once(&doc);
    let id = format!("assent-form-{n}");
    let enhanced = el.tag_name().eq_ignore_ascii_case("form");
    let form: HtmlFormElement = if enhanced {
        let form: HtmlFormElement = el.dyn_into()?;
        // The consent part goes before the site's submit button (or last),
        // with the age question where the form asks one and the site's form
        // does not; the live region after it.
        let mut part = String::new();
        if answer.notice.age.is_some()
            && form
                .query_selector("[name=age],[name=birth_year]")?
                .is_none()
        {
            part += &age_only(&id, &answer);
        }
        part += &html::consent(&id, &answer);
        part += &html::status(&id);
        match form.query_selector("button[type=submit],input[type=submit],button:not([type])")? {
            Some(button) => button.insert_adjacent_html("beforebegin", &part)?,
            None => form.insert_adjacent_html("beforeend", &part)?,
        }
        form
    } else {
        el.set_inner_html(&html::whole(&id, &answer));
        el.query_selector("form")?
            .ok_or("no form rendered")?
            .dyn_into()?
    };
    let mounted = Rc::new(Mounted {
        form,
        enhanced,
        answer,
        id,
        edge,
    });
    listen(&mounted)?;
    Ok(mounted)
}

/// The age question and the parent's block alone (for a site's form).
fn age_only(id: &str, answer: &FormAnswer) -> String {
    let all = html::identity(id, answer);
    // identity() renders email (and name, phone) first; keep from the age on.
    all.find("<div class=\"assent-field\" data-field=\"age\"")
        .map(|i| all[i..].to_string())
        .unwrap_or_default()
}

fn input(form: &HtmlFormElement, selectors: &str) -> Option<HtmlInputElement> {
    form.query_selector(selectors)
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into().ok())
}

/// The input of a field: Assent's own, or the site's by type and name.
fn field_input(m: &Mounted, field: &str) -> Option<HtmlInputElement> {
    let own = format!("#{}-{}", m.id, field);
    let site = match field {
        "email" => "input[type=email],input[name=email]",
        "name" => "input[autocomplete=name],input[name=name]",
        "phone" => "input[type=tel],input[name=phone]",
        "age" => "input[name=age],input[name=birth_year]",
        _ => "",
    };
    input(&m.form, &own).or_else(|| {
        if site.is_empty() {
            None
        } else {
            input(&m.form, site)
        }
    })
}

fn value(m: &Mounted, field: &str) -> Option<String> {
    field_input(m, field)
        .map(|i| i.value())
        .filter(|v| !v.trim().is_empty())
}

/// What the person filled in and ticked.
pub fn values(m: &Mounted) -> Values {
    let ticked = m
        .form
        .query_selector_all("input[data-offer]")
        .ok()
        .map(|list| {
            (0..list.length())
                .filter_map(|i| list.item(i)?.dyn_into::<HtmlInputElement>().ok())
                .filter(|b| b.checked())
                .filter_map(|b| b.get_attribute("data-offer"))
                .collect()
        })
        .unwrap_or_default();
    Values {
        email: value(m, "email").unwrap_or_default(),
        name: value(m, "name"),
        phone: value(m, "phone"),
        age: value(m, "age"),
        parent_email: value(m, "parent_email"),
        ticked,
    }
}

fn this_year() -> u16 {
    year_of(now_ms())
}

/// Shows the parent's email where the age given is under the age of consent.
fn update_parent(m: &Mounted) {
    if let Ok(Some(block)) = m.form.query_selector(".assent-parent") {
        let show = values(m).needs_parent(&m.answer, this_year());
        let _ = block.dyn_ref::<HtmlElement>().map(|b| b.set_hidden(!show));
    }
}

/// Marks each field with its problem (or clears it); focuses the first.
fn show_problems(m: &Mounted, problems: &[(&'static str, String)]) {
    for field in ["email", "name", "phone", "age", "parent_email"] {
        let problem = problems.iter().find(|(f, _)| *f == field);
        if let Some(input) = field_input(m, field) {
            let _ = match problem {
                Some(_) => input.set_attribute("aria-invalid", "true"),
                None => input.remove_attribute("aria-invalid"),
            };
        }
        if let Ok(Some(p)) = m.form.query_selector(&format!("#{}-{}-error", m.id, field)) {
            p.set_text_content(problem.map(|(_, msg)| msg.as_str()));
            let _ = p
                .dyn_ref::<HtmlElement>()
                .map(|p| p.set_hidden(problem.is_none()));
        }
    }
    if let Some((field, msg)) = problems.first() {
        // Not a field of its own: the offers, said in the status, the
        // first box focused.
        if *field == "offers" {
            if let Ok(Some(first)) = m.form.query_selector("input[data-offer]") {
                let _ = first.dyn_ref::<HtmlElement>().map(HtmlElement::focus);
            }
            status(m, msg);
            return;
        }
        if let Some(input) = field_input(m, field) {
            let _ = input.focus();
            // A site's own field has no error line of Assent's: say it in the status.
            if m.form
                .query_selector(&format!("#{}-{}-error", m.id, field))
                .ok()
                .flatten()
                .is_none()
            {
                status(m, msg);
            }
        }
    }
}

fn status(m: &Mounted, text: &str) {
    if let Ok(Some(p)) = m.form.query_selector(&format!("#{}-status", m.id)) {
        p.set_text_content(Some(text));
    }
}

fn listen(m: &Rc<Mounted>) -> Result<(), JsValue> {
    let on_input = {
        let m = m.clone();
        Closure::<dyn Fn(Event)>::new(move |_: Event| update_parent(&m))
    };
    m.form
        .add_event_listener_with_callback("input", on_input.as_ref().unchecked_ref())?;
    m.form
        .add_event_listener_with_callback("change", on_input.as_ref().unchecked_ref())?;
    on_input.forget();

    let on_submit = {
        let m = m.clone();
        Closure::<dyn Fn(Event)>::new(move |e: Event| {
            // The site's own submission, let go once the consent is recorded.
            if m.form.get_attribute("data-assent-recorded").is_some() {
                let _ = m.form.remove_attribute("data-assent-recorded");
                return;
            }
            e.prevent_default();
            e.stop_immediate_propagation();
            let m = m.clone();
            wasm_bindgen_futures::spawn_local(async move { submit(&m).await });
        })
    };
    // Capture: Assent decides before the site's own handlers run.
    m.form.add_event_listener_with_callback_and_bool(
        "submit",
        on_submit.as_ref().unchecked_ref(),
        true,
    )?;
    on_submit.forget();
    Ok(())
}

fn random_uuid() -> String {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).expect("crypto.getRandomValues");
    assent_core::ids::EventId::from_random_bytes(bytes).to_string()
}

async fn submit(m: &Mounted) {
    let values = values(m);
    let year = this_year();
    let problems = values.problems(&m.answer, year);
    show_problems(m, &problems);
    if !problems.is_empty() {
        return;
    }
    let location = web_sys::window().map(|w| w.location());
    let origin = location
        .as_ref()
        .and_then(|l| l.origin().ok())
        .unwrap_or_default();
    let path = location
        .as_ref()
        .and_then(|l| l.pathname().ok())
        .unwrap_or_else(|| "/".into());
    let event_id = random_uuid();
    let body = values
        .submission(
            &m.answer,
            (&event_id, &random_uuid()),
            now_ms(),
            (&origin, &path),
            year,
        )
        .to_string();
    let site = m.edge.site.clone();
    // Kept before it is sent: a closed tab or a fault loses nothing.
    outbox::keep(
        &site,
        Waiting {
            form: m.answer.form.clone(),
            event_id: event_id.clone(),
            body: body.clone(),
        },
    );
    let t = &m.answer.notice.texts;
    let _ = m.form.set_attribute("aria-busy", "true");
    let sent = m.edge.submit(&m.answer.form, &body).await;
    let _ = m.form.remove_attribute("aria-busy");
    match sent {
        Sent::Stored(answer) => {
            let outcome = acknowledge(&site, &m.answer.form, &event_id, &answer);
            let text = if outcome == "granted" || outcome == "refused" {
                &t.done
            } else {
                &t.pending
            };
            status(m, text);
            announce(m, &outcome, Some(&event_id));
            proceed(m);
        }
        Sent::Refused(code) => {
            outbox::forget(&site, &event_id);
            match field_of(&code) {
                Some(field) => {
                    let msg = if field == "phone" {
                        &t.error_phone
                    } else if field == "email" {
                        &t.error_email
                    } else {
                        &t.error_required
                    };
                    show_problems(m, &[(field, msg.clone())]);
                }
                None if code == "nothing_chosen" => status(m, &nothing_chosen(&m.answer)),
                None => status(m, &t.error_failed),
            }
        }
        Sent::Later => {
            // Waits in the outbox, sent again while the page is open (after
            // core's delay), when it comes back online and on the next
            // visit: the person's choice holds as sent.
            retry_later(&m.edge);
            status(m, &t.pending);
            announce(m, "queued", None);
            proceed(m);
        }
    }
}

/// An acknowledged submission leaves the outbox and is kept as sent; its
/// outcome, as the edge answered it.
fn acknowledge(site: &str, form: &str, event_id: &str, answer: &serde_json::Value) -> String {
    outbox::forget(site, event_id);
    let outcome = answer["outcome"].as_str().unwrap_or("").to_string();
    outbox::keep_acknowledged(
        site,
        outbox::Acknowledged {
            form: form.to_string(),
            event_id: event_id.to_string(),
            outcome: outcome.clone(),
        },
    );
    outcome
}

/// `assent:form` on the form element: what happened, for the site's code.
fn announce(m: &Mounted, outcome: &str, event_id: Option<&str>) {
    let detail = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&detail, &"form".into(), &m.answer.form.as_str().into());
    let _ = js_sys::Reflect::set(&detail, &"outcome".into(), &outcome.into());
    if let Some(id) = event_id {
        let _ = js_sys::Reflect::set(&detail, &"event_id".into(), &id.into());
    }
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    init.set_detail(&detail);
    if let Ok(ev) = web_sys::CustomEvent::new_with_event_init_dict("assent:form", &init) {
        let _ = m.form.dispatch_event(&ev);
    }
}

/// Lets the site's own submission go on (an enhanced form), unchanged;
/// Assent's own form stays, with its status.
fn proceed(m: &Mounted) {
    if m.enhanced {
        let _ = m.form.set_attribute("data-assent-recorded", "");
        let _ = m.form.request_submit();
    } else {
        m.form.reset();
        update_parent(m);
    }
}

thread_local! {
    /// Faults in a row since the edge last answered, and whether a retry
    /// is already set (one at a time: a second fault does not add one).
    static RETRY: Cell<(u32, bool)> = const { Cell::new((0, false)) };
    /// A flush is sending: another (online, a timer) waits for it.
    static FLUSHING: Cell<bool> = const { Cell::new(false) };
}

/// After a fault: what waits is sent again after core's delay for this many
/// faults in a row (`assent_core::api::retry_delay_ms`), plus up to 30 %
/// jitter so that many pages do not come back at once.
fn retry_later(edge: &Edge) {
    let (faults, set) = RETRY.get();
    if set {
        return;
    }
    RETRY.set((faults + 1, true));
    let delay = assent_core::api::retry_delay_ms(faults + 1) as f64;
    let delay = delay * (1.0 + 0.3 * js_sys::Math::random());
    let edge = edge.clone();
    let again = Closure::once_into_js(move || {
        RETRY.set((RETRY.get().0, false));
        wasm_bindgen_futures::spawn_local(async move { flush(&edge).await });
    });
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
            again.unchecked_ref(),
            delay as i32,
        );
    }
}

/// Sends every waiting submission again, oldest first (on start, when back
/// online, and after a fault's delay); stops at the first fault and tries
/// again later.
pub async fn flush(edge: &Edge) {
    if FLUSHING.replace(true) {
        return;
    }
    for waiting in outbox::all(&edge.site) {
        match edge.submit(&waiting.form, &waiting.body).await {
            Sent::Stored(answer) => {
                acknowledge(&edge.site, &waiting.form, &waiting.event_id, &answer);
            }
            Sent::Refused(_) => outbox::forget(&edge.site, &waiting.event_id),
            Sent::Later => {
                FLUSHING.set(false);
                retry_later(edge);
                return;
            }
        }
        RETRY.set((0, RETRY.get().1));
    }
    FLUSHING.set(false);
}
