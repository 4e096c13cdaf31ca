//! `assent processing-record`: the site's record of processing (GDPR Art. 30).

use crate::owner::Owner;
use crate::CliError;

/// Prints the record in `format` (not built yet).
pub fn run(_owner: &Owner, _format: &str) -> Result<(), CliError> {
    Err(CliError::Usage(
        "assent processing-record is not built yet".into(),
    ))
}
