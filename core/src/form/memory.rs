//! In-memory stores beside the log, for tools and tests: every capability
//! of [`crate::form::store`] kept in vectors.

use crate::form::mail::MAIL_WINDOW_MS;
use crate::form::store::{
    BinStore, Binned, Confirmations, Contact, Contacts, Mailbox, Outbox, Pending, Sealed,
    Suppression, SuppressionKind, Suppressions,
};
use crate::form::webhook::{Delivery, DeliveryState};
use crate::ids::{EventId, SubjectId};
use crate::log::store::StoreError;

/// An in-memory [`FormStore`](crate::form::store::FormStore) for tools and tests.
#[derive(Debug, Clone, Default)]
pub struct MemoryFormStore {
    contacts: Vec<Contact>,
    identities: Vec<Sealed>,
    notes: Vec<Sealed>,
    pending: Vec<Pending>,
    mails: Vec<Sealed>,
    mail_counts: Vec<(String, u64)>,
    phone_tries: Vec<EventId>,
    deliveries: Vec<Delivery>,
    suppressions: Vec<Suppression>,
    bin: MemoryBinStore,
}

impl MemoryFormStore {
    /// Every sealed byte string and key held, for tests that search them.
    pub fn raw_bytes(&self) -> Vec<Vec<u8>> {
        let sealed = self
            .identities
            .iter()
            .chain(&self.mails)
            .chain(&self.notes)
            .map(|s| s.bytes.clone());
        let keys = self.contacts.iter().flat_map(|c| {
            [
                c.lookup.as_bytes().to_vec(),
                c.key.to_vec(),
                c.salt.to_vec(),
            ]
        });
        sealed.chain(keys).collect()
    }
}

impl Contacts for MemoryFormStore {
    fn contact(&self, lookup: &str) -> Result<Option<Contact>, StoreError> {
        Ok(self.contacts.iter().find(|c| c.lookup == lookup).cloned())
    }
    fn contact_of(&self, subject: &SubjectId) -> Result<Option<Contact>, StoreError> {
        Ok(self
            .contacts
            .iter()
            .find(|c| c.subject == *subject)
            .cloned())
    }
    fn contacts_after(
        &self,
        after: Option<&SubjectId>,
        limit: u64,
    ) -> Result<Vec<Contact>, StoreError> {
        let mut out: Vec<Contact> = self
            .contacts
            .iter()
            .filter(|c| after.is_none_or(|a| c.subject > *a))
            .cloned()
            .collect();
        out.sort_by(|a, b| a.subject.cmp(&b.subject));
        out.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(out)
    }
    fn put_contact(&mut self, contact: &Contact) -> Result<(), StoreError> {
        if self
            .contacts
            .iter()
            .any(|c| c.lookup == contact.lookup || c.subject == contact.subject)
        {
            return Err(StoreError::Conflict);
        }
        self.contacts.push(contact.clone());
        Ok(())
    }
    fn put_identity(&mut self, sealed: &Sealed) -> Result<(), StoreError> {
        if !self
            .identities
            .iter()
            .any(|s| s.event_id == sealed.event_id)
        {
            self.identities.push(sealed.clone());
        }
        Ok(())
    }
    fn identity(&self, event_id: &EventId) -> Result<Option<Sealed>, StoreError> {
        Ok(self
            .identities
            .iter()
            .find(|s| s.event_id == *event_id)
            .cloned())
    }
    fn put_note(&mut self, sealed: &Sealed) -> Result<(), StoreError> {
        if !self.notes.iter().any(|s| s.event_id == sealed.event_id) {
            self.notes.push(sealed.clone());
        }
        Ok(())
    }
    fn notes(&self, subject: &SubjectId) -> Result<Vec<Sealed>, StoreError> {
        Ok(self
            .notes
            .iter()
            .filter(|s| s.subject == *subject)
            .cloned()
            .collect())
    }
    fn shred(&mut self, subject: &SubjectId, by: &EventId) -> Result<(), StoreError> {
        for p in self
            .pending
            .iter_mut()
            .filter(|p| p.subject == *subject && p.settled_by.is_none())
        {
            p.settled_by = Some(by.clone());
        }
        self.identities.retain(|s| s.subject != *subject);
        self.notes.retain(|s| s.subject != *subject);
        self.mails.retain(|s| s.subject != *subject);
        self.contacts.retain(|c| c.subject != *subject);
        Ok(())
    }
}

impl Confirmations for MemoryFormStore {
    fn put_pending(&mut self, pending: &Pending) -> Result<(), StoreError> {
        if self.pending.iter().any(|p| p.event_id == pending.event_id) {
            return Err(StoreError::Conflict);
        }
        self.pending.push(pending.clone());
        Ok(())
    }
    fn pending(&self, event_id: &EventId) -> Result<Option<Pending>, StoreError> {
        Ok(self
            .pending
            .iter()
            .find(|p| p.event_id == *event_id)
            .cloned())
    }
    fn settle(&mut self, event_id: &EventId, by: &EventId) -> Result<(), StoreError> {
        let p = self
            .pending
            .iter_mut()
            .find(|p| p.event_id == *event_id)
            .ok_or(StoreError::Fault("no such pending".into()))?;
        p.settled_by = Some(by.clone());
        Ok(())
    }
    fn due(&self, now_ms: u64, limit: u64) -> Result<Vec<Pending>, StoreError> {
        let mut due: Vec<Pending> = self
            .pending
            .iter()
            .filter(|p| p.settled_by.is_none() && p.expires_ms <= now_ms)
            .cloned()
            .collect();
        due.sort_by_key(|p| p.expires_ms);
        due.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(due)
    }
    fn next_due(&self) -> Result<Option<u64>, StoreError> {
        Ok(self
            .pending
            .iter()
            .filter(|p| p.settled_by.is_none())
            .map(|p| p.expires_ms)
            .min())
    }
    fn phone_tries(&self, pending: &EventId) -> Result<u64, StoreError> {
        Ok(self.phone_tries.iter().filter(|p| *p == pending).count() as u64)
    }
    fn count_phone_try(&mut self, pending: &EventId) -> Result<(), StoreError> {
        self.phone_tries.push(pending.clone());
        Ok(())
    }
}

impl Mailbox for MemoryFormStore {
    fn mails_to(&self, recipient: &str, since_ms: u64) -> Result<u64, StoreError> {
        Ok(self
            .mail_counts
            .iter()
            .filter(|(r, at)| r == recipient && *at >= since_ms)
            .count() as u64)
    }
    fn count_mail(&mut self, recipient: &str, at_ms: u64) -> Result<(), StoreError> {
        let window_start = at_ms.saturating_sub(MAIL_WINDOW_MS);
        self.mail_counts.retain(|(_, at)| *at >= window_start);
        self.mail_counts.push((recipient.to_string(), at_ms));
        Ok(())
    }
    fn put_mail(&mut self, mail: &Sealed) -> Result<(), StoreError> {
        self.mails.push(mail.clone());
        Ok(())
    }
    fn mails(&self, limit: u64) -> Result<Vec<Sealed>, StoreError> {
        Ok(self
            .mails
            .iter()
            .rev()
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .cloned()
            .collect())
    }
    fn mail_of(&self, event_id: &EventId) -> Result<Option<Sealed>, StoreError> {
        Ok(self.mails.iter().find(|m| m.event_id == *event_id).cloned())
    }
}

impl Outbox for MemoryFormStore {
    fn put_delivery(&mut self, delivery: &Delivery) -> Result<u64, StoreError> {
        let id = self.deliveries.len() as u64 + 1;
        self.deliveries.push(Delivery {
            id,
            ..delivery.clone()
        });
        Ok(id)
    }
    fn update_delivery(&mut self, delivery: &Delivery) -> Result<(), StoreError> {
        let d = self
            .deliveries
            .iter_mut()
            .find(|d| d.id == delivery.id)
            .ok_or(StoreError::Fault("no such delivery".into()))?;
        *d = delivery.clone();
        Ok(())
    }
    fn due_deliveries(&self, now_ms: u64, limit: u64) -> Result<Vec<Delivery>, StoreError> {
        let mut due: Vec<Delivery> = self
            .deliveries
            .iter()
            .filter(|d| d.state == DeliveryState::Pending && d.next_ms.is_some_and(|n| n <= now_ms))
            .filter(|d| !self.bin.holds(&d.subject))
            .cloned()
            .collect();
        due.sort_by_key(|d| (d.next_ms, d.id));
        due.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(due)
    }
    fn next_delivery(&self) -> Result<Option<u64>, StoreError> {
        Ok(self
            .deliveries
            .iter()
            .filter(|d| d.state == DeliveryState::Pending && !self.bin.holds(&d.subject))
            .filter_map(|d| d.next_ms)
            .min())
    }
    fn deliveries(&self, limit: u64) -> Result<Vec<Delivery>, StoreError> {
        Ok(self
            .deliveries
            .iter()
            .rev()
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .cloned()
            .collect())
    }
}

impl Suppressions for MemoryFormStore {
    fn put_suppression(&mut self, entry: &Suppression) -> Result<(), StoreError> {
        match self
            .suppressions
            .iter_mut()
            .find(|s| s.lookup == entry.lookup)
        {
            Some(held) if held.kind < entry.kind => *held = entry.clone(),
            Some(_) => {}
            None => self.suppressions.push(entry.clone()),
        }
        Ok(())
    }
    fn suppressions(
        &self,
        after: Option<&str>,
        kind: Option<SuppressionKind>,
        limit: u64,
    ) -> Result<Vec<Suppression>, StoreError> {
        let mut all: Vec<Suppression> = self
            .suppressions
            .iter()
            .filter(|s| after.is_none_or(|a| s.lookup.as_str() > a))
            .filter(|s| kind.is_none_or(|k| s.kind == k))
            .cloned()
            .collect();
        all.sort_by(|a, b| a.lookup.cmp(&b.lookup));
        all.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(all)
    }
    fn remove_suppression(&mut self, lookup: &str) -> Result<Option<Suppression>, StoreError> {
        let at = self.suppressions.iter().position(|s| s.lookup == lookup);
        Ok(at.map(|i| self.suppressions.remove(i)))
    }
    fn suppression(&self, lookup: &str) -> Result<Option<Suppression>, StoreError> {
        Ok(self
            .suppressions
            .iter()
            .find(|s| s.lookup == lookup)
            .cloned())
    }
}

impl BinStore for MemoryFormStore {
    fn put_binned(&mut self, entry: &Binned) -> Result<(), StoreError> {
        self.bin.put_binned(entry)
    }
    fn binned(&self, subject: &SubjectId) -> Result<Option<Binned>, StoreError> {
        self.bin.binned(subject)
    }
    fn unbin(&mut self, subject: &SubjectId) -> Result<(), StoreError> {
        self.bin.unbin(subject)
    }
    fn binned_until(&self, until_ms: u64, limit: u64) -> Result<Vec<Binned>, StoreError> {
        self.bin.binned_until(until_ms, limit)
    }
    fn closing(&self) -> Result<Option<crate::form::store::Closing>, StoreError> {
        self.bin.closing()
    }
    fn set_closing(
        &mut self,
        closing: Option<&crate::form::store::Closing>,
    ) -> Result<(), StoreError> {
        self.bin.set_closing(closing)
    }
}

/// An in-memory [`BinStore`] (the one [`MemoryFormStore`] holds).
#[derive(Debug, Clone, Default)]
pub struct MemoryBinStore(Vec<Binned>, Option<crate::form::store::Closing>);

impl MemoryBinStore {
    /// Whether `subject` is in the bin.
    pub fn holds(&self, subject: &SubjectId) -> bool {
        self.0.iter().any(|e| e.subject == *subject)
    }
}

impl BinStore for MemoryBinStore {
    fn put_binned(&mut self, entry: &Binned) -> Result<(), StoreError> {
        if self.holds(&entry.subject) {
            return Err(StoreError::Conflict);
        }
        self.0.push(entry.clone());
        Ok(())
    }
    fn binned(&self, subject: &SubjectId) -> Result<Option<Binned>, StoreError> {
        Ok(self.0.iter().find(|e| e.subject == *subject).cloned())
    }
    fn unbin(&mut self, subject: &SubjectId) -> Result<(), StoreError> {
        self.0.retain(|e| e.subject != *subject);
        Ok(())
    }
    fn binned_until(&self, until_ms: u64, limit: u64) -> Result<Vec<Binned>, StoreError> {
        let mut out: Vec<Binned> = self
            .0
            .iter()
            .filter(|e| e.purge_ms <= until_ms)
            .cloned()
            .collect();
        out.sort_by(|a, b| (a.purge_ms, &a.subject).cmp(&(b.purge_ms, &b.subject)));
        out.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(out)
    }
    fn closing(&self) -> Result<Option<crate::form::store::Closing>, StoreError> {
        Ok(self.1.clone())
    }
    fn set_closing(
        &mut self,
        closing: Option<&crate::form::store::Closing>,
    ) -> Result<(), StoreError> {
        self.1 = closing.cloned();
        Ok(())
    }
}
