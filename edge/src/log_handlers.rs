//! The log's endpoints: a table from typed endpoint ([`crate::messages`])
//! to core's sequencer and forms' intake on a shard's SQLite. Nothing of the
//! log's rules lives here.

use assent_core::form::intake::Fresh;
use assent_core::form::store::{Contacts, Mailbox, Outbox};
use assent_core::form::{mail, settle};
use assent_core::log::archive;
use assent_core::log::sequencer::{self, AppendStatus};
use assent_core::log::LogStore;
use assent_core::paging;
use assent_core::rights;
use assent_core::site::Site;
use worker::{Date, Env, Request, Response, SqlStorage};

use crate::error::ApiError;
use crate::form_store::SqlFormStore;
use crate::log_store::SqlLogStore;
use crate::messages::{self, endpoints, ExportPage, ListedRecord, MailboxEntry, RecordsPage};
use crate::{signing, sites};
use assent_core::error::RequestError;

fn listed(records: Vec<assent_core::log::store::Listed>) -> Vec<ListedRecord> {
    records
        .into_iter()
        .map(|r| ListedRecord {
            index: r.index,
            record: r.record,
        })
        .collect()
}

/// Serves `req` if its path is one of the log's endpoints (setting `grew`
/// when the log appended), else hands it to the forms' table.
pub async fn serve(
    req: Request,
    env: &Env,
    sql: &SqlStorage,
    grew: &mut bool,
) -> worker::Result<Response> {
    let mut store = SqlLogStore(sql);
    let forms = SqlFormStore(sql);
    let key = || signing::current(env);
    let path = req.path();
    endpoints!(path.as_str(), req, {
            messages::APPEND => |r: sequencer::AppendRequest| {
                    let site = sites::get(r.event.site.as_str()).ok_or(ApiError::from(RequestError::NotFound))?;
                    let appended = sequencer::append(&mut store, site, &key()?, r)?;
                    *grew = appended.status == AppendStatus::New;
                    Ok(appended)
                },
            messages::CHECKPOINT => |()| {
                    Ok(sequencer::checkpoint(&mut store, &key()?, now_ms())?)
                },
            messages::CHECKPOINT_IF_ANY => |()| {
                    match sequencer::checkpoint(&mut store, &key()?, now_ms()) {
                        Ok(note) => Ok(Some(note)),
                        Err(e) if e.code() == "log_empty" => Ok(None),
                        Err(e) => Err(e.into()),
                    }
                },
            messages::INCLUSION => |q: messages::InclusionQuery| {
                    Ok(sequencer::inclusion(&store, q.index, q.size)?)
                },
            messages::CONSISTENCY => |q: messages::ConsistencyQuery| {
                    Ok(sequencer::consistency(&store, q.from, q.to)?)
                },
            messages::NOTICE => |q: messages::NoticeQuery| {
                    let current = sites::notices(q.site.as_str()).ok_or(ApiError::from(RequestError::NotFound))?;
                    Ok(archive::find(&mut store, current, &q.hash, now_ms())?)
                },
            crate::site_config::KEEP_NOTICES => |notices: Vec<archive::ArchivedNotice>| {
                    let mut kept = 0;
                    for notice in &notices {
                        if store.notice(&notice.hash).map_err(assent_core::Error::from)?.is_none() {
                            store.keep_notice(notice).map_err(assent_core::Error::from)?;
                            kept += 1;
                        }
                    }
                    Ok(kept)
                },
            messages::PAGE => |q| {
                    let page = assent_core::paging::page(&store, q)?;
                    Ok(RecordsPage {
                        total: page.total,
                        next_before: page.next_before,
                        records: listed(page.records),
                    })
                },
            messages::EXPORT => |from| {
                    let (records, next) = assent_core::paging::export_page(&store, from)?;
                    Ok(ExportPage {
                        records: listed(records),
                        next,
                    })
                },
            messages::STATE => |subject| Ok(rights::state(&store, &forms, &subject)?),
            messages::SUBJECT_KEY => |subject| {
                    Ok(store
                        .subject_key(&subject)
                        .map_err(assent_core::Error::from)?)
                },
    } else {
        form_endpoints(req, env, sql, grew).await
    })
}

/// The forms' endpoints: submissions, confirmations, withdrawals, and
/// the outbox's views; any other path goes on to the owner's tables.
async fn form_endpoints(
    req: Request,
    env: &Env,
    sql: &SqlStorage,
    grew: &mut bool,
) -> worker::Result<Response> {
    let mut store = SqlLogStore(sql);
    let mut forms = SqlFormStore(sql);
    let key = || signing::current(env);
    let path = req.path();
    endpoints!(path.as_str(), req, {
            messages::SUBMIT => |r: messages::SubmitRequest| {
                    let site = sites::get(r.submission.event.site.as_str()).ok_or(ApiError::from(RequestError::NotFound))?;
                    let secret = crate::routes::forms::form_secret(env)?;
                    let appended = Site::new(&mut store, &mut forms, site, &key()?, &r.ctx)
                        .submit(r.submission, fresh()?, secret.token())?;
                    *grew = appended.status == AppendStatus::New;
                    Ok(appended)
                },
            messages::CONFIRM => |r: messages::ConfirmRequest| {
                    let site = sites::get(r.claims.site.as_str()).ok_or(ApiError::from(RequestError::NotFound))?;
                    let secret = crate::routes::forms::form_secret(env)?;
                    let texting = settle::Texting {
                        secret: &secret,
                        nonce: fresh()?.mail_nonce,
                    };
                    let confirmed = Site::new(&mut store, &mut forms, site, &key()?, &r.ctx).confirm(&r.claims, texting)?;
                    *grew = confirmed.appended.status == AppendStatus::New;
                    Ok(confirmed)
                },
            messages::PHONE_CONFIRM => |r: messages::PhoneConfirmRequest| {
                    let site = sites::get(r.claims.site.as_str()).ok_or(ApiError::from(RequestError::NotFound))?;
                    let secret = crate::routes::forms::form_secret(env)?;
                    let confirmed = Site::new(&mut store, &mut forms, site, &key()?, &r.ctx).verify_phone(secret.phone(), &r.claims, &r.code)?;
                    *grew = confirmed.appended.status == AppendStatus::New;
                    Ok(confirmed)
                },
            messages::WITHDRAW => |r: messages::WithdrawRequest| {
                    let site =
                        sites::get(r.ctx.origin.site().as_str()).ok_or(ApiError::from(RequestError::NotFound))?;
                    let key = key()?;
                    let mut at = Site::new(&mut store, &mut forms, site, &key, &r.ctx);
                    let appended = if r.here {
                        at.withdraw_offers_in_center(&r.subject, r.offers.as_deref(), r.event_id)?
                    } else {
                        at.withdraw_offers(&r.subject, r.offers.as_deref(), r.event_id)?
                    };
                    *grew = appended.status == AppendStatus::New;
                    Ok(appended)
                },
            messages::UNSUBSCRIBE => |r: messages::UnsubscribeRequest| {
                    let site =
                        sites::get(r.ctx.origin.site().as_str()).ok_or(ApiError::from(RequestError::NotFound))?;
                    let appended = Site::new(&mut store, &mut forms, site, &key()?, &r.ctx).unsubscribe(&r.subject, r.channel, r.event_id)?;
                    *grew = appended.as_ref().is_some_and(|a| a.status == AppendStatus::New);
                    Ok(appended)
                },
            messages::ATTEST => |r: messages::AttestRequest| {
                    let site =
                        sites::get(r.ctx.origin.site().as_str()).ok_or(ApiError::from(RequestError::NotFound))?;
                    let key = key()?;
                    let mut outcomes = Vec::with_capacity(r.attested.len());
                    for attested in r.attested {
                        let done = Site::new(&mut store, &mut forms, site, &key, &r.ctx).attest(attested, fresh()?);
                        outcomes.push(match done {
                            Ok(appended) => {
                                *grew |= appended.status == AppendStatus::New;
                                messages::AttestOutcome::Recorded(appended)
                            }
                            Err(e) => messages::AttestOutcome::Refused(ApiError::from(e).to_wire()),
                        });
                    }
                    Ok(outcomes)
                },
            messages::CLOSING => |_: ()| {
                    Ok(assent_core::form::store::BinStore::closing(&forms).map_err(assent_core::Error::from)?)
                },
            messages::CLOSE => |r: messages::CloseRequest| {
                    let site =
                        sites::get(r.ctx.origin.site().as_str()).ok_or(ApiError::from(RequestError::NotFound))?;
                    let key = key()?;
                    let mut at = Site::new(&mut store, &mut forms, site, &key, &r.ctx);
                    Ok(match r.day {
                        Some(day) => at.close(&day, &r.by)?,
                        None => at.reopen()?,
                    })
                },
            messages::CONTACTS => |r: messages::ContactsRequest| {
                    Ok(rights::contacts::list(&store, &forms, &r.filter, r.after.as_ref(), r.limit)?)
                },
            messages::NOTE => |r: messages::NoteRequest| {
                    let site =
                        sites::get(r.ctx.origin.site().as_str()).ok_or(ApiError::from(RequestError::NotFound))?;
                    Ok(Site::new(&mut store, &mut forms, site, &key()?, &r.ctx).add_note(&r.subject, &r.by, &r.text, r.id, fresh()?.identity_nonce)?)
                },
            messages::OBJECT => |r: messages::ObjectRequest| {
                    let site =
                        sites::get(r.ctx.origin.site().as_str()).ok_or(ApiError::from(RequestError::NotFound))?;
                    let ui = assent_core::event::UiRef {
                        surface: assent_core::event::Surface::Owner,
                        control: assent_core::event::Control::Object,
                    };
                    let path = assent_core::api::admin_objection(&site.site, &r.subject);
                    let appended = Site::new(&mut store, &mut forms, site, &key()?, &r.ctx).object(&r.subject, r.channel, r.event_id, ui, path)?;
                    *grew = appended.status == AppendStatus::New;
                    Ok(appended)
                },
            messages::BANNER_WITHDRAW => |r: messages::WithdrawRequest| {
                    let site =
                        sites::get(r.ctx.origin.site().as_str()).ok_or(ApiError::from(RequestError::NotFound))?;
                    let appended = Site::new(&mut store, &mut forms, site, &key()?, &r.ctx).withdraw_choice(&r.subject, r.offers.as_deref(), r.event_id)?;
                    *grew = appended.status == AppendStatus::New;
                    Ok(appended)
                },
    } else {
        outbox_endpoints(req, env, sql, grew).await
    })
}

/// The outbox's views (webhook deliveries, the dev mailbox); any other path
/// goes on to the owner's tables.
async fn outbox_endpoints(
    req: Request,
    env: &Env,
    sql: &SqlStorage,
    grew: &mut bool,
) -> worker::Result<Response> {
    let store = SqlLogStore(sql);
    let forms = SqlFormStore(sql);
    let path = req.path();
    endpoints!(path.as_str(), req, {
            messages::DELIVERIES => |limit: u64| {
                    Ok(forms
                        .deliveries(paging::DELIVERIES.of(Some(limit)))
                        .map_err(assent_core::Error::from)?)
                },
            messages::MAILBOX => |limit: u64| {
                    let site = store
                        .origin()
                        .map_err(assent_core::Error::from)?
                        .map(|o| o.site().clone());
                    let mails = forms
                        .mails(paging::MAILBOX.of(Some(limit)))
                        .map_err(assent_core::Error::from)?;
                    let mut out = Vec::new();
                    for m in mails {
                        let contact = forms
                            .contact_of(&m.subject)
                            .map_err(assent_core::Error::from)?;
                        // An erased contact's mail no longer opens: it is gone.
                        let opened = site
                            .as_ref()
                            .zip(contact)
                            .and_then(|(site, c)| mail::open_mail(&m, &c, site));
                        if let Some(mail) = opened {
                            out.push(MailboxEntry {
                                created_ms: m.created_ms,
                                event_id: m.event_id.to_string(),
                                mail,
                            });
                        }
                    }
                    Ok(out)
                },
    } else {
        crate::site_admin::serve(&path, req, env, sql, grew).await
    })
}

/// Randomness for a submission, from the platform's CSPRNG.
fn fresh() -> std::result::Result<Fresh, ApiError> {
    let mut bytes = [0u8; 16 + 32 + 32 + 24 + 24];
    getrandom::getrandom(&mut bytes).map_err(|e| ApiError::Internal(format!("randomness: {e}")))?;
    let take = |from: usize| -> [u8; 32] { bytes[from..from + 32].try_into().expect("32 bytes") };
    let nonce = |from: usize| -> [u8; 24] { bytes[from..from + 24].try_into().expect("24 bytes") };
    Ok(Fresh {
        subject: bytes[..16].try_into().expect("16 bytes"),
        salt: take(16),
        key: take(48),
        identity_nonce: nonce(80),
        mail_nonce: nonce(104),
    })
}

fn now_ms() -> u64 {
    Date::now().as_millis()
}
