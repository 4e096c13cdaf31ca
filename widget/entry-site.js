// Entry of the per-site loader, /v1/sites/{site}/assent.js: the edge answers
// with this bundle after one statement that puts the site, the edge's origin,
// the config answer and the wasm (base64) on this script element, so the
// banner needs no further round trip.
//   <script src="https://EDGE/v1/sites/demo/assent.js"></script>
// First in <head> and not deferred, like the static tag.
import { boot } from "./loader/boot.js";

var inline = document.currentScript.__assent;

// Base64 to bytes: natively where the browser has it, else one tight loop
// (a callback per byte costs ~20 ms on a slow phone's CPU).
function bytes(text) {
  if (Uint8Array.fromBase64) return Uint8Array.fromBase64(text);
  var raw = atob(text);
  var out = new Uint8Array(raw.length);
  for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

boot(inline.site, inline.base, {
  wasm: () => Promise.resolve(bytes(inline.wasm)),
  config: () => Promise.resolve(inline.config),
});
