// Data-subject rights benchmarks against the real worker under wrangler dev.
// Usage: node bench/rights.mjs [subjects, default 100000]
//
// 1. Export of one subject among N: the example site's log is filled with N
//    banner subjects (8 concurrent clients) and 20 form contacts; then one
//    contact's export (JSON, CSV) and the lookup by email are timed, 50 times
//    each, one after another.
// 2. Import rate: `assent import` of a 100,000-row opt-out list (1% bad rows).
// 3. The console's first load: its bytes (gzip) and the time from navigation
//    to the drawn overview in Chromium (10 cold loads).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { startEdge, siteConfig, assent, scratch, launchChromium } from "../scripts/wrangler-dev.mjs";
import { optIn, ownerCall } from "../tests/e2e/harness.mjs";

const N = Number(process.argv[2] ?? 100_000);
const edge = await startEdge({ rateLimit: false });
const dir = scratch();
const pct = (xs, p) => xs.slice().sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)];
const ms = (x) => `${x.toFixed(2)} ms`;
try {
  const en = await siteConfig(edge, "en", "example");
  const event = () => ({
    event_id: crypto.randomUUID(), site: "example", subject: crypto.randomUUID(), action: "refuse",
    decisions: Object.fromEntries(en.notice.purposes.map((p) => [p.id, p.required])),
    notice: { version: en.notice_version, language: en.language, hash: en.notice_hash },
    ui: { surface: "banner", control: "reject_all" }, client_time_ms: Date.now(), gpc: false,
    page: { origin: "https://shop.assent.example", path: "/" }, widget_version: "bench",
  });
  const post = async (e) => {
    for (let attempt = 0; ; attempt++) {
      const r = await fetch(`${edge.url}/v1/sites/example/events`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(e) });
      if (r.status === 201 || r.status === 200) return;
      if (r.status < 500 || attempt >= 5) throw new Error(`append: HTTP ${r.status} ${await r.text()}`);
      await new Promise((ok) => setTimeout(ok, 200 * (attempt + 1)));
    }
  };
  const contacts = [];
  for (let i = 0; i < 20; i++) contacts.push((await optIn(edge, `bench${i}@example.com`)).record.event.subject);
  let size = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (size < N) {
      size++;
      await post(event());
    }
  }));
  console.error(`filled ${N} subjects in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const key = edge.adminKey;
  const time = async (path) => {
    const t = performance.now();
    const r = await ownerCall(edge, path, key);
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
    return performance.now() - t;
  };
  const rows = [];
  for (const [name, path] of [
    ["export, JSON", (s) => `/v1/admin/sites/example/subjects/${s}/export`],
    ["export, CSV", (s) => `/v1/admin/sites/example/subjects/${s}/export?format=csv`],
    ["find by email", (_, i) => `/v1/admin/sites/example/subjects?email=bench${i % 20}%40example.com`],
  ]) {
    const times = [];
    for (let i = 0; i < 50; i++) times.push(await time(path(contacts[i % 20], i)));
    rows.push([name, pct(times, 0.5), pct(times, 0.95)]);
  }
  console.log(`\nOne subject among ${(N + 20).toLocaleString("en")} (example site, wrangler dev on this machine, 50 sequential requests each)`);
  console.log("| request | median | p95 |\n| --- | ---: | ---: |");
  for (const [name, med, p95] of rows) console.log(`| ${name} | ${ms(med)} | ${ms(p95)} |`);

  // 2. Import rate.
  const lines = ["email"];
  for (let i = 0; i < 100_000; i++) lines.push(i % 100 === 0 ? `not-an-address-${i}` : `optout${i}@example.org`);
  const file = join(dir, "optouts.csv");
  writeFileSync(file, lines.join("\n") + "\n");
  const t0 = performance.now();
  const r = assent(["import", "--edge", edge.url, "--site", "example", "--admin-key", key, file]);
  const secs = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`import: ${r.stderr}`);
  const report = JSON.parse(r.stdout);
  console.log(`\nImport: ${report.rows} rows (${report.accepted} accepted, ${report.rejected} rejected) in ${secs.toFixed(1)} s: ${Math.round(report.rows / secs).toLocaleString("en")} rows/s`);

  // 3. The console's first load.
  const js = readFileSync(new URL("../dist/public/admin/console.js", import.meta.url));
  const css = readFileSync(new URL("../dist/public/admin/console.css", import.meta.url));
  const html = readFileSync(new URL("../dist/public/admin/index.html", import.meta.url));
  const gz = (b) => gzipSync(b, { level: 9 }).length;
  const browser = await launchChromium();
  const loads = [];
  for (let i = 0; i < 10; i++) {
    const context = await browser.newContext();
    await context.addInitScript(([k]) => sessionStorage.setItem("assent-console", JSON.stringify({ site: "example", key: k })), [key]);
    const page = await context.newPage();
    const t = performance.now();
    await page.goto(`${edge.url}/admin/`);
    await page.locator("#panel[data-ready=overview] canvas").first().waitFor();
    loads.push(performance.now() - t);
    await context.close();
  }
  await browser.close();
  console.log(`\nConsole first load: ${(js.length + css.length + html.length).toLocaleString("en")} B, ${(gz(js) + gz(css) + gz(html)).toLocaleString("en")} B gzip (console.js ${gz(js).toLocaleString("en")}, css ${gz(css).toLocaleString("en")}, html ${gz(html).toLocaleString("en")}); navigation to drawn charts, cold context: median ${ms(pct(loads, 0.5))}, p95 ${ms(pct(loads, 0.95))}`);
} finally {
  await edge.stop();
}
