//! A first visit's plan against the engine: each planned event, with the
//! page's own fields added as the loader adds them, is the very event the
//! engine writes for that button (and one core accepts); what may run and
//! which signals are granted are the engine's answers after it. Runs
//! natively and as wasm in Chromium, like the engine's tests.

mod common;

use assent_core::event::{Control, Surface};
use assent_widget::engine::{Engine, Moment};
use assent_widget::notice::Notice;
use assent_widget::plan::{first_visit, of_answer, Plan, CONTROLS};
use common::{accepted_by_core, config, NOW, ORIGIN};
use serde_json::{json, Value};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn plan(lang: &str) -> (Plan, Engine) {
    let answer = config().config_answer([lang]);
    let plan = of_answer(&answer).unwrap();
    let engine = Engine::new("vectors", ORIGIN, Notice::of(&answer), false).unwrap();
    (plan, engine)
}

fn with_gpc(engine: &Engine) -> Engine {
    Engine::new("vectors", ORIGIN, engine.notice().clone(), true).unwrap()
}

/// The planned event with the page's own fields, as the loader fills them
/// in (widget/loader/state.js) from the engine's event for the same moment.
fn filled(planned: &str, engine_event: &Value) -> Value {
    let mut event: Value = serde_json::from_str(planned).unwrap();
    for field in ["event_id", "subject", "client_time_ms", "gpc", "page"] {
        assert!(
            event.get(field).is_none(),
            "{field} is the page's, not the plan's"
        );
        event[field] = engine_event[field].clone();
    }
    event
}

#[test]
fn each_planned_event_is_the_event_the_engine_writes_for_its_button() {
    for lang in ["en", "de"] {
        let (plan, engine) = plan(lang);
        assert_eq!(plan.choices.len(), 2);
        for (planned, control) in plan.choices.iter().zip(CONTROLS) {
            assert_eq!(planned.control, control);
            let moment = Moment {
                now_ms: NOW,
                random: &[9; 32],
                path: "/news",
            };
            let written = engine.clone().act(control, Surface::Banner, moment);
            let written: Value = serde_json::from_str(&written).unwrap();
            assert_eq!(
                filled(&planned.event, &written),
                written,
                "{lang} {control:?}"
            );
            accepted_by_core(&planned_with_page(&planned.event));
        }
    }
}

/// A planned event completed by hand, as a page would: core takes it.
fn planned_with_page(planned: &str) -> String {
    let mut event: Value = serde_json::from_str(planned).unwrap();
    event["event_id"] = json!("3f1c2a4e-9b7d-4c1e-8a2b-0c9d8e7f6a5b");
    event["subject"] = json!("01930c6a-3b80-7c1e-8a2b-0c9d8e7f6a5b");
    event["client_time_ms"] = json!(NOW as u64);
    // Without GPC: under it the plan is not used where it would matter
    // (core refuses `gpc_conflict`, `the_plan_says_when_gpc_would_change_a_choice`).
    event["gpc"] = json!(false);
    event["page"] = json!({"origin": ORIGIN, "path": "/"});
    event.to_string()
}

/// `engine` after "Accept all" on the banner.
fn accepted_all(engine: &Engine) -> Engine {
    let mut after = engine.clone();
    let moment = Moment {
        now_ms: NOW,
        random: &[1; 32],
        path: "/",
    };
    after.act(Control::AcceptAll, Surface::Banner, moment);
    after
}

#[test]
fn what_may_run_and_each_signal_are_the_engines_answers_before_and_after() {
    let (plan, engine) = plan("en");
    assert_eq!(plan.before, engine.runs());
    assert_eq!(
        plan.before,
        ["necessary", "necessary session"],
        "required purposes only"
    );
    let accept = &plan.choices[0];
    let after = accepted_all(&engine);
    assert_eq!(accept.run, after.runs());
    assert!(
        accept.run.iter().any(|k| k == "marketing ads"),
        "{:?}",
        accept.run
    );
    assert_eq!(
        accept.granted,
        [
            "ad_storage",
            "ad_user_data",
            "ad_personalization",
            "analytics_storage",
            "security_storage"
        ],
        "the site's mapped signals, in core's order; the unmapped stay denied"
    );
    let reject = &plan.choices[1];
    assert_eq!(reject.run, plan.before);
    assert_eq!(reject.granted, ["security_storage"]);
}

#[test]
fn every_key_that_may_run_is_accepted_and_nothing_else_is() {
    let (plan, engine) = plan("en");
    let after = accepted_all(&engine);
    let notice = after.notice().clone();
    for p in &notice.purposes {
        let listed = plan.choices[0].run.contains(&p.id);
        assert_eq!(listed, after.accepted(&p.id, None), "{}", p.id);
        for s in p.services.iter().map(String::as_str).chain(["unlisted"]) {
            let key = format!("{} {s}", p.id);
            assert_eq!(
                plan.choices[0].run.contains(&key),
                after.accepted(&p.id, Some(s)),
                "{key}"
            );
        }
    }
}

#[test]
fn under_gpc_the_plan_holds_the_choices_gpc_changes_as_the_engine_makes_them() {
    let (plan, engine) = plan("en");
    assert!(
        engine.notice().purposes.iter().any(|p| p.sale_or_sharing),
        "the vectors' site sells or shares"
    );
    let gpc = with_gpc(&engine);
    assert_eq!(
        plan.gpc.len(),
        1,
        "only 'Accept all' differs: {:?}",
        plan.gpc
    );
    let accept = &plan.gpc[0];
    assert_eq!(accept.control, Control::AcceptAll);
    let moment = Moment {
        now_ms: NOW,
        random: &[9; 32],
        path: "/news",
    };
    let mut after = gpc.clone();
    let written: Value =
        serde_json::from_str(&after.act(Control::AcceptAll, Surface::Banner, moment)).unwrap();
    assert_eq!(written["gpc"], json!(true));
    assert_eq!(filled(&accept.event, &written), written);
    assert_eq!(accept.run, after.runs());
    assert_ne!(accept.run, plan.choices[0].run, "sale or sharing stays off");
    assert!(
        !accept.granted.contains(&"ad_storage"),
        "{:?}",
        accept.granted
    );

    // A notice without sale or sharing: GPC changes nothing, and the plan says so.
    let mut notice = engine.notice().clone();
    for p in &mut notice.purposes {
        p.sale_or_sharing = false;
    }
    let plain = first_visit("vectors", notice.clone(), &Default::default()).unwrap();
    assert!(plain.gpc.is_empty());
    notice
        .purposes
        .iter_mut()
        .find(|p| !p.required)
        .unwrap()
        .sale_or_sharing = true;
    assert_eq!(
        first_visit("vectors", notice, &Default::default())
            .unwrap()
            .gpc
            .len(),
        1
    );
}

#[test]
fn the_plan_as_the_answer_carries_it() {
    let (plan, _) = plan("en");
    let value: Value = serde_json::from_str(&plan.to_json()).unwrap();
    assert_eq!(value["before"], json!(plan.before));
    for (key, choices) in [("choices", &plan.choices), ("gpc", &plan.gpc)] {
        for c in choices {
            let member = &value[key][c.control.as_str()];
            assert_eq!(
                member["event"],
                serde_json::from_str::<Value>(&c.event).unwrap()
            );
            assert_eq!(member["run"], json!(c.run));
            assert_eq!(member["granted"], json!(c.granted));
        }
        assert_eq!(value[key].as_object().unwrap().len(), choices.len());
    }
    assert_eq!(value.as_object().unwrap().len(), 3);
}
