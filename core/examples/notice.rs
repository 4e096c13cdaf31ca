//! Prints the notice of a site configuration in one language, with its hash,
//! exactly as the edge serves it to the widget.
//!
//! `cargo run -p assent-core --example notice -- edge/sites/demo.json de`

use assent_core::config::SiteConfig;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(path), lang) = (args.next(), args.next()) else {
        eprintln!("usage: notice SITE.json [LANG]");
        std::process::exit(2);
    };
    let json = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2)
    });
    let config = SiteConfig::from_json(&json).unwrap_or_else(|e| {
        eprintln!("{path}: [{}] {e}", e.code());
        std::process::exit(1)
    });
    let answer = config.config_answer(lang.as_deref());
    println!("{}", serde_json::to_string(&answer).expect("serializable"));
}
