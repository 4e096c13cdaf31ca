// The visitor's side of their rights, loaded only when the page asks for it
// (`assent.privacyCenter()`, `assent.restricted()`): none of it is needed
// before the banner shows, so it stays off the banner path's budget. The
// bundler writes it as its own file, `assent-privacy.js`, beside the loader.
//
// It imports nothing: the loader hands over what it needs (`page`: the
// edge's base, the site, the subject key, storage and the choice in force),
// so no second copy of the loader's state can exist.

// The subject's state as the edge knows it, asked with the subject's key
// (a receipt is shown, never a credential): the restriction, and the banner
// choice (which the privacy center may have changed). `{}` before any choice.
function mine(page) {
  var choice = page.current();
  return choice
    ? fetch(page.base + "v1/sites/" + page.site + "/subjects/me/state", {
        headers: { "assent-subject": choice.subject, "assent-key": page.key() },
      }).then((a) => (a.ok ? a.json() : {}))
    : Promise.resolve({});
}

// Whether processing of this visitor's data is restricted (GDPR Art. 18):
// the owner's restriction, as the edge's log holds it.
export var restricted = (page) => mine(page).then((s) => s.restricted === true);

var watching;

// Opens the subject's privacy center in a new tab. This browser proves the
// subject with its key, posted by a form (a key never goes into a URL, where
// logs and history would keep it). Before any choice there is no subject
// yet: the center's page that mails a link to an address opens instead.
export function privacyCenter(page) {
  var center = page.base + "v1/sites/" + page.site + "/privacy";
  var choice = page.current();
  if (!choice) return void window.open(center, "_blank", "noopener");
  var form = document.createElement("form");
  form.method = "post";
  form.target = "_blank";
  form.action = center + "/browser";
  [["subject", choice.subject], ["key", page.key()]].forEach(([name, value]) => {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.append(input);
  });
  document.body.append(form);
  form.submit();
  form.remove();
  // Back on this page, a change made in the center is adopted: the edge's
  // choice if it is newer than the one here (an event still in the outbox
  // may be newer), and the page reloads so that nothing withdrawn keeps
  // running.
  if (!watching) {
    watching = 1;
    addEventListener("visibilitychange", () => {
      if (document.hidden) return;
      mine(page).then((s) => {
        var here = page.current();
        if (s.choice && here && s.choice.client_time_ms > here.client_time_ms) {
          page.write("", s.choice);
          location.reload();
        }
      });
    });
  }
}
