//! An objection (GDPR Art. 21) to contact on a channel, without I/O: its
//! own action, not a withdrawal.
//!
//! A withdrawal ends consent that was given; an objection says "never
//! contact me by post" and holds whether or not anything was granted, and
//! whatever the basis (consent, legitimate interests, a contract). Its
//! record (`object`, surface `owner` when the owner records what the person
//! said by phone or letter, `mail` from an unsubscribe link) names every
//! offer on the channel the site's forms have and the subject's history
//! holds, each `false`, and `<channel>:*` for the channel as a whole. The
//! fold ([`crate::form::state`]) makes each `objected`. Afterwards:
//! - the owner cannot record consent or another basis on the channel
//!   ([`RightsError::Objected`], `form::attest`);
//! - a form submission that ticks an offer on it waits for the person's
//!   confirmation, whatever the form's double opt-in says (only their own
//!   confirmed opt-in lifts it: `form::intake`);
//! - exports show `objected`, and the CRM gets `subject.objected`.
//!
//! An objection to a channel already objected to answers the record that
//! made it. A subject with no form record (a banner visitor) has no channel
//! to object to ([`RightsError::SubjectUnknown`]).

use alloc::collections::BTreeMap;
use alloc::string::String;

use crate::error::{Error, RightsError};
use crate::event::{Action, FormChoice, UiRef};
use crate::form::config::Channel;
use crate::form::settle::{append_settlement, edge_event, repeat};
use crate::form::state::{fold, whole, OfferState};
use crate::form::store::FormStore;
use crate::form::submission::Outcome;
use crate::ids::{EventId, SubjectId};
use crate::log::sequencer::Appended;
use crate::log::store::LogStore;
use crate::record::records_of;
use crate::site::Site;

impl<L: LogStore + ?Sized, F: FormStore + ?Sized> Site<'_, L, F> {
    /// Records that `subject` objects to contact on `channel` (see the
    /// module docs); `ui` and `path` say by which way in.
    pub fn object(
        &mut self,
        subject: &SubjectId,
        channel: Channel,
        event_id: EventId,
        ui: UiRef,
        path: String,
    ) -> Result<Appended, Error> {
        let (log, forms, config, key, ctx) = self.parts();
        if log.entry_by_event(&event_id)?.is_some() {
            return repeat(log, &event_id);
        }
        if forms.binned(subject)?.is_some() {
            return Err(RightsError::SubjectInRecycleBin.into());
        }
        let records = records_of(log, subject)?;
        let last = records
            .iter()
            .rev()
            .find(|r| r.form.is_some())
            .ok_or(RightsError::SubjectUnknown)?;
        if records.iter().any(|r| r.event.action == Action::Erase) {
            return Err(RightsError::SubjectErased.into());
        }
        let state = fold(&records);
        let all = whole(channel);
        if let Some(before) = state.get(&all).filter(|s| s.state == OfferState::Objected) {
            return repeat(log, &before.event_id);
        }
        let on_channel = |key: &str| Channel::of_offer(key) == Some(channel);
        let mut offers: BTreeMap<String, bool> = config
            .forms
            .iter()
            .flat_map(|f| f.offers.iter().map(|o| o.key()))
            .chain(state.keys().cloned())
            .filter(|k| on_channel(k))
            .map(|k| (k, false))
            .collect();
        offers.insert(all, false);
        let form = last
            .event
            .form
            .as_ref()
            .map(|f| f.id.clone())
            .ok_or(RightsError::SubjectUnknown)?;
        let mut event = edge_event(&last.event, event_id, Action::Object, ui, path, ctx);
        event.form = Some(FormChoice { id: form, offers });
        let appended = append_settlement(log, config, key, last, event, Outcome::Objected, ctx)?;
        crate::form::intake::enqueue(forms, config, &appended, ctx.now_ms)?;
        Ok(appended)
    }
}
