// Entry of assent.js, the script tag:
//   <script src="https://EDGE/assent.js" data-site="demo"></script>
// First in <head> and not deferred, so the Consent Mode default precedes tags.
import { boot } from "./loader/boot.js";

var script = document.currentScript;
var base = script ? new URL(".", script.src).href : "";
boot(script?.getAttribute("data-site"), base, base + "assent.wasm");
