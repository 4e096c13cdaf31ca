//! `assent config ...`: a site's configuration without a deploy
//! (`assent_core::config::edition`): check a file as the build does, pull
//! what is in force, push a draft, preview it, publish it, list the
//! editions. Each owner command is one call of the owner's API.

use assent_core::api;
use assent_core::config::SiteConfig;
use clap::Subcommand;

use crate::owner::Owner;
use crate::{CliError, OwnerArgs};

/// The configuration commands.
#[derive(Subcommand)]
pub enum Command {
    /// Check a configuration file exactly as the build checks edge/sites/*.json (offline).
    Check {
        /// The JSON file.
        file: String,
    },
    /// The configuration in force: {edition, hash, notice_version, fixed_at_deploy, config}.
    /// With --out, only its configuration goes to the file (to edit and push), and its hash,
    /// the base of a push, to stdout.
    Pull {
        #[command(flatten)]
        owner: OwnerArgs,
        /// Write the configuration to this file.
        #[arg(long)]
        out: Option<String>,
    },
    /// Save a file as the site's draft (checked by the edge as the build checks a file).
    Push {
        #[command(flatten)]
        owner: OwnerArgs,
        /// The JSON file.
        file: String,
        /// The hash the file was made from (`pull` prints it): a push over a configuration
        /// that came into force since is refused (draft_stale).
        #[arg(long)]
        base: String,
    },
    /// A link (half an hour) to the draft shown by the real widget: banner, panel, forms.
    Preview {
        #[command(flatten)]
        owner: OwnerArgs,
    },
    /// Publish the draft: the next edition, a new notice version where what is shown changed
    /// (a key with scope `publish`).
    Publish {
        #[command(flatten)]
        owner: OwnerArgs,
    },
    /// Discard the draft.
    Discard {
        #[command(flatten)]
        owner: OwnerArgs,
    },
    /// The published editions, newest first; with a number, that one whole.
    Editions {
        #[command(flatten)]
        owner: OwnerArgs,
        /// An edition's number.
        number: Option<u32>,
    },
}

/// Runs a configuration command.
pub fn run(command: Command) -> Result<(), CliError> {
    match command {
        Command::Check { file } => check(&file),
        Command::Pull { owner, out } => pull(&owner.owner()?, out.as_deref()),
        Command::Push { owner, file, base } => {
            let owner = owner.owner()?;
            let text = read(&file)?;
            if base.len() != 64 || !base.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(CliError::Usage(
                    "--base is 64 hex digits (`assent config pull` prints it)".into(),
                ));
            }
            let path = format!(
                "{}?base={base}",
                api::admin_config_part(&owner.site, "draft")
            );
            owner.print("POST", &path, Some(text))
        }
        Command::Preview { owner } => {
            let owner = owner.owner()?;
            owner.print(
                "POST",
                &api::admin_config_part(&owner.site, "draft/preview"),
                None,
            )
        }
        Command::Publish { owner } => {
            let owner = owner.owner()?;
            owner.print(
                "POST",
                &api::admin_config_part(&owner.site, "publish"),
                None,
            )
        }
        Command::Discard { owner } => {
            let owner = owner.owner()?;
            owner.print(
                "DELETE",
                &api::admin_config_part(&owner.site, "draft"),
                None,
            )
        }
        Command::Editions { owner, number } => {
            let owner = owner.owner()?;
            let part = number.map_or("editions".to_string(), |n| format!("editions/{n}"));
            owner.print("GET", &api::admin_config_part(&owner.site, &part), None)
        }
    }
}

fn read(file: &str) -> Result<String, CliError> {
    std::fs::read_to_string(file).map_err(|e| CliError::Io(format!("{file}: {e}")))
}

/// The Global Vendor List the edge is built with (edge/gvl/): a site's TCF
/// settings are checked against it as the build checks them.
const GVL: &str = include_str!("../../edge/gvl/vendor-list.json");

/// The build's check, offline: ok and the notice version, or the rule broken.
fn check(file: &str) -> Result<(), CliError> {
    let config = SiteConfig::from_json(&read(file)?)?;
    if let Some(tcf) = &config.tcf {
        let gvl = assent_core::tcf::gvl::Gvl::from_json(GVL).map_err(CliError::Io)?;
        tcf.check_against(&gvl)?;
    }
    println!(
        "{}",
        serde_json::json!({ "site": config.site, "notice_version": config.notice_version, "valid": true })
    );
    Ok(())
}

fn pull(owner: &Owner, out: Option<&str>) -> Result<(), CliError> {
    let Some(out) = out else {
        return owner.print("GET", &api::admin_config(&owner.site), None);
    };
    let bytes = owner.call("GET", &api::admin_config(&owner.site), None)?;
    let answer: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| CliError::Io(format!("the edge's answer: {e}")))?;
    let pretty =
        serde_json::to_string_pretty(&answer["config"]).map_err(|e| CliError::Io(e.to_string()))?;
    std::fs::write(out, pretty + "\n").map_err(|e| CliError::Io(format!("{out}: {e}")))?;
    println!(
        "{}",
        serde_json::json!({ "base": answer["hash"], "edition": answer["edition"], "file": out })
    );
    Ok(())
}
