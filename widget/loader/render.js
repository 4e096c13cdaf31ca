// The widget's surfaces as HTML strings: the banner, the preferences panel,
// the Privacy choices control and an embed's placeholder. Each is inserted
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
function text(key) {
  return config.notice.texts[key] || "";
}
// A first-layer or panel button: `act` is what it does and, unless `key`
// says otherwise, the text it shows.
export function button(act, key) {
  return '<button type="button" class="btn" data-act="' + act + '">' + esc(text(key || act)) + "</button>";
}
function policy() {
  return '<a class="link" target="_blank" rel="noopener" href="' + esc(config.notice.controller.privacy_policy) + '">' + esc(text("privacy_policy")) + "</a>";
}
// The Global Privacy Control note, when GPC changes something on this notice.
function gpcNote() {
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

// What a service stores: each name, where, and for how long (in days, in
// the page's language by Intl: the notice carries numbers, not words).
var cookies = (s) => "<ul>" + s.cookies.map((c) => "<li><code>" + esc(c.name) + "</code> " + esc(c.kind) +
  (c.duration_days ? ", " + c.duration_days.toLocaleString(config.language, { style: "unit", unit: "day", unitDisplay: "long" }) : "") + "</li>").join("") + "</ul>";

// The preferences panel: a modal dialog with one switch per purpose and,
// under each optional purpose, one per service, each with what it stores;
// at its foot who is responsible (the controller, their contact) and the
// privacy policy.
// Required purposes are on and locked; the others show the choice in force
// or, on a first visit (or a new notice version), off: nothing is
// pre-ticked. "Withdraw all" is offered whenever the choice in force grants
// something.
export function panelHtml() {
  var c = config.notice.controller;
  var sw = (attr, id, of, on, locked) =>
    '<input type="checkbox" role="switch" ' + attr + '="' + esc(id) + '" aria-describedby="assent-desc-' + esc(of) + '"' +
      (on ? " checked" : "") + (locked ? " disabled" : "") + ">";
  return '<div class="overlay"><div class="panel" role="dialog" aria-modal="true" aria-labelledby="assent-prefs-title" tabindex="-1"' + lang() +
    '><div class="head"><h2 class="title" id="assent-prefs-title">' + esc(text("preferences_title")) +
    '</h2><button type="button" class="close" data-act="close" aria-label="' + esc(text("close")) + '">\u00d7</button></div>' + gpcNote() +
    '<div class="purposes">' + config.notice.purposes.map((p) => {
      var req = p.required;
      return '<div class="purpose"><label class="switch">' + sw("data-purpose", p.id, p.id, req || chosen(p.id), req) +
        '<span class="name">' + esc(p.name) + "</span>" + (req ? '<span class="always">' + esc(text("always_on")) + "</span>" : "") +
        '</label><p class="desc" id="assent-desc-' + esc(p.id) + '">' + esc(p.description) + '</p><ul class="services">' +
        p.services.map((s) =>
          "<li><label>" + (req ? "" : sw("data-service", s.id, p.id, accepted(p.id, s.id), 0)) + esc(s.name + " (" + s.provider + ")") + "</label>" + cookies(s) + "</li>",
        ).join("") + "</ul></div>";
    }).join("") + '</div><div class="buttons">' + button("reject_all") + button("accept_all") + button("save") +
    (grants() ? button("withdraw_all") : "") + "</div><p>" + esc(c.name + " · " + c.contact) + " · " + policy() + "</p></div></div>";
}

export function choicesHtml() {
  return '<button type="button" class="choices" data-act="choices"' + lang() + ">" + esc(text("privacy_choices")) + "</button>";
}

// An embed's placeholder: what it needs consent to, and "Allow and load".
export function placeholderHtml(purpose) {
  var p = config.notice.purposes.find((x) => x.id == purpose);
  return STYLE + '<div class="ph"' + lang() + "><p>" +
    esc(text("embed_blocked").replace("{purpose}", p ? p.name : purpose)) + "</p>" + button("allow", "allow_and_load") + "</div>";
}
