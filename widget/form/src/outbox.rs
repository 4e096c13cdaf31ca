//! Submissions not yet acknowledged, kept in `localStorage` so that a
//! network fault, a 5xx or a closed tab loses none: each is written here
//! before it is sent and removed once the edge stored or refused it. They
//! are sent again while the page is open (after core's delay,
//! `assent_core::api::retry_delay_ms`), when the browser comes back online,
//! and when the form script next runs. A page whose storage is full or
//! blocked keeps them in memory for as long as it lives. The entry holds
//! what the person typed (their email) only until it is delivered, in their
//! own browser.

use std::cell::RefCell;

use serde::{Deserialize, Serialize};

/// One waiting submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiting {
    /// The form.
    pub form: String,
    /// The event id (to remove it once delivered).
    pub event_id: String,
    /// The request body.
    pub body: String,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn key(site: &str) -> String {
    format!("assent:{site}:form-outbox")
}

thread_local! {
    /// The outbox of a page whose storage refused it (full, blocked): the
    /// submissions wait here for as long as the page lives, and are sent
    /// from here. Once set it stays the page's outbox: storage that failed
    /// once is not trusted with a list it no longer holds.
    static MEMORY: RefCell<Option<Vec<Waiting>>> = const { RefCell::new(None) };
}

/// Every waiting submission of `site`, oldest first.
pub fn all(site: &str) -> Vec<Waiting> {
    if let Some(list) = MEMORY.with(|m| m.borrow().clone()) {
        return list;
    }
    storage()
        .and_then(|s| s.get_item(&key(site)).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

fn save(site: &str, list: &[Waiting]) {
    let kept = MEMORY.with(|m| m.borrow().is_none())
        && storage().is_some_and(|s| {
            if list.is_empty() {
                s.remove_item(&key(site)).is_ok()
            } else {
                s.set_item(&key(site), &serde_json::to_string(list).unwrap_or_default())
                    .is_ok()
            }
        });
    if !kept {
        MEMORY.with(|m| *m.borrow_mut() = Some(list.to_vec()));
    }
}

/// Keeps a submission until it is delivered.
pub fn keep(site: &str, waiting: Waiting) {
    let mut list = all(site);
    list.retain(|w| w.event_id != waiting.event_id);
    list.push(waiting);
    save(site, &list);
}

/// Forgets a delivered (or refused) submission.
pub fn forget(site: &str, event_id: &str) {
    let mut list = all(site);
    list.retain(|w| w.event_id != event_id);
    save(site, &list);
}

/// A submission the edge acknowledged: what this browser sent and what it
/// amounts to. The edge's answer is the same for every address (it tells
/// the submitter nothing about the person), so this is all a page knows;
/// the person's record and receipts are in their privacy center, behind a
/// link mailed to their address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledged {
    /// The form.
    pub form: String,
    /// The submission's event id.
    pub event_id: String,
    /// What the submission amounts to (`pending`, `granted`, ...).
    pub outcome: String,
}

fn acknowledged_key(site: &str) -> String {
    format!("assent:{site}:form-submissions")
}

/// Keeps an acknowledged submission (the newest ten).
pub fn keep_acknowledged(site: &str, ack: Acknowledged) {
    let Some(s) = storage() else { return };
    let mut list = acknowledged(site);
    list.retain(|a| a.event_id != ack.event_id);
    list.push(ack);
    let skip = list.len().saturating_sub(10);
    let list: Vec<Acknowledged> = list.into_iter().skip(skip).collect();
    let _ = s.set_item(
        &acknowledged_key(site),
        &serde_json::to_string(&list).unwrap_or_default(),
    );
}

/// The acknowledged submissions kept, oldest first.
pub fn acknowledged(site: &str) -> Vec<Acknowledged> {
    storage()
        .and_then(|s| s.get_item(&acknowledged_key(site)).ok().flatten())
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}
