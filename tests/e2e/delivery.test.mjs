// The outbox's delivery policy, seen at the network: how many requests the
// widget sends, when (Playwright's fake clock, so the backoff schedule is
// checked to the millisecond without waiting for it), with which flags, and
// what each answer does to the outbox. The edge dedupes by event id, so what
// it stores cannot show a widget that re-sends: these tests count the sends.
import { test } from "node:test";
import assert from "node:assert/strict";
import { recordsOf, subjectOf, waitForRecordsOf, eventually } from "./harness.mjs";
import { useEdgeAndChromium, edge, browser } from "./setup.mjs";

useEdgeAndChromium();

const BANNER = "#assent-host >> section.banner";
const button = (scope, act) => `#assent-host >> ${scope} button[data-act=${act}]`;
const EVENTS = "**/v1/sites/demo/events";

// Every events POST the page makes, with the (fake) time it left, its
// keepalive flag and its event id; and every timer the page arms (its delay, and when).
// Registered after the clock is installed, so it wraps the fake timers.
const recordSends = () => {
  window.__sends = [];
  window.__timers = [];
  const fetch0 = window.fetch;
  window.fetch = function (input, init) {
    const url = String(input instanceof Request ? input.url : input);
    if (url.endsWith("/v1/sites/demo/events") && init && init.method === "POST") {
      window.__sends.push({ t: Date.now(), keepalive: init.keepalive === true, id: JSON.parse(init.body).event_id });
    }
    return fetch0.apply(this, arguments);
  };
  const setTimeout0 = window.setTimeout;
  window.setTimeout = function (f, ms) {
    window.__timers.push({ ms, t: Date.now() });
    return setTimeout0.apply(this, arguments);
  };
};

const sends = (page) => page.evaluate(() => window.__sends);
// Every timer but a request's own 20 s limit (outbox.js: no answer in 20 s is a fault).
const REQUEST_LIMIT_MS = 20_000;
const timers = async (page) => (await page.evaluate(() => window.__timers)).filter((x) => x.ms !== REQUEST_LIMIT_MS);
const outbox = (page) => page.evaluate(() => JSON.parse(localStorage.getItem("assent:demo:outbox") || "[]"));

/** A fresh visitor with a paused fake clock and the recorder; the banner is shown. */
async function visit() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.clock.install();
  await page.addInitScript(recordSends);
  await page.goto(edge.url + "/");
  await page.evaluate(() => window.assent.ready);
  await page.locator(BANNER).waitFor();
  await page.clock.pauseAt(Date.now() + 60_000);
  return { context, page };
}

const RETRY_BODY = '{"error":{"code":"internal","message":"x"}}';

test("faults are retried with exponential backoff from 1 s, jitter within +30 %, capped at 60 s; sent once after success", async () => {
  const { context, page } = await visit();
  const FAILURES = 9;
  let answered = 0;
  await page.route(EVENTS, (route) => {
    answered++;
    if (answered <= FAILURES) return route.fulfill({ status: 500, contentType: "application/json", body: RETRY_BODY });
    return route.continue();
  });
  await page.click(button("section.banner", "accept_all"));
  const subject = await subjectOf(page);
  let base = 1000;
  for (let n = 1; n <= FAILURES; n++) {
    // The n-th send left; once its answer armed the retry timer, nothing more
    // may leave before `base`, and the next must leave by base + 30 %.
    await eventually(async () => (await sends(page)).length === n && answered === n, `send ${n}`);
    const retries = await eventually(async () => {
      const t = (await timers(page)).filter((x) => x.ms >= 1000);
      return t.length >= n ? t : null;
    }, `the retry timer after answer ${n}`);
    assert.equal(retries.length, n, "one retry timer per fault");
    const { ms: delay, t: armed } = retries[n - 1];
    assert.ok(delay >= base && delay <= base * 1.3, `retry ${n}: ${delay} ms, expected ${base}..${base * 1.3}`);
    await page.clock.runFor(base - 1);
    assert.equal((await sends(page)).length, n, `retry ${n} left before ${base} ms`);
    await page.clock.runFor(Math.ceil(base * 0.3) + 2);
    const s = await sends(page);
    assert.equal(s.length, n + 1, `retry ${n} did not leave by ${base * 1.3} ms`);
    assert.ok(Math.abs(s[n].t - armed - delay) <= 1, `retry ${n} left ${s[n].t - armed} ms after its timer was armed for ${delay}`);
    base = Math.min(base * 2, 60_000);
  }
  assert.equal(base, 60_000, "the schedule reached the cap");
  await waitForRecordsOf(edge, subject, 1);
  await eventually(async () => (await outbox(page)).length === 0, "the outbox to empty");
  const s = await sends(page);
  assert.equal(new Set(s.map((x) => x.id)).size, 1, "one event, re-sent");
  assert.ok(s.every((x) => x.keepalive), "every request is sent with keepalive");
  // Ten more minutes: acknowledged, so nothing is sent again.
  await page.clock.runFor(600_000);
  assert.equal((await sends(page)).length, FAILURES + 1, "sent again after the edge acknowledged it");
  assert.equal((await recordsOf(edge, subject)).length, 1);
  await context.close();
});

test("a 4xx other than 408/425/429 drops the event for good: sent once, never again, and the next one follows", async () => {
  const { context, page } = await visit();
  const warnings = [];
  page.on("console", (m) => { if (m.type() === "warning") warnings.push(m.text()); });
  let answered = 0;
  await page.route(EVENTS, (route) => {
    answered++;
    if (answered === 1) {
      return route.fulfill({ status: 400, contentType: "application/json", body: '{"error":{"code":"invalid_event","message":"x"}}' });
    }
    return route.continue();
  });
  await page.click(button("section.banner", "accept_all"));
  const subject = await subjectOf(page);
  await eventually(async () => answered === 1 && (await outbox(page)).length === 0, "the refused event to leave the outbox");
  assert.ok(warnings.some((w) => w.includes("refused")), "the refusal is reported on the console");
  await page.clock.runFor(600_000);
  assert.equal((await sends(page)).length, 1, "a refused event was sent again");
  assert.equal((await timers(page)).filter((x) => x.ms >= 1000).length, 0, "a retry was armed for a refused event");
  assert.equal((await recordsOf(edge, subject)).length, 0);

  // The outbox is not stuck behind it: the next event leaves at once. (The
  // edge refuses it too, for good: it follows a choice the log never got.)
  await page.evaluate(() => window.assent.set({ marketing: false }));
  await eventually(async () => answered === 2 && (await outbox(page)).length === 0, "the next event to be answered");
  const s = await sends(page);
  assert.equal(s.length, 2);
  assert.notEqual(s[1].id, s[0].id);
  await context.close();
});

for (const status of [408, 425, 429]) {
  test(`${status} is a fault: the event stays in the outbox and is retried after 1 s`, async () => {
    const { context, page } = await visit();
    let answered = 0;
    await page.route(EVENTS, (route) => {
      answered++;
      if (answered === 1) return route.fulfill({ status, contentType: "application/json", body: RETRY_BODY });
      return route.continue();
    });
    await page.click(button("section.banner", "reject_all"));
    const subject = await subjectOf(page);
    const armed = await eventually(async () => (await timers(page)).filter((x) => x.ms >= 1000)[0], "the retry timer");
    assert.ok(armed.ms >= 1000 && armed.ms <= 1300, `first retry after ${armed.ms} ms`);
    assert.equal((await outbox(page)).length, 1, `the event left the outbox on ${status}`);
    await page.clock.runFor(1301);
    assert.equal((await sends(page)).length, 2, `no retry after ${status}`);
    await waitForRecordsOf(edge, subject, 1);
    await eventually(async () => (await outbox(page)).length === 0, "the outbox to empty");
    await page.clock.runFor(600_000);
    assert.equal((await sends(page)).length, 2);
    await context.close();
  });
}

test("offline: the event waits; coming back online sends it at once, without waiting for the backoff", async () => {
  const { context, page } = await visit();
  await context.setOffline(true);
  await page.click(button("section.banner", "accept_all"));
  const subject = await subjectOf(page);
  await eventually(async () => (await timers(page)).some((x) => x.ms >= 1000), "the retry timer after the network fault");
  assert.equal((await sends(page)).length, 1);
  assert.equal((await outbox(page)).length, 1, "the event is kept locally");
  // The clock stays paused: only the `online` event can send it now.
  await context.setOffline(false);
  await eventually(async () => (await sends(page)).length === 2, "a send on `online`");
  await waitForRecordsOf(edge, subject, 1);
  await eventually(async () => (await outbox(page)).length === 0, "the outbox to empty");
  await page.clock.runFor(600_000);
  assert.equal((await sends(page)).length, 2, "sent again after it was acknowledged");
  assert.equal((await recordsOf(edge, subject)).length, 1);
  await context.close();
});
