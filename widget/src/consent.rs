//! What a visitor chose, per purpose and per service, and the few ways a
//! choice is made from the controls.
//!
//! Every choice is built the same way: walk the notice's purposes in order,
//! required ones on, optional ones as the control says; then every service of
//! an optional purpose, never on when its purpose is off. So the widget cannot
//! write an event core would refuse for `required_purpose_refused`,
//! `decision_missing` or `service_outside_purpose`.

#[allow(unused_imports)]
use alloc::{borrow::ToOwned, string::String, vec::Vec};

use crate::notice::{Notice, Purpose};

/// A decision per purpose (or per service) id, in the notice's order.
pub type Decisions = Vec<(String, bool)>;

/// The decision on `id`, if there is one.
pub fn lookup(d: &[(String, bool)], id: &str) -> Option<bool> {
    d.iter().find(|(k, _)| k == id).map(|(_, on)| *on)
}

/// Whether `d` grants `id`.
pub fn granted(d: &[(String, bool)], id: &str) -> bool {
    lookup(d, id) == Some(true)
}

/// A whole choice.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Consent {
    /// One decision per purpose of the notice.
    pub purposes: Decisions,
    /// One decision per service of an optional purpose.
    pub services: Decisions,
}

impl Consent {
    /// Builds a choice from `purpose(p)` for optional purposes and
    /// `service(p, service_id)` for their services.
    pub fn build(
        notice: &Notice,
        purpose: impl Fn(&Purpose) -> bool,
        service: impl Fn(&Purpose, &str) -> bool,
    ) -> Self {
        let mut c = Consent::default();
        for p in &notice.purposes {
            let on = p.required || purpose(p);
            c.purposes.push((p.id.clone(), on));
            if !p.required {
                for s in &p.services {
                    c.services.push((s.clone(), on && service(p, s)));
                }
            }
        }
        c
    }

    /// "Accept all" (`accept`) or "Reject all"/"Withdraw all". Under Global
    /// Privacy Control an "accept all" leaves the sale/sharing purposes off:
    /// only the visitor's own switch may turn them on.
    pub fn all(notice: &Notice, accept: bool, gpc: bool) -> Self {
        Consent::build(
            notice,
            |p| accept && !(gpc && p.sale_or_sharing),
            |_, _| true,
        )
    }

    /// The choice the panel's switches stand for: a service counts only while
    /// its purpose is on.
    pub fn from_switches(
        notice: &Notice,
        purposes: &[(String, bool)],
        services: &[(String, bool)],
    ) -> Self {
        Consent::build(
            notice,
            |p| granted(purposes, &p.id),
            |_, s| granted(services, s),
        )
    }

    /// This choice with `purpose` set to `on`. A purpose switched on from off
    /// brings all its services; one already on keeps the services the visitor
    /// refused inside it.
    pub fn with_purpose(&self, notice: &Notice, purpose: &str, on: bool) -> Self {
        let was_on = self.purpose(purpose);
        Consent::build(
            notice,
            |p| {
                if p.id == purpose {
                    on
                } else {
                    self.purpose(&p.id)
                }
            },
            |p, s| (p.id == purpose && !was_on) || self.service(&p.id, s),
        )
    }

    /// This choice plus `purpose`, and of its services only `service` (an
    /// embed's "allow and load"): allowing one video does not allow every
    /// service of its purpose. Without a service, the whole purpose with every
    /// service in it (the embed could be any of them).
    pub fn allow(&self, notice: &Notice, purpose: &str, service: Option<&str>) -> Self {
        Consent::build(
            notice,
            |p| p.id == purpose || self.purpose(&p.id),
            |p, s| {
                (p.id == purpose && service.is_none_or(|only| s == only)) || self.service(&p.id, s)
            },
        )
    }

    /// The same decisions in the notice's order, as every rule builds them,
    /// so a stored choice (whose keys may come sorted, as the edge's cookie
    /// has them) compares equal to the same choice made again. A service it
    /// does not name follows its purpose.
    pub fn in_order(&self, notice: &Notice) -> Self {
        Consent::build(
            notice,
            |p| self.purpose(&p.id),
            |p, s| self.service(&p.id, s),
        )
    }

    /// The decision on `purpose` itself (its services aside).
    pub fn purpose(&self, id: &str) -> bool {
        granted(&self.purposes, id)
    }

    fn service(&self, purpose: &str, id: &str) -> bool {
        self.purpose(purpose) && lookup(&self.services, id).unwrap_or(true)
    }

    /// Whether `purpose` (and, if given, `service` under it) may run. A
    /// required purpose always may; anything unknown may not. Without a
    /// service, every service of the purpose must be granted: code tagged
    /// only with the purpose could be any of them, so one refused service (or
    /// one allowed embed) does not open the whole purpose.
    pub fn accepts(&self, notice: &Notice, purpose: &str, service: Option<&str>) -> bool {
        let Some(p) = notice.purpose(purpose) else {
            return false;
        };
        let listed = |s: &str| p.services.iter().any(|x| x == s);
        match (p.required, service) {
            (true, s) => s.is_none_or(listed),
            (false, Some(s)) => listed(s) && self.service(&p.id, s),
            (false, None) => {
                self.purpose(&p.id) && p.services.iter().all(|x| self.service(&p.id, x))
            }
        }
    }

    /// Whether any optional purpose is granted.
    pub fn grants_optional(&self, notice: &Notice) -> bool {
        notice.optional_purposes().any(|p| self.purpose(p))
    }
}
