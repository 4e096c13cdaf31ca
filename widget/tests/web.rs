//! The widget's pieces in real Chromium (`wasm-bindgen-test-runner`): the
//! notice core serves reads back field for field, the HTML is safe and fair,
//! and the events it writes are events core accepts.
#![cfg(target_arch = "wasm32")]

use assent_core::config::SiteConfig;
use assent_core::event::{Action, ConsentEvent, Context, Control, Surface};
use assent_widget::notice::NoticeView;
use assent_widget::storage::{Choice, Store};
use assent_widget::{decisions_for, event_object, grants_optional, js, ui, Decisions, Delivery};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const SITE: &str = include_str!("../../core/tests/vectors/site.json");

fn config() -> SiteConfig {
    SiteConfig::from_json(SITE).unwrap()
}

/// The edge's config answer, built with core exactly as the edge builds it.
fn config_answer(config: &SiteConfig, lang: &str) -> JsValue {
    let answer = config.config_answer([lang]);
    assert_eq!(answer.language, lang);
    js::parse(&serde_json::to_string(&answer).unwrap())
}

fn view(lang: &str) -> NoticeView {
    NoticeView::from_config(&config_answer(&config(), lang)).unwrap()
}

fn container(html: &str) -> web_sys::Element {
    let doc = web_sys::window().unwrap().document().unwrap();
    let div = doc.create_element("div").unwrap();
    div.set_inner_html(html);
    div
}

#[wasm_bindgen_test]
fn the_notice_reads_back_field_for_field() {
    let c = config();
    let core = c.notice("de").unwrap();
    let v = view("de");
    assert_eq!(v.version, c.notice_version);
    assert_eq!(v.language, "de");
    assert_eq!(v.hash, core.hash());
    assert_eq!(v.lifetime_days, 182.0);
    assert_eq!(v.text("reject_all"), core.texts.reject_all);
    assert_eq!(v.purposes.len(), core.purposes.len());
    for (w, p) in v.purposes.iter().zip(&core.purposes) {
        assert_eq!(
            (w.id.as_str(), w.required, w.name.as_str()),
            (p.id.as_str(), p.required, p.name.as_str())
        );
    }
    assert_eq!(
        v.purposes[1].services,
        vec!["Matomo (Vector Test Ltd (self-hosted))".to_string()]
    );
}

#[wasm_bindgen_test]
fn a_config_answer_without_a_notice_is_refused() {
    assert!(NoticeView::from_config(&js::parse("{}")).is_err());
    assert!(NoticeView::from_config(&JsValue::NULL).is_err());
}

#[wasm_bindgen_test]
fn the_banner_offers_three_equal_buttons_in_order() {
    let banner = container(&ui::banner_html(&view("en")));
    let buttons = banner.query_selector_all("button").unwrap();
    let mut seen = Vec::new();
    for i in 0..buttons.length() {
        let b: web_sys::Element = wasm_bindgen::JsCast::unchecked_into(buttons.get(i).unwrap());
        seen.push((
            b.get_attribute("data-act").unwrap(),
            b.class_name(),
            b.text_content().unwrap(),
        ));
    }
    assert_eq!(
        seen,
        vec![
            ("accept_all".into(), "btn".into(), "Accept all".into()),
            ("reject_all".into(), "btn".into(), "Reject all".into()),
            ("customise".into(), "btn".into(), "Customise".into()),
        ]
    );
}

#[wasm_bindgen_test]
fn texts_are_escaped_never_markup() {
    let mut c = config();
    let en = c.languages.get_mut("en").unwrap();
    en.ui.title = "<img src=x onerror=alert(1)> & \"quotes\"".into();
    let v = NoticeView::from_config(&config_answer(&c, "en")).unwrap();
    let banner = container(&ui::banner_html(&v));
    assert!(
        banner.query_selector("img").unwrap().is_none(),
        "a text became markup"
    );
    let title = banner.query_selector("h2").unwrap().unwrap();
    assert_eq!(
        title.text_content().unwrap(),
        "<img src=x onerror=alert(1)> & \"quotes\""
    );
}

#[wasm_bindgen_test]
fn the_panel_ticks_nothing_optional_on_a_first_visit() {
    let v = view("en");
    let panel = container(&ui::panel_html(&v, None));
    let switches = ui::read_switches(&panel).unwrap();
    assert_eq!(
        switches,
        vec![
            ("necessary".into(), true),
            ("analytics".into(), false),
            ("marketing".into(), false)
        ]
    );
    let required = panel
        .query_selector("input[data-purpose=necessary]")
        .unwrap()
        .unwrap();
    assert!(
        required.has_attribute("disabled"),
        "a required purpose must be locked"
    );
    assert_eq!(
        panel
            .query_selector("[role=dialog]")
            .unwrap()
            .unwrap()
            .get_attribute("aria-modal")
            .as_deref(),
        Some("true")
    );
}

#[wasm_bindgen_test]
fn the_panel_shows_the_current_choice() {
    let v = view("en");
    let current: Decisions = vec![
        ("necessary".into(), true),
        ("analytics".into(), false),
        ("marketing".into(), true),
    ];
    let panel = container(&ui::panel_html(&v, Some(&current)));
    assert_eq!(ui::read_switches(&panel).unwrap(), current);
}

fn event_for(
    v: &NoticeView,
    control: Control,
    decisions: &Decisions,
    had: bool,
) -> (JsValue, Action) {
    let action = Action::for_change(had, grants_optional(v, decisions));
    let event = event_object(
        v,
        "vectors",
        "0b6f3c52-7a1e-4d2b-9c4f-1e2d3c4b5a69",
        "5d1f9e2a-3b4c-4d5e-8f60-718293a4b5c6",
        action,
        decisions,
        Surface::Banner,
        control,
        1_795_000_000_000.0,
        false,
        "https://vectors.example",
        "/news",
    );
    (event, action)
}

#[wasm_bindgen_test]
fn every_event_the_widget_writes_is_one_core_accepts() {
    let c = config();
    let ctx = Context {
        now_ms: 1_795_000_000_500,
        self_origin: None,
    };
    for lang in ["en", "de"] {
        let v = view(lang);
        let cases = [
            (
                Control::AcceptAll,
                decisions_for(&v, true),
                false,
                Action::Give,
            ),
            (
                Control::RejectAll,
                decisions_for(&v, false),
                false,
                Action::Refuse,
            ),
            (
                Control::RejectAll,
                decisions_for(&v, false),
                true,
                Action::Withdraw,
            ),
            (
                Control::Save,
                vec![
                    ("necessary".into(), true),
                    ("analytics".into(), true),
                    ("marketing".into(), false),
                ],
                true,
                Action::Update,
            ),
        ];
        for (control, decisions, had, expected) in cases {
            let (event, action) = event_for(&v, control, &decisions, had);
            assert_eq!(action, expected);
            let json = js::stringify(&event).unwrap();
            let parsed = ConsentEvent::from_json(json.as_bytes()).unwrap();
            parsed.validate(&c, &ctx).unwrap();
            assert_eq!(parsed.notice.hash, c.notice(lang).unwrap().hash());
            assert_eq!(
                parsed.decisions.get("analytics").copied(),
                Some(assent_widget::granted(&decisions, "analytics"))
            );
        }
    }
}

#[wasm_bindgen_test]
fn the_stored_choice_is_the_latest_event() {
    let v = view("en");
    let (event, _) = event_for(&v, Control::AcceptAll, &decisions_for(&v, true), false);
    let store = Store::in_memory("vectors");
    assert!(store.choice().is_none());
    store.save_choice(&event);
    let choice: Choice = store.choice().unwrap();
    assert_eq!(choice.subject, "5d1f9e2a-3b4c-4d5e-8f60-718293a4b5c6");
    assert_eq!(choice.notice_version, v.version);
    assert!(assent_widget::granted(&choice.decisions, "marketing"));
}

#[wasm_bindgen_test]
fn the_outbox_keeps_events_until_removed() {
    let v = view("en");
    let store = Store::in_memory("vectors-outbox");
    let (a, _) = event_for(&v, Control::AcceptAll, &decisions_for(&v, true), false);
    let b = js::parse(&js::stringify(&a).unwrap().replace("0b6f3c52", "1b6f3c52"));
    store.push_outbox(&a);
    store.push_outbox(&b);
    assert_eq!(store.outbox().length(), 2);
    store.remove_outbox("0b6f3c52-7a1e-4d2b-9c4f-1e2d3c4b5a69");
    let rest = store.outbox();
    assert_eq!(rest.length(), 1);
    assert_eq!(
        js::string(&rest.get(0), "event_id"),
        "1b6f3c52-7a1e-4d2b-9c4f-1e2d3c4b5a69"
    );
}

#[wasm_bindgen_test]
fn local_storage_round_trips_and_survives_a_new_store() {
    let v = view("en");
    let (event, _) = event_for(&v, Control::RejectAll, &decisions_for(&v, false), false);
    let store = Store::open("vectors-local");
    assert!(
        store.is_persistent(),
        "Chromium gives this page localStorage"
    );
    store.save_choice(&event);
    let again = Store::open("vectors-local");
    assert!(!assent_widget::granted(
        &again.choice().unwrap().decisions,
        "analytics"
    ));
}

#[wasm_bindgen_test]
fn edge_answers_are_classified_for_the_outbox() {
    assert_eq!(Delivery::from_status(201), Delivery::Acknowledged);
    assert_eq!(Delivery::from_status(200), Delivery::Acknowledged);
    assert_eq!(Delivery::from_status(400), Delivery::Rejected);
    assert_eq!(Delivery::from_status(413), Delivery::Rejected);
    assert_eq!(Delivery::from_status(429), Delivery::Retry);
    assert_eq!(Delivery::from_status(500), Delivery::Retry);
    assert_eq!(Delivery::from_status(503), Delivery::Retry);
    assert_eq!(Delivery::from_status(0), Delivery::Retry, "network failure");
}
