// assent-tcf.js: the IAB TCF part of the widget, loaded by the loader only
// on sites with TCF settings, off the banner path (loader/lazy.js). Its wasm
// (assent-tcf.wasm, the `assent-tcf` crate) makes the visitor's TC string
// and reads it, by core's rules; this module is the page around it:
//   - the CMP API, `__tcfapi`: ping, getTCData, addEventListener,
//     removeEventListener (./stub.js answered ping and queued the rest
//     until now; its message listener answers frames through this one);
//   - the TC string on every consent event made once it is in, before the
//     event is queued (the edge checks it is the string of the event's
//     choice: `tc_string_invalid` otherwise; an event made before this
//     module came is given its string by the edge, by the same rule), so
//     the record keeps it and the receipt covers it;
//   - Google Consent Mode: ad_storage, ad_user_data and ad_personalization
//     as Google's tags read them from the string (core's `google_signals`),
//     set in the loader's own update (its `g` hook), so there is one update
//     per choice and the two readings cannot disagree;
//   - the panel's vendor list (./vendors.js).
import init, { Site, tc_data, google } from "./pkg/assent_tcf.js";
import { install } from "./stub.js";
import { vendorList } from "./vendors.js";

// The CMP API's version, as the IAB's reference implementation gives it.
var API_VERSION = "2";

// Starts the CMP for the site's config answer `config`. `w`, from the
// loader: `base` (the edge, ending in "/"), `site`, `current()` (the choice
// in force, its event, or null), `asking()` (whether the banner asks); its
// `e(event)`, set here, runs on each event before it is queued. Resolves
// once the string can be made; rejects (and the CMP says "error") when the
// wasm or the vendors the notice names cannot be had.
export function start(w, config) {
  install(window);
  var tcf = config.notice.tcf;
  var site, status, listeners = new Map(), next = 1, read;
  // The string in force, read once into TCData's fields (JSON text, parsed
  // afresh for each answer: a caller may change what it gets).
  var use = (text) => { read = tc_data(text); };
  var queued = window.__tcfapi.q || [];

  // The string of `e` (an event; null: nothing chosen yet, every consent
  // bit off, as the API asks while the banner shows).
  var string = (e) => site.tc_string(JSON.stringify((e && e.decisions) || {}), JSON.stringify((e && e.services) || {}),
    e ? e.notice.language : config.language, e ? +e.client_time_ms : Date.now());

  // Whether the GDPR applies to this visitor: where the site's jurisdiction
  // rules place them under opt-in (the config answer's `regime`); without
  // rules, everywhere. Where it does not, TCData says only that, with the
  // policy version and the CMP, as the API asks (and a listener's id).
  var applies = !config.regime || config.regime == "opt_in";
  var data = (listenerId) => {
    var d = JSON.parse(read);
    return applies
      ? Object.assign(d, { gdprApplies: true, eventStatus: status, cmpStatus: "loaded", listenerId: listenerId })
      : { gdprApplies: false, tcfPolicyVersion: d.tcfPolicyVersion, cmpId: d.cmpId, cmpVersion: d.cmpVersion, listenerId: listenerId };
  };
  // The banner asks, or the panel is open.
  var display = () => (w.asking() || document.getElementById("assent-host")?.shadowRoot?.querySelector(".panel") ? "visible" : "hidden");
  var commands = {
    ping: (cb) => cb({
      gdprApplies: applies, cmpLoaded: true, cmpStatus: "loaded", displayStatus: display(), apiVersion: API_VERSION,
      cmpVersion: tcf.cmp_version, cmpId: tcf.cmp_id, gvlVersion: tcf.vendor_list_version,
      tcfPolicyVersion: JSON.parse(read).tcfPolicyVersion,
    }, true),
    getTCData: (cb, vendors) => {
      var d = data(undefined);
      // Asked for some vendors: theirs only.
      if (Array.isArray(vendors) && d.vendor) {
        ["consents", "legitimateInterests"].forEach((k) => {
          var all = d.vendor[k];
          d.vendor[k] = {};
          vendors.forEach((id) => { d.vendor[k][id] = all[id] === true; });
        });
      }
      cb(d, true);
    },
    addEventListener: (cb) => {
      var id = next++;
      listeners.set(id, cb);
      cb(data(id), true);
    },
    removeEventListener: (cb, id) => { cb(listeners.delete(id)); },
  };
  var api = function (command, version, cb, parameter) {
    if (typeof cb != "function") return;
    var run = commands[command];
    // Version 2 of the API only; an unknown command is a failure, not silence.
    if (!run || (version && version != 2)) cb(null, false);
    else run(cb, parameter);
  };
  var tell = () => listeners.forEach((cb, id) => { cb(data(id), true); });

  return Promise.all([
    init({ module_or_path: fetch(new URL("assent-tcf.wasm", import.meta.url)) }),
    fetch(w.base + "v1/sites/" + w.site + "/notices/" + tcf.disclosure).then((r) => {
      if (!r.ok) throw new Error("disclosure: HTTP " + r.status);
      return r.text();
    }),
  ]).then(([, disclosure]) => {
    site = new Site(JSON.stringify(config.notice), disclosure);
    // Never in the way of the event: without its string it is still recorded.
    w.e = (e) => {
      try {
        e.tc_string = string(e);
      } catch (x) {}
    };
    // Google's tags read Consent Mode; on a TCF site its ad signals follow
    // the string of the choice in force (the loader asks after each choice
    // and for a returning visitor). Never in the way of the update either.
    w.g = (signals) => {
      // Where the GDPR does not apply, Google's tags do not read TCF.
      if (!applies) return;
      try {
        var e = w.current();
        Object.assign(signals, JSON.parse(google(e.tc_string || string(e))));
      } catch (x) {}
    };
    // The loader has started (its engine, the choice in force, the banner),
    // now or before this module came: answer what waited, then follow
    // every choice.
    window.assent.ready.then(() => {
      var e = w.current();
      use(string(e));
      status = e && !w.asking() ? "tcloaded" : "cmpuishown";
      window.__tcfapi = api;
      queued.splice(0).forEach((args) => { api.apply(null, args); });
      // The panel opened (again): the UI is shown, as the API says.
      vendorList(config, JSON.parse(disclosure), () => {
        status = "cmpuishown";
        tell();
      });
    });
    document.addEventListener("assent:change", () => {
      var e = w.current();
      use(e.tc_string || string(e));
      status = "useractioncomplete";
      tell();
    });
  }, (e) => {
    // The CMP cannot work: it says so to ping and answers nothing else.
    window.__tcfapi = (command, version, cb) => {
      if (command == "ping" && typeof cb == "function") cb({ gdprApplies: applies, cmpLoaded: false, cmpStatus: "error", displayStatus: "hidden", apiVersion: API_VERSION }, true);
    };
    throw e;
  });
}
