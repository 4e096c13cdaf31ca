// Time to banner, side by side in one Chromium run: Assent (the per-site tag,
// one answer with the loader and the notice, and the static tag, which
// fetches the notice after it) beside vanilla-cookieconsent 3.1.0 and Klaro
// 0.7.22 (both from npm), on the same article page with the same purposes and
// texts, under three conditions: unthrottled, the CPU slowed 4x
// (Emulation.setCPUThrottlingRate) and 80 ms added to every request
// (Network.emulateNetworkConditions latency, a round trip).
// Usage: node bench/startup.mjs [loads per widget and condition, default 30]
//
// Every widget's files are served alike: from memory, by one HTTP server in
// this process, gzip-compressed, as a CDN or an edge cache hit serves them.
// Assent's config answer and per-site answer are cacheable (`public,
// max-age=60`), so they are asked of the real worker (wrangler dev) once and
// then served from memory too; only a consent event must reach the worker,
// and no visit here makes one. Assent runs as a site without TCF (the demo's
// TCF settings are taken out of its answer), like the peers.
//
// Each load is a first visit (fresh browser context, empty cache). A script
// injected before any page script polls every animation frame and stamps:
// - "banner visible": the first frame where the banner's first button is
//   rendered and seen: a non-zero box, and `checkVisibility` with opacity
//   and visibility checked (cookieconsent fades its banner in from opacity
//   0; a box alone counted that frame as seen);
// - "interactive": the widget's own ready signal (Assent: `assent:ready`;
//   cookieconsent: `CookieConsent.run()` resolved; Klaro, which has none:
//   its notice rendered, whose buttons carry their handlers from the start).
// Beside them: the bytes each first visit fetched of the widget (as sent,
// compressed), and a V8 CPU profile of the time from the widget's last byte
// to the banner's first frame, unthrottled (console.profile from the first
// script; the samples in that window, by where they ran).
import { mkdirSync, readFileSync, existsSync } from "node:fs";
import { createServer } from "node:http";
import { gzipSync } from "node:zlib";
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import { startEdge, launchChromium } from "../scripts/wrangler-dev.mjs";

const LOADS = Number(process.argv[2] ?? 30);
const ROOT = resolve(import.meta.dirname, "..");
const SITE = JSON.parse(readFileSync(join(ROOT, "edge/sites/demo.json"), "utf8"));
const en = SITE.languages.en;
const dist = (f) => readFileSync(join(ROOT, "dist/public", f));

// Klaro from the npm registry, for the bench only: its package declares
// build tools as dependencies (165 packages), which `make test` need not
// install. `npm pack` checks the registry's integrity hash.
const KLARO = "0.7.22";
const peers = join(ROOT, "target/bench-peers");
if (!existsSync(join(peers, "package/dist/klaro.js"))) {
  mkdirSync(peers, { recursive: true });
  execFileSync("npm", ["pack", `klaro@${KLARO}`, "--pack-destination", peers], { stdio: "ignore" });
  execFileSync("tar", ["xzf", `klaro-${KLARO}.tgz`, "package/dist/klaro.js"], { cwd: peers });
}

// The same purposes and texts for the peers.
const ccConfig = {
  // Its default hides the banner from automated browsers (navigator.webdriver).
  hideFromBots: false,
  categories: Object.fromEntries(SITE.purposes.map((p) => [p.id, p.required ? { enabled: true, readOnly: true } : {}])),
  guiOptions: { consentModal: { layout: "box", equalWeightButtons: true } },
  language: {
    default: "en",
    translations: {
      en: {
        consentModal: {
          title: en.ui.title,
          description: en.ui.text,
          acceptAllBtn: en.ui.accept_all,
          acceptNecessaryBtn: en.ui.reject_all,
          showPreferencesBtn: en.ui.customise,
        },
        preferencesModal: {
          title: en.ui.preferences_title,
          acceptAllBtn: en.ui.accept_all,
          acceptNecessaryBtn: en.ui.reject_all,
          savePreferencesBtn: en.ui.save,
          closeIconLabel: en.ui.close,
          sections: SITE.purposes.map((p) => ({ title: en.purposes[p.id].name, description: en.purposes[p.id].description, linkedCategory: p.id })),
        },
      },
    },
  },
};
const klaroConfig = {
  elementID: "klaro",
  lang: "en",
  mustConsent: false,
  acceptAll: true,
  hideDeclineAll: false,
  services: SITE.purposes.flatMap((p) => p.services.map((s) => ({ name: s.id, title: s.name, purposes: [p.id], required: !!p.required }))),
  translations: {
    en: {
      consentNotice: { description: `${en.ui.title}. ${en.ui.text}`, learnMore: en.ui.customise },
      consentModal: { title: en.ui.preferences_title },
      ok: en.ui.accept_all,
      decline: en.ui.reject_all,
      purposes: Object.fromEntries(SITE.purposes.map((p) => [p.id, en.purposes[p.id].name])),
    },
  },
};

// The article, its own scripts taken out, with each widget's tag first in <head>.
const article = readFileSync(join(ROOT, "www/index.html"), "utf8")
  .replace(/\s*<script[^>]*><\/script>/g, "")
  .replace(/\s*<link rel="stylesheet" href="\/demo.css">/, "");
const withTag = (tag) => article.replace("<head>", `<head>\n  ${tag}`);
const PAGES = {
  "/site": withTag('<script src="/v1/sites/demo/assent.js"></script>'),
  "/static": withTag('<script src="/assent.js" data-site="demo"></script>'),
  "/cc": withTag(`<link rel="stylesheet" href="/peer/cookieconsent.css">
  <script src="/peer/cookieconsent.umd.js" defer></script>
  <script defer src="/peer/cc-run.js"></script>`),
  "/klaro": withTag('<script defer src="/peer/klaro-config.js"></script>\n  <script defer data-config="klaroConfig" src="/peer/klaro.js"></script>'),
};

const edge = await startEdge({ rateLimit: false });
// Assent's answers, asked of the worker once: the config answer (the static
// tag) and the per-site answer, assembled as the edge assembles it
// (edge/src/routes/loader.rs), without TCF.
const answer = await (await fetch(`${edge.url}/v1/sites/demo/config?lang=en`)).json();
delete answer.notice.tcf;
delete answer.notice.tcf_words;
const inline = JSON.stringify({ site: "demo", base: "BASE", config: answer }).replaceAll("<", "\\u003c");
const FILES = {
  "/assent.js": ["text/javascript", dist("assent.js")],
  "/assent.wasm": ["application/wasm", dist("assent.wasm")],
  "/assent-panel.js": ["text/javascript", dist("assent-panel.js")],
  "/v1/sites/demo/config": ["application/json", Buffer.from(JSON.stringify(answer))],
  "/peer/cookieconsent.umd.js": ["text/javascript", readFileSync(join(ROOT, "node_modules/vanilla-cookieconsent/dist/cookieconsent.umd.js"))],
  "/peer/cookieconsent.css": ["text/css", readFileSync(join(ROOT, "node_modules/vanilla-cookieconsent/dist/cookieconsent.css"))],
  "/peer/cc-run.js": ["text/javascript", Buffer.from(`CookieConsent.run(${JSON.stringify(ccConfig)}).then(function(){window.__ready=performance.now()});`)],
  "/peer/klaro-config.js": ["text/javascript", Buffer.from(`window.klaroConfig=${JSON.stringify(klaroConfig)};`)],
  "/peer/klaro.js": ["text/javascript", readFileSync(join(peers, "package/dist/klaro.js"))],
};
for (const [path, html] of Object.entries(PAGES)) FILES[path] = ["text/html", Buffer.from(html)];

// One server, everything from memory, gzip -9 made once; it counts what it
// sends per load (the page itself aside).
const gz = new Map();
let sent = 0;
const server = createServer((req, res) => {
  const url = new URL(req.url, "http://x");
  let file = FILES[url.pathname];
  if (url.pathname === "/v1/sites/demo/assent.js") {
    const base = `http://${req.headers.host}/`;
    file = ["text/javascript", Buffer.concat([Buffer.from(`document.currentScript.__assent=${inline.replace("BASE", base)};\n`), dist("assent-site.js")])];
  }
  if (!file) return res.writeHead(404).end();
  const key = url.pathname + req.headers.host;
  if (!gz.has(key)) gz.set(key, gzipSync(file[1], { level: 9 }));
  const body = gz.get(key);
  if (!(url.pathname in PAGES)) sent += body.length;
  res.writeHead(200, { "content-type": file[0], "content-encoding": "gzip", "cache-control": "public, max-age=60", "access-control-allow-origin": "*" }).end(body);
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const origin = `http://127.0.0.1:${server.address().port}`;

const STAMP = `
  window.__ready = null; window.__visible = null; window.__t0 = performance.now();
  if (window.__profile) console.profile("first");
  document.addEventListener("assent:ready", () => { window.__ready = performance.now(); });
  (function poll() {
    if (window.__visible === null) {
      const host = document.getElementById("assent-host");
      const button = host?.shadowRoot?.querySelector("section.banner button")
        || document.querySelector("#cc-main .cm__btn")
        || document.querySelector(".klaro .cookie-notice button");
      const box = button?.getBoundingClientRect();
      // Shown: a box, and neither transparent nor hidden (a banner that
      // fades in is not seen in its first frame at opacity 0).
      if (box && box.width > 0 && box.height > 0 && button.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) {
        window.__visible = performance.now();
        if (button.closest(".klaro")) window.__ready = window.__visible;
        if (window.__profile) console.profileEnd("first");
      }
    }
    requestAnimationFrame(poll);
  })();`;

const browser = await launchChromium();
const WIDGETS = [
  ["Assent, per-site tag (`/v1/sites/demo/assent.js`)", "/site"],
  ["Assent, static tag (`/assent.js`)", "/static"],
  ["Klaro 0.7.22", "/klaro"],
  ["vanilla-cookieconsent 3.1.0", "/cc"],
];
const CONDITIONS = [
  ["unthrottled", async () => {}],
  ["4x CPU", (cdp) => cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 })],
  ["+80 ms per request", async (cdp) => {
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 80, downloadThroughput: -1, uploadThroughput: -1 });
  }],
];

// One first visit: its stamps, the bytes it fetched and, with `profile`,
// the CPU samples from the widget's last byte to the banner's first frame.
async function visit(path, condition, profile = false) {
  const context = await browser.newContext();
  const tab = await context.newPage();
  const cdp = await context.newCDPSession(tab);
  await condition(cdp);
  let finished;
  if (profile) {
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
    finished = new Promise((ok) => cdp.on("Profiler.consoleProfileFinished", (e) => ok(e.profile)));
    await tab.addInitScript("window.__profile = true;");
  }
  await tab.addInitScript(STAMP);
  sent = 0;
  const trace = process.env.BENCH_TRACE && profile;
  const events = [];
  if (trace) {
    cdp.on("Tracing.dataCollected", (e) => events.push(...e.value));
    await cdp.send("Tracing.start", { categories: "devtools.timeline,blink.user_timing,v8", transferMode: "ReportEvents" });
  }
  await tab.goto(origin + path);
  await tab.waitForFunction(() => window.__visible !== null && window.__ready !== null, null, { timeout: 30_000 });
  const r = await tab.evaluate(() => ({
    visible: window.__visible,
    ready: window.__ready,
    t0: window.__t0,
    lastByte: Math.max(...performance.getEntriesByType("resource").map((e) => e.responseEnd), performance.getEntriesByType("navigation")[0].responseEnd),
  }));
  r.bytes = sent;
  if (trace) {
    const done = new Promise((ok) => cdp.once("Tracing.tracingComplete", ok));
    await cdp.send("Tracing.end");
    await done;
    const nav = events.find((e) => e.name === "navigationStart" && e.args?.data?.isLoadingMainFrame)?.ts ?? events.find((e) => e.name === "navigationStart").ts;
    const sums = new Map();
    for (const e of events) {
      if (e.ph !== "X" || !e.dur) continue;
      const at = (e.ts - nav) / 1000;
      if (at < r.lastByte || at > r.visible) continue;
      sums.set(e.name, (sums.get(e.name) || 0) + e.dur / 1000);
    }
    console.log(path, [...sums].sort((a, b) => b[1] - a[1]).slice(0, 14).map(([n, ms]) => `${n} ${ms.toFixed(1)}`).join(", "));
  }
  if (process.env.BENCH_DEBUG) console.log(path, JSON.stringify(r), await tab.evaluate(() => performance.getEntriesByType("resource").map((e) => `${e.name.split("/").slice(3).join("/")} ${e.startTime.toFixed(0)}-${e.responseEnd.toFixed(0)}`).join(" | ")), await tab.evaluate(() => { const n = performance.getEntriesByType("navigation")[0]; return `nav responseEnd ${n.responseEnd.toFixed(0)} dcl ${n.domContentLoadedEventEnd.toFixed(0)}`; }));
  if (profile) r.profile = where(await finished, r);
  await context.close();
  return r;
}

// The samples of a CPU profile between the last byte and the first frame,
// in ms by where they ran: the widget's JavaScript, its wasm, the browser's
// own work (parsing, compiling, style, layout, paint: V8's "(program)"), the
// garbage collector, idle.
function where(profile, r) {
  const kind = new Map(profile.nodes.map((n) => {
    const { url, functionName } = n.callFrame;
    const k = url.startsWith("wasm://") ? "wasm" : url ? "script" : functionName === "(idle)" ? "idle" : functionName === "(garbage collector)" ? "gc" : "browser";
    return [n.id, k];
  }));
  const out = { script: 0, wasm: 0, browser: 0, gc: 0, idle: 0, top: new Map() };
  const name = new Map(profile.nodes.map((n) => [n.id, `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.split("/").pop()}:${n.callFrame.lineNumber + 1}:${n.callFrame.columnNumber + 1}`]));
  let t = r.t0; // the profile starts in the first script, at t0 (ms of the page's clock)
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] / 1000;
    if (t >= r.lastByte && t < r.visible) {
      out[kind.get(id)] += dt;
      out.top.set(name.get(id), (out.top.get(name.get(id)) || 0) + dt);
    }
    t += dt;
  });
  return out;
}

const results = CONDITIONS.map(() => WIDGETS.map(() => []));
const profiles = [];
try {
  // Alternating loads, each a first visit: fresh context, empty cache.
  for (let i = 0; i < LOADS; i++) {
    for (const [c, [, condition]] of CONDITIONS.entries()) {
      for (const [w, [, path]] of WIDGETS.entries()) results[c][w].push(await visit(path, condition));
    }
  }
  for (const [, path] of WIDGETS) profiles.push(await visit(path, CONDITIONS[0][1], true));
} finally {
  await browser.close();
  await edge.stop();
  server.close();
}

const median = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
};
console.log(`Time from navigation start to the banner, median of ${LOADS} first visits per widget and condition (one Chromium run; every file from memory, gzip)`);
console.log("| condition | widget | banner visible | interactive | ratio to vanilla-cookieconsent (visible / interactive) | bytes fetched (gzip) |");
console.log("| --- | --- | ---: | ---: | ---: | ---: |");
for (const [c, [condition]] of CONDITIONS.entries()) {
  const rows = WIDGETS.map((_, w) => ({
    visible: median(results[c][w].map((r) => r.visible)),
    ready: median(results[c][w].map((r) => r.ready)),
    bytes: median(results[c][w].map((r) => r.bytes)),
  }));
  const peer = rows.at(-1);
  for (const [w, [name]] of WIDGETS.entries()) {
    const r = rows[w];
    console.log(`| ${condition} | ${name} | ${r.visible.toFixed(1)} ms | ${r.ready.toFixed(1)} ms | ${(r.visible / peer.visible).toFixed(2)} / ${(r.ready / peer.ready).toFixed(2)} | ${r.bytes} B |`);
  }
}
console.log("\nFrom the widget's last byte to the banner's first frame, unthrottled, one first visit each (V8 CPU profile, ms by where it ran)");
console.log("| widget | last byte → first frame | widget's JavaScript | wasm | browser (parse, compile, style, layout, paint) | GC | idle |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const [w, [name]] of WIDGETS.entries()) {
  const r = profiles[w], p = r.profile;
  console.log(`| ${name} | ${(r.visible - r.lastByte).toFixed(1)} ms | ${p.script.toFixed(1)} | ${p.wasm.toFixed(1)} | ${p.browser.toFixed(1)} | ${p.gc.toFixed(1)} | ${p.idle.toFixed(1)} |`);
}
console.log("\nThe heaviest functions in that window (self time, ms):");
for (const [w, [name]] of WIDGETS.entries()) {
  const top = [...profiles[w].profile.top].sort((a, b) => b[1] - a[1]).slice(0, 6);
  console.log(`- ${name}: ${top.map(([f, ms]) => `\`${f}\` ${ms.toFixed(1)}`).join(", ")}`);
}
