//! What a site's opt-out and block lists do to the people on them, without
//! I/O (the lists themselves are [`super::import`]'s): a listed contact's
//! consent on the list's channels is withdrawn ([`Site::withdraw_listed`],
//! one event each, the CRM told, a contact in the recycle bin left to its
//! purge), and the owner takes an address off ([`Site::unlist`], an
//! `unlist` record that commits to its key).

use crate::error::{Error, FormError, RightsError};
use crate::event::Action;
use crate::form::config::Channel;
use crate::form::store::{FormStore, SuppressionKind};
use crate::ids::{EventId, SubjectId};
use crate::log::sequencer;
use crate::log::store::LogStore;
use crate::record::ImportFacts;
use crate::rights::import::{digest, import_event, index_of, ImportRecord, List};
use crate::site::Site;

/// The event id of the withdrawal a list's batch makes for one contact:
/// derived, so a batch run again after a fault withdraws nothing twice.
pub fn withdrawal_id(batch: &EventId, subject: &SubjectId) -> EventId {
    EventId::from_random_bytes(crate::ids::derived(
        "assent/list-withdrawal/v1",
        &[batch.as_str(), subject.as_str()],
    ))
}

impl<L: LogStore + ?Sized, F: FormStore + ?Sized> Site<'_, L, F> {
    /// Withdraws, for each contact among `lookups` (newly listed by the
    /// batch `batch`), the offers on the list's channels that are granted
    /// or wait; answers how many contacts had any.
    pub fn withdraw_listed(
        &mut self,
        lookups: &[String],
        list: &List,
        batch: &EventId,
    ) -> Result<u64, Error> {
        let (log, forms, config, key, ctx) = self.parts();
        let mut withdrawn = 0;
        for lookup in lookups {
            let Some(contact) = forms.contact(lookup)? else {
                continue;
            };
            if forms.binned(&contact.subject)?.is_some() {
                continue;
            }
            let on_list = |offer: &str| {
                list.withdraws().is_none_or(|channels| {
                    Channel::of_offer(offer).is_some_and(|c| channels.contains(&c))
                })
            };
            let id = withdrawal_id(batch, &contact.subject);
            match Site::new(log, forms, config, key, ctx).withdraw_where(
                &contact.subject,
                &on_list,
                id,
            ) {
                Ok(_) => withdrawn += 1,
                Err(Error::Form(FormError::NothingToWithdraw)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(withdrawn)
    }

    /// Takes `lookup` out of the site's lists (the owner's removal): the
    /// entry goes, and an `unlist` record commits to its key (kind and a
    /// digest, as an import's). Its repeat answers the first record; a key
    /// on no list, or suppressed by an erasure (which only the erasure
    /// decides), is [`RightsError::NotListed`].
    pub fn unlist(&mut self, lookup: &str, event_id: EventId) -> Result<ImportRecord, Error> {
        let (log, forms, config, key, ctx) = self.parts();
        if let Some(entry) = log.entry_by_event(&event_id)? {
            return Ok(ImportRecord {
                event_id,
                index: entry.index,
            });
        }
        let held = forms
            .suppression(lookup)?
            .filter(|s| s.kind != SuppressionKind::Erased)
            .ok_or(RightsError::NotListed)?;
        forms.remove_suppression(lookup)?;
        let facts = ImportFacts {
            kind: held.kind,
            channels: None,
            removed: true,
            count: 1,
            digest: digest([lookup]),
        };
        let mut event = import_event(config, event_id.clone(), ctx)?;
        event.action = Action::Unlist;
        event.page.path = crate::api::admin_suppressions(&config.site);
        let appended = sequencer::append(log, config, key, ctx.request(event, None, Some(facts)))?;
        let index = index_of(&appended)?;
        Ok(ImportRecord { event_id, index })
    }
}
