//! The words Assent's own pages and mails say in each language, beside the
//! texts a site writes itself: the privacy center's headings, buttons,
//! states and the sentences its history is told in; a form's "(optional)"
//! and why it asks an age; the confirmation mail's list of what was chosen
//! and its links; the confirmation page's list and its phone step.
//!
//! Assent carries them for some languages ([`BUILT_IN`], one JSON file each
//! beside this module, `en.json` the reference that says what each word is
//! for). A site may give its own for any language in `languages.{lang}.words`,
//! word by word: a word given there replaces the built-in one, so a site can
//! reword one sentence or bring a language Assent does not carry. The rule for
//! a missing word is the banner's: a language must have every word (given or
//! built in) unless it sets `fallback`, an explicit choice to show the default
//! language's word instead. The default language must have every word.
//!
//! A word's `{placeholders}` are the English word's, no more and no fewer, so
//! a sentence never loses the controller's name or shows a raw `{date}`.
//!
//! ```
//! use assent_core::config::{Words, Word};
//!
//! let en = Words::built_in("en").unwrap();
//! assert_eq!(en.get(Word::Title), Some("Your privacy center"));
//! assert_eq!(
//!     Word::Since.fill(en.get(Word::Since).unwrap(), &[("date", "2026-12-06")]),
//!     "since 2026-12-06"
//! );
//! assert!(Words::built_in("de").is_some());
//! assert!(Words::built_in("tlh").is_none());
//!
//! // The vectors' site speaks English and German; a language it does not
//! // offer is never asked for (negotiation gives the default), and one
//! // without the words would show the default language whole.
//! let config = assent_core::config::SiteConfig::from_json(
//!     include_str!("../../tests/vectors/site.json")).unwrap();
//! assert_eq!(config.center_language("de"), "de");
//! assert_eq!(config.word("de", Word::Withdraw), "Widerrufen");
//! assert_eq!(config.center_language("tlh"), "en");
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::error::{Error, SyntaxError};

use super::{check_text, SiteConfig, MAX_TEXT};

/// The languages Assent carries its words in.
pub const BUILT_IN: [&str; 5] = ["ar", "de", "en", "es", "fr"];

macro_rules! words {
    ($($variant:ident = $key:literal,)*) => {
        /// One of Assent's words; `en.json` beside this module shows
        /// each in English.
        #[allow(missing_docs)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        pub enum Word { $($variant,)* }

        impl Word {
            /// Every word, in the order of `en.json`.
            pub const ALL: &'static [Word] = &[$(Word::$variant,)*];

            /// Its key in the JSON.
            pub fn key(self) -> &'static str {
                match self { $(Word::$variant => $key,)* }
            }
        }
    };
}

words! {
    Title = "title", Start = "start", Email = "email", SendLink = "send_link",
    EmailInvalid = "email_invalid", LinkSentTitle = "link_sent_title", LinkSent = "link_sent",
    CenterMailSubject = "center_mail_subject", CenterMailText = "center_mail_text",
    OpenText = "open_text", Open = "open", LinkUsed = "link_used", Expired = "expired",
    BrowserRefused = "browser_refused", LinkInvalid = "link_invalid", SignedIn = "signed_in",
    Agreed = "agreed", Cookies = "cookies", CookiesText = "cookies_text", Since = "since",
    Withdraw = "withdraw", StateGranted = "state_granted", StateRefused = "state_refused",
    StatePending = "state_pending", StateParental = "state_parental",
    StateUnverified = "state_unverified", StateExpired = "state_expired",
    StateWithdrawn = "state_withdrawn", StateErased = "state_erased",
    StateLegitimateInterests = "state_legitimate_interests", StateContract = "state_contract",
    StateObjected = "state_objected", StateRequired = "state_required", History = "history",
    Proof = "proof", ProofText = "proof_text", Receipt = "receipt",
    SaidFormAgreed = "said_form_agreed", SaidFormDeclined = "said_form_declined",
    SaidConfirmed = "said_confirmed", SaidParentConfirmed = "said_parent_confirmed",
    SaidPhoneConfirmed = "said_phone_confirmed", SaidExpired = "said_expired",
    SaidUnsubscribed = "said_unsubscribed", SaidWithdrewHere = "said_withdrew_here",
    SaidWithdrew = "said_withdrew", SaidObjected = "said_objected",
    SaidOwnerRecorded = "said_owner_recorded", SaidErased = "said_erased",
    SaidRectified = "said_rectified", SaidAcceptAll = "said_accept_all",
    SaidRejectAll = "said_reject_all", SaidSaved = "said_saved",
    SaidWithdrawAll = "said_withdraw_all", SaidEmbed = "said_embed", SaidSite = "said_site",
    SaidImported = "said_imported", Notes = "notes", Download = "download",
    DownloadText = "download_text", DownloadJson = "download_json", DownloadCsv = "download_csv",
    Rights = "rights", AskAccess = "ask_access", AskRestriction = "ask_restriction",
    ObjectLabel = "object_label", Object = "object", ChannelEmail = "channel_email",
    ChannelSms = "channel_sms", ChannelPhone = "channel_phone", ChannelPost = "channel_post",
    RectifyLabel = "rectify_label", Rectify = "rectify", AskErasure = "ask_erasure",
    ErasureCheck = "erasure_check", ErasureYes = "erasure_yes", ErasureNo = "erasure_no",
    RequestLine = "request_line", KindAccess = "kind_access", KindErasure = "kind_erasure",
    KindRectification = "kind_rectification", KindRestriction = "kind_restriction",
    KindObjection = "kind_objection", StatusOpen = "status_open",
    StatusFulfilled = "status_fulfilled", StatusRefused = "status_refused",
    StatusClosed = "status_closed",
    WithdrawnBanner = "withdrawn_banner", WithdrawnOffer = "withdrawn_offer",
    NothingToWithdraw = "nothing_to_withdraw", RequestFiled = "request_filed",
    ErasedTitle = "erased_title", ErasedText = "erased_text", Who = "who",
    Controller = "controller", Dpo = "dpo", EuRepresentative = "eu_representative",
    PrivacyPolicy = "privacy_policy", FormOptional = "form_optional",
    FormAgeWhy = "form_age_why", FormNothingChosen = "form_nothing_chosen",
    MailChosen = "mail_chosen", MailSite = "mail_site", MailManage = "mail_manage",
    ConfirmList = "confirm_list", CodeAsk = "code_ask", CodeLabel = "code_label",
    CodeButton = "code_button", CodeWrong = "code_wrong", CodeDead = "code_dead",
    CodeDone = "code_done", KindCookie = "kind_cookie", KindLocalStorage = "kind_local_storage",
    KindSessionStorage = "kind_session_storage",
    TcfVendors = "tcf_vendors", TcfIntro = "tcf_intro", TcfVendor = "tcf_vendor",
    TcfConsentFor = "tcf_consent_for", TcfObjected = "tcf_objected", TcfObject = "tcf_object",
    TcfSpecialPurposes = "tcf_special_purposes", TcfFeatures = "tcf_features",
    TcfSpecialFeatures = "tcf_special_features", TcfData = "tcf_data", TcfKept = "tcf_kept",
    TcfCookies = "tcf_cookies", TcfCookiesPlain = "tcf_cookies_plain",
    TcfOtherStorage = "tcf_other_storage",
}

/// The words of the panel's vendor list on a site with IAB TCF settings
/// (widget/tcf/vendors.js): put into the notice, so its hash covers the
/// labels beside the vendor texts its disclosure covers.
pub const TCF_WORDS: [Word; 14] = [
    Word::TcfVendors,
    Word::TcfIntro,
    Word::TcfVendor,
    Word::TcfConsentFor,
    Word::TcfObjected,
    Word::TcfObject,
    Word::TcfSpecialPurposes,
    Word::TcfFeatures,
    Word::TcfSpecialFeatures,
    Word::TcfData,
    Word::TcfKept,
    Word::TcfCookies,
    Word::TcfCookiesPlain,
    Word::TcfOtherStorage,
];

impl Word {
    /// `text` with each `{name}` of `values` replaced (the values as given:
    /// the page escapes the result).
    pub fn fill(self, text: &str, values: &[(&str, &str)]) -> String {
        let mut out = text.to_string();
        for (name, value) in values {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }

    /// The `{placeholders}` the English word has: every language's must be these.
    pub fn placeholders(self) -> BTreeSet<String> {
        let en = Words::built_in("en").and_then(|w| w.get(self));
        placeholders_of(en.unwrap_or_default())
    }
}

fn placeholders_of(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.insert(after[..close].to_string());
        rest = &after[close + 1..];
    }
    out
}

/// Assent's words in one language, by key (some or all of them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Words(BTreeMap<String, String>);

impl Words {
    /// The words Assent carries for `lang`, if it carries the language.
    pub fn built_in(lang: &str) -> Option<&'static Words> {
        static WORDS: OnceLock<BTreeMap<&'static str, Words>> = OnceLock::new();
        WORDS
            .get_or_init(|| {
                let files = [
                    ("ar", include_str!("words/ar.json")),
                    ("de", include_str!("words/de.json")),
                    ("en", include_str!("words/en.json")),
                    ("es", include_str!("words/es.json")),
                    ("fr", include_str!("words/fr.json")),
                ];
                files
                    .into_iter()
                    // Checked by this module's tests: every file parses and is whole.
                    .map(|(lang, json)| (lang, serde_json::from_str(json).unwrap_or_default()))
                    .collect()
            })
            .get(lang)
    }

    /// The word, if these words have it.
    pub fn get(&self, word: Word) -> Option<&str> {
        self.0.get(word.key()).map(String::as_str)
    }

    /// Checks words a site gives for `lang`: each a known word, a text
    /// within its length, with the English word's placeholders.
    pub(super) fn check(&self, lang: &str) -> Result<(), Error> {
        for (key, text) in &self.0 {
            let field = format!("languages.{lang}.words.{key}");
            let Some(word) = Word::ALL.iter().find(|w| w.key() == key) else {
                return Err(invalid(field, "no such word".into()));
            };
            check_text(&field, text, MAX_TEXT)?;
            let wanted = word.placeholders();
            if placeholders_of(text) != wanted {
                let list: Vec<String> = wanted.iter().map(|p| format!("{{{p}}}")).collect();
                return Err(invalid(
                    field,
                    format!("must use exactly these placeholders: {}", list.join(" ")),
                ));
            }
        }
        Ok(())
    }
}

fn invalid(field: String, reason: String) -> Error {
    Error::Syntax(SyntaxError::FieldInvalid { field, reason })
}

impl SiteConfig {
    /// `word` in `lang`: the site's own, else the built-in one,
    /// else (where the language sets `fallback`, or it is not the site's)
    /// the default language's. Reading the configuration ([`SiteConfig::from_json`])
    /// made sure one is there.
    pub fn word(&self, lang: &str, word: Word) -> &str {
        self.word_in(lang, word)
            .or_else(|| self.word_in(&self.default_language, word))
            .or_else(|| Words::built_in("en").and_then(|w| w.get(word)))
            .unwrap_or_default()
    }

    /// The language the center speaks to someone who asked for `lang` (one
    /// of the site's, as [`SiteConfig::negotiate`] picks): `lang` where it
    /// has every word, else (its `fallback` set) the default language, whole,
    /// so a page never mixes two languages under one `lang` attribute.
    pub fn center_language<'a>(&'a self, lang: &'a str) -> &'a str {
        if Word::ALL.iter().all(|w| self.word_in(lang, *w).is_some()) {
            lang
        } else {
            &self.default_language
        }
    }

    /// `word` in `lang` itself, without falling back.
    fn word_in(&self, lang: &str, word: Word) -> Option<&str> {
        let own = self.languages.get(lang).and_then(|t| t.words.as_ref());
        own.and_then(|w| w.get(word))
            .or_else(|| Words::built_in(lang).and_then(|w| w.get(word)))
    }

    /// Checks that `lang` has every word, or may fall back.
    pub(super) fn check_words(&self, lang: &str, fallback: bool) -> Result<(), Error> {
        if let Some(own) = self.languages.get(lang).and_then(|t| t.words.as_ref()) {
            own.check(lang)?;
        }
        if fallback && lang != self.default_language {
            return Ok(());
        }
        match Word::ALL.iter().find(|w| self.word_in(lang, **w).is_none()) {
            None => Ok(()),
            Some(w) => Err(invalid(
                format!("languages.{lang}.words.{}", w.key()),
                format!(
                    "missing: Assent carries its words in {} only; give them, or set fallback",
                    BUILT_IN.join(", ")
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_language_has_every_word_with_the_english_placeholders() {
        for lang in BUILT_IN {
            let words = Words::built_in(lang).expect(lang);
            assert_eq!(words.0.len(), Word::ALL.len(), "{lang}: no word too many");
            for w in Word::ALL {
                let text = words
                    .get(*w)
                    .unwrap_or_else(|| panic!("{lang}: {}", w.key()));
                assert_eq!(
                    placeholders_of(text),
                    w.placeholders(),
                    "{lang}: {}",
                    w.key()
                );
                words.check(lang).unwrap();
            }
        }
    }

    #[test]
    fn placeholders_are_read_and_filled() {
        assert_eq!(
            placeholders_of("{a} and {b}, {a"),
            BTreeSet::from(["a".to_string(), "b".to_string()])
        );
        assert_eq!(
            Word::RequestLine.fill("{kind} {kind} {date}", &[("kind", "K"), ("date", "D")]),
            "K K D"
        );
    }

    #[test]
    fn a_site_word_is_checked_for_its_key_its_length_and_its_placeholders() {
        let words = |k: &str, v: &str| Words(BTreeMap::from([(k.to_string(), v.to_string())]));
        words("title", "Mein Zentrum").check("de").unwrap();
        let e = words("titel", "x").check("de").unwrap_err();
        assert!(e.to_string().contains("languages.de.words.titel"), "{e}");
        let e = words("since", "seit").check("de").unwrap_err();
        assert!(e.to_string().contains("{date}"), "{e}");
        let e = words("since", "seit {date} {time}")
            .check("de")
            .unwrap_err();
        assert!(e.to_string().contains("placeholders"), "{e}");
        assert!(words("title", " ").check("de").is_err());
        assert!(words("title", &"x".repeat(MAX_TEXT + 1))
            .check("de")
            .is_err());
        words("title", &"x".repeat(MAX_TEXT)).check("de").unwrap();
    }
}
