//! # assent-widget
//!
//! The browser side of Assent, a thin shell over `assent-core`: the consent
//! engine of the page. From the edge's config answer it decides whether the
//! visitor must be asked, writes the banner and the preferences panel (HTML
//! strings, every text escaped), turns each choice into a consent event that
//! waits in a local outbox until the edge acknowledged it, keeps the receipts,
//! and answers what may run ([`accepted`]). Rules (ids, actions, wire names)
//! come from core.
//!
//! The loader (`assent.js`) is its platform layer: it fetches, puts the HTML
//! this crate writes into a Shadow DOM, moves focus, routes clicks to [`act`],
//! [`save`] and friends, and publishes `window.assent`. The split keeps DOM
//! bindings (each one a wasm import plus glue) out of the `.wasm`.
//!
//! Failure is closed: if the notice cannot be fetched nothing is shown and
//! nothing optional is granted; if storage is blocked the choice holds for
//! this page view only.
//!
//! Size matters here (every byte is on a visitor's critical path), so the
//! widget builds its JSON with `JSON.stringify` on plain JS objects instead of
//! linking serde, and writes HTML as strings: see `BENCHMARKS.md`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::borrow::ToOwned;
use alloc::string::String;
use core::cell::{Cell, RefCell};

use assent_core::event::{Action, Control, Surface};
use assent_core::ids::{EventId, SubjectId};
use wasm_bindgen::prelude::*;

pub mod consent;
pub mod js;
pub mod notice;
pub mod storage;
pub mod ui;

pub use consent::{Consent, Decisions};
use notice::NoticeView;
use storage::{Choice, Store};

/// Version recorded in every event.
pub const WIDGET_VERSION: &str = env!("CARGO_PKG_VERSION");

struct App {
    site: String,
    events_url: String,
    notice: NoticeView,
    store: Store,
    /// The choice in force: made on this notice version, within its lifetime.
    choice: Option<Choice>,
    /// The visitor's pseudonymous id, kept across re-consent so the log links
    /// every event of one visitor.
    subject: Option<String>,
    gpc: bool,
}

/// Page-lifetime state. `no_std` has no `thread_local!`; the widget runs on
/// the page's one thread (wasm32 without atomics has no other), so a plain
/// static is enough.
struct PageState<T>(T);

// SAFETY: wasm32-unknown-unknown without the atomics feature is
// single-threaded; nothing else can ever touch these statics.
#[cfg(not(target_feature = "atomics"))]
unsafe impl<T> Sync for PageState<T> {}

impl<T> PageState<T> {
    fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        f(&self.0)
    }
}

static APP: PageState<RefCell<Option<App>>> = PageState(RefCell::new(None));
/// The event now in flight, if any: one at a time, oldest first.
static IN_FLIGHT: PageState<RefCell<Option<String>>> = PageState(RefCell::new(None));
static RETRY_MS: PageState<Cell<i32>> = PageState(Cell::new(0));

/// The page's `window`.
pub fn window() -> web_sys::Window {
    WINDOW.with(web_sys::Window::clone)
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn random_16() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    if let Ok(crypto) = window().crypto() {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    bytes
}

#[wasm_bindgen]
extern "C" {
    /// The page's `window`. Read directly rather than through
    /// `web_sys::window()`, whose global-object probing costs bytes.
    #[wasm_bindgen(thread_local_v2, js_name = window)]
    static WINDOW: web_sys::Window;

    /// The loader's transport: POSTs `body` to `url` with `keepalive`, then
    /// calls [`delivered`] with the HTTP status (0 when the network failed).
    #[wasm_bindgen(js_name = assentSend)]
    fn send(url: &str, body: &str, event_id: &str);

    /// The loader's timer: calls [`flush`] (one event) again after `ms` milliseconds.
    #[wasm_bindgen(js_name = assentRetry)]
    fn retry_after(ms: i32);
}

/// Starts the widget for `site` against the edge at `edge` (a base URL ending
/// in `/`), with the edge's answer to `GET /v1/sites/{site}/config`. Returns
/// what the loader shows: `{dir, banner, choices}` (the banner's HTML only when
/// the visitor must be asked, the Privacy choices control's HTML always), or
/// `null` if the widget could not start (nothing is granted then).
#[wasm_bindgen]
pub fn start(site: String, edge: String, config: JsValue) -> JsValue {
    // The loader says why when this is null; no second message from here.
    boot(site, edge, &config).unwrap_or(JsValue::NULL)
}

fn boot(site: String, edge: String, config: &JsValue) -> Result<JsValue, JsValue> {
    let notice = NoticeView::from_config(config)?;
    let store = Store::open(&site);
    // Local storage first; else the choice the edge kept in its own cookie
    // (first-party edges only), which outlives script-written storage caps.
    let stored = store.choice().or_else(|| {
        let from_edge = js::get(config, "choice");
        let choice = Choice::from_event(&from_edge);
        if choice.is_some() {
            store.save_choice(&from_edge);
        }
        choice
    });
    let subject = stored.as_ref().map(|c| c.subject.clone());
    let choice = stored.filter(|c| is_current(c, &notice));

    let mut events_url = edge;
    events_url.push_str("v1/sites/");
    events_url.push_str(&site);
    events_url.push_str("/events");
    let gpc = js::flag(&window().navigator(), "globalPrivacyControl");

    let view = js::object();
    js::set(&view, "dir", &ui::direction(&notice.language).into());
    if choice.is_none() {
        js::set(&view, "banner", &ui::banner_html(&notice, gpc).into());
    }
    js::set(&view, "choices", &ui::choices_html(&notice).into());
    let app = App {
        site,
        events_url,
        notice,
        store,
        choice,
        subject,
        gpc,
    };
    APP.with(|a| *a.borrow_mut() = Some(app));
    flush(false);
    Ok(view)
}

/// A stored choice counts while it was made on the current notice version and
/// its lifetime has not run out; otherwise the visitor is asked again. This
/// holds for refusals too: a visitor who refused is not asked again before
/// the lifetime ends, unless the notice changed.
pub fn is_current(choice: &Choice, notice: &NoticeView) -> bool {
    let lifetime_ms = notice.lifetime_days * 86_400_000.0;
    choice.notice_version == notice.version && now_ms() - choice.decided_at_ms < lifetime_ms
}

/// The consent event for a choice, as a plain JS object with exactly the
/// fields of `assent_core::event::ConsentEvent` (the wasm tests serialize it
/// and parse it back with core, and validate it against the site).
#[allow(clippy::too_many_arguments)]
pub fn event_object(
    notice: &NoticeView,
    site: &str,
    event_id: &str,
    subject: &str,
    action: Action,
    consent: &Consent,
    surface: Surface,
    control: Control,
    client_time_ms: f64,
    gpc: bool,
    origin: &str,
    path: &str,
) -> JsValue {
    let e = js::object();
    js::set(&e, "event_id", &event_id.into());
    js::set(&e, "site", &site.into());
    js::set(&e, "subject", &subject.into());
    js::set(&e, "action", &action.as_str().into());
    js::set(
        &e,
        "decisions",
        &storage::decisions_to_js(&consent.purposes),
    );
    if !consent.services.is_empty() {
        js::set(&e, "services", &storage::decisions_to_js(&consent.services));
    }
    let n = js::object();
    js::set(&n, "version", &notice.version.as_str().into());
    js::set(&n, "language", &notice.language.as_str().into());
    js::set(&n, "hash", &notice.hash.as_str().into());
    js::set(&e, "notice", &n);
    let ui = js::object();
    js::set(&ui, "surface", &surface.as_str().into());
    js::set(&ui, "control", &control.as_str().into());
    js::set(&e, "ui", &ui);
    js::set(
        &e,
        "client_time_ms",
        &js_sys::Math::floor(client_time_ms).into(),
    );
    js::set(&e, "gpc", &gpc.into());
    let page = js::object();
    js::set(&page, "origin", &origin.into());
    js::set(&page, "path", &path.into());
    js::set(&e, "page", &page);
    js::set(&e, "widget_version", &WIDGET_VERSION.into());
    e
}

impl App {
    fn current(&self) -> Consent {
        self.choice
            .as_ref()
            .map(|c| c.consent.clone())
            .unwrap_or_else(|| Consent::all(&self.notice, false, false))
    }

    /// Records `consent` as the new choice: outbox first, then the choice.
    /// Returns the event's action.
    fn record(
        &mut self,
        consent: Consent,
        surface: Surface,
        control: Control,
    ) -> Result<Action, JsValue> {
        let had = self
            .choice
            .as_ref()
            .is_some_and(|c| c.consent.grants_optional(&self.notice));
        let action = Action::for_change(had, consent.grants_optional(&self.notice));
        let subject = self
            .subject
            .get_or_insert_with(|| {
                SubjectId::from_random_bytes(random_16())
                    .as_str()
                    .to_owned()
            })
            .clone();
        let event_id = EventId::from_random_bytes(random_16()).as_str().to_owned();
        let location = window().location();
        let event = event_object(
            &self.notice,
            &self.site,
            &event_id,
            &subject,
            action,
            &consent,
            surface,
            control,
            now_ms(),
            self.gpc,
            &location.origin()?,
            &location.pathname()?,
        );
        // Outbox first: the event is safe before anything else can fail. The
        // latest event is also the remembered choice.
        self.store.push_outbox(&event);
        self.store.save_choice(&event);
        self.choice = Choice::from_event(&event);

        Ok(action)
    }
}

fn with_app<R>(f: impl FnOnce(&mut App) -> R) -> Option<R> {
    APP.with(|a| a.borrow_mut().as_mut().map(f))
}

/// What [`act`], [`allow`], [`set`] and [`withdraw`] answer: 0 when nothing
/// was recorded, else the recorded action (numbers, not names: a string
/// return costs the glue and the wasm more than the loader's one comparison).
pub fn action_code(action: Action) -> u8 {
    match action {
        Action::Give => 1,
        Action::Refuse => 2,
        Action::Update => 3,
        Action::Withdraw => 4,
    }
}

/// Sends a recorded choice on its way; see [`action_code`].
fn recorded(result: Option<Result<Action, JsValue>>) -> u8 {
    match result {
        Some(Ok(action)) => {
            flush(false);
            action_code(action)
        }
        Some(Err(_)) => {
            storage::warn("assent: choice not recorded");
            0
        }
        None => 0,
    }
}

/// "Accept all", "Reject all" or "Withdraw all", on the banner or (with
/// `in_panel`) in the preferences panel; `name` is the button's `data-act`.
/// Returns the recorded action's [`action_code`], 0 for any other name.
#[wasm_bindgen]
pub fn act(name: &str, in_panel: bool) -> u8 {
    let control = match name {
        "accept_all" => Control::AcceptAll,
        "reject_all" => Control::RejectAll,
        "withdraw_all" => Control::WithdrawAll,
        _ => return 0,
    };
    let surface = if in_panel {
        Surface::Preferences
    } else {
        Surface::Banner
    };
    recorded(with_app(|app| {
        let consent = Consent::all(&app.notice, control == Control::AcceptAll, app.gpc);
        app.record(consent, surface, control)
    }))
}

/// "Save choices" in the panel, with its switches as the loader read them:
/// `{purpose: bool}` and `{service: bool}`.
#[wasm_bindgen]
pub fn save(purposes: JsValue, services: JsValue) -> u8 {
    let (p, s) = (
        storage::decisions_from_js(&purposes),
        storage::decisions_from_js(&services),
    );
    recorded(with_app(|app| {
        let consent = Consent::from_switches(&app.notice, &p, &s);
        app.record(consent, Surface::Preferences, Control::Save)
    }))
}

/// The preferences panel's HTML for the current choice (nothing ticked
/// before one, or after a new notice version).
#[wasm_bindgen]
pub fn panel() -> String {
    with_app(|app| {
        let current = app.choice.as_ref().map(|c| &c.consent);
        ui::panel_html(&app.notice, current, app.gpc)
    })
    .unwrap_or_default()
}

/// "Allow and load" on an embed's placeholder: grants `purpose` (and of its
/// services only `service`, if given). Returns the action, as [`act`].
#[wasm_bindgen]
pub fn allow(purpose: &str, service: Option<String>) -> u8 {
    recorded(
        with_app(|app| {
            let current = app.current();
            let consent = current.allow(&app.notice, purpose, service.as_deref());
            // Already allowed, or nothing it could allow (an unknown service).
            let unchanged = app.choice.is_some() && consent == current;
            if unchanged || !consent.accepts(&app.notice, purpose, service.as_deref()) {
                return None;
            }
            Some(app.record(consent, Surface::Embed, Control::AllowEmbed))
        })
        .flatten(),
    )
}

/// The site's own code records a choice made in its own UI
/// (`{analytics: true}`): purposes named are set, the others keep their
/// decision, unknown ones are ignored. A call that names no known purpose or
/// changes nothing records nothing.
#[wasm_bindgen]
pub fn set(decisions: JsValue) -> u8 {
    recorded(
        with_app(|app| {
            let mut consent = app.current();
            let mut named = false;
            for (purpose, on) in storage::decisions_from_js(&decisions) {
                if app.notice.optional_purposes().any(|p| p == purpose) {
                    named = true;
                    consent = consent.with_purpose(&app.notice, &purpose, on);
                }
            }
            let unchanged = app.choice.as_ref().is_some_and(|c| c.consent == consent);
            if !named || unchanged {
                return None;
            }
            Some(app.record(consent, Surface::Api, Control::Api))
        })
        .flatten(),
    )
}

/// Withdraws every optional purpose (the site's own "withdraw" link).
#[wasm_bindgen]
pub fn withdraw() -> u8 {
    recorded(
        with_app(|app| {
            // Nothing granted, nothing to withdraw; before any choice the
            // visitor's click is still recorded, as a refusal.
            let grants = app
                .choice
                .as_ref()
                .map(|c| c.consent.grants_optional(&app.notice));
            if grants == Some(false) {
                return None;
            }
            let consent = Consent::all(&app.notice, false, false);
            Some(app.record(consent, Surface::Api, Control::WithdrawAll))
        })
        .flatten(),
    )
}

/// Whether `purpose` (and `service` under it, if given) may run now. Before
/// any choice only required purposes may.
#[wasm_bindgen]
pub fn accepted(purpose: &str, service: Option<String>) -> bool {
    // Called for every gated element and Consent Mode signal: borrow the
    // choice instead of cloning it; no choice reads as nothing granted.
    let none = Consent::default();
    with_app(|app| {
        let consent = app.choice.as_ref().map_or(&none, |c| &c.consent);
        consent.accepts(&app.notice, purpose, service.as_deref())
    })
    .unwrap_or(false)
}

/// The current decisions by purpose, or `null` before the visitor decided.
#[wasm_bindgen]
pub fn get() -> JsValue {
    with_app(|app| {
        app.choice
            .as_ref()
            .map(|c| storage::decisions_to_js(&c.consent.purposes))
    })
    .flatten()
    .unwrap_or(JsValue::NULL)
}

/// Every receipt the edge gave for this visitor's events on this site, oldest
/// first: compact JWS strings anyone can verify (`assent verify receipt`).
#[wasm_bindgen]
pub fn receipts() -> JsValue {
    with_app(|app| JsValue::from(app.store.receipts()))
        .unwrap_or_else(|| JsValue::from(js_sys::Array::new()))
}

/// What the edge's answer means for an event in the outbox.
#[derive(Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Stored (201) or already stored (200): remove it from the outbox.
    Acknowledged,
    /// The edge refused it for good (4xx): retrying cannot help.
    Rejected,
    /// A fault (network, 5xx, 408, 425, 429): keep it and retry later.
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

/// Sends the oldest outbox event, unless one is already in flight; the answer
/// comes back through [`delivered`], which sends the next one.
///
/// With `all` (on `pagehide`), sends every outbox event at once: the page may
/// be gone before answers come, and `keepalive` lets the requests outlive it.
/// Events already stored come back 200 with the same receipt, so a second
/// copy is harmless.
#[wasm_bindgen]
pub fn flush(all: bool) {
    if !all && IN_FLIGHT.with(|f| f.borrow().is_some()) {
        return;
    }
    let (url, outbox) = match with_app(|app| (app.events_url.clone(), app.store.outbox())) {
        Some(found) => found,
        None => return,
    };
    for event in outbox.iter() {
        let id = js::string(&event, "event_id");
        let Some(body) = js::stringify(&event).filter(|_| !id.is_empty()) else {
            continue;
        };
        if !all {
            IN_FLIGHT.with(|f| *f.borrow_mut() = Some(id.clone()));
            send(&url, &body, &id);
            return;
        }
        send(&url, &body, &id);
    }
}

/// The transport's answer for `event_id` (status, and body text): keeps the
/// receipt of an acknowledged event and drops the event from the outbox once
/// the edge acknowledged (or refused) it, or retries later with exponential
/// backoff and jitter after a fault.
#[wasm_bindgen]
pub fn delivered(event_id: String, status: u16, body: String) {
    let was_in_flight = IN_FLIGHT.with(|f| {
        let mut f = f.borrow_mut();
        let ours = f.as_deref() == Some(event_id.as_str());
        if ours {
            *f = None;
        }
        ours
    });
    match Delivery::from_status(status) {
        // Only the event in flight drives the retry timer; a `flush_all`
        // copy that failed is still in the outbox for the next round.
        Delivery::Retry if was_in_flight => {
            let delay = RETRY_MS.with(|r| {
                let next = (r.get() * 2).clamp(1000, 60_000);
                r.set(next);
                next
            });
            let jitter = (js_sys::Math::random() * f64::from(delay) * 0.3) as i32;
            retry_after(delay + jitter);
        }
        Delivery::Retry => {}
        outcome => {
            // The first answer for an event wins; a second copy's answer
            // (same receipt) finds it gone and keeps nothing twice.
            let removed = with_app(|app| {
                let removed = app.store.remove_outbox(&event_id);
                if removed && outcome == Delivery::Acknowledged {
                    let receipt = js::get(&js::parse(&body), "receipt");
                    if receipt.is_string() {
                        app.store.push_receipt(&receipt);
                    }
                }
                removed
            });
            if removed == Some(true) && outcome == Delivery::Rejected {
                storage::warn("assent: event refused by the edge");
            }
            if was_in_flight {
                RETRY_MS.with(|r| r.set(0));
                flush(false);
            }
        }
    }
}

// A panic is a bug; in the shipped `no_std` build it traps without
// formatting a message (the loader then reports that the widget stopped).
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

// lol_alloc's free list instead of the default dlmalloc (or talc): the
// widget's heap is a few kilobytes, where a first-fit list is fast enough, and
// it is the smallest of the three on the wire (BENCHMARKS.md).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
// SAFETY: wasm32 without the atomics feature runs on one thread only.
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
