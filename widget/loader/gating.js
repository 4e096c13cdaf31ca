// Gating: what the page may run follows the choice in force. Gated scripts
// (`<script type="text/plain" data-assent=...>`) run once allowed; embeds
// (`data-assent` + `data-src`) load once allowed and unload on withdrawal;
// cookies and storage a refused service left are deleted where the config
// lists them. The engine answers what is allowed (`accepts`).
import { accepts, config, current } from "./state.js";
import { CSS, placeholderHtml } from "./render.js";
import { adopt } from "./sheet.js";

function allowed(el) {
  return accepts(el.getAttribute("data-assent"), el.getAttribute("data-assent-service"));
}

// Gated scripts run once, in document order: each waits for the one before
// it to load, as parser-inserted scripts would. An inline module is the
// exception, as in a page's own HTML (where it is deferred): Chromium fires
// no load for one (checked in 156, against HTML 8.1.4.6), so nothing can
// wait for it, and the next script runs without waiting. `allow(purpose, service)` is
// an embed placeholder's "Allow and load".
var queue = Promise.resolve();
export function gate(allow) {
  document.querySelectorAll('script[type="text/plain"][data-assent]').forEach((old) => {
    if (!allowed(old)) return;
    old.removeAttribute("data-assent");
    queue = queue.then(() => new Promise((done) => {
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
    }));
  });
  document.querySelectorAll("[data-assent][data-src]").forEach((el) => { embed(el, allow); });
}

// An embed (iframe, img, video) keeps its address in data-src until allowed;
// until then a placeholder of the same size offers "allow and load", in its
// own shadow root with the widget's stylesheet: themed like the banner, and
// out of reach of the site's CSS.
function embed(el, allow) {
  var ph = el.previousElementSibling;
  if (!ph?.hasAttribute("data-assent-placeholder")) ph = null;
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
  ph = document.createElement("div");
  ph.setAttribute("data-assent-placeholder", purpose);
  var w = el.getAttribute("width"), h = el.getAttribute("height");
  var px = (v) => /^\d+$/.test(v) ? v + "px" : v;
  ph.style.cssText = "display:block;max-width:100%;" + (w ? "width:" + px(w) + ";" : "") + (h ? "height:" + px(h) : "");
  adopt(ph.attachShadow({ mode: "open" }), CSS).innerHTML = placeholderHtml(purpose);
  ph.shadowRoot.querySelector("button").onclick = () => {
    allow(purpose, el.getAttribute("data-assent-service"));
  };
  el.before(ph);
}

// Whether a stored name matches a listed one (`name*` is a prefix).
export function matches(listed, name) {
  return listed.endsWith("*") ? name.startsWith(listed.slice(0, -1)) : name == listed;
}

// Cookies and storage a refused service left behind, where the config lists
// them. The engine says what is refused (a required purpose's services never
// are).
export function clean() {
  if (!current) return;
  config.notice.purposes.forEach((p) => {
    p.services.forEach((s) => {
      if (accepts(p.id, s.id)) return;
      s.cookies.forEach((c) => {
        var match = (name) => matches(c.name, name);
        if (c.kind != "cookie") {
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
          // Max-Age=0 expires it at once (RFC 6265 5.2.2), as a past Expires would.
          var secure = location.protocol == "https:" ? ";secure" : "";
          for (var i = 0; i < parts.length; i++) {
            var domain = i ? ";domain=." + parts.slice(i).join(".") : "";
            document.cookie = name + "=;max-age=0;path=/" + domain + secure;
          }
        });
      });
    });
  });
}
