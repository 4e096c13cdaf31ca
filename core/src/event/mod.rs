//! The consent event: what the widget sends when a visitor decides.
//!
//! An event is parsed from JSON with [`ConsentEvent::from_json`] (shape errors
//! are `event_malformed`) and then checked against the site configuration with
//! [`ConsentEvent::validate`], which returns the first broken rule with its own
//! code. Time comes in through [`Context`]: this crate never reads a clock.
//!
//! Rules that make the event usable as proof of consent:
//! - every purpose the site offers has an explicit decision (silence is refusal,
//!   but a proof must say what was decided, so a missing decision is an error);
//! - a required purpose cannot be refused, an unknown purpose cannot be decided;
//! - the notice version, language and hash match what the site shows now;
//! - the action agrees with the decisions (a "refuse" grants nothing optional).

#[allow(unused_imports)]
use crate::prelude::*;

use alloc::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, EventError};
use crate::ids::{EventId, SiteId, SubjectId};

/// How far a client clock may run ahead of the server (24 hours): wrong clocks
/// are common, and refusing a visitor's choice over them would lose the proof.
pub const MAX_FUTURE_SKEW_MS: u64 = 24 * 60 * 60 * 1000;
/// How old an event may be when it arrives (30 days): an event waits in the
/// widget's outbox until the edge acknowledges it, even across visits.
pub const MAX_PAST_SKEW_MS: u64 = 30 * 24 * 60 * 60 * 1000;
/// Longest page path kept in a record.
pub const MAX_PATH_LEN: usize = 1024;
/// Longest widget version string.
pub const MAX_WIDGET_VERSION_LEN: usize = 32;

/// One consent event as sent by the widget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentEvent {
    /// Client-chosen UUIDv4; the idempotency key.
    pub event_id: EventId,
    /// The site id.
    pub site: SiteId,
    /// Pseudonymous subject id (a UUIDv7, or v4, kept in the visitor's browser).
    pub subject: SubjectId,
    /// What kind of decision this is.
    pub action: Action,
    /// One decision per purpose the site offers: `true` granted, `false` refused.
    /// A key sent twice is refused (`event_malformed`), never resolved.
    #[serde(deserialize_with = "unique_keys")]
    pub decisions: BTreeMap<String, bool>,
    /// Decisions per service of an optional purpose, where the visitor could
    /// refuse a service inside a granted purpose. A service not listed follows
    /// its purpose. Absent when empty, so records without services hash as before.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "unique_keys"
    )]
    pub services: BTreeMap<String, bool>,
    /// An opt-in form's decisions (surface `form`): one per offer. Absent
    /// for the banner and its kin, so their records hash as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<FormChoice>,
    /// The event this one answers: the pending submission a confirmation or
    /// an expiry settles. Only the edge makes such events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<EventId>,
    /// The notice the visitor was shown.
    pub notice: NoticeRef,
    /// Where and how the visitor decided.
    pub ui: UiRef,
    /// Client time of the decision, milliseconds since the Unix epoch.
    pub client_time_ms: u64,
    /// Whether the page saw Global Privacy Control (`navigator.globalPrivacyControl`).
    pub gpc: bool,
    /// The page the visitor was on.
    pub page: PageRef,
    /// Version of the widget that recorded the event.
    pub widget_version: String,
    /// The IAB TCF v2.3 TC string the page set with this choice, on a site
    /// with TCF settings: the edge holds it to the decisions
    /// ([`crate::tcf::choice::check`]), the record keeps it and the receipt
    /// covers it. Absent otherwise, so records without it hash as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tc_string: Option<String>,
}

/// A JSON object of booleans in which every key appears once: serde's maps
/// keep the last of two equal keys, which would let one body say two things.
fn unique_keys<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, bool>, D::Error> {
    struct Unique;
    impl<'de> serde::de::Visitor<'de> for Unique {
        type Value = BTreeMap<String, bool>;
        fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.write_str("an object of booleans with unique keys")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some((key, value)) = map.next_entry::<String, bool>()? {
                if out.insert(key, value).is_some() {
                    return Err(serde::de::Error::custom("duplicate key"));
                }
            }
            Ok(out)
        }
    }
    d.deserialize_map(Unique)
}

/// An opt-in form's decisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormChoice {
    /// The form (its id is checked when read).
    pub id: crate::ids::FormId,
    /// One decision per offer, by `channel:purpose`: `true` ticked, `false`
    /// shown and left unticked. A key sent twice is refused.
    #[serde(deserialize_with = "unique_keys")]
    pub offers: BTreeMap<String, bool>,
}

/// Whether `value` is printable ASCII without spaces: what a browser's
/// `location.pathname` is (non-ASCII arrives percent-encoded), so a control
/// character, a line break or a NUL can never reach a record.
#[cfg(feature = "std")]
pub(crate) fn printable_ascii(value: &str) -> bool {
    value.bytes().all(|b| b.is_ascii_graphic())
}

pub use crate::action::Action;

#[cfg(feature = "std")]
mod validate;

/// Which notice the visitor saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeRef {
    /// Notice version.
    pub version: String,
    /// Language of the texts.
    pub language: String,
    /// Notice hash (see [`Notice::hash`](crate::notice::Notice::hash)).
    pub hash: String,
}

/// Where and how the visitor decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UiRef {
    /// The surface the control was on.
    pub surface: Surface,
    /// The control used.
    pub control: Control,
}

/// A surface of the widget (the form's and the edge's own, `mail` and
/// `schedule`, with `std` only, as for [`Action`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Surface {
    /// The first-layer banner.
    Banner,
    /// The preferences panel.
    Preferences,
    /// An opt-in form embedded in the page.
    Form,
    /// The site's own code, through the JS API.
    Api,
    /// The placeholder of a blocked embed (video, map, social post).
    Embed,
    /// A link in a message the edge sent (a double opt-in confirmation).
    #[cfg(feature = "std")]
    Mail,
    /// The edge's own scheduled work (a confirmation that expired).
    #[cfg(feature = "std")]
    Schedule,
    /// The site's owner, on the person's word: consent given offline, a
    /// lawful basis, an objection received by phone or letter
    /// (`form::attest`, `form::objection`). Never the person's own event.
    #[cfg(feature = "std")]
    Owner,
}

/// A control of the widget (the form's and the edge's own with `std` only,
/// as for [`Action`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Control {
    /// "Accept all".
    AcceptAll,
    /// "Reject all".
    RejectAll,
    /// "Save choices" with the switches as set.
    Save,
    /// "Withdraw all".
    WithdrawAll,
    /// A call of the JS API.
    Api,
    /// "Allow and load" on an embed's placeholder: grants that embed's
    /// purpose (and service) only.
    AllowEmbed,
    /// A form's submission (Assent's own form or the site's, enhanced).
    #[cfg(feature = "std")]
    Submit,
    /// The confirmation link, opened by the person.
    #[cfg(feature = "std")]
    Confirm,
    /// The confirmation link sent to a parent, opened.
    #[cfg(feature = "std")]
    ParentConfirm,
    /// The code texted to the submission's phone number, typed on the
    /// confirmation page: the number is the person's (`form::phone`).
    #[cfg(feature = "std")]
    PhoneConfirm,
    /// The confirmation time ran out.
    #[cfg(feature = "std")]
    Expire,
    /// The owner's erasure of the subject.
    #[cfg(feature = "std")]
    Erase,
    /// The owner's import of a list.
    #[cfg(feature = "std")]
    Import,
    /// A one-click unsubscribe link in a mail (RFC 8058), or the page it
    /// opens: a withdrawal of one channel.
    #[cfg(feature = "std")]
    Unsubscribe,
    /// The owner's record of consent given offline, or of another basis.
    #[cfg(feature = "std")]
    Attest,
    /// An objection (Art. 21) to a channel, the person's or received by
    /// the owner.
    #[cfg(feature = "std")]
    Object,
}

impl Surface {
    /// The wire name, e.g. `preferences`.
    pub fn as_str(self) -> &'static str {
        match self {
            Surface::Banner => "banner",
            Surface::Preferences => "preferences",
            Surface::Form => "form",
            Surface::Api => "api",
            Surface::Embed => "embed",
            #[cfg(feature = "std")]
            Surface::Mail => "mail",
            #[cfg(feature = "std")]
            Surface::Schedule => "schedule",
            #[cfg(feature = "std")]
            Surface::Owner => "owner",
        }
    }
}

impl Control {
    /// The wire name, e.g. `reject_all`.
    pub fn as_str(self) -> &'static str {
        match self {
            Control::AcceptAll => "accept_all",
            Control::RejectAll => "reject_all",
            Control::Save => "save",
            Control::WithdrawAll => "withdraw_all",
            Control::Api => "api",
            Control::AllowEmbed => "allow_embed",
            #[cfg(feature = "std")]
            Control::Submit => "submit",
            #[cfg(feature = "std")]
            Control::Confirm => "confirm",
            #[cfg(feature = "std")]
            Control::ParentConfirm => "parent_confirm",
            #[cfg(feature = "std")]
            Control::PhoneConfirm => "phone_confirm",
            #[cfg(feature = "std")]
            Control::Expire => "expire",
            #[cfg(feature = "std")]
            Control::Erase => "erase",
            #[cfg(feature = "std")]
            Control::Import => "import",
            #[cfg(feature = "std")]
            Control::Unsubscribe => "unsubscribe",
            #[cfg(feature = "std")]
            Control::Attest => "attest",
            #[cfg(feature = "std")]
            Control::Object => "object",
        }
    }
}

/// The page the visitor was on (origin and path only: no query, no fragment,
/// which may carry personal data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageRef {
    /// Page origin, `scheme://host[:port]`.
    pub origin: String,
    /// Page path, starting with `/`.
    pub path: String,
}

/// What the validator needs from outside: the server clock and the edge's own origin.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Server receive time, milliseconds since the Unix epoch.
    pub now_ms: u64,
    /// The edge's own origin: pages it serves itself may post events for any
    /// site, because the operator controls them.
    pub self_origin: Option<&'a str>,
}

impl ConsentEvent {
    /// Parses an event from JSON. Unknown fields are refused, so a client cannot
    /// smuggle data into a record that nobody validated.
    ///
    /// The ids are checked here, so an event holds only checked ids; an id
    /// that fails its check is reported with its own code
    /// (`event_id_invalid`, `site_id_invalid`, `subject_id_invalid`).
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        serde_json::from_slice(json).map_err(|e| {
            // Which id failed? Read just the ids (as plain strings) to say so.
            #[derive(Deserialize)]
            struct Ids {
                event_id: Option<String>,
                site: Option<String>,
                subject: Option<String>,
                form: Option<Form>,
            }
            #[derive(Deserialize)]
            struct Form {
                id: Option<String>,
            }
            let ids = serde_json::from_slice::<Ids>(json).ok();
            let id_error = ids.and_then(|ids| {
                let check = |v: Option<String>, f: fn(&str) -> Result<(), Error>| {
                    v.and_then(|v| f(&v).err())
                };
                check(ids.event_id, |v| EventId::new(v).map(drop))
                    .or_else(|| check(ids.site, |v| SiteId::new(v).map(drop)))
                    .or_else(|| check(ids.subject, |v| SubjectId::new(v).map(drop)))
                    .or_else(|| {
                        check(ids.form.and_then(|f| f.id), |v| {
                            crate::ids::FormId::new(v).map(drop)
                        })
                    })
            });
            id_error.unwrap_or_else(|| {
                Error::Event(EventError::EventMalformed {
                    message: e.to_string(),
                })
            })
        })
    }
}
