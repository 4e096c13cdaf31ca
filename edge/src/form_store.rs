//! The forms' storage beside the log, on the same SQLite: core's
//! [`FormStore`](assent_core::form::store::FormStore) over any [`Sql`] connection, as [`SqlLogStore`] is the
//! log's. Contacts (lookup key, subject, salt, vault key), sealed
//! identities, pending submissions, the sealed mailbox (mails and SMS), the
//! webhook queue, the suppressions, the recycle bin and the wrong phone
//! codes per submission.
//!
//! Unlike the log these rows may change: a pending row is settled, and
//! erasure (issue 12) deletes a contact's salt, key and sealed values while
//! the log keeps every record. No column holds an email, a name or a phone
//! number in clear; the lookup key is an HMAC under the site's secret.
//!
//! [`SqlLogStore`]: crate::log_store::SqlLogStore

use assent_core::form::store::{
    Confirmations, Contact, Contacts, Mailbox, Outbox, Pending, Sealed, Suppression,
    SuppressionKind, Suppressions,
};
use assent_core::form::webhook::{Delivery, DeliveryState};
use assent_core::ids::{EventId, FormId, SubjectId};
use assent_core::log::StoreError;

use crate::log_store::{bad_row, bound, fault, get_text, get_u64, int, Sql, SqlValue};

mod bin;

/// Migration 2 of a shard: the owner's notes about contacts, sealed like
/// identities under the contact's key, shredded with them.
pub const NOTES_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS notes (
  id         TEXT PRIMARY KEY,
  subject    TEXT NOT NULL,
  nonce      BLOB NOT NULL,
  sealed     BLOB NOT NULL,
  created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_subject ON notes (subject, created_ms);
";

/// Migration 3 of a shard: the site's closing (everyone anonymised by a
/// day), one row at most.
pub const CLOSING_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS closing (
  anonymise_by_ms INTEGER NOT NULL,
  set_ms          INTEGER NOT NULL,
  set_by          TEXT NOT NULL
);
";

/// The schema, created with the log's when the object starts.
pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS contacts (
  lookup     TEXT PRIMARY KEY,      -- HMAC of the normalised email under the site's secret
  subject    TEXT NOT NULL UNIQUE,
  salt       BLOB NOT NULL,         -- the commitment salt: erased, the commitment links to no one
  key        BLOB NOT NULL,         -- the vault key: erased, the sealed values are noise
  created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS identities (
  event_id   TEXT PRIMARY KEY,
  subject    TEXT NOT NULL,
  nonce      BLOB NOT NULL,
  sealed     BLOB NOT NULL,
  created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS pending (
  event_id   TEXT PRIMARY KEY,
  subject    TEXT NOT NULL,
  form       TEXT NOT NULL,
  expires_ms INTEGER NOT NULL,
  parent     INTEGER NOT NULL,
  settled_by TEXT
);
CREATE INDEX IF NOT EXISTS pending_due ON pending(expires_ms) WHERE settled_by IS NULL;
CREATE TABLE IF NOT EXISTS deliveries (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  pending    INTEGER NOT NULL,      -- 1 while it waits for a 2xx
  next_ms    INTEGER,               -- when it is tried next
  data       TEXT NOT NULL          -- the delivery (webhook, event, state, tries; no identity)
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(next_ms) WHERE pending = 1;
CREATE TABLE IF NOT EXISTS suppressions (
  lookup     TEXT PRIMARY KEY,      -- the address's lookup key (an HMAC: names no one)
  kind       TEXT NOT NULL,         -- erased | opt_out | blocked
  event_id   TEXT NOT NULL,         -- the erasure, or the import batch's record, that put it here
  created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS recycle_bin (
  subject    TEXT PRIMARY KEY,      -- deleted, not yet erased: nothing is processed for it
  deleted_ms INTEGER NOT NULL,
  purge_ms   INTEGER NOT NULL,      -- when the erasure runs
  deleted_by TEXT NOT NULL          -- a key's name, operator, or request <id>
);
CREATE INDEX IF NOT EXISTS recycle_bin_due ON recycle_bin(purge_ms);
CREATE TABLE IF NOT EXISTS mail_counts (
  recipient  TEXT NOT NULL,         -- the address's lookup key (an HMAC: names nobody)
  created_ms INTEGER NOT NULL       -- kept for the mail window only (core's MAIL_WINDOW_MS)
);
CREATE INDEX IF NOT EXISTS mail_counts_by ON mail_counts(recipient, created_ms);
CREATE TABLE IF NOT EXISTS phone_tries (
  pending    TEXT PRIMARY KEY,      -- the pending submission whose texted code was mistyped
  tries      INTEGER NOT NULL       -- wrong codes so far (core's phone::MAX_TRIES kills the code)
);
CREATE TABLE IF NOT EXISTS mails (
  n          INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id   TEXT NOT NULL,
  subject    TEXT NOT NULL,
  nonce      BLOB NOT NULL,
  sealed     BLOB NOT NULL,
  created_ms INTEGER NOT NULL
);
";

/// [`FormStore`](assent_core::form::store::FormStore) on a SQLite connection with [`SCHEMA`] and [`NOTES_SCHEMA`].
pub struct SqlFormStore<C>(pub C);

fn blob<const N: usize>(v: &SqlValue) -> Result<[u8; N], StoreError> {
    match v {
        SqlValue::Blob(b) => b.as_slice().try_into().map_err(|_| bad_row("blob length")),
        _ => Err(bad_row("blob expected")),
    }
}

fn bytes(v: &SqlValue) -> Result<Vec<u8>, StoreError> {
    match v {
        SqlValue::Blob(b) => Ok(b.clone()),
        _ => Err(bad_row("blob expected")),
    }
}

fn id<T>(v: &SqlValue, parse: fn(&str) -> Result<T, assent_core::Error>) -> Result<T, StoreError> {
    parse(&get_text(v)?).map_err(|_| bad_row("a stored id does not parse"))
}

fn text(v: impl ToString) -> SqlValue {
    SqlValue::Text(v.to_string())
}

impl<C: Sql> SqlFormStore<C> {
    fn rows(&self, sql: &str, params: Vec<SqlValue>) -> Result<Vec<Vec<SqlValue>>, StoreError> {
        self.0.query(sql, params).map_err(fault)
    }

    fn contacts(&self, sql: &str, key: SqlValue) -> Result<Option<Contact>, StoreError> {
        self.rows(sql, vec![key])?
            .first()
            .map(|r| Self::contact_row(r))
            .transpose()
    }

    fn contact_row(r: &[SqlValue]) -> Result<Contact, StoreError> {
        match r {
            [lookup, subject, salt, key, created] => Ok(Contact {
                lookup: get_text(lookup)?,
                subject: id(subject, SubjectId::new)?,
                salt: blob(salt)?,
                key: blob(key)?,
                created_ms: get_u64(created)?,
            }),
            _ => Err(bad_row("contact")),
        }
    }

    /// Stores a sealed value by `sql`, whose five parameters are its id,
    /// subject, nonce, bytes and time (an identity, a note).
    fn put_sealed(&self, sql: &str, s: &Sealed) -> Result<(), StoreError> {
        self.rows(
            sql,
            vec![
                text(&s.event_id),
                text(&s.subject),
                SqlValue::Blob(s.nonce.to_vec()),
                SqlValue::Blob(s.bytes.clone()),
                int(s.created_ms)?,
            ],
        )?;
        Ok(())
    }

    fn sealed(rows: Vec<Vec<SqlValue>>) -> Result<Vec<Sealed>, StoreError> {
        rows.iter()
            .map(|r| match r.as_slice() {
                [event, subject, nonce, sealed, created] => Ok(Sealed {
                    event_id: id(event, EventId::new)?,
                    subject: id(subject, SubjectId::new)?,
                    nonce: blob(nonce)?,
                    bytes: bytes(sealed)?,
                    created_ms: get_u64(created)?,
                }),
                _ => Err(bad_row("sealed")),
            })
            .collect()
    }

    fn pendings(rows: Vec<Vec<SqlValue>>) -> Result<Vec<Pending>, StoreError> {
        rows.iter()
            .map(|r| match r.as_slice() {
                [event, subject, form, expires, parent, settled] => Ok(Pending {
                    event_id: id(event, EventId::new)?,
                    subject: id(subject, SubjectId::new)?,
                    form: id(form, FormId::new)?,
                    expires_ms: get_u64(expires)?,
                    parent: get_u64(parent)? != 0,
                    settled_by: match settled {
                        SqlValue::Null => None,
                        v => Some(id(v, EventId::new)?),
                    },
                }),
                _ => Err(bad_row("pending")),
            })
            .collect()
    }
}

impl<C: Sql> SqlFormStore<C> {
    fn deliveries_of(rows: Vec<Vec<SqlValue>>) -> Result<Vec<Delivery>, StoreError> {
        rows.iter()
            .map(|r| match r.as_slice() {
                [id, data] => {
                    let mut d: Delivery = serde_json::from_str(&get_text(data)?)
                        .map_err(|_| bad_row("a stored delivery does not parse"))?;
                    d.id = get_u64(id)?;
                    Ok(d)
                }
                _ => Err(bad_row("delivery")),
            })
            .collect()
    }
}

const CONTACT: &str = "SELECT lookup, subject, salt, key, created_ms FROM contacts";
/// A delivery whose subject is not in the recycle bin (the rest are held).
const NOT_HELD: &str = "json_extract(data, '$.subject') NOT IN (SELECT subject FROM recycle_bin)";
const PENDING: &str = "SELECT event_id, subject, form, expires_ms, parent, settled_by FROM pending";

impl<C: Sql> Contacts for SqlFormStore<C> {
    fn contact(&self, lookup: &str) -> Result<Option<Contact>, StoreError> {
        self.contacts(&format!("{CONTACT} WHERE lookup = ?"), text(lookup))
    }
    fn contact_of(&self, subject: &SubjectId) -> Result<Option<Contact>, StoreError> {
        self.contacts(&format!("{CONTACT} WHERE subject = ?"), text(subject))
    }
    fn contacts_after(
        &self,
        after: Option<&SubjectId>,
        limit: u64,
    ) -> Result<Vec<Contact>, StoreError> {
        let rows = self.rows(
            &format!("{CONTACT} WHERE subject > ? ORDER BY subject LIMIT ?"),
            vec![text(after.map_or("", |s| s.as_str())), bound(limit)?],
        )?;
        rows.iter().map(|r| Self::contact_row(r)).collect()
    }
    fn put_contact(&mut self, c: &Contact) -> Result<(), StoreError> {
        let result = self.0.query(
            "INSERT INTO contacts (lookup, subject, salt, key, created_ms) VALUES (?, ?, ?, ?, ?)",
            vec![
                text(&c.lookup),
                text(&c.subject),
                SqlValue::Blob(c.salt.to_vec()),
                SqlValue::Blob(c.key.to_vec()),
                int(c.created_ms)?,
            ],
        );
        match result {
            Ok(_) => Ok(()),
            Err(e) if e.is_unique_violation() => Err(StoreError::Conflict),
            Err(e) => Err(fault(e)),
        }
    }
    fn put_identity(&mut self, s: &Sealed) -> Result<(), StoreError> {
        self.put_sealed(
            "INSERT OR IGNORE INTO identities (event_id, subject, nonce, sealed, created_ms) VALUES (?, ?, ?, ?, ?)",
            s,
        )
    }
    fn identity(&self, event_id: &EventId) -> Result<Option<Sealed>, StoreError> {
        let rows = self.rows(
            "SELECT event_id, subject, nonce, sealed, created_ms FROM identities WHERE event_id = ?",
            vec![text(event_id)],
        )?;
        Ok(Self::sealed(rows)?.pop())
    }
    fn put_note(&mut self, s: &Sealed) -> Result<(), StoreError> {
        self.put_sealed(
            "INSERT OR IGNORE INTO notes (id, subject, nonce, sealed, created_ms) VALUES (?, ?, ?, ?, ?)",
            s,
        )
    }
    fn notes(&self, subject: &SubjectId) -> Result<Vec<Sealed>, StoreError> {
        let rows = self.rows(
            "SELECT id AS event_id, subject, nonce, sealed, created_ms FROM notes WHERE subject = ? ORDER BY created_ms, id",
            vec![text(subject)],
        )?;
        Self::sealed(rows)
    }
    fn shred(&mut self, subject: &SubjectId, by: &EventId) -> Result<(), StoreError> {
        // Overwritten first, then deleted: SQLite reuses a freed page as it
        // is, so the bytes are zeroes before the row is let go.
        let s = || vec![text(subject)];
        self.rows(
            "UPDATE pending SET settled_by = ? WHERE subject = ? AND settled_by IS NULL",
            vec![text(by), text(subject)],
        )?;
        for sql in [
            "UPDATE contacts SET salt = zeroblob(32), key = zeroblob(32), lookup = 'shredded:' || subject WHERE subject = ?",
            "DELETE FROM contacts WHERE subject = ?",
            "UPDATE identities SET sealed = zeroblob(length(sealed)), nonce = zeroblob(24) WHERE subject = ?",
            "DELETE FROM identities WHERE subject = ?",
            "UPDATE notes SET sealed = zeroblob(length(sealed)), nonce = zeroblob(24) WHERE subject = ?",
            "DELETE FROM notes WHERE subject = ?",
            "UPDATE mails SET sealed = zeroblob(length(sealed)), nonce = zeroblob(24) WHERE subject = ?",
            "DELETE FROM mails WHERE subject = ?",
        ] {
            self.rows(sql, s())?;
        }
        Ok(())
    }
}

impl<C: Sql> Confirmations for SqlFormStore<C> {
    fn put_pending(&mut self, p: &Pending) -> Result<(), StoreError> {
        let result = self.0.query(
            "INSERT INTO pending (event_id, subject, form, expires_ms, parent, settled_by) VALUES (?, ?, ?, ?, ?, NULL)",
            vec![
                text(&p.event_id),
                text(&p.subject),
                text(&p.form),
                int(p.expires_ms)?,
                SqlValue::Int(i64::from(p.parent)),
            ],
        );
        match result {
            Ok(_) => Ok(()),
            Err(e) if e.is_unique_violation() => Err(StoreError::Conflict),
            Err(e) => Err(fault(e)),
        }
    }
    fn pending(&self, event_id: &EventId) -> Result<Option<Pending>, StoreError> {
        let rows = self.rows(
            &format!("{PENDING} WHERE event_id = ?"),
            vec![text(event_id)],
        )?;
        Ok(Self::pendings(rows)?.pop())
    }
    fn settle(&mut self, event_id: &EventId, by: &EventId) -> Result<(), StoreError> {
        self.rows(
            "UPDATE pending SET settled_by = ? WHERE event_id = ? AND settled_by IS NULL",
            vec![text(by), text(event_id)],
        )?;
        Ok(())
    }
    fn due(&self, now_ms: u64, limit: u64) -> Result<Vec<Pending>, StoreError> {
        let rows = self.rows(
            &format!("{PENDING} WHERE settled_by IS NULL AND expires_ms <= ? ORDER BY expires_ms LIMIT ?"),
            vec![int(now_ms)?, bound(limit)?],
        )?;
        Self::pendings(rows)
    }
    fn next_due(&self) -> Result<Option<u64>, StoreError> {
        let rows = self.rows(
            "SELECT MIN(expires_ms) FROM pending WHERE settled_by IS NULL",
            vec![],
        )?;
        match rows.first().and_then(|r| r.first()) {
            None | Some(SqlValue::Null) => Ok(None),
            Some(v) => get_u64(v).map(Some),
        }
    }
    fn phone_tries(&self, pending: &EventId) -> Result<u64, StoreError> {
        let rows = self.rows(
            "SELECT tries FROM phone_tries WHERE pending = ?",
            vec![text(pending)],
        )?;
        rows.first().and_then(|r| r.first()).map_or(Ok(0), get_u64)
    }
    fn count_phone_try(&mut self, pending: &EventId) -> Result<(), StoreError> {
        self.rows(
            "INSERT INTO phone_tries (pending, tries) VALUES (?, 1) ON CONFLICT (pending) DO UPDATE SET tries = tries + 1",
            vec![text(pending)],
        )?;
        Ok(())
    }
}

impl<C: Sql> Mailbox for SqlFormStore<C> {
    fn mails_to(&self, recipient: &str, since_ms: u64) -> Result<u64, StoreError> {
        let rows = self.rows(
            "SELECT COUNT(*) FROM mail_counts WHERE recipient = ? AND created_ms >= ?",
            vec![SqlValue::Text(recipient.to_string()), int(since_ms)?],
        )?;
        rows.first()
            .and_then(|r| r.first())
            .map_or(Err(bad_row("count")), get_u64)
    }
    fn count_mail(&mut self, recipient: &str, at_ms: u64) -> Result<(), StoreError> {
        let window_start = at_ms.saturating_sub(assent_core::form::mail::MAIL_WINDOW_MS);
        self.rows(
            "DELETE FROM mail_counts WHERE created_ms < ?",
            vec![int(window_start)?],
        )?;
        self.rows(
            "INSERT INTO mail_counts (recipient, created_ms) VALUES (?, ?)",
            vec![SqlValue::Text(recipient.to_string()), int(at_ms)?],
        )?;
        Ok(())
    }
    fn put_mail(&mut self, m: &Sealed) -> Result<(), StoreError> {
        self.rows(
            "INSERT INTO mails (event_id, subject, nonce, sealed, created_ms) VALUES (?, ?, ?, ?, ?)",
            vec![
                text(&m.event_id),
                text(&m.subject),
                SqlValue::Blob(m.nonce.to_vec()),
                SqlValue::Blob(m.bytes.clone()),
                int(m.created_ms)?,
            ],
        )?;
        Ok(())
    }
    fn mails(&self, limit: u64) -> Result<Vec<Sealed>, StoreError> {
        let rows = self.rows(
            "SELECT event_id, subject, nonce, sealed, created_ms FROM mails ORDER BY n DESC LIMIT ?",
            vec![bound(limit)?],
        )?;
        Self::sealed(rows)
    }
    fn mail_of(&self, event_id: &EventId) -> Result<Option<Sealed>, StoreError> {
        let rows = self.rows(
            "SELECT event_id, subject, nonce, sealed, created_ms FROM mails WHERE event_id = ? ORDER BY n LIMIT 1",
            vec![text(event_id)],
        )?;
        Ok(Self::sealed(rows)?.pop())
    }
}

impl<C: Sql> Outbox for SqlFormStore<C> {
    fn put_delivery(&mut self, d: &Delivery) -> Result<u64, StoreError> {
        let rows = self.rows(
            "INSERT INTO deliveries (pending, next_ms, data) VALUES (1, ?, ?) RETURNING id",
            vec![
                d.next_ms.map_or(Ok(SqlValue::Null), int)?,
                text(serde_json::to_string(d).map_err(|e| StoreError::Fault(e.to_string()))?),
            ],
        )?;
        rows.first()
            .and_then(|r| r.first())
            .map_or(Err(bad_row("delivery id")), get_u64)
    }
    fn update_delivery(&mut self, d: &Delivery) -> Result<(), StoreError> {
        self.rows(
            "UPDATE deliveries SET pending = ?, next_ms = ?, data = ? WHERE id = ?",
            vec![
                SqlValue::Int(i64::from(d.state == DeliveryState::Pending)),
                d.next_ms.map_or(Ok(SqlValue::Null), int)?,
                text(serde_json::to_string(d).map_err(|e| StoreError::Fault(e.to_string()))?),
                int(d.id)?,
            ],
        )?;
        Ok(())
    }
    fn due_deliveries(&self, now_ms: u64, limit: u64) -> Result<Vec<Delivery>, StoreError> {
        let rows = self.rows(
            &format!("SELECT id, data FROM deliveries WHERE pending = 1 AND next_ms <= ? AND {NOT_HELD} ORDER BY next_ms, id LIMIT ?"),
            vec![int(now_ms)?, bound(limit)?],
        )?;
        Self::deliveries_of(rows)
    }
    fn next_delivery(&self) -> Result<Option<u64>, StoreError> {
        let rows = self.rows(
            &format!("SELECT MIN(next_ms) FROM deliveries WHERE pending = 1 AND {NOT_HELD}"),
            vec![],
        )?;
        match rows.first().and_then(|r| r.first()) {
            None | Some(SqlValue::Null) => Ok(None),
            Some(v) => get_u64(v).map(Some),
        }
    }
    fn deliveries(&self, limit: u64) -> Result<Vec<Delivery>, StoreError> {
        let rows = self.rows(
            "SELECT id, data FROM deliveries ORDER BY id DESC LIMIT ?",
            vec![bound(limit)?],
        )?;
        Self::deliveries_of(rows)
    }
}

/// The columns of a suppression row, in [`SqlFormStore::suppression_rows`]' order.
const SUPPRESSION: &str = "SELECT lookup, kind, event_id, created_ms FROM suppressions";

impl<C: Sql> SqlFormStore<C> {
    fn suppression_rows(rows: Vec<Vec<SqlValue>>) -> Result<Vec<Suppression>, StoreError> {
        rows.iter()
            .map(|r| match r.as_slice() {
                [lookup, kind, event, created] => Ok(Suppression {
                    lookup: get_text(lookup)?,
                    kind: SuppressionKind::parse(&get_text(kind)?)
                        .ok_or_else(|| bad_row("suppression kind"))?,
                    event_id: id(event, EventId::new)?,
                    created_ms: get_u64(created)?,
                }),
                _ => Err(bad_row("suppression")),
            })
            .collect()
    }
}

impl<C: Sql> Suppressions for SqlFormStore<C> {
    fn put_suppression(&mut self, e: &Suppression) -> Result<(), StoreError> {
        // A stronger kind replaces a weaker one (core's order: erased,
        // opt_out, blocked), never the reverse.
        self.rows(
            "INSERT INTO suppressions (lookup, kind, event_id, created_ms) VALUES (?, ?, ?, ?)
             ON CONFLICT (lookup) DO UPDATE SET kind = excluded.kind, event_id = excluded.event_id, created_ms = excluded.created_ms
             WHERE (CASE kind WHEN 'erased' THEN 0 WHEN 'opt_out' THEN 1 ELSE 2 END)
                 < (CASE excluded.kind WHEN 'erased' THEN 0 WHEN 'opt_out' THEN 1 ELSE 2 END)",
            vec![text(&e.lookup), text(e.kind.as_str()), text(&e.event_id), int(e.created_ms)?],
        )?;
        Ok(())
    }
    fn suppression(&self, lookup: &str) -> Result<Option<Suppression>, StoreError> {
        let rows = self.rows(
            &format!("{SUPPRESSION} WHERE lookup = ?"),
            vec![text(lookup)],
        )?;
        Ok(Self::suppression_rows(rows)?.into_iter().next())
    }
    fn suppressions(
        &self,
        after: Option<&str>,
        kind: Option<SuppressionKind>,
        limit: u64,
    ) -> Result<Vec<Suppression>, StoreError> {
        let rows = self.rows(
            &format!(
                "{SUPPRESSION} WHERE lookup > ? AND (? = '' OR kind = ?) ORDER BY lookup LIMIT ?"
            ),
            vec![
                text(after.unwrap_or("")),
                text(kind.map_or("", SuppressionKind::as_str)),
                text(kind.map_or("", SuppressionKind::as_str)),
                bound(limit)?,
            ],
        )?;
        Self::suppression_rows(rows)
    }
    fn remove_suppression(&mut self, lookup: &str) -> Result<Option<Suppression>, StoreError> {
        let held = self.suppression(lookup)?;
        if held.is_some() {
            self.rows(
                "DELETE FROM suppressions WHERE lookup = ?",
                vec![text(lookup)],
            )?;
        }
        Ok(held)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    //! Core's form conformance suite on real SQLite, through the same stores
    //! the Durable Object runs, sharing one connection as it does.
    use super::*;
    use crate::log_store::{native, SqlLogStore};
    use assent_core::form::conformance as suite;

    macro_rules! on_sqlite {
        ($($name:ident),* $(,)?) => {$(
            #[test]
            fn $name() {
                let conn = native::connection(&format!("{}{}{}{}", crate::log_store::SCHEMA, SCHEMA, NOTES_SCHEMA, CLOSING_SCHEMA));
                let conn: &'static rusqlite::Connection = Box::leak(Box::new(conn));
                suite::$name(SqlLogStore(conn), SqlFormStore(conn));
            }
        )*};
    }

    on_sqlite!(
        a_submission_waits_then_its_link_grants_the_ticked_offer_only,
        the_same_email_again_is_the_same_subject,
        an_unconfirmed_submission_expires_and_its_link_then_fails,
        a_confirmation_inside_the_window_beats_a_later_expiry,
        under_age_the_mail_goes_to_the_parent_and_only_their_link_grants,
        a_token_for_a_submission_that_never_waited_is_refused,
        a_repeated_submission_stores_nothing_new_and_sends_no_second_mail,
        a_confirmation_queues_a_delivery_that_backs_off_until_delivered,
        a_withdrawal_withdraws_what_was_granted_and_tells_the_crm,
        nobody_s_inbox_can_be_flooded_through_the_form,
        mails_count_against_the_address_they_go_to,
        a_new_number_is_proven_again,
        a_code_after_the_link_expired_is_refused,
        a_phone_channel_is_not_granted_by_the_email_link,
        a_phone_is_granted_by_the_code_texted_to_it,
        five_wrong_codes_kill_the_code,
        a_code_proves_its_own_submission_only,
        texts_count_against_the_number_they_go_to,
        only_a_confirmed_submission_changes_the_identity,
        an_erasure_shreds_the_identity_keeps_the_proofs_and_flags_a_readdition,
        retention_anonymises_what_its_dry_run_lists,
        restriction_and_rectification_are_events,
        an_imported_address_is_suppressed_recorded_and_flagged_as_a_readdition,
        lists_withdraw_force_double_opt_in_and_block,
        an_unsubscribe_link_withdraws_its_channel_once,
        an_attestation_is_the_owners_word_never_the_persons,
        an_objection_holds_without_a_grant_until_the_persons_own_opt_in,
        notes_are_sealed_exported_and_erased_with_the_identity,
        the_contact_list_filters_and_pages,
        the_site_closes_on_its_day,
        requests_as_the_law_reads_them,
        a_withdrawal_reaches_every_form,
        suppressions_rank_and_remove,
        the_recycle_bin_holds_an_erasure_until_its_purge,
        a_new_opt_in_of_a_binned_address_completes_the_erasure_first,
        an_erasure_request_waits_in_the_bin_and_a_restore_reopens_it,
        a_fault_in_the_recycle_bin_changes_nothing,
    );
}
