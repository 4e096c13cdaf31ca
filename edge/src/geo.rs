//! Where a request comes from, as far as the rules need: the platform's
//! country and region (Cloudflare's `cf.country`, `cf.regionCode`), and the
//! consent regime the site's jurisdiction rules give it.
//!
//! Under `wrangler dev` the platform's geography is a placeholder, so where
//! the var `ASSENT_DEV` is `1` (`make dev` and the tests; never a deploy) the
//! place comes only from the `X-Assent-Geo` header (`DE`, `US-CA`), and is
//! unknown without it.

use assent_core::config::SiteConfig;
use assent_core::jurisdiction::Regime;
use worker::{Env, Request};

/// A request's country (ISO 3166-1 alpha-2) and region (ISO 3166-2 subdivision).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Geo {
    /// `DE`, `US`.
    pub country: Option<String>,
    /// `CA` (with `US`).
    pub region: Option<String>,
}

fn code(v: &str, len: std::ops::RangeInclusive<usize>) -> Option<String> {
    (len.contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
    .then(|| v.to_string())
}

/// The place of `req`.
pub fn of(req: &Request, env: &Env) -> Geo {
    if crate::dev_mode(env) {
        let header = req
            .headers()
            .get("x-assent-geo")
            .ok()
            .flatten()
            .unwrap_or_default();
        let (c, r) = header
            .split_once('-')
            .map_or((header.as_str(), None), |(c, r)| (c, Some(r)));
        return Geo {
            country: code(c, 2..=2),
            region: r.and_then(|r| code(r, 1..=3)),
        };
    }
    let cf = req.cf();
    Geo {
        country: cf.and_then(|cf| cf.country()).and_then(|c| code(&c, 2..=2)),
        region: cf
            .and_then(|cf| cf.region_code())
            .and_then(|r| code(&r, 1..=3)),
    }
}

impl Geo {
    /// The regime the site's rules give this place (`None`: the site has no rules).
    pub fn regime(&self, site: &SiteConfig) -> Option<Regime> {
        site.jurisdictions
            .as_ref()
            .map(|j| j.regime(self.country.as_deref(), self.region.as_deref()))
    }
}
