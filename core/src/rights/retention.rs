//! Retention, without I/O: which contacts' identities have been kept long
//! enough ([`due`], the dry run) and anonymising them ([`Site::run_retention`](crate::site::Site::run_retention)), as the
//! site's configuration says (`rights.retention`):
//!
//! - `inactive_days`: a contact whose newest record is older than this;
//! - `unconfirmed_days`: a contact who never had an opt-in granted (only
//!   pending, expired or refused offers), this long after their newest record.
//!
//! And, whatever the policy, **the site's closing** ([`Site::close`], the end
//! of a contract: the operator sets a day, 1 to 365 days ahead): from that
//! day every contact is due (`site_closing`), a batch per alarm until none
//! is left. Before the day it can be taken back ([`Site::reopen`]).
//!
//! Anonymising is the erasure of [`Site::erase`](crate::site::Site::erase), made by the schedule
//! (surface `schedule`): the identity is destroyed, the records stay as
//! proof, the address is suppressed. It never goes through the recycle bin
//! ([`super::bin`]): the schedule applies the site's policy, it is not a
//! click that might be a mistake; a subject already in the bin is left to
//! its purge. The Durable Object's alarm runs it
//! daily; the owner's API has the dry run and a run now. Each erasure's
//! event id is derived from the subject, so a run retried after a fault
//! does nothing twice.

use serde::{Deserialize, Serialize};

use super::history;
use crate::config::SiteConfig;
use crate::error::{Error, RightsError};
use crate::event::Surface;
use crate::form::store::{Closing, FormStore};
use crate::form::submission::Outcome;
use crate::ids::{EventId, SubjectId};
use crate::log::store::LogStore;
use crate::site::Site;

/// Contacts read per page while looking.
const PAGE: u64 = 500;

/// Why a contact is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// No new record for `inactive_days`.
    Inactive,
    /// Never confirmed, for `unconfirmed_days`.
    Unconfirmed,
    /// The site closes: everyone is anonymised from its day on.
    SiteClosing,
}

/// A contact whose identity is due to be anonymised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    /// The subject.
    pub subject: SubjectId,
    /// Why.
    pub reason: Reason,
    /// When their newest record was received.
    pub last_activity_ms: u64,
}

/// Up to `limit` contacts due at `now_ms` (the dry run).
pub fn due<L: LogStore + ?Sized, F: FormStore + ?Sized>(
    log: &L,
    forms: &F,
    config: &SiteConfig,
    now_ms: u64,
    limit: u64,
) -> Result<Vec<Due>, Error> {
    let closing = forms
        .closing()?
        .is_some_and(|c| now_ms >= c.anonymise_by_ms);
    let rules = config.rights.retention.unwrap_or_default();
    if config.rights.retention.is_none() && !closing {
        return Ok(Vec::new());
    }
    let older = |days: Option<u32>, at: u64| {
        days.is_some_and(|d| now_ms.saturating_sub(at) > u64::from(d) * 86_400_000)
    };
    let mut out = Vec::new();
    let mut after: Option<SubjectId> = None;
    loop {
        let page = forms.contacts_after(after.as_ref(), PAGE)?;
        for contact in &page {
            let records = history(log, &contact.subject)?;
            let Some((_, last)) = records.last() else {
                continue;
            };
            if super::erasure(records.iter().map(|(_, r)| r)).is_some() {
                continue;
            }
            // The recycle bin's purge erases them anyway, by its own id.
            if forms.binned(&contact.subject)?.is_some() {
                continue;
            }
            let at = last.received_at_ms;
            // A direct grant or a confirmation: an opt-in that held once.
            let ever_granted = records.iter().any(|(_, r)| {
                r.form
                    .as_ref()
                    .is_some_and(|f| f.outcome == Outcome::Granted)
            });
            let reason = if closing {
                Reason::SiteClosing
            } else if older(rules.inactive_days, at) {
                Reason::Inactive
            } else if !ever_granted && older(rules.unconfirmed_days, at) {
                Reason::Unconfirmed
            } else {
                continue;
            };
            out.push(Due {
                subject: contact.subject.clone(),
                reason,
                last_activity_ms: at,
            });
            if out.len() as u64 >= limit {
                return Ok(out);
            }
        }
        match page.last() {
            Some(last) if page.len() as u64 == PAGE => after = Some(last.subject.clone()),
            _ => return Ok(out),
        }
    }
}

/// The event id of a subject's retention erasure: derived, so a retried run
/// is the same erasure.
pub fn erasure_id(subject: &SubjectId) -> EventId {
    EventId::from_random_bytes(crate::ids::derived(
        "assent/retention/v1",
        &[subject.as_str()],
    ))
}

/// Longest a closing may be set ahead, in days.
pub const CLOSING_MAX_DAYS: u64 = 365;

impl<L: LogStore + ?Sized, F: FormStore + ?Sized> Site<'_, L, F> {
    /// Sets the site's closing: every contact anonymised from the start of
    /// `day` (`YYYY-MM-DD`, after today and at most [`CLOSING_MAX_DAYS`]
    /// ahead), by `by`. Set again, the new day replaces the old.
    pub fn close(&mut self, day: &str, by: &str) -> Result<Closing, Error> {
        let invalid = |reason: &str| -> Error {
            RightsError::ClosingInvalid {
                reason: reason.into(),
            }
            .into()
        };
        let at = crate::utc::parse_date(day).ok_or_else(|| invalid("a date as YYYY-MM-DD"))?;
        let now = self.ctx.now_ms;
        if at <= now || at > now + CLOSING_MAX_DAYS * 86_400_000 {
            return Err(invalid("a day after today, at most 365 days ahead"));
        }
        if self
            .forms
            .closing()?
            .is_some_and(|c| now >= c.anonymise_by_ms)
        {
            return Err(RightsError::SiteClosed.into());
        }
        let closing = Closing {
            anonymise_by_ms: at,
            set_ms: now,
            by: by.into(),
        };
        self.forms.set_closing(Some(&closing))?;
        Ok(closing)
    }

    /// Takes the site's closing back, before its day; after it,
    /// [`RightsError::SiteClosed`] (what ran is done); none set is
    /// [`RightsError::NotClosing`].
    pub fn reopen(&mut self) -> Result<Closing, Error> {
        let held = self.forms.closing()?.ok_or(RightsError::NotClosing)?;
        if self.ctx.now_ms >= held.anonymise_by_ms {
            return Err(RightsError::SiteClosed.into());
        }
        self.forms.set_closing(None)?;
        Ok(held)
    }

    /// Anonymises up to `limit` contacts due at `ctx.now_ms`; returns them.
    pub fn run_retention(&mut self, limit: u64) -> Result<Vec<Due>, Error> {
        let (log, forms, config, key, ctx) = self.parts();
        let due = due(log, forms, config, ctx.now_ms, limit)?;
        for d in &due {
            Site::new(log, forms, config, key, ctx).erase_by(
                &d.subject,
                erasure_id(&d.subject),
                Surface::Schedule,
            )?;
        }
        Ok(due)
    }

    /// [`Site::run_retention`], then each anonymised contact's open requests
    /// closed in `requests` by its erasure
    /// ([`super::requests::close_for_erasure`]).
    pub fn run_retention_closing<R: super::requests::RequestStore + ?Sized>(
        &mut self,
        requests: &mut R,
        limit: u64,
    ) -> Result<Vec<Due>, Error> {
        let ran = self.run_retention(limit)?;
        let erased = ran
            .iter()
            .map(|d| (d.subject.clone(), erasure_id(&d.subject)));
        super::requests::close_for_erasures(requests, erased, self.ctx.now_ms)?;
        Ok(ran)
    }
}
