// assent.js loader: appended after the wasm-bindgen glue, inside one IIFE, so
// the page gets exactly one global (`window.assent`). One tag is enough:
//   <script src="https://EDGE/assent.js" data-site="demo" defer></script>
var script = document.currentScript;
var site = script && script.getAttribute("data-site");
var base = script ? new URL(".", script.src).href : "";
var ready = site
  ? wasm_bindgen({ module_or_path: base + "assent.wasm" }).then(function () {
      wasm_bindgen.start(site, base);
    })
  : Promise.reject(new Error("assent: the script tag needs data-site"));
ready.catch(function (e) {
  console.warn("assent: not started, nothing optional is granted.", e);
});
window.assent = {
  ready: ready,
  show: function () {
    return ready.then(function () {
      wasm_bindgen.show();
    });
  },
  get: function () {
    return wasm_bindgen.get ? wasm_bindgen.get() : null;
  },
};
