// The widget's surfaces as HTML strings: the banner, the Privacy choices
// control and an embed's placeholder (the preferences panel is ./panel.js). Each is inserted
// with one innerHTML. Every text from the notice goes through esc(), so a
// text can never become markup. The buttons share one class: same size, same
// style, so refusing is as prominent as accepting.
//
// Everything the notice hash covers that the visitor reads is shown here:
// every text, purpose, service, provider and cookie (name, kind, lifetime),
// and the first layer's buttons are the notice's own `choices`.
//
// DOM-free: strings in, strings out; the engine answers what is on.
import { accepted } from "../pkg/glue.js";
import { chosen, grants } from "./engine.js";
import { config, gpc } from "./state.js";

// The stylesheet (widget/widget.css, inlined by the bundler as
// `__ASSENT_CSS__`), for the widget's shadow root and each placeholder's
// (adopted by ./sheet.js, never a <style> element: a strict CSP holds).
export var CSS = __ASSENT_CSS__;

export function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
}
export function text(key) {
  return config.notice.texts[key] || "";
}
// Global Privacy Control changes something on this notice: a purpose is
// sale or sharing, which GPC keeps refused.
var gpcActive = () => gpc && config.notice.purposes.some((p) => p.sale_or_sharing);
// A first-layer or panel button: `act` is what it does and, unless `key`
// says otherwise, the text it shows; under GPC "Accept all" says what it
// does ("Accept, except sale or sharing").
export function button(act, key) {
  return '<button type="button" class="btn" data-act="' + act + '">' +
    esc(text(key || (act == "accept_all" && gpcActive() ? "accept_all_gpc" : act))) + "</button>";
}
export function policy() {
  return '<a class="link" target="_blank" rel="noopener" href="' + esc(config.notice.controller.privacy_policy) + '">' + esc(text("privacy_policy")) + "</a>";
}
// The Global Privacy Control note, when GPC changes something on this notice.
export function gpcNote() {
  return gpcActive() ? '<p class="gpc" role="note">' + esc(text("gpc_honoured")) + "</p>" : "";
}
export function lang() {
  return ' lang="' + esc(config.language) + '"';
}

// The first layer, compact: title, text and the privacy policy, the line of
// who else receives data and how long the choice is kept (the edge words
// it: `meta`, edge/src/first_layer.rs; the page runs no `Intl` before the
// banner), and the notice's choices as equal buttons, in its order. The GPC
// note is the panel's: here "Accept all" says what it does.
export function bannerHtml() {
  return '<section class="banner" role="region" aria-labelledby="assent-title"' + lang() +
    '><h2 class="title" id="assent-title">' + esc(text("title")) + '</h2><p class="text">' + esc(text("text")) + "</p>" +
    '<p class="meta">' + esc(config.meta || "") + " " + policy() + "</p>" +
    '<div class="buttons">' + config.notice.choices.map((c) => button(c)).join("") + "</div></section>";
}

// `n` of a time unit in the page's language, in long form ("6 Monate").
export var unit = (n, u) => n.toLocaleString(config.language, { style: "unit", unit: u, unitDisplay: "long" });

// What the preferences panel (./panel.js, loaded when first opened) renders
// with: the notice, GPC, these helpers and the engine's answers.
export var kit = () => ({ config, gpc, esc, text, button, policy, gpcNote, lang, unit, chosen, grants, accepted });

export function choicesHtml() {
  return '<button type="button" class="choices" data-act="choices"' + lang() + ">" + esc(text("privacy_choices")) + "</button>";
}

// An embed's placeholder: what it needs consent to, and "Allow and load".
export function placeholderHtml(purpose) {
  var p = config.notice.purposes.find((x) => x.id == purpose);
  return '<div class="ph"' + lang() + "><p>" +
    esc(text("embed_blocked").replace("{purpose}", p ? p.name : purpose)) + "</p>" + button("allow", "allow_and_load") + "</div>";
}
