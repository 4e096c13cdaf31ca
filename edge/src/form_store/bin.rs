//! The recycle bin and the site's closing on the forms' SQLite: the
//! erasures that wait for their time ([`BinStore`]).

use assent_core::form::store::Closing;
use assent_core::ids::SubjectId;
use assent_core::log::StoreError;
use assent_core::rights::bin::{BinStore, Binned};

use super::{id, text, SqlFormStore};
use crate::log_store::{bad_row, bound, fault, get_text, get_u64, int, Sql, SqlValue};

const BINNED: &str = "SELECT subject, deleted_ms, purge_ms, deleted_by FROM recycle_bin";

impl<C: Sql> SqlFormStore<C> {
    fn bin_rows(rows: Vec<Vec<SqlValue>>) -> Result<Vec<Binned>, StoreError> {
        rows.iter()
            .map(|r| match r.as_slice() {
                [subject, deleted, purge, by] => Ok(Binned {
                    subject: id(subject, SubjectId::new)?,
                    deleted_ms: get_u64(deleted)?,
                    purge_ms: get_u64(purge)?,
                    by: get_text(by)?,
                }),
                _ => Err(bad_row("recycle bin")),
            })
            .collect()
    }
}

impl<C: Sql> BinStore for SqlFormStore<C> {
    fn put_binned(&mut self, e: &Binned) -> Result<(), StoreError> {
        let result = self.0.query(
            "INSERT INTO recycle_bin (subject, deleted_ms, purge_ms, deleted_by) VALUES (?, ?, ?, ?)",
            vec![text(&e.subject), int(e.deleted_ms)?, int(e.purge_ms)?, text(&e.by)],
        );
        match result {
            Ok(_) => Ok(()),
            Err(e) if e.is_unique_violation() => Err(StoreError::Conflict),
            Err(e) => Err(fault(e)),
        }
    }

    fn binned(&self, subject: &SubjectId) -> Result<Option<Binned>, StoreError> {
        let rows = self.rows(&format!("{BINNED} WHERE subject = ?"), vec![text(subject)])?;
        Ok(Self::bin_rows(rows)?.pop())
    }

    fn unbin(&mut self, subject: &SubjectId) -> Result<(), StoreError> {
        self.rows(
            "DELETE FROM recycle_bin WHERE subject = ?",
            vec![text(subject)],
        )?;
        Ok(())
    }

    fn binned_until(&self, until_ms: u64, limit: u64) -> Result<Vec<Binned>, StoreError> {
        // "Until the end of time" (`u64::MAX`, the next purge) is the
        // largest bound a query takes.
        let rows = self.rows(
            &format!("{BINNED} WHERE purge_ms <= ? ORDER BY purge_ms, subject LIMIT ?"),
            vec![bound(until_ms)?, bound(limit)?],
        )?;
        Self::bin_rows(rows)
    }

    fn closing(&self) -> Result<Option<Closing>, StoreError> {
        let rows = self.rows(
            "SELECT anonymise_by_ms, set_ms, set_by FROM closing",
            vec![],
        )?;
        rows.iter()
            .map(|r| match r.as_slice() {
                [by_ms, set, who] => Ok(Closing {
                    anonymise_by_ms: get_u64(by_ms)?,
                    set_ms: get_u64(set)?,
                    by: get_text(who)?,
                }),
                _ => Err(bad_row("closing")),
            })
            .next()
            .transpose()
    }

    fn set_closing(&mut self, closing: Option<&Closing>) -> Result<(), StoreError> {
        self.rows("DELETE FROM closing", vec![])?;
        if let Some(c) = closing {
            self.rows(
                "INSERT INTO closing (anonymise_by_ms, set_ms, set_by) VALUES (?, ?, ?)",
                vec![int(c.anonymise_by_ms)?, int(c.set_ms)?, text(&c.by)],
            )?;
        }
        Ok(())
    }
}
