//! The log object's alarm: each job of core's schedule
//! (`assent_core::schedule::Job`) run once on the shard's SQLite, and the
//! time the alarm rings next, as the schedule says from what each run came
//! to. A failed job is logged and backs off; the others still run.

use assent_core::form::store::{BinStore, Confirmations, Outbox};
use assent_core::log::sequencer;
use assent_core::log::LogStore;
use assent_core::rights;
use assent_core::schedule::{self, Job, Ran};
use assent_core::site::{EdgeContext, Site};
use worker::{Env, SqlStorage};

use crate::admin_store::SqlAdminStore;
use crate::error::ApiError;
use crate::form_store::SqlFormStore;
use crate::log_store::SqlLogStore;
use crate::public_origin::PublicOrigins;
use crate::{signing, sites};
use assent_core::error::RequestError;

/// Where this shard's own events happen (expiry, purge, retention): now,
/// under the origin its first record fixed (its shard's), the edge's issuer.
fn own_context(
    env: &Env,
    store: &SqlLogStore<&SqlStorage>,
    now_ms: u64,
) -> Result<EdgeContext, ApiError> {
    let origin = store
        .origin()
        .map_err(assent_core::Error::from)?
        .ok_or(ApiError::from(RequestError::NotFound))?;
    Ok(EdgeContext {
        now_ms,
        issuer: PublicOrigins::from_env(env)?.canonical().to_string(),
        origin,
    })
}

/// What a job's run came to, its failure logged.
fn ran(job: Job, result: Result<u64, ApiError>) -> Ran {
    match result {
        Ok(n) => Ran::Did(n),
        Err(e) => {
            worker::console_error!("{job:?}: {e:?}");
            Ran::Failed
        }
    }
}

/// Runs every job once; answers when the alarm should ring next.
pub async fn run(env: &Env, sql: &SqlStorage, now_ms: u64) -> Option<u64> {
    let mut store = SqlLogStore(sql);
    let mut forms = SqlFormStore(sql);
    // A shard without records has nothing to do.
    let origin = store.origin().ok().flatten()?;
    // The edition in force, asked of the directory when not known lately.
    if let Err(e) = crate::site_config::resolve(env, origin.site()).await {
        worker::console_error!("alarm: {e:?}");
    }
    let site = sites::of_log(&store).ok().flatten()?;
    // Without its key or its origin no job can run: all back off alike.
    let (key, ctx) =
        match signing::current(env).and_then(|k| Ok((k, own_context(env, &store, now_ms)?))) {
            Ok(both) => both,
            Err(e) => {
                worker::console_error!("alarm: {e:?}");
                return Job::Checkpoint.next(Ran::Failed, now_ms, None);
            }
        };
    let mut next = Vec::new();

    let batch = Job::Expire.batch();
    let expired = Site::new(&mut store, &mut forms, site, &key, &ctx).expire_due(batch);
    let due = forms.next_due().ok().flatten();
    next.push(Job::Expire.next(ran(Job::Expire, expired.map_err(Into::into)), now_ms, due));

    let batch = Job::Purge.batch();
    let purged = Site::new(&mut store, &mut forms, site, &key, &ctx)
        .purge_closing(&mut SqlAdminStore(sql), now_ms, batch)
        .map(|p| p.len() as u64);
    let due = rights::bin::next_purge(&forms).ok().flatten();
    next.push(Job::Purge.next(ran(Job::Purge, purged.map_err(Into::into)), now_ms, due));

    let sent = crate::webhooks::deliver_due(env, site, &store, &mut forms, now_ms).await;
    let due = forms.next_delivery().ok().flatten();
    next.push(Job::Deliver.next(Ran::Did(sent), now_ms, due));

    // The site's closing runs as retention does, whatever the policy.
    let closing = forms.closing().ok().flatten();
    if site.rights.retention.is_some() || closing.is_some() {
        let batch = Job::Retention.batch();
        let anonymised = Site::new(&mut store, &mut forms, site, &key, &ctx)
            .run_retention_closing(&mut SqlAdminStore(sql), batch)
            .map(|r| r.len() as u64);
        let ran = ran(Job::Retention, anonymised.map_err(Into::into));
        let day = closing.map(|c| c.anonymise_by_ms).filter(|&at| at > now_ms);
        next.push(Job::Retention.next(ran, now_ms, day));
    }

    // Last: it signs what the jobs above appended.
    let signed = sequencer::checkpoint(&mut store, &key, now_ms).map(|_| 1);
    next.push(Job::Checkpoint.next(
        ran(Job::Checkpoint, signed.map_err(Into::into)),
        now_ms,
        None,
    ));
    schedule::earliest(next)
}
