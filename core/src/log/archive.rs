//! The notice archive: every notice a record refers to, kept beside the log
//! under its hash, so that an auditor can fetch it years later.
//!
//! A record proves what its visitor was shown by a hash (`event.notice.hash`:
//! SHA-256 of the RFC 8785 bytes of the banner's [`Notice`] or of a form's
//! [`FormNotice`]). The notice itself is derived from the site's
//! configuration, which changes; the archive keeps the exact bytes:
//!
//! - the [sequencer](super::sequencer::append) keeps the notice of each record
//!   it appends, in the same write as the entry ([`NewEntry::notice`]),
//!   whenever it is a notice the site shows now ([`shown`]). Records the edge
//!   makes (confirmations, erasures, an owner's acts) repeat an earlier
//!   record's reference: that notice was kept when the earlier record was
//!   appended;
//! - [`find`] answers a hash the store keeps, or else one of the notices the
//!   site shows now ([`current`]: the banner's and every form's, in every
//!   language), which it keeps from then on: a notice served to visitors can
//!   be asked for before any record refers to it;
//! - [`check`] is the auditor's side: the bytes hash to the record's hash, are
//!   RFC 8785 canonical, and are a notice of the record's site, version and
//!   language.
//!
//! A kept notice is never overwritten (the first bytes under a hash stay) and
//! never deleted.
//!
//! [`NewEntry::notice`]: super::store::NewEntry::notice
//!
//! ```
//! use assent_core::config::SiteConfig;
//! use assent_core::log::archive::{self, NoticeKind};
//!
//! let config = SiteConfig::from_json(include_str!("../../tests/vectors/site.json")).unwrap();
//! let en = config.notice("en").unwrap();
//! let kept = archive::current(&config)
//!     .into_iter()
//!     .find(|n| n.hash.as_str() == en.hash())
//!     .unwrap();
//! let reference = assent_core::event::NoticeRef {
//!     version: config.notice_version.clone(),
//!     language: "en".into(),
//!     hash: en.hash(),
//! };
//! let kind = archive::check(&config.site, &reference, kept.canonical.as_bytes()).unwrap();
//! assert_eq!(kind, NoticeKind::Banner);
//! // One byte more is another notice.
//! let tampered = format!("{} ", kept.canonical);
//! let e = archive::check(&config.site, &reference, tampered.as_bytes()).unwrap_err();
//! assert_eq!(e.code(), "notice_mismatch");
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::canonical::to_canonical_bytes;
use crate::config::SiteConfig;
use crate::error::{Error, LogError};
use crate::event::NoticeRef;
use crate::form::notice::FormNotice;
use crate::ids::{FormId, NoticeHash, SiteId};
use crate::log::LogStore;
use crate::notice::Notice;

/// A notice as the archive keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchivedNotice {
    /// SHA-256 of `canonical`, lowercase hex: the hash records carry.
    pub hash: NoticeHash,
    /// The notice version it belongs to.
    pub version: String,
    /// Its language.
    pub language: String,
    /// The notice's RFC 8785 text: exactly the bytes whose SHA-256 is `hash`.
    pub canonical: String,
    /// When the archive first kept it (ms since the Unix epoch): the receive
    /// time of the first record that referred to it, or when it was first
    /// asked for.
    pub first_ms: u64,
}

impl ArchivedNotice {
    fn of<T: Serialize>(
        notice: &T,
        version: &str,
        language: &str,
        first_ms: u64,
    ) -> Result<Self, Error> {
        let encoding = |e: crate::canonical::CanonicalError| {
            Error::from(LogError::RecordEncoding {
                reason: e.to_string(),
            })
        };
        let bytes = to_canonical_bytes(notice).map_err(encoding)?;
        let hash = NoticeHash::new(&hex::encode(Sha256::digest(&bytes)))?;
        let canonical = String::from_utf8(bytes).map_err(|e| {
            Error::from(LogError::RecordEncoding {
                reason: e.to_string(),
            })
        })?;
        Ok(ArchivedNotice {
            hash,
            version: version.to_string(),
            language: language.to_string(),
            canonical,
            first_ms,
        })
    }

    /// The banner's notice, kept from `first_ms`.
    pub fn banner(notice: &Notice, first_ms: u64) -> Result<Self, Error> {
        Self::of(notice, &notice.notice_version, &notice.language, first_ms)
    }

    /// A form's notice, kept from `first_ms`.
    pub fn form(notice: &FormNotice, first_ms: u64) -> Result<Self, Error> {
        Self::of(notice, &notice.notice_version, &notice.language, first_ms)
    }
}

/// The notice `reference` names, if the site shows it now: a form's (of
/// `form`, where the event names one) or the banner's, in the reference's
/// language. `None` for a notice of another version or a hash the site's
/// notices do not have (a record the edge made repeats an earlier
/// reference: its notice was kept with the earlier record).
pub fn shown(
    config: &SiteConfig,
    reference: &NoticeRef,
    form: Option<&FormId>,
    at_ms: u64,
) -> Option<ArchivedNotice> {
    if reference.version != config.notice_version {
        return None;
    }
    let language = reference.language.as_str();
    let of_form = || {
        form.and_then(|f| config.form_notice(f.as_str(), language).ok())
            .and_then(|n| ArchivedNotice::form(&n, at_ms).ok())
    };
    let of_banner = || {
        config
            .notice(language)
            .ok()
            .and_then(|n| ArchivedNotice::banner(&n, at_ms).ok())
    };
    let matches = |n: &ArchivedNotice| n.hash.as_str() == reference.hash;
    // A form event carries its form's notice; an edge-made record may carry
    // the banner's beside a form's choice (an erasure repeats the last one).
    if form.is_some() {
        of_form()
            .filter(matches)
            .or_else(|| of_banner().filter(matches))
    } else {
        of_banner().filter(matches)
    }
}

/// Every notice the site shows now: the banner's and each form's, in every
/// language the site offers (`first_ms` 0: not kept yet).
pub fn current(config: &SiteConfig) -> Vec<ArchivedNotice> {
    let mut out = Vec::new();
    for language in config.languages() {
        if let Some(n) = config
            .notice(language)
            .ok()
            .and_then(|n| ArchivedNotice::banner(&n, 0).ok())
        {
            out.push(n);
        }
        for form in &config.forms {
            if let Some(n) = config
                .form_notice(form.id.as_str(), language)
                .ok()
                .and_then(|n| ArchivedNotice::form(&n, 0).ok())
            {
                out.push(n);
            }
        }
    }
    out
}

/// What a site with IAB TCF settings discloses of the Global Vendor List
/// ([`crate::tcf::gvl::Disclosure`]), kept like a notice (`first_ms` 0): its
/// hash is the notice's `tcf.disclosure`, its language the list's texts'
/// (`en`). `None` without TCF, or when `gvl` does not bear the settings out
/// (the build refuses such a site).
pub fn disclosure(config: &SiteConfig, gvl: &crate::tcf::gvl::Gvl) -> Option<ArchivedNotice> {
    let tcf = config.tcf.as_ref()?;
    let shown = gvl.disclose(tcf.vendor_ids()).ok()?;
    let kept = ArchivedNotice::of(&shown, &config.notice_version, "en", 0).ok()?;
    (kept.hash.as_str() == tcf.disclosure).then_some(kept)
}

/// The archive's answer for `hash`: the notice the store keeps, or else the
/// one of `current` ([`current`] of the site's configuration) with that hash,
/// kept from `now_ms` on; [`LogError::NoticeUnknown`] when neither has it.
pub fn find<S: LogStore + ?Sized>(
    store: &mut S,
    current: &[ArchivedNotice],
    hash: &NoticeHash,
    now_ms: u64,
) -> Result<ArchivedNotice, Error> {
    if let Some(kept) = store.notice(hash)? {
        return Ok(kept);
    }
    let Some(shown) = current.iter().find(|n| n.hash == *hash) else {
        return Err(LogError::NoticeUnknown {
            hash: hash.to_string(),
        }
        .into());
    };
    let kept = ArchivedNotice {
        first_ms: now_ms,
        ..shown.clone()
    };
    store.keep_notice(&kept)?;
    Ok(kept)
}

/// What a checked notice is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeKind {
    /// The banner's notice.
    Banner,
    /// The notice of this form.
    Form(String),
}

fn mismatch(reason: impl Into<String>) -> Error {
    LogError::NoticeMismatch {
        reason: reason.into(),
    }
    .into()
}

/// Checks that `bytes` are the notice `reference` names on `site`: their
/// SHA-256 is the reference's hash, they are RFC 8785 canonical, and they
/// are a banner or form notice, exactly as the edge serializes one, of that
/// site, version and language. Anything else is [`LogError::NoticeMismatch`]
/// (a reference whose hash is not a hash at all: `notice_hash_invalid`).
pub fn check(site: &SiteId, reference: &NoticeRef, bytes: &[u8]) -> Result<NoticeKind, Error> {
    let hash = NoticeHash::new(&reference.hash)?;
    let actual = hex::encode(Sha256::digest(bytes));
    if actual != hash.as_str() {
        return Err(mismatch(format!(
            "its bytes hash to {actual}, the record's notice hash is {hash}"
        )));
    }
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| mismatch(format!("not JSON: {e}")))?;
    let same = |again: Result<Vec<u8>, crate::canonical::CanonicalError>, what: &str| match again {
        Ok(again) if again == bytes => Ok(()),
        Ok(_) => Err(mismatch(format!("its bytes are not {what}"))),
        Err(e) => Err(mismatch(format!("not canonical JSON: {e}"))),
    };
    same(to_canonical_bytes(&value), "RFC 8785 canonical JSON")?;
    let as_served = "the RFC 8785 form of a notice as the edge serializes one";
    let not_a = |what: &str, e: serde_json::Error| mismatch(format!("not a {what} notice: {e}"));
    let (kind, notice_site, version, language) = if value.get("form").is_some() {
        let n: FormNotice = serde_json::from_value(value).map_err(|e| not_a("form", e))?;
        same(to_canonical_bytes(&n), as_served)?;
        (
            NoticeKind::Form(n.form),
            n.site,
            n.notice_version,
            n.language,
        )
    } else {
        let n: Notice = serde_json::from_value(value).map_err(|e| not_a("banner", e))?;
        same(to_canonical_bytes(&n), as_served)?;
        (NoticeKind::Banner, n.site, n.notice_version, n.language)
    };
    for (what, found, expected) in [
        ("site", notice_site.as_str(), site.as_str()),
        ("version", version.as_str(), reference.version.as_str()),
        ("language", language.as_str(), reference.language.as_str()),
    ] {
        if found != expected {
            return Err(mismatch(format!(
                "it is a notice of {what} {found:?}, the record's is {expected:?}"
            )));
        }
    }
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::MemoryLogStore;

    fn config() -> SiteConfig {
        SiteConfig::from_json(include_str!("../../tests/vectors/site.json")).unwrap()
    }

    fn reference(n: &ArchivedNotice) -> NoticeRef {
        NoticeRef {
            version: n.version.clone(),
            language: n.language.clone(),
            hash: n.hash.to_string(),
        }
    }

    #[test]
    fn current_holds_every_language_of_the_banner_and_each_form() {
        let c = config();
        let all = current(&c);
        for language in c.languages() {
            let banner = c.notice(language).unwrap();
            let kept = all
                .iter()
                .find(|n| n.hash.as_str() == banner.hash())
                .expect("banner notice");
            assert_eq!(kept.language, language);
            assert_eq!(
                kept.canonical.as_bytes(),
                to_canonical_bytes(&banner).unwrap()
            );
            let form = c.form_notice("newsletter", language).unwrap();
            assert!(all.iter().any(|n| n.hash.as_str() == form.hash()));
        }
        assert_eq!(all.len(), 2 * c.languages().count());
    }

    #[test]
    fn shown_finds_the_referenced_notice_now_shown_only() {
        let c = config();
        let de = ArchivedNotice::banner(&c.notice("de").unwrap(), 7).unwrap();
        assert_eq!(shown(&c, &reference(&de), None, 7), Some(de.clone()));
        let form = ArchivedNotice::form(&c.form_notice("newsletter", "de").unwrap(), 7).unwrap();
        let id = FormId::new("newsletter").unwrap();
        assert_eq!(shown(&c, &reference(&form), Some(&id), 7), Some(form));
        // A form's record may carry the banner's reference (an erasure).
        assert_eq!(shown(&c, &reference(&de), Some(&id), 7), Some(de.clone()));
        let mut old = reference(&de);
        old.version = "2020-01-01".into();
        assert_eq!(shown(&c, &old, None, 7), None);
        let mut other = reference(&de);
        other.hash = "0".repeat(64);
        assert_eq!(shown(&c, &other, None, 7), None);
        let mut english = reference(&de);
        english.language = "en".into();
        assert_eq!(
            shown(&c, &english, None, 7),
            None,
            "hash of de, language en"
        );
    }

    #[test]
    fn find_keeps_a_current_notice_once_and_refuses_an_unknown_hash() {
        let c = config();
        let all = current(&c);
        let mut store = MemoryLogStore::default();
        let hash = all[1].hash.clone();
        let first = find(&mut store, &all, &hash, 100).unwrap();
        assert_eq!(first.first_ms, 100);
        assert_eq!(store.notice(&hash).unwrap(), Some(first.clone()));
        // Asked again later: what was kept, from when it was kept.
        assert_eq!(find(&mut store, &all, &hash, 200).unwrap(), first);
        // Still answered once the site no longer shows it.
        assert_eq!(find(&mut store, &[], &hash, 300).unwrap(), first);
        let unknown = NoticeHash::new(&"ab".repeat(32)).unwrap();
        let e = find(&mut store, &all, &unknown, 100).unwrap_err();
        assert_eq!(e.code(), "notice_unknown");
        assert_eq!(store.notice(&unknown).unwrap(), None);
    }

    #[test]
    fn check_accepts_the_notice_and_refuses_any_other() {
        let c = config();
        for n in current(&c) {
            let kind = check(&c.site, &reference(&n), n.canonical.as_bytes()).unwrap();
            let is_form = n.canonical.contains("\"form\":\"newsletter\"");
            assert_eq!(kind == NoticeKind::Form("newsletter".into()), is_form);
        }
        let en = ArchivedNotice::banner(&c.notice("en").unwrap(), 0).unwrap();
        let de = ArchivedNotice::banner(&c.notice("de").unwrap(), 0).unwrap();
        let r = reference(&en);
        let code = |site: &SiteId, r: &NoticeRef, bytes: &[u8]| check(site, r, bytes).unwrap_err();

        // Another notice's bytes, a changed text, one byte added.
        assert_eq!(
            code(&c.site, &r, de.canonical.as_bytes()).code(),
            "notice_mismatch"
        );
        let changed = en.canonical.replacen("\"title\":\"", "\"title\":\"X", 1);
        assert_ne!(changed, en.canonical);
        assert_eq!(
            code(&c.site, &r, changed.as_bytes()).code(),
            "notice_mismatch"
        );
        // A record whose hash is that of other bytes: the hash matches, the
        // rest does not (not canonical; not a notice; another language).
        let spaced = en.canonical.replacen(':', ": ", 1);
        let by_hash = |bytes: &str| {
            let mut r = r.clone();
            r.hash = hex::encode(Sha256::digest(bytes.as_bytes()));
            code(&c.site, &r, bytes.as_bytes())
        };
        let e = by_hash(&spaced);
        assert!(e.to_string().contains("RFC 8785"), "{e}");
        let e = by_hash(r#"{"a":1}"#);
        assert!(e.to_string().contains("not a banner notice"), "{e}");
        let extra = en.canonical.replacen("{", "{\"a\":1,", 1);
        let e = by_hash(&extra);
        assert_eq!(e.code(), "notice_mismatch", "an unknown member: {e}");
        let e = by_hash(&de.canonical);
        assert!(e.to_string().contains("language"), "{e}");
        // Another site, another version.
        let other = SiteId::new("other").unwrap();
        assert!(code(&other, &r, en.canonical.as_bytes())
            .to_string()
            .contains("site"));
        let mut newer = r.clone();
        newer.version = "2030-01-01".into();
        assert!(code(&c.site, &newer, en.canonical.as_bytes())
            .to_string()
            .contains("version"));
        let mut bad = r.clone();
        bad.hash = "00".into();
        assert_eq!(
            code(&c.site, &bad, en.canonical.as_bytes()).code(),
            "notice_hash_invalid"
        );
    }

    #[test]
    fn the_archived_hash_is_the_notice_hash() {
        let c = config();
        let n = c.notice("en").unwrap();
        assert_eq!(
            ArchivedNotice::banner(&n, 0).unwrap().hash.as_str(),
            n.hash()
        );
        let f = c.form_notice("newsletter", "en").unwrap();
        assert_eq!(ArchivedNotice::form(&f, 0).unwrap().hash.as_str(), f.hash());
    }
}
