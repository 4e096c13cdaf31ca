// Entry of the per-site loader, /v1/sites/{site}/assent.js: the edge answers
// with this bundle after one statement that puts the site, the edge's origin,
// the config answer and the wasm (base64) on this script element, so the
// banner needs no further round trip.
//   <script src="https://EDGE/v1/sites/demo/assent.js"></script>
// First in <head> and not deferred, like the static tag.
import { boot } from "./loader/boot.js";

var inline = document.currentScript.__assent;
boot(inline.site, inline.base, {
  wasm: () => Promise.resolve(Uint8Array.from(atob(inline.wasm), (c) => c.charCodeAt(0))),
  config: () => Promise.resolve(inline.config),
});
