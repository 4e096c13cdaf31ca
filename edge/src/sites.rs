//! Site configurations: validated by `build.rs` with assent-core, embedded in
//! the Worker, parsed once per isolate.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use assent_core::config::SiteConfig;

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

#[cfg(test)]
mod tests {
    #[test]
    fn the_demo_site_is_embedded() {
        let demo = super::get("demo").expect("demo site");
        assert!(demo.languages().any(|l| l == "de"));
        assert!(demo.purposes.iter().any(|p| p.required));
    }
}
