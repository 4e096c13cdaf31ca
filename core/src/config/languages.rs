//! The texts a site shows in each language, and which language a visitor is
//! shown: negotiation over their preferences, and the order of an
//! `Accept-Language` header.

#[allow(unused_imports)]
use crate::prelude::*;

use alloc::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::form::config::FormTexts;
use crate::notice::NoticeTexts;

use super::{is_false, SiteConfig};

/// All texts in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageTexts {
    /// Banner and panel texts.
    pub ui: NoticeTexts,
    /// Name and description of each purpose, by purpose id.
    pub purposes: BTreeMap<String, PurposeText>,
    /// The texts of each opt-in form, by form id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub forms: BTreeMap<String, FormTexts>,
    /// Each service's name and its cookies' purposes in this language, by
    /// service id. Every service of the site needs one in every language but
    /// the default, unless `fallback` says the default language's may show.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub services: BTreeMap<String, ServiceText>,
    /// Services without texts here show in the default language: an explicit
    /// choice, so a missing translation is never silent.
    #[serde(default, skip_serializing_if = "is_false")]
    pub fallback: bool,
    /// Assent's own words (the privacy center, a form's marks, the
    /// confirmation mail and page) where the site gives its own, word by
    /// word ([`super::Words`]); Assent carries some languages.
    #[cfg(feature = "std")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub words: Option<super::Words>,
}

/// A service's name and what its cookies are for, in one language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceText {
    /// The service's name.
    pub name: String,
    /// Each cookie's purpose, by cookie name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cookies: BTreeMap<String, String>,
}

/// A purpose's name and description in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurposeText {
    /// Short name, e.g. "Analytics".
    pub name: String,
    /// What the purpose does with whose data, in plain words.
    pub description: String,
}

impl SiteConfig {
    /// The languages offered, sorted.
    pub fn languages(&self) -> impl Iterator<Item = &str> {
        self.languages.keys().map(String::as_str)
    }

    /// Picks the language to show for a visitor's preferences, most preferred
    /// first (an `Accept-Language` header goes through
    /// [`language_preferences`] first, which orders it by `q`): an exact tag,
    /// then the same primary language, then the default.
    pub fn negotiate<'a>(&self, preferences: impl IntoIterator<Item = &'a str>) -> &str {
        for wanted in preferences {
            let wanted = wanted.trim();
            if let Some((lang, _)) = self
                .languages
                .iter()
                .find(|(l, _)| l.eq_ignore_ascii_case(wanted))
            {
                return lang;
            }
            let primary = wanted.split(['-', '_']).next().unwrap_or("");
            if let Some((lang, _)) = self.languages.iter().find(|(l, _)| {
                l.split('-')
                    .next()
                    .is_some_and(|p| p.eq_ignore_ascii_case(primary))
            }) {
                return lang;
            }
        }
        &self.default_language
    }
}

/// The direction a language is written in, `rtl` or `ltr`, for a page's
/// `dir` (Arabic, Hebrew, Persian and Urdu right to left).
///
/// ```
/// assert_eq!(assent_core::config::text_direction("ar"), "rtl");
/// assert_eq!(assent_core::config::text_direction("fa-IR"), "rtl");
/// assert_eq!(assent_core::config::text_direction("arn"), "ltr");
/// ```
pub fn text_direction(lang: &str) -> &'static str {
    let primary = lang.split(['-', '_']).next().unwrap_or("");
    if ["ar", "he", "fa", "ur"]
        .iter()
        .any(|r| r.eq_ignore_ascii_case(primary))
    {
        "rtl"
    } else {
        "ltr"
    }
}

/// The most items of a language list that count (a header is the visitor's,
/// and its length is theirs to choose).
pub const MAX_LANGUAGE_PREFERENCES: usize = 16;

/// The languages of an `Accept-Language` header (RFC 9110 section 12.5.4) or
/// of a `?lang=` list, most preferred first: by `q` weight, equal weights in
/// the order written; `q=0` ("not acceptable"), `*`, empty items and items with
/// a malformed weight are left out. Only the first
/// [`MAX_LANGUAGE_PREFERENCES`] items are read. Hand the result to
/// [`SiteConfig::negotiate`] or `SiteConfig::config_answer`.
///
/// ```
/// use assent_core::config::language_preferences;
/// assert_eq!(
///     language_preferences("en;q=0.5, de-AT, fr;q=0, de;q=0.9"),
///     ["de-AT", "de", "en"]
/// );
/// assert_eq!(language_preferences("de-AT,en"), ["de-AT", "en"]);
/// ```
pub fn language_preferences(list: &str) -> Vec<&str> {
    let mut weighted: Vec<(u16, &str)> = list
        .split(',')
        .take(MAX_LANGUAGE_PREFERENCES)
        .filter_map(|item| {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let mut q = 1000;
            for param in parts {
                let (name, value) = param.split_once('=')?;
                if name.trim().eq_ignore_ascii_case("q") {
                    q = parse_weight(value.trim())?;
                }
            }
            (q > 0 && !tag.is_empty() && tag != "*").then_some((q, tag))
        })
        .collect();
    // A stable sort: equal weights keep the order they were written in.
    weighted.sort_by_key(|w| core::cmp::Reverse(w.0));
    weighted.into_iter().map(|(_, tag)| tag).collect()
}

/// An RFC 9110 weight in thousandths: `0`, `0.5`, `1.000`; `None` otherwise.
fn parse_weight(value: &str) -> Option<u16> {
    let (int, frac) = value.split_once('.').unwrap_or((value, ""));
    if frac.len() > 3 || !frac.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let thousandths = frac.bytes().chain(core::iter::repeat(b'0')).take(3);
    let frac = thousandths.fold(0u16, |n, c| n * 10 + u16::from(c - b'0'));
    match int {
        "0" => Some(frac),
        "1" if frac == 0 => Some(1000),
        _ => None,
    }
}
