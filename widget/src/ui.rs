//! The widget's DOM: a Shadow DOM host with the banner, the preferences panel
//! and the persistent "Privacy choices" control.
//!
//! Every text is set with `textContent`, never parsed as HTML. Everything is
//! `position: fixed`, so nothing the widget shows moves the page (no layout
//! shift). The three first-layer buttons share one class: same size, same
//! style, so refusing is exactly as prominent as accepting.

use std::collections::BTreeMap;

use crate::notice::NoticeView;

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, HtmlInputElement, Node, ShadowRoot, ShadowRootInit, ShadowRootMode};

/// Attribute that names what a button does.
pub const ACT: &str = "data-act";

const CSS: &str = include_str!("widget.css");

/// Creates the host element and its shadow root, with the stylesheet.
pub fn mount(doc: &Document) -> Result<ShadowRoot, JsValue> {
    let host = doc.create_element("div")?;
    host.set_id("assent-host");
    // Out of the page flow: adding the host never moves anything.
    host.set_attribute(
        "style",
        "position:fixed;top:0;left:0;width:0;height:0;z-index:2147483000",
    )?;
    let root = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
    let style = doc.create_element("style")?;
    style.set_text_content(Some(CSS));
    add(&root, &style)?;
    doc.body().ok_or("no body")?.append_child(&host)?;
    Ok(root)
}

fn el(doc: &Document, tag: &str, class: &str, text: Option<&str>) -> Result<Element, JsValue> {
    let e = doc.create_element(tag)?;
    if !class.is_empty() {
        e.set_class_name(class);
    }
    if text.is_some() {
        e.set_text_content(text);
    }
    Ok(e)
}

fn add(parent: &impl AsRef<Node>, child: &impl AsRef<Node>) -> Result<(), JsValue> {
    parent.as_ref().append_child(child.as_ref()).map(|_| ())
}

fn button(doc: &Document, class: &str, act: &str, label: &str) -> Result<Element, JsValue> {
    let b = el(doc, "button", class, Some(label))?;
    b.set_attribute("type", "button")?;
    b.set_attribute(ACT, act)?;
    Ok(b)
}

fn policy_link(doc: &Document, notice: &NoticeView) -> Result<Element, JsValue> {
    let a = el(doc, "a", "link", Some(&notice.text("privacy_policy")))?;
    a.set_attribute("href", &notice.policy_url)?;
    a.set_attribute("target", "_blank")?;
    a.set_attribute("rel", "noopener")?;
    Ok(a)
}

/// The first layer: title, text, and three equal buttons.
pub fn banner(doc: &Document, notice: &NoticeView) -> Result<Element, JsValue> {
    let b = el(doc, "section", "banner", None)?;
    b.set_attribute("role", "region")?;
    b.set_attribute("aria-labelledby", "assent-title")?;
    b.set_attribute("lang", &notice.language)?;
    let title = el(doc, "h2", "title", Some(&notice.text("title")))?;
    title.set_id("assent-title");
    add(&b, &title)?;
    let text = el(doc, "p", "text", Some(&(notice.text("text") + " ")))?;
    add(&text, &policy_link(doc, notice)?)?;
    add(&b, &text)?;
    let row = el(doc, "div", "buttons", None)?;
    add(&row, &button(doc, "btn", "accept_all", &notice.text("accept_all"))?)?;
    add(&row, &button(doc, "btn", "reject_all", &notice.text("reject_all"))?)?;
    add(&row, &button(doc, "btn", "customise", &notice.text("customise"))?)?;
    add(&b, &row)?;
    Ok(b)
}

/// The preferences panel, a modal dialog with one switch per purpose. Required
/// purposes are on and locked; the others show `current` or, on a first
/// visit, off: nothing is pre-ticked.
pub fn panel(
    doc: &Document,
    notice: &NoticeView,
    current: Option<&BTreeMap<String, bool>>,
) -> Result<Element, JsValue> {
    let overlay = el(doc, "div", "overlay", None)?;
    let dialog = el(doc, "div", "panel", None)?;
    dialog.set_attribute("role", "dialog")?;
    dialog.set_attribute("aria-modal", "true")?;
    dialog.set_attribute("aria-labelledby", "assent-prefs-title")?;
    dialog.set_attribute("lang", &notice.language)?;
    dialog.set_attribute("tabindex", "-1")?;
    let head = el(doc, "div", "head", None)?;
    let title = el(doc, "h2", "title", Some(&notice.text("preferences_title")))?;
    title.set_id("assent-prefs-title");
    add(&head, &title)?;
    let close = button(doc, "close", "close", "\u{00d7}")?;
    close.set_attribute("aria-label", &notice.text("close"))?;
    add(&head, &close)?;
    add(&dialog, &head)?;

    let list = el(doc, "div", "purposes", None)?;
    for p in &notice.purposes {
        let row = el(doc, "div", "purpose", None)?;
        let label = el(doc, "label", "switch", None)?;
        let input: HtmlInputElement = doc.create_element("input")?.unchecked_into();
        input.set_type("checkbox");
        input.set_attribute("role", "switch")?;
        input.set_attribute("data-purpose", &p.id)?;
        let desc_id = ["assent-desc-", p.id.as_str()].concat();
        input.set_attribute("aria-describedby", &desc_id)?;
        if p.required {
            input.set_checked(true);
            input.set_disabled(true);
        } else {
            input.set_checked(current.and_then(|c| c.get(&p.id)).copied().unwrap_or(false));
        }
        add(&label, &input)?;
        add(&label, &el(doc, "span", "name", Some(&p.name))?)?;
        if p.required {
            add(&label, &el(doc, "span", "always", Some(&notice.text("always_on")))?)?;
        }
        add(&row, &label)?;
        let desc = el(doc, "p", "desc", Some(&p.description))?;
        desc.set_id(&desc_id);
        add(&row, &desc)?;
        if !p.services.is_empty() {
            let names = p.services.join(" \u{00b7} ");
            add(&row, &el(doc, "p", "services", Some(&names))?)?;
        }
        add(&list, &row)?;
    }
    add(&dialog, &list)?;

    let row = el(doc, "div", "buttons", None)?;
    add(&row, &button(doc, "btn", "reject_all", &notice.text("reject_all"))?)?;
    add(&row, &button(doc, "btn", "accept_all", &notice.text("accept_all"))?)?;
    add(&row, &button(doc, "btn", "save", &notice.text("save"))?)?;
    add(&dialog, &row)?;
    add(&dialog, &policy_link(doc, notice)?)?;
    add(&overlay, &dialog)?;
    Ok(overlay)
}

/// The persistent control that reopens the panel.
pub fn choices_button(doc: &Document, notice: &NoticeView) -> Result<Element, JsValue> {
    let b = button(doc, "choices", "choices", &notice.text("privacy_choices"))?;
    b.set_attribute("lang", &notice.language)?;
    Ok(b)
}

/// The switches' states, by purpose.
pub fn read_switches(panel: &Element) -> Result<BTreeMap<String, bool>, JsValue> {
    let inputs = panel.query_selector_all("input[data-purpose]")?;
    let mut out = BTreeMap::new();
    for i in 0..inputs.length() {
        if let Some(input) = inputs.get(i).and_then(|n| n.dyn_into::<HtmlInputElement>().ok()) {
            if let Some(id) = input.get_attribute("data-purpose") {
                out.insert(id, input.checked());
            }
        }
    }
    Ok(out)
}
