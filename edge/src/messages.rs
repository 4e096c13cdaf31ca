//! Typed messages between the Worker and a site's log object: each endpoint
//! is a constant that names its path, its request type and its answer type,
//! so both sides encode and decode the same types and nothing travels as a
//! forwarded query string or a side-channel header.
//!
//! A request is a `POST` of the JSON request to the endpoint's path; the
//! answer is always `200` with the JSON of `Result<Answer, WireError>`. An
//! error keeps its status, code and message across the hop, and the Worker
//! answers it like one of its own (with its `cache-control`).

use assent_core::admin::audit::AuditEntry;
use assent_core::admin::{AdminKey, KeyId, KeyName, Operation, Principal, Scopes};
use assent_core::form::intake::Submission;
use assent_core::form::mail::Mail;
use assent_core::form::settle::Confirmed;
use assent_core::form::token::Claims;
use assent_core::form::webhook::Delivery;
use assent_core::ids::{NoticeHash, SiteId, SubjectId};
use assent_core::log::archive::ArchivedNotice;
use assent_core::log::sequencer::{AppendRequest, Appended};
use assent_core::log::{ConsistencyProof, InclusionProof};
use assent_core::paging::PageRequest;
use assent_core::rights::bin::{Binned, Deletion};
use assent_core::rights::export::SubjectExport;
use assent_core::rights::requests::SubjectRequest;
use assent_core::rights::retention::Due;
use assent_core::rights::Found;
use assent_core::site::EdgeContext;
use assent_core::subject_key::SubjectKeyHash;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use worker::{Request, Response};

use crate::error::ApiError;
pub use crate::error::WireError;
pub use crate::objects::{call, call_each, Endpoint, Object, Role, BINDING, DIRECTORY_BINDING};

/// Append one validated event.
pub const APPEND: Endpoint<AppendRequest, Appended> = Endpoint::new("/append");
/// The latest signed checkpoint (signing one if the log grew).
pub const CHECKPOINT: Endpoint<(), String> = Endpoint::new("/checkpoint");
/// The latest signed checkpoint, if the log has a record (`None` for an
/// empty shard, where [`CHECKPOINT`] answers `log_empty`).
pub const CHECKPOINT_IF_ANY: Endpoint<(), Option<String>> = Endpoint::new("/checkpoint-if-any");
/// An inclusion proof.
pub const INCLUSION: Endpoint<InclusionQuery, InclusionProof> = Endpoint::new("/inclusion");
/// A consistency proof.
pub const CONSISTENCY: Endpoint<ConsistencyQuery, ConsistencyProof> = Endpoint::new("/consistency");
/// A notice of the archive by its hash (`assent_core::log::archive::find`).
pub const NOTICE: Endpoint<NoticeQuery, ArchivedNotice> = Endpoint::new("/notice");
/// A page of the owner's list, newest first.
pub const PAGE: Endpoint<PageRequest, RecordsPage> = Endpoint::new("/page");
/// A page of the export, oldest first.
pub const EXPORT: Endpoint<u64, ExportPage> = Endpoint::new("/export");

/// Store a checked form submission (the contact, the vault, the log, the
/// pending entry and its mail).
pub const SUBMIT: Endpoint<SubmitRequest, Appended> = Endpoint::new("/forms/submit");

/// A checked form submission, and where and when it was received.
#[derive(Serialize, Deserialize)]
pub struct SubmitRequest {
    /// The submission.
    pub submission: Submission,
    /// The receiving edge's clock, the log's origin and the receipts' issuer.
    pub ctx: EdgeContext,
}
/// Confirm the pending submission a verified token names.
pub const CONFIRM: Endpoint<ConfirmRequest, Confirmed> = Endpoint::new("/forms/confirm");
/// Check the code texted to a confirmed submission's phone number.
pub const PHONE_CONFIRM: Endpoint<PhoneConfirmRequest, Confirmed> =
    Endpoint::new("/forms/confirm-phone");
/// Withdraw offers for a subject.
pub const WITHDRAW: Endpoint<WithdrawRequest, Appended> = Endpoint::new("/forms/withdraw");
/// An unsubscribe link used: the channel's withdrawal, if there was anything to withdraw.
pub const UNSUBSCRIBE: Endpoint<UnsubscribeRequest, Option<Appended>> =
    Endpoint::new("/forms/unsubscribe");
/// A subject's state per offer.
pub const STATE: Endpoint<SubjectId, SubjectState> = Endpoint::new("/forms/state");
/// The owner's record of consent given offline, or of another basis.
/// Each one's outcome, in order: one refused changes none of the others.
pub const ATTEST: Endpoint<AttestRequest, Vec<AttestOutcome>> = Endpoint::new("/forms/attest");
/// The site's closing, if set.
pub const CLOSING: Endpoint<(), Option<assent_core::form::store::Closing>> =
    Endpoint::new("/rights/closing");
/// Set the site's closing day (`Some`), or take it back (`None`).
pub const CLOSE: Endpoint<CloseRequest, assent_core::form::store::Closing> =
    Endpoint::new("/rights/close");
/// A page of the contact list.
pub const CONTACTS: Endpoint<ContactsRequest, assent_core::rights::contacts::Page> =
    Endpoint::new("/rights/contacts");
/// A note about a contact.
pub const NOTE: Endpoint<NoteRequest, assent_core::form::notes::Note> =
    Endpoint::new("/forms/note");
/// A subject's objection to a channel.
pub const OBJECT: Endpoint<ObjectRequest, Appended> = Endpoint::new("/forms/object");

pub use assent_core::rights::SubjectState;
/// The hash of a subject's key (`assent_core::subject_key`), if it has one.
pub const SUBJECT_KEY: Endpoint<SubjectId, Option<SubjectKeyHash>> =
    Endpoint::new("/rights/subject-key");
/// Withdraw banner purposes (`offers` names purposes) from the privacy center.
pub const BANNER_WITHDRAW: Endpoint<WithdrawRequest, Appended> =
    Endpoint::new("/rights/banner-withdraw");
/// The webhook deliveries, newest first (the owner's list).
pub const DELIVERIES: Endpoint<u64, Vec<Delivery>> = Endpoint::new("/forms/deliveries");
/// The newest mails, opened (the local mailbox under `make dev`).
pub const MAILBOX: Endpoint<u64, Vec<MailboxEntry>> = Endpoint::new("/forms/mailbox");

/// Authenticate a bearer token for an operation, and audit it.
pub const AUTHORIZE: Endpoint<AccessRequest, Principal> = Endpoint::directory("/admin/authorize");
/// Create a site key (the operator's).
pub const KEY_CREATE: Endpoint<KeyCreateRequest, CreatedKey> =
    Endpoint::directory("/admin/keys/create");
/// Every key of the site.
pub const KEY_LIST: Endpoint<(), Vec<AdminKey>> = Endpoint::directory("/admin/keys/list");
/// Revoke a key.
pub const KEY_REVOKE: Endpoint<KeyId, AdminKey> = Endpoint::directory("/admin/keys/revoke");
/// Erase a revoked key's name: the key as it now reads, and how many old
/// audit entries keep the name.
pub const KEY_ERASE_NAME: Endpoint<KeyId, (AdminKey, u64)> =
    Endpoint::directory("/admin/keys/erase-name");
/// Audit entries after a `seq`, oldest first.
pub const AUDIT: Endpoint<u64, Vec<AuditEntry>> = Endpoint::directory("/admin/audit");
/// Add an incident to the breach register.
pub const BREACH_PUT: Endpoint<assent_core::breach::Incident, assent_core::breach::Incident> =
    Endpoint::directory("/admin/breaches/put");
/// The breach register, newest first.
pub const BREACHES: Endpoint<(), Vec<assent_core::breach::Incident>> =
    Endpoint::directory("/admin/breaches/list");
/// One incident of the breach register.
pub const BREACH: Endpoint<assent_core::breach::BreachId, assent_core::breach::Incident> =
    Endpoint::directory("/admin/breaches/get");
/// Update an incident, in the directory (so two updates never cross).
pub const BREACH_UPDATE: Endpoint<BreachUpdateRequest, assent_core::breach::Incident> =
    Endpoint::directory("/admin/breaches/update");
/// The keys and a page of the audit trail (entries after a `seq`) a home
/// shard kept before the site had a directory: read by the directory once,
/// when it takes them over ([`crate::directory`]).
pub const HANDOVER: Endpoint<u64, Handover> = Endpoint::new("/admin/handover");

/// What a home shard hands over to its site's directory.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Handover {
    /// Every key it kept.
    pub keys: Vec<AdminKey>,
    /// A page of its audit trail, oldest first.
    pub audit: Vec<AuditEntry>,
}

/// Find a subject by the lookup key of an email.
pub const FIND: Endpoint<String, Found> = Endpoint::new("/rights/find");
/// A subject's export.
pub const SUBJECT_EXPORT: Endpoint<ExportRequest, SubjectExport> = Endpoint::new("/rights/export");
/// The retention dry run at a time: what would be anonymised.
pub const RETENTION_DUE: Endpoint<u64, Vec<Due>> = Endpoint::new("/rights/retention-due");
/// Run retention now (the context's time).
pub const RETENTION_RUN: Endpoint<EdgeContext, Vec<Due>> = Endpoint::new("/rights/retention-run");

/// Restrict processing of a subject, or lift it.
pub const RESTRICT: Endpoint<RestrictRequest, Appended> = Endpoint::new("/rights/restrict");
/// Correct a subject's identity.
pub const RECTIFY: Endpoint<RectifyRequest, Appended> = Endpoint::new("/rights/rectify");

/// A restriction, or its lifting.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestrictRequest {
    /// Whose.
    pub subject: SubjectId,
    /// Restrict (or lift).
    pub restricted: bool,
    /// The event's id.
    pub event_id: assent_core::ids::EventId,
    /// Where it happens.
    pub ctx: EdgeContext,
}

/// A rectification.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RectifyRequest {
    /// Whose.
    pub subject: SubjectId,
    /// What changes.
    pub changes: assent_core::rights::Rectification,
    /// The event's id.
    pub event_id: assent_core::ids::EventId,
    /// Where it happens.
    pub ctx: EdgeContext,
}

/// Whose export, for whom.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    /// The subject.
    pub subject: SubjectId,
    /// The person's own download (their identity included even where the
    /// site is pseudonymous for its owner).
    pub own: bool,
}
/// Erase a subject (into the recycle bin, where the site has one).
pub const ERASE: Endpoint<EraseRequest, Deletion> = Endpoint::new("/rights/erase");
/// Take a subject out of the recycle bin.
pub const RESTORE: Endpoint<SubjectId, Binned> = Endpoint::new("/rights/restore");
/// Up to a number of recycle bin entries, the soonest purge first.
pub const RECYCLE_BIN: Endpoint<u64, Vec<Binned>> = Endpoint::new("/rights/recycle-bin");
/// Erase the binned subjects due by a time (one batch).
pub const PURGE: Endpoint<PurgeRequest, Vec<Binned>> = Endpoint::new("/rights/purge");

/// A purge of the recycle bin.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurgeRequest {
    /// Every entry due at or before this time (ms since the Unix epoch).
    pub until_ms: u64,
    /// Server time (the erasures'), log origin and issuer.
    pub ctx: EdgeContext,
}

/// The counters of every day from a day on: `(day, key, n)`.
pub const STATS: Endpoint<String, Vec<(String, String, u64)>> = Endpoint::new("/stats");

/// Mail a privacy center link to the contact of a lookup key, if known.
pub const PRIVACY_LINK: Endpoint<PrivacyLinkRequest, bool> = Endpoint::new("/rights/privacy-link");
/// Spend a privacy center link's nonce (`link_used` the second time).
pub const SPEND_LINK: Endpoint<assent_core::ids::EventId, ()> = Endpoint::new("/rights/spend-link");
/// File a data-subject request from the privacy center.
pub const REQUEST_FILE: Endpoint<RequestFile, SubjectRequest> = Endpoint::new("/rights/request");
/// The owner's queue.
pub const REQUESTS: Endpoint<u64, Vec<SubjectRequest>> = Endpoint::new("/rights/requests");
/// A subject's own requests.
pub const REQUESTS_OF: Endpoint<SubjectId, Vec<SubjectRequest>> =
    Endpoint::new("/rights/requests-of");
/// Fulfil or refuse a request.
pub const REQUEST_DECIDE: Endpoint<RequestDecide, SubjectRequest> = Endpoint::new("/rights/decide");

/// A privacy center link to mail.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacyLinkRequest {
    /// The lookup key of the address typed.
    pub lookup: String,
    /// The address typed, normalised (the mail's recipient).
    pub to: String,
    /// The edge's public origin (the link's base).
    pub base: String,
    /// The center's language, which the mail speaks.
    pub lang: String,
}

/// A request from the privacy center, or logged by the owner.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestFile {
    /// Whose (from a verified session, or named by the owner).
    pub subject: SubjectId,
    /// What, and how it arrived.
    pub asked: assent_core::rights::requests::Asked,
    /// Its id, and the erasure's where the site fulfils automatically.
    pub id: assent_core::ids::EventId,
    /// Where an erasure would happen.
    pub ctx: EdgeContext,
}

/// The owner's decision on a request.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestDecide {
    /// Which request.
    pub id: assent_core::ids::EventId,
    /// Fulfil (or refuse).
    pub fulfil: bool,
    /// A refusal's reason, which the person is told.
    pub reason: Option<String>,
    /// Who decides (the key's name).
    pub who: String,
    /// The erasure event's id, if it is one.
    pub erasure_id: assent_core::ids::EventId,
    /// Where it happens.
    pub ctx: EdgeContext,
}

/// Who presents which token for what.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessRequest {
    /// The site of the route.
    pub site: SiteId,
    /// The bearer token as presented.
    pub presented: String,
    /// The operation asked.
    pub op: Operation,
    /// Its target (a subject or key id), for the audit trail.
    pub target: Option<String>,
}

/// A new key's name and scopes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyCreateRequest {
    /// The site.
    pub site: SiteId,
    /// Its name.
    pub name: KeyName,
    /// Its scopes.
    pub scopes: Scopes,
}

/// A created key and its token, shown once.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreatedKey {
    /// The stored key.
    pub key: AdminKey,
    /// The token (`ask.<site>.<id>.<secret>`).
    pub token: String,
}

/// An erasure: whose, by whom, its event id (drawn by the Worker) and
/// where it happens.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EraseRequest {
    /// The subject.
    pub subject: SubjectId,
    /// Who erases (the key's name, or `operator`), for the recycle bin.
    pub who: String,
    /// The erasure event's id.
    pub event_id: assent_core::ids::EventId,
    /// Server time, log origin and issuer.
    pub ctx: EdgeContext,
}

/// A confirmation: the verified token's claims and where it happens.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    /// What the token says.
    pub claims: Claims,
    /// Server time, log origin and issuer.
    pub ctx: EdgeContext,
}

/// A phone code typed: the verified token's claims, the code as typed, and
/// where it happens.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhoneConfirmRequest {
    /// What the token says.
    pub claims: Claims,
    /// The code typed.
    pub code: String,
    /// Server time, log origin and issuer.
    pub ctx: EdgeContext,
}

/// A withdrawal: whose, which offers (all when absent), and where it happens.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithdrawRequest {
    /// The subject (from a verified receipt).
    pub subject: SubjectId,
    /// The offers, by `channel:purpose`.
    pub offers: Option<Vec<String>>,
    /// The withdrawal event's id (drawn by the Worker).
    pub event_id: assent_core::ids::EventId,
    /// Server time, log origin and issuer.
    pub ctx: EdgeContext,
    /// Asked in the privacy center (the event's page is the center's).
    #[serde(default)]
    pub here: bool,
}

/// An unsubscribe link's withdrawal: whose and which channel (from the
/// verified link), and where it happens.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnsubscribeRequest {
    /// The subject.
    pub subject: SubjectId,
    /// The channel.
    pub channel: assent_core::form::config::Channel,
    /// The withdrawal event's id (drawn by the Worker).
    pub event_id: assent_core::ids::EventId,
    /// Server time, log origin and issuer.
    pub ctx: EdgeContext,
}

/// An attestation the Worker checked (the recording key's id in it), and
/// where and when it is recorded.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttestRequest {
    /// The checked attestations (one, or a batch of a file's rows).
    pub attested: Vec<assent_core::form::attest::Attested>,
    /// Server time, log origin and issuer.
    pub ctx: EdgeContext,
}

/// What became of one attestation of a batch.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttestOutcome {
    /// Recorded now, or before (a repeat).
    Recorded(Appended),
    /// Refused: the error as it crosses the hop; nothing stored for it.
    Refused(crate::error::WireError),
}

/// The site's closing: the day (`None` takes it back), who, and when.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// The day, `YYYY-MM-DD`; `None` to take the closing back.
    pub day: Option<String>,
    /// Who, as the audit trail names them.
    pub by: String,
    /// Server time, log origin and issuer.
    pub ctx: EdgeContext,
}

/// A page of the contact list: the filter, where to go on, how many rows.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactsRequest {
    /// What selects contacts.
    pub filter: assent_core::rights::contacts::Filter,
    /// After this subject.
    pub after: Option<SubjectId>,
    /// Most rows.
    pub limit: u64,
}

/// An update of an incident, with the new count of affected contacts when
/// it asked for one.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BreachUpdateRequest {
    /// Which incident.
    pub id: assent_core::breach::BreachId,
    /// What changes.
    pub update: assent_core::breach::Update,
    /// The affected contacts, counted by the Worker.
    pub affected: Option<u64>,
}

/// A note about a contact: whose, by whom, the checked text, its id and when.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    /// The subject.
    pub subject: SubjectId,
    /// The writer, as the audit trail names them.
    pub by: String,
    /// The checked text.
    pub text: String,
    /// The note's id (drawn by the Worker).
    pub id: assent_core::ids::EventId,
    /// Server time, log origin and issuer.
    pub ctx: EdgeContext,
}

/// An objection: whose, to which channel, and where it happens.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectRequest {
    /// The subject.
    pub subject: SubjectId,
    /// The channel.
    pub channel: assent_core::form::config::Channel,
    /// The objection event's id (drawn by the Worker).
    pub event_id: assent_core::ids::EventId,
    /// Server time, log origin and issuer.
    pub ctx: EdgeContext,
}

/// One mail of the local mailbox.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MailboxEntry {
    /// When it was queued (ms since the Unix epoch).
    pub created_ms: u64,
    /// The submission it is about.
    pub event_id: String,
    /// The message.
    pub mail: Mail,
}

/// Which notice of the archive, of which site (a log that has no record
/// yet has no origin to name its site).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeQuery {
    /// The site.
    pub site: SiteId,
    /// The notice's hash.
    pub hash: NoticeHash,
}

/// Which inclusion proof.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionQuery {
    /// Leaf index.
    pub index: u64,
    /// Tree size.
    pub size: u64,
}

/// Which consistency proof.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyQuery {
    /// Older size.
    pub from: u64,
    /// Newer size.
    pub to: u64,
}

/// A stored record: index and its RFC 8785 text, spliced into answers as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ListedRecord {
    /// Leaf index.
    pub index: u64,
    /// The record's stored text.
    pub record: String,
}

impl ListedRecord {
    /// `{"index":N,"record":{...}}` with the record's bytes as stored (never re-serialised).
    pub fn to_json(&self) -> String {
        format!("{{\"index\":{},\"record\":{}}}", self.index, self.record)
    }
}

/// A page of the owner's list.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordsPage {
    /// Records in the log.
    pub total: u64,
    /// The records, newest first.
    pub records: Vec<ListedRecord>,
    /// `before` of the next page.
    pub next_before: Option<u64>,
}

/// A page of the export.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExportPage {
    /// The records, oldest first.
    pub records: Vec<ListedRecord>,
    /// `from` of the next page, while more may remain.
    pub next: Option<u64>,
}

impl<Q: DeserializeOwned, A: Serialize> Endpoint<Q, A> {
    /// The object's side of this endpoint: decodes its request type, runs
    /// `handle`, encodes its answer type. The handler is bound to the
    /// endpoint's types, as [`call`] binds the sender's: a handler of other
    /// types does not compile.
    pub async fn serve(
        &self,
        req: Request,
        handle: impl FnOnce(Q) -> Result<A, ApiError>,
    ) -> worker::Result<Response> {
        serve(req, handle).await
    }
}

/// An object's table from typed endpoint to handler:
/// `endpoints!(path, req, { APPEND => |r| ..., CHECKPOINT => |()| ... } else { fallback })`
/// serves `req` with the handler of the endpoint whose path `path` is
/// ([`Endpoint::serve`]: the handler takes and answers the endpoint's
/// types), or evaluates the fallback when no endpoint of the table has it.
macro_rules! endpoints {
    ($path:expr, $req:ident, { $($ep:path => $handler:expr),+ $(,)? } else $fallback:block) => {{
        let path: &str = $path;
        $( if path == $ep.path { $ep.serve($req, $handler).await } else )+ $fallback
    }};
}
pub(crate) use endpoints;

/// Decodes the request, runs `handle`, encodes the answer.
async fn serve<Q: DeserializeOwned, A: Serialize>(
    mut req: Request,
    handle: impl FnOnce(Q) -> Result<A, ApiError>,
) -> worker::Result<Response> {
    let text = req.text().await?;
    let answer = match serde_json::from_str::<Q>(&text) {
        Ok(q) => handle(q),
        Err(e) => Err(ApiError::Internal(format!("log request: {e}"))),
    }
    .map_err(|e| e.to_wire());
    let body =
        serde_json::to_string(&answer).map_err(|e| worker::Error::RustError(e.to_string()))?;
    let headers = worker::Headers::new();
    headers.set("content-type", "application/json")?;
    Ok(Response::ok(body)?.with_headers(headers))
}
