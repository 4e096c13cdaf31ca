//! The form widget's pure parts, natively: what it renders from a notice,
//! what it tells the person, and that every body it builds passes core's
//! own check of a submission (the edge's), so the two can never disagree
//! on what a valid form is.

use assent_core::config::SiteConfig;
use assent_core::event::Context;
use assent_core::form::notice::FormAnswer;
use assent_core::form::submission::{FormSubmission, Outcome};
use assent_form::html;
use assent_form::submission::Values;

const SITE: &str = include_str!("../../../core/tests/vectors/site.json");
const NOW_MS: u64 = 1_795_000_000_000; // 2026-11-18
const YEAR: u16 = 2026;

fn site() -> SiteConfig {
    SiteConfig::from_json(SITE).unwrap()
}

fn answer(country: Option<&str>) -> FormAnswer {
    site().form_answer("newsletter", ["en"], country).unwrap()
}

fn values(edit: impl Fn(&mut Values)) -> Values {
    let mut v = Values {
        email: "Ana@Example.com".into(),
        age: Some("1990".into()),
        ticked: vec!["email:news".into()],
        ..Default::default()
    };
    edit(&mut v);
    v
}

/// The body the widget would send, checked as the edge checks it.
fn edge_outcome(v: &Values, country: Option<&str>) -> Result<Outcome, String> {
    let a = answer(country);
    let body = v.submission(
        &a,
        (
            "7c0e1f2a-3b4c-4d5e-8f60-718293a4b5c6",
            "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
        ),
        NOW_MS,
        ("https://vectors.example", "/newsletter"),
        YEAR,
    );
    FormSubmission::from_json(body.to_string().as_bytes())
        .and_then(|s| {
            s.check(
                &site(),
                "newsletter",
                &Context {
                    now_ms: NOW_MS,
                    self_origin: None,
                },
                country,
            )
        })
        .map(|c| c.outcome)
        .map_err(|e| e.code().to_string())
}

#[test]
fn what_the_widget_accepts_the_edge_accepts() {
    let cases: Vec<(Values, Option<&str>, Outcome)> = vec![
        (values(|_| {}), Some("DE"), Outcome::Pending),
        (
            values(|v| {
                v.ticked.push("sms:offers".into());
                v.phone = Some("+44 20 7946 0958".into());
            }),
            Some("DE"),
            Outcome::Pending,
        ),
        (
            values(|v| {
                v.age = Some("2012".into());
                v.parent_email = Some("parent@example.com".into());
            }),
            Some("DE"),
            Outcome::ParentalConsentRequired,
        ),
        (
            values(|v| v.age = Some("2011".into())),
            Some("FR"),
            Outcome::Pending,
        ),
        (
            values(|v| v.name = Some("  Ana  López ".into())),
            None,
            Outcome::Pending,
        ),
    ];
    for (v, country, want) in cases {
        assert!(
            v.problems(&answer(country), YEAR).is_empty(),
            "the widget found a problem in {v:?}"
        );
        assert_eq!(edge_outcome(&v, country), Ok(want), "{v:?}");
    }
}

#[test]
fn what_the_widget_refuses_the_edge_refuses_too() {
    let cases: Vec<(Values, &str, &str)> = vec![
        (
            values(|v| v.email = "ana.example.com".into()),
            "email",
            "email_invalid",
        ),
        (values(|v| v.email = "  ".into()), "email", "field_required"),
        (values(|v| v.ticked.clear()), "offers", "nothing_chosen"),
        (
            values(|v| v.ticked.push("sms:offers".into())),
            "phone",
            "field_required",
        ),
        (
            values(|v| v.phone = Some("12-34".into())),
            "phone",
            "phone_invalid",
        ),
        (values(|v| v.age = None), "age", "field_required"),
        (
            values(|v| v.age = Some("2012".into())),
            "parent_email",
            "field_required",
        ),
    ];
    for (v, field, code) in cases {
        let problems = v.problems(&answer(Some("DE")), YEAR);
        assert_eq!(problems.first().map(|p| p.0), Some(field), "{v:?}");
        assert_eq!(edge_outcome(&v, Some("DE")), Err(code.to_string()), "{v:?}");
    }
}

#[test]
fn the_problems_speak_the_notice_s_words() {
    let a = answer(Some("DE"));
    let t = &a.notice.texts;
    let problems = values(|v| {
        v.email = "x".into();
        v.ticked.push("sms:offers".into());
        v.age = None;
    })
    .problems(&a, YEAR);
    assert_eq!(
        problems,
        vec![
            ("email", t.error_email.clone()),
            ("phone", t.error_required.clone()),
            ("age", t.error_required.clone())
        ]
    );
    // Nothing ticked: Assent's own words in the notice's language.
    let words = a
        .notice
        .words
        .as_ref()
        .expect("a notice has Assent's words");
    assert_eq!(
        values(|v| v.ticked.clear()).problems(&a, YEAR),
        vec![("offers", words.nothing_chosen.clone())]
    );
    assert!(words.nothing_chosen.starts_with("You ticked nothing"));
}

#[test]
fn the_parent_is_asked_for_only_under_the_visitor_s_age_of_consent() {
    let fifteen = values(|v| v.age = Some("2011".into()));
    assert!(
        fifteen.needs_parent(&answer(Some("DE")), YEAR),
        "16 in Germany"
    );
    assert!(
        !fifteen.needs_parent(&answer(Some("FR")), YEAR),
        "15 in France"
    );
    assert!(
        !values(|v| {
            v.age = Some("2011".into());
            v.ticked.clear();
        })
        .needs_parent(&answer(Some("DE")), YEAR),
        "nothing ticked, nothing to confirm"
    );
}

#[test]
fn the_markup_escapes_every_text_and_ticks_nothing() {
    let mut a = answer(Some("DE"));
    a.notice.texts.title = "<script>alert(1)</script>".into();
    a.notice.offers[0].label = "\"><img src=x onerror=alert(1)>".into();
    let whole = html::whole("f", &a);
    assert!(!whole.contains("<script>alert"), "{whole}");
    assert!(!whole.contains("<img"), "{whole}");
    assert!(whole.contains("&lt;script&gt;"));
    assert!(!whole.contains("checked"), "a box is ticked");
    assert_eq!(whole.matches("type=\"checkbox\"").count(), 3);
    for offer in &a.notice.offers {
        assert!(whole.contains(&format!("data-offer=\"{}\"", offer.key)));
    }
    assert!(whole.contains("role=\"status\""));
    assert!(whole.contains("<legend>"));
    assert!(
        !whole.contains(" required"),
        "native required would block a site's own form"
    );
}
