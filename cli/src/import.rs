//! `assent import`: an opt-out or block list streamed to the edge in batches,
//! with progress and a report of rows accepted, duplicated and rejected.
//!
//! The file is read a line at a time into a buffer capped at core's
//! `MAX_LINE` (a longer line is skipped to its end without being kept), so a
//! list of any size, or one absurd line, runs in constant memory. A row the
//! CLI can already tell is unreadable (`line_too_long`, `encoding_invalid`)
//! is counted here with its number and never sent; the others go to the
//! edge in batches of at most `MAX_BATCH_ROWS` rows and `MAX_BATCH_BYTES`
//! bytes (the file's header first in each, if it has one), whose reports
//! are merged in row order. The merged report is printed to stdout as JSON
//! (with each batch's `import` record), a summary to stderr.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::time::Instant;

use assent_core::api;
use assent_core::rights::import::{
    batch_fits, check_row, header, ImportReport, RowError, MAX_LINE,
};
use indicatif::{ProgressBar, ProgressStyle};

use crate::owner::Owner;
use crate::CliError;

/// Reads one line (without its `\n`) into `line`, keeping at most `cap`
/// bytes of it; `None` at the end of the input, otherwise whether the line
/// was longer than `cap` (the rest was read and dropped).
pub(crate) fn read_line_capped(
    reader: &mut impl BufRead,
    line: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<Option<bool>> {
    line.clear();
    let mut read_any = false;
    let mut over = false;
    loop {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(read_any.then_some(over));
        }
        read_any = true;
        let (chunk, done) = match buf.iter().position(|b| *b == b'\n') {
            Some(i) => (&buf[..i], Some(i + 1)),
            None => (buf, None),
        };
        let room = cap.saturating_sub(line.len());
        if chunk.len() > room {
            over = true;
        }
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = done.unwrap_or(buf.len());
        reader.consume(used);
        if done.is_some() {
            return Ok(Some(over));
        }
    }
}

/// One batch being filled: the body sent and the file's number of each
/// row in it, and the rows this batch's stretch rejected here.
#[derive(Default)]
struct Batch {
    body: Vec<u8>,
    rows: Vec<u64>,
    local: ImportReport,
}

impl Batch {
    fn fits(&self, line: &[u8], header: Option<&[u8]>) -> bool {
        let head = header.map_or(0, |h| h.len() + 1);
        batch_fits(self.rows.len(), head + self.body.len(), line.len())
    }

    fn is_empty(&self) -> bool {
        self.rows.is_empty() && self.local.rows == 0
    }
}

/// The file's row of the edge's row number `n` in a batch whose first line
/// was numbered `first_row` (the header's, when it has one).
fn file_row(rows: &[u64], first_row: u64, headed: bool, n: u64) -> u64 {
    n.checked_sub(first_row)
        .and_then(|p| p.checked_sub(u64::from(headed)))
        .and_then(|p| rows.get(usize::try_from(p).ok()?).copied())
        .unwrap_or(n)
}

/// What the run has done so far.
struct Run<'a> {
    owner: &'a Owner,
    path: String,
    list: &'a str,
    total: ImportReport,
    records: Vec<serde_json::Value>,
}

impl Run<'_> {
    /// Sends a batch (if it holds any row to send) and merges its report.
    fn flush(&mut self, batch: Batch, header: Option<&[u8]>) -> Result<(), CliError> {
        let mut report = ImportReport::default();
        if let Some(&first) = batch.rows.first() {
            let headed = header.is_some();
            let first_row = first - u64::from(headed);
            let mut body = Vec::with_capacity(batch.body.len() + 64);
            if let Some(h) = header {
                body.extend_from_slice(h);
                body.push(b'\n');
            }
            body.extend_from_slice(&batch.body);
            let answer = self.owner.call_as(
                "POST",
                &format!("{}?first_row={first_row}&{}", self.path, self.list),
                "text/csv; charset=utf-8",
                Some(body),
            )?;
            let value: serde_json::Value = serde_json::from_slice(&answer)
                .map_err(|e| CliError::Io(format!("import answer: {e}")))?;
            report = serde_json::from_value(value.clone())
                .map_err(|e| CliError::Io(format!("import answer: {e}")))?;
            for (row, _) in &mut report.errors {
                *row = file_row(&batch.rows, first_row, headed, *row);
            }
            if let Some(id) = value.get("event_id").filter(|v| v.is_string()) {
                self.records.push(serde_json::json!({
                    "event_id": id,
                    "index": value["index"],
                    "count": report.accepted,
                }));
            }
        }
        report.merge(batch.local);
        self.total.merge(report);
        Ok(())
    }
}

/// Imports `file` (`-` for stdin) into the site's suppressions.
/// Imports `file` as the list `list` says (`kind=opt_out&channels=email`,
/// the route's query).
pub fn run(owner: &Owner, file: &str, list: &str) -> Result<(), CliError> {
    let (input, size): (Box<dyn Read>, Option<u64>) = if file == "-" {
        (Box::new(std::io::stdin().lock()), None)
    } else {
        let f = File::open(file).map_err(|e| CliError::Io(format!("{file}: {e}")))?;
        let size = f.metadata().ok().map(|m| m.len());
        (Box::new(f), size)
    };
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let progress = match size {
        Some(len) => ProgressBar::new(len).with_style(
            ProgressStyle::with_template("{spinner} [{bar:30}] {percent}% {msg}")
                .expect("template"),
        ),
        None => ProgressBar::new_spinner()
            .with_style(ProgressStyle::with_template("{spinner} {msg}").expect("template")),
    };
    let started = Instant::now();
    let mut run = Run {
        owner,
        path: api::admin_suppressions_import(&owner.site),
        list,
        total: ImportReport::default(),
        records: Vec::new(),
    };
    let mut header_line: Option<Vec<u8>> = None;
    let mut batch = Batch::default();
    let mut line = Vec::with_capacity(MAX_LINE + 2);
    let mut row = 0u64;
    let mut bytes = 0u64;
    let result = (|| -> Result<(), CliError> {
        // One byte more than a row may hold, for a CR before the LF.
        while let Some(over) = read_line_capped(&mut reader, &mut line, MAX_LINE + 1)
            .map_err(|e| CliError::Io(format!("{file}: {e}")))?
        {
            row += 1;
            bytes += line.len() as u64 + 1;
            if row == 1 && line.starts_with(b"\xEF\xBB\xBF") {
                line.drain(..3);
            }
            if !over && line.ends_with(b"\r") {
                line.pop();
            }
            let local = if over || line.len() > MAX_LINE {
                Some(RowError::LineTooLong)
            } else if std::str::from_utf8(&line).is_err() {
                Some(RowError::EncodingInvalid)
            } else if row == 1 && header(&line).is_some() {
                header_line = Some(line.clone());
                continue;
            } else {
                None
            };
            if let Some(error) = local {
                batch.local.reject(row, error);
                continue;
            }
            if !batch.fits(&line, header_line.as_deref()) {
                run.flush(std::mem::take(&mut batch), header_line.as_deref())?;
                let secs = started.elapsed().as_secs_f64().max(1e-3);
                progress.set_position(bytes);
                progress.set_message(format!(
                    "{} rows, {:.0} rows/s",
                    run.total.rows,
                    run.total.rows as f64 / secs
                ));
            }
            if header_line.is_none() && batch.rows.is_empty() && header(&line).is_some() {
                // It would be read as a header at the start of a batch: it
                // is a row, rejected as the edge would reject it elsewhere.
                let error = check_row(&line).err().unwrap_or(RowError::FieldCount);
                batch.local.reject(row, error);
                continue;
            }
            batch.body.extend_from_slice(&line);
            batch.body.push(b'\n');
            batch.rows.push(row);
        }
        if !batch.is_empty() {
            run.flush(std::mem::take(&mut batch), header_line.as_deref())?;
        }
        Ok(())
    })();
    progress.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    let mut out = serde_json::to_value(&run.total).expect("a report serializes");
    out["records"] = run.records.clone().into();
    out["seconds"] = serde_json::json!((secs * 1000.0).round() / 1000.0);
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{out}").map_err(|e| CliError::Io(format!("stdout: {e}")))?;
    let t = &run.total;
    match result {
        Ok(()) => {
            eprintln!(
                "assent: {} rows: {} accepted, {} duplicated, {} rejected in {secs:.1} s ({:.0} rows/s)",
                t.rows,
                t.accepted,
                t.duplicated,
                t.rejected,
                t.rows as f64 / secs.max(1e-3)
            );
            Ok(())
        }
        Err(e) => {
            eprintln!(
                "assent: stopped: the report above covers {} rows; the batch that failed and every row after it were not imported",
                t.rows
            );
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use assent_core::rights::import::{MAX_BATCH_BYTES, MAX_BATCH_ROWS};

    #[test]
    fn a_line_is_kept_up_to_the_cap_and_the_rest_is_dropped() {
        let long = "x".repeat(100_000);
        let text = format!("a@example.com\r\n{long}\nlast");
        let mut reader = BufReader::with_capacity(16, text.as_bytes());
        let mut line = Vec::new();
        assert_eq!(
            read_line_capped(&mut reader, &mut line, 20).unwrap(),
            Some(false)
        );
        assert_eq!(line, b"a@example.com\r");
        assert_eq!(
            read_line_capped(&mut reader, &mut line, 20).unwrap(),
            Some(true)
        );
        assert_eq!(line.len(), 20);
        assert!(line.capacity() < 1000, "the long line was never held");
        assert_eq!(
            read_line_capped(&mut reader, &mut line, 20).unwrap(),
            Some(false)
        );
        assert_eq!(line, b"last");
        assert_eq!(read_line_capped(&mut reader, &mut line, 20).unwrap(), None);
        let mut empty = BufReader::new(&b"\n"[..]);
        assert_eq!(
            read_line_capped(&mut empty, &mut line, 20).unwrap(),
            Some(false)
        );
        assert!(line.is_empty());
        assert_eq!(read_line_capped(&mut empty, &mut line, 20).unwrap(), None);
    }

    #[test]
    fn the_edge_s_row_numbers_become_the_file_s() {
        // Rows 2, 3, 5 and 6 sent (4 was rejected here), after a header.
        let rows = [2, 3, 5, 6];
        assert_eq!(file_row(&rows, 1, true, 2), 2);
        assert_eq!(file_row(&rows, 1, true, 4), 5);
        assert_eq!(file_row(&rows, 1, true, 5), 6);
        // Without a header the first line is the first row.
        assert_eq!(file_row(&rows, 2, false, 4), 5);
        assert_eq!(file_row(&rows, 2, false, 99), 99, "out of range: as given");
    }

    #[test]
    fn a_batch_holds_at_most_its_rows_and_bytes() {
        let mut batch = Batch::default();
        assert!(batch.fits(b"a@example.com", Some(b"email")));
        batch.rows = vec![1; MAX_BATCH_ROWS];
        assert!(!batch.fits(b"a@example.com", None));
        let mut batch = Batch {
            body: vec![b'x'; MAX_BATCH_BYTES - 10],
            ..Default::default()
        };
        assert!(batch.fits(b"123456789", None));
        assert!(!batch.fits(b"123456789", Some(b"h")));
        batch.body.clear();
        assert!(batch.is_empty());
    }
}
