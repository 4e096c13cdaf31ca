//! Data-subject requests (access, erasure) and the owner's queue, without
//! I/O. A request made in the privacy center lands in the queue with its
//! legal deadline, one calendar month after receipt (GDPR Art. 12(3));
//! the owner fulfils or refuses it. A site may fulfil automatically
//! (`rights.auto_fulfil` in its configuration): the request is then
//! decided as it arrives, by `automatic`.
//!
//! Fulfilling an erasure runs [`Site::erase`](crate::site::Site::erase); fulfilling an access
//! request releases the export to the person (the edge mails them a link to
//! their privacy center). A second request of a kind while one is open is
//! the open one: the queue never holds duplicates.

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

/// Files a request (or answers the open one of the same kind).
pub fn file<R: RequestStore + ?Sized>(
    store: &mut R,
    subject: &SubjectId,
    kind: RequestKind,
    id: EventId,
    now_ms: u64,
) -> Result<SubjectRequest, Error> {
    let open = store
        .requests_of(subject)?
        .into_iter()
        .find(|r| r.kind == kind && r.status == RequestStatus::Open);
    if let Some(open) = open {
        return Ok(open);
    }
    let request = SubjectRequest {
        id,
        subject: subject.clone(),
        kind,
        received_ms: now_ms,
        due_ms: crate::utc::one_month_after(now_ms),
        status: RequestStatus::Open,
        decided_by: None,
        decided_ms: None,
        erasure: None,
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
    request.decided_by = Some(who.to_string());
    request.decided_ms = Some(now_ms);
    request.erasure = erasure;
    store.update_request(&request)?;
    Ok(request)
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
        all.sort_by_key(|r| match r.status {
            RequestStatus::Open => (0, r.due_ms),
            _ => (1, u64::MAX - r.decided_ms.unwrap_or(0)),
        });
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
