//! The site owner's commands against an edge: site keys (`assent keys
//! admin ...`, the operator's key), a subject's lookup, export, erasure and
//! restore (`assent subjects ...`), the recycle bin (`assent recycle-bin
//! ...`), and the audit trail (`assent audit`). Each is
//! one call of the owner's API (paths from `assent_core::api`); the answer
//! goes to stdout as the edge sent it, an error as its code on stderr.

use std::io::Write;

use assent_core::api;
use assent_core::ids::{SiteId, SubjectId};

use crate::source::trim;
use crate::CliError;

/// How often a call the edge refused with `429 rate_limited` is sent again.
const RETRIES_WHEN_LIMITED: u32 = 3;

/// An edge, a site and the key to act with.
pub struct Owner {
    /// Edge base URL.
    pub edge: String,
    /// The site.
    pub site: SiteId,
    /// The bearer key.
    pub key: String,
}

impl Owner {
    /// Checks the site id.
    pub fn new(edge: &str, site: &str, key: &str) -> Result<Owner, CliError> {
        Ok(Owner {
            edge: trim(edge).to_string(),
            site: SiteId::new(site).map_err(|e| CliError::Usage(format!("--site: {e}")))?,
            key: key.to_string(),
        })
    }

    /// One call: the body of a 2xx answer, or the edge's error code and message.
    pub(crate) fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<Vec<u8>, CliError> {
        self.call_as(
            method,
            path,
            "application/json",
            body.map(String::into_bytes),
        )
    }

    /// [`Owner::call`] with a body of another media type (`text/csv` for an import).
    pub(crate) fn call_as(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Vec<u8>, CliError> {
        let url = format!("{}{path}", self.edge);
        let auth = format!("Bearer {}", self.key);
        let io = |e: ureq::Error| CliError::Io(format!("{url}: {e}"));
        let send = || match (method, body.clone()) {
            ("POST", body) => ureq::post(&url)
                .config()
                .http_status_as_error(false)
                .build()
                .header("authorization", &auth)
                .header("content-type", content_type)
                .send(body.unwrap_or_default())
                .map_err(io),
            (method, _) => if method == "DELETE" {
                ureq::delete(&url)
            } else {
                ureq::get(&url)
            }
            .config()
            .http_status_as_error(false)
            .build()
            .header("authorization", &auth)
            .call()
            .map_err(io),
        };
        // The owner's routes are limited per address and key
        // (assent_core::limits): a refused request did nothing, so it is
        // sent again after the edge's Retry-After, a few times.
        let mut resp = send()?;
        for _ in 0..RETRIES_WHEN_LIMITED {
            if resp.status().as_u16() != 429 {
                break;
            }
            let wait = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(u64::from(assent_core::limits::WINDOW_SECONDS))
                .min(u64::from(assent_core::limits::WINDOW_SECONDS));
            eprintln!("assent: the edge limits this key for now; trying again in {wait} s");
            std::thread::sleep(std::time::Duration::from_secs(wait));
            resp = send()?;
        }
        let status = resp.status().as_u16();
        let bytes = resp
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_vec()
            .map_err(io)?;
        if status >= 300 {
            let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
            return Err(CliError::Io(format!(
                "{url}: {status} [{}] {}",
                v["error"]["code"].as_str().unwrap_or("?"),
                v["error"]["message"].as_str().unwrap_or("")
            )));
        }
        Ok(bytes)
    }

    /// Calls and prints the answer to stdout.
    pub fn print(&self, method: &str, path: &str, body: Option<String>) -> Result<(), CliError> {
        let bytes = self.call(method, path, body)?;
        let mut out = std::io::stdout().lock();
        out.write_all(&bytes)
            .and_then(|()| {
                if bytes.ends_with(b"\n") {
                    Ok(())
                } else {
                    out.write_all(b"\n")
                }
            })
            .map_err(|e| CliError::Io(format!("stdout: {e}")))
    }

    /// `keys admin create`.
    pub fn create_key(&self, name: &str, scopes: &str) -> Result<(), CliError> {
        // Checked here too, so a typo fails before anything is sent.
        let scopes = assent_core::admin::Scopes::parse(scopes)?;
        let body = serde_json::json!({
            "name": name,
            "scopes": scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        });
        self.print("POST", &api::admin_keys(&self.site), Some(body.to_string()))?;
        eprintln!("assent: the key is shown once; store it now");
        Ok(())
    }

    /// `keys admin list`.
    pub fn list_keys(&self) -> Result<(), CliError> {
        self.print("GET", &api::admin_keys(&self.site), None)
    }

    /// `keys admin revoke`, and `keys admin erase-name` (`erase`).
    pub fn revoke_key(&self, id: &str, erase: bool) -> Result<(), CliError> {
        let id = assent_core::admin::KeyId::new(id)?;
        let path = if erase {
            api::admin_key_erase_name(&self.site, id.as_str())
        } else {
            api::admin_key_revoke(&self.site, id.as_str())
        };
        self.print("POST", &path, None)
    }

    /// `subjects find --email`.
    pub fn find(&self, email: &str) -> Result<(), CliError> {
        let query = percent(email);
        self.print(
            "GET",
            &format!("{}?email={query}", api::admin_subjects(&self.site)),
            None,
        )
    }

    /// `lists find --email`.
    pub fn list_find(&self, email: &str) -> Result<(), CliError> {
        let query = percent(email);
        self.print(
            "GET",
            &format!("{}?email={query}", api::admin_suppressions(&self.site)),
            None,
        )
    }

    /// `lists export`: CSV.
    pub fn lists_export(&self) -> Result<(), CliError> {
        self.print(
            "GET",
            &format!("{}?format=csv", api::admin_suppressions(&self.site)),
            None,
        )
    }

    /// `lists remove`: by the address (found first) or its keyed hash.
    pub fn unlist(&self, email: Option<&str>, lookup: Option<&str>) -> Result<(), CliError> {
        let lookup = match (email, lookup) {
            (_, Some(key)) => key.to_owned(),
            (Some(email), None) => {
                let path = format!(
                    "{}?email={}",
                    api::admin_suppressions(&self.site),
                    percent(email)
                );
                let found: serde_json::Value =
                    serde_json::from_slice(&self.call("GET", &path, None)?)
                        .map_err(|e| CliError::Io(format!("lists answer: {e}")))?;
                found["entries"][0]["lookup"]
                    .as_str()
                    .ok_or_else(|| CliError::Io("that address is on no list".into()))?
                    .to_owned()
            }
            (None, None) => return Err(CliError::Io("give --email or --lookup".into())),
        };
        if !assent_core::rights::import::is_lookup_key(&lookup) {
            return Err(CliError::Io(
                "--lookup is a keyed hash: 64 lowercase hex digits".into(),
            ));
        }
        self.print(
            "DELETE",
            &format!("{}/{lookup}", api::admin_suppressions(&self.site)),
            None,
        )
    }

    /// `subjects export`.
    pub fn export(&self, subject: &str, csv: bool) -> Result<(), CliError> {
        let subject = SubjectId::new(subject)?;
        let format = if csv { "csv" } else { "json" };
        self.print(
            "GET",
            &format!(
                "{}?format={format}",
                api::admin_subject_export(&self.site, &subject)
            ),
            None,
        )
    }

    /// `subjects erase`: the erasure's record, or, where the site has a
    /// recycle bin, the subject's entry in it.
    pub fn erase(&self, subject: &str) -> Result<(), CliError> {
        let subject = SubjectId::new(subject)?;
        self.print("POST", &api::admin_erasure(&self.site, &subject), None)
    }

    /// `subjects restore`: out of the recycle bin before its purge.
    pub fn restore(&self, subject: &str) -> Result<(), CliError> {
        let subject = SubjectId::new(subject)?;
        self.print("POST", &api::admin_restore(&self.site, &subject), None)
    }

    /// `recycle-bin list`.
    pub fn recycle_bin(&self) -> Result<(), CliError> {
        self.print("GET", &api::admin_recycle_bin(&self.site), None)
    }

    /// `recycle-bin purge`: erases everyone in the bin now, a batch per
    /// call until none is left; prints `{"purged": [...]}`.
    pub fn purge(&self) -> Result<(), CliError> {
        let mut purged = Vec::new();
        loop {
            let page = self.call("POST", &api::admin_recycle_bin_purge(&self.site), None)?;
            let page: serde_json::Value = serde_json::from_slice(&page)
                .map_err(|e| CliError::Io(format!("purge answer: {e}")))?;
            purged.extend(page["purged"].as_array().cloned().unwrap_or_default());
            if page["more"] != serde_json::Value::Bool(true) {
                break;
            }
        }
        eprintln!("assent: {} erased", purged.len());
        println!("{}", serde_json::json!({ "purged": purged }));
        Ok(())
    }

    /// `audit`: every page of the trail, checked as a chain, as JSON Lines.
    pub fn audit(&self) -> Result<(), CliError> {
        let mut after = 0u64;
        let mut last: Option<assent_core::admin::audit::AuditEntry> = None;
        let mut out = std::io::stdout().lock();
        loop {
            let page = self.call(
                "GET",
                &format!("{}?after={after}", api::admin_audit(&self.site)),
                None,
            )?;
            let page: serde_json::Value = serde_json::from_slice(&page)
                .map_err(|e| CliError::Io(format!("audit page: {e}")))?;
            let entries: Vec<assent_core::admin::audit::AuditEntry> =
                serde_json::from_value(page["entries"].clone())
                    .map_err(|e| CliError::Io(format!("audit page: {e}")))?;
            if let Err(seq) = assent_core::admin::audit::verify_chain(last.as_ref(), &entries) {
                return Err(CliError::Invalid(format!(
                    "the audit trail is broken at entry {seq}"
                )));
            }
            for e in &entries {
                let line = serde_json::to_string(e).expect("serializes");
                writeln!(out, "{line}").map_err(|e| CliError::Io(format!("stdout: {e}")))?;
            }
            last = entries.last().cloned().or(last);
            match page["next_after"].as_u64() {
                Some(n) => after = n,
                None => break,
            }
        }
        eprintln!(
            "assent: audit trail of {} entries verified as a chain",
            last.map_or(0, |l| l.seq)
        );
        Ok(())
    }
}

/// `s` percent-encoded for a query: everything but unreserved characters.
fn percent(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
