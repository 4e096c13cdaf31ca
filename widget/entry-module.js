// Entry of the npm package's ES module:
//   import { run } from "assent-widget";
//   const assent = run({ site: "demo", edge: "https://consent.example.com/" });
// Call it before any tag runs, so the Consent Mode default precedes them.
// The wasm ships beside this file; bundlers resolve `new URL(..., import.meta.url)`.
import { boot } from "./loader/boot.js";
import { fromEdge } from "./loader/edge.js";

export function run(options) {
  var edge = new URL(options.edge, location.href).href.replace(/\/?$/, "/");
  return boot(options.site, edge, fromEdge(options.site, edge, options.wasm || new URL("./assent.wasm", import.meta.url)));
}
