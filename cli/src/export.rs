//! `assent export`: the admin export streamed to stdout with a progress count.

use std::io::{BufRead, BufReader, Write};

use indicatif::{ProgressBar, ProgressStyle};

use assent_core::api;
use assent_core::ids::SiteId;

use crate::source::trim;
use crate::CliError;

/// Streams `GET /v1/admin/sites/{site}/export` to stdout.
pub fn run(edge: &str, site: &str, admin_key: &str) -> Result<(), CliError> {
    let site = SiteId::new(site).map_err(|e| CliError::Usage(format!("--site: {e}")))?;
    let url = format!("{}{}", trim(edge), api::admin_export(&site));
    let resp = ureq::get(&url)
        .header("authorization", &format!("Bearer {admin_key}"))
        .call()
        .map_err(|e| CliError::Io(format!("{url}: {e}")))?;
    let progress = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {pos} records exported ({per_sec})")
            .expect("template"),
    );
    let reader = BufReader::new(resp.into_body().into_reader());
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for line in reader.lines() {
        let line = line.map_err(|e| CliError::Io(format!("{url}: {e}")))?;
        if line.is_empty() {
            continue;
        }
        writeln!(out, "{line}").map_err(|e| CliError::Io(format!("stdout: {e}")))?;
        progress.inc(1);
    }
    out.flush()
        .map_err(|e| CliError::Io(format!("stdout: {e}")))?;
    progress.finish_and_clear();
    eprintln!("assent: exported {} records", progress.position());
    Ok(())
}
