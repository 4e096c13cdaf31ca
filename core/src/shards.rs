//! A site's log over shards: which shard a subject's records live in, for
//! life, and how the shards are named.
//!
//! A busy site's banner events are more than one object can sequence, so a
//! site's log may spread over shards, each its own RFC 6962 tree with its
//! own signed checkpoint. A subject's records all stay in one shard, so its
//! chain, its key and the action-vs-history check stay in one tree.
//!
//! **Placement is a pure function of the subject id and the site's
//! configuration**, so no lookup sits on a banner event's path:
//! - a UUIDv4 subject (drawn by the edge for a form's contact, or by a widget
//!   before shards existed) lives in the home shard, 0: the site's original
//!   log, which also holds what is site-wide;
//! - a UUIDv7 subject carries the time it was drawn; the configuration lists
//!   *generations* (`{"count": 4, "from": "2027-01-04"}`), and the subject
//!   lives in the shard its hash picks among the shards of the generation in
//!   force when it was drawn.
//!
//! Growing a live site therefore moves nobody: a new generation only places
//! subjects drawn after its `from` date, and every subject seen before it was
//! drawn earlier. An edge refuses a subject id drawn more than a day ahead of
//! its clock ([`crate::event::MAX_FUTURE_SKEW_MS`]), so a generation dated at
//! least a day after its deploy places no subject the edge has already seen.
//! Shrinking works the same way: new subjects spread over fewer shards, the
//! old ones stay where they are, and every shard that ever existed is still
//! read ([`Shards::count`]).
//!
//! Shard 0 keeps the plain origin `<host>/<site>`, so a site's existing log
//! verifies unchanged after it grows; shard `k > 0` signs as `<host>/<site>/<k>`
//! ([`crate::log::LogOrigin::of_shard`] (with the `std` feature)).
//!
//! ```
//! use assent_core::ids::SubjectId;
//! use assent_core::log::shards::{ShardIndex, Shards};
//!
//! let grown: Shards = serde_json::from_str(r#"[{"count": 1}, {"count": 4, "from": "2027-01-04"}]"#).unwrap();
//! grown.validate().unwrap();
//! assert_eq!(grown.count(), 4);
//! // Drawn before the growth: home, as it always was.
//! let before = SubjectId::drawn(1_798_000_000_000, [9; 16]);
//! assert_eq!(grown.of(&before), ShardIndex::HOME);
//! // A form's contact (UUIDv4): home.
//! assert_eq!(grown.of(&SubjectId::from_random_bytes([9; 16])), ShardIndex::HOME);
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

use core::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{ConfigError, Error};
use crate::ids::SubjectId;

/// Most shards a site's log may have.
pub const MAX_SHARDS: u16 = 64;

/// Domain of the placement hash (versioned: a change of the hash would move
/// subjects, so it never changes; a new one gets a new domain).
const PLACEMENT_DOMAIN: &[u8] = b"assent/shard/v1\0";

/// A shard of a site's log: 0 (home) up to [`MAX_SHARDS`] - 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ShardIndex(u16);

impl ShardIndex {
    /// The site's original log: UUIDv4 subjects, and everything site-wide.
    pub const HOME: ShardIndex = ShardIndex(0);

    /// Shard `k`, if it can exist.
    pub fn new(k: u16) -> Option<Self> {
        (k < MAX_SHARDS).then_some(ShardIndex(k))
    }

    /// The number.
    pub fn get(self) -> u16 {
        self.0
    }
}

impl fmt::Display for ShardIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One layout of the shards: how many new subjects spread over, from when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Generation {
    /// Shards new subjects spread over (1 to [`MAX_SHARDS`]).
    pub count: u16,
    /// First day (UTC, `YYYY-MM-DD`) it places subjects drawn on it; absent
    /// for the first generation only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

/// A site's shard layout over time (`log.shards` in the configuration): a
/// count (`4`), or a list of [`Generation`]s, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "ShardsSyntax", into = "ShardsSyntax")]
pub struct Shards {
    generations: Vec<Generation>,
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum ShardsSyntax {
    Count(u16),
    Generations(Vec<Generation>),
}

impl From<ShardsSyntax> for Shards {
    fn from(s: ShardsSyntax) -> Self {
        let generations = match s {
            ShardsSyntax::Count(count) => vec![Generation { count, from: None }],
            ShardsSyntax::Generations(g) => g,
        };
        Shards { generations }
    }
}

impl From<Shards> for ShardsSyntax {
    fn from(s: Shards) -> Self {
        match s.generations.as_slice() {
            [Generation { count, from: None }] => ShardsSyntax::Count(*count),
            _ => ShardsSyntax::Generations(s.generations),
        }
    }
}

impl Default for Shards {
    /// One shard: the home shard holds the whole log.
    fn default() -> Self {
        Shards::from(ShardsSyntax::Count(1))
    }
}

impl Shards {
    /// Whether this is the default layout (one shard, ever).
    pub fn is_single(&self) -> bool {
        self.count() == 1
    }

    /// Checks the layout: at least one generation, counts of 1 to
    /// [`MAX_SHARDS`], a `from` date on every generation but the first, the
    /// dates strictly increasing.
    pub fn validate(&self) -> Result<(), Error> {
        let invalid = |reason: String| Error::Config(ConfigError::ShardsInvalid { reason });
        if self.generations.is_empty() {
            return Err(invalid("at least one generation is needed".into()));
        }
        let mut last: Option<u64> = None;
        for (i, g) in self.generations.iter().enumerate() {
            if !(1..=MAX_SHARDS).contains(&g.count) {
                return Err(invalid(format!(
                    "a count is 1 to {MAX_SHARDS}, not {}",
                    g.count
                )));
            }
            match (i, &g.from) {
                (0, None) => {}
                (0, Some(_)) => {
                    return Err(invalid("the first generation has no from date".into()))
                }
                (_, None) => return Err(invalid(format!("generation {i} needs a from date"))),
                (_, Some(date)) => {
                    let ms = crate::utc::parse_date(date)
                        .ok_or_else(|| invalid(format!("{date:?} is not a YYYY-MM-DD date")))?;
                    if last.is_some_and(|l| ms <= l) {
                        return Err(invalid("from dates must increase".into()));
                    }
                    last = Some(ms);
                }
            }
        }
        Ok(())
    }

    /// Shards that may hold records: every shard any generation used.
    pub fn count(&self) -> u16 {
        self.generations.iter().map(|g| g.count).max().unwrap_or(1)
    }

    /// Every shard that may hold records, home first.
    pub fn all(&self) -> impl Iterator<Item = ShardIndex> {
        (0..self.count()).map(ShardIndex)
    }

    /// Whether `shard` may hold records of this site.
    pub fn has(&self, shard: ShardIndex) -> bool {
        shard.0 < self.count()
    }

    /// The shard `subject` lives in, for life (see the module docs).
    pub fn of(&self, subject: &SubjectId) -> ShardIndex {
        let Some(drawn) = subject.drawn_at_ms() else {
            return ShardIndex::HOME;
        };
        let count = self
            .generations
            .iter()
            .take_while(|g| {
                g.from
                    .as_deref()
                    .and_then(crate::utc::parse_date)
                    .is_none_or(|from| from <= drawn)
            })
            .last()
            .map_or(1, |g| g.count);
        ShardIndex(placement(subject, count))
    }
}

/// The subject's place among `count` shards: its SHA-256 under
/// [`PLACEMENT_DOMAIN`], first 8 bytes big-endian, modulo `count`.
fn placement(subject: &SubjectId, count: u16) -> u16 {
    let digest = Sha256::new()
        .chain_update(PLACEMENT_DOMAIN)
        .chain_update(subject.as_str().as_bytes())
        .finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(first) % u64::from(count.max(1))) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: u64 = 86_400_000;

    fn shards(json: &str) -> Shards {
        let s: Shards = serde_json::from_str(json).unwrap();
        s.validate().unwrap();
        s
    }

    fn drawn(ms: u64, n: u32) -> SubjectId {
        let mut bytes = [0u8; 16];
        bytes[6..10].copy_from_slice(&n.to_be_bytes());
        bytes[10..14].copy_from_slice(&n.wrapping_mul(2_654_435_761).to_be_bytes());
        SubjectId::drawn(ms, bytes)
    }

    #[test]
    fn placement_known_answers() {
        // Pinned: a change here moves subjects out of their trees.
        let four = shards("4");
        let ids = [
            "01a229f1-2800-7bab-abab-abababababab",
            "01a229f1-2800-7000-8000-000000000000",
            "0190c8e0-0000-7fff-bfff-ffffffffffff",
        ];
        let got: Vec<u16> = ids
            .iter()
            .map(|id| four.of(&SubjectId::new(id).unwrap()).get())
            .collect();
        assert_eq!(got, [PINNED[0], PINNED[1], PINNED[2]]);
    }

    // Computed independently: Python hashlib, sha256(domain + id)[:8] big-endian % 4.
    const PINNED: [u16; 3] = [0, 2, 1];

    #[test]
    fn a_count_spreads_new_subjects_over_every_shard_evenly() {
        let four = shards("4");
        let mut seen = [0u32; 4];
        for n in 0..4000 {
            seen[usize::from(four.of(&drawn(1_800_000_000_000, n)).get())] += 1;
        }
        for s in seen {
            assert!((900..1100).contains(&s), "{seen:?}");
        }
    }

    #[test]
    fn uuid_v4_subjects_live_at_home_whatever_the_layout() {
        let eight = shards("8");
        for n in 0..200u8 {
            assert_eq!(
                eight.of(&SubjectId::from_random_bytes([n; 16])),
                ShardIndex::HOME
            );
        }
    }

    #[test]
    fn growing_moves_nobody_drawn_before_the_new_generation() {
        let from = crate::utc::parse_date("2027-01-04").unwrap();
        let old = shards("1");
        let grown = shards(r#"[{"count":1},{"count":4,"from":"2027-01-04"}]"#);
        let regrown = shards(
            r#"[{"count":1},{"count":4,"from":"2027-01-04"},{"count":8,"from":"2027-03-01"}]"#,
        );
        let march = crate::utc::parse_date("2027-03-01").unwrap();
        let mut spread = [false; 4];
        for n in 0..2000 {
            let before = drawn(from - 1 - u64::from(n) * 1000, n);
            assert_eq!(grown.of(&before), old.of(&before));
            assert_eq!(regrown.of(&before), ShardIndex::HOME);
            let after = drawn(from + u64::from(n) * DAY / 100, n);
            assert_eq!(regrown.of(&after), grown.of(&after), "{after}");
            spread[usize::from(grown.of(&after).get())] = true;
            let later = drawn(march + u64::from(n), n);
            assert!(regrown.of(&later).get() < 8);
        }
        assert_eq!(spread, [true; 4]);
        // The boundary: the first millisecond of the from date is the new generation's.
        let at = (0..100)
            .map(|n| drawn(from, n))
            .find(|s| grown.of(s) != ShardIndex::HOME)
            .expect("some subject of the new generation leaves home");
        let mut just_before = at.as_str().to_string();
        let prev = drawn(from - 1, 0);
        just_before.replace_range(..13, &prev.as_str()[..13]);
        assert_eq!(
            grown.of(&SubjectId::new(&just_before).unwrap()),
            ShardIndex::HOME
        );
    }

    #[test]
    fn shrinking_keeps_every_shard_that_ever_held_records() {
        let shrunk = shards(r#"[{"count":4},{"count":2,"from":"2027-01-04"}]"#);
        assert_eq!(shrunk.count(), 4);
        assert!(shrunk.has(ShardIndex::new(3).unwrap()));
        assert!(!shrunk.has(ShardIndex::new(4).unwrap()));
        let from = crate::utc::parse_date("2027-01-04").unwrap();
        for n in 0..500 {
            assert!(shrunk.of(&drawn(from + 1, n)).get() < 2);
        }
        assert_eq!(shrunk.all().count(), 4);
    }

    #[test]
    fn layouts_that_break_a_rule_are_refused_with_their_code() {
        for bad in [
            "0",
            "65",
            "[]",
            r#"[{"count":2,"from":"2027-01-01"}]"#,
            r#"[{"count":1},{"count":2}]"#,
            r#"[{"count":1},{"count":2,"from":"2027-02-30"}]"#,
            r#"[{"count":1},{"count":2,"from":"2027-02-01"},{"count":4,"from":"2027-02-01"}]"#,
        ] {
            let s: Shards = serde_json::from_str(bad).unwrap();
            assert_eq!(s.validate().unwrap_err().code(), "shards_invalid", "{bad}");
        }
        assert!(serde_json::from_str::<Shards>(r#"[{"count":1,"to":"x"}]"#).is_err());
        shards("64");
        shards("1");
    }

    #[test]
    fn a_count_reads_back_as_a_count() {
        assert_eq!(serde_json::to_string(&shards("4")).unwrap(), "4");
        let g = r#"[{"count":1},{"count":4,"from":"2027-01-04"}]"#;
        assert_eq!(serde_json::to_string(&shards(g)).unwrap(), g);
        assert!(Shards::default().is_single());
        assert!(!shards("2").is_single());
    }
}
