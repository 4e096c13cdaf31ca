//! Opt-in forms: per-channel, per-purpose consent with the person's identity
//! kept out of the log.
//!
//! A form submission is a consent event like a banner choice (surface
//! `form`), with one decision per offer (`channel:purpose`) instead of per
//! banner purpose, and a notice hash over the form's own notice
//! ([`notice::FormNotice`]). The email, name and phone number never enter the
//! event or the log: the stored record carries a commitment to them
//! ([`identity`]), and the edge keeps the values encrypted beside the log,
//! where erasing the subject's key unlinks the commitment for good while every
//! proof still verifies. A subject's state per offer is a fold of their
//! events in log order ([`state`]).
//!
//! Like the rest of this crate, nothing here does I/O: keys, salts, nonces
//! and times come in from the caller.

#[cfg(feature = "std")]
pub mod attest;
pub mod config;
#[cfg(feature = "test-support")]
pub mod conformance;
#[cfg(feature = "std")]
pub mod identity;
#[cfg(feature = "std")]
pub mod intake;
#[cfg(feature = "std")]
pub mod mail;
#[cfg(feature = "std")]
pub mod memory;
#[cfg(feature = "std")]
pub mod notes;
#[cfg(feature = "std")]
pub mod notice;
#[cfg(feature = "std")]
pub mod objection;
#[cfg(feature = "std")]
pub mod phone;
#[cfg(feature = "std")]
pub mod secret;
#[cfg(feature = "std")]
pub mod settle;
#[cfg(feature = "std")]
pub mod state;
#[cfg(feature = "std")]
pub mod store;
#[cfg(feature = "std")]
pub mod submission;
#[cfg(feature = "std")]
pub mod token;
#[cfg(feature = "std")]
pub mod unsubscribe;
#[cfg(feature = "std")]
pub mod webhook;

pub use config::{Channel, FormConfig, Offer};
