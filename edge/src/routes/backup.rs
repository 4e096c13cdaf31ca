//! Backup and restore, the operator's routes (`assent_core::backup` is the
//! format, `crate::site_backup` each object's side):
//!
//! - `POST /v1/admin/sites/{site}/backup` `{recipient, id?, seq, at?}`:
//!   the next chunk of a backup, sealed to `recipient` at place `seq`; the
//!   first call (no `id`) also answers the header. The answer's `at` is
//!   where the next call goes on; `done` once the end chunk was sent. The
//!   `assent backup create` command makes the calls and writes the file.
//! - `POST .../restore/check` `{objects}`: whether every object the backup
//!   names is this site's and empty (`409 site_not_empty`).
//! - `POST .../restore/pages`: one opened page (at most 1 MiB), inserted
//!   into its object.
//! - `POST .../restore/end` `{tables}`: every object counted against what the
//!   backup held, each shard's log checked against its newest checkpoint.

use std::collections::BTreeMap;

use assent_core::backup::seal::Recipient;
use assent_core::backup::{Chunk, Header, Page, DIRECTORY, MAX_RESTORE_BYTES};
use assent_core::config::SiteConfig;
use assent_core::error::RightsError;
use assent_core::shards::ShardIndex;
use serde::{Deserialize, Serialize};
use worker::{Env, Request, Response};

use super::admin::{json_value, Route};
use crate::backup_store::Cursor;
use crate::error::ApiError;
use crate::objects::{Object, Role};
use crate::routes::events::{body_up_to, bounded_body};
use crate::routes::{random, Query};
use crate::site_backup::{self, PageRequest};

/// Where a backup goes on: an object and a cursor in it; no object once
/// every object is read (the next chunk is the end).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct At {
    object: Option<String>,
    from: Option<Cursor>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BackupStep {
    recipient: String,
    id: Option<String>,
    seq: u64,
    at: Option<At>,
}

fn invalid(reason: &str) -> ApiError {
    assent_core::Error::from(RightsError::BackupInvalid {
        reason: reason.into(),
    })
    .into()
}

/// The site's objects as a backup names them: the directory, then each shard.
fn objects(site: &SiteConfig) -> Vec<String> {
    std::iter::once(DIRECTORY.to_string())
        .chain(Object::all(site).map(|o| format!("shard/{}", o.shard)))
        .collect()
}

/// The object a backup's name stands for, and its role.
fn object<'a>(site: &'a SiteConfig, name: &str) -> Result<(Object<'a>, Role), ApiError> {
    if name == DIRECTORY {
        return Ok((Object::from(&site.site), Role::Directory));
    }
    let shard = name
        .strip_prefix("shard/")
        .and_then(|k| k.parse::<u16>().ok())
        .and_then(ShardIndex::new)
        .filter(|s| site.log.shards.has(*s))
        .ok_or_else(|| invalid("an object this site does not have"))?;
    Ok((
        Object {
            site: &site.site,
            shard,
        },
        Role::Shard,
    ))
}

/// Answers one of this module's routes (the operator's, authorised and audited).
pub(super) async fn handle(
    route: Route,
    mut req: Request,
    env: &Env,
    site: &'static SiteConfig,
) -> Result<Response, ApiError> {
    Query::parse(&req, &[])?;
    match route {
        Route::Backup => {
            let step: BackupStep = serde_json::from_slice(&bounded_body(&mut req).await?)
                .map_err(|e| invalid(&e.to_string()))?;
            backup_step(env, site, step).await
        }
        Route::RestoreCheck => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Body {
                objects: Vec<String>,
            }
            let body: Body = serde_json::from_slice(&bounded_body(&mut req).await?)
                .map_err(|e| invalid(&e.to_string()))?;
            if body.objects != objects(site) {
                return Err(invalid(
                    "the backup's objects are not this site's (its shards differ)",
                ));
            }
            // Every object checked first; only when all are empty is each
            // marked (checked again as it is): a site with one object in
            // use gets no mark anywhere, so no page is taken there.
            for mark in [false, true] {
                for name in &body.objects {
                    let (at, role) = object(site, name)?;
                    let check = &site_backup::of(role).check;
                    let ready = crate::objects::call(env, at, check, &mark).await?;
                    if !ready.occupied.is_empty() {
                        return Err(assent_core::Error::from(RightsError::SiteNotEmpty).into());
                    }
                }
            }
            json_value(&serde_json::json!({ "ready": true }), 200)
        }
        Route::RestorePages => {
            let page: Page =
                serde_json::from_slice(&body_up_to(&mut req, MAX_RESTORE_BYTES).await?)
                    .map_err(|e| invalid(&e.to_string()))?;
            page.check()?;
            let (at, role) = object(site, &page.object)?;
            let n = crate::objects::call(env, at, &site_backup::of(role).restore, &page).await?;
            json_value(&serde_json::json!({ "inserted": n }), 200)
        }
        Route::RestoreEnd => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Body {
                tables: BTreeMap<String, BTreeMap<String, u64>>,
            }
            let body: Body = serde_json::from_slice(&bounded_body(&mut req).await?)
                .map_err(|e| invalid(&e.to_string()))?;
            let mut report = serde_json::Map::new();
            for name in objects(site) {
                let (at, role) = object(site, &name)?;
                let done = crate::objects::call(env, at, &site_backup::of(role).end, &()).await?;
                let expected = body.tables.get(&name).cloned().unwrap_or_default();
                let mut held = done.tables.clone();
                // The directory's trail also holds the restore's own calls.
                // (at least the backed-up trail: more is fine).
                if let Some(n) = held.get_mut("audit").filter(|_| role == Role::Directory) {
                    *n = (*n).min(expected.get("audit").copied().unwrap_or(0));
                }
                if held != expected {
                    return Err(invalid(&format!("{name} holds other rows than the backup")));
                }
                report.insert(name, serde_json::to_value(&done).unwrap_or_default());
            }
            json_value(&serde_json::json!({ "restored": report }), 200)
        }
        _ => unreachable!("routed here by admin::handle"),
    }
}

/// One call of a backup: the next chunk, sealed at its place.
async fn backup_step(env: &Env, site: &SiteConfig, step: BackupStep) -> Result<Response, ApiError> {
    let recipient: Recipient = step.recipient.parse()?;
    let now = worker::Date::now().as_millis();
    let first = step.id.is_none();
    let mut header = Header::new(site.site.clone(), random()?, now, &recipient);
    if let Some(id) = step.id {
        if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid("id: 32 hex digits"));
        }
        header.id = id;
    }
    let names = objects(site);
    let mut at = step.at.unwrap_or(At {
        object: Some(names[0].clone()),
        from: None,
    });
    let (chunk, next) = loop {
        let Some(name) = at.object.clone() else {
            let end = Chunk::End {
                seq: step.seq,
                objects: names.clone(),
            };
            break (end, None);
        };
        let (object_at, role) = object(site, &name)?;
        let request = PageRequest {
            object: name.clone(),
            from: at.from.clone(),
        };
        let read =
            crate::objects::call(env, object_at, &site_backup::of(role).page, &request).await?;
        let next = match read.next {
            Some(from) => At {
                object: Some(name),
                from: Some(from),
            },
            None => At {
                object: names
                    .iter()
                    .position(|n| *n == name)
                    .and_then(|i| names.get(i + 1))
                    .cloned(),
                from: None,
            },
        };
        match read.page {
            Some(page) => {
                break (
                    Chunk::Rows {
                        seq: step.seq,
                        page,
                    },
                    Some(next),
                )
            }
            None => at = next,
        }
    };
    let done = next.is_none();
    let sealed = header.seal(&recipient, &chunk, random()?);
    json_value(
        &serde_json::json!({
            "header": first.then(|| header.line()),
            "id": header.id,
            "chunk": sealed,
            "at": next,
            "done": done,
        }),
        200,
    )
}
