// The preferences panel as an HTML string, off the banner path: its own
// file (assent-panel.js), which the loader imports from the edge, with the
// engine, once the pointer or focus reaches a control that opens it, so it
// is usually there by the click (surface.js). It
// imports nothing: everything it renders with comes from render.js's
// `kit()` (the notice, the helpers, the engine's answers), so the rules of
// what is shown and escaped stay in one place.
//
// Its stylesheet (widget/panel.css) comes with it, inlined by the bundler
// as `__ASSENT_PANEL_CSS__`; the loader adopts it (./sheet.js).
export var PANEL_CSS = __ASSENT_PANEL_CSS__;

// The preferences panel: a modal dialog with a sticky head (title, close)
// and foot (the actions, always in view), and between them one collapsible
// section per purpose: its switch stays in the section's head, and opening
// it shows the description and every service, with its provider, its own
// switch (under optional purposes) and what it stores. At the foot of the
// list who is responsible (the controller, their contact) and the privacy
// policy.
// Required purposes are on and locked; the others show the choice in force
// or, on a first visit (or a new notice version), off: nothing is
// pre-ticked. The actions follow the first layer's order (the notice's
// `choices`, "Customise" becoming "Save"), and "Withdraw all" takes the
// place of "Reject all" once the choice in force grants something: one
// button per effect.
// Who answers: the controller, then its DPO and its representative in the
// Union where the notice names them (their names say their role).
var who = (c) => [c.name + " · " + c.contact].concat([c.dpo, c.eu_representative].filter(Boolean).map((x) => x.name + " (" + x.contact + ")")).join(" · ");
export function panelHtml(r) {
  var { config, esc, text, button, policy, gpcNote, lang, unit, chosen, grants, accepted } = r;
  // What a service stores: each name, where, and for how long (in days, in
  // the page's language by Intl: the notice carries numbers, not words).
  var cookies = (s) => '<ul class="cookies">' + s.cookies.map((c) => "<li><code dir=\"ltr\">" + esc(c.name) + "</code> · " + esc(config.notice.kinds?.[c.kind] ?? c.kind) +
    (c.duration_days ? " · " + unit(c.duration_days, "day") : "") + (c.purpose ? '<span class="for">' + esc(c.purpose) + "</span>" : "") + "</li>").join("") + "</ul>";
  var sw = (attr, id, label, on, locked) =>
    '<label class="sw"><input type="checkbox" role="switch" ' + attr + '="' + esc(id) + '" ' + label +
      (on ? " checked" : "") + (locked ? " disabled" : "") + "></label>";
  var c = config.notice.controller;
  var actions = config.notice.choices.map((a) => button(a == "customise" ? "save" : a == "reject_all" && grants() ? "withdraw_all" : a));
  return '<div class="overlay"><div class="panel" role="dialog" aria-modal="true" aria-labelledby="assent-prefs-title" tabindex="-1"' + lang() +
    '><div class="head"><h2 class="title" id="assent-prefs-title">' + esc(text("preferences_title")) +
    '</h2><button type="button" class="close" data-act="close" aria-label="' + esc(text("close")) + '">\u00d7</button></div><div class="body">' + gpcNote() +
    config.notice.purposes.map((p) => {
      var req = p.required, id = esc(p.id);
      // The switch comes first: it sits on the section's head, and Tab
      // reaches it before the services an opened section lists.
      return '<div class="purpose">' +
        sw("data-purpose", p.id, 'aria-labelledby="assent-name-' + id + '" aria-describedby="assent-desc-' + id + '"', req || chosen(p.id), req) +
        '<details><summary><span id="assent-name-' + id + '">' + esc(p.name) + "</span>" +
        (req ? '<span class="always">' + esc(text("always_on")) + "</span>" : "") + "</summary>" +
        '<p class="desc" id="assent-desc-' + id + '">' + esc(p.description) + '</p><ul class="services">' +
        p.services.map((s) =>
          '<li class="service"><div><span><span class="name">' + esc(s.name) + '</span><span class="by">' + esc(s.provider) + "</span></span>" +
          (req ? "" : sw("data-service", s.id, 'aria-label="' + esc(s.name) + '"', accepted(p.id, s.id), 0)) + "</div>" + cookies(s) + "</li>",
        ).join("") + "</ul></details></div>";
    }).join("") + '<p class="who">' + esc(who(c)) + " · " + policy() + '</p></div><div class="foot buttons">' +
    actions.join("") + "</div></div></div>";
}

// The panel's linked switches (`t`, the switch just changed): the engine's
// `follows` says which switches of the other kind follow it.
export function linked(t, panel, follows) {
  var service = t.hasAttribute("data-service");
  var kind = (s) => (s ? "data-service" : "data-purpose");
  if (!t.hasAttribute(kind(service))) return;
  panel.querySelectorAll("[" + kind(!service) + "]").forEach((o) => {
    if (follows(service, t.getAttribute(kind(service)), t.checked, o.getAttribute(kind(!service)))) o.checked = t.checked;
  });
}

// The panel is modal: Escape closes it (`close`), Tab and Shift+Tab cycle
// inside it, over what can take focus (a closed purpose's services cannot).
export function keys(e, panel, root, close) {
  if (e.key == "Escape") close();
  if (e.key == "Tab") {
    var all = [...panel.querySelectorAll("button,summary,[data-purpose]:not([disabled]),[open] input,a[href]")];
    var i = all.indexOf(root.activeElement); // -1: the dialog itself, or outside
    if (e.shiftKey ? i <= 0 : i < 0 || i == all.length - 1) {
      e.preventDefault();
      all[e.shiftKey ? all.length - 1 : 0].focus();
    }
  }
}
