//! The Durable Object holding a site's directory: its owner keys and the
//! audit trail of every owner access, the breach register, and the site's
//! configuration drafts and editions ([`crate::site_config`]), apart from the log's shards (no banner
//! event reaches it). An adapter: a table from typed endpoint
//! ([`crate::messages`]) to core's `admin::store` on the object's SQLite,
//! created by numbered migrations ([`crate::migrations::DIRECTORY`]).
//!
//! Before directories, a site's home shard kept its keys and trail. The
//! first authorisation a directory serves takes them over (the
//! [`messages::HANDOVER`] pages, adopted without overwriting anything), and
//! marks it done: keys made before the split keep working, and the trail's
//! hash chain continues where it stopped.

use assent_core::admin::store::{self as keys, AdminStore};
use assent_core::ids::SiteId;
use worker::{
    durable_object, Date, DurableObject, Env, Request, Response, Result, SqlStorage, State,
};

use crate::admin_store::SqlAdminStore;
use crate::error::ApiError;
use crate::log_store::{Sql, SqlValue};
use crate::messages::{self, endpoints, CreatedKey};
use crate::objects::Role;
use assent_core::breach::{BreachId, BreachStore, Incident};
use assent_core::error::{RequestError, RightsError};
use assent_core::paging::AUDIT as AUDIT_PAGE;

/// The Durable Object holding a site's directory.
#[durable_object]
pub struct SiteDirectory {
    state: State,
    env: Env,
}

impl DurableObject for SiteDirectory {
    fn new(state: State, env: Env) -> Self {
        let sql = state.storage().sql();
        if let Err(e) = crate::migrations::migrate(&sql, crate::migrations::DIRECTORY, now_ms()) {
            worker::console_error!("directory migrations: {}", e.0);
        }
        Self { state, env }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        let sql = self.state.storage().sql();
        if req.path() == messages::AUTHORIZE.path && !handed_over(&sql) {
            let access: messages::AccessRequest = req.clone()?.json().await?;
            if let Err(e) = take_over(&self.env, &sql, &access.site).await {
                return Ok(e.to_response());
            }
        }
        let path = req.path();
        if crate::site_backup::handles(Role::Directory, &path) {
            return crate::site_backup::serve(Role::Directory, &path, req, &sql, &mut false).await;
        }
        if crate::site_config::handles(&path) {
            return crate::site_config::serve(req, &sql).await;
        }
        serve(req, &self.env, &sql).await
    }
}

/// The directory's table.
async fn serve(req: Request, env: &Env, sql: &SqlStorage) -> Result<Response> {
    let mut admin = SqlAdminStore(sql);
    let path = req.path();
    endpoints!(path.as_str(), req, {
        messages::AUTHORIZE => |r: messages::AccessRequest| {
                let site_id = r.site.clone();
                let operator = env.secret("ADMIN_KEY").ok().map(|s| s.to_string());
                Ok(keys::authorize(
                    &mut admin,
                    &site_id,
                    &r.presented,
                    operator.as_deref(),
                    r.op,
                    r.target,
                    now_ms(),
                )?)
            },
        messages::KEY_CREATE => |r: messages::KeyCreateRequest| {
                let mut random = [0u8; 40];
                getrandom::getrandom(&mut random)
                    .map_err(|e| ApiError::Internal(format!("randomness: {e}")))?;
                let (key, token) =
                    keys::create_key(&mut admin, &r.site, r.name, r.scopes, random, now_ms())?;
                Ok(CreatedKey {
                    key,
                    token: token.to_string(),
                })
            },
        messages::KEY_LIST => |()| {
                Ok(admin.keys().map_err(assent_core::Error::from)?)
            },
        messages::KEY_REVOKE => |id| Ok(keys::revoke_key(&mut admin, &id, now_ms())?),
        messages::KEY_ERASE_NAME => |id| Ok(keys::erase_key_name(&mut admin, &id, now_ms())?),
        messages::BREACH_PUT => |incident: Incident| {
                admin.put_breach(&incident).map_err(assent_core::Error::from)?;
                Ok(incident)
            },
        messages::BREACHES => |()| Ok(admin.breaches().map_err(assent_core::Error::from)?),
        messages::BREACH => |id: BreachId| {
                Ok(admin
                    .breach(&id)
                    .map_err(assent_core::Error::from)?
                    .ok_or(assent_core::Error::from(RightsError::BreachUnknown))?)
            },
        messages::BREACH_UPDATE => |r: messages::BreachUpdateRequest| {
                let mut incident = admin
                    .breach(&r.id)
                    .map_err(assent_core::Error::from)?
                    .ok_or(assent_core::Error::from(RightsError::BreachUnknown))?;
                incident.update(r.update, r.affected, now_ms())?;
                admin.put_breach(&incident).map_err(assent_core::Error::from)?;
                Ok(incident)
            },
        messages::AUDIT => |after: u64| {
                Ok(admin
                    .audit_after(after, AUDIT_PAGE)
                    .map_err(assent_core::Error::from)?)
            },
    } else {
        Ok(ApiError::from(RequestError::NotFound).to_response())
    })
}

fn handed_over(sql: &SqlStorage) -> bool {
    sql.query("SELECT 1 FROM handover", vec![])
        .is_ok_and(|rows| !rows.is_empty())
}

/// Takes over the keys and audit trail the home shard kept, page by page.
async fn take_over(
    env: &Env,
    sql: &SqlStorage,
    site: &SiteId,
) -> std::result::Result<(), ApiError> {
    let mut after = 0;
    loop {
        let page = messages::call(env, site, &messages::HANDOVER, &after).await?;
        let last = page.audit.last().map(|e| e.seq);
        SqlAdminStore(sql)
            .adopt(&page.keys, &page.audit)
            .map_err(assent_core::Error::from)?;
        match last {
            Some(seq) if page.audit.len() as u64 == AUDIT_PAGE => after = seq,
            _ => break,
        }
    }
    sql.query(
        "INSERT INTO handover (done_ms) VALUES (?)",
        vec![SqlValue::Int(now_ms() as i64)],
    )
    .map_err(|e| ApiError::Internal(e.0))?;
    Ok(())
}

fn now_ms() -> u64 {
    Date::now().as_millis()
}
