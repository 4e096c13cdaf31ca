// Time to banner, side by side in one Chromium run: Assent (the static tag,
// and the per-site tag that carries notice and wasm) and vanilla-cookieconsent
// (npm) on the same article page, with the same purposes and texts, served by
// the same wrangler dev server, under three conditions: unthrottled, the CPU
// slowed 4x (CDP Emulation.setCPUThrottlingRate), and 80 ms added to every
// request (CDP Network.emulateNetworkConditions latency, a round trip).
// Usage: node bench/startup.mjs [loads per widget and condition, default 30]
//
// Each load is a first visit (fresh browser context, empty cache). A script
// injected before any page script polls every animation frame from
// navigation start and stamps:
// - "banner visible": the first frame where the banner's accept button is
//   rendered (non-zero box);
// - "interactive": the widget's own ready signal (Assent: `assent:ready`;
//   cookieconsent: `CookieConsent.run()` resolved), after which a click acts.
import { cpSync, mkdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { startEdge, launchChromium } from "../scripts/wrangler-dev.mjs";

const LOADS = Number(process.argv[2] ?? 30);
const ROOT = resolve(import.meta.dirname, "..");
const SITE = JSON.parse(readFileSync(join(ROOT, "edge/sites/demo.json"), "utf8"));
const en = SITE.languages.en;

// The peer page: the demo article with cookieconsent instead of Assent.
const assets = join(ROOT, "target/bench-assets");
rmSync(assets, { recursive: true, force: true });
mkdirSync(join(assets, "peer"), { recursive: true });
cpSync(join(ROOT, "dist/public"), assets, { recursive: true });
for (const f of ["cookieconsent.umd.js", "cookieconsent.css"]) {
  cpSync(join(ROOT, "node_modules/vanilla-cookieconsent/dist", f), join(assets, "peer", f));
}
const categories = Object.fromEntries(
  SITE.purposes.map((p) => [p.id, p.required ? { enabled: true, readOnly: true } : {}]),
);
const sections = SITE.purposes.map((p) => ({
  title: en.purposes[p.id].name,
  description: en.purposes[p.id].description,
  linkedCategory: p.id,
}));
const ccConfig = {
  // Its default hides the banner from automated browsers (navigator.webdriver).
  hideFromBots: false,
  categories,
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
          sections,
        },
      },
    },
  },
};
const page = readFileSync(join(ROOT, "www/index.html"), "utf8")
  .replace(
    '<script src="/assent.js" data-site="demo"></script>',
    `<link rel="stylesheet" href="/peer/cookieconsent.css">
  <script src="/peer/cookieconsent.umd.js" defer></script>
  <script defer src="data:text/javascript,${encodeURIComponent(
    `CookieConsent.run(${JSON.stringify(ccConfig)}).then(function(){window.__ready=performance.now()});`,
  )}"></script>`,
  );
writeFileSync(join(assets, "peer.html"), page);
// The per-site tag: one answer with the notice and the wasm.
writeFileSync(
  join(assets, "site.html"),
  readFileSync(join(ROOT, "www/index.html"), "utf8").replace(
    '<script src="/assent.js" data-site="demo"></script>',
    '<script src="/v1/sites/demo/assent.js"></script>',
  ),
);

const STAMP = `
  window.__ready = null; window.__visible = null;
  document.addEventListener("assent:ready", () => { window.__ready = performance.now(); });
  (function poll() {
    if (window.__visible === null) {
      const host = document.getElementById("assent-host");
      const button = host?.shadowRoot?.querySelector("section.banner button")
        || document.querySelector("#cc-main .cm__btn");
      const box = button?.getBoundingClientRect();
      if (box && box.width > 0 && box.height > 0) window.__visible = performance.now();
    }
    requestAnimationFrame(poll);
  })();`;

// A dev-only config without the rate limiter: one client plays every visitor.
const edge = await startEdge({ rateLimit: false, assets });
const browser = await launchChromium();
const WIDGETS = [
  ["Assent, static tag (`/assent.js`)", "/"],
  // Extensionless: Workers assets answer `/x.html` with a redirect to `/x`,
  // which would cost these pages a round trip the article does not pay.
  ["Assent, per-site tag (`/v1/sites/demo/assent.js`)", "/site"],
  ["vanilla-cookieconsent 3.1.0", "/peer"],
];
const CONDITIONS = [
  ["unthrottled", async () => {}],
  ["4x CPU", (cdp) => cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 })],
  ["+80 ms per request", async (cdp) => {
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false, latency: 80, downloadThroughput: -1, uploadThroughput: -1,
    });
  }],
];
const results = CONDITIONS.map(() => WIDGETS.map(() => []));
try {
  // Alternating loads, each a first visit: fresh context, empty cache.
  for (let i = 0; i < LOADS; i++) {
    for (const [c, [, condition]] of CONDITIONS.entries()) {
      for (const [w, [, path]] of WIDGETS.entries()) {
        const context = await browser.newContext();
        const tab = await context.newPage();
        await condition(await context.newCDPSession(tab));
        await tab.addInitScript(STAMP);
        await tab.goto(edge.url + path);
        await tab.waitForFunction(() => window.__visible !== null && window.__ready !== null, null, { timeout: 30_000 });
        results[c][w].push(await tab.evaluate(() => ({ visible: window.__visible, ready: window.__ready })));
        await context.close();
      }
    }
  }
} finally {
  await browser.close();
  await edge.stop();
}
const median = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
};
console.log(`Time from navigation start to the banner, median of ${LOADS} first visits per widget and condition (one Chromium run, same server)`);
console.log("| condition | widget | banner visible | interactive | ratio to the peer (visible / interactive) |");
console.log("| --- | --- | ---: | ---: | ---: |");
for (const [c, [condition]] of CONDITIONS.entries()) {
  const rows = WIDGETS.map((_, w) => ({
    visible: median(results[c][w].map((r) => r.visible)),
    ready: median(results[c][w].map((r) => r.ready)),
  }));
  const peer = rows.at(-1);
  for (const [w, [name]] of WIDGETS.entries()) {
    const r = rows[w];
    const ratio = w === WIDGETS.length - 1 ? "1.00 / 1.00" : `${(r.visible / peer.visible).toFixed(2)} / ${(r.ready / peer.ready).toFixed(2)}`;
    console.log(`| ${condition} | ${name} | ${r.visible.toFixed(1)} ms | ${r.ready.toFixed(1)} ms | ${ratio} |`);
  }
}
