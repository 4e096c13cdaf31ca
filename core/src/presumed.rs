//! The choice a regime presumes before the visitor makes one (opt-out and
//! notice-only places, see [`crate::jurisdiction`]): built from the site's
//! configuration and its notice. Its own module so that the regimes depend
//! neither on the configuration nor on events.

#[allow(unused_imports)]
use crate::prelude::*;

use alloc::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::jurisdiction::Regime;

/// The choice a regime presumes before the visitor makes one: what the
/// widget runs by (it reads it as a stored choice, so no banner shows and
/// gating follows it) until the visitor chooses; their first choice then
/// changes the presumed one, and the log checks it so (an opt-out is a
/// `withdraw`). It is nobody's recorded choice and carries no receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresumedChoice {
    /// A fresh pseudonymous subject for this browser.
    pub subject: crate::ids::SubjectId,
    /// Per purpose: required ones on, optional ones as the regime presumes.
    pub decisions: BTreeMap<String, bool>,
    /// The notice it stands for.
    pub notice: crate::event::NoticeRef,
    /// Dated so that it lapses within a day of the consent lifetime: a
    /// browser keeps a presumed choice no longer, and a visitor who goes
    /// where consent is asked first is asked there.
    pub client_time_ms: u64,
    /// The regime that presumes it.
    pub regime: Regime,
    /// Always true: it was presumed, not chosen.
    pub presumed: bool,
}

impl crate::config::SiteConfig {
    /// The presumed choice under `regime` for a visitor shown `language`,
    /// with Global Privacy Control `gpc`; `None` under opt-in.
    pub fn presumed_choice(
        &self,
        regime: Regime,
        language: &str,
        gpc: bool,
        subject: crate::ids::SubjectId,
        now_ms: u64,
    ) -> Option<PresumedChoice> {
        if regime == Regime::OptIn {
            return None;
        }
        let notice = self.notice(language).ok()?;
        let decisions = self
            .purposes
            .iter()
            .map(|p| {
                (
                    p.id.clone(),
                    p.required || regime.presumes(p.sale_or_sharing, gpc),
                )
            })
            .collect();
        let lifetime_ms = u64::from(self.consent_lifetime_days) * crate::lifetime::DAY_MS;
        Some(PresumedChoice {
            subject,
            decisions,
            notice: crate::event::NoticeRef {
                version: self.notice_version.clone(),
                language: language.to_string(),
                hash: notice.hash(),
            },
            client_time_ms: now_ms
                .saturating_sub(lifetime_ms.saturating_sub(crate::lifetime::DAY_MS)),
            regime,
            presumed: true,
        })
    }
}
