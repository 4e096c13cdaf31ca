//! The unit of work of every operation the edge makes on a site: a [`Site`]
//! holds what each of them needs (the log's and the forms' stores, the
//! site's configuration, the signing key, and where and when the request
//! is served) so an operation is a method of it that takes only what is
//! its own: a subject, a choice, an event id.
//!
//! The methods live beside their rules, one `impl Site` block per module:
//! the form's in [`crate::form::intake`] and [`crate::form::settle`], the
//! rights' in [`crate::rights`]. Nothing here does I/O: the edge builds a
//! `Site` on a Durable Object's SQLite for one request, the tests on the
//! in-memory stores.
//!
//! ```
//! use assent_core::config::SiteConfig;
//! use assent_core::form::memory::MemoryFormStore;
//! use assent_core::keys::SigningKey;
//! use assent_core::log::{LogOrigin, MemoryLogStore};
//! use assent_core::site::{EdgeContext, Site};
//!
//! let config = SiteConfig::from_json(include_str!("../tests/vectors/site.json")).unwrap();
//! let key = SigningKey::from_seed([7; 32]);
//! let ctx = EdgeContext {
//!     now_ms: 1_795_564_800_000,
//!     origin: LogOrigin::new("consent.example", &config.site).unwrap(),
//!     issuer: "https://consent.example".into(),
//! };
//! let (mut log, mut forms) = (MemoryLogStore::default(), MemoryFormStore::default());
//! let mut site = Site::new(&mut log, &mut forms, &config, &key, &ctx);
//! // Nobody has submitted a form yet: nothing expires.
//! assert_eq!(site.expire_due(10).unwrap(), 0);
//! ```

use serde::{Deserialize, Serialize};

use crate::config::SiteConfig;
use crate::event::ConsentEvent;
use crate::keys::SigningKey;
use crate::log::sequencer::AppendRequest;
use crate::log::LogOrigin;
use crate::record::FormFacts;

/// A [`Site`]'s parts, borrowed for one operation ([`Site::parts`]).
pub type Parts<'s, 'a, L, F> = (
    &'s mut L,
    &'s mut F,
    &'a SiteConfig,
    &'a SigningKey,
    &'a EdgeContext,
);

/// A site's stores, configuration, key and request context, for one
/// operation (see the module docs).
pub struct Site<'a, L: ?Sized, F: ?Sized> {
    /// The log (of the subject's shard).
    pub log: &'a mut L,
    /// What is kept beside it.
    pub forms: &'a mut F,
    /// The site's configuration.
    pub config: &'a SiteConfig,
    /// The key that signs receipts and checkpoints.
    pub key: &'a SigningKey,
    /// Where and when the request is served.
    pub ctx: &'a EdgeContext,
}

impl<'a, L: ?Sized, F: ?Sized> Site<'a, L, F> {
    /// A unit of work over these stores.
    pub fn new(
        log: &'a mut L,
        forms: &'a mut F,
        config: &'a SiteConfig,
        key: &'a SigningKey,
        ctx: &'a EdgeContext,
    ) -> Self {
        Site {
            log,
            forms,
            config,
            key,
            ctx,
        }
    }

    /// Its parts, borrowed for the body of one operation: the log, the
    /// forms' store, the config, the key and the context.
    pub fn parts(&mut self) -> Parts<'_, 'a, L, F> {
        (
            &mut *self.log,
            &mut *self.forms,
            self.config,
            self.key,
            self.ctx,
        )
    }
}

/// Where an edge-made event says it happened.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EdgeContext {
    /// Server time.
    pub now_ms: u64,
    /// The log's origin.
    pub origin: LogOrigin,
    /// The receipts' issuer (the edge's public origin).
    pub issuer: String,
}

impl EdgeContext {
    /// The append of an event the edge made here and now: no GPC, no
    /// country, no regime (nobody's request carried them).
    pub fn request(
        &self,
        event: ConsentEvent,
        form: Option<FormFacts>,
        import: Option<crate::record::ImportFacts>,
    ) -> AppendRequest {
        AppendRequest {
            event,
            received_at_ms: self.now_ms,
            sec_gpc: false,
            country: None,
            origin: self.origin.clone(),
            issuer: self.issuer.clone(),
            form,
            regime: None,
            import,
            proof: crate::log::sequencer::Proof::Edge,
        }
    }
}
