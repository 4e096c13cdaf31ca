//! The notice as the engine needs it: what it echoes back in each event
//! (version, language, hash), how long a choice lasts, and the purposes with
//! their services, which the rules of [`crate::consent`] walk.
//!
//! Texts stay with the loader, which renders them: the engine decides, it
//! does not display.

#[allow(unused_imports)]
use alloc::{borrow::ToOwned, string::String, vec::Vec};

use assent_core::notice::ConfigAnswer;

/// One purpose of the notice.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Purpose {
    /// Purpose id.
    pub id: String,
    /// Required purposes are always on.
    pub required: bool,
    /// Global Privacy Control opts out of this purpose.
    pub sale_or_sharing: bool,
    /// Ids of the services that run under it.
    pub services: Vec<String>,
}

/// The notice a choice is made on.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Notice {
    /// Current notice version.
    pub version: String,
    /// Language of the texts the visitor saw.
    pub language: String,
    /// Notice hash, computed by the edge with core.
    pub hash: String,
    /// Days a choice lasts.
    pub lifetime_days: u32,
    /// The purposes, in order.
    pub purposes: Vec<Purpose>,
}

impl Notice {
    /// The notice of the edge's config answer, as the loader hands it over
    /// (and as the edge makes its [`crate::plan`]).
    pub fn of(answer: &ConfigAnswer) -> Self {
        Notice {
            version: answer.notice_version.clone(),
            language: answer.language.clone(),
            hash: answer.notice_hash.clone(),
            lifetime_days: answer.notice.consent_lifetime_days,
            purposes: answer
                .notice
                .purposes
                .iter()
                .map(|p| Purpose {
                    id: p.id.clone(),
                    required: p.required,
                    sale_or_sharing: p.sale_or_sharing,
                    services: p.services.iter().map(|s| s.id.clone()).collect(),
                })
                .collect(),
        }
    }

    /// Whether this is a notice a choice can be made on: the edge's answer
    /// always has a version, a hash and at least one purpose.
    pub fn is_complete(&self) -> bool {
        !self.version.is_empty() && !self.hash.is_empty() && !self.purposes.is_empty()
    }

    /// The purpose with `id`.
    pub fn purpose(&self, id: &str) -> Option<&Purpose> {
        self.purposes.iter().find(|p| p.id == id)
    }

    /// Whether `purpose` is optional and carries `service`.
    pub fn carries(&self, purpose: &str, service: &str) -> bool {
        self.purpose(purpose)
            .is_some_and(|p| !p.required && p.services.iter().any(|s| s == service))
    }

    /// Ids of the purposes that need consent.
    pub fn optional_purposes(&self) -> impl Iterator<Item = &str> + Clone {
        self.purposes
            .iter()
            .filter(|p| !p.required)
            .map(|p| p.id.as_str())
    }
}
