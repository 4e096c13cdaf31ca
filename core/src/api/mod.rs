//! The edge's HTTP API paths (v1), built in one place: the CLI and the tests
//! ask here instead of formatting URLs of their own, and the edge's router
//! matches the same segments.
//!
//! ```
//! use assent_core::{api, ids::SiteId};
//!
//! let site = SiteId::new("demo").unwrap();
//! assert_eq!(api::inclusion(&site, 3, 8), "/v1/sites/demo/log/inclusion?index=3&size=8");
//! assert_eq!(api::JWKS, "/.well-known/jwks.json");
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

use crate::ids::{FormId, SiteId, SubjectId};
use crate::shards::ShardIndex;

/// Every key that signed receipts or checkpoints.
pub const JWKS: &str = "/.well-known/jwks.json";

/// The public site configuration (the notice the widget renders).
pub fn config(site: &SiteId) -> String {
    format!("/v1/sites/{site}/config")
}

/// Where the widget posts consent events.
pub fn events(site: &SiteId) -> String {
    format!("/v1/sites/{site}/events")
}

/// The latest signed checkpoint of a site's log (its home shard).
pub fn checkpoint(site: &SiteId) -> String {
    format!("/v1/sites/{site}/log/checkpoint")
}

/// The latest signed checkpoint of every shard of a site's log (JSON).
pub fn checkpoints(site: &SiteId) -> String {
    format!("/v1/sites/{site}/log/checkpoints")
}

/// `&shard=k` for a shard other than home (home needs no parameter).
fn shard_param(shard: ShardIndex) -> String {
    if shard == ShardIndex::HOME {
        String::new()
    } else {
        format!("&shard={shard}")
    }
}

/// The latest signed checkpoint of one shard.
///
/// ```
/// use assent_core::{api, ids::SiteId, shards::ShardIndex};
/// let demo = SiteId::new("demo").unwrap();
/// assert_eq!(api::checkpoint_of(&demo, ShardIndex::HOME), "/v1/sites/demo/log/checkpoint");
/// assert_eq!(api::checkpoints(&demo), "/v1/sites/demo/log/checkpoints");
/// assert_eq!(api::consistency(&demo, 1, 3), "/v1/sites/demo/log/consistency?from=1&to=3");
/// assert_eq!(api::consistency_in(&demo, ShardIndex::new(2).unwrap(), 1, 3), "/v1/sites/demo/log/consistency?from=1&to=3&shard=2");
/// assert_eq!(api::checkpoint_of(&demo, ShardIndex::new(3).unwrap()), "/v1/sites/demo/log/checkpoint?shard=3");
/// assert_eq!(api::inclusion_in(&demo, ShardIndex::new(3).unwrap(), 1, 2), "/v1/sites/demo/log/inclusion?index=1&size=2&shard=3");
/// ```
pub fn checkpoint_of(site: &SiteId, shard: ShardIndex) -> String {
    match shard_param(shard).strip_prefix('&') {
        Some(q) => format!("{}?{q}", checkpoint(site)),
        None => checkpoint(site),
    }
}

/// The inclusion proof of leaf `index` in the tree of `size` leaves.
pub fn inclusion(site: &SiteId, index: u64, size: u64) -> String {
    inclusion_in(site, ShardIndex::HOME, index, size)
}

/// [`inclusion`] in one shard's tree.
pub fn inclusion_in(site: &SiteId, shard: ShardIndex, index: u64, size: u64) -> String {
    format!(
        "/v1/sites/{site}/log/inclusion?index={index}&size={size}{}",
        shard_param(shard)
    )
}

/// The consistency proof between trees of `from` and `to` leaves.
pub fn consistency(site: &SiteId, from: u64, to: u64) -> String {
    consistency_in(site, ShardIndex::HOME, from, to)
}

/// [`consistency`] in one shard's tree.
pub fn consistency_in(site: &SiteId, shard: ShardIndex, from: u64, to: u64) -> String {
    format!(
        "/v1/sites/{site}/log/consistency?from={from}&to={to}{}",
        shard_param(shard)
    )
}

/// A notice of the archive by its hash (the exact bytes whose SHA-256 it is).
pub fn notice(site: &SiteId, hash: &crate::ids::NoticeHash) -> String {
    format!("/v1/sites/{site}/notices/{hash}")
}

/// The owner's page of stored records, newest first (admin key).
pub fn admin_events(site: &SiteId) -> String {
    format!("/v1/admin/sites/{site}/events")
}

/// The owner's export of every record as JSON Lines (admin key).
pub fn admin_export(site: &SiteId) -> String {
    format!("/v1/admin/sites/{site}/export")
}

/// An opt-in form's notice: `GET /v1/sites/{site}/forms/{form}`.
pub fn form(site: &SiteId, form: &FormId) -> String {
    format!("/v1/sites/{site}/forms/{form}")
}

/// A form's submissions: `POST /v1/sites/{site}/forms/{form}/submissions`.
pub fn submissions(site: &SiteId, form: &FormId) -> String {
    format!("/v1/sites/{site}/forms/{form}/submissions")
}

/// The double opt-in link's page (`GET`) and its confirmation (`POST`),
/// without the `?token=` query.
pub fn confirm(site: &SiteId) -> String {
    format!("/v1/sites/{site}/confirm")
}

/// The code texted to a phone, typed on the confirmation page (`POST`, form
/// field `code`, the link's `?token=`): proves the number.
pub fn confirm_phone(site: &SiteId) -> String {
    format!("/v1/sites/{site}/confirm/phone")
}

/// A subject's state per offer, for the subject (receipt as credential).
pub fn my_state(site: &SiteId) -> String {
    format!("/v1/sites/{site}/subjects/me/state")
}

/// A subject's state per offer, for the owner: `GET` with the admin key.
pub fn admin_state(site: &SiteId, subject: &SubjectId) -> String {
    format!("/v1/admin/sites/{site}/subjects/{subject}/state")
}

/// The local mailbox under `make dev`: `GET` with the admin key.
pub fn admin_mail(site: &SiteId) -> String {
    format!("/v1/admin/sites/{site}/mail")
}

/// A one-click unsubscribe link (RFC 8058): its page (`GET`) and the
/// withdrawal (`POST`, from the page or a mail client's one click).
pub fn unsubscribe(site: &SiteId) -> String {
    format!("/v1/sites/{site}/unsubscribe")
}

/// A subject's withdrawal of form offers: `POST` with their receipt.
pub fn my_withdraw(site: &SiteId) -> String {
    format!("/v1/sites/{site}/subjects/me/withdraw")
}

/// Path of the owner's subject lookup (`?email=`).
pub fn admin_subjects(site: &SiteId) -> String {
    format!("/v1/admin/sites/{site}/subjects")
}

/// Path of a subject's export (access and portability, `?format=json|csv`).
pub fn admin_subject_export(site: &SiteId, subject: &SubjectId) -> String {
    format!("/v1/admin/sites/{site}/subjects/{subject}/export")
}

/// Path of a subject's erasure.
pub fn admin_erasure(site: &SiteId, subject: &SubjectId) -> String {
    format!("/v1/admin/sites/{site}/subjects/{subject}/erasure")
}

/// Path of a site's admin keys (the operator's).
pub fn admin_keys(site: &SiteId) -> String {
    format!("/v1/admin/sites/{site}/keys")
}

/// Path of a site key's revocation.
pub fn admin_key_revoke(site: &SiteId, key: &str) -> String {
    format!("/v1/admin/sites/{site}/keys/{key}/revoke")
}

/// Path of a revoked site key's name erasure.
pub fn admin_key_erase_name(site: &SiteId, key: &str) -> String {
    format!("/v1/admin/sites/{site}/keys/{key}/erase-name")
}

/// Path of a backup's next chunk (`crate::backup`).
pub fn admin_backup(site: &SiteId) -> String {
    format!("/v1/admin/sites/{site}/backup")
}

/// Path of a restore's step: `check`, `pages` or `end`.
pub fn admin_restore_step(site: &SiteId, step: &str) -> String {
    format!("/v1/admin/sites/{site}/restore/{step}")
}

/// Path of a site's breach register (`crate::breach`).
pub fn admin_breaches(site: &SiteId) -> String {
    format!("/v1/admin/sites/{site}/breaches")
}

/// Path of one incident of the breach register.
pub fn admin_breach(site: &SiteId, id: &str) -> String {
    format!("/v1/admin/sites/{site}/breaches/{id}")
}

/// Path of a site's audit trail (`?format=json|csv`).
pub fn admin_audit(site: &SiteId) -> String {
    format!("/v1/admin/sites/{site}/audit")
}

/// Path of the site's configuration in force (and, under it, the draft,
/// the preview link, publishing and the editions: [`admin_config_part`]).
pub fn admin_config(site: &SiteId) -> String {
    format!("/v1/admin/sites/{site}/config")
}

/// Path of a part of the site's configuration routes: `draft`,
/// `draft/preview`, `publish`, `editions` or `editions/{n}`.
pub fn admin_config_part(site: &SiteId, part: &str) -> String {
    format!("/v1/admin/sites/{site}/config/{part}")
}

/// Path of the site's record of processing (GDPR Art. 30; `?format=json|csv|html`).
pub fn admin_processing_record(site: &SiteId) -> String {
    format!("/v1/admin/sites/{site}/processing-record")
}

/// Path of a site's opt-out and block lists (the owner's list, search,
/// export; an entry's removal under it).
pub fn admin_suppressions(site: &SiteId) -> String {
    format!("/v1/admin/sites/{site}/suppressions")
}

/// Path of an opt-out or block list import (CSV body).
pub fn admin_suppressions_import(site: &SiteId) -> String {
    format!("/v1/admin/sites/{site}/suppressions/import")
}

/// The privacy center's start page (ask for a link).
pub fn privacy(site: &SiteId) -> String {
    format!("/v1/sites/{site}/privacy")
}

/// The privacy center's mailed link (`?token=`): `GET` shows a button,
/// `POST` opens the center.
pub fn privacy_open(site: &SiteId) -> String {
    format!("/v1/sites/{site}/privacy/open")
}

/// The owner's request queue.
pub fn admin_requests(site: &SiteId) -> String {
    format!("/v1/admin/sites/{site}/requests")
}

/// Path of a subject's restriction of processing (`{"restricted": bool}`).
pub fn admin_restriction(site: &SiteId, subject: &SubjectId) -> String {
    format!("/v1/admin/sites/{site}/subjects/{subject}/restriction")
}

/// Path of a subject's restore from the recycle bin (`POST`).
pub fn admin_restore(site: &SiteId, subject: &SubjectId) -> String {
    format!("/v1/admin/sites/{site}/subjects/{subject}/restore")
}

/// Path of a site's recycle bin (`GET`: the list).
pub fn admin_recycle_bin(site: &SiteId) -> String {
    format!("/v1/admin/sites/{site}/recycle-bin")
}

/// Path of the recycle bin's purge now (`POST`).
pub fn admin_recycle_bin_purge(site: &SiteId) -> String {
    format!("/v1/admin/sites/{site}/recycle-bin/purge")
}

/// Path of a subject's rectification.
pub fn admin_rectification(site: &SiteId, subject: &SubjectId) -> String {
    format!("/v1/admin/sites/{site}/subjects/{subject}/rectification")
}

/// Path of a subject's objection to a channel.
pub fn admin_objection(site: &SiteId, subject: &SubjectId) -> String {
    format!("/v1/admin/sites/{site}/subjects/{subject}/objection")
}

/// Path of the site's closing (`rights::retention`).
pub fn admin_closing(site: &SiteId) -> String {
    format!("/v1/admin/sites/{site}/closing")
}

/// Path of the contact list (`rights::contacts`).
pub fn admin_contacts(site: &SiteId) -> String {
    format!("/v1/admin/sites/{site}/contacts")
}

/// Path of a contact's notes (`form::notes`).
pub fn admin_notes(site: &SiteId, subject: &SubjectId) -> String {
    format!("/v1/admin/sites/{site}/subjects/{subject}/notes")
}

/// Path of the owner's records of consent given offline (`form::attest`).
pub fn admin_attestations(site: &SiteId) -> String {
    format!("/v1/admin/sites/{site}/attestations")
}

pub use crate::answer::{outcome, retry_delay_ms, Outcome, MAX_RETRY_DELAY_MS};

mod routes;
pub use routes::{Route, ROUTES};
