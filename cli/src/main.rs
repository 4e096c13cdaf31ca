//! `assent`: the operator's and auditor's command line.
//!
//! Everything it checks, it checks with `assent-core`, the same code the edge
//! runs: receipts (JWS EdDSA against a JWKS), inclusion of a receipt's record
//! in the signed log, a whole export against a signed checkpoint,
//! consistency between two checkpoints, a record's notice against the
//! edge's notice archive, and a record's IAB TC string against its choice.
//! Exit status: 0 valid, 1 invalid (the
//! reason on stderr), 2 usage or I/O error.
//!
//! Only keys the user pinned are trusted: a JWKS given with `--jwks`, or the
//! JWKS of the edge given with `--edge`. A receipt's own `iss` is never used
//! to find keys (a forger controls it); without a pinned key the command
//! says so and exits 2.
//!
//! Modules: `verify` (every `assent verify ...` check, each a function of
//! assent-core), `tc_string` (`verify tc-string`), `export` (the admin export streamed with a progress count),
//! `import` (opt-out and block lists sent in batches), `attest` (consent
//! given offline, one person or a legacy CRM's file), `contacts` (the
//! contact list and bulk work on a selection), `backup` (a site in one file
//! sealed to the operator's key, and its restore), `owner` (the site
//! owner's commands: keys, subjects, requests, retention), `keys` (`assent
//! keys generate`), `ropa` (`assent processing-record`), `site_config`
//! (`assent config`: check, pull, push, preview, publish), `source` (where
//! inputs come from: a file, stdin, a URL) and `error` (exit 1 for invalid
//! evidence, 2 for usage or I/O).

// The argument docs are clap's `--help` text, plain text rather than
// Markdown: a URL there is meant to be read, not linked.
#![allow(rustdoc::bare_urls)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod attest;
mod backup;
mod contacts;
mod error;
mod export;
mod import;
mod keys;
mod owner;
mod ropa;
mod site_config;
mod source;
mod tc_string;
mod verify;

pub use error::CliError;

#[derive(Parser)]
#[command(
    name = "assent",
    version,
    about = "Verify Assent consent proofs; manage keys; export records"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Verify receipts, inclusion, whole logs, checkpoint consistency and notices.
    #[command(subcommand)]
    Verify(VerifyCommand),
    /// Signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Stream every record of a site as JSON Lines to stdout (admin API).
    Export {
        #[command(flatten)]
        owner: OwnerArgs,
    },
    /// One data subject: find by email, export (access, portability), erase, restore.
    #[command(subcommand)]
    Subjects(SubjectsCommand),
    /// The recycle bin of a site that has one: erased subjects waiting for their purge.
    #[command(subcommand)]
    RecycleBin(RecycleBinCommand),
    /// The site's opt-out and block lists: find an address, export them, take an address off
    /// (`import` puts lists in).
    #[command(subcommand)]
    Lists(ListsCommand),
    /// The site's audit trail of admin actions, checked as a hash chain, as JSON Lines.
    Audit {
        #[command(flatten)]
        owner: OwnerArgs,
    },
    /// Every route of the edge's HTTP API (core's table), as JSON.
    Routes,
    /// Import an opt-out or block list (CSV of emails or keyed hashes) into the site's suppressions.
    /// An opt-out list withdraws the listed contacts' consent on its channels; a block list
    /// withdraws every channel and refuses their opt-ins.
    Import {
        #[command(flatten)]
        owner: OwnerArgs,
        /// The CSV file, or - for stdin.
        file: String,
        /// opt_out (the default) or blocked.
        #[arg(long, default_value = "opt_out")]
        kind: String,
        /// The channels an opt-out list withdraws, e.g. email,sms (default: every channel).
        #[arg(long)]
        channels: Option<String>,
    },
    /// Backups: a site's whole state in one file sealed to the operator's key, and its
    /// restore into an empty site (the operator's key).
    #[command(subcommand)]
    Backup(BackupCommand),
    /// The contact list with filters, and bulk work on the selection (export, erase, restrict,
    /// lift, restore), each subject's own call, with progress.
    Contacts {
        /// list (JSON Lines, or CSV with --csv), export (each subject's export as JSON Lines),
        /// erase, restrict, lift or restore.
        #[arg(value_enum)]
        act: contacts::Act,
        #[command(flatten)]
        owner: OwnerArgs,
        #[command(flatten)]
        selection: contacts::Selection,
        /// CSV instead of JSON Lines (list).
        #[arg(long)]
        csv: bool,
        /// Confirms a change to every selected contact.
        #[arg(long)]
        yes: bool,
    },
    /// Record consent given offline (by phone, on paper, in person, from a legacy CRM), or a
    /// contact held under legitimate interests or a contract: the owner's word, marked as such
    /// everywhere (needs a key with scope `attest`). One person with --email, or every row of
    /// a CSV file with --file (header: email and any of name, phone, offers, given_on, basis,
    /// source, note, evidence_sha256; a file imported twice records each row once).
    Attest {
        #[command(flatten)]
        owner: OwnerArgs,
        #[command(flatten)]
        args: attest::Args,
    },
    /// The site's configuration without a deploy: check a file, pull what is in force, push a
    /// draft, preview it, publish it (scope `publish`), list the editions.
    #[command(subcommand)]
    Config(site_config::Command),
    /// The record of processing (GDPR Art. 30) generated from the site's configuration.
    ProcessingRecord {
        #[command(flatten)]
        owner: OwnerArgs,
        /// json, csv or html (a printable page).
        #[arg(long, default_value = "json")]
        format: String,
    },
}

/// Where and as whom an owner command acts.
#[derive(clap::Args)]
pub(crate) struct OwnerArgs {
    /// Edge base URL, e.g. https://consent.example.com
    #[arg(long)]
    edge: String,
    /// Site id.
    #[arg(long)]
    site: String,
    /// Admin key: the operator's or a site key (or set ASSENT_ADMIN_KEY).
    #[arg(long, env = "ASSENT_ADMIN_KEY", hide_env_values = true)]
    admin_key: String,
}

impl OwnerArgs {
    pub(crate) fn owner(&self) -> Result<owner::Owner, CliError> {
        owner::Owner::new(&self.edge, &self.site, &self.admin_key)
    }
}

#[derive(Subcommand)]
enum BackupCommand {
    /// A new key pair: the secret to --out (mode 0600), the public key to stdout.
    Keygen {
        /// Where the secret key goes (a new file).
        #[arg(long)]
        out: String,
    },
    /// Back the site up into one file sealed to --recipient.
    Create {
        #[command(flatten)]
        owner: OwnerArgs,
        /// The public key (`assent-backup-pub-...`) the file is sealed to.
        #[arg(long)]
        recipient: String,
        /// The file to write.
        #[arg(long)]
        out: String,
    },
    /// Restore a backup into the empty site, checked first and after.
    Restore {
        #[command(flatten)]
        owner: OwnerArgs,
        /// The file holding the secret key (from `backup keygen`).
        #[arg(long)]
        identity: String,
        /// The backup file.
        #[arg(long)]
        file: String,
    },
}

#[derive(Subcommand)]
enum SubjectsCommand {
    /// The subject an email address belongs to (by its keyed hash), and any erasure that suppressed it.
    Find {
        #[command(flatten)]
        owner: OwnerArgs,
        /// The email address.
        #[arg(long)]
        email: String,
    },
    /// A subject's records, receipts, state and identity (JSON, or CSV with --csv).
    Export {
        #[command(flatten)]
        owner: OwnerArgs,
        /// The subject id.
        subject: String,
        /// CSV for a spreadsheet instead of JSON.
        #[arg(long)]
        csv: bool,
    },
    /// Erase a subject: identity destroyed, proofs kept, the address suppressed
    /// (first into the recycle bin, where the site has one).
    Erase {
        #[command(flatten)]
        owner: OwnerArgs,
        /// The subject id.
        subject: String,
    },
    /// Take a subject out of the recycle bin before its purge.
    Restore {
        #[command(flatten)]
        owner: OwnerArgs,
        /// The subject id.
        subject: String,
    },
}

#[derive(Subcommand)]
enum ListsCommand {
    /// The lists' entry of an email address, if it is on one (JSON).
    Find {
        #[command(flatten)]
        owner: OwnerArgs,
        /// The email address.
        #[arg(long)]
        email: String,
    },
    /// Every entry as CSV (lookup key, kind, since, event id): the keyed hashes, never an address.
    Export {
        #[command(flatten)]
        owner: OwnerArgs,
    },
    /// Take an address off the lists (by its address, or its keyed hash); the removal is a
    /// record in the log.
    Remove {
        #[command(flatten)]
        owner: OwnerArgs,
        /// The email address.
        #[arg(long, conflicts_with = "lookup", required_unless_present = "lookup")]
        email: Option<String>,
        /// The keyed hash (64 hex digits), as `export` lists it.
        #[arg(long)]
        lookup: Option<String>,
    },
}

#[derive(Subcommand)]
enum RecycleBinCommand {
    /// The subjects in the bin, the soonest purge first.
    List {
        #[command(flatten)]
        owner: OwnerArgs,
    },
    /// Erase every subject in the bin now.
    Purge {
        #[command(flatten)]
        owner: OwnerArgs,
    },
}

#[derive(Subcommand)]
enum AdminKeysCommand {
    /// A new site key with a name and scopes (read, export, write); shown once.
    Create {
        #[command(flatten)]
        owner: OwnerArgs,
        /// The key's name, as the audit trail shows it.
        #[arg(long)]
        name: String,
        /// Comma-separated scopes: read, export, write.
        #[arg(long)]
        scopes: String,
    },
    /// Every key of the site (never a secret).
    List {
        #[command(flatten)]
        owner: OwnerArgs,
    },
    /// Revoke a key by its id.
    Revoke {
        #[command(flatten)]
        owner: OwnerArgs,
        /// The key's id (16 hex digits).
        id: String,
    },
    /// Erase a revoked key's name (a staff member who left) from the key
    /// and the audit trail; the trail's chain still verifies.
    EraseName {
        #[command(flatten)]
        owner: OwnerArgs,
        /// The key's id (16 hex digits).
        id: String,
    },
}

#[derive(Subcommand)]
enum VerifyCommand {
    /// A receipt's signature, kid, and that its leaf hash is the hash of its record.
    ///
    /// The keys are the ones you pin: --jwks, or --edge (the edge you trust).
    /// The receipt's own issuer is never trusted for its keys.
    Receipt {
        /// Receipt file (the JWS, or the edge's JSON answer), or - for stdin.
        file: String,
        /// JWKS file or URL to trust.
        #[arg(long)]
        jwks: Option<String>,
        /// Edge base URL to trust (its /.well-known/jwks.json), e.g. https://consent.example.com
        #[arg(long, alias = "issuer")]
        edge: Option<String>,
    },
    /// That a receipt's record is in the edge's signed log.
    Inclusion {
        /// Edge base URL.
        #[arg(long)]
        edge: String,
        /// Site id.
        #[arg(long)]
        site: String,
        /// JWKS file or URL to trust; default: the JWKS of --edge.
        #[arg(long)]
        jwks: Option<String>,
        /// Receipt file, or - for stdin.
        file: String,
    },
    /// Rebuild the whole tree from an export and compare it with a signed checkpoint.
    Log {
        /// Export (JSON Lines from `assent export`), or - for stdin.
        #[arg(long)]
        export: String,
        /// Signed checkpoint file.
        #[arg(long)]
        checkpoint: String,
        /// JWKS file or URL.
        #[arg(long)]
        jwks: String,
        /// Edge base URL: with it, a root mismatch is narrowed down to the
        /// first bad record using the edge's (verified) consistency proofs.
        #[arg(long)]
        edge: Option<String>,
    },
    /// That the edge's notice archive holds the notice a record refers to.
    ///
    /// Fetches the notice by the record's notice hash and checks that the
    /// answer is exactly the bytes of that hash (SHA-256), in RFC 8785 form,
    /// a notice of the record's site, version and language. A receipt's
    /// signature is checked with --jwks, else the JWKS of --edge.
    Notice {
        /// Edge base URL (its notice archive).
        #[arg(long)]
        edge: String,
        /// Site id: the record must be of this site.
        #[arg(long)]
        site: Option<String>,
        /// JWKS file or URL to trust for a receipt; default: the JWKS of --edge.
        #[arg(long)]
        jwks: Option<String>,
        /// Write the notice's exact bytes to this file.
        #[arg(long)]
        out: Option<String>,
        /// A receipt (the JWS, or the edge's JSON answer), a stored record as
        /// JSON, or a line of `assent export`; - for stdin.
        file: String,
    },
    /// That a record's IAB TC string is the string of its choice.
    ///
    /// Fetches the notice the record refers to and the vendor disclosure its
    /// TCF settings name from the edge's archive (each checked against its
    /// hash), then makes the string of the record's decisions, services,
    /// language and day by core's rule and compares it with the record's.
    TcString {
        /// Edge base URL (its notice archive).
        #[arg(long)]
        edge: String,
        /// JWKS file or URL to trust for a receipt; default: the JWKS of --edge.
        #[arg(long)]
        jwks: Option<String>,
        /// A receipt (the JWS, or the edge's JSON answer), a stored record as
        /// JSON, or a line of `assent export`; - for stdin.
        file: String,
    },
    /// That the log of NEW_CHECKPOINT extends the log of OLD_CHECKPOINT (no rewritten history).
    Consistency {
        /// The older signed checkpoint file.
        old: String,
        /// The newer signed checkpoint file.
        new: String,
        /// Edge base URL.
        #[arg(long)]
        edge: String,
        /// JWKS file or URL to trust; default: the JWKS of --edge.
        #[arg(long)]
        jwks: Option<String>,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// A new Ed25519 signing key: the secret for `wrangler secret put SIGNING_KEY`
    /// and its public JWK, as JSON.
    Generate,
    /// A site's admin keys (with the operator's key).
    #[command(subcommand)]
    Admin(AdminKeysCommand),
}

fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Verify(VerifyCommand::Receipt { file, jwks, edge }) => {
            verify::receipt(&file, jwks.as_deref(), edge.as_deref())
        }
        Command::Verify(VerifyCommand::Inclusion {
            edge,
            site,
            jwks,
            file,
        }) => verify::inclusion(&edge, &site, jwks.as_deref(), &file),
        Command::Verify(VerifyCommand::Log {
            export,
            checkpoint,
            jwks,
            edge,
        }) => verify::log(&export, &checkpoint, &jwks, edge.as_deref()),
        Command::Verify(VerifyCommand::Notice {
            edge,
            site,
            jwks,
            out,
            file,
        }) => verify::notice(
            &edge,
            site.as_deref(),
            jwks.as_deref(),
            out.as_deref(),
            &file,
        ),
        Command::Verify(VerifyCommand::TcString { edge, jwks, file }) => {
            tc_string::verify(&edge, jwks.as_deref(), &file)
        }
        Command::Verify(VerifyCommand::Consistency {
            old,
            new,
            edge,
            jwks,
        }) => verify::consistency(&old, &new, &edge, jwks.as_deref()),
        Command::Keys(KeysCommand::Generate) => keys::generate(),
        Command::Backup(BackupCommand::Keygen { out }) => backup::keygen(&out),
        Command::Backup(BackupCommand::Create {
            owner,
            recipient,
            out,
        }) => backup::create(&owner.owner()?, &recipient, &out),
        Command::Backup(BackupCommand::Restore {
            owner,
            identity,
            file,
        }) => backup::restore(&owner.owner()?, &identity, &file),
        Command::Keys(KeysCommand::Admin(AdminKeysCommand::Create {
            owner,
            name,
            scopes,
        })) => owner.owner()?.create_key(&name, &scopes),
        Command::Keys(KeysCommand::Admin(AdminKeysCommand::List { owner })) => {
            owner.owner()?.list_keys()
        }
        Command::Keys(KeysCommand::Admin(AdminKeysCommand::Revoke { owner, id })) => {
            owner.owner()?.revoke_key(&id, false)
        }
        Command::Keys(KeysCommand::Admin(AdminKeysCommand::EraseName { owner, id })) => {
            owner.owner()?.revoke_key(&id, true)
        }
        Command::Subjects(SubjectsCommand::Find { owner, email }) => owner.owner()?.find(&email),
        Command::Subjects(SubjectsCommand::Export {
            owner,
            subject,
            csv,
        }) => owner.owner()?.export(&subject, csv),
        Command::Subjects(SubjectsCommand::Erase { owner, subject }) => {
            owner.owner()?.erase(&subject)
        }
        Command::Subjects(SubjectsCommand::Restore { owner, subject }) => {
            owner.owner()?.restore(&subject)
        }
        Command::RecycleBin(RecycleBinCommand::List { owner }) => owner.owner()?.recycle_bin(),
        Command::RecycleBin(RecycleBinCommand::Purge { owner }) => owner.owner()?.purge(),
        Command::Audit { owner } => owner.owner()?.audit(),
        Command::Lists(ListsCommand::Find { owner, email }) => owner.owner()?.list_find(&email),
        Command::Lists(ListsCommand::Export { owner }) => owner.owner()?.lists_export(),
        Command::Lists(ListsCommand::Remove {
            owner,
            email,
            lookup,
        }) => owner.owner()?.unlist(email.as_deref(), lookup.as_deref()),
        Command::Import {
            owner,
            file,
            kind,
            channels,
        } => {
            let list = match channels {
                Some(c) => format!("kind={kind}&channels={c}"),
                None => format!("kind={kind}"),
            };
            import::run(&owner.owner()?, &file, &list)
        }
        Command::Attest { owner, args } => attest::run(&owner.owner()?, args),
        Command::Contacts {
            act,
            owner,
            selection,
            csv,
            yes,
        } => contacts::run(&owner.owner()?, act, &selection, csv, yes),
        Command::Config(command) => site_config::run(command),
        Command::ProcessingRecord { owner, format } => ropa::run(&owner.owner()?, &format),
        Command::Export { owner } => export::run(&owner.edge, &owner.site, &owner.admin_key),
        Command::Routes => {
            let json = serde_json::to_string_pretty(assent_core::api::ROUTES)
                .map_err(|e| CliError::Io(e.to_string()))?;
            println!("{json}");
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(2),
            };
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("assent: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
