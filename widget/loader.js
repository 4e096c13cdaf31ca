// The widget's loader, bundled with the wasm-bindgen glue into one of two
// entries (entry-script.js for the script tag, entry-module.js for the npm
// package's ES module), which call `boot`. The page gets exactly one global,
// `window.assent`.
//
// The wasm is the consent engine: it decides whether to ask, what each click
// means (per purpose and per service, GPC, embeds, re-consent), writes the
// consent event, and answers what may run. It is sans-IO. This loader is its
// platform layer: fetching the notice, rendering it into a Shadow DOM, focus
// (return, trap), routing clicks and keys, storage (choice, outbox, receipts),
// delivery with retries, and the page integrations that follow each choice:
// gated scripts and embeds, Google Consent Mode, and cookie clean-up. Each
// of these kept out of the wasm is a set of imports and glue less on the wire
// (the banner path has a 15 KB budget, BENCHMARKS.md).
import { initSync } from "./pkg/glue.js";
import * as W from "./pkg/glue.js";

// The stylesheet (widget/widget.css, inlined by the bundler as
// `__ASSENT_CSS__`), for the widget's shadow root and each placeholder's.
var STYLE = "<style>" + __ASSENT_CSS__ + "</style>";

var config;

// Google Consent Mode v2: every signal denied before any tag can run. Works
// with a bare dataLayer: gtag.js, if it loads later, replays it.
var SIGNALS = ["ad_storage", "ad_user_data", "ad_personalization", "analytics_storage",
  "functionality_storage", "personalization_storage", "security_storage"];
var dataLayer;
function gtag() {
  dataLayer.push(arguments);
}
function signals(granted) {
  var s = {};
  SIGNALS.forEach((k) => { s[k] = granted(k) ? "granted" : "denied"; });
  return s;
}

// ---- storage ------------------------------------------------------------------
// The choice (the latest consent event), the outbox and the receipts live in
// localStorage under "assent:<site>". Storage may be missing, full or throw
// (blocked cookies, private modes, sandboxed frames): then they live in
// memory for this page view only, which fails closed (the next page asks
// again and nothing optional runs).
var mem = {}, ls;
// Some browsers hand out a storage that throws on write: probe it once, at start.
function openStorage() {
  try {
    ls = localStorage;
    ls.setItem("assent:probe", "1");
    ls.removeItem("assent:probe");
  } catch (e) {
    ls = null;
  }
}
function read(key) {
  key = "assent:" + site + key;
  try {
    return JSON.parse(key in mem ? mem[key] : ls && ls.getItem(key));
  } catch (e) {
    return null;
  }
}
function write(key, value) {
  key = "assent:" + site + key;
  value = JSON.stringify(value);
  try {
    ls.setItem(key, value);
    delete mem[key];
  } catch (e) {
    mem[key] = value;
  }
}
function list(key) {
  var l = read(key);
  return Array.isArray(l) ? l : [];
}

// ---- recording ----------------------------------------------------------------
// The wasm decides and writes the event; here it is kept before anything
// else can fail (outbox first, then the choice), and sent.
var current; // the choice in force: its latest event, or null
function mark(decisions, service) {
  Object.keys(Object(decisions)).forEach((k) => {
    W.mark(k, decisions[k] === true, service);
  });
}
function record(name, inPanel, purpose, service) {
  var json = W.record(name, !!inPanel, purpose || "", service || "", Date.now(),
    crypto.getRandomValues(new Uint8Array(32)), location.pathname);
  if (!json) return null;
  var e = JSON.parse(json);
  write(":outbox", list(":outbox").concat([e]));
  write("", e);
  current = e;
  flush();
  return e;
}

// ---- delivery -----------------------------------------------------------------
// One event in flight at a time, oldest first; an event leaves the outbox only
// when the edge acknowledged it (its receipt kept) or refused it for good.
// Faults retry with exponential backoff and jitter. On pagehide (`all`)
// every event goes at once with keepalive: the page may be gone before the
// answers come, and the edge answers a copy of a stored event with the same
// receipt, so a second copy is harmless.
var inFlight, retryMs = 0;
function flush(all) {
  if (inFlight && !all) return;
  list(":outbox").some((e) => {
    var id = e && e.event_id;
    if (!id) return;
    if (!all) inFlight = id;
    fetch(url, {
      method: "POST",
      mode: "cors",
      credentials: "include", // a first-party edge keeps the choice in its own cookie
      keepalive: true,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(e),
    })
      .then((r) => {
        return r.text().then((body) => [r.status, body]);
      })
      .catch(() => [0])
      .then((answer) => { delivered(id, answer[0], answer[1]); });
    return !all;
  });
}
function delivered(id, status, body) {
  var ours = inFlight == id;
  if (ours) inFlight = null;
  var outcome = W.delivery(status); // 0 acknowledged, 1 refused, 2 retry
  if (outcome == 2) {
    // Only the event in flight drives the timer; a pagehide copy that
    // failed is still in the outbox for the next round.
    if (ours) {
      retryMs = Math.min(Math.max(retryMs * 2, 1000), 60000);
      setTimeout(flush, retryMs + Math.random() * retryMs * 0.3);
    }
    return;
  }
  // The first answer for an event wins; a second copy's answer finds it gone.
  var box = list(":outbox");
  var rest = box.filter((e) => !e || e.event_id != id);
  if (rest.length < box.length) {
    write(":outbox", rest);
    if (outcome) console.warn("assent: event refused by the edge");
    else {
      try {
        var receipt = JSON.parse(body).receipt;
        if (typeof receipt == "string") write(":receipts", list(":receipts").concat([receipt]));
      } catch (e) {}
    }
  }
  if (ours) {
    retryMs = 0;
    flush();
  }
}

// The decisions by purpose of the choice in force, or null before one.
function get() {
  if (!current) return null;
  var d = {};
  Object.keys(Object(current.decisions)).forEach((k) => { d[k] = current.decisions[k] === true; });
  return d;
}

// The decision on `purpose` itself in the choice in force (its panel switch).
function chosen(purpose) {
  return !!current && current.decisions[purpose] === true;
}

function emit(name) {
  document.dispatchEvent(new CustomEvent(name, { detail: get() }));
}

// After every recorded choice: tell the page, run what is now allowed,
// update Consent Mode, clear what was refused.
function changed(e) {
  apply();
  emit("assent:change");
  if (e.action == "withdraw") emit("assent:withdraw");
}

function apply() {
  var mode = config.consent_mode;
  if (mode && current) {
    gtag("consent", "update", signals((k) => {
      var ps = mode.signals[k] || [];
      return ps.length > 0 && ps.every((p) => accepts(p));
    }));
  }
  gate();
  clean();
}

// ---- gating -------------------------------------------------------------------
// Whether `purpose` (and `service` under it, if given) may run now.
function accepts(purpose, service) {
  return W.accepted("" + purpose, service ? "" + service : "");
}
function allowed(el) {
  return accepts(el.getAttribute("data-assent"), el.getAttribute("data-assent-service"));
}

// Gated scripts run once, in document order: each waits for the one before
// it to load, as parser-inserted scripts would.
var queue = Promise.resolve();
function gate() {
  document.querySelectorAll('script[type="text/plain"][data-assent]').forEach((old) => {
    if (!allowed(old)) return;
    old.removeAttribute("data-assent");
    queue = queue.then(() => {
      return new Promise((done) => {
        var s = document.createElement("script");
        for (var i = 0; i < old.attributes.length; i++) {
          var a = old.attributes[i];
          if (a.name != "type" && a.name != "data-assent-service") s.setAttribute(a.name, a.value);
        }
        s.nonce = old.nonce; // browsers hide the nonce attribute; the property keeps it
        var type = old.getAttribute("data-type");
        if (type) s.type = type;
        if (s.src) {
          s.onload = s.onerror = done;
        } else {
          s.text = old.text;
        }
        old.replaceWith(s);
        if (!s.src) done();
      });
    });
  });
  document.querySelectorAll("[data-assent][data-src]").forEach(embed);
}

// An embed (iframe, img, video) keeps its address in data-src until allowed;
// until then a placeholder of the same size offers "allow and load".
function embed(el) {
  var ph = el.previousElementSibling;
  ph = ph && ph.hasAttribute("data-assent-placeholder") ? ph : null;
  if (allowed(el)) {
    if (ph) ph.remove();
    el.hidden = false;
    if (el.getAttribute("src") != el.getAttribute("data-src")) el.src = el.getAttribute("data-src");
    return;
  }
  if (el.hasAttribute("src")) el.removeAttribute("src"); // withdrawn: unload it
  el.hidden = true;
  if (ph) return;
  var purpose = el.getAttribute("data-assent");
  var p = config.notice.purposes.filter((x) => x.id == purpose)[0];
  // Its own shadow root with the widget's stylesheet: themed like the
  // banner, and out of reach of the site's CSS.
  ph = document.createElement("div");
  ph.setAttribute("data-assent-placeholder", purpose);
  var w = el.getAttribute("width"), h = el.getAttribute("height");
  var px = (v) => /^\d+$/.test(v) ? v + "px" : v;
  ph.style.cssText = "display:block;max-width:100%;" + (w ? "width:" + px(w) + ";" : "") + (h ? "height:" + px(h) : "");
  ph.attachShadow({ mode: "open" }).innerHTML = STYLE + '<div class="ph" lang="' + esc(config.language) + '"><p>' +
    esc(text("embed_blocked").replace("{purpose}", p ? p.name : purpose)) + "</p>" + button("allow", "allow_and_load") + "</div>";
  ph.shadowRoot.querySelector("button").onclick = () => {
    decided(record("allow", 0, purpose, el.getAttribute("data-assent-service")));
  };
  el.before(ph);
}

// ---- clean-up -----------------------------------------------------------------
// Cookies and storage a refused service left behind, where the config lists
// them (`name*` is a prefix).
function clean() {
  if (!current) return;
  config.notice.purposes.forEach((p) => {
    if (p.required) return;
    p.services.forEach((s) => {
      if (accepts(p.id, s.id)) return;
      (s.cookies || []).forEach((c) => {
        var match = (name) => {
          return c.name.slice(-1) == "*" ? name.indexOf(c.name.slice(0, -1)) == 0 : name == c.name;
        };
        if (c.kind == "local_storage" || c.kind == "session_storage") {
          try {
            var st = c.kind == "local_storage" ? localStorage : sessionStorage;
            Object.keys(st).filter(match).forEach((k) => { st.removeItem(k); });
          } catch (e) {}
          return;
        }
        document.cookie.split(";").forEach((kv) => {
          var name = kv.split("=")[0].trim();
          if (!match(name)) return;
          // The cookie may have been set for this host or any parent domain.
          var parts = location.hostname.split(".");
          var secure = location.protocol == "https:" ? "; secure" : "";
          for (var i = 0; i < parts.length; i++) {
            var domain = i ? "; domain=." + parts.slice(i).join(".") : "";
            document.cookie = name + "=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/" + domain + secure;
          }
        });
      });
    });
  });
}

// ---- the widget's surfaces -----------------------------------------------------
// Each surface is one HTML string inserted with one innerHTML. Every text
// from the notice goes through esc(), so a text can never become markup.
// Everything is position: fixed, so nothing the widget shows moves the page
// (no layout shift). The buttons share one class: same size, same style, so
// refusing is as prominent as accepting.
function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => { return "&#" + c.charCodeAt(0) + ";"; });
}
function text(key) {
  return config.notice.texts[key] || "";
}
function button(act, key, cls) {
  return '<button type="button" class="' + (cls || "btn") + '" data-act="' + act + '">' + esc(text(key)) + "</button>";
}
function policy() {
  return '<a class="link" target="_blank" rel="noopener" href="' + esc(config.notice.controller.privacy_policy) + '">' + esc(text("privacy_policy")) + "</a>";
}
// The Global Privacy Control note, when GPC changes something on this notice.
function gpcNote() {
  return gpc && config.notice.purposes.some((p) => p.sale_or_sharing)
    ? '<p class="gpc" role="note">' + esc(text("gpc_honoured")) + "</p>" : "";
}
function lang() {
  return ' lang="' + esc(config.language) + '"';
}

// The first layer: title, text, the GPC note, and three equal buttons.
function bannerHtml() {
  return '<section class="banner" role="region" aria-labelledby="assent-title"' + lang() +
    '><h2 class="title" id="assent-title">' + esc(text("title")) + '</h2><p class="text">' + esc(text("text")) + " " + policy() + "</p>" +
    gpcNote() + '<div class="buttons">' + button("accept_all", "accept_all") + button("reject_all", "reject_all") + button("customise", "customise") + "</div></section>";
}

// The preferences panel: a modal dialog with one switch per purpose and,
// under each optional purpose, one per service. Required purposes are on and
// locked; the others show the choice in force or, on a first visit (or a new
// notice version), off: nothing is pre-ticked. "Withdraw all" is offered
// whenever the choice in force grants something.
function panelHtml() {
  var sw = (attr, id, of, on, locked) => {
    return '<input type="checkbox" role="switch" ' + attr + '="' + esc(id) + '" data-of="' + esc(of) + '" aria-describedby="assent-desc-' + esc(of) + '"' +
      (on ? " checked" : "") + (locked ? " disabled" : "") + ">";
  };
  return '<div class="overlay"><div class="panel" role="dialog" aria-modal="true" aria-labelledby="assent-prefs-title" tabindex="-1"' + lang() +
    '><div class="head"><h2 class="title" id="assent-prefs-title">' + esc(text("preferences_title")) +
    '</h2><button type="button" class="close" data-act="close" aria-label="' + esc(text("close")) + '">\u00d7</button></div>' + gpcNote() +
    '<div class="purposes">' + config.notice.purposes.map((p) => {
      var req = p.required;
      return '<div class="purpose"><label class="switch">' + sw("data-purpose", p.id, p.id, req || chosen(p.id), req) +
        '<span class="name">' + esc(p.name) + "</span>" + (req ? '<span class="always">' + esc(text("always_on")) + "</span>" : "") +
        '</label><p class="desc" id="assent-desc-' + esc(p.id) + '">' + esc(p.description) + '</p><ul class="services">' +
        p.services.map((s) => {
          return "<li><label>" + (req ? "" : sw("data-service", s.id, p.id, accepts(p.id, s.id), 0)) + esc(s.name + " (" + s.provider + ")") + "</label></li>";
        }).join("") + "</ul></div>";
    }).join("") + '</div><div class="buttons">' + button("reject_all", "reject_all") + button("accept_all", "accept_all") + button("save", "save") +
    (config.notice.purposes.some((p) => !p.required && chosen(p.id)) ? button("withdraw_all", "withdraw_all") : "") + "</div>" + policy() + "</div></div>";
}

// ---- the widget's DOM ------------------------------------------------------------
// One host, out of the page flow (adding it never moves anything), with an
// open shadow root: site CSS cannot reach in, and ours cannot leak out.
var root, banner, panel, choices, opener;

function insert(html) {
  var wrapper = document.createElement("div");
  wrapper.innerHTML = html;
  root.append(wrapper);
  return wrapper;
}

function choicesControl() {
  return insert('<button type="button" class="choices" data-act="choices"' + lang() + ">" + esc(text("privacy_choices")) + "</button>");
}

function mount(ask) {
  var host = document.createElement("div");
  host.id = "assent-host";
  host.dir = /^(ar|he|fa|ur)(-|$)/.test(config.language) ? "rtl" : "ltr";
  host.style.cssText = "position:fixed;top:0;left:0;width:0;height:0;z-index:2147483000";
  root = host.attachShadow({ mode: "open" });
  root.innerHTML = STYLE;
  document.body.append(host);
  if (ask) banner = insert(bannerHtml());
  else choices = choicesControl();
  wire();
}

function openPanel() {
  if (panel) return;
  opener = root.activeElement || document.activeElement;
  panel = insert(panelHtml());
  var first = panel.querySelector("input:not([disabled])");
  if (first) first.focus();
}

function closePanel() {
  if (!panel) return;
  panel.remove();
  panel = null;
  if (opener && opener.focus) opener.focus();
  opener = null;
}

// After a recorded choice (`e`, its event; null when nothing was recorded):
// the banner and the panel go, the Privacy choices control stays, and focus
// lands on it if it was inside the widget.
function decided(e) {
  if (!e) return;
  var focus = root.activeElement;
  if (panel) panel.remove();
  if (banner) banner.remove();
  panel = banner = opener = null;
  if (!choices) choices = choicesControl();
  if (focus) choices.firstElementChild.focus();
  changed(e);
}

// Marks the panel's switches for the wasm: purposes, then services.
function switches() {
  panel.querySelectorAll("input[data-purpose],input[data-service]").forEach((i) => {
    var service = i.hasAttribute("data-service");
    W.mark(i.getAttribute(service ? "data-service" : "data-purpose"), i.checked, service);
  });
}

function wire() {
  root.addEventListener("click", (e) => {
    var control = e.target.closest && e.target.closest("[data-act]");
    var name = control && control.getAttribute("data-act");
    if (!name) return;
    if (name == "customise" || name == "choices") openPanel();
    else if (name == "close") closePanel();
    else {
      if (name == "save") switches();
      decided(record(name, panel));
    }
  });
  // A purpose switch carries its services with it; a service switched on
  // switches its purpose on.
  root.addEventListener("change", (e) => {
    var t = e.target;
    if (!panel || !t.hasAttribute("data-of")) return;
    var of = t.getAttribute("data-of");
    if (t.hasAttribute("data-purpose")) {
      panel.querySelectorAll('[data-service][data-of="' + of + '"]').forEach((s) => { s.checked = t.checked; });
    } else if (t.checked) {
      panel.querySelector('[data-purpose="' + of + '"]').checked = true;
    }
  });
  root.addEventListener("keydown", (e) => {
    if (!panel) return;
    if (e.key == "Escape") closePanel();
    // The panel is modal: Tab and Shift+Tab cycle inside it.
    if (e.key == "Tab") {
      var all = [].slice.call(panel.querySelectorAll("button,input:not([disabled]),a[href]"));
      var i = all.indexOf(root.activeElement); // -1: the dialog itself, or outside
      if (e.shiftKey ? i <= 0 : i < 0 || i == all.length - 1) {
        e.preventDefault();
        all[e.shiftKey ? all.length - 1 : 0].focus();
      }
    }
  });
}

function languages() {
  var langs = [document.documentElement.getAttribute("lang")]
    .concat(navigator.languages || [])
    .filter(Boolean)
    .slice(0, 8);
  return encodeURIComponent(langs.join(","));
}

// Hands the notice and the stored choice to the wasm; whether to ask.
function begin() {
  var n = config.notice;
  n.purposes.forEach((p) => {
    W.purpose(p.id, !!p.required, !!p.sale_or_sharing);
    p.services.forEach((s) => { W.service(s.id); });
  });
  if (!W.start(site, location.origin, config.notice_version, config.language, config.notice_hash, n.consent_lifetime_days, gpc)) {
    throw new Error("no notice");
  }
  // Local storage first; else the choice the edge kept in its own cookie
  // (first-party edges only), which outlives script-written storage caps.
  var event = (e) => e && e.subject && e.decisions && e;
  var stored = event(read(""));
  if (!stored && (stored = event(config.choice))) write("", stored);
  if (!stored) return true;
  mark(stored.decisions, false);
  mark(stored.services, true);
  current = W.restore(String(stored.subject || ""), String((stored.notice || {}).version || ""), +stored.client_time_ms || 0, Date.now()) ? stored : null;
  return !current;
}

var site, url, gpc;

// Starts the widget for `site` with the edge at `base` (ending in `/`) and the
// wasm at `wasmUrl`; publishes and returns the API.
export function boot(siteId, base, wasmUrl) {
  if (config !== undefined) return window.assent; // started already (a second tag or run())
  config = null;
  site = siteId;
  url = base + "v1/sites/" + site + "/events";
  openStorage();
  gpc = navigator.globalPrivacyControl === true;
  dataLayer = window.dataLayer = window.dataLayer || [];
  var defaults = signals(() => false);
  defaults.wait_for_update = 500;
  gtag("consent", "default", defaults);

  var ready = site
    ? Promise.all([
        // Compiled from the bytes rather than streamed: one path that works
        // whatever MIME type a bundler or CDN serves the .wasm with, and the
        // glue's streaming fallbacks stay out of the bundle.
        fetch(wasmUrl)
          .then((r) => {
            if (!r.ok) throw new Error("wasm: HTTP " + r.status);
            return r.arrayBuffer();
          })
          .then(WebAssembly.compile)
          .then((module) => { initSync({ module: module }); }),
        fetch(base + "v1/sites/" + site + "/config?lang=" + languages(), { credentials: "include" }).then((r) => {
          if (!r.ok) throw new Error("config: HTTP " + r.status);
          return r.json();
        }),
        // The tag sits in <head>: gate (and mount) once the whole document is
        // parsed, or elements below would be missed.
        document.readyState == "loading" &&
          new Promise((done) => { document.addEventListener("DOMContentLoaded", done); }),
      ]).then((loaded) => {
        var answer = loaded[1];
        var mode = answer.consent_mode;
        (mode && mode.regions || []).forEach((r) => {
          var d = signals((k) => r.granted.indexOf(k) >= 0);
          d.region = r.region;
          d.wait_for_update = mode.wait_for_update_ms;
          gtag("consent", "default", d);
        });
        config = answer;
        var ask;
        try {
          ask = begin();
        } catch (e) {
          config = null; // the engine did not start: nothing is granted
          throw e;
        }
        mount(ask);
        addEventListener("pagehide", () => { flush(true); });
        addEventListener("online", () => { flush(); });
        flush();
        apply();
        // Gated scripts and embeds a single-page app adds later are gated as
        // they arrive. gate() is idempotent and costs two selector queries, so
        // any batch of added nodes runs it; its own insertions settle in one
        // more round.
        new MutationObserver(() => { gate(); }).observe(document.documentElement, { childList: true, subtree: true });
        emit("assent:ready");
      })
    : Promise.reject(new Error("the script tag needs data-site"));
  ready.catch((e) => {
    console.warn("assent: not started, nothing optional is granted.", e);
  });

  function later(f) {
    return (a) => {
      return ready.then(() => f(a));
    };
  }

  return (window.assent = {
    ready: ready,
    show: later(openPanel),
    get: () => {
      return config ? get() : null;
    },
    accepted: (purpose, service) => {
      return !!config && accepts(purpose, service);
    },
    set: later((decisions) => {
      mark(decisions, false);
      decided(record("set"));
    }),
    withdraw: later(() => { decided(record("withdraw")); }),
    receipts: () => {
      return config ? list(":receipts") : [];
    },
  });
}
