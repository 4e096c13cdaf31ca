//! `assent processing-record`: the site's record of processing (GDPR Art. 30),
//! as the edge generates it from the site's configuration
//! (`assent_core::ropa`), printed to stdout as it came: JSON, CSV or a
//! printable HTML page.

use assent_core::api;

use crate::owner::Owner;
use crate::CliError;

/// Prints the record in `format` (`json`, `csv` or `html`).
pub fn run(owner: &Owner, format: &str) -> Result<(), CliError> {
    if !matches!(format, "json" | "csv" | "html") {
        return Err(CliError::Usage(format!(
            "--format must be json, csv or html, not {format:?}"
        )));
    }
    owner.print(
        "GET",
        &format!(
            "{}?format={format}",
            api::admin_processing_record(&owner.site)
        ),
        None,
    )
}
