//! Jurisdiction rules: which consent regime applies where.
//!
//! A site maps countries (`"FR"`) and regions (`"US-CA"`, country and
//! ISO 3166-2 subdivision) to a [`Regime`]; the edge reads the platform's
//! country and region for each request, applies the most specific rule
//! (region, then country, then the default) and tells the widget. Every
//! record carries the regime it was made under.
//!
//! - `opt_in` (the GDPR, the UK, Switzerland): nothing optional runs
//!   before a choice; the banner asks.
//! - `opt_out` (the US state laws): no banner; optional purposes run
//!   until the visitor opts out (the "Privacy choices" control), except that
//!   Global Privacy Control opts out of sale and sharing at once.
//! - `notice_only`: no banner, nothing to opt out of; the notice stays one
//!   click away.
//!
//! ```
//! use assent_core::jurisdiction::{Jurisdictions, Regime};
//!
//! let rules: Jurisdictions = serde_json::from_str(r#"{"default": "opt_in", "rules": {"US": "notice_only", "US-CA": "opt_out"}}"#).unwrap();
//! assert_eq!(rules.regime(Some("US"), Some("CA")), Regime::OptOut);
//! assert_eq!(rules.regime(Some("US"), Some("TX")), Regime::NoticeOnly);
//! assert_eq!(rules.regime(Some("DE"), None), Regime::OptIn);
//! assert_eq!(rules.regime(None, None), Regime::OptIn);
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

use alloc::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{ConfigError, Error};

/// A consent regime.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    /// Ask first.
    #[default]
    OptIn,
    /// Run until the visitor opts out; GPC opts out of sale and sharing.
    OptOut,
    /// Notice only.
    NoticeOnly,
}

impl Regime {
    /// Whether the visitor is presumed to consent to an optional purpose
    /// before any choice (`sale_or_sharing` purposes are not, under GPC).
    pub fn presumes(self, sale_or_sharing: bool, gpc: bool) -> bool {
        match self {
            Regime::OptIn => false,
            Regime::OptOut => !(sale_or_sharing && gpc),
            Regime::NoticeOnly => true,
        }
    }
}

/// A site's jurisdiction rules.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Jurisdictions {
    /// Where no rule names the visitor's place (and where it is unknown).
    #[serde(default)]
    pub default: Regime,
    /// By `"CC"` (ISO 3166-1 alpha-2) or `"CC-RR"` (with the subdivision).
    #[serde(default)]
    pub rules: BTreeMap<String, Regime>,
}

impl Jurisdictions {
    /// The regime for a country and region (the most specific rule wins).
    pub fn regime(&self, country: Option<&str>, region: Option<&str>) -> Regime {
        let Some(country) = country else {
            return self.default;
        };
        region
            .and_then(|r| self.rules.get(&format!("{country}-{r}")))
            .or_else(|| self.rules.get(country))
            .copied()
            .unwrap_or(self.default)
    }

    /// Checks the keys.
    pub fn validate(&self) -> Result<(), Error> {
        let upper = |s: &str, n: core::ops::RangeInclusive<usize>| {
            n.contains(&s.len())
                && s.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        };
        for key in self.rules.keys() {
            let ok = match key.split_once('-') {
                None => key.len() == 2 && upper(key, 2..=2),
                Some((c, r)) => c.len() == 2 && upper(c, 2..=2) && upper(r, 1..=3),
            };
            if !ok {
                return Err(Error::Config(ConfigError::FormInvalid {
                    form: "jurisdictions".into(),
                    reason: format!(
                        "{key:?} is not a country (\"FR\") or a country and region (\"US-CA\")"
                    ),
                }));
            }
        }
        Ok(())
    }
}
