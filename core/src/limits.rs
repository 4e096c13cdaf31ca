//! Request limits: which party each request counts against, and how many a
//! minute each may send. The edge asks the platform's rate-limiting
//! bindings (`wrangler.toml` names one per limit below, with these numbers;
//! an edge test holds the two equal) with the buckets made here.
//!
//! **Who bears the cost counts.** An office or a carrier NAT puts thousands
//! of visitors behind one address, so the address alone is a poor key: a
//! visitor's own requests count against their address *and subject key*
//! ([`VISITOR_PER_MINUTE`]), under a much higher ceiling for the whole
//! address ([`ADDRESS_PER_MINUTE`]) that stops a flood however its sender
//! varies the key. A request without a subject key (the config, the loader,
//! a form, the privacy center's pages) counts against the address's ceiling
//! only: a busy shared address still gets its banner and its form. The
//! owner's routes count against the address and, separately, the key id
//! they present ([`OWNER_PER_MINUTE`]), an unknown id as much as a known
//! one, so guessing keys is bounded per client and per key.
//!
//! Buckets are SHA-256 digests: an address or a key never becomes a key of
//! the limiter in clear, and nothing here is stored.
//!
//! ```
//! use assent_core::ids::SiteId;
//! use assent_core::limits::{self, Bucket};
//!
//! let site = SiteId::new("demo").unwrap();
//! let a = Bucket::Address { site: &site, client: "203.0.113.7" }.key();
//! let b = Bucket::Address { site: &site, client: "203.0.113.8" }.key();
//! assert_ne!(a, b);
//! assert!(!a.contains("203.0.113"));
//! assert_eq!(limits::owner_key_id("ask.demo.0123456789abcdef.secret"), "0123456789abcdef");
//! assert_eq!(limits::owner_key_id("anything else"), "operator");
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

use sha2::{Digest, Sha256};

use crate::ids::SiteId;

/// The platform's window: every limit counts per 60 seconds.
pub const WINDOW_SECONDS: u32 = 60;

/// Requests a minute from one address to one site, all visitors together
/// (binding `ADDRESS_LIMITER`).
pub const ADDRESS_PER_MINUTE: u32 = 1200;

/// Requests a minute from one visitor (one address and subject key) to one
/// site (binding `CLIENT_LIMITER`).
pub const VISITOR_PER_MINUTE: u32 = 120;

// The address's ceiling holds at least ten busy visitors.
const _: () = assert!(ADDRESS_PER_MINUTE >= 10 * VISITOR_PER_MINUTE);

/// Owner's requests a minute to one site from one address, and with one key
/// id (binding `OWNER_LIMITER`).
pub const OWNER_PER_MINUTE: u32 = 300;

/// What a request counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket<'a> {
    /// Every request from an address to a site.
    Address {
        /// The site.
        site: &'a SiteId,
        /// The connecting address as the platform reports it.
        client: &'a str,
    },
    /// A visitor: an address and the subject key the request carries.
    Visitor {
        /// The site.
        site: &'a SiteId,
        /// The connecting address.
        client: &'a str,
        /// The `Assent-Key` header as sent.
        key: &'a str,
    },
    /// An owner's requests from an address.
    OwnerClient {
        /// The site.
        site: &'a SiteId,
        /// The connecting address.
        client: &'a str,
    },
    /// An owner's requests with one key id ([`owner_key_id`]).
    OwnerKey {
        /// The site.
        site: &'a SiteId,
        /// The key id presented.
        id: &'a str,
    },
}

impl Bucket<'_> {
    /// The limiter's key: 24 hex digits of a SHA-256 over the bucket's kind
    /// and parts, each part ended by a zero byte (no two buckets share one).
    pub fn key(&self) -> String {
        let (kind, parts): (&str, [&str; 3]) = match *self {
            Bucket::Address { site, client } => ("address", [site.as_str(), client, ""]),
            Bucket::Visitor { site, client, key } => ("visitor", [site.as_str(), client, key]),
            Bucket::OwnerClient { site, client } => ("owner-client", [site.as_str(), client, ""]),
            Bucket::OwnerKey { site, id } => ("owner-key", [site.as_str(), id, ""]),
        };
        let mut h = Sha256::new();
        h.update(b"assent/limit/v1\0");
        h.update(kind.as_bytes());
        for part in parts {
            h.update([0]);
            h.update(part.as_bytes());
        }
        hex::encode(&h.finalize()[..12])
    }

    /// Requests a minute this bucket allows.
    pub fn per_minute(&self) -> u32 {
        match self {
            Bucket::Address { .. } => ADDRESS_PER_MINUTE,
            Bucket::Visitor { .. } => VISITOR_PER_MINUTE,
            Bucket::OwnerClient { .. } | Bucket::OwnerKey { .. } => OWNER_PER_MINUTE,
        }
    }
}

/// The key id an owner's credential names (`ask.<site>.<id>.<secret>`), for
/// its bucket; anything else (the operator's key, a malformed one) is
/// `operator`: an unknown id counts as its own, a shape that names none
/// counts against the operator's.
pub fn owner_key_id(presented: &str) -> &str {
    let mut parts = presented.splitn(4, '.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("ask"), Some(_), Some(id), Some(_))
            if id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            id
        }
        _ => "operator",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bucket_is_its_own_and_names_nobody() {
        let demo = SiteId::new("demo").unwrap();
        let example = SiteId::new("example").unwrap();
        let ip = "198.51.100.4";
        let keys = [
            Bucket::Address {
                site: &demo,
                client: ip,
            }
            .key(),
            Bucket::Address {
                site: &example,
                client: ip,
            }
            .key(),
            Bucket::Visitor {
                site: &demo,
                client: ip,
                key: "k",
            }
            .key(),
            Bucket::Visitor {
                site: &demo,
                client: ip,
                key: "l",
            }
            .key(),
            Bucket::OwnerClient {
                site: &demo,
                client: ip,
            }
            .key(),
            Bucket::OwnerKey {
                site: &demo,
                id: ip,
            }
            .key(),
        ];
        for (i, a) in keys.iter().enumerate() {
            assert_eq!(a.len(), 24);
            assert!(!a.contains("198.51"));
            for b in &keys[i + 1..] {
                assert_ne!(a, b);
            }
        }
        // A part cannot run into the next one.
        assert_ne!(
            Bucket::Visitor {
                site: &demo,
                client: "1.2.3.4",
                key: "5"
            }
            .key(),
            Bucket::Visitor {
                site: &demo,
                client: "1.2.3.45",
                key: ""
            }
            .key()
        );
    }

    #[test]
    fn the_numbers_and_who_bears_them() {
        let demo = SiteId::new("demo").unwrap();
        assert_eq!(
            Bucket::Address {
                site: &demo,
                client: ""
            }
            .per_minute(),
            1200
        );
        assert_eq!(
            Bucket::Visitor {
                site: &demo,
                client: "",
                key: ""
            }
            .per_minute(),
            120
        );
        assert_eq!(
            Bucket::OwnerClient {
                site: &demo,
                client: ""
            }
            .per_minute(),
            300
        );
        assert_eq!(
            Bucket::OwnerKey {
                site: &demo,
                id: ""
            }
            .per_minute(),
            300
        );
    }

    #[test]
    fn an_owner_key_id_is_read_from_its_shape_only() {
        assert_eq!(
            owner_key_id("ask.demo.0123456789abcdef.s3cret"),
            "0123456789abcdef"
        );
        assert_eq!(
            owner_key_id("ask.demo.0123456789abcdef.s.e.c"),
            "0123456789abcdef"
        );
        for other in [
            "",
            "ask",
            "ask.demo.0123456789abcdef",
            "ask.demo.0123456789abcdeg.s",
            "ask.demo.0123456789abcde.s",
            "ASK.demo.0123456789abcdef.s",
            "operator-secret",
        ] {
            assert_eq!(owner_key_id(other), "operator", "{other}");
        }
    }
}
