//! The Durable Object holding one site's log: an adapter that decodes a
//! typed message ([`crate::messages`]), runs core's sequencer on the
//! object's SQLite ([`crate::log_store`]) and encodes the answer. No rule
//! of the log lives here.
//!
//! An append is one `INSERT` in one synchronous stretch, and the object's
//! output gate holds the answer until SQLite has committed it: a visitor
//! never holds a receipt for a record that is not durable. A checkpoint is
//! signed by an alarm at most a second after the log grew, and on demand.

use assent_core::log::sequencer::{self, AppendStatus};
use worker::{durable_object, Date, DurableObject, Env, Request, Response, Result, State};

use crate::error::ApiError;
use crate::log_store::{SqlLogStore, SCHEMA};
use crate::messages::{self, ExportPage, ListedRecord, RecordsPage};
use crate::{signing, sites};

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
        if let Err(e) = state.storage().sql().exec(SCHEMA, None) {
            worker::console_error!("site log schema: {e}");
        }
        Self { state, env }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        let mut store = SqlLogStore(self.state.storage().sql());
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
            _ => Ok(ApiError::NotFound.to_response()),
        };
        if grew {
            // Batch checkpoints: one alarm a second at most while the log grows.
            let storage = self.state.storage();
            if matches!(storage.get_alarm().await, Ok(None)) {
                if let Err(e) = storage.set_alarm(1000i64).await {
                    worker::console_error!("checkpoint alarm: {e}");
                }
            }
        }
        resp
    }

    async fn alarm(&self) -> Result<Response> {
        let mut store = SqlLogStore(self.state.storage().sql());
        let signed = signing::current(&self.env)
            .and_then(|key| Ok(sequencer::checkpoint(&mut store, &key, now_ms())?));
        if let Err(e) = signed {
            worker::console_error!("checkpoint: {e:?}");
        }
        Response::ok("")
    }
}

fn now_ms() -> u64 {
    Date::now().as_millis()
}
