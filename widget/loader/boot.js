// The loader's entry (called by ../entry-script.js for the script tag and
// ../entry-module.js for the npm package): starts the widget and publishes
// `window.assent`, the page's one global.
//
// The wasm is the consent engine: whether to ask, what each click means,
// the event, what may run, and every other consent rule. A first visit does
// not fetch it: the edge asked it ahead (the config answer's plan,
// widget/src/plan.rs), and the banner is drawn and its choice recorded from
// that. These modules are its platform layer (each kept out of the wasm is a
// set of imports and glue less on the wire: a first visit has a 12 KB
// budget, BENCHMARKS.md):
//   storage.js       localStorage, or memory when it is blocked
//   outbox.js        delivery, strictly in order, with retries
//   state.js         the notice and the choice in force: a first visit's
//                    from the plan, else handed to the engine, fetched then
//   engine.js        the engine's answers by name (one `ask` export), the
//                    plan's until the engine is in
//   ids.js           the UUIDs a page draws (an event, a subject, its key)
//   consent-mode.js  Google Consent Mode's default and updates
//   render.js        the banner, panel and placeholder as HTML strings
//   gating.js        gated scripts, embeds, cookie clean-up
//   surface.js       the widget's DOM, focus, clicks; what follows a choice
//   edge.js          where the wasm and the notice come from (the static tag
//                    and npm fetch them; the per-site tag carries the notice)
//   lazy.js          the parts off the banner path, loaded when first needed:
//   panel.js         the preferences panel (assent-panel.js)
//   privacy.js       the privacy center and the subject's state at the edge
//                    (assent-privacy.js)
//   ../tcf/tcf.js    on a site with TCF settings: the CMP API, the TC string
//                    on each event, the panel's vendors (assent-tcf.js)
import { open, key, list, read, write } from "./storage.js";
import { flush, sendTo } from "./outbox.js";
import { begin, config, configure, current, engine, get, accepts, mark, once, record, hooks } from "./state.js";
import { asking } from "./engine.js";
import { denyAll, regions } from "./consent-mode.js";
import { lazy, lazyFrom } from "./lazy.js";
import { apply, decided, emit, gatePage, mount, openPanel } from "./surface.js";

// Starts the widget for `site` with the edge at `base` (ending in `/`);
// `load.wasm()` and `load.config()` promise the engine's bytes and the config
// answer (./edge.js fetches them; the per-site tag has them already).
// Publishes and returns the API.
export function boot(site, base, load) {
  if (config !== undefined) return window.assent; // started already (a second tag or run())
  configure(null);
  sendTo(base + "v1/sites/" + site + "/events");
  lazyFrom(base);
  open(site, () => localStorage);
  // Google Consent Mode: every signal denied before any tag can run.
  denyAll();

  // What the parts off the banner path work with (./privacy.js,
  // ../tcf/tcf.js): the state's `hooks` itself, so a part can add its own.
  var page = Object.assign(hooks, { base, site, key, list, write, asking, current: () => current });
  var answered = site && load.config();
  // A TCF site's CMP (../tcf/tcf.js) loads once the config is in, off the
  // banner path: the banner does not wait for it. A choice made before it is in
  // goes without its TC string, which the edge then makes by the same rule
  // (core's `tcf::choice::complete`); Consent Mode's updates wait for it
  // (`hooks.t`, settled either way: ./consent-mode.js).
  hooks.t = answered && answered.then((a) => a.notice.tcf && lazy("tcf").then((m) => m.start(page, a))).catch(() => {});
  // The engine (the wasm), compiled once when first asked for: a first visit
  // needs none (state.js's `begin`). A returning visitor's is fetched at
  // once, beside the config: their stored choice must be taken up. Compiled
  // from the bytes rather than streamed: one path that works whatever MIME
  // type a bundler or CDN serves the .wasm with, and the glue's streaming
  // fallbacks stay out of the bundle.
  var wasm = once(() => load.wasm().then(WebAssembly.compile));
  if (site && read("")) wasm().catch(() => {});
  var ready = site
    ? Promise.all([
        answered,
        // The tag sits in <head>: gate (and mount) once the whole document is
        // parsed, or elements below would be missed.
        document.readyState == "loading" &&
          new Promise((done) => { document.addEventListener("DOMContentLoaded", done); }),
      ]).then((loaded) => {
        var answer = loaded[0];
        regions(answer.consent_mode);
        return Promise.resolve()
          .then(() => begin(site, answer, navigator.globalPrivacyControl === true, wasm))
          .catch((e) => {
            configure(null); // the engine did not start: nothing is granted
            throw e;
          });
      }).then((ask) => {
        mount(ask);
        // On pagehide only what keeps the outbox's order may start (outbox.js).
        addEventListener("pagehide", flush);
        addEventListener("online", flush);
        flush();
        apply();
        // Gated scripts and embeds a single-page app adds later are gated as
        // they arrive. Gating is idempotent and costs two selector queries,
        // so any batch of added nodes runs it; its own insertions settle in
        // one more round.
        new MutationObserver(gatePage).observe(document.documentElement, { childList: true, subtree: true });
        emit("assent:ready");
      })
    : Promise.reject(new Error("the script tag needs data-site"));
  ready.catch((e) => {
    console.warn("assent: not started, nothing optional granted", e);
  });

  var later = (f) => (a) => ready.then(() => f(a));
  // What only the engine can answer: the site's own calls.
  var ruled = (f) => later((a) => engine().then(() => f(a)));
  // What ./privacy.js exports, loaded from the edge when first called.
  var privacy = (name) => later(() => lazy("privacy").then((m) =>
    m[name](page)));

  return (window.assent = {
    ready: ready,
    show: later(openPanel),
    get: () => config ? get() : null,
    accepted: (purpose, service) => !!config && accepts(purpose, service),
    set: ruled((decisions) => {
      mark(decisions, false);
      decided(record("set"));
    }),
    withdraw: ruled(() => { decided(record("withdraw")); }),
    receipts: () => config ? list(":receipts") : [],
    privacyCenter: privacy("privacyCenter"),
    restricted: privacy("restricted"),
  });
}
