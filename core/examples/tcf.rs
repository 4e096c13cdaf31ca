//! Core's TC string codec on stdin and stdout, one JSON value per line, for
//! the cross-check against the IAB's reference library (`tests/tcf/`):
//!
//! - `{"encode": {...fields}}` answers `{"string": "C..."}`;
//! - `{"decode": "C..."}` answers `{"fields": {...}}`;
//! - either answers `{"error": "Truncated"}` when core refuses it.
//!
//! `echo '{"decode":"CQSbk4AQSbk4ANwAAAENAwCgAAAAAAAAAAYgACPAAAAA.IDKQA4AAgAKAGQAygAAA"}' | cargo run -q -p assent-core --example tcf`

use std::io::{BufRead, Write};

use assent_core::tcf::TcString;
use serde_json::{json, Value};

fn main() {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("stdin");
        let ask: Value = serde_json::from_str(&line).expect("one JSON value per line");
        let answer = if let Some(fields) = ask.get("encode") {
            let tc: TcString =
                serde_json::from_value(fields.clone()).expect("the fields of a TC string");
            match tc.encode() {
                Ok(string) => json!({ "string": string }),
                Err(e) => json!({ "error": format!("{e:?}") }),
            }
        } else {
            match TcString::decode(ask["decode"].as_str().expect("decode: a string")) {
                Ok(tc) => json!({ "fields": tc }),
                Err(e) => json!({ "error": format!("{e:?}") }),
            }
        };
        writeln!(out, "{answer}").expect("stdout");
    }
}
