// The form widget's tag, on pages with a form only (the banner's budget is
// not touched):
//   <script type="module" src="https://EDGE/assent-form.js" data-site="demo"></script>
// It loads assent-form.wasm from beside itself and mounts every
// [data-assent-form] element. window.assentForms: { ready, submissions(), privacyCenter() }.
import init, { start, submissions } from "./pkg/assent_form.js";

const tag = [...document.querySelectorAll("script[data-site]")].find((s) => s.src && new URL(s.src).pathname.endsWith("/assent-form.js"));
const site = tag?.dataset.site;
const base = new URL("./", import.meta.url).href;

const ready = (async () => {
  if (!site) throw new Error("assent-form: the script tag needs data-site");
  if (document.readyState === "loading") {
    await new Promise((r) => document.addEventListener("DOMContentLoaded", r, { once: true }));
  }
  const lang = document.documentElement.lang || navigator.language || "";
  // A page that pins this file (`integrity`) pins its wasm by
  // `data-wasm-integrity` (`make sri` prints both).
  const wasm = new URL("assent-form.wasm", import.meta.url);
  await init({ module_or_path: fetch(wasm, { integrity: tag?.dataset.wasmIntegrity || "" }) });
  return start(site, base, lang);
})();
ready.catch(() => {}); // a failure is the page's to read from `ready`, not an unhandled rejection

window.assentForms = {
  /** Resolves to the form ids mounted; rejects when the edge is unreachable. */
  ready,
  /** This browser's acknowledged submissions, oldest first: `{form, event_id, outcome}`. */
  submissions: () => (site ? submissions(site) : []),
  /**
   * Opens the site's privacy center in a new tab, where the person asks for
   * a link mailed to their address and there sees, downloads or withdraws
   * what they agreed to. A form's answer opens no one's record: whoever
   * submits may have typed someone else's address.
   */
  privacyCenter: () => {
    if (site) window.open(new URL(`v1/sites/${site}/privacy`, base).href, "_blank", "noopener");
  },
};
