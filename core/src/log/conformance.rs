//! The log's conformance suite: every rule of the [sequencer](super::sequencer::append)
//! checked against a [`LogStore`], so the in-memory store (core's tests) and
//! the edge's SQLite store (the edge's native tests, on `rusqlite`) pass the
//! same tests. Enabled by the `test-support` feature.
//!
//! Storage faults are injected with [`FaultInjected`], a wrapper that fails
//! every call of the store after a given number. Each function panics with a
//! message when the store breaks a rule.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::config::SiteConfig;
use crate::error::Error;
use crate::event::ConsentEvent;
use crate::ids::{EventId, SubjectId};
use crate::keys::{Jwks, SigningKey};
use crate::log::sequencer::{self, AppendRequest, AppendStatus, Appended};
use crate::log::store::{Entry, Listed, NewEntry, StoredCheckpoint};
use crate::log::{LogOrigin, LogStore, StoreError};
use crate::merkle::{self, Hash};
use crate::note::Checkpoint;
use crate::paging::{self, PageRequest};
use crate::receipt;
use crate::shards::ShardIndex;

/// A store under test: its calls fail on demand (after `fail_after(Some(n))`,
/// `n` more calls succeed and every later one fails, until
/// `fail_after(None)`), and a hook can run on the inner store right before
/// the next append writes (another request getting in between reads and write).
pub struct FaultInjected<S> {
    /// The store.
    pub inner: S,
    left: core::cell::Cell<Option<usize>>,
    before_append: Option<Hook<S>>,
}

/// Something that happens to a store between an append's reads and its write.
type Hook<S> = Box<dyn FnOnce(&mut S)>;

impl<S> FaultInjected<S> {
    /// Wraps a store; no faults until asked.
    pub fn new(inner: S) -> Self {
        FaultInjected {
            inner,
            left: core::cell::Cell::new(None),
            before_append: None,
        }
    }

    /// Runs `hook` on the inner store right before the next append writes.
    pub fn before_next_append(&mut self, hook: impl FnOnce(&mut S) + 'static) {
        self.before_append = Some(Box::new(hook));
    }

    /// Lets `calls` more calls succeed, then fails them; `None` clears.
    pub fn fail_after(&mut self, calls: Option<usize>) {
        self.left.set(calls);
    }

    pub(crate) fn tick(&self) -> Result<(), StoreError> {
        match self.left.get() {
            Some(0) => Err(StoreError::Fault("injected fault".into())),
            Some(n) => {
                self.left.set(Some(n - 1));
                Ok(())
            }
            None => Ok(()),
        }
    }
}

impl<S: LogStore> LogStore for FaultInjected<S> {
    fn size(&self) -> Result<u64, StoreError> {
        self.tick()?;
        self.inner.size()
    }
    fn origin(&self) -> Result<Option<LogOrigin>, StoreError> {
        self.tick()?;
        self.inner.origin()
    }
    fn completed(&self, index: u64) -> Result<Option<Vec<Hash>>, StoreError> {
        self.tick()?;
        self.inner.completed(index)
    }
    fn entry_by_event(&self, event_id: &EventId) -> Result<Option<Entry>, StoreError> {
        self.tick()?;
        self.inner.entry_by_event(event_id)
    }
    fn last_of_subject(&self, subject: &SubjectId) -> Result<Option<Entry>, StoreError> {
        self.tick()?;
        self.inner.last_of_subject(subject)
    }
    fn of_subject(&self, subject: &SubjectId, limit: u64) -> Result<Vec<Listed>, StoreError> {
        self.tick()?;
        self.inner.of_subject(subject, limit)
    }
    fn newest_before(&self, before: u64, limit: u64) -> Result<Vec<Listed>, StoreError> {
        self.tick()?;
        self.inner.newest_before(before, limit)
    }
    fn oldest_from(&self, from: u64, limit: u64) -> Result<Vec<Listed>, StoreError> {
        self.tick()?;
        self.inner.oldest_from(from, limit)
    }
    fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        self.tick()?;
        self.inner.latest_checkpoint()
    }
    fn append(&mut self, entry: &NewEntry<'_>) -> Result<(), StoreError> {
        self.tick()?;
        if let Some(hook) = self.before_append.take() {
            hook(&mut self.inner);
        }
        self.inner.append(entry)
    }
    fn put_checkpoint(&mut self, checkpoint: &StoredCheckpoint) -> Result<(), StoreError> {
        self.tick()?;
        self.inner.put_checkpoint(checkpoint)
    }
    fn stats(&self, from_day: &str) -> Result<Vec<(String, String, u64)>, StoreError> {
        self.tick()?;
        self.inner.stats(from_day)
    }
    fn subject_key(
        &self,
        subject: &SubjectId,
    ) -> Result<Option<crate::subject_key::SubjectKeyHash>, StoreError> {
        self.tick()?;
        self.inner.subject_key(subject)
    }
    fn notice(
        &self,
        hash: &crate::ids::NoticeHash,
    ) -> Result<Option<crate::log::archive::ArchivedNotice>, StoreError> {
        self.tick()?;
        self.inner.notice(hash)
    }
    fn keep_notice(
        &mut self,
        notice: &crate::log::archive::ArchivedNotice,
    ) -> Result<(), StoreError> {
        self.tick()?;
        self.inner.keep_notice(notice)
    }
}

/// The site configuration of the golden vectors.
pub fn config() -> SiteConfig {
    SiteConfig::from_json(include_str!("../../tests/vectors/site.json")).expect("vector config")
}

/// The log's signing key in these tests.
pub fn key() -> SigningKey {
    SigningKey::from_seed([42; 32])
}

const T0: u64 = 1_795_000_000_000;

fn uuid(n: u64, tag: u8) -> String {
    let mut b = [tag; 16];
    b[8..].copy_from_slice(&n.to_be_bytes());
    crate::ids::EventId::from_random_bytes(b)
        .as_str()
        .to_string()
}

/// A valid event: `n` picks the event id, `subject` the subject, `grant`
/// whether analytics is granted; the action is given.
pub fn event(
    config: &SiteConfig,
    n: u64,
    subject: u64,
    action: &str,
    grant: bool,
    at_ms: u64,
) -> ConsentEvent {
    let subject = SubjectId::new(&uuid(subject, 2)).expect("subject");
    event_of(config, n, &subject, action, grant, at_ms)
}

/// [`event`] of a given subject.
pub fn event_of(
    config: &SiteConfig,
    n: u64,
    subject: &SubjectId,
    action: &str,
    grant: bool,
    at_ms: u64,
) -> ConsentEvent {
    let notice = config.notice("en").expect("en");
    let json = serde_json::json!({
        "event_id": uuid(n, 1),
        "site": config.site,
        "subject": subject,
        "action": action,
        "decisions": {"necessary": true, "analytics": grant, "marketing": false},
        "notice": {"version": config.notice_version, "language": "en", "hash": notice.hash()},
        "ui": {"surface": "banner", "control": if grant { "accept_all" } else { "reject_all" }},
        "client_time_ms": at_ms,
        "gpc": false,
        "page": {"origin": "https://vectors.example", "path": "/"},
        "widget_version": "0.1.0"
    });
    ConsentEvent::from_json(json.to_string().as_bytes()).expect("event")
}

fn request(event: ConsentEvent, origin: &str) -> AppendRequest {
    AppendRequest {
        received_at_ms: event.client_time_ms + 5,
        event,
        sec_gpc: false,
        country: Some("DE".into()),
        origin: LogOrigin::parse(origin).expect("origin"),
        issuer: "https://edge.example".into(),
        form: None,
        regime: None,
        import: None,
        proof: crate::log::sequencer::Proof::Edge,
    }
}

fn append<S: LogStore>(store: &mut S, event: ConsentEvent) -> Result<Appended, Error> {
    sequencer::append(
        store,
        &config(),
        &key(),
        request(event, "edge.example/vectors"),
    )
}

fn jwks() -> Jwks {
    Jwks::new([key().public().to_jwk(None)])
}

/// Rebuilds the tree from the stored records and checks the signed
/// checkpoint, every inclusion proof and every consistency proof.
pub fn check_proofs<S: LogStore>(store: &mut S) {
    let size = store.size().unwrap();
    let records = store.oldest_from(0, u64::MAX).unwrap();
    assert_eq!(records.len() as u64, size, "one record per leaf");
    let leaves: Vec<Hash> = records
        .iter()
        .map(|r| merkle::leaf_hash(r.record.as_bytes()))
        .collect();
    let mut tree = merkle::Frontier::default();
    let mut roots = vec![merkle::EMPTY_ROOT];
    for leaf in &leaves {
        tree.append(*leaf);
        roots.push(tree.root());
    }
    if size == 0 {
        return;
    }
    let note = sequencer::checkpoint(store, &key(), T0).unwrap();
    let origin = store.origin().unwrap().expect("origin");
    let cp = Checkpoint::verify(&note, origin.as_str(), &[key().public()]).unwrap();
    assert_eq!(
        (cp.size, cp.root),
        (size, tree.root()),
        "the checkpoint signs the rebuilt tree"
    );
    for (i, leaf) in leaves.iter().enumerate() {
        let proof = sequencer::inclusion(store, i as u64, size).unwrap();
        merkle::verify_inclusion(leaf, i as u64, size, &proof.hashes, &cp.root).unwrap();
    }
    for from in 1..=size {
        let proof = sequencer::consistency(store, from, size).unwrap();
        merkle::verify_consistency(from, size, &proof.hashes, &roots[from as usize], &cp.root)
            .unwrap();
    }
}

/// Appends get indexes in order, receipts verify, and the tree checks out.
pub fn appends_and_proves<S: LogStore>(store: &mut S) {
    let c = config();
    for n in 0..13u64 {
        let a = append(store, event(&c, n, n, "give", true, T0 + n)).unwrap();
        assert_eq!(a.status, AppendStatus::New);
        assert!(a.in_force);
        let v = receipt::verify(&a.receipt, &jwks()).unwrap();
        assert_eq!(v.claims.log.index, n);
        assert_eq!(v.claims.log.origin, "edge.example/vectors");
        assert_eq!(v.claims.iss, "https://edge.example");
        let answer: serde_json::Value = serde_json::from_str(&a.answer).unwrap();
        assert_eq!(answer["receipt"], a.receipt.as_str());
        assert_eq!(answer["log"]["index"], n);
    }
    check_proofs(store);
}

/// The same event again answers with the first answer; the same id with
/// other content is refused; neither writes.
pub fn repeats_are_idempotent<S: LogStore>(store: &mut S) {
    let c = config();
    let first = append(store, event(&c, 1, 1, "give", true, T0)).unwrap();
    let again = append(store, event(&c, 1, 1, "give", true, T0)).unwrap();
    assert_eq!(again.status, AppendStatus::Repeat);
    assert_eq!(
        (again.answer.as_str(), again.receipt.as_str()),
        (first.answer.as_str(), first.receipt.as_str())
    );
    assert!(again.in_force);
    let mut other = event(&c, 1, 1, "give", true, T0);
    other.page.path = "/elsewhere".into();
    assert_eq!(
        append(store, other).unwrap_err().code(),
        "event_id_conflict"
    );
    assert_eq!(store.size().unwrap(), 1);
    // A later event of the subject: the repeat of the first is no longer in force.
    append(store, event(&c, 2, 1, "withdraw", false, T0 + 10)).unwrap();
    let old = append(store, event(&c, 1, 1, "give", true, T0)).unwrap();
    assert!(
        !old.in_force,
        "a repeat of an older event is not the choice in force"
    );
    assert_eq!(store.size().unwrap(), 2);
}

/// Each record links to the subject's previous record in log order, and the
/// action must follow from the choice in force.
pub fn chains_subjects_and_checks_actions<S: LogStore>(store: &mut S) {
    let c = config();
    let code = |r: Result<Appended, Error>| r.map(|_| "ok").unwrap_or_else(|e| e.code());
    assert_eq!(
        code(append(store, event(&c, 1, 7, "withdraw", false, T0))),
        "action_mismatch",
        "nothing to withdraw"
    );
    assert_eq!(
        code(append(store, event(&c, 2, 7, "give", true, T0 + 1))),
        "ok"
    );
    assert_eq!(
        code(append(store, event(&c, 3, 8, "refuse", false, T0 + 2))),
        "ok",
        "another subject"
    );
    assert_eq!(
        code(append(store, event(&c, 4, 7, "give", true, T0 + 3))),
        "action_mismatch",
        "give after give"
    );
    assert_eq!(
        code(append(store, event(&c, 5, 7, "refuse", false, T0 + 4))),
        "action_mismatch",
        "refuse after give"
    );
    assert_eq!(
        code(append(store, event(&c, 6, 7, "update", true, T0 + 5))),
        "ok"
    );
    // The visitor's clock ran a day ahead for the update; a withdrawal stamped
    // earlier still follows it in log order.
    assert_eq!(
        code(append(store, event(&c, 7, 7, "withdraw", false, T0 + 4))),
        "ok"
    );
    assert_eq!(
        code(append(store, event(&c, 8, 7, "refuse", false, T0 + 6))),
        "ok",
        "nothing granted any more"
    );
    // A choice past the consent lifetime is no longer in force: asking again is a give.
    let later = T0 + u64::from(c.consent_lifetime_days) * crate::lifetime::DAY_MS;
    assert_eq!(
        code(append(store, event(&c, 9, 7, "give", true, T0 + 7))),
        "ok"
    );
    assert_eq!(
        code(append(store, event(&c, 10, 7, "give", true, later + 8))),
        "ok",
        "expired choice"
    );

    let chain: Vec<(String, Option<String>)> = store
        .oldest_from(0, 100)
        .unwrap()
        .iter()
        .map(|r| {
            let v: serde_json::Value = serde_json::from_str(&r.record).unwrap();
            (
                v["event"]["event_id"].as_str().unwrap().to_string(),
                v["prev_event_id"].as_str().map(str::to_string),
            )
        })
        .collect();
    let ids: Vec<&str> = chain.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(chain[0].1, None);
    assert_eq!(chain[1].1, None, "the other subject has its own chain");
    for i in 2..chain.len() {
        assert_eq!(
            chain[i].1.as_deref(),
            Some(ids[if i == 2 { 0 } else { i - 1 }]),
            "record {i}"
        );
    }
}

/// The first entry fixes the origin; a later request naming another keeps it.
pub fn fixes_the_origin<S: LogStore>(store: &mut S) {
    let c = config();
    let k = key();
    sequencer::append(
        store,
        &c,
        &k,
        request(event(&c, 1, 1, "give", true, T0), "first.example/vectors"),
    )
    .unwrap();
    let a = sequencer::append(
        store,
        &c,
        &k,
        request(event(&c, 2, 2, "give", true, T0), "second.example/vectors"),
    )
    .unwrap();
    let v = receipt::verify(&a.receipt, &jwks()).unwrap();
    assert_eq!(v.claims.log.origin, "first.example/vectors");
    assert_eq!(
        store.origin().unwrap().unwrap().as_str(),
        "first.example/vectors"
    );
}

/// The alarm's call signs a checkpoint by itself (no reader), once per
/// growth: the same call again signs nothing new; a reader gets that note.
pub fn the_alarm_signs_checkpoints<S: LogStore>(store: &mut S) {
    let c = config();
    assert!(store.latest_checkpoint().unwrap().is_none());
    for n in 0..3 {
        append(store, event(&c, n, n, "give", true, T0)).unwrap();
    }
    // What the Durable Object's alarm runs, a second after the log grew.
    let signed = sequencer::checkpoint(store, &key(), T0 + 1000).unwrap();
    let kept = store
        .latest_checkpoint()
        .unwrap()
        .expect("the alarm kept a checkpoint");
    assert_eq!(
        (kept.size, kept.signed_at_ms, kept.note.as_str()),
        (3, T0 + 1000, signed.as_str())
    );
    assert_eq!(
        sequencer::checkpoint(store, &key(), T0 + 2000).unwrap(),
        signed,
        "no growth, no new note"
    );
    assert_eq!(
        store.latest_checkpoint().unwrap().unwrap().signed_at_ms,
        T0 + 1000
    );
    append(store, event(&c, 3, 3, "give", true, T0)).unwrap();
    let next = sequencer::checkpoint(store, &key(), T0 + 3000).unwrap();
    let cp = Checkpoint::verify(&next, "edge.example/vectors", &[key().public()]).unwrap();
    assert_eq!(cp.size, 4);
}

/// A restored log is checked against its newest checkpoint: a log that
/// holds what the checkpoint signs passes (more after it too); one shorter
/// than it, or with another leaf under it, is `backup_invalid`. `new_store`
/// makes the empty stores the check is tried on.
pub fn a_restored_log_is_checked_against_its_checkpoint<S: LogStore>(new_store: impl Fn() -> S) {
    let c = config();
    let grown = |n: u64, other: Option<u64>| {
        let mut store = new_store();
        for i in 0..n {
            // Another leaf: the same event at another time.
            let at = if Some(i) == other { T0 + 1 } else { T0 };
            append(&mut store, event(&c, i, i, "give", true, at)).unwrap();
        }
        store
    };
    assert_eq!(sequencer::check_restored(&new_store()).unwrap(), (0, None));
    let mut signed = grown(5, None);
    sequencer::checkpoint(&mut signed, &key(), T0 + 1000).unwrap();
    assert_eq!(sequencer::check_restored(&signed).unwrap(), (5, Some(5)));
    append(&mut signed, event(&c, 5, 5, "give", true, T0)).unwrap();
    assert_eq!(
        sequencer::check_restored(&signed).unwrap(),
        (6, Some(5)),
        "more after it"
    );
    let checkpoint = signed.latest_checkpoint().unwrap().unwrap();
    // Its checkpoint, over a log one leaf short, and over another leaf 2.
    for (mut store, why) in [(grown(4, None), "shorter"), (grown(5, Some(2)), "root")] {
        store.put_checkpoint(&checkpoint).unwrap();
        let e = sequencer::check_restored(&store).unwrap_err();
        assert_eq!(e.code(), "backup_invalid");
        assert!(e.to_string().contains(why), "{why}: {e}");
    }
}

/// A fault at any call of an append leaves nothing visible, and the next
/// append works at the same index.
pub fn survives_faults<S: LogStore>(new_store: impl Fn() -> S) {
    let c = config();
    // How many store calls an append makes: fail at each of them in turn.
    let mut calls = 0;
    loop {
        let mut store = FaultInjected::new(new_store());
        for n in 0..5 {
            append(&mut store, event(&c, n, n, "give", true, T0)).unwrap();
        }
        let note = sequencer::checkpoint(&mut store, &key(), T0).unwrap();
        store.fail_after(Some(calls));
        let result = append(&mut store, event(&c, 5, 1, "withdraw", false, T0 + 1));
        store.fail_after(None);
        let Err(e) = result else {
            assert!(calls > 3, "an append makes several store calls");
            break;
        };
        assert_eq!(
            e.code(),
            "storage_fault",
            "a storage fault at call {calls}: {e}"
        );
        assert_eq!(
            store.size().unwrap(),
            5,
            "nothing of the failed append is visible"
        );
        assert!(store
            .entry_by_event(&event(&c, 5, 1, "withdraw", false, 0).event_id)
            .unwrap()
            .is_none());
        assert_eq!(
            sequencer::checkpoint(&mut store, &key(), T0).unwrap(),
            note,
            "the log did not grow"
        );
        let again = append(&mut store, event(&c, 5, 1, "withdraw", false, T0 + 1)).unwrap();
        assert_eq!(again.status, AppendStatus::New);
        let v = receipt::verify(&again.receipt, &jwks()).unwrap();
        assert_eq!(v.claims.log.index, 5);
        assert_eq!(
            v.claims.record["prev_event_id"],
            event(&c, 1, 1, "give", true, T0).event_id.as_str()
        );
        check_proofs(&mut store);
        calls += 1;
    }
}

/// A proof asked of a failing store is a storage fault, not an invalid proof.
pub fn proof_faults_are_internal<S: LogStore>(store: S) {
    let store = &mut FaultInjected::new(store);
    let c = config();
    for n in 0..4 {
        append(store, event(&c, n, n, "give", true, T0)).unwrap();
    }
    store.fail_after(Some(1));
    let e = sequencer::inclusion(store, 1, 4).unwrap_err();
    store.fail_after(None);
    assert!(matches!(e, Error::Storage(_)), "{e:?}");
    assert_eq!(
        sequencer::inclusion(store, 4, 4).unwrap_err().code(),
        "query_invalid"
    );
    assert_eq!(
        sequencer::inclusion(store, 0, 5).unwrap_err().code(),
        "query_invalid"
    );
    assert_eq!(
        sequencer::consistency(store, 3, 2).unwrap_err().code(),
        "query_invalid"
    );
}

/// Two appends of one event racing between the reads and the write: the
/// loser answers as a repeat of the winner. Racing with another event at
/// the same index: nothing is written, and the log stays sound.
pub fn concurrent_retry<S: LogStore + 'static>(store: S) {
    use alloc::rc::Rc;
    use core::cell::RefCell;

    let c = config();
    let mut racing = FaultInjected::new(store);
    // The rival commits between this append's reads and its write.
    let rival = |racing: &mut FaultInjected<S>, event: ConsentEvent| {
        let won = Rc::new(RefCell::new(None));
        let slot = Rc::clone(&won);
        racing.before_next_append(move |inner: &mut S| {
            *slot.borrow_mut() = Some(append(inner, event).expect("rival append"));
        });
        won
    };
    let won = rival(&mut racing, event(&c, 1, 1, "give", true, T0));
    let a = append(&mut racing, event(&c, 1, 1, "give", true, T0)).unwrap();
    let won = won.borrow_mut().take().expect("the rival appended first");
    assert_eq!(won.status, AppendStatus::New);
    assert_eq!(a.status, AppendStatus::Repeat);
    assert_eq!(a.answer, won.answer);
    assert_eq!(racing.inner.size().unwrap(), 1);

    let _ = rival(&mut racing, event(&c, 2, 2, "give", true, T0));
    let e = append(&mut racing, event(&c, 3, 3, "give", true, T0)).unwrap_err();
    assert_eq!(e.code(), "storage_fault");
    assert_eq!(racing.inner.size().unwrap(), 2, "only the rival's event");
    let again = append(&mut racing, event(&c, 3, 3, "give", true, T0)).unwrap();
    assert_eq!(again.status, AppendStatus::New);
    check_proofs(&mut racing.inner);
}

/// Pages of the owner's list and of the export.
pub fn pages<S: LogStore>(store: &mut S) {
    let c = config();
    for n in 0..7 {
        append(store, event(&c, n, n, "refuse", false, T0)).unwrap();
    }
    let p = paging::page(store, PageRequest::new(Some(3), None).unwrap()).unwrap();
    assert_eq!((p.total, p.next_before), (7, Some(4)));
    assert_eq!(
        p.records.iter().map(|r| r.index).collect::<Vec<_>>(),
        [6, 5, 4]
    );
    let p = paging::page(store, PageRequest::new(Some(3), Some(3)).unwrap()).unwrap();
    assert_eq!(
        p.records.iter().map(|r| r.index).collect::<Vec<_>>(),
        [2, 1, 0]
    );
    let (records, next) = paging::export_page(store, 2).unwrap();
    assert_eq!((records.len(), records[0].index, next), (5, 2, None));
    for (limit, before) in [(Some(0), None), (Some(501), None), (None, Some(1u64 << 63))] {
        assert_eq!(
            PageRequest::new(limit, before).unwrap_err().code(),
            "query_invalid"
        );
    }
}

/// Under a regime that presumes consent (opt-out), a subject's first choice
/// changes the presumed one: an opt-out is a `withdraw` and a `refuse` is
/// not; under opt-in (or no rules) the reverse. The regime is recorded.
pub fn a_presumed_choice_is_the_history_of_a_first_choice<S: LogStore>(store: &mut S) {
    use crate::jurisdiction::Regime;
    let c = config();
    let under = |store: &mut S, regime: Option<Regime>, n: u64, subject: u64, action: &str| {
        let mut req = request(
            event(&c, n, subject, action, false, T0 + n),
            "edge.example/vectors",
        );
        req.regime = regime;
        sequencer::append(store, &c, &key(), req)
            .map(|a| a.answer)
            .map_err(|e| e.code())
    };
    assert_eq!(
        under(store, Some(Regime::OptOut), 1, 40, "refuse"),
        Err("action_mismatch"),
        "nothing to refuse under opt-out: it is a withdrawal"
    );
    let answer = under(store, Some(Regime::OptOut), 2, 40, "withdraw").expect("an opt-out");
    assert!(
        answer.contains("\"regime\":\"opt_out\""),
        "the regime is recorded"
    );
    assert_eq!(
        under(store, Some(Regime::OptIn), 3, 41, "withdraw"),
        Err("action_mismatch")
    );
    assert!(under(store, None, 4, 42, "refuse").is_ok());
}

/// The counters the log keeps as it appends equal a recount of its
/// records, a repeat counts nothing, and days are the records' UTC days.
pub fn counters_match_a_recount<S: LogStore>(store: &mut S) {
    let c = config();
    let day = 86_400_000;
    // Subjects 0..6 accept on day one; subjects 6..9 refuse a day later;
    // subject 0 withdraws on day two.
    for n in 0..6u64 {
        append(store, event(&c, n, n, "give", true, T0 + n)).unwrap();
    }
    for n in 6..9u64 {
        append(store, event(&c, n, n, "refuse", false, T0 + day + n)).unwrap();
    }
    append(store, event(&c, 9, 0, "withdraw", false, T0 + day + 20)).unwrap();
    let repeat = append(store, event(&c, 9, 0, "withdraw", false, T0 + day + 20)).unwrap();
    assert_eq!(repeat.status, AppendStatus::Repeat);

    let rows = store.stats("0000-00-00").unwrap();
    let (d1, d2) = (
        crate::stats::day_of(T0 + 5),
        crate::stats::day_of(T0 + day + 5),
    );
    let get = |day: &str, key: &str| {
        rows.iter()
            .find(|(d, k, _)| d == day && k == key)
            .map_or(0, |r| r.2)
    };
    assert_eq!(get(&d1, "records"), 6);
    assert_eq!(get(&d2, "records"), 4, "the repeat counts nothing");
    assert_eq!(get(&d1, "control:accept_all"), 6);
    assert_eq!(get(&d2, "control:reject_all"), 4);
    assert_eq!(get(&d1, "purpose:analytics:granted"), 6);
    assert_eq!(get(&d2, "purpose:analytics:refused"), 4);
    assert_eq!(get(&d2, "action:withdraw"), 1);
    assert_eq!(get(&d1, "country:DE"), 6);
    // A recount of the stored records gives the same numbers.
    let mut recount = std::collections::BTreeMap::<(String, String), u64>::new();
    let optional: Vec<String> = c
        .purposes
        .iter()
        .filter(|p| !p.required)
        .map(|p| p.id.clone())
        .collect();
    for listed in store.oldest_from(0, 1000).unwrap() {
        let record: crate::record::StoredRecord = serde_json::from_str(&listed.record).unwrap();
        for (key, n) in crate::stats::counts(&record, &optional) {
            *recount
                .entry((crate::stats::day_of(record.received_at_ms), key))
                .or_default() += n;
        }
    }
    let stored: std::collections::BTreeMap<(String, String), u64> =
        rows.into_iter().map(|(d, k, n)| ((d, k), n)).collect();
    assert_eq!(stored, recount);
    assert!(store.stats(&d2).unwrap().iter().all(|(d, ..)| *d == d2));
}

/// A subject's key is kept from its first record only: a key sent with a
/// later event (anyone may have read the subject id by then) changes
/// nothing, and a subject that sent none has none.
pub fn keeps_the_first_subject_key<S: LogStore>(store: &mut S) {
    use crate::log::sequencer::Proof;
    use crate::subject_key::SubjectKey;
    let c = config();
    let first = event(&c, 1, 1, "give", true, T0);
    let subject = first.subject.clone();
    let mine = SubjectKey::parse("0c2a4f0e-93d1-4b7e-8a55-6f1c2d3e4b5a").unwrap();
    let theirs = SubjectKey::parse("11111111-2222-4333-8444-555555555555").unwrap();
    let origin = "edge.example/vectors";
    let keyed = |e: ConsentEvent, k: Option<&SubjectKey>| AppendRequest {
        proof: Proof::SubjectKey(k.map(|k| k.hash(&e.subject))),
        ..request(e, origin)
    };
    let size = |s: &S| s.size().unwrap();
    sequencer::append(store, &c, &key(), keyed(first.clone(), Some(&mine))).unwrap();
    let stored = store.subject_key(&subject).unwrap().expect("kept");
    assert!(stored.admits(&subject, &mine));

    // Whoever read the subject id writes nothing without its key: not with
    // another key, not with none, not even a repeat of the first event.
    let later = event(&c, 2, 1, "withdraw", false, T0 + 1);
    for k in [Some(&theirs), None] {
        let before = size(store);
        let e = sequencer::append(store, &c, &key(), keyed(later.clone(), k)).unwrap_err();
        assert_eq!(e.code(), "subject_key_invalid");
        let e = sequencer::append(store, &c, &key(), keyed(first.clone(), k)).unwrap_err();
        assert_eq!(e.code(), "subject_key_invalid");
        assert_eq!(size(store), before, "nothing stored");
    }
    assert!(store
        .subject_key(&subject)
        .unwrap()
        .unwrap()
        .admits(&subject, &mine));
    // The key's holder goes on; the edge's own events need no key.
    sequencer::append(store, &c, &key(), keyed(later, Some(&mine))).unwrap();
    let again = sequencer::append(store, &c, &key(), keyed(first, Some(&mine))).unwrap();
    assert_eq!(again.status, AppendStatus::Repeat);
    let by_edge = event(&c, 4, 1, "give", true, T0 + 3);
    sequencer::append(store, &c, &key(), request(by_edge, origin)).unwrap();

    // A subject whose first record carried no key takes no visitor's event
    // after it: its history is continued by nobody who merely knows the id.
    let other = event(&c, 3, 2, "give", true, T0 + 2);
    let other_subject = other.subject.clone();
    sequencer::append(store, &c, &key(), keyed(other, None)).unwrap();
    assert_eq!(store.subject_key(&other_subject).unwrap(), None);
    let next = event(&c, 5, 2, "withdraw", false, T0 + 4);
    for k in [Some(&mine), None] {
        let e = sequencer::append(store, &c, &key(), keyed(next.clone(), k)).unwrap_err();
        assert_eq!(e.code(), "subject_key_invalid");
    }
}

/// An erased subject takes no new event, from a visitor or the edge; a
/// repeat of an event stored before the erasure still answers.
pub fn an_erased_subject_takes_nothing<S: LogStore>(store: &mut S) {
    use crate::log::sequencer::Proof;
    use crate::subject_key::SubjectKey;
    let c = config();
    let k = SubjectKey::parse("0c2a4f0e-93d1-4b7e-8a55-6f1c2d3e4b5a").unwrap();
    let origin = "edge.example/vectors";
    let keyed = |e: ConsentEvent| AppendRequest {
        proof: Proof::SubjectKey(Some(k.hash(&e.subject))),
        ..request(e, origin)
    };
    let first = event(&c, 1, 7, "give", true, T0);
    sequencer::append(store, &c, &key(), keyed(first.clone())).unwrap();
    let mut erase = event(&c, 2, 7, "give", false, T0 + 1);
    erase.action = crate::event::Action::Erase;
    sequencer::append(store, &c, &key(), request(erase, origin)).unwrap();
    let size = store.size().unwrap();
    let after = event(&c, 3, 7, "give", true, T0 + 2);
    let e = sequencer::append(store, &c, &key(), keyed(after.clone())).unwrap_err();
    assert_eq!(e.code(), "subject_erased");
    let e = sequencer::append(store, &c, &key(), request(after, origin)).unwrap_err();
    assert_eq!(e.code(), "subject_erased");
    assert_eq!(store.size().unwrap(), size, "nothing stored");
    let repeat = sequencer::append(store, &c, &key(), keyed(first)).unwrap();
    assert_eq!(repeat.status, AppendStatus::Repeat);
}

/// The notice archive: a record's notice is kept under its hash with the
/// entry, once (a later record, or other bytes under the same hash, change
/// nothing); a form's record keeps its form's notice; a notice the site
/// shows is kept from the first time it is asked for; a hash never kept and
/// not shown is unknown.
pub fn keeps_notices<S: LogStore>(store: &mut S) {
    use crate::canonical::to_canonical_bytes;
    use crate::ids::NoticeHash;
    use crate::log::archive::{self, ArchivedNotice};
    use sha2::{Digest, Sha256};
    let c = config();
    let en = c.notice("en").unwrap();
    let hash = NoticeHash::new(&en.hash()).unwrap();
    assert_eq!(
        store.notice(&hash).unwrap(),
        None,
        "nothing before a record"
    );

    append(store, event(&c, 1, 1, "give", true, T0)).unwrap();
    let kept = store.notice(&hash).unwrap().expect("kept with the record");
    assert_eq!(kept.canonical.as_bytes(), to_canonical_bytes(&en).unwrap());
    assert_eq!(
        hex::encode(Sha256::digest(kept.canonical.as_bytes())),
        hash.as_str()
    );
    assert_eq!(
        (kept.version.as_str(), kept.language.as_str(), kept.first_ms),
        (c.notice_version.as_str(), "en", T0 + 5),
        "from the first record's receive time"
    );
    append(store, event(&c, 2, 2, "give", true, T0 + 100)).unwrap();
    assert_eq!(
        store.notice(&hash).unwrap().as_ref(),
        Some(&kept),
        "kept once"
    );
    store
        .keep_notice(&ArchivedNotice {
            canonical: "{}".into(),
            first_ms: T0 + 200,
            ..kept.clone()
        })
        .unwrap();
    assert_eq!(
        store.notice(&hash).unwrap().as_ref(),
        Some(&kept),
        "never overwritten"
    );

    // A form's record refers to its form's notice.
    let form = c.form("newsletter").expect("the vectors' form");
    let offers: serde_json::Map<String, serde_json::Value> = form
        .offers
        .iter()
        .map(|o| (o.key(), serde_json::Value::Bool(false)))
        .collect();
    let form_notice = c.form_notice("newsletter", "de").unwrap();
    let mut submission = serde_json::to_value(event(&c, 3, 3, "refuse", false, T0 + 300)).unwrap();
    submission["decisions"] = serde_json::json!({});
    submission["form"] = serde_json::json!({"id": "newsletter", "offers": offers});
    submission["ui"] = serde_json::json!({"surface": "form", "control": "submit"});
    submission["notice"] = serde_json::json!({
        "version": c.notice_version, "language": "de", "hash": form_notice.hash()
    });
    let submission = ConsentEvent::from_json(submission.to_string().as_bytes()).unwrap();
    append(store, submission).unwrap();
    let form_hash = NoticeHash::new(&form_notice.hash()).unwrap();
    let kept_form = store
        .notice(&form_hash)
        .unwrap()
        .expect("the form's notice");
    assert_eq!(
        kept_form.canonical.as_bytes(),
        to_canonical_bytes(&form_notice).unwrap()
    );
    assert_eq!(kept_form.language, "de");

    // A notice the site shows, asked for before any record refers to it.
    let de = NoticeHash::new(&c.notice("de").unwrap().hash()).unwrap();
    assert_eq!(store.notice(&de).unwrap(), None);
    let current = archive::current(&c);
    let asked = archive::find(store, &current, &de, T0 + 400).unwrap();
    assert_eq!(asked.first_ms, T0 + 400);
    assert_eq!(store.notice(&de).unwrap().as_ref(), Some(&asked));
    // Still there when the site no longer shows it.
    assert_eq!(archive::find(store, &[], &de, T0 + 500).unwrap(), asked);

    let unknown = NoticeHash::new(&"0".repeat(64)).unwrap();
    assert_eq!(store.notice(&unknown).unwrap(), None);
    assert_eq!(
        archive::find(store, &current, &unknown, T0)
            .unwrap_err()
            .code(),
        "notice_unknown"
    );
    assert_eq!(store.notice(&unknown).unwrap(), None, "nothing kept for it");
}

/// A site grows from one shard to four with records in it: the subjects it
/// had stay in the home shard (their chain continues, their old receipts
/// and inclusion proofs verify against the new checkpoints), new subjects
/// spread over the four trees, each signed under its own origin, and an
/// append routed to the wrong shard stores nothing.
pub fn grows_into_shards_without_moving_anyone<S: LogStore>(mut make: impl FnMut() -> S) {
    let one = config();
    let mut four = config();
    four.log.shards = serde_json::from_value(serde_json::json!([
        {"count": 1}, {"count": 4, "from": "2026-11-20"}
    ]))
    .unwrap();
    four.validate().unwrap();
    let from = crate::utc::parse_date("2026-11-20").unwrap();
    assert!(T0 < from);
    let origin = |k: u16| {
        let host = "edge.example";
        let site = &one.site;
        LogOrigin::of_shard(host, site, ShardIndex::new(k).unwrap()).unwrap()
    };
    let send = |store: &mut S, config: &SiteConfig, e: ConsentEvent, k: u16| {
        let mut req = request(e, "edge.example/vectors");
        req.origin = origin(k);
        sequencer::append(store, config, &key(), req)
    };
    let drawn = |at: u64, n: u8| SubjectId::drawn(at, [n; 16]);
    let mut shards: Vec<S> = (0..4).map(|_| make()).collect();

    // Before: one shard, a widget's UUIDv7 subjects and a form's UUIDv4.
    let old: Vec<SubjectId> = (0..6u8)
        .map(|n| drawn(T0 + u64::from(n), n))
        .chain([SubjectId::from_random_bytes([9; 16])])
        .collect();
    let mut receipts = Vec::new();
    for (n, s) in old.iter().enumerate() {
        let e = event_of(&one, n as u64, s, "give", true, T0 + 10);
        receipts.push(send(&mut shards[0], &one, e, 0).unwrap().receipt);
    }
    let before = sequencer::checkpoint(&mut shards[0], &key(), T0 + 20).unwrap();
    let before = Checkpoint::verify(&before, "edge.example/vectors", &[key().public()]).unwrap();

    // After: the old subjects continue at home, under the plain origin.
    let later = from + 86_400_000;
    for (n, s) in old.iter().enumerate() {
        assert_eq!(four.log.shards.of(s), ShardIndex::HOME, "{s}");
        let e = event_of(&four, 100 + n as u64, s, "withdraw", false, later);
        let a = send(&mut shards[0], &four, e, 0).unwrap();
        let v = receipt::verify(&a.receipt, &jwks()).unwrap();
        assert_eq!(v.claims.log.origin, "edge.example/vectors");
    }
    // A wrong route stores nothing, wherever it lands.
    let e = event_of(&four, 200, &old[0], "give", true, later);
    let err = send(&mut shards[2], &four, e, 2).unwrap_err();
    assert_eq!(err.code(), "shard_mismatch");
    assert_eq!(shards[2].size().unwrap(), 0);

    // New subjects spread over the four shards, each under its own origin.
    let home = shards[0].size().unwrap();
    let mut placed = [home, 0, 0, 0];
    for n in 0..40u8 {
        let s = drawn(later + u64::from(n), n);
        let k = four.log.shards.of(&s).get();
        let e = event_of(&four, 300 + u64::from(n), &s, "give", true, later);
        let a = send(&mut shards[usize::from(k)], &four, e, k).unwrap();
        let v = receipt::verify(&a.receipt, &jwks()).unwrap();
        assert_eq!(v.claims.log.origin, origin(k).as_str());
        assert_eq!(v.claims.log.index, placed[usize::from(k)]);
        placed[usize::from(k)] += 1;
        let wrong = (k + 1) % 4;
        let e = event_of(&four, 400 + u64::from(n), &s, "give", true, later);
        let err = send(&mut shards[usize::from(wrong)], &four, e, wrong).unwrap_err();
        assert_eq!(err.code(), "shard_mismatch");
    }
    assert!(
        placed[0] > home && placed[1..].iter().all(|p| *p > 0),
        "{placed:?}"
    );

    // Every old receipt's leaf is proven in home's new checkpoint, which
    // extends the one signed before the growth.
    let now = sequencer::checkpoint(&mut shards[0], &key(), later + 1000).unwrap();
    let now = Checkpoint::verify(&now, "edge.example/vectors", &[key().public()]).unwrap();
    for r in &receipts {
        let v = receipt::verify(r, &jwks()).unwrap();
        let proof = sequencer::inclusion(&shards[0], v.claims.log.index, now.size).unwrap();
        merkle::verify_inclusion(
            &v.leaf,
            v.claims.log.index,
            now.size,
            &proof.hashes,
            &now.root,
        )
        .unwrap();
    }
    let proof = sequencer::consistency(&shards[0], before.size, now.size).unwrap();
    merkle::verify_consistency(
        before.size,
        now.size,
        &proof.hashes,
        &before.root,
        &now.root,
    )
    .unwrap();
    for store in &mut shards {
        check_proofs(store);
    }
}
