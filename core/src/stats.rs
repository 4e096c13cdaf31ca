//! The owner's statistics, counted as the log appends (never a scan of the
//! log per page view): each record adds one to a few counters of its UTC
//! day. What a record counts for is decided here, once; the stores only add
//! ([`crate::log::store::NewEntry::counts`]).
//!
//! Counter keys are `dimension:value[:result]`:
//!
//! | key | counted for |
//! | --- | --- |
//! | `records` | every record |
//! | `action:<give\|refuse\|update\|withdraw\|confirm\|expire\|erase\|import>` | every record |
//! | `surface:<banner\|preferences\|form\|api\|embed\|mail\|schedule>` | every record |
//! | `control:<accept_all\|reject_all\|save\|withdraw_all\|...>` | banner and preferences choices: the accept / reject / customise split |
//! | `language:<tag>` | visitors' choices (banner, preferences, embed, form) |
//! | `country:<CC\|unknown>`, `regime:<opt_in\|opt_out\|notice_only\|none>` | the same |
//! | `purpose:<id>:<granted\|refused>` | banner-side choices, per optional purpose |
//! | `offer:<channel:purpose>:<ticked\|unticked>` | form submissions, per offer |
//! | `offer:<channel:purpose>:<confirmed\|expired\|withdrawn>` | confirmations, expiries, withdrawals |
//! | `subjects:erased`, `suppressed:imported` (by the batch's count) | erasures, imports |
//!
//! ```
//! use assent_core::stats;
//! assert_eq!(stats::day_of(1_795_564_800_000), "2026-11-25");
//! ```

use alloc::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::event::{Action, Surface};
use crate::record::StoredRecord;

/// The UTC day of a time, `YYYY-MM-DD`.
pub fn day_of(ms: u64) -> String {
    let (y, m, d) = crate::utc::date(ms);
    format!("{y:04}-{m:02}-{d:02}")
}

fn name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The counters `record` adds to, with how much, on its day.
pub fn counts(record: &StoredRecord, optional_purposes: &[String]) -> Vec<(String, u64)> {
    let e = &record.event;
    let mut out: Vec<(String, u64)> = vec![
        ("records".into(), 1),
        (format!("action:{}", e.action.as_str()), 1),
        (format!("surface:{}", e.ui.surface.as_str()), 1),
    ];
    let by_visitor = matches!(
        e.ui.surface,
        Surface::Banner | Surface::Preferences | Surface::Embed | Surface::Form
    );
    if by_visitor {
        out.push((format!("language:{}", e.notice.language), 1));
        out.push((
            format!("country:{}", record.country.as_deref().unwrap_or("unknown")),
            1,
        ));
        let regime = record
            .regime
            .map(|r| name(&r))
            .unwrap_or_else(|| "none".into());
        out.push((format!("regime:{regime}"), 1));
    }
    if matches!(e.ui.surface, Surface::Banner | Surface::Preferences) {
        out.push((format!("control:{}", e.ui.control.as_str()), 1));
    }
    match (&e.form, e.action) {
        (None, Action::Give | Action::Refuse | Action::Update | Action::Withdraw) => {
            for p in optional_purposes {
                let granted = e.decisions.get(p) == Some(&true);
                let result = if granted { "granted" } else { "refused" };
                out.push((format!("purpose:{p}:{result}"), 1));
            }
        }
        (Some(choice), action) => {
            for (offer, &on) in &choice.offers {
                let result = match (action, on) {
                    (Action::Confirm, true) => "confirmed",
                    (Action::Expire, true) => "expired",
                    (Action::Withdraw, false) => "withdrawn",
                    (Action::Give | Action::Refuse | Action::Update, true) => "ticked",
                    (Action::Give | Action::Refuse | Action::Update, false) => "unticked",
                    _ => continue,
                };
                out.push((format!("offer:{offer}:{result}"), 1));
            }
        }
        _ => {}
    }
    if e.action == Action::Erase {
        out.push(("subjects:erased".into(), 1));
    }
    if let Some(import) = &record.import {
        out.push(("suppressed:imported".into(), import.count));
    }
    out
}

/// Counters per day, as the owner's API answers them: every day from
/// `from` to `to` (inclusive), and per key one number per day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Series {
    /// The days, `YYYY-MM-DD`, oldest first.
    pub days: Vec<String>,
    /// Per counter key, its count on each of `days`.
    pub counts: BTreeMap<String, Vec<u64>>,
}

impl Series {
    /// Builds the series of `rows` (`(day, key, n)`) over the `days` days
    /// ending on the day of `now_ms`.
    pub fn build(rows: &[(String, String, u64)], now_ms: u64, days: u32) -> Series {
        let days: Vec<String> = (0..u64::from(days))
            .rev()
            .map(|back| day_of(now_ms.saturating_sub(back * 86_400_000)))
            .collect();
        let mut counts: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        for (day, key, n) in rows {
            if let Some(i) = days.iter().position(|d| d == day) {
                counts
                    .entry(key.clone())
                    .or_insert_with(|| vec![0; days.len()])[i] += n;
            }
        }
        Series { days, counts }
    }
}
