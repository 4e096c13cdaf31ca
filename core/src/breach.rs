//! The breach register, without I/O: each personal data breach the
//! controller learns of (GDPR Art. 33(5): "document any personal data
//! breaches, comprising the facts relating to the personal data breach, its
//! effects and the remedial action taken"), its 72-hour clock, the contacts
//! it affects as the log finds them, and where each notification stands.
//!
//! - **The clock.** Art. 33(1) gives 72 hours from when the controller
//!   became aware (`aware_at`, to the minute, never in the future). A
//!   notification to the authority after [`DEADLINE_MS`] must give the
//!   reasons for the delay (`delay_reason`), or it is refused.
//! - **Who is affected.** An incident names the days it ran (`from`, `to`)
//!   and, where it touched one list only, an offer (`email:newsletter`).
//!   The affected contacts are those the contact list
//!   ([`crate::rights::contacts`]) finds with the [`Incident::filter`]: a
//!   record before the day after `to`, and the offer where one is named. The
//!   count is taken when the incident is recorded and again on `recount`;
//!   the console opens the contact list with the same filter, to export
//!   them or mail them (Art. 34). A contact erased before the count is not
//!   in it: nothing of theirs is left to notify.
//! - **Notifications.** The authority (Art. 33) and the people (Art. 34)
//!   each stand `pending`, `notified` (when, a reference) or `not_required`
//!   (with the reason: "unlikely to result in a risk", Art. 33(1)). An
//!   incident closes once neither is pending; a closed incident changes no
//!   more.
//! - **Audited.** Recording, reading and updating are owner operations
//!   (`breach.record`, `breach.list`, `breach.update`), each entered in the
//!   audit trail with the incident's id. No address or name is kept here:
//!   the register holds facts and counts, the contact list holds people.
//!
//! ```
//! use assent_core::breach::{Incident, Input};
//! let now = assent_core::utc::parse_date("2026-12-06").unwrap() + 10 * 3_600_000;
//! let input = Input::from_json(br#"{"title":"CRM export mailed to a wrong address",
//!     "description":"A list of 40 newsletter contacts went to a supplier.",
//!     "aware_at":"2026-12-06T09:30Z","from":"2026-12-05","to":"2026-12-05",
//!     "offer":"email:newsletter"}"#).unwrap();
//! let incident = Incident::record(input, "b0123456789abcdef".parse().unwrap(), "dpo", now).unwrap();
//! assert_eq!(incident.view(now)["deadline"], "2026-12-09T09:30:00.000Z");
//! assert_eq!(incident.filter().offer.as_deref(), Some("email:newsletter"));
//! ```

use alloc::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, RightsError};
use crate::lifetime::DAY_MS;
use crate::rights::contacts::Filter;
use crate::utc::{parse_date, rfc3339};

/// Art. 33(1)'s 72 hours, in ms.
pub const DEADLINE_MS: u64 = 72 * 3_600_000;
/// Longest title, in characters.
pub const MAX_TITLE: usize = 200;
/// Longest description, consequences, measures or reason, in characters.
pub const MAX_TEXT: usize = 4000;
/// Most incidents a register lists in one answer (newest first).
pub const MAX_LISTED: usize = 500;

/// An incident's id: `b` and 16 lower-case hex digits, drawn at random.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BreachId(String);

impl core::str::FromStr for BreachId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let hex = s.strip_prefix('b').unwrap_or("");
        if hex.len() == 16 && hex.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(BreachId(s.into()))
        } else {
            Err(RightsError::BreachUnknown.into())
        }
    }
}

impl TryFrom<String> for BreachId {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Error> {
        s.parse()
    }
}

impl From<BreachId> for String {
    fn from(id: BreachId) -> String {
        id.0
    }
}

impl core::fmt::Display for BreachId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

impl BreachId {
    /// The id from 8 random bytes.
    pub fn from_random(random: [u8; 8]) -> Self {
        BreachId(alloc::format!("b{}", hex::encode(random)))
    }
}

/// Where a notification stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case", deny_unknown_fields)]
pub enum Notification {
    /// Not yet made, nor decided against.
    Pending,
    /// Made.
    Notified {
        /// When (ms since the epoch).
        at_ms: u64,
        /// The authority's case number, or how the people were told.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        /// Why it came after the 72 hours (required then, Art. 33(1)).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        delay_reason: Option<String>,
    },
    /// Decided against, and why.
    NotRequired {
        /// Why (e.g. "unlikely to result in a risk": the data was encrypted).
        reason: String,
    },
}

/// The body of `POST .../breaches`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// A short name of what happened.
    pub title: String,
    /// The facts: what happened, which data, how many records roughly.
    pub description: String,
    /// When the controller became aware: `YYYY-MM-DDTHH:MMZ` (UTC).
    pub aware_at: String,
    /// The first day it ran (`YYYY-MM-DD`).
    pub from: String,
    /// The last day it ran (`YYYY-MM-DD`), not before `from`, not after today.
    pub to: String,
    /// The one offer it touched (`channel:purpose`), if only one.
    #[serde(default)]
    pub offer: Option<String>,
    /// Its likely consequences (Art. 33(3)(c)).
    #[serde(default)]
    pub consequences: Option<String>,
    /// The measures taken or proposed (Art. 33(3)(d)).
    #[serde(default)]
    pub measures: Option<String>,
}

/// The body of `POST .../breaches/{id}`: what changes; every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Update {
    /// The notification to the supervisory authority.
    #[serde(default)]
    pub authority: Option<NotificationInput>,
    /// The notification of the people affected.
    #[serde(default)]
    pub subjects: Option<NotificationInput>,
    /// The measures, rewritten.
    #[serde(default)]
    pub measures: Option<String>,
    /// The consequences, rewritten.
    #[serde(default)]
    pub consequences: Option<String>,
    /// Count the affected contacts again (the caller counts).
    #[serde(default)]
    pub recount: bool,
}

/// A notification as the owner states it: `at` as `YYYY-MM-DDTHH:MMZ`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case", deny_unknown_fields)]
pub enum NotificationInput {
    /// Made at `at`.
    Notified {
        /// When.
        at: String,
        /// The authority's case number, or how the people were told.
        #[serde(default)]
        reference: Option<String>,
        /// Why it came after the 72 hours.
        #[serde(default)]
        delay_reason: Option<String>,
    },
    /// Decided against.
    NotRequired {
        /// Why.
        reason: String,
    },
}

/// One incident in the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    /// Its id.
    pub id: BreachId,
    /// When it was recorded (ms).
    pub recorded_ms: u64,
    /// Who recorded it: the key's name, or `operator`.
    pub recorded_by: String,
    /// A short name of what happened.
    pub title: String,
    /// The facts.
    pub description: String,
    /// Likely consequences.
    pub consequences: Option<String>,
    /// Measures taken or proposed.
    pub measures: Option<String>,
    /// When the controller became aware (ms): the clock starts here.
    pub aware_ms: u64,
    /// The first day it ran (ms, a day's start).
    pub from_ms: u64,
    /// The last day it ran (ms, a day's start).
    pub to_ms: u64,
    /// The one offer it touched, if only one.
    pub offer: Option<String>,
    /// The contacts affected at the last count, if counted.
    pub affected: Option<u64>,
    /// When they were counted (ms).
    pub counted_ms: Option<u64>,
    /// The notification to the supervisory authority (Art. 33).
    pub authority: Notification,
    /// The notification of the people (Art. 34).
    pub subjects: Notification,
    /// When it closed: neither notification pending.
    pub closed_ms: Option<u64>,
}

fn invalid(reason: impl Into<String>) -> Error {
    RightsError::BreachInvalid {
        reason: reason.into(),
    }
    .into()
}

/// A text read as a note's (`form::notes::free_text`: trimmed, 1 to `max`
/// characters, no control characters but line breaks and tabs), refused
/// with the field named.
fn text(field: &str, value: &str, max: usize) -> Result<String, Error> {
    use crate::form::notes::{free_text, FreeTextFault};
    free_text(value, max)
        .map(Into::into)
        .map_err(|fault| match fault {
            FreeTextFault::Length => invalid(alloc::format!("{field}: 1 to {max} characters")),
            FreeTextFault::Control => invalid(alloc::format!("{field}: a control character")),
        })
}

fn optional(field: &str, value: Option<&String>) -> Result<Option<String>, Error> {
    value.map(|v| text(field, v, MAX_TEXT)).transpose()
}

/// `YYYY-MM-DDTHH:MMZ` in ms, not after `now_ms`.
fn minute(field: &str, value: &str, now_ms: u64) -> Result<u64, Error> {
    let b = value.as_bytes();
    let bad = || invalid(alloc::format!("{field}: a time as YYYY-MM-DDTHH:MMZ (UTC)"));
    if b.len() != 17 || b[10] != b'T' || b[13] != b':' || b[16] != b'Z' {
        return Err(bad());
    }
    let day = parse_date(&value[..10]).ok_or_else(bad)?;
    let two = |at: usize| -> Option<u64> {
        let (h, l) = (b[at], b[at + 1]);
        (h.is_ascii_digit() && l.is_ascii_digit()).then(|| u64::from((h - b'0') * 10 + (l - b'0')))
    };
    let (h, m) = (two(11).ok_or_else(bad)?, two(14).ok_or_else(bad)?);
    if h > 23 || m > 59 {
        return Err(bad());
    }
    let at = day + h * 3_600_000 + m * 60_000;
    if at > now_ms {
        return Err(invalid(alloc::format!("{field}: not in the future")));
    }
    Ok(at)
}

impl Input {
    /// Parses a body; its shape errors are `breach_invalid`.
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        serde_json::from_slice(json).map_err(|e| invalid(e.to_string()))
    }
}

impl Update {
    /// Parses a body; its shape errors are `breach_invalid`.
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        serde_json::from_slice(json).map_err(|e| invalid(e.to_string()))
    }
}

impl Incident {
    /// A new incident from `input`, checked against today (`now_ms`).
    pub fn record(input: Input, id: BreachId, by: &str, now_ms: u64) -> Result<Incident, Error> {
        let day = |field: &str, v: &str| {
            parse_date(v).ok_or_else(|| invalid(alloc::format!("{field}: a day as YYYY-MM-DD")))
        };
        let (from_ms, to_ms) = (day("from", &input.from)?, day("to", &input.to)?);
        if from_ms > to_ms || to_ms > now_ms {
            return Err(invalid(
                "from and to: from not after to, to not after today",
            ));
        }
        if let Some(offer) = &input.offer {
            Filter::parse([("offer", offer.as_str())])
                .map_err(|_| invalid("offer: channel:purpose"))?;
        }
        Ok(Incident {
            id,
            recorded_ms: now_ms,
            recorded_by: by.into(),
            title: text("title", &input.title, MAX_TITLE)?,
            description: text("description", &input.description, MAX_TEXT)?,
            consequences: optional("consequences", input.consequences.as_ref())?,
            measures: optional("measures", input.measures.as_ref())?,
            aware_ms: minute("aware_at", &input.aware_at, now_ms)?,
            from_ms,
            to_ms,
            offer: input.offer,
            affected: None,
            counted_ms: None,
            authority: Notification::Pending,
            subjects: Notification::Pending,
            closed_ms: None,
        })
    }

    /// When the authority must have been told: 72 hours after awareness.
    pub fn deadline_ms(&self) -> u64 {
        self.aware_ms + DEADLINE_MS
    }

    /// The contact list's filter that finds the contacts it affects.
    pub fn filter(&self) -> Filter {
        Filter {
            offer: self.offer.clone(),
            created_before: Some(self.to_ms + DAY_MS),
            ..Filter::default()
        }
    }

    /// The same filter as the contact list's query string (the console's
    /// link, the CLI's `contacts list`).
    pub fn contacts_query(&self) -> String {
        let day = |ms: u64| rfc3339(ms)[..10].to_string();
        let mut q = alloc::format!("created_before={}", day(self.to_ms + DAY_MS));
        if let Some(offer) = &self.offer {
            q.push_str(&alloc::format!("&offer={}", offer.replace(':', "%3A")));
        }
        q
    }

    /// Applies `update` at `now_ms`. A closed incident is refused
    /// (`breach_closed`); the incident closes once neither notification is
    /// pending. `affected` is the new count when `update.recount` asked one.
    pub fn update(
        &mut self,
        update: Update,
        affected: Option<u64>,
        now_ms: u64,
    ) -> Result<(), Error> {
        if self.closed_ms.is_some() {
            return Err(RightsError::BreachClosed.into());
        }
        let mut next = self.clone();
        if let Some(a) = update.authority {
            next.authority = self.notification("authority", a, true, now_ms)?;
        }
        if let Some(s) = update.subjects {
            next.subjects = self.notification("subjects", s, false, now_ms)?;
        }
        if let Some(m) = update.measures {
            next.measures = Some(text("measures", &m, MAX_TEXT)?);
        }
        if let Some(c) = update.consequences {
            next.consequences = Some(text("consequences", &c, MAX_TEXT)?);
        }
        if let Some(n) = affected {
            next.count(n, now_ms);
        }
        if next.authority != Notification::Pending && next.subjects != Notification::Pending {
            next.closed_ms = Some(now_ms);
        }
        *self = next;
        Ok(())
    }

    /// Sets the count of affected contacts.
    pub fn count(&mut self, affected: u64, now_ms: u64) {
        self.affected = Some(affected);
        self.counted_ms = Some(now_ms);
    }

    fn notification(
        &self,
        field: &str,
        input: NotificationInput,
        clock: bool,
        now_ms: u64,
    ) -> Result<Notification, Error> {
        Ok(match input {
            NotificationInput::Notified {
                at,
                reference,
                delay_reason,
            } => {
                let at_ms = minute(&alloc::format!("{field}.at"), &at, now_ms)?;
                if at_ms < self.aware_ms {
                    return Err(invalid(alloc::format!("{field}.at: not before aware_at")));
                }
                let late = clock && at_ms > self.deadline_ms();
                let delay_reason = optional("delay_reason", delay_reason.as_ref())?;
                if late && delay_reason.is_none() {
                    return Err(invalid(
                        "delay_reason: a notification after 72 hours gives the reasons for the delay (Art. 33(1))",
                    ));
                }
                Notification::Notified {
                    at_ms,
                    reference: reference
                        .map(|r| text("reference", &r, MAX_TITLE))
                        .transpose()?,
                    delay_reason,
                }
            }
            NotificationInput::NotRequired { reason } => Notification::NotRequired {
                reason: text("reason", &reason, MAX_TEXT)?,
            },
        })
    }

    /// The incident as the API and the console show it at `now_ms`: times
    /// as RFC 3339, the deadline, the hours left on the clock while the
    /// authority is pending (negative once overdue), and the contact
    /// list's query that finds the people affected.
    pub fn view(&self, now_ms: u64) -> serde_json::Value {
        let note = |n: &Notification| match n {
            Notification::Pending => serde_json::json!({ "status": "pending" }),
            Notification::Notified {
                at_ms,
                reference,
                delay_reason,
            } => serde_json::json!({
                "status": "notified", "at": rfc3339(*at_ms),
                "reference": reference, "delay_reason": delay_reason,
                "late": *at_ms > self.deadline_ms(),
            }),
            Notification::NotRequired { reason } => {
                serde_json::json!({ "status": "not_required", "reason": reason })
            }
        };
        let hours_left = (self.authority == Notification::Pending).then(|| {
            let left = self.deadline_ms() as i64 - now_ms as i64;
            left.div_euclid(3_600_000)
        });
        serde_json::json!({
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "consequences": self.consequences,
            "measures": self.measures,
            "recorded": rfc3339(self.recorded_ms),
            "recorded_by": self.recorded_by,
            "aware_at": rfc3339(self.aware_ms),
            "deadline": rfc3339(self.deadline_ms()),
            "hours_left": hours_left,
            "overdue": hours_left.is_some_and(|h| h < 0),
            "from": &rfc3339(self.from_ms)[..10],
            "to": &rfc3339(self.to_ms)[..10],
            "offer": self.offer,
            "affected": self.affected,
            "counted": self.counted_ms.map(rfc3339),
            "contacts_query": self.contacts_query(),
            "authority": note(&self.authority),
            "subjects": note(&self.subjects),
            "closed": self.closed_ms.map(rfc3339),
        })
    }
}

/// Where incidents are kept: the site's directory.
pub trait BreachStore {
    /// Adds or replaces `incident`.
    fn put_breach(&mut self, incident: &Incident) -> Result<(), crate::log::StoreError>;
    /// The incident `id`.
    fn breach(&self, id: &BreachId) -> Result<Option<Incident>, crate::log::StoreError>;
    /// The newest [`MAX_LISTED`] incidents, newest first.
    fn breaches(&self) -> Result<Vec<Incident>, crate::log::StoreError>;
}

/// Incidents in memory (tests).
#[derive(Debug, Default)]
pub struct MemoryBreachStore(BTreeMap<BreachId, Incident>);

impl BreachStore for MemoryBreachStore {
    fn put_breach(&mut self, incident: &Incident) -> Result<(), crate::log::StoreError> {
        self.0.insert(incident.id.clone(), incident.clone());
        Ok(())
    }
    fn breach(&self, id: &BreachId) -> Result<Option<Incident>, crate::log::StoreError> {
        Ok(self.0.get(id).cloned())
    }
    fn breaches(&self) -> Result<Vec<Incident>, crate::log::StoreError> {
        let mut all: Vec<Incident> = self.0.values().cloned().collect();
        all.sort_by(|a, b| b.recorded_ms.cmp(&a.recorded_ms).then(b.id.cmp(&a.id)));
        all.truncate(MAX_LISTED);
        Ok(all)
    }
}

/// The store's rules any implementation must keep: a put replaces, a get
/// finds, the list is newest first. Run on memory here and on SQLite by the
/// edge.
#[cfg(any(test, feature = "test-support"))]
pub fn conformance<S: BreachStore>(mut store: S) {
    let at = |n: u8, ms: u64| {
        let mut i = tests_support::incident(n);
        i.recorded_ms = ms;
        i
    };
    assert_eq!(store.breaches().unwrap(), vec![]);
    let (a, b) = (at(1, 10), at(2, 20));
    store.put_breach(&a).unwrap();
    store.put_breach(&b).unwrap();
    assert_eq!(store.breach(&a.id).unwrap(), Some(a.clone()));
    assert_eq!(store.breach(&BreachId::from_random([9; 8])).unwrap(), None);
    assert_eq!(
        store.breaches().unwrap(),
        vec![b.clone(), a.clone()],
        "newest first"
    );
    let mut closed = a.clone();
    closed.closed_ms = Some(30);
    store.put_breach(&closed).unwrap();
    assert_eq!(store.breach(&a.id).unwrap(), Some(closed));
    assert_eq!(store.breaches().unwrap().len(), 2, "replaced, not added");
}

#[cfg(any(test, feature = "test-support"))]
mod tests_support {
    use super::*;

    /// A plain incident with id `n`.
    pub fn incident(n: u8) -> Incident {
        let input = Input::from_json(
            br#"{"title":"t","description":"d","aware_at":"2026-12-01T08:00Z","from":"2026-11-30","to":"2026-12-01"}"#,
        )
        .unwrap();
        let now = parse_date("2026-12-02").unwrap();
        Incident::record(input, BreachId::from_random([n; 8]), "dpo", now).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: u64 = 3_600_000;

    fn day(d: &str) -> u64 {
        parse_date(d).unwrap()
    }

    fn input(json: &str) -> Result<Incident, Error> {
        Incident::record(
            Input::from_json(json.as_bytes())?,
            BreachId::from_random([1; 8]),
            "dpo",
            day("2026-12-06") + 12 * H,
        )
    }

    fn body(extra: &str) -> String {
        format!(
            r#"{{"title":"Lost laptop","description":"An unencrypted export","aware_at":"2026-12-06T09:30Z","from":"2026-12-01","to":"2026-12-05"{extra}}}"#
        )
    }

    fn code(r: Result<impl core::fmt::Debug, Error>) -> String {
        format!(
            "{}: {:?}",
            r.as_ref().err().map_or("ok", |e| e.code()),
            r.as_ref().err()
        )
    }

    #[test]
    fn an_incident_is_checked_field_by_field() {
        let ok = input(&body("")).unwrap();
        assert_eq!(ok.aware_ms, day("2026-12-06") + 9 * H + 30 * 60_000);
        assert_eq!(
            (ok.from_ms, ok.to_ms),
            (day("2026-12-01"), day("2026-12-05"))
        );
        assert_eq!(ok.authority, Notification::Pending);
        for (bad, why) in [
            (body(",\"offer\":\"newsletter\""), "offer"),
            (body(",\"extra\":1"), "unknown field"),
            (body(",\"title\":\"again\""), "duplicate field"),
            (body("").replace("Lost laptop", " "), "title: 1 to 200"),
            (
                body("").replace("Lost laptop", &"x".repeat(201)),
                "title: 1 to 200",
            ),
            (body("").replace("Lost laptop", "a\\u0007b"), "control"),
            (body("").replace("09:30Z", "09:30"), "aware_at: a time as"),
            (body("").replace("09:30Z", "24:00Z"), "aware_at: a time as"),
            (body("").replace("09:30Z", "09:60Z"), "aware_at: a time as"),
            (
                body("").replace("T09:30Z", "X09:30Z"),
                "aware_at: a time as",
            ),
            (body("").replace("09:30Z", "09-30Z"), "aware_at: a time as"),
            (body("").replace("09:30Z", "09:30X"), "aware_at: a time as"),
            (body("").replace("09:30Z", "0x:30Z"), "aware_at: a time as"),
            (body("").replace("09:30Z", "x9:30Z"), "aware_at: a time as"),
            (body("").replace("09:30Z", "09:3xZ"), "aware_at: a time as"),
            (body("").replace("T09:30Z", "T12:01Z"), "not in the future"),
            (body("").replace("2026-12-01", "2026-12-06T"), "from"),
            (
                body("")
                    .replace("\"from\":\"2026-12-01\"", "\"from\":\"2026-12-05\"")
                    .replace("\"to\":\"2026-12-05\"", "\"to\":\"2026-12-04\""),
                "from not after to",
            ),
            (
                body("").replace("\"to\":\"2026-12-05\"", "\"to\":\"2026-12-07\""),
                "to not after today",
            ),
        ] {
            let got = code(input(&bad));
            assert!(
                got.starts_with("breach_invalid") && got.contains(why),
                "{why}: {got}"
            );
        }
        // At the boundaries: aware now, to today, from = to, a 200-character title.
        assert!(
            input(&body("").replace("T09:30Z", "T12:00Z")).is_ok(),
            "aware this minute"
        );
        let same = body("")
            .replace("2026-12-01", "2026-12-06")
            .replace("2026-12-05", "2026-12-06");
        assert!(input(&same).is_ok(), "one day, today");
        assert!(input(&body("").replace("Lost laptop", &"x".repeat(200))).is_ok());
        assert!(input(&body(",\"offer\":\"email:newsletter\"")).is_ok());
        assert!(
            input(&body("").replace("2026-12-06T09:30Z", "2026-12-05T23:59Z")).is_ok(),
            "the day's last minute"
        );
        // To today, at today's very start: not after today.
        let midnight = Input::from_json(same.as_bytes()).unwrap();
        let at_midnight = Incident::record(
            midnight,
            BreachId::from_random([1; 8]),
            "dpo",
            day("2026-12-06") + 12 * H,
        );
        assert!(at_midnight.is_ok());
        let start = body("")
            .replace("2026-12-06T09:30Z", "2026-12-05T09:30Z")
            .replace("2026-12-05\"}", "2026-12-06\"}");
        let exact = Incident::record(
            Input::from_json(start.as_bytes()).unwrap(),
            BreachId::from_random([1; 8]),
            "dpo",
            day("2026-12-06"),
        );
        assert!(
            exact.is_ok(),
            "to is today, now is its first millisecond: {exact:?}"
        );
    }

    #[test]
    fn the_filter_finds_contacts_recorded_before_the_day_after() {
        let i = input(&body(",\"offer\":\"email:newsletter\"")).unwrap();
        let f = i.filter();
        assert_eq!(f.created_before, Some(day("2026-12-06")));
        assert_eq!(f.offer.as_deref(), Some("email:newsletter"));
        assert_eq!(
            f.created_from, None,
            "a contact from before the breach is affected too"
        );
        assert_eq!(
            i.contacts_query(),
            "created_before=2026-12-06&offer=email%3Anewsletter"
        );
        let parsed = Filter::parse([
            ("created_before", "2026-12-06"),
            ("offer", "email:newsletter"),
        ])
        .unwrap();
        assert_eq!(parsed, f, "the query is the filter");
        assert_eq!(
            input(&body("")).unwrap().contacts_query(),
            "created_before=2026-12-06"
        );
    }

    #[test]
    fn the_clock_runs_72_hours_and_a_late_notice_says_why() {
        let aware = day("2026-12-06") + 9 * H + 30 * 60_000;
        let mut i = input(&body("")).unwrap();
        assert_eq!(i.deadline_ms(), aware + 72 * H);
        let v = i.view(aware + 71 * H + 59 * 60_000);
        assert_eq!(
            (v["hours_left"].as_i64(), v["overdue"].as_bool()),
            (Some(0), Some(false))
        );
        let v = i.view(aware + 72 * H);
        assert_eq!(
            (v["hours_left"].as_i64(), v["overdue"].as_bool()),
            (Some(0), Some(false)),
            "at the deadline"
        );
        let v = i.view(aware + 72 * H + 1);
        assert_eq!(
            (v["hours_left"].as_i64(), v["overdue"].as_bool()),
            (Some(-1), Some(true))
        );
        assert_eq!(v["deadline"], "2026-12-09T09:30:00.000Z");

        let notified = |at: &str, why: Option<&str>| Update {
            authority: Some(NotificationInput::Notified {
                at: at.into(),
                reference: Some("CNIL-2026-1".into()),
                delay_reason: why.map(Into::into),
            }),
            ..Update::default()
        };
        let later = aware + 100 * H;
        // On the deadline's minute: in time, no reason needed.
        let mut on_time = i.clone();
        on_time
            .update(notified("2026-12-09T09:30Z", None), None, later)
            .unwrap();
        assert_eq!(on_time.view(later)["authority"]["late"], false);
        assert_eq!(on_time.view(later)["hours_left"], serde_json::Value::Null);
        // A minute late: refused without a reason, taken with one.
        let late = i.update(notified("2026-12-09T09:31Z", None), None, later);
        assert!(code(late).contains("delay_reason"));
        assert_eq!(
            i.authority,
            Notification::Pending,
            "a refused update changes nothing"
        );
        i.update(
            notified("2026-12-09T09:31Z", Some("the extent took a day to find")),
            None,
            later,
        )
        .unwrap();
        assert_eq!(i.view(later)["authority"]["late"], true);
        // At the very minute of awareness: taken.
        let mut at_once = input(&body("")).unwrap();
        at_once
            .update(notified("2026-12-06T09:30Z", None), None, later)
            .unwrap();
        assert!(
            matches!(at_once.authority, Notification::Notified { at_ms, .. } if at_ms == aware)
        );
        // Before awareness, or in the future: refused.
        let mut j = input(&body("")).unwrap();
        assert!(code(
            j.clone()
                .update(notified("2026-12-06T09:29Z", None), None, later)
        )
        .contains("not before aware_at"));
        assert!(
            code(j.update(notified("2026-12-31T00:00Z", None), None, later)).contains("future")
        );
    }

    #[test]
    fn it_closes_when_neither_notification_is_pending_and_then_holds() {
        let now = day("2026-12-07");
        let mut i = input(&body("")).unwrap();
        let not_required = |r: &str| Some(NotificationInput::NotRequired { reason: r.into() });
        i.update(
            Update {
                subjects: not_required("encrypted at rest"),
                ..Update::default()
            },
            Some(40),
            now,
        )
        .unwrap();
        assert_eq!(
            (i.closed_ms, i.affected, i.counted_ms),
            (None, Some(40), Some(now))
        );
        i.update(
            Update {
                authority: not_required("unlikely to result in a risk"),
                ..Update::default()
            },
            None,
            now + 1,
        )
        .unwrap();
        assert_eq!(i.closed_ms, Some(now + 1));
        assert_eq!(i.view(now)["closed"], "2026-12-07T00:00:00.001Z");
        let again = i.update(
            Update {
                measures: Some("more".into()),
                ..Update::default()
            },
            None,
            now + 2,
        );
        assert_eq!(again.unwrap_err().code(), "breach_closed");
        let empty = Update {
            subjects: not_required(" "),
            ..Update::default()
        };
        assert!(code(input(&body("")).unwrap().update(empty, None, now)).contains("reason: 1 to"));
        let parsed = Update::from_json(br#"{"authority":{"status":"pending"}}"#);
        assert_eq!(
            parsed.unwrap_err().code(),
            "breach_invalid",
            "pending is not a thing to set"
        );
    }

    #[test]
    fn ids_are_b_and_16_hex() {
        let id = BreachId::from_random([0xab; 8]);
        assert_eq!(id.to_string(), "babababababababab");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"babababababababab\"");
        assert_eq!(
            serde_json::from_str::<BreachId>("\"babababababababab\"").unwrap(),
            id
        );
        assert!(serde_json::from_str::<BreachId>("\"nope\"").is_err());
        assert_eq!(
            "b0123456789abcdef".parse::<BreachId>().unwrap().to_string(),
            "b0123456789abcdef"
        );
        for bad in [
            "0123456789abcdef0",
            "b0123456789ABCDEF",
            "b0123",
            "b0123456789abcdef0",
            "",
        ] {
            assert_eq!(
                bad.parse::<BreachId>().unwrap_err().code(),
                "breach_unknown",
                "{bad}"
            );
        }
    }

    #[test]
    fn the_memory_store_conforms() {
        conformance(MemoryBreachStore::default());
    }
}
