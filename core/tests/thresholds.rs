//! Every time limit of the forms and rights at its boundary: exactly at the
//! limit and one millisecond either side, through the public API on the
//! in-memory stores. Each test names the one-line change (a mutant) it
//! catches: `>=` made `>`, `24 * 3_600_000` made `24 + 3_600_000`, and so on.
#![cfg(not(target_arch = "wasm32"))]

use assent_core::config::{RetentionConfig, SiteConfig};
use assent_core::event::Context;
use assent_core::form::identity::lookup_key;
use assent_core::form::intake::{Fresh, Submission};
use assent_core::form::mail::{self, MAX_MAILS_PER_DAY};
use assent_core::form::memory::MemoryFormStore;
use assent_core::form::settle;
use assent_core::form::store::{Contacts, Mailbox};
use assent_core::form::submission::{FormSubmission, Outcome};
use assent_core::form::token;
use assent_core::ids::{EventId, SubjectId};
use assent_core::keys::SigningKey;
use assent_core::log::store::{LogStore, MemoryLogStore};
use assent_core::log::LogOrigin;
use assent_core::record::StoredRecord;
use assent_core::rights::center::{self, Kind, LinkFresh, LINK_MS};
use assent_core::rights::retention::{self, Reason};
use assent_core::site::{self, EdgeContext};
use serde_json::{json, Value};

const SITE: &str = include_str!("vectors/site.json");
const FORMS: &str = include_str!("vectors/forms.json");
const TOKEN_KEY: [u8; 32] = [42; 32];
const CENTER_KEY: [u8; 32] = [43; 32];
const HOUR: u64 = 3_600_000;
const DAY: u64 = 24 * HOUR;

/// A site's stores, its key and a clock: what the edge holds.
struct Site {
    config: SiteConfig,
    key: SigningKey,
    log: MemoryLogStore,
    forms: MemoryFormStore,
    now_ms: u64,
    draws: u16,
}

impl Site {
    fn new() -> Self {
        let doc: Value = serde_json::from_str(FORMS).unwrap();
        Site {
            config: SiteConfig::from_json(SITE).unwrap(),
            key: SigningKey::from_seed([3; 32]),
            log: MemoryLogStore::default(),
            forms: MemoryFormStore::default(),
            now_ms: doc["now_ms"].as_u64().unwrap(),
            draws: 0,
        }
    }

    fn ctx(&self) -> EdgeContext {
        EdgeContext {
            now_ms: self.now_ms,
            origin: LogOrigin::parse("edge.example/vectors").unwrap(),
            issuer: "https://edge.example".into(),
        }
    }

    fn lookup(&self, email: &str) -> String {
        lookup_key(b"lookup", &self.config.site, email)
    }

    /// Submits the vectors' base submission from `email` (a double opt-in:
    /// it waits and mails a link); returns its event id.
    fn submit(&mut self, email: &str) -> EventId {
        self.draws += 1;
        let n = self.draws;
        let [hi, lo] = n.to_be_bytes();
        let bytes = |tag: u8| {
            let mut b = [tag; 32];
            (b[0], b[1]) = (hi, lo);
            b
        };
        let doc: Value = serde_json::from_str(FORMS).unwrap();
        let mut body = doc["base"].clone();
        body["event"]["notice"]["hash"] = doc["form_notice_hashes"]["en"].clone();
        body["event"]["event_id"] = Value::String(
            EventId::from_random_bytes(bytes(200)[..16].try_into().unwrap()).to_string(),
        );
        body["event"]["client_time_ms"] = self.now_ms.into();
        body["identity"]["email"] = email.into();
        let submission = FormSubmission::from_json(body.to_string().as_bytes()).unwrap();
        let ctx = Context {
            now_ms: self.now_ms,
            self_origin: None,
        };
        let checked = submission
            .check(&self.config, "newsletter", &ctx, Some("DE"))
            .unwrap();
        assert_eq!(checked.outcome, Outcome::Pending, "a double opt-in waits");
        let event = submission.event.clone();
        let lookup = self.lookup(&checked.identity.email);
        let id = event.event_id.clone();
        let ctx = self.ctx();
        // Through serde, as the Worker hands it to the log object: fields
        // that are optional there may be left out here.
        let sub: Submission = serde_json::from_value(json!({
            "event": event,
            "checked": checked,
            "lookup": lookup,
            "sec_gpc": false,
            "country": "DE",
            "regime": null,
        }))
        .unwrap();
        let fresh = Fresh {
            subject: bytes(1)[..16].try_into().unwrap(),
            salt: bytes(2),
            key: bytes(3),
            identity_nonce: bytes(4)[..24].try_into().unwrap(),
            mail_nonce: bytes(5)[..24].try_into().unwrap(),
        };
        site::Site::new(
            &mut self.log,
            &mut self.forms,
            &self.config,
            &self.key,
            &ctx,
        )
        .submit(sub, fresh, &TOKEN_KEY)
        .unwrap();
        id
    }

    fn mails(&self) -> usize {
        self.forms.mails(1000).unwrap().len()
    }

    fn subject_of(&self, id: &EventId) -> SubjectId {
        let entry = self.log.entry_by_event(id).unwrap().unwrap();
        serde_json::from_str::<StoredRecord>(&entry.record)
            .unwrap()
            .event
            .subject
    }

    /// The newest mail's link token.
    fn last_token(&self) -> String {
        let sealed = self.forms.mails(1).unwrap().remove(0);
        let contact = self.forms.contact_of(&sealed.subject).unwrap().unwrap();
        let mail = mail::open_mail(&sealed, &contact, &self.config.site).unwrap();
        mail.link.split("token=").nth(1).unwrap().to_string()
    }

    fn confirm_last(&mut self) {
        let token = self.last_token();
        let claims = token::verify(&TOKEN_KEY, &token, &self.config.site, self.now_ms).unwrap();
        let ctx = self.ctx();
        let secret = assent_core::form::secret::FormSecret::from_secret(
            "KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio",
        )
        .unwrap();
        let texting = settle::Texting {
            secret: &secret,
            nonce: [9; 24],
        };
        site::Site::new(
            &mut self.log,
            &mut self.forms,
            &self.config,
            &self.key,
            &ctx,
        )
        .confirm(&claims, texting)
        .unwrap();
    }

    /// Asks for a privacy center link for `email` at the current time.
    fn mail_link(&mut self, email: &str) -> bool {
        self.draws += 1;
        let [hi, lo] = self.draws.to_be_bytes();
        let mut id = [6u8; 16];
        (id[0], id[1]) = (hi, lo);
        let mut mail_nonce = [7u8; 24];
        (mail_nonce[0], mail_nonce[1]) = (hi, lo);
        let lookup = self.lookup(email);
        let site = self.config.site.clone();
        center::mail_link(
            &mut self.forms,
            &site,
            &CENTER_KEY,
            center::Recipient {
                lookup: &lookup,
                to: email,
                letter: center::Letter::SignIn {
                    subject: "Your privacy center",
                    text: "Open it.",
                },
            },
            "https://edge.example",
            LinkFresh {
                id: EventId::from_random_bytes(id),
                mail_nonce,
            },
            self.now_ms,
        )
        .unwrap()
    }
}

/// Kills, in the mail limit every mail passes (`intake`'s queueing),
/// `MAIL_WINDOW_MS = 24 * 3_600_000` made `24 + 3_600_000`, the window's
/// `saturating_sub` made `saturating_add`, and `>= MAX_MAILS_PER_DAY` made
/// `>`: a person gets MAX_MAILS_PER_DAY mails, no more while the first is
/// at most 24 hours old (exactly 24 hours included), and the next one a
/// millisecond after that.
#[test]
fn the_mail_window_is_24_hours_to_the_millisecond() {
    let mut site = Site::new();
    let t0 = site.now_ms;
    for i in 1..=MAX_MAILS_PER_DAY + 1 {
        site.submit("ana@example.com");
        assert_eq!(
            site.mails() as u64,
            i.min(MAX_MAILS_PER_DAY),
            "submission {i} at once"
        );
    }
    for at in [t0 + HOUR, t0 + DAY - 1, t0 + DAY] {
        site.now_ms = at;
        site.submit("ana@example.com");
        assert_eq!(
            site.mails() as u64,
            MAX_MAILS_PER_DAY,
            "no mail at +{} ms",
            at - t0
        );
    }
    // Another address is not held back meanwhile.
    site.submit("ben@example.com");
    assert_eq!(site.mails() as u64, MAX_MAILS_PER_DAY + 1);
    site.now_ms = t0 + DAY + 1;
    site.submit("ana@example.com");
    assert_eq!(
        site.mails() as u64,
        MAX_MAILS_PER_DAY + 2,
        "the first mails are more than 24 hours old"
    );
}

/// The same window when the mails are spread out: the count is of the
/// mails in the last 24 hours, not of a calendar day.
#[test]
fn the_mail_window_slides() {
    let mut site = Site::new();
    let t0 = site.now_ms;
    for i in 0..MAX_MAILS_PER_DAY {
        site.now_ms = t0 + i * HOUR;
        site.submit("ana@example.com");
    }
    assert_eq!(site.mails() as u64, MAX_MAILS_PER_DAY);
    // The first mail leaves the window at t0 + DAY + 1, the second an hour later.
    site.now_ms = t0 + DAY;
    site.submit("ana@example.com");
    assert_eq!(site.mails() as u64, MAX_MAILS_PER_DAY);
    site.now_ms = t0 + DAY + 1;
    site.submit("ana@example.com");
    assert_eq!(site.mails() as u64, MAX_MAILS_PER_DAY + 1);
    site.now_ms = t0 + DAY + HOUR;
    site.submit("ana@example.com");
    assert_eq!(
        site.mails() as u64,
        MAX_MAILS_PER_DAY + 1,
        "three in the last 24 hours"
    );
}

/// The same limit for `center::mail_link`: a privacy center link is one
/// more mail to the person, within the same limit and window (kills the
/// link path skipping the limit, or counting in another window).
#[test]
fn privacy_center_links_count_in_the_mail_window() {
    let mut site = Site::new();
    let t0 = site.now_ms;
    site.submit("ana@example.com");
    let mut sent = 1;
    while sent < MAX_MAILS_PER_DAY {
        assert!(site.mail_link("ana@example.com"));
        sent += 1;
    }
    assert_eq!(site.mails() as u64, MAX_MAILS_PER_DAY);
    for at in [t0, t0 + DAY - 1, t0 + DAY] {
        site.now_ms = at;
        assert!(!site.mail_link("ana@example.com"), "at +{} ms", at - t0);
    }
    assert_eq!(site.mails() as u64, MAX_MAILS_PER_DAY);
    site.now_ms = t0 + DAY + 1;
    assert!(site.mail_link("ana@example.com"));
    assert_eq!(site.mails() as u64, MAX_MAILS_PER_DAY + 1);
    // An address the site does not know gets nothing, and the answer says so
    // only to the caller.
    assert!(!site.mail_link("nobody@example.com"));
}

/// Kills `now_ms + LINK_MS` made `now_ms - LINK_MS` or `now_ms * LINK_MS`
/// (and a changed [`LINK_MS`]): the mailed link opens the center for one
/// hour to the millisecond, and only as a link.
#[test]
fn a_mailed_link_holds_one_hour() {
    let mut site = Site::new();
    site.submit("ana@example.com");
    let t = site.now_ms + HOUR;
    site.now_ms = t;
    assert!(site.mail_link("ana@example.com"));
    let token = site.last_token();
    let s = &site.config.site;
    let claims = center::verify(&CENTER_KEY, &token, s, Kind::Link, t).unwrap();
    assert_eq!(claims.expires_ms, t + LINK_MS);
    assert_eq!(LINK_MS, HOUR);
    assert!(center::verify(&CENTER_KEY, &token, s, Kind::Link, t + HOUR - 1).is_ok());
    for late in [t + HOUR, t + HOUR + 1] {
        assert_eq!(
            center::verify(&CENTER_KEY, &token, s, Kind::Link, late)
                .unwrap_err()
                .code(),
            "token_expired"
        );
    }
    assert_eq!(
        center::verify(&CENTER_KEY, &token, s, Kind::Session, t)
            .unwrap_err()
            .code(),
        "token_scope"
    );
    let ana = site.forms.contact(&site.lookup("ana@example.com")).unwrap();
    assert_eq!(Some(claims.subject), ana.map(|c| c.subject));
}

/// Kills `>` made `>=` in retention's `older` (and the day's
/// `86_400_000` changed): a contact is due one millisecond after the
/// configured number of days, not at it.
#[test]
fn retention_is_due_one_millisecond_after_its_days() {
    let mut site = Site::new();
    site.config.rights.retention = Some(RetentionConfig {
        inactive_days: Some(365),
        unconfirmed_days: Some(30),
    });
    let t0 = site.now_ms;
    let waiting = site.submit("ana@example.com");
    let kept = site.submit("ben@example.com");
    site.confirm_last();
    let (a, b) = (site.subject_of(&waiting), site.subject_of(&kept));
    let due = |site: &Site, at: u64| {
        let mut d: Vec<(SubjectId, Reason)> =
            retention::due(&site.log, &site.forms, &site.config, at, 100)
                .unwrap()
                .into_iter()
                .map(|d| (d.subject, d.reason))
                .collect();
        d.sort();
        d
    };
    assert_eq!(due(&site, t0 + 30 * DAY - 1), []);
    assert_eq!(due(&site, t0 + 30 * DAY), [], "exactly 30 days: not yet");
    assert_eq!(
        due(&site, t0 + 30 * DAY + 1),
        [(a.clone(), Reason::Unconfirmed)]
    );
    assert_eq!(
        due(&site, t0 + 365 * DAY),
        [(a.clone(), Reason::Unconfirmed)],
        "exactly 365 days: the confirmed contact is kept"
    );
    let mut late = vec![(a.clone(), Reason::Inactive), (b.clone(), Reason::Inactive)];
    late.sort();
    assert_eq!(due(&site, t0 + 365 * DAY + 1), late);
    // The last activity is what counts: a new record starts the days again.
    site.now_ms = t0 + 20 * DAY;
    site.submit("ana@example.com");
    assert_eq!(due(&site, t0 + 50 * DAY), []);
    assert_eq!(
        due(&site, t0 + 50 * DAY + 1),
        [(a.clone(), Reason::Unconfirmed)]
    );
    // The limit stops the listing.
    let one = retention::due(&site.log, &site.forms, &site.config, t0 + 400 * DAY, 1).unwrap();
    assert_eq!(one.len(), 1);
    // No rules, nothing due.
    site.config.rights.retention = None;
    assert_eq!(due(&site, t0 + 4000 * DAY), []);
}

/// Kills, in retention's paging, the guard `page.len() == PAGE` made
/// `false` or `==` made `!=`: with more contacts than one page (500) holds,
/// every due contact is listed, the 501st too. (The guard made `true` only
/// reads one more, empty, page: equivalent.)
#[test]
fn retention_reads_past_a_full_page() {
    let mut site = Site::new();
    site.config.rights.retention = Some(RetentionConfig {
        inactive_days: None,
        unconfirmed_days: Some(30),
    });
    let t0 = site.now_ms;
    for i in 0..501 {
        site.submit(&format!("p{i}@example.com"));
    }
    let due = |limit: u64| {
        retention::due(&site.log, &site.forms, &site.config, t0 + 31 * DAY, limit)
            .unwrap()
            .len()
    };
    assert_eq!(due(1000), 501);
    assert_eq!(due(501), 501);
    assert_eq!(due(500), 500);
    assert_eq!(due(7), 7);
}

/// A UUIDv7 subject drawn up to the future skew ahead of the edge's clock
/// is taken; one millisecond more is `client_time_skew` (its time places it
/// in a shard: `assent_core::shards`).
#[test]
fn a_subject_drawn_ahead_is_taken_up_to_the_skew_to_the_millisecond() {
    use assent_core::event::{ConsentEvent, MAX_FUTURE_SKEW_MS};
    let config = assent_core::log::conformance::config();
    let now = 1_800_000_000_000;
    let validate = |drawn: u64| {
        let subject = SubjectId::drawn(drawn, [5; 16]);
        let mut e: ConsentEvent =
            assent_core::log::conformance::event_of(&config, 1, &subject, "give", true, now);
        e.client_time_ms = now;
        e.validate(
            &config,
            &Context {
                now_ms: now,
                self_origin: None,
            },
        )
    };
    validate(now + MAX_FUTURE_SKEW_MS).unwrap();
    validate(now - 400 * 86_400_000).unwrap();
    let err = validate(now + MAX_FUTURE_SKEW_MS + 1).unwrap_err();
    assert_eq!(err.code(), "client_time_skew");
}
