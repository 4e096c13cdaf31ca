//! `assent backup`: a site's whole state in one file sealed to a key only
//! the operator holds (`assent_core::backup`), and its restore into an
//! empty site.
//!
//! - `keygen --out FILE`: a new key pair; the secret goes to FILE (mode
//!   0600), the public key (`assent-backup-pub-...`) to stdout.
//! - `create --recipient PUB --out FILE`: calls the edge chunk by chunk and
//!   writes the file: a header line, then one sealed chunk a line. The edge
//!   seals; the CLI never sees a row.
//! - `restore --identity FILE --file BACKUP`: opens and checks the whole
//!   file here first (nothing is sent if a chunk is missing, moved or
//!   changed), asks the edge whether the site is empty, sends each page,
//!   then has the edge count every table and check each shard's log
//!   against its newest checkpoint. Prints that report.

use std::collections::BTreeMap;
use std::io::Write;

use assent_core::api;
use assent_core::backup::seal::Identity;
use assent_core::backup::Backup;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Value};

use crate::error::CliError;
use crate::owner::Owner;

fn io(what: &str) -> impl Fn(std::io::Error) -> CliError + '_ {
    move |e| CliError::Io(format!("{what}: {e}"))
}

/// `backup keygen`.
pub fn keygen(out: &str) -> Result<(), CliError> {
    let mut random = [0u8; 32];
    getrandom::getrandom(&mut random).map_err(|e| CliError::Io(format!("no randomness: {e}")))?;
    let identity = Identity::from_random(random);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(out).map_err(io(out))?;
    writeln!(file, "{}", identity.to_secret_text()).map_err(io(out))?;
    println!("{}", identity.recipient());
    eprintln!("assent: the secret key is in {out}: keep it off the edge; backups sealed to the key above open only with it");
    Ok(())
}

/// `backup create`.
pub fn create(owner: &Owner, recipient: &str, out: &str) -> Result<(), CliError> {
    let recipient: assent_core::backup::seal::Recipient = recipient.parse()?;
    let path = api::admin_backup(&owner.site);
    let tmp = format!("{out}.partial");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(io(&tmp))?);
    let progress = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {pos} chunks {msg}").expect("a fixed template"),
    );
    let (mut id, mut at, mut seq) = (Value::Null, Value::Null, 0u64);
    loop {
        let body = json!({ "recipient": recipient.to_string(), "id": id, "seq": seq, "at": at });
        let answer: Value =
            serde_json::from_slice(&owner.call("POST", &path, Some(body.to_string()))?)
                .map_err(|e| CliError::Io(format!("backup answer: {e}")))?;
        if let Some(header) = answer["header"].as_str() {
            writeln!(file, "{header}").map_err(io(&tmp))?;
        }
        let chunk = answer["chunk"]
            .as_str()
            .ok_or_else(|| CliError::Io("a backup answer without its chunk".into()))?;
        writeln!(file, "{chunk}").map_err(io(&tmp))?;
        progress.inc(1);
        if answer["done"] == true {
            break;
        }
        (id, at, seq) = (answer["id"].clone(), answer["at"].clone(), seq + 1);
        if let Some(object) = at["object"].as_str() {
            progress.set_message(object.to_string());
        }
    }
    file.flush().map_err(io(&tmp))?;
    drop(file);
    std::fs::rename(&tmp, out).map_err(io(out))?;
    progress.finish_and_clear();
    eprintln!("assent: {} chunks in {out}", seq + 1);
    println!("{}", json!({ "file": out, "chunks": seq + 1 }));
    Ok(())
}

/// `backup restore`.
pub fn restore(owner: &Owner, identity: &str, file: &str) -> Result<(), CliError> {
    let secret = std::fs::read_to_string(identity).map_err(io(identity))?;
    let me: Identity = secret.trim().parse()?;
    let text = std::fs::read_to_string(file).map_err(io(file))?;
    // Every chunk opened and checked before anything is sent.
    let backup = Backup::read(&text, &me)?;
    if backup.header.site != owner.site {
        return Err(CliError::Usage(format!(
            "{file} is a backup of site {}, not {}",
            backup.header.site, owner.site
        )));
    }
    let step = |s: &str| api::admin_restore_step(&owner.site, s);
    owner.call(
        "POST",
        &step("check"),
        Some(json!({ "objects": backup.objects }).to_string()),
    )?;
    let progress = ProgressBar::new(backup.pages.len() as u64).with_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} pages {msg}").expect("a fixed template"),
    );
    for page in &backup.pages {
        progress.set_message(format!("{} {}", page.object, page.table));
        let body = serde_json::to_string(page).expect("a page serializes");
        owner.call("POST", &step("pages"), Some(body))?;
        progress.inc(1);
    }
    progress.finish_and_clear();
    let tables: BTreeMap<&String, BTreeMap<String, u64>> = backup
        .objects
        .iter()
        .map(|o| (o, backup.tables(o)))
        .collect();
    owner.print(
        "POST",
        &step("end"),
        Some(json!({ "tables": tables }).to_string()),
    )
}
