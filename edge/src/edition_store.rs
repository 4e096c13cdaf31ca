//! A site's draft and published editions (core's [`EditionStore`]) on the
//! directory's SQLite: each as its JSON, an edition under its number.
//! Publishing inserts the edition and deletes the draft in one synchronous
//! stretch, which the object commits as one write.

use assent_core::config::edition::{Draft, Edition, EditionStore, EditionSummary};
use assent_core::log::StoreError;

use crate::log_store::{fault, int, json, json_rows, Sql};

/// The editions' and the draft's tables (a directory's).
pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS config_editions (
  number     INTEGER PRIMARY KEY,
  data       TEXT NOT NULL          -- the edition: its configuration, hash, seed, time and publisher
);
CREATE TABLE IF NOT EXISTS config_draft (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  data       TEXT NOT NULL          -- the one draft: its configuration, base, time and author
);
";

/// The most editions listed (newest first).
pub const MAX_LISTED: u64 = 100;

/// [`EditionStore`] on a SQLite connection with [`SCHEMA`].
pub struct SqlEditionStore<C>(pub C);

impl<C: Sql> EditionStore for SqlEditionStore<C> {
    fn latest(&self) -> Result<Option<Edition>, StoreError> {
        Ok(json_rows(
            &self.0,
            "SELECT data FROM config_editions ORDER BY number DESC LIMIT 1",
            vec![],
        )?
        .pop())
    }

    fn edition(&self, number: u32) -> Result<Option<Edition>, StoreError> {
        Ok(json_rows(
            &self.0,
            "SELECT data FROM config_editions WHERE number = ?",
            vec![int(u64::from(number))?],
        )?
        .pop())
    }

    fn editions(&self) -> Result<Vec<EditionSummary>, StoreError> {
        let all: Vec<Edition> = json_rows(
            &self.0,
            "SELECT data FROM config_editions ORDER BY number DESC LIMIT ?",
            vec![int(MAX_LISTED)?],
        )?;
        Ok(all.iter().map(EditionSummary::from).collect())
    }

    fn draft(&self) -> Result<Option<Draft>, StoreError> {
        Ok(json_rows(
            &self.0,
            "SELECT data FROM config_draft WHERE id = 1",
            vec![],
        )?
        .pop())
    }

    fn put_draft(&mut self, draft: &Draft) -> Result<(), StoreError> {
        self.0
            .query(
                "INSERT INTO config_draft (id, data) VALUES (1, ?) \
                 ON CONFLICT (id) DO UPDATE SET data = excluded.data",
                vec![json(draft)],
            )
            .map_err(fault)?;
        Ok(())
    }

    fn discard_draft(&mut self) -> Result<(), StoreError> {
        self.0
            .query("DELETE FROM config_draft", vec![])
            .map_err(fault)?;
        Ok(())
    }

    fn publish(&mut self, edition: &Edition) -> Result<(), StoreError> {
        self.0
            .query(
                "INSERT INTO config_editions (number, data) VALUES (?, ?)",
                vec![int(u64::from(edition.number))?, json(edition)],
            )
            .map_err(|e| {
                if e.is_unique_violation() {
                    StoreError::Conflict
                } else {
                    fault(e)
                }
            })?;
        self.discard_draft()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use assent_core::config::edition::{self, in_force};
    use assent_core::config::SiteConfig;

    const SITE: &str = include_str!("../../core/tests/vectors/site.json");

    #[test]
    fn a_draft_and_its_edition_are_kept_and_read_back_in_sqlite() {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        db.execute_batch(SCHEMA).unwrap();
        let mut store = SqlEditionStore(&db);
        let seed = SiteConfig::from_json(SITE).unwrap();
        let mut d: serde_json::Value = serde_json::from_str(SITE).unwrap();
        d["languages"]["en"]["ui"]["title"] = "Stored".into();
        let base = in_force(&seed, None).hash;
        let draft =
            edition::save_draft(&mut store, &seed, &d.to_string(), &base, "operator", 5).unwrap();
        assert_eq!(store.draft().unwrap(), Some(draft));
        let e = edition::publish(&mut store, &seed, "operator", 6).unwrap();
        assert_eq!(store.draft().unwrap(), None);
        assert_eq!(store.latest().unwrap(), Some(e.clone()));
        assert_eq!(store.edition(1).unwrap(), Some(e.clone()));
        assert_eq!(store.edition(2).unwrap(), None);
        assert_eq!(store.editions().unwrap(), vec![EditionSummary::from(&e)]);
        assert_eq!(store.publish(&e), Err(StoreError::Conflict));
        let now = in_force(&seed, store.latest().unwrap().as_ref());
        assert_eq!(now.config.notice("en").unwrap().texts.title, "Stored");
    }
}
