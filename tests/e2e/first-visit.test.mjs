// A first visit fetches no engine: the banner is drawn from the config
// answer, and "Accept all" or "Reject all" is recorded from the answer's
// plan (widget/src/plan.rs), which the real worker made with the engine and
// now takes as any event. Both tags, GPC, the panel on intent, and the
// returning visit that does fetch the engine; in real Chromium.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { pageErrors, subjectOf, waitForRecordsOf } from "./harness.mjs";
import { useEdgeAndChromium, edge, browser } from "./setup.mjs";

useEdgeAndChromium();

const BANNER = "#assent-host >> section.banner";
const DEMO = readFileSync(new URL("../../www/index.html", import.meta.url), "utf8");
const TAGS = {
  "per-site": DEMO,
  static: DEMO.replace('<script src="/v1/sites/demo/assent.js"></script>',
    '<script src="/assent-tcf-stub.js"></script><script src="/assent.js" data-site="demo"></script>'),
};

/** A first visit to the demo page with `tag`: the page, and every path it requests. */
async function visit(tag, { gpc = false } = {}) {
  const context = await browser.newContext();
  if (gpc) await context.addInitScript(() => Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true }));
  await context.route(`${edge.url}/first-visit`, (route) => route.fulfill({ contentType: "text/html", body: TAGS[tag] }));
  const page = await context.newPage();
  const requests = [];
  page.on("request", (r) => requests.push(new URL(r.url()).pathname));
  const errors = pageErrors(page);
  await page.goto(`${edge.url}/first-visit`);
  await page.locator(BANNER).waitFor();
  return { context, page, requests, errors };
}

const engineFetched = (requests) => requests.some((p) => p.endsWith("/assent.wasm"));
const panelFetched = (requests) => requests.some((p) => p.endsWith("/assent-panel.js"));

for (const tag of ["per-site", "static"]) {
  test(`the ${tag} tag: "Accept all" on a first visit is stored as the engine would write it, and no engine or panel is fetched`, async () => {
    const { context, page, requests, errors } = await visit(tag);
    const answer = await (await fetch(`${edge.url}/v1/sites/demo/config?lang=en`)).json();
    // The line the edge worded: the demo's third parties, in the page's words.
    assert.equal(await page.locator(`${BANNER} .meta`).evaluate((p) => p.firstChild.textContent.trim()), answer.meta);
    await page.click(`${BANNER} button[data-act=accept_all]`);
    await page.locator("#assent-host >> button[data-act=choices]").waitFor();
    const [stored] = await waitForRecordsOf(edge, await subjectOf(page), 1);
    const e = stored.record.event;
    const { event_id, subject, client_time_ms, gpc, page: where, tc_string, ...rest } = e;
    assert.deepEqual(rest, answer.first.choices.accept_all.event, "the plan's event, as the edge stored it");
    assert.match(subject, /^[0-9a-f]{8}-[0-9a-f]{4}-7/, "a new subject, drawn with its time");
    assert.equal(gpc, false);
    assert.equal(where.path, "/first-visit");
    assert.ok(tc_string, "the edge completed the TC string of a TCF site's banner event");
    // What follows is the plan's: the gated Matomo tag ran, Consent Mode was told.
    assert.equal(await page.evaluate(() => window.assent.accepted("analytics", "matomo")), true);
    assert.ok(!engineFetched(requests), requests.join(" "));
    assert.ok(!panelFetched(requests), requests.join(" "));
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test("under GPC a first visit's 'Accept all' leaves sale and sharing off, still without the engine", async () => {
  const { context, page, requests } = await visit("per-site", { gpc: true });
  await page.click(`${BANNER} button[data-act=accept_all]`);
  const [stored] = await waitForRecordsOf(edge, await subjectOf(page), 1);
  assert.equal(stored.record.event.gpc, true);
  assert.equal(stored.record.event.decisions.marketing, false, "the demo's marketing is sale or sharing");
  assert.equal(stored.record.event.decisions.analytics, true);
  assert.equal(await page.evaluate(() => window.assent.accepted("marketing")), false);
  assert.ok(!engineFetched(requests), requests.join(" "));
  await context.close();
});

test("the panel and the engine come when the pointer reaches 'Customise'; the panel's choice is the engine's", async () => {
  const { context, page, requests } = await visit("per-site");
  assert.ok(!engineFetched(requests) && !panelFetched(requests));
  await page.hover(`${BANNER} button[data-act=customise]`);
  await page.waitForResponse((r) => r.url().endsWith("/assent-panel.js"));
  assert.ok(engineFetched(requests), "fetched on intent, before the click");
  await page.click(`${BANNER} button[data-act=customise]`);
  await page.locator("#assent-host >> [role=dialog] input[data-purpose=analytics]").check();
  await page.click("#assent-host >> [role=dialog] button[data-act=save]");
  const [stored] = await waitForRecordsOf(edge, await subjectOf(page), 1);
  assert.equal(stored.record.event.ui.surface, "preferences");
  assert.equal(stored.record.event.decisions.analytics, true);
  assert.equal(stored.record.event.decisions.marketing, false);
  await context.close();
});

test("a returning visitor's page fetches the engine, which takes up the first visit's choice", async () => {
  const { context, page, requests } = await visit("static");
  await page.click(`${BANNER} button[data-act=reject_all]`);
  const subject = await subjectOf(page);
  await waitForRecordsOf(edge, subject, 1);
  requests.length = 0;
  await page.reload();
  await page.evaluate(() => window.assent.ready);
  assert.ok(engineFetched(requests), requests.join(" "));
  assert.equal(await page.locator(BANNER).count(), 0, "answered: no banner");
  await page.locator("#assent-host >> button[data-act=choices]").waitFor();
  assert.deepEqual(await page.evaluate(() => window.assent.get()), { necessary: true, analytics: false, marketing: false, personalisation: false });
  // A change from the site's own UI is the engine's, under the same subject.
  await page.evaluate(() => window.assent.set({ analytics: true }));
  const records = await waitForRecordsOf(edge, subject, 2);
  // Newest first.
  assert.equal(records[0].record.event.action, "give");
  assert.equal(records[0].record.event.ui.surface, "api");
  await context.close();
});
