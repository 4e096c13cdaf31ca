//! The log object's owner endpoints: keys, the audit trail and the
//! data-subject rights, each an adapter from a typed message
//! ([`crate::messages`]) to core's `admin` and `rights` on the object's
//! SQLite. The object hands a path here when it is not one of the log's.

use assent_core::admin::store::{self as keys, AdminStore};
use assent_core::rights;
use worker::{Date, Env, Request, Response, SqlStorage};

use crate::admin_store::SqlAdminStore;
use crate::error::ApiError;
use crate::form_store::SqlFormStore;
use crate::log_store::SqlLogStore;
use crate::messages::{self, CreatedKey};
use crate::{signing, sites};

/// Audit entries one page of the trail holds at most.
pub const AUDIT_PAGE: u64 = 500;

/// What an owner endpoint answered, and whether the log grew.
pub struct Served {
    /// The answer.
    pub response: Response,
    /// An erasure appended a record.
    pub grew: bool,
}

/// Answers `path` if it is an owner endpoint; `None` otherwise.
pub async fn serve(
    path: &str,
    req: Request,
    env: &Env,
    sql: &SqlStorage,
) -> Option<worker::Result<Served>> {
    let mut store = SqlLogStore(sql);
    let mut forms = SqlFormStore(sql);
    let mut admin = SqlAdminStore(sql);
    let site = || -> Result<&'static assent_core::config::SiteConfig, ApiError> {
        let origin = assent_core::log::LogStore::origin(&SqlLogStore(sql))
            .map_err(assent_core::Error::from)?;
        origin
            .and_then(|o| sites::get(o.site().as_str()))
            .ok_or(ApiError::Core(
                assent_core::error::RightsError::SubjectUnknown.into(),
            ))
    };
    let mut grew = false;
    let response = match path {
        p if p == messages::AUTHORIZE.path => {
            messages::serve(req, |r: messages::AccessRequest| {
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
            })
            .await
        }
        p if p == messages::KEY_CREATE.path => {
            messages::serve(req, |r: messages::KeyCreateRequest| {
                let mut random = [0u8; 40];
                getrandom::getrandom(&mut random)
                    .map_err(|e| ApiError::Internal(format!("randomness: {e}")))?;
                let (key, token) =
                    keys::create_key(&mut admin, &r.site, r.name, r.scopes, random, now_ms())?;
                Ok(CreatedKey {
                    key,
                    token: token.to_string(),
                })
            })
            .await
        }
        p if p == messages::KEY_LIST.path => {
            messages::serve(req, |()| {
                Ok(admin.keys().map_err(assent_core::Error::from)?)
            })
            .await
        }
        p if p == messages::KEY_REVOKE.path => {
            messages::serve(req, |id| Ok(keys::revoke_key(&mut admin, &id, now_ms())?)).await
        }
        p if p == messages::AUDIT.path => {
            messages::serve(req, |after: u64| {
                Ok(admin
                    .audit_after(after, AUDIT_PAGE)
                    .map_err(assent_core::Error::from)?)
            })
            .await
        }
        p if p == messages::FIND.path => {
            messages::serve(req, |lookup: String| Ok(rights::find(&forms, &lookup)?)).await
        }
        p if p == messages::SUBJECT_EXPORT.path => {
            messages::serve(req, |subject| {
                Ok(rights::export::subject(
                    &store,
                    &forms,
                    site()?,
                    &subject,
                    now_ms(),
                    true,
                )?)
            })
            .await
        }
        p if p == messages::ERASE.path => {
            messages::serve(req, |r: messages::EraseRequest| {
                let appended = rights::erase(
                    &mut store,
                    &mut forms,
                    site()?,
                    &signing::current(env)?,
                    &r.subject,
                    r.event_id,
                    &r.ctx,
                )?;
                grew = appended.status == assent_core::log::sequencer::AppendStatus::New;
                Ok(appended)
            })
            .await
        }
        other => return crate::site_import::serve(other, req, env, sql).await,
    };
    Some(response.map(|response| Served { response, grew }))
}

fn now_ms() -> u64 {
    Date::now().as_millis()
}
