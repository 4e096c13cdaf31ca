//! A record told as the person lived it: one plain sentence ("You agreed on
//! the form “Stay in touch”.", "You withdrew it here.") and what was chosen,
//! named by the texts the person was shown ("Email me the weekly
//! newsletter", "Audience measurement"), in the language the privacy center
//! speaks. The record's ids, notice hash and receipt stay beside it, as proof.
//!
//! ```
//! use assent_core::config::SiteConfig;
//! use assent_core::rights::story::{offer_label, purpose_name};
//!
//! let config = SiteConfig::from_json(include_str!("../../tests/vectors/site.json")).unwrap();
//! assert_eq!(offer_label(&config, "de", Some("newsletter"), "email:news"), "Newsletter per E-Mail");
//! assert_eq!(purpose_name(&config, "de", "analytics"), "Statistik");
//! // A language the site does not have: the default language's words.
//! assert_eq!(purpose_name(&config, "fr", "analytics"), "Analytics");
//! ```

use crate::action::Action;
use crate::config::{SiteConfig, Word};
use crate::event::{Control, Surface};
use crate::form::submission::Outcome;
use crate::record::StoredRecord;

/// What a record says happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    /// The sentence's word.
    pub word: Word,
    /// The form's id, where the sentence names a form.
    pub form: Option<String>,
}

/// The sentence a record is told in.
pub fn said(config: &SiteConfig, record: &StoredRecord) -> Said {
    let e = &record.event;
    let outcome = record.form.as_ref().map(|f| f.outcome);
    let form = e.form.as_ref().map(|f| f.id.as_str().to_string());
    let word = match e.ui.control {
        Control::Submit if outcome == Some(Outcome::Refused) => Word::SaidFormDeclined,
        Control::Submit => Word::SaidFormAgreed,
        Control::Confirm => Word::SaidConfirmed,
        Control::ParentConfirm => Word::SaidParentConfirmed,
        Control::PhoneConfirm => Word::SaidPhoneConfirmed,
        Control::Expire => Word::SaidExpired,
        Control::Erase => Word::SaidErased,
        Control::Import => Word::SaidImported,
        Control::Unsubscribe => Word::SaidUnsubscribed,
        Control::Attest => Word::SaidOwnerRecorded,
        Control::Object => Word::SaidObjected,
        Control::AcceptAll => Word::SaidAcceptAll,
        Control::RejectAll => Word::SaidRejectAll,
        Control::Save => Word::SaidSaved,
        Control::WithdrawAll => Word::SaidWithdrawAll,
        Control::AllowEmbed => Word::SaidEmbed,
        Control::Api if outcome == Some(Outcome::Rectified) => Word::SaidRectified,
        // The center's own withdrawals carry its path as their page.
        Control::Api if e.page.path == crate::api::privacy(&config.site) => Word::SaidWithdrewHere,
        Control::Api if e.ui.surface == Surface::Api && e.action == Action::Withdraw => {
            Word::SaidWithdrew
        }
        Control::Api => Word::SaidSite,
    };
    let named = matches!(word, Word::SaidFormAgreed | Word::SaidFormDeclined);
    Said {
        word,
        form: form.filter(|_| named),
    }
}

/// The sentence of `record` in `lang`, its placeholders filled.
pub fn sentence(config: &SiteConfig, lang: &str, record: &StoredRecord) -> String {
    let s = said(config, record);
    let text = config.word(lang, s.word);
    let form = s
        .form
        .as_deref()
        .map(|id| form_title(config, lang, id))
        .unwrap_or_default();
    s.word.fill(
        text,
        &[("form", &form), ("controller", &config.controller.name)],
    )
}

/// What a record chose, each by the text the person was shown in `lang`:
/// a form's offers, or the banner's optional purposes and the services
/// chosen one by one.
pub fn choices(config: &SiteConfig, lang: &str, record: &StoredRecord) -> Vec<(String, bool)> {
    let e = &record.event;
    if let Some(form) = &e.form {
        return form
            .offers
            .iter()
            .map(|(offer, ticked)| {
                (
                    offer_label(config, lang, Some(form.id.as_str()), offer),
                    *ticked,
                )
            })
            .collect();
    }
    if matches!(e.ui.control, Control::Erase | Control::Import) {
        return Vec::new();
    }
    let optional = config.purposes.iter().filter(|p| !p.required);
    let mut out: Vec<(String, bool)> = optional
        .filter_map(|p| {
            e.decisions
                .get(&p.id)
                .map(|g| (purpose_name(config, lang, &p.id), *g))
        })
        .collect();
    out.extend(
        e.services
            .iter()
            .map(|(id, granted)| (service_name(config, lang, id), *granted)),
    );
    out
}

/// A form's title in `lang` (else the default language's, else its id).
pub fn form_title(config: &SiteConfig, lang: &str, form: &str) -> String {
    in_lang(config, lang, |t| t.forms.get(form).map(|f| f.title.clone()))
        .unwrap_or_else(|| form.to_string())
}

/// An offer's label (`channel:purpose`) as a form showed it in `lang`: the
/// named form's, else the first form's that has it; else the key itself.
pub fn offer_label(config: &SiteConfig, lang: &str, form: Option<&str>, offer: &str) -> String {
    in_lang(config, lang, |t| {
        form.and_then(|f| t.forms.get(f))
            .and_then(|f| f.offers.get(offer))
            .or_else(|| t.forms.values().find_map(|f| f.offers.get(offer)))
            .cloned()
    })
    .unwrap_or_else(|| offer.to_string())
}

/// A banner purpose's name in `lang`.
pub fn purpose_name(config: &SiteConfig, lang: &str, purpose: &str) -> String {
    in_lang(config, lang, |t| {
        t.purposes.get(purpose).map(|p| p.name.clone())
    })
    .unwrap_or_else(|| purpose.to_string())
}

/// A service's name in `lang` (else as the configuration names it).
pub fn service_name(config: &SiteConfig, lang: &str, service: &str) -> String {
    in_lang(config, lang, |t| {
        t.services.get(service).map(|s| s.name.clone())
    })
    .or_else(|| {
        let mut all = config.purposes.iter().flat_map(|p| &p.services);
        all.find(|s| s.id == service).map(|s| s.name.clone())
    })
    .unwrap_or_else(|| service.to_string())
}

/// A text from `lang`'s texts, else from the default language's.
fn in_lang(
    config: &SiteConfig,
    lang: &str,
    pick: impl Fn(&crate::config::LanguageTexts) -> Option<String>,
) -> Option<String> {
    [lang, config.default_language.as_str()]
        .into_iter()
        .find_map(|l| config.languages.get(l).and_then(&pick))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config() -> SiteConfig {
        SiteConfig::from_json(include_str!("../../tests/vectors/site.json")).unwrap()
    }

    /// A record of the vectors' site: `control` on `surface`, with `form`
    /// offers (or banner decisions), `outcome` and page `path`.
    fn record(
        surface: &str,
        control: &str,
        action: &str,
        outcome: Option<&str>,
        path: &str,
    ) -> StoredRecord {
        let mut event = json!({"event_id": "0b6f3c52-7a1e-4d2b-9c4f-1e2d3c4b5a69", "site": "vectors",
            "subject": "5d1f9e2a-3b4c-4d5e-8f60-718293a4b5c6", "action": action,
            "decisions": {"necessary": true, "analytics": true, "marketing": false},
            "notice": {"version": "2026-11-01", "language": "en", "hash": "00"},
            "ui": {"surface": surface, "control": control}, "client_time_ms": 1, "gpc": false,
            "page": {"origin": "https://vectors.example", "path": path}, "widget_version": "0.1.0"});
        let mut r = json!({"v": 1, "received_at_ms": 1, "sec_gpc": false, "country": null, "prev_event_id": null});
        if let Some(outcome) = outcome {
            event["form"] =
                json!({"id": "newsletter", "offers": {"email:news": true, "sms:offers": false}});
            r["form"] = json!({"identity": "AA", "outcome": outcome});
        }
        r["event"] = event;
        serde_json::from_value(r).unwrap()
    }

    #[test]
    fn each_way_a_record_comes_about_has_its_own_sentence() {
        let c = config();
        let center = crate::api::privacy(&c.site);
        let cases = [
            (
                record("form", "submit", "give", Some("pending"), "/"),
                Word::SaidFormAgreed,
            ),
            (
                record("form", "submit", "refuse", Some("refused"), "/"),
                Word::SaidFormDeclined,
            ),
            (
                record("mail", "confirm", "confirm", Some("granted"), "/"),
                Word::SaidConfirmed,
            ),
            (
                record("mail", "parent_confirm", "confirm", Some("granted"), "/"),
                Word::SaidParentConfirmed,
            ),
            (
                record("mail", "unsubscribe", "withdraw", Some("withdrawn"), "/"),
                Word::SaidUnsubscribed,
            ),
            (
                record("api", "api", "withdraw", Some("withdrawn"), &center),
                Word::SaidWithdrewHere,
            ),
            (
                record(
                    "api",
                    "api",
                    "withdraw",
                    Some("withdrawn"),
                    "/v1/sites/vectors/my/withdraw",
                ),
                Word::SaidWithdrew,
            ),
            (
                record("api", "api", "update", Some("rectified"), "/"),
                Word::SaidRectified,
            ),
            (record("api", "api", "update", None, "/"), Word::SaidSite),
            (
                record("api", "api", "update", None, &center),
                Word::SaidWithdrewHere,
            ),
            (
                record("banner", "accept_all", "give", None, "/"),
                Word::SaidAcceptAll,
            ),
            (
                record("banner", "reject_all", "refuse", None, "/"),
                Word::SaidRejectAll,
            ),
            (
                record("preferences", "save", "update", None, "/"),
                Word::SaidSaved,
            ),
            (
                record("preferences", "withdraw_all", "withdraw", None, "/"),
                Word::SaidWithdrawAll,
            ),
            (
                record("embed", "allow_embed", "give", None, "/"),
                Word::SaidEmbed,
            ),
        ];
        for (r, word) in cases {
            assert_eq!(said(&c, &r).word, word, "{:?}", r.event.ui);
        }
        let s = said(&c, &cases_form());
        assert_eq!(
            s.form.as_deref(),
            Some("newsletter"),
            "a form's sentence names it"
        );
        let banner = said(&c, &record("banner", "accept_all", "give", None, "/"));
        assert_eq!(banner.form, None);
    }

    fn cases_form() -> StoredRecord {
        record("form", "submit", "give", Some("pending"), "/")
    }

    #[test]
    fn a_sentence_is_in_the_language_asked_with_the_form_s_title() {
        let c = config();
        let r = cases_form();
        let title = |l: &str| c.languages[l].forms["newsletter"].title.clone();
        assert_eq!(
            sentence(&c, "en", &r),
            format!("You agreed on the form “{}”.", title("en"))
        );
        assert_eq!(
            sentence(&c, "de", &r),
            format!("Sie haben im Formular „{}“ eingewilligt.", title("de"))
        );
        assert_ne!(
            title("en"),
            title("de"),
            "the vector names the form in each language"
        );
    }

    #[test]
    fn choices_are_named_by_what_was_shown() {
        let c = config();
        let form = choices(&c, "de", &cases_form());
        assert_eq!(
            form,
            [
                ("Newsletter per E-Mail".to_string(), true),
                ("Angebote per SMS".to_string(), false)
            ]
        );
        let mut banner = record("preferences", "save", "update", None, "/");
        assert_eq!(
            choices(&c, "de", &banner),
            [
                ("Statistik".to_string(), true),
                (c.languages["de"].purposes["marketing"].name.clone(), false)
            ],
            "the optional purposes only"
        );
        banner
            .event
            .services
            .insert("no-such-service".into(), false);
        assert_eq!(
            choices(&c, "en", &banner).last().unwrap(),
            &("no-such-service".to_string(), false)
        );
        let erase = record("api", "erase", "erase", None, "/");
        assert_eq!(
            choices(&c, "en", &erase),
            [],
            "an erasure of a banner subject chose nothing"
        );
        let import = record("api", "import", "withdraw", None, "/");
        assert_eq!(choices(&c, "en", &import), []);
    }
}
