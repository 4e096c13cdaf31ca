//! The log origin: the name a log signs its checkpoints under,
//! `<edge host>/<site>` (C2SP `checkpoint`, first line), and for a shard
//! `k > 0` of a sharded site `<edge host>/<site>/<k>`
//! ([`super::shards`]: shard 0 keeps the plain origin, so a log that grew
//! into shards verifies as it did).
//!
//! The host comes from the edge's configuration (never from a request's
//! `Host` header), and the log fixes its origin with its first record. A
//! verifier reads the site back from the origin with [`LogOrigin::site`]
//! instead of splitting strings.
//!
//! ```
//! use assent_core::ids::SiteId;
//! use assent_core::log::LogOrigin;
//!
//! let origin = LogOrigin::new("consent.example.com", &SiteId::new("demo").unwrap()).unwrap();
//! assert_eq!(origin.as_str(), "consent.example.com/demo");
//! let back = LogOrigin::parse("127.0.0.1:8787/demo").unwrap();
//! assert_eq!((back.host(), back.site().as_str()), ("127.0.0.1:8787", "demo"));
//! assert_eq!(LogOrigin::parse("demo").unwrap_err().code(), "origin_invalid");
//! let third = LogOrigin::parse("127.0.0.1:8787/demo/3").unwrap();
//! assert_eq!((third.site().as_str(), third.shard().get()), ("demo", 3));
//! assert_eq!(third.to_string(), "127.0.0.1:8787/demo/3");
//! assert_eq!(back.shard(), assent_core::log::shards::ShardIndex::HOME);
//! // Shard 0 is written without its number: there is one way to name it.
//! assert_eq!(LogOrigin::parse("127.0.0.1:8787/demo/0").unwrap_err().code(), "origin_invalid");
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

use core::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{excerpt, Error, SyntaxError};
use crate::ids::SiteId;
use crate::log::shards::ShardIndex;

/// A checked log origin, `<host>[:port]/<site>[/<shard>]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LogOrigin {
    text: String,
    slash: usize,
    site: SiteId,
    shard: ShardIndex,
}

/// Longest host (with port) in an origin.
const MAX_HOST_LEN: usize = 253 + 6;

fn is_host(host: &str) -> bool {
    (1..=MAX_HOST_LEN).contains(&host.len())
        && host.bytes().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'.' | b'-' | b':')
        })
        && !host.starts_with(['.', '-', ':'])
}

impl LogOrigin {
    /// The origin of `site`'s log on the edge at `host` (`host[:port]`, lowercase).
    pub fn new(host: &str, site: &SiteId) -> Result<Self, Error> {
        Self::of_shard(host, site, ShardIndex::HOME)
    }

    /// The origin of shard `shard` of `site`'s log: the plain origin for
    /// shard 0, `<host>/<site>/<k>` for the others.
    pub fn of_shard(host: &str, site: &SiteId, shard: ShardIndex) -> Result<Self, Error> {
        if !is_host(host) {
            return Err(Error::Syntax(SyntaxError::OriginInvalid {
                origin: excerpt(host),
            }));
        }
        let text = if shard == ShardIndex::HOME {
            format!("{host}/{site}")
        } else {
            format!("{host}/{site}/{shard}")
        };
        Ok(LogOrigin {
            text,
            slash: host.len(),
            site: site.clone(),
            shard,
        })
    }

    /// Parses `<host>/<site>` or `<host>/<site>/<k>` with `k` 1 to
    /// [`MAX_SHARDS`](crate::shards::MAX_SHARDS) - 1 without leading zeros (as found in a checkpoint or
    /// a receipt).
    pub fn parse(text: &str) -> Result<Self, Error> {
        let invalid = || {
            Error::Syntax(SyntaxError::OriginInvalid {
                origin: excerpt(text),
            })
        };
        // A host has no slash, a site id neither: what follows a second
        // slash is a shard.
        let (host, rest) = text.split_once('/').ok_or_else(invalid)?;
        let (site, shard) = match rest.split_once('/') {
            None => (rest, ShardIndex::HOME),
            Some((site, k)) => {
                let canonical = !k.is_empty()
                    && !k.starts_with('0')
                    && k.len() <= 2
                    && k.bytes().all(|c| c.is_ascii_digit());
                let k = k
                    .parse::<u16>()
                    .ok()
                    .filter(|_| canonical)
                    // `new` refuses a shard past the last there can be.
                    .and_then(ShardIndex::new)
                    .ok_or_else(invalid)?;
                (site, k)
            }
        };
        let site = SiteId::new(site).map_err(|_| invalid())?;
        Self::of_shard(host, &site, shard).map_err(|_| invalid())
    }

    /// The shard whose log this is (home for a plain origin).
    pub fn shard(&self) -> ShardIndex {
        self.shard
    }

    /// The edge host, with its port if it has one.
    pub fn host(&self) -> &str {
        &self.text[..self.slash]
    }

    /// The site whose log this is.
    pub fn site(&self) -> &SiteId {
        &self.site
    }

    /// `<host>/<site>[/<k>]`.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for LogOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for LogOrigin {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for LogOrigin {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        LogOrigin::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_with_ports_and_sites_round_trip() {
        for text in [
            "edge.example/demo",
            "127.0.0.1:8787/shop-2",
            "a/b",
            "a/7",
            "a/b/1",
            "a/7/63",
        ] {
            assert_eq!(LogOrigin::parse(text).unwrap().as_str(), text);
        }
    }

    #[test]
    fn a_host_is_at_most_259_characters_with_its_port() {
        let site = SiteId::new("demo").unwrap();
        let host = |n: usize| format!("{}:8787", "a".repeat(n - 5));
        assert!(LogOrigin::new(&host(259), &site).is_ok());
        assert_eq!(
            LogOrigin::new(&host(260), &site).unwrap_err().code(),
            "origin_invalid"
        );
    }

    #[test]
    fn malformed_origins_are_refused() {
        for bad in [
            "",
            "/demo",
            "edge.example/",
            "Edge.example/demo",
            "edge.example/De",
            "edge example/demo",
            "edge.example/demo/x",
            "edge.example/demo/",
            "edge.example/demo/0",
            "edge.example/demo/01",
            "edge.example/demo/64",
            "edge.example/demo/+1",
            "edge.example/demo/1/2",
        ] {
            assert_eq!(
                LogOrigin::parse(bad).unwrap_err().code(),
                "origin_invalid",
                "{bad:?}"
            );
        }
    }
}
