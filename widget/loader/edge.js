// Where the engine and the notice come from for the static tag and the npm
// package: fetched from the edge, in parallel, once the loader runs. (The
// per-site tag, ../entry-site.js, carries both and does not include this.)

// The page's language first, then the browser's (`lang` is "" when unset).
var languages = () =>
  encodeURIComponent([document.documentElement.lang, ...navigator.languages].filter(Boolean).slice(0, 8).join(","));

// A GET whose body is read as `read` ("json", "arrayBuffer"); anything but a
// 2xx is a failure (the widget then grants nothing optional), its status the
// reason. What may pass is asked again after 1, 2, 4 and 8 s, so the banner
// still comes: a network that failed (offline, a dropped connection: not a
// number, so `e < 500` is false), a 5xx, a 429 (many visitors behind one
// address: assent_core::limits). Another 4xx would answer alike.
export var get = (url, read, init, n) =>
  fetch(url, init)
    .then((r) => {
      if (r.ok) return r[read]();
      throw r.status;
    })
    .catch((e) => ((n |= 0) < 4 && (e == 429 || !(e < 500)) ? new Promise((again) => setTimeout(again, 1e3 << n)).then(() => get(url, read, init, n + 1)) : Promise.reject(e)));

// `load` for boot(): the wasm at `wasmUrl`, the config answer of `site` from
// the edge at `base`. `integrity` (Subresource Integrity, e.g. "sha384-...";
// "" checks nothing) pins the wasm: a page that pins the loader pins its
// engine too (docs/embedding.md, `make sri`).
export var fromEdge = (site, base, wasmUrl, integrity) => ({
  wasm: () => get(wasmUrl, "arrayBuffer", { integrity }),
  config: () => get(base + "v1/sites/" + site + "/config?lang=" + languages(), "json", { credentials: "include" }),
});
