// The form widget's tag, on pages with a form only (the banner's budget is
// not touched):
//   <script type="module" src="https://EDGE/assent-form.js" data-site="demo"></script>
// It loads assent-form.wasm from beside itself and mounts every
// [data-assent-form] element. window.assentForms: { ready, receipts(), state(), withdraw(offers) }.
import init, { start, receipts, state, withdraw } from "./pkg/assent_form.js";

const tag = [...document.querySelectorAll("script[data-site]")].find((s) => s.src && new URL(s.src).pathname.endsWith("/assent-form.js"));
const site = tag?.dataset.site;
const base = new URL("./", import.meta.url).href;

const ready = (async () => {
  if (!site) throw new Error("assent-form: the script tag needs data-site");
  if (document.readyState === "loading") {
    await new Promise((r) => document.addEventListener("DOMContentLoaded", r, { once: true }));
  }
  const lang = document.documentElement.lang || navigator.language || "";
  await init({ module_or_path: new URL("assent-form.wasm", import.meta.url) });
  return start(site, base, lang);
})();
ready.catch(() => {}); // a failure is the page's to read from `ready`, not an unhandled rejection

window.assentForms = {
  /** Resolves to the form ids mounted; rejects when the edge is unreachable. */
  ready,
  /** The receipts of this browser's form submissions, oldest first. */
  receipts: () => (site ? [...receipts(site)] : []),
  /** The state per offer (`channel:purpose`) of the person who submitted here last. */
  state: () => ready.then(() => state(site, base)),
  /** Withdraws offers (`["email:newsletter"]`, all when left out) for that person; resolves to the record. */
  withdraw: (offers) => ready.then(() => withdraw(site, base, offers)),
};
