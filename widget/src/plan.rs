//! A first visit's plan: the engine's answers for a visitor who has made no
//! choice yet, worked out ahead by the edge, which runs this crate natively.
//!
//! A first visit shows the banner, and its choice is one of the first layer's
//! buttons: "Accept all" or "Reject all" (the third opens the panel). What
//! each records and what follows it depend on the notice alone, not on the
//! visitor, so the engine can answer them before the visit: the edge puts
//! the [`Plan`] in its config answer, and the loader draws the banner and
//! records such a choice without fetching the wasm (the first visit's bytes
//! and its time to the banner, BENCHMARKS.md). The loader only fills in the
//! page's own fields of the event: its id, the subject, the time, Global
//! Privacy Control and the page.
//!
//! Every answer here is the [`Engine`]'s own, asked of a fresh engine, so a
//! plan cannot say anything the engine would not; the tests hold each
//! planned event to the one [`Engine::act`] writes. Where Global Privacy
//! Control changes a choice on the notice (a purpose is sale or sharing),
//! the plan also holds the choices as a browser that sends it makes them
//! ([`Plan::gpc`]).
//!
//! ```
//! use assent_widget::notice::{Notice, Purpose};
//! use assent_widget::plan::first_visit;
//!
//! let purpose = |id: &str, required, services: &[&str]| Purpose {
//!     id: id.into(),
//!     required,
//!     services: services.iter().map(|s| s.to_string()).collect(),
//!     ..Purpose::default()
//! };
//! let notice = Notice {
//!     version: "2026-11-01".into(),
//!     language: "en".into(),
//!     hash: "sha256:...".into(),
//!     lifetime_days: 180,
//!     purposes: vec![purpose("necessary", true, &[]), purpose("analytics", false, &["ga4"])],
//! };
//! let plan = first_visit("demo", notice, &Default::default()).unwrap();
//! assert_eq!(plan.before, ["necessary"]);
//! let accept = &plan.choices[0];
//! assert_eq!(accept.run, ["necessary", "analytics", "analytics ga4"]);
//! assert!(accept.event.contains(r#""decisions":{"necessary":true,"analytics":true}"#));
//! assert!(plan.gpc.is_empty(), "GPC changes nothing here");
//! assert!(plan.to_json().starts_with(r#"{"before":["necessary"],"choices":{"accept_all":{"event":{"#));
//! ```

#[allow(unused_imports)]
use alloc::{borrow::ToOwned, collections::BTreeMap, string::String, vec::Vec};

use assent_core::consent_mode::SIGNALS;
use assent_core::event::{Control, Surface};

use assent_core::notice::ConfigAnswer;

use crate::engine::{Engine, Moment};
use crate::event::Json;
use crate::notice::Notice;

/// The first layer's buttons that record a choice, in the plan's order.
pub const CONTROLS: [Control; 2] = [Control::AcceptAll, Control::RejectAll];

/// What a first visit needs of the engine, answered ahead.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// What may run before any choice ([`Engine::runs`]).
    pub before: Vec<String>,
    /// Each of [`CONTROLS`], in that order, made without Global Privacy
    /// Control.
    pub choices: Vec<Planned>,
    /// Those of them that Global Privacy Control changes, as a browser that
    /// sends it makes them: none unless the notice has an optional purpose
    /// that is sale or sharing ([`crate::Consent::all`]).
    pub gpc: Vec<Planned>,
}

/// One first-layer button's choice.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    /// The button.
    pub control: Control,
    /// The event it records, without the page's own fields
    /// ([`Engine::planned`]): a JSON object.
    pub event: String,
    /// What may run after it ([`Engine::runs`]).
    pub run: Vec<String>,
    /// The Google Consent Mode signals it grants, of core's
    /// [`SIGNALS`], by `signals` (the site's mapping of each to purposes);
    /// every other is denied.
    pub granted: Vec<&'static str>,
}

/// The plan of a first visit to `site` with `notice` and the site's Consent
/// Mode mapping `signals` (empty when it has none); `None` for a notice no
/// choice can be made on ([`Engine::new`]). The page's origin is one of the
/// page's own fields: the loader adds it.
pub fn first_visit(
    site: &str,
    notice: Notice,
    signals: &BTreeMap<String, Vec<String>>,
) -> Option<Plan> {
    let with = Engine::new(site, "", notice.clone(), true)?;
    let without = Engine::new(site, "", notice, false)?;
    let choices = planned(&without, signals);
    // Under GPC, only the choices it changes (the page writes `gpc` itself
    // either way). What runs and which signals are granted follow from the
    // event's decisions, so an event that is the same is the same choice.
    let gpc = planned(&with, signals)
        .into_iter()
        .zip(&choices)
        .filter(|(g, c)| g.event != c.event)
        .map(|(g, _)| g)
        .collect();
    Some(Plan {
        before: without.runs(),
        choices,
        gpc,
    })
}

/// Each of [`CONTROLS`] as `engine` makes it.
fn planned(engine: &Engine, signals: &BTreeMap<String, Vec<String>>) -> Vec<Planned> {
    CONTROLS
        .iter()
        .map(|&control| {
            // The choice made on a copy: the page's fields do not change
            // what runs after it or which signals it grants.
            let mut after = engine.clone();
            let moment = Moment {
                now_ms: 0.0,
                random: &[0; 32],
                path: "",
            };
            after.act(control, Surface::Banner, moment);
            Planned {
                control,
                event: engine.planned(control),
                run: after.runs(),
                granted: SIGNALS
                    .iter()
                    .copied()
                    .filter(|s| {
                        let purposes = signals.get(*s).map_or(&[][..], |p| &p[..]);
                        after.signal(purposes.iter().map(String::as_str))
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The plan of a first visit with the edge's config `answer`; `None` for a
/// notice no choice can be made on ([`Engine::new`]).
pub fn of_answer(answer: &ConfigAnswer) -> Option<Plan> {
    let none = BTreeMap::new();
    let signals = answer.consent_mode.as_ref().map_or(&none, |m| &m.signals);
    first_visit(&answer.site, Notice::of(answer), signals)
}

impl Plan {
    /// The plan as the config answer's `first` member: `{"before": [...],
    /// "choices": {"accept_all": {"event": {...}, "run": [...], "granted":
    /// [...]}, ...}, "gpc": {...}}`, each choice under its button's
    /// `data-act`.
    pub fn to_json(&self) -> String {
        let mut j = Json::new();
        j.list("before", &self.before);
        for (key, choices) in [("choices", &self.choices), ("gpc", &self.gpc)] {
            j.open(key);
            for c in choices {
                j.open(c.control.as_str())
                    .raw("event", &c.event)
                    .list("run", &c.run)
                    .list("granted", &c.granted)
                    .close();
            }
            j.close();
        }
        j.finish()
    }
}
