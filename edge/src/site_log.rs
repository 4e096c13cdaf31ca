//! The Durable Object holding one shard of a site's log (the home shard, 0,
//! also keeps what is site-wide): an adapter that hands each typed message
//! to its handler table ([`crate::log_handlers`], then
//! [`crate::site_admin`]) and runs the alarm's jobs ([`crate::jobs`]) when
//! core's schedule (`assent_core::schedule`) says. No rule lives here.
//!
//! An append is one `INSERT` in one synchronous stretch, and the object's
//! output gate holds the answer until SQLite has committed it: a visitor
//! never holds a receipt for a record that is not durable. A form
//! submission's contact, sealed identity, log entry, pending entry and mail
//! are written in one synchronous stretch too, committed together.

use assent_core::form::store::{BinStore, Confirmations, Outbox};
use assent_core::rights;
use assent_core::schedule::{self, CHECKPOINT_AFTER_MS, RETENTION_EVERY_MS};
use worker::{durable_object, Date, DurableObject, Env, Request, Response, Result, State};

use crate::form_store::SqlFormStore;
use crate::log_store::SqlLogStore;
use crate::objects::Role;

/// The Durable Object holding one shard of a site's log.
#[durable_object]
pub struct SiteLog {
    state: State,
    env: Env,
}

impl DurableObject for SiteLog {
    fn new(state: State, env: Env) -> Self {
        let sql = state.storage().sql();
        if let Err(e) = crate::migrations::migrate(&sql, crate::migrations::SHARD, now_ms()) {
            worker::console_error!("shard migrations: {}", e.0);
        }
        Self { state, env }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        let sql = self.state.storage().sql();
        let mut grew = false;
        let path = req.path();
        let named = req
            .headers()
            .get(crate::sites::EDITION_HEADER)
            .ok()
            .flatten();
        if let Err(e) = crate::site_config::catch_up(&self.env, named).await {
            return Ok(e.to_response());
        }
        let backup = crate::site_backup::handles(Role::Shard, &path);
        let resp = if backup {
            crate::site_backup::serve(Role::Shard, &path, req, &sql, &mut grew).await
        } else {
            crate::log_handlers::serve(req, &self.env, &sql, &mut grew).await
        };
        // While a restore writes, no job runs (an expiry or a new checkpoint
        // would change what its end counts): its end arms them. Asked only
        // of a backup's own calls, so an event pays nothing for it.
        if backup && crate::backup_store::marked(&sql) {
            return resp;
        }
        let store = SqlLogStore(&sql);
        let forms = SqlFormStore(&sql);
        let now = now_ms();
        let closing = forms.closing().ok().flatten().map(|c| c.anonymise_by_ms);
        // A grown log: a checkpoint within a second (appends in between share
        // it), and retention daily once the site has a policy (each run
        // sets the next, so arming it as the log grows is enough). Only a
        // growth asks the site: a read costs no lookup.
        let grown = grew.then(|| {
            let retention = crate::sites::of_log(&store)
                .ok()
                .flatten()
                .is_some_and(|s| s.rights.retention.is_some());
            // A contact who arrives after the closing day goes the same way.
            let closed = closing.is_some_and(|at| at <= now);
            [
                Some(now + CHECKPOINT_AFTER_MS),
                retention.then_some(now + RETENTION_EVERY_MS),
                closed.then_some(now + CHECKPOINT_AFTER_MS),
            ]
        });
        let due = [
            forms.next_due().ok().flatten(),
            forms.next_delivery().ok().flatten(),
            rights::bin::next_purge(&forms).ok().flatten(),
            // The site's closing day (everyone anonymised from then on; the
            // alarm's own runs go on from there until none is left).
            closing.filter(|&at| at > now),
        ];
        let asked = grown.into_iter().flatten().chain(due);
        if let Some(at) = schedule::earliest(asked) {
            self.alarm_by(at).await;
        }
        resp
    }

    async fn alarm(&self) -> Result<Response> {
        let sql = self.state.storage().sql();
        // A restore in progress: its end arms the jobs again.
        if crate::backup_store::marked(&sql) {
            return Response::ok("");
        }
        // Under the dev server a test may run the jobs as if later (a
        // retention two years on); the alarm still rings on the real clock.
        let ahead = crate::dev_alarm_ahead_ms(&self.env);
        if let Some(at) = crate::jobs::run(&self.env, &sql, now_ms() + ahead).await {
            self.alarm_by(at.saturating_sub(ahead)).await;
        }
        Response::ok("")
    }
}

impl SiteLog {
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
}

fn now_ms() -> u64 {
    Date::now().as_millis()
}
