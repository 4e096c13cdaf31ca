//! Imports of an opt-out or block list into a site's suppressions, without
//! I/O: the rows checked one by one, a report of what became of them, and
//! the log object's side, which suppresses a batch of lookup keys and
//! records the batch in the log.
//!
//! **Rows.** A list is CSV, one entry a line (its row number is its line
//! number in the file, from 1). A row is an email address (normalised as a
//! form normalises it, [`normalise_email`]) or a keyed hash in exactly the
//! format [`lookup_key`](crate::form::identity::lookup_key) produces (64
//! lowercase hex digits), so a site can import hashes it computed itself.
//! Without a header a row has one field; a first line whose fields name an
//! `email` or a `hash` column (any case) is a header ([`header`]), and the
//! rows after it are read in that column, whatever else they hold. A row
//! longer than [`MAX_LINE`] bytes, not UTF-8, empty, with another number of
//! fields, or whose value is not an address (or not a hash, in a `hash`
//! column) is rejected with a stable code ([`RowError::code`]). A cell is
//! only ever read as an address: a formula (`=cmd|' /C calc'!A0`) is an
//! invalid one, never evaluated, and a report names rows by number and code,
//! never by their content.
//!
//! **Reports** ([`ImportReport`]) count rows, accepted (newly suppressed),
//! duplicated (twice in the list, or suppressed before) and rejected rows,
//! with up to [`MAX_REPORTED_ERRORS`] rejected rows listed, and merge across
//! batches.
//!
//! **A batch** ([`Site::import_batch`](crate::site::Site::import_batch)) of lookup keys is deduplicated; keys
//! suppressed before are left as they were; every new one becomes a
//! [`Suppression`] of the given kind naming the batch's event id; then one
//! `import` record is appended (surface `api`, control `import`, under a
//! subject derived from the event id, every optional purpose refused) whose
//! [`ImportFacts`] carry the count and a digest of the new keys: hex SHA-256
//! over them sorted, each followed by a line feed, so the suppression rows
//! of a record can be shown to be exactly the ones it committed to. A batch
//! with nothing new appends nothing. The same event id again answers the
//! first outcome; after a fault between the suppressions and the append,
//! the same event id again finds its own suppressions and appends.

use alloc::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::SiteConfig;
use crate::error::{Error, LogError, SyntaxError};
use crate::event::{Action, ConsentEvent, Control, NoticeRef, PageRef, Surface, UiRef};
use crate::form::config::Channel;
use crate::form::identity::normalise_email;
use crate::form::store::{FormStore, Suppression, SuppressionKind};
use crate::ids::{EventId, SubjectId};
use crate::log::sequencer::{self, AppendStatus};
use crate::log::store::LogStore;
use crate::record::{ImportFacts, StoredRecord};
use crate::site::{EdgeContext, Site};

/// Longest row read, in bytes (without its line break).
pub const MAX_LINE: usize = 4096;
/// Most rows one batch (one request to the edge) holds, a header aside.
pub const MAX_BATCH_ROWS: usize = 5000;
/// Most bytes one batch's body holds.
pub const MAX_BATCH_BYTES: usize = 1 << 20;
/// Most rejected rows a report lists (all are counted).
pub const MAX_REPORTED_ERRORS: usize = 1000;

/// Whether a batch of `rows` rows and `bytes` bytes so far (its header line
/// and every row with its line break) still takes a row of `line` bytes:
/// the one rule the CLI's and the console's importers fill batches by, so
/// neither sends a request the route refuses. A row longer than
/// [`MAX_LINE`] fits no batch: the importer reports it and sends nothing.
///
/// ```
/// use assent_core::rights::import::{batch_fits, MAX_BATCH_BYTES, MAX_BATCH_ROWS, MAX_LINE};
/// assert!(batch_fits(0, 0, MAX_LINE));
/// assert!(!batch_fits(0, 0, MAX_LINE + 1));
/// assert!(!batch_fits(MAX_BATCH_ROWS, 0, 10));
/// assert!(batch_fits(1, MAX_BATCH_BYTES - 11, 10));
/// assert!(!batch_fits(1, MAX_BATCH_BYTES - 10, 10));
/// ```
pub fn batch_fits(rows: usize, bytes: usize, line: usize) -> bool {
    // The row takes its line break too: `bytes + line + 1 <= MAX_BATCH_BYTES`.
    line <= MAX_LINE && rows < MAX_BATCH_ROWS && bytes + line < MAX_BATCH_BYTES
}

/// One accepted row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A normalised email address: the edge turns it into its lookup key.
    Email(String),
    /// A lookup key as [`lookup_key`](crate::form::identity::lookup_key) writes it.
    Lookup(String),
}

/// Why a row was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RowError {
    /// The row is not UTF-8.
    EncodingInvalid,
    /// The row is longer than [`MAX_LINE`] bytes.
    LineTooLong,
    /// The value is not an email address.
    EmailInvalid,
    /// The value, in a `hash` column, is not a lookup key.
    HashInvalid,
    /// The row (or its cell) is empty.
    Empty,
    /// More than one field without a header, or too few for the header's column.
    FieldCount,
}

impl RowError {
    /// The stable machine-readable code, e.g. `email_invalid`.
    pub fn code(self) -> &'static str {
        match self {
            RowError::EncodingInvalid => "encoding_invalid",
            RowError::LineTooLong => "line_too_long",
            RowError::EmailInvalid => "email_invalid",
            RowError::HashInvalid => "hash_invalid",
            RowError::Empty => "empty",
            RowError::FieldCount => "field_count",
        }
    }
}

impl core::fmt::Display for RowError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.code())
    }
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holds {
    /// An address or a hash, whichever the value is (no header).
    Either,
    /// Email addresses (a header `email`).
    Email,
    /// Lookup keys (a header `hash`).
    Hash,
}

/// Where a row's entry is: without a header the only field; with one, the
/// column it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// The column read, from 0.
    pub column: usize,
    /// What it holds.
    pub holds: Holds,
    /// Whether a header said so (rows may then have other fields).
    pub headed: bool,
}

impl Layout {
    /// No header: one field, an address or a hash.
    pub const SINGLE: Layout = Layout {
        column: 0,
        holds: Holds::Either,
        headed: false,
    };

    /// Checks one row (a line without its line break).
    pub fn check(&self, line: &[u8]) -> Result<Entry, RowError> {
        if line.len() > MAX_LINE {
            return Err(RowError::LineTooLong);
        }
        let text = core::str::from_utf8(line).map_err(|_| RowError::EncodingInvalid)?;
        if text.trim().is_empty() {
            return Err(RowError::Empty);
        }
        let fields = fields(text).ok_or(RowError::FieldCount)?;
        if !self.headed && fields.len() != 1 {
            return Err(RowError::FieldCount);
        }
        let cell = fields.get(self.column).ok_or(RowError::FieldCount)?.trim();
        if cell.is_empty() {
            return Err(RowError::Empty);
        }
        match self.holds {
            Holds::Hash if is_lookup_key(cell) => Ok(Entry::Lookup(cell.to_string())),
            Holds::Hash => Err(RowError::HashInvalid),
            Holds::Either if is_lookup_key(cell) => Ok(Entry::Lookup(cell.to_string())),
            Holds::Either | Holds::Email => normalise_email(cell)
                .map(Entry::Email)
                .map_err(|_| RowError::EmailInvalid),
        }
    }
}

/// The fields of one CSV record (`None` if the line holds more than one).
fn fields(text: &str) -> Option<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(text.len() + 1)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    // The text was UTF-8, so the only failure left would be a bug: no fields.
    if !reader.read_record(&mut record).unwrap_or(false) {
        return Some(Vec::new());
    }
    let out = record.iter().map(str::to_owned).collect();
    // A carriage return inside the line starts another record.
    match reader.read_record(&mut csv::StringRecord::new()) {
        Ok(false) => Some(out),
        _ => None,
    }
}

/// Whether `value` is a lookup key as [`lookup_key`](crate::form::identity::lookup_key)
/// writes it: 64 lowercase hex digits.
pub fn is_lookup_key(value: &str) -> bool {
    value.len() == 64
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Checks one row of a list without a header (see the module docs).
///
/// ```
/// use assent_core::rights::import::{check_row, Entry};
///
/// assert_eq!(check_row(b" Ana@Example.COM "), Ok(Entry::Email("ana@example.com".into())));
/// assert_eq!(check_row(b"=cmd|' /C calc'!A0").unwrap_err().code(), "email_invalid");
/// assert_eq!(check_row(b"ana@example.com,Ana").unwrap_err().code(), "field_count");
/// assert_eq!(check_row(b"\xff@example.com").unwrap_err().code(), "encoding_invalid");
/// ```
pub fn check_row(line: &[u8]) -> Result<Entry, RowError> {
    Layout::SINGLE.check(line)
}

/// The layout a first line declares, if it is a header: a field named
/// `email` or `hash` (any case, spaces and a byte order mark aside), the
/// first such one.
///
/// ```
/// use assent_core::rights::import::{header, Holds};
///
/// let layout = header(b"Name,EMAIL,Signed up").unwrap();
/// assert_eq!((layout.column, layout.holds), (1, Holds::Email));
/// assert!(header(b"ana@example.com").is_none());
/// ```
pub fn header(line: &[u8]) -> Option<Layout> {
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    if line.len() > MAX_LINE {
        return None;
    }
    let fields = fields(core::str::from_utf8(line).ok()?)?;
    fields.iter().enumerate().find_map(|(column, name)| {
        let holds = match name.trim().to_ascii_lowercase().as_str() {
            "email" => Holds::Email,
            "hash" => Holds::Hash,
            _ => return None,
        };
        Some(Layout {
            column,
            holds,
            headed: true,
        })
    })
}

/// What became of a list's rows (one batch's, or merged, the whole list's).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Rows read (a header aside).
    pub rows: u64,
    /// Rows whose entry was newly suppressed.
    pub accepted: u64,
    /// Rows whose entry was in the list before, or suppressed before.
    pub duplicated: u64,
    /// Listed contacts whose consent was withdrawn (one event each).
    #[serde(default)]
    pub withdrawn: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// The first [`MAX_REPORTED_ERRORS`] rejected rows: row number and code.
    pub errors: Vec<(u64, String)>,
    /// Rejected rows by code.
    pub rejected_by_code: BTreeMap<String, u64>,
}

impl ImportReport {
    /// Counts a rejected row.
    pub fn reject(&mut self, row: u64, error: RowError) {
        self.rows += 1;
        self.rejected += 1;
        *self
            .rejected_by_code
            .entry(error.code().to_string())
            .or_default() += 1;
        if self.errors.len() < MAX_REPORTED_ERRORS {
            self.errors.push((row, error.code().to_string()));
        }
    }

    /// Adds another report's counts; the listed errors stay in row order,
    /// the first [`MAX_REPORTED_ERRORS`] kept.
    pub fn merge(&mut self, other: ImportReport) {
        self.rows += other.rows;
        self.accepted += other.accepted;
        self.duplicated += other.duplicated;
        self.withdrawn += other.withdrawn;
        self.rejected += other.rejected;
        for (code, n) in other.rejected_by_code {
            *self.rejected_by_code.entry(code).or_default() += n;
        }
        self.errors.extend(other.errors);
        self.errors.sort_by_key(|(row, _)| *row);
        self.errors.truncate(MAX_REPORTED_ERRORS);
    }
}

/// A batch's body, checked: the report of its rejected rows and the entries
/// of the others, in row order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckedBatch {
    /// Rows read and rejected (accepted and duplicated are the object's to say).
    pub report: ImportReport,
    /// Each accepted row's number and entry.
    pub entries: Vec<(u64, Entry)>,
}

/// Checks a batch's body: lines numbered from `first_row`, a byte order
/// mark at its start skipped, its first line a header if it reads as one
/// ([`header`]; it is numbered but not counted), a line feed (or CR LF)
/// ending each row, the last one optionally.
pub fn check_batch(body: &[u8], first_row: u64) -> CheckedBatch {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let mut out = CheckedBatch::default();
    if body.is_empty() {
        return out;
    }
    let body = body.strip_suffix(b"\n").unwrap_or(body);
    let mut layout = Layout::SINGLE;
    for (i, line) in body.split(|b| *b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let row = first_row.saturating_add(i as u64);
        if i == 0 {
            if let Some(declared) = header(line) {
                layout = declared;
                continue;
            }
        }
        match layout.check(line) {
            Ok(entry) => {
                out.report.rows += 1;
                out.entries.push((row, entry));
            }
            Err(e) => out.report.reject(row, e),
        }
    }
    out
}

/// What the log object did with a batch of lookup keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchOutcome {
    /// Keys newly suppressed by this batch.
    pub accepted: u64,
    /// Listed contacts whose consent the batch withdrew (one event each).
    #[serde(default)]
    pub withdrawn: u64,
    /// Keys twice in the batch, or suppressed before.
    pub duplicated: u64,
    /// The batch's `import` record, when one was appended.
    pub record: Option<ImportRecord>,
    /// Whether this answer repeats the first one for the same event id.
    pub repeat: bool,
}

/// Where a batch's `import` record is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRecord {
    /// Its event id (the suppressions of the batch name it).
    pub event_id: EventId,
    /// Its index in the log.
    pub index: u64,
}

/// The digest an import record carries: hex SHA-256 over the keys sorted,
/// each followed by a line feed.
pub fn digest<'a>(lookups: impl IntoIterator<Item = &'a str>) -> String {
    let sorted: BTreeSet<&str> = lookups.into_iter().collect();
    let mut hash = Sha256::new();
    for key in sorted {
        hash.update(key.as_bytes());
        hash.update(b"\n");
    }
    hex::encode(hash.finalize())
}

/// The subject an import record is logged under: its own, derived from the
/// event id (the record names no one).
pub fn import_subject(event_id: &EventId) -> SubjectId {
    SubjectId::from_random_bytes(crate::ids::derived(
        "assent/import/v1",
        &[event_id.as_str()],
    ))
}

/// What a list is: its kind and, for an opt-out list, the channels it
/// names (`None`: every channel). A block list is every channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct List {
    /// `opt_out` or `blocked` (never `erased`: only an erasure makes that).
    pub kind: SuppressionKind,
    /// The channels an opt-out list withdraws.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<Vec<Channel>>,
}

impl List {
    /// The channels whose consent the list withdraws (`None`: all).
    pub fn withdraws(&self) -> Option<&[Channel]> {
        match self.kind {
            SuppressionKind::OptOut => self.channels.as_deref(),
            _ => None,
        }
    }
}

impl<L: LogStore + ?Sized, F: FormStore + ?Sized> Site<'_, L, F> {
    /// Suppresses a batch of lookup keys, records it, and withdraws the
    /// consent of each listed contact on the list's channels (see the
    /// module docs).
    pub fn import_batch(
        &mut self,
        lookups: Vec<String>,
        list: &List,
        event_id: EventId,
    ) -> Result<BatchOutcome, Error> {
        let kind = list.kind;
        if kind == SuppressionKind::Erased {
            return Err(SyntaxError::FieldInvalid {
                field: "kind".into(),
                reason: "only an erasure suppresses as erased".into(),
            }
            .into());
        }
        let (log, forms, config, key, ctx) = self.parts();
        if let Some(bad) = lookups.iter().find(|l| !is_lookup_key(l)) {
            return Err(SyntaxError::FieldInvalid {
                field: "lookups".into(),
                reason: format!("not a lookup key ({} characters)", bad.len()),
            }
            .into());
        }
        let total = lookups.len() as u64;
        if let Some(entry) = log.entry_by_event(&event_id)? {
            let record: StoredRecord = serde_json::from_str(&entry.record)
                .map_err(|e| Error::from(crate::log::store::StoreError::Fault(e.to_string())))?;
            let Some(facts) = record
                .import
                .filter(|_| record.event.action == Action::Import)
            else {
                return Err(LogError::EventIdConflict {
                    event_id: event_id.to_string(),
                }
                .into());
            };
            return Ok(BatchOutcome {
                accepted: facts.count,
                duplicated: total.saturating_sub(facts.count),
                withdrawn: 0,
                record: Some(ImportRecord {
                    event_id,
                    index: entry.index,
                }),
                repeat: true,
            });
        }
        let mut seen = BTreeSet::new();
        let mut new = Vec::new();
        for lookup in lookups {
            if !seen.insert(lookup.clone()) {
                continue;
            }
            match forms.suppression(&lookup)? {
                // Suppressed by this batch before a fault: still this batch's.
                Some(s) if s.event_id == event_id => new.push(lookup),
                // Listed as strongly or more strongly before: left as it was.
                Some(s) if s.kind >= kind => {}
                _ => {
                    forms.put_suppression(&Suppression {
                        lookup: lookup.clone(),
                        kind,
                        event_id: event_id.clone(),
                        created_ms: ctx.now_ms,
                    })?;
                    new.push(lookup);
                }
            }
        }
        let accepted = new.len() as u64;
        let duplicated = total - accepted;
        if new.is_empty() {
            return Ok(BatchOutcome {
                accepted,
                duplicated,
                withdrawn: 0,
                record: None,
                repeat: false,
            });
        }
        let facts = ImportFacts {
            kind,
            channels: list.withdraws().map(<[Channel]>::to_vec),
            removed: false,
            count: accepted,
            digest: digest(new.iter().map(String::as_str)),
        };
        let event = import_event(config, event_id.clone(), ctx)?;
        let appended = sequencer::append(log, config, key, ctx.request(event, None, Some(facts)))?;
        let index = index_of(&appended)?;
        let withdrawn =
            Site::new(log, forms, config, key, ctx).withdraw_listed(&new, list, &event_id)?;
        Ok(BatchOutcome {
            accepted,
            duplicated,
            withdrawn,
            record: Some(ImportRecord { event_id, index }),
            repeat: appended.status == AppendStatus::Repeat,
        })
    }
}

/// The log index in an append's answer.
pub(crate) fn index_of(appended: &sequencer::Appended) -> Result<u64, Error> {
    serde_json::from_str::<serde_json::Value>(&appended.answer)
        .ok()
        .and_then(|v| v["log"]["index"].as_u64())
        .ok_or_else(|| {
            Error::from(crate::log::store::StoreError::Fault(
                "an answer without its index".into(),
            ))
        })
}

/// The edge-made event of an import record: the site's current notice in
/// its default language, every optional purpose refused.
pub(crate) fn import_event(
    config: &SiteConfig,
    event_id: EventId,
    ctx: &EdgeContext,
) -> Result<ConsentEvent, Error> {
    let notice = config.notice(&config.default_language)?;
    Ok(ConsentEvent {
        subject: import_subject(&event_id),
        event_id,
        site: config.site.clone(),
        action: Action::Import,
        decisions: config
            .purposes
            .iter()
            .map(|p| (p.id.to_string(), p.required))
            .collect(),
        services: BTreeMap::new(),
        form: None,
        answers: None,
        notice: NoticeRef {
            hash: notice.hash(),
            version: notice.notice_version,
            language: notice.language,
        },
        ui: UiRef {
            surface: Surface::Api,
            control: Control::Import,
        },
        client_time_ms: ctx.now_ms,
        gpc: false,
        page: PageRef {
            origin: ctx.issuer.clone(),
            path: crate::api::admin_suppressions_import(&config.site),
        },
        widget_version: "edge".into(),
        tc_string: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::identity::lookup_key;
    use crate::form::memory::MemoryFormStore;
    use crate::form::store::Suppressions;
    use crate::keys::SigningKey;
    use crate::log::store::MemoryLogStore;
    use crate::log::LogOrigin;

    const SITE: &str = include_str!("../../tests/vectors/site.json");

    fn ctx() -> EdgeContext {
        EdgeContext {
            now_ms: 1_795_000_000_000,
            origin: LogOrigin::parse("edge.example/vectors").unwrap(),
            issuer: "https://edge.example".into(),
        }
    }

    fn key_of(n: u32) -> String {
        let config = SiteConfig::from_json(SITE).unwrap();
        lookup_key(b"secret", &config.site, &format!("person{n}@example.com"))
    }

    struct Run {
        log: MemoryLogStore,
        forms: MemoryFormStore,
        config: SiteConfig,
        key: SigningKey,
    }

    impl Run {
        fn new() -> Run {
            Run {
                log: MemoryLogStore::default(),
                forms: MemoryFormStore::default(),
                config: SiteConfig::from_json(SITE).unwrap(),
                key: SigningKey::from_seed([9; 32]),
            }
        }
        fn import(&mut self, lookups: Vec<String>, id: u8) -> Result<BatchOutcome, Error> {
            Site::new(
                &mut self.log,
                &mut self.forms,
                &self.config,
                &self.key,
                &ctx(),
            )
            .import_batch(
                lookups,
                &List {
                    kind: SuppressionKind::OptOut,
                    channels: None,
                },
                EventId::from_random_bytes([id; 16]),
            )
        }
        fn record(&self, id: u8) -> StoredRecord {
            let entry = self
                .log
                .entry_by_event(&EventId::from_random_bytes([id; 16]))
                .unwrap()
                .unwrap();
            serde_json::from_str(&entry.record).unwrap()
        }
    }

    #[test]
    fn rows_are_emails_or_lookup_keys_and_everything_else_has_its_code() {
        let hash = key_of(1);
        assert_eq!(check_row(hash.as_bytes()), Ok(Entry::Lookup(hash.clone())));
        assert_eq!(
            check_row(format!("\"{hash}\"").as_bytes()),
            Ok(Entry::Lookup(hash.clone()))
        );
        assert_eq!(
            check_row(b"\"Ana@Example.com\""),
            Ok(Entry::Email("ana@example.com".into()))
        );
        assert_eq!(
            check_row("ana@bücher.example".as_bytes()),
            Ok(Entry::Email("ana@xn--bcher-kva.example".into()))
        );
        let code = |line: &[u8]| check_row(line).unwrap_err().code();
        assert_eq!(code(hash.to_uppercase().as_bytes()), "email_invalid");
        assert_eq!(code(&hash.as_bytes()[1..]), "email_invalid");
        assert_eq!(code(b"=cmd|' /C calc'!A0"), "email_invalid");
        assert_eq!(code(b"+SUM(1+1)"), "email_invalid");
        assert_eq!(code(b"@SUM(A1)"), "email_invalid");
        assert_eq!(code(b"not an address"), "email_invalid");
        assert_eq!(code(b""), "empty");
        assert_eq!(code(b"   \t"), "empty");
        assert_eq!(code(b"\"\""), "empty");
        assert_eq!(code(b"a@example.com,b@example.com"), "field_count");
        assert_eq!(code(b","), "field_count");
        assert_eq!(code(b"a@example.com\rb@example.com"), "field_count");
        assert_eq!(code(b"ana\xff@example.com"), "encoding_invalid");
        let long = format!("{}@example.com", "a".repeat(MAX_LINE));
        assert_eq!(code(long.as_bytes()), "line_too_long");
        // Exactly the limit is a row (here an invalid address: too long for one).
        assert_eq!(code("a".repeat(MAX_LINE).as_bytes()), "email_invalid");
    }

    #[test]
    fn a_header_names_the_column_and_what_it_holds() {
        let hash = key_of(2);
        let layout = header(b"\xEF\xBB\xBFName, Email ,date").unwrap();
        assert_eq!(layout.column, 1);
        assert_eq!(
            layout.check(b"Ana,ana@example.com,2026-01-01"),
            Ok(Entry::Email("ana@example.com".into()))
        );
        assert_eq!(layout.check(b"Ana").unwrap_err(), RowError::FieldCount);
        assert_eq!(layout.check(b"Ana,,x").unwrap_err(), RowError::Empty);
        assert_eq!(
            layout.check(format!("x,{hash}").as_bytes()).unwrap_err(),
            RowError::EmailInvalid,
            "an email column holds addresses"
        );
        let hashes = header(b"HASH").unwrap();
        assert_eq!(hashes.holds, Holds::Hash);
        assert_eq!(hashes.check(hash.as_bytes()), Ok(Entry::Lookup(hash)));
        assert_eq!(
            hashes.check(b"ana@example.com").unwrap_err().code(),
            "hash_invalid"
        );
        assert!(header(b"emails").is_none());
        assert!(header(b"\xff").is_none());
    }

    #[test]
    fn a_batch_is_numbered_from_its_first_row_and_its_header_is_not_a_row() {
        let body = b"email\r\na@example.com\r\n\r\n=1+1\nb@example.com,x\n";
        let checked = check_batch(body, 10);
        assert_eq!(checked.report.rows, 4);
        assert_eq!(checked.report.rejected, 2);
        assert_eq!(
            checked.report.errors,
            vec![(12, "empty".to_string()), (13, "email_invalid".to_string())]
        );
        assert_eq!(
            checked.entries,
            vec![
                (11, Entry::Email("a@example.com".into())),
                (14, Entry::Email("b@example.com".into())),
            ],
            "a headed row may carry other fields; the formula is an invalid address"
        );
        let plain = check_batch(b"\xEF\xBB\xBFa@example.com\n=1+1", 1);
        assert_eq!(plain.report.rows, 2);
        assert_eq!(plain.report.errors, vec![(2, "email_invalid".to_string())]);
        assert_eq!(check_batch(b"", 1), CheckedBatch::default());
        assert_eq!(
            check_batch(b"\n", 1).report.errors,
            vec![(1, "empty".into())]
        );
    }

    #[test]
    fn reports_merge_in_row_order_and_list_at_most_a_thousand_errors() {
        let mut total = ImportReport::default();
        let mut later = ImportReport::default();
        for row in 2000..3000 {
            later.reject(row, RowError::Empty);
        }
        let mut first = ImportReport {
            accepted: 5,
            duplicated: 1,
            withdrawn: 2,
            rows: 6,
            ..Default::default()
        };
        later.withdrawn = 3;
        for row in 1..=600 {
            first.reject(row, RowError::EmailInvalid);
        }
        total.merge(first);
        total.merge(later);
        assert_eq!(total.rows, 1606);
        assert_eq!(total.rejected, 1600);
        assert_eq!(
            (total.accepted, total.duplicated, total.withdrawn),
            (5, 1, 5)
        );
        assert_eq!(total.errors.len(), MAX_REPORTED_ERRORS);
        assert_eq!(total.errors[599], (600, "email_invalid".into()));
        assert_eq!(total.errors[600], (2000, "empty".into()));
        assert_eq!(total.rejected_by_code["empty"], 1000);
        assert_eq!(total.rejected_by_code["email_invalid"], 600);
        let json = serde_json::to_value(&total).unwrap();
        assert_eq!(json["errors"][0], serde_json::json!([1, "email_invalid"]));
    }

    #[test]
    fn a_batch_suppresses_each_new_key_once_and_appends_one_record_with_its_digest() {
        let mut run = Run::new();
        let (a, b, c) = (key_of(1), key_of(2), key_of(3));
        let out = run
            .import(vec![a.clone(), b.clone(), a.clone(), c.clone()], 1)
            .unwrap();
        assert_eq!((out.accepted, out.duplicated), (3, 1));
        assert!(!out.repeat);
        let record_ref = out.record.clone().unwrap();
        assert_eq!(record_ref.index, 0);
        assert_eq!(run.log.size().unwrap(), 1, "one record for the batch");
        let record = run.record(1);
        let facts = record.import.clone().unwrap();
        assert_eq!(facts.kind, SuppressionKind::OptOut);
        assert_eq!(facts.count, 3);
        let mut sorted = [a.clone(), b.clone(), c.clone()];
        sorted.sort();
        let text: String = sorted.iter().map(|k| format!("{k}\n")).collect();
        assert_eq!(facts.digest, hex::encode(Sha256::digest(text.as_bytes())));
        // The record: edge-made, naming no one, every optional purpose refused.
        let e = &record.event;
        assert_eq!(e.action, Action::Import);
        assert_eq!(
            (e.ui.surface, e.ui.control),
            (Surface::Api, Control::Import)
        );
        assert_eq!(e.subject, import_subject(&record_ref.event_id));
        assert_ne!(e.subject.as_str(), e.event_id.as_str());
        let notice = run.config.notice(&run.config.default_language).unwrap();
        assert_eq!(e.notice.hash, notice.hash());
        assert_eq!(e.notice.version, run.config.notice_version);
        for p in &run.config.purposes {
            assert_eq!(e.decisions[p.id.as_str()], p.required, "{}", p.id);
        }
        assert_eq!(e.page.path, "/v1/admin/sites/vectors/suppressions/import");
        assert_eq!(e.widget_version, "edge");
        assert!(!record.canonical_bytes().unwrap().is_empty());
        for k in [&a, &b, &c] {
            let s = run.forms.suppression(k).unwrap().unwrap();
            assert_eq!(s.event_id, record_ref.event_id);
            assert_eq!(s.kind, SuppressionKind::OptOut);
        }

        // The same event id again: the first outcome, nothing more stored.
        let again = run
            .import(vec![a.clone(), b.clone(), a.clone(), c.clone()], 1)
            .unwrap();
        assert_eq!((again.accepted, again.duplicated), (3, 1));
        assert!(again.repeat);
        assert_eq!(again.record, out.record);
        assert_eq!(run.log.size().unwrap(), 1);

        // A later batch: what was suppressed before is a duplicate, the rest new.
        let d = key_of(4);
        let later = run.import(vec![b.clone(), d.clone()], 2).unwrap();
        assert_eq!((later.accepted, later.duplicated), (1, 1));
        assert_eq!(run.record(2).import.unwrap().digest, digest([d.as_str()]));
        assert_eq!(
            run.forms.suppression(&b).unwrap().unwrap().event_id,
            record_ref.event_id,
            "a suppression is never moved"
        );

        // Nothing new: nothing appended.
        let none = run.import(vec![a.clone(), d.clone()], 3).unwrap();
        assert_eq!((none.accepted, none.duplicated, none.record), (0, 2, None));
        assert_eq!(run.log.size().unwrap(), 2);
        let empty = run.import(Vec::new(), 4).unwrap();
        assert_eq!(
            (empty.accepted, empty.duplicated, empty.record),
            (0, 0, None)
        );
    }

    #[test]
    fn an_erased_address_on_a_list_is_listed_and_a_list_never_weakens() {
        let mut run = Run::new();
        let a = key_of(1);
        let erasure = EventId::from_random_bytes([7; 16]);
        run.forms
            .put_suppression(&Suppression {
                lookup: a.clone(),
                kind: SuppressionKind::Erased,
                event_id: erasure.clone(),
                created_ms: 1,
            })
            .unwrap();
        // An opt-out outranks an erasure's entry: its later opt-in waits
        // for its link (the erasure stays in the log as it was).
        let out = run.import(vec![a.clone()], 1).unwrap();
        assert_eq!((out.accepted, out.duplicated), (1, 0));
        assert!(out.record.is_some());
        let s = run.forms.suppression(&a).unwrap().unwrap();
        assert_ne!(s.event_id, erasure);
        assert_eq!(
            (s.kind, s.event_id),
            (SuppressionKind::OptOut, EventId::from_random_bytes([1; 16]))
        );
        // The same kind again is a duplicate: nothing appended.
        let again = run.import(vec![a.clone()], 2).unwrap();
        assert_eq!(
            (again.accepted, again.duplicated, again.record),
            (0, 1, None)
        );
    }

    #[test]
    fn a_retry_after_a_fault_before_the_append_finds_its_own_suppressions() {
        let mut run = Run::new();
        let (a, b) = (key_of(1), key_of(2));
        let id = EventId::from_random_bytes([1; 16]);
        // As if the first try stored one suppression and then failed.
        run.forms
            .put_suppression(&Suppression {
                lookup: a.clone(),
                kind: SuppressionKind::OptOut,
                event_id: id.clone(),
                created_ms: 1,
            })
            .unwrap();
        let out = run.import(vec![a.clone(), b.clone()], 1).unwrap();
        assert_eq!((out.accepted, out.duplicated), (2, 0));
        assert_eq!(
            run.record(1).import.unwrap().digest,
            digest([a.as_str(), b.as_str()])
        );
    }

    #[test]
    fn what_is_not_a_lookup_key_or_an_event_id_of_another_record_is_refused() {
        let mut run = Run::new();
        let e = run.import(vec!["ana@example.com".into()], 1).unwrap_err();
        assert_eq!(e.code(), "field_invalid");
        assert!(!e.to_string().contains("ana@"), "{e}");
        assert_eq!(run.forms.suppression("ana@example.com").unwrap(), None);
        // An event id some other record already has.
        run.import(vec![key_of(1)], 1).unwrap();
        let mut other = run.record(1);
        other.import = None;
        let mut log = MemoryLogStore::default();
        let mut event = other.event.clone();
        event.action = Action::Refuse;
        event.ui.control = Control::RejectAll;
        event.ui.surface = Surface::Banner;
        sequencer::append(
            &mut log,
            &run.config,
            &run.key,
            sequencer::AppendRequest {
                event,
                received_at_ms: 1,
                sec_gpc: false,
                country: None,
                origin: ctx().origin,
                issuer: ctx().issuer,
                form: None,
                import: None,
                regime: None,
                proof: crate::log::sequencer::Proof::Edge,
            },
        )
        .unwrap();
        run.log = log;
        let e = run.import(vec![key_of(2)], 1).unwrap_err();
        assert_eq!(e.code(), "event_id_conflict");
    }
}
