//! The table of every route the edge answers: method, path pattern and
//! what it does, in the order `docs/api.md` lists them.

/// One route of the edge's HTTP API: method, path pattern (`{site}`,
/// `{form}`, `{subject}`, `{hash}`, `{key}`, `{request}`, `{token}`,
/// `{file}`, `{edition}` are segments) and
/// what it does. [`ROUTES`] lists them all; the edge's router answers each
/// (`tests/e2e/routes.test.mjs` sends every one to the real worker) and
/// `docs/api.md` documents each (`core/tests/docs.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Route {
    /// The HTTP method (`GET` routes answer `HEAD` too).
    pub method: &'static str,
    /// The path pattern.
    pub path: &'static str,
    /// What it does, in a few words.
    pub what: &'static str,
}

const fn route(method: &'static str, path: &'static str, what: &'static str) -> Route {
    Route { method, path, what }
}

/// Every route of the edge's HTTP API (v1), public first, then the owner's.
pub const ROUTES: &[Route] = &[
    route(
        "GET",
        "/.well-known/jwks.json",
        "every key that signed receipts or checkpoints",
    ),
    route(
        "GET",
        "/v1/sites/{site}/config",
        "the notice in the negotiated language",
    ),
    route("GET", "/v1/sites/{site}/assent.js", "the per-site tag"),
    route("POST", "/v1/sites/{site}/events", "one consent event"),
    route(
        "GET",
        "/v1/sites/{site}/log/checkpoint",
        "a shard's latest signed checkpoint",
    ),
    route(
        "GET",
        "/v1/sites/{site}/log/checkpoints",
        "every shard's latest checkpoint",
    ),
    route(
        "GET",
        "/v1/sites/{site}/log/inclusion",
        "an inclusion proof",
    ),
    route(
        "GET",
        "/v1/sites/{site}/log/consistency",
        "a consistency proof",
    ),
    route(
        "GET",
        "/v1/sites/{site}/notices/{hash}",
        "a notice of the archive",
    ),
    route(
        "GET",
        "/v1/sites/{site}/forms/{form}",
        "an opt-in form's notice",
    ),
    route(
        "POST",
        "/v1/sites/{site}/forms/{form}/submissions",
        "a form submission",
    ),
    route(
        "GET",
        "/v1/sites/{site}/preview/{token}",
        "a draft's preview page",
    ),
    route(
        "GET",
        "/v1/sites/{site}/preview/{token}/{file}",
        "the widget's files under a preview",
    ),
    route(
        "POST",
        "/v1/sites/{site}/preview/{token}/{file}",
        "a write under a preview: refused, preview_only",
    ),
    route(
        "GET",
        "/v1/sites/{site}/unsubscribe",
        "an unsubscribe link's page",
    ),
    route(
        "POST",
        "/v1/sites/{site}/unsubscribe",
        "unsubscribe from a channel (one click, RFC 8058)",
    ),
    route(
        "GET",
        "/v1/sites/{site}/subjects/me/state",
        "the keyed subject's state",
    ),
    route(
        "POST",
        "/v1/sites/{site}/subjects/me/withdraw",
        "the keyed subject's withdrawal",
    ),
    route("GET", "/v1/sites/{site}/confirm", "the double opt-in page"),
    route(
        "POST",
        "/v1/sites/{site}/confirm",
        "a double opt-in confirmation",
    ),
    route(
        "GET",
        "/v1/sites/{site}/confirm/phone",
        "the phone code page",
    ),
    route("POST", "/v1/sites/{site}/confirm/phone", "a phone code"),
    route(
        "GET",
        "/v1/sites/{site}/privacy",
        "the privacy center's sign-in page",
    ),
    route(
        "POST",
        "/v1/sites/{site}/privacy/link",
        "mail a privacy center link",
    ),
    route(
        "GET",
        "/v1/sites/{site}/privacy/open",
        "a mailed link's page",
    ),
    route(
        "POST",
        "/v1/sites/{site}/privacy/open",
        "open the privacy center from a link",
    ),
    route(
        "POST",
        "/v1/sites/{site}/privacy/browser",
        "open the privacy center with the subject key",
    ),
    route(
        "POST",
        "/v1/sites/{site}/privacy/act",
        "an act in the privacy center",
    ),
    route(
        "GET",
        "/v1/admin/sites/{site}/events",
        "stored records, newest first",
    ),
    route(
        "GET",
        "/v1/admin/sites/{site}/export",
        "every record, as JSON Lines",
    ),
    route(
        "GET",
        "/v1/admin/sites/{site}/subjects",
        "find a subject by email",
    ),
    route(
        "GET",
        "/v1/admin/sites/{site}/subjects/{subject}/state",
        "a subject's state",
    ),
    route(
        "GET",
        "/v1/admin/sites/{site}/subjects/{subject}/export",
        "a subject's export",
    ),
    route(
        "POST",
        "/v1/admin/sites/{site}/subjects/{subject}/erasure",
        "erase a subject",
    ),
    route(
        "POST",
        "/v1/admin/sites/{site}/subjects/{subject}/restore",
        "restore from the recycle bin",
    ),
    route(
        "POST",
        "/v1/admin/sites/{site}/subjects/{subject}/restriction",
        "restrict or lift",
    ),
    route(
        "POST",
        "/v1/admin/sites/{site}/subjects/{subject}/rectification",
        "correct an identity",
    ),
    route(
        "POST",
        "/v1/admin/sites/{site}/subjects/{subject}/objection",
        "object to a channel",
    ),
    route(
        "POST",
        "/v1/admin/sites/{site}/requests",
        "log a request received by phone, letter or mail",
    ),
    route(
        "GET",
        "/v1/admin/sites/{site}/closing",
        "the site's closing day, if set",
    ),
    route(
        "POST",
        "/v1/admin/sites/{site}/closing",
        "anonymise the whole site by a day",
    ),
    route(
        "DELETE",
        "/v1/admin/sites/{site}/closing",
        "take the closing back before its day",
    ),
    route(
        "GET",
        "/v1/admin/sites/{site}/contacts",
        "the contact list, filtered",
    ),
    route(
        "POST",
        "/v1/admin/sites/{site}/subjects/{subject}/notes",
        "add a note about a contact",
    ),
    route(
        "POST",
        "/v1/admin/sites/{site}/attestations",
        "record consent given offline, or another basis",
    ),
    route(
        "GET",
        "/v1/admin/sites/{site}/recycle-bin",
        "the recycle bin",
    ),
    route(
        "POST",
        "/v1/admin/sites/{site}/recycle-bin/purge",
        "empty the recycle bin",
    ),
    route(
        "GET",
        "/v1/admin/sites/{site}/webhooks",
        "webhook deliveries",
    ),
    route("GET", "/v1/admin/sites/{site}/mail", "the dev mailbox"),
    route("GET", "/v1/admin/sites/{site}/audit", "the audit trail"),
    route(
        "GET",
        "/v1/admin/sites/{site}/config",
        "the configuration in force",
    ),
    route("GET", "/v1/admin/sites/{site}/config/draft", "the draft"),
    route(
        "POST",
        "/v1/admin/sites/{site}/config/draft",
        "save the draft",
    ),
    route(
        "DELETE",
        "/v1/admin/sites/{site}/config/draft",
        "discard the draft",
    ),
    route(
        "POST",
        "/v1/admin/sites/{site}/config/draft/preview",
        "a preview link of the draft",
    ),
    route(
        "POST",
        "/v1/admin/sites/{site}/config/publish",
        "publish the draft",
    ),
    route(
        "GET",
        "/v1/admin/sites/{site}/config/editions",
        "the published editions",
    ),
    route(
        "GET",
        "/v1/admin/sites/{site}/config/editions/{edition}",
        "one edition, whole",
    ),
    route("GET", "/v1/admin/sites/{site}/keys", "the site's keys"),
    route("POST", "/v1/admin/sites/{site}/keys", "create a key"),
    route(
        "POST",
        "/v1/admin/sites/{site}/keys/{key}/revoke",
        "revoke a key",
    ),
    route(
        "POST",
        "/v1/admin/sites/{site}/keys/{key}/erase-name",
        "erase a revoked key's name",
    ),
    route(
        "GET",
        "/v1/admin/sites/{site}/breaches",
        "the breach register",
    ),
    route(
        "POST",
        "/v1/admin/sites/{site}/backup",
        "the next chunk of a backup",
    ),
    route(
        "POST",
        "/v1/admin/sites/{site}/restore/check",
        "whether the site is empty for a restore",
    ),
    route(
        "POST",
        "/v1/admin/sites/{site}/restore/pages",
        "restore one page",
    ),
    route(
        "POST",
        "/v1/admin/sites/{site}/restore/end",
        "finish a restore and check it",
    ),
    route("POST", "/v1/admin/sites/{site}/breaches", "record a breach"),
    route(
        "GET",
        "/v1/admin/sites/{site}/breaches/{id}",
        "one incident",
    ),
    route(
        "POST",
        "/v1/admin/sites/{site}/breaches/{id}",
        "update an incident",
    ),
    route(
        "GET",
        "/v1/admin/sites/{site}/processing-record",
        "the record of processing",
    ),
    route(
        "POST",
        "/v1/admin/sites/{site}/suppressions/import",
        "import an opt-out or block list",
    ),
    route(
        "GET",
        "/v1/admin/sites/{site}/suppressions",
        "the opt-out and block lists: list, search, export",
    ),
    route(
        "DELETE",
        "/v1/admin/sites/{site}/suppressions/{lookup}",
        "take an address off the lists",
    ),
    route(
        "GET",
        "/v1/admin/sites/{site}/requests",
        "the requests queue",
    ),
    route(
        "POST",
        "/v1/admin/sites/{site}/requests/{request}/fulfil",
        "fulfil a request",
    ),
    route(
        "POST",
        "/v1/admin/sites/{site}/requests/{request}/refuse",
        "refuse a request",
    ),
    route(
        "GET",
        "/v1/admin/sites/{site}/stats",
        "the site's statistics",
    ),
    route(
        "GET",
        "/v1/admin/sites/{site}/retention",
        "the retention dry run",
    ),
    route(
        "POST",
        "/v1/admin/sites/{site}/retention/run",
        "run retention now",
    ),
];
