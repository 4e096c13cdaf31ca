//! The checks of a configuration's strings (lengths, characters, URLs,
//! origins), shared by the site's and the forms' configurations.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::error::{excerpt, Error, SyntaxError};

pub(crate) const MAX_LABEL: usize = 80;
pub(crate) const MAX_TITLE: usize = 200;
pub(crate) const MAX_TEXT: usize = 4000;

pub(crate) fn check_len(field: &str, value: &str, max: usize) -> Result<(), Error> {
    if value.chars().count() > max {
        return Err(Error::Syntax(SyntaxError::FieldTooLong {
            field: field.to_string(),
            max,
        }));
    }
    Ok(())
}

pub(crate) fn check_text(field: &str, value: &str, max: usize) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::Syntax(SyntaxError::FieldInvalid {
            field: field.to_string(),
            reason: "must not be empty".into(),
        }));
    }
    check_len(field, value, max)
}

/// Checks an http(s) URL shown to visitors (the privacy policy): its origin
/// part (`scheme://host[:port]`) passes [`check_origin`], so a default port,
/// an upper-case or Unicode host and a non-canonical IP address are refused
/// here as there; the rest (path, query, fragment) has no whitespace.
pub(crate) fn check_url(field: &str, url: &str) -> Result<(), Error> {
    let invalid = || {
        Error::Syntax(SyntaxError::FieldInvalid {
            field: field.to_string(),
            reason: "must be an http(s) URL with a lowercase ASCII host and no default port".into(),
        })
    };
    if url.len() > 2048 || url.contains(char::is_whitespace) {
        return Err(invalid());
    }
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let origin_end = url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| after_scheme + i);
    check_origin(&url[..origin_end]).map_err(|_| invalid())?;
    #[cfg(feature = "std")]
    if url::Url::parse(url).is_err() {
        return Err(invalid());
    }
    Ok(())
}

/// Checks that `origin` is a serialized web origin exactly as a browser sends
/// it in `Origin`: `http(s)://host[:port]` without path, query, trailing slash
/// or user info; the host lowercase ASCII (an IDN in its punycode `xn--` form),
/// an IPv4 address in dotted decimal or a bracketed IPv6 address in its
/// shortest form (`[::1]`); no default port (`:443` for https, `:80` for http),
/// which a browser never sends.
///
/// With `std` (the edge, its build script, the CLI: every place that checks a
/// configuration), the rule is the WHATWG URL parser's (the `url` crate): an
/// origin is valid when it is its own serialization. The `no_std` build keeps
/// a syntactic check of the same rule.
pub fn check_origin(origin: &str) -> Result<(), Error> {
    let invalid = || {
        Error::Syntax(SyntaxError::OriginInvalid {
            origin: excerpt(origin),
        })
    };
    let (scheme, rest) = if let Some(rest) = origin.strip_prefix("https://") {
        ("https", rest)
    } else if let Some(rest) = origin.strip_prefix("http://") {
        ("http", rest)
    } else {
        return Err(invalid());
    };
    let (host, port) = if rest.starts_with('[') {
        match rest.find(']') {
            Some(end) => match &rest[end + 1..] {
                "" => (&rest[..=end], None),
                p => (
                    &rest[..=end],
                    Some(p.strip_prefix(':').ok_or_else(invalid)?),
                ),
            },
            None => return Err(invalid()),
        }
    } else {
        match rest.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        }
    };
    let host_ok = if let Some(inner) = host.strip_prefix('[') {
        let inner = inner.strip_suffix(']').unwrap_or("");
        inner.contains(':')
            && inner
                .bytes()
                .all(|c| c.is_ascii_digit() || matches!(c, b'a'..=b'f' | b':' | b'.'))
    } else {
        !host.is_empty()
            && host.len() <= 253
            && !host.starts_with('.')
            && !host.ends_with('.')
            && !host.contains("..")
            && host
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'.' | b'-'))
    };
    let default_port = if scheme == "https" { "443" } else { "80" };
    let port_ok = port.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 5
            && !p.starts_with('0')
            && p != default_port
            && p.bytes().all(|c| c.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| n > 0 && n < 65536)
    });
    if !(host_ok && port_ok) {
        return Err(invalid());
    }
    #[cfg(feature = "std")]
    {
        let parsed = url::Url::parse(origin).map_err(|_| invalid())?;
        if parsed.origin().ascii_serialization() != origin {
            return Err(invalid());
        }
    }
    Ok(())
}
