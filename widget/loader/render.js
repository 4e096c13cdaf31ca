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
// `__ASSENT_CSS__`), for the widget's shadow root and each placeholder's.
export var STYLE = "<style>" + __ASSENT_CSS__ + "</style>";

export function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
}
export function text(key) {
  return config.notice.texts[key] || "";
}
// A first-layer or panel button: `act` is what it does and, unless `key`
// says otherwise, the text it shows.
export function button(act, key) {
  return '<button type="button" class="btn" data-act="' + act + '">' + esc(text(key || act)) + "</button>";
}
export function policy() {
  return '<a class="link" target="_blank" rel="noopener" href="' + esc(config.notice.controller.privacy_policy) + '">' + esc(text("privacy_policy")) + "</a>";
}
// The Global Privacy Control note, when GPC changes something on this notice.
export function gpcNote() {
  return gpc && config.notice.purposes.some((p) => p.sale_or_sharing)
    ? '<p class="gpc" role="note">' + esc(text("gpc_honoured")) + "</p>" : "";
}
export function lang() {
  return ' lang="' + esc(config.language) + '"';
}

// The first layer: title, text, the GPC note, and the notice's choices as
// equal buttons, in its order.
export function bannerHtml() {
  return '<section class="banner" role="region" aria-labelledby="assent-title"' + lang() +
    '><h2 class="title" id="assent-title">' + esc(text("title")) + '</h2><p class="text">' + esc(text("text")) + " " + policy() + "</p>" +
    gpcNote() + '<div class="buttons">' + config.notice.choices.map((c) => button(c)).join("") + "</div></section>";
}

// What the preferences panel (./panel.js, loaded when first opened) renders
// with: the notice, GPC, these helpers and the engine's answers.
export var kit = () => ({ config, gpc, esc, text, button, policy, gpcNote, lang, chosen, grants, accepted });

export function choicesHtml() {
  return '<button type="button" class="choices" data-act="choices"' + lang() + ">" + esc(text("privacy_choices")) + "</button>";
}

// An embed's placeholder: what it needs consent to, and "Allow and load".
export function placeholderHtml(purpose) {
  var p = config.notice.purposes.find((x) => x.id == purpose);
  return STYLE + '<div class="ph"' + lang() + "><p>" +
    esc(text("embed_blocked").replace("{purpose}", p ? p.name : purpose)) + "</p>" + button("allow", "allow_and_load") + "</div>";
}
