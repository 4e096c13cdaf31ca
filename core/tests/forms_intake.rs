//! The form intake against in-memory stores: submit, confirm, expire, the
//! vault and the mailbox, and the state each leaves. Native only (the edge's
//! code path; the vectors in forms.rs run in Chromium too).
#![cfg(not(target_arch = "wasm32"))]

use assent_core::config::SiteConfig;
use assent_core::event::{Context, Control};
use assent_core::form::identity::lookup_key;
use assent_core::form::intake::{self, EdgeContext, FormStore, Fresh, MemoryFormStore, Submission};
use assent_core::form::state::{fold, OfferState};
use assent_core::form::submission::FormSubmission;
use assent_core::form::token::{self, Claims};
use assent_core::ids::{EventId, SubjectId};
use assent_core::keys::SigningKey;
use assent_core::log::sequencer::AppendStatus;
use assent_core::log::store::{LogStore, MemoryLogStore};
use assent_core::log::LogOrigin;
use assent_core::record::StoredRecord;
use serde_json::Value;

const SITE: &str = include_str!("vectors/site.json");
const FORMS: &str = include_str!("vectors/forms.json");
const TOKEN_KEY: [u8; 32] = [42; 32];
const HOUR: u64 = 3_600_000;

struct Desk {
    config: SiteConfig,
    key: SigningKey,
    log: MemoryLogStore,
    forms: MemoryFormStore,
    now_ms: u64,
    draws: u8,
}

impl Desk {
    fn new() -> Self {
        let doc: Value = serde_json::from_str(FORMS).unwrap();
        Desk {
            config: SiteConfig::from_json(SITE).unwrap(),
            key: SigningKey::from_seed([3; 32]),
            log: MemoryLogStore::default(),
            forms: MemoryFormStore::default(),
            now_ms: doc["now_ms"].as_u64().unwrap(),
            draws: 0,
        }
    }

    fn fresh(&mut self) -> Fresh {
        self.draws += 1;
        let n = self.draws;
        Fresh {
            subject: [n; 16],
            salt: [n; 32],
            key: [n.wrapping_add(100); 32],
            identity_nonce: [n; 24],
            mail_nonce: [n.wrapping_add(50); 24],
        }
    }

    fn ctx(&self) -> EdgeContext {
        EdgeContext {
            now_ms: self.now_ms,
            origin: LogOrigin::parse("edge.example/vectors").unwrap(),
            issuer: "https://edge.example".into(),
        }
    }

    /// Submits the vectors' base submission with `edit` applied.
    fn submit(
        &mut self,
        edit: impl Fn(&mut Value),
    ) -> (EventId, assent_core::log::sequencer::Appended) {
        let doc: Value = serde_json::from_str(FORMS).unwrap();
        let mut body = doc["base"].clone();
        body["event"]["notice"]["hash"] = doc["form_notice_hashes"]["en"].clone();
        body["event"]["event_id"] = Value::String(
            EventId::from_random_bytes([self.draws.wrapping_add(200); 16]).to_string(),
        );
        edit(&mut body);
        let submission = FormSubmission::from_json(body.to_string().as_bytes()).unwrap();
        let ctx = Context {
            now_ms: self.now_ms,
            self_origin: None,
        };
        let checked = submission
            .check(&self.config, "newsletter", &ctx, Some("DE"))
            .unwrap();
        let event = submission.event.clone();
        let claims = Claims {
            site: self.config.site.clone(),
            form: event.form.as_ref().unwrap().id.clone(),
            pending: event.event_id.clone(),
            parent: checked.outcome
                == assent_core::form::submission::Outcome::ParentalConsentRequired,
            expires_ms: self.now_ms + 72 * HOUR,
        };
        let mail = intake::Mail {
            to: String::new(),
            subject: "Confirm".into(),
            text: "Open the link.".into(),
            link: format!(
                "https://edge.example/v1/sites/vectors/confirm?token={}",
                token::issue(&TOKEN_KEY, &claims)
            ),
        };
        let lookup = lookup_key(b"lookup", &self.config.site, &checked.identity.email);
        let id = event.event_id.clone();
        let fresh = self.fresh();
        let sub = Submission {
            event,
            checked,
            lookup,
            received_at_ms: self.now_ms,
            sec_gpc: false,
            country: Some("DE".into()),
            origin: self.ctx().origin,
            issuer: self.ctx().issuer,
            mail: Some(mail),
        };
        let appended = intake::submit(
            &mut self.log,
            &mut self.forms,
            &self.config,
            &self.key,
            sub,
            fresh,
        )
        .unwrap();
        (id, appended)
    }

    fn records_of(&self, subject: &SubjectId) -> Vec<StoredRecord> {
        self.log
            .of_subject(subject, 100)
            .unwrap()
            .iter()
            .map(|l| serde_json::from_str(&l.record).unwrap())
            .collect()
    }

    fn subject_of(&self, id: &EventId) -> SubjectId {
        let entry = self.log.entry_by_event(id).unwrap().unwrap();
        serde_json::from_str::<StoredRecord>(&entry.record)
            .unwrap()
            .event
            .subject
    }

    fn token_of_last_mail(&self) -> (String, intake::Mail) {
        let sealed = self.forms.mails(1).unwrap().remove(0);
        let contact = self.forms.contact_of(&sealed.subject).unwrap().unwrap();
        let mail = intake::open_mail(&sealed, &contact, &self.config.site).unwrap();
        (mail.link.split("token=").nth(1).unwrap().to_string(), mail)
    }

    fn confirm(&mut self, token: &str) -> Result<intake::Confirmed, assent_core::Error> {
        let claims = token::verify(&TOKEN_KEY, token, &self.config.site, self.now_ms)?;
        let ctx = self.ctx();
        intake::confirm(
            &mut self.log,
            &mut self.forms,
            &self.config,
            &self.key,
            &claims,
            &ctx,
        )
    }
}

#[test]
fn a_submission_waits_then_its_link_grants_the_ticked_offer_only() {
    let mut desk = Desk::new();
    let (id, appended) = desk.submit(|_| {});
    assert_eq!(appended.status, AppendStatus::New);
    let subject = desk.subject_of(&id);
    let state = fold(&desk.records_of(&subject));
    assert_eq!(state["email:news"].state, OfferState::Pending);

    let (token, mail) = desk.token_of_last_mail();
    assert_eq!(mail.to, "ana@example.com", "the normalised address");
    desk.now_ms += HOUR;
    let confirmed = desk.confirm(&token).unwrap();
    assert_eq!(confirmed.appended.status, AppendStatus::New);
    let records = desk.records_of(&subject);
    let state = fold(&records);
    assert_eq!(state["email:news"].state, OfferState::Granted);
    assert_eq!(state["sms:offers"].state, OfferState::Refused);
    let confirmation = records.last().unwrap();
    assert_eq!(confirmation.event.answers.as_ref(), Some(&id));
    assert_eq!(
        confirmation.prev_event_id.as_ref(),
        Some(&id),
        "linked to the submission in the chain"
    );
    assert_eq!(
        confirmation.form.as_ref().unwrap().identity,
        records[0].form.as_ref().unwrap().identity
    );

    // A second click: the same answer, nothing new.
    let size = desk.log.size().unwrap();
    let again = desk.confirm(&token).unwrap();
    assert_eq!(again.appended.status, AppendStatus::Repeat);
    assert_eq!(again.appended.answer, confirmed.appended.answer);
    assert_eq!(desk.log.size().unwrap(), size);
}

#[test]
fn the_same_email_again_is_the_same_subject_and_no_plaintext_is_stored() {
    let mut desk = Desk::new();
    let (first, _) = desk.submit(|_| {});
    let (second, _) = desk.submit(|b| b["identity"]["email"] = " ANA@example.com ".into());
    let (other, _) = desk.submit(|b| b["identity"]["email"] = "ben@example.com".into());
    assert_eq!(desk.subject_of(&first), desk.subject_of(&second));
    assert_ne!(desk.subject_of(&first), desk.subject_of(&other));
    let mut everything: Vec<Vec<u8>> = desk.forms.raw_bytes();
    everything.extend(
        desk.log
            .oldest_from(0, 100)
            .unwrap()
            .into_iter()
            .map(|l| l.record.into_bytes()),
    );
    for needle in [
        &b"ana@example.com"[..],
        b"ben@example.com",
        b"Ana@Example.com",
    ] {
        assert!(
            !everything
                .iter()
                .any(|hay| hay.windows(needle.len()).any(|w| w == needle)),
            "plaintext stored"
        );
    }
}

#[test]
fn an_unconfirmed_submission_expires_and_its_link_then_fails() {
    let mut desk = Desk::new();
    let (id, _) = desk.submit(|_| {});
    let (token, _) = desk.token_of_last_mail();
    let subject = desk.subject_of(&id);
    desk.now_ms += 71 * HOUR;
    let (ctx, config, key) = (desk.ctx(), desk.config.clone(), desk.key.clone());
    assert_eq!(
        intake::expire_due(&mut desk.log, &mut desk.forms, &config, &key, &ctx, 10).unwrap(),
        0
    );
    desk.now_ms += 2 * HOUR;
    let ctx = desk.ctx();
    assert_eq!(
        intake::expire_due(&mut desk.log, &mut desk.forms, &config, &key, &ctx, 10).unwrap(),
        1
    );
    assert_eq!(
        intake::expire_due(&mut desk.log, &mut desk.forms, &config, &key, &ctx, 10).unwrap(),
        0,
        "expired once"
    );
    assert_eq!(
        fold(&desk.records_of(&subject))["email:news"].state,
        OfferState::Expired
    );
    assert_eq!(desk.confirm(&token).unwrap_err().code(), "token_expired");
    assert_eq!(desk.forms.next_due().unwrap(), None);
}

#[test]
fn a_confirmation_inside_the_window_beats_a_later_expiry() {
    let mut desk = Desk::new();
    let (id, _) = desk.submit(|_| {});
    let (token, _) = desk.token_of_last_mail();
    desk.confirm(&token).unwrap();
    desk.now_ms += 100 * HOUR;
    let (ctx, config, key) = (desk.ctx(), desk.config.clone(), desk.key.clone());
    assert_eq!(
        intake::expire_due(&mut desk.log, &mut desk.forms, &config, &key, &ctx, 10).unwrap(),
        0
    );
    let subject = desk.subject_of(&id);
    assert_eq!(
        fold(&desk.records_of(&subject))["email:news"].state,
        OfferState::Granted
    );
}

#[test]
fn under_age_the_mail_goes_to_the_parent_and_only_their_link_grants() {
    let mut desk = Desk::new();
    let (id, _) = desk.submit(|b| {
        b["age"] = 2012.into();
        b["identity"]["parent_email"] = "Parent@Example.com".into();
    });
    let subject = desk.subject_of(&id);
    assert_eq!(
        fold(&desk.records_of(&subject))["email:news"].state,
        OfferState::ParentalConsentRequired
    );
    let (token, mail) = desk.token_of_last_mail();
    assert_eq!(mail.to, "parent@example.com");
    desk.confirm(&token).unwrap();
    let records = desk.records_of(&subject);
    assert_eq!(
        records.last().unwrap().event.ui.control,
        Control::ParentConfirm
    );
    assert_eq!(fold(&records)["email:news"].state, OfferState::Granted);
}

#[test]
fn a_token_for_a_submission_that_never_waited_is_refused() {
    let mut desk = Desk::new();
    let claims = Claims {
        site: desk.config.site.clone(),
        form: assent_core::ids::FormId::new("newsletter").unwrap(),
        pending: EventId::from_random_bytes([77; 16]),
        parent: false,
        expires_ms: desk.now_ms + HOUR,
    };
    let token = token::issue(&TOKEN_KEY, &claims);
    assert_eq!(desk.confirm(&token).unwrap_err().code(), "token_invalid");
    // A person's link presented as a parent's is not theirs either.
    let (_, _) = desk.submit(|_| {});
    let (token, _) = desk.token_of_last_mail();
    let mut claims = token::verify(&TOKEN_KEY, &token, &desk.config.site, desk.now_ms).unwrap();
    claims.parent = true;
    let forged = token::issue(&TOKEN_KEY, &claims);
    assert_eq!(desk.confirm(&forged).unwrap_err().code(), "token_invalid");
}

#[test]
fn a_repeated_submission_stores_nothing_new_and_sends_no_second_mail() {
    let mut desk = Desk::new();
    let fixed = EventId::from_random_bytes([9; 16]).to_string();
    let f = fixed.clone();
    let (_, first) = desk.submit(move |b| b["event"]["event_id"] = f.clone().into());
    let f = fixed.clone();
    let (_, again) = desk.submit(move |b| b["event"]["event_id"] = f.clone().into());
    assert_eq!(again.status, AppendStatus::Repeat);
    assert_eq!(again.answer, first.answer);
    assert_eq!(desk.forms.mails(10).unwrap().len(), 1);
}
