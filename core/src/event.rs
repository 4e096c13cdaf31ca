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

#[cfg(feature = "std")]
use crate::config::SiteConfig;
#[cfg(feature = "std")]
use crate::error::FormError;
#[cfg(feature = "std")]
use crate::error::{excerpt, SyntaxError};
use crate::error::{Error, EventError};
#[cfg(feature = "std")]
use crate::ids::PurposeId;
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
fn printable_ascii(value: &str) -> bool {
    value.bytes().all(|b| b.is_ascii_graphic())
}

pub use crate::action::Action;

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

    #[cfg(feature = "std")]
    /// Checks the event against the site configuration; the first broken rule wins.
    pub fn validate(&self, config: &SiteConfig, ctx: &Context<'_>) -> Result<(), Error> {
        // The ids were checked when the event was read (see `from_json`).
        if self.site != config.site {
            return Err(Error::Event(EventError::SiteMismatch {
                expected: config.site.to_string(),
                found: self.site.to_string(),
            }));
        }

        self.validate_page(config, ctx)?;
        if self.widget_version.is_empty() || self.widget_version.len() > MAX_WIDGET_VERSION_LEN {
            return Err(Error::Syntax(SyntaxError::FieldTooLong {
                field: "widget_version".into(),
                max: MAX_WIDGET_VERSION_LEN,
            }));
        }
        if !self
            .widget_version
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+'))
        {
            return Err(Error::Syntax(SyntaxError::FieldInvalid {
                field: "widget_version".into(),
                reason: "letters, digits, '.', '-' and '+' only".into(),
            }));
        }

        if self.notice.version != config.notice_version {
            return Err(Error::Event(EventError::NoticeOutdated {
                expected: config.notice_version.clone(),
                found: excerpt(&self.notice.version),
            }));
        }
        // Confirmations, expiries and the owner's acts are the edge's to
        // make, never a client's.
        if self.action.by_edge() || self.answers.is_some() {
            return Err(Error::Event(EventError::ActionMismatch {
                action: self.action.as_str().into(),
            }));
        }
        match (self.ui.surface, &self.form) {
            (Surface::Form, Some(choice)) => {
                self.validate_form(config, choice)?;
                return self.validate_time(ctx);
            }
            (Surface::Form, None) => {
                return Err(Error::Form(FormError::SurfaceMismatch {
                    reason: "a form event needs its form's decisions (form.offers)".into(),
                }))
            }
            (_, Some(_)) => {
                return Err(Error::Form(FormError::SurfaceMismatch {
                    reason: "only a form event (ui.surface form) carries form decisions".into(),
                }))
            }
            (_, None) => {}
        }
        if matches!(self.ui.surface, Surface::Mail | Surface::Schedule)
            || matches!(
                self.ui.control,
                Control::Submit
                    | Control::Confirm
                    | Control::ParentConfirm
                    | Control::PhoneConfirm
                    | Control::Expire
                    | Control::Erase
                    | Control::Import
            )
        {
            return Err(Error::Form(FormError::SurfaceMismatch {
                reason: "a banner event cannot use a form's or the edge's controls".into(),
            }));
        }
        self.check_shown(
            config
                .notice(&self.notice.language)
                .map(|n| (n.hash(), n.language)),
        )?;

        for purpose in self.decisions.keys() {
            PurposeId::new(purpose)?;
            if config.purpose(purpose).is_none() {
                return Err(Error::Event(EventError::PurposeUnknown {
                    purpose: purpose.clone(),
                }));
            }
        }
        for purpose in &config.purposes {
            match self.decisions.get(&purpose.id) {
                None => {
                    return Err(Error::Event(EventError::DecisionMissing {
                        purpose: purpose.id.clone(),
                    }))
                }
                Some(false) if purpose.required => {
                    return Err(Error::Event(EventError::RequiredPurposeRefused {
                        purpose: purpose.id.clone(),
                    }))
                }
                _ => {}
            }
        }
        for (service, &on) in &self.services {
            let purpose = config
                .purposes
                .iter()
                .find(|p| p.services.iter().any(|s| &s.id == service))
                .ok_or_else(|| {
                    Error::Event(EventError::ServiceUnknown {
                        service: excerpt(service),
                    })
                })?;
            if purpose.required || (on && self.decisions.get(&purpose.id) != Some(&true)) {
                return Err(Error::Event(EventError::ServiceOutsidePurpose {
                    service: service.clone(),
                    purpose: purpose.id.clone(),
                }));
            }
        }
        // GPC opts out of sale and sharing: a bulk "accept all" may not grant
        // those purposes. A choice about the purpose itself may: the panel's
        // switch, an embed's "allow", or the site's own per-purpose UI (API).
        if self.gpc && self.ui.control == Control::AcceptAll {
            if let Some(p) = config
                .purposes
                .iter()
                .find(|p| p.sale_or_sharing && self.decisions.get(&p.id) == Some(&true))
            {
                return Err(Error::Event(EventError::GpcConflict {
                    purpose: p.id.clone(),
                }));
            }
        }
        let grants_optional = config
            .purposes
            .iter()
            .any(|p| !p.required && self.decisions.get(&p.id) == Some(&true));
        let consistent = match self.action {
            Action::Give => grants_optional,
            Action::Refuse | Action::Withdraw => !grants_optional,
            Action::Update => true,
            // The edge's own actions (refused above).
            #[cfg(feature = "std")]
            _ => false,
        };
        if !consistent {
            return Err(Error::Event(EventError::ActionMismatch {
                action: self.action.as_str().into(),
            }));
        }
        self.validate_time(ctx)
    }

    /// A form event's own rules: no banner decisions, a form the site has,
    /// its notice, one decision per offer and no other, and an action that
    /// says whether anything was ticked.
    #[cfg(feature = "std")]
    fn validate_form(&self, config: &SiteConfig, choice: &FormChoice) -> Result<(), Error> {
        if !self.decisions.is_empty() || !self.services.is_empty() {
            return Err(Error::Form(FormError::SurfaceMismatch {
                reason: "a form event carries no banner decisions".into(),
            }));
        }
        if self.ui.control != Control::Submit {
            return Err(Error::Form(FormError::SurfaceMismatch {
                reason: "a form event's control is submit".into(),
            }));
        }
        let form = config.form(choice.id.as_str()).ok_or_else(|| {
            Error::Form(FormError::FormUnknown {
                form: choice.id.to_string(),
            })
        })?;
        self.check_shown(
            config
                .form_notice(choice.id.as_str(), &self.notice.language)
                .map(|n| (n.hash(), n.language)),
        )?;
        if let Some(key) = choice.offers.keys().find(|k| form.offer(k).is_none()) {
            return Err(Error::Form(FormError::OfferUnknown {
                offer: excerpt(key),
            }));
        }
        if let Some(offer) = form
            .offers
            .iter()
            .find(|o| !choice.offers.contains_key(&o.key()))
        {
            return Err(Error::Form(FormError::OfferMissing { offer: offer.key() }));
        }
        let ticked = choice.offers.values().any(|&on| on);
        let consistent = match self.action {
            Action::Give => ticked,
            Action::Refuse => !ticked,
            _ => false,
        };
        if !consistent {
            return Err(Error::Event(EventError::ActionMismatch {
                action: self.action.as_str().into(),
            }));
        }
        Ok(())
    }

    /// Checks the event's notice hash against the `(hash, language)` of
    /// the notice shown in its language (the banner's or a form's); a
    /// language without that notice is `language_unknown`.
    #[cfg(feature = "std")]
    fn check_shown(&self, shown: Result<(String, String), Error>) -> Result<(), Error> {
        let (hash, language) = shown.map_err(|_| {
            Error::Event(EventError::LanguageUnknown {
                language: excerpt(&self.notice.language),
            })
        })?;
        // Both sides are public; a constant-time comparison buys nothing here.
        if hash != self.notice.hash {
            return Err(Error::Event(EventError::NoticeHashMismatch { language }));
        }
        Ok(())
    }

    #[cfg(feature = "std")]
    fn validate_time(&self, ctx: &Context<'_>) -> Result<(), Error> {
        let too_new = self.client_time_ms > ctx.now_ms.saturating_add(MAX_FUTURE_SKEW_MS);
        let too_old = self.client_time_ms < ctx.now_ms.saturating_sub(MAX_PAST_SKEW_MS);
        if too_new || too_old {
            return Err(Error::Event(EventError::ClientTimeSkew {
                client_ms: self.client_time_ms,
                server_ms: ctx.now_ms,
            }));
        }
        // A UUIDv7 subject says when it was drawn, and that time places it
        // in a shard (`crate::shards`): one drawn ahead of the skew could
        // land in a generation configured after it was first seen.
        if let Some(drawn) = self
            .subject
            .drawn_at_ms()
            .filter(|d| *d > ctx.now_ms.saturating_add(MAX_FUTURE_SKEW_MS))
        {
            return Err(Error::Event(EventError::ClientTimeSkew {
                client_ms: drawn,
                server_ms: ctx.now_ms,
            }));
        }
        Ok(())
    }

    #[cfg(feature = "std")]
    fn validate_page(&self, config: &SiteConfig, ctx: &Context<'_>) -> Result<(), Error> {
        crate::config::check_origin(&self.page.origin)?;
        let own = ctx.self_origin == Some(self.page.origin.as_str());
        if !own && !config.is_origin_allowed(&self.page.origin) {
            return Err(Error::Event(EventError::OriginNotAllowed {
                origin: excerpt(&self.page.origin),
            }));
        }
        if self.page.path.chars().count() > MAX_PATH_LEN {
            return Err(Error::Syntax(SyntaxError::FieldTooLong {
                field: "page.path".into(),
                max: MAX_PATH_LEN,
            }));
        }
        if !self.page.path.starts_with('/')
            || self.page.path.contains(['?', '#'])
            || !printable_ascii(&self.page.path)
        {
            return Err(Error::Syntax(SyntaxError::FieldInvalid {
                field: "page.path".into(),
                reason: "a path starting with '/' in printable ASCII (percent-encoded), without query or fragment".into(),
            }));
        }
        Ok(())
    }
}
