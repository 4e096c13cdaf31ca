// The widget's loader: appended after the wasm-bindgen glue, then one of the
// two entries (entry-script.js for the script tag, entry-module.js for the npm
// package's ES module) calls `boot`. The page gets exactly one global,
// `window.assent`.
//
// The wasm owns the choice: what is granted, the events, the outbox, the
// receipts, and the HTML of the banner and the panel. This loader is its
// platform layer, the parts that are DOM plumbing rather than rules: the
// Shadow DOM host, inserting the wasm's HTML, focus (return, trap), routing
// clicks and keys, the network transport (`assentSend`, whose status goes
// back to the wasm outbox), the retry timer, and the page integrations that
// follow each choice: gated scripts and embeds, Google Consent Mode, and
// cookie clean-up. Every DOM binding kept out of the wasm is an import and a
// glue function less on the wire.
var W = wasm_bindgen;
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
  SIGNALS.forEach(function (k) { s[k] = granted(k) ? "granted" : "denied"; });
  return s;
}

function assentSend(url, body, eventId) {
  fetch(url, {
    method: "POST",
    mode: "cors",
    credentials: "include", // a first-party edge keeps the choice in its own cookie
    keepalive: true,
    headers: { "content-type": "application/json" },
    body: body,
  })
    .then(
      function (r) {
        return r.text().then(function (body) { return [r.status, body]; }, function () { return [0, ""]; });
      },
      function () { return [0, ""]; }
    )
    .then(function (answer) { W.delivered(eventId, answer[0], answer[1]); });
}

function assentRetry(ms) {
  setTimeout(function () { W.flush(false); }, ms);
}

function emit(name) {
  document.dispatchEvent(new CustomEvent(name, { detail: W.get() }));
}

// After every recorded choice (`action`: 0 none, 1 give, 2 refuse, 3 update,
// 4 withdraw): tell the page, run what is now allowed, update Consent Mode,
// clear what was refused.
function changed(action) {
  if (!action) return;
  apply();
  emit("assent:change");
  if (action == 4) emit("assent:withdraw");
}

function apply() {
  var mode = config.consent_mode;
  if (mode && W.get()) {
    gtag("consent", "update", signals(function (k) {
      var ps = mode.signals[k] || [];
      return ps.length > 0 && ps.every(function (p) { return W.accepted(p); });
    }));
  }
  gate();
  clean();
}

// ---- gating -------------------------------------------------------------------
function allowed(el) {
  return W.accepted(el.getAttribute("data-assent"), el.getAttribute("data-assent-service") || undefined);
}

// Gated scripts run once, in document order: each waits for the one before
// it to load, as parser-inserted scripts would.
var queue = Promise.resolve();
function gate() {
  document.querySelectorAll('script[type="text/plain"][data-assent]').forEach(function (old) {
    if (!allowed(old)) return;
    old.removeAttribute("data-assent");
    queue = queue.then(function () {
      return new Promise(function (done) {
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
  var n = config.notice;
  var purpose = el.getAttribute("data-assent");
  var p = n.purposes.filter(function (x) { return x.id == purpose; })[0];
  // Its own shadow root with the widget's stylesheet: themed like the
  // banner, and out of reach of the site's CSS.
  ph = document.createElement("div");
  ph.setAttribute("data-assent-placeholder", purpose);
  var w = el.getAttribute("width"), h = el.getAttribute("height");
  var px = function (v) { return /^\d+$/.test(v) ? v + "px" : v; };
  ph.style.cssText = "display:block;max-width:100%;" + (w ? "width:" + px(w) + ";" : "") + (h ? "height:" + px(h) : "");
  var r = ph.attachShadow({ mode: "open" });
  r.innerHTML = "<style>" + CSS + '</style><div class="ph"><p></p><button type="button" class="btn"></button></div>';
  r.querySelector("div").lang = n.language;
  r.querySelector("p").textContent = n.texts.embed_blocked.replace("{purpose}", p ? p.name : purpose);
  var b = r.querySelector("button");
  b.textContent = n.texts.allow_and_load;
  b.onclick = function () {
    decided(W.allow(purpose, el.getAttribute("data-assent-service") || undefined));
  };
  el.before(ph);
}

// ---- clean-up -----------------------------------------------------------------
// Cookies and storage a refused service left behind, where the config lists
// them (`name*` is a prefix).
function clean() {
  if (!W.get()) return;
  config.notice.purposes.forEach(function (p) {
    if (p.required) return;
    p.services.forEach(function (s) {
      if (W.accepted(p.id, s.id)) return;
      (s.cookies || []).forEach(function (c) {
        var match = function (name) {
          return c.name.slice(-1) == "*" ? name.indexOf(c.name.slice(0, -1)) == 0 : name == c.name;
        };
        if (c.kind == "local_storage" || c.kind == "session_storage") {
          try {
            var st = c.kind == "local_storage" ? localStorage : sessionStorage;
            Object.keys(st).filter(match).forEach(function (k) { st.removeItem(k); });
          } catch (e) {}
          return;
        }
        document.cookie.split(";").forEach(function (kv) {
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

// ---- the widget's DOM ------------------------------------------------------------
// One host, out of the page flow (adding it never moves anything), with an
// open shadow root: site CSS cannot reach in, and ours cannot leak out.
var root, banner, panel, choices, choicesHtml, opener;

function insert(html) {
  var wrapper = document.createElement("div");
  wrapper.innerHTML = html;
  root.append(wrapper);
  return wrapper;
}

function mount(view) {
  if (!view) throw new Error("the widget could not start");
  var host = document.createElement("div");
  host.id = "assent-host";
  host.dir = view.dir;
  host.style.cssText = "position:fixed;top:0;left:0;width:0;height:0;z-index:2147483000";
  root = host.attachShadow({ mode: "open" });
  var style = document.createElement("style");
  style.textContent = CSS;
  root.append(style);
  document.body.append(host);
  choicesHtml = view.choices;
  if (view.banner) banner = insert(view.banner);
  else choices = insert(choicesHtml);
  wire();
}

function openPanel() {
  if (panel) return;
  opener = root.activeElement || document.activeElement;
  panel = insert(W.panel());
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

// After a recorded choice: the banner and the panel go, the Privacy choices
// control stays, and focus lands on it if it was inside the widget.
function decided(action) {
  if (!action) return;
  var focus = root.activeElement;
  if (panel) panel.remove();
  if (banner) banner.remove();
  panel = banner = opener = null;
  if (!choices) choices = insert(choicesHtml);
  if (focus) choices.firstElementChild.focus();
  changed(action);
}

// The panel's switches as the wasm reads them: {id: checked}.
function switches(kind) {
  var o = {};
  panel.querySelectorAll("input[data-" + kind + "]").forEach(function (i) {
    o[i.getAttribute("data-" + kind)] = i.checked;
  });
  return o;
}

function wire() {
  root.addEventListener("click", function (e) {
    var control = e.target.closest && e.target.closest("[data-act]");
    var name = control && control.getAttribute("data-act");
    if (!name) return;
    if (name == "customise" || name == "choices") openPanel();
    else if (name == "close") closePanel();
    else decided(name == "save" ? W.save(switches("purpose"), switches("service")) : W.act(name, !!panel));
  });
  // A purpose switch carries its services with it; a service switched on
  // switches its purpose on.
  root.addEventListener("change", function (e) {
    var t = e.target;
    if (!panel || !t.hasAttribute("data-of")) return;
    var of = t.getAttribute("data-of");
    if (t.hasAttribute("data-purpose")) {
      panel.querySelectorAll('[data-service][data-of="' + of + '"]').forEach(function (s) { s.checked = t.checked; });
    } else if (t.checked) {
      panel.querySelector('[data-purpose="' + of + '"]').checked = true;
    }
  });
  root.addEventListener("keydown", function (e) {
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
  addEventListener("pagehide", function () { W.flush(true); });
  addEventListener("online", function () { W.flush(false); });
}

function languages() {
  var langs = [document.documentElement.getAttribute("lang")]
    .concat(navigator.languages || [])
    .filter(Boolean)
    .slice(0, 8);
  return encodeURIComponent(langs.join(","));
}

// Starts the widget for `site` with the edge at `base` (ending in `/`) and the
// wasm at `wasmUrl`; publishes and returns the API.
function boot(site, base, wasmUrl) {
  if (config !== undefined) return window.assent; // started already (a second tag or run())
  config = null;
  dataLayer = window.dataLayer = window.dataLayer || [];
  var defaults = signals(function () { return false; });
  defaults.wait_for_update = 500;
  gtag("consent", "default", defaults);

  var ready = site
    ? Promise.all([
        W({ module_or_path: wasmUrl }),
        fetch(base + "v1/sites/" + site + "/config?lang=" + languages(), { credentials: "include" }).then(function (r) {
          if (!r.ok) throw new Error("config: HTTP " + r.status);
          return r.json();
        }),
        // The tag sits in <head>: gate (and mount) once the whole document is
        // parsed, or elements below would be missed.
        document.readyState == "loading" &&
          new Promise(function (done) { document.addEventListener("DOMContentLoaded", done); }),
      ]).then(function (loaded) {
        config = loaded[1];
        var mode = config.consent_mode;
        (mode && mode.regions || []).forEach(function (r) {
          var d = signals(function (k) { return r.granted.indexOf(k) >= 0; });
          d.region = r.region;
          d.wait_for_update = mode.wait_for_update_ms;
          gtag("consent", "default", d);
        });
        mount(W.start(site, base, config));
        apply();
        // Gated scripts and embeds a single-page app adds later are gated as
        // they arrive. gate() is idempotent and costs two selector queries, so
        // any batch of added nodes runs it; its own insertions settle in one
        // more round.
        new MutationObserver(function () { gate(); }).observe(document.documentElement, { childList: true, subtree: true });
        emit("assent:ready");
      })
    : Promise.reject(new Error("the script tag needs data-site"));
  ready.catch(function (e) {
    console.warn("assent: not started, nothing optional is granted.", e);
  });

  function later(f) {
    return function (a) {
      return ready.then(function () { return f(a); });
    };
  }

  return (window.assent = {
    ready: ready,
    show: later(openPanel),
    get: function () {
      return config ? W.get() : null;
    },
    accepted: function (purpose, service) {
      return !!config && W.accepted(purpose, service);
    },
    set: later(function (decisions) { decided(W.set(decisions)); }),
    withdraw: later(function () { decided(W.withdraw()); }),
    receipts: function () {
      return config ? W.receipts() : [];
    },
  });
}
