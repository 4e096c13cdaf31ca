//! A site's configuration changed without a deploy: one draft, published
//! as numbered editions. No I/O: the rules are here, written against an
//! [`EditionStore`]; the edge keeps it in the site's directory object.
//!
//! - **The deployed file is the seed.** `edge/sites/<site>.json` is checked
//!   at build time as before. An edition is published *over* a seed and
//!   names its hash ([`Edition::seed`]): while that seed is deployed the
//!   edition is in force; a deploy that brings another seed is in force
//!   itself (whichever changed last wins), so a team that keeps its
//!   configuration in git redeploys and its file counts again.
//! - **Some fields only a deploy changes** ([`FIXED_AT_DEPLOY`]): where
//!   the widget may run, where personal data is sent, where the objects
//!   live and how the log is sharded. A draft that changes one is refused;
//!   an edition in force always takes them from the deployed file.
//! - **A draft is checked exactly as the build checks a file**
//!   ([`SiteConfig::from_json`]), after a scan that refuses a JSON key
//!   given twice anywhere (serde keeps the last of two, so one body would
//!   say two things).
//! - **Publishing is a new notice version** when anything a visitor is
//!   shown changes ([`next_notice_version`]), so every record names the
//!   exact words it was given; the edge keeps the new edition's notices in
//!   the archive at once.
//! - **A draft knows what it was made from** ([`Draft::base`], the hash of
//!   the configuration then in force): publishing a draft made before
//!   someone else published is `draft_stale`, never a silent overwrite.
//!
//! ```
//! use assent_core::config::SiteConfig;
//! use assent_core::config::edition::{self, MemoryEditions};
//!
//! let seed = SiteConfig::from_json(include_str!("../../tests/vectors/site.json")).unwrap();
//! let mut store = MemoryEditions::default();
//! let base = edition::in_force(&seed, None).hash;
//! let mut draft: serde_json::Value = serde_json::from_str(include_str!("../../tests/vectors/site.json")).unwrap();
//! draft["languages"]["en"]["ui"]["title"] = "Your choice".into();
//! edition::save_draft(&mut store, &seed, &draft.to_string(), &base, "key 0123456789abcdef", 1_000).unwrap();
//! let published = edition::publish(&mut store, &seed, "operator", 86_400_000 * 20_000).unwrap();
//! assert_eq!(published.number, 1);
//! assert_ne!(published.notice_version, seed.notice_version);
//! let now = edition::in_force(&seed, Some(&published));
//! assert_eq!(now.config.notice("en").unwrap().texts.title, "Your choice");
//! // Where the widget may run stays the deploy's to say.
//! draft["allowed_origins"] = serde_json::json!(["https://elsewhere.example"]);
//! let base = now.hash;
//! let e = edition::save_draft(&mut store, &seed, &draft.to_string(), &base, "operator", 2_000).unwrap_err();
//! assert_eq!(e.code(), "fixed_at_deploy");
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

use serde::{Deserialize, Serialize};

use super::SiteConfig;
use crate::canonical::to_canonical_bytes;
use crate::error::{ConfigError, Error};
use crate::log::archive;
use crate::log::StoreError;

/// The largest configuration a draft may be (bytes of JSON): the demo
/// site's is 19 KB.
pub const MAX_CONFIG_BYTES: usize = 256 * 1024;

/// The fields only a deploy changes, and why: `site` (the id names every
/// object), `allowed_origins` (which pages may write into the log),
/// `webhooks` (where personal data is sent), `log` (the shards, which place
/// every subject for life), `data_location` (where the objects live) and
/// `tcf` (the advertising vendors personal data goes to, checked against
/// the Global Vendor List the build has).
pub const FIXED_AT_DEPLOY: [&str; 6] = [
    "site",
    "allowed_origins",
    "webhooks",
    "log",
    "data_location",
    "tcf",
];

/// A published configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edition {
    /// 1 for the first published, then one more each time.
    pub number: u32,
    /// Its notice version.
    pub notice_version: String,
    /// SHA-256 (hex) of [`Edition::config`].
    pub hash: String,
    /// The hash of the deployed configuration it was published over.
    pub seed: String,
    /// When it was published, ms since the Unix epoch.
    pub published_ms: u64,
    /// Who published it: `operator` or `key <id>`.
    pub by: String,
    /// The configuration, RFC 8785 canonical JSON.
    pub config: String,
}

/// An edition without its configuration: a row of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditionSummary {
    /// Its number.
    pub number: u32,
    /// Its notice version.
    pub notice_version: String,
    /// SHA-256 (hex) of its configuration.
    pub hash: String,
    /// When it was published.
    pub published_ms: u64,
    /// Who published it.
    pub by: String,
}

impl From<&Edition> for EditionSummary {
    fn from(e: &Edition) -> Self {
        EditionSummary {
            number: e.number,
            notice_version: e.notice_version.clone(),
            hash: e.hash.clone(),
            published_ms: e.published_ms,
            by: e.by.clone(),
        }
    }
}

/// The site's one draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    /// The configuration, RFC 8785 canonical JSON (checked when saved).
    pub config: String,
    /// The hash of the configuration in force when it was saved.
    pub base: String,
    /// When it was saved.
    pub saved_ms: u64,
    /// Who saved it.
    pub by: String,
}

/// Where a site's drafts and editions are kept.
pub trait EditionStore {
    /// The newest edition, if any was published.
    fn latest(&self) -> Result<Option<Edition>, StoreError>;
    /// Edition `number`.
    fn edition(&self, number: u32) -> Result<Option<Edition>, StoreError>;
    /// Every edition, newest first.
    fn editions(&self) -> Result<Vec<EditionSummary>, StoreError>;
    /// The draft, if one is saved.
    fn draft(&self) -> Result<Option<Draft>, StoreError>;
    /// Saves `draft` in place of any other.
    fn put_draft(&mut self, draft: &Draft) -> Result<(), StoreError>;
    /// Discards the draft (none: nothing happens).
    fn discard_draft(&mut self) -> Result<(), StoreError>;
    /// Adds `edition` and discards the draft, in one write: both or neither.
    /// [`StoreError::Conflict`] when its number is taken.
    fn publish(&mut self, edition: &Edition) -> Result<(), StoreError>;
}

/// The configuration in force and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InForce {
    /// The configuration.
    pub config: SiteConfig,
    /// The edition it is; `None`: the deployed file.
    pub edition: Option<u32>,
    /// SHA-256 (hex) of its canonical JSON.
    pub hash: String,
}

/// SHA-256 (hex) of `config`'s canonical JSON.
pub fn hash(config: &SiteConfig) -> String {
    crate::canonical::sha256_hex(config).expect("a configuration serialises")
}

fn canonical(config: &SiteConfig) -> String {
    let bytes = to_canonical_bytes(config).expect("a configuration serialises");
    String::from_utf8(bytes).expect("canonical JSON is UTF-8")
}

/// The configuration in force: `latest` where it was published over the
/// deployed `seed` (with the fields only a deploy changes taken from the
/// seed), else the seed. An edition that no longer passes the checks with
/// them (a deploy removed what it named) leaves the seed in force.
pub fn in_force(seed: &SiteConfig, latest: Option<&Edition>) -> InForce {
    let seed_hash = hash(seed);
    let edition = latest
        .filter(|e| e.seed == seed_hash)
        .and_then(|e| Some((e.number, SiteConfig::from_json(&e.config).ok()?)))
        .and_then(|(n, mut config)| {
            take_fixed(&mut config, seed);
            config.validate().ok()?;
            Some((n, config))
        });
    match edition {
        Some((n, config)) => InForce {
            hash: hash(&config),
            config,
            edition: Some(n),
        },
        None => InForce {
            config: seed.clone(),
            edition: None,
            hash: seed_hash,
        },
    }
}

fn take_fixed(config: &mut SiteConfig, seed: &SiteConfig) {
    config.site = seed.site.clone();
    config.allowed_origins = seed.allowed_origins.clone();
    config.webhooks = seed.webhooks.clone();
    config.log = seed.log.clone();
    config.data_location = seed.data_location;
    config.tcf = seed.tcf.clone();
}

/// The first field of [`FIXED_AT_DEPLOY`] that `draft` changes.
fn changed_fixed(draft: &SiteConfig, seed: &SiteConfig) -> Option<&'static str> {
    let same = [
        draft.site == seed.site,
        draft.allowed_origins == seed.allowed_origins,
        draft.webhooks == seed.webhooks,
        draft.log == seed.log,
        draft.data_location == seed.data_location,
        draft.tcf == seed.tcf,
    ];
    FIXED_AT_DEPLOY
        .iter()
        .zip(same)
        .find(|(_, same)| !same)
        .map(|(field, _)| *field)
}

/// Checks a draft's JSON as the build checks a file, and that it keeps
/// the fields only a deploy changes; at most [`MAX_CONFIG_BYTES`].
pub fn check(seed: &SiteConfig, json: &str) -> Result<SiteConfig, Error> {
    if json.len() > MAX_CONFIG_BYTES {
        return Err(crate::error::RequestError::BodyTooLarge {
            limit: MAX_CONFIG_BYTES,
        }
        .into());
    }
    unique_keys(json)?;
    let config = SiteConfig::from_json(json)?;
    if let Some(field) = changed_fixed(&config, seed) {
        return Err(ConfigError::FixedAtDeploy {
            field: field.into(),
        }
        .into());
    }
    Ok(config)
}

/// Checks `json` and saves it as the site's draft. `base` is the hash of
/// the configuration its author started from ([`InForce::hash`], or the
/// draft's own [`Draft::base`]): where another is in force now, the save
/// is `draft_stale` (someone published or deployed since), so no change
/// is overwritten unseen.
pub fn save_draft<S: EditionStore + ?Sized>(
    store: &mut S,
    seed: &SiteConfig,
    json: &str,
    base: &str,
    by: &str,
    now_ms: u64,
) -> Result<Draft, Error> {
    let config = check(seed, json)?;
    let current = in_force(seed, store.latest()?.as_ref());
    if base != current.hash {
        return Err(stale(&current));
    }
    let base = current.hash;
    let draft = Draft {
        config: canonical(&config),
        base,
        saved_ms: now_ms,
        by: by.into(),
    };
    store.put_draft(&draft)?;
    Ok(draft)
}

/// The draft's configuration, checked again (a deploy may have changed the
/// seed since it was saved).
pub fn draft_config<S: EditionStore + ?Sized>(
    store: &S,
    seed: &SiteConfig,
) -> Result<SiteConfig, Error> {
    let draft = store.draft()?.ok_or(ConfigError::DraftNone)?;
    check(seed, &draft.config)
}

/// Every notice hash `config` shows, sorted, with its notice version set
/// to `version`: what a visitor would see, apart from the version's name.
fn shown(config: &SiteConfig, version: &str) -> Vec<String> {
    let mut probe = config.clone();
    probe.notice_version = version.into();
    let mut hashes: Vec<String> = archive::current(&probe)
        .into_iter()
        .map(|n| n.hash.to_string())
        .collect();
    hashes.sort();
    hashes
}

/// Publishes the draft: the next edition, whose notice version is new
/// wherever what visitors are shown changed (the draft's own, when its
/// author changed it; else [`next_notice_version`] of the day).
pub fn publish<S: EditionStore + ?Sized>(
    store: &mut S,
    seed: &SiteConfig,
    by: &str,
    now_ms: u64,
) -> Result<Edition, Error> {
    let draft = store.draft()?.ok_or(ConfigError::DraftNone)?;
    let mut config = check(seed, &draft.config)?;
    let latest = store.latest()?;
    let current = in_force(seed, latest.as_ref());
    if draft.base != current.hash {
        return Err(stale(&current));
    }
    let was = &current.config;
    if config == *was {
        return Err(ConfigError::DraftUnchanged.into());
    }
    let changed = shown(&config, &was.notice_version) != shown(was, &was.notice_version);
    if changed && config.notice_version == was.notice_version {
        config.notice_version = next_notice_version(&was.notice_version, now_ms);
    }
    let edition = Edition {
        number: latest.map_or(1, |e| e.number + 1),
        notice_version: config.notice_version.clone(),
        hash: hash(&config),
        seed: hash(seed),
        published_ms: now_ms,
        by: by.into(),
        config: canonical(&config),
    };
    store.publish(&edition)?;
    Ok(edition)
}

fn stale(current: &InForce) -> Error {
    ConfigError::DraftStale {
        in_force: current
            .edition
            .map_or("the deployed file".into(), |n| format!("edition {n}")),
    }
    .into()
}

/// The notice version a publish on `now_ms`'s day takes after `was`: the
/// day (`2026-12-07`), or the day with the next count where `was` is that
/// day already (`2026-12-07.2`, `.3`, ...).
///
/// ```
/// use assent_core::config::edition::next_notice_version;
/// let day = 20_429 * 86_400_000; // 2025-12-07
/// assert_eq!(next_notice_version("2025-11-25", day), "2025-12-07");
/// assert_eq!(next_notice_version("2025-12-07", day), "2025-12-07.2");
/// assert_eq!(next_notice_version("2025-12-07.9", day), "2025-12-07.10");
/// ```
pub fn next_notice_version(was: &str, now_ms: u64) -> String {
    let (y, m, d) = crate::utc::date(now_ms);
    let day = format!("{y:04}-{m:02}-{d:02}");
    if was == day {
        return format!("{day}.2");
    }
    match was
        .strip_prefix(day.as_str())
        .and_then(|rest| rest.strip_prefix('.'))
        .and_then(|n| n.parse::<u32>().ok())
    {
        Some(n) => format!("{day}.{}", n.saturating_add(1)),
        None => day,
    }
}

/// Refuses a JSON object that names a key twice, anywhere in `json`.
fn unique_keys(json: &str) -> Result<(), Error> {
    use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
    struct Any;
    impl<'de> DeserializeSeed<'de> for Any {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(Any)
        }
    }
    impl<'de> Visitor<'de> for Any {
        type Value = ();
        fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_str<E>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while seq.next_element_seed(Any)?.is_some() {}
            Ok(())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let mut seen = alloc::collections::BTreeSet::new();
            while let Some(key) = map.next_key::<String>()? {
                if !seen.insert(key.clone()) {
                    return Err(serde::de::Error::custom(format!("duplicate key {key:?}")));
                }
                map.next_value_seed(Any)?;
            }
            Ok(())
        }
    }
    let mut de = serde_json::Deserializer::from_str(json);
    Any.deserialize(&mut de)
        .and_then(|()| de.end())
        .map_err(|e| {
            ConfigError::ConfigMalformed {
                message: e.to_string(),
            }
            .into()
        })
}

/// An [`EditionStore`] in memory, for tests and examples; `fail` makes
/// every write fail (a storage fault).
#[derive(Debug, Default, Clone)]
pub struct MemoryEditions {
    editions: Vec<Edition>,
    draft: Option<Draft>,
    /// When set, every write fails with [`StoreError::Fault`].
    pub fail: bool,
}

impl MemoryEditions {
    fn write(&self) -> Result<(), StoreError> {
        if self.fail {
            return Err(StoreError::Fault("injected".into()));
        }
        Ok(())
    }
}

impl EditionStore for MemoryEditions {
    fn latest(&self) -> Result<Option<Edition>, StoreError> {
        Ok(self.editions.last().cloned())
    }
    fn edition(&self, number: u32) -> Result<Option<Edition>, StoreError> {
        Ok(self.editions.iter().find(|e| e.number == number).cloned())
    }
    fn editions(&self) -> Result<Vec<EditionSummary>, StoreError> {
        Ok(self
            .editions
            .iter()
            .rev()
            .map(EditionSummary::from)
            .collect())
    }
    fn draft(&self) -> Result<Option<Draft>, StoreError> {
        Ok(self.draft.clone())
    }
    fn put_draft(&mut self, draft: &Draft) -> Result<(), StoreError> {
        self.write()?;
        self.draft = Some(draft.clone());
        Ok(())
    }
    fn discard_draft(&mut self) -> Result<(), StoreError> {
        self.write()?;
        self.draft = None;
        Ok(())
    }
    fn publish(&mut self, edition: &Edition) -> Result<(), StoreError> {
        self.write()?;
        if self.editions.iter().any(|e| e.number == edition.number) {
            return Err(StoreError::Conflict);
        }
        self.editions.push(edition.clone());
        self.draft = None;
        Ok(())
    }
}

#[cfg(test)]
#[path = "edition_tests.rs"]
mod tests;
