//! The consent engine: one visitor's choice on one site, and the events that
//! record every change of it. Sans-IO: it reads no clock, no storage, no
//! randomness and no network. The page hands it each [`Moment`] and keeps
//! what it writes; that is what lets these rules run (and be tested) natively
//! as well as in the browser.

#[allow(unused_imports)]
use alloc::{borrow::ToOwned, string::String, vec::Vec};

use assent_core::event::{Action, Control, Surface};
use assent_core::ids::{EventId, SubjectId};

use crate::consent::Consent;
use crate::event::Json;
use crate::notice::Notice;

/// Version recorded in every event.
pub const WIDGET_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A visitor's choice: what the latest consent event recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// Pseudonymous subject id.
    pub subject: String,
    /// Notice version the choice was made on.
    pub notice_version: String,
    /// Decisions per purpose and service.
    pub consent: Consent,
    /// When the choice was made (the visitor's clock, ms since 1970).
    pub decided_at_ms: f64,
    /// Whether the visitor has answered the banner (or the panel, or the
    /// site's own UI). An embed's "Allow and load" alone does not: it decides
    /// its own purpose only, every other one stays undecided, and the banner
    /// asks again. An event has a boolean for every purpose, so an undecided
    /// one is recorded `false` (nothing undecided is granted); the page keeps
    /// this flag beside the event, which is how it knows to ask again.
    pub answered: bool,
}

/// What the page supplies with each choice.
#[derive(Debug, Clone, Copy)]
pub struct Moment<'a> {
    /// Now, in ms since 1970.
    pub now_ms: f64,
    /// 32 random bytes from `crypto.getRandomValues`: the event id, and the
    /// subject id on a first choice.
    pub random: &'a [u8],
    /// The page's path (`location.pathname`: no query, no fragment).
    pub path: &'a str,
}

impl Moment<'_> {
    fn bytes(&self, half: usize) -> [u8; 16] {
        let mut b = [0u8; 16];
        for (to, from) in b.iter_mut().zip(self.random.iter().skip(half * 16)) {
            *to = *from;
        }
        b
    }
}

/// The engine for one page view.
#[derive(Debug, Clone)]
pub struct Engine {
    site: String,
    origin: String,
    notice: Notice,
    gpc: bool,
    /// The choice in force: made on this notice version, within its lifetime.
    choice: Option<Choice>,
    /// Kept across re-consent, so the log links every event of one visitor.
    subject: Option<String>,
}

impl Engine {
    /// The engine for `site` on a page of `origin`, with the notice the edge
    /// served and whether the browser sends Global Privacy Control. `None`
    /// when the notice is incomplete: nothing can be recorded on it.
    pub fn new(site: &str, origin: &str, notice: Notice, gpc: bool) -> Option<Self> {
        notice.is_complete().then(|| Engine {
            site: site.to_owned(),
            origin: origin.to_owned(),
            notice,
            gpc,
            choice: None,
            subject: None,
        })
    }

    /// Takes up a stored choice. Its subject is kept in any case; the choice
    /// itself only while it is current. Returns whether it is (if not, the
    /// visitor must be asked).
    pub fn restore(&mut self, mut choice: Choice, now_ms: f64) -> bool {
        if choice.subject.is_empty() || choice.consent.purposes.is_empty() {
            return false;
        }
        self.subject = Some(choice.subject.clone());
        let current = self.is_current(&choice, now_ms);
        if current {
            choice.consent = choice.consent.in_order(&self.notice);
            self.choice = Some(choice);
        }
        current
    }

    /// A choice counts while it was made on the current notice version and
    /// its lifetime has not run out. This holds for refusals too: a visitor
    /// who refused is not asked again before the lifetime ends, unless the
    /// notice changed. The rule is core's ([`assent_core::lifetime::in_force`]),
    /// the same the log checks actions against.
    pub fn is_current(&self, choice: &Choice, now_ms: f64) -> bool {
        assent_core::lifetime::in_force(
            &choice.notice_version,
            &self.notice.version,
            choice.decided_at_ms as u64,
            now_ms as u64,
            self.notice.lifetime_days,
        )
    }

    /// The choice in force, if any.
    pub fn choice(&self) -> Option<&Choice> {
        self.choice.as_ref()
    }

    /// Whether the banner must ask: before any choice, and while the choice
    /// in force leaves purposes undecided (only an embed's allow was made).
    pub fn asking(&self) -> bool {
        !self.choice.as_ref().is_some_and(|c| c.answered)
    }

    fn current(&self) -> Consent {
        self.choice
            .as_ref()
            .map(|c| c.consent.clone())
            .unwrap_or_else(|| Consent::all(&self.notice, false, false))
    }

    /// "Accept all", "Reject all" or "Withdraw all" on `surface`.
    pub fn act(&mut self, control: Control, surface: Surface, m: Moment<'_>) -> String {
        let consent = self.first_layer(control);
        self.record(consent, true, surface, control, m)
    }

    /// The choice a first-layer button makes: everything or only what is
    /// required (under GPC, sale or sharing stays off either way).
    fn first_layer(&self, control: Control) -> Consent {
        Consent::all(&self.notice, control == Control::AcceptAll, self.gpc)
    }

    /// The action of an event that makes `consent` the choice, after the
    /// choice in force.
    fn action(&self, consent: &Consent) -> Action {
        Action::for_change(
            self.grants_optional(),
            consent.grants_optional(&self.notice),
        )
    }

    /// "Save choices" with the panel's switches.
    pub fn save(
        &mut self,
        purposes: &[(String, bool)],
        services: &[(String, bool)],
        m: Moment<'_>,
    ) -> String {
        let consent = Consent::from_switches(&self.notice, purposes, services);
        self.record(consent, true, Surface::Preferences, Control::Save, m)
    }

    /// "Allow and load" on an embed: grants `purpose` (of its services only
    /// `service`, if given) and answers nothing else: purposes the visitor
    /// has not decided stay undecided (refused in the event, asked about by
    /// the banner). Nothing is recorded when it was allowed already or there
    /// is nothing it could allow (an unknown service).
    pub fn allow(&mut self, purpose: &str, service: Option<&str>, m: Moment<'_>) -> Option<String> {
        let current = self.current();
        let consent = current.allow(&self.notice, purpose, service);
        let unchanged = self.choice.is_some() && consent == current;
        if unchanged || !consent.accepts(&self.notice, purpose, service) {
            return None;
        }
        Some(self.record(consent, false, Surface::Embed, Control::AllowEmbed, m))
    }

    /// A choice made in the site's own UI (`{analytics: true}`): purposes
    /// named are set, the others keep their decision, unknown and required
    /// ones are ignored. Nothing is recorded when no known purpose is named
    /// or nothing changes.
    pub fn set(&mut self, decisions: &[(String, bool)], m: Moment<'_>) -> Option<String> {
        let mut consent = self.current();
        let mut named = false;
        for (purpose, on) in decisions {
            if self.notice.optional_purposes().any(|p| p == purpose) {
                named = true;
                consent = consent.with_purpose(&self.notice, purpose, *on);
            }
        }
        let unchanged = self.choice.as_ref().is_some_and(|c| c.consent == consent);
        if !named || unchanged {
            return None;
        }
        Some(self.record(consent, true, Surface::Api, Control::Api, m))
    }

    /// Withdraws every optional purpose (the site's own "withdraw" link).
    /// Nothing granted, nothing to withdraw; before any choice the visitor's
    /// click is still recorded, as a refusal.
    pub fn withdraw(&mut self, m: Moment<'_>) -> Option<String> {
        if self.choice.is_some() && !self.grants_optional() {
            return None;
        }
        let consent = Consent::all(&self.notice, false, false);
        Some(self.record(consent, true, Surface::Api, Control::WithdrawAll, m))
    }

    /// Whether `purpose` (and `service` under it, if given) may run now.
    /// Before any choice only required purposes may.
    pub fn accepted(&self, purpose: &str, service: Option<&str>) -> bool {
        let none = Consent::default();
        let consent = self.choice.as_ref().map_or(&none, |c| &c.consent);
        consent.accepts(&self.notice, purpose, service)
    }

    /// The decision on `purpose` itself, services aside (a panel switch);
    /// false before any choice.
    pub fn chosen(&self, purpose: &str) -> bool {
        self.choice
            .as_ref()
            .is_some_and(|c| c.consent.purpose(purpose))
    }

    /// The panel's linked switches: whether switch `other` follows switch
    /// `id` (a service if `service`) when it is switched `on`. A purpose
    /// carries every service in it, both ways; a service switched on switches
    /// its purpose on (a service never counts while its purpose is off).
    pub fn follows(&self, id: &str, service: bool, on: bool, other: &str) -> bool {
        let (purpose, inside) = if service { (other, id) } else { (id, other) };
        (on || !service) && self.notice.carries(purpose, inside)
    }

    /// Whether the Consent Mode signal mapped to `purposes` is granted now
    /// (core's rule; a purpose counts with every service in it granted).
    pub fn signal<'a>(&self, purposes: impl IntoIterator<Item = &'a str>) -> bool {
        assent_core::consent_mode::signal_granted(purposes, |p| self.accepted(p, None))
    }

    /// Whether the choice in force grants any optional purpose (the panel
    /// offers "Withdraw all" then).
    pub fn grants_optional(&self) -> bool {
        self.choice
            .as_ref()
            .is_some_and(|c| c.consent.grants_optional(&self.notice))
    }

    /// Makes `consent` the choice and returns the event that records it (the
    /// page puts it in its outbox before anything else).
    fn record(
        &mut self,
        consent: Consent,
        answers: bool,
        surface: Surface,
        control: Control,
        m: Moment<'_>,
    ) -> String {
        let action = self.action(&consent);
        let subject = self
            .subject
            .get_or_insert_with(|| {
                SubjectId::drawn(m.now_ms as u64, m.bytes(1))
                    .as_str()
                    .to_owned()
            })
            .clone();
        let event_id = EventId::from_random_bytes(m.bytes(0));
        let mut j = Json::new();
        j.str("event_id", event_id.as_str())
            .str("subject", &subject)
            .int("client_time_ms", m.now_ms)
            .bool("gpc", self.gpc)
            .open("page")
            .str("origin", &self.origin)
            .str("path", m.path)
            .close();
        self.body(&mut j, action, &consent, surface, control);
        let answered = answers || !self.asking();
        self.choice = Some(Choice {
            subject,
            notice_version: self.notice.version.clone(),
            consent,
            decided_at_ms: m.now_ms,
            answered,
        });
        j.finish()
    }

    /// The notice this engine decides on.
    pub fn notice(&self) -> &Notice {
        &self.notice
    }

    /// What an event says beyond the page's own fields (its id, the subject,
    /// the time, GPC, the page): the same for every visitor who makes
    /// `consent` with `control` on `surface` of this notice, so the edge can
    /// write it ahead ([`Engine::planned`]).
    fn body(
        &self,
        j: &mut Json,
        action: Action,
        consent: &Consent,
        surface: Surface,
        control: Control,
    ) {
        j.str("site", &self.site)
            .str("action", action.as_str())
            .map("decisions", &consent.purposes);
        if !consent.services.is_empty() {
            j.map("services", &consent.services);
        }
        j.open("notice")
            .str("version", &self.notice.version)
            .str("language", &self.notice.language)
            .str("hash", &self.notice.hash)
            .close()
            .open("ui")
            .str("surface", surface.as_str())
            .str("control", control.as_str())
            .close()
            .str("widget_version", WIDGET_VERSION);
    }

    /// The event [`Engine::act`] would write for `control` on the banner,
    /// without the page's own fields (`event_id`, `subject`,
    /// `client_time_ms`, `gpc`, `page`): the first layer's choice written
    /// ahead, for a [`crate::plan`]. Its action is the one of this engine's
    /// choice in force, as `act`'s is.
    pub fn planned(&self, control: Control) -> String {
        let consent = self.first_layer(control);
        let mut j = Json::new();
        self.body(
            &mut j,
            self.action(&consent),
            &consent,
            Surface::Banner,
            control,
        );
        j.finish()
    }

    /// Everything that may run under the choice in force, as the keys a
    /// [`crate::plan`] lists: `purpose` where [`Engine::accepted`] says so for
    /// the purpose itself, `purpose service` for each listed service it
    /// accepts (ids hold no space). Nothing else may run.
    pub fn runs(&self) -> Vec<String> {
        let mut keys = Vec::new();
        for p in &self.notice.purposes {
            if self.accepted(&p.id, None) {
                keys.push(p.id.clone());
            }
            for s in &p.services {
                if self.accepted(&p.id, Some(s)) {
                    let mut key = p.id.clone();
                    key.push(' ');
                    key.push_str(s);
                    keys.push(key);
                }
            }
        }
        keys
    }
}
