// The widget's DOM: one host, out of the page flow (adding it never moves
// anything; everything inside is position: fixed, so no layout shift), with
// an open shadow root: site CSS cannot reach in, and ours cannot leak out.
// The banner, the panel (a modal dialog: focus in, trapped, returned; the
// banner hidden and the page's scroll locked behind it) and
// the Privacy choices control; clicks and keys routed to choices. After every
// recorded choice the page follows it (`decided`).
import { mark } from "../pkg/glue.js";
import { asking, follows } from "./engine.js";
import { config, current, engine, get, record } from "./state.js";
import { CSS, bannerHtml, choicesHtml, kit } from "./render.js";
import { adopt } from "./sheet.js";
import { lazy } from "./lazy.js";
import { update } from "./consent-mode.js";
import { clean, gate } from "./gating.js";

var root, banner, panel, choices, opener, scroll, more, moving;

function insert(html) {
  var wrapper = document.createElement("div");
  wrapper.innerHTML = html;
  root.append(wrapper);
  return wrapper;
}

export function mount(ask) {
  var host = document.createElement("div");
  host.id = "assent-host";
  host.dir = /^(ar|he|fa|ur)(-|$)/.test(config.language) ? "rtl" : "ltr";
  // The site's theme (`--assent-*`, core's `Theme::css`, checked there) after ours.
  host.style.cssText = "position:fixed;top:0;left:0;width:0;height:0;z-index:2147483000;" + config.theme;
  root = adopt(host.attachShadow({ mode: "open" }), CSS);
  // First in the page: a keyboard reaches the banner with its first Tab.
  document.body.prepend(host);
  if (ask) banner = insert(bannerHtml());
  else choices = insert(choicesHtml());
  wire();
}

// The panel's module and the engine it works with, fetched once the
// visitor shows they may open it (a pointer over, or focus on, a control
// that opens it), so a first visit that never does fetches neither.
function soon() {
  engine().catch(() => {});
  lazy("panel").catch(() => {});
}

// The panel renders from its own module (./panel.js); a second click while
// it loads opens one panel.
export function openPanel() {
  if (panel) return;
  opener = root.activeElement || document.activeElement;
  return Promise.all([lazy("panel"), engine()]).then(([m]) => {
    // Its stylesheet once, however often it opens.
    if (!more) adopt(root, m.PANEL_CSS);
    more = m;
    if (panel) return;
    panel = insert(m.panelHtml(kit()));
    // Modal: the banner steps aside and the page behind stops scrolling.
    if (banner) banner.hidden = true;
    scroll = document.documentElement.style.overflow;
    document.documentElement.style.overflow = "hidden";
    var first = panel.querySelector("[data-purpose]:not([disabled])");
    if (first) first.focus();
  });
}

// Takes the panel away: the banner (if still asking) and the page's scroll
// come back.
function dropPanel() {
  panel.remove();
  panel = null;
  if (banner) banner.hidden = false;
  document.documentElement.style.overflow = scroll;
}

function closePanel() {
  if (!panel) return;
  dropPanel();
  opener?.focus?.();
  opener = null;
}

export function emit(name) {
  document.dispatchEvent(new CustomEvent(name, { detail: get() }));
}

// Gates the page; an embed's "Allow and load" is a choice like any other,
// made by the engine.
export function gatePage() {
  gate((purpose, service) => engine().then(() => { decided(record("allow", 0, purpose, service)); }));
}

// What follows the choice in force: Consent Mode, what may run, what must go.
export function apply() {
  if (current) update(config.consent_mode);
  gatePage();
  clean();
}

// After a recorded choice (`e`, its event; null when nothing was recorded):
// the panel goes; the banner goes once nothing is left undecided (an embed's
// "Allow and load" answers only for its own purpose), and then the Privacy
// choices control stays, focused if focus was inside the widget. Then the
// page follows the choice.
export function decided(e) {
  if (!e) return;
  var focus = root.activeElement;
  if (panel) dropPanel();
  opener = null;
  if (!asking()) {
    if (banner) banner.remove();
    banner = null;
    if (!choices) choices = insert(choicesHtml());
    // Focus we move is not the visitor's intent: it fetches nothing.
    if (focus) {
      moving = true;
      choices.firstElementChild.focus();
      moving = false;
    }
  }
  apply();
  emit("assent:change");
  if (e.action == "withdraw") emit("assent:withdraw");
}

function wire() {
  root.addEventListener("click", (e) => {
    var name = e.target.closest?.("[data-act]")?.getAttribute("data-act");
    if (!name) return;
    if (name == "customise" || name == "choices") openPanel();
    else if (name == "close") closePanel();
    else {
      // "Save" hands the panel's switches to the engine: purposes, services.
      if (name == "save") {
        panel.querySelectorAll("input[data-purpose],input[data-service]").forEach((i) => {
          var service = i.hasAttribute("data-service");
          mark(i.getAttribute(service ? "data-service" : "data-purpose"), i.checked, service);
        });
      }
      decided(record(name, panel));
    }
  });
  var opens = (e) => { if (!moving && e.target.closest?.('[data-act="customise"],[data-act="choices"]')) soon(); };
  root.addEventListener("pointerover", opens);
  root.addEventListener("focusin", opens);
  // The panel's linked switches and modal keys live with it (./panel.js).
  root.addEventListener("change", (e) => { if (panel) more.linked(e.target, panel, follows); });
  root.addEventListener("keydown", (e) => { if (panel) more.keys(e, panel, root, closePanel); });
}
