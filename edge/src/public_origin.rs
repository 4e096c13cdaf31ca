//! The edge's public origins come from configuration, never from a request:
//! the `PUBLIC_ORIGINS` var lists them (`https://consent.example.com`,
//! several separated by commas or spaces; the first is canonical). The
//! canonical origin is every receipt's `iss` and the host of every log
//! origin; a page may use the edge's own privileges (its demo pages posting
//! for any site) only from a listed origin. A spoofed `Host` header changes
//! none of it.

use assent_core::config::check_origin;
use assent_core::log::LogOrigin;
use worker::{Env, Request};

use crate::error::ApiError;

/// Name of the var.
pub const VAR: &str = "PUBLIC_ORIGINS";

/// The configured public origins, canonical first.
pub struct PublicOrigins(Vec<String>);

impl PublicOrigins {
    /// Reads and checks the var; a missing or malformed one is a deployment fault.
    pub fn from_env(env: &Env) -> Result<Self, ApiError> {
        let text = env.var(VAR).map(|v| v.to_string()).unwrap_or_default();
        let list: Vec<String> = text
            .split([',', ' ', '\n'])
            .filter(|o| !o.is_empty())
            .map(str::to_string)
            .collect();
        if list.is_empty() || list.iter().any(|o| check_origin(o).is_err()) {
            return Err(ApiError::NotConfigured(VAR));
        }
        Ok(PublicOrigins(list))
    }

    /// The canonical origin: the receipts' `iss`.
    pub fn canonical(&self) -> &str {
        &self.0[0]
    }

    /// Whether `origin` is one of the edge's own.
    pub fn contains(&self, origin: &str) -> bool {
        self.0.iter().any(|o| o == origin)
    }

    /// The request's own origin, if it is one of these.
    pub fn own(&self, req: &Request) -> Option<String> {
        let own = req.url().ok()?.origin().ascii_serialization();
        self.contains(&own).then_some(own)
    }

    /// The origin of a shard of a site's log: the canonical host (and
    /// port), the site, and the shard unless it is home.
    pub fn log_origin<'a>(
        &self,
        to: impl Into<crate::messages::Object<'a>>,
    ) -> Result<LogOrigin, ApiError> {
        let to = to.into();
        let host = self
            .canonical()
            .split_once("://")
            .map_or("", |(_, host)| host);
        Ok(LogOrigin::of_shard(host, to.site, to.shard)?)
    }
}

/// The request's own origin, if it is one of the edge's configured origins.
pub fn self_origin(req: &Request, env: &Env) -> Option<String> {
    PublicOrigins::from_env(env).ok()?.own(req)
}
