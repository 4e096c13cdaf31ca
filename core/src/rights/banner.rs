//! A banner subject's choice as the privacy center shows and withdraws it.
//!
//! A browser visitor's consent lives in two places: the log (the proof) and
//! their browser (what the widget enforces). The center reads the log: the
//! choice in force is the subject's last banner record (no form) while it is
//! in force by [`crate::lifetime`]'s rule, the same one the sequencer checks
//! actions against. Withdrawing a purpose there appends an `update` (or a
//! `withdraw` when nothing optional is left) under the subject, surface
//! `api`, with the center's path as its page; the widget adopts it from the
//! subject's state when the visitor is back on the site.
//!
//! ```
//! use assent_core::rights::banner::withdrawn;
//! use std::collections::BTreeMap;
//!
//! let mut d = BTreeMap::from([("necessary".to_string(), true), ("analytics".into(), true)]);
//! let required = |p: &str| p == "necessary";
//! assert!(withdrawn(&mut d, None, required));
//! assert!(d["necessary"], "a required purpose is never withdrawn");
//! assert!(!d["analytics"]);
//! assert!(!withdrawn(&mut d, None, required), "nothing left to withdraw");
//! ```

use alloc::collections::BTreeMap;

use crate::config::SiteConfig;
use crate::error::{Error, FormError};
use crate::event::{Action, Control, Surface, UiRef};
use crate::form::settle::edge_event;
use crate::form::store::FormStore;
use crate::ids::{EventId, SubjectId};
use crate::lifetime;
use crate::log::sequencer::Appended;
use crate::log::store::LogStore;
use crate::record::StoredRecord;
use crate::site::Site;

/// The subject's banner choice in force at `now_ms`, if any: their last
/// banner record, made on the current notice and within its lifetime.
pub fn in_force<'a>(
    config: &SiteConfig,
    records: impl IntoIterator<Item = &'a StoredRecord>,
    now_ms: u64,
) -> Option<&'a StoredRecord> {
    let last = last_choice(records)?;
    lifetime::in_force(
        &last.event.notice.version,
        &config.notice_version,
        last.event.client_time_ms,
        now_ms,
        config.consent_lifetime_days,
    )
    .then_some(last)
}

/// The subject's last banner choice (a visitor's or the center's), in force
/// or not: what a widget adopts as the choice ([`in_force`] judges it).
pub fn last_choice<'a>(
    records: impl IntoIterator<Item = &'a StoredRecord>,
) -> Option<&'a StoredRecord> {
    records
        .into_iter()
        .filter(|r| r.event.form.is_none() && r.import.is_none())
        .filter(|r| !r.event.action.by_edge())
        .last()
}

/// Sets the optional purposes among `purposes` (all when `None`) to refused
/// in `decisions`; whether any was granted before.
pub fn withdrawn(
    decisions: &mut BTreeMap<String, bool>,
    purposes: Option<&[String]>,
    required: impl Fn(&str) -> bool,
) -> bool {
    let mut any = false;
    for (id, granted) in decisions.iter_mut() {
        let named = purposes.is_none_or(|list| list.iter().any(|p| p == id));
        if named && *granted && !required(id) {
            *granted = false;
            any = true;
        }
    }
    any
}

impl<L: LogStore + ?Sized, F: FormStore + ?Sized> Site<'_, L, F> {
    /// Withdraws the subject's banner consent to `purposes` (all optional ones
    /// when `None`) from the privacy center. Nothing granted among them is
    /// [`FormError::NothingToWithdraw`].
    pub fn withdraw_choice(
        &mut self,
        subject: &SubjectId,
        purposes: Option<&[String]>,
        event_id: EventId,
    ) -> Result<Appended, Error> {
        let (log, forms, config, key, ctx) = self.parts();
        let records: alloc::vec::Vec<StoredRecord> = super::history(log, subject)?
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        if super::erasure(&records).is_some() {
            return Err(super::RightsError::SubjectErased.into());
        }
        let nothing = || Error::Form(FormError::NothingToWithdraw);
        let last = in_force(config, &records, ctx.now_ms).ok_or_else(nothing)?;
        let mut event = last.event.clone();
        let required = |id: &str| config.purposes.iter().any(|p| p.id == id && p.required);
        if !withdrawn(&mut event.decisions, purposes, required) {
            return Err(nothing());
        }
        // A service runs only under its purpose: those of a withdrawn purpose go too.
        for p in &config.purposes {
            if event.decisions.get(&p.id) == Some(&false) {
                for s in &p.services {
                    if let Some(v) = event.services.get_mut(&s.id) {
                        *v = false;
                    }
                }
            }
        }
        let grants = config
            .purposes
            .iter()
            .any(|p| !p.required && event.decisions.get(&p.id) == Some(&true));
        let ui = UiRef {
            surface: Surface::Api,
            control: Control::Api,
        };
        let path = crate::api::privacy(&config.site);
        let event = edge_event(
            &event,
            event_id,
            Action::for_change(true, grants),
            ui,
            path,
            ctx,
        );
        let appended =
            crate::log::sequencer::append(log, config, key, ctx.request(event, None, None))?;
        crate::form::intake::enqueue(forms, config, &appended, ctx.now_ms)?;
        Ok(appended)
    }
}

// The vectors' site and events come with core's test support.
#[cfg(all(test, feature = "test-support"))]
mod tests {
    use super::*;
    use crate::form::memory::MemoryFormStore;
    use crate::log::conformance::{config, event, key};
    use crate::log::{LogOrigin, MemoryLogStore};
    use crate::site::EdgeContext;

    const T0: u64 = 1_795_000_000_000;

    fn ctx(now_ms: u64) -> EdgeContext {
        EdgeContext {
            now_ms,
            origin: LogOrigin::parse("edge.example/vectors").unwrap(),
            issuer: "https://edge.example".into(),
        }
    }

    /// A subject who accepted analytics and marketing in the banner.
    fn given(log: &mut MemoryLogStore) -> SubjectId {
        let mut e = event(&config(), 1, 1, "give", true, T0);
        e.decisions.insert("marketing".into(), true);
        let subject = e.subject.clone();
        crate::log::sequencer::append(log, &config(), &key(), ctx(T0).request(e, None, None))
            .unwrap();
        subject
    }

    fn record(a: &Appended) -> StoredRecord {
        let answer: serde_json::Value = serde_json::from_str(&a.answer).unwrap();
        serde_json::from_value(answer["record"].clone()).unwrap()
    }

    #[test]
    fn withdraws_one_purpose_then_the_rest_and_then_nothing() {
        let (mut log, mut forms) = (MemoryLogStore::default(), MemoryFormStore::default());
        let subject = given(&mut log);
        let cfg = config();
        let id = |b| EventId::from_random_bytes([b; 16]);
        let mut go = |purposes: Option<&[String]>, n: u8| {
            Site::new(
                &mut log,
                &mut forms,
                &cfg,
                &key(),
                &ctx(T0 + u64::from(n) * 1000),
            )
            .withdraw_choice(&subject, purposes, id(n))
        };
        let one = record(&go(Some(&["marketing".into()]), 1).unwrap());
        assert_eq!(one.event.action, Action::Update);
        assert!(!one.event.decisions["marketing"]);
        assert!(one.event.decisions["analytics"]);
        assert!(one.event.decisions["necessary"]);
        assert_eq!(one.event.ui.surface, Surface::Api);
        assert_eq!(one.event.page.path, "/v1/sites/vectors/privacy");

        let e = go(Some(&["necessary".into()]), 2).unwrap_err();
        assert_eq!(e.code(), "nothing_to_withdraw", "a required purpose stays");
        let all = record(&go(None, 3).unwrap());
        assert_eq!(all.event.action, Action::Withdraw);
        assert!(!all.event.decisions["analytics"]);
        let e = go(None, 4).unwrap_err();
        assert_eq!(e.code(), "nothing_to_withdraw");
        assert_eq!(log.size().unwrap(), 3, "a refusal appends nothing");
    }

    #[test]
    fn an_expired_choice_is_not_in_force() {
        let mut log = MemoryLogStore::default();
        let subject = given(&mut log);
        let records: alloc::vec::Vec<StoredRecord> = super::super::history(&log, &subject)
            .unwrap()
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        let cfg = config();
        assert!(in_force(&cfg, &records, T0 + 1).is_some());
        let later = T0 + u64::from(cfg.consent_lifetime_days) * lifetime::DAY_MS;
        assert!(in_force(&cfg, &records, later).is_none());
    }
}
