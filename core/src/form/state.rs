//! A subject's state per offer (`channel:purpose`), folded from their records
//! in log order: the same fold for the edge, the CLI and the owner's console.
//!
//! - A submission sets each *ticked* offer to its outcome (pending, pending a
//!   parent, or granted) and leaves an unticked one as it was, or `refused`
//!   if it had no state: an unticked box on a later form is not a withdrawal.
//!   A ticked offer already granted stays granted.
//! - A confirmation grants the offers still waiting on the submission it
//!   answers; an expiry marks them `expired`. A confirmation of a
//!   submission that no longer waits (withdrawn since) grants nothing. The
//!   mailed link proves the address, not a phone number: an offer on a
//!   channel that needs the phone (SMS, calls) becomes `unverified`, never
//!   `granted`, until the number is proven to be the person's: a second
//!   confirmation of the same submission with control `phone_confirm` (the
//!   code texted to its number, typed: `form::phone`) grants the offers
//!   that the first left `unverified`, and nothing else.
//! - A withdrawal (a form event with action `withdraw`) sets each offer it
//!   unticks to `withdrawn`.
//! - An erasure sets every offer to `erased`.
//! - The owner's record of consent given offline (`form::attest`) sets each
//!   offer it names to `granted`, or to `legitimate_interests` or
//!   `contract` for another basis; an offer the person granted themselves
//!   stays granted under consent.
//! - An objection sets every offer it names to `objected`, whatever it
//!   was, and `<channel>:*` stands for the channel as a whole (offers a
//!   form adds later included). A confirmed opt-in of the person's own
//!   grants its offers again and ends the channel's `*`; nothing else
//!   changes an objected offer but a new objection or an erasure.
//!
//! Offers are the same consent whichever form collected them.

use alloc::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::attestation::Basis;
use crate::event::{Action, Control};
use crate::form::config::Channel;
use crate::form::submission::Outcome;
use crate::ids::EventId;
use crate::record::StoredRecord;

/// The state of one offer for one subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferState {
    /// Consent holds.
    Granted,
    /// Shown and left unticked, never granted.
    Refused,
    /// Ticked; waits for the person's confirmation.
    Pending,
    /// Ticked by someone under the age of consent; waits for a parent.
    ParentalConsentRequired,
    /// Ticked and confirmed by the mailed link, on a channel that needs a
    /// phone number nobody proved to hold: not granted.
    Unverified,
    /// Waited, and the confirmation link ran out.
    Expired,
    /// Granted or waiting once, then withdrawn.
    Withdrawn,
    /// The subject was erased.
    Erased,
    /// Held under the owner's legitimate interests (recorded by the owner,
    /// `form::attest`): not consent; an objection ends it.
    LegitimateInterests,
    /// Held under a contract with the person (recorded by the owner): not
    /// consent; an objection ends it.
    Contract,
    /// The person objected (Art. 21): nothing holds on it until the person
    /// opts in again themselves, through a confirmed opt-in.
    Objected,
}

impl OfferState {
    /// Whether the person can withdraw an offer in this state: one granted,
    /// or one still in the making (waiting for a confirmation, a parent or
    /// a phone code), so that a withdrawal stops it from ever holding.
    pub fn is_withdrawable(self) -> bool {
        matches!(
            self,
            OfferState::Granted
                | OfferState::Pending
                | OfferState::ParentalConsentRequired
                | OfferState::Unverified
        )
    }
}

/// An offer's state and the event that set it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferStatus {
    /// The state.
    pub state: OfferState,
    /// The event that set it.
    pub event_id: EventId,
    /// When the edge received that event (ms since the Unix epoch).
    pub since_ms: u64,
}

/// Folds a subject's records, in log order, into the state of each offer.
/// Records without form decisions (banner choices) are skipped.
pub fn fold<'a>(
    records: impl IntoIterator<Item = &'a StoredRecord>,
) -> BTreeMap<String, OfferStatus> {
    let mut states: BTreeMap<String, OfferStatus> = BTreeMap::new();
    // The identity (commitment) each phone offer's number was proven under.
    let mut proven: BTreeMap<String, String> = BTreeMap::new();
    let needs_phone = |key: &str| Channel::of_offer(key).is_some_and(Channel::needs_phone);
    for record in records {
        let (Some(choice), Some(facts)) = (&record.event.form, &record.form) else {
            continue;
        };
        let status = |state| OfferStatus {
            state,
            event_id: record.event.event_id.clone(),
            since_ms: record.received_at_ms,
        };
        let waiting = |s: &OfferStatus, on: &EventId| {
            matches!(
                s.state,
                OfferState::Pending | OfferState::ParentalConsentRequired
            ) && s.event_id == *on
        };
        match (record.event.action, &record.event.answers) {
            (Action::Confirm, Some(on)) if record.event.ui.control == Control::PhoneConfirm => {
                // Only what this submission's link left unverified: an offer
                // withdrawn since, or unverified by another submission (with
                // another number), stays as it is.
                let by = settling_id(on, "confirm");
                let mut granted = alloc::vec::Vec::new();
                for (key, s) in states.iter_mut() {
                    if s.state == OfferState::Unverified && s.event_id == by {
                        *s = status(OfferState::Granted);
                        proven.insert(key.clone(), facts.identity.clone());
                        granted.extend(Channel::of_offer(key));
                    }
                }
                lift_objections(&mut states, granted);
            }
            (Action::Confirm, Some(on)) => {
                let mut granted = alloc::vec::Vec::new();
                for (key, s) in states.iter_mut() {
                    let phone = needs_phone(key);
                    // A phone offer granted under another identity (another
                    // number) and ticked again on this submission: the link
                    // proves the address, the new number is unproven.
                    let renumbered = phone
                        && s.state == OfferState::Granted
                        && choice.offers.get(key) == Some(&true)
                        && proven.get(key) != Some(&facts.identity);
                    if waiting(s, on) || renumbered {
                        *s = status(if phone {
                            OfferState::Unverified
                        } else {
                            granted.extend(Channel::of_offer(key));
                            OfferState::Granted
                        });
                    }
                }
                lift_objections(&mut states, granted);
            }
            (Action::Object, _) => {
                for key in choice.offers.keys() {
                    states.insert(key.clone(), status(OfferState::Objected));
                }
            }
            (Action::Expire, Some(on)) => {
                for s in states.values_mut().filter(|s| waiting(s, on)) {
                    *s = status(OfferState::Expired);
                }
            }
            // Restriction and rectification change no consent.
            (Action::Restrict | Action::LiftRestriction | Action::Rectify, _) => {}
            (Action::Erase, _) => {
                for s in states.values_mut() {
                    *s = status(OfferState::Erased);
                }
            }
            (Action::Withdraw, _) => {
                for (key, _) in choice.offers.iter().filter(|(_, &on)| !on) {
                    if let Some(s) = states.get_mut(key) {
                        if s.state.is_withdrawable() {
                            *s = status(OfferState::Withdrawn);
                        }
                    }
                }
            }
            _ => {
                let basis = facts.attested.as_ref().map(|a| a.basis);
                for (key, &on) in &choice.offers {
                    let current = states.get(key).map(|s| s.state);
                    let next = match (on, facts.outcome, current) {
                        (true, _, Some(OfferState::Granted)) => continue,
                        // The owner's word: the basis it names (a number
                        // given with it is vouched for by the owner).
                        (true, _, _) if basis.is_some() => {
                            basis.map_or(OfferState::Granted, held_under)
                        }
                        // Without a confirmation nothing proved the number.
                        (true, Outcome::Granted, _) if needs_phone(key) => OfferState::Unverified,
                        (true, Outcome::Granted, _) => OfferState::Granted,
                        (true, Outcome::Pending, _) => OfferState::Pending,
                        (true, Outcome::ParentalConsentRequired, _) => {
                            OfferState::ParentalConsentRequired
                        }
                        (false, _, None) => OfferState::Refused,
                        _ => continue,
                    };
                    states.insert(key.clone(), status(next));
                }
            }
        }
    }
    states
}

/// The person's own confirmed opt-in on `channels`, which they had objected
/// to: each channel's objection as a whole ends (its other offers stay
/// objected).
fn lift_objections(states: &mut BTreeMap<String, OfferStatus>, channels: alloc::vec::Vec<Channel>) {
    for channel in channels {
        let all = whole(channel);
        if states
            .get(&all)
            .is_some_and(|s| s.state == OfferState::Objected)
        {
            states.remove(&all);
        }
    }
}

/// The state an offer held under `basis` is in.
pub fn held_under(basis: Basis) -> OfferState {
    match basis {
        Basis::Consent => OfferState::Granted,
        Basis::LegitimateInterests => OfferState::LegitimateInterests,
        Basis::Contract => OfferState::Contract,
    }
}

/// The key that stands for `channel` as a whole in an objection's record
/// and the fold's state: `post:*`.
pub fn whole(channel: Channel) -> String {
    alloc::format!("{}:*", channel.as_str())
}

/// Whether `offer` (`channel:purpose`) is objected to in `state`: itself,
/// or its channel as a whole.
pub fn objected(state: &BTreeMap<String, OfferStatus>, offer: &str) -> bool {
    let is = |key: &str| {
        state
            .get(key)
            .is_some_and(|s| s.state == OfferState::Objected)
    };
    is(offer) || Channel::of_offer(offer).is_some_and(|c| is(&whole(c)))
}

/// The id of the event that settles `pending` in `kind` (`confirm` or
/// `expire`): derived, so the same settlement is always the same event.
pub fn settling_id(pending: &EventId, kind: &str) -> EventId {
    EventId::from_random_bytes(crate::ids::derived(
        "assent/settle/v1",
        &[kind, pending.as_str()],
    ))
}
