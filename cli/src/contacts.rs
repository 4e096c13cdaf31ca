//! `assent contacts`: the contact list with filters, and bulk work on a
//! selection (export, erase, restrict, lift, restore) with progress.
//!
//! The selection is read page by page from `GET .../contacts` (core's
//! filter, the same as the console's); each bulk act is then the single
//! subject's own call (an event each where the act makes one, audited each),
//! so a bulk erasure is exactly the erasures one by one. A run stopped
//! half-way can be run again: what was done answers as done (an erasure
//! twice is the same record, a restriction in force answers its record).

use std::io::Write;

use assent_core::api;
use assent_core::ids::SubjectId;
use assent_core::rights::contacts::{Filter, PARAMETERS, SCAN};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;

use crate::owner::Owner;
use crate::CliError;

/// The filter options, as `GET .../contacts` names them.
#[derive(clap::Args, Default)]
pub struct Selection {
    /// An offer (channel:purpose), e.g. email:newsletter.
    #[arg(long)]
    offer: Option<String>,
    /// Its state (or any offer's): granted, pending, withdrawn, objected, legitimate_interests, ...
    #[arg(long)]
    state: Option<String>,
    /// The country of the first record (ISO 3166-1 alpha-2).
    #[arg(long)]
    country: Option<String>,
    /// The regime of the first record: opt_in, opt_out or notice_only.
    #[arg(long)]
    regime: Option<String>,
    /// Whether a parent's consent was asked: true or false.
    #[arg(long)]
    parental: Option<String>,
    /// Whether processing is restricted: true or false.
    #[arg(long)]
    restricted: Option<String>,
    /// Created on or after this day (YYYY-MM-DD).
    #[arg(long)]
    created_from: Option<String>,
    /// Created before this day.
    #[arg(long)]
    created_before: Option<String>,
    /// Last activity on or after this day.
    #[arg(long)]
    active_from: Option<String>,
    /// Last activity before this day.
    #[arg(long)]
    active_before: Option<String>,
}

impl Selection {
    fn pairs(&self) -> Vec<(&'static str, &str)> {
        let values = [
            &self.offer,
            &self.state,
            &self.country,
            &self.regime,
            &self.parental,
            &self.restricted,
            &self.created_from,
            &self.created_before,
            &self.active_from,
            &self.active_before,
        ];
        PARAMETERS
            .iter()
            .zip(values)
            .filter_map(|(k, v)| v.as_deref().map(|v| (*k, v)))
            .collect()
    }

    /// The query, checked here by core's parser before anything is sent.
    fn query(&self) -> Result<String, CliError> {
        let pairs = self.pairs();
        Filter::parse(pairs.iter().copied()).map_err(|e| CliError::Usage(e.to_string()))?;
        let mut q = String::new();
        for (k, v) in pairs {
            q.push_str(&format!("{k}={}&", percent(v)));
        }
        Ok(q)
    }
}

fn percent(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b':' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What to do with the selection.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Act {
    /// Every row as JSON Lines (the default), or CSV with --csv.
    List,
    /// Each subject's export (identity, records, receipts, notes) as JSON Lines.
    Export,
    /// Erase each (into the recycle bin, where the site has one).
    Erase,
    /// Restrict processing of each.
    Restrict,
    /// Lift each one's restriction.
    Lift,
    /// Take each out of the recycle bin.
    Restore,
}

/// Every row of the selection, page by page.
fn rows(owner: &Owner, query: &str, progress: &ProgressBar) -> Result<Vec<Value>, CliError> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = format!(
            "{}?{query}limit={SCAN}{}",
            api::admin_contacts(&owner.site),
            after
                .as_ref()
                .map(|a| format!("&after={a}"))
                .unwrap_or_default()
        );
        let page: Value = serde_json::from_slice(&owner.call("GET", &path, None)?)
            .map_err(|e| CliError::Io(e.to_string()))?;
        out.extend(page["contacts"].as_array().cloned().unwrap_or_default());
        progress.set_message(format!("{} selected", out.len()));
        match page["next"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => return Ok(out),
        }
    }
}

/// Runs `assent contacts <act>` over the selection; `yes` confirms a change.
pub fn run(
    owner: &Owner,
    act: Act,
    selection: &Selection,
    csv: bool,
    yes: bool,
) -> Result<(), CliError> {
    let query = selection.query()?;
    let progress = ProgressBar::new_spinner()
        .with_style(ProgressStyle::with_template("{spinner} {msg}").expect("a fixed template"));
    if act == Act::List && csv {
        let path = format!("{}?{query}format=csv", api::admin_contacts(&owner.site));
        return owner.print("GET", &path, None);
    }
    let selected = rows(owner, &query, &progress)?;
    progress.finish_and_clear();
    let mut out = std::io::stdout().lock();
    let line = |out: &mut std::io::StdoutLock, v: &Value| {
        writeln!(out, "{v}").map_err(|e| CliError::Io(format!("stdout: {e}")))
    };
    if act == Act::List {
        for row in &selected {
            line(&mut out, row)?;
        }
        eprintln!("assent: {} contacts", selected.len());
        return Ok(());
    }
    if act != Act::Export && !yes {
        return Err(CliError::Usage(format!(
            "{} contacts selected; add --yes to change them",
            selected.len()
        )));
    }
    let bar = ProgressBar::new(selected.len() as u64).with_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}").expect("a fixed template"),
    );
    let (mut done, mut refused) = (0u64, Vec::new());
    for row in &selected {
        let subject = row["subject"].as_str().unwrap_or_default();
        let subject = SubjectId::new(subject).map_err(|e| CliError::Io(e.to_string()))?;
        let answer = match act {
            Act::Export => owner.call(
                "GET",
                &api::admin_subject_export(&owner.site, &subject),
                None,
            ),
            Act::Erase => owner.call("POST", &api::admin_erasure(&owner.site, &subject), None),
            Act::Restrict | Act::Lift => owner.call(
                "POST",
                &api::admin_restriction(&owner.site, &subject),
                Some(format!("{{\"restricted\":{}}}", act == Act::Restrict)),
            ),
            Act::Restore => owner.call("POST", &api::admin_restore(&owner.site, &subject), None),
            Act::List => unreachable!("listed above"),
        };
        match answer {
            Ok(bytes) if act == Act::Export => {
                let v: Value =
                    serde_json::from_slice(&bytes).map_err(|e| CliError::Io(e.to_string()))?;
                line(&mut out, &v)?;
                done += 1;
            }
            Ok(_) => done += 1,
            Err(e) => {
                refused.push(serde_json::json!({ "subject": subject, "error": e.to_string() }))
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    if act != Act::Export {
        line(
            &mut out,
            &serde_json::json!({ "selected": selected.len(), "done": done, "refused": refused }),
        )?;
    }
    eprintln!(
        "assent: {} selected, {done} done, {} refused",
        selected.len(),
        refused.len()
    );
    Ok(())
}
