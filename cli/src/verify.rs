//! `assent verify ...`: every check is a function of assent-core; this module
//! only reads inputs, asks the edge for proofs, and reports.
//!
//! Trust: keys come only from what the user pinned on the command line (a
//! JWKS with `--jwks`, or the edge named with `--edge`), never from the
//! evidence being checked (a receipt's own `iss` could name a forger's keys).
//! Faults: a file, network or edge fault is an I/O error (exit 2); only
//! evidence that was read in full and does not verify is invalid (exit 1).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::time::Instant;

use assent_core::api;
use assent_core::canonical::to_canonical_bytes;
use assent_core::ids::SiteId;
use assent_core::ids::{EventId, NoticeHash, SubjectId};
use assent_core::keys::Jwks;
use assent_core::log::archive::{self, NoticeKind};
use assent_core::log::{ConsistencyProof, InclusionProof, LogOrigin};
use assent_core::merkle::{self, Frontier, Hash, MemoryStore};
use assent_core::note::Checkpoint;
use assent_core::receipt::{self, Verified};
use assent_core::record::StoredRecord;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;

use crate::source::{self, trim};
use crate::CliError;

pub(crate) fn invalid(reason: impl Into<String>) -> CliError {
    CliError::Invalid(reason.into())
}

/// The JWS in a receipt file: the token itself, or the edge's JSON answer.
fn receipt_text(bytes: &[u8]) -> Result<String, CliError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| invalid("the receipt is not UTF-8 text"))?
        .trim();
    if text.starts_with('{') {
        let v: Value =
            serde_json::from_str(text).map_err(|e| invalid(format!("receipt JSON: {e}")))?;
        return v["receipt"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| invalid("the JSON has no \"receipt\" string"));
    }
    Ok(text.to_string())
}

/// The keys the user pinned: `--jwks FILE|URL`, else the JWKS of the edge
/// named with `--edge`. Nothing else is trusted; with neither, a usage error.
fn pinned_jwks(jwks: Option<&str>, edge: Option<&str>) -> Result<Jwks, CliError> {
    let location = match (jwks, edge) {
        (Some(jwks), _) => jwks.to_string(),
        (None, Some(edge)) => url(edge, api::JWKS),
        (None, None) => {
            return Err(CliError::Usage(
                "no pinned key: pass --jwks FILE|URL or --edge URL (the edge you trust); \
                 the keys a receipt points to itself are never trusted"
                    .into(),
            ))
        }
    };
    Jwks::from_json(&source::read(&location)?).map_err(|e| CliError::Io(format!("{location}: {e}")))
}

/// `path` (from [`api`]) on the edge at `edge`.
pub(crate) fn url(edge: &str, path: &str) -> String {
    format!("{}{path}", trim(edge))
}

/// A site id given on the command line.
fn site_arg(site: &str) -> Result<SiteId, CliError> {
    SiteId::new(site).map_err(|e| CliError::Usage(format!("--site: {e}")))
}

fn verified_receipt(file: &str, jwks: &Jwks) -> Result<Verified, CliError> {
    let jws = receipt_text(&source::read(file)?)?;
    Ok(receipt::verify(&jws, jwks)?)
}

/// `assent verify receipt`.
pub fn receipt(file: &str, jwks: Option<&str>, edge: Option<&str>) -> Result<(), CliError> {
    let jwks = pinned_jwks(jwks, edge)?;
    let v = verified_receipt(file, &jwks)?;
    let c = &v.claims;
    println!(
        "VALID receipt: event {} of subject {} ({}), log {} index {}, signed by kid {}",
        c.jti,
        c.sub,
        c.record["event"]["action"].as_str().unwrap_or("?"),
        c.log.origin,
        c.log.index,
        v.key.kid()
    );
    Ok(())
}

fn fetch_checkpoint(edge: &str, log: &LogOrigin) -> Result<String, CliError> {
    let url = url(edge, &api::checkpoint_of(log.site(), log.shard()));
    String::from_utf8(source::get(&url)?).map_err(|_| CliError::Io(format!("{url}: not text")))
}

/// An answer that is not the proof's wire type is the edge's fault (exit 2),
/// not evidence of a bad log: only a proof that was read in full and does not
/// verify is invalid.
fn not_a_proof(url: &str, e: serde_json::Error) -> CliError {
    CliError::Io(format!("{url}: the answer is not a proof: {e}"))
}

fn inclusion_proof(
    edge: &str,
    log: &LogOrigin,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, CliError> {
    let url = url(
        edge,
        &api::inclusion_in(log.site(), log.shard(), index, size),
    );
    let proof: InclusionProof =
        serde_json::from_slice(&source::get(&url)?).map_err(|e| not_a_proof(&url, e))?;
    if (proof.index, proof.size) != (index, size) {
        return Err(CliError::Io(format!(
            "{url}: the answer is for index {} of size {}",
            proof.index, proof.size
        )));
    }
    Ok(proof.hashes)
}

fn consistency_proof(
    edge: &str,
    log: &LogOrigin,
    from: u64,
    to: u64,
) -> Result<Vec<Hash>, CliError> {
    let url = url(
        edge,
        &api::consistency_in(log.site(), log.shard(), from, to),
    );
    let proof: ConsistencyProof =
        serde_json::from_slice(&source::get(&url)?).map_err(|e| not_a_proof(&url, e))?;
    if (proof.from, proof.to) != (from, to) {
        return Err(CliError::Io(format!(
            "{url}: the answer is from {} to {}",
            proof.from, proof.to
        )));
    }
    Ok(proof.hashes)
}

/// The root of the export's first `size` leaves. The export's tree is in
/// memory: a node missing from it is this program's fault, not the log's.
fn export_root(store: &MemoryStore, size: u64) -> Result<Hash, CliError> {
    merkle::root_at(store, size)
        .map_err(|e| CliError::Io(format!("rebuilding the export's tree: {e}")))
}

/// `assent verify inclusion`.
pub fn inclusion(edge: &str, site: &str, jwks: Option<&str>, file: &str) -> Result<(), CliError> {
    let site = site_arg(site)?;
    let jwks = pinned_jwks(jwks, Some(edge))?;
    let v = verified_receipt(file, &jwks)?;
    let log = &v.claims.log;
    let origin = LogOrigin::parse(&log.origin)?;
    if origin.site() != &site {
        return Err(invalid(format!(
            "the receipt is for log {origin}, not site {site}"
        )));
    }
    // The edge signs a checkpoint on demand when its log grew: one answer
    // covers every receipt it has given, so there is nothing to wait for.
    let note = fetch_checkpoint(edge, &origin)?;
    let cp = Checkpoint::verify(&note, origin.as_str(), &jwks.public_keys())?;
    if cp.size <= log.index {
        return Err(invalid(format!(
            "the edge's signed checkpoint (size {}) does not cover index {}",
            cp.size, log.index
        )));
    }
    let proof = inclusion_proof(edge, &origin, log.index, cp.size)?;
    merkle::verify_inclusion(&v.leaf, log.index, cp.size, &proof, &cp.root)?;
    println!(
        "VALID inclusion: event {} is leaf {} of {} in the signed checkpoint of {} (root {})",
        v.claims.jti,
        log.index,
        cp.size,
        cp.origin,
        STANDARD.encode(cp.root)
    );
    Ok(())
}

/// What a scan of one shard's lines of an export found.
#[derive(Default)]
struct Scan {
    store: MemoryStore,
    frontier: Frontier,
    last_of_subject: HashMap<SubjectId, EventId>,
}

/// Reads an export (JSON Lines; a line of a shard other than home names it
/// with `"shard"`) into one tree per shard, checking as it goes that each
/// shard's indexes are gapless, no event id appears twice, every subject's
/// chain links, and no subject appears in two shards.
fn scan_export(export: &str, progress: &ProgressBar) -> Result<BTreeMap<u16, Scan>, CliError> {
    let reader: Box<dyn BufRead> = if export == "-" {
        Box::new(BufReader::new(std::io::stdin()))
    } else {
        let file =
            std::fs::File::open(export).map_err(|e| CliError::Io(format!("{export}: {e}")))?;
        Box::new(BufReader::with_capacity(1 << 20, file))
    };
    let mut shards: BTreeMap<u16, Scan> = BTreeMap::new();
    let mut seen = HashSet::new();
    let mut home_of: HashMap<SubjectId, u16> = HashMap::new();
    for line in reader.lines() {
        let line = line.map_err(|e| CliError::Io(format!("{export}: {e}")))?;
        let entry: Value = serde_json::from_str(&line)
            .map_err(|e| invalid(format!("first bad record: a line is not JSON: {e}")))?;
        let shard = match &entry["shard"] {
            Value::Null => 0,
            k => k
                .as_u64()
                .and_then(|k| u16::try_from(k).ok())
                .filter(|k| *k > 0)
                .ok_or_else(|| invalid(format!("first bad record: shard {k} is not a shard")))?,
        };
        let scan = shards.entry(shard).or_default();
        let n = scan.frontier.size();
        let bad = |why: String| {
            let at = if shard == 0 {
                String::new()
            } else {
                format!("shard {shard}, ")
            };
            invalid(format!("first bad record: {at}index {n}: {why}"))
        };
        if entry["index"].as_u64() != Some(n) {
            return Err(bad(format!(
                "the line says index {}, a gapless log says {n}",
                entry["index"]
            )));
        }
        let record = &entry["record"];
        let parsed: StoredRecord = serde_json::from_value(record.clone())
            .map_err(|e| bad(format!("not a stored record: {e}")))?;
        let event = &parsed.event;
        if !seen.insert(event.event_id.clone()) {
            return Err(bad(format!("event {} appears twice", event.event_id)));
        }
        if let Some(other) = home_of.insert(event.subject.clone(), shard) {
            if other != shard {
                return Err(bad(format!(
                    "subject {} has records in shards {other} and {shard}",
                    event.subject
                )));
            }
        }
        let expected_prev = scan.last_of_subject.get(&event.subject);
        if parsed.prev_event_id.as_ref() != expected_prev {
            return Err(bad(format!(
                "prev_event_id {:?} but the subject's previous event is {:?}",
                parsed.prev_event_id, expected_prev
            )));
        }
        scan.last_of_subject
            .insert(event.subject.clone(), event.event_id.clone());
        let bytes = to_canonical_bytes(record).map_err(|e| bad(e.to_string()))?;
        let completed = scan.frontier.append(merkle::leaf_hash(&bytes));
        scan.store.insert(completed);
        progress.inc(1);
    }
    Ok(shards)
}

/// The signed checkpoints a file holds: one C2SP note, or the edge's
/// `/log/checkpoints` answer (`{"shards": [{"checkpoint": note|null}]}`),
/// each verified by a pinned key, by shard.
fn checkpoints(text: &str, jwks: &Jwks) -> Result<BTreeMap<u16, Checkpoint>, CliError> {
    let notes: Vec<String> = if text.trim_start().starts_with('{') {
        let list: Value = serde_json::from_str(text)
            .map_err(|e| invalid(format!("the checkpoints are not JSON: {e}")))?;
        list["shards"]
            .as_array()
            .ok_or_else(|| invalid("the checkpoints have no \"shards\" list"))?
            .iter()
            .filter_map(|s| s["checkpoint"].as_str().map(str::to_string))
            .collect()
    } else {
        vec![text.to_string()]
    };
    let mut out = BTreeMap::new();
    for note in notes {
        let cp = Checkpoint::verify_any_origin(&note, &jwks.public_keys())?;
        let shard = LogOrigin::parse(&cp.origin)?.shard().get();
        if out.insert(shard, cp).is_some() {
            return Err(invalid(format!("two checkpoints of shard {shard}")));
        }
    }
    Ok(out)
}

/// `assent verify log`: every shard of the export against its checkpoint.
pub fn log(export: &str, checkpoint: &str, jwks: &str, edge: Option<&str>) -> Result<(), CliError> {
    let jwks = pinned_jwks(Some(jwks), None)?;
    let text = String::from_utf8(source::read(checkpoint)?)
        .map_err(|_| invalid("the checkpoint is not UTF-8 text"))?;
    let signed = checkpoints(&text, &jwks)?;
    let total: u64 = signed.values().map(|cp| cp.size).sum();

    let progress = ProgressBar::new(total).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} records ({per_sec})").expect("template"),
    );
    let started = Instant::now();
    let scans = scan_export(export, &progress)?;
    progress.finish_and_clear();
    let elapsed = started.elapsed().as_secs_f64();

    if let Some(shard) = scans.keys().find(|k| !signed.contains_key(k)) {
        return Err(invalid(format!(
            "the export has records of shard {shard} but no checkpoint of it"
        )));
    }
    let mut records = 0;
    for (shard, cp) in &signed {
        let empty = Scan::default();
        let scan = scans.get(shard).unwrap_or(&empty);
        let size = scan.frontier.size();
        if size < cp.size {
            return Err(invalid(format!(
                "the export has {size} records of {} but the checkpoint covers {}: records are missing from index {size}",
                cp.origin, cp.size
            )));
        }
        let root = export_root(&scan.store, cp.size)?;
        if !merkle::hashes_equal(&root, &cp.root) {
            let Some(edge) = edge else {
                return Err(invalid(format!(
                    "the export does not rebuild the signed root of {}; pass --edge URL to locate the first bad record",
                    cp.origin
                )));
            };
            let first_bad = locate(&scan.store, cp, edge)?;
            let at = match shard {
                0 => String::new(),
                k => format!("shard {k}, "),
            };
            return Err(invalid(format!(
                "first bad record: {at}index {first_bad}: it is not the record the signed log holds"
            )));
        }
        println!(
            "VALID log: {size} records rebuild the root of the signed checkpoint of {} at size {}",
            cp.origin, cp.size
        );
        records += size;
    }
    if signed.len() > 1 {
        println!(
            "VALID site: {} shards, {records} records, each shard's tree signed",
            signed.len()
        );
    }
    eprintln!(
        "assent: verified {records} records in {elapsed:.2} s ({:.0} records/s)",
        records as f64 / elapsed.max(1e-9)
    );
    Ok(())
}

/// Binary search for the longest prefix of the export that the signed log
/// extends (a prefix stays good once good), using the edge's consistency
/// proofs, each checked against the signed root.
fn locate(store: &MemoryStore, cp: &Checkpoint, edge: &str) -> Result<u64, CliError> {
    let origin = LogOrigin::parse(&cp.origin)?;
    let prefix_ok = |m: u64| -> Result<bool, CliError> {
        let proof = consistency_proof(edge, &origin, m, cp.size)?;
        let old = export_root(store, m)?;
        Ok(merkle::verify_consistency(m, cp.size, &proof, &old, &cp.root).is_ok())
    };
    let (mut good, mut bad) = (0u64, cp.size);
    while bad - good > 1 {
        let mid = good + (bad - good) / 2;
        if prefix_ok(mid)? {
            good = mid;
        } else {
            bad = mid;
        }
    }
    Ok(good)
}

/// `assent verify consistency`.
pub fn consistency(old: &str, new: &str, edge: &str, jwks: Option<&str>) -> Result<(), CliError> {
    let jwks = pinned_jwks(jwks, Some(edge))?;
    let keys = jwks.public_keys();
    let read = |f: &str| -> Result<String, CliError> {
        String::from_utf8(source::read(f)?).map_err(|_| invalid(format!("{f}: not UTF-8 text")))
    };
    let (old, new) = (read(old)?, read(new)?);
    // Which proof to fetch: the sizes and origin the notes claim (the
    // verification below checks every claim).
    let claimed = |n: &str| {
        assent_core::note::SignedNote::parse(n).and_then(|s| Checkpoint::parse_text(&s.text))
    };
    let (old_claim, new_claim) = (claimed(&old)?, claimed(&new)?);
    let origin = LogOrigin::parse(&new_claim.origin)?;
    // An old note larger than the new one fails below, with no proof to fetch.
    let hashes = if old_claim.size <= new_claim.size {
        consistency_proof(edge, &origin, old_claim.size, new_claim.size)?
    } else {
        Vec::new()
    };
    let proof = assent_core::log::ConsistencyProof {
        from: old_claim.size,
        to: new_claim.size,
        hashes,
    };
    let (old_cp, new_cp) = assent_core::log::verify::extension(&old, &new, &proof, &keys)?;
    println!(
        "VALID consistency: {} at size {} extends size {} (nothing was rewritten)",
        new_cp.origin, new_cp.size, old_cp.size
    );
    Ok(())
}

/// The record a file holds, and whether a pinned key signed it: a receipt
/// (the JWS, or the edge's JSON answer) is verified with the keys pinned
/// (`--jwks`, else the JWKS of the edge); a stored record as JSON (the record
/// itself, or an export line `{"index": N, "record": {...}}`) is taken as it
/// is, for `verify log` and `verify inclusion` to judge.
pub(crate) fn record_of(
    file: &str,
    jwks: Option<&str>,
    edge: &str,
) -> Result<(StoredRecord, bool), CliError> {
    let bytes = source::read(file)?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| invalid("the file is not UTF-8 text"))?
        .trim();
    if text.starts_with('{') {
        let v: Value = serde_json::from_str(text).map_err(|e| invalid(format!("JSON: {e}")))?;
        let record = if v.get("receipt").is_some() {
            None
        } else if let Some(record) = v.get("record") {
            Some(record.clone())
        } else if v.get("event").is_some() {
            Some(v)
        } else {
            return Err(invalid(
                "the JSON is neither a receipt answer, an export line nor a stored record",
            ));
        };
        if let Some(record) = record {
            let parsed = serde_json::from_value(record)
                .map_err(|e| invalid(format!("not a stored record: {e}")))?;
            return Ok((parsed, false));
        }
    }
    let jwks = pinned_jwks(jwks, Some(edge))?;
    let v = receipt::verify(&receipt_text(&bytes)?, &jwks)?;
    let parsed = serde_json::from_value(v.claims.record)
        .map_err(|e| invalid(format!("the receipt's record is not a stored record: {e}")))?;
    Ok((parsed, true))
}

/// The archive's answer: the bytes of a 200; the edge saying it keeps no such
/// notice (`404 notice_unknown`) is a verdict (exit 1): it promises to keep
/// every notice a record refers to. Anything else is a fault (exit 2).
pub(crate) fn fetch_notice(url: &str) -> Result<Vec<u8>, CliError> {
    let io = |e: ureq::Error| CliError::Io(format!("{url}: {e}"));
    let mut resp = ureq::get(url)
        .config()
        .http_status_as_error(false)
        .build()
        .call()
        .map_err(io)?;
    let status = resp.status().as_u16();
    let body = resp
        .body_mut()
        .with_config()
        .limit(16 << 20)
        .read_to_vec()
        .map_err(io)?;
    if status == 200 {
        return Ok(body);
    }
    let code = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v["error"]["code"].as_str().map(str::to_string))
        .unwrap_or_default();
    if status == 404 && code == "notice_unknown" {
        return Err(invalid(format!(
            "{url}: the edge keeps no notice with this hash (notice_unknown): \
             what the record's visitor was shown cannot be produced"
        )));
    }
    Err(CliError::Io(format!("{url}: HTTP {status} {code}")))
}

/// `assent verify notice`: the edge's notice archive holds the notice the
/// record refers to (`core::log::archive::check`).
pub fn notice(
    edge: &str,
    site: Option<&str>,
    jwks: Option<&str>,
    out: Option<&str>,
    file: &str,
) -> Result<(), CliError> {
    let (record, signed) = record_of(file, jwks, edge)?;
    let event = &record.event;
    if let Some(site) = site {
        let site = site_arg(site)?;
        if site != event.site {
            return Err(invalid(format!(
                "the record is of site {}, not {site}",
                event.site
            )));
        }
    }
    let hash = NoticeHash::new(&event.notice.hash)?;
    let bytes = fetch_notice(&url(edge, &api::notice(&event.site, &hash)))?;
    let kind = archive::check(&event.site, &event.notice, &bytes)?;
    if let Some(out) = out {
        std::fs::write(out, &bytes).map_err(|e| CliError::Io(format!("{out}: {e}")))?;
    }
    let kind = match kind {
        NoticeKind::Banner => "the banner's notice".to_string(),
        NoticeKind::Form(form) => format!("the notice of form {form}"),
    };
    println!(
        "VALID notice: {hash} is {kind} of site {}, version {}, language {} ({} bytes, RFC 8785), \
         as event {}{} refers to it",
        event.site,
        event.notice.version,
        event.notice.language,
        bytes.len(),
        event.event_id,
        if signed {
            " (receipt signature verified)"
        } else {
            ""
        },
    );
    Ok(())
}
