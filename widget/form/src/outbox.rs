//! Submissions not yet acknowledged, kept in `localStorage` so that a
//! network fault, a 5xx or a closed tab loses none: each is written here
//! before it is sent and removed once the edge stored or refused it. They
//! are sent again when the form script next runs and when the browser comes
//! back online. The entry holds what the person typed (their email) only
//! until it is delivered, in their own browser.

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

/// Every waiting submission of `site`, oldest first.
pub fn all(site: &str) -> Vec<Waiting> {
    storage()
        .and_then(|s| s.get_item(&key(site)).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

fn save(site: &str, list: &[Waiting]) {
    if let Some(s) = storage() {
        let _ = if list.is_empty() {
            s.remove_item(&key(site))
        } else {
            s.set_item(&key(site), &serde_json::to_string(list).unwrap_or_default())
        };
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
