//! Site keys, their scopes, and what each owner operation needs.

use core::fmt;
use core::str::FromStr;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{AccessError, Error};
use crate::ids::SiteId;

/// What a site key may do. Scopes do not imply one another: a key that may
/// erase (`write`) cannot thereby read anyone's data out (`export`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Lists, counts, states and the audit trail: nothing that names a person.
    Read,
    /// Exports: the log, a subject's history and identity, the audit trail.
    Export,
    /// Changes: erasure, restriction, imports, validating requests.
    Write,
    /// Recording consent given offline (by phone, on paper, from a legacy
    /// CRM) and lawful bases other than consent: the owner's word in the
    /// log, so its own scope, never implied by `write`.
    Attest,
    /// Drafting the site's configuration and previewing the draft: a
    /// marketer's scope, which changes nothing visitors see.
    Edit,
    /// Publishing the draft as the configuration in force (a new notice
    /// version): its own scope, never implied by `edit` or `write`.
    Publish,
}

impl Scope {
    /// The scope's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Export => "export",
            Scope::Write => "write",
            Scope::Attest => "attest",
            Scope::Edit => "edit",
            Scope::Publish => "publish",
        }
    }
}

/// A key's scopes: at least one, each once, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Scope>", into = "Vec<Scope>")]
pub struct Scopes(Vec<Scope>);

impl Scopes {
    /// Parses `read,export` (comma-separated; spaces around names allowed).
    pub fn parse(list: &str) -> Result<Self, Error> {
        let mut scopes = Vec::new();
        for name in list.split(',').map(str::trim) {
            let scope = match name {
                "read" => Scope::Read,
                "export" => Scope::Export,
                "write" => Scope::Write,
                "attest" => Scope::Attest,
                "edit" => Scope::Edit,
                "publish" => Scope::Publish,
                other => {
                    return Err(AccessError::ScopeInvalid {
                        scope: crate::error::excerpt(other),
                    }
                    .into())
                }
            };
            scopes.push(scope);
        }
        Scopes::try_from(scopes)
    }

    /// Whether `scope` is among these.
    pub fn has(&self, scope: Scope) -> bool {
        self.0.contains(&scope)
    }

    /// The scopes, in order.
    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }
}

impl TryFrom<Vec<Scope>> for Scopes {
    type Error = Error;
    fn try_from(mut scopes: Vec<Scope>) -> Result<Self, Error> {
        let n = scopes.len();
        scopes.sort();
        scopes.dedup();
        if scopes.is_empty() || scopes.len() != n {
            return Err(AccessError::ScopeInvalid {
                scope: "at least one scope, each once".into(),
            }
            .into());
        }
        Ok(Scopes(scopes))
    }
}

impl From<Scopes> for Vec<Scope> {
    fn from(s: Scopes) -> Self {
        s.0
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|s| s.as_str()).collect();
        f.write_str(&names.join(","))
    }
}

/// A key's public id: 16 lowercase hex digits, drawn at random.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KeyId(String);

impl KeyId {
    /// Checks `value`.
    pub fn new(value: &str) -> Result<Self, Error> {
        let ok = value.len() == 16
            && value
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if ok {
            Ok(KeyId(value.to_string()))
        } else {
            Err(AccessError::AdminKeyUnknown.into())
        }
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for KeyId {
    type Error = Error;
    fn try_from(v: String) -> Result<Self, Error> {
        KeyId::new(&v)
    }
}

impl From<KeyId> for String {
    fn from(k: KeyId) -> Self {
        k.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A key's name, as the audit trail shows it: 1 to 64 characters, no
/// control characters, not `operator` (that name is the operator's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KeyName(String);

impl KeyName {
    /// Checks `value` (trimmed).
    pub fn new(value: &str) -> Result<Self, Error> {
        let v = value.trim();
        let ok = (1..=64).contains(&v.chars().count())
            && !v.chars().any(char::is_control)
            && v != OPERATOR;
        if ok {
            Ok(KeyName(v.to_string()))
        } else {
            Err(AccessError::KeyNameInvalid.into())
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for KeyName {
    type Error = Error;
    fn try_from(v: String) -> Result<Self, Error> {
        KeyName::new(&v)
    }
}

impl From<KeyName> for String {
    fn from(k: KeyName) -> Self {
        k.0
    }
}

/// The name the audit trail gives the operator.
pub const OPERATOR: &str = "operator";

/// What an erased key's name reads.
pub const ERASED_NAME: &str = "(name erased)";

/// A site key as its holder presents it: `ask.<site>.<id>.<secret>`, the
/// secret 32 random bytes in base64url. The site is in the clear so that a
/// key sent to another site's routes is refused without a lookup.
#[derive(Clone, PartialEq, Eq)]
pub struct AdminToken {
    /// The site the key is for.
    pub site: SiteId,
    /// The key's id.
    pub id: KeyId,
    secret: [u8; 32],
}

impl fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the secret: a token may end up in a log line.
        write!(f, "AdminToken({}.{})", self.site, self.id)
    }
}

impl fmt::Display for AdminToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secret = URL_SAFE_NO_PAD.encode(self.secret);
        write!(f, "ask.{}.{}.{secret}", self.site, self.id)
    }
}

impl FromStr for AdminToken {
    type Err = Error;
    /// Any malformed token is [`AccessError::Unauthorized`]: nothing about
    /// why a guess failed is told.
    fn from_str(s: &str) -> Result<Self, Error> {
        let bad = || Error::from(AccessError::Unauthorized);
        let mut parts = s.split('.');
        let (Some("ask"), Some(site), Some(id), Some(secret), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(bad());
        };
        let secret: [u8; 32] = URL_SAFE_NO_PAD
            .decode(secret)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(bad)?;
        Ok(AdminToken {
            site: SiteId::new(site).map_err(|_| bad())?,
            id: KeyId::new(id).map_err(|_| bad())?,
            secret,
        })
    }
}

/// The stored hash of a key's secret, bound to its site and id.
fn secret_hash(site: &SiteId, id: &KeyId, secret: &[u8; 32]) -> [u8; 32] {
    Sha256::new()
        .chain_update(b"assent/admin-key/v1\0")
        .chain_update(site.as_str().as_bytes())
        .chain_update(b"\0")
        .chain_update(id.as_str().as_bytes())
        .chain_update(b"\0")
        .chain_update(secret)
        .finalize()
        .into()
}

/// A site key as stored: never its secret, only the secret's hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminKey {
    /// The key's id.
    pub id: KeyId,
    /// Its name.
    pub name: KeyName,
    /// What it may do.
    pub scopes: Scopes,
    /// When it was created (ms since the Unix epoch).
    pub created_ms: u64,
    /// When it was revoked, if it was.
    pub revoked_ms: Option<u64>,
    /// When its name was erased (the name then reads [`ERASED_NAME`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_erased_ms: Option<u64>,
    /// Hex of the secret's hash.
    pub hash: String,
}

impl AdminKey {
    /// A new key for `site` from 40 random bytes (8 for the id, 32 for the
    /// secret): the stored key, and the token shown once to its holder.
    pub fn create(
        site: &SiteId,
        name: KeyName,
        scopes: Scopes,
        random: [u8; 40],
        now_ms: u64,
    ) -> (AdminKey, AdminToken) {
        let id = KeyId(hex::encode(&random[..8]));
        let secret: [u8; 32] = random[8..].try_into().expect("32 bytes");
        let hash = hex::encode(secret_hash(site, &id, &secret));
        let token = AdminToken {
            site: site.clone(),
            id: id.clone(),
            secret,
        };
        let key = AdminKey {
            id,
            name,
            scopes,
            created_ms: now_ms,
            revoked_ms: None,
            name_erased_ms: None,
            hash,
        };
        (key, token)
    }

    /// The principal `token` proves, if it is this key's and the key holds.
    pub fn check(&self, token: &AdminToken) -> Result<Principal, Error> {
        let given = secret_hash(&token.site, &token.id, &token.secret);
        let stored = hex::decode(&self.hash).unwrap_or_default();
        let same: bool = given.ct_eq(stored.as_slice()).into();
        if !same || token.id != self.id {
            return Err(AccessError::Unauthorized.into());
        }
        if self.revoked_ms.is_some() {
            return Err(AccessError::KeyRevoked.into());
        }
        Ok(Principal::Key {
            id: self.id.clone(),
            name: self.name.clone(),
            scopes: self.scopes.clone(),
        })
    }
}

/// Who is acting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Principal {
    /// The operator (`ADMIN_KEY`): everything, every site.
    Operator,
    /// A site key.
    Key {
        /// Its id.
        id: KeyId,
        /// Its name.
        name: KeyName,
        /// Its scopes.
        scopes: Scopes,
    },
}

impl Principal {
    /// The name the audit trail shows.
    pub fn name(&self) -> &str {
        match self {
            Principal::Operator => OPERATOR,
            Principal::Key { name, .. } => name.as_str(),
        }
    }

    /// Whether this principal may perform `op`.
    pub fn may(&self, op: Operation) -> Result<(), Error> {
        match (self, op.needs()) {
            (Principal::Operator, _) => Ok(()),
            (Principal::Key { .. }, Need::Operator) => Err(AccessError::OperatorOnly.into()),
            (Principal::Key { scopes, .. }, Need::Scope(scope)) if scopes.has(scope) => Ok(()),
            (Principal::Key { .. }, Need::Scope(scope)) => Err(AccessError::ScopeMissing {
                scope: scope.as_str(),
            }
            .into()),
        }
    }
}

/// What an operation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// A key with this scope (or the operator).
    Scope(Scope),
    /// The operator.
    Operator,
}

/// Every owner operation, by what it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Operation {
    /// List the log's records (`GET .../events`).
    #[serde(rename = "log.list")]
    LogList,
    /// Export the whole log (`GET .../export`).
    #[serde(rename = "log.export")]
    LogExport,
    /// Find a subject by email (`GET .../subjects?email=`).
    #[serde(rename = "subject.find")]
    SubjectFind,
    /// A subject's state per offer.
    #[serde(rename = "subject.state")]
    SubjectState,
    /// A subject's history and identity (access and portability).
    #[serde(rename = "subject.export")]
    SubjectExport,
    /// Erase a subject (into the recycle bin, where the site has one).
    #[serde(rename = "subject.erase")]
    SubjectErase,
    /// Take a subject out of the recycle bin before its purge.
    #[serde(rename = "subject.restore")]
    SubjectRestore,
    /// List the recycle bin.
    #[serde(rename = "recycle_bin.list")]
    RecycleBinList,
    /// Purge the recycle bin now (erase every subject in it).
    #[serde(rename = "recycle_bin.purge")]
    RecycleBinPurge,
    /// List webhook and mail deliveries.
    #[serde(rename = "deliveries.list")]
    Deliveries,
    /// Read the local mailbox (`make dev` only).
    #[serde(rename = "mail.read")]
    Mailbox,
    /// Export the audit trail.
    #[serde(rename = "audit.export")]
    AuditExport,
    /// The record of processing (GDPR Art. 30) generated from the site's configuration.
    #[serde(rename = "processing.record")]
    ProcessingRecord,
    /// Import an opt-out or block list into the suppressions.
    #[serde(rename = "suppressions.import")]
    SuppressionsImport,
    /// The queue of data-subject requests.
    #[serde(rename = "requests.list")]
    RequestsList,
    /// Fulfil or refuse a data-subject request.
    #[serde(rename = "request.decide")]
    RequestDecide,
    /// The counters per day (the console's charts).
    #[serde(rename = "stats.read")]
    Stats,
    /// Restrict processing of a subject, or lift it.
    #[serde(rename = "subject.restrict")]
    SubjectRestrict,
    /// Correct a subject's identity.
    #[serde(rename = "subject.rectify")]
    SubjectRectify,
    /// Record a subject's objection to a channel.
    #[serde(rename = "subject.object")]
    SubjectObject,
    /// Record consent given offline, or another lawful basis.
    #[serde(rename = "consent.attest")]
    ConsentAttest,
    /// Add a note about a contact.
    #[serde(rename = "subject.note")]
    SubjectNote,
    /// The contact list, filtered.
    #[serde(rename = "contacts.list")]
    ContactsList,
    /// Log a request received by phone, letter or mail.
    #[serde(rename = "request.log")]
    RequestLog,
    /// The site's closing: when everyone is anonymised, if set.
    #[serde(rename = "site.closing")]
    SiteClosing,
    /// Set the site's closing day, or take it back (the operator's).
    #[serde(rename = "site.close")]
    SiteClose,
    /// What retention would anonymise now (the dry run).
    #[serde(rename = "retention.dry_run")]
    RetentionDryRun,
    /// Run retention now.
    #[serde(rename = "retention.run")]
    RetentionRun,
    /// List or search the site's opt-out and block lists, or export them.
    #[serde(rename = "suppressions.list")]
    SuppressionsList,
    /// Take an address off the site's lists.
    #[serde(rename = "suppressions.remove")]
    SuppressionsRemove,
    /// Create a site key.
    #[serde(rename = "key.create")]
    KeyCreate,
    /// List a site's keys.
    #[serde(rename = "key.list")]
    KeyList,
    /// Revoke a site key.
    #[serde(rename = "key.revoke")]
    KeyRevoke,
    /// Erase a revoked key's name (the staff member's), keeping the trail whole.
    #[serde(rename = "key.erase_name")]
    KeyEraseName,
    /// Record an incident in the breach register.
    #[serde(rename = "breach.record")]
    BreachRecord,
    /// Read the breach register.
    #[serde(rename = "breach.list")]
    BreachList,
    /// Update an incident: a notification, the measures, a recount.
    #[serde(rename = "breach.update")]
    BreachUpdate,
    /// Read a page of the site's backup (the operator's).
    #[serde(rename = "site.backup")]
    SiteBackup,
    /// Restore a backup into the empty site (the operator's).
    #[serde(rename = "site.restore")]
    SiteRestore,
    /// Read the configuration in force, the draft and the published editions.
    #[serde(rename = "config.read")]
    ConfigRead,
    /// Save or discard the draft, or preview it.
    #[serde(rename = "config.edit")]
    ConfigEdit,
    /// Publish the draft (a new edition and notice version).
    #[serde(rename = "config.publish")]
    ConfigPublish,
}

impl Operation {
    /// What the operation needs. Reading a person's identity or history is
    /// `export`; changing anything is `write`; managing keys is the operator's.
    pub fn needs(self) -> Need {
        use Operation::*;
        match self {
            LogList | SubjectFind | SubjectState | Deliveries | ProcessingRecord | RequestsList
            | Stats | RetentionDryRun | RecycleBinList | SuppressionsList | ContactsList
            | SiteClosing | BreachList | ConfigRead => Need::Scope(Scope::Read),
            // The mailbox holds the addresses and links it sent.
            Mailbox | LogExport | SubjectExport | AuditExport => Need::Scope(Scope::Export),
            SubjectErase | SuppressionsImport | RequestDecide | RetentionRun | SubjectRestrict
            | SubjectRectify | SubjectObject | SubjectRestore | RecycleBinPurge
            | SuppressionsRemove | SubjectNote | RequestLog | BreachRecord | BreachUpdate => {
                Need::Scope(Scope::Write)
            }
            ConsentAttest => Need::Scope(Scope::Attest),
            ConfigEdit => Need::Scope(Scope::Edit),
            ConfigPublish => Need::Scope(Scope::Publish),
            KeyCreate | KeyList | KeyRevoke | KeyEraseName | SiteClose | SiteBackup
            | SiteRestore => Need::Operator,
        }
    }

    /// The operation's code in the audit trail, e.g. `subject.export`.
    pub fn code(self) -> &'static str {
        use Operation::*;
        match self {
            LogList => "log.list",
            LogExport => "log.export",
            SubjectFind => "subject.find",
            SubjectState => "subject.state",
            SubjectExport => "subject.export",
            SubjectErase => "subject.erase",
            SubjectRestore => "subject.restore",
            RecycleBinList => "recycle_bin.list",
            RecycleBinPurge => "recycle_bin.purge",
            Deliveries => "deliveries.list",
            Mailbox => "mail.read",
            AuditExport => "audit.export",
            ProcessingRecord => "processing.record",
            SuppressionsImport => "suppressions.import",
            SuppressionsList => "suppressions.list",
            SuppressionsRemove => "suppressions.remove",
            RequestsList => "requests.list",
            RequestDecide => "request.decide",
            Stats => "stats.read",
            RetentionDryRun => "retention.dry_run",
            SubjectRestrict => "subject.restrict",
            SubjectRectify => "subject.rectify",
            SubjectObject => "subject.object",
            ConsentAttest => "consent.attest",
            SubjectNote => "subject.note",
            ContactsList => "contacts.list",
            RequestLog => "request.log",
            SiteClosing => "site.closing",
            SiteClose => "site.close",
            RetentionRun => "retention.run",
            KeyCreate => "key.create",
            KeyList => "key.list",
            KeyRevoke => "key.revoke",
            KeyEraseName => "key.erase_name",
            BreachRecord => "breach.record",
            BreachList => "breach.list",
            BreachUpdate => "breach.update",
            SiteBackup => "site.backup",
            SiteRestore => "site.restore",
            ConfigRead => "config.read",
            ConfigEdit => "config.edit",
            ConfigPublish => "config.publish",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(s: &str) -> SiteId {
        SiteId::new(s).unwrap()
    }

    fn key(scopes: &str) -> (AdminKey, AdminToken) {
        AdminKey::create(
            &site("demo"),
            KeyName::new("dpo").unwrap(),
            Scopes::parse(scopes).unwrap(),
            [9; 40],
            5,
        )
    }

    #[test]
    fn a_token_round_trips_and_checks() {
        let (k, t) = key("read");
        let back: AdminToken = t.to_string().parse().unwrap();
        assert_eq!(back, t);
        assert!(matches!(k.check(&back), Ok(Principal::Key { .. })));
        assert!(!format!("{t:?}").contains(&t.to_string()[20..]));
        assert!(!k.hash.contains(&t.to_string()[25..]));
    }

    #[test]
    fn a_changed_secret_another_site_or_a_revocation_is_refused() {
        let (mut k, t) = key("read");
        let mut s = t.to_string();
        let last = s.pop().unwrap();
        s.push(if last == 'A' { 'B' } else { 'A' });
        let forged: AdminToken = s.parse().unwrap();
        assert_eq!(k.check(&forged).unwrap_err().code(), "unauthorized");
        let other = AdminToken {
            site: site("example"),
            ..t.clone()
        };
        assert_eq!(k.check(&other).unwrap_err().code(), "unauthorized");
        k.revoked_ms = Some(6);
        assert_eq!(k.check(&t).unwrap_err().code(), "key_revoked");
    }

    #[test]
    fn malformed_tokens_are_unauthorized() {
        for bad in [
            "",
            "ask",
            "ask.demo.0123456789abcdef",
            "ask.demo.0123456789abcdef.short",
            "ask.Demo.0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "ask.demo.0123456789ABCDEF.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "ask.demo.0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.x",
            "bsk.demo.0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ] {
            assert_eq!(
                bad.parse::<AdminToken>().unwrap_err().code(),
                "unauthorized",
                "{bad}"
            );
        }
        assert!(
            "ask.demo.0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                .parse::<AdminToken>()
                .is_ok()
        );
    }

    #[test]
    fn scopes_decide_and_only_the_operator_manages_keys() {
        let (k, t) = key("read,write");
        let p = k.check(&t).unwrap();
        assert!(p.may(Operation::SubjectState).is_ok());
        assert!(p.may(Operation::SubjectErase).is_ok());
        assert!(p.may(Operation::SubjectRestore).is_ok());
        assert!(p.may(Operation::RecycleBinPurge).is_ok());
        assert!(p.may(Operation::RecycleBinList).is_ok());
        assert_eq!(
            p.may(Operation::SubjectExport).unwrap_err().code(),
            "scope_missing"
        );
        let (k, t) = key("read");
        let reader = k.check(&t).unwrap();
        assert!(reader.may(Operation::RecycleBinList).is_ok());
        for op in [Operation::SubjectRestore, Operation::RecycleBinPurge] {
            assert_eq!(reader.may(op).unwrap_err().code(), "scope_missing");
        }
        assert_eq!(
            p.may(Operation::KeyList).unwrap_err().code(),
            "operator_only"
        );
        assert!(Principal::Operator.may(Operation::KeyRevoke).is_ok());
    }

    #[test]
    fn scopes_and_names_are_checked() {
        for bad in ["", "read,,export", "read,read", "admin", "READ"] {
            assert_eq!(
                Scopes::parse(bad).unwrap_err().code(),
                "scope_invalid",
                "{bad}"
            );
        }
        assert_eq!(
            Scopes::parse(" export , read").unwrap().to_string(),
            "read,export"
        );
        for bad in ["", "   ", "operator", "a\u{7}b", &"x".repeat(65)] {
            assert_eq!(KeyName::new(bad).unwrap_err().code(), "key_name_invalid");
        }
        assert_eq!(KeyName::new("  DPO (Ana)  ").unwrap().as_str(), "DPO (Ana)");
    }

    #[test]
    fn operation_codes_match_their_wire_names() {
        use Operation::*;
        for op in [
            LogList,
            LogExport,
            SubjectFind,
            SubjectState,
            SubjectExport,
            SubjectErase,
            SubjectRestore,
            RecycleBinList,
            RecycleBinPurge,
            Deliveries,
            Mailbox,
            AuditExport,
            ProcessingRecord,
            SuppressionsImport,
            SuppressionsList,
            SuppressionsRemove,
            RequestsList,
            RequestDecide,
            Stats,
            RetentionDryRun,
            RetentionRun,
            SubjectRestrict,
            SubjectRectify,
            SubjectObject,
            KeyCreate,
            KeyList,
            KeyRevoke,
        ] {
            assert_eq!(
                serde_json::to_string(&op).unwrap(),
                format!("\"{}\"", op.code())
            );
        }
    }

    /// Every operation, with what it needs: written as a match without a
    /// wildcard, so an operation added later fails to compile here until
    /// its row is written.
    fn expected(op: Operation) -> Need {
        use Operation::*;
        match op {
            LogList => Need::Scope(Scope::Read),
            SubjectFind => Need::Scope(Scope::Read),
            SubjectState => Need::Scope(Scope::Read),
            Deliveries => Need::Scope(Scope::Read),
            ProcessingRecord => Need::Scope(Scope::Read),
            RequestsList => Need::Scope(Scope::Read),
            Stats => Need::Scope(Scope::Read),
            RetentionDryRun => Need::Scope(Scope::Read),
            RecycleBinList => Need::Scope(Scope::Read),
            SuppressionsList => Need::Scope(Scope::Read),
            Mailbox => Need::Scope(Scope::Export),
            LogExport => Need::Scope(Scope::Export),
            SubjectExport => Need::Scope(Scope::Export),
            AuditExport => Need::Scope(Scope::Export),
            SubjectErase => Need::Scope(Scope::Write),
            SuppressionsImport => Need::Scope(Scope::Write),
            SuppressionsRemove => Need::Scope(Scope::Write),
            RequestDecide => Need::Scope(Scope::Write),
            RetentionRun => Need::Scope(Scope::Write),
            SubjectRestrict => Need::Scope(Scope::Write),
            SubjectRectify => Need::Scope(Scope::Write),
            SubjectObject => Need::Scope(Scope::Write),
            SubjectRestore => Need::Scope(Scope::Write),
            RecycleBinPurge => Need::Scope(Scope::Write),
            ConsentAttest => Need::Scope(Scope::Attest),
            ConfigEdit => Need::Scope(Scope::Edit),
            ConfigPublish => Need::Scope(Scope::Publish),
            ConfigRead => Need::Scope(Scope::Read),
            SubjectNote => Need::Scope(Scope::Write),
            ContactsList => Need::Scope(Scope::Read),
            RequestLog => Need::Scope(Scope::Write),
            SiteClosing => Need::Scope(Scope::Read),
            SiteClose => Need::Operator,
            KeyCreate => Need::Operator,
            KeyList => Need::Operator,
            KeyRevoke => Need::Operator,
            KeyEraseName => Need::Operator,
            BreachRecord => Need::Scope(Scope::Write),
            BreachList => Need::Scope(Scope::Read),
            BreachUpdate => Need::Scope(Scope::Write),
            SiteBackup => Need::Operator,
            SiteRestore => Need::Operator,
        }
    }

    const ALL: [Operation; 42] = {
        use Operation::*;
        [
            ConfigRead,
            ConfigEdit,
            ConfigPublish,
            SiteBackup,
            SiteRestore,
            KeyEraseName,
            BreachRecord,
            BreachList,
            BreachUpdate,
            RequestLog,
            SiteClosing,
            SiteClose,
            ContactsList,
            ConsentAttest,
            SubjectNote,
            LogList,
            LogExport,
            SubjectFind,
            SubjectState,
            SubjectExport,
            SubjectErase,
            SubjectRestore,
            RecycleBinList,
            RecycleBinPurge,
            Deliveries,
            Mailbox,
            AuditExport,
            ProcessingRecord,
            SuppressionsImport,
            SuppressionsList,
            SuppressionsRemove,
            RequestsList,
            RequestDecide,
            Stats,
            RetentionDryRun,
            RetentionRun,
            SubjectRestrict,
            SubjectRectify,
            SubjectObject,
            KeyCreate,
            KeyList,
            KeyRevoke,
        ]
    };

    /// Kills any arm of `Operation::needs` moved to another scope (the
    /// outside mutation run deleted arms and swapped scopes): the table
    /// above, operation by operation.
    #[test]
    fn every_operation_needs_what_the_table_says() {
        let mut codes: Vec<&str> = ALL.iter().map(|op| op.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(
            codes.len(),
            ALL.len(),
            "every operation once, codes distinct"
        );
        for op in ALL {
            assert_eq!(op.needs(), expected(op), "{}", op.code());
        }
    }

    /// Every operation against a key of every set of scopes (the seven
    /// non-empty ones) and the operator: allowed exactly when the key holds
    /// the one scope the operation needs; a key never manages keys.
    #[test]
    fn every_scope_set_against_every_operation() {
        let sets = [
            "read",
            "export",
            "write",
            "read,export",
            "read,write",
            "export,write",
            "read,export,write",
        ];
        for set in sets {
            let (k, t) = key(set);
            let p = k.check(&t).unwrap();
            let scopes = Scopes::parse(set).unwrap();
            for op in ALL {
                let got = p.may(op);
                match expected(op) {
                    Need::Scope(s) if scopes.has(s) => {
                        assert!(got.is_ok(), "{set} may {}", op.code())
                    }
                    Need::Scope(s) => {
                        let e = got.unwrap_err();
                        assert_eq!(e.code(), "scope_missing", "{set} {}", op.code());
                        assert!(
                            matches!(
                                e,
                                Error::Access(AccessError::ScopeMissing { scope })
                                    if scope == s.as_str()
                            ),
                            "{set} {}: names the missing scope",
                            op.code()
                        );
                    }
                    Need::Operator => {
                        assert_eq!(
                            got.unwrap_err().code(),
                            "operator_only",
                            "{set} {}",
                            op.code()
                        )
                    }
                }
            }
        }
        for op in ALL {
            assert!(
                Principal::Operator.may(op).is_ok(),
                "operator {}",
                op.code()
            );
        }
    }

    /// The cases a mistake would hurt most, spelled out: a `read` key never
    /// erases, exports, purges or decides; an `export` key never changes
    /// anything; a `write` key never reads a person's data out.
    #[test]
    fn no_scope_implies_another() {
        let reader = key("read").0.check(&key("read").1).unwrap();
        for op in [
            Operation::SubjectErase,
            Operation::SubjectExport,
            Operation::LogExport,
            Operation::RecycleBinPurge,
            Operation::RequestDecide,
            Operation::RetentionRun,
            Operation::Mailbox,
            Operation::AuditExport,
        ] {
            assert!(reader.may(op).is_err(), "read {}", op.code());
        }
        let exporter = key("export").0.check(&key("export").1).unwrap();
        for op in [
            Operation::SubjectErase,
            Operation::SuppressionsImport,
            Operation::LogList,
            Operation::SubjectState,
        ] {
            assert!(exporter.may(op).is_err(), "export {}", op.code());
        }
        let writer = key("write").0.check(&key("write").1).unwrap();
        for op in [
            Operation::SubjectExport,
            Operation::LogExport,
            Operation::Mailbox,
            Operation::AuditExport,
            Operation::LogList,
        ] {
            assert!(writer.may(op).is_err(), "write {}", op.code());
        }
    }

    #[test]
    fn scope_names_and_principal_names() {
        assert_eq!(Scope::Read.as_str(), "read");
        assert_eq!(Scope::Export.as_str(), "export");
        assert_eq!(Scope::Write.as_str(), "write");
        let s = Scopes::parse("write,read").unwrap();
        assert_eq!(s.iter().collect::<Vec<_>>(), [Scope::Read, Scope::Write]);
        assert!(s.has(Scope::Read) && s.has(Scope::Write) && !s.has(Scope::Export));
        assert_eq!(serde_json::to_string(&s).unwrap(), r#"["read","write"]"#);
        assert!(serde_json::from_str::<Scopes>(r#"[]"#).is_err());
        assert!(serde_json::from_str::<Scopes>(r#"["read","read"]"#).is_err());
        assert_eq!(Principal::Operator.name(), OPERATOR);
        let (k, t) = key("read");
        assert_eq!(k.check(&t).unwrap().name(), "dpo");
        assert_eq!(k.created_ms, 5);
        assert_eq!(k.revoked_ms, None);
        assert_eq!(k.id.as_str(), "0909090909090909");
        assert_eq!(t.id, k.id);
        assert_eq!(t.site, site("demo"));
    }

    /// A token names its key: the right secret presented under another
    /// key's id is refused, and so are ids that are not 16 lowercase hex.
    #[test]
    fn key_ids_are_checked() {
        for bad in [
            "",
            "0123456789abcde",
            "0123456789abcdef0",
            "0123456789abcdeg",
            "0123456789ABCDEF",
        ] {
            assert_eq!(
                KeyId::new(bad).unwrap_err().code(),
                "admin_key_unknown",
                "{bad}"
            );
        }
        assert!(KeyId::new("0123456789abcdef").is_ok());
        let (k, t) = key("read");
        let moved = AdminToken {
            id: KeyId::new("0123456789abcdef").unwrap(),
            ..t.clone()
        };
        assert_eq!(k.check(&moved).unwrap_err().code(), "unauthorized");
        let mut other = k.clone();
        other.id = KeyId::new("0123456789abcdef").unwrap();
        // The stored hash binds the id: the same secret under this id fails too.
        assert_eq!(other.check(&moved).unwrap_err().code(), "unauthorized");
        assert_eq!(other.check(&t).unwrap_err().code(), "unauthorized");
    }

    /// Kills `From<KeyId> for String`, `From<KeyName> for String` (serde's
    /// `into`) made `Default::default()`, and `Debug for AdminToken` made
    /// `Ok(())`: a stored key serializes with its id and name, and a token
    /// in a log line says whose it is (never its secret).
    #[test]
    fn ids_and_names_serialize_and_a_token_debugs_as_site_and_id() {
        let (k, t) = key("read,export");
        let json = serde_json::to_value(&k).unwrap();
        assert_eq!(json["id"], "0909090909090909");
        assert_eq!(json["name"], "dpo");
        assert_eq!(json["scopes"], serde_json::json!(["read", "export"]));
        let back: AdminKey = serde_json::from_value(json).unwrap();
        assert_eq!(back, k);
        assert_eq!(String::from(k.id.clone()), "0909090909090909");
        assert_eq!(String::from(k.name.clone()), "dpo");
        assert_eq!(format!("{t:?}"), "AdminToken(demo.0909090909090909)");
        assert!(serde_json::from_str::<KeyId>(r#""0909""#).is_err());
        assert!(serde_json::from_str::<KeyName>(r#""operator""#).is_err());
    }
}
