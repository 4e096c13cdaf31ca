//! Site configurations: validated by `build.rs` with assent-core, embedded in
//! the Worker, parsed once per isolate.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use assent_core::config::SiteConfig;
use assent_core::log::archive::{self, ArchivedNotice};

include!(concat!(env!("OUT_DIR"), "/sites.rs"));

fn all() -> &'static BTreeMap<&'static str, SiteConfig> {
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

/// The configuration of `site`, if the edge serves it.
pub fn get(site: &str) -> Option<&'static SiteConfig> {
    all().get(site)
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
/// isolate, so that a hash the archive does not keep costs a lookup.
pub fn notices(site: &str) -> Option<&'static [ArchivedNotice]> {
    static CURRENT: OnceLock<BTreeMap<&'static str, Vec<ArchivedNotice>>> = OnceLock::new();
    CURRENT
        .get_or_init(|| {
            all()
                .iter()
                .map(|(id, config)| (*id, archive::current(config)))
                .collect()
        })
        .get(site)
        .map(Vec::as_slice)
}

#[cfg(test)]
mod tests {
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
