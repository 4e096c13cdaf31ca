//! Validates every site configuration in `sites/` with assent-core and embeds
//! them: a configuration with an error fails the build, so it never deploys.
//! A site with IAB TCF settings is checked against the Global Vendor List in
//! `gvl/` too (its list version, its vendors, its disclosure hash), and the
//! list is embedded for the edge to disclose from.
//!
//! `ASSENT_EXTRA_SITES` (a folder) adds the configurations in it, checked
//! alike: the shard benchmark's sites (`bench/shards.mjs`), built into a
//! worker of their own. `make build` and a deploy never set it.

use std::path::{Path, PathBuf};
use std::{env, fs};

/// The `.json` files of `dir`, sorted.
fn configs(dir: &Path) -> Vec<PathBuf> {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("readable sites entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    entries.sort();
    entries
}

fn main() {
    let mut entries = configs(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sites"));
    println!("cargo:rerun-if-env-changed=ASSENT_EXTRA_SITES");
    if let Some(extra) = env::var_os("ASSENT_EXTRA_SITES") {
        entries.extend(configs(Path::new(&extra)));
    }

    let gvl_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("gvl/vendor-list.json");
    println!("cargo:rerun-if-changed={}", gvl_path.display());
    let gvl_json = fs::read_to_string(&gvl_path).expect("readable gvl/vendor-list.json");
    let gvl = assent_core::tcf::gvl::Gvl::from_json(&gvl_json)
        .unwrap_or_else(|e| panic!("{}: not a Global Vendor List: {e}", gvl_path.display()));

    let mut generated = format!(
        "/// The Global Vendor List the sites were checked against (gvl/).\npub static GVL: &str = include_str!({:?});\n",
        gvl_path.display().to_string()
    );
    generated.push_str("/// Site configurations checked at build time: (site id, JSON).\npub static SITES: &[(&str, &str)] = &[\n");
    for path in &entries {
        println!("cargo:rerun-if-changed={}", path.display());
        let json = fs::read_to_string(path).expect("readable site config");
        let config = assent_core::config::SiteConfig::from_json(&json).unwrap_or_else(|e| {
            panic!(
                "{}: invalid site configuration [{}]: {e}",
                path.display(),
                e.code()
            )
        });
        if let Some(tcf) = &config.tcf {
            tcf.check_against(&gvl).unwrap_or_else(|e| {
                panic!(
                    "{}: tcf against gvl/vendor-list.json [{}]: {e}",
                    path.display(),
                    e.code()
                )
            });
        }
        let stem = path.file_stem().unwrap().to_string_lossy();
        assert_eq!(
            stem,
            config.site.as_str(),
            "{}: the file name must be the site id",
            path.display()
        );
        generated.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            config.site.as_str(),
            path.display().to_string()
        ));
    }
    generated.push_str("];\n");
    let out = Path::new(&env::var("OUT_DIR").unwrap()).join("sites.rs");
    fs::write(out, generated).expect("write sites.rs");
}
