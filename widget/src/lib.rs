//! # assent-widget
//!
//! The browser side of Assent: a thin shell over `assent-core`. It fetches the
//! site's notice from the edge, renders the banner and the preferences panel,
//! and turns each choice into a [`ConsentEvent`] that waits in a local outbox
//! until the edge has acknowledged it. Rules (ids, actions, the event format)
//! come from core; this crate owns only DOM, storage and fetch.
//!
//! The loader (`assent.js`) calls [`start`] with the script tag's `data-site`
//! and the edge's base URL, and publishes [`show`] and [`get`] as
//! `window.assent`.
//!
//! Failure is closed: if the notice cannot be fetched nothing is shown and
//! nothing optional is granted; if storage is blocked the choice holds for
//! this page view only.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use assent_core::event::{Action, ConsentEvent, Control, NoticeRef, PageRef, Surface, UiRef};
use assent_core::ids::{EventId, SubjectId};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement, ShadowRoot};

pub mod js;
pub mod net;
pub mod notice;
pub mod storage;
pub mod ui;

use notice::NoticeView;

use storage::{Choice, Store};

/// Version recorded in every event.
pub const WIDGET_VERSION: &str = env!("CARGO_PKG_VERSION");

struct App {
    site: String,
    edge: String,
    notice: NoticeView,
    store: Store,
    root: ShadowRoot,
    banner: Option<Element>,
    panel: Option<Element>,
    choices: Option<Element>,
    opener: Option<HtmlElement>,
    choice: Option<Choice>,
}

thread_local! {
    static APP: RefCell<Option<App>> = const { RefCell::new(None) };
    static FLUSHING: Cell<bool> = const { Cell::new(false) };
    static RETRY_MS: Cell<i32> = const { Cell::new(0) };
}

/// Serializes to a plain JS value (objects, not `Map`s).
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, serde_wasm_bindgen::Error> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
}

fn document() -> Result<Document, JsValue> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| "no document".into())
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn random_16() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    bytes
}

/// Starts the widget for `site` against the edge at `edge` (a base URL ending in `/`).
#[wasm_bindgen]
pub fn start(site: String, edge: String) {
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = boot(site, edge).await {
            let why = e.as_string().unwrap_or_default();
            storage::warn(&["assent: not started, nothing optional is granted. ", &why].concat());
        }
    });
}

fn page_languages() -> String {
    let mut langs = Vec::new();
    if let Ok(doc) = document() {
        if let Some(lang) = doc.document_element().and_then(|e| e.get_attribute("lang")) {
            if !lang.is_empty() {
                langs.push(lang);
            }
        }
    }
    if let Some(nav) = web_sys::window().map(|w| w.navigator()) {
        for l in nav.languages().iter() {
            if let Some(l) = l.as_string() {
                langs.push(l);
            }
        }
    }
    langs.truncate(8);
    js_sys::encode_uri_component(&langs.join(",")).into()
}

async fn boot(site: String, edge: String) -> Result<(), JsValue> {
    let url = [edge.as_str(), "v1/sites/", &site, "/config?lang=", &page_languages()].concat();
    let notice = NoticeView::from_config(&net::get_json(&url).await?)?;
    let doc = document()?;
    let root = ui::mount(&doc)?;
    let store = Store::open(&site);
    let choice = store.choice().filter(|c| is_current(c, &notice));

    let handler = Closure::<dyn FnMut(web_sys::Event)>::new(on_click);
    root.add_event_listener_with_callback("click", handler.as_ref().unchecked_ref())?;
    handler.forget();
    let keys = Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(on_key);
    root.add_event_listener_with_callback("keydown", keys.as_ref().unchecked_ref())?;
    keys.forget();

    let mut app = App {
        site,
        edge,
        notice,
        store,
        root,
        banner: None,
        panel: None,
        choices: None,
        opener: None,
        choice,
    };
    if app.choice.is_some() {
        app.show_choices_button()?;
    } else {
        let banner = ui::banner(&doc, &app.notice)?;
        app.root.append_child(&banner)?;
        app.banner = Some(banner);
    }
    dispatch("assent:ready", app.choice.as_ref().map(|c| &c.decisions));
    APP.with(|a| *a.borrow_mut() = Some(app));
    flush().await;
    Ok(())
}

/// A stored choice counts while it was made on the current notice version and
/// its lifetime has not run out; otherwise the visitor is asked again.
pub fn is_current(choice: &Choice, notice: &NoticeView) -> bool {
    let lifetime_ms = notice.lifetime_days * 86_400_000.0;
    choice.notice_version == notice.version && now_ms() - choice.decided_at_ms < lifetime_ms
}

impl App {
    fn show_choices_button(&mut self) -> Result<(), JsValue> {
        if self.choices.is_none() {
            let b = ui::choices_button(&document()?, &self.notice)?;
            self.root.append_child(&b)?;
            self.choices = Some(b);
        }
        Ok(())
    }

    fn open_panel(&mut self) -> Result<(), JsValue> {
        if self.panel.is_some() {
            return Ok(());
        }
        let doc = document()?;
        self.opener = self
            .root
            .active_element()
            .or_else(|| doc.active_element())
            .and_then(|e| e.dyn_into::<HtmlElement>().ok());
        let current = self.choice.as_ref().map(|c| &c.decisions);
        let panel = ui::panel(&doc, &self.notice, current)?;
        self.root.append_child(&panel)?;
        if let Some(first) = panel
            .query_selector("input:not([disabled])")?
            .and_then(|e| e.dyn_into::<HtmlElement>().ok())
        {
            first.focus()?;
        }
        self.panel = Some(panel);
        Ok(())
    }

    fn close_panel(&mut self) {
        if let Some(panel) = self.panel.take() {
            panel.remove();
            if let Some(opener) = self.opener.take() {
                let _ = opener.focus();
            }
        }
    }

    fn decide(&mut self, control: Control) -> Result<(), JsValue> {
        let surface = if self.panel.is_some() {
            Surface::Preferences
        } else {
            Surface::Banner
        };
        let notice = &self.notice;
        let decisions: BTreeMap<String, bool> = match control {
            Control::Save => {
                let panel = self.panel.as_ref().ok_or("no panel")?;
                ui::read_switches(panel)?
            }
            _ => notice
                .purposes
                .iter()
                .map(|p| (p.id.clone(), p.required || control == Control::AcceptAll))
                .collect(),
        };
        let previous = self.choice.as_ref().map(|c| &c.decisions);
        let action = Action::for_change(previous, &decisions, notice.optional_purposes());
        let subject = self
            .choice
            .as_ref()
            .map(|c| c.subject.clone())
            .unwrap_or_else(|| SubjectId::from_random_bytes(random_16()).to_string());
        let location = web_sys::window().ok_or("no window")?.location();
        let event = ConsentEvent {
            event_id: EventId::from_random_bytes(random_16()).to_string(),
            site: self.site.clone(),
            subject: subject.clone(),
            action,
            decisions: decisions.clone(),
            notice: NoticeRef {
                version: notice.version.clone(),
                language: notice.language.clone(),
                hash: notice.hash.clone(),
            },
            ui: UiRef { surface, control },
            client_time_ms: now_ms() as u64,
            gpc: gpc_signal(),
            page: PageRef {
                origin: location.origin()?,
                path: location.pathname()?,
            },
            widget_version: WIDGET_VERSION.to_string(),
        };
        let choice = Choice {
            subject,
            notice_version: self.notice.version.clone(),
            decisions,
            decided_at_ms: now_ms(),
            event_id: event.event_id.clone(),
        };
        // Outbox first: the event is safe before anything else can fail.
        self.store.push_outbox(&to_js(&event).map_err(|_| "event")?);
        self.store.save_choice(&choice);
        self.choice = Some(choice);

        self.close_panel();
        if let Some(banner) = self.banner.take() {
            banner.remove();
        }
        self.show_choices_button()?;
        if let Some(b) = self.choices.as_ref().and_then(|b| b.dyn_ref::<HtmlElement>()) {
            let _ = b.focus();
        }
        dispatch("assent:change", self.choice.as_ref().map(|c| &c.decisions));
        Ok(())
    }
}

fn gpc_signal() -> bool {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w.navigator(), &"globalPrivacyControl".into()).ok())
        .is_some_and(|v| v.is_truthy())
}

fn dispatch(name: &str, decisions: Option<&BTreeMap<String, bool>>) {
    let detail = decisions
        .map(storage::decisions_to_js)
        .unwrap_or(JsValue::NULL);
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&detail);
    if let (Ok(doc), Ok(event)) = (
        document(),
        web_sys::CustomEvent::new_with_event_init_dict(name, &init),
    ) {
        let _ = doc.dispatch_event(&event);
    }
}

fn with_app<R>(f: impl FnOnce(&mut App) -> R) -> Option<R> {
    APP.with(|a| a.borrow_mut().as_mut().map(f))
}

fn on_click(event: web_sys::Event) {
    let act = event
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .and_then(|e| e.closest("[data-act]").ok().flatten())
        .and_then(|e| e.get_attribute(ui::ACT));
    let Some(act) = act else { return };
    let result = with_app(|app| match act.as_str() {
        "accept_all" => app.decide(Control::AcceptAll).map(|_| true),
        "reject_all" => app.decide(Control::RejectAll).map(|_| true),
        "save" => app.decide(Control::Save).map(|_| true),
        "customise" | "choices" => app.open_panel().map(|_| false),
        "close" => {
            app.close_panel();
            Ok(false)
        }
        _ => Ok(false),
    });
    match result {
        Some(Ok(true)) => wasm_bindgen_futures::spawn_local(flush()),
        Some(Err(_)) => storage::warn("assent: the choice could not be recorded"),
        _ => {}
    }
}

fn on_key(event: web_sys::KeyboardEvent) {
    if event.key() == "Escape" {
        with_app(|app| app.close_panel());
    }
}

/// Opens the preferences panel (for a site's own "cookie settings" link).
#[wasm_bindgen]
pub fn show() {
    if let Some(Err(_)) = with_app(|app| app.open_panel()) {
        storage::warn("assent: the panel could not be opened");
    }
}

/// The current decisions by purpose, or `null` before the visitor decided.
#[wasm_bindgen]
pub fn get() -> JsValue {
    with_app(|app| app.choice.as_ref().map(|c| storage::decisions_to_js(&c.decisions)))
        .flatten()
        .unwrap_or(JsValue::NULL)
}

/// What the edge's answer means for an event in the outbox.
#[derive(Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Stored (201) or already stored (200): remove it from the outbox.
    Acknowledged,
    /// The edge refused it for good (4xx): retrying cannot help.
    Rejected,
    /// A fault (network, 5xx, 408, 429): keep it and retry later.
    Retry,
}

impl Delivery {
    /// Classifies an HTTP status.
    pub fn from_status(status: u16) -> Self {
        match status {
            200..=299 => Delivery::Acknowledged,
            408 | 425 | 429 => Delivery::Retry,
            400..=499 => Delivery::Rejected,
            _ => Delivery::Retry,
        }
    }
}

/// Sends every outbox event, oldest first; stops at the first fault and
/// schedules a retry with exponential backoff and jitter.
async fn flush() {
    if FLUSHING.with(|f| f.replace(true)) {
        return;
    }
    let target = with_app(|app| (app.edge.clone(), app.site.clone(), app.store.outbox()));
    let mut fault = false;
    if let Some((edge, site, outbox)) = target {
        let url = [edge.as_str(), "v1/sites/", &site, "/events"].concat();
        for event in outbox.iter() {
            let event_id = js::string(&event, "event_id");
            let Some(body) = js::stringify(&event) else {
                continue;
            };
            let outcome = match net::post_json(&url, &body).await {
                Ok(status) => Delivery::from_status(status),
                Err(_) => Delivery::Retry,
            };
            if outcome == Delivery::Retry {
                fault = true;
                break;
            }
            if outcome == Delivery::Rejected {
                storage::warn(&["assent: event ", &event_id, " refused by the edge"].concat());
            }
            with_app(|app| app.store.remove_outbox(&event_id));
        }
    }
    FLUSHING.with(|f| f.set(false));
    if fault {
        let delay = RETRY_MS.with(|r| {
            let next = (r.get() * 2).clamp(1000, 60_000);
            r.set(next);
            next
        });
        let jitter = (js_sys::Math::random() * f64::from(delay) * 0.3) as i32;
        let cb = Closure::once_into_js(|| wasm_bindgen_futures::spawn_local(flush()));
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                cb.unchecked_ref(),
                delay + jitter,
            );
        }
    } else {
        RETRY_MS.with(|r| r.set(0));
    }
}
