//! The form's HTML, built from the form notice: pure strings, so what a
//! person sees is testable without a browser. Every text is escaped; ids are
//! prefixed per mounted form so two forms on a page never share one.

use assent_core::form::config::{AgeQuestion, FieldUse};
use assent_core::form::notice::FormAnswer;

pub use assent_core::html::escape;

/// Whether a field must be filled, and how it is shown beside its label:
/// Assent's "(optional)" where it may be left empty, and a hint (why an
/// age is asked) under it.
struct Aside<'a> {
    required: bool,
    optional: Option<&'a str>,
    hint: Option<&'a str>,
}

const REQUIRED: Aside<'static> = Aside {
    required: true,
    optional: None,
    hint: None,
};

fn field(
    id: &str,
    name: &str,
    label: &str,
    kind: &str,
    autocomplete: &str,
    extra: &str,
    aside: Aside<'_>,
) -> String {
    let required = aside.required;
    // aria-required, not required: Assent checks the fields itself, and a
    // native `required` on a hidden field (the parent's) would block a
    // site's form that leaves validation to the browser.
    let req = if required {
        " aria-required=\"true\""
    } else {
        ""
    };
    let optional = match (required, aside.optional) {
        (false, Some(word)) => format!(" <span class=\"assent-optional\">{}</span>", escape(word)),
        _ => String::new(),
    };
    let (hint, described) = match aside.hint {
        Some(text) => (
            format!(
                "<p class=\"assent-hint\" id=\"{id}-{name}-hint\">{}</p>",
                escape(text)
            ),
            format!("{id}-{name}-hint {id}-{name}-error"),
        ),
        None => (String::new(), format!("{id}-{name}-error")),
    };
    format!(
        "<div class=\"assent-field\" data-field=\"{name}\"><label for=\"{id}-{name}\">{label}{optional}</label>{hint}\
<input id=\"{id}-{name}\" name=\"{name}\" type=\"{kind}\" autocomplete=\"{autocomplete}\"{req}{extra} aria-describedby=\"{described}\">\
<p class=\"assent-error\" id=\"{id}-{name}-error\" hidden></p></div>",
        label = escape(label),
    )
}

/// The consent part: every offer an unticked checkbox in a fieldset, the
/// privacy information and its link. It goes inside Assent's own form, or
/// into the site's form it enhances.
pub fn consent(id: &str, answer: &FormAnswer) -> String {
    let n = &answer.notice;
    let t = &n.texts;
    let boxes: String = n
        .offers
        .iter()
        .enumerate()
        .map(|(i, o)| {
            format!(
                "<div class=\"assent-offer\"><input type=\"checkbox\" id=\"{id}-offer-{i}\" data-offer=\"{key}\" aria-describedby=\"{id}-offer-{i}-desc\">\
<label for=\"{id}-offer-{i}\">{label}</label><p class=\"assent-offer-desc\" id=\"{id}-offer-{i}-desc\">{desc}</p></div>",
                key = escape(&o.key),
                label = escape(&o.label),
                desc = escape(&o.purpose_description),
            )
        })
        .collect();
    format!(
        "<fieldset class=\"assent-consent\" data-assent-consent><legend>{title}</legend>{boxes}\
<p class=\"assent-privacy\">{privacy} <a href=\"{url}\" target=\"_blank\" rel=\"noopener\">{link}</a></p></fieldset>",
        title = escape(&t.intro),
        privacy = escape(&t.privacy_notice),
        url = escape(&n.privacy_policy),
        link = escape(&t.privacy_link),
    )
}

/// The identity fields the form asks (email always), the age question
/// where the form has an age rule, and the parent's email (hidden until the
/// age given is under the age of consent).
pub fn identity(id: &str, answer: &FormAnswer) -> String {
    let n = &answer.notice;
    let t = &n.texts;
    let words = n.words.as_ref();
    let optional = |rule: FieldUse| Aside {
        required: rule == FieldUse::Required,
        optional: words.map(|w| w.optional.as_str()),
        hint: None,
    };
    let mut out = field(
        id,
        "email",
        &t.email,
        "email",
        "email",
        " inputmode=\"email\"",
        REQUIRED,
    );
    if let Some(rule) = n.fields.name {
        out += &field(id, "name", &t.name, "text", "name", "", optional(rule));
    }
    if let Some(rule) = n.fields.phone {
        out += &field(id, "phone", &t.phone, "tel", "tel", "", optional(rule));
    }
    if let Some(age) = &n.age {
        let (auto, extra) = match age.ask {
            AgeQuestion::BirthYear => (
                "bday-year",
                " inputmode=\"numeric\" min=\"1900\" max=\"2100\"",
            ),
            AgeQuestion::Age => ("off", " inputmode=\"numeric\" min=\"1\" max=\"120\""),
        };
        let why = Aside {
            hint: words.map(|w| w.age_why.as_str()),
            ..REQUIRED
        };
        out += &field(id, "age", &t.age, "number", auto, extra, why);
        out += &format!(
            "<div class=\"assent-parent\" hidden><p>{notice}</p>{field}</div>",
            notice = escape(&t.parental_notice),
            field = field(
                id,
                "parent_email",
                &t.parent_email,
                "email",
                "off",
                "",
                REQUIRED
            ),
        );
    }
    out
}

/// Assent's own form, whole: heading, identity fields, consent, submit and
/// a live region for what happened.
pub fn whole(id: &str, answer: &FormAnswer) -> String {
    let t = &answer.notice.texts;
    format!(
        "<form class=\"assent-form\" novalidate aria-labelledby=\"{id}-title\"><h2 id=\"{id}-title\">{title}</h2>\
{identity}{consent}<button type=\"submit\" class=\"assent-submit\">{submit}</button>{status}</form>",
        title = escape(&t.title),
        identity = identity(id, answer),
        consent = consent(id, answer),
        submit = escape(&t.submit),
        status = status(id),
    )
}

/// The live region where the outcome and a refusal are announced.
pub fn status(id: &str) -> String {
    format!(
        "<p class=\"assent-status\" id=\"{id}-status\" role=\"status\" aria-live=\"polite\"></p>"
    )
}

/// The form's stylesheet. The form lives in the page (a site's form is the
/// site's), so it takes the page's text colour and font; accents and
/// shapes follow the banner's custom properties (`--assent-accent`, ...).
pub const CSS: &str = ".assent-form,.assent-consent{font:inherit;color:inherit}\
.assent-form{max-width:32rem;display:grid;gap:.75rem}\
.assent-form h2{margin:0;font-size:1.3em}\
.assent-field{display:grid;gap:.25rem}\
.assent-field input{font:inherit;padding:.5rem .6rem;border:1px solid var(--assent-border,#767676);border-radius:var(--assent-radius,.4rem);background:var(--assent-input-bg,Field);color:var(--assent-input-fg,FieldText)}\
.assent-field input[aria-invalid=true]{border-color:var(--assent-error,#b3261e);border-width:2px}\
.assent-consent{border:1px solid var(--assent-border,#767676);border-radius:var(--assent-radius,.4rem);padding:.75rem 1rem;margin:0}\
.assent-consent legend{padding:0 .3rem;font-weight:600}\
.assent-offer{display:grid;grid-template-columns:auto 1fr;gap:.1rem .6rem;align-items:start;margin:.4rem 0}\
.assent-offer input{width:1.25rem;height:1.25rem;margin:.15rem 0 0;accent-color:var(--assent-accent,#1f4fd1)}\
.assent-offer-desc{grid-column:2;margin:0;font-size:.9em}\
.assent-privacy{font-size:.9em;margin:.5rem 0 0}\
.assent-privacy a{color:var(--assent-link,inherit)}\
.assent-error{margin:0;color:var(--assent-error,#b3261e);font-size:.9em;font-weight:600}\
.assent-optional{font-weight:400;font-size:.9em}.assent-hint{margin:0;font-size:.9em}\
.assent-submit{justify-self:start;font:inherit;font-weight:600;padding:.6rem 1.4rem;border:0;border-radius:var(--assent-radius,.4rem);background:var(--assent-accent,#1f4fd1);color:var(--assent-on-accent,#fff);cursor:pointer}\
.assent-submit:focus-visible,.assent-field input:focus-visible,.assent-offer input:focus-visible{outline:3px solid var(--assent-focus,#1f4fd1);outline-offset:2px}\
.assent-status:empty{display:none}\
.assent-status{margin:0;padding:.6rem .8rem;border-left:4px solid var(--assent-accent,#1f4fd1)}";
