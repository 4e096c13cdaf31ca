//! First-party storage of the visitor's choice and of the outbox.
//!
//! `localStorage` may be missing, full, or throw (blocked cookies, private
//! modes, sandboxed frames). Every access is caught; when storage fails the
//! widget keeps its state in memory for this page view only, which fails
//! closed: on the next page the banner asks again and nothing optional runs.

use std::cell::RefCell;
use std::collections::BTreeMap;

use wasm_bindgen::JsValue;

use crate::js;

/// The visitor's current choice on this site.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// Pseudonymous subject id.
    pub subject: String,
    /// Notice version the choice was made on.
    pub notice_version: String,
    /// Decision per purpose.
    pub decisions: BTreeMap<String, bool>,
    /// When the choice was made (client clock, ms).
    pub decided_at_ms: f64,
    /// The event that recorded it.
    pub event_id: String,
}

impl Choice {
    fn to_js(&self) -> JsValue {
        let o = js::object();
        js::set(&o, "subject", &self.subject.as_str().into());
        js::set(&o, "notice_version", &self.notice_version.as_str().into());
        js::set(&o, "decisions", &decisions_to_js(&self.decisions));
        js::set(&o, "decided_at_ms", &self.decided_at_ms.into());
        js::set(&o, "event_id", &self.event_id.as_str().into());
        o
    }

    fn from_js(o: &JsValue) -> Option<Self> {
        let choice = Choice {
            subject: js::string(o, "subject"),
            notice_version: js::string(o, "notice_version"),
            decisions: decisions_from_js(&js::get(o, "decisions")),
            decided_at_ms: js::number(o, "decided_at_ms"),
            event_id: js::string(o, "event_id"),
        };
        (!choice.subject.is_empty() && !choice.decisions.is_empty()).then_some(choice)
    }
}

/// `{purpose: bool}` as a plain JS object.
pub fn decisions_to_js(d: &BTreeMap<String, bool>) -> JsValue {
    let o = js::object();
    for (k, v) in d {
        js::set(&o, k, &JsValue::from_bool(*v));
    }
    o
}

fn decisions_from_js(o: &JsValue) -> BTreeMap<String, bool> {
    let mut out = BTreeMap::new();
    if o.is_object() {
        let obj: &js_sys::Object = wasm_bindgen::JsCast::unchecked_ref(o);
        for key in js_sys::Object::keys(obj).iter() {
            if let Some(k) = key.as_string() {
                out.insert(k.clone(), js::flag(o, &k));
            }
        }
    }
    out
}

/// Storage for one site, with an in-memory fallback.
pub struct Store {
    local: Option<web_sys::Storage>,
    memory: RefCell<BTreeMap<String, String>>,
    prefix: String,
}

impl Store {
    /// Opens storage for `site`; never fails.
    pub fn open(site: &str) -> Self {
        let local = web_sys::window()
            .and_then(|w| w.local_storage().ok().flatten())
            // Probe: some browsers hand out a storage that throws on write.
            .filter(|s| {
                let probe = "assent:probe";
                s.set_item(probe, "1").is_ok() && s.remove_item(probe).is_ok()
            });
        Store {
            local,
            memory: RefCell::new(BTreeMap::new()),
            prefix: ["assent:", site].concat(),
        }
    }

    /// Whether choices survive this page view.
    pub fn is_persistent(&self) -> bool {
        self.local.is_some()
    }

    fn read(&self, suffix: &str) -> JsValue {
        let key = [self.prefix.as_str(), suffix].concat();
        let text = match &self.local {
            Some(s) => s.get_item(&key).ok().flatten(),
            None => self.memory.borrow().get(&key).cloned(),
        };
        text.map(|t| js::parse(&t)).unwrap_or(JsValue::UNDEFINED)
    }

    fn write(&self, suffix: &str, value: &JsValue) {
        let key = [self.prefix.as_str(), suffix].concat();
        let Some(text) = js::stringify(value) else {
            return;
        };
        let stored = self
            .local
            .as_ref()
            .is_some_and(|s| s.set_item(&key, &text).is_ok());
        if !stored {
            self.memory.borrow_mut().insert(key, text);
        }
    }

    /// The stored choice, if any.
    pub fn choice(&self) -> Option<Choice> {
        Choice::from_js(&self.read(""))
    }

    /// Remembers the choice.
    pub fn save_choice(&self, choice: &Choice) {
        self.write("", &choice.to_js())
    }

    /// Events not yet acknowledged by the edge, oldest first, as JS objects.
    pub fn outbox(&self) -> js_sys::Array {
        let v = self.read(":outbox");
        if js_sys::Array::is_array(&v) {
            v.into()
        } else {
            js_sys::Array::new()
        }
    }

    /// Adds an event to the outbox.
    pub fn push_outbox(&self, event: &JsValue) {
        let outbox = self.outbox();
        outbox.push(event);
        self.write(":outbox", &outbox);
    }

    /// Removes the event with `event_id` from the outbox.
    pub fn remove_outbox(&self, event_id: &str) {
        let rest: js_sys::Array = self
            .outbox()
            .iter()
            .filter(|e| js::string(e, "event_id") != event_id)
            .collect();
        self.write(":outbox", &rest);
    }
}

/// Logs a warning in the console.
pub fn warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(message));
}
