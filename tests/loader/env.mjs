// The loader's modules in Node, DOM-free, with the real engine: the wasm and
// glue `make widget` built (dist/public/assent.wasm, widget/pkg/glue.js),
// and the demo site's config answer as the edge serves it (the widget's
// `answer` example: core's notice and the widget's first-visit plan).
// Only what a module reads from the page is stood in for: `location`, the
// stylesheet the bundler inlines, and storage (an in-memory Storage).
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";

const root = new URL("../../", import.meta.url);
globalThis.__ASSENT_CSS__ = "";
globalThis.__ASSENT_PANEL_CSS__ = "";
globalThis.window = globalThis;
globalThis.location = { origin: "http://127.0.0.1:8787", pathname: "/news", hostname: "127.0.0.1", protocol: "http:" };
// A page's timers end with the page; a test's process should not wait for
// them (the outbox's 20 s limit on a request the test never answers).
const setTimeout0 = globalThis.setTimeout;
globalThis.setTimeout = (...args) => {
  const timer = setTimeout0(...args);
  timer.unref?.();
  return timer;
};

export const glue = await import(new URL("widget/pkg/glue.js", root));
const module = new WebAssembly.Module(readFileSync(new URL("dist/public/assent.wasm", root)));
glue.initSync({ module });
/** `wasm()` for state.js's `begin`: the engine's module, as boot.js compiles it. */
export const wasm = () => Promise.resolve(module);

/** The loader's module `name` (widget/loader/<name>.js). */
export const loader = (name) => import(new URL(`widget/loader/${name}.js`, root));

/**
 * The demo site's config answer in `lang`, as the edge serves it (the
 * widget's `answer` example). `make test` builds the example once and names it in
 * ASSENT_NOTICE_BIN: a `cargo run` per call cost a second of cargo's checks
 * each, 80 s in all.
 */
export function demoAnswer(lang = "en") {
  const args = ["edge/sites/demo.json", lang];
  const bin = process.env.ASSENT_NOTICE_BIN;
  const out = bin
    ? execFileSync(bin, args, { cwd: root })
    : execFileSync("cargo", ["run", "-q", "-p", "assent-widget", "--features", "std", "--example", "answer", "--", ...args], { cwd: root });
  return JSON.parse(out);
}

/** A Storage kept in memory; `broken` throws on every write, like a full or blocked one. */
export function memoryStorage({ broken = false } = {}) {
  const items = new Map();
  return {
    items,
    getItem: (k) => (items.has(k) ? items.get(k) : null),
    setItem: (k, v) => {
      if (broken) throw new Error("QuotaExceededError");
      items.set(k, String(v));
    },
    removeItem: (k) => items.delete(k),
  };
}

/** Lets every pending promise callback run. */
export const settle = () => new Promise((r) => setImmediate(r));
