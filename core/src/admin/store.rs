//! Where a site's keys and audit trail live, and the one authorisation
//! every admin request goes through ([`authorize`]).

use subtle::ConstantTimeEq;

use super::audit::AuditEntry;
use super::{AdminKey, AdminToken, KeyId, KeyName, Operation, Principal, Scopes, ERASED_NAME};
use crate::error::{AccessError, Error};
use crate::ids::SiteId;
use crate::log::store::StoreError;

/// A site's admin keys and audit trail.
pub trait AdminStore {
    /// The key with this id.
    fn key(&self, id: &KeyId) -> Result<Option<AdminKey>, StoreError>;
    /// Every key, oldest first.
    fn keys(&self) -> Result<Vec<AdminKey>, StoreError>;
    /// Stores a new key ([`StoreError::Conflict`] if its id is taken).
    fn put_key(&mut self, key: &AdminKey) -> Result<(), StoreError>;
    /// Marks a key revoked at `at_ms` (a second revocation keeps the first time).
    fn revoke_key(&mut self, id: &KeyId, at_ms: u64) -> Result<(), StoreError>;
    /// Erases key `id`'s name: in the key (which reads [`ERASED_NAME`],
    /// erased at `at_ms`) and in its audit entries ([`super::audit::erase_who`]);
    /// answers how many version 1 entries keep it. Atomic.
    fn erase_key_name(&mut self, id: &KeyId, at_ms: u64) -> Result<u64, StoreError>;
    /// The newest audit entry.
    fn last_audit(&self) -> Result<Option<AuditEntry>, StoreError>;
    /// Appends an audit entry.
    fn put_audit(&mut self, entry: &AuditEntry) -> Result<(), StoreError>;
    /// Up to `limit` entries with `seq > after`, oldest first.
    fn audit_after(&self, after: u64, limit: u64) -> Result<Vec<AuditEntry>, StoreError>;
}

/// Who `presented` (a bearer token) is on `site`, and whether they may do
/// `op` on `target`: the operator when it equals `operator_key` (compared
/// in constant time), else a key of this site. Every request by a known
/// key or the operator, allowed or refused for its scope, is audited;
/// an unknown, malformed or other site's key is not (it names no one here).
pub fn authorize<S: AdminStore + ?Sized>(
    store: &mut S,
    site: &SiteId,
    presented: &str,
    operator_key: Option<&str>,
    op: Operation,
    target: Option<String>,
    now_ms: u64,
) -> Result<Principal, Error> {
    let operator = operator_key.filter(|k| !k.is_empty()).is_some_and(|k| {
        // Digests first: equal length, so the comparison's time says nothing.
        use sha2::{Digest, Sha256};
        bool::from(Sha256::digest(presented.as_bytes()).ct_eq(&Sha256::digest(k.as_bytes())))
    });
    let principal = if operator {
        Principal::Operator
    } else {
        let token: AdminToken = presented.parse()?;
        if token.site != *site {
            return Err(AccessError::KeyOtherSite.into());
        }
        let key = store.key(&token.id)?.ok_or(AccessError::Unauthorized)?;
        match key.check(&token) {
            Ok(p) => p,
            Err(e) if e.code() == "key_revoked" => {
                let p = Principal::Key {
                    id: key.id.clone(),
                    name: key.name.clone(),
                    scopes: key.scopes.clone(),
                };
                audit(store, &p, op, target, false, now_ms)?;
                return Err(e);
            }
            Err(e) => return Err(e),
        }
    };
    let allowed = principal.may(op);
    audit(store, &principal, op, target, allowed.is_ok(), now_ms)?;
    allowed.map(|()| principal)
}

fn audit<S: AdminStore + ?Sized>(
    store: &mut S,
    principal: &Principal,
    op: Operation,
    target: Option<String>,
    allowed: bool,
    now_ms: u64,
) -> Result<(), Error> {
    let last = store.last_audit()?;
    let entry = AuditEntry::next(last.as_ref(), principal, op, target, allowed, now_ms);
    store.put_audit(&entry).map_err(Error::from)
}

/// Creates a key (the caller checked the operator): the stored key and the
/// token shown once.
pub fn create_key<S: AdminStore + ?Sized>(
    store: &mut S,
    site: &SiteId,
    name: KeyName,
    scopes: Scopes,
    random: [u8; 40],
    now_ms: u64,
) -> Result<(AdminKey, AdminToken), Error> {
    let (key, token) = AdminKey::create(site, name, scopes, random, now_ms);
    store.put_key(&key)?;
    Ok((key, token))
}

/// Revokes a key: [`AccessError::AdminKeyUnknown`] if this site has none
/// with that id. Revoking twice keeps the first time.
pub fn revoke_key<S: AdminStore + ?Sized>(
    store: &mut S,
    id: &KeyId,
    now_ms: u64,
) -> Result<AdminKey, Error> {
    if store.key(id)?.is_none() {
        return Err(AccessError::AdminKeyUnknown.into());
    }
    store.revoke_key(id, now_ms)?;
    store
        .key(id)?
        .ok_or_else(|| Error::from(StoreError::Fault("a revoked key vanished".into())))
}

/// Erases a revoked key's name, keeping the audit trail's chain whole:
/// [`AccessError::AdminKeyUnknown`] for no such key,
/// [`AccessError::KeyNotRevoked`] for one still in use (its holder is
/// still acting under it). A second erasure changes nothing. Answers the
/// key as it now reads and how many old (version 1) entries keep the name.
pub fn erase_key_name<S: AdminStore + ?Sized>(
    store: &mut S,
    id: &KeyId,
    now_ms: u64,
) -> Result<(AdminKey, u64), Error> {
    let key = store.key(id)?.ok_or(AccessError::AdminKeyUnknown)?;
    if key.revoked_ms.is_none() {
        return Err(AccessError::KeyNotRevoked.into());
    }
    let kept = store.erase_key_name(id, now_ms)?;
    let key = store
        .key(id)?
        .ok_or_else(|| Error::from(StoreError::Fault("an erased key vanished".into())))?;
    Ok((key, kept))
}

/// The rules of erasing a key's name any store must keep, on a fresh
/// store: refused while the key is in use, then the name gone from the key
/// and from every entry of it (another key's entries keep theirs), the
/// chain whole, the first erasure's time kept. Run on memory here and on
/// SQLite by the edge.
#[cfg(any(test, feature = "test-support"))]
pub fn erasure_conformance<S: AdminStore>(mut store: S) {
    let site = SiteId::new("demo").unwrap();
    let make = |store: &mut S, name: &str, seed: u8| {
        let scopes = Scopes::parse("read").unwrap();
        let name = KeyName::new(name).unwrap();
        create_key(store, &site, name, scopes, [seed; 40], 1).unwrap()
    };
    let (jo, jo_token) = make(&mut store, "Jo Hale", 1);
    let (_, sam_token) = make(&mut store, "Sam", 2);
    for (n, token) in [&jo_token, &sam_token, &jo_token].into_iter().enumerate() {
        let token = token.to_string();
        authorize(
            &mut store,
            &site,
            &token,
            None,
            Operation::LogList,
            None,
            10 + n as u64,
        )
        .unwrap();
    }
    let unknown = KeyId::new("00000000000000ff").unwrap();
    assert_eq!(
        erase_key_name(&mut store, &unknown, 20).unwrap_err().code(),
        "admin_key_unknown"
    );
    assert_eq!(
        erase_key_name(&mut store, &jo.id, 20).unwrap_err().code(),
        "key_not_revoked"
    );
    assert_eq!(
        store.key(&jo.id).unwrap().unwrap().name.as_str(),
        "Jo Hale",
        "refused: unchanged"
    );
    revoke_key(&mut store, &jo.id, 30).unwrap();
    let (erased, kept) = erase_key_name(&mut store, &jo.id, 40).unwrap();
    assert_eq!(
        (erased.name.as_str(), erased.name_erased_ms, kept),
        (ERASED_NAME, Some(40), 0)
    );
    assert_eq!(
        erase_key_name(&mut store, &jo.id, 50)
            .unwrap()
            .0
            .name_erased_ms,
        Some(40)
    );
    let trail = store.audit_after(0, 100).unwrap();
    let names: Vec<&str> = trail.iter().map(|e| e.who.as_str()).collect();
    assert_eq!(names, ["", "Sam", ""]);
    assert_eq!(super::audit::verify_chain(None, &trail), Ok(()));
    assert_eq!(store.key(&jo.id).unwrap().unwrap().revoked_ms, Some(30));
}

/// An in-memory [`AdminStore`] for tools and tests.
#[derive(Debug, Clone, Default)]
pub struct MemoryAdminStore {
    keys: Vec<AdminKey>,
    audit: Vec<AuditEntry>,
}

impl AdminStore for MemoryAdminStore {
    fn key(&self, id: &KeyId) -> Result<Option<AdminKey>, StoreError> {
        Ok(self.keys.iter().find(|k| k.id == *id).cloned())
    }
    fn keys(&self) -> Result<Vec<AdminKey>, StoreError> {
        Ok(self.keys.clone())
    }
    fn put_key(&mut self, key: &AdminKey) -> Result<(), StoreError> {
        if self.keys.iter().any(|k| k.id == key.id) {
            return Err(StoreError::Conflict);
        }
        self.keys.push(key.clone());
        Ok(())
    }
    fn revoke_key(&mut self, id: &KeyId, at_ms: u64) -> Result<(), StoreError> {
        if let Some(k) = self.keys.iter_mut().find(|k| k.id == *id) {
            k.revoked_ms.get_or_insert(at_ms);
        }
        Ok(())
    }
    fn erase_key_name(&mut self, id: &KeyId, at_ms: u64) -> Result<u64, StoreError> {
        if let Some(k) = self.keys.iter_mut().find(|k| k.id == *id) {
            k.name = KeyName::new(ERASED_NAME).expect("a valid name");
            k.name_erased_ms.get_or_insert(at_ms);
        }
        Ok(super::audit::erase_who(&mut self.audit, id))
    }
    fn last_audit(&self) -> Result<Option<AuditEntry>, StoreError> {
        Ok(self.audit.last().cloned())
    }
    fn put_audit(&mut self, entry: &AuditEntry) -> Result<(), StoreError> {
        self.audit.push(entry.clone());
        Ok(())
    }
    fn audit_after(&self, after: u64, limit: u64) -> Result<Vec<AuditEntry>, StoreError> {
        Ok(self
            .audit
            .iter()
            .filter(|e| e.seq > after)
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .cloned()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::audit::verify_chain;
    use crate::admin::Scope;

    fn site(s: &str) -> SiteId {
        SiteId::new(s).unwrap()
    }

    #[test]
    fn a_revoked_key_s_name_is_erased_in_memory() {
        erasure_conformance(MemoryAdminStore::default());
    }

    #[test]
    fn every_case_of_access_is_decided_and_audited() {
        let mut store = MemoryAdminStore::default();
        let demo = site("demo");
        let (reader, token) = create_key(
            &mut store,
            &demo,
            KeyName::new("analyst").unwrap(),
            Scopes::try_from(vec![Scope::Read]).unwrap(),
            [1; 40],
            10,
        )
        .unwrap();
        let t = token.to_string();
        let op = |store: &mut MemoryAdminStore, who: &str, op| {
            authorize(
                store,
                &demo,
                who,
                Some("operator-secret"),
                op,
                Some("s1".into()),
                20,
            )
        };
        assert!(op(&mut store, &t, Operation::SubjectState).is_ok());
        assert_eq!(
            op(&mut store, &t, Operation::SubjectExport)
                .unwrap_err()
                .code(),
            "scope_missing"
        );
        assert_eq!(
            op(&mut store, &t, Operation::KeyCreate).unwrap_err().code(),
            "operator_only"
        );
        assert_eq!(
            op(&mut store, "", Operation::SubjectState)
                .unwrap_err()
                .code(),
            "unauthorized"
        );
        assert_eq!(
            op(&mut store, "operator-secreT", Operation::SubjectState)
                .unwrap_err()
                .code(),
            "unauthorized"
        );
        assert!(op(&mut store, "operator-secret", Operation::KeyCreate).is_ok());
        // Another site's key, and a key this site never issued.
        let (_, other) = AdminKey::create(
            &site("example"),
            KeyName::new("x").unwrap(),
            Scopes::parse("read").unwrap(),
            [2; 40],
            0,
        );
        assert_eq!(
            op(&mut store, &other.to_string(), Operation::SubjectState)
                .unwrap_err()
                .code(),
            "key_other_site"
        );
        let (_, stranger) = AdminKey::create(
            &demo,
            KeyName::new("x").unwrap(),
            Scopes::parse("read").unwrap(),
            [3; 40],
            0,
        );
        assert_eq!(
            op(&mut store, &stranger.to_string(), Operation::SubjectState)
                .unwrap_err()
                .code(),
            "unauthorized"
        );
        // With no operator key configured, nothing is the operator.
        assert_eq!(
            authorize(&mut store, &demo, "", Some(""), Operation::KeyList, None, 1)
                .unwrap_err()
                .code(),
            "unauthorized"
        );
        revoke_key(&mut store, &reader.id, 30).unwrap();
        assert_eq!(
            op(&mut store, &t, Operation::SubjectState)
                .unwrap_err()
                .code(),
            "key_revoked"
        );
        assert_eq!(
            revoke_key(&mut store, &reader.id, 40).unwrap().revoked_ms,
            Some(30)
        );

        let trail = store.audit_after(0, 100).unwrap();
        let seen: Vec<(&str, &str, bool)> = trail
            .iter()
            .map(|e| (e.who.as_str(), e.op.code(), e.allowed))
            .collect();
        assert_eq!(
            seen,
            [
                ("analyst", "subject.state", true),
                ("analyst", "subject.export", false),
                ("analyst", "key.create", false),
                ("operator", "key.create", true),
                ("analyst", "subject.state", false),
            ]
        );
        assert_eq!(verify_chain(None, &trail), Ok(()));
        assert!(trail.iter().all(|e| !format!("{e:?}").contains(&t[30..])));
    }
}
