//! The consent engine against core: every event it writes is one core
//! accepts for the site, and its rules (per service, GPC, embeds, the site's
//! own calls, re-consent) hold. Each test runs twice: natively under `cargo
//! test`, and as the shipped wasm in Chromium under `wasm-bindgen-test`.

mod common;

use assent_core::event::{Action, ConsentEvent, Control, Surface};
use assent_widget::engine::{Choice, Engine, Moment};
use assent_widget::notice::Notice;
use assent_widget::Consent;
use common::{accepted_by_core, config, NOW, ORIGIN};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const DAY: f64 = 86_400_000.0;

/// The notice as the loader hands it over: from the edge's config answer,
/// built with core exactly as the edge builds it.
fn notice(lang: &str) -> Notice {
    let answer = config().config_answer([lang]);
    assert_eq!(answer.language, lang);
    Notice::of(&answer)
}

fn engine(gpc: bool) -> Engine {
    Engine::new("vectors", ORIGIN, notice("en"), gpc).unwrap()
}

fn at(now_ms: f64, seed: u8) -> Moment<'static> {
    let random: &'static [u8] = match seed {
        0 => &[0; 32],
        1 => &[1; 32],
        2 => &[2; 32],
        _ => &[3; 32],
    };
    Moment {
        now_ms,
        random,
        path: "/news",
    }
}

fn decisions(pairs: &[(&str, bool)]) -> Vec<(String, bool)> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[test]
fn an_incomplete_notice_starts_nothing() {
    let mut n = notice("en");
    n.purposes.clear();
    assert!(Engine::new("vectors", ORIGIN, n, false).is_none());
    let mut n = notice("en");
    n.hash.clear();
    assert!(Engine::new("vectors", ORIGIN, n, false).is_none());
}

#[test]
fn every_event_the_engine_writes_is_one_core_accepts() {
    for lang in ["en", "de"] {
        let mut e = Engine::new("vectors", ORIGIN, notice(lang), false).unwrap();
        let mut actions = Vec::new();
        let mut record = |json: String| {
            let event = accepted_by_core(&json);
            assert_eq!(event.notice.hash, config().notice(lang).unwrap().hash());
            assert_eq!(event.page.path, "/news");
            actions.push(event.action);
            event
        };
        let first = record(e.act(Control::RejectAll, Surface::Banner, at(NOW, 0)));
        assert_eq!(first.ui.surface, Surface::Banner);
        record(e.save(&decisions(&[("analytics", true)]), &[], at(NOW, 1)));
        record(e.allow("marketing", Some("ads"), at(NOW, 2)).unwrap());
        record(
            e.set(&decisions(&[("analytics", false)]), at(NOW, 3))
                .unwrap(),
        );
        let last = record(e.act(Control::WithdrawAll, Surface::Preferences, at(NOW, 0)));
        assert_eq!(last.ui.control, Control::WithdrawAll);
        assert_eq!(
            actions,
            [
                Action::Refuse,
                Action::Give,
                Action::Update,
                Action::Update,
                Action::Withdraw
            ]
        );
        assert_eq!(last.subject, first.subject, "one visitor, one subject");
    }
}

#[test]
fn accept_all_grants_every_purpose_and_service() {
    let mut e = engine(false);
    let event = accepted_by_core(&e.act(Control::AcceptAll, Surface::Banner, at(NOW, 0)));
    assert_eq!(event.action, Action::Give);
    assert!(event.decisions.values().all(|on| *on));
    assert!(event.services.values().all(|on| *on));
    assert!(e.accepted("marketing", None));
    assert!(e.accepted("marketing", Some("ads")));
}

#[test]
fn gpc_leaves_sale_and_sharing_off_on_accept_all_but_not_on_its_own_switch() {
    let mut e = engine(true);
    let event = accepted_by_core(&e.act(Control::AcceptAll, Surface::Banner, at(NOW, 0)));
    assert!(event.gpc);
    assert!(event.decisions["analytics"]);
    assert!(
        !event.decisions["marketing"],
        "GPC opts out of sale/sharing"
    );
    assert!(!e.accepted("marketing", None));
    // The visitor's own switch is an explicit choice, and core takes it.
    let own = accepted_by_core(&e.save(
        &decisions(&[("analytics", true), ("marketing", true)]),
        &decisions(&[("matomo", true), ("ads", true)]),
        at(NOW, 1),
    ));
    assert!(own.decisions["marketing"]);
    assert!(e.accepted("marketing", Some("ads")));
}

#[test]
fn accepted_answers_per_purpose_and_service() {
    let mut e = engine(false);
    assert!(
        e.accepted("necessary", None),
        "required purposes always run"
    );
    assert!(e.accepted("necessary", Some("session")));
    assert!(
        !e.accepted("analytics", None),
        "nothing optional before a choice"
    );
    assert!(!e.accepted("nope", None), "unknown purposes never run");
    e.allow("analytics", Some("matomo"), at(NOW, 0)).unwrap();
    assert!(e.accepted("analytics", Some("matomo")));
    assert!(
        !e.accepted("analytics", Some("typo")),
        "unknown services never run"
    );
    assert!(!e.accepted("marketing", None));
}

#[test]
fn a_service_never_counts_while_its_purpose_is_off() {
    let mut e = engine(false);
    // A service switch ticked under a purpose left off (the loader ticks the
    // purpose too; without it the service must not count).
    let event = accepted_by_core(&e.save(&[], &decisions(&[("ads", true)]), at(NOW, 0)));
    assert!(!event.services["ads"]);
    assert!(!e.accepted("marketing", Some("ads")));
}

#[test]
fn a_refused_service_stays_refused_and_closes_its_purpose_to_untagged_code() {
    let mut e = engine(false);
    e.save(
        &decisions(&[("analytics", true)]),
        &decisions(&[("matomo", false)]),
        at(NOW, 0),
    );
    assert!(e.chosen("analytics"), "the purpose itself is granted");
    assert!(
        !e.accepted("analytics", None),
        "code tagged only with the purpose could be matomo"
    );
    assert!(!e.accepted("analytics", Some("matomo")));
    // The site's own UI sets analytics again: nothing changes, nothing recorded.
    assert!(e
        .set(&decisions(&[("analytics", true)]), at(NOW, 1))
        .is_none());
    assert!(!e.accepted("analytics", Some("matomo")));
    // Switched on from off, a purpose brings its services.
    e.set(&decisions(&[("marketing", true)]), at(NOW, 2))
        .unwrap();
    assert!(e.accepted("marketing", Some("ads")));
    // An embed tagged only with the purpose: its "allow" opens all of it, or
    // the placeholder could never load.
    e.allow("analytics", None, at(NOW, 3)).unwrap();
    assert!(e.accepted("analytics", None));
}

#[test]
fn an_allowed_embed_records_nothing_twice() {
    let mut e = engine(false);
    assert!(e.allow("marketing", Some("ads"), at(NOW, 0)).is_some());
    assert!(e.allow("marketing", Some("ads"), at(NOW, 1)).is_none());
    assert!(
        e.allow("marketing", Some("nope"), at(NOW, 1)).is_none(),
        "an unknown service allows nothing"
    );
}

#[test]
fn the_sites_own_calls_record_only_what_changes() {
    let mut e = engine(false);
    assert!(
        e.set(
            &decisions(&[("nope", true), ("necessary", false)]),
            at(NOW, 0)
        )
        .is_none(),
        "unknown and required purposes are ignored"
    );
    // Before any choice, the visitor's click on the site's link is recorded.
    let first = accepted_by_core(&e.withdraw(at(NOW, 0)).unwrap());
    assert_eq!(first.action, Action::Refuse);
    assert!(
        e.withdraw(at(NOW, 1)).is_none(),
        "nothing granted, nothing to withdraw"
    );
    e.set(&decisions(&[("analytics", true)]), at(NOW, 2))
        .unwrap();
    assert!(e.grants_optional());
    let out = accepted_by_core(&e.withdraw(at(NOW, 3)).unwrap());
    assert_eq!(
        (out.action, out.ui.surface),
        (Action::Withdraw, Surface::Api)
    );
    assert!(!e.grants_optional());
}

/// The choice the page keeps: the fields of the latest event the engine wrote.
fn kept(json: &str) -> Choice {
    let event = accepted_by_core(json);
    Choice {
        subject: event.subject.to_string(),
        notice_version: event.notice.version.clone(),
        consent: Consent {
            purposes: event.decisions.into_iter().collect(),
            services: event.services.into_iter().collect(),
        },
        decided_at_ms: event.client_time_ms as f64,
        answered: true,
    }
}

fn stored(e: &mut Engine) -> Choice {
    kept(&e.act(Control::RejectAll, Surface::Banner, at(NOW, 0)))
}

#[test]
fn a_restored_choice_keeps_every_decision_it_recorded() {
    let mut first = engine(false);
    first.save(
        &decisions(&[("analytics", true), ("marketing", true)]),
        &decisions(&[("matomo", false), ("ads", true)]),
        at(NOW, 0),
    );
    assert!(
        first.allow("marketing", Some("ads"), at(NOW, 1)).is_none(),
        "allowed already"
    );
    let choice = kept(
        &first
            .set(&decisions(&[("analytics", false)]), at(NOW, 2))
            .unwrap(),
    );

    let mut next = engine(false);
    assert!(next.restore(choice, NOW + DAY));
    assert!(next.accepted("marketing", Some("ads")));
    assert!(!next.accepted("analytics", None));
    assert!(!next.chosen("analytics"));
    // The same choice again records nothing.
    assert!(next
        .set(&decisions(&[("analytics", false)]), at(NOW, 3))
        .is_none());
}

#[test]
fn a_stored_service_the_event_does_not_name_follows_its_purpose() {
    let mut choice = kept(&engine(false).act(Control::AcceptAll, Surface::Banner, at(NOW, 0)));
    choice.consent.services.retain(|(id, _)| id != "ads");
    let mut e = engine(false);
    assert!(e.restore(choice, NOW));
    assert!(e.accepted("marketing", Some("ads")));
}

#[test]
fn a_refusal_holds_for_the_lifetime_and_the_subject_for_good() {
    let choice = stored(&mut engine(false));
    let lifetime = f64::from(notice("en").lifetime_days) * DAY;

    let mut next_visit = engine(false);
    assert!(
        next_visit.restore(choice.clone(), NOW + lifetime - DAY),
        "not asked again"
    );
    assert!(!next_visit.accepted("analytics", None));

    let mut expired = engine(false);
    assert!(
        !expired.restore(choice.clone(), NOW + lifetime + DAY),
        "asked again"
    );
    assert!(
        expired.choice().is_none() && !expired.chosen("analytics"),
        "nothing pre-ticked"
    );
    let again = accepted_by_core(&expired.act(Control::AcceptAll, Surface::Banner, at(NOW, 1)));
    assert_eq!(
        again.subject.as_str(),
        choice.subject,
        "the subject is kept"
    );
    assert_eq!(again.action, Action::Give);

    let mut n = notice("en");
    n.version = "2099-01-01".into();
    let mut new_notice = Engine::new("vectors", ORIGIN, n, false).unwrap();
    assert!(
        !new_notice.restore(choice, NOW + DAY),
        "a new notice version asks again"
    );
}

#[test]
fn a_stored_choice_without_a_subject_is_ignored() {
    let mut choice = stored(&mut engine(false));
    choice.subject.clear();
    let mut e = engine(false);
    assert!(!e.restore(choice, NOW));
    assert!(e.choice().is_none());
}

#[test]
fn texts_in_the_event_are_escaped_json() {
    let mut e = engine(false);
    let json = e.act(
        Control::AcceptAll,
        Surface::Banner,
        Moment {
            now_ms: NOW,
            random: &[9; 32],
            path: "/a\"b\\c\n",
        },
    );
    let event = ConsentEvent::from_json(json.as_bytes()).unwrap();
    assert_eq!(event.page.path, "/a\"b\\c\n");
}

/// What the page keeps after a choice: the event, and beside it whether the
/// banner still asks.
fn kept_by(e: &Engine, json: &str) -> Choice {
    Choice {
        answered: !e.asking(),
        ..kept(json)
    }
}

#[test]
fn an_embed_allowed_while_the_banner_is_open_answers_for_its_purpose_only() {
    let mut e = engine(false);
    assert!(e.asking(), "before a choice the banner asks");
    let json = e.allow("marketing", Some("ads"), at(NOW, 0)).unwrap();
    let event = accepted_by_core(&json);
    // The event has a boolean for every purpose: the one not asked is false.
    assert_eq!(event.decisions.get("analytics"), Some(&false));
    assert_eq!(event.action, Action::Give);
    assert!(e.asking(), "the banner still asks about analytics");
    assert!(
        !e.accepted("analytics", None),
        "nothing undecided is granted"
    );
    // A second embed answers for its purpose only too.
    e.allow("analytics", None, at(NOW, 1)).unwrap();
    assert!(e.asking());

    // The next page view: the embeds' grants hold, and the banner asks again.
    let mut next = engine(false);
    assert!(next.restore(kept_by(&e, &json), NOW + DAY));
    assert!(next.accepted("marketing", Some("ads")));
    assert!(next.asking());

    // Answering the banner decides everything.
    let answer = accepted_by_core(&next.act(Control::RejectAll, Surface::Banner, at(NOW + DAY, 1)));
    assert_eq!(answer.action, Action::Withdraw);
    assert!(!next.asking());
    let mut third = engine(false);
    assert!(third.restore(kept_by(&next, &json), NOW + DAY));
    assert!(!third.asking());
}

#[test]
fn an_embed_allowed_after_the_banner_leaves_the_answer_standing() {
    let mut e = engine(false);
    e.act(Control::RejectAll, Surface::Banner, at(NOW, 0));
    e.allow("marketing", None, at(NOW, 1)).unwrap();
    assert!(!e.asking(), "a refusal the visitor made stays made");
    assert!(!e.accepted("analytics", None));
}

#[test]
fn panel_switches_are_linked_by_the_notice() {
    let e = engine(false);
    for on in [true, false] {
        assert!(
            e.follows("analytics", false, on, "matomo"),
            "a purpose carries its services"
        );
        assert!(
            !e.follows("analytics", false, on, "ads"),
            "not another purpose's"
        );
    }
    assert!(
        e.follows("matomo", true, true, "analytics"),
        "a service switched on switches its purpose on"
    );
    assert!(
        !e.follows("matomo", true, false, "analytics"),
        "a service switched off leaves its purpose"
    );
    assert!(!e.follows("matomo", true, true, "marketing"));
    assert!(
        !e.follows("necessary", false, true, "session"),
        "required purposes are locked"
    );
}

#[test]
fn consent_mode_signals_follow_their_purposes() {
    let mut e = engine(false);
    assert!(
        e.signal(["necessary"]),
        "a required purpose is always granted"
    );
    assert!(!e.signal(["analytics"]), "nothing optional before a choice");
    assert!(!e.signal([]), "a signal mapped to nothing stays denied");
    e.save(
        &decisions(&[("analytics", true)]),
        &decisions(&[("matomo", true)]),
        at(NOW, 0),
    );
    assert!(e.signal(["analytics"]));
    assert!(
        !e.signal(["analytics", "marketing"]),
        "every purpose must be granted"
    );
    e.save(&decisions(&[("analytics", true)]), &[], at(NOW, 1));
    assert!(
        !e.signal(["analytics"]),
        "a purpose with a refused service does not grant its signal"
    );
}
