//! Opt-in forms: golden vectors (vectors/forms.json, checked natively and in
//! Chromium), the identity's commitment and vault, the per-offer fold, and
//! the configuration rules.

use assent_core::config::SiteConfig;
use assent_core::event::{Action, ConsentEvent, Context, Control, Surface};
use assent_core::form::identity::{lookup_key, normalise_email, normalise_phone, IdentityInput};
use assent_core::form::state::{fold, OfferState};
use assent_core::form::submission::{FormSubmission, Outcome};
use assent_core::ids::{EventId, SiteId, SubjectId};
use assent_core::record::{FormFacts, ServerFacts, StoredRecord};
use serde_json::Value;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const SITE: &str = include_str!("vectors/site.json");
const FORMS: &str = include_str!("vectors/forms.json");

fn doc() -> Value {
    serde_json::from_str(FORMS).unwrap()
}

fn config() -> SiteConfig {
    SiteConfig::from_json(SITE).unwrap()
}

/// Sets a dotted path (`event.form.offers.email:news`); `null` removes it.
fn set(target: &mut Value, path: &str, value: &Value) {
    let mut parts: Vec<&str> = path.split('.').collect();
    let last = parts.pop().unwrap();
    let mut at = target;
    for p in parts {
        at = at.get_mut(p).unwrap_or_else(|| panic!("no {p} in {path}"));
    }
    let map = at.as_object_mut().unwrap();
    if value.is_null() {
        map.remove(last);
    } else {
        map.insert(last.to_string(), value.clone());
    }
}

fn body(doc: &Value, case: &Value) -> Vec<u8> {
    let hashes = &doc["form_notice_hashes"];
    let mut text = doc["base"].to_string();
    if case.get("raw").is_some() {
        // A key sent twice: serde_json would keep the last one.
        text = text.replace(
            "\"email:news\":true",
            "\"email:news\":true,\"email:news\":false",
        );
    }
    let mut value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if value.is_null() || case.get("raw").is_some() {
        return text
            .replace("FILL", hashes["en"].as_str().unwrap())
            .into_bytes();
    }
    if let Some(changes) = case.get("set") {
        for (path, v) in changes.as_object().unwrap() {
            set(&mut value, path, v);
        }
    }
    let text = value
        .to_string()
        .replace("FILL_DE", hashes["de"].as_str().unwrap())
        .replace("FILL", hashes["en"].as_str().unwrap());
    text.into_bytes()
}

#[test]
fn form_notice_hashes_match_the_vectors() {
    let config = config();
    for (lang, hash) in doc()["form_notice_hashes"].as_object().unwrap() {
        assert_eq!(
            config.form_notice("newsletter", lang).unwrap().hash(),
            hash.as_str().unwrap(),
            "{lang}"
        );
    }
}

#[test]
fn every_submission_vector_gets_its_expected_outcome() {
    let config = config();
    let doc = doc();
    let ctx = Context {
        now_ms: doc["now_ms"].as_u64().unwrap(),
        self_origin: None,
    };
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 40, "the vector file lost cases");
    let mut failures = Vec::new();
    for case in cases {
        let got = FormSubmission::from_json(&body(&doc, case)).and_then(|s| {
            s.check(
                &config,
                case["form"].as_str().unwrap(),
                &ctx,
                case["country"].as_str(),
            )
        });
        let got = match got {
            Ok(checked) => checked.outcome.as_str().to_string(),
            Err(e) => e.code().to_string(),
        };
        let want = case["expect"].as_str().unwrap();
        if got != want {
            failures.push(format!("{}: expected {want}, got {got}", case["name"]));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn emails_and_phones_normalise_as_the_vectors_say() {
    let doc = doc();
    for (list, f) in [
        ("emails", normalise_email as fn(&str) -> _),
        ("phones", |p| normalise_phone(p, None)),
    ] {
        for pair in doc[list].as_array().unwrap() {
            let (input, want) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
            let got = f(input).unwrap_or_else(|e| e.code().to_string());
            assert_eq!(got, want, "{list}: {input:?}");
        }
    }
}

/// National formats, read with a country (the edge's `phone-numbers`).
#[cfg(feature = "phone-numbers")]
#[test]
fn national_phone_numbers_are_read_with_their_country() {
    let doc = doc();
    for case in doc["phones_national"].as_array().unwrap() {
        let (input, country, want) = (
            case[0].as_str().unwrap(),
            case[1].as_str(),
            case[2].as_str().unwrap(),
        );
        let got = normalise_phone(input, country).unwrap_or_else(|e| e.code().to_string());
        assert_eq!(got, want, "{input:?} in {country:?}");
    }
}

#[test]
fn the_checked_identity_is_normalised_and_the_age_is_not_kept() {
    let config = config();
    let doc = doc();
    let ctx = Context {
        now_ms: doc["now_ms"].as_u64().unwrap(),
        self_origin: None,
    };
    let case = serde_json::json!({"set": {"age": 2012, "identity.parent_email": " Parent@Example.com", "identity.name": "  Ana   López "}});
    let checked = FormSubmission::from_json(&body(&doc, &case))
        .unwrap()
        .check(&config, "newsletter", &ctx, Some("DE"))
        .unwrap();
    assert_eq!(checked.outcome, Outcome::ParentalConsentRequired);
    assert_eq!(checked.age_of_consent, Some(16));
    assert_eq!(checked.identity.email, "ana@example.com");
    assert_eq!(
        checked.identity.parent_email.as_deref(),
        Some("parent@example.com")
    );
    assert_eq!(checked.identity.name.as_deref(), Some("Ana López"));
}

fn ids() -> (SiteId, SubjectId) {
    (
        SiteId::new("vectors").unwrap(),
        SubjectId::from_random_bytes([9; 16]),
    )
}

#[test]
fn the_commitment_depends_on_the_salt_and_every_field() {
    let id = IdentityInput {
        email: "ana@example.com".into(),
        ..Default::default()
    }
    .normalise(None)
    .unwrap();
    let same = IdentityInput {
        email: " ANA@example.com".into(),
        ..Default::default()
    }
    .normalise(None)
    .unwrap();
    let named = IdentityInput {
        email: "ana@example.com".into(),
        name: Some("Ana".into()),
        ..Default::default()
    }
    .normalise(None)
    .unwrap();
    assert_eq!(
        id.commitment(&[1; 32]),
        same.commitment(&[1; 32]),
        "one person, one commitment"
    );
    assert_ne!(
        id.commitment(&[1; 32]),
        id.commitment(&[2; 32]),
        "the salt unlinks"
    );
    assert_ne!(id.commitment(&[1; 32]), named.commitment(&[1; 32]));
}

#[test]
fn a_sealed_identity_opens_only_with_its_key_site_and_subject() {
    let (site, subject) = ids();
    let id = IdentityInput {
        email: "ana@example.com".into(),
        phone: Some("+442079460958".into()),
        ..Default::default()
    }
    .normalise(None)
    .unwrap();
    let (key, nonce) = ([3; 32], [4; 24]);
    let sealed = id.seal(&key, &nonce, &site, &subject);
    assert!(
        !sealed.windows(15).any(|w| w == b"ana@example.com"),
        "the plaintext leaked"
    );
    assert_eq!(
        assent_core::form::identity::Identity::open(&sealed, &key, &nonce, &site, &subject)
            .unwrap(),
        id
    );
    let open = |sealed: &[u8], key: &[u8; 32], site: &SiteId, subject: &SubjectId| {
        assent_core::form::identity::Identity::open(sealed, key, &nonce, site, subject)
            .unwrap_err()
            .code()
    };
    assert_eq!(
        open(&sealed, &[5; 32], &site, &subject),
        "vault_unreadable",
        "another key"
    );
    let other = SubjectId::from_random_bytes([8; 16]);
    assert_eq!(
        open(&sealed, &key, &site, &other),
        "vault_unreadable",
        "moved to another subject"
    );
    assert_eq!(
        open(&sealed, &key, &SiteId::new("other").unwrap(), &subject),
        "vault_unreadable",
        "another site"
    );
    let mut flipped = sealed.clone();
    flipped[3] ^= 1;
    assert_eq!(
        open(&flipped, &key, &site, &subject),
        "vault_unreadable",
        "a changed byte"
    );
}

#[test]
fn lookup_keys_are_per_site_and_secret() {
    let site = SiteId::new("vectors").unwrap();
    let a = lookup_key(b"secret-1", &site, "ana@example.com");
    assert_eq!(a.len(), 64);
    assert_eq!(a, lookup_key(b"secret-1", &site, "ana@example.com"));
    assert_ne!(a, lookup_key(b"secret-2", &site, "ana@example.com"));
    assert_ne!(
        a,
        lookup_key(
            b"secret-1",
            &SiteId::new("other").unwrap(),
            "ana@example.com"
        )
    );
}

// ---- the fold ----

fn record(
    n: u8,
    action: Action,
    offers: &[(&str, bool)],
    outcome: Outcome,
    answers: Option<&EventId>,
) -> StoredRecord {
    let doc = doc();
    let mut event: Value = doc["base"]["event"].clone();
    event["event_id"] = Value::String(EventId::from_random_bytes([n; 16]).to_string());
    event["form"]["offers"] = offers
        .iter()
        .map(|(k, v)| (k.to_string(), Value::Bool(*v)))
        .collect();
    let mut event = ConsentEvent::from_json(event.to_string().as_bytes()).unwrap();
    event.action = action;
    event.answers = answers.cloned();
    if answers.is_some() {
        event.ui.surface = Surface::Mail;
        event.ui.control = Control::Confirm;
    }
    StoredRecord::new(
        event,
        ServerFacts {
            received_at_ms: u64::from(n) * 1000,
            sec_gpc: false,
            country: None,
            regime: None,
        },
        None,
    )
    .with_form(FormFacts {
        identity: "c29tZQ==".into(),
        outcome,
        age_of_consent: None,
        readds: None,
        attested: None,
    })
}

const ALL_OFF: [(&str, bool); 3] = [
    ("email:news", false),
    ("sms:offers", false),
    ("post:catalogue", false),
];

fn offers(on: &[&str]) -> Vec<(&'static str, bool)> {
    ALL_OFF.iter().map(|(k, _)| (*k, on.contains(k))).collect()
}

#[test]
fn double_opt_in_pending_then_confirmed_grants_only_the_ticked_offer() {
    let submit = record(
        1,
        Action::Give,
        &offers(&["email:news"]),
        Outcome::Pending,
        None,
    );
    let state = fold([&submit]);
    assert_eq!(state["email:news"].state, OfferState::Pending);
    assert_eq!(state["sms:offers"].state, OfferState::Refused);
    let confirm = record(
        2,
        Action::Confirm,
        &offers(&["email:news"]),
        Outcome::Granted,
        Some(&submit.event.event_id),
    );
    let state = fold([&submit, &confirm]);
    assert_eq!(state["email:news"].state, OfferState::Granted);
    assert_eq!(state["email:news"].event_id, confirm.event.event_id);
    assert_eq!(state["sms:offers"].state, OfferState::Refused);
    assert_eq!(state["post:catalogue"].state, OfferState::Refused);
}

#[test]
fn an_expiry_closes_only_what_its_submission_left_waiting() {
    let first = record(
        1,
        Action::Give,
        &offers(&["email:news"]),
        Outcome::Pending,
        None,
    );
    let second = record(
        2,
        Action::Give,
        &offers(&["post:catalogue"]),
        Outcome::Pending,
        None,
    );
    let expire = record(
        3,
        Action::Expire,
        &offers(&["email:news"]),
        Outcome::Expired,
        Some(&first.event.event_id),
    );
    let state = fold([&first, &second, &expire]);
    assert_eq!(state["email:news"].state, OfferState::Expired);
    assert_eq!(
        state["post:catalogue"].state,
        OfferState::Pending,
        "the second submission still waits"
    );
    // A confirmation of the expired submission grants nothing.
    let late = record(
        4,
        Action::Confirm,
        &offers(&["email:news"]),
        Outcome::Granted,
        Some(&first.event.event_id),
    );
    assert_eq!(
        fold([&first, &second, &expire, &late])["email:news"].state,
        OfferState::Expired
    );
}

#[test]
fn an_unticked_box_later_is_not_a_withdrawal_but_a_withdrawal_is() {
    let submit = record(
        1,
        Action::Give,
        &offers(&["email:news"]),
        Outcome::Granted,
        None,
    );
    let again = record(
        2,
        Action::Give,
        &offers(&["post:catalogue"]),
        Outcome::Granted,
        None,
    );
    let state = fold([&submit, &again]);
    assert_eq!(
        state["email:news"].state,
        OfferState::Granted,
        "left unticked on a later form"
    );
    assert_eq!(state["post:catalogue"].state, OfferState::Granted);
    let withdraw = record(
        3,
        Action::Withdraw,
        &offers(&["post:catalogue"]),
        Outcome::Refused,
        None,
    );
    let state = fold([&submit, &again, &withdraw]);
    assert_eq!(state["email:news"].state, OfferState::Withdrawn);
    assert_eq!(
        state["post:catalogue"].state,
        OfferState::Granted,
        "kept ticked in the withdrawal"
    );
    assert_eq!(
        state["sms:offers"].state,
        OfferState::Refused,
        "never granted: nothing to withdraw"
    );
}

#[test]
fn under_age_waits_for_the_parent() {
    let submit = record(
        1,
        Action::Give,
        &offers(&["email:news"]),
        Outcome::ParentalConsentRequired,
        None,
    );
    assert_eq!(
        fold([&submit])["email:news"].state,
        OfferState::ParentalConsentRequired
    );
    let parent = record(
        2,
        Action::Confirm,
        &offers(&["email:news"]),
        Outcome::Granted,
        Some(&submit.event.event_id),
    );
    assert_eq!(
        fold([&submit, &parent])["email:news"].state,
        OfferState::Granted
    );
}

// ---- configuration rules ----

fn with_form(edit: impl Fn(&mut Value)) -> String {
    let mut site: Value = serde_json::from_str(SITE).unwrap();
    edit(&mut site);
    match SiteConfig::from_json(&site.to_string()) {
        Ok(_) => "ok".into(),
        Err(e) => format!("{}: {e}", e.code()),
    }
}

#[test]
fn a_bad_form_fails_the_configuration_with_its_reason() {
    assert_eq!(with_form(|_| {}), "ok");
    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Edit)> = vec![
        (
            "an SMS or phone offer needs the phone field",
            Box::new(|s| s["forms"][0]["fields"] = serde_json::json!({})),
        ),
        (
            "an offer names a purpose the form does not list",
            Box::new(|s| s["forms"][0]["offers"][0]["purpose"] = "spam".into()),
        ),
        (
            "two forms share this id",
            Box::new(|s| {
                let f = s["forms"][0].clone();
                s["forms"].as_array_mut().unwrap().push(f);
            }),
        ),
        (
            "age of digital consent must be within 13..=16",
            Box::new(|s| s["forms"][0]["age"]["countries"]["FR"] = 12.into()),
        ),
        (
            "alpha-2 codes",
            Box::new(|s| s["forms"][0]["age"]["countries"]["fra"] = 15.into()),
        ),
        (
            "an age rule needs double opt-in",
            Box::new(|s| s["forms"][0]["double_opt_in"] = false.into()),
        ),
        (
            "confirm_within_hours",
            Box::new(|s| s["forms"][0]["confirm_within_hours"] = 0.into()),
        ),
        (
            "has no offer",
            Box::new(|s| {
                s["forms"][0]["purposes"]
                    .as_array_mut()
                    .unwrap()
                    .push("extra".into())
            }),
        ),
        (
            "text_missing",
            Box::new(|s| {
                s["languages"]["de"]["forms"]["newsletter"]["offers"]
                    .as_object_mut()
                    .unwrap()
                    .remove("sms:offers");
            }),
        ),
        (
            "text_missing",
            Box::new(|s| s["languages"]["de"]["forms"]["newsletter"]["submit"] = " ".into()),
        ),
        (
            "text_missing",
            Box::new(|s| {
                s["languages"]["de"]
                    .as_object_mut()
                    .unwrap()
                    .remove("forms");
            }),
        ),
        (
            "which the form does not have",
            Box::new(|s| {
                s["languages"]["en"]["forms"]["newsletter"]["offers"]["email:spam"] = "Spam".into()
            }),
        ),
        (
            "texts for a form the site does not have",
            Box::new(|s| {
                let t = s["languages"]["en"]["forms"]["newsletter"].clone();
                s["languages"]["en"]["forms"]["other"] = t;
            }),
        ),
        (
            "form id \"News Letter\" is invalid",
            Box::new(|s| s["forms"][0]["id"] = "News Letter".into()),
        ),
    ];
    for (want, edit) in cases {
        let got = with_form(edit);
        assert!(got.contains(want), "expected {want:?}, got {got:?}");
    }
}

#[test]
fn every_text_and_choice_shown_is_in_the_form_notice_hash() {
    let base = config().form_notice("newsletter", "en").unwrap().hash();
    let hash = |edit: &dyn Fn(&mut Value)| {
        let mut site: Value = serde_json::from_str(SITE).unwrap();
        edit(&mut site);
        SiteConfig::from_json(&site.to_string())
            .unwrap()
            .form_notice("newsletter", "en")
            .unwrap()
            .hash()
    };
    assert_ne!(
        base,
        hash(
            &|s| s["languages"]["en"]["forms"]["newsletter"]["offers"]["sms:offers"] =
                "Text me".into()
        )
    );
    assert_ne!(
        base,
        hash(&|s| s["languages"]["en"]["forms"]["newsletter"]["privacy_notice"] = "Other".into())
    );
    assert_ne!(
        base,
        hash(&|s| s["forms"][0]["fields"]["name"] = "required".into())
    );
    assert_ne!(
        base,
        hash(&|s| s["forms"][0]["confirm_within_hours"] = 24.into())
    );
    assert_ne!(
        base,
        hash(&|s| s["controller"]["name"] = "Someone else".into())
    );
    assert_eq!(
        base,
        hash(&|s| s["languages"]["de"]["forms"]["newsletter"]["submit"] = "Los".into()),
        "another language's text"
    );
}
