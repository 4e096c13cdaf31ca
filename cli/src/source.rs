//! Where inputs come from: a file, stdin (`-`), or an http(s) URL.

use std::io::Read;

use crate::CliError;

/// Reads a file, stdin or URL.
pub fn read(source: &str) -> Result<Vec<u8>, CliError> {
    if source == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| CliError::Io(format!("stdin: {e}")))?;
        return Ok(buf);
    }
    if source.starts_with("http://") || source.starts_with("https://") {
        return get(source);
    }
    std::fs::read(source).map_err(|e| CliError::Io(format!("{source}: {e}")))
}

/// GETs a URL; anything but 200 is an I/O error.
pub fn get(url: &str) -> Result<Vec<u8>, CliError> {
    let mut resp = ureq::get(url)
        .call()
        .map_err(|e| CliError::Io(format!("{url}: {e}")))?;
    resp.body_mut()
        .with_config()
        .limit(1 << 30)
        .read_to_vec()
        .map_err(|e| CliError::Io(format!("{url}: {e}")))
}

/// `base` without a trailing slash.
pub fn trim(base: &str) -> &str {
    base.trim_end_matches('/')
}
