//! A subject's export (access, Art. 15; portability, Art. 20): every record
//! of the subject with its receipt and leaf hash, the state per offer, the
//! identity the vault still holds, and each record mapped to the fields of
//! ISO/IEC TS 27560 (the successor of the Kantara Consent Receipt).
//!
//! The same export renders as JSON (for tools) and as CSV (for a DPO's
//! spreadsheet). CSV cells that a spreadsheet would run as a formula
//! (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) are
//! prefixed with `'` (OWASP's advice against CSV injection): an identity or
//! a path typed by anyone can never become a command on the DPO's machine.
//!
//! The 27560 mapping, field by field:
//!
//! | TS 27560 / Kantara CR | from the record |
//! | --- | --- |
//! | record id (`consentReceiptID`) | `event.event_id` |
//! | PII principal id | `event.subject` (pseudonymous) |
//! | controller (name, contact, privacy policy) | the site configuration's `controller` |
//! | event type (given, refused, modified, withdrawn, confirmed, expired, erased) | `event.action` |
//! | event time | `received_at_ms` (the edge's clock), RFC 3339 |
//! | collection method | `event.ui.surface` / `event.ui.control` |
//! | notice (version, language, hash of what was shown) | `event.notice` |
//! | purposes (purpose, legal basis, granted) | `event.decisions`, the purposes' `legal_basis` |
//! | channels (channel, purpose, granted) | `event.form.offers` |
//! | jurisdiction | `country`, `regime` |
//! | previous record | `prev_event_id` (or the pending one it `answers`) |
//! | proof | log index, leaf hash, receipt (JWS) |

use alloc::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use super::history;
use crate::config::SiteConfig;
use crate::error::{Error, RightsError};
use crate::form::identity::Identity;
use crate::form::state::{fold, OfferStatus};
use crate::form::store::{Contacts, FormStore};
use crate::ids::{EventId, SubjectId};
use crate::log::store::{LogStore, StoreError};
use crate::record::StoredRecord;

pub use crate::utc::rfc3339;

/// A subject's export.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubjectExport {
    /// The site.
    pub site: String,
    /// The subject.
    pub subject: SubjectId,
    /// When the export was made (RFC 3339).
    pub generated_at: String,
    /// The identity the vault holds: `null` once erased, for a banner
    /// subject, or in pseudonymous mode.
    pub identity: Option<Identity>,
    /// The erasure event, if the subject was erased.
    pub erased_by: Option<EventId>,
    /// Processing is restricted (Art. 18) until the owner lifts it.
    pub restricted: bool,
    /// In the recycle bin: when it was deleted and when it will be erased
    /// (see `crate::rights::bin`); `null` otherwise.
    #[serde(default)]
    pub deleted: Option<super::bin::Deleted>,
    /// The state per offer (`channel:purpose`), folded in log order.
    pub state: BTreeMap<String, OfferStatus>,
    /// The log (its shard's origin, [`crate::shards`]) whose indexes the
    /// records' are: every record of a subject is in one shard.
    #[serde(default)]
    pub log: Option<crate::log::LogOrigin>,
    /// Every record, in log order.
    pub records: Vec<ExportedRecord>,
    /// The owner's notes about the contact (`form::notes`), oldest first:
    /// empty once erased, for a banner subject, or in pseudonymous mode.
    #[serde(default)]
    pub notes: Vec<crate::form::notes::Note>,
}

/// One record of an export.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExportedRecord {
    /// Its index in the site's log (in its shard's tree: the export's `log`).
    pub index: u64,
    /// Base64 of its leaf hash (RFC 6962), for an inclusion proof.
    pub leaf_hash: String,
    /// The receipt the edge signed for it (compact JWS).
    pub receipt: String,
    /// The record as stored.
    pub record: StoredRecord,
    /// The record in the terms of ISO/IEC TS 27560.
    pub ts27560: Ts27560,
}

/// A record in the terms of ISO/IEC TS 27560 (see the module docs).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ts27560 {
    /// Record id.
    pub record_id: String,
    /// Pseudonymous PII principal id.
    pub pii_principal_id: String,
    /// The controller's name.
    pub controller: String,
    /// The controller's contact.
    pub controller_contact: String,
    /// The privacy policy.
    pub privacy_policy: String,
    /// given, refused, modified, withdrawn, confirmed, expired or erased.
    pub event_type: String,
    /// RFC 3339 time of the event, by the edge's clock.
    pub event_time: String,
    /// How consent was collected: `surface/control`.
    pub collection_method: String,
    /// The notice's version.
    pub notice_version: String,
    /// The notice's language.
    pub notice_language: String,
    /// The notice's hash (of every text and choice shown).
    pub notice_hash: String,
    /// Per purpose: its legal basis and whether it was granted.
    pub purposes: Vec<PurposeEntry>,
    /// Per channel and purpose (forms): whether it was granted.
    pub channels: Vec<ChannelEntry>,
    /// Country the request came from, as the platform said.
    pub jurisdiction: Option<String>,
    /// The previous record of the subject, or the one this answers.
    pub previous_record: Option<String>,
}

/// A purpose in a 27560 record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PurposeEntry {
    /// The purpose id.
    pub purpose: String,
    /// Its legal basis (`consent`, `legitimate_interests`, ...).
    pub legal_basis: String,
    /// Granted or not.
    pub granted: bool,
}

/// A channel in a 27560 record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChannelEntry {
    /// email, sms, phone or post.
    pub channel: String,
    /// The purpose.
    pub purpose: String,
    /// Ticked or not.
    pub granted: bool,
}

fn event_type(record: &StoredRecord) -> &'static str {
    use crate::event::Action::*;
    match record.event.action {
        Give => "given",
        Refuse => "refused",
        Update => "modified",
        Withdraw => "withdrawn",
        Confirm => "confirmed",
        Expire => "expired",
        Erase => "erased",
        Import => "imported",
        Unlist => "unlisted",
        Restrict => "restricted",
        LiftRestriction => "restriction_lifted",
        Rectify => "rectified",
        Object => "objected",
    }
}

/// Maps a record to TS 27560.
pub fn ts27560(config: &SiteConfig, record: &StoredRecord) -> Ts27560 {
    let e = &record.event;
    let basis = |id: &str| {
        config
            .purposes
            .iter()
            .find(|p| p.id == id)
            .and_then(|p| serde_json::to_value(p.legal_basis).ok())
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "consent".into())
    };
    let purposes = e
        .decisions
        .iter()
        .map(|(p, &granted)| PurposeEntry {
            purpose: p.clone(),
            legal_basis: basis(p),
            granted,
        })
        .collect();
    let channels = e
        .form
        .iter()
        .flat_map(|f| f.offers.iter())
        .map(|(k, &granted)| {
            let (channel, purpose) = k.split_once(':').unwrap_or((k, ""));
            ChannelEntry {
                channel: channel.into(),
                purpose: purpose.into(),
                granted,
            }
        })
        .collect();
    Ts27560 {
        record_id: e.event_id.to_string(),
        pii_principal_id: e.subject.to_string(),
        controller: config.controller.name.clone(),
        controller_contact: config.controller.contact.clone(),
        privacy_policy: config.controller.privacy_policy.clone(),
        event_type: event_type(record).into(),
        event_time: rfc3339(record.received_at_ms),
        collection_method: format!("{}/{}", e.ui.surface.as_str(), e.ui.control.as_str()),
        notice_version: e.notice.version.clone(),
        notice_language: e.notice.language.clone(),
        notice_hash: e.notice.hash.clone(),
        purposes,
        channels,
        jurisdiction: record.country.clone(),
        previous_record: e
            .answers
            .as_ref()
            .or(record.prev_event_id.as_ref())
            .map(|id| id.to_string()),
    }
}

/// Builds the export of `subject`. `reveal_identity` false (pseudonymous
/// mode) leaves the identity out even where the vault holds it. A subject
/// without records is [`RightsError::SubjectUnknown`].
pub fn subject<L: LogStore + ?Sized, F: FormStore + ?Sized>(
    log: &L,
    forms: &F,
    config: &SiteConfig,
    subject: &SubjectId,
    now_ms: u64,
    reveal_identity: bool,
) -> Result<SubjectExport, Error> {
    let records = history(log, subject)?;
    if records.is_empty() {
        return Err(RightsError::SubjectUnknown.into());
    }
    let mut out = Vec::with_capacity(records.len());
    for (index, record) in &records {
        let entry = log.entry_by_event(&record.event.event_id)?.ok_or_else(|| {
            Error::from(StoreError::Fault(
                "a listed record without its entry".into(),
            ))
        })?;
        let receipt = serde_json::from_str::<serde_json::Value>(&entry.answer)
            .ok()
            .and_then(|v| v["receipt"].as_str().map(str::to_owned))
            .unwrap_or_default();
        out.push(ExportedRecord {
            index: *index,
            leaf_hash: STANDARD.encode(crate::merkle::leaf_hash(entry.record.as_bytes())),
            receipt,
            ts27560: ts27560(config, record),
            record: record.clone(),
        });
    }
    let (identity, notes) = if reveal_identity {
        (
            newest_identity(forms, config, subject, &records)?,
            crate::form::notes::notes_of(forms, &config.site, subject)?,
        )
    } else {
        (None, Vec::new())
    };
    Ok(SubjectExport {
        site: config.site.to_string(),
        subject: subject.clone(),
        generated_at: rfc3339(now_ms),
        identity,
        erased_by: super::erasure(records.iter().map(|(_, r)| r)).map(|r| r.event.event_id.clone()),
        state: fold(records.iter().map(|(_, r)| r)),
        restricted: super::restricted(records.iter().map(|(_, r)| r)),
        deleted: forms.binned(subject)?.map(|e| e.deleted()),
        log: log.origin()?,
        records: out,
        notes,
    })
}

/// The subject's identity in force (none for a banner subject or once
/// erased): see [`crate::form::intake::identity_in_force`].
pub fn identity_of<L: LogStore + ?Sized, F: Contacts + ?Sized>(
    log: &L,
    forms: &F,
    config: &SiteConfig,
    subject: &SubjectId,
) -> Result<Option<Identity>, Error> {
    newest_identity(forms, config, subject, &history(log, subject)?)
}

/// The subject's identity in force ([`crate::form::intake::identity_in_force`]).
fn newest_identity<F: Contacts + ?Sized>(
    forms: &F,
    config: &SiteConfig,
    subject: &SubjectId,
    records: &[(u64, StoredRecord)],
) -> Result<Option<Identity>, Error> {
    let Some(contact) = forms.contact_of(subject)? else {
        return Ok(None);
    };
    let history: Vec<StoredRecord> = records.iter().map(|(_, r)| r.clone()).collect();
    crate::form::intake::identity_in_force(forms, &config.site, &contact, &history)
}

/// A cell a spreadsheet will not run: one starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return gets a leading `'`.
pub fn neutralise(cell: &str) -> String {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// The CSV header of a subject export.
pub const CSV_HEADER: [&str; 24] = [
    "index",
    "event_time",
    "event_id",
    "event_type",
    "collection_method",
    "notice_version",
    "notice_language",
    "notice_hash",
    "purposes",
    "channels",
    "outcome",
    "readds",
    "country",
    "regime",
    "gpc",
    "previous_record",
    "recorded_by_owner",
    "email",
    "name",
    "phone",
    "parent_email",
    "note",
    "leaf_hash",
    "receipt",
];

/// The owner's word in a cell: `consent; phone; 2026-11-02; by <key id>`
/// (and the document's hash, where there is one).
fn owner_word(a: &crate::attestation::Attestation) -> String {
    let mut cell = format!(
        "{}; {}; {}; by {}",
        a.basis.as_str(),
        a.source.as_str(),
        a.given_on,
        a.by
    );
    if let Some(hash) = &a.evidence_sha256 {
        cell.push_str("; document sha256 ");
        cell.push_str(hash);
    }
    cell
}

/// Writes CSV rows with every cell neutralised.
pub fn csv_rows(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).expect("CSV to memory");
    for row in rows {
        w.write_record(row.iter().map(|c| neutralise(c)))
            .expect("CSV to memory");
    }
    String::from_utf8(w.into_inner().expect("CSV to memory")).expect("CSV of UTF-8 cells")
}

impl SubjectExport {
    /// The export as CSV: one row per record (every identity field on each,
    /// so a filtered sheet still says whose it is and how to reach them).
    pub fn to_csv(&self) -> String {
        let yes = |b: bool| if b { "yes" } else { "no" };
        let field = |f: fn(&crate::form::identity::Identity) -> Option<&String>| {
            self.identity
                .as_ref()
                .and_then(f)
                .cloned()
                .unwrap_or_default()
        };
        let email = field(|i| Some(&i.email));
        let name = field(|i| i.name.as_ref());
        let phone = field(|i| i.phone.as_ref());
        let parent_email = field(|i| i.parent_email.as_ref());
        let note = field(|i| i.note.as_ref());
        let rows = self.records.iter().map(|r| {
            let t = &r.ts27560;
            let purposes: Vec<String> = t
                .purposes
                .iter()
                .map(|p| format!("{}={}", p.purpose, yes(p.granted)))
                .collect();
            let channels: Vec<String> = t
                .channels
                .iter()
                .map(|c| format!("{}:{}={}", c.channel, c.purpose, yes(c.granted)))
                .collect();
            let form = r.record.form.as_ref();
            vec![
                r.index.to_string(),
                t.event_time.clone(),
                t.record_id.clone(),
                t.event_type.clone(),
                t.collection_method.clone(),
                t.notice_version.clone(),
                t.notice_language.clone(),
                t.notice_hash.clone(),
                purposes.join("; "),
                channels.join("; "),
                form.map(|f| f.outcome.as_str().to_string())
                    .unwrap_or_default(),
                form.and_then(|f| f.readds.as_ref())
                    .map(|e| e.to_string())
                    .unwrap_or_default(),
                r.record.country.clone().unwrap_or_default(),
                r.record
                    .regime
                    .and_then(|g| serde_json::to_value(g).ok())
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                yes(r.record.event.gpc || r.record.sec_gpc).to_string(),
                t.previous_record.clone().unwrap_or_default(),
                form.and_then(|f| f.attested.as_ref())
                    .map(owner_word)
                    .unwrap_or_default(),
                email.clone(),
                name.clone(),
                phone.clone(),
                parent_email.clone(),
                note.clone(),
                r.leaf_hash.clone(),
                r.receipt.clone(),
            ]
        });
        csv_rows(&CSV_HEADER, rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_quotes_escaped() {
        for (cell, safe) in [
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("plain", "plain"),
            ("", ""),
        ] {
            assert_eq!(neutralise(cell), safe);
        }
        let csv = csv_rows(
            &["a", "b"],
            [vec!["=1+1".into(), "say \"hi\", then\nbye".into()]],
        );
        assert_eq!(csv, "a,b\n'=1+1,\"say \"\"hi\"\", then\nbye\"\n");
    }

    /// Kills the removal of `b'\r'` from the guard: a cell that starts
    /// with a carriage return gets the leading `'` too, alone, in a CSV row
    /// and in every leading character the guard knows.
    #[test]
    fn a_leading_carriage_return_is_neutralised() {
        assert_eq!(neutralise("\r=1+1"), "'\r=1+1");
        assert_eq!(neutralise("\r"), "'\r");
        assert_eq!(neutralise("a\r=1"), "a\r=1", "only the first character");
        let csv = csv_rows(&["a"], [vec!["\r=1+1".into()]]);
        assert_eq!(csv, "a\n\"'\r=1+1\"\n");
        for first in ['=', '+', '-', '@', '\t', '\r'] {
            let cell = format!("{first}x");
            assert_eq!(neutralise(&cell), format!("'{cell}"), "{first:?}");
        }
        for first in [' ', '\n', '\'', '#', '0', 'x', '\u{feff}'] {
            let cell = format!("{first}=1");
            assert_eq!(neutralise(&cell), cell, "{first:?}");
        }
    }

    fn record(action: &str) -> StoredRecord {
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/vectors/forms.json")).unwrap();
        let mut event = doc["base"]["event"].clone();
        event["action"] = action.into();
        event["decisions"] =
            serde_json::json!({"necessary": true, "analytics": false, "marketing": true});
        serde_json::from_value(serde_json::json!({
            "v": 1,
            "event": event,
            "received_at_ms": 951_782_400_123u64,
            "sec_gpc": false,
            "country": "DE",
            "prev_event_id": null,
        }))
        .unwrap()
    }

    /// Kills `event_type` made `""` or `"xyzzy"` and the purpose lookup's
    /// `p.id == id` made `!=`: every action's 27560 event type, and each
    /// purpose with its own legal basis (the vectors' `necessary` is
    /// legitimate interests, the others consent).
    #[test]
    fn a_record_maps_to_ts27560() {
        let config = SiteConfig::from_json(include_str!("../../tests/vectors/site.json")).unwrap();
        for (action, kind) in [
            ("give", "given"),
            ("refuse", "refused"),
            ("update", "modified"),
            ("withdraw", "withdrawn"),
            ("confirm", "confirmed"),
            ("expire", "expired"),
            ("erase", "erased"),
            ("import", "imported"),
            ("restrict", "restricted"),
            ("lift_restriction", "restriction_lifted"),
            ("rectify", "rectified"),
        ] {
            assert_eq!(
                ts27560(&config, &record(action)).event_type,
                kind,
                "{action}"
            );
        }
        let t = ts27560(&config, &record("give"));
        let purposes: Vec<(&str, &str, bool)> = t
            .purposes
            .iter()
            .map(|p| (p.purpose.as_str(), p.legal_basis.as_str(), p.granted))
            .collect();
        assert_eq!(
            purposes,
            [
                ("analytics", "consent", false),
                ("marketing", "consent", true),
                ("necessary", "legitimate_interests", true),
            ]
        );
        assert_eq!(t.event_time, "2000-02-29T00:00:00.123Z");
        assert_eq!(t.controller, "Vector Test Ltd");
        assert_eq!(t.collection_method, "form/submit");
        assert_eq!(t.jurisdiction.as_deref(), Some("DE"));
        let channels: Vec<(&str, &str, bool)> = t
            .channels
            .iter()
            .map(|c| (c.channel.as_str(), c.purpose.as_str(), c.granted))
            .collect();
        assert!(channels.contains(&("email", "news", true)));
        assert!(channels.contains(&("sms", "offers", false)));
    }

    /// The owner's word in the CSV: its cell says basis, source, day, key
    /// and document; the person's own records leave it empty.
    #[test]
    fn the_csv_says_whose_word_a_record_is() {
        use crate::attestation::{Attestation, Basis, Source};
        let config = SiteConfig::from_json(include_str!("../../tests/vectors/site.json")).unwrap();
        let mut attested = record("give");
        attested.form = Some(crate::record::FormFacts {
            identity: "x".into(),
            outcome: crate::form::submission::Outcome::Granted,
            age_of_consent: None,
            readds: None,
            attested: Some(Attestation {
                basis: Basis::LegitimateInterests,
                source: Source::Paper,
                given_on: "2026-11-02".into(),
                by: "k1".into(),
                evidence_sha256: Some("ab".repeat(32)),
            }),
        });
        let own = record("give");
        let export = SubjectExport {
            site: "vectors".into(),
            subject: own.event.subject.clone(),
            generated_at: String::new(),
            identity: None,
            erased_by: None,
            restricted: false,
            deleted: None,
            state: BTreeMap::new(),
            log: None,
            records: [attested, own]
                .into_iter()
                .enumerate()
                .map(|(i, r)| ExportedRecord {
                    index: i as u64,
                    leaf_hash: String::new(),
                    receipt: String::new(),
                    ts27560: ts27560(&config, &r),
                    record: r,
                })
                .collect(),
            notes: Vec::new(),
        };
        let csv = export.to_csv();
        let mut rows = csv::Reader::from_reader(csv.as_bytes());
        let at = rows
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == "recorded_by_owner")
            .unwrap();
        let cells: Vec<String> = rows.records().map(|r| r.unwrap()[at].to_string()).collect();
        assert_eq!(
            cells,
            [
                format!(
                    "legitimate_interests; paper; 2026-11-02; by k1; document sha256 {}",
                    "ab".repeat(32)
                ),
                String::new()
            ]
        );
    }
}
