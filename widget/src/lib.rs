//! # assent-widget
//!
//! The browser side of Assent: the consent engine of the page, compiled to
//! wasm. From the notice the edge serves it decides whether the visitor must
//! be asked, turns each click into a choice by the rules of
//! [`consent`] (per purpose and per service, Global Privacy Control, embeds,
//! re-consent), writes the consent event that records it, and answers what may
//! run ([`Engine::accepted`](engine::Engine::accepted)).
//!
//! It is sans-IO, like `assent-core` beneath it: the [`engine`] touches no DOM,
//! storage, clock or network. The loader (`assent.js`) is its platform layer:
//! it fetches the notice, renders it into a Shadow DOM, keeps the outbox and
//! the receipts in `localStorage`, sends events and retries them. The split is
//! measured: every DOM or storage binding is a wasm import plus glue, and the
//! first visit has a 12 KB budget (BENCHMARKS.md).
//!
//! Modules: [`consent`] (the choice rules), [`engine`] (the state machine the
//! exports drive), [`notice`] (the notice as the engine needs it),
//! [`event`] (the consent event as JSON, written by hand for the banner's
//! size budget), [`plan`] (a first visit's choices made ahead, by the edge,
//! so that a first visit fetches no engine) and `bindings` (the wasm
//! exports: the boundary with the loader, in the shipped widget only).
//!
//! ## A first visit runs no engine
//!
//! Most visits that show the banner are first visits, and a first visit's
//! choice is one of the first layer's buttons. The edge runs this crate
//! natively and puts [`plan::first_visit`] in its config answer: for each
//! button, the event the engine would write (but for the page's own fields),
//! what may run after it and which Consent Mode signals it grants, and what
//! may run before any choice. The loader draws the banner and records such a
//! choice from the plan alone; it fetches the wasm only when a rule must be
//! applied that no plan holds (a stored choice to restore, the panel, an
//! embed's "allow", the site's own calls, GPC on a notice it changes).
//!
//! ```
//! use assent_widget::engine::{Engine, Moment};
//! use assent_widget::notice::{Notice, Purpose};
//! use assent_core::event::{Control, Surface};
//!
//! let purpose = |id: &str, required| Purpose { id: id.into(), required, ..Purpose::default() };
//! let notice = Notice {
//!     version: "2026-11-01".into(),
//!     language: "en".into(),
//!     hash: "sha256:...".into(),
//!     lifetime_days: 180,
//!     purposes: vec![purpose("necessary", true), purpose("analytics", false)],
//! };
//! let mut engine = Engine::new("demo", "https://shop.example", notice, false).unwrap();
//! assert!(!engine.accepted("analytics", None));
//!
//! let at = Moment { now_ms: 1.7e12, random: &[7; 32], path: "/" };
//! let event = engine.act(Control::AcceptAll, Surface::Banner, at);
//! assert!(event.contains(r#""action":"give""#));
//! assert!(engine.accepted("analytics", None));
//! ```

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod consent;
pub mod engine;
pub mod event;
pub mod notice;
pub mod plan;

#[cfg(feature = "bindings")]
pub mod bindings;

pub use consent::{Consent, Decisions};
