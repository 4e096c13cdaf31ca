// Entry of assent.js, the script tag:
//   <script src="https://EDGE/assent.js" data-site="demo"></script>
// First in <head> and not deferred, so the Consent Mode default precedes tags.
import { boot } from "./loader/boot.js";
import { fromEdge } from "./loader/edge.js";

var script = document.currentScript;
var site = script?.getAttribute("data-site");
var base = script ? new URL(".", script.src).href : "";
// A page that pins this file (`integrity`) pins the engine by
// `data-wasm-integrity` (`make sri` prints both).
boot(site, base, fromEdge(site, base, base + "assent.wasm", script?.getAttribute("data-wasm-integrity") || ""));
