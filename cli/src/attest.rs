//! `assent attest`: the owner's record of consent given offline (by phone,
//! on paper, in person, carried over from a legacy CRM) or of another
//! lawful basis, for one person (`--email`) or for every row of a CSV file
//! (`--file`), sent in batches to `POST .../attestations`.
//!
//! **A file** has a header naming its columns: `email` (required), and any
//! of `name`, `phone`, `offers` (`;`-separated), `given_on`, `basis`,
//! `source`, `note`, `evidence_sha256`. A column missing, or a cell left
//! empty, takes the command's option (`--offers`, `--given-on`, ...). Each
//! row's event id is derived from the site and the row's content, so a file
//! imported twice records every row once (the second run says `repeat`).
//! The report (stdout, JSON) names each refused row by its number and code.
//!
//! **A scanned document** (`--evidence`) stays on this machine: its SHA-256
//! is what the record commits to.

use std::io::Read;

use assent_core::api;
use assent_core::form::attest::{MAX_BATCH, MAX_BATCH_BYTES};
use assent_core::ids::{derived, EventId};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::owner::Owner;
use crate::CliError;

/// `assent attest`'s own arguments.
#[derive(clap::Args)]
pub struct Args {
    /// The form whose offers (and notice) the person was given.
    #[arg(long)]
    form: String,
    /// One person's email address.
    #[arg(long, conflicts_with = "file", required_unless_present = "file")]
    email: Option<String>,
    /// A CSV file of many, or - for stdin.
    #[arg(long)]
    file: Option<String>,
    /// Their name.
    #[arg(long)]
    name: Option<String>,
    /// Their phone number.
    #[arg(long)]
    phone: Option<String>,
    /// The offers, e.g. email:newsletter,post:offers (a file's `offers` column wins).
    #[arg(long)]
    offers: Option<String>,
    /// consent, legitimate_interests or contract.
    #[arg(long, default_value = "consent")]
    basis: String,
    /// Where the person gave it: phone, paper, in_person, legacy_crm or customer.
    #[arg(long)]
    source: String,
    /// The day they gave it, YYYY-MM-DD.
    #[arg(long)]
    given_on: Option<String>,
    /// An evidence note (sealed with the identity, erased with it).
    #[arg(long)]
    note: Option<String>,
    /// A scanned document: its SHA-256 is recorded; the file never leaves this machine.
    #[arg(long)]
    evidence: Option<String>,
}

/// Runs `assent attest`: one person, or a file's rows.
pub fn run(owner: &Owner, args: Args) -> Result<(), CliError> {
    let defaults = Defaults {
        form: args.form,
        offers: args.offers,
        basis: args.basis,
        source: args.source,
        given_on: args.given_on,
        note: args.note,
        evidence: args.evidence,
    };
    if let Some(file) = args.file {
        return self::file(owner, &defaults, &file);
    }
    let cells = [
        ("email", args.email),
        ("name", args.name),
        ("phone", args.phone),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k.to_owned(), Value::String(v))))
    .collect();
    one(owner, &defaults, cells)
}

/// What every row takes where it says nothing itself.
pub struct Defaults {
    /// The form.
    pub form: String,
    /// `email:news,post:catalogue`.
    pub offers: Option<String>,
    /// consent, legitimate_interests or contract.
    pub basis: String,
    /// phone, paper, in_person, legacy_crm or customer.
    pub source: String,
    /// `YYYY-MM-DD`.
    pub given_on: Option<String>,
    /// An evidence note.
    pub note: Option<String>,
    /// A scanned document's path.
    pub evidence: Option<String>,
}

impl Defaults {
    /// One attestation's body: the row's cells over these defaults.
    fn body(&self, cells: &Map<String, Value>) -> Result<Value, CliError> {
        let cell = |k: &str| {
            cells
                .get(k)
                .and_then(Value::as_str)
                .filter(|v| !v.trim().is_empty())
        };
        let offers = cell("offers")
            .map(str::to_owned)
            .or_else(|| self.offers.clone())
            .ok_or_else(|| CliError::Usage("no offers: an `offers` column or --offers".into()))?;
        let offers: Vec<&str> = offers
            .split([',', ';'])
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .collect();
        let given_on = cell("given_on")
            .map(str::to_owned)
            .or_else(|| self.given_on.clone())
            .ok_or_else(|| CliError::Usage("no date: a `given_on` column or --given-on".into()))?;
        let mut body = json!({
            "form": self.form,
            "email": cell("email").unwrap_or_default(),
            "offers": offers,
            "basis": cell("basis").unwrap_or(&self.basis),
            "source": cell("source").unwrap_or(&self.source),
            "given_on": given_on.trim(),
        });
        for field in ["name", "phone"] {
            if let Some(v) = cell(field) {
                body[field] = v.into();
            }
        }
        if let Some(note) = cell("note")
            .map(str::to_owned)
            .or_else(|| self.note.clone())
        {
            body["note"] = note.into();
        }
        let evidence = match (cell("evidence_sha256"), &self.evidence) {
            (Some(hash), _) => Some(hash.trim().to_owned()),
            (None, Some(path)) => Some(sha256_of(path)?),
            (None, None) => None,
        };
        if let Some(hash) = evidence {
            body["evidence_sha256"] = hash.into();
        }
        Ok(body)
    }
}

/// The hex SHA-256 of a file, read here (it never leaves this machine).
fn sha256_of(path: &str) -> Result<String, CliError> {
    let mut file = std::fs::File::open(path).map_err(|e| CliError::Io(format!("{path}: {e}")))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| CliError::Io(format!("{path}: {e}")))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex_of(&hasher.finalize()))
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One person: `--email` and the options.
fn one(owner: &Owner, defaults: &Defaults, cells: Map<String, Value>) -> Result<(), CliError> {
    let body = defaults.body(&cells)?;
    owner.print(
        "POST",
        &api::admin_attestations(&owner.site),
        Some(body.to_string()),
    )
}

/// A file's rows, in batches, with progress; the report to stdout.
fn file(owner: &Owner, defaults: &Defaults, path: &str) -> Result<(), CliError> {
    let input: Box<dyn Read> = if path == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(path).map_err(|e| CliError::Io(format!("{path}: {e}")))?)
    };
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(input);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| CliError::Usage(format!("{path}: {e}")))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if !header.iter().any(|h| h == "email") {
        return Err(CliError::Usage(format!(
            "{path}: the header names no `email` column"
        )));
    }
    let progress = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {pos} rows {msg}").expect("a fixed template"),
    );
    let mut report = Report::default();
    let mut batch: Vec<(u64, Value)> = Vec::new();
    let mut bytes = 0;
    for (i, row) in reader.records().enumerate() {
        // The header is line 1; rows count from 2 (a quoted line break aside).
        let line = i as u64 + 2;
        report.rows += 1;
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                report.refuse(line, "row_malformed", &e.to_string());
                continue;
            }
        };
        let cells: Map<String, Value> = header
            .iter()
            .zip(row.iter())
            .map(|(h, v)| (h.clone(), Value::String(v.to_owned())))
            .collect();
        let mut body = defaults.body(&cells)?;
        let id = row_id(&owner.site, &body);
        body["event_id"] = id.to_string().into();
        let size = body.to_string().len() + 1;
        if batch.len() == MAX_BATCH || bytes + size + 2 > MAX_BATCH_BYTES {
            send(owner, &mut batch, &mut report)?;
            bytes = 0;
        }
        bytes += size;
        batch.push((line, body));
        progress.set_position(report.rows);
    }
    send(owner, &mut batch, &mut report)?;
    progress.finish_and_clear();
    eprintln!(
        "assent: {} rows: {} recorded, {} recorded before, {} refused",
        report.rows, report.recorded, report.repeated, report.refused
    );
    println!(
        "{}",
        serde_json::to_string_pretty(&report.json()).map_err(|e| CliError::Io(e.to_string()))?
    );
    Ok(())
}

/// A row's event id: derived from the site and the row's body, so the same
/// row again is the same event (the edge answers `repeat`).
fn row_id(site: &assent_core::ids::SiteId, body: &Value) -> EventId {
    EventId::from_random_bytes(derived(
        "assent/attest-row/v1",
        &[site.as_str(), &body.to_string()],
    ))
}

fn send(owner: &Owner, batch: &mut Vec<(u64, Value)>, report: &mut Report) -> Result<(), CliError> {
    if batch.is_empty() {
        return Ok(());
    }
    let bodies: Vec<&Value> = batch.iter().map(|(_, b)| b).collect();
    let answer = owner.call(
        "POST",
        &api::admin_attestations(&owner.site),
        Some(json!(bodies).to_string()),
    )?;
    let answer: Value = serde_json::from_slice(&answer).map_err(|e| CliError::Io(e.to_string()))?;
    let results = answer["results"].as_array().cloned().unwrap_or_default();
    if results.len() != batch.len() {
        return Err(CliError::Io(
            "the edge answered another number of rows".into(),
        ));
    }
    for ((line, _), result) in batch.drain(..).zip(results) {
        match result["status"].as_str() {
            Some("new") => report.recorded += 1,
            Some("repeat") => report.repeated += 1,
            _ => report.refuse(
                line,
                result["error"]["code"].as_str().unwrap_or("?"),
                result["error"]["message"].as_str().unwrap_or(""),
            ),
        }
    }
    Ok(())
}

/// What became of a file's rows.
#[derive(Default)]
struct Report {
    rows: u64,
    recorded: u64,
    repeated: u64,
    refused: u64,
    errors: Vec<Value>,
}

impl Report {
    fn refuse(&mut self, line: u64, code: &str, message: &str) {
        self.refused += 1;
        self.errors
            .push(json!({ "row": line, "code": code, "message": message }));
    }

    fn json(&self) -> Value {
        json!({
            "rows": self.rows,
            "recorded": self.recorded,
            "repeated": self.repeated,
            "refused": self.refused,
            "errors": self.errors,
        })
    }
}
