//! The site owner's API, behind an admin key (`Authorization: Bearer KEY`):
//! the operator's `ADMIN_KEY`, or a site key with the scope the route's
//! operation needs (core's `admin::Operation::needs`). Every route is one
//! `Route`; the log object authenticates the key and audits the request
//! before the route runs.
//!
//! `GET /v1/admin/sites/{site}/events?limit=50&before=INDEX` lists stored
//! records newest first; `next_before` in the answer fetches the next page.
//! `GET /v1/admin/sites/{site}/export` streams every record, oldest first, as
//! JSON Lines `{"index":N,"record":{...}}` with the record's logged bytes.
//! Paging limits are core's (`assent_core::paging`).

use assent_core::admin::{AdminKey, KeyId, Operation};
use assent_core::config::SiteConfig;
use assent_core::form::identity::{lookup_key, normalise_email};
use assent_core::ids::{EventId, SiteId, SubjectId};
use assent_core::log::sequencer::AppendStatus;
use assent_core::paging::PageRequest;
use assent_core::rights::requests::{RequestStatus, SubjectRequest};
use assent_core::utc::rfc3339;
use futures_util::stream;
use worker::{Env, Headers, Method, Request, Response};

use crate::error::ApiError;
use crate::messages::{self, AccessRequest, Object};
use crate::routes::admin_config::{self, ConfigRoute};
use crate::routes::{admin_keys, admin_site, admin_subjects, forms, query_invalid, Query};
use assent_core::error::RequestError;
use assent_core::shards::ShardIndex;

/// The token of `Authorization: Bearer <token>`.
pub fn bearer(req: &Request) -> Option<String> {
    req.headers()
        .get("authorization")
        .ok()
        .flatten()
        .and_then(|h| h.strip_prefix("Bearer ").map(str::to_string))
}

/// Lists a page of stored records, newest first: of one shard
/// (`shard=k`; a one-shard site's only one), paged with `before` (that
/// shard's leaf index); or, on a site with several shards and no `shard`,
/// the newest `limit` over every shard by receive time, with no next page
/// (paging is per shard, whose indexes are its own). A record of a shard
/// other than home names it (`"shard": k`).
pub async fn list_events(
    req: &Request,
    env: &Env,
    site: &SiteConfig,
) -> Result<Response, ApiError> {
    let q = Query::parse(req, &["limit", "before", "shard"])?;
    let page = PageRequest::new(q.u64("limit")?, q.u64("before")?)?;
    let merged = q.get("shard").is_none() && !site.log.shards.is_single();
    let shards: Vec<Object> = if merged {
        if q.get("before").is_some() {
            return Err(query_invalid("before"));
        }
        Object::all(site).collect()
    } else {
        vec![crate::routes::log::shard_of(&q, site)?]
    };
    let mut total = 0;
    let mut next = None;
    let mut records: Vec<(u64, ShardIndex, messages::ListedRecord)> = Vec::new();
    for at in &shards {
        let answer = messages::call(env, *at, &messages::PAGE, &page).await?;
        total += answer.total;
        next = answer.next_before;
        for r in answer.records {
            let received = serde_json::from_str::<serde_json::Value>(&r.record)
                .ok()
                .and_then(|v| v["received_at_ms"].as_u64())
                .unwrap_or(0);
            records.push((received, at.shard, r));
        }
    }
    if merged {
        records.sort_by_key(|r| std::cmp::Reverse((r.0, r.1)));
        records.truncate(page.limit as usize);
        next = None;
    }
    // Records are spliced in as stored (canonical bytes), never re-serialised.
    let records: Vec<String> = records
        .iter()
        .map(|(_, shard, r)| in_shard(*shard, &r.to_json()))
        .collect();
    let next = next.map_or("null".to_string(), |n| n.to_string());
    let body = format!(
        "{{\"shards\":{},\"total\":{total},\"next_before\":{next},\"records\":[{}]}}",
        site.log.shards.count(),
        records.join(",")
    );
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "no-store")?;
    Ok(Response::ok(body)?.with_headers(headers))
}

/// A listed record's JSON (`{"index":...}`) naming its shard unless home.
fn in_shard(shard: ShardIndex, json: &str) -> String {
    match shard {
        ShardIndex::HOME => json.to_string(),
        k => format!("{{\"shard\":{k},{}", &json[1..]),
    }
}

/// Streams the log as JSON Lines, a page at a time, so an export of any
/// size runs in constant memory: one shard (`shard=k`), or every shard in
/// turn, home first. A line of a shard other than home names it
/// (`{"shard":k,"index":N,"record":{...}}`), so a one-shard site's export
/// reads as it always did.
pub fn export(req: &Request, env: &Env, site: &SiteConfig) -> Result<Response, ApiError> {
    let q = Query::parse(req, &["shard"])?;
    let shards: Vec<ShardIndex> = match q.get("shard") {
        Some(_) => vec![crate::routes::log::shard_of(&q, site)?.shard],
        None => site.log.shards.all().collect(),
    };
    let state = (env.clone(), site.site.clone(), shards, 0usize, Some(0u64));
    let pages = stream::unfold(state, |(env, site, shards, i, from)| async move {
        let shard = *shards.get(i)?;
        let Some(from) = from else {
            // This shard is done: the next one from its start.
            return Some((Ok(Vec::new()), (env, site, shards, i + 1, Some(0))));
        };
        let at = Object { site: &site, shard };
        match messages::call(&env, at, &messages::EXPORT, &from).await {
            Ok(page) => {
                let lines: String = page
                    .records
                    .iter()
                    .map(|r| in_shard(shard, &r.to_json()) + "\n")
                    .collect();
                Some((
                    Ok::<Vec<u8>, worker::Error>(lines.into_bytes()),
                    (env, site, shards, i, page.next),
                ))
            }
            Err(e) => Some((
                Err(worker::Error::RustError(e.to_string())),
                (env, site, Vec::new(), 0, None),
            )),
        }
    });
    let headers = Headers::new();
    headers.set("content-type", "application/x-ndjson")?;
    headers.set("cache-control", "no-store")?;
    Ok(Response::from_stream(pages)?.with_headers(headers))
}

/// An owner route: what it is, and what it names.
pub(super) enum Route {
    LogList,
    LogExport,
    Find,
    State(SubjectId),
    SubjectExport(SubjectId),
    Erase(SubjectId),
    Restore(SubjectId),
    RecycleBin,
    RecycleBinPurge,
    Restrict(SubjectId),
    Rectify(SubjectId),
    Object(SubjectId),
    Note(SubjectId),
    Contacts,
    Closing,
    Close,
    Reopen,
    LogRequest,
    Attest,
    Deliveries,
    Mailbox,
    Audit,
    KeyList,
    KeyCreate,
    KeyRevoke(KeyId),
    KeyEraseName(KeyId),
    BreachRecord(assent_core::breach::BreachId),
    BreachList,
    BreachGet(assent_core::breach::BreachId),
    BreachUpdate(assent_core::breach::BreachId),
    Backup,
    RestoreCheck,
    RestorePages,
    RestoreEnd,
    ProcessingRecord,
    SuppressionsImport,
    SuppressionsList,
    SuppressionsRemove(String),
    Requests,
    Decide(EventId, bool),
    Stats,
    Retention,
    RetentionRun,
    Config(ConfigRoute),
}

impl Route {
    /// The route of `method` on `tail` (the path after `/v1/admin/sites/{site}/`).
    fn of(method: &Method, tail: &[&str]) -> Result<Route, ApiError> {
        let subject = |s: &str| SubjectId::new(s).map_err(ApiError::from);
        let get = *method == Method::Get;
        let post = *method == Method::Post;
        let delete = *method == Method::Delete;
        Ok(match tail {
            ["events"] if get => Route::LogList,
            ["export"] if get => Route::LogExport,
            ["subjects"] if get => Route::Find,
            ["subjects", s, "state"] if get => Route::State(subject(s)?),
            ["subjects", s, "export"] if get => Route::SubjectExport(subject(s)?),
            ["subjects", s, "erasure"] if post => Route::Erase(subject(s)?),
            ["subjects", s, "restore"] if post => Route::Restore(subject(s)?),
            ["recycle-bin"] if get => Route::RecycleBin,
            ["recycle-bin", "purge"] if post => Route::RecycleBinPurge,
            ["subjects", s, "restriction"] if post => Route::Restrict(subject(s)?),
            ["subjects", s, "rectification"] if post => Route::Rectify(subject(s)?),
            ["subjects", s, "objection"] if post => Route::Object(subject(s)?),
            ["subjects", s, "notes"] if post => Route::Note(subject(s)?),
            ["attestations"] if post => Route::Attest,
            ["contacts"] if get => Route::Contacts,
            ["closing"] if get => Route::Closing,
            ["requests"] if post => Route::LogRequest,
            ["closing"] if post => Route::Close,
            ["closing"] if delete => Route::Reopen,
            ["webhooks"] if get => Route::Deliveries,
            ["mail"] if get => Route::Mailbox,
            ["audit"] if get => Route::Audit,
            ["keys"] if get => Route::KeyList,
            ["keys"] if post => Route::KeyCreate,
            ["keys", id, "revoke"] if post => Route::KeyRevoke(KeyId::new(id)?),
            ["keys", id, "erase-name"] if post => Route::KeyEraseName(KeyId::new(id)?),
            ["breaches"] if post => Route::BreachRecord(super::breaches::fresh_id()?),
            ["breaches"] if get => Route::BreachList,
            ["breaches", id] if get => Route::BreachGet(id.parse()?),
            ["breaches", id] if post => Route::BreachUpdate(id.parse()?),
            ["backup"] if post => Route::Backup,
            ["restore", "check"] if post => Route::RestoreCheck,
            ["restore", "pages"] if post => Route::RestorePages,
            ["restore", "end"] if post => Route::RestoreEnd,
            ["processing-record"] if get => Route::ProcessingRecord,
            ["suppressions", "import"] if post => Route::SuppressionsImport,
            ["suppressions"] if get => Route::SuppressionsList,
            ["suppressions", lookup] if delete && *lookup != "import" => {
                Route::SuppressionsRemove((*lookup).to_owned())
            }
            ["requests"] if get => Route::Requests,
            ["stats"] if get => Route::Stats,
            ["retention"] if get => Route::Retention,
            ["retention", "run"] if post => Route::RetentionRun,
            ["config", rest @ ..] => match ConfigRoute::of(method, rest) {
                Ok(route) => Route::Config(route),
                Err(true) => return Err(ApiError::from(RequestError::MethodNotAllowed)),
                Err(false) => return Err(ApiError::from(RequestError::NotFound)),
            },
            ["requests", id, verb @ ("fulfil" | "refuse")] if post => {
                Route::Decide(EventId::new(id)?, *verb == "fulfil")
            }
            ["events" | "export" | "subjects" | "webhooks" | "mail" | "audit" | "keys"
            | "attestations" | "contacts" | "closing"]
            | ["subjects", _, "state" | "export" | "erasure" | "restore" | "restriction" | "rectification"
            | "objection" | "notes"]
            | ["recycle-bin"]
            | ["recycle-bin", "purge"]
            | ["keys", _, "revoke" | "erase-name"]
            | ["breaches"]
            | ["breaches", _]
            | ["backup"]
            | ["restore", "check" | "pages" | "end"]
            | ["processing-record"]
            | ["suppressions"]
            | ["suppressions", _]
            | ["requests"]
            | ["stats"]
            | ["retention"]
            | ["retention", "run"]
            | ["requests", _, "fulfil" | "refuse"] => {
                return Err(ApiError::from(RequestError::MethodNotAllowed))
            }
            _ => return Err(ApiError::from(RequestError::NotFound)),
        })
    }

    fn op(&self) -> Operation {
        match self {
            Route::LogList => Operation::LogList,
            Route::LogExport => Operation::LogExport,
            Route::Find => Operation::SubjectFind,
            Route::State(_) => Operation::SubjectState,
            Route::SubjectExport(_) => Operation::SubjectExport,
            Route::Erase(_) => Operation::SubjectErase,
            Route::Restore(_) => Operation::SubjectRestore,
            Route::RecycleBin => Operation::RecycleBinList,
            Route::RecycleBinPurge => Operation::RecycleBinPurge,
            Route::Restrict(_) => Operation::SubjectRestrict,
            Route::Rectify(_) => Operation::SubjectRectify,
            Route::Object(_) => Operation::SubjectObject,
            Route::Attest => Operation::ConsentAttest,
            Route::Note(_) => Operation::SubjectNote,
            Route::Contacts => Operation::ContactsList,
            Route::Closing => Operation::SiteClosing,
            Route::LogRequest => Operation::RequestLog,
            Route::Close | Route::Reopen => Operation::SiteClose,
            Route::Deliveries => Operation::Deliveries,
            Route::Mailbox => Operation::Mailbox,
            Route::Audit => Operation::AuditExport,
            Route::KeyList => Operation::KeyList,
            Route::KeyCreate => Operation::KeyCreate,
            Route::KeyRevoke(_) => Operation::KeyRevoke,
            Route::KeyEraseName(_) => Operation::KeyEraseName,
            Route::BreachRecord(_) => Operation::BreachRecord,
            Route::BreachList | Route::BreachGet(_) => Operation::BreachList,
            Route::BreachUpdate(_) => Operation::BreachUpdate,
            Route::Backup => Operation::SiteBackup,
            Route::RestoreCheck | Route::RestorePages | Route::RestoreEnd => Operation::SiteRestore,
            Route::ProcessingRecord => Operation::ProcessingRecord,
            Route::SuppressionsImport => Operation::SuppressionsImport,
            Route::SuppressionsList => Operation::SuppressionsList,
            Route::SuppressionsRemove(_) => Operation::SuppressionsRemove,
            Route::Requests => Operation::RequestsList,
            Route::Decide(..) => Operation::RequestDecide,
            Route::Stats => Operation::Stats,
            Route::Retention => Operation::RetentionDryRun,
            Route::RetentionRun => Operation::RetentionRun,
            Route::Config(r) => r.op(),
        }
    }

    /// What the audit trail names as the target (never an email).
    fn target(&self) -> Option<String> {
        match self {
            Route::State(s)
            | Route::SubjectExport(s)
            | Route::Erase(s)
            | Route::Restore(s)
            | Route::Restrict(s)
            | Route::Rectify(s)
            | Route::Object(s)
            | Route::Note(s) => Some(s.to_string()),
            Route::KeyRevoke(k) | Route::KeyEraseName(k) => Some(k.to_string()),
            Route::BreachRecord(b) | Route::BreachGet(b) | Route::BreachUpdate(b) => {
                Some(b.to_string())
            }
            Route::Decide(id, _) => Some(id.to_string()),
            Route::Config(r) => r.target(),
            _ => None,
        }
    }
}

/// Answers an owner route of `site`: the key first (a missing one is
/// refused before anything is parsed), then the route, then the log
/// object's authentication and audit, then the route itself.
pub async fn handle(
    req: Request,
    env: &Env,
    site: &'static SiteConfig,
    tail: &[&str],
) -> Result<Response, ApiError> {
    let id = &site.site;
    // Counted before the key is checked, per address and per key id (an
    // unknown id too): guessing is bounded (assent_core::limits).
    let presented = bearer(&req);
    crate::rate_limit::check_owner(env, &req, id, presented.as_deref().unwrap_or("")).await?;
    let presented = presented.ok_or(ApiError::from(RequestError::Unauthorized))?;
    let route = Route::of(&req.method(), tail)?;
    let access = AccessRequest {
        site: id.clone(),
        presented,
        op: route.op(),
        target: route.target(),
    };
    let principal = messages::call(env, id, &messages::AUTHORIZE, &access).await?;
    match route {
        Route::LogList => list_events(&req, env, site).await,
        Route::LogExport => export(&req, env, site),
        Route::Find => find(&req, env, site).await,
        Route::State(subject) => {
            Query::parse(&req, &[])?;
            forms::state_of(env, site, subject).await
        }
        Route::SubjectExport(subject) => subject_export(&req, env, site, subject).await,
        r @ (Route::Erase(_)
        | Route::Restore(_)
        | Route::Restrict(_)
        | Route::Rectify(_)
        | Route::Object(_)
        | Route::Note(_)
        | Route::Attest) => admin_subjects::handle(r, req, env, site, &principal).await,
        r @ (Route::RecycleBin
        | Route::RecycleBinPurge
        | Route::Retention
        | Route::RetentionRun
        | Route::Stats
        | Route::Requests
        | Route::LogRequest
        | Route::Decide(..)) => admin_site::handle(r, req, env, site, &principal).await,
        Route::Deliveries => forms::deliveries(&req, env, site).await,
        Route::Mailbox => forms::mailbox(&req, env, site).await,
        Route::Audit => audit(&req, env, id).await,
        r @ (Route::KeyList | Route::KeyCreate | Route::KeyRevoke(_)) => {
            admin_keys::handle(r, req, env, site, &principal).await
        }
        r @ (Route::KeyEraseName(_)
        | Route::BreachRecord(_)
        | Route::BreachList
        | Route::BreachGet(_)
        | Route::BreachUpdate(_)) => {
            crate::routes::breaches::handle(r, req, env, site, &principal).await
        }
        r @ (Route::Backup | Route::RestoreCheck | Route::RestorePages | Route::RestoreEnd) => {
            crate::routes::backup::handle(r, req, env, site).await
        }
        Route::ProcessingRecord => crate::routes::ropa::get(&req, env, site),
        Route::SuppressionsImport => crate::routes::import::post(req, env, site).await,
        Route::SuppressionsList => crate::routes::lists::list(&req, env, site).await,
        Route::Contacts => crate::routes::contacts::list(&req, env, site).await,
        r @ (Route::Closing | Route::Close | Route::Reopen) => {
            crate::routes::contacts::closing(r, req, env, site, &principal).await
        }
        Route::SuppressionsRemove(lookup) => {
            crate::routes::lists::remove(&req, env, site, &lookup).await
        }
        Route::Config(r) => admin_config::handle(r, req, env, site, &principal).await,
    }
}

/// An edge-made record's answer: 201 when new, 200 with the first answer.
pub(super) fn appended(a: assent_core::log::sequencer::Appended) -> Result<Response, ApiError> {
    let status = if a.status == AppendStatus::New {
        201
    } else {
        200
    };
    json_text(a.answer, status)
}

/// A request as the owner's API shows it.
pub(super) fn request_view(r: &SubjectRequest, now_ms: u64) -> serde_json::Value {
    serde_json::json!({
        "id": r.id,
        "subject": r.subject,
        "kind": r.kind,
        "status": r.status,
        "received_at": rfc3339(r.received_ms),
        "due_at": rfc3339(r.due_ms),
        "overdue": r.status == RequestStatus::Open && now_ms > r.due_ms,
        "decided_by": r.decided_by,
        "decided_at": r.decided_ms.map(rfc3339),
        "erasure": r.erasure,
        "via": r.via,
        "channel": r.channel,
        "detail": r.detail,
        "reason": r.reason,
        "fulfilled_by": r.fulfilled_by,
    })
}

/// A key as the owner's API shows it: never its secret or the secret's hash.
pub(super) fn key_view(key: &AdminKey) -> serde_json::Value {
    serde_json::json!({
        "id": key.id,
        "name": key.name,
        "scopes": key.scopes,
        "created_at": rfc3339(key.created_ms),
        "revoked_at": key.revoked_ms.map(rfc3339),
    })
}

pub(super) fn malformed(e: serde_json::Error) -> ApiError {
    assent_core::Error::from(assent_core::error::EventError::EventMalformed {
        message: e.to_string(),
    })
    .into()
}

pub(super) fn json_value(value: &serde_json::Value, status: u16) -> Result<Response, ApiError> {
    json_text(value.to_string(), status)
}

pub(super) fn json_text(body: String, status: u16) -> Result<Response, ApiError> {
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "no-store")?;
    Ok(Response::ok(body)?
        .with_status(status)
        .with_headers(headers))
}

/// `?format=json|csv` (json when absent).
pub(super) fn csv_wanted(q: &Query) -> Result<bool, ApiError> {
    match q.get("format") {
        None | Some("json") => Ok(false),
        Some("csv") => Ok(true),
        Some(_) => Err(query_invalid("format")),
    }
}

pub(super) fn csv_response(body: String, file: &str) -> Result<Response, ApiError> {
    let headers = Headers::new();
    headers.set("content-type", "text/csv; charset=utf-8")?;
    headers.set(
        "content-disposition",
        &format!("attachment; filename=\"{file}\""),
    )?;
    headers.set("cache-control", "no-store")?;
    Ok(Response::ok(body)?.with_headers(headers))
}

/// `GET .../subjects?email=ADDRESS`: the subject the address belongs to,
/// by its lookup key, and whether an erasure suppressed it.
async fn find(req: &Request, env: &Env, site: &SiteConfig) -> Result<Response, ApiError> {
    let q = Query::parse(req, &["email"])?;
    let email = q.get("email").ok_or_else(|| query_invalid("email"))?;
    let email = normalise_email(email)?;
    let secret = forms::form_secret(env)?;
    let lookup = lookup_key(secret.lookup(), &site.site, &email);
    let found = messages::call(env, &site.site, &messages::FIND, &lookup).await?;
    let deleted = found.deleted.as_ref().map(|e| e.deleted());
    let subjects: Vec<serde_json::Value> = found
        .subject
        .iter()
        .map(|s| serde_json::json!({"subject": s, "created_at": found.created_ms.map(rfc3339), "deleted": deleted}))
        .collect();
    json_value(
        &serde_json::json!({
            "subjects": subjects,
            // That, why and since when: never which subject or record.
            "suppressed": found.suppressed.map(|s| serde_json::json!({"kind": s.kind, "since": rfc3339(s.since_ms)})),
        }),
        200,
    )
}

/// `GET .../subjects/{subject}/export?format=json|csv`.
async fn subject_export(
    req: &Request,
    env: &Env,
    config: &SiteConfig,
    subject: SubjectId,
) -> Result<Response, ApiError> {
    let site = &config.site;
    let q = Query::parse(req, &["format"])?;
    let csv = csv_wanted(&q)?;
    let request = messages::ExportRequest {
        subject: subject.clone(),
        own: false,
    };
    let at = Object::of(config, &subject);
    let export = messages::call(env, at, &messages::SUBJECT_EXPORT, &request).await?;
    if csv {
        return csv_response(export.to_csv(), &format!("assent-{site}-{subject}.csv"));
    }
    let body = serde_json::to_string(&export).map_err(|e| ApiError::Internal(e.to_string()))?;
    json_text(body, 200)
}

/// `GET .../audit?format=json|csv&after=SEQ`: a page of the trail, oldest
/// first; `next_after` fetches the next.
async fn audit(req: &Request, env: &Env, site: &SiteId) -> Result<Response, ApiError> {
    let q = Query::parse(req, &["format", "after"])?;
    let csv = csv_wanted(&q)?;
    let after = q.u64("after")?.unwrap_or(0);
    let entries = messages::call(env, site, &messages::AUDIT, &after).await?;
    if csv {
        let rows = entries.iter().map(|e| e.csv_row().to_vec());
        return csv_response(
            assent_core::rights::export::csv_rows(&assent_core::admin::audit::CSV_HEADER, rows),
            &format!("assent-{site}-audit.csv"),
        );
    }
    let next = (entries.len() as u64 == assent_core::paging::AUDIT)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    json_value(
        &serde_json::json!({"entries": entries, "next_after": next}),
        200,
    )
}
