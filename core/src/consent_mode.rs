//! Google Consent Mode v2: how a site's purposes map to Google's seven
//! consent signals.
//!
//! The widget sends `gtag('consent', 'default', ...)` with every signal
//! `denied` before any tag can run (optionally `granted` per region, from
//! [`ConsentMode::regions`]), then `gtag('consent', 'update', ...)` after every
//! choice. A signal is granted exactly when every purpose it is mapped to is
//! granted; a signal mapped to no purpose stays denied. The mapping is the
//! site's wiring, not something the visitor is shown, so it travels in the
//! config answer beside the notice and is not part of the notice hash.
//!
//! ```
//! use assent_core::consent_mode::ConsentMode;
//!
//! let mode: ConsentMode = serde_json::from_str(
//!     r#"{"signals": {"analytics_storage": ["analytics"], "ad_storage": ["marketing"]}}"#,
//! )
//! .unwrap();
//! let granted = |p: &str| p == "analytics";
//! assert!(mode.is_granted("analytics_storage", granted));
//! assert!(!mode.is_granted("ad_storage", granted));
//! assert!(!mode.is_granted("ad_user_data", granted)); // not mapped: denied
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

use alloc::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{excerpt, Error, EventError, SyntaxError};

/// Google's consent signals (Consent Mode v2).
pub const SIGNALS: [&str; 7] = [
    "ad_storage",
    "ad_user_data",
    "ad_personalization",
    "analytics_storage",
    "functionality_storage",
    "personalization_storage",
    "security_storage",
];

/// When a signal is granted: it is mapped to at least one purpose, and every
/// one of them is granted. The one home of this rule: [`ConsentMode`] asks it
/// for the edge and the CLI, and the widget's engine asks it for every
/// `gtag('consent', 'update', ...)` the loader pushes.
pub fn signal_granted<'a>(
    purposes: impl IntoIterator<Item = &'a str>,
    granted: impl Fn(&str) -> bool,
) -> bool {
    let mut mapped = false;
    for p in purposes {
        if !granted(p) {
            return false;
        }
        mapped = true;
    }
    mapped
}

/// Longest `wait_for_update` a site may ask for: tags wait at most this long
/// for the visitor's stored choice.
pub const MAX_WAIT_FOR_UPDATE_MS: u32 = 10_000;

/// A site's Consent Mode wiring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentMode {
    /// For each signal, the purposes that must all be granted to grant it.
    pub signals: BTreeMap<String, Vec<String>>,
    /// Regional defaults that grant some signals before any choice, e.g.
    /// where the law is opt-out rather than opt-in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<RegionDefault>,
    /// Milliseconds tags wait for the `update` after the `default`.
    #[serde(default = "default_wait")]
    pub wait_for_update_ms: u32,
}

/// Signals granted by default in some regions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionDefault {
    /// ISO 3166-1 alpha-2 countries or ISO 3166-2 subdivisions (`US`, `US-CA`).
    pub region: Vec<String>,
    /// The signals granted there by default; the others stay denied.
    pub granted: Vec<String>,
}

fn default_wait() -> u32 {
    500
}

impl ConsentMode {
    /// Whether `signal` is granted when `granted(purpose)` says which purposes are.
    pub fn is_granted(&self, signal: &str, granted: impl Fn(&str) -> bool) -> bool {
        self.signals
            .get(signal)
            .is_some_and(|ps| signal_granted(ps.iter().map(String::as_str), granted))
    }

    /// Checks signal names, purposes (against `has_purpose`) and regions.
    pub fn validate(&self, has_purpose: impl Fn(&str) -> bool) -> Result<(), Error> {
        let invalid = |field: &str, reason: String| {
            Error::Syntax(SyntaxError::FieldInvalid {
                field: format!("consent_mode.{field}"),
                reason,
            })
        };
        let known = |s: &str| SIGNALS.contains(&s);
        for (signal, purposes) in &self.signals {
            if !known(signal) {
                return Err(invalid(
                    "signals",
                    format!("unknown signal {:?}", excerpt(signal)),
                ));
            }
            if let Some(p) = purposes.iter().find(|p| !has_purpose(p)) {
                return Err(Error::Event(EventError::PurposeUnknown {
                    purpose: excerpt(p),
                }));
            }
        }
        for r in &self.regions {
            let region_ok = |c: &str| {
                let b = c.as_bytes();
                b.len() >= 2
                    && b.len() <= 6
                    && b[..2].iter().all(u8::is_ascii_uppercase)
                    && (b.len() == 2
                        || (b[2] == b'-' && b[3..].iter().all(u8::is_ascii_alphanumeric)))
            };
            if r.region.is_empty() || !r.region.iter().all(|c| region_ok(c)) {
                return Err(invalid(
                    "regions.region",
                    "ISO 3166 codes such as US or US-CA".into(),
                ));
            }
            if let Some(s) = r.granted.iter().find(|s| !known(s)) {
                return Err(invalid(
                    "regions.granted",
                    format!("unknown signal {:?}", excerpt(s)),
                ));
            }
        }
        if self.wait_for_update_ms > MAX_WAIT_FOR_UPDATE_MS {
            return Err(invalid(
                "wait_for_update_ms",
                format!("at most {MAX_WAIT_FOR_UPDATE_MS}"),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(json: &str) -> ConsentMode {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_signal_needs_every_purpose_it_is_mapped_to() {
        let m =
            mode(r#"{"signals": {"ad_storage": ["marketing", "analytics"], "ad_user_data": []}}"#);
        assert!(!m.is_granted("ad_storage", |p| p == "marketing"));
        assert!(m.is_granted("ad_storage", |_| true));
        assert!(
            !m.is_granted("ad_user_data", |_| true),
            "mapped to nothing: denied"
        );
        assert_eq!(m.wait_for_update_ms, 500);
    }

    #[test]
    fn validation_names_the_broken_part() {
        let has = |p: &str| p == "analytics";
        assert!(mode(r#"{"signals": {"analytics_storage": ["analytics"]}}"#)
            .validate(has)
            .is_ok());
        let code = |j: &str| mode(j).validate(has).unwrap_err().code();
        assert_eq!(
            code(r#"{"signals": {"ads": ["analytics"]}}"#),
            "field_invalid"
        );
        assert_eq!(
            code(r#"{"signals": {"ad_storage": ["nope"]}}"#),
            "purpose_unknown"
        );
        assert_eq!(
            code(r#"{"signals": {}, "regions": [{"region": ["california"], "granted": []}]}"#),
            "field_invalid"
        );
        assert_eq!(
            code(r#"{"signals": {}, "regions": [{"region": ["US-CA"], "granted": ["x"]}]}"#),
            "field_invalid"
        );
        assert_eq!(
            code(r#"{"signals": {}, "wait_for_update_ms": 60000}"#),
            "field_invalid"
        );
    }
}
