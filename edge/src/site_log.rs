//! The Durable Object holding one site's log: an adapter that decodes a
//! typed message ([`crate::messages`]), runs core's sequencer on the
//! object's SQLite ([`crate::log_store`]) and encodes the answer. No rule
//! of the log lives here.
//!
//! An append is one `INSERT` in one synchronous stretch, and the object's
//! output gate holds the answer until SQLite has committed it: a visitor
//! never holds a receipt for a record that is not durable. A checkpoint is
//! signed by an alarm at most a second after the log grew, and on demand.
//!
//! The forms' store lives on the same SQLite ([`crate::form_store`]): a
//! submission's contact, sealed identity, log entry, pending entry and mail
//! are written in one synchronous stretch, committed together. The same
//! alarm closes pending submissions whose links expired (core's
//! `form::intake::expire_due`), and is set for the next one due; it also
//! purges the recycle bin (core's `rights::bin::purge`) when an entry's
//! time is up, and rings for the earliest purge.

use assent_core::form::intake::{self, EdgeContext, FormStore, Fresh};
use assent_core::form::state;
use assent_core::log::archive;
use assent_core::log::sequencer::{self, AppendStatus};
use assent_core::log::LogStore;
use assent_core::rights;
use assent_core::rights::bin::BinStore;
use worker::{durable_object, Date, DurableObject, Env, Request, Response, Result, State};

use crate::error::ApiError;
use crate::form_store::SqlFormStore;
use crate::log_store::SqlLogStore;
use crate::messages::{self, ExportPage, ListedRecord, MailboxEntry, RecordsPage};
use crate::public_origin::PublicOrigins;
use crate::{signing, sites};

/// How often retention runs where a site has a policy.
const RETENTION_EVERY_MS: u64 = 24 * 3_600_000;

/// Pending submissions an alarm closes at most at once (the rest next second).
const EXPIRE_BATCH: u64 = 100;

/// The Durable Object holding one site's log.
#[durable_object]
pub struct SiteLog {
    state: State,
    env: Env,
}

fn listed(records: Vec<assent_core::log::store::Listed>) -> Vec<ListedRecord> {
    records
        .into_iter()
        .map(|r| ListedRecord {
            index: r.index,
            record: r.record,
        })
        .collect()
}

impl DurableObject for SiteLog {
    fn new(state: State, env: Env) -> Self {
        let schema = format!(
            "{}{}{}",
            crate::log_store::SCHEMA,
            crate::form_store::SCHEMA,
            crate::admin_store::SCHEMA
        );
        if let Err(e) = state.storage().sql().exec(&schema, None) {
            worker::console_error!("site log schema: {e}");
        }
        Self { state, env }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        let sql = self.state.storage().sql();
        let mut store = SqlLogStore(&sql);
        let mut forms = SqlFormStore(&sql);
        let key = || signing::current(&self.env);
        let mut grew = false;
        let path = req.path();
        let resp = match path.as_str() {
            p if p == messages::APPEND.path => {
                messages::serve(req, |r: sequencer::AppendRequest| {
                    let site = sites::get(r.event.site.as_str()).ok_or(ApiError::NotFound)?;
                    let appended = sequencer::append(&mut store, site, &key()?, r)?;
                    grew = appended.status == AppendStatus::New;
                    Ok(appended)
                })
                .await
            }
            p if p == messages::CHECKPOINT.path => {
                messages::serve(req, |()| {
                    Ok(sequencer::checkpoint(&mut store, &key()?, now_ms())?)
                })
                .await
            }
            p if p == messages::CHECKPOINT_IF_ANY.path => {
                messages::serve(req, |()| {
                    match sequencer::checkpoint(&mut store, &key()?, now_ms()) {
                        Ok(note) => Ok(Some(note)),
                        Err(e) if e.code() == "log_empty" => Ok(None),
                        Err(e) => Err(e.into()),
                    }
                })
                .await
            }
            p if p == messages::INCLUSION.path => {
                messages::serve(req, |q: messages::InclusionQuery| {
                    Ok(sequencer::inclusion(&store, q.index, q.size)?)
                })
                .await
            }
            p if p == messages::CONSISTENCY.path => {
                messages::serve(req, |q: messages::ConsistencyQuery| {
                    Ok(sequencer::consistency(&store, q.from, q.to)?)
                })
                .await
            }
            p if p == messages::NOTICE.path => {
                messages::serve(req, |q: messages::NoticeQuery| {
                    let current = sites::notices(q.site.as_str()).ok_or(ApiError::NotFound)?;
                    Ok(archive::find(&mut store, current, &q.hash, now_ms())?)
                })
                .await
            }
            p if p == messages::PAGE.path => {
                messages::serve(req, |q| {
                    let page = sequencer::page(&store, q)?;
                    Ok(RecordsPage {
                        total: page.total,
                        next_before: page.next_before,
                        records: listed(page.records),
                    })
                })
                .await
            }
            p if p == messages::EXPORT.path => {
                messages::serve(req, |from| {
                    let (records, next) = sequencer::export_page(&store, from)?;
                    Ok(ExportPage {
                        records: listed(records),
                        next,
                    })
                })
                .await
            }
            p if p == messages::SUBMIT.path => {
                messages::serve(req, |sub: intake::Submission| {
                    let site = sites::get(sub.event.site.as_str()).ok_or(ApiError::NotFound)?;
                    let appended =
                        intake::submit(&mut store, &mut forms, site, &key()?, sub, fresh()?)?;
                    grew = appended.status == AppendStatus::New;
                    Ok(appended)
                })
                .await
            }
            p if p == messages::CONFIRM.path => {
                messages::serve(req, |r: messages::ConfirmRequest| {
                    let site = sites::get(r.claims.site.as_str()).ok_or(ApiError::NotFound)?;
                    let secret = crate::routes::forms::form_secret(&self.env)?;
                    let texting = intake::Texting {
                        secret: &secret,
                        nonce: fresh()?.mail_nonce,
                    };
                    let confirmed = intake::confirm(
                        &mut store,
                        &mut forms,
                        site,
                        &key()?,
                        &r.claims,
                        texting,
                        &r.ctx,
                    )?;
                    grew = confirmed.appended.status == AppendStatus::New;
                    Ok(confirmed)
                })
                .await
            }
            p if p == messages::PHONE_CONFIRM.path => {
                messages::serve(req, |r: messages::PhoneConfirmRequest| {
                    let site = sites::get(r.claims.site.as_str()).ok_or(ApiError::NotFound)?;
                    let secret = crate::routes::forms::form_secret(&self.env)?;
                    let confirmed = intake::verify_phone(
                        &mut store,
                        &mut forms,
                        site,
                        &key()?,
                        secret.phone(),
                        &r.claims,
                        &r.code,
                        &r.ctx,
                    )?;
                    grew = confirmed.appended.status == AppendStatus::New;
                    Ok(confirmed)
                })
                .await
            }
            p if p == messages::WITHDRAW.path => {
                messages::serve(req, |r: messages::WithdrawRequest| {
                    let site =
                        sites::get(r.ctx.origin.site().as_str()).ok_or(ApiError::NotFound)?;
                    let appended = intake::withdraw(
                        &mut store,
                        &mut forms,
                        site,
                        &key()?,
                        &r.subject,
                        r.offers.as_deref(),
                        r.event_id,
                        &r.ctx,
                    )?;
                    grew = appended.status == AppendStatus::New;
                    Ok(appended)
                })
                .await
            }
            p if p == messages::STATE.path => {
                messages::serve(req, |subject| {
                    let records = store
                        .of_subject(&subject, 10_000)
                        .map_err(assent_core::Error::from)?;
                    let records: Vec<assent_core::record::StoredRecord> = records
                        .iter()
                        .filter_map(|l| serde_json::from_str(&l.record).ok())
                        .collect();
                    Ok(messages::SubjectState {
                        offers: state::fold(&records),
                        choice: rights::banner::last_choice(&records).map(|r| r.event.clone()),
                        restricted: rights::restricted(&records),
                        deleted: forms.binned(&subject).map_err(assent_core::Error::from)?,
                    })
                })
                .await
            }
            p if p == messages::SUBJECT_KEY.path => {
                messages::serve(req, |subject| {
                    Ok(store
                        .subject_key(&subject)
                        .map_err(assent_core::Error::from)?)
                })
                .await
            }
            p if p == messages::BANNER_WITHDRAW.path => {
                messages::serve(req, |r: messages::WithdrawRequest| {
                    let site =
                        sites::get(r.ctx.origin.site().as_str()).ok_or(ApiError::NotFound)?;
                    let appended = rights::banner::withdraw(
                        &mut store,
                        &mut forms,
                        site,
                        &key()?,
                        &r.subject,
                        r.offers.as_deref(),
                        r.event_id,
                        &r.ctx,
                    )?;
                    grew = appended.status == AppendStatus::New;
                    Ok(appended)
                })
                .await
            }
            p if p == messages::DELIVERIES.path => {
                messages::serve(req, |limit: u64| {
                    Ok(forms
                        .deliveries(limit.min(500))
                        .map_err(assent_core::Error::from)?)
                })
                .await
            }
            p if p == messages::MAILBOX.path => {
                messages::serve(req, |limit: u64| {
                    let site = store
                        .origin()
                        .map_err(assent_core::Error::from)?
                        .map(|o| o.site().clone());
                    let mails = forms
                        .mails(limit.min(100))
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
                            .and_then(|(site, c)| intake::open_mail(&m, &c, site));
                        if let Some(mail) = opened {
                            out.push(MailboxEntry {
                                created_ms: m.created_ms,
                                event_id: m.event_id.to_string(),
                                mail,
                            });
                        }
                    }
                    Ok(out)
                })
                .await
            }
            other => match crate::site_admin::serve(other, req, &self.env, &sql).await {
                Some(served) => served.map(|s| {
                    grew = s.grew;
                    s.response
                }),
                None => Ok(ApiError::NotFound.to_response()),
            },
        };
        if grew {
            // Batch checkpoints: one alarm a second at most while the log grows.
            self.alarm_by(now_ms() + 1000).await;
            if self.retention_site(&store).is_some() {
                // Retention runs daily once the site has a policy and a log;
                // each run sets the next, so arming it as the log grows is enough.
                self.alarm_by(now_ms() + RETENTION_EVERY_MS).await;
            }
        }
        if let Ok(Some(due)) = forms.next_due() {
            self.alarm_by(due).await;
        }
        if let Ok(Some(next)) = forms.next_delivery() {
            self.alarm_by(next).await;
        }
        if let Ok(Some(purge)) = rights::bin::next_purge(&forms) {
            self.alarm_by(purge).await;
        }
        resp
    }

    async fn alarm(&self) -> Result<Response> {
        let sql = self.state.storage().sql();
        let mut store = SqlLogStore(&sql);
        let mut forms = SqlFormStore(&sql);
        let expired = self.expire(&mut store, &mut forms);
        self.purge(&mut store, &mut forms).await;
        if let Some(site) = store
            .origin()
            .ok()
            .flatten()
            .and_then(|o| sites::get(o.site().as_str()))
        {
            crate::webhooks::deliver_due(&self.env, site, &store, &mut forms, now_ms()).await;
        }
        if let Ok(Some(next)) = forms.next_delivery() {
            self.alarm_by(next).await;
        }
        if let Some(site) = self.retention_site(&store) {
            let ran = self.own_context(&store).and_then(|ctx| {
                let key = signing::current(&self.env)?;
                Ok(rights::retention::run(
                    &mut store,
                    &mut forms,
                    site,
                    &key,
                    &ctx,
                    crate::site_admin::RETENTION_BATCH,
                )?)
            });
            match ran {
                // A full batch: more may be due now.
                Ok(r) if r.len() as u64 == crate::site_admin::RETENTION_BATCH => {
                    self.alarm_by(now_ms() + 1000).await
                }
                Ok(_) => self.alarm_by(now_ms() + RETENTION_EVERY_MS).await,
                Err(e) => {
                    worker::console_error!("retention: {e:?}");
                    self.alarm_by(now_ms() + 3_600_000).await;
                }
            }
        }
        let signed = signing::current(&self.env)
            .and_then(|key| Ok(sequencer::checkpoint(&mut store, &key, now_ms())?));
        if let Err(e) = signed {
            worker::console_error!("checkpoint: {e:?}");
        }
        match expired {
            // A full batch: more may be due now.
            Ok(n) if n == EXPIRE_BATCH => self.alarm_by(now_ms() + 1000).await,
            Ok(_) => {
                if let Ok(Some(due)) = forms.next_due() {
                    self.alarm_by(due).await;
                }
            }
            Err(e) => {
                worker::console_error!("expiry: {e:?}");
                self.alarm_by(now_ms() + 60_000).await;
            }
        }
        Response::ok("")
    }
}

impl SiteLog {
    /// This log's site, if it has a retention policy.
    fn retention_site(
        &self,
        store: &SqlLogStore<&worker::SqlStorage>,
    ) -> Option<&'static assent_core::config::SiteConfig> {
        let origin = store.origin().ok().flatten()?;
        sites::get(origin.site().as_str()).filter(|s| s.rights.retention.is_some())
    }

    /// Where this object's own events happen (the alarm's: expiry, purge,
    /// retention): now, under the origin its first record fixed (its
    /// shard's), and the edge's issuer.
    fn own_context(
        &self,
        store: &SqlLogStore<&worker::SqlStorage>,
    ) -> std::result::Result<EdgeContext, ApiError> {
        let origin = store
            .origin()
            .map_err(assent_core::Error::from)?
            .ok_or(ApiError::NotFound)?;
        Ok(EdgeContext {
            now_ms: now_ms(),
            issuer: PublicOrigins::from_env(&self.env)?.canonical().to_string(),
            origin,
        })
    }

    /// Makes sure an alarm rings by `at_ms` (an earlier one stays).
    async fn alarm_by(&self, at_ms: u64) {
        let storage = self.state.storage();
        let current = storage.get_alarm().await.ok().flatten();
        if current.is_some_and(|c| c <= at_ms as i64) {
            return;
        }
        let offset = (at_ms.saturating_sub(now_ms())).max(1) as i64;
        if let Err(e) = storage.set_alarm(offset).await {
            worker::console_error!("alarm: {e}");
        }
    }

    /// Erases the subjects whose time in the recycle bin is up (a batch),
    /// and rings again for the next.
    async fn purge(
        &self,
        store: &mut SqlLogStore<&worker::SqlStorage>,
        forms: &mut SqlFormStore<&worker::SqlStorage>,
    ) {
        let Ok(Some(origin)) = store.origin() else {
            return;
        };
        let Some(site) = sites::get(origin.site().as_str()) else {
            return;
        };
        let ran = self.own_context(store).and_then(|ctx| {
            let key = signing::current(&self.env)?;
            Ok(rights::bin::purge(
                store,
                forms,
                site,
                &key,
                &ctx,
                ctx.now_ms,
                crate::site_admin::PURGE_BATCH,
            )?)
        });
        match ran {
            // A full batch: more may be due now.
            Ok(p) if p.len() as u64 == crate::site_admin::PURGE_BATCH => {
                self.alarm_by(now_ms() + 1000).await
            }
            Ok(_) => {
                if let Ok(Some(next)) = rights::bin::next_purge(forms) {
                    self.alarm_by(next).await;
                }
            }
            Err(e) => {
                worker::console_error!("recycle bin: {e:?}");
                self.alarm_by(now_ms() + 60_000).await;
            }
        }
    }

    /// Closes the pending submissions whose links expired.
    fn expire(
        &self,
        store: &mut SqlLogStore<&worker::SqlStorage>,
        forms: &mut SqlFormStore<&worker::SqlStorage>,
    ) -> std::result::Result<u64, ApiError> {
        let Some(origin) = store.origin().map_err(assent_core::Error::from)? else {
            return Ok(0);
        };
        let site = sites::get(origin.site().as_str()).ok_or(ApiError::NotFound)?;
        let ctx = self.own_context(store)?;
        Ok(intake::expire_due(
            store,
            forms,
            site,
            &signing::current(&self.env)?,
            &ctx,
            EXPIRE_BATCH,
        )?)
    }
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
