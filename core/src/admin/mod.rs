//! The site owner's access, without I/O: scoped admin keys, what each
//! operation needs, and the audit trail every admin action leaves.
//!
//! **Keys.** The operator holds one key (the `ADMIN_KEY` secret) that may do
//! everything, and is the only one that may create, list and revoke a site's
//! keys. A site key belongs to one site, has a name, a set of [`Scope`]s and a
//! creation date. It is shown once, when created, as an [`AdminToken`]
//! (`ask.<site>.<id>.<secret>`); the store keeps only a domain-separated
//! SHA-256 of the secret, compared in constant time. A revoked key stays
//! listed (with its revocation date) so the audit trail keeps its name.
//!
//! **Operations.** Each owner route is one [`Operation`]; the operation
//! names the scope it needs ([`Operation::needs`]), so the rule lives here
//! once and the edge only asks [`Principal::may`].
//!
//! **Audit.** Every authenticated admin request, allowed or not, becomes an
//! [`audit::AuditEntry`]: who (the key's name and id, or `operator`), what
//! (the operation's code and its target), when, and whether it was allowed.
//! Entries are chained by hash, so an edited or removed entry shows.
//!
//! ```
//! use assent_core::admin::{AdminKey, KeyName, Operation, Scope, Scopes};
//! use assent_core::ids::SiteId;
//!
//! let site = SiteId::new("demo").unwrap();
//! let scopes = Scopes::parse("read,export").unwrap();
//! let (key, token) = AdminKey::create(&site, KeyName::new("dpo").unwrap(), scopes, [7; 40], 0);
//! let principal = key.check(&token.to_string().parse().unwrap()).unwrap();
//! assert!(principal.may(Operation::SubjectExport).is_ok());
//! assert_eq!(principal.may(Operation::SubjectErase).unwrap_err().code(), "scope_missing");
//! assert_eq!(principal.may(Operation::KeyCreate).unwrap_err().code(), "operator_only");
//! # let _ = Scope::Read;
//! ```

pub mod audit;
mod key;
pub mod store;

pub use key::{
    AdminKey, AdminToken, KeyId, KeyName, Need, Operation, Principal, Scope, Scopes, ERASED_NAME,
};
