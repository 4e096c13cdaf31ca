//! What the engine's and the plan's tests share: the vectors' site (the one
//! core's own tests read) and core's judgement of an event written for it.

use assent_core::config::SiteConfig;
use assent_core::event::{ConsentEvent, Context};

pub const SITE: &str = include_str!("../../../core/tests/vectors/site.json");
pub const ORIGIN: &str = "https://vectors.example";
pub const NOW: f64 = 1_795_000_000_000.0;

pub fn config() -> SiteConfig {
    SiteConfig::from_json(SITE).unwrap()
}

/// Parses an event the engine wrote with core and validates it for the site.
pub fn accepted_by_core(json: &str) -> ConsentEvent {
    let event = ConsentEvent::from_json(json.as_bytes()).unwrap();
    let ctx = Context {
        now_ms: NOW as u64 + 500,
        self_origin: None,
    };
    event.validate(&config(), &ctx).unwrap();
    event
}
