//! The log object's owner endpoints: keys, the audit trail and the
//! data-subject rights, each an adapter from a typed message
//! ([`crate::messages`]) to core's `admin` and `rights` on the object's
//! SQLite. The object hands a path here when it is not one of the log's.

use assent_core::admin::store::AdminStore;
use assent_core::error::RightsError;
use assent_core::paging;
use assent_core::rights::requests::{self, RequestStore};
use assent_core::rights::{self, bin, center};
use assent_core::site::Site;
use worker::{Date, Env, Request, Response, SqlStorage};

use crate::admin_store::SqlAdminStore;
use crate::error::ApiError;
use crate::form_store::SqlFormStore;
use crate::log_store::SqlLogStore;
use crate::messages::{self, endpoints};
use crate::{signing, sites};
use assent_core::schedule::Job;

/// The table of spent privacy-center links, and of the handover of the
/// keys and audit trail a home shard kept before its site had a directory;
/// any other path goes on to the next table. `grew` is set when the log
/// appended.
pub async fn serve(
    path: &str,
    req: Request,
    env: &Env,
    sql: &SqlStorage,
    grew: &mut bool,
) -> worker::Result<Response> {
    let mut admin = SqlAdminStore(sql);
    endpoints!(path, req, {
        messages::HANDOVER => |after: u64| {
                Ok(messages::Handover {
                    keys: if after == 0 {
                        admin.keys().map_err(assent_core::Error::from)?
                    } else {
                        Vec::new()
                    },
                    audit: admin
                        .audit_after(after, paging::AUDIT)
                        .map_err(assent_core::Error::from)?,
                })
            },
        messages::SPEND_LINK => |nonce| {
                if admin
                    .spend_link(&nonce, now_ms())
                    .map_err(assent_core::Error::from)?
                {
                    Ok(())
                } else {
                    Err(assent_core::Error::from(RightsError::LinkUsed).into())
                }
            },
    } else {
        rights(path, req, env, sql, grew).await
    })
}

/// The table of the data-subject rights on a subject of this shard, and the owner's runs over it; any other path goes on
/// to the next table. `grew` is set when the log appended.
async fn rights(
    path: &str,
    req: Request,
    env: &Env,
    sql: &SqlStorage,
    grew: &mut bool,
) -> worker::Result<Response> {
    let mut store = SqlLogStore(sql);
    let mut forms = SqlFormStore(sql);
    let mut admin = SqlAdminStore(sql);
    let site = || shard_site(sql);
    endpoints!(path, req, {
        messages::FIND => |lookup: String| Ok(rights::find(&forms, &lookup)?),
        messages::SUBJECT_EXPORT => |r: messages::ExportRequest| {
                let config = site()?;
                Ok(rights::export::subject(
                    &store,
                    &forms,
                    config,
                    &r.subject,
                    now_ms(),
                    r.own || !config.rights.pseudonymous,
                )?)
            },
        messages::RESTRICT => |r: messages::RestrictRequest| {
                let appended = Site::new(&mut store, &mut forms, site()?, &signing::current(env)?, &r.ctx).restrict(&r.subject, r.restricted, r.event_id)?;
                *grew = appended.status == assent_core::log::sequencer::AppendStatus::New;
                Ok(appended)
            },
        messages::RECTIFY => |r: messages::RectifyRequest| {
                let mut nonce = [0u8; 24];
                getrandom::getrandom(&mut nonce)
                    .map_err(|e| ApiError::Internal(format!("randomness: {e}")))?;
                let appended = Site::new(&mut store, &mut forms, site()?, &signing::current(env)?, &r.ctx).rectify(&r.subject, &r.changes, r.event_id, nonce)?;
                *grew = appended.status == assent_core::log::sequencer::AppendStatus::New;
                Ok(appended)
            },
        messages::ERASE => |r: messages::EraseRequest| {
                let deletion = Site::new(&mut store, &mut forms, site()?, &signing::current(env)?, &r.ctx).delete_closing(&mut admin, &r.subject, &r.who, r.event_id)?;
                *grew = matches!(&deletion, bin::Deletion::Erased(a) if a.status == assent_core::log::sequencer::AppendStatus::New);
                Ok(deletion)
            },
        messages::RESTORE => |subject| {
                Ok(bin::restore(&store, &mut forms, &mut admin, &subject)?)
            },
        messages::PRIVACY_LINK => |r: messages::PrivacyLinkRequest| {
                let site = site()?;
                let key = crate::routes::forms::form_secret(env)?;
                let say = |w| site.word(&r.lang, w);
                Ok(center::mail_link(
                    &mut forms,
                    &site.site,
                    key.privacy(),
                    center::Recipient {
                        lookup: &r.lookup,
                        to: &r.to,
                        letter: center::Letter::SignIn {
                            subject: say(assent_core::config::Word::CenterMailSubject),
                            text: say(assent_core::config::Word::CenterMailText),
                        },
                    },
                    &r.base,
                    link_fresh()?,
                    now_ms(),
                )?)
            },
    } else {
        site_runs(path, req, env, sql, grew).await
    })
}

/// The table of the owner's runs over this shard (retention, the recycle
/// bin, statistics), asked of every shard; any other path goes on to the
/// next table. `grew` is set when the log appended.
async fn site_runs(
    path: &str,
    req: Request,
    env: &Env,
    sql: &SqlStorage,
    grew: &mut bool,
) -> worker::Result<Response> {
    let mut store = SqlLogStore(sql);
    let mut forms = SqlFormStore(sql);
    let site = || shard_site(sql);
    let empty = || shard_empty(sql);
    endpoints!(path, req, {
        messages::RETENTION_DUE => |at: u64| {
                if empty()? {
                    return Ok(Vec::new());
                }
                Ok(rights::retention::due(&store, &forms, site()?, at, paging::RETENTION_DUE)?)
            },
        messages::RETENTION_RUN => |ctx: assent_core::site::EdgeContext| {
                if empty()? {
                    return Ok(Vec::new());
                }
                let ran = Site::new(&mut store, &mut forms, site()?, &signing::current(env)?, &ctx).run_retention_closing(&mut SqlAdminStore(sql), Job::Retention.batch())?;
                *grew = !ran.is_empty();
                Ok(ran)
            },
        messages::RECYCLE_BIN => |limit: u64| Ok(bin::list(&forms, paging::RECYCLE_BIN.of(Some(limit)))?),
        messages::PURGE => |r: messages::PurgeRequest| {
                if empty()? {
                    return Ok(Vec::new());
                }
                let purged = Site::new(&mut store, &mut forms, site()?, &signing::current(env)?, &r.ctx).purge_closing(&mut SqlAdminStore(sql), r.until_ms, Job::Purge.batch())?;
                *grew = !purged.is_empty();
                Ok(purged)
            },
        messages::STATS => |from: String| {
                Ok(assent_core::log::LogStore::stats(&store, &from)
                    .map_err(assent_core::Error::from)?)
            },
    } else {
        requests(path, req, env, sql, grew).await
    })
}

/// The table of data-subject requests: filed, queued, decided (an erasure or an access copy fulfils one); any other path goes on
/// to the next table. `grew` is set when the log appended.
async fn requests(
    path: &str,
    req: Request,
    env: &Env,
    sql: &SqlStorage,
    grew: &mut bool,
) -> worker::Result<Response> {
    let mut store = SqlLogStore(sql);
    let mut forms = SqlFormStore(sql);
    let mut admin = SqlAdminStore(sql);
    let site = || shard_site(sql);
    endpoints!(path, req, {
        messages::REQUEST_FILE => |r: messages::RequestFile| {
                let config = site()?;
                let filed =
                    requests::file_asked(&mut admin, &r.subject, r.asked, r.id.clone(), r.ctx.now_ms)?;
                if !config.rights.auto_fulfil || filed.id != r.id {
                    return Ok(filed);
                }
                let done = Site::new(&mut store, &mut forms, config, &signing::current(env)?, &r.ctx).fulfil(&mut admin, &filed.id, "automatic", r.id)?;
                *grew = done.erasure.is_some();
                Ok(done)
            },
        messages::REQUESTS => |limit: u64| {
                Ok(admin
                    .queue(paging::REQUESTS.of(Some(limit)))
                    .map_err(assent_core::Error::from)?)
            },
        messages::REQUESTS_OF => |subject| {
                Ok(admin
                    .requests_of(&subject)
                    .map_err(assent_core::Error::from)?)
            },
        messages::REQUEST_DECIDE => |r: messages::RequestDecide| {
                let config = site()?;
                let done = if r.fulfil {
                    let done = Site::new(&mut store, &mut forms, config, &signing::current(env)?, &r.ctx).fulfil(&mut admin, &r.id, &r.who, r.erasure_id)?;
                    *grew = done.erasure.is_some() || done.fulfilled_by.is_some();
                    done
                } else {
                    let open = requests::open(&admin, &r.id)?;
                    requests::refuse(&mut admin, open, &r.who, r.reason.as_deref().unwrap_or(""), r.ctx.now_ms)?
                };
                // The person is told what was decided (a copy's link, a
                // refusal's reason), where the site can reach them; an
                // erased one has no address left.
                mail_answer(&store, &mut forms, config, env, &done, &r.ctx)?;
                Ok(done)
            },
    } else {
        crate::site_import::serve(path, req, env, sql, grew).await
    })
}

/// This shard's site, from the origin its first record fixed.
fn shard_site(sql: &SqlStorage) -> Result<&'static assent_core::config::SiteConfig, ApiError> {
    sites::of_log(&SqlLogStore(sql))
        .map_err(assent_core::Error::from)?
        .ok_or(ApiError::Core(RightsError::SubjectUnknown.into()))
}

/// Whether this shard has no record yet (no origin): the owner's views of
/// the whole site ask every shard, and an empty one has nothing due.
fn shard_empty(sql: &SqlStorage) -> Result<bool, ApiError> {
    let size = assent_core::log::LogStore::size(&SqlLogStore(sql));
    Ok(size.map_err(assent_core::Error::from)? == 0)
}

fn link_fresh() -> Result<center::LinkFresh, ApiError> {
    let mut bytes = [0u8; 40];
    getrandom::getrandom(&mut bytes).map_err(|e| ApiError::Internal(format!("randomness: {e}")))?;
    Ok(center::LinkFresh {
        id: assent_core::ids::EventId::from_random_bytes(bytes[..16].try_into().expect("16")),
        mail_nonce: bytes[16..].try_into().expect("24"),
    })
}

/// Mails the subject of a fulfilled access request a link to their center.
fn mail_answer(
    log: &SqlLogStore<&SqlStorage>,
    forms: &mut SqlFormStore<&SqlStorage>,
    config: &assent_core::config::SiteConfig,
    env: &Env,
    request: &assent_core::rights::requests::SubjectRequest,
    ctx: &assent_core::site::EdgeContext,
) -> Result<(), ApiError> {
    let subject = &request.subject;
    use assent_core::form::store::Contacts;
    let Some(contact) = forms
        .contact_of(subject)
        .map_err(assent_core::Error::from)?
    else {
        return Ok(());
    };
    let Some(identity) = rights::export::identity_of(log, forms, config, subject)? else {
        return Ok(());
    };
    let key = crate::routes::forms::form_secret(env)?;
    center::mail_link(
        forms,
        &config.site,
        key.privacy(),
        center::Recipient {
            lookup: &contact.lookup,
            to: &identity.email,
            letter: center::Letter::Answer {
                request,
                controller: &config.controller.name,
            },
        },
        &ctx.issuer,
        link_fresh()?,
        ctx.now_ms,
    )?;
    Ok(())
}

fn now_ms() -> u64 {
    Date::now().as_millis()
}
