// Google Consent Mode v2. The seven signals are core's `SIGNALS`, written
// into ../pkg/signals.js by the bundler; when each is granted is the engine's
// answer (core's `signal_granted`): nothing about either is decided here.
//
// It works with a bare dataLayer: gtag.js, if it loads later, replays it.
import { signal } from "./engine.js";
import { hooks } from "./state.js";
import { SIGNALS } from "../pkg/signals.js";

var dataLayer;
function gtag() {
  dataLayer.push(arguments);
}
function signals(granted) {
  var s = {};
  SIGNALS.forEach((k) => { s[k] = granted(k) ? "granted" : "denied"; });
  return s;
}

// Every signal denied, before any tag can run (the loader's first act).
export function denyAll() {
  dataLayer = window.dataLayer = window.dataLayer || [];
  var d = signals(() => false);
  d.wait_for_update = 500;
  gtag("consent", "default", d);
}

// The site's regional defaults, as soon as its config is in.
export function regions(mode) {
  (mode?.regions || []).forEach((r) => {
    var d = signals((k) => r.granted.includes(k));
    d.region = r.region;
    d.wait_for_update = mode.wait_for_update_ms;
    gtag("consent", "default", d);
  });
}

// After a choice: each signal as the engine judges the purposes mapped to it
// (marked, then asked), then as a part reads it (`hooks.g(signals)`: on a
// TCF site, once its CMP is in or failed, `hooks.t`, the ad signals as
// Google reads the TC string), in one update. Under Google Tag Manager,
// Assent's template (widget/gtm) takes the update to GTM's own API
// (`assentConsentUpdate`).
export function update(mode) {
  if (!mode) return;
  var s = signals((k) => signal(k, mode.signals[k] || [])), push = () => {
    hooks.g && hooks.g(s);
    (window.assentConsentUpdate || gtag)("consent", "update", s);
  };
  hooks.t ? hooks.t.then(push) : push();
}
