// The preferences panel as an HTML string, off the banner path: its own
// file (assent-panel.js), which the loader imports from the edge when the
// banner shows, so it is there by the first click on "Customise". It
// imports nothing: everything it renders with comes from render.js's
// `kit()` (the notice, the helpers, the engine's answers), so the rules of
// what is shown and escaped stay in one place.
//
// DOM-free: strings in, strings out.

// The preferences panel: a modal dialog with one switch per purpose and,
// under each optional purpose, one per service, each with what it stores;
// at its foot who is responsible (the controller, their contact) and the
// privacy policy.
// Required purposes are on and locked; the others show the choice in force
// or, on a first visit (or a new notice version), off: nothing is
// pre-ticked. "Withdraw all" is offered whenever the choice in force grants
// something.
export function panelHtml(r) {
  var { config, esc, text, button, policy, gpcNote, lang, chosen, grants, accepted } = r;
  // What a service stores: each name, where, and for how long (in days, in
  // the page's language by Intl: the notice carries numbers, not words).
  var cookies = (s) => "<ul>" + s.cookies.map((c) => "<li><code>" + esc(c.name) + "</code> " + esc(c.kind) +
    (c.duration_days ? ", " + c.duration_days.toLocaleString(config.language, { style: "unit", unit: "day", unitDisplay: "long" }) : "") + "</li>").join("") + "</ul>";

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

