//! Text into HTML: the one escaping that every page Assent renders uses
//! (the form widget's markup, the edge's pages, the record of processing).
//!
//! ```
//! assert_eq!(assent_core::html::escape(r#"<a href="x">'&'</a>"#),
//!            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The Content-Security-Policy of a page Assent renders itself (the double
/// opt-in page, the privacy center, the record of processing): no script at
/// all, and one `<style>` element whose text is `css`, allowed by its hash
/// rather than by `'unsafe-inline'`, so an injected `style` attribute or
/// element is refused even if an escape were ever missed. Forms post to
/// the page's own origin only; no site may frame the page.
///
/// ```
/// let csp = assent_core::html::page_policy("p{}");
/// assert!(csp.starts_with("default-src 'none'; style-src 'sha256-"));
/// assert!(!csp.contains("unsafe"));
/// ```
pub fn page_policy(css: &str) -> String {
    let hash = STANDARD.encode(Sha256::digest(css.as_bytes()));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'"
    )
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash is the one a browser computes over the element's text: a
    /// known answer (`printf 'p{}' | openssl dgst -sha256 -binary | base64`).
    #[test]
    fn a_page_policy_names_its_stylesheet_by_hash() {
        assert_eq!(
            page_policy("p{}"),
            "default-src 'none'; style-src 'sha256-gG2yISYereRMiG2lMXrbiUgi0Ubw9p7QCeWcroOvy9Y='; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        );
    }
}
