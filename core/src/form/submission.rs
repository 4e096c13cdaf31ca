//! A form submission as the form widget posts it: the consent event, the
//! identity fields (which never enter the event) and, where the form asks,
//! the age. [`FormSubmission::check`] applies every rule and says what the
//! submission amounts to ([`Outcome`]).
//!
//! The age is read and judged here and then dropped: the record keeps only
//! the age of consent that applied and the outcome, never the age itself.

use serde::{Deserialize, Serialize};

use crate::config::SiteConfig;
use crate::error::{Error, EventError, FormError};
use crate::event::{ConsentEvent, Context};
use crate::form::config::{AgeQuestion, FieldUse, FormConfig};
use crate::form::identity::{Identity, IdentityInput};

/// What a checked submission amounts to, and what a form record says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Holds now (no double opt-in, or a confirmation).
    Granted,
    /// Waits for the person to confirm by the link sent to them.
    Pending,
    /// Under the age of consent: waits for a parent to confirm.
    ParentalConsentRequired,
    /// Nothing was ticked: the offers were shown and declined. Records
    /// before 2026-12-06 only: a submission with nothing ticked is now
    /// refused (`nothing_chosen`) and stores nothing.
    Refused,
    /// A pending submission whose link ran out unconfirmed.
    Expired,
    /// The person withdrew what they had granted (or what waited).
    Withdrawn,
    /// The subject was erased: every offer ends with the identity.
    Erased,
    /// The identity was corrected; the offers are as they were.
    Rectified,
    /// The person objected to a channel: its offers end.
    Objected,
}

impl Outcome {
    /// The wire name, e.g. `parental_consent_required`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Granted => "granted",
            Outcome::Pending => "pending",
            Outcome::ParentalConsentRequired => "parental_consent_required",
            Outcome::Refused => "refused",
            Outcome::Expired => "expired",
            Outcome::Withdrawn => "withdrawn",
            Outcome::Erased => "erased",
            Outcome::Rectified => "rectified",
            Outcome::Objected => "objected",
        }
    }
}

/// The body of `POST /v1/sites/{site}/forms/{form}/submissions`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormSubmission {
    /// The consent event (surface `form`, one decision per offer).
    pub event: ConsentEvent,
    /// The identity fields.
    pub identity: IdentityInput,
    /// The age in years, or the birth year, as the form asks.
    #[serde(default)]
    pub age: Option<u16>,
}

/// A submission that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checked {
    /// The normalised identity, for the vault and the commitment.
    pub identity: Identity,
    /// What the submission amounts to.
    pub outcome: Outcome,
    /// The age of consent applied, where the form has an age rule.
    pub age_of_consent: Option<u8>,
}

impl FormSubmission {
    /// Parses a submission; the event's ids keep their own error codes, any
    /// other shape error is `event_malformed`.
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        serde_json::from_slice(json).map_err(|e| {
            #[derive(Deserialize)]
            struct Event {
                event: serde_json::Value,
            }
            let id_error = serde_json::from_slice::<Event>(json)
                .ok()
                .and_then(|b| ConsentEvent::from_json(b.event.to_string().as_bytes()).err())
                .filter(|e| e.code() != "event_malformed");
            id_error.unwrap_or_else(|| {
                Error::Event(EventError::EventMalformed {
                    message: e.to_string(),
                })
            })
        })
    }

    /// Checks the submission for form `form` (the route's) against the site:
    /// the event's rules, then the identity fields and the age. `country`
    /// is the platform's attribution of the request, for the age rule.
    pub fn check(
        &self,
        config: &SiteConfig,
        form: &str,
        ctx: &Context<'_>,
        country: Option<&str>,
    ) -> Result<Checked, Error> {
        let choice = self.event.form.as_ref().ok_or_else(|| {
            Error::Form(FormError::SurfaceMismatch {
                reason: "a form submission needs its form's decisions".into(),
            })
        })?;
        if choice.id != *form {
            return Err(Error::Form(FormError::SurfaceMismatch {
                reason: "the event is for another form than the one it was sent to".into(),
            }));
        }
        self.event.validate(config, ctx)?;
        let form = config.form(form).expect("validate() found the form");
        // A phone number written nationally: the form's country, else the visitor's.
        let identity = self
            .identity
            .normalise(form.phone_country.as_deref().or(country))?;
        check_field("name", form.fields.name, identity.name.is_some())?;
        check_field("phone", form.fields.phone, identity.phone.is_some())?;
        let ticked: Vec<&str> = choice
            .offers
            .iter()
            .filter(|(_, &on)| on)
            .map(|(k, _)| k.as_str())
            .collect();
        // Nothing ticked, nothing kept: an address with no consent to go
        // with it is data the site has no reason to hold.
        if ticked.is_empty() {
            return Err(Error::Form(FormError::NothingChosen));
        }
        let needs_phone = ticked
            .iter()
            .any(|k| form.offer(k).is_some_and(|o| o.channel.needs_phone()));
        if needs_phone && identity.phone.is_none() {
            return Err(Error::Form(FormError::FieldRequired {
                field: "phone".into(),
            }));
        }
        let (under_age, age_of_consent) = self.judge_age(form, ctx.now_ms, country)?;
        match (&identity.parent_email, under_age && !ticked.is_empty()) {
            (None, true) => {
                return Err(Error::Form(FormError::FieldRequired {
                    field: "parent_email".into(),
                }))
            }
            (Some(parent), true) if *parent == identity.email => {
                return Err(Error::Form(FormError::EmailInvalid {
                    reason: "the parent's address is the same as the person's".into(),
                }))
            }
            (Some(_), false) => {
                return Err(Error::Form(FormError::FieldNotAsked {
                    field: "parent_email".into(),
                }))
            }
            _ => {}
        }
        let outcome = if under_age {
            Outcome::ParentalConsentRequired
        } else if form.double_opt_in {
            Outcome::Pending
        } else {
            Outcome::Granted
        };
        Ok(Checked {
            identity,
            outcome,
            age_of_consent,
        })
    }

    /// Whether the person is under the age of consent, and the age applied.
    fn judge_age(
        &self,
        form: &FormConfig,
        now_ms: u64,
        country: Option<&str>,
    ) -> Result<(bool, Option<u8>), Error> {
        let Some(rule) = &form.age else {
            return match self.age {
                Some(_) => Err(Error::Form(FormError::FieldNotAsked {
                    field: "age".into(),
                })),
                None => Ok((false, None)),
            };
        };
        let given = self.age.ok_or_else(|| {
            Error::Form(FormError::FieldRequired {
                field: "age".into(),
            })
        })?;
        let years = match rule.ask {
            AgeQuestion::Age => given,
            AgeQuestion::BirthYear => {
                let this_year = year_of(now_ms);
                if given > this_year {
                    return Err(Error::Form(FormError::AgeInvalid));
                }
                this_year - given
            }
        };
        if years > 120 {
            return Err(Error::Form(FormError::AgeInvalid));
        }
        let threshold = rule.threshold(country);
        Ok((years < u16::from(threshold), Some(threshold)))
    }
}

fn check_field(field: &str, rule: Option<FieldUse>, given: bool) -> Result<(), Error> {
    match (rule, given) {
        (None, true) => Err(Error::Form(FormError::FieldNotAsked {
            field: field.into(),
        })),
        (Some(FieldUse::Required), false) => Err(Error::Form(FormError::FieldRequired {
            field: field.into(),
        })),
        _ => Ok(()),
    }
}

/// The UTC calendar year of a time in milliseconds since the Unix epoch.
pub fn year_of(ms: u64) -> u16 {
    crate::utc::date(ms).0
}

#[cfg(test)]
mod tests {
    use super::year_of;

    #[test]
    fn years_of_known_days() {
        assert_eq!(year_of(0), 1970);
        assert_eq!(year_of(951_782_400_000), 2000); // 2000-02-29
        assert_eq!(year_of(1_798_761_599_000), 2026); // 2026-12-31T23:59:59Z
        assert_eq!(year_of(1_798_761_600_000), 2027); // 2027-01-01
    }
}
