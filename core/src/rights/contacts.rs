//! The contact list, without I/O: a site's contacts filtered the way a CRM
//! user works through them (state per channel and purpose, lawful basis,
//! country, regime, parental consent, restriction, created and last
//! activity), a page at a time, for the API, the CLI and the console alike.
//! Bulk work (export, erasure, restore, restriction of a selection) runs
//! the single-subject operations over the pages of a list, so each is the
//! same event, audited, as when done one by one.
//!
//! A row names the subject, never the person: the list is a `read`
//! operation, and identities stay behind `export`.
//!
//! **Bounded work.** One call reads at most [`SCAN`] contacts (in subject
//! order from `after`) and answers the rows among them that match, up to
//! `limit`, with `next`: where the next call goes on. A selection is whole
//! when `next` is absent; a page may hold fewer rows than `limit` (even
//! none) and still have a `next`.
//!
//! ```
//! use assent_core::rights::contacts::Filter;
//! let f = Filter::parse([("offer", "email:newsletter"), ("state", "granted"), ("country", "DE")]).unwrap();
//! assert_eq!(f.country.as_deref(), Some("DE"));
//! assert_eq!(Filter::parse([("state", "sleepy")]).unwrap_err().code(), "query_invalid");
//! ```

use alloc::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::history;
use crate::error::{Error, LogError};
use crate::event::Action;
use crate::form::state::{fold, OfferState};
use crate::form::store::FormStore;
use crate::form::submission::Outcome;
use crate::ids::SubjectId;
use crate::jurisdiction::Regime;
use crate::log::store::LogStore;

/// Most contacts one call reads.
pub const SCAN: u64 = 1000;
/// Rows a page holds unless the caller asks fewer (at most [`SCAN`]).
pub const PAGE_DEFAULT: u64 = 100;

/// What selects contacts. Every field given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    /// An offer (`channel:purpose`); with `state`, the state it must be in,
    /// alone, that the contact has any state for it.
    pub offer: Option<String>,
    /// The state an offer is in (`granted`, `legitimate_interests`,
    /// `objected`, ...): of `offer`, or of any offer.
    pub state: Option<OfferState>,
    /// The country (ISO 3166-1 alpha-2) of the contact's first record.
    pub country: Option<String>,
    /// The regime applied to the contact's first record.
    pub regime: Option<Regime>,
    /// A parent's consent was asked (the person was under the age of consent).
    pub parental: Option<bool>,
    /// Processing is restricted.
    pub restricted: Option<bool>,
    /// Created on or after this day (ms since the epoch, a day's start).
    pub created_from: Option<u64>,
    /// Created before this day.
    pub created_before: Option<u64>,
    /// Last record on or after this day.
    pub active_from: Option<u64>,
    /// Last record before this day.
    pub active_before: Option<u64>,
}

/// The query parameters [`Filter::parse`] reads.
pub const PARAMETERS: [&str; 10] = [
    "offer",
    "state",
    "country",
    "regime",
    "parental",
    "restricted",
    "created_from",
    "created_before",
    "active_from",
    "active_before",
];

fn invalid(parameter: &'static str) -> Error {
    LogError::QueryInvalid { parameter }.into()
}

fn word<T: serde::de::DeserializeOwned>(value: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(value.into())).ok()
}

impl Filter {
    /// Reads a filter from query pairs; a parameter not in [`PARAMETERS`] is
    /// ignored (the caller allows its own), a bad value is `query_invalid`
    /// naming it.
    pub fn parse<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Filter, Error> {
        let mut f = Filter::default();
        let flag = |v: &str, name| match v {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(invalid(name)),
        };
        let day = |v: &str, name| crate::utc::parse_date(v).ok_or_else(|| invalid(name));
        for (k, v) in pairs {
            match k {
                "offer" => {
                    let channel = crate::form::config::Channel::of_offer(v);
                    if channel.is_none() || v.len() > 128 {
                        return Err(invalid("offer"));
                    }
                    f.offer = Some(v.into());
                }
                "state" => f.state = Some(word(v).ok_or_else(|| invalid("state"))?),
                "country" => {
                    if v.len() != 2 || !v.bytes().all(|b| b.is_ascii_uppercase()) {
                        return Err(invalid("country"));
                    }
                    f.country = Some(v.into());
                }
                "regime" => f.regime = Some(word(v).ok_or_else(|| invalid("regime"))?),
                "parental" => f.parental = Some(flag(v, "parental")?),
                "restricted" => f.restricted = Some(flag(v, "restricted")?),
                "created_from" => f.created_from = Some(day(v, "created_from")?),
                "created_before" => f.created_before = Some(day(v, "created_before")?),
                "active_from" => f.active_from = Some(day(v, "active_from")?),
                "active_before" => f.active_before = Some(day(v, "active_before")?),
                _ => {}
            }
        }
        Ok(f)
    }

    /// Whether `row` is selected.
    pub fn holds(&self, row: &Row) -> bool {
        let offers = match (&self.offer, self.state) {
            (Some(offer), Some(state)) => row.offers.get(offer) == Some(&state),
            (Some(offer), None) => row.offers.contains_key(offer),
            (None, Some(state)) => row.offers.values().any(|s| *s == state),
            (None, None) => true,
        };
        let between = |at: u64, from: Option<u64>, before: Option<u64>| {
            from.is_none_or(|f| at >= f) && before.is_none_or(|b| at < b)
        };
        offers
            && self
                .country
                .as_ref()
                .is_none_or(|c| row.country.as_ref() == Some(c))
            && self.regime.is_none_or(|r| row.regime == Some(r))
            && self.parental.is_none_or(|p| row.parental == p)
            && self.restricted.is_none_or(|r| row.restricted == r)
            && between(row.created_ms, self.created_from, self.created_before)
            && between(row.last_activity_ms, self.active_from, self.active_before)
    }
}

/// One contact of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// The subject.
    pub subject: SubjectId,
    /// When the contact was first stored.
    pub created_ms: u64,
    /// When their newest record was received.
    pub last_activity_ms: u64,
    /// The country of their first record, as the platform said.
    pub country: Option<String>,
    /// The regime applied to their first record.
    pub regime: Option<Regime>,
    /// A parent's consent was asked.
    pub parental: bool,
    /// Processing is restricted.
    pub restricted: bool,
    /// In the recycle bin.
    pub in_recycle_bin: bool,
    /// The state per offer.
    pub offers: BTreeMap<String, OfferState>,
}

/// A page of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    /// The rows, in subject order.
    pub rows: alloc::vec::Vec<Row>,
    /// Where the next call goes on (`after`), if the list goes on.
    pub next: Option<SubjectId>,
}

/// The contacts after `after` that `filter` selects: up to `limit` rows
/// from at most [`SCAN`] contacts read (see the module docs).
pub fn list<L: LogStore + ?Sized, F: FormStore + ?Sized>(
    log: &L,
    forms: &F,
    filter: &Filter,
    after: Option<&SubjectId>,
    limit: u64,
) -> Result<Page, Error> {
    let limit = limit.clamp(1, SCAN);
    let contacts = forms.contacts_after(after, SCAN)?;
    let mut rows = alloc::vec::Vec::new();
    for contact in &contacts {
        let records = history(log, &contact.subject)?;
        let Some((_, first)) = records.first() else {
            continue;
        };
        let all = records.iter().map(|(_, r)| r);
        let row = Row {
            subject: contact.subject.clone(),
            created_ms: contact.created_ms,
            last_activity_ms: records.last().map_or(0, |(_, r)| r.received_at_ms),
            country: first.country.clone(),
            regime: first.regime,
            parental: all.clone().any(|r| {
                r.form
                    .as_ref()
                    .is_some_and(|f| f.outcome == Outcome::ParentalConsentRequired)
            }),
            restricted: super::restricted(all.clone()),
            in_recycle_bin: forms.binned(&contact.subject)?.is_some(),
            offers: fold(all.clone())
                .into_iter()
                .map(|(k, s)| (k, s.state))
                .collect(),
        };
        if all.clone().any(|r| r.event.action == Action::Erase) || !filter.holds(&row) {
            continue;
        }
        rows.push(row);
        if rows.len() as u64 == limit {
            // Full: go on after this one (unless it was the last there is).
            let more = contact.subject != contacts.last().expect("not empty").subject
                || contacts.len() as u64 == SCAN;
            return Ok(Page {
                next: more.then(|| contact.subject.clone()),
                rows,
            });
        }
    }
    let next = (contacts.len() as u64 == SCAN)
        .then(|| contacts.last().map(|c| c.subject.clone()))
        .flatten();
    Ok(Page { rows, next })
}

/// The CSV header of [`to_csv`].
pub const CSV_HEADER: [&str; 9] = [
    "subject",
    "created_at",
    "last_activity_at",
    "country",
    "regime",
    "parental",
    "restricted",
    "in_recycle_bin",
    "offers",
];

impl Row {
    /// The row as the API answers it: its times as RFC 3339 too.
    pub fn view(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        v["created_at"] = crate::utc::rfc3339(self.created_ms).into();
        v["last_activity_at"] = crate::utc::rfc3339(self.last_activity_ms).into();
        v
    }

    fn cells(&self) -> alloc::vec::Vec<alloc::string::String> {
        let yes = |b: bool| if b { "yes" } else { "no" }.to_owned();
        let offers: alloc::vec::Vec<alloc::string::String> = self
            .offers
            .iter()
            .map(|(k, s)| {
                alloc::format!(
                    "{k}={}",
                    serde_json::to_value(s)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                )
            })
            .collect();
        alloc::vec![
            self.subject.to_string(),
            crate::utc::rfc3339(self.created_ms),
            crate::utc::rfc3339(self.last_activity_ms),
            self.country.clone().unwrap_or_default(),
            self.regime
                .and_then(|r| serde_json::to_value(r).ok())
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            yes(self.parental),
            yes(self.restricted),
            yes(self.in_recycle_bin),
            offers.join("; "),
        ]
    }
}

/// Rows as CSV (core's writer, every cell neutralised), header first.
pub fn to_csv<'a>(rows: impl IntoIterator<Item = &'a Row>) -> alloc::string::String {
    super::export::csv_rows(&CSV_HEADER, rows.into_iter().map(Row::cells))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parameter_is_read_and_checked() {
        let f = Filter::parse([
            ("offer", "email:newsletter"),
            ("state", "objected"),
            ("country", "DE"),
            ("regime", "opt_out"),
            ("parental", "false"),
            ("restricted", "true"),
            ("created_from", "2026-01-01"),
            ("created_before", "2026-02-01"),
            ("active_from", "2026-03-01"),
            ("active_before", "2026-04-01"),
            ("after", "ignored: the caller's own"),
        ])
        .unwrap();
        let day = |d| crate::utc::parse_date(d);
        assert_eq!(
            f,
            Filter {
                offer: Some("email:newsletter".into()),
                state: Some(OfferState::Objected),
                country: Some("DE".into()),
                regime: Some(Regime::OptOut),
                parental: Some(false),
                restricted: Some(true),
                created_from: day("2026-01-01"),
                created_before: day("2026-02-01"),
                active_from: day("2026-03-01"),
                active_before: day("2026-04-01"),
            }
        );
        let longest = format!("email:{}", "n".repeat(122));
        assert_eq!(longest.len(), 128);
        assert!(Filter::parse([("offer", longest.as_str())]).is_ok());
        let longer = format!("{longest}n");
        for (k, v) in [
            ("offer", longer.as_str()),
            ("offer", "newsletter"),
            ("offer", "fax:newsletter"),
            ("country", "D"),
            ("country", "DEU"),
            ("country", "de"),
            ("regime", "sometimes"),
            ("parental", "yes"),
            ("active_from", "2026-13-01"),
            ("active_before", "tomorrow"),
        ] {
            assert_eq!(
                Filter::parse([(k, v)]).unwrap_err().code(),
                "query_invalid",
                "{k}={v}"
            );
        }
    }

    #[test]
    fn a_day_is_from_its_start_and_before_is_exclusive() {
        let row = |created_ms, last_activity_ms| Row {
            subject: SubjectId::from_random_bytes([1; 16]),
            created_ms,
            last_activity_ms,
            country: None,
            regime: None,
            parental: false,
            restricted: false,
            in_recycle_bin: false,
            offers: BTreeMap::new(),
        };
        let f = Filter::parse([
            ("active_from", "2026-03-01"),
            ("active_before", "2026-03-02"),
        ])
        .unwrap();
        let (from, before) = (f.active_from.unwrap(), f.active_before.unwrap());
        assert!(f.holds(&row(0, from)));
        assert!(f.holds(&row(0, before - 1)));
        assert!(!f.holds(&row(0, before)));
        assert!(!f.holds(&row(0, from - 1)));
        let g = Filter::parse([
            ("created_from", "2026-03-01"),
            ("created_before", "2026-03-02"),
        ])
        .unwrap();
        assert!(g.holds(&row(from, 0)) && !g.holds(&row(before, 0)) && !g.holds(&row(from - 1, 0)));
        let mut r = row(0, 0);
        r.regime = Some(Regime::OptIn);
        r.country = Some("DE".into());
        assert!(Filter::parse([("regime", "opt_in")]).unwrap().holds(&r));
        assert!(!Filter::parse([("regime", "opt_out")]).unwrap().holds(&r));
        assert!(Filter::parse([("country", "DE")]).unwrap().holds(&r));
        assert!(!Filter::parse([("country", "FR")]).unwrap().holds(&r));
    }

    fn sample() -> Row {
        Row {
            subject: SubjectId::from_random_bytes([7; 16]),
            created_ms: 1_798_761_600_000,
            last_activity_ms: 1_798_848_000_000,
            country: Some("DE".into()),
            regime: Some(Regime::OptIn),
            parental: true,
            restricted: false,
            in_recycle_bin: false,
            offers: [
                ("email:news".to_string(), OfferState::Granted),
                ("post:catalogue".to_string(), OfferState::Objected),
            ]
            .into_iter()
            .collect(),
        }
    }

    #[test]
    fn a_row_reads_as_json_and_csv() {
        let r = sample();
        let v = r.view();
        assert_eq!(v["subject"], r.subject.as_str());
        assert_eq!(v["created_at"], "2027-01-01T00:00:00.000Z");
        assert_eq!(v["last_activity_at"], "2027-01-02T00:00:00.000Z");
        assert_eq!(v["offers"]["post:catalogue"], "objected");
        let csv = to_csv([&r]);
        assert_eq!(
            csv,
            format!(
                "{}\n{},2027-01-01T00:00:00.000Z,2027-01-02T00:00:00.000Z,DE,opt_in,yes,no,no,email:news=granted; post:catalogue=objected\n",
                CSV_HEADER.join(","),
                r.subject
            )
        );
    }

    #[test]
    fn a_full_scan_says_where_to_go_on() {
        use crate::form::store::{Contact, Contacts};
        let mut forms = crate::form::memory::MemoryFormStore::default();
        let log = crate::log::store::MemoryLogStore::default();
        for i in 0..=SCAN {
            let mut id = [0u8; 16];
            id[..8].copy_from_slice(&i.to_be_bytes());
            forms
                .put_contact(&Contact {
                    lookup: format!("{i:064}"),
                    subject: SubjectId::from_random_bytes(id),
                    salt: [0; 32],
                    key: [0; 32],
                    created_ms: 0,
                })
                .unwrap();
        }
        let first = list(&log, &forms, &Filter::default(), None, 10).unwrap();
        assert!(
            first.rows.is_empty(),
            "contacts without records are not listed"
        );
        let next = first.next.expect("a full scan goes on");
        let rest = list(&log, &forms, &Filter::default(), Some(&next), 10).unwrap();
        assert_eq!(rest.next, None, "the last one read: the selection is whole");
    }
}
