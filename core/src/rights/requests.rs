//! Data-subject requests and the owner's queue, without I/O: access (Art.
//! 15), erasure (17), rectification (16), restriction (18) and objection
//! (21), made in the privacy center or received by the owner by phone,
//! letter or mail and logged by them ([`Via`]). Each lands in the queue
//! with its legal deadline, one calendar month after receipt (GDPR Art.
//! 12(3)); the owner fulfils or refuses it. A site may fulfil
//! automatically (`rights.auto_fulfil` in its configuration): the request
//! is then decided as it arrives, by `automatic`.
//!
//! Fulfilling an erasure runs [`Site::erase`](crate::site::Site::erase);
//! an access request releases the export to the person (the edge mails them
//! a link to their copy); a restriction restricts, an objection objects to
//! its channel (`form::objection`); a rectification is the owner's to make
//! (`POST .../rectification`) and is marked done. **A refusal gives its
//! reason** ([`refuse`], Art. 12(4)), which the person is told by mail with
//! their right to complain to a supervisory authority. A second request of
//! a kind (and channel) while one is open is the open one: the queue never
//! holds duplicates.

use serde::{Deserialize, Serialize};

use crate::error::{Error, RightsError};
use crate::ids::{EventId, SubjectId};
use crate::log::store::StoreError;

/// What is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// A copy of everything held (Art. 15), portable (Art. 20).
    Access,
    /// Erasure (Art. 17).
    Erasure,
    /// Rectification of the identity held (Art. 16): `detail` says what.
    Rectification,
    /// Restriction of processing (Art. 18).
    Restriction,
    /// Objection to contact on a channel (Art. 21): `channel` says which.
    Objection,
}

impl RequestKind {
    /// The words a person reads for it: "a copy of your data", ...
    pub fn words(self) -> &'static str {
        match self {
            RequestKind::Access => "a copy of your data",
            RequestKind::Erasure => "the erasure of your data",
            RequestKind::Rectification => "the correction of your data",
            RequestKind::Restriction => "the restriction of the use of your data",
            RequestKind::Objection => "your objection to being contacted",
        }
    }
}

/// How a request arrived.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// The person's privacy center.
    #[default]
    Center,
    /// By phone, logged by the owner.
    Phone,
    /// By letter, logged by the owner.
    Letter,
    /// By mail to the owner, logged by the owner.
    Email,
}

/// Longest rectification detail or refusal reason, in characters.
pub const MAX_TEXT: usize = 1000;

/// What a person asks, as filed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Asked {
    /// What.
    pub kind: RequestKind,
    /// How it arrived (default: the privacy center).
    #[serde(default)]
    pub via: Via,
    /// The channel of an objection.
    #[serde(default)]
    pub channel: Option<crate::form::config::Channel>,
    /// What to correct, for a rectification (the person's words).
    #[serde(default)]
    pub detail: Option<String>,
}

impl Asked {
    /// A request of `kind` from the privacy center, with nothing else.
    pub fn center(kind: RequestKind) -> Self {
        Asked {
            kind,
            via: Via::Center,
            channel: None,
            detail: None,
        }
    }

    /// Checks it: an objection names its channel, and only it; a detail is
    /// 1 to [`MAX_TEXT`] characters without control characters but line
    /// breaks, and only a rectification has one.
    pub fn check(mut self) -> Result<Self, Error> {
        let invalid = |reason: &str| -> Error {
            RightsError::RequestInvalid {
                reason: reason.into(),
            }
            .into()
        };
        if (self.kind == RequestKind::Objection) != self.channel.is_some() {
            return Err(invalid("an objection, and only it, names its channel"));
        }
        self.detail = self
            .detail
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty());
        if let Some(d) = &self.detail {
            if self.kind != RequestKind::Rectification {
                return Err(invalid("only a rectification says what to correct"));
            }
            text_ok(d).map_err(invalid)?;
        }
        Ok(self)
    }
}

/// Whether `text` is 1 to [`MAX_TEXT`] characters without control
/// characters but line breaks; the reason when not.
fn text_ok(text: &str) -> Result<(), &'static str> {
    if text.is_empty() || text.chars().count() > MAX_TEXT {
        return Err("1 to 1000 characters");
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err("no control characters but line breaks");
    }
    Ok(())
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Waits for the owner.
    Open,
    /// Done.
    Fulfilled,
    /// Refused by the owner.
    Refused,
    /// Closed undecided: the subject was erased another way (the owner's
    /// own erasure, retention, the recycle bin's purge), so nothing is left
    /// to act on. `reason` says so; `erasure` names the erasure.
    Closed,
}

/// One request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectRequest {
    /// Its id.
    pub id: EventId,
    /// Whose.
    pub subject: SubjectId,
    /// What.
    pub kind: RequestKind,
    /// When it arrived (ms since the Unix epoch).
    pub received_ms: u64,
    /// The legal deadline: one calendar month later.
    pub due_ms: u64,
    /// Where it stands.
    pub status: RequestStatus,
    /// Who decided: a key's name, `operator` or `automatic`.
    pub decided_by: Option<String>,
    /// When.
    pub decided_ms: Option<u64>,
    /// The erasure event that fulfilled an erasure request.
    pub erasure: Option<EventId>,
    /// How it arrived.
    #[serde(default)]
    pub via: Via,
    /// The channel of an objection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<crate::form::config::Channel>,
    /// What to correct (a rectification), until the request is decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Why it was refused (Art. 12(4)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The event that fulfilled a restriction or an objection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulfilled_by: Option<EventId>,
}

/// Where requests are kept.
pub trait RequestStore {
    /// Stores a new request.
    fn put_request(&mut self, request: &SubjectRequest) -> Result<(), StoreError>;
    /// Replaces a request's state.
    fn update_request(&mut self, request: &SubjectRequest) -> Result<(), StoreError>;
    /// A request by id.
    fn request(&self, id: &EventId) -> Result<Option<SubjectRequest>, StoreError>;
    /// A subject's requests, oldest first.
    fn requests_of(&self, subject: &SubjectId) -> Result<Vec<SubjectRequest>, StoreError>;
    /// Up to `limit` requests: open ones first by deadline, then the newest decided.
    fn queue(&self, limit: u64) -> Result<Vec<SubjectRequest>, StoreError>;
    /// Spends a privacy center link's nonce: `true` the first time only.
    fn spend_link(&mut self, nonce: &EventId, now_ms: u64) -> Result<bool, StoreError>;
}

/// Files a request of `kind` from the privacy center (see [`file_asked`]).
pub fn file<R: RequestStore + ?Sized>(
    store: &mut R,
    subject: &SubjectId,
    kind: RequestKind,
    id: EventId,
    now_ms: u64,
) -> Result<SubjectRequest, Error> {
    file_asked(store, subject, Asked::center(kind), id, now_ms)
}

/// Files a checked request (or answers the open one of the same kind and
/// channel), received at `now_ms`.
pub fn file_asked<R: RequestStore + ?Sized>(
    store: &mut R,
    subject: &SubjectId,
    asked: Asked,
    id: EventId,
    now_ms: u64,
) -> Result<SubjectRequest, Error> {
    let asked = asked.check()?;
    let open = store.requests_of(subject)?.into_iter().find(|r| {
        r.kind == asked.kind && r.channel == asked.channel && r.status == RequestStatus::Open
    });
    if let Some(open) = open {
        return Ok(open);
    }
    let request = SubjectRequest {
        id,
        subject: subject.clone(),
        kind: asked.kind,
        received_ms: now_ms,
        due_ms: crate::utc::one_month_after(now_ms),
        status: RequestStatus::Open,
        decided_by: None,
        decided_ms: None,
        erasure: None,
        via: asked.via,
        channel: asked.channel,
        detail: asked.detail,
        reason: None,
        fulfilled_by: None,
    };
    store.put_request(&request)?;
    Ok(request)
}

/// An open request, for deciding: [`RightsError::RequestUnknown`] if there
/// is none with this id, [`RightsError::RequestDecided`] if it was decided.
pub fn open<R: RequestStore + ?Sized>(store: &R, id: &EventId) -> Result<SubjectRequest, Error> {
    let r = store.request(id)?.ok_or(RightsError::RequestUnknown)?;
    if r.status != RequestStatus::Open {
        return Err(RightsError::RequestDecided.into());
    }
    Ok(r)
}

/// Records a decision on an open request.
pub fn decide<R: RequestStore + ?Sized>(
    store: &mut R,
    mut request: SubjectRequest,
    status: RequestStatus,
    who: &str,
    erasure: Option<EventId>,
    now_ms: u64,
) -> Result<SubjectRequest, Error> {
    request.status = status;
    // What to correct was the person's own words, needed to act on it:
    // decided, it is not kept (the record of a rectification commits to
    // the corrected identity itself).
    request.detail = None;
    request.decided_by = Some(who.to_string());
    request.decided_ms = Some(now_ms);
    request.erasure = erasure;
    store.update_request(&request)?;
    Ok(request)
}

/// The queue's order, as a sort key: open requests first, the soonest
/// deadline first; then the decided ones, the newest decision first. A
/// store's `queue` answers in it, and so does a queue merged from shards.
pub fn queue_order(r: &SubjectRequest) -> (u8, u64) {
    match r.status {
        RequestStatus::Open => (0, r.due_ms),
        _ => (1, u64::MAX - r.decided_ms.unwrap_or(0)),
    }
}

/// The reason a request closed by an erasure gives.
pub const CLOSED_BY_ERASURE: &str = "the subject was erased";

/// Closes every open request of `subject`, erased by `erasure` another
/// way than through them: an erasure request is fulfilled by it, any other
/// is [`RequestStatus::Closed`] (a copy, a correction, a restriction or an
/// objection of data that no longer exists). Decided requests stay as they
/// were. Answers the requests it closed.
pub fn close_for_erasure<R: RequestStore + ?Sized>(
    store: &mut R,
    subject: &SubjectId,
    erasure: &EventId,
    now_ms: u64,
) -> Result<Vec<SubjectRequest>, Error> {
    let mut closed = Vec::new();
    for r in store.requests_of(subject)? {
        if r.status != RequestStatus::Open {
            continue;
        }
        let (status, reason) = match r.kind {
            RequestKind::Erasure => (RequestStatus::Fulfilled, None),
            _ => (RequestStatus::Closed, Some(CLOSED_BY_ERASURE.to_owned())),
        };
        let mut r = decide(store, r, status, "erasure", Some(erasure.clone()), now_ms)?;
        if reason.is_some() {
            r.reason = reason;
            store.update_request(&r)?;
        }
        closed.push(r);
    }
    Ok(closed)
}

/// [`close_for_erasure`] for each `(subject, erasure)` of a run (the
/// recycle bin's purge, retention).
pub fn close_for_erasures<R: RequestStore + ?Sized>(
    store: &mut R,
    erased: impl IntoIterator<Item = (SubjectId, EventId)>,
    now_ms: u64,
) -> Result<(), Error> {
    for (subject, erasure) in erased {
        close_for_erasure(store, &subject, &erasure, now_ms)?;
    }
    Ok(())
}

/// Refuses an open request, with the reason the person is told (Art.
/// 12(4)): 1 to [`MAX_TEXT`] characters.
pub fn refuse<R: RequestStore + ?Sized>(
    store: &mut R,
    mut request: SubjectRequest,
    who: &str,
    reason: &str,
    now_ms: u64,
) -> Result<SubjectRequest, Error> {
    let reason = reason.trim();
    text_ok(reason).map_err(|r| RightsError::RequestInvalid {
        reason: alloc::format!("reason: {r}"),
    })?;
    request.reason = Some(reason.to_owned());
    decide(store, request, RequestStatus::Refused, who, None, now_ms)
}

/// An in-memory [`RequestStore`].
#[derive(Debug, Clone, Default)]
pub struct MemoryRequestStore(Vec<SubjectRequest>, Vec<EventId>);

impl RequestStore for MemoryRequestStore {
    fn put_request(&mut self, request: &SubjectRequest) -> Result<(), StoreError> {
        if self.0.iter().any(|r| r.id == request.id) {
            return Err(StoreError::Conflict);
        }
        self.0.push(request.clone());
        Ok(())
    }
    fn update_request(&mut self, request: &SubjectRequest) -> Result<(), StoreError> {
        let r = self
            .0
            .iter_mut()
            .find(|r| r.id == request.id)
            .ok_or(StoreError::Fault("no such request".into()))?;
        *r = request.clone();
        Ok(())
    }
    fn request(&self, id: &EventId) -> Result<Option<SubjectRequest>, StoreError> {
        Ok(self.0.iter().find(|r| r.id == *id).cloned())
    }
    fn requests_of(&self, subject: &SubjectId) -> Result<Vec<SubjectRequest>, StoreError> {
        Ok(self
            .0
            .iter()
            .filter(|r| r.subject == *subject)
            .cloned()
            .collect())
    }
    fn queue(&self, limit: u64) -> Result<Vec<SubjectRequest>, StoreError> {
        let mut all = self.0.clone();
        all.sort_by_key(queue_order);
        all.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(all)
    }
    fn spend_link(&mut self, nonce: &EventId, _now_ms: u64) -> Result<bool, StoreError> {
        if self.1.contains(nonce) {
            return Ok(false);
        }
        self.1.push(nonce.clone());
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_waits_with_its_deadline_once_and_is_decided_once() {
        let mut store = MemoryRequestStore::default();
        let s = SubjectId::from_random_bytes([1; 16]);
        let now = 1_795_564_800_000; // 2026-11-25
        let r = file(
            &mut store,
            &s,
            RequestKind::Erasure,
            EventId::from_random_bytes([2; 16]),
            now,
        )
        .unwrap();
        assert_eq!(crate::utc::rfc3339(r.due_ms), "2026-12-25T00:00:00.000Z");
        let again = file(
            &mut store,
            &s,
            RequestKind::Erasure,
            EventId::from_random_bytes([3; 16]),
            now + 5,
        )
        .unwrap();
        assert_eq!(again.id, r.id, "no duplicate while one is open");
        let access = file(
            &mut store,
            &s,
            RequestKind::Access,
            EventId::from_random_bytes([4; 16]),
            now,
        )
        .unwrap();
        assert_ne!(access.id, r.id);
        let o = open(&store, &r.id).unwrap();
        decide(
            &mut store,
            o,
            RequestStatus::Fulfilled,
            "dpo",
            None,
            now + 10,
        )
        .unwrap();
        assert_eq!(open(&store, &r.id).unwrap_err().code(), "request_decided");
        assert_eq!(
            open(&store, &EventId::from_random_bytes([9; 16]))
                .unwrap_err()
                .code(),
            "request_unknown"
        );
        let q = store.queue(10).unwrap();
        assert_eq!(q[0].id, access.id, "open first");
    }

    /// Kills a request's deadline computed other than by
    /// `utc::one_month_after` (or `received_ms` changed): for a request
    /// received on the 1st, the 28th, 29th, 30th and 31st of every month of
    /// a common and a leap year, at its first, second and last millisecond, the deadline is the same time one calendar month later.
    #[test]
    fn the_deadline_is_one_calendar_month_for_every_month() {
        // Midnight UTC of 2027-01-01 and 2028-01-01.
        let years = [
            (2027u16, 1_798_761_600_000u64, false),
            (2028, 1_830_297_600_000, true),
        ];
        let day = 86_400_000u64;
        let len = |m: u8, leap: bool| match m {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        for (year, jan1, leap) in years {
            let mut first = jan1;
            for m in 1..=12u8 {
                let next_len = if m == 12 { 31 } else { len(m + 1, leap) };
                let next_first = first + u64::from(len(m, leap)) * day;
                for d in [1u8, 28, 29, 30, 31]
                    .into_iter()
                    .filter(|&d| d <= len(m, leap))
                {
                    let at = first + u64::from(d - 1) * day;
                    let due = next_first + u64::from(d.min(next_len) - 1) * day;
                    for delta in [0u64, 1, day - 1] {
                        let mut store = MemoryRequestStore::default();
                        let s = SubjectId::from_random_bytes([1; 16]);
                        let r = file(
                            &mut store,
                            &s,
                            RequestKind::Access,
                            EventId::from_random_bytes([2; 16]),
                            at + delta,
                        )
                        .unwrap();
                        assert_eq!(r.received_ms, at + delta);
                        assert_eq!(r.due_ms, due + delta, "{year}-{m}-{d} +{delta} ms");
                        assert_eq!(r.status, RequestStatus::Open);
                    }
                }
                first = next_first;
            }
            assert_eq!(crate::utc::date(first), (year + 1, 1, 1));
        }
    }

    /// Kills a closing that skips a kind, closes a decided request again or
    /// another subject's, or fulfils what it should close: erased another
    /// way, the subject's open erasure request is fulfilled by that erasure,
    /// every other open one closed with its reason; the rest untouched.
    #[test]
    fn an_erasure_another_way_closes_the_subject_s_open_requests() {
        let mut store = MemoryRequestStore::default();
        let now = 1_795_564_800_000;
        let s = SubjectId::from_random_bytes([1; 16]);
        let other = SubjectId::from_random_bytes([2; 16]);
        let mut n = 0u8;
        let mut file_one = |store: &mut MemoryRequestStore, who: &SubjectId, kind| {
            n += 1;
            file(store, who, kind, EventId::from_random_bytes([n; 16]), now).unwrap()
        };
        let erasure_asked = file_one(&mut store, &s, RequestKind::Erasure);
        let access = file_one(&mut store, &s, RequestKind::Access);
        let restriction = file_one(&mut store, &s, RequestKind::Restriction);
        let refused = file_one(&mut store, &s, RequestKind::Rectification);
        let refused = refuse(&mut store, refused, "dpo", "no such error", now).unwrap();
        let theirs = file_one(&mut store, &other, RequestKind::Access);
        let erasure = EventId::from_random_bytes([99; 16]);
        let closed = close_for_erasure(&mut store, &s, &erasure, now + 5).unwrap();
        assert_eq!(closed.len(), 3);
        let read = |id: &EventId| store.request(id).unwrap().unwrap();
        let e = read(&erasure_asked.id);
        assert_eq!(
            (e.status, e.erasure.as_ref(), e.reason.as_deref()),
            (RequestStatus::Fulfilled, Some(&erasure), None)
        );
        for id in [&access.id, &restriction.id] {
            let r = read(id);
            assert_eq!(r.status, RequestStatus::Closed);
            assert_eq!(r.reason.as_deref(), Some(CLOSED_BY_ERASURE));
            assert_eq!(
                (r.decided_by.as_deref(), r.decided_ms),
                (Some("erasure"), Some(now + 5))
            );
        }
        assert_eq!(
            read(&refused.id),
            refused,
            "a decided request stays decided"
        );
        assert_eq!(
            read(&theirs.id).status,
            RequestStatus::Open,
            "another subject's stays open"
        );
        assert!(
            close_for_erasure(&mut store, &s, &erasure, now + 9)
                .unwrap()
                .is_empty(),
            "once"
        );
        // A run's batch (the bin's purge, retention) closes each subject's.
        close_for_erasures(&mut store, [(other.clone(), erasure.clone())], now + 9).unwrap();
        assert_eq!(
            store.request(&theirs.id).unwrap().unwrap().status,
            RequestStatus::Closed,
            "the batch's subject"
        );
    }

    /// Kills the memory store's queue order (`u64::MAX - decided` made
    /// `/`) and `spend_link` answering always `true` or always `false`:
    /// open requests first by deadline, then the decided ones newest first;
    /// a link's nonce is spent once.
    #[test]
    fn the_memory_queue_orders_and_a_link_is_spent_once() {
        let mut store = MemoryRequestStore::default();
        let day = 86_400_000;
        let now = 1_795_564_800_000;
        let mut ids = Vec::new();
        for (n, at) in [
            (1u8, now + 3 * day),
            (2, now),
            (3, now + day),
            (4, now + 2 * day),
        ] {
            let r = file(
                &mut store,
                &SubjectId::from_random_bytes([n; 16]),
                RequestKind::Erasure,
                EventId::from_random_bytes([n; 16]),
                at,
            )
            .unwrap();
            ids.push(r.id);
        }
        for (i, decided) in [(2usize, now + 10), (3, now + 20)] {
            let o = open(&store, &ids[i]).unwrap();
            decide(&mut store, o, RequestStatus::Refused, "dpo", None, decided).unwrap();
        }
        let q: Vec<EventId> = store.queue(10).unwrap().into_iter().map(|r| r.id).collect();
        assert_eq!(
            q,
            [
                ids[1].clone(),
                ids[0].clone(),
                ids[3].clone(),
                ids[2].clone()
            ],
            "open by deadline, then the newest decided"
        );
        assert_eq!(store.queue(1).unwrap().len(), 1);
        let nonce = EventId::from_random_bytes([9; 16]);
        assert!(store.spend_link(&nonce, now).unwrap());
        assert!(!store.spend_link(&nonce, now + 1).unwrap());
        assert!(store
            .spend_link(&EventId::from_random_bytes([8; 16]), now)
            .unwrap());
    }
}
