//! Validates every site configuration in `sites/` with assent-core and embeds
//! them: a configuration with an error fails the build, so it never deploys.

use std::{env, fs, path::Path};

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sites");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut entries: Vec<_> = fs::read_dir(&dir)
        .expect("edge/sites/ must exist")
        .map(|e| e.expect("readable sites/ entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    entries.sort();

    let mut generated = String::from("/// Site configurations checked at build time: (site id, JSON).\npub static SITES: &[(&str, &str)] = &[\n");
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
