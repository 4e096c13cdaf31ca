//! Handing confirmed opt-ins to the site's CRM: signed webhooks, queued
//! durably and retried.
//!
//! - **What is sent.** A record that grants an offer (a confirmation, or a
//!   submission that holds at once) is `opt_in.confirmed` or
//!   `opt_in.granted`; a withdrawal is `opt_in.withdrawn`. The body names
//!   the site, form, subject, event, the offers and their state after it,
//!   the contact's identity (opened from the vault when it is sent, so the
//!   queue holds none) and the receipt: the CRM keeps the proof beside the
//!   contact.
//! - **How it is signed.** The Standard Webhooks scheme: `webhook-id`,
//!   `webhook-timestamp` (seconds) and `webhook-signature: v1,<base64 of
//!   HMAC-SHA256 over "id.timestamp.body">` under the webhook's secret
//!   (`whsec_` and base64, as its libraries expect).
//! - **When it is sent.** At once, then again after 1 s, 2 s, 4 s, ...
//!   doubling up to an hour between tries, for 72 hours; after that it is
//!   `failed`, and stays listed for the owner. Nothing is dropped silently.
//!
//! ```
//! use assent_core::form::webhook::{sign, Secret};
//!
//! // The Standard Webhooks specification's example.
//! let secret = Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
//! let signature = sign(&secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, br#"{"test": 2432232314}"#);
//! assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
//! ```

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::{Error, KeyError};
use crate::event::Action;
use crate::form::identity::Identity;
use crate::form::submission::Outcome;
use crate::ids::{EventId, SubjectId};
use crate::record::StoredRecord;

/// The first retry comes this long after the first try.
pub const FIRST_RETRY_MS: u64 = 1_000;
/// The longest wait between two tries.
pub const MAX_RETRY_MS: u64 = 3_600_000;
/// How long a delivery is tried before it is `failed`: 72 hours.
pub const GIVE_UP_AFTER_MS: u64 = 72 * 3_600_000;

/// A webhook's signing secret.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl core::fmt::Debug for Secret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Secret {
    /// Reads `whsec_<base64>` (or bare base64) of 24 to 64 bytes.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let b64 = text.trim().strip_prefix("whsec_").unwrap_or(text.trim());
        STANDARD
            .decode(b64)
            .ok()
            .filter(|b| (24..=64).contains(&b.len()))
            .map(Secret)
            .ok_or_else(|| {
                Error::Key(KeyError::KeyMalformed {
                    reason: "a webhook secret is whsec_ and base64 of 24 to 64 bytes".into(),
                })
            })
    }
}

/// The `webhook-signature` header's value for one message.
pub fn sign(secret: &Secret, id: &str, timestamp_s: u64, body: &[u8]) -> String {
    let mut mac =
        <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&secret.0).expect("any key length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp_s.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Not yet acknowledged; tried again at `next_ms`.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Tried for [`GIVE_UP_AFTER_MS`] without a 2xx.
    Failed,
}

/// One message to one webhook, as queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// The store's number for it (0 until stored); its `webhook-id` is `msg_<event id>_<webhook>`.
    pub id: u64,
    /// The webhook (its id in the site config).
    pub webhook: String,
    /// The record it is about.
    pub event_id: EventId,
    /// Its subject.
    pub subject: SubjectId,
    /// `opt_in.confirmed`, `opt_in.granted` or `opt_in.withdrawn`.
    pub kind: String,
    /// When it was queued.
    pub created_ms: u64,
    /// Tries so far.
    pub attempts: u32,
    /// When it is tried next (pending only).
    pub next_ms: Option<u64>,
    /// Where it stands.
    pub state: DeliveryState,
    /// The receiver's last status, if it answered.
    pub last_status: Option<u16>,
    /// What went wrong last (a status, a network error; never a body).
    pub last_error: Option<String>,
    /// When the receiver acknowledged it.
    pub delivered_ms: Option<u64>,
}

impl Delivery {
    /// A new delivery, due now.
    pub fn queued(
        webhook: &str,
        kind: &str,
        event_id: &EventId,
        subject: &SubjectId,
        now_ms: u64,
    ) -> Self {
        Delivery {
            id: 0,
            webhook: webhook.into(),
            event_id: event_id.clone(),
            subject: subject.clone(),
            kind: kind.into(),
            created_ms: now_ms,
            attempts: 0,
            next_ms: Some(now_ms),
            state: DeliveryState::Pending,
            last_status: None,
            last_error: None,
            delivered_ms: None,
        }
    }

    /// The message id the receiver deduplicates on (the same on every retry).
    pub fn message_id(&self) -> String {
        format!("msg_{}_{}", self.event_id, self.webhook)
    }

    /// Notes one try at `now_ms`: `Ok(())` for a 2xx, else what failed.
    pub fn tried(&mut self, now_ms: u64, status: Option<u16>, error: Option<String>) {
        self.attempts += 1;
        self.last_status = status;
        if status.is_some_and(|s| (200..300).contains(&s)) {
            self.state = DeliveryState::Delivered;
            self.delivered_ms = Some(now_ms);
            self.next_ms = None;
            self.last_error = None;
            return;
        }
        self.last_error = error.or_else(|| status.map(|s| format!("HTTP {s}")));
        match next_attempt(self.created_ms, self.attempts, now_ms) {
            Some(at) => self.next_ms = Some(at),
            None => {
                self.state = DeliveryState::Failed;
                self.next_ms = None;
            }
        }
    }
}

/// When to try again after `attempts` tries, or `None` once the 72 hours
/// since `created_ms` are over.
pub fn next_attempt(created_ms: u64, attempts: u32, now_ms: u64) -> Option<u64> {
    let wait = FIRST_RETRY_MS
        .saturating_mul(1u64 << attempts.saturating_sub(1).min(40))
        .min(MAX_RETRY_MS);
    let at = now_ms.saturating_add(wait);
    (at <= created_ms.saturating_add(GIVE_UP_AFTER_MS)).then_some(at)
}

/// The delivery id of confirmation mails: they go through the same queue
/// (retried, listed) to the deployment's mailer. No webhook may take it.
pub const MAIL: &str = "mail";

/// A confirmation mail's delivery (queued with the mail).
pub fn mail_delivery(event_id: &EventId, subject: &SubjectId, now_ms: u64) -> Delivery {
    Delivery::queued(MAIL, "mail.confirmation", event_id, subject, now_ms)
}

/// Every `type` a site's webhooks receive ([`kind_of`]); docs/webhooks.md
/// shows an example of each (checked by this module's tests).
pub const KINDS: [&str; 9] = [
    "opt_in.confirmed",
    "opt_in.granted",
    "opt_in.withdrawn",
    "basis.recorded",
    "subject.objected",
    "subject.restricted",
    "subject.restriction_lifted",
    "subject.rectified",
    "subject.erased",
];

/// What a record is to the CRM, if anything.
pub fn kind_of(record: &StoredRecord) -> Option<&'static str> {
    // Only a form's subjects are the CRM's contacts.
    record.event.form.as_ref()?;
    match record.event.action {
        // The CRM applies what happens to the person (Art. 19).
        Action::Erase => return Some("subject.erased"),
        Action::Restrict => return Some("subject.restricted"),
        Action::LiftRestriction => return Some("subject.restriction_lifted"),
        Action::Rectify => return Some("subject.rectified"),
        Action::Object => return Some("subject.objected"),
        _ => {}
    }
    let facts = record.form.as_ref()?;
    match (record.event.action, facts.outcome) {
        (Action::Confirm, _) => Some("opt_in.confirmed"),
        // The owner's record of another lawful basis is no opt-in.
        (Action::Give, Outcome::Granted)
            if facts
                .attested
                .as_ref()
                .is_some_and(|a| a.basis != crate::attestation::Basis::Consent) =>
        {
            Some("basis.recorded")
        }
        (Action::Give, Outcome::Granted) => Some("opt_in.granted"),
        (Action::Withdraw, _) => Some("opt_in.withdrawn"),
        _ => None,
    }
}

/// The queued deliveries of a new record: one per webhook, if the record
/// is one the CRM receives.
pub fn deliveries_for(record: &StoredRecord, webhooks: &[String], now_ms: u64) -> Vec<Delivery> {
    let Some(kind) = kind_of(record) else {
        return Vec::new();
    };
    webhooks
        .iter()
        .map(|w| {
            Delivery::queued(
                w,
                kind,
                &record.event.event_id,
                &record.event.subject,
                now_ms,
            )
        })
        .collect()
}

/// The body sent: the record's facts, the offers' state after it, the
/// contact (where the vault still opens) and the receipt.
pub fn body(
    delivery: &Delivery,
    record: &StoredRecord,
    index: u64,
    offers: &impl Serialize,
    contact: Option<&Identity>,
    receipt: &str,
    unsubscribe: &impl Serialize,
) -> String {
    serde_json::json!({
        "type": delivery.kind,
        "site": record.event.site,
        "form": record.event.form.as_ref().map(|f| f.id.to_string()),
        "subject": record.event.subject,
        "event_id": record.event.event_id,
        "answers": record.event.answers,
        "log_index": index,
        "occurred_at_ms": record.received_at_ms,
        "offers": offers,
        "contact": contact,
        "receipt": receipt,
        "unsubscribe": unsubscribe,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIVE_UP: u64 = 72 * 3_600_000;

    #[test]
    fn the_waits_double_from_a_second_to_an_hour() {
        assert_eq!(GIVE_UP_AFTER_MS, GIVE_UP);
        assert_eq!(next_attempt(0, 0, 0), Some(1_000));
        assert_eq!(next_attempt(0, 1, 0), Some(1_000));
        assert_eq!(next_attempt(0, 2, 0), Some(2_000));
        assert_eq!(next_attempt(0, 3, 10), Some(4_010));
        assert_eq!(next_attempt(0, 12, 0), Some(2_048_000));
        assert_eq!(next_attempt(0, 13, 0), Some(MAX_RETRY_MS));
        assert_eq!(next_attempt(0, u32::MAX, 0), Some(MAX_RETRY_MS));
    }

    /// Kills `at <= created + GIVE_UP_AFTER_MS` made `<` (or `>`, `==`) and
    /// any change of the 72 hours: a retry that falls exactly 72 hours after
    /// the delivery was queued is still made; one millisecond later is not.
    #[test]
    fn the_last_retry_falls_at_72_hours_to_the_millisecond() {
        let created = 1_795_000_000_000;
        let end = created + GIVE_UP;
        // A short wait (second try).
        assert_eq!(next_attempt(created, 1, end - 1_000), Some(end));
        assert_eq!(next_attempt(created, 1, end - 1_001), Some(end - 1));
        assert_eq!(next_attempt(created, 1, end - 999), None);
        // The longest wait.
        assert_eq!(next_attempt(created, 20, end - MAX_RETRY_MS), Some(end));
        assert_eq!(next_attempt(created, 20, end - MAX_RETRY_MS + 1), None);
        assert_eq!(next_attempt(created, 20, end), None);
        // Saturation at the end of time.
        assert_eq!(next_attempt(u64::MAX - 5, 1, u64::MAX - 10), Some(u64::MAX));
    }

    #[test]
    fn a_delivery_fails_after_72_hours_and_is_delivered_on_a_2xx() {
        let e = EventId::from_random_bytes([1; 16]);
        let s = SubjectId::from_random_bytes([2; 16]);
        let created = 1_000_000;
        let mut d = Delivery::queued("crm", "opt_in.granted", &e, &s, created);
        assert_eq!(d.next_ms, Some(created));
        assert_eq!(d.state, DeliveryState::Pending);
        assert_eq!(d.message_id(), format!("msg_{e}_crm"));
        d.tried(created, Some(500), None);
        assert_eq!((d.attempts, d.next_ms), (1, Some(created + 1_000)));
        assert_eq!(d.last_error.as_deref(), Some("HTTP 500"));
        d.tried(created + 1_000, None, Some("refused".into()));
        assert_eq!(d.next_ms, Some(created + 3_000));
        assert_eq!(d.last_error.as_deref(), Some("refused"));
        assert_eq!(d.last_status, None);
        // Tried at the moment whose retry would fall exactly at 72 hours.
        let mut at_end = d.clone();
        at_end.attempts = 19;
        at_end.tried(created + GIVE_UP - MAX_RETRY_MS, Some(503), None);
        assert_eq!(at_end.state, DeliveryState::Pending);
        assert_eq!(at_end.next_ms, Some(created + GIVE_UP));
        let mut past = d.clone();
        past.attempts = 19;
        past.tried(created + GIVE_UP - MAX_RETRY_MS + 1, Some(503), None);
        assert_eq!((past.state, past.next_ms), (DeliveryState::Failed, None));
        for (status, delivered) in [
            (199, false),
            (200, true),
            (204, true),
            (299, true),
            (300, false),
        ] {
            let mut x = d.clone();
            x.tried(created + 5_000, Some(status), None);
            assert_eq!(x.state == DeliveryState::Delivered, delivered, "{status}");
            if delivered {
                assert_eq!((x.next_ms, x.delivered_ms), (None, Some(created + 5_000)));
                assert_eq!(x.last_error, None);
                assert_eq!(x.last_status, Some(status));
            }
        }
        let m = mail_delivery(&e, &s, 7);
        assert_eq!(
            (m.webhook.as_str(), m.kind.as_str(), m.created_ms),
            (MAIL, "mail.confirmation", 7)
        );
    }

    #[test]
    fn a_secret_is_24_to_64_bytes() {
        use base64::Engine;
        for (n, ok) in [(23, false), (24, true), (64, true), (65, false)] {
            let text = format!("whsec_{}", STANDARD.encode(vec![1u8; n]));
            assert_eq!(Secret::parse(&text).is_ok(), ok, "{n}");
            assert_eq!(Secret::parse(&text[6..]).is_ok(), ok, "bare {n}");
        }
        assert!(Secret::parse("whsec_!!").is_err());
        assert_eq!(
            format!("{:?}", Secret::parse(&STANDARD.encode([1u8; 24])).unwrap()),
            "Secret(..)"
        );
    }

    fn record(action: &str, outcome: Option<&str>, form: bool) -> StoredRecord {
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/vectors/forms.json")).unwrap();
        let mut event = doc["base"]["event"].clone();
        event["action"] = action.into();
        if !form {
            event.as_object_mut().unwrap().remove("form");
        }
        let mut r = serde_json::json!({
            "v": 1,
            "event": event,
            "received_at_ms": 5,
            "sec_gpc": false,
            "country": null,
            "prev_event_id": null,
        });
        if let Some(o) = outcome {
            r["form"] = serde_json::json!({"identity": "c", "outcome": o});
        }
        serde_json::from_value(r).unwrap()
    }

    /// The docs show every kind, each example with the fields [`body`]
    /// sends (no more, no fewer) and offers in [`OfferStatus`]'s shape.
    ///
    /// [`OfferStatus`]: crate::form::state::OfferStatus
    #[test]
    fn the_docs_show_an_example_of_every_kind_with_the_fields_sent() {
        let docs = include_str!("../../../docs/webhooks.md");
        let r = record("confirm", Some("granted"), true);
        let d = Delivery::queued(
            "crm",
            "opt_in.confirmed",
            &r.event.event_id,
            &r.event.subject,
            1,
        );
        let sent: serde_json::Value = serde_json::from_str(&body(
            &d,
            &r,
            1,
            &serde_json::json!({}),
            None,
            "r",
            &serde_json::json!({}),
        ))
        .unwrap();
        let keys =
            |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        for kind in KINDS {
            let heading = format!("### `{kind}`");
            let at = docs
                .find(&heading)
                .unwrap_or_else(|| panic!("docs/webhooks.md shows no {kind}"));
            let block = &docs[at..];
            let json = &block[block.find("```json\n").unwrap() + 8..];
            let example: serde_json::Value =
                serde_json::from_str(&json[..json.find("```").unwrap()]).unwrap();
            assert_eq!(example["type"], kind);
            assert_eq!(keys(&example), keys(&sent), "{kind}: the fields sent");
            for (_, offer) in example["offers"].as_object().unwrap() {
                assert_eq!(keys(offer), ["event_id", "since_ms", "state"], "{kind}");
            }
        }
    }

    /// Kills each arm of `kind_of` deleted: what every kind of form record
    /// is to the CRM, and that a banner's record or a record without its
    /// form facts is nothing to it.
    #[test]
    fn every_form_record_has_its_kind() {
        for (action, outcome, kind) in [
            ("erase", Some("erased"), Some("subject.erased")),
            ("erase", None, Some("subject.erased")),
            ("restrict", Some("granted"), Some("subject.restricted")),
            (
                "lift_restriction",
                Some("granted"),
                Some("subject.restriction_lifted"),
            ),
            ("lift_restriction", None, Some("subject.restriction_lifted")),
            ("rectify", Some("rectified"), Some("subject.rectified")),
            ("rectify", None, Some("subject.rectified")),
            ("confirm", Some("granted"), Some("opt_in.confirmed")),
            ("give", Some("granted"), Some("opt_in.granted")),
            ("give", Some("pending"), None),
            ("give", Some("refused"), None),
            ("withdraw", Some("withdrawn"), Some("opt_in.withdrawn")),
            ("expire", Some("expired"), None),
            ("give", None, None),
        ] {
            let r = record(action, outcome, true);
            assert_eq!(kind_of(&r), kind, "{action} {outcome:?}");
            assert!(
                kind.is_none_or(|k| KINDS.contains(&k)),
                "{kind:?} is listed"
            );
            let hooks = vec!["crm".to_string(), "sheet".to_string()];
            let queued = deliveries_for(&r, &hooks, 9);
            assert_eq!(queued.len(), if kind.is_some() { 2 } else { 0 });
            for (d, w) in queued.iter().zip(&hooks) {
                assert_eq!(
                    (d.webhook.as_str(), Some(d.kind.as_str())),
                    (w.as_str(), kind)
                );
                assert_eq!((d.created_ms, d.next_ms), (9, Some(9)));
                assert_eq!(d.event_id, r.event.event_id);
            }
        }
        for action in ["erase", "give", "withdraw"] {
            assert_eq!(
                kind_of(&record(action, Some("granted"), false)),
                None,
                "banner {action}"
            );
        }
    }
}
