//! Site configurations: the deployed files (validated by `build.rs` with
//! assent-core, embedded in the Worker) and the editions published over
//! them without a deploy (`assent_core::config::edition`, kept by the
//! site's directory object, [`crate::site_config`]).
//!
//! No I/O here: asking the directory is [`crate::site_config`]'s.
//! Every isolate keeps what it knows of each site: the newest edition
//! number it has seen and the configuration in force with it, parsed once
//! and kept for the isolate's life (an edition is a few tens of KB and
//! publishes are human-paced; an isolate is recycled long before they add
//! up). Two ways keep it current:
//!
//! - **The Worker asks the directory** when what it knows is older than
//!   [`FRESH_MS`] ([`crate::site_config::resolve`]): a publish reaches
//!   every visitor within that, plus the config answer's own minute of
//!   caching.
//! - **Every message to a shard names the edition the Worker used**
//!   ([`EDITION_HEADER`], set by `objects::call`), and the shard catches up
//!   before it handles it ([`crate::site_config::catch_up`]): the shard
//!   checks an event against the notice the Worker served, never an older
//!   one.
//!
//! Where the directory cannot be reached, what the isolate knew stays in
//! force; an isolate that knew nothing answers `500` rather than guess (the
//! deployed file may be older than an edition in force): the widget keeps
//! its events and sends them again.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use assent_core::config::edition::{self, Edition};
use assent_core::config::SiteConfig;
use assent_core::log::archive::{self, ArchivedNotice};

include!(concat!(env!("OUT_DIR"), "/sites.rs"));

/// How long an isolate trusts what it knows of a site's edition before it
/// asks the directory again.
pub const FRESH_MS: u64 = 30_000;

/// The header a Worker-to-shard message carries: `<site> <edition>`, the
/// newest edition the Worker knew of (0: none published).
pub const EDITION_HEADER: &str = "assent-edition";

fn deployed_all() -> &'static BTreeMap<&'static str, SiteConfig> {
    static PARSED: OnceLock<BTreeMap<&'static str, SiteConfig>> = OnceLock::new();
    PARSED.get_or_init(|| {
        SITES
            .iter()
            .map(|(id, json)| {
                // build.rs already validated this exact text.
                let config = SiteConfig::from_json(json).expect("validated at build time");
                (*id, config)
            })
            .collect()
    })
}

/// The Global Vendor List the build checked the sites against, parsed once
/// per isolate.
pub fn gvl() -> &'static assent_core::tcf::gvl::Gvl {
    static PARSED: OnceLock<assent_core::tcf::gvl::Gvl> = OnceLock::new();
    PARSED
        .get_or_init(|| assent_core::tcf::gvl::Gvl::from_json(GVL).expect("checked at build time"))
}

/// Every notice `config` shows (`archive::current`), and what it discloses
/// of the vendor list where it has TCF settings (only such a site costs the
/// isolate the list's parse).
fn shown(config: &SiteConfig) -> Vec<ArchivedNotice> {
    let mut notices = archive::current(config);
    if config.tcf.is_some() {
        notices.extend(archive::disclosure(config, gvl()));
    }
    notices
}

/// The deployed configuration of `site` (its file), if the edge serves it.
pub fn deployed(site: &str) -> Option<&'static SiteConfig> {
    deployed_all().get(site)
}

/// What this isolate knows of one site.
#[derive(Clone, Copy)]
struct Known {
    /// The newest edition seen (0: none).
    latest: u32,
    /// The configuration in force with it, and the notices it shows.
    config: &'static SiteConfig,
    notices: &'static [ArchivedNotice],
    /// When the directory last answered.
    checked_ms: u64,
}

thread_local! {
    static KNOWN: RefCell<BTreeMap<String, Known>> = const { RefCell::new(BTreeMap::new()) };
}

fn known(site: &str) -> Option<Known> {
    KNOWN.with(|k| k.borrow().get(site).copied())
}

/// The deployed file's notices, computed once per isolate.
fn deployed_notices(site: &str) -> Option<&'static [ArchivedNotice]> {
    static CURRENT: OnceLock<BTreeMap<&'static str, Vec<ArchivedNotice>>> = OnceLock::new();
    CURRENT
        .get_or_init(|| {
            deployed_all()
                .iter()
                .map(|(id, config)| (*id, shown(config)))
                .collect()
        })
        .get(site)
        .map(Vec::as_slice)
}

/// The configuration of `site` in force as far as this isolate knows
/// (the deployed file before it has heard of an edition).
pub fn get(site: &str) -> Option<&'static SiteConfig> {
    known(site).map(|k| k.config).or_else(|| deployed(site))
}

/// The site whose log `store` holds, from the origin its first record
/// fixed; `None` before a first record (an empty shard).
pub fn of_log(
    store: &impl assent_core::log::LogStore,
) -> Result<Option<&'static SiteConfig>, assent_core::log::StoreError> {
    Ok(store.origin()?.and_then(|o| get(o.site().as_str())))
}

/// Every notice `site` shows now, the banner's and each form's in every
/// language (`assent_core::log::archive::current`): computed once per
/// edition, so that a hash the archive does not keep costs a lookup.
pub fn notices(site: &str) -> Option<&'static [ArchivedNotice]> {
    known(site)
        .map(|k| k.notices)
        .or_else(|| deployed_notices(site))
}

/// The newest edition of `site` this isolate knows (0: none).
pub fn latest_known(site: &str) -> u32 {
    known(site).map_or(0, |k| k.latest)
}

/// Takes in what the directory answered: `latest` (where newer than what
/// is known) and the time it answered.
pub fn adopt(site: &str, latest: Option<&Edition>, now_ms: u64) {
    let Some(seed) = deployed(site) else { return };
    let before = known(site);
    let newer = latest.filter(|e| before.is_none_or(|k| e.number > k.latest));
    let entry = match (newer, before) {
        (Some(e), _) => {
            let in_force = edition::in_force(seed, Some(e));
            let config: &'static SiteConfig = Box::leak(Box::new(in_force.config));
            Known {
                latest: e.number,
                config,
                notices: Box::leak(shown(config).into_boxed_slice()),
                checked_ms: now_ms,
            }
        }
        (None, Some(k)) => Known {
            checked_ms: now_ms,
            ..k
        },
        (None, None) => Known {
            latest: 0,
            config: seed,
            notices: deployed_notices(site).unwrap_or_default(),
            checked_ms: now_ms,
        },
    };
    KNOWN.with(|k| k.borrow_mut().insert(site.to_string(), entry));
}

/// When this isolate last heard from the directory of `site`.
pub fn checked_ms(site: &str) -> Option<u64> {
    known(site).map(|k| k.checked_ms)
}

#[cfg(test)]
mod tests {
    use assent_core::config::edition::{self, MemoryEditions};

    /// Edition 1 of the demo site, its banner title `title`.
    fn edition_titled(title: &str) -> edition::Edition {
        let seed = super::deployed("demo").unwrap();
        let mut store = MemoryEditions::default();
        let mut json = serde_json::to_value(seed).unwrap();
        json["languages"]["en"]["ui"]["title"] = title.into();
        let base = edition::in_force(seed, None).hash;
        edition::save_draft(&mut store, seed, &json.to_string(), &base, "operator", 1).unwrap();
        edition::publish(&mut store, seed, "operator", 2).unwrap()
    }

    #[test]
    fn an_isolate_takes_in_a_newer_edition_and_never_an_older_one() {
        let seed = super::deployed("demo").unwrap();
        assert_eq!(super::latest_known("demo"), 0);
        super::adopt("demo", None, 10);
        assert_eq!(
            (super::latest_known("demo"), super::checked_ms("demo")),
            (0, Some(10))
        );
        assert!(
            std::ptr::eq(super::get("demo").unwrap(), seed),
            "the deployed file before any edition"
        );

        let mut one = edition_titled("Edition one");
        super::adopt("demo", Some(&one), 20);
        let now = super::get("demo").unwrap();
        assert_eq!(now.notice("en").unwrap().texts.title, "Edition one");
        assert_eq!(super::latest_known("demo"), 1);
        let hash = now.notice("en").unwrap().hash();
        assert!(
            super::notices("demo")
                .unwrap()
                .iter()
                .any(|n| n.hash.as_str() == hash),
            "its notices with it"
        );

        // The same number again, or nothing new: what is known stays, freshly checked.
        one.config = serde_json::to_string(seed).unwrap();
        super::adopt("demo", Some(&one), 30);
        super::adopt("demo", None, 40);
        assert_eq!(
            super::get("demo")
                .unwrap()
                .notice("en")
                .unwrap()
                .texts
                .title,
            "Edition one"
        );
        assert_eq!(super::checked_ms("demo"), Some(40));
        // A site the edge does not serve is not taken in.
        super::adopt("nowhere", Some(&one), 50);
        assert_eq!(
            (
                super::latest_known("nowhere"),
                super::get("nowhere").is_none()
            ),
            (0, true)
        );
    }

    #[test]
    fn the_demo_site_is_embedded() {
        let demo = super::get("demo").expect("demo site");
        assert!(demo.languages().any(|l| l == "de"));
        assert!(demo.purposes.iter().any(|p| p.required));
    }

    #[test]
    fn every_notice_the_demo_shows_is_in_the_archive_s_current_list() {
        let demo = super::get("demo").unwrap();
        let current = super::notices("demo").unwrap();
        for language in demo.languages() {
            let hash = demo.notice(language).unwrap().hash();
            assert!(
                current.iter().any(|n| n.hash.as_str() == hash),
                "{language}"
            );
        }
        assert!(super::notices("nowhere").is_none());
    }
}
