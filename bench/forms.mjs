// Opt-in form benchmarks against the real worker under wrangler dev and the
// built form widget in Chromium. Usage: node bench/forms.mjs [samples, default 200]
//
// 1. The form path's size: assent-form.js + assent-form.wasm, gzip -9 and
//    brotli (the banner path beside it, for scale).
// 2. Submit to receipt at the edge: sequential form submissions (a new
//    contact each, double opt-in: the vault, the log, the pending entry and
//    the sealed mail), median and p95, beside banner event POSTs in the same
//    run, the peer inside Assent.
// 3. The confirmation round trip: POST of the link to the confirmed page
//    (the confirmation event and its webhook queued), median and p95; and
//    the whole loop, submit, read the mailbox, confirm.
// 4. In Chromium: the click on "Subscribe" to the status shown (the
//    widget's checks, the POST, the receipt kept), median of 20.
import { readFileSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { performance } from "node:perf_hooks";
import { randomUUID } from "node:crypto";
import { startEdge, launchChromium, siteConfig, demoEvent, ROOT } from "../scripts/wrangler-dev.mjs";

const N = Number(process.argv[2] ?? 200);
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5).toFixed(2), p95: q(0.95).toFixed(2), n: s.length };
};
const size = (files) => {
  const bytes = files.map((f) => readFileSync(`${ROOT}/dist/public/${f}`));
  const sum = (f) => bytes.reduce((n, b) => n + f(b).length, 0);
  return { raw: sum((b) => b), gzip: sum((b) => gzipSync(b, { level: 9 })), brotli: sum((b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })) };
};

console.log("form path", size(["assent-form.js", "assent-form.wasm"]));
console.log("banner path (static tag)", size(["assent.js", "assent.wasm"]));

const edge = await startEdge({ rateLimit: false });
const admin = { authorization: `Bearer ${edge.adminKey}` };
try {
  const form = await (await fetch(`${edge.url}/v1/sites/demo/forms/newsletter?lang=en`)).json();
  const en = await siteConfig(edge, "en");
  const submission = (email) => ({
    event: {
      event_id: randomUUID(), site: "demo", subject: randomUUID(), action: "give", decisions: {},
      form: { id: "newsletter", offers: Object.fromEntries(form.notice.offers.map((o, i) => [o.key, i === 0])) },
      notice: { version: form.notice.notice_version, language: "en", hash: form.notice_hash },
      ui: { surface: "form", control: "submit" }, client_time_ms: Date.now(), gpc: false,
      page: { origin: edge.url, path: "/newsletter.html" }, widget_version: "bench",
    },
    identity: { email },
    age: 1990,
  });
  const post = (path, body) => fetch(edge.url + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  const forms = [], events = [];
  for (let i = 0; i < N; i++) {
    let t = performance.now();
    let r = await post("/v1/sites/demo/forms/newsletter/submissions", submission(`bench-${i}@example.com`));
    await r.text();
    if (r.status !== 202) throw new Error(`submission: ${r.status}`);
    forms.push(performance.now() - t);
    t = performance.now();
    r = await post("/v1/sites/demo/events", demoEvent(en, { page: { origin: edge.url, path: "/" } }));
    await r.text();
    if (r.status !== 201) throw new Error(`event: ${r.status}`);
    events.push(performance.now() - t);
  }
  console.log("submit to receipt (form submission)", stats(forms));
  console.log("banner event POST, same run", stats(events));

  const confirms = [], loops = [];
  const M = Math.min(N, 50);
  for (let i = 0; i < M; i++) {
    const start = performance.now();
    const email = `loop-${i}@example.com`;
    const r = await post("/v1/sites/demo/forms/newsletter/submissions", submission(email));
    await r.text();
    const { mails } = await (await fetch(`${edge.url}/v1/admin/sites/demo/mail?limit=5`, { headers: admin })).json();
    const link = mails.find((m) => m.mail.to === email).mail.link;
    const t = performance.now();
    const page = await fetch(link, { method: "POST" });
    const html = await page.text();
    if (!html.includes('data-outcome="confirmed"')) throw new Error("not confirmed");
    confirms.push(performance.now() - t);
    loops.push(performance.now() - start);
  }
  console.log("confirmation (POST of the link)", stats(confirms));
  console.log("whole loop (submit, mailbox, confirm)", stats(loops));

  const browser = await launchChromium();
  const clicks = [];
  for (let i = 0; i < 20; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${edge.url}/newsletter.html`);
    await page.evaluate(() => window.assentForms.ready);
    await page.click("#assent-host >> section.banner button[data-act=reject_all]");
    await page.fill("#assent-form-0-email", `click-${i}@example.com`);
    await page.fill("#assent-form-0-age", "1990");
    await page.check('input[data-offer="email:newsletter"]');
    const ms = await page.evaluate(() => new Promise((done) => {
      const status = document.querySelector(".assent-status");
      const t = performance.now();
      new MutationObserver(() => done(performance.now() - t)).observe(status, { childList: true, characterData: true, subtree: true });
      document.querySelector(".assent-submit").click();
    }));
    clicks.push(ms);
    await context.close();
  }
  await browser.close();
  console.log("Chromium: click to status shown", stats(clicks));
} finally {
  await edge.stop();
}
