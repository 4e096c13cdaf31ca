//! What the person filled in, checked with core's own rules before it is
//! sent (the edge checks again and decides), and the submission built from
//! it. Pure: no DOM, testable natively.

use assent_core::error::FormError;
use assent_core::form::config::AgeQuestion;
use assent_core::form::identity::{normalise_email_with, normalise_name, plausible_phone};
use assent_core::form::notice::FormAnswer;
use assent_core::Error;
use serde_json::{json, Value};

/// The values of one form, as read from its inputs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values {
    /// The email field.
    pub email: String,
    /// The name field, where asked.
    pub name: Option<String>,
    /// The phone field, where asked.
    pub phone: Option<String>,
    /// The age (or birth year) field, where asked.
    pub age: Option<String>,
    /// The parent's email, where shown.
    pub parent_email: Option<String>,
    /// The offers ticked, by `channel:purpose`.
    pub ticked: Vec<String>,
}

/// The browser's WHATWG URL host parsing (UTS 46), where core's native
/// build uses the `url` crate's: the domain of an email in ASCII, or `None`
/// for what is not a domain (an IP address fails core's label check).
#[cfg(target_arch = "wasm32")]
fn host_to_ascii(domain: &str) -> Option<String> {
    if domain.is_empty() || domain.contains(['/', '?', '#', '@', ':', '[', '\\']) {
        return None;
    }
    let url = web_sys::Url::new(&format!("http://{domain}/")).ok()?;
    Some(url.hostname())
}

#[cfg(not(target_arch = "wasm32"))]
fn host_to_ascii(domain: &str) -> Option<String> {
    // Native (the crate's unit tests): ASCII domains only.
    domain.is_ascii().then(|| domain.to_ascii_lowercase())
}

fn normalise_email(raw: &str) -> Result<String, Error> {
    normalise_email_with(raw, host_to_ascii)
}

/// A field with what to tell the person about it.
pub type Problem = (&'static str, String);

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl Values {
    /// The age in years, if given and a number.
    fn years(&self, answer: &FormAnswer, this_year: u16) -> Option<u16> {
        let age = answer.notice.age.as_ref()?;
        let n: u16 = given(&self.age)?.parse().ok()?;
        match age.ask {
            AgeQuestion::Age => Some(n),
            AgeQuestion::BirthYear => this_year.checked_sub(n),
        }
    }

    /// Whether the age given is under this visitor's age of consent (the
    /// edge's reading of the rule for their country), with something ticked:
    /// then a parent must confirm.
    pub fn needs_parent(&self, answer: &FormAnswer, this_year: u16) -> bool {
        let Some(rule) = &answer.notice.age else {
            return false;
        };
        let threshold = answer.age_of_consent.unwrap_or(rule.default);
        !self.ticked.is_empty()
            && self
                .years(answer, this_year)
                .is_some_and(|y| y < u16::from(threshold))
    }

    /// Every problem, first field first (empty when the form may be sent).
    pub fn problems(&self, answer: &FormAnswer, this_year: u16) -> Vec<Problem> {
        let t = &answer.notice.texts;
        let fields = &answer.notice.fields;
        let mut out: Vec<Problem> = Vec::new();
        // Nothing ticked is not sent: the edge would store nothing
        // (`nothing_chosen`), and the person learns it before typing more.
        if self.ticked.is_empty() {
            out.push(("offers", nothing_chosen(answer)));
        }
        let message = |e: Error, invalid: &str| match e {
            Error::Form(FormError::FieldRequired { .. }) => t.error_required.clone(),
            _ => invalid.to_string(),
        };
        if let Err(e) = normalise_email(&self.email) {
            out.push(("email", message(e, &t.error_email)));
        }
        match (given(&self.name), fields.name) {
            (None, Some(assent_core::form::config::FieldUse::Required)) => {
                out.push(("name", t.error_required.clone()))
            }
            (Some(n), _) if normalise_name(n).is_err() => {
                out.push(("name", t.error_required.clone()))
            }
            _ => {}
        }
        let needs_phone = self.ticked.iter().any(|k| {
            answer
                .notice
                .offers
                .iter()
                .any(|o| &o.key == k && o.channel.needs_phone())
        });
        match given(&self.phone) {
            // The shape only: the edge reads national formats with its metadata.
            Some(p) if plausible_phone(p).is_err() => out.push(("phone", t.error_phone.clone())),
            None if needs_phone
                || fields.phone == Some(assent_core::form::config::FieldUse::Required) =>
            {
                out.push(("phone", t.error_required.clone()))
            }
            _ => {}
        }
        if answer.notice.age.is_some() && self.years(answer, this_year).is_none_or(|y| y > 120) {
            out.push(("age", t.error_required.clone()));
        }
        if self.needs_parent(answer, this_year) {
            match given(&self.parent_email).map(normalise_email) {
                None => out.push(("parent_email", t.error_required.clone())),
                Some(Err(_)) => out.push(("parent_email", t.error_email.clone())),
                Some(Ok(_)) => {}
            }
        }
        out
    }

    /// The body of `POST .../forms/{form}/submissions`: every offer decided
    /// (unticked ones `false`), the identity apart from the event.
    pub fn submission(
        &self,
        answer: &FormAnswer,
        ids: (&str, &str),
        now_ms: u64,
        page: (&str, &str),
        this_year: u16,
    ) -> Value {
        let offers: serde_json::Map<String, Value> = answer
            .notice
            .offers
            .iter()
            .map(|o| (o.key.clone(), Value::Bool(self.ticked.contains(&o.key))))
            .collect();
        let mut identity = json!({ "email": self.email });
        if let Some(n) = given(&self.name) {
            identity["name"] = n.into();
        }
        if let Some(p) = given(&self.phone) {
            identity["phone"] = p.into();
        }
        if self.needs_parent(answer, this_year) {
            if let Some(p) = given(&self.parent_email) {
                identity["parent_email"] = p.into();
            }
        }
        let mut body = json!({
            "event": {
                "event_id": ids.0,
                "site": answer.site,
                "subject": ids.1,
                "action": if self.ticked.is_empty() { "refuse" } else { "give" },
                "decisions": {},
                "form": { "id": answer.form, "offers": offers },
                "notice": { "version": answer.notice.notice_version, "language": answer.language, "hash": answer.notice_hash },
                "ui": { "surface": "form", "control": "submit" },
                "client_time_ms": now_ms,
                "gpc": false,
                "page": { "origin": page.0, "path": page.1 },
                "widget_version": env!("CARGO_PKG_VERSION"),
            },
            "identity": identity,
        });
        if let Some(age) = given(&self.age).and_then(|a| a.parse::<u16>().ok()) {
            if answer.notice.age.is_some() {
                body["age"] = age.into();
            }
        }
        body
    }
}

/// What the form says when nothing was ticked: Assent's word in the
/// notice's language (a notice before it has none: the site's own "please
/// fill in" text).
pub fn nothing_chosen(answer: &FormAnswer) -> String {
    answer
        .notice
        .words
        .as_ref()
        .map(|w| w.nothing_chosen.clone())
        .unwrap_or_else(|| answer.notice.texts.error_required.clone())
}

/// Which field an edge's refusal is about, where it names one.
pub fn field_of(code: &str) -> Option<&'static str> {
    match code {
        "email_invalid" => Some("email"),
        "phone_invalid" => Some("phone"),
        "name_invalid" => Some("name"),
        "age_invalid" => Some("age"),
        _ => None,
    }
}
