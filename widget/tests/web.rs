//! The widget's pieces in real Chromium (`wasm-bindgen-test-runner`): the
//! notice core serves reads back field for field, the HTML is safe and fair,
//! and the events it writes are events core accepts.
#![cfg(target_arch = "wasm32")]

use assent_core::config::SiteConfig;
use assent_core::event::{Action, ConsentEvent, Context, Control, Surface};
use assent_widget::consent::granted;
use assent_widget::notice::NoticeView;
use assent_widget::storage::{decisions_from_js, Choice, Store};
use assent_widget::{event_object, js, ui, Consent, Delivery};
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

/// What the loader does on "Save choices": reads the switches as `{id: bool}`.
fn read_switches(panel: &web_sys::Element, v: &NoticeView) -> Consent {
    let read = |attr: &str| {
        let inputs = panel.query_selector_all(&format!("input[{attr}]")).unwrap();
        let o = js::object();
        for i in 0..inputs.length() {
            let input: web_sys::HtmlInputElement =
                wasm_bindgen::JsCast::unchecked_into(inputs.get(i).unwrap());
            js::set(
                &o,
                &input.get_attribute(attr).unwrap(),
                &input.checked().into(),
            );
        }
        decisions_from_js(&o)
    };
    Consent::from_switches(v, &read("data-purpose"), &read("data-service"))
}

/// A choice on the vectors site: necessary, analytics, marketing; matomo, ads.
fn consent(purposes: [bool; 3], services: [bool; 2]) -> Consent {
    let ids = |names: &[&str], on: &[bool]| -> Vec<(String, bool)> {
        names
            .iter()
            .map(|n| n.to_string())
            .zip(on.iter().copied())
            .collect()
    };
    Consent {
        purposes: ids(&["necessary", "analytics", "marketing"], &purposes),
        services: ids(&["matomo", "ads"], &services),
    }
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
    assert_eq!(v.purposes[1].services[0].id, "matomo");
    assert_eq!(
        v.purposes[1].services[0].label,
        "Matomo (Vector Test Ltd (self-hosted))"
    );
    assert!(v.purposes[2].sale_or_sharing && !v.purposes[1].sale_or_sharing);
}

#[wasm_bindgen_test]
fn a_config_answer_without_a_notice_is_refused() {
    assert!(NoticeView::from_config(&js::parse("{}")).is_err());
    assert!(NoticeView::from_config(&JsValue::NULL).is_err());
}

#[wasm_bindgen_test]
fn the_banner_offers_three_equal_buttons_in_order() {
    let banner = container(&ui::banner_html(&view("en"), false));
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
    let banner = container(&ui::banner_html(&v, false));
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
    let panel = container(&ui::panel_html(&v, None, false));
    let switches = read_switches(&panel, &v);
    assert_eq!(switches, Consent::all(&v, false, false));
    assert_eq!(
        switches.purposes,
        vec![
            ("necessary".into(), true),
            ("analytics".into(), false),
            ("marketing".into(), false)
        ]
    );
    assert_eq!(
        panel
            .query_selector_all("input[data-service]:checked")
            .unwrap()
            .length(),
        0
    );
    assert!(
        panel
            .query_selector("[data-act=withdraw_all]")
            .unwrap()
            .is_none(),
        "nothing to withdraw on a first visit"
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
    // Both optional purposes granted, but the advertising service refused.
    let current = consent([true, true, true], [true, false]);
    let panel = container(&ui::panel_html(&v, Some(&current), false));
    assert_eq!(read_switches(&panel, &v), current);
    assert!(
        panel
            .query_selector("[data-act=withdraw_all]")
            .unwrap()
            .is_some(),
        "withdrawal is offered once something is granted"
    );
}

#[wasm_bindgen_test]
fn a_service_never_counts_while_its_purpose_is_off() {
    let v = view("en");
    let panel = container(&ui::panel_html(&v, None, false));
    // A service switch ticked under a purpose left off (the loader would tick
    // the purpose too; without it the service must not count).
    let ads: web_sys::HtmlInputElement = wasm_bindgen::JsCast::unchecked_into(
        panel
            .query_selector("input[data-service=ads]")
            .unwrap()
            .unwrap(),
    );
    ads.set_checked(true);
    let c = read_switches(&panel, &v);
    assert!(!c.accepts(&v, "marketing", Some("ads")));
    assert!(!granted(&c.services, "ads"));
}

#[wasm_bindgen_test]
fn accepted_answers_per_purpose_and_service() {
    let v = view("en");
    let none = Consent::all(&v, false, false);
    assert!(
        none.accepts(&v, "necessary", None),
        "required purposes always run"
    );
    assert!(none.accepts(&v, "necessary", Some("session")));
    assert!(!none.accepts(&v, "analytics", None));
    assert!(
        !none.accepts(&v, "nope", None),
        "unknown purposes never run"
    );
    let embed = none.allow(&v, "analytics", Some("matomo"));
    assert!(embed.accepts(&v, "analytics", Some("matomo")));
    let all = Consent::all(&v, true, false);
    assert!(all.accepts(&v, "marketing", Some("ads")));
    let gpc = Consent::all(&v, true, true);
    assert!(gpc.accepts(&v, "analytics", None));
    assert!(
        !gpc.accepts(&v, "marketing", None),
        "GPC opts out of sale/sharing"
    );
}

#[wasm_bindgen_test]
fn a_refused_service_stays_refused_and_closes_its_purpose_to_untagged_code() {
    let v = view("en");
    let c = consent([true, true, false], [false, false]);
    assert!(c.purpose("analytics"), "the purpose itself is granted");
    assert!(
        !c.accepts(&v, "analytics", None),
        "code tagged only with the purpose could be matomo"
    );
    assert!(!c.accepts(&v, "analytics", Some("matomo")));
    assert!(
        !c.accepts(&v, "analytics", Some("typo")),
        "unknown services never run"
    );
    // The site's own UI sets analytics again: matomo stays refused.
    let again = c.with_purpose(&v, "analytics", true);
    assert!(!again.accepts(&v, "analytics", Some("matomo")));
    // Switched on from off, a purpose brings its services.
    let ads = c.with_purpose(&v, "marketing", true);
    assert!(ads.accepts(&v, "marketing", Some("ads")));
    // Allowing one embed opens that service only.
    let embed = c.allow(&v, "marketing", Some("ads"));
    assert!(embed.accepts(&v, "marketing", Some("ads")));
    // An embed tagged only with a purpose whose service was refused: its
    // "allow" opens the whole purpose, or the placeholder could never load.
    let whole = c.allow(&v, "analytics", None);
    assert!(whole.accepts(&v, "analytics", None));
    assert_ne!(whole, c);
}

#[wasm_bindgen_test]
fn the_gpc_note_shows_only_when_gpc_changes_something() {
    let v = view("en");
    let note = |gpc| {
        container(&ui::banner_html(&v, gpc))
            .query_selector(".gpc")
            .unwrap()
    };
    assert!(note(false).is_none());
    assert_eq!(
        note(true).unwrap().text_content().unwrap(),
        v.text("gpc_honoured")
    );
}

fn event_for(v: &NoticeView, control: Control, consent: &Consent, had: bool) -> (JsValue, Action) {
    event_with(v, Surface::Banner, control, consent, had, false)
}

fn event_with(
    v: &NoticeView,
    surface: Surface,
    control: Control,
    consent: &Consent,
    had: bool,
    gpc: bool,
) -> (JsValue, Action) {
    let action = Action::for_change(had, consent.grants_optional(v));
    let event = event_object(
        v,
        "vectors",
        "0b6f3c52-7a1e-4d2b-9c4f-1e2d3c4b5a69",
        "5d1f9e2a-3b4c-4d5e-8f60-718293a4b5c6",
        action,
        consent,
        surface,
        control,
        1_795_000_000_000.0,
        gpc,
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
        let none = Consent::all(&v, false, false);
        let (b, p, e, a) = (
            Surface::Banner,
            Surface::Preferences,
            Surface::Embed,
            Surface::Api,
        );
        let cases = [
            (
                b,
                Control::AcceptAll,
                Consent::all(&v, true, false),
                false,
                false,
                Action::Give,
            ),
            (
                b,
                Control::AcceptAll,
                Consent::all(&v, true, true),
                false,
                true,
                Action::Give,
            ),
            (
                b,
                Control::RejectAll,
                none.clone(),
                false,
                false,
                Action::Refuse,
            ),
            (
                b,
                Control::RejectAll,
                none.clone(),
                true,
                false,
                Action::Withdraw,
            ),
            (
                p,
                Control::WithdrawAll,
                none.clone(),
                true,
                true,
                Action::Withdraw,
            ),
            (
                p,
                Control::Save,
                none.with_purpose(&v, "analytics", true),
                true,
                false,
                Action::Update,
            ),
            (
                p,
                Control::Save,
                none.with_purpose(&v, "marketing", true),
                false,
                true,
                Action::Give,
            ),
            (
                e,
                Control::AllowEmbed,
                none.allow(&v, "marketing", Some("ads")),
                false,
                true,
                Action::Give,
            ),
            (
                a,
                Control::Api,
                none.with_purpose(&v, "analytics", true),
                false,
                true,
                Action::Give,
            ),
        ];
        for (surface, control, consent, had, gpc, expected) in cases {
            let (event, action) = event_with(&v, surface, control, &consent, had, gpc);
            assert_eq!(action, expected);
            let json = js::stringify(&event).unwrap();
            let parsed = ConsentEvent::from_json(json.as_bytes()).unwrap();
            parsed.validate(&c, &ctx).unwrap();
            assert_eq!(parsed.notice.hash, c.notice(lang).unwrap().hash());
            assert_eq!(
                parsed.decisions.get("analytics").copied(),
                Some(granted(&consent.purposes, "analytics"))
            );
            assert_eq!(
                parsed.services.get("ads").copied(),
                Some(granted(&consent.services, "ads"))
            );
        }
    }
}

#[wasm_bindgen_test]
fn the_stored_choice_is_the_latest_event() {
    let v = view("en");
    let (event, _) = event_for(
        &v,
        Control::AcceptAll,
        &Consent::all(&v, true, false),
        false,
    );
    let store = Store::in_memory("vectors");
    assert!(store.choice().is_none());
    store.save_choice(&event);
    let choice: Choice = store.choice().unwrap();
    assert_eq!(choice.subject, "5d1f9e2a-3b4c-4d5e-8f60-718293a4b5c6");
    assert_eq!(choice.notice_version, v.version);
    assert!(choice.consent.accepts(&v, "marketing", Some("ads")));
}

#[wasm_bindgen_test]
fn the_outbox_keeps_events_until_removed() {
    let v = view("en");
    let store = Store::in_memory("vectors-outbox");
    let (a, _) = event_for(
        &v,
        Control::AcceptAll,
        &Consent::all(&v, true, false),
        false,
    );
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
    let (event, _) = event_for(
        &v,
        Control::RejectAll,
        &Consent::all(&v, false, false),
        false,
    );
    let store = Store::open("vectors-local");
    assert!(
        store.is_persistent(),
        "Chromium gives this page localStorage"
    );
    store.save_choice(&event);
    let again = Store::open("vectors-local");
    assert!(!again
        .choice()
        .unwrap()
        .consent
        .accepts(&v, "analytics", None));
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
