// Jurisdiction rules in Chromium against the real worker: the demo site asks
// first by default (opt-in), lets US states with privacy laws run until the
// visitor opts out (opt-out, GPC honoured), and is notice-only elsewhere in
// the US. The place comes from the X-Assent-Geo header: under wrangler dev
// (ASSENT_DEV) it stands in for Cloudflare's country and region.
import { test } from "node:test";
import assert from "node:assert/strict";
import { adminRecords, pageErrors } from "./harness.mjs";
import { useEdgeAndChromium, edge, browser } from "./setup.mjs";

useEdgeAndChromium({ rateLimit: false });

const BANNER = "#assent-host >> section.banner";
const button = (scope, act) => `#assent-host >> ${scope} button[data-act=${act}]`;

async function visit(geo, { gpc = false } = {}) {
  const headers = { ...(geo ? { "x-assent-geo": geo } : {}), ...(gpc ? { "sec-gpc": "1" } : {}) };
  const context = await browser.newContext({ extraHTTPHeaders: headers });
  if (gpc) await context.addInitScript(() => Object.defineProperty(navigator, "globalPrivacyControl", { get: () => true }));
  const page = await context.newPage();
  const errors = pageErrors(page);
  await page.goto(`${edge.url}/`);
  await page.evaluate(() => window.assent.ready);
  return { context, page, errors };
}

const config = (geo) => fetch(`${edge.url}/v1/sites/demo/config?lang=en`, { headers: geo ? { "x-assent-geo": geo } : {} });

test("the config answer names the regime of the visitor's place, and is never shared between places", async () => {
  for (const [geo, regime] of [["DE", "opt_in"], ["US-CA", "opt_out"], ["US-TX", "opt_out"], ["US-WY", "notice_only"], [null, "opt_in"]]) {
    const r = await config(geo);
    const answer = await r.json();
    assert.equal(answer.regime, regime, String(geo));
    assert.match(r.headers.get("cache-control"), /^private/, "an answer per place is never public");
    assert.equal(Boolean(answer.choice), regime !== "opt_in", `${geo}: a presumed choice only where consent is presumed`);
  }
  const ca = await (await config("US-CA")).json();
  assert.equal(ca.choice.presumed, true);
  assert.deepEqual(ca.choice.decisions, { necessary: true, analytics: true, marketing: true, personalisation: true });
  const gpc = await (await fetch(`${edge.url}/v1/sites/demo/config?lang=en`, { headers: { "x-assent-geo": "US-CA", "sec-gpc": "1" } })).json();
  assert.equal(gpc.choice.decisions.marketing, false, "GPC opts out of sale and sharing");
  assert.notEqual(ca.choice.subject, (await (await config("US-CA")).json()).choice.subject, "a fresh subject per browser");
});

test("opt-in (Germany): the banner asks, and the record says opt_in", async () => {
  const { context, page } = await visit("DE");
  await page.locator(BANNER).waitFor();
  assert.equal(await page.evaluate(() => window.assent.accepted("analytics")), false, "nothing before a choice");
  await page.click(button("section.banner", "reject_all"));
  const subject = await page.evaluate(() => JSON.parse(localStorage.getItem("assent:demo")).subject);
  let rec;
  for (let i = 0; i < 100 && !rec; i++) {
    rec = (await adminRecords(edge)).records.find((r) => r.record.event.subject === subject);
    if (!rec) await new Promise((ok) => setTimeout(ok, 100));
  }
  assert.equal(rec.record.regime, "opt_in");
  await context.close();
});

test("opt-out (California): no banner, optional purposes run, GPC opts out of sale and sharing; opting out is a withdrawal the log accepts", async () => {
  const { context, page, errors } = await visit("US-CA", { gpc: true });
  await page.locator("#assent-host >> button[data-act=choices]").waitFor();
  assert.equal(await page.locator(BANNER).count(), 0, "no banner under opt-out");
  assert.equal(await page.evaluate(() => window.assent.accepted("analytics")), true, "runs until the visitor opts out");
  assert.equal(await page.evaluate(() => window.assent.accepted("marketing")), false, "GPC: no sale or sharing");
  const subject = await page.evaluate(() => JSON.parse(localStorage.getItem("assent:demo")).subject);
  assert.equal((await adminRecords(edge)).records.filter((r) => r.record.event.subject === subject).length, 0, "a presumed choice records nothing");
  // The visitor opts out from the Privacy choices panel.
  await page.click("#assent-host >> button[data-act=choices]");
  await page.click(button("[role=dialog]", "withdraw_all"));
  let stored;
  for (let i = 0; i < 100 && !stored; i++) {
    const { records } = await adminRecords(edge);
    stored = records.find((r) => r.record.event.subject === subject);
    if (!stored) await new Promise((ok) => setTimeout(ok, 100));
  }
  assert.ok(stored, "the opt-out was stored (not refused as against history)");
  assert.equal(stored.record.regime, "opt_out");
  assert.equal(stored.record.event.action, "withdraw");
  assert.equal(stored.record.event.decisions.analytics, false);
  assert.equal(await page.evaluate(() => window.assent.accepted("analytics")), false);
  assert.deepEqual(errors, []);
  await context.close();
});

test("notice only (Wyoming): no banner, everything runs, the Privacy choices control stays", async () => {
  const { context, page } = await visit("US-WY");
  await page.locator("#assent-host >> button[data-act=choices]").waitFor();
  assert.equal(await page.locator(BANNER).count(), 0);
  assert.equal(await page.evaluate(() => window.assent.accepted("marketing")), true);
  await context.close();
});

test("a presumed choice lapses within a day: the same browser in Germany the next day is asked", async () => {
  const { context, page } = await visit("US-CA");
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem("assent:demo")));
  assert.equal(stored.presumed, true);
  const ageDays = (Date.now() - stored.client_time_ms) / 86_400_000;
  const lifetime = (await (await config("DE")).json()).notice.consent_lifetime_days;
  assert.ok(lifetime - ageDays <= 1 && lifetime - ageDays > 0.99, `lapses in ${lifetime - ageDays} days`);
  // A day later, from Germany: the presumed choice has lapsed, and the banner asks.
  await page.clock.install({ time: Date.now() + 86_400_000 + 60_000 });
  await context.setExtraHTTPHeaders({ "x-assent-geo": "DE" });
  await page.reload();
  await page.evaluate(() => window.assent.ready);
  await page.locator(BANNER).waitFor();
  await context.close();
});
