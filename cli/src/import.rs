//! `assent import`: an opt-out or block list streamed to the edge in batches,
//! with progress and a report of rows accepted, duplicated and rejected.

use crate::owner::Owner;
use crate::CliError;

/// Imports `file` (not built yet).
pub fn run(_owner: &Owner, _file: &str) -> Result<(), CliError> {
    Err(CliError::Usage("assent import is not built yet".into()))
}
