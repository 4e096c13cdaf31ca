//! Prints the config answer of a site configuration in one language as the
//! edge serves it to a first visit: core's answer with the widget's plan
//! (`first`). The loader's tests read the demo site's answer from here.
//!
//! `cargo run -p assent-widget --features std --example answer -- edge/sites/demo.json de`

use assent_core::config::SiteConfig;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(path), lang) = (args.next(), args.next()) else {
        eprintln!("usage: answer SITE.json [LANG]");
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
    let mut value = serde_json::to_value(&answer).expect("serializable");
    if let Some(plan) = assent_widget::plan::of_answer(&answer) {
        value["first"] = serde_json::from_str(&plan.to_json()).expect("the plan is JSON");
    }
    println!("{value}");
}
