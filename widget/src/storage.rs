//! First-party storage of the visitor's choice and of the outbox.
//!
//! `localStorage` may be missing, full, or throw (blocked cookies, private
//! modes, sandboxed frames). Every access is caught; when storage fails the
//! widget keeps its state in memory for this page view only, which fails
//! closed: on the next page the banner asks again and nothing optional runs.

#[allow(unused_imports)]
use alloc::{borrow::ToOwned, string::String, vec::Vec};

use core::cell::RefCell;

use wasm_bindgen::JsValue;

use crate::consent::{Consent, Decisions};
use crate::js;

/// The visitor's current choice on this site: read from the latest consent
/// event, which is what the widget stores.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// Pseudonymous subject id.
    pub subject: String,
    /// Notice version the choice was made on.
    pub notice_version: String,
    /// Decisions per purpose and service.
    pub consent: Consent,
    /// When the choice was made (client clock, ms).
    pub decided_at_ms: f64,
}

impl Choice {
    /// Reads a consent event (as stored); `None` if it is not one.
    pub fn from_event(event: &JsValue) -> Option<Self> {
        let choice = Choice {
            subject: js::string(event, "subject"),
            notice_version: js::string(&js::get(event, "notice"), "version"),
            consent: Consent {
                purposes: decisions_from_js(&js::get(event, "decisions")),
                services: decisions_from_js(&js::get(event, "services")),
            },
            decided_at_ms: js::number(event, "client_time_ms"),
        };
        (!choice.subject.is_empty() && !choice.consent.purposes.is_empty()).then_some(choice)
    }
}

/// `{id: bool}` as a plain JS object.
pub fn decisions_to_js(d: &Decisions) -> JsValue {
    let o = js::object();
    for (k, v) in d {
        js::set(&o, k, &JsValue::from_bool(*v));
    }
    o
}

/// `{id: bool}` back into decisions, in key order; non-booleans read as false.
pub fn decisions_from_js(o: &JsValue) -> Decisions {
    let mut out = Vec::new();
    if o.is_object() {
        let obj: &js_sys::Object = wasm_bindgen::JsCast::unchecked_ref(o);
        for key in js_sys::Object::keys(obj).iter() {
            if let Some(k) = key.as_string() {
                let v = js::flag(o, &k);
                out.push((k, v));
            }
        }
    }
    out
}

/// Storage for one site, with an in-memory fallback.
pub struct Store {
    local: Option<web_sys::Storage>,
    memory: RefCell<Vec<(String, String)>>,
    prefix: String,
}

impl Store {
    /// Opens storage for `site`; never fails.
    pub fn open(site: &str) -> Self {
        let local = crate::window()
            .local_storage()
            .ok()
            .flatten()
            // Probe: some browsers hand out a storage that throws on write.
            .filter(|s| {
                let probe = "assent:probe";
                s.set_item(probe, "1").is_ok() && s.remove_item(probe).is_ok()
            });
        Store {
            local,
            memory: RefCell::new(Vec::new()),
            prefix: {
                let mut p = String::from("assent:");
                p.push_str(site);
                p
            },
        }
    }

    /// A store that keeps everything in memory, as when storage is blocked.
    pub fn in_memory(site: &str) -> Self {
        let mut store = Store::open(site);
        store.local = None;
        store
    }

    /// Whether choices survive this page view.
    pub fn is_persistent(&self) -> bool {
        self.local.is_some()
    }

    fn read(&self, suffix: &str) -> JsValue {
        let mut key = self.prefix.clone();
        key.push_str(suffix);
        // Memory first: it holds what a failed (full, throwing) storage refused.
        let remembered = self
            .memory
            .borrow()
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone());
        let text = remembered.or_else(|| {
            self.local
                .as_ref()
                .and_then(|s| s.get_item(&key).ok().flatten())
        });
        text.map(|t| js::parse(&t)).unwrap_or(JsValue::UNDEFINED)
    }

    fn write(&self, suffix: &str, value: &JsValue) {
        let mut key = self.prefix.clone();
        key.push_str(suffix);
        let Some(text) = js::stringify(value) else {
            return;
        };
        let stored = self
            .local
            .as_ref()
            .is_some_and(|s| s.set_item(&key, &text).is_ok());
        if !stored {
            let mut memory = self.memory.borrow_mut();
            memory.retain(|(k, _)| *k != key);
            memory.push((key, text));
        }
    }

    /// The stored choice, if any.
    pub fn choice(&self) -> Option<Choice> {
        Choice::from_event(&self.read(""))
    }

    /// Remembers the latest consent event as the choice.
    pub fn save_choice(&self, event: &JsValue) {
        self.write("", event)
    }

    /// A stored list (empty if there is none or it is not a list).
    fn list(&self, suffix: &str) -> js_sys::Array {
        let v = self.read(suffix);
        if js_sys::Array::is_array(&v) {
            v.into()
        } else {
            js_sys::Array::new()
        }
    }

    fn push(&self, suffix: &str, item: &JsValue) {
        let list = self.list(suffix);
        list.push(item);
        self.write(suffix, &list);
    }

    /// Events not yet acknowledged by the edge, oldest first, as JS objects.
    pub fn outbox(&self) -> js_sys::Array {
        self.list(":outbox")
    }

    /// Adds an event to the outbox.
    pub fn push_outbox(&self, event: &JsValue) {
        self.push(":outbox", event)
    }

    /// The receipts kept so far, oldest first.
    pub fn receipts(&self) -> js_sys::Array {
        self.list(":receipts")
    }

    /// Keeps a receipt (a compact JWS string).
    pub fn push_receipt(&self, receipt: &JsValue) {
        self.push(":receipts", receipt)
    }

    /// Removes the event with `event_id` from the outbox; whether it was there.
    pub fn remove_outbox(&self, event_id: &str) -> bool {
        let outbox = self.outbox();
        let rest: js_sys::Array = outbox
            .iter()
            .filter(|e| js::string(e, "event_id") != event_id)
            .collect();
        let removed = rest.length() != outbox.length();
        if removed {
            self.write(":outbox", &rest);
        }
        removed
    }
}

/// Logs a warning in the console.
pub fn warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(message));
}
