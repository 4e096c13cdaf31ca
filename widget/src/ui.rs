//! The widget's surfaces as HTML: the banner, the preferences panel and the
//! persistent "Privacy choices" control, which the loader puts into its
//! Shadow DOM host.
//!
//! Each surface is written as one HTML string and inserted with a single
//! `innerHTML`: far less code than one binding call per node.
//! Every text from the notice goes through [`escape`], so a text can never
//! become markup. Everything is `position: fixed`, so nothing the widget shows
//! moves the page (no layout shift). The three first-layer buttons share one
//! class: same size, same style, so refusing is as prominent as accepting.

#[allow(unused_imports)]
use alloc::{borrow::ToOwned, string::String, vec::Vec};

use crate::consent::Consent;
use crate::notice::NoticeView;

/// `rtl` for the languages written right to left, else `ltr`.
pub fn direction(language: &str) -> &'static str {
    // Byte comparisons: `str::split` would cost the widget a few hundred bytes.
    let b = language.as_bytes();
    let rtl = matches!(b.get(..2), Some(b"ar" | b"he" | b"fa" | b"ur"))
        && b.get(2).is_none_or(|c| *c == b'-');
    if rtl {
        "rtl"
    } else {
        "ltr"
    }
}

/// Appends `s` to `out` with HTML's five special characters escaped.
pub fn escape(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Builds HTML by appending literal markup and escaped text.
struct Html(String);

impl Html {
    fn raw(&mut self, s: &str) -> &mut Self {
        self.0.push_str(s);
        self
    }
    fn text(&mut self, s: &str) -> &mut Self {
        escape(&mut self.0, s);
        self
    }
    fn button(&mut self, class: &str, act: &str, label: &str) -> &mut Self {
        self.raw("<button type=\"button\" class=\"")
            .raw(class)
            .raw("\" data-act=\"")
            .raw(act)
            .raw("\">")
            .text(label)
            .raw("</button>")
    }
    fn policy_link(&mut self, n: &NoticeView) -> &mut Self {
        self.raw("<a class=\"link\" target=\"_blank\" rel=\"noopener\" href=\"")
            .text(&n.policy_url)
            .raw("\">")
            .text(&n.text("privacy_policy"))
            .raw("</a>")
    }
    fn gpc_note(&mut self, n: &NoticeView, gpc: bool) -> &mut Self {
        if gpc && n.has_sale_or_sharing() {
            self.raw("<p class=\"gpc\" role=\"note\">")
                .text(&n.text("gpc_honoured"))
                .raw("</p>");
        }
        self
    }
    fn switch(&mut self, attr: &str, id: &str, of: &str, on: bool, locked: bool) -> &mut Self {
        self.raw("<input type=\"checkbox\" role=\"switch\" ")
            .raw(attr)
            .raw("=\"")
            .text(id)
            .raw("\" data-of=\"")
            .text(of)
            .raw("\" aria-describedby=\"assent-desc-")
            .text(of)
            .raw("\"")
            .raw(if on { " checked" } else { "" })
            .raw(if locked { " disabled" } else { "" })
            .raw(">")
    }
}

/// The first layer: title, text, the GPC note when `gpc` applies, and three
/// equal buttons.
pub fn banner_html(n: &NoticeView, gpc: bool) -> String {
    let mut h = Html(String::with_capacity(1024));
    h.raw("<section class=\"banner\" role=\"region\" aria-labelledby=\"assent-title\" lang=\"")
        .text(&n.language)
        .raw("\"><h2 class=\"title\" id=\"assent-title\">")
        .text(&n.text("title"))
        .raw("</h2><p class=\"text\">")
        .text(&n.text("text"))
        .raw(" ")
        .policy_link(n)
        .raw("</p>")
        .gpc_note(n, gpc)
        .raw("<div class=\"buttons\">")
        .button("btn", "accept_all", &n.text("accept_all"))
        .button("btn", "reject_all", &n.text("reject_all"))
        .button("btn", "customise", &n.text("customise"))
        .raw("</div></section>");
    h.0
}

/// The preferences panel, a modal dialog with one switch per purpose and,
/// under each optional purpose, one per service. Required purposes are on and
/// locked; the others show `current` or, on a first visit (or a new notice
/// version), off: nothing is pre-ticked. "Withdraw all" is offered whenever
/// the current choice grants something.
pub fn panel_html(n: &NoticeView, current: Option<&Consent>, gpc: bool) -> String {
    let mut h = Html(String::with_capacity(4096));
    h.raw("<div class=\"overlay\"><div class=\"panel\" role=\"dialog\" aria-modal=\"true\" aria-labelledby=\"assent-prefs-title\" tabindex=\"-1\" lang=\"")
        .text(&n.language)
        .raw("\"><div class=\"head\"><h2 class=\"title\" id=\"assent-prefs-title\">")
        .text(&n.text("preferences_title"))
        .raw("</h2><button type=\"button\" class=\"close\" data-act=\"close\" aria-label=\"")
        .text(&n.text("close"))
        .raw("\">\u{00d7}</button></div>")
        .gpc_note(n, gpc)
        .raw("<div class=\"purposes\">");
    for p in &n.purposes {
        let on = p.required || current.is_some_and(|c| c.purpose(&p.id));
        h.raw("<div class=\"purpose\"><label class=\"switch\">")
            .switch("data-purpose", &p.id, &p.id, on, p.required)
            .raw("<span class=\"name\">")
            .text(&p.name)
            .raw("</span>");
        if p.required {
            h.raw("<span class=\"always\">")
                .text(&n.text("always_on"))
                .raw("</span>");
        }
        h.raw("</label><p class=\"desc\" id=\"assent-desc-")
            .text(&p.id)
            .raw("\">")
            .text(&p.description)
            .raw("</p><ul class=\"services\">");
        for s in &p.services {
            let on = p.required || current.is_some_and(|c| c.accepts(n, &p.id, Some(&s.id)));
            h.raw("<li><label>");
            if !p.required {
                h.switch("data-service", &s.id, &p.id, on, false);
            }
            h.text(&s.label).raw("</label></li>");
        }
        h.raw("</ul></div>");
    }
    h.raw("</div><div class=\"buttons\">")
        .button("btn", "reject_all", &n.text("reject_all"))
        .button("btn", "accept_all", &n.text("accept_all"))
        .button("btn", "save", &n.text("save"));
    if current.is_some_and(|c| c.grants_optional(n)) {
        h.button("btn", "withdraw_all", &n.text("withdraw_all"));
    }
    h.raw("</div>").policy_link(n).raw("</div></div>");
    h.0
}

/// The persistent control that reopens the panel.
pub fn choices_html(n: &NoticeView) -> String {
    let mut h = Html(String::new());
    h.raw("<button type=\"button\" class=\"choices\" data-act=\"choices\" lang=\"")
        .text(&n.language)
        .raw("\">")
        .text(&n.text("privacy_choices"))
        .raw("</button>");
    h.0
}
