// The banner's and the form's outboxes under faults, in real Chromium against
// the real worker: an edge that takes a request and never answers, a burst
// of 5xx, and a browser whose storage is full. Each fault is made at the
// network by Playwright's router (the worker itself is real), and time moves
// by Playwright's fake clock, so 20 s timeouts and backoffs are checked to
// the millisecond without waiting for them. What must hold: the choice
// reaches the log exactly once, and what the visitor is told is true.
import { test } from "node:test";
import assert from "node:assert/strict";
import { adminRecords, subjectOf, waitForRecordsOf, eventually } from "./harness.mjs";
import { useEdgeAndChromium, edge, browser } from "./setup.mjs";

useEdgeAndChromium({ rateLimit: false });

const BANNER = "#assent-host >> section.banner";
const EVENTS = "**/v1/sites/demo/events";
const SUBMISSIONS = "**/v1/sites/demo/forms/newsletter/submissions";

/**
 * The router's faults for `pattern`, in order (`"hang"`: taken and never
 * answered, `503`: a fault answered); every request after them reaches the
 * edge. Returns the list of requests seen.
 */
async function faults(context, pattern, plan) {
  const seen = [];
  await context.route(pattern, async (route) => {
    const fault = plan[seen.length];
    seen.push(JSON.parse(route.request().postData()).event?.event_id ?? JSON.parse(route.request().postData()).event_id);
    if (fault === "hang") return; // the page gives up on it (or the test ends)
    if (fault) return route.fulfill({ status: fault, contentType: "application/json", body: '{"error":{"code":"internal","message":"x"}}' });
    return route.fulfill({ response: await route.fetch() });
  });
  return seen;
}

/**
 * A browser whose storage for the edge's origin is full to its quota
 * (Chromium: about 10 MB), filled by the page itself before any of its
 * scripts run. Filled on another page first, it was not always full here:
 * each page holds a copy of the storage, and the browser's own copy may
 * refuse the last write a page's copy took, so the next page found room
 * (CI, 2026-12-06: the widget's choice fitted; filled page by page, each
 * page took 256 KB more). In the page that fills it, every later write
 * meets the same full copy.
 */
async function fullContext() {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    let i = 0;
    for (const size of [256 * 1024, 8 * 1024, 256, 8, 1]) {
      try { for (;;) localStorage.setItem(`f${i++}`, "x".repeat(size)); } catch {}
    }
    try { localStorage.setItem("p", "x"); localStorage.removeItem("p"); } catch { window.__storageFull = true; }
  });
  return context;
}

/** The delay of the page's `k`-th retry timer, once it is armed. */
const retryArmed = (page, k) =>
  eventually(() => page.evaluate((k) => window.__retries[k - 1], k), `retry timer ${k}`);

/** The stored records of one event id (the owner's view). */
const recordsWith = async (eventId) => (await adminRecords(edge)).records.filter((r) => r.record.event.event_id === eventId);

/** A page of the demo on a fake clock, paused once the widget is up. */
async function demoPage(context, path, { ready = "window.assent.ready" } = {}) {
  const page = await context.newPage();
  await page.clock.install();
  // Every retry timer the page arms (not a request's 20 s limit), so the
  // test moves the clock only once the answer that armed it was read.
  await page.addInitScript(() => {
    window.__retries = [];
    const setTimeout0 = window.setTimeout;
    window.setTimeout = function (f, ms) {
      if (ms >= 1000 && ms !== 20_000) window.__retries.push(ms);
      return setTimeout0.apply(this, arguments);
    };
  });
  await page.goto(edge.url + path);
  await page.evaluate(ready);
  await page.clock.pauseAt(Date.now() + 60_000);
  return page;
}

test("the banner: an edge that never answers is given up on after 20 s, and the same event is stored once", async () => {
  const context = await browser.newContext();
  const seen = await faults(context, EVENTS, ["hang"]);
  const page = await demoPage(context, "/");
  await page.click(`${BANNER} button[data-act=accept_all]`);
  await eventually(() => seen.length === 1, "the first send");
  await page.clock.runFor(19_999);
  assert.equal(seen.length, 1, "given up before 20 s");
  // At 20 s the request is aborted: a fault, retried after core's first delay.
  await page.clock.runFor(1);
  const delay = await retryArmed(page, 1);
  assert.ok(delay >= 1_000 && delay <= 1_300, `retried after ${delay} ms`);
  await page.clock.runFor(delay);
  await eventually(() => seen.length === 2, "the retry");
  assert.equal(seen[1], seen[0], "the retry is the same event");
  const stored = await waitForRecordsOf(edge, await subjectOf(page));
  assert.equal(stored.length, 1);
  await eventually(() => page.evaluate(() => window.assent.receipts().length === 1), "the receipt");
  assert.equal(await page.evaluate(() => localStorage.getItem("assent:demo:outbox")), "[]");
  await context.close();
});

test("the banner with its storage full: a 5xx burst is retried from memory, the choice stored once, its receipt kept for the page", async () => {
  const context = await fullContext();
  const seen = await faults(context, EVENTS, [503, 502, 500]);
  const page = await demoPage(context, "/");
  assert.equal(await page.evaluate(() => window.__storageFull), true, "the storage did not fill");
  await page.click(`${BANNER} button[data-act=reject_all]`);
  await eventually(() => seen.length === 1, "send 1");
  for (let n = 1; n <= 3; n++) {
    await page.clock.runFor(await retryArmed(page, n));
    await eventually(() => seen.length === n + 1, `send ${n + 1}`);
  }
  assert.equal(new Set(seen).size, 1, "one event, sent four times");
  const [record] = await eventually(async () => { const r = await recordsWith(seen[0]); return r.length && r; }, "the stored event");
  assert.equal((await recordsWith(seen[0])).length, 1);
  assert.equal(record.record.event.action, "refuse");
  await eventually(() => page.evaluate(() => window.assent.receipts().length === 1), "the receipt, in memory");
  assert.equal(await page.evaluate(() => localStorage.getItem("assent:demo")), null, "nothing fits in the storage");
  await context.close();
});

/** Fills the demo's newsletter form and submits it; resolves to the address used. */
async function submitForm(page, email) {
  await page.fill("#assent-form-0-email", email);
  await page.fill("input[name=age]", "1990");
  await page.locator('input[data-offer="email:newsletter"]').check();
  await page.click(".assent-submit");
  return email;
}

const contactsOf = async (email) => {
  const r = await fetch(`${edge.url}/v1/admin/sites/demo/subjects?email=${encodeURIComponent(email)}`, { headers: { authorization: `Bearer ${edge.adminKey}` } });
  return (await r.json()).subjects;
};

// Each retry's delay: core's, plus up to 30 % jitter.
for (const [what, plan, windows] of [
  ["a 5xx burst is retried while the page is open, after core's delays", [503, 500, 502], [[1_000, 1_300], [2_000, 2_600], [4_000, 5_200]]],
  ["an edge that never answers is given up on after 20 s and tried again", ["hang"], [[1_000, 1_300]]],
]) {
  test(`the form: ${what}; stored once, the person told it is on its way`, async () => {
    const context = await browser.newContext();
    const seen = await faults(context, SUBMISSIONS, plan);
    const page = await demoPage(context, "/newsletter.html", { ready: "Promise.all([window.assent.ready, window.assentForms.ready])" });
    await page.click(`${BANNER} button[data-act=reject_all]`);
    const email = await submitForm(page, `outbox-${plan.length}-${Date.now()}@example.com`);
    await eventually(() => seen.length === 1, "the first send");
    if (plan[0] !== "hang") await page.locator(".assent-status:not(:empty)").waitFor();
    if (plan[0] === "hang") {
      // Nothing before 20 s; at 20 s the request is given up on.
      await page.clock.runFor(19_999);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(seen.length, 1, "given up before 20 s");
      await page.clock.runFor(1);
    }
    for (const [i, [earliest, latest]] of windows.entries()) {
      // The retry timer, armed once the fault was read: core's delay plus jitter.
      const delay = await retryArmed(page, i + 1);
      assert.ok(delay >= earliest && delay <= latest, `retry ${i + 1} after ${delay} ms, not ${earliest}..${latest}`);
      await page.clock.runFor(delay - 1);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(seen.length, i + 1, `sent again before ${delay} ms`);
      await page.clock.runFor(1);
      await eventually(() => seen.length === i + 2, `send ${i + 2}`);
    }
    assert.equal(new Set(seen).size, 1, "one submission, sent again");
    await eventually(async () => (await recordsWith(seen[0])).length === 1, "the stored submission");
    await eventually(() => page.evaluate(() => localStorage.getItem("assent:demo:form-outbox") === null), "the outbox emptied");
    assert.equal((await contactsOf(email)).length, 1);
    await context.close();
  });
}

test("the form with its storage full: the submission waits in memory, is retried, and stored once", async () => {
  const context = await fullContext();
  const seen = await faults(context, SUBMISSIONS, [503]);
  const page = await demoPage(context, "/newsletter.html", { ready: "Promise.all([window.assent.ready, window.assentForms.ready])" });
  assert.equal(await page.evaluate(() => window.__storageFull), true, "the storage did not fill");
  await page.click(`${BANNER} button[data-act=reject_all]`);
  const email = await submitForm(page, `outbox-full-${Date.now()}@example.com`);
  await eventually(() => seen.length === 1, "the first send");
  await page.clock.runFor(await retryArmed(page, 1));
  await eventually(() => seen.length === 2, "the retry, from memory");
  await eventually(async () => (await recordsWith(seen[0])).length === 1, "the stored submission");
  assert.equal((await contactsOf(email)).length, 1);
  await context.close();
});
