//! First-party storage of the visitor's choice and of the outbox.
//!
//! `localStorage` may be missing, full, or throw (blocked cookies, private
//! modes, sandboxed frames). Every access is caught; when storage fails the
//! widget keeps its state in memory for this page view only, which fails
//! closed: on the next page the banner asks again and nothing optional runs.

use std::cell::RefCell;
use std::collections::BTreeMap;

use assent_core::event::ConsentEvent;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use wasm_bindgen::JsValue;

/// The visitor's current choice on this site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
            prefix: format!("assent:{site}"),
        }
    }

    /// Whether choices survive this page view.
    pub fn is_persistent(&self) -> bool {
        self.local.is_some()
    }

    fn read<T: DeserializeOwned>(&self, suffix: &str) -> Option<T> {
        let key = format!("{}{suffix}", self.prefix);
        let text = match &self.local {
            Some(s) => s.get_item(&key).ok().flatten(),
            None => self.memory.borrow().get(&key).cloned(),
        }?;
        let value = js_sys::JSON::parse(&text).ok()?;
        serde_wasm_bindgen::from_value(value).ok()
    }

    fn write<T: Serialize>(&self, suffix: &str, value: &T) {
        let key = format!("{}{suffix}", self.prefix);
        let text = crate::to_js(value)
            .ok()
            .and_then(|v| js_sys::JSON::stringify(&v).ok())
            .and_then(|s| s.as_string());
        let Some(text) = text else { return };
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
        self.read("")
    }

    /// Remembers the choice.
    pub fn save_choice(&self, choice: &Choice) {
        self.write("", choice)
    }

    /// Events not yet acknowledged by the edge, oldest first.
    pub fn outbox(&self) -> Vec<ConsentEvent> {
        self.read(":outbox").unwrap_or_default()
    }

    /// Replaces the outbox.
    pub fn save_outbox(&self, events: &[ConsentEvent]) {
        self.write(":outbox", &events)
    }
}

/// Logs a warning in the console.
pub fn warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(message));
}
