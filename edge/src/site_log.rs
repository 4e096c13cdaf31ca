//! The per-site log: one SQLite-backed Durable Object per site sequences that
//! site's events. It checks idempotency, links each record to the subject's
//! previous one, appends, and answers only after the write is durable (the
//! Durable Object output gate holds the response until SQLite has committed).
//!
//! The functions at the top are the Worker's client side; [`SiteLog`] is the
//! object itself. Records are never updated or deleted.

use assent_core::canonical::to_canonical_bytes;
use assent_core::event::ConsentEvent;
use assent_core::record::{ServerFacts, StoredRecord};
use serde::{Deserialize, Serialize};
use serde_json::json;
use worker::{
    durable_object, DurableObject, Env, Headers, Method, Request, RequestInit, Response, Result,
    SqlStorage, SqlStorageValue, State,
};

use crate::error::ApiError;

/// Name of the Durable Object binding in `wrangler.toml`.
pub const BINDING: &str = "SITE_LOG";

/// What the Worker hands the object for one event.
#[derive(Serialize, Deserialize)]
struct AppendRequest {
    event: ConsentEvent,
    received_at_ms: u64,
    sec_gpc: bool,
    country: Option<String>,
}

/// Appends a validated event to `site`'s log.
pub async fn append(
    env: &Env,
    site: &str,
    event: ConsentEvent,
    facts: ServerFacts,
) -> std::result::Result<Response, ApiError> {
    let body = serde_json::to_string(&AppendRequest {
        event,
        received_at_ms: facts.received_at_ms,
        sec_gpc: facts.sec_gpc,
        country: facts.country,
    })
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    call(
        env,
        site,
        Method::Post,
        "https://site-log/append",
        Some(body),
    )
    .await
}

/// Lists records of `site`, newest first.
pub async fn list(
    env: &Env,
    site: &str,
    limit: u64,
    before: Option<u64>,
) -> std::result::Result<Response, ApiError> {
    let mut url = format!("https://site-log/records?limit={limit}");
    if let Some(before) = before {
        url.push_str(&format!("&before={before}"));
    }
    call(env, site, Method::Get, &url, None).await
}

async fn call(
    env: &Env,
    site: &str,
    method: Method,
    url: &str,
    body: Option<String>,
) -> std::result::Result<Response, ApiError> {
    let stub = env
        .durable_object(BINDING)?
        .id_from_name(site)?
        .get_stub()?;
    let mut init = RequestInit::new();
    init.with_method(method);
    if let Some(body) = body {
        init.with_body(Some(body.into()));
    }
    let req = Request::new_with_init(url, &init)?;
    let mut resp = stub.fetch_with_request(req).await?;
    // Rebuild: headers of a Durable Object's response are immutable in workerd.
    let status = resp.status_code();
    let bytes = resp.bytes().await?;
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    Ok(Response::from_bytes(bytes)?
        .with_status(status)
        .with_headers(headers))
}

/// The Durable Object holding one site's log.
#[durable_object]
pub struct SiteLog {
    state: State,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS records (
  idx      INTEGER PRIMARY KEY,   -- position in the log, from 0
  event_id TEXT NOT NULL UNIQUE,  -- idempotency key
  subject  TEXT NOT NULL,
  record   TEXT NOT NULL,         -- RFC 8785 bytes of the stored record
  response TEXT NOT NULL          -- the first answer, replayed for a repeated event id
);
CREATE INDEX IF NOT EXISTS records_by_subject ON records(subject, idx);
";

#[derive(Deserialize)]
struct Existing {
    record: String,
    response: String,
}

#[derive(Deserialize)]
struct Listed {
    idx: i64,
    record: String,
}

impl DurableObject for SiteLog {
    fn new(state: State, _env: Env) -> Self {
        if let Err(e) = state.storage().sql().exec(SCHEMA, None) {
            worker::console_error!("site log schema: {e}");
        }
        Self { state }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let sql = self.state.storage().sql();
        let result = match (req.method(), req.path().as_str()) {
            (Method::Post, "/append") => match req.json::<AppendRequest>().await {
                Ok(append) => append_record(&sql, append),
                Err(e) => Err(ApiError::Internal(format!("append body: {e}"))),
            },
            (Method::Get, "/records") => list_records(&sql, &req),
            _ => Err(ApiError::NotFound),
        };
        Ok(result.unwrap_or_else(|e| e.to_response()))
    }
}

/// Everything between the first read and the insert is synchronous, so the
/// Durable Object's input gate makes it one atomic step: two requests with
/// the same event id cannot both insert.
fn append_record(sql: &SqlStorage, req: AppendRequest) -> std::result::Result<Response, ApiError> {
    let existing: Vec<Existing> = sql
        .exec(
            "SELECT record, response FROM records WHERE event_id = ?",
            vec![SqlStorageValue::from(req.event.event_id.as_str())],
        )?
        .to_array()?;
    if let Some(existing) = existing.into_iter().next() {
        let stored: StoredRecord = serde_json::from_str(&existing.record)
            .map_err(|e| ApiError::Internal(format!("stored record: {e}")))?;
        if stored.event != req.event {
            return Err(ApiError::EventIdConflict(req.event.event_id));
        }
        return Ok(json_response(existing.response, 200)?);
    }

    #[derive(Deserialize)]
    struct Prev {
        event_id: String,
    }
    let prev: Vec<Prev> = sql
        .exec(
            "SELECT event_id FROM records WHERE subject = ? ORDER BY idx DESC LIMIT 1",
            vec![SqlStorageValue::from(req.event.subject.as_str())],
        )?
        .to_array()?;
    #[derive(Deserialize)]
    struct Next {
        next: i64,
    }
    let next: Next = sql
        .exec(
            "SELECT COALESCE(MAX(idx) + 1, 0) AS next FROM records",
            None,
        )?
        .one()?;

    let event_id = req.event.event_id.clone();
    let subject = req.event.subject.clone();
    let record = StoredRecord::new(
        req.event,
        ServerFacts {
            received_at_ms: req.received_at_ms,
            sec_gpc: req.sec_gpc,
            country: req.country,
        },
        prev.into_iter().next().map(|p| p.event_id),
    );
    let record_bytes =
        to_canonical_bytes(&record).map_err(|e| ApiError::Internal(e.to_string()))?;
    let record_text =
        String::from_utf8(record_bytes).map_err(|e| ApiError::Internal(e.to_string()))?;
    let response = json!({"record": record, "log": {"index": next.next}}).to_string();
    sql.exec(
        "INSERT INTO records (idx, event_id, subject, record, response) VALUES (?, ?, ?, ?, ?)",
        vec![
            SqlStorageValue::from(next.next),
            SqlStorageValue::from(event_id),
            SqlStorageValue::from(subject),
            SqlStorageValue::from(record_text),
            SqlStorageValue::from(response.clone()),
        ],
    )?;
    Ok(json_response(response, 201)?)
}

fn list_records(sql: &SqlStorage, req: &Request) -> std::result::Result<Response, ApiError> {
    let limit = crate::routes::query_u64(req, "limit")?.unwrap_or(50) as i64;
    let before = crate::routes::query_u64(req, "before")?
        .map(|b| b as i64)
        .unwrap_or(i64::MAX);
    let rows: Vec<Listed> = sql
        .exec(
            "SELECT idx, record FROM records WHERE idx < ? ORDER BY idx DESC LIMIT ?",
            vec![SqlStorageValue::from(before), SqlStorageValue::from(limit)],
        )?
        .to_array()?;
    #[derive(Deserialize)]
    struct Count {
        n: i64,
    }
    let total: Count = sql.exec("SELECT COUNT(*) AS n FROM records", None)?.one()?;
    let next_before = if rows.len() as i64 == limit {
        rows.last().map(|r| r.idx)
    } else {
        None
    };
    let mut records = Vec::with_capacity(rows.len());
    for row in rows {
        let record: serde_json::Value = serde_json::from_str(&row.record)
            .map_err(|e| ApiError::Internal(format!("stored record: {e}")))?;
        records.push(json!({"index": row.idx, "record": record}));
    }
    let body = json!({"total": total.n, "records": records, "next_before": next_before});
    Ok(json_response(body.to_string(), 200)?)
}

fn json_response(body: String, status: u16) -> Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    Ok(Response::ok(body)?
        .with_status(status)
        .with_headers(headers))
}
