//! The per-site log: one SQLite-backed Durable Object per site sequences that
//! site's events. It checks idempotency, links each record to the subject's
//! previous one, appends the record's leaf to an RFC 6962 tree, signs a
//! receipt, and answers only after the write is durable (the output gate holds
//! the response until SQLite has committed). Checkpoints are signed by an
//! alarm at most a second after the log grew, and on demand.
//!
//! Everything an append writes (record, tree nodes, frontier) happens in one
//! synchronous stretch without an `await`, which the Durable Object runtime
//! commits atomically: a crash leaves either all of it or none.
//!
//! The functions at the top are the Worker's client side; [`SiteLog`] is the
//! object itself. Records are never updated or deleted.

use assent_core::canonical::to_canonical_bytes;
use assent_core::event::ConsentEvent;
use assent_core::keys::SigningKey;
use assent_core::merkle::{self, Frontier, Hash, NodeId, NodeStore};
use assent_core::note::Checkpoint;
use assent_core::receipt::{self, LogPosition, ReceiptClaims};
use assent_core::record::{ServerFacts, StoredRecord};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::json;
use worker::{
    durable_object, Date, DurableObject, Env, Headers, Method, Request, RequestInit, Response,
    Result, SqlStorage, SqlStorageValue, State,
};

use crate::error::ApiError;
use crate::signing;

/// Name of the Durable Object binding in `wrangler.toml`.
pub const BINDING: &str = "SITE_LOG";

/// What the Worker hands the object for one event.
#[derive(Serialize, Deserialize)]
struct AppendRequest {
    event: ConsentEvent,
    received_at_ms: u64,
    sec_gpc: bool,
    country: Option<String>,
    /// `<edge host>/<site>`, used when the log is created; fixed after that.
    origin: String,
    /// The edge's origin, the receipts' `iss`.
    issuer: String,
    /// Whether the answer should carry the subject's latest receipt (for the
    /// first-party cookie); third-party requests skip that read.
    latest: bool,
}

/// Appends a validated event to `site`'s log.
/// With `latest`, the answer carries the subject's latest receipt in
/// [`LATEST_RECEIPT`].
pub async fn append(
    env: &Env,
    site: &str,
    event: ConsentEvent,
    facts: ServerFacts,
    origin: String,
    issuer: String,
    latest: bool,
) -> std::result::Result<Response, ApiError> {
    let body = serde_json::to_string(&AppendRequest {
        event,
        received_at_ms: facts.received_at_ms,
        sec_gpc: facts.sec_gpc,
        country: facts.country,
        origin,
        issuer,
        latest,
    })
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    call(env, site, Method::Post, "/append", Some(body)).await
}

/// Asks `site`'s log for `path` (with query) and returns its answer.
pub async fn get(env: &Env, site: &str, path: &str) -> std::result::Result<Response, ApiError> {
    call(env, site, Method::Get, path, None).await
}

async fn call(
    env: &Env,
    site: &str,
    method: Method,
    path: &str,
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
    let req = Request::new_with_init(&format!("https://site-log{path}"), &init)?;
    let mut resp = stub.fetch_with_request(req).await?;
    // Rebuild: headers of a Durable Object's response are immutable in workerd.
    let status = resp.status_code();
    let content_type = resp
        .headers()
        .get("content-type")?
        .unwrap_or_else(|| "application/json".into());
    let latest = resp.headers().get(LATEST_RECEIPT)?;
    let bytes = resp.bytes().await?;
    let headers = Headers::new();
    headers.set("content-type", &content_type)?;
    if let Some(receipt) = latest {
        headers.set(LATEST_RECEIPT, &receipt)?;
    }
    Ok(Response::from_bytes(bytes)?
        .with_status(status)
        .with_headers(headers))
}

/// The Durable Object holding one site's log.
#[durable_object]
pub struct SiteLog {
    state: State,
    env: Env,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS records (
  idx      INTEGER PRIMARY KEY,   -- leaf index in the log, from 0
  event_id TEXT NOT NULL UNIQUE,  -- idempotency key
  subject  TEXT NOT NULL,
  record   TEXT NOT NULL,         -- RFC 8785 bytes of the stored record: the leaf data
  response TEXT NOT NULL          -- the first answer (with the receipt), replayed on a repeat
);
CREATE INDEX IF NOT EXISTS records_by_subject ON records(subject, idx);
-- Hashes of complete subtrees: level 0 are the leaves. About 2 per record;
-- enough to answer any inclusion or consistency proof in O(log n) reads.
CREATE TABLE IF NOT EXISTS nodes (
  level INTEGER NOT NULL,
  idx   INTEGER NOT NULL,
  hash  TEXT NOT NULL,            -- base64
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;
-- origin: the log origin; frontier: the compact tree state (size + subtree roots).
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS checkpoints (
  size         INTEGER PRIMARY KEY,
  note         TEXT NOT NULL,
  signed_at_ms INTEGER NOT NULL
);
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

#[derive(Serialize, Deserialize)]
struct StoredFrontier {
    size: u64,
    nodes: Vec<String>,
}

impl DurableObject for SiteLog {
    fn new(state: State, env: Env) -> Self {
        if let Err(e) = state.storage().sql().exec(SCHEMA, None) {
            worker::console_error!("site log schema: {e}");
        }
        Self { state, env }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let sql = self.state.storage().sql();
        let result = match (req.method(), req.path().as_str()) {
            (Method::Post, "/append") => match req.json::<AppendRequest>().await {
                Ok(append) => self.append(&sql, append),
                Err(e) => Err(ApiError::Internal(format!("append body: {e}"))),
            },
            (Method::Get, "/records") => list_records(&sql, &req),
            (Method::Get, "/export") => export_page(&sql, &req),
            (Method::Get, "/checkpoint") => self.checkpoint(&sql).map(|note| {
                let headers = Headers::new();
                let _ = headers.set("content-type", "text/plain; charset=utf-8");
                Response::ok(note)
                    .map(|r| r.with_headers(headers))
                    .unwrap_or_else(|_| ApiError::Internal("checkpoint".into()).to_response())
            }),
            (Method::Get, "/inclusion") => inclusion(&sql, &req),
            (Method::Get, "/consistency") => consistency(&sql, &req),
            _ => Err(ApiError::NotFound),
        };
        let grew = matches!(&result, Ok(r) if r.status_code() == 201);
        if grew {
            // Batch checkpoints: one alarm a second at most while the log grows.
            let storage = self.state.storage();
            if matches!(storage.get_alarm().await, Ok(None)) {
                if let Err(e) = storage.set_alarm(1000i64).await {
                    worker::console_error!("checkpoint alarm: {e}");
                }
            }
        }
        Ok(result.unwrap_or_else(|e| e.to_response()))
    }

    async fn alarm(&self) -> Result<Response> {
        let sql = self.state.storage().sql();
        if let Err(e) = self.checkpoint(&sql) {
            worker::console_error!("checkpoint: {e}");
        }
        Response::ok("")
    }
}

impl SiteLog {
    fn key(&self) -> std::result::Result<SigningKey, ApiError> {
        signing::current(&self.env)
    }

    /// Validated event in, receipt out; see the module docs for atomicity.
    fn append(
        &self,
        sql: &SqlStorage,
        req: AppendRequest,
    ) -> std::result::Result<Response, ApiError> {
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
            let latest = if req.latest {
                latest_receipt(sql, &req.event.subject)?
            } else {
                None
            };
            return Ok(with_latest(json_response(existing.response, 200)?, latest));
        }
        let key = self.key()?;
        let origin = self.origin(sql, &req.origin)?;

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
        let mut frontier = load_frontier(sql)?;
        let index = frontier.size();

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
        let leaf = merkle::leaf_hash(&record_bytes);
        for (id, hash) in frontier.append(leaf) {
            sql.exec(
                "INSERT INTO nodes (level, idx, hash) VALUES (?, ?, ?)",
                vec![
                    SqlStorageValue::from(i64::from(id.level)),
                    SqlStorageValue::from(id.index as i64),
                    SqlStorageValue::from(STANDARD.encode(hash)),
                ],
            )?;
        }
        save_frontier(sql, &frontier)?;

        let record_value =
            serde_json::to_value(&record).map_err(|e| ApiError::Internal(e.to_string()))?;
        let position = LogPosition::new(&origin, index, &leaf);
        let claims = ReceiptClaims::new(
            &req.issuer,
            req.received_at_ms / 1000,
            record_value.clone(),
            position.clone(),
        );
        let receipt = receipt::sign(&claims, &key);
        let response =
            json!({"receipt": receipt, "record": record_value, "log": position}).to_string();
        let record_text =
            String::from_utf8(record_bytes).map_err(|e| ApiError::Internal(e.to_string()))?;
        sql.exec(
            "INSERT INTO records (idx, event_id, subject, record, response) VALUES (?, ?, ?, ?, ?)",
            vec![
                SqlStorageValue::from(index as i64),
                SqlStorageValue::from(event_id),
                SqlStorageValue::from(subject.as_str()),
                SqlStorageValue::from(record_text),
                SqlStorageValue::from(response.clone()),
            ],
        )?;
        let latest = if req.latest {
            latest_receipt(sql, &subject)?
        } else {
            None
        };
        Ok(with_latest(json_response(response, 201)?, latest))
    }

    /// The log origin: fixed by the first append, so one log never has two names.
    fn origin(&self, sql: &SqlStorage, proposed: &str) -> std::result::Result<String, ApiError> {
        if let Some(origin) = meta(sql, "origin")? {
            return Ok(origin);
        }
        sql.exec(
            "INSERT INTO meta (key, value) VALUES ('origin', ?)",
            vec![SqlStorageValue::from(proposed)],
        )?;
        Ok(proposed.to_string())
    }

    /// The latest checkpoint, signing a new one if the log grew since.
    fn checkpoint(&self, sql: &SqlStorage) -> std::result::Result<String, ApiError> {
        let frontier = load_frontier(sql)?;
        #[derive(Deserialize)]
        struct Latest {
            size: i64,
            note: String,
        }
        let latest: Vec<Latest> = sql
            .exec(
                "SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1",
                None,
            )?
            .to_array()?;
        if let Some(latest) = latest.into_iter().next() {
            if latest.size as u64 == frontier.size() {
                return Ok(latest.note);
            }
        }
        let Some(origin) = meta(sql, "origin")? else {
            return Err(ApiError::LogEmpty);
        };
        let note = Checkpoint {
            origin,
            size: frontier.size(),
            root: frontier.root(),
        }
        .sign(&self.key()?);
        sql.exec(
            "INSERT OR REPLACE INTO checkpoints (size, note, signed_at_ms) VALUES (?, ?, ?)",
            vec![
                SqlStorageValue::from(frontier.size() as i64),
                SqlStorageValue::from(note.as_str()),
                SqlStorageValue::from(Date::now().as_millis() as i64),
            ],
        )?;
        Ok(note)
    }
}

fn meta(sql: &SqlStorage, key: &str) -> std::result::Result<Option<String>, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        value: String,
    }
    let rows: Vec<Row> = sql
        .exec(
            "SELECT value FROM meta WHERE key = ?",
            vec![SqlStorageValue::from(key)],
        )?
        .to_array()?;
    Ok(rows.into_iter().next().map(|r| r.value))
}

fn load_frontier(sql: &SqlStorage) -> std::result::Result<Frontier, ApiError> {
    let Some(text) = meta(sql, "frontier")? else {
        return Ok(Frontier::default());
    };
    let stored: StoredFrontier =
        serde_json::from_str(&text).map_err(|e| ApiError::Internal(format!("frontier: {e}")))?;
    let nodes = stored
        .nodes
        .iter()
        .map(|n| decode_hash(n).ok_or_else(|| ApiError::Internal("frontier hash".into())))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Frontier::from_parts(stored.size, nodes).map_err(|e| ApiError::Internal(e.to_string()))
}

fn save_frontier(sql: &SqlStorage, f: &Frontier) -> std::result::Result<(), ApiError> {
    let stored = StoredFrontier {
        size: f.size(),
        nodes: f.nodes().iter().map(|h| STANDARD.encode(h)).collect(),
    };
    let text = serde_json::to_string(&stored).map_err(|e| ApiError::Internal(e.to_string()))?;
    sql.exec(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('frontier', ?)",
        vec![SqlStorageValue::from(text)],
    )?;
    Ok(())
}

fn decode_hash(b64: &str) -> Option<Hash> {
    STANDARD.decode(b64).ok()?.try_into().ok()
}

/// The nodes table as core's [`NodeStore`].
struct SqlNodes<'a>(&'a SqlStorage);

impl NodeStore for SqlNodes<'_> {
    type Error = String;

    fn node(&self, id: NodeId) -> std::result::Result<Hash, String> {
        #[derive(Deserialize)]
        struct Row {
            hash: String,
        }
        let rows: Vec<Row> = self
            .0
            .exec(
                "SELECT hash FROM nodes WHERE level = ? AND idx = ?",
                vec![
                    SqlStorageValue::from(i64::from(id.level)),
                    SqlStorageValue::from(id.index as i64),
                ],
            )
            .and_then(|c| c.to_array())
            .map_err(|e| e.to_string())?;
        rows.into_iter()
            .next()
            .and_then(|r| decode_hash(&r.hash))
            .ok_or_else(|| format!("missing node {id:?}"))
    }
}

fn query(req: &Request, name: &'static str) -> std::result::Result<u64, ApiError> {
    crate::routes::query_u64(req, name)?.ok_or(ApiError::QueryInvalid(name))
}

fn proof_response(body: serde_json::Value) -> std::result::Result<Response, ApiError> {
    Ok(json_response(body.to_string(), 200)?)
}

fn encode_all(hashes: &[Hash]) -> Vec<String> {
    hashes.iter().map(|h| STANDARD.encode(h)).collect()
}

fn inclusion(sql: &SqlStorage, req: &Request) -> std::result::Result<Response, ApiError> {
    let (index, size) = (query(req, "index")?, query(req, "size")?);
    let current = load_frontier(sql)?.size();
    if size == 0 || size > current {
        return Err(ApiError::QueryInvalid("size"));
    }
    if index >= size {
        return Err(ApiError::QueryInvalid("index"));
    }
    let proof = merkle::inclusion_proof(&SqlNodes(sql), index, size)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    proof_response(json!({"index": index, "size": size, "hashes": encode_all(&proof)}))
}

fn consistency(sql: &SqlStorage, req: &Request) -> std::result::Result<Response, ApiError> {
    let (from, to) = (query(req, "from")?, query(req, "to")?);
    let current = load_frontier(sql)?.size();
    if to > current {
        return Err(ApiError::QueryInvalid("to"));
    }
    if from > to {
        return Err(ApiError::QueryInvalid("from"));
    }
    let proof = merkle::consistency_proof(&SqlNodes(sql), from, to)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    proof_response(json!({"from": from, "to": to, "hashes": encode_all(&proof)}))
}

/// A page of records, newest first, below index `before`:
/// `{total, records: [{index, record}], next_before}`.
fn list_records(sql: &SqlStorage, req: &Request) -> std::result::Result<Response, ApiError> {
    let limit = crate::routes::query_u64(req, "limit")?
        .unwrap_or(50)
        .min(5000) as i64;
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
    // Records are spliced in as stored (canonical bytes), never re-serialized.
    let mut body = format!("{{\"total\":{},\"next_before\":", total.n);
    body.push_str(&next_before.map_or("null".to_string(), |n| n.to_string()));
    body.push_str(",\"records\":[");
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&format!(
            "{{\"index\":{},\"record\":{}}}",
            row.idx, row.record
        ));
    }
    body.push_str("]}");
    Ok(json_response(body, 200)?)
}

/// Up to `limit` records from index `from`, as JSON Lines
/// `{"index":N,"record":{...}}` with the record's stored bytes; the header
/// `x-assent-next` names the next `from` while more remain.
fn export_page(sql: &SqlStorage, req: &Request) -> std::result::Result<Response, ApiError> {
    let from = query(req, "from")? as i64;
    let limit = crate::routes::query_u64(req, "limit")?
        .unwrap_or(1000)
        .clamp(1, 5000) as i64;
    let rows: Vec<Listed> = sql
        .exec(
            "SELECT idx, record FROM records WHERE idx >= ? ORDER BY idx ASC LIMIT ?",
            vec![SqlStorageValue::from(from), SqlStorageValue::from(limit)],
        )?
        .to_array()?;
    let mut body = String::new();
    for row in &rows {
        body.push_str(&format!(
            "{{\"index\":{},\"record\":{}}}\n",
            row.idx, row.record
        ));
    }
    let headers = Headers::new();
    headers.set("content-type", "application/x-ndjson")?;
    if rows.len() as i64 == limit {
        if let Some(last) = rows.last() {
            headers.set("x-assent-next", &(last.idx + 1).to_string())?;
        }
    }
    Ok(Response::ok(body)?.with_headers(headers))
}

/// One page of the export, through the Worker: the lines and the next `from`.
pub async fn export_page_of(
    env: &Env,
    site: &str,
    from: u64,
) -> std::result::Result<(Vec<u8>, Option<u64>), ApiError> {
    let stub = env
        .durable_object(BINDING)?
        .id_from_name(site)?
        .get_stub()?;
    let mut resp = stub
        .fetch_with_str(&format!("https://site-log/export?from={from}&limit=1000"))
        .await?;
    if resp.status_code() != 200 {
        return Err(ApiError::Internal(format!(
            "export page: HTTP {}",
            resp.status_code()
        )));
    }
    let next = resp
        .headers()
        .get("x-assent-next")?
        .and_then(|n| n.parse().ok());
    Ok((resp.bytes().await?, next))
}

/// Header on an append's answer with the receipt of the subject's latest
/// event (by the visitor's own clock): the edge puts that one, not
/// necessarily this event's, into its consent cookie, so answers arriving out
/// of order (a `pagehide` batch) cannot leave an older choice in the cookie.
/// The edge strips it before answering.
pub const LATEST_RECEIPT: &str = "x-assent-latest-receipt";

fn latest_receipt(
    sql: &SqlStorage,
    subject: &str,
) -> std::result::Result<Option<String>, ApiError> {
    #[derive(Deserialize)]
    struct Latest {
        response: String,
    }
    let rows: Vec<Latest> = sql
        .exec(
            "SELECT response FROM records WHERE subject = ? \
             ORDER BY json_extract(record, '$.event.client_time_ms') DESC, idx DESC LIMIT 1",
            vec![SqlStorageValue::from(subject)],
        )?
        .to_array()?;
    Ok(rows.into_iter().next().and_then(|r| {
        let v: serde_json::Value = serde_json::from_str(&r.response).ok()?;
        v.get("receipt")?.as_str().map(str::to_owned)
    }))
}

fn with_latest(mut resp: Response, latest: Option<String>) -> Response {
    if let Some(receipt) = latest {
        let _ = resp.headers_mut().set(LATEST_RECEIPT, &receipt);
    }
    resp
}

fn json_response(body: String, status: u16) -> Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    Ok(Response::ok(body)?
        .with_status(status)
        .with_headers(headers))
}
