//! Text into HTML: the one escaping that every page Assent renders uses
//! (the form widget's markup, the edge's pages, the record of processing).
//!
//! ```
//! assert_eq!(assent_core::html::escape(r#"<a href="x">'&'</a>"#),
//!            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

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
