//! # assent-core
//!
//! The rules and formats of Assent, with **no I/O**: no network, no clock, no
//! randomness and no storage. Callers pass time, ids and bytes in; this crate
//! answers with values or typed [`Error`]s. It compiles for native targets and
//! for `wasm32-unknown-unknown`, so the browser widget, the Workers edge and the
//! command-line tools share one implementation of every rule.
//!
//! What lives here, every module (those marked *std* need the default
//! `std` feature):
//! - [`ids`]: checked identifiers (`SiteId::new`, `PurposeId::new`, `EventId::new`, ...).
//! - [`config`]: the site configuration, its validation, language negotiation and
//!   the [`Notice`](notice::Notice) a visitor is shown.
//! - [`notice`]: the per-language notice and its content hash.
//! - [`event`]: the consent event the widget sends and its validation.
//! - [`action`]: the kind of a decision, and which one a change of mind is.
//! - [`answer`]: what an answer of the edge means to a client's outbox.
//! - [`attestation`]: the owner's word in a record (consent given offline,
//!   another lawful basis).
//! - [`backup`] (*std*): a whole site in one file sealed to the operator's key,
//!   and the checks a restore makes.
//! - [`breach`] (*std*): the breach register: an incident, its 72-hour clock,
//!   the contacts it affects, its notifications.
//! - [`lifetime`]: whether a choice is still in force (notice version, consent lifetime).
//! - [`jurisdiction`]: which consent regime applies where; [`presumed`] (*std*): the
//!   choice an opt-out or notice-only regime presumes.
//! - [`consent_mode`]: Google Consent Mode v2 signals from a choice.
//! - [`record`] (*std*): the stored record the edge appends to the log.
//! - [`canonical`] (*std*): RFC 8785 canonical JSON bytes.
//! - [`merkle`]: RFC 6962 log hashing, compact append, inclusion and consistency proofs.
//! - [`keys`]: Ed25519 signing and public keys, JWK thumbprint `kid`, JWKS.
//! - [`note`]: C2SP signed notes and checkpoints.
//! - [`receipt`] (*std*): the visitor's receipt, a JWS (EdDSA) carrying the stored record.
//! - [`log`] (*std*): the log's origin, its wire answers, the notice archive, and the
//!   sequencer that appends to it.
//! - [`shards`]: which shard of a site's log a subject lives in, for life.
//! - [`site`] (*std*): the unit of work every edge-made operation is a method of.
//! - [`schedule`] (*std*): the log object's alarm policy: jobs, batches, back-off.
//! - [`subject_key`] (*std*): how a browser proves a subject id is its own.
//! - [`form`]: opt-in forms: intake, double opt-in, identity vault, webhooks.
//! - [`rights`] (*std*): data-subject rights on the log: erasure, export, restriction,
//!   the recycle bin, retention, requests, the privacy center.
//! - [`admin`] (*std*): the owner's scoped keys, what each may do, and the audit trail.
//! - [`limits`]: which party a request counts against, and how many it may make.
//! - [`stats`] (*std*): the owner's counters, kept as the log appends.
//! - [`ropa`] (*std*): the record of processing (GDPR Art. 30) generated from a site's configuration.
//! - [`api`]: the edge's HTTP API paths.
//! - [`paging`] (*std*): every owner's list's page size, and the log's pages.
//! - [`html`] (*std*): the one escaping every page uses.
//! - [`tcf`]: IAB TCF v2.3 TC strings, encoded and decoded.
//! - [`utc`]: calendar dates of epoch milliseconds, without a clock.
//! - [`error`]: one error enum with stable machine-readable codes.
//!
//! ```
//! use assent_core::{config::SiteConfig, event::{ConsentEvent, Context}};
//!
//! let config = SiteConfig::from_json(include_str!("../tests/vectors/site.json")).unwrap();
//! let notice = config.notice("en").unwrap();
//! assert_eq!(notice.purposes[0].id, "necessary");
//!
//! // A bad event gets a stable code, whatever its message says.
//! let err = ConsentEvent::from_json(b"{not json").unwrap_err();
//! assert_eq!(err.code(), "event_malformed");
//! # let _ = Context { now_ms: 0, self_origin: None };
//! ```
//!
//! Without the default `std` feature the crate is `no_std` (with `alloc`) and
//! leaves out what needs canonical JSON: [`canonical`], notice hashes, event
//! validation, [`record`] and [`receipt`]. The widget builds it that way.
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

/// The `alloc` names std's prelude would give, for the `no_std` build.
#[allow(unused_imports)]
mod prelude {
    pub use alloc::borrow::ToOwned;
    pub use alloc::boxed::Box;
    pub use alloc::format;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec;
    pub use alloc::vec::Vec;
}

pub mod action;
#[cfg(feature = "std")]
pub mod admin;
pub mod answer;
pub mod api;
#[cfg(feature = "std")]
pub mod attestation;
#[cfg(feature = "std")]
pub mod backup;
#[cfg(feature = "std")]
pub mod breach;
#[cfg(feature = "std")]
pub mod canonical;
pub mod config;
pub mod consent_mode;
pub mod error;
pub mod event;
pub mod form;
#[cfg(feature = "std")]
pub mod html;
pub mod ids;
pub mod jurisdiction;
pub mod keys;
pub mod lifetime;
pub mod limits;
#[cfg(feature = "std")]
pub mod log;
pub mod merkle;
pub mod note;
pub mod notice;
#[cfg(feature = "std")]
pub mod paging;
#[cfg(feature = "std")]
pub mod presumed;
#[cfg(feature = "std")]
pub mod receipt;
#[cfg(feature = "std")]
pub mod record;
#[cfg(feature = "std")]
pub mod rights;
#[cfg(feature = "std")]
pub mod ropa;
#[cfg(feature = "std")]
pub mod schedule;
pub mod shards;
#[cfg(feature = "std")]
pub mod site;
#[cfg(feature = "std")]
pub mod stats;
#[cfg(feature = "std")]
pub mod subject_key;
pub mod tcf;
pub mod utc;

pub use error::Error;

/// Version of the wire formats defined here (events, records, notices).
pub const FORMAT_VERSION: u32 = 1;
