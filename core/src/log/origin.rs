//! The log origin: the name a log signs its checkpoints under,
//! `<edge host>/<site>` (C2SP `checkpoint`, first line).
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
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

use core::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{excerpt, Error, SyntaxError};
use crate::ids::SiteId;

/// A checked log origin, `<host>[:port]/<site>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LogOrigin {
    text: String,
    slash: usize,
    site: SiteId,
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
        if !is_host(host) {
            return Err(Error::Syntax(SyntaxError::OriginInvalid {
                origin: excerpt(host),
            }));
        }
        Ok(LogOrigin {
            text: format!("{host}/{site}"),
            slash: host.len(),
            site: site.clone(),
        })
    }

    /// Parses `<host>/<site>` (as found in a checkpoint or a receipt).
    pub fn parse(text: &str) -> Result<Self, Error> {
        let invalid = || {
            Error::Syntax(SyntaxError::OriginInvalid {
                origin: excerpt(text),
            })
        };
        let (host, site) = text.rsplit_once('/').ok_or_else(invalid)?;
        let site = SiteId::new(site).map_err(|_| invalid())?;
        Self::new(host, &site).map_err(|_| invalid())
    }

    /// The edge host, with its port if it has one.
    pub fn host(&self) -> &str {
        &self.text[..self.slash]
    }

    /// The site whose log this is.
    pub fn site(&self) -> &SiteId {
        &self.site
    }

    /// `<host>/<site>`.
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
        for text in ["edge.example/demo", "127.0.0.1:8787/shop-2", "a/b"] {
            assert_eq!(LogOrigin::parse(text).unwrap().as_str(), text);
        }
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
        ] {
            assert_eq!(
                LogOrigin::parse(bad).unwrap_err().code(),
                "origin_invalid",
                "{bad:?}"
            );
        }
    }
}
