//! The form intake's conformance suite: the rules of [`intake`](super::intake)
//! checked against a [`LogStore`] and a [`FormStore`], so the in-memory stores
//! (core's tests) and the edge's SQLite stores (its native tests, on
//! `rusqlite`) pass the same tests. Enabled by the `test-support` feature.
//! Each function panics with a message when a store breaks a rule.

use serde_json::Value;

use crate::config::SiteConfig;
use crate::event::{Context, Control};
use crate::form::identity::lookup_key;
use crate::form::intake::{self, Fresh, Submission};
use crate::form::state::{fold, OfferState};
use crate::form::store::FormStore;
use crate::form::submission::FormSubmission;
use crate::form::token::{self, Claims};
use crate::form::webhook::Delivery;
use crate::form::{mail, settle, state, store};
use crate::ids::{EventId, SubjectId};
use crate::keys::SigningKey;
use crate::log::conformance::FaultInjected;
use crate::log::sequencer::{AppendStatus, Appended};
use crate::log::store::LogStore;
use crate::log::LogOrigin;
use crate::record::StoredRecord;
use crate::rights::bin::{self, BinStore, Binned};
use crate::site::{EdgeContext, Site};

const SITE: &str = include_str!("../../tests/vectors/site.json");
const FORMS: &str = include_str!("../../tests/vectors/forms.json");
const TOKEN_KEY: [u8; 32] = [42; 32];
/// Where the deliveries' unsubscribe links point, signed with the token key.
const LINKS: intake::Links<'static> = intake::Links {
    issuer: "https://edge.example",
    key: &TOKEN_KEY,
};

/// The form secret the phone codes and the numbers' lookup keys come from.
fn form_secret() -> crate::form::secret::FormSecret {
    crate::form::secret::FormSecret::from_secret("KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio")
        .expect("32 bytes")
}
const HOUR: u64 = 3_600_000;

/// A site's log and form stores with the vectors' site, a key and a clock.
pub struct Desk<L, F> {
    config: SiteConfig,
    key: SigningKey,
    /// The log store under test.
    pub log: L,
    /// The form store under test.
    pub forms: F,
    now_ms: u64,
    draws: u8,
    sms_nonces: u8,
}

impl<L: LogStore, F: FormStore> Desk<L, F> {
    /// A desk on these (empty) stores.
    pub fn new(log: L, forms: F) -> Self {
        let doc: Value = serde_json::from_str(FORMS).expect("forms.json");
        Desk {
            config: SiteConfig::from_json(SITE).expect("site.json"),
            key: SigningKey::from_seed([3; 32]),
            log,
            forms,
            now_ms: doc["now_ms"].as_u64().expect("now_ms"),
            draws: 0,
            sms_nonces: 0,
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
    pub fn submit(&mut self, edit: impl Fn(&mut Value)) -> (EventId, Appended) {
        let (id, appended) = self.try_submit(edit);
        (id, appended.unwrap())
    }

    /// [`Desk::submit`], its store's answer as it came.
    pub fn try_submit(
        &mut self,
        edit: impl Fn(&mut Value),
    ) -> (EventId, Result<Appended, crate::Error>) {
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
        let checked = match submission.check(&self.config, "newsletter", &ctx, Some("DE")) {
            Ok(checked) => checked,
            Err(e) => return (submission.event.event_id.clone(), Err(e)),
        };
        let event = submission.event.clone();
        let lookup = lookup_key(b"lookup", &self.config.site, &checked.identity.email);
        let parent_lookup = checked
            .identity
            .parent_email
            .as_ref()
            .map(|p| lookup_key(b"lookup", &self.config.site, p));
        let id = event.event_id.clone();
        let fresh = self.fresh();
        let sub = Submission {
            event,
            checked,
            lookup,
            parent_lookup,
            sec_gpc: false,
            country: Some("DE".into()),
            regime: None,
        };
        let ctx = self.ctx();
        let appended = Site::new(
            &mut self.log,
            &mut self.forms,
            &self.config,
            &self.key,
            &ctx,
        )
        .submit(sub, fresh, &TOKEN_KEY);
        (id, appended)
    }

    /// The subject's records, oldest first.
    pub fn records_of(&self, subject: &SubjectId) -> Vec<StoredRecord> {
        self.log
            .of_subject(subject, 100)
            .unwrap()
            .iter()
            .map(|l| serde_json::from_str(&l.record).unwrap())
            .collect()
    }

    /// The subject an event was logged under.
    pub fn subject_of(&self, id: &EventId) -> SubjectId {
        let entry = self.log.entry_by_event(id).unwrap().unwrap();
        serde_json::from_str::<StoredRecord>(&entry.record)
            .unwrap()
            .event
            .subject
    }

    /// The newest mail with a link (an SMS has none), opened, and its link's token.
    pub fn token_of_last_mail(&self) -> (String, mail::Mail) {
        let mail = self
            .opened_mails()
            .into_iter()
            .find(|m| !m.link.is_empty())
            .expect("a mail with a link");
        (mail.link.split("token=").nth(1).unwrap().to_string(), mail)
    }

    /// The links' tokens of every mail (not the SMS), newest first.
    pub fn tokens(&self) -> Vec<String> {
        self.opened_mails()
            .iter()
            .filter_map(|m| m.link.split("token=").nth(1).map(str::to_owned))
            .collect()
    }

    /// Verifies a token and confirms.
    pub fn confirm(&mut self, token: &str) -> Result<settle::Confirmed, crate::Error> {
        let claims = token::verify(&TOKEN_KEY, token, &self.config.site, self.now_ms)?;
        let ctx = self.ctx();
        self.sms_nonces += 1;
        let secret = form_secret();
        Site::new(
            &mut self.log,
            &mut self.forms,
            &self.config,
            &self.key,
            &ctx,
        )
        .confirm(
            &claims,
            settle::Texting {
                secret: &secret,
                nonce: [self.sms_nonces; 24],
            },
        )
    }

    /// Verifies a token and checks the phone code `typed` for its submission.
    pub fn verify_phone(
        &mut self,
        token: &str,
        typed: &str,
    ) -> Result<settle::Confirmed, crate::Error> {
        let claims = token::verify(&TOKEN_KEY, token, &self.config.site, self.now_ms)?;
        let ctx = self.ctx();
        Site::new(
            &mut self.log,
            &mut self.forms,
            &self.config,
            &self.key,
            &ctx,
        )
        .verify_phone(form_secret().phone(), &claims, typed)
    }

    /// Every SMS queued, opened, newest first.
    pub fn texts(&self) -> Vec<mail::Mail> {
        self.opened_mails()
            .into_iter()
            .filter(|m| m.link.is_empty())
            .collect()
    }

    fn opened_mails(&self) -> Vec<mail::Mail> {
        self.forms
            .mails(100)
            .unwrap()
            .iter()
            .map(|sealed| {
                let contact = self.forms.contact_of(&sealed.subject).unwrap().unwrap();
                mail::open_mail(sealed, &contact, &self.config.site).unwrap()
            })
            .collect()
    }
}

/// a submission waits then its link grants the ticked offer only.
pub fn a_submission_waits_then_its_link_grants_the_ticked_offer_only<L: LogStore, F: FormStore>(
    log: L,
    forms: F,
) {
    let mut desk = Desk::new(log, forms);
    let (id, appended) = desk.submit(|_| {});
    assert_eq!(appended.status, AppendStatus::New);
    let subject = desk.subject_of(&id);
    let state = fold(&desk.records_of(&subject));
    assert_eq!(state["email:news"].state, OfferState::Pending);

    let (token, mail) = desk.token_of_last_mail();
    assert_eq!(mail.to, "ana@example.com", "the normalised address");
    // The form's own texts, and a link to this edge's confirm page whose
    // token expires when the pending entry does: one rule made both.
    assert_eq!(mail.subject, "Confirm your subscription");
    // Then what was chosen, by the form's label; after the link, the page
    // the form was on and where to manage choices.
    assert_eq!(
        mail.text,
        "Open the link below to confirm what you chose.\n\nWhat you chose:\n- Email me the newsletter"
    );
    let footer = mail.footer.as_deref().unwrap();
    assert!(footer.starts_with("You signed up on https://"), "{footer}");
    assert!(
        footer.ends_with("at any time: https://edge.example/v1/sites/vectors/privacy"),
        "{footer}"
    );
    assert!(mail
        .link
        .starts_with("https://edge.example/v1/sites/vectors/confirm?token="));
    let claims = token::verify(&TOKEN_KEY, &token, &desk.config.site, desk.now_ms).unwrap();
    let pending = desk.forms.pending(&id).unwrap().unwrap();
    assert_eq!(claims.expires_ms, desk.now_ms + 72 * HOUR);
    assert_eq!(pending.expires_ms, claims.expires_ms);
    assert!(!claims.parent);
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

/// The same email (normalised) is the same contact and subject; no address enters the log.
pub fn the_same_email_again_is_the_same_subject<L: LogStore, F: FormStore>(log: L, forms: F) {
    let mut desk = Desk::new(log, forms);
    let (first, _) = desk.submit(|_| {});
    let (second, _) = desk.submit(|b| b["identity"]["email"] = " ANA@example.com ".into());
    let (other, _) = desk.submit(|b| b["identity"]["email"] = "ben@example.com".into());
    assert_eq!(desk.subject_of(&first), desk.subject_of(&second));
    assert_ne!(desk.subject_of(&first), desk.subject_of(&other));
    let records: Vec<String> = desk
        .log
        .oldest_from(0, 100)
        .unwrap()
        .into_iter()
        .map(|l| l.record)
        .collect();
    assert!(
        !records.iter().any(|r| r.contains("example.com")),
        "an address in the log"
    );
}

/// an unconfirmed submission expires and its link then fails.
pub fn an_unconfirmed_submission_expires_and_its_link_then_fails<L: LogStore, F: FormStore>(
    log: L,
    forms: F,
) {
    let mut desk = Desk::new(log, forms);
    let (id, _) = desk.submit(|_| {});
    let (token, _) = desk.token_of_last_mail();
    let subject = desk.subject_of(&id);
    desk.now_ms += 71 * HOUR;
    let (ctx, config, key) = (desk.ctx(), desk.config.clone(), desk.key.clone());
    assert_eq!(
        Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
            .expire_due(10)
            .unwrap(),
        0
    );
    desk.now_ms += 2 * HOUR;
    let ctx = desk.ctx();
    assert_eq!(
        Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
            .expire_due(10)
            .unwrap(),
        1
    );
    assert_eq!(
        Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
            .expire_due(10)
            .unwrap(),
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

/// a confirmation inside the window beats a later expiry.
pub fn a_confirmation_inside_the_window_beats_a_later_expiry<L: LogStore, F: FormStore>(
    log: L,
    forms: F,
) {
    let mut desk = Desk::new(log, forms);
    let (id, _) = desk.submit(|_| {});
    let (token, _) = desk.token_of_last_mail();
    desk.confirm(&token).unwrap();
    desk.now_ms += 100 * HOUR;
    let (ctx, config, key) = (desk.ctx(), desk.config.clone(), desk.key.clone());
    assert_eq!(
        Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
            .expire_due(10)
            .unwrap(),
        0
    );
    let subject = desk.subject_of(&id);
    assert_eq!(
        fold(&desk.records_of(&subject))["email:news"].state,
        OfferState::Granted
    );
}

/// under age the mail goes to the parent and only their link grants.
pub fn under_age_the_mail_goes_to_the_parent_and_only_their_link_grants<
    L: LogStore,
    F: FormStore,
>(
    log: L,
    forms: F,
) {
    let mut desk = Desk::new(log, forms);
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

/// a token for a submission that never waited is refused.
pub fn a_token_for_a_submission_that_never_waited_is_refused<L: LogStore, F: FormStore>(
    log: L,
    forms: F,
) {
    let mut desk = Desk::new(log, forms);
    let claims = Claims {
        site: desk.config.site.clone(),
        form: crate::ids::FormId::new("newsletter").unwrap(),
        pending: EventId::from_random_bytes([77; 16]),
        parent: false,
        language: "en".into(),
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

/// a repeated submission stores nothing new and sends no second mail.
pub fn a_repeated_submission_stores_nothing_new_and_sends_no_second_mail<
    L: LogStore,
    F: FormStore,
>(
    log: L,
    forms: F,
) {
    let mut desk = Desk::new(log, forms);
    let fixed = EventId::from_random_bytes([9; 16]).to_string();
    let f = fixed.clone();
    let (_, first) = desk.submit(move |b| b["event"]["event_id"] = f.clone().into());
    let f = fixed.clone();
    let (_, again) = desk.submit(move |b| b["event"]["event_id"] = f.clone().into());
    assert_eq!(again.status, AppendStatus::Repeat);
    assert_eq!(again.answer, first.answer);
    assert_eq!(desk.forms.mails(10).unwrap().len(), 1);
}

/// A confirmation queues one delivery per webhook; its body carries the
/// contact, the offers after it and the receipt; a failed try backs off, a
/// 2xx closes it; a pending submission queues nothing.
pub fn a_confirmation_queues_a_delivery_that_backs_off_until_delivered<
    L: LogStore,
    F: FormStore,
>(
    log: L,
    forms: F,
) {
    use crate::form::webhook::DeliveryState;
    let mut desk = Desk::new(log, forms);
    desk.submit(|_| {});
    // A pending submission is not an opt-in yet: only its mail is queued.
    let queued = desk.forms.deliveries(10).unwrap();
    let hooks: Vec<&str> = queued.iter().map(|d| d.webhook.as_str()).collect();
    assert_eq!(hooks, ["mail"]);
    let mail = mail::mail_for(&desk.forms, &desk.config.site, &queued[0])
        .unwrap()
        .unwrap();
    assert_eq!(mail.to, "ana@example.com");
    let mut sent = queued[0].clone();
    sent.tried(desk.now_ms, Some(202), None);
    desk.forms.update_delivery(&sent).unwrap();
    let (token, _) = desk.token_of_last_mail();
    desk.confirm(&token).unwrap();
    let due = desk.forms.due_deliveries(desk.now_ms, 10).unwrap();
    assert_eq!(due.len(), 1, "one webhook in the vectors' site");
    let mut d = due[0].clone();
    assert_eq!(d.webhook, "crm");
    assert_eq!(d.kind, "opt_in.confirmed");
    let body: Value = serde_json::from_str(
        &intake::delivery_body(&desk.log, &desk.forms, &desk.config.site, &d, LINKS).unwrap(),
    )
    .unwrap();
    assert_eq!(body["contact"]["email"], "ana@example.com");
    assert_eq!(body["offers"]["email:news"]["state"], "granted");
    assert!(body["receipt"]
        .as_str()
        .is_some_and(|r| r.split('.').count() == 3));
    d.tried(desk.now_ms, Some(500), None);
    desk.forms.update_delivery(&d).unwrap();
    assert_eq!(
        desk.forms.due_deliveries(desk.now_ms, 10).unwrap().len(),
        0,
        "backs off"
    );
    assert_eq!(
        desk.forms.next_delivery().unwrap(),
        Some(desk.now_ms + 1_000)
    );
    let mut d = desk
        .forms
        .due_deliveries(desk.now_ms + 1_000, 10)
        .unwrap()
        .remove(0);
    assert_eq!(d.attempts, 1);
    d.tried(desk.now_ms + 1_000, Some(204), None);
    desk.forms.update_delivery(&d).unwrap();
    assert_eq!(desk.forms.next_delivery().unwrap(), None);
    assert!(desk
        .forms
        .deliveries(10)
        .unwrap()
        .iter()
        .all(|d| d.state == DeliveryState::Delivered));
}

/// A withdrawal withdraws what was granted or waits, only what it names,
/// queues `opt_in.withdrawn`, and a second one has nothing to withdraw.
pub fn a_withdrawal_withdraws_what_was_granted_and_tells_the_crm<L: LogStore, F: FormStore>(
    log: L,
    forms: F,
) {
    let mut desk = Desk::new(log, forms);
    let (id, _) = desk.submit(|b| {
        b["event"]["form"]["offers"]["post:catalogue"] = true.into();
    });
    let (token, _) = desk.token_of_last_mail();
    desk.confirm(&token).unwrap();
    let subject = desk.subject_of(&id);
    let ctx = desk.ctx();
    let (config, key) = (desk.config.clone(), desk.key.clone());
    let only = ["email:news".to_string()];
    let w = Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
        .withdraw_offers(&subject, Some(&only), EventId::from_random_bytes([90; 16]))
        .unwrap();
    assert_eq!(w.status, AppendStatus::New);
    let state = fold(&desk.records_of(&subject));
    assert_eq!(state["email:news"].state, OfferState::Withdrawn);
    assert_eq!(
        state["post:catalogue"].state,
        OfferState::Granted,
        "not named: kept"
    );
    assert_eq!(state["sms:offers"].state, OfferState::Refused);
    let newest = desk.forms.deliveries(1).unwrap().remove(0);
    assert_eq!(newest.kind, "opt_in.withdrawn");
    let body: Value = serde_json::from_str(
        &intake::delivery_body(&desk.log, &desk.forms, &desk.config.site, &newest, LINKS).unwrap(),
    )
    .unwrap();
    assert_eq!(
        body["contact"]["email"], "ana@example.com",
        "the CRM learns whose"
    );
    let again = Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx).withdraw_offers(
        &subject,
        Some(&only),
        EventId::from_random_bytes([91; 16]),
    );
    assert_eq!(again.unwrap_err().code(), "nothing_to_withdraw");
    Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
        .withdraw_offers(&subject, None, EventId::from_random_bytes([92; 16]))
        .unwrap();
    assert_eq!(
        fold(&desk.records_of(&subject))["post:catalogue"].state,
        OfferState::Withdrawn,
        "all"
    );
}

/// At most three confirmation mails go to one person in 24 hours: a fourth
/// submission is recorded and waits, but mails nobody; a day later mail
/// flows again.
pub fn nobody_s_inbox_can_be_flooded_through_the_form<L: LogStore, F: FormStore>(log: L, forms: F) {
    let mut desk = Desk::new(log, forms);
    for _ in 0..4 {
        let (_, appended) = desk.submit(|_| {});
        assert_eq!(
            appended.status,
            AppendStatus::New,
            "every submission is recorded"
        );
    }
    assert_eq!(desk.tokens().len(), 3, "three mails in a day, no fourth");
    let other = desk.submit(|b| b["identity"]["email"] = "ben@example.com".into());
    assert_eq!(other.1.status, AppendStatus::New);
    assert_eq!(desk.tokens().len(), 4, "another person is not held back");
    desk.now_ms += 24 * HOUR + 1;
    desk.submit(|_| {});
    assert_eq!(desk.tokens().len(), 5, "a day later, mail flows again");
}

/// The mailed link proves the address, not a phone number: an SMS offer
/// confirmed by it is `unverified`, never granted, while the email offer of
/// the same submission is granted; the person can still withdraw it.
pub fn a_phone_channel_is_not_granted_by_the_email_link<L: LogStore, F: FormStore>(
    log: L,
    forms: F,
) {
    let mut desk = Desk::new(log, forms);
    let (id, _) = desk.submit(|b| {
        b["event"]["form"]["offers"]["sms:offers"] = true.into();
        b["identity"]["phone"] = "+44 20 7946 0958".into();
    });
    let subject = desk.subject_of(&id);
    assert_eq!(
        fold(&desk.records_of(&subject))["sms:offers"].state,
        OfferState::Pending
    );
    let (token, _) = desk.token_of_last_mail();
    desk.confirm(&token).unwrap();
    let state = fold(&desk.records_of(&subject));
    assert_eq!(state["email:news"].state, OfferState::Granted);
    assert_eq!(
        state["sms:offers"].state,
        OfferState::Unverified,
        "a number typed in is not a number proven"
    );
    let ctx = desk.ctx();
    let offers = ["sms:offers".to_string()];
    Site::new(
        &mut desk.log,
        &mut desk.forms,
        &desk.config,
        &desk.key,
        &ctx,
    )
    .withdraw_offers(
        &subject,
        Some(&offers),
        EventId::from_random_bytes([77; 16]),
    )
    .unwrap();
    let state = fold(&desk.records_of(&subject));
    assert_eq!(state["sms:offers"].state, OfferState::Withdrawn);
    assert_eq!(state["email:news"].state, OfferState::Granted);
}

/// Ana ticks SMS offers with her number and confirms by the mailed link:
/// the offer is `unverified` and her number is texted a code (the SMS
/// through the mail queue, kind `sms.code`). A wrong code changes nothing;
/// the right one appends a `phone_confirm` confirmation that grants it and
/// tells the CRM; the right code again answers the first.
pub fn a_phone_is_granted_by_the_code_texted_to_it<L: LogStore, F: FormStore>(log: L, forms: F) {
    let mut desk = Desk::new(log, forms);
    let (id, _) = desk.submit(|b| {
        b["event"]["form"]["offers"]["sms:offers"] = true.into();
        b["identity"]["phone"] = "+44 20 7946 0958".into();
    });
    let subject = desk.subject_of(&id);
    let (token, _) = desk.token_of_last_mail();
    assert!(
        desk.texts().is_empty(),
        "no code before the address is proven"
    );
    assert_eq!(
        desk.verify_phone(&token, "000000").unwrap_err().code(),
        "phone_code_invalid",
        "no code before the link"
    );
    let confirmed = desk.confirm(&token).unwrap();
    assert!(confirmed.code_sent);
    let state = fold(&desk.records_of(&subject));
    assert_eq!(state["sms:offers"].state, OfferState::Unverified);
    let texts = desk.texts();
    assert_eq!(texts.len(), 1);
    let code = crate::form::phone::code(form_secret().phone(), &id);
    assert_eq!(texts[0].to, "+442079460958", "the submission's number");
    assert!(texts[0].text.contains(&code), "{}", texts[0].text);
    assert!(texts[0].text.starts_with("Vector Test Ltd: "));
    assert!(desk
        .forms
        .deliveries(20)
        .unwrap()
        .iter()
        .any(|d| d.kind == crate::form::phone::SMS_KIND));

    // A wrong code: refused, nothing appended, the offer as it was.
    let size = desk.log.size().unwrap();
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    let e = desk.verify_phone(&token, &wrong).unwrap_err();
    assert_eq!(e.code(), "phone_code_invalid");
    assert_eq!(desk.log.size().unwrap(), size);
    assert_eq!(
        fold(&desk.records_of(&subject))["sms:offers"].state,
        OfferState::Unverified
    );
    assert!(
        desk.confirm(&token).unwrap().code_sent,
        "the code still waits"
    );

    // The right code (as a person may type it): granted.
    desk.now_ms += 60_000;
    let typed = format!("{} {}", &code[..3], &code[3..]);
    let proven = desk.verify_phone(&token, &typed).unwrap();
    assert_eq!(proven.appended.status, AppendStatus::New);
    assert!(!proven.code_sent);
    let records = desk.records_of(&subject);
    let state = fold(&records);
    assert_eq!(state["sms:offers"].state, OfferState::Granted);
    assert_eq!(state["email:news"].state, OfferState::Granted);
    let last = records.last().unwrap();
    assert_eq!(last.event.ui.control, Control::PhoneConfirm);
    assert_eq!(last.event.action, crate::event::Action::Confirm);
    assert_eq!(last.event.answers.as_ref(), Some(&id));
    assert_eq!(last.event.event_id, state::settling_id(&id, "phone"));
    assert!(
        desk.forms
            .deliveries(20)
            .unwrap()
            .iter()
            .any(|d| d.event_id == last.event.event_id && d.kind == "opt_in.confirmed"),
        "the CRM is told"
    );

    // Again: the first answer, nothing new; the email link asks no code now.
    let size = desk.log.size().unwrap();
    let again = desk.verify_phone(&token, &code).unwrap();
    assert_eq!(again.appended.status, AppendStatus::Repeat);
    assert_eq!(again.appended.answer, proven.appended.answer);
    assert_eq!(desk.log.size().unwrap(), size);
    assert!(!desk.confirm(&token).unwrap().code_sent);
    assert_eq!(desk.texts().len(), 1, "one code, never a second SMS");
}

/// Five wrong codes kill a submission's code: the fifth and every try after
/// it are `phone_code_exhausted`, the right code too, and the offer stays
/// `unverified`.
pub fn five_wrong_codes_kill_the_code<L: LogStore, F: FormStore>(log: L, forms: F) {
    let mut desk = Desk::new(log, forms);
    let (id, _) = desk.submit(|b| {
        b["event"]["form"]["offers"]["sms:offers"] = true.into();
        b["identity"]["phone"] = "+44 20 7946 0958".into();
    });
    let (token, _) = desk.token_of_last_mail();
    desk.confirm(&token).unwrap();
    let code = crate::form::phone::code(form_secret().phone(), &id);
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    for n in 1..crate::form::phone::MAX_TRIES {
        let e = desk.verify_phone(&token, &wrong).unwrap_err();
        assert_eq!(e.code(), "phone_code_invalid", "try {n}");
    }
    let e = desk.verify_phone(&token, "12345x").unwrap_err();
    assert_eq!(e.code(), "phone_code_exhausted", "the fifth wrong try");
    let size = desk.log.size().unwrap();
    let e = desk.verify_phone(&token, &code).unwrap_err();
    assert_eq!(e.code(), "phone_code_exhausted", "the right code, too late");
    assert_eq!(desk.log.size().unwrap(), size);
    let subject = desk.subject_of(&id);
    assert_eq!(
        fold(&desk.records_of(&subject))["sms:offers"].state,
        OfferState::Unverified
    );
    assert!(!desk.confirm(&token).unwrap().code_sent, "no code waits");
}

/// A code is its submission's only: Ben's code does not prove Ana's number,
/// and Ana's code for her first submission does not prove the number of a
/// later one (which the link left unverified in its own right); a
/// submission without a phone offer texts nothing.
pub fn a_code_proves_its_own_submission_only<L: LogStore, F: FormStore>(log: L, forms: F) {
    let mut desk = Desk::new(log, forms);
    let sms = |email: &'static str, phone: &'static str| {
        move |b: &mut Value| {
            b["identity"]["email"] = email.into();
            b["event"]["form"]["offers"]["sms:offers"] = true.into();
            b["identity"]["phone"] = phone.into();
        }
    };
    let (ana, _) = desk.submit(sms("ana@example.com", "+44 20 7946 0958"));
    let (ana_token, _) = desk.token_of_last_mail();
    desk.confirm(&ana_token).unwrap();
    let (ben, _) = desk.submit(sms("ben@example.com", "+44 20 7946 0999"));
    let (ben_token, _) = desk.token_of_last_mail();
    desk.confirm(&ben_token).unwrap();
    let key = *form_secret().phone();
    let ben_code = crate::form::phone::code(&key, &ben);
    let ana_code = crate::form::phone::code(&key, &ana);
    if ben_code != ana_code {
        let e = desk.verify_phone(&ana_token, &ben_code).unwrap_err();
        assert_eq!(e.code(), "phone_code_invalid", "another submission's code");
    }
    assert_eq!(
        fold(&desk.records_of(&desk.subject_of(&ana)))["sms:offers"].state,
        OfferState::Unverified
    );

    // Ana again, with another number, confirmed: unverified by that
    // confirmation; her first code then grants nothing.
    desk.now_ms += HOUR;
    let (again, _) = desk.submit(sms("ana@example.com", "+44 20 7946 0777"));
    let (again_token, _) = desk.token_of_last_mail();
    desk.confirm(&again_token).unwrap();
    desk.verify_phone(&ana_token, &ana_code).unwrap();
    let subject = desk.subject_of(&ana);
    let state = fold(&desk.records_of(&subject));
    assert_eq!(
        state["sms:offers"].state,
        OfferState::Unverified,
        "the first number's proof is not the second's"
    );
    let second = crate::form::phone::code(&key, &again);
    desk.verify_phone(&again_token, &second).unwrap();
    assert_eq!(
        fold(&desk.records_of(&subject))["sms:offers"].state,
        OfferState::Granted
    );

    // No phone offer ticked: no code, nothing to type.
    let texts = desk.texts().len();
    let (plain, _) = desk.submit(|b| {
        b["identity"]["email"] = "cleo@example.com".into();
        b["identity"]["phone"] = "+44 20 7946 0111".into();
    });
    let (plain_token, _) = desk.token_of_last_mail();
    assert!(!desk.confirm(&plain_token).unwrap().code_sent);
    assert_eq!(desk.texts().len(), texts);
    let code = crate::form::phone::code(&key, &plain);
    let e = desk.verify_phone(&plain_token, &code).unwrap_err();
    assert_eq!(e.code(), "phone_code_invalid");
}

/// Every SMS counts against the number it goes to, as every mail against
/// its address: four people who type one number get it texted three codes
/// in a day; the fourth confirmation texts nothing and takes no code.
pub fn texts_count_against_the_number_they_go_to<L: LogStore, F: FormStore>(log: L, forms: F) {
    let mut desk = Desk::new(log, forms);
    let mut tokens = Vec::new();
    for n in 0..4 {
        let (id, _) = desk.submit(|b| {
            b["identity"]["email"] = format!("fan{n}@example.com").into();
            b["event"]["form"]["offers"]["sms:offers"] = true.into();
            b["identity"]["phone"] = "+44 20 7946 0958".into();
        });
        let (token, _) = desk.token_of_last_mail();
        let confirmed = desk.confirm(&token).unwrap();
        assert_eq!(confirmed.code_sent, n < 3, "confirmation {n}");
        tokens.push((id, token));
    }
    assert_eq!(
        desk.texts().len(),
        3,
        "three texts to one number, no fourth"
    );
    let number = lookup_key(form_secret().lookup(), &desk.config.site, "+442079460958");
    assert_eq!(
        desk.forms.mails_to(&number, 0).unwrap(),
        3,
        "counted under the number's lookup key"
    );
    assert_eq!(desk.tokens().len(), 4, "every address had its own mail");
    let (id, token) = &tokens[3];
    let code = crate::form::phone::code(form_secret().phone(), id);
    assert_eq!(
        desk.verify_phone(token, &code).unwrap_err().code(),
        "phone_code_invalid",
        "no code went out"
    );
}

/// A number proven once does not prove the next: a later submission with
/// another number and the SMS offer ticked, confirmed by the mailed link,
/// leaves the offer `unverified` and texts the new number its code; only that
/// code grants it again. The same identity again keeps it granted.
pub fn a_new_number_is_proven_again<L: LogStore, F: FormStore>(log: L, forms: F) {
    let mut desk = Desk::new(log, forms);
    let sms = |b: &mut Value, phone: &str| {
        b["event"]["form"]["offers"]["sms:offers"] = true.into();
        b["identity"]["phone"] = phone.into();
    };
    let (first, _) = desk.submit(|b| sms(b, "+44 20 7946 0958"));
    let subject = desk.subject_of(&first);
    let (token, _) = desk.token_of_last_mail();
    desk.confirm(&token).unwrap();
    let code = crate::form::phone::code(form_secret().phone(), &first);
    desk.verify_phone(&token, &code).unwrap();
    assert_eq!(
        fold(&desk.records_of(&subject))["sms:offers"].state,
        OfferState::Granted
    );

    // The same identity again, confirmed: still granted, no new code.
    desk.now_ms += 1;
    desk.submit(|b| sms(b, "+44 20 7946 0958"));
    let (token, _) = desk.token_of_last_mail();
    assert!(!desk.confirm(&token).unwrap().code_sent);
    assert_eq!(
        fold(&desk.records_of(&subject))["sms:offers"].state,
        OfferState::Granted
    );

    // Another number: unverified once the link is confirmed, its own code texted.
    desk.now_ms += 1;
    let (second, _) = desk.submit(|b| sms(b, "+44 20 7946 0999"));
    assert_eq!(
        fold(&desk.records_of(&subject))["sms:offers"].state,
        OfferState::Granted,
        "an unconfirmed submission changes nothing"
    );
    let (token, _) = desk.token_of_last_mail();
    assert!(desk.confirm(&token).unwrap().code_sent);
    assert_eq!(
        fold(&desk.records_of(&subject))["sms:offers"].state,
        OfferState::Unverified
    );
    assert_eq!(desk.texts()[0].to, "+442079460999");
    let code = crate::form::phone::code(form_secret().phone(), &second);
    desk.verify_phone(&token, &code).unwrap();
    assert_eq!(
        fold(&desk.records_of(&subject))["sms:offers"].state,
        OfferState::Granted
    );
}

/// A code typed after the link expired (the submission settled by its
/// expiry, never confirmed) is refused as expired, with the right code too.
pub fn a_code_after_the_link_expired_is_refused<L: LogStore, F: FormStore>(log: L, forms: F) {
    let mut desk = Desk::new(log, forms);
    let (id, _) = desk.submit(|b| {
        b["event"]["form"]["offers"]["sms:offers"] = true.into();
        b["identity"]["phone"] = "+44 20 7946 0958".into();
    });
    let (token, _) = desk.token_of_last_mail();
    let claims = token::verify(&TOKEN_KEY, &token, &desk.config.site, desk.now_ms).unwrap();
    desk.now_ms += 73 * HOUR;
    let (ctx, config, key) = (desk.ctx(), desk.config.clone(), desk.key.clone());
    assert_eq!(
        Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
            .expire_due(10)
            .unwrap(),
        1
    );
    let size = desk.log.size().unwrap();
    let code = crate::form::phone::code(form_secret().phone(), &id);
    let e = Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
        .verify_phone(form_secret().phone(), &claims, &code)
        .unwrap_err();
    assert_eq!(e.code(), "token_expired");
    assert_eq!(desk.log.size().unwrap(), size, "nothing appended");
}

/// Every mail counts against the address it goes to: five children's
/// submissions that name one parent's address send that parent three mails,
/// and a fourth child is recorded and waits without one.
pub fn mails_count_against_the_address_they_go_to<L: LogStore, F: FormStore>(log: L, forms: F) {
    let mut desk = Desk::new(log, forms);
    for n in 0..5 {
        let (_, appended) = desk.submit(|b| {
            b["identity"]["email"] = format!("kid{n}@example.com").into();
            b["age"] = 2012.into();
            b["identity"]["parent_email"] = "Parent@Example.com".into();
        });
        assert_eq!(
            appended.status,
            AppendStatus::New,
            "every submission is recorded"
        );
    }
    assert_eq!(
        desk.tokens().len(),
        3,
        "three mails to the one parent, not five"
    );
    // The children's own addresses have had no mail: one of them is mailed.
    desk.submit(|b| b["identity"]["email"] = "kid0@example.com".into());
    assert_eq!(desk.tokens().len(), 4);
    let (_, mail) = desk.token_of_last_mail();
    assert_eq!(mail.to, "kid0@example.com");
    // Mails exactly 24 hours old still count; a millisecond later they do not.
    desk.now_ms += mail::MAIL_WINDOW_MS;
    desk.submit(|b| {
        b["identity"]["email"] = "kid9@example.com".into();
        b["age"] = 2012.into();
        b["identity"]["parent_email"] = "parent@example.com".into();
    });
    assert_eq!(desk.tokens().len(), 4, "at 24 hours: no mail yet");
    desk.now_ms += 1;
    desk.submit(|b| {
        b["identity"]["email"] = "kid8@example.com".into();
        b["age"] = 2012.into();
        b["identity"]["parent_email"] = "parent@example.com".into();
    });
    assert_eq!(
        desk.tokens().len(),
        5,
        "24 hours on: the parent is mailed again"
    );
}

/// A name or phone changes when the address's holder confirms the
/// submission that carries it, or by the owner's rectification: a later
/// submission nobody confirmed (anyone may type the address) changes the
/// contact nowhere: not in the owner's export, not for the CRM.
pub fn only_a_confirmed_submission_changes_the_identity<L: LogStore, F: FormStore>(
    log: L,
    forms: F,
) {
    let mut desk = Desk::new(log, forms);
    let (first, _) = desk.submit(|b| b["identity"]["name"] = "Ana Real".into());
    let subject = desk.subject_of(&first);
    let name = |desk: &Desk<L, F>| {
        crate::rights::export::identity_of(&desk.log, &desk.forms, &desk.config, &subject)
            .unwrap()
            .and_then(|i| i.name)
    };
    assert_eq!(
        name(&desk).as_deref(),
        Some("Ana Real"),
        "the only one there is"
    );
    let (token, _) = desk.token_of_last_mail();
    desk.confirm(&token).unwrap();

    // Someone else types Ana's address with another name, and ticks more.
    let (forged, _) = desk.submit(|b| {
        b["identity"]["name"] = "Mallory".into();
        b["event"]["form"]["offers"]["email:news"] = true.into();
    });
    assert_eq!(desk.subject_of(&forged), subject);
    assert_eq!(
        name(&desk).as_deref(),
        Some("Ana Real"),
        "unconfirmed: no change"
    );
    let bodies: Vec<String> = desk
        .forms
        .deliveries(100)
        .unwrap()
        .iter()
        .filter(|d| !d.kind.starts_with("mail"))
        .map(|d| {
            intake::delivery_body(&desk.log, &desk.forms, &desk.config.site, d, LINKS).unwrap()
        })
        .collect();
    assert!(!bodies.is_empty(), "the confirmation went to the CRM");
    assert!(
        bodies.iter().all(|b| !b.contains("Mallory")),
        "the CRM never hears the unconfirmed name"
    );

    // Ana confirms a submission of her own with a new name: it holds.
    desk.now_ms += 1;
    desk.submit(|b| b["identity"]["name"] = "Ana Wed".into());
    let (token, mail) = desk.token_of_last_mail();
    assert_eq!(mail.to, "ana@example.com");
    assert_eq!(name(&desk).as_deref(), Some("Ana Real"));
    desk.confirm(&token).unwrap();
    assert_eq!(name(&desk).as_deref(), Some("Ana Wed"));
}

/// Erasure shreds the identity and every sealed byte of the subject, ends
/// every offer with an `erase` event, stops open links, keeps every receipt
/// and the tree, tells the CRM, answers a second erasure with the first,
/// and flags a later opt-in of the same address as a re-addition.
pub fn an_erasure_shreds_the_identity_keeps_the_proofs_and_flags_a_readdition<
    L: LogStore,
    F: FormStore,
>(
    log: L,
    forms: F,
) {
    use crate::rights;
    let mut desk = Desk::new(log, forms);
    let (id, first) = desk.submit(|b| {
        b["event"]["form"]["offers"]["post:catalogue"] = true.into();
    });
    let (token, _) = desk.token_of_last_mail();
    desk.confirm(&token).unwrap();
    // A second submission that still waits: its link must die with the erasure.
    desk.now_ms += HOUR;
    desk.submit(|_| {});
    let (open_token, _) = desk.token_of_last_mail();
    let subject = desk.subject_of(&id);
    let lookup = desk.forms.contact_of(&subject).unwrap().unwrap().lookup;
    let size_before = desk.log.size().unwrap();
    let export = rights::export::subject(
        &desk.log,
        &desk.forms,
        &desk.config,
        &subject,
        desk.now_ms,
        true,
    )
    .unwrap();
    assert_eq!(export.identity.as_ref().unwrap().email, "ana@example.com");
    assert_eq!(export.records.len(), 3);
    assert!(export.to_csv().contains("ana@example.com"));

    let ctx = desk.ctx();
    let (config, key) = (desk.config.clone(), desk.key.clone());
    let erasure = EventId::from_random_bytes([77; 16]);
    let erased = Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
        .erase(&subject, erasure.clone())
        .unwrap();
    assert_eq!(erased.status, AppendStatus::New);
    assert_eq!(
        desk.log.size().unwrap(),
        size_before + 1,
        "one erase record"
    );
    assert!(
        desk.forms.contact_of(&subject).unwrap().is_none(),
        "key and salt gone"
    );
    assert!(
        desk.forms.identity(&id).unwrap().is_none(),
        "ciphertext gone"
    );
    assert!(desk
        .forms
        .mails(100)
        .unwrap()
        .iter()
        .all(|m| m.subject != subject));
    assert_eq!(
        desk.forms.suppression(&lookup).unwrap().unwrap().event_id,
        erasure,
        "the address is suppressed, by the erasure"
    );
    let records = desk.records_of(&subject);
    let state = fold(&records);
    assert!(
        state.values().all(|s| s.state == OfferState::Erased),
        "{state:?}"
    );
    assert_eq!(records.last().unwrap().event.ui.control, Control::Erase);
    // The first receipt still stands on the same leaf.
    let receipt_before: Value = serde_json::from_str(&first.answer).unwrap();
    let entry = desk.log.entry_by_event(&id).unwrap().unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&entry.answer).unwrap()["receipt"],
        receipt_before["receipt"]
    );
    // The open link no longer confirms anything.
    assert_eq!(
        desk.confirm(&open_token).unwrap_err().code(),
        "token_expired",
        "settled by the erasure"
    );
    // The export now names no one.
    let after =
        rights::export::subject(&desk.log, &desk.forms, &config, &subject, desk.now_ms, true)
            .unwrap();
    assert!(after.identity.is_none());
    assert_eq!(after.erased_by.as_ref(), Some(&erasure));
    assert!(!after.to_csv().contains("ana@example.com"));
    assert!(!serde_json::to_string(&after).unwrap().contains("ana@"));
    // The CRM is told.
    let newest = desk.forms.deliveries(1).unwrap().remove(0);
    assert_eq!(newest.kind, "subject.erased");
    // A second erasure is the first.
    let again = Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
        .erase(&subject, EventId::from_random_bytes([78; 16]))
        .unwrap();
    assert_eq!(again.status, AppendStatus::Repeat);
    assert_eq!(again.answer, erased.answer);
    // The same address again: a new subject, flagged as a re-addition.
    desk.now_ms += HOUR;
    let (back, _) = desk.submit(|_| {});
    let new_subject = desk.subject_of(&back);
    assert_ne!(new_subject, subject, "a new contact, not the erased one");
    let record = desk.records_of(&new_subject).remove(0);
    assert_eq!(record.form.unwrap().readds.as_ref(), Some(&erasure));
    let found = rights::find(&desk.forms, &lookup).unwrap();
    assert_eq!(found.subject.as_ref(), Some(&new_subject));
    let suppressed = found.suppressed.expect("suppressed");
    assert_eq!(suppressed.kind, store::SuppressionKind::Erased);
    // Since when, and why: never which record or subject it was.
    let said = serde_json::to_string(&found).unwrap();
    assert!(
        !said.contains(erasure.as_str()) && !said.contains(subject.as_str()),
        "{said}"
    );
    // Unknown subjects are refused.
    let nobody = SubjectId::from_random_bytes([5; 16]);
    let e = Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx).erase(&nobody, erasure);
    assert_eq!(e.unwrap_err().code(), "subject_unknown");
}

/// Retention: a contact who never confirmed goes after `unconfirmed_days`,
/// one who did after `inactive_days`; the dry run lists what the run then
/// anonymises (by the schedule), and a second run finds nothing.
pub fn retention_anonymises_what_its_dry_run_lists<L: LogStore, F: FormStore>(log: L, forms: F) {
    use crate::rights::retention::{self, Reason};
    let day = 24 * HOUR;
    let mut desk = Desk::new(log, forms);
    desk.config.rights.retention = Some(crate::config::RetentionConfig {
        inactive_days: Some(365),
        unconfirmed_days: Some(30),
    });
    let (waiting, _) = desk.submit(|_| {});
    let (kept, _) = desk.submit(|b| b["identity"]["email"] = "ben@example.com".into());
    let token = desk.tokens().remove(0);
    desk.confirm(&token).unwrap();
    let (a, b) = (desk.subject_of(&waiting), desk.subject_of(&kept));
    let t0 = desk.now_ms;
    let due = |desk: &Desk<L, F>, at: u64| {
        retention::due(&desk.log, &desk.forms, &desk.config, at, 100)
            .unwrap()
            .into_iter()
            .map(|d| (d.subject, d.reason))
            .collect::<Vec<_>>()
    };
    assert_eq!(due(&desk, t0 + 10 * day), []);
    assert_eq!(
        due(&desk, t0 + 31 * day),
        [(a.clone(), Reason::Unconfirmed)]
    );
    let mut late = due(&desk, t0 + 366 * day);
    late.sort();
    let mut expected = vec![(a.clone(), Reason::Inactive), (b.clone(), Reason::Inactive)];
    expected.sort();
    assert_eq!(late, expected);

    desk.now_ms = t0 + 31 * day;
    let ctx = desk.ctx();
    let (config, key) = (desk.config.clone(), desk.key.clone());
    let ran = Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
        .run_retention(100)
        .unwrap();
    assert_eq!(ran.len(), 1);
    assert!(desk.forms.contact_of(&a).unwrap().is_none(), "anonymised");
    assert!(desk.forms.contact_of(&b).unwrap().is_some(), "kept");
    let last = desk.records_of(&a).pop().unwrap();
    assert_eq!(last.event.action, crate::event::Action::Erase);
    assert_eq!(last.event.ui.surface, crate::event::Surface::Schedule);
    let size = desk.log.size().unwrap();
    let again = Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
        .run_retention(100)
        .unwrap();
    assert!(again.is_empty());
    assert_eq!(desk.log.size().unwrap(), size, "nothing twice");
}

/// Restriction is an event that changes no consent and tells the CRM; the
/// same state again is the same record; rectification seals the corrected
/// identity under its own record, which commits to it, and the export
/// shows it; neither works on an erased subject.
pub fn restriction_and_rectification_are_events<L: LogStore, F: FormStore>(log: L, forms: F) {
    use crate::rights::{self, Rectification};
    let mut desk = Desk::new(log, forms);
    let (id, _) = desk.submit(|_| {});
    let token = desk.tokens().remove(0);
    desk.confirm(&token).unwrap();
    let subject = desk.subject_of(&id);
    let ctx = desk.ctx();
    let (config, key) = (desk.config.clone(), desk.key.clone());
    let before = fold(&desk.records_of(&subject));
    let on = Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
        .restrict(&subject, true, EventId::from_random_bytes([60; 16]))
        .unwrap();
    assert_eq!(on.status, AppendStatus::New);
    assert!(rights::restricted(&desk.records_of(&subject)));
    assert_eq!(
        fold(&desk.records_of(&subject)),
        before,
        "no consent changed"
    );
    assert_eq!(
        desk.forms.deliveries(1).unwrap()[0].kind,
        "subject.restricted"
    );
    let again = Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
        .restrict(&subject, true, EventId::from_random_bytes([61; 16]))
        .unwrap();
    assert_eq!(again.status, AppendStatus::Repeat);
    assert_eq!(again.answer, on.answer);
    Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
        .restrict(&subject, false, EventId::from_random_bytes([62; 16]))
        .unwrap();
    assert!(!rights::restricted(&desk.records_of(&subject)));

    let fixed = Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
        .rectify(
            &subject,
            &Rectification {
                name: Some("  Ana   Maria ".into()),
                phone: None,
            },
            EventId::from_random_bytes([63; 16]),
            [7; 24],
        )
        .unwrap();
    assert_eq!(fixed.status, AppendStatus::New);
    let export = crate::rights::export::subject(
        &desk.log,
        &desk.forms,
        &config,
        &subject,
        desk.now_ms,
        true,
    )
    .unwrap();
    assert_eq!(
        export.identity.as_ref().unwrap().name.as_deref(),
        Some("Ana Maria")
    );
    assert_eq!(
        export.identity.as_ref().unwrap().email,
        "ana@example.com",
        "the email stays"
    );
    let records = desk.records_of(&subject);
    let last = records.last().unwrap();
    assert_eq!(last.event.action, crate::event::Action::Rectify);
    assert_ne!(
        last.form.as_ref().unwrap().identity,
        records[0].form.as_ref().unwrap().identity,
        "a new commitment"
    );
    assert_eq!(fold(&records), before, "no consent changed");
    let bad = Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx).rectify(
        &subject,
        &Rectification {
            name: None,
            phone: Some("12".into()),
        },
        EventId::from_random_bytes([64; 16]),
        [8; 24],
    );
    assert_eq!(bad.unwrap_err().code(), "phone_invalid");
    Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
        .erase(&subject, EventId::from_random_bytes([65; 16]))
        .unwrap();
    let late = Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx).restrict(
        &subject,
        true,
        EventId::from_random_bytes([66; 16]),
    );
    assert_eq!(late.unwrap_err().code(), "subject_erased");
}

/// An imported opt-out list suppresses each new address once under one
/// `import` record that commits to the batch's keys, answers a repeat of
/// the same batch with the first outcome, and flags a later opt-in of an
/// imported address as a re-addition of that record.
pub fn an_imported_address_is_suppressed_recorded_and_flagged_as_a_readdition<
    L: LogStore,
    F: FormStore,
>(
    log: L,
    forms: F,
) {
    use crate::form::store::SuppressionKind;
    use crate::rights::import;
    let mut desk = Desk::new(log, forms);
    let site = desk.config.site.clone();
    let ana = lookup_key(b"lookup", &site, "ana@example.com");
    let bob = lookup_key(b"lookup", &site, "bob@example.com");
    let ctx = desk.ctx();
    let (config, key) = (desk.config.clone(), desk.key.clone());
    let batch = EventId::from_random_bytes([91; 16]);
    let run = |desk: &mut Desk<L, F>, id: &EventId, lookups: Vec<String>| {
        Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
            .import_batch(
                lookups,
                &import::List {
                    kind: SuppressionKind::OptOut,
                    channels: None,
                },
                id.clone(),
            )
            .unwrap()
    };
    let out = run(
        &mut desk,
        &batch,
        vec![ana.clone(), bob.clone(), ana.clone()],
    );
    assert_eq!((out.accepted, out.duplicated), (2, 1));
    let at = out.record.clone().expect("a record");
    assert_eq!((at.event_id.clone(), at.index), (batch.clone(), 0));
    let entry = desk.log.entry_by_event(&batch).unwrap().expect("stored");
    let record: StoredRecord = serde_json::from_str(&entry.record).unwrap();
    let facts = record.import.expect("import facts");
    assert_eq!(facts.count, 2);
    assert_eq!(facts.digest, import::digest([bob.as_str(), ana.as_str()]));
    for k in [&ana, &bob] {
        let s = desk.forms.suppression(k).unwrap().expect("suppressed");
        assert_eq!((s.kind, &s.event_id), (SuppressionKind::OptOut, &batch));
    }
    // The same batch again: the first outcome, nothing stored.
    let again = run(
        &mut desk,
        &batch,
        vec![ana.clone(), bob.clone(), ana.clone()],
    );
    assert_eq!(again.record, out.record);
    assert_eq!((again.accepted, again.duplicated), (2, 1));
    assert_eq!(desk.log.size().unwrap(), 1);
    // Another batch with nothing new appends nothing.
    let none = run(
        &mut desk,
        &EventId::from_random_bytes([92; 16]),
        vec![bob.clone()],
    );
    assert_eq!((none.accepted, none.duplicated, none.record), (0, 1, None));
    assert_eq!(desk.log.size().unwrap(), 1);
    // Ana opts in later: a new contact, flagged as a re-addition of the import.
    let (id, appended) = desk.submit(|_| {});
    assert_eq!(appended.status, AppendStatus::New);
    let subject = desk.subject_of(&id);
    let first = desk.records_of(&subject).remove(0);
    assert_eq!(first.form.unwrap().readds.as_ref(), Some(&batch));
    let found = crate::rights::find(&desk.forms, &ana).unwrap();
    assert_eq!(found.subject.as_ref(), Some(&subject));
    let said = serde_json::to_string(&found).unwrap();
    assert_eq!(
        found.suppressed.unwrap().kind,
        store::SuppressionKind::OptOut
    );
    assert!(!said.contains(batch.as_str()), "{said}");
}

/// Lists that act. An opt-out list naming a channel withdraws a listed
/// contact's consent on it (an event, the CRM told) and keeps the rest; a
/// later opt-in of that address waits for its link even on a form without
/// double opt-in. A block list outranks an opt-out (never the reverse):
/// every channel withdrawn, and a blocked address's submission stores
/// nothing. Taking an address off a list is a record of its own.
pub fn lists_withdraw_force_double_opt_in_and_block<L: LogStore, F: FormStore>(log: L, forms: F) {
    use crate::form::config::Channel;
    use crate::form::store::SuppressionKind;
    use crate::rights::import::{self, List};
    let mut desk = Desk::new(log, forms);
    desk.config.forms[0].double_opt_in = false;
    let site = desk.config.site.clone();
    let ana = lookup_key(b"lookup", &site, "ana@example.com");
    let bob = lookup_key(b"lookup", &site, "bob@example.com");
    let (config, key) = (desk.config.clone(), desk.key.clone());
    // Without double opt-in the form's notice is another one, with its own hash.
    let shown = config.form_notice("newsletter", "en").unwrap().hash();
    let as_shown = |b: &mut Value| b["event"]["notice"]["hash"] = shown.clone().into();
    let list = |desk: &mut Desk<L, F>, n: u8, kind, channels, lookups: Vec<String>| {
        let ctx = desk.ctx();
        Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
            .import_batch(
                lookups,
                &List { kind, channels },
                EventId::from_random_bytes([n; 16]),
            )
            .unwrap()
    };
    let both = |b: &mut Value| {
        as_shown(b);
        b["event"]["form"]["offers"]["post:catalogue"] = true.into();
    };
    let (id, _) = desk.submit(both);
    let subject = desk.subject_of(&id);
    assert_eq!(
        fold(&desk.records_of(&subject))["email:news"].state,
        OfferState::Granted
    );

    // An opt-out list of email: Ana's email consent ends, her post stays.
    let out = list(
        &mut desk,
        1,
        SuppressionKind::OptOut,
        Some(vec![Channel::Email]),
        vec![ana.clone()],
    );
    assert_eq!((out.accepted, out.withdrawn), (1, 1));
    let state = fold(&desk.records_of(&subject));
    assert_eq!(state["email:news"].state, OfferState::Withdrawn);
    assert_eq!(
        state["post:catalogue"].state,
        OfferState::Granted,
        "a channel the list did not name"
    );
    assert_eq!(
        desk.forms.deliveries(1).unwrap()[0].kind,
        "opt_in.withdrawn",
        "the CRM is told"
    );
    let record: StoredRecord = serde_json::from_str(
        &desk
            .log
            .entry_by_event(&EventId::from_random_bytes([1; 16]))
            .unwrap()
            .unwrap()
            .record,
    )
    .unwrap();
    assert_eq!(record.import.unwrap().channels, Some(vec![Channel::Email]));
    // The same batch again withdraws nothing twice.
    let size = desk.log.size().unwrap();
    list(
        &mut desk,
        1,
        SuppressionKind::OptOut,
        Some(vec![Channel::Email]),
        vec![ana.clone()],
    );
    assert_eq!(desk.log.size().unwrap(), size);

    // Ana ticks nothing: refused, and nothing is stored (no record, no mail).
    let mails = desk.opened_mails().len();
    let size = desk.log.size().unwrap();
    let (_, refusal) = desk.try_submit(|b| {
        as_shown(b);
        b["event"]["form"]["offers"]["email:news"] = false.into();
        b["event"]["action"] = "refuse".into();
    });
    assert_eq!(refusal.unwrap_err().code(), "nothing_chosen");
    assert_eq!(desk.log.size().unwrap(), size, "nothing appended");
    assert_eq!(desk.opened_mails().len(), mails, "no mail for a refusal");
    // Ana opts in again on a form without double opt-in: it waits for her link.
    let (again, appended) = desk.submit(as_shown);
    assert_eq!(appended.status, AppendStatus::New);
    assert_eq!(
        fold(&desk.records_of(&subject))["email:news"].state,
        OfferState::Pending
    );
    let (token, _) = desk.token_of_last_mail();
    desk.confirm(&token).unwrap();
    assert_eq!(
        fold(&desk.records_of(&subject))["email:news"].state,
        OfferState::Granted,
        "her own new choice"
    );
    let _ = again;

    // A block list: Bob, never seen, cannot opt in; nothing is stored.
    list(
        &mut desk,
        2,
        SuppressionKind::Blocked,
        None,
        vec![bob.clone()],
    );
    let size = desk.log.size().unwrap();
    let (_, refused) = desk.try_submit(|b| {
        as_shown(b);
        b["identity"]["email"] = "bob@example.com".into();
    });
    assert_eq!(refused.unwrap_err().code(), "address_blocked");
    assert_eq!(desk.log.size().unwrap(), size);
    assert!(
        desk.forms.contact(&bob).unwrap().is_none(),
        "no contact for a blocked address"
    );

    // Ana blocked: the block outranks her opt-out, and every channel ends.
    let blocked = list(
        &mut desk,
        3,
        SuppressionKind::Blocked,
        None,
        vec![ana.clone()],
    );
    assert_eq!((blocked.accepted, blocked.withdrawn), (1, 1));
    let state = fold(&desk.records_of(&subject));
    assert_eq!(state["email:news"].state, OfferState::Withdrawn);
    assert_eq!(state["post:catalogue"].state, OfferState::Withdrawn);
    assert_eq!(
        desk.try_submit(as_shown).1.unwrap_err().code(),
        "address_blocked"
    );
    // An opt-out list never weakens a block.
    let weaker = list(
        &mut desk,
        4,
        SuppressionKind::OptOut,
        None,
        vec![ana.clone()],
    );
    assert_eq!((weaker.accepted, weaker.duplicated), (0, 1));
    assert_eq!(
        desk.forms.suppression(&ana).unwrap().unwrap().kind,
        SuppressionKind::Blocked
    );

    // The owner's view: by lookup key, of one kind when asked.
    let all = desk.forms.suppressions(None, None, 10).unwrap();
    let mut keys = vec![ana.clone(), bob.clone()];
    keys.sort();
    assert_eq!(
        all.iter().map(|s| s.lookup.clone()).collect::<Vec<_>>(),
        keys
    );
    let rest = desk.forms.suppressions(Some(&keys[0]), None, 10).unwrap();
    assert_eq!(
        rest.iter().map(|s| s.lookup.clone()).collect::<Vec<_>>(),
        [keys[1].clone()]
    );
    assert_eq!(
        desk.forms
            .suppressions(None, Some(SuppressionKind::OptOut), 10)
            .unwrap(),
        vec![]
    );
    assert_eq!(
        desk.forms
            .suppressions(None, Some(SuppressionKind::Blocked), 1)
            .unwrap()
            .len(),
        1
    );

    // Taken off the list: a record commits to the key, and Ana may opt in.
    let ctx = desk.ctx();
    let off = Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
        .unlist(&ana, EventId::from_random_bytes([5; 16]))
        .unwrap();
    assert_eq!(
        off.index,
        desk.log.size().unwrap() - 1,
        "its record's index"
    );
    let record: StoredRecord = serde_json::from_str(
        &desk
            .log
            .entry_by_event(&off.event_id)
            .unwrap()
            .unwrap()
            .record,
    )
    .unwrap();
    assert_eq!(record.event.action, crate::event::Action::Unlist);
    let facts = record.import.unwrap();
    assert!(facts.removed);
    assert_eq!(
        (facts.kind, facts.count, facts.digest),
        (SuppressionKind::Blocked, 1, import::digest([ana.as_str()]))
    );
    assert!(desk.forms.suppression(&ana).unwrap().is_none());
    let twice = Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
        .unlist(&ana, EventId::from_random_bytes([6; 16]));
    assert_eq!(twice.unwrap_err().code(), "not_listed");
    let (_, back) = desk.try_submit(as_shown);
    assert_eq!(back.unwrap().status, AppendStatus::New);
    assert_eq!(
        fold(&desk.records_of(&subject))["email:news"].state,
        OfferState::Granted
    );
}

/// One-click unsubscribe: the confirmation mail carries the email link for
/// its `List-Unsubscribe` header, every delivery a link per channel, each
/// verifying to its subject and channel; using one withdraws that channel
/// only, by a `mail`/`unsubscribe` event the CRM is told of, and a second
/// use does nothing.
pub fn an_unsubscribe_link_withdraws_its_channel_once<L: LogStore, F: FormStore>(log: L, forms: F) {
    use crate::form::config::Channel;
    use crate::form::unsubscribe;
    let mut desk = Desk::new(log, forms);
    let (id, _) = desk.submit(|b| {
        b["event"]["form"]["offers"]["post:catalogue"] = true.into();
    });
    let subject = desk.subject_of(&id);
    let (token, mail) = desk.token_of_last_mail();
    let header = mail
        .list_unsubscribe
        .expect("the mail's List-Unsubscribe link");
    let prefix = format!(
        "https://edge.example{}?token=",
        crate::api::unsubscribe(&desk.config.site)
    );
    let claims = unsubscribe::verify(
        &TOKEN_KEY,
        header.strip_prefix(&prefix).expect(&header),
        &desk.config.site,
    )
    .unwrap();
    assert_eq!(
        (claims.subject.clone(), claims.channel),
        (subject.clone(), Channel::Email)
    );
    desk.confirm(&token).unwrap();

    // The confirmation's delivery: a link per channel of the contact's offers.
    let delivery = desk.forms.deliveries(1).unwrap().remove(0);
    let body: Value = serde_json::from_str(
        &intake::delivery_body(&desk.log, &desk.forms, &desk.config.site, &delivery, LINKS)
            .unwrap(),
    )
    .unwrap();
    let links = body["unsubscribe"].as_object().expect("links");
    assert_eq!(links.keys().collect::<Vec<_>>(), ["email", "post", "sms"]);
    for (name, url) in links {
        let token = url.as_str().unwrap().strip_prefix(&prefix).unwrap();
        let c = unsubscribe::verify(&TOKEN_KEY, token, &desk.config.site).unwrap();
        assert_eq!(
            (c.subject, c.channel.as_str()),
            (subject.clone(), name.as_str())
        );
    }

    // Unsubscribing from post: post withdrawn, email kept, the CRM told.
    let ctx = desk.ctx();
    let (config, key) = (desk.config.clone(), desk.key.clone());
    let done = Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
        .unsubscribe(
            &subject,
            Channel::Post,
            EventId::from_random_bytes([70; 16]),
        )
        .unwrap()
        .expect("a withdrawal");
    assert_eq!(done.status, AppendStatus::New);
    let state = fold(&desk.records_of(&subject));
    assert_eq!(state["post:catalogue"].state, OfferState::Withdrawn);
    assert_eq!(state["email:news"].state, OfferState::Granted);
    let last = desk.records_of(&subject).pop().unwrap();
    assert_eq!(
        (last.event.ui.surface, last.event.ui.control),
        (
            crate::event::Surface::Mail,
            crate::event::Control::Unsubscribe
        )
    );
    assert!(
        serde_json::from_str::<Value>(&done.answer).unwrap()["receipt"].is_string(),
        "its own receipt"
    );
    assert_eq!(
        desk.forms.deliveries(1).unwrap()[0].kind,
        "opt_in.withdrawn"
    );
    // Twice: nothing more.
    let size = desk.log.size().unwrap();
    let again = Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
        .unsubscribe(
            &subject,
            Channel::Post,
            EventId::from_random_bytes([71; 16]),
        )
        .unwrap();
    assert!(again.is_none());
    assert_eq!(desk.log.size().unwrap(), size);
    // Erased (no recycle bin on this site): nothing left to unsubscribe.
    desk.delete(&subject, 72).unwrap();
    let size = desk.log.size().unwrap();
    let erased = Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
        .unsubscribe(
            &subject,
            Channel::Email,
            EventId::from_random_bytes([73; 16]),
        )
        .unwrap();
    assert!(erased.is_none());
    assert_eq!(desk.log.size().unwrap(), size);
}

/// The owner's word, recorded as such: consent given by phone for a new
/// address makes a contact whose record is the owner's (surface `owner`,
/// the attestation in its facts, the note sealed with the identity, not in
/// the log); another basis holds without granting consent and leaves the
/// person's own grant as it was; a repeat records nothing; a listed
/// address, an objected channel and a broken field are refused, storing
/// nothing.
pub fn an_attestation_is_the_owners_word_never_the_persons<L: LogStore, F: FormStore>(
    log: L,
    forms: F,
) {
    use crate::form::attest::{Attest, Basis, Source};
    use crate::form::config::Channel;
    let mut desk = Desk::new(log, forms);
    let body = serde_json::json!({
        "form": "newsletter", "email": "Bob@Example.com", "name": "Bob Stone",
        "offers": ["email:news", "post:catalogue"], "source": "phone", "given_on": "2026-11-02",
        "evidence_sha256": "ab".repeat(32), "note": "Called about his order; agreed to both.",
    });
    let (done, id) = desk.attest(&body, 80).unwrap();
    assert_eq!(done.status, AppendStatus::New);
    let subject = desk.subject_of(&id);
    let record = desk.records_of(&subject).pop().unwrap();
    assert_eq!(
        (
            record.event.ui.surface,
            record.event.ui.control,
            record.event.action
        ),
        (
            crate::event::Surface::Owner,
            Control::Attest,
            crate::event::Action::Give
        )
    );
    let attested = record
        .form
        .as_ref()
        .unwrap()
        .attested
        .clone()
        .expect("the owner's word");
    assert_eq!(
        (
            attested.basis,
            attested.source,
            attested.given_on.as_str(),
            attested.by.as_str()
        ),
        (Basis::Consent, Source::Phone, "2026-11-02", "key_test")
    );
    assert_eq!(attested.evidence_sha256, Some("ab".repeat(32)));
    let line = desk.log.entry_by_event(&id).unwrap().unwrap().record;
    assert!(
        !line.contains("Called about") && !line.contains("bob@"),
        "no note or address in the log"
    );
    let contact = desk.forms.contact_of(&subject).unwrap().unwrap();
    let history = desk.records_of(&subject);
    let identity = intake::identity_in_force(&desk.forms, &desk.config.site, &contact, &history)
        .unwrap()
        .unwrap();
    assert_eq!(
        identity.note.as_deref(),
        Some("Called about his order; agreed to both.")
    );
    assert_eq!(identity.name.as_deref(), Some("Bob Stone"));
    let state = fold(&history);
    assert_eq!(state["email:news"].state, OfferState::Granted);
    assert_eq!(state["post:catalogue"].state, OfferState::Granted);
    assert_eq!(
        desk.forms.deliveries(1).unwrap()[0].kind,
        "opt_in.granted",
        "the CRM is told"
    );
    // The same event id again: the first answer, nothing new.
    let size = desk.log.size().unwrap();
    assert_eq!(
        desk.attest(&body, 80).unwrap().0.status,
        AppendStatus::Repeat
    );
    assert_eq!(desk.log.size().unwrap(), size);

    // Ana opts in herself; the owner then records a contract for email and
    // legitimate interests for texts: her own grant stays consent.
    let (own, _) = desk.submit(|_| {});
    let ana = desk.subject_of(&own);
    let (token, _) = desk.token_of_last_mail();
    desk.confirm(&token).unwrap();
    let basis = serde_json::json!({
        "form": "newsletter", "email": "ana@example.com", "phone": "+44 20 7946 0958",
        "offers": ["email:news", "sms:offers"], "basis": "legitimate_interests",
        "source": "customer", "given_on": "2026-10-01",
    });
    desk.attest(&basis, 81).unwrap();
    let state = fold(&desk.records_of(&ana));
    assert_eq!(
        state["email:news"].state,
        OfferState::Granted,
        "her own consent stays"
    );
    assert_eq!(state["sms:offers"].state, OfferState::LegitimateInterests);
    assert_eq!(desk.forms.deliveries(1).unwrap()[0].kind, "basis.recorded");
    // Her unsubscribe link for texts: no withdrawal ends a legitimate
    // interest, so it is her objection to the channel.
    let ctx = desk.ctx();
    let (config, key) = (desk.config.clone(), desk.key.clone());
    let out = Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
        .unsubscribe(&ana, Channel::Sms, EventId::from_random_bytes([82; 16]))
        .unwrap()
        .expect("an objection");
    assert_eq!(out.status, AppendStatus::New);
    let records = desk.records_of(&ana);
    assert_eq!(
        records.last().unwrap().event.action,
        crate::event::Action::Object
    );
    assert_eq!(
        records.last().unwrap().event.ui.control,
        Control::Unsubscribe
    );
    let state = fold(&records);
    assert_eq!(state["sms:offers"].state, OfferState::Objected);
    assert_eq!(
        state["email:news"].state,
        OfferState::Granted,
        "another channel"
    );

    // What is refused stores nothing.
    let size = desk.log.size().unwrap();
    let refused = |desk: &mut Desk<L, F>, edit: &dyn Fn(&mut Value), n: u8| {
        let mut b = body.clone();
        b["email"] = "carl@example.com".into();
        edit(&mut b);
        desk.attest(&b, n).unwrap_err().code()
    };
    let tomorrow = crate::utc::rfc3339(desk.now_ms + 86_400_000)[..10].to_owned();
    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(move |b| b["given_on"] = tomorrow.clone().into()),
            "attestation_invalid",
        ),
        (
            Box::new(|b| b["given_on"] = "2026-13-01".into()),
            "attestation_invalid",
        ),
        (
            Box::new(|b| b["offers"] = serde_json::json!(["email:other"])),
            "attestation_invalid",
        ),
        (
            Box::new(|b| b["offers"] = serde_json::json!([])),
            "attestation_invalid",
        ),
        (
            Box::new(|b| b["offers"] = serde_json::json!(["email:news", "email:news"])),
            "attestation_invalid",
        ),
        (
            Box::new(|b| b["offers"] = serde_json::json!(["sms:offers"])),
            "attestation_invalid",
        ),
        (
            Box::new(|b| b["evidence_sha256"] = "AB".repeat(32).into()),
            "attestation_invalid",
        ),
        (
            Box::new(|b| b["evidence_sha256"] = "ab".repeat(31).into()),
            "attestation_invalid",
        ),
        (
            Box::new(|b| b["note"] = "a\u{7}b".into()),
            "attestation_invalid",
        ),
        (
            Box::new(|b| b["note"] = "n".repeat(2001).into()),
            "attestation_invalid",
        ),
        (Box::new(|b| b["form"] = "other".into()), "form_unknown"),
        (
            Box::new(|b| b["email"] = "not an address".into()),
            "email_invalid",
        ),
    ];
    for (i, (edit, code)) in cases.iter().enumerate() {
        assert_eq!(
            refused(&mut desk, edit.as_ref(), 90 + i as u8),
            *code,
            "case {i}"
        );
    }
    assert!(Attest::from_json(br#"{"form":"newsletter","form":"x"}"#).is_err());
    // The longest note, and today, are taken.
    let today = crate::utc::rfc3339(desk.now_ms)[..10].to_owned();
    let mut edge = body.clone();
    edge["email"] = "dora@example.com".into();
    edge["note"] = "n".repeat(2000).into();
    edge["given_on"] = today.into();
    desk.attest(&edge, 110).unwrap();
    assert_eq!(desk.log.size().unwrap(), size + 1);

    // An address on a list, and a channel the person objected to.
    let (config, key) = (desk.config.clone(), desk.key.clone());
    let eve = lookup_key(b"lookup", &config.site, "eve@example.com");
    let ctx = desk.ctx();
    Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
        .import_batch(
            vec![eve],
            &crate::rights::import::List {
                kind: crate::form::store::SuppressionKind::OptOut,
                channels: None,
            },
            EventId::from_random_bytes([111; 16]),
        )
        .unwrap();
    let mut listed = body.clone();
    listed["email"] = "eve@example.com".into();
    assert_eq!(
        desk.attest(&listed, 112).unwrap_err().code(),
        "address_listed"
    );
    desk.object(&subject, Channel::Post, 113).unwrap();
    let mut post = body.clone();
    post["offers"] = serde_json::json!(["post:catalogue"]);
    assert_eq!(desk.attest(&post, 114).unwrap_err().code(), "objected");
    // An offer the form gains later: the objection to the channel holds for it.
    let purpose = desk.config.forms[0].offers[0].purpose.clone();
    let later = crate::form::config::Offer {
        channel: Channel::Post,
        purpose,
    };
    desk.config.forms[0].offers.push(later);
    post["offers"] = serde_json::json!(["post:news"]);
    assert_eq!(desk.attest(&post, 115).unwrap_err().code(), "objected");
}

/// An objection is its own action: it holds on a channel where nothing was
/// granted, ends what was granted on it (whatever the basis), answers its
/// first record when repeated, tells the CRM, and afterwards a submission
/// that ticks the channel waits for the person's confirmation even on a
/// form without double opt-in; their confirmed opt-in lifts it.
pub fn an_objection_holds_without_a_grant_until_the_persons_own_opt_in<
    L: LogStore,
    F: FormStore,
>(
    log: L,
    forms: F,
) {
    use crate::form::config::Channel;
    let mut desk = Desk::new(log, forms);
    desk.config.forms[0].double_opt_in = false;
    let shown = desk.config.form_notice("newsletter", "en").unwrap().hash();
    let as_shown = move |b: &mut Value| b["event"]["notice"]["hash"] = shown.clone().into();
    let (id, _) = desk.submit(&as_shown);
    let subject = desk.subject_of(&id);
    assert_eq!(
        fold(&desk.records_of(&subject))["email:news"].state,
        OfferState::Granted
    );

    // Post: nothing granted there, and the objection holds all the same.
    let first = desk.object(&subject, Channel::Post, 120).unwrap();
    assert_eq!(first.status, AppendStatus::New);
    let records = desk.records_of(&subject);
    let last = records.last().unwrap();
    assert_eq!(last.event.action, crate::event::Action::Object);
    assert_eq!(
        last.form.as_ref().unwrap().outcome,
        crate::form::submission::Outcome::Objected
    );
    let state = fold(&records);
    assert_eq!(state["post:*"].state, OfferState::Objected);
    assert_eq!(state["post:catalogue"].state, OfferState::Objected);
    assert_eq!(
        state["email:news"].state,
        OfferState::Granted,
        "another channel"
    );
    assert!(!state.contains_key("sms:*"));
    assert_eq!(
        desk.forms.deliveries(1).unwrap()[0].kind,
        "subject.objected"
    );
    // Again: the first record's answer, nothing new.
    let size = desk.log.size().unwrap();
    let again = desk.object(&subject, Channel::Post, 121).unwrap();
    assert_eq!(
        (again.answer, again.status, desk.log.size().unwrap()),
        (first.answer, AppendStatus::Repeat, size)
    );

    // A granted channel: its consent ends as an objection, not a withdrawal.
    desk.object(&subject, Channel::Email, 122).unwrap();
    assert_eq!(
        fold(&desk.records_of(&subject))["email:news"].state,
        OfferState::Objected
    );

    // Ticking post again on a form without double opt-in: it waits.
    let (again_id, _) = desk.submit(|b| {
        as_shown(b);
        b["event"]["event_id"] = EventId::from_random_bytes([123; 16]).to_string().into();
        b["event"]["form"]["offers"]["post:catalogue"] = true.into();
    });
    let waiting = desk.records_of(&subject);
    assert_eq!(waiting.last().unwrap().event.event_id, again_id);
    let state = fold(&waiting);
    assert_eq!(state["post:catalogue"].state, OfferState::Pending);
    assert_eq!(
        state["post:*"].state,
        OfferState::Objected,
        "until confirmed"
    );
    let (token, _) = desk.token_of_last_mail();
    desk.confirm(&token).unwrap();
    let state = fold(&desk.records_of(&subject));
    assert_eq!(state["post:catalogue"].state, OfferState::Granted);
    assert_eq!(
        state["email:news"].state,
        OfferState::Granted,
        "ticked too, and confirmed"
    );
    assert!(
        !state.contains_key("post:*"),
        "the person's own opt-in lifts the channel's objection"
    );

    // A banner visitor has no channel; an erased contact none left.
    let stranger = SubjectId::new("0190c0de-0000-7000-8000-000000000001").unwrap();
    assert_eq!(
        desk.object(&stranger, Channel::Post, 124)
            .unwrap_err()
            .code(),
        "subject_unknown"
    );
    desk.delete(&subject, 125).unwrap();
    assert_eq!(
        desk.object(&subject, Channel::Sms, 126).unwrap_err().code(),
        "subject_erased"
    );
}

/// Notes about a contact: sealed under the contact's key (the store holds
/// no text), opened in order with who wrote them, carried by the export,
/// refused for a subject with no contact or a bad text, and gone with the
/// identity when the contact is erased.
pub fn notes_are_sealed_exported_and_erased_with_the_identity<L: LogStore, F: FormStore>(
    log: L,
    forms: F,
) {
    use crate::form::notes::{notes_of, NoteInput};
    let mut desk = Desk::new(log, forms);
    let (id, _) = desk.submit(|_| {});
    let subject = desk.subject_of(&id);
    let add = |desk: &mut Desk<L, F>, subject: &SubjectId, text: &str, n: u8| {
        let ctx = desk.ctx();
        Site::new(
            &mut desk.log,
            &mut desk.forms,
            &desk.config,
            &desk.key,
            &ctx,
        )
        .add_note(
            subject,
            "support",
            text,
            EventId::from_random_bytes([n; 16]),
            [n; 24],
        )
    };
    let first = add(&mut desk, &subject, "Prefers calls after 10", 130).unwrap();
    assert_eq!(
        (first.by.as_str(), first.text.as_str()),
        ("support", "Prefers calls after 10")
    );
    desk.now_ms += 1000;
    add(&mut desk, &subject, "Asked for large print", 131).unwrap();
    let notes = notes_of(&desk.forms, &desk.config.site, &subject).unwrap();
    assert_eq!(
        notes.iter().map(|n| n.text.as_str()).collect::<Vec<_>>(),
        ["Prefers calls after 10", "Asked for large print"]
    );
    let stored = desk.forms.notes(&subject).unwrap();
    assert_eq!(stored.len(), 2);
    assert!(
        stored
            .iter()
            .all(|s| !String::from_utf8_lossy(&s.bytes).contains("large print")),
        "sealed"
    );
    // A sealed note moved to another subject does not open.
    let mut moved = stored[0].clone();
    moved.subject = SubjectId::new("0190c0de-0000-7000-8000-000000000002").unwrap();
    let contact = desk.forms.contact_of(&subject).unwrap().unwrap();
    assert!(crate::form::notes::open(&moved, &contact.key, &desk.config.site).is_none());
    let exported = crate::rights::export::subject(
        &desk.log,
        &desk.forms,
        &desk.config,
        &subject,
        desk.now_ms,
        true,
    )
    .unwrap();
    assert_eq!(exported.notes, notes);
    let hidden = crate::rights::export::subject(
        &desk.log,
        &desk.forms,
        &desk.config,
        &subject,
        desk.now_ms,
        false,
    )
    .unwrap();
    assert!(hidden.notes.is_empty(), "pseudonymous mode shows no notes");

    let stranger = SubjectId::new("0190c0de-0000-7000-8000-000000000001").unwrap();
    assert_eq!(
        add(&mut desk, &stranger, "x", 132).unwrap_err().code(),
        "subject_unknown"
    );
    for bad in [
        r#"{"text":"   "}"#,
        r#"{"text":"a\u0000b"}"#,
        r#"{"text":"x","more":1}"#,
        r#"{"text":"x","text":"y"}"#,
    ] {
        assert_eq!(
            NoteInput::check(bad.as_bytes()).unwrap_err().code(),
            "note_invalid",
            "{bad}"
        );
    }
    let long = format!(r#"{{"text":"{}"}}"#, "n".repeat(2001));
    assert_eq!(
        NoteInput::check(long.as_bytes()).unwrap_err().code(),
        "note_invalid"
    );
    let longest = format!(r#"{{"text":" {} "}}"#, "n".repeat(2000));
    assert_eq!(
        NoteInput::check(longest.as_bytes()).unwrap(),
        "n".repeat(2000)
    );
    assert_eq!(
        NoteInput::check(br#"{"text":"two\nlines\tand a tab"}"#).unwrap(),
        "two\nlines\tand a tab"
    );

    // Erased: the notes go with the identity.
    desk.delete(&subject, 133).unwrap();
    assert!(desk.forms.notes(&subject).unwrap().is_empty());
    assert!(notes_of(&desk.forms, &desk.config.site, &subject)
        .unwrap()
        .is_empty());
}

/// The contact list: each filter selects what it says (an offer's state, a
/// basis, an objection, the country, parental consent, restriction, the
/// days of creation and last activity), erased contacts are not listed,
/// and a page of `limit` rows says where the next one goes on until the
/// selection is whole.
pub fn the_contact_list_filters_and_pages<L: LogStore, F: FormStore>(log: L, forms: F) {
    use crate::rights::contacts::{list, Filter};
    let mut desk = Desk::new(log, forms);
    let subject_of = |desk: &mut Desk<L, F>, email: &str, ticked: &[&str], n: u8, confirm: bool| {
        let (id, _) = desk.submit(|b| {
            b["identity"]["email"] = email.into();
            b["event"]["event_id"] = EventId::from_random_bytes([n; 16]).to_string().into();
            b["event"]["form"]["offers"]["email:news"] = false.into();
            for o in ticked {
                b["event"]["form"]["offers"][*o] = true.into();
            }
        });
        if confirm {
            let (token, _) = desk.token_of_last_mail();
            desk.confirm(&token).unwrap();
        }
        desk.subject_of(&id)
    };
    let ana = subject_of(&mut desk, "ana@example.com", &["email:news"], 140, true);
    desk.now_ms += 2 * 86_400_000;
    let bob = subject_of(
        &mut desk,
        "bob@example.com",
        &["email:news", "post:catalogue"],
        141,
        false,
    );
    let cy = subject_of(&mut desk, "cy@example.com", &["post:catalogue"], 142, true);
    let gone = subject_of(&mut desk, "gone@example.com", &["email:news"], 143, true);
    desk.delete(&gone, 144).unwrap();
    desk.attest(
        &serde_json::json!({"form": "newsletter", "email": "ana@example.com", "offers": ["post:catalogue"],
            "basis": "legitimate_interests", "source": "customer", "given_on": "2026-10-01"}),
        145,
    )
    .unwrap();
    desk.object(&cy, crate::form::config::Channel::Post, 146)
        .unwrap();
    let ctx = desk.ctx();
    Site::new(
        &mut desk.log,
        &mut desk.forms,
        &desk.config,
        &desk.key,
        &ctx,
    )
    .restrict(&bob, true, EventId::from_random_bytes([147; 16]))
    .unwrap();
    let select = |desk: &Desk<L, F>, q: &[(&str, &str)]| {
        let mut sorted: Vec<SubjectId> = list(
            &desk.log,
            &desk.forms,
            &Filter::parse(q.iter().copied()).unwrap(),
            None,
            100,
        )
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.subject)
        .collect();
        sorted.sort();
        sorted
    };
    let sorted = |mut v: Vec<SubjectId>| {
        v.sort();
        v
    };
    assert_eq!(
        select(&desk, &[]),
        sorted(vec![ana.clone(), bob.clone(), cy.clone()]),
        "not the erased one"
    );
    assert_eq!(
        select(&desk, &[("offer", "email:news"), ("state", "granted")]),
        vec![ana.clone()]
    );
    assert_eq!(
        select(&desk, &[("offer", "email:news"), ("state", "pending")]),
        vec![bob.clone()]
    );
    assert_eq!(
        select(&desk, &[("offer", "email:news")]),
        sorted(vec![ana.clone(), bob.clone(), cy.clone()]),
        "any state"
    );
    assert_eq!(
        select(&desk, &[("state", "legitimate_interests")]),
        vec![ana.clone()]
    );
    assert_eq!(select(&desk, &[("state", "objected")]), vec![cy.clone()]);
    assert_eq!(select(&desk, &[("restricted", "true")]), vec![bob.clone()]);
    assert_eq!(select(&desk, &[("country", "DE")]).len(), 3);
    assert!(select(&desk, &[("country", "FR")]).is_empty());
    assert!(select(&desk, &[("parental", "true")]).is_empty());
    let day = |ms: u64| crate::utc::rfc3339(ms)[..10].to_owned();
    let today = day(desk.now_ms);
    let two_days_ago = day(desk.now_ms - 2 * 86_400_000);
    assert_eq!(
        select(&desk, &[("created_before", &today)]),
        vec![ana.clone()]
    );
    assert_eq!(
        select(&desk, &[("created_from", &today)]),
        sorted(vec![bob.clone(), cy.clone()])
    );
    assert_eq!(
        select(
            &desk,
            &[("created_from", &two_days_ago), ("created_before", &today)]
        ),
        vec![ana.clone()]
    );
    assert_eq!(
        select(&desk, &[("active_from", &today)]).len(),
        3,
        "ana's basis is today's"
    );

    // Pages of one: each says where the next goes on, until the last.
    let all = Filter::default();
    let mut seen = Vec::new();
    let mut after: Option<SubjectId> = None;
    loop {
        let page = list(&desk.log, &desk.forms, &all, after.as_ref(), 1).unwrap();
        seen.extend(page.rows.iter().map(|r| r.subject.clone()));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(sorted(seen.clone()), select(&desk, &[]));
    assert_eq!(seen.len(), 3, "each once");
}

/// The site's closing (the end of a contract): its day must be after today
/// and within a year; before it nobody is due and it can be taken back;
/// from it every contact is due on a site without a retention policy, and
/// a run anonymises them as retention does; then it stands.
pub fn the_site_closes_on_its_day<L: LogStore, F: FormStore>(log: L, forms: F) {
    use crate::rights::retention::{self, Reason};
    let day = 24 * HOUR;
    let mut desk = Desk::new(log, forms);
    assert!(
        desk.config.rights.retention.is_none(),
        "no policy: only the closing erases"
    );
    let (a, _) = desk.submit(|_| {});
    let (b, _) = desk.submit(|b| b["identity"]["email"] = "ben@example.com".into());
    let (a, b) = (desk.subject_of(&a), desk.subject_of(&b));
    let on = |ms: u64| crate::utc::rfc3339(ms)[..10].to_owned();
    let t0 = desk.now_ms;
    let close = |desk: &mut Desk<L, F>, at: u64, day: &str| {
        let mut ctx = desk.ctx();
        ctx.now_ms = at;
        Site::new(
            &mut desk.log,
            &mut desk.forms,
            &desk.config,
            &desk.key,
            &ctx,
        )
        .close(day, "operator")
    };
    let reopen = |desk: &mut Desk<L, F>, at: u64| {
        let mut ctx = desk.ctx();
        ctx.now_ms = at;
        Site::new(
            &mut desk.log,
            &mut desk.forms,
            &desk.config,
            &desk.key,
            &ctx,
        )
        .reopen()
    };
    for bad in [
        on(t0),
        on(t0 - day),
        on(t0 + 367 * day),
        "2027-02-30".into(),
        "soon".into(),
    ] {
        assert_eq!(
            close(&mut desk, t0, &bad).unwrap_err().code(),
            "closing_invalid",
            "{bad}"
        );
    }
    assert_eq!(reopen(&mut desk, t0).unwrap_err().code(), "not_closing");
    let set = close(&mut desk, t0, &on(t0 + 60 * day)).unwrap();
    assert_eq!(
        set.anonymise_by_ms,
        crate::utc::parse_date(&on(t0 + 60 * day)).unwrap()
    );
    // Taken back, and set again.
    assert_eq!(reopen(&mut desk, t0 + day).unwrap(), set);
    assert!(desk.forms.closing().unwrap().is_none());
    let set = close(&mut desk, t0, &on(t0 + 60 * day)).unwrap();
    let due = |desk: &Desk<L, F>, at: u64| {
        let mut d: Vec<_> = retention::due(&desk.log, &desk.forms, &desk.config, at, 100)
            .unwrap()
            .into_iter()
            .map(|d| (d.subject, d.reason))
            .collect();
        d.sort();
        d
    };
    assert_eq!(due(&desk, set.anonymise_by_ms - 1), []);
    let mut everyone = vec![
        (a.clone(), Reason::SiteClosing),
        (b.clone(), Reason::SiteClosing),
    ];
    everyone.sort();
    assert_eq!(due(&desk, set.anonymise_by_ms), everyone);
    // On the day: it stands.
    assert_eq!(
        reopen(&mut desk, set.anonymise_by_ms).unwrap_err().code(),
        "site_closed"
    );
    assert_eq!(
        close(&mut desk, set.anonymise_by_ms, &on(t0 + 90 * day))
            .unwrap_err()
            .code(),
        "site_closed"
    );
    let mut ctx = desk.ctx();
    ctx.now_ms = set.anonymise_by_ms;
    let ran = Site::new(
        &mut desk.log,
        &mut desk.forms,
        &desk.config,
        &desk.key,
        &ctx,
    )
    .run_retention(1)
    .unwrap();
    assert_eq!(ran.len(), 1, "a batch at a time");
    Site::new(
        &mut desk.log,
        &mut desk.forms,
        &desk.config,
        &desk.key,
        &ctx,
    )
    .run_retention(100)
    .unwrap();
    for s in [&a, &b] {
        let records = desk.records_of(s);
        let last = records.last().unwrap();
        assert_eq!(
            (last.event.action, last.event.ui.surface),
            (crate::event::Action::Erase, crate::event::Surface::Schedule)
        );
        assert!(
            desk.forms.contact_of(s).unwrap().is_none(),
            "the identity is gone"
        );
    }
    assert_eq!(due(&desk, set.anonymise_by_ms + day), [], "nobody left");
}

/// A withdrawal reaches every form: a contact whose newest record is of
/// another form (the owner's word on an events form) still has the post
/// they granted on the newsletter withdrawn by its unsubscribe link, by an
/// event on the newsletter form; a withdrawal of everything is one event
/// per form that still holds something, none for a form whose offers an
/// earlier event of the same withdrawal ended.
pub fn a_withdrawal_reaches_every_form<L: LogStore, F: FormStore>(log: L, forms: F) {
    use crate::form::config::Channel;
    let mut desk = Desk::new(log, forms);
    let (id, _) = desk.submit(|b| b["event"]["form"]["offers"]["post:catalogue"] = true.into());
    let subject = desk.subject_of(&id);
    let (token, _) = desk.token_of_last_mail();
    desk.confirm(&token).unwrap();
    // A second form, offering email only, and the owner's word on it.
    let mut events = desk.config.forms[0].clone();
    events.id = crate::ids::FormId::new("events").unwrap();
    events.offers.retain(|o| o.channel == Channel::Email);
    desk.config.forms.push(events);
    for texts in desk.config.languages.values_mut() {
        let newsletter = texts.forms["newsletter"].clone();
        texts.forms.insert("events".into(), newsletter);
    }
    desk.attest(
        &serde_json::json!({"form": "events", "email": "ana@example.com", "offers": ["email:news"],
            "source": "in_person", "given_on": "2026-10-01"}),
        170,
    )
    .unwrap();
    let records = desk.records_of(&subject);
    assert_eq!(
        records
            .last()
            .unwrap()
            .event
            .form
            .as_ref()
            .unwrap()
            .id
            .as_str(),
        "events"
    );

    let ctx = desk.ctx();
    let (config, key) = (desk.config.clone(), desk.key.clone());
    Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
        .unsubscribe(
            &subject,
            Channel::Post,
            EventId::from_random_bytes([171; 16]),
        )
        .unwrap()
        .expect("the newsletter's post, withdrawn");
    let records = desk.records_of(&subject);
    let last = records.last().unwrap();
    assert_eq!(last.event.form.as_ref().unwrap().id.as_str(), "newsletter");
    assert_eq!(
        fold(&records)["post:catalogue"].state,
        OfferState::Withdrawn
    );

    let size = desk.log.size().unwrap();
    Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx)
        .withdraw_offers(&subject, None, EventId::from_random_bytes([172; 16]))
        .unwrap();
    assert_eq!(
        desk.log.size().unwrap(),
        size + 1,
        "one event: the newsletter held nothing more"
    );
    assert_eq!(
        fold(&desk.records_of(&subject))["email:news"].state,
        OfferState::Withdrawn
    );
}

/// The store's own rules for the lists: a stronger kind replaces a weaker
/// one for an address, never the reverse, and the same kind again keeps
/// the first entry (its record); removal answers what it took out.
pub fn suppressions_rank_and_remove<L: LogStore, F: FormStore>(log: L, forms: F) {
    use crate::form::store::{Suppression, SuppressionKind};
    let mut desk = Desk::new(log, forms);
    let entry = |kind, n: u8| Suppression {
        lookup: "a".repeat(64),
        kind,
        event_id: EventId::from_random_bytes([n; 16]),
        created_ms: u64::from(n),
    };
    let held = |desk: &Desk<L, F>| desk.forms.suppression(&"a".repeat(64)).unwrap().unwrap();
    desk.forms
        .put_suppression(&entry(SuppressionKind::OptOut, 1))
        .unwrap();
    desk.forms
        .put_suppression(&entry(SuppressionKind::OptOut, 2))
        .unwrap();
    assert_eq!(
        held(&desk),
        entry(SuppressionKind::OptOut, 1),
        "the same kind keeps the first"
    );
    desk.forms
        .put_suppression(&entry(SuppressionKind::Erased, 3))
        .unwrap();
    assert_eq!(
        held(&desk),
        entry(SuppressionKind::OptOut, 1),
        "a weaker kind never replaces"
    );
    desk.forms
        .put_suppression(&entry(SuppressionKind::Blocked, 4))
        .unwrap();
    assert_eq!(
        held(&desk),
        entry(SuppressionKind::Blocked, 4),
        "a stronger kind replaces"
    );
    desk.forms
        .put_suppression(&entry(SuppressionKind::OptOut, 5))
        .unwrap();
    assert_eq!(held(&desk).kind, SuppressionKind::Blocked);
    assert_eq!(
        desk.forms.remove_suppression(&"a".repeat(64)).unwrap(),
        Some(entry(SuppressionKind::Blocked, 4))
    );
    assert_eq!(
        desk.forms.remove_suppression(&"a".repeat(64)).unwrap(),
        None
    );
    assert!(desk.forms.suppression(&"a".repeat(64)).unwrap().is_none());
}

/// A [`FormStore`] whose calls fail on demand, as the log's
/// [`FaultInjected`](crate::log::conformance::FaultInjected) fails a log's.
macro_rules! delegate {
    ($(fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty;)*) => {$(
        fn $name(&self $(, $arg: $ty)*) -> Result<$ret, crate::log::StoreError> {
            self.tick()?;
            self.inner.$name($($arg),*)
        }
    )*};
    ($(fn $name:ident(&mut self $(, $arg:ident: $ty:ty)*) -> $ret:ty;)*) => {$(
        fn $name(&mut self $(, $arg: $ty)*) -> Result<$ret, crate::log::StoreError> {
            self.tick()?;
            self.inner.$name($($arg),*)
        }
    )*};
}

impl<S: FormStore> BinStore for FaultInjected<S> {
    delegate! {
        fn binned(&self, subject: &SubjectId) -> Option<Binned>;
        fn binned_until(&self, until_ms: u64, limit: u64) -> Vec<Binned>;
        fn closing(&self) -> Option<store::Closing>;
    }
    delegate! {
        fn put_binned(&mut self, entry: &Binned) -> ();
        fn unbin(&mut self, subject: &SubjectId) -> ();
        fn set_closing(&mut self, closing: Option<&store::Closing>) -> ();
    }
}

impl<S: FormStore> store::Contacts for FaultInjected<S> {
    delegate! {
        fn contact(&self, lookup: &str) -> Option<store::Contact>;
        fn contact_of(&self, subject: &SubjectId) -> Option<store::Contact>;
        fn contacts_after(&self, after: Option<&SubjectId>, limit: u64) -> Vec<store::Contact>;
        fn identity(&self, event_id: &EventId) -> Option<store::Sealed>;
        fn notes(&self, subject: &SubjectId) -> Vec<store::Sealed>;
    }
    delegate! {
        fn put_contact(&mut self, contact: &store::Contact) -> ();
        fn put_identity(&mut self, sealed: &store::Sealed) -> ();
        fn put_note(&mut self, sealed: &store::Sealed) -> ();
        fn shred(&mut self, subject: &SubjectId, by: &EventId) -> ();
    }
}

impl<S: FormStore> store::Confirmations for FaultInjected<S> {
    delegate! {
        fn pending(&self, event_id: &EventId) -> Option<store::Pending>;
        fn phone_tries(&self, pending: &EventId) -> u64;
        fn due(&self, now_ms: u64, limit: u64) -> Vec<store::Pending>;
        fn next_due(&self) -> Option<u64>;
    }
    delegate! {
        fn put_pending(&mut self, pending: &store::Pending) -> ();
        fn settle(&mut self, event_id: &EventId, by: &EventId) -> ();
        fn count_phone_try(&mut self, pending: &EventId) -> ();
    }
}

impl<S: FormStore> store::Mailbox for FaultInjected<S> {
    delegate! {
        fn mails_to(&self, recipient: &str, since_ms: u64) -> u64;
        fn mails(&self, limit: u64) -> Vec<store::Sealed>;
        fn mail_of(&self, event_id: &EventId) -> Option<store::Sealed>;
    }
    delegate! {
        fn put_mail(&mut self, mail: &store::Sealed) -> ();
        fn count_mail(&mut self, recipient: &str, at_ms: u64) -> ();
    }
}

impl<S: FormStore> store::Outbox for FaultInjected<S> {
    delegate! {
        fn due_deliveries(&self, now_ms: u64, limit: u64) -> Vec<Delivery>;
        fn next_delivery(&self) -> Option<u64>;
        fn deliveries(&self, limit: u64) -> Vec<Delivery>;
    }
    delegate! {
        fn put_delivery(&mut self, delivery: &Delivery) -> u64;
        fn update_delivery(&mut self, delivery: &Delivery) -> ();
    }
}

impl<S: FormStore> store::Suppressions for FaultInjected<S> {
    delegate! {
        fn suppression(&self, lookup: &str) -> Option<store::Suppression>;
        fn suppressions(&self, after: Option<&str>, kind: Option<store::SuppressionKind>, limit: u64) -> Vec<store::Suppression>;
    }
    delegate! {
        fn put_suppression(&mut self, entry: &store::Suppression) -> ();
        fn remove_suppression(&mut self, lookup: &str) -> Option<store::Suppression>;
    }
}

impl<L: LogStore, F: FormStore> Desk<L, F> {
    /// The site's config, with a recycle bin of `days`.
    fn with_bin(mut self, days: u32) -> Self {
        self.config.rights.recycle_bin_days = Some(days);
        self
    }

    /// The owner (key `key_test`) records `body` as an attestation with
    /// event id `[n; 16]`; its answer and event id.
    fn attest(&mut self, body: &Value, n: u8) -> Result<(Appended, EventId), crate::Error> {
        let ctx = self.ctx();
        let fresh = self.fresh();
        let id = EventId::from_random_bytes([n; 16]);
        let site = self.config.site.clone();
        let attested = crate::form::attest::Attest::from_json(body.to_string().as_bytes())?.check(
            &self.config,
            "key_test",
            self.now_ms,
            id.clone(),
            |email| lookup_key(b"lookup", &site, email),
        )?;
        Site::new(
            &mut self.log,
            &mut self.forms,
            &self.config,
            &self.key,
            &ctx,
        )
        .attest(attested, fresh)
        .map(|a| (a, id))
    }

    /// The owner records `subject`'s objection to `channel`, event id `[n; 16]`.
    fn object(
        &mut self,
        subject: &SubjectId,
        channel: crate::form::config::Channel,
        n: u8,
    ) -> Result<Appended, crate::Error> {
        let ctx = self.ctx();
        let ui = crate::event::UiRef {
            surface: crate::event::Surface::Owner,
            control: Control::Object,
        };
        let path = crate::api::admin_objection(&self.config.site, subject);
        Site::new(
            &mut self.log,
            &mut self.forms,
            &self.config,
            &self.key,
            &ctx,
        )
        .object(
            subject,
            channel,
            EventId::from_random_bytes([n; 16]),
            ui,
            path,
        )
    }

    /// An owner's erasure by `dpo` (into the bin, where there is one).
    fn delete(&mut self, subject: &SubjectId, n: u8) -> Result<bin::Deletion, crate::Error> {
        let ctx = self.ctx();
        Site::new(
            &mut self.log,
            &mut self.forms,
            &self.config,
            &self.key,
            &ctx,
        )
        .delete(subject, "dpo", EventId::from_random_bytes([n; 16]))
    }

    /// Purges what is due at `until_ms`, at that time.
    fn purge(&mut self, until_ms: u64) -> Result<Vec<Binned>, crate::Error> {
        let mut ctx = self.ctx();
        ctx.now_ms = until_ms;
        Site::new(
            &mut self.log,
            &mut self.forms,
            &self.config,
            &self.key,
            &ctx,
        )
        .purge(until_ms, 100)
    }

    /// The deliveries due now that are about `subject`.
    fn due_for(&self, subject: &SubjectId, now_ms: u64) -> usize {
        self.forms
            .due_deliveries(now_ms, 100)
            .unwrap()
            .iter()
            .filter(|d| d.subject == *subject)
            .count()
    }
}

/// Opts Ana in (submission and confirmation), then leaves a second
/// submission of hers waiting; answers her subject and the waiting link.
fn opted_in<L: LogStore, F: FormStore>(desk: &mut Desk<L, F>) -> (SubjectId, String) {
    let (id, _) = desk.submit(|_| {});
    let (token, _) = desk.token_of_last_mail();
    desk.confirm(&token).unwrap();
    desk.now_ms += HOUR;
    desk.submit(|_| {});
    let (waiting, _) = desk.token_of_last_mail();
    (desk.subject_of(&id), waiting)
}

/// With a recycle bin, an owner's erasure puts the subject in it: nothing
/// appended or destroyed, but nothing processed either (deliveries held,
/// links dead, no privacy center mail, the owner's changes and retention
/// refused); the owner sees the entry; erasing again answers it; a restore
/// puts everything back; the purge, when due and not before, runs the real
/// erasure once, by its derived id, and releases the held deliveries
/// without an identity.
pub fn the_recycle_bin_holds_an_erasure_until_its_purge<L: LogStore, F: FormStore>(
    log: L,
    forms: F,
) {
    use crate::rights::requests::{MemoryRequestStore, RequestStore};
    use crate::rights::{self, center};
    let day = 24 * HOUR;
    let mut desk = Desk::new(log, forms).with_bin(30);
    let (subject, waiting) = opted_in(&mut desk);
    let lookup = desk.forms.contact_of(&subject).unwrap().unwrap().lookup;
    let size = desk.log.size().unwrap();
    assert!(desk.due_for(&subject, desk.now_ms) > 0, "a delivery waits");

    let bin::Deletion::Binned { entry, new: true } = desk.delete(&subject, 70).unwrap() else {
        panic!("not binned");
    };
    assert_eq!(
        (entry.deleted_ms, entry.purge_ms, entry.by.as_str()),
        (desk.now_ms, desk.now_ms + 30 * day, "dpo")
    );
    assert_eq!(desk.log.size().unwrap(), size, "nothing appended yet");
    assert!(
        desk.forms.contact_of(&subject).unwrap().is_some(),
        "identity kept"
    );
    // Processing stops.
    assert_eq!(
        desk.due_for(&subject, desk.now_ms + day),
        0,
        "deliveries held"
    );
    assert_eq!(
        desk.forms.next_delivery().unwrap(),
        None,
        "no alarm for held ones"
    );
    assert_eq!(desk.confirm(&waiting).unwrap_err().code(), "token_expired");
    let fresh = || center::LinkFresh {
        id: EventId::from_random_bytes([71; 16]),
        mail_nonce: [71; 24],
    };
    let site = desk.config.site.clone();
    let mailed = center::mail_link(
        &mut desk.forms,
        &site,
        &[1; 32],
        center::Recipient {
            lookup: &lookup,
            to: "ana@example.com",
            letter: center::Letter::SignIn {
                subject: "Your privacy center",
                text: "Open it.",
            },
        },
        "https://edge.example",
        fresh(),
        desk.now_ms,
    )
    .unwrap();
    assert!(!mailed, "no privacy center link for a binned subject");
    let ctx = desk.ctx();
    let (config, key) = (desk.config.clone(), desk.key.clone());
    let refused = Site::new(&mut desk.log, &mut desk.forms, &config, &key, &ctx).restrict(
        &subject,
        true,
        EventId::from_random_bytes([72; 16]),
    );
    assert_eq!(refused.unwrap_err().code(), "subject_in_recycle_bin");
    let mut policy = config.clone();
    policy.rights.retention = Some(crate::config::RetentionConfig {
        inactive_days: Some(1),
        unconfirmed_days: None,
    });
    let due = rights::retention::due(&desk.log, &desk.forms, &policy, desk.now_ms + 400 * day, 10);
    assert!(due.unwrap().is_empty(), "retention leaves it to the purge");
    assert_eq!(
        desk.log.size().unwrap(),
        size,
        "nothing appended by any of it"
    );
    // The owner sees it; erasing again answers the entry.
    let export =
        rights::export::subject(&desk.log, &desk.forms, &config, &subject, desk.now_ms, true)
            .unwrap();
    assert_eq!(export.deleted, Some(entry.deleted()));
    assert_eq!(export.identity.unwrap().email, "ana@example.com");
    let found = rights::find(&desk.forms, &lookup).unwrap();
    assert_eq!(found.deleted.as_ref(), Some(&entry));
    let bin::Deletion::Binned {
        entry: again,
        new: false,
    } = desk.delete(&subject, 73).unwrap()
    else {
        panic!("not the entry");
    };
    assert_eq!(again, entry);
    assert_eq!(
        bin::list(&desk.forms, 10).unwrap(),
        std::slice::from_ref(&entry)
    );
    assert_eq!(bin::next_purge(&desk.forms).unwrap(), Some(entry.purge_ms));

    // Restore: everything as before.
    let mut requests = MemoryRequestStore::default();
    let restored = bin::restore(&desk.log, &mut desk.forms, &mut requests, &subject).unwrap();
    assert_eq!(restored, entry);
    assert!(desk.forms.binned(&subject).unwrap().is_none());
    assert!(desk.due_for(&subject, desk.now_ms + day) > 0, "released");
    let restore = bin::restore(&desk.log, &mut desk.forms, &mut requests, &subject);
    assert_eq!(restore.unwrap_err().code(), "not_in_recycle_bin");
    assert_eq!(
        desk.confirm(&waiting).unwrap().appended.status,
        AppendStatus::New,
        "the link lives again"
    );

    // Deleted again; purged when due, not before.
    desk.now_ms += HOUR;
    let bin::Deletion::Binned { entry, new: true } = desk.delete(&subject, 74).unwrap() else {
        panic!("not binned");
    };
    let size = desk.log.size().unwrap();
    assert!(
        desk.purge(entry.purge_ms - 1).unwrap().is_empty(),
        "not due"
    );
    assert_eq!(desk.log.size().unwrap(), size);
    // A request the person made meanwhile closes with the purge's erasure.
    let asked = crate::rights::requests::file(
        &mut requests,
        &subject,
        crate::rights::requests::RequestKind::Access,
        EventId::from_random_bytes([75; 16]),
        desk.now_ms,
    )
    .unwrap();
    let mut ctx = desk.ctx();
    ctx.now_ms = entry.purge_ms;
    let purged = Site::new(
        &mut desk.log,
        &mut desk.forms,
        &desk.config,
        &desk.key,
        &ctx,
    )
    .purge_closing(&mut requests, entry.purge_ms, 100)
    .unwrap();
    assert_eq!(purged, std::slice::from_ref(&entry));
    let closed = requests.request(&asked.id).unwrap().unwrap();
    assert_eq!(
        (closed.status, closed.erasure),
        (
            crate::rights::requests::RequestStatus::Closed,
            Some(bin::purge_id(&subject))
        ),
        "closed by the purge's erasure"
    );
    assert_eq!(desk.log.size().unwrap(), size + 1, "one erase record");
    let erased = desk.records_of(&subject).pop().unwrap();
    assert_eq!(erased.event.action, crate::event::Action::Erase);
    assert_eq!(erased.event.event_id, bin::purge_id(&subject));
    assert_eq!(erased.event.ui.surface, crate::event::Surface::Api);
    assert_eq!(erased.received_at_ms, entry.purge_ms);
    assert!(
        desk.forms.contact_of(&subject).unwrap().is_none(),
        "shredded"
    );
    assert_eq!(
        desk.forms.suppression(&lookup).unwrap().unwrap().event_id,
        bin::purge_id(&subject)
    );
    assert!(
        desk.forms.binned(&subject).unwrap().is_none(),
        "out of the bin"
    );
    assert_eq!(desk.forms.deliveries(1).unwrap()[0].kind, "subject.erased");
    // The held deliveries go out now, naming no one.
    let released = desk.forms.due_deliveries(entry.purge_ms, 100).unwrap();
    let crm = released
        .iter()
        .find(|d| d.subject == subject && d.kind == "opt_in.confirmed")
        .expect("the held delivery");
    let body: Value = serde_json::from_str(
        &intake::delivery_body(&desk.log, &desk.forms, &site, crm, LINKS).unwrap(),
    )
    .unwrap();
    assert!(body["contact"].is_null());
    // Nothing twice; afterwards the erasure answers.
    assert!(desk.purge(entry.purge_ms + day).unwrap().is_empty());
    let bin::Deletion::Erased(repeat) = desk.delete(&subject, 75).unwrap() else {
        panic!("not the erasure");
    };
    assert_eq!(repeat.status, AppendStatus::Repeat);
    assert_eq!(desk.log.size().unwrap(), size + 1);
    let restore = bin::restore(&desk.log, &mut desk.forms, &mut requests, &subject);
    assert_eq!(restore.unwrap_err().code(), "subject_erased");
    let nobody = SubjectId::from_random_bytes([76; 16]);
    assert_eq!(
        desk.delete(&nobody, 77).unwrap_err().code(),
        "subject_unknown"
    );
    let restore = bin::restore(&desk.log, &mut desk.forms, &mut requests, &nobody);
    assert_eq!(restore.unwrap_err().code(), "subject_unknown");
}

/// A new opt-in of an address in the recycle bin completes the erasure
/// first (by its derived id), then is a new subject flagged as its
/// re-addition: neither refused nor a restore.
pub fn a_new_opt_in_of_a_binned_address_completes_the_erasure_first<L: LogStore, F: FormStore>(
    log: L,
    forms: F,
) {
    let mut desk = Desk::new(log, forms).with_bin(30);
    let (subject, _) = opted_in(&mut desk);
    let lookup = desk.forms.contact_of(&subject).unwrap().unwrap().lookup;
    desk.delete(&subject, 80).unwrap();
    desk.now_ms += HOUR;
    let (back, appended) = desk.submit(|_| {});
    assert_eq!(appended.status, AppendStatus::New);
    let new_subject = desk.subject_of(&back);
    assert_ne!(new_subject, subject, "not a restore");
    let erasure = desk.records_of(&subject).pop().unwrap();
    assert_eq!(erasure.event.action, crate::event::Action::Erase);
    assert_eq!(erasure.event.event_id, bin::purge_id(&subject));
    let first = desk.records_of(&new_subject).remove(0);
    assert_eq!(first.form.unwrap().readds, Some(bin::purge_id(&subject)));
    assert!(desk.forms.binned(&subject).unwrap().is_none());
    let found = crate::rights::find(&desk.forms, &lookup).unwrap();
    assert_eq!(found.subject.as_ref(), Some(&new_subject));
    assert_eq!(
        found.suppressed.unwrap().kind,
        store::SuppressionKind::Erased
    );
    assert_eq!(found.deleted, None);
}

/// An erasure request fulfilled on a site with a bin puts the subject in
/// it by `request <id>`, purged by the request's legal deadline at the
/// latest, and names the purge's erasure; a restore opens the request
/// again; fulfilled again and purged, the erasure is the one it named.
pub fn an_erasure_request_waits_in_the_bin_and_a_restore_reopens_it<L: LogStore, F: FormStore>(
    log: L,
    forms: F,
) {
    use crate::rights::requests::{self, MemoryRequestStore, RequestKind, RequestStatus};
    let mut desk = Desk::new(log, forms).with_bin(60);
    let (subject, _) = opted_in(&mut desk);
    let mut queue = MemoryRequestStore::default();
    let filed = EventId::from_random_bytes([81; 16]);
    let request = requests::file(
        &mut queue,
        &subject,
        RequestKind::Erasure,
        filed.clone(),
        desk.now_ms,
    )
    .unwrap();
    let fulfil = |desk: &mut Desk<L, F>, queue: &mut MemoryRequestStore| {
        let ctx = desk.ctx();
        Site::new(
            &mut desk.log,
            &mut desk.forms,
            &desk.config,
            &desk.key,
            &ctx,
        )
        .fulfil(queue, &filed, "dpo", EventId::from_random_bytes([82; 16]))
        .unwrap()
    };
    let size = desk.log.size().unwrap();
    let done = fulfil(&mut desk, &mut queue);
    assert_eq!(done.status, RequestStatus::Fulfilled);
    assert_eq!(done.erasure, Some(bin::purge_id(&subject)));
    assert_eq!(desk.log.size().unwrap(), size, "in the bin, not erased yet");
    let entry = desk.forms.binned(&subject).unwrap().expect("binned");
    assert_eq!(entry.by, format!("request {filed}"));
    assert_eq!(
        entry.purge_ms, request.due_ms,
        "the month of Art. 12(3), not 60 days"
    );

    bin::restore(&desk.log, &mut desk.forms, &mut queue, &subject).unwrap();
    let reopened = requests::open(&queue, &filed).expect("open again");
    assert_eq!((reopened.decided_by, reopened.erasure), (None, None));
    assert_eq!(reopened.due_ms, request.due_ms, "with its deadline");

    let done = fulfil(&mut desk, &mut queue);
    let entry = desk.forms.binned(&subject).unwrap().expect("binned again");
    desk.purge(entry.purge_ms).unwrap();
    let erasure = desk.records_of(&subject).pop().unwrap();
    assert_eq!(
        Some(erasure.event.event_id),
        done.erasure,
        "the erasure it named"
    );
}

/// Requests as the law reads them: an objection received by phone,
/// fulfilled, is the subject's objection (its event named by the request);
/// a restriction restricts; a rectification says what, and is marked done;
/// a refusal needs its reason and keeps it; what the person is mailed says
/// what was asked and decided; a malformed request is refused.
pub fn requests_as_the_law_reads_them<L: LogStore, F: FormStore>(log: L, forms: F) {
    use crate::form::config::Channel;
    use crate::rights::center::Letter;
    use crate::rights::requests::{
        self, Asked, MemoryRequestStore, RequestKind, RequestStatus, Via,
    };
    let mut desk = Desk::new(log, forms);
    let (subject, _) = opted_in(&mut desk);
    let mut queue = MemoryRequestStore::default();
    let asked = |kind, via, channel, detail: Option<&str>| Asked {
        kind,
        via,
        channel,
        detail: detail.map(str::to_owned),
    };
    let file = |queue: &mut MemoryRequestStore, a: Asked, n: u8| {
        requests::file_asked(
            queue,
            &subject,
            a,
            EventId::from_random_bytes([n; 16]),
            desk.now_ms,
        )
    };
    let post = file(
        &mut queue,
        asked(
            RequestKind::Objection,
            Via::Phone,
            Some(Channel::Post),
            None,
        ),
        150,
    )
    .unwrap();
    let email = file(
        &mut queue,
        asked(
            RequestKind::Objection,
            Via::Letter,
            Some(Channel::Email),
            None,
        ),
        151,
    )
    .unwrap();
    assert_ne!(post.id, email.id, "an objection per channel");
    assert_eq!(
        file(
            &mut queue,
            asked(
                RequestKind::Objection,
                Via::Phone,
                Some(Channel::Post),
                None
            ),
            152
        )
        .unwrap()
        .id,
        post.id,
        "the open one again"
    );
    let restrict = file(
        &mut queue,
        asked(RequestKind::Restriction, Via::Email, None, None),
        153,
    )
    .unwrap();
    let fix = file(
        &mut queue,
        asked(
            RequestKind::Rectification,
            Via::Center,
            None,
            Some("  My name is Ana Lopez, not Ana Lopes "),
        ),
        154,
    )
    .unwrap();
    assert_eq!(
        fix.detail.as_deref(),
        Some("My name is Ana Lopez, not Ana Lopes")
    );
    assert_eq!(post.via, Via::Phone);
    for (bad, n) in [
        (asked(RequestKind::Objection, Via::Phone, None, None), 155),
        (
            asked(RequestKind::Access, Via::Phone, Some(Channel::Post), None),
            156,
        ),
        (asked(RequestKind::Access, Via::Phone, None, Some("x")), 157),
        (
            asked(
                RequestKind::Rectification,
                Via::Phone,
                None,
                Some(&"x".repeat(1001)),
            ),
            158,
        ),
        (
            asked(
                RequestKind::Rectification,
                Via::Phone,
                None,
                Some("a\u{0}b"),
            ),
            159,
        ),
    ] {
        assert_eq!(
            file(&mut queue, bad, n).unwrap_err().code(),
            "request_invalid"
        );
    }
    assert!(file(
        &mut queue,
        asked(
            RequestKind::Rectification,
            Via::Letter,
            None,
            Some(&"x".repeat(1000))
        ),
        160
    )
    .is_ok());

    let fulfil = |desk: &mut Desk<L, F>, queue: &mut MemoryRequestStore, id: &EventId, n: u8| {
        let ctx = desk.ctx();
        Site::new(
            &mut desk.log,
            &mut desk.forms,
            &desk.config,
            &desk.key,
            &ctx,
        )
        .fulfil(queue, id, "dpo", EventId::from_random_bytes([n; 16]))
        .unwrap()
    };
    let done = fulfil(&mut desk, &mut queue, &post.id, 161);
    assert_eq!(done.status, RequestStatus::Fulfilled);
    let objection = desk.records_of(&subject).pop().unwrap();
    assert_eq!(objection.event.action, crate::event::Action::Object);
    assert_eq!(done.fulfilled_by, Some(objection.event.event_id.clone()));
    assert_eq!(
        fold(&desk.records_of(&subject))["post:*"].state,
        OfferState::Objected
    );
    let done = fulfil(&mut desk, &mut queue, &restrict.id, 162);
    assert!(crate::rights::restricted(&desk.records_of(&subject)));
    assert_eq!(
        done.fulfilled_by,
        Some(desk.records_of(&subject).pop().unwrap().event.event_id)
    );
    let size = desk.log.size().unwrap();
    let done = fulfil(&mut desk, &mut queue, &fix.id, 163);
    assert_eq!(
        (done.status, done.fulfilled_by, desk.log.size().unwrap()),
        (RequestStatus::Fulfilled, None, size),
        "the owner corrects; nothing appended here"
    );
    assert_eq!(
        done.detail, None,
        "the person's words are not kept once decided"
    );

    // A refusal gives its reason, and the person is told it.
    let open = requests::open(&queue, &email.id).unwrap();
    assert_eq!(
        requests::refuse(&mut queue, open.clone(), "dpo", "   ", desk.now_ms)
            .unwrap_err()
            .code(),
        "request_invalid"
    );
    assert_eq!(
        requests::open(&queue, &email.id).unwrap().status,
        RequestStatus::Open,
        "nothing decided"
    );
    let refused = requests::refuse(
        &mut queue,
        open,
        "dpo",
        "We need your consent records for a running contract until March.",
        desk.now_ms,
    )
    .unwrap();
    assert_eq!(
        (refused.status, refused.reason.as_deref()),
        (
            RequestStatus::Refused,
            Some("We need your consent records for a running contract until March.")
        )
    );
    let (subject_line, text) = Letter::Answer {
        request: &refused,
        controller: "Shop Ltd",
    }
    .words();
    assert_eq!(
        subject_line,
        "Your request was refused: your objection to being contacted"
    );
    assert!(
        text.contains("running contract until March")
            && text.contains("supervisory authority")
            && text.contains("Shop Ltd"),
        "{text}"
    );
    let access = requests::file(
        &mut queue,
        &subject,
        RequestKind::Access,
        EventId::from_random_bytes([164; 16]),
        desk.now_ms,
    )
    .unwrap();
    let released = fulfil(&mut desk, &mut queue, &access.id, 165);
    let letter = Letter::Answer {
        request: &released,
        controller: "Shop Ltd",
    };
    assert_eq!(letter.words().0, "Your copy of your data is ready");
    assert!(letter.words().1.contains("within 7 days"));
    assert_eq!(
        letter.lasts_ms(),
        7 * 24 * HOUR,
        "readable a day later, and more"
    );
    let sign_in = Letter::SignIn {
        subject: "s",
        text: "t",
    };
    assert_eq!(sign_in.lasts_ms(), HOUR);
    assert_eq!(sign_in.words(), ("s".to_string(), "t".to_string()));
}

/// A storage fault at any call of a deletion, a restore or a purge (in the
/// log or beside it) leaves the bin as it was, or, for a purge, the entry
/// in place so that the next run finishes it; the purge never erases twice.
pub fn a_fault_in_the_recycle_bin_changes_nothing<L: LogStore, F: FormStore>(log: L, forms: F) {
    use crate::rights::requests::MemoryRequestStore;
    let mut desk = Desk::new(FaultInjected::new(log), FaultInjected::new(forms)).with_bin(7);
    let (subject, _) = opted_in(&mut desk);
    let size = desk.log.size().unwrap();
    let fail = |desk: &mut Desk<FaultInjected<L>, FaultInjected<F>>, in_log: bool, n| {
        if in_log {
            desk.log.fail_after(n);
        } else {
            desk.forms.fail_after(n);
        }
    };
    let mut requests = MemoryRequestStore::default();
    for in_log in [false, true] {
        // Deleting: nothing, or the entry.
        let mut calls = 0;
        loop {
            fail(&mut desk, in_log, Some(calls));
            let deleted = desk.delete(&subject, 90);
            fail(&mut desk, in_log, None);
            let binned = desk.forms.binned(&subject).unwrap();
            match deleted {
                Ok(_) => {
                    assert!(binned.is_some());
                    assert!(calls > 0, "a deletion reads the log and the bin");
                    break;
                }
                Err(e) => {
                    assert_eq!(e.code(), "storage_fault", "call {calls}: {e}");
                    assert!(binned.is_none(), "a failed deletion bins nothing");
                }
            }
            calls += 1;
        }
        // Restoring: still binned, or out of it.
        let mut calls = 0;
        loop {
            fail(&mut desk, in_log, Some(calls));
            let restored = bin::restore(&desk.log, &mut desk.forms, &mut requests, &subject);
            fail(&mut desk, in_log, None);
            let binned = desk.forms.binned(&subject).unwrap();
            match restored {
                Ok(_) => {
                    assert!(binned.is_none());
                    assert!(in_log || calls > 0, "a restore reads the bin");
                    break;
                }
                Err(e) => {
                    assert_eq!(e.code(), "storage_fault", "call {calls}: {e}");
                    assert!(binned.is_some(), "a failed restore keeps the entry");
                }
            }
            calls += 1;
        }
        assert_eq!(desk.log.size().unwrap(), size, "nothing appended");
    }
    // Purging: a fault keeps the entry for the next run; one erasure in all.
    desk.delete(&subject, 91).unwrap();
    purge_through_faults(&mut desk, &subject, false);
    desk.now_ms += HOUR;
    let (id, _) = desk.submit(|b| b["identity"]["email"] = "cy@example.com".into());
    let other = desk.subject_of(&id);
    desk.delete(&other, 92).unwrap();
    purge_through_faults(&mut desk, &other, true);
}

/// Purges `subject` with a fault at every call in turn (of the log, or of
/// the forms' store), until one run goes through.
fn purge_through_faults<L: LogStore, F: FormStore>(
    desk: &mut Desk<FaultInjected<L>, FaultInjected<F>>,
    subject: &SubjectId,
    in_log: bool,
) {
    let at = desk.forms.binned(subject).unwrap().unwrap().purge_ms;
    let mut calls = 0;
    loop {
        if in_log {
            desk.log.fail_after(Some(calls));
        } else {
            desk.forms.fail_after(Some(calls));
        }
        let purged = desk.purge(at);
        desk.log.fail_after(None);
        desk.forms.fail_after(None);
        let erasures = desk
            .records_of(subject)
            .iter()
            .filter(|r| r.event.action == crate::event::Action::Erase)
            .count();
        assert!(erasures <= 1, "erased twice");
        match purged {
            Ok(_) => {
                assert!(desk.forms.binned(subject).unwrap().is_none());
                assert_eq!(erasures, 1);
                assert!(calls > 2, "a purge makes several calls");
                return;
            }
            Err(e) => {
                assert_eq!(e.code(), "storage_fault", "call {calls}: {e}");
                assert!(
                    desk.forms.binned(subject).unwrap().is_some(),
                    "a failed purge keeps the entry for the next run"
                );
            }
        }
        calls += 1;
    }
}
