//! Golden vectors: the same file is checked natively (`cargo test`) and in
//! Chromium (`cargo test --target wasm32-unknown-unknown`), so the widget's and
//! the edge's build of core agree with each other and with the file.

use assent_core::config::SiteConfig;
use assent_core::event::{ConsentEvent, Context};
use serde_json::Value;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const SITE: &str = include_str!("vectors/site.json");
const EVENTS: &str = include_str!("vectors/events.json");

fn outcome(config: &SiteConfig, now_ms: u64, case: &Value) -> String {
    let body = match case.get("raw") {
        Some(raw) => raw.as_str().unwrap().as_bytes().to_vec(),
        None => serde_json::to_vec(&case["event"]).unwrap(),
    };
    let ctx = Context {
        now_ms,
        self_origin: None,
    };
    match ConsentEvent::from_json(&body).and_then(|e| e.validate(config, &ctx)) {
        Ok(()) => "ok".to_string(),
        Err(e) => e.code().to_string(),
    }
}

#[test]
fn every_event_vector_gets_its_expected_code() {
    let config = SiteConfig::from_json(SITE).unwrap();
    let doc: Value = serde_json::from_str(EVENTS).unwrap();
    let now_ms = doc["now_ms"].as_u64().unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 30, "the vector file lost cases");
    let mut failures = Vec::new();
    for case in cases {
        let got = outcome(&config, now_ms, case);
        let want = case["expect"].as_str().unwrap();
        if got != want {
            failures.push(format!("{}: expected {want}, got {got}", case["name"]));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn notice_hashes_match_the_vectors() {
    let config = SiteConfig::from_json(SITE).unwrap();
    let doc: Value = serde_json::from_str(EVENTS).unwrap();
    for (lang, hash) in doc["notice_hashes"].as_object().unwrap() {
        assert_eq!(
            config.notice(lang).unwrap().hash(),
            hash.as_str().unwrap(),
            "{lang}"
        );
    }
}

#[test]
fn a_valid_event_survives_a_json_round_trip() {
    let doc: Value = serde_json::from_str(EVENTS).unwrap();
    let event =
        ConsentEvent::from_json(&serde_json::to_vec(&doc["cases"][0]["event"]).unwrap()).unwrap();
    let again = ConsentEvent::from_json(&serde_json::to_vec(&event).unwrap()).unwrap();
    assert_eq!(event, again);
}

/// The edge's own controls (a confirmation by the mailed link, by the code
/// texted to a phone, a parent's) are refused from a client's banner event.
#[cfg(feature = "std")]
#[test]
fn a_banner_event_with_an_edge_control_is_refused() {
    let config = SiteConfig::from_json(SITE).unwrap();
    let doc: Value = serde_json::from_str(EVENTS).unwrap();
    let now_ms = doc["now_ms"].as_u64().unwrap();
    for control in ["confirm", "parent_confirm", "phone_confirm"] {
        let mut case = doc["cases"][0].clone();
        case["event"]["ui"]["control"] = control.into();
        assert_eq!(
            outcome(&config, now_ms, &case),
            "surface_mismatch",
            "{control}"
        );
    }
}

/// What the loader writes in JavaScript rather than ask the engine (a first
/// visit fetches none, `assent_widget::plan`): how the outbox reads each
/// status (`api::outcome`) and the ids a page draws (`EventId`,
/// `SubjectId::drawn`). `vectors/client.json` holds core's answers, and
/// `tests/loader/client.test.mjs` holds the loader to the same file.
#[test]
fn the_client_vectors_are_cores_answers() {
    use assent_core::api::outcome;
    use assent_core::ids::{EventId, SubjectId};
    let doc: Value = serde_json::from_str(include_str!("vectors/client.json")).unwrap();
    let outcomes: Vec<u8> = (0..600).map(|s| outcome(s) as u8).collect();
    assert_eq!(
        doc["outcomes"],
        serde_json::json!(outcomes),
        "outcome(0..600)"
    );
    let ids = doc["ids"].as_array().unwrap();
    assert!(ids.len() >= 4, "the vector file lost cases");
    for case in ids {
        let hex = case["bytes"].as_str().unwrap();
        let mut bytes = [0u8; 16];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
        }
        let id = match case["ms"].as_u64() {
            Some(ms) => SubjectId::drawn(ms, bytes).as_str().to_string(),
            None => EventId::from_random_bytes(bytes).as_str().to_string(),
        };
        assert_eq!(case["uuid"], id, "{case}");
    }
}
