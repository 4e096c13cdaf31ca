//! The rules a consent event must keep on the site it was sent to, in the
//! order they are checked: the first broken one is the answer.

use crate::config::SiteConfig;
use crate::error::{excerpt, Error, EventError, FormError, SyntaxError};
use crate::ids::PurposeId;

use super::{
    printable_ascii, Action, ConsentEvent, Context, Control, FormChoice, Surface,
    MAX_FUTURE_SKEW_MS, MAX_PAST_SKEW_MS, MAX_PATH_LEN, MAX_WIDGET_VERSION_LEN,
};

impl ConsentEvent {
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
        self.validate_widget_version()?;
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
        self.validate_banner(config)?;
        self.validate_time(ctx)
    }

    /// The widget version: 1 to 32 characters of letters, digits, `.`, `-`, `+`.
    fn validate_widget_version(&self) -> Result<(), Error> {
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
        Ok(())
    }

    /// A banner event's own rules: no form's or edge's controls, the notice
    /// shown in its language, a decision for every purpose of the site and
    /// no other, services only inside their purpose, and an action that says
    /// what the decisions do.
    fn validate_banner(&self, config: &SiteConfig) -> Result<(), Error> {
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
                    | Control::Unsubscribe
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
        self.validate_decisions(config)?;
        self.validate_action(config)
    }

    /// One decision per purpose of the site (a required one granted), and
    /// each service's decision inside its purpose.
    fn validate_decisions(&self, config: &SiteConfig) -> Result<(), Error> {
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
        Ok(())
    }

    /// GPC against a bulk grant of sale or sharing, and the action against
    /// what the decisions grant.
    fn validate_action(&self, config: &SiteConfig) -> Result<(), Error> {
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
            _ => false,
        };
        if !consistent {
            return Err(Error::Event(EventError::ActionMismatch {
                action: self.action.as_str().into(),
            }));
        }
        Ok(())
    }

    /// A form event's own rules: no banner decisions, a form the site has,
    /// its notice, one decision per offer and no other, and an action that
    /// says whether anything was ticked.
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
