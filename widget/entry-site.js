// Entry of the per-site loader, /v1/sites/{site}/assent.js: the edge answers
// with this bundle after one statement that puts the site, the edge's origin
// and the config answer on this script element, so the banner needs no
// further round trip. The engine (the wasm) is not in it: a first visit
// needs none (widget/src/plan.rs), and a returning visitor's comes from the
// edge, cached like any static file.
//   <script src="https://EDGE/v1/sites/demo/assent.js"></script>
// First in <head> and not deferred, like the static tag.
import { boot } from "./loader/boot.js";
import { fromEdge, get } from "./loader/edge.js";

var inline = document.currentScript.__assent, config = inline.config;
// The answer is in the language the edge chose from the tag's `?lang=` or
// the browser's languages. A page that says it is in another (its <html
// lang>, as the static tag reads it first) asks the edge for the notice in
// its own, one round trip more: the edge chooses again, by core's rule.
var page = document.documentElement.lang.toLowerCase(), primary = (l) => l.split("-")[0];

boot(inline.site, inline.base, {
  wasm: () => get(inline.base + "assent.wasm", "arrayBuffer"),
  config: () => (page && primary(page) != primary(config.language.toLowerCase())
    ? fromEdge(inline.site, inline.base).config()
    : Promise.resolve(config)),
});
