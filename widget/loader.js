// assent.js loader: appended after the wasm-bindgen glue, inside one IIFE, so
// the page gets exactly one global (`window.assent`). One tag is enough:
//   <script src="https://EDGE/assent.js" data-site="demo" defer></script>
//
// The loader fetches the notice and the wasm in parallel, then hands both to
// the wasm. It is the wasm's thin platform layer: the network transport
// (`assentSend`, a fetch whose status goes back to the wasm outbox, which
// decides what to keep and when to retry), the retry timer (`assentRetry`)
// and the routing of clicks and keys inside the widget's shadow root. Keeping
// promises and callbacks out of the wasm keeps its async runtime and closure
// machinery off the wire.
var script = document.currentScript;
var site = script && script.getAttribute("data-site");
var base = script ? new URL(".", script.src).href : "";

function assentSend(url, body, eventId) {
  fetch(url, {
    method: "POST",
    mode: "cors",
    keepalive: true,
    headers: { "content-type": "application/json" },
    body: body,
  })
    .then(
      function (r) {
        return r.text().then(function (body) { return [r.status, body]; }, function () { return [0, ""]; });
      },
      function () { return [0, ""]; }
    )
    .then(function (answer) { wasm_bindgen.delivered(eventId, answer[0], answer[1]); });
}

function assentRetry(ms) {
  setTimeout(wasm_bindgen.flush, ms);
}

function emit(name) {
  document.dispatchEvent(new CustomEvent(name, { detail: wasm_bindgen.get() }));
}

function wire(root) {
  if (!root) throw new Error("the widget did not start");
  root.addEventListener("click", function (e) {
    var control = e.target.closest && e.target.closest("[data-act]");
    if (control && wasm_bindgen.act(control.getAttribute("data-act"))) emit("assent:change");
  });
  root.addEventListener("keydown", function (e) {
    wasm_bindgen.key(e.key);
  });
}

function languages() {
  var langs = [document.documentElement.getAttribute("lang")]
    .concat(navigator.languages || [])
    .filter(Boolean)
    .slice(0, 8);
  return encodeURIComponent(langs.join(","));
}

var ready = site
  ? Promise.all([
      wasm_bindgen({ module_or_path: base + "assent.wasm" }),
      fetch(base + "v1/sites/" + site + "/config?lang=" + languages()).then(function (r) {
        if (!r.ok) throw new Error("config: HTTP " + r.status);
        return r.json();
      }),
    ]).then(function (loaded) {
      wire(wasm_bindgen.start(site, base, loaded[1]));
      emit("assent:ready");
    })
  : Promise.reject(new Error("the script tag needs data-site"));
ready.catch(function (e) {
  console.warn("assent: not started, nothing optional is granted.", e);
});

window.assent = {
  ready: ready,
  show: function () {
    return ready.then(function () { wasm_bindgen.show(); });
  },
  get: function () {
    return wasm_bindgen.get ? wasm_bindgen.get() : null;
  },
  receipts: function () {
    return wasm_bindgen.receipts ? wasm_bindgen.receipts() : [];
  },
};
