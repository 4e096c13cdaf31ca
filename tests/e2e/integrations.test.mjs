// What a site gets from the widget beyond the banner, in real Chromium
// against the real worker: gated scripts and embeds, Google Consent Mode,
// Global Privacy Control, the JS API, withdrawal, re-consent, the edge's
// first-party cookie and the pagehide flush.
//
// The page is a fixture (tests/e2e/fixtures/integrations.html) served on the
// edge's origin through Playwright's router; everything else is real.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { adminRecords, eventually, recordsOf, siteConfig, subjectOf, waitForRecordsOf } from "./harness.mjs";
import { useEdgeAndChromium, edge, browser } from "./setup.mjs";

useEdgeAndChromium();

const FIXTURE = readFileSync(new URL("fixtures/integrations.html", import.meta.url), "utf8");
const BANNER = "#assent-host >> section.banner";
const button = (scope, act) => `#assent-host >> ${scope} button[data-act=${act}]`;
const EVENTS = "**/v1/sites/demo/events";

/** A fresh visitor on the fixture page; `gpc` sets Global Privacy Control. */
async function visit({ gpc = false, context } = {}) {
  context ??= await browser.newContext(gpc ? { extraHTTPHeaders: { "Sec-GPC": "1" } } : {});
  if (gpc) {
    await context.addInitScript(() => Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true }));
  }
  await context.route(`${edge.url}/fixture`, (route) => route.fulfill({ contentType: "text/html", body: FIXTURE }));
  await context.route(`${edge.url}/fixture-ga.js`, (route) =>
    route.fulfill({ contentType: "text/javascript", body: 'window.ran.push("ga"); document.cookie = "_ga=GA1.2.3; path=/";' }),
  );
  await context.route(`${edge.url}/fixture-video.html`, (route) =>
    route.fulfill({ contentType: "text/html", body: "<p>video</p>" }),
  );
  const page = await context.newPage();
  await page.goto(`${edge.url}/fixture`);
  await page.evaluate(() => window.assent.ready);
  return { context, page };
}

/** Wraps the page's `fetch` to note every events POST (its keepalive flag,
 * event action and id) in localStorage, so sends made while the page unloads
 * are kept too; `sendsNoted(page)` reads them back from a blank page of the
 * same origin (no widget on it). */
async function recordSends(page) {
  await page.evaluate(() => {
    const fetch0 = window.fetch;
    window.fetch = function (url, init) {
      if (String(url).endsWith("/v1/sites/demo/events") && init?.method === "POST") {
        const e = JSON.parse(init.body);
        const noted = JSON.parse(localStorage.getItem("test:sends") || "[]");
        noted.push({ keepalive: init.keepalive === true, action: e.action, id: e.event_id });
        localStorage.setItem("test:sends", JSON.stringify(noted));
      }
      return fetch0.apply(this, arguments);
    };
  });
}
async function sendsNoted(page) {
  await page.route(`${edge.url}/blank`, (route) => route.fulfill({ contentType: "text/html", body: "<!doctype html><title>blank</title>" }));
  await page.goto(`${edge.url}/blank`);
  return page.evaluate(() => JSON.parse(localStorage.getItem("test:sends") || "[]"));
}

/** Waits until `n` events POSTs of the page failed at the network. */
async function failedSends(page, n) {
  let failed = 0;
  page.on("requestfailed", (r) => { if (r.method() === "POST" && r.url().endsWith("/v1/sites/demo/events")) failed++; });
  return async () => {
    for (let i = 0; i < 100 && failed < n; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(failed >= n, "the failed sends");
  };
}

/** The newest of at least `n` stored records of `subject`. */
async function newRecord(subject, n) {
  return (await waitForRecordsOf(edge, subject, n))[0].record;
}

const ran = (page) => page.evaluate(() => window.ran);

/** Appends a required gated script and waits for it to run: gated scripts run
 * in document order, one after the other, so whatever gating queued before
 * it (a re-run included) has run by then. */
async function settleGating(page) {
  await page.evaluate(() => {
    const s = document.createElement("script");
    s.type = "text/plain";
    s.dataset.assent = "necessary";
    s.text = 'window.ran.push("sentinel")';
    document.body.append(s);
  });
  await page.waitForFunction(() => window.ran.includes("sentinel"));
  return (await ran(page)).filter((x) => x !== "sentinel");
}
const cookies = (page) => page.evaluate(() => document.cookie.split("; ").filter(Boolean).map((c) => c.split("=")[0]).sort());
const outbox = (page) => page.evaluate(() => JSON.parse(localStorage.getItem("assent:demo:outbox") || "[]"));
const consentCommands = (page) =>
  page.evaluate(() => window.dataLayer.map((a) => Array.from(a)).filter((a) => a[0] === "consent"));

test("gated scripts: only required ones before consent; then each allowed one once, in document order", async () => {
  const { context, page } = await visit();
  assert.deepEqual(await ran(page), ["necessary"], "an optional script ran before consent");

  // Analytics only, from the panel.
  await page.click(button("section.banner", "customise"));
  await page.locator("#assent-host >> input[data-purpose=analytics]").check();
  await page.click(button("[role=dialog]", "save"));
  await page.waitForFunction(() => window.ran.length === 4);
  assert.deepEqual(await ran(page), ["necessary", "matomo-1", "ga", "matomo-2"]);
  const rec = await newRecord(await subjectOf(page), 1);
  assert.deepEqual(rec.event.decisions, { necessary: true, analytics: true, marketing: false, personalisation: false });
  assert.deepEqual(rec.event.services, {
    matomo: true, "google-analytics": true, "google-ads": false, programmatic: false, recommendations: false, youtube: false,
  });

  // Another choice re-runs the gating: nothing that ran runs twice.
  await page.evaluate(() => window.assent.set({ personalisation: true }));
  await page.waitForFunction(() => document.querySelector("iframe[data-assent]").getAttribute("src") !== null);
  assert.deepEqual(await settleGating(page), ["necessary", "matomo-1", "ga", "matomo-2"]);
  assert.equal((await newRecord(await subjectOf(page), 2)).event.decisions.personalisation, true);

  // The next page view runs them at start, once.
  await page.reload();
  await page.evaluate(() => window.assent.ready);
  await page.waitForFunction(() => window.ran.length === 4);
  assert.deepEqual(await ran(page), ["necessary", "matomo-1", "ga", "matomo-2"]);
  await context.close();
});

test("a service refused inside an accepted purpose does not run, and the record says so", async () => {
  const { context, page } = await visit();
  await page.click(button("section.banner", "customise"));
  const dialog = page.locator("#assent-host >> [role=dialog]");
  await dialog.locator("input[data-purpose=analytics]").check();
  // The services are inside the purpose's collapsed section.
  await dialog.locator(".purpose:has(input[data-purpose=analytics]) summary").click();
  assert.equal(await dialog.locator("input[data-service=matomo]").isChecked(), true, "services follow their purpose");
  await dialog.locator("input[data-service=matomo]").uncheck();
  await page.click(button("[role=dialog]", "save"));
  await page.waitForFunction(() => window.ran.includes("ga"));
  assert.deepEqual(await settleGating(page), ["necessary", "ga"]);
  assert.equal(await page.evaluate(() => window.assent.accepted("analytics", "google-analytics")), true);
  assert.equal(await page.evaluate(() => window.assent.accepted("analytics", "matomo")), false);
  assert.equal(await page.evaluate(() => window.assent.accepted("analytics")), false,
    "code tagged only with the purpose could be the refused service");
  // The site's own UI setting analytics again keeps the visitor's refusal of matomo.
  await page.evaluate(() => window.assent.set({ analytics: true, marketing: true }));
  assert.equal(await page.evaluate(() => window.assent.accepted("analytics", "matomo")), false);
  const rec = await newRecord(await subjectOf(page), 2);
  assert.equal(rec.event.services.matomo, false);
  assert.equal(rec.event.services["google-analytics"], true);
  assert.equal(rec.event.services.programmatic, true, "a purpose switched on brings its services");
  await context.close();
});

test("an embed shows a placeholder; allow and load records the consent and loads only that embed", async () => {
  const { context, page } = await visit();
  const iframe = page.locator("iframe[data-assent]");
  assert.equal(await iframe.getAttribute("src"), null, "the embed loaded before consent");
  const placeholder = page.locator("[data-assent-placeholder=personalisation]");
  assert.match(await placeholder.locator("p").textContent(), /needs your consent to Personalisation/);
  const box = await placeholder.boundingBox();
  assert.equal(Math.round(box.width), 560, "the placeholder keeps the embed's size");

  await placeholder.locator("button").click();
  await page.waitForFunction(() => document.querySelector("iframe[data-assent]").getAttribute("src") === "/fixture-video.html");
  assert.equal(await placeholder.count(), 0);
  const rec = await newRecord(await subjectOf(page), 1);
  assert.deepEqual(rec.event.ui, { surface: "embed", control: "allow_embed" });
  assert.equal(rec.event.action, "give");
  assert.equal(rec.event.decisions.personalisation, true);
  assert.equal(rec.event.decisions.analytics, false);
  assert.equal(rec.event.services.youtube, true);
  assert.equal(rec.event.services.recommendations, false, "allowing one embed allows no other service");
  assert.deepEqual(await ran(page), ["necessary"]);
  await context.close();
});

// An embed's "Allow and load" is a choice about its own purpose (and
// service) only: the banner's question stays open. The event has a boolean
// for every purpose, so what was not asked is recorded false, and nothing
// undecided is granted; the widget remembers that the banner is unanswered.
test("an embed allowed while the banner is open decides its purpose only: the banner stays and returns, nothing undecided is granted", async () => {
  const { context, page } = await visit();
  await page.locator("[data-assent-placeholder=personalisation] >> button").click();
  await page.waitForFunction(() => document.querySelector("iframe[data-assent]").getAttribute("src") === "/fixture-video.html");
  assert.equal(await page.locator(BANNER).count(), 1, "the embed's allow answered the banner");
  const subject = await subjectOf(page);
  const rec = await newRecord(subject, 1);
  assert.equal(rec.event.decisions.personalisation, true);
  assert.equal(rec.event.decisions.analytics, false, "an undecided purpose is recorded false");
  assert.equal(await page.evaluate(() => window.assent.accepted("analytics")), false);
  assert.deepEqual(await ran(page), ["necessary"]);

  // The next page view asks again, and the embed's own grant holds.
  await page.reload();
  await page.evaluate(() => window.assent.ready);
  assert.equal(await page.locator(BANNER).count(), 1, "the banner did not return for the undecided purposes");
  assert.equal(await page.locator("iframe[data-assent]").getAttribute("src"), "/fixture-video.html");
  assert.deepEqual(await ran(page), ["necessary"]);

  // Answering it decides everything, for good.
  await page.click(button("section.banner", "reject_all"));
  const answer = await newRecord(subject, 2);
  assert.deepEqual(answer.event.ui, { surface: "banner", control: "reject_all" });
  assert.equal(answer.event.decisions.personalisation, false);
  await page.reload();
  await page.evaluate(() => window.assent.ready);
  assert.equal(await page.locator(BANNER).count(), 0, "an answered banner came back");
  await context.close();
});

// The edge takes the choice in force as the last event in log order, and
// checks each event's action against the one before: so events of one
// visitor arrive strictly in order, one at a time.
test("the outbox keeps order: pagehide sends only the oldest unsent event; the next visit sends the rest, in order", async () => {
  const { context, page } = await visit();
  await recordSends(page);
  const firstFailed = await failedSends(page, 1);
  await page.route(EVENTS, (route) => route.abort("connectionreset"));
  await page.click(button("section.banner", "accept_all"));
  await page.evaluate(() => window.assent.withdraw());
  const subject = await subjectOf(page);
  await firstFailed();
  await page.unroute(EVENTS);
  await page.goto("about:blank"); // leaves before the 1 s retry
  assert.equal((await newRecord(subject, 1)).event.action, "give");
  // Every send the page made is noted by the time it is gone: the failed
  // one(s) and the pagehide flush, all of the oldest event; the newer one waits.
  const sends = await sendsNoted(page);
  assert.ok(sends.length >= 2, "no pagehide flush");
  assert.deepEqual(new Set(sends.map((x) => x.action)), new Set(["give"]), "a newer event was sent before the older one was answered");
  assert.equal((await recordsOf(edge, subject)).length, 1);

  await page.goto(`${edge.url}/fixture`);
  await page.evaluate(() => window.assent.ready);
  const both = await waitForRecordsOf(edge, subject, 2);
  assert.deepEqual(both.map((r) => r.record.event.action), ["withdraw", "give"], "newest first: in the order they were made");
  await context.close();
});

test("Consent Mode: default denied before any tag, then an update after each choice", async () => {
  const { context, page } = await visit();
  const tagSaw = await page.evaluate(() => window.tagSaw);
  assert.deepEqual(tagSaw[0].slice(0, 2), ["consent", "default"], "the default did not precede the tag");
  const def = tagSaw[0][2];
  for (const s of ["ad_storage", "ad_user_data", "ad_personalization", "analytics_storage",
    "functionality_storage", "personalization_storage", "security_storage"]) {
    assert.equal(def[s], "denied", s);
  }
  assert.equal(def.wait_for_update, 500);
  assert.equal((await consentCommands(page)).filter((c) => c[1] === "update").length, 0, "no update before a choice");
  // The site's regional defaults follow as soon as its config is in.
  const regional = (await consentCommands(page)).filter((c) => c[1] === "default" && c[2].region);
  assert.equal(regional.length, 1);
  assert.deepEqual(regional[0][2].region, ["US-CA", "US-CO", "US-VA"]);
  assert.equal(regional[0][2].security_storage, "granted");
  assert.equal(regional[0][2].ad_storage, "denied");

  await page.click(button("section.banner", "customise"));
  await page.locator("#assent-host >> input[data-purpose=analytics]").check();
  await page.click(button("[role=dialog]", "save"));
  // The demo is a TCF site: the update carries the CMP's reading of the
  // string, so it goes once the CMP (off the banner path) is in.
  const updatesNow = async () => (await consentCommands(page)).filter((c) => c[1] === "update");
  await eventually(async () => (await updatesNow()).length > 0, "the update");
  let updates = await updatesNow();
  assert.equal(updates.length, 1);
  assert.equal(updates[0][2].analytics_storage, "granted");
  assert.equal(updates[0][2].ad_storage, "denied");
  assert.equal(updates[0][2].ad_user_data, "denied");
  assert.equal(updates[0][2].security_storage, "granted", "mapped to the required purpose");

  await page.evaluate(() => window.assent.set({ marketing: true }));
  await eventually(async () => (await updatesNow()).length > 1, "the second update");
  updates = await updatesNow();
  assert.equal(updates.length, 2);
  assert.equal(updates[1][2].ad_storage, "granted");
  assert.equal(updates[1][2].ad_personalization, "granted");
  await context.close();
});

test("Global Privacy Control: shown, honoured by accept all, recorded; an explicit switch is recorded as such", async () => {
  const { context, page } = await visit({ gpc: true });
  const en = await siteConfig(edge, "en");
  // The first layer's button says what it does; the panel says why.
  assert.equal((await page.locator(button("section.banner", "accept_all")).textContent()).trim(), en.notice.texts.accept_all_gpc);
  await page.click(button("section.banner", "customise"));
  assert.equal(await page.locator("#assent-host >> [role=dialog] .gpc").textContent(), en.notice.texts.gpc_honoured);
  await page.keyboard.press("Escape");

  await page.click(button("section.banner", "accept_all"));
  const subject = await subjectOf(page);
  let rec = await newRecord(subject, 1);
  assert.equal(rec.event.gpc, true);
  assert.equal(rec.sec_gpc, true, "the edge records the Sec-GPC header");
  assert.deepEqual(rec.event.decisions, { necessary: true, analytics: true, marketing: false, personalisation: true });
  assert.deepEqual(await ran(page), ["necessary", "matomo-1", "ga", "matomo-2"]);

  // The visitor's own switch can grant it, and the record says it was theirs.
  await page.evaluate(() => window.assent.show());
  await page.locator("#assent-host >> input[data-purpose=marketing]").check();
  await page.click(button("[role=dialog]", "save"));
  rec = await newRecord(subject, 2);
  assert.deepEqual(rec.event.ui, { surface: "preferences", control: "save" });
  assert.equal(rec.event.decisions.marketing, true);
  assert.equal(rec.event.gpc, true);
  await page.waitForFunction(() => window.ran.includes("marketing"));

  // A later change elsewhere keeps that grant, and the edge accepts it.
  await page.evaluate(() => window.assent.set({ analytics: false }));
  rec = await newRecord(subject, 3);
  assert.deepEqual(rec.event.ui, { surface: "api", control: "api" });
  assert.deepEqual([rec.event.decisions.analytics, rec.event.decisions.marketing], [false, true]);

  // "Accept all" never grants it under GPC, in the panel either.
  await page.evaluate(() => window.assent.show());
  await page.click(button("[role=dialog]", "accept_all"));
  rec = await newRecord(subject, 4);
  assert.equal(rec.event.decisions.marketing, false);
  assert.equal(await page.evaluate(() => window.assent.accepted("marketing")), false);
  await context.close();
});

test("withdraw: one call, its own event and receipt, cookies of refused services removed, embeds unloaded", async () => {
  const { context, page } = await visit();
  await page.click(button("section.banner", "accept_all"));
  await page.waitForFunction(() => window.ran.includes("marketing") && document.cookie.includes("_ga="));
  assert.ok((await page.locator("iframe[data-assent]").getAttribute("src")) !== null);
  const subject = await subjectOf(page);
  await newRecord(subject, 1);
  await page.evaluate(() => { document.cookie = "sid=keep; path=/"; });
  await page.evaluate(() => {
    window.seen = [];
    for (const n of ["assent:change", "assent:withdraw"]) document.addEventListener(n, (e) => window.seen.push([n, e.detail]));
  });

  await page.evaluate(() => window.assent.withdraw());
  const seen = await page.evaluate(() => window.seen);
  const none = { necessary: true, analytics: false, marketing: false, personalisation: false };
  assert.deepEqual(seen, [["assent:change", none], ["assent:withdraw", none]]);
  const rec = await newRecord(subject, 2);
  assert.equal(rec.event.action, "withdraw");
  assert.deepEqual(rec.event.ui, { surface: "api", control: "withdraw_all" });
  assert.deepEqual(await cookies(page), ["sid"], "cookies of refused services are removed, required ones kept");
  assert.equal(await page.locator("iframe[data-assent]").getAttribute("src"), null, "the embed was unloaded");
  assert.equal(await page.locator("[data-assent-placeholder]").count(), 1);
  for (let i = 0; i < 50 && (await page.evaluate(() => window.assent.receipts().length)) < 2; i++) await page.waitForTimeout(100);
  assert.equal(await page.evaluate(() => window.assent.receipts().length), 2, "each change has its receipt");

  // The panel's "Withdraw all" appears once something is granted again.
  await page.evaluate(() => window.assent.set({ analytics: true }));
  await page.evaluate(() => window.assent.show());
  await page.click(button("[role=dialog]", "withdraw_all"));
  const last = await newRecord(subject, 4);
  assert.deepEqual(last.event.ui, { surface: "preferences", control: "withdraw_all" });
  assert.equal(last.event.action, "withdraw");
  assert.deepEqual(await ran(page), ["necessary", "matomo-1", "ga", "matomo-2", "marketing"], "nothing re-ran");
  await context.close();
});

test("the site's own set() before any choice: nothing named, nothing recorded; withdraw() records a refusal once", async () => {
  const { context, page } = await visit();
  const stored = () => page.evaluate(() => ({
    choice: localStorage.getItem("assent:demo"),
    outbox: JSON.parse(localStorage.getItem("assent:demo:outbox") || "[]").length,
  }));
  await page.evaluate(() => window.assent.set({}));
  await page.evaluate(() => window.assent.set({ nonsense: true, necessary: false }));
  assert.deepEqual(await stored(), { choice: null, outbox: 0 }, "set() without a known purpose recorded a choice");
  assert.equal(await page.locator(BANNER).count(), 1, "the banner must stay until the visitor chooses");

  await page.evaluate(() => window.assent.withdraw());
  assert.equal(await page.locator(BANNER).count(), 0, "withdraw() before a choice records the refusal");
  const first = JSON.parse((await stored()).choice);
  assert.equal(first.action, "refuse");
  await page.evaluate(() => window.assent.withdraw()); // nothing granted: nothing to record
  assert.equal(JSON.parse((await stored()).choice).event_id, first.event_id);
  const rec = await newRecord(first.subject, 1);
  assert.equal(rec.event.event_id, first.event_id);
  await context.close();
});

test("re-consent: a refusal holds within the lifetime; a new notice version or an expired choice asks again, same subject", async () => {
  const { context, page } = await visit();
  await page.click(button("section.banner", "reject_all"));
  const subject = await subjectOf(page);
  await page.reload();
  await page.evaluate(() => window.assent.ready);
  assert.equal(await page.locator(BANNER).count(), 0, "a refusal is not asked again within the lifetime");

  // The stored choice was made on an older notice version.
  await page.evaluate(() => {
    const c = JSON.parse(localStorage.getItem("assent:demo"));
    c.notice.version = "2020-01-01";
    c.decisions.analytics = true;
    localStorage.setItem("assent:demo", JSON.stringify(c));
  });
  await page.reload();
  await page.locator(BANNER).waitFor();
  assert.equal(await page.evaluate(() => window.assent.accepted("analytics")), false, "an outdated choice grants nothing");
  await page.click(button("section.banner", "customise"));
  await page.locator("#assent-host >> [role=dialog]").waitFor();
  const checked = await page.locator("#assent-host >> input[data-purpose]:not([disabled])").evaluateAll((xs) => xs.map((x) => x.checked));
  assert.deepEqual(checked, [false, false, false], "nothing pre-ticked on a new notice");
  await page.click(button("[role=dialog]", "accept_all"));
  const rec = await newRecord(subject, 2);
  assert.equal(rec.event.subject, subject, "the visitor keeps their pseudonymous id");

  // The choice is older than the lifetime (182 days).
  await page.evaluate(() => {
    const c = JSON.parse(localStorage.getItem("assent:demo"));
    c.client_time_ms -= 183 * 86400000;
    localStorage.setItem("assent:demo", JSON.stringify(c));
  });
  await page.reload();
  await page.locator(BANNER).waitFor();
  assert.equal(await page.evaluate(() => window.assent.accepted("analytics")), false, "an expired choice grants nothing");
  assert.equal(await subjectOf(page), subject, "the subject was not kept");
  await page.click(button("section.banner", "customise"));
  await page.locator("#assent-host >> [role=dialog]").waitFor();
  const again = await page.locator("#assent-host >> input[data-purpose]:not([disabled])").evaluateAll((xs) => xs.map((x) => x.checked));
  assert.deepEqual(again, [false, false, false], "the expired accept-all was pre-ticked");
  await context.close();
});

// Not a test here: "a refusal after an expired grant is stored". Expiry cannot
// be faked end to end: rewinding only the widget's stored time leaves the
// log's record young, so the edge (rightly) still sees the grant in force and
// answers `action_mismatch`; moving the page's clock instead makes the edge
// refuse the event as `client_time_skew`. Both sides decide with core's one
// rule (`assent_core::lifetime::in_force`) on the same timestamp (the event's
// `client_time_ms`), and core's conformance suite checks the log's side
// ("expired choice": a give after an expired give is stored).

test("a first-party edge keeps the choice in its own HttpOnly cookie: cleared storage does not ask again", async () => {
  const { context, page } = await visit();
  const answer = page.waitForResponse((r) => r.url().endsWith("/v1/sites/demo/events") && r.request().method() === "POST");
  await page.click(button("section.banner", "accept_all"));
  const setCookie = await (await answer).headerValue("set-cookie");
  assert.match(setCookie, /^assent_demo=[\w-]+\.[\w-]+\.[\w-]+; Path=\/v1\/sites\/demo; Max-Age=15724800; SameSite=Lax; HttpOnly$/);
  assert.ok(!(await page.evaluate(() => document.cookie)).includes("assent_demo"), "scripts cannot read it");

  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.evaluate(() => window.assent.ready);
  assert.equal(await page.locator(BANNER).count(), 0, "the edge's cookie remembered the choice");
  assert.equal(await page.evaluate(() => window.assent.accepted("marketing")), true);
  // The remembered choice is the same choice: making it again records nothing.
  const subject = await subjectOf(page);
  const sent = [];
  page.on("request", (r) => { if (r.method() === "POST" && r.url().endsWith("/v1/sites/demo/events")) sent.push(r.url()); });
  const choice = () => page.evaluate(() => JSON.parse(localStorage.getItem("assent:demo")));
  const before = await choice();
  // set() records synchronously when it records at all: once it resolved,
  // the outbox and the stored choice say whether anything was recorded.
  await page.evaluate(() => window.assent.set({ analytics: true, marketing: true }));
  assert.deepEqual(await outbox(page), [], "set() of the same choice queued an event");
  assert.equal((await choice()).event_id, before.event_id, "set() of the same choice made a new one");
  assert.deepEqual(sent, []);
  assert.equal((await recordsOf(edge, subject)).length, 1, "nothing new was recorded");

  // A stored value that is not a choice (another script wrote it) does not
  // hide the edge's cookie either.
  await page.evaluate(() => localStorage.setItem("assent:demo", "{}"));
  await page.reload();
  await page.evaluate(() => window.assent.ready);
  assert.equal(await page.locator(BANNER).count(), 0);
  assert.deepEqual(await page.evaluate(() => window.assent.get()), { necessary: true, analytics: true, marketing: true, personalisation: true });
  await context.close();
});

test("pagehide sends the outbox with keepalive: a choice whose send failed arrives without a next visit", async () => {
  const { context, page } = await visit();
  await recordSends(page);
  const firstFailed = await failedSends(page, 1);
  await page.route(EVENTS, (route) => route.abort("connectionreset"));
  await page.click(button("section.banner", "accept_all"));
  const subject = await subjectOf(page);
  await firstFailed();
  await page.unroute(EVENTS);
  await page.goto("about:blank"); // leaves before the 1 s retry
  const rec = await newRecord(subject, 1);
  assert.equal(rec.event.action, "give");
  const sends = await sendsNoted(page);
  assert.equal(sends.length, 2, "the failed send and the pagehide flush");
  assert.equal(sends[1].id, rec.event.event_id);
  assert.deepEqual(sends.map((x) => x.keepalive), [true, true], "sent without keepalive");
  await context.close();
});

test("the panel traps focus: Tab and Shift+Tab cycle inside it", async () => {
  const { context, page } = await visit();
  await page.click(button("section.banner", "customise"));
  await page.locator("#assent-host >> [role=dialog]").waitFor();
  const inside = () => page.evaluate(() => {
    const root = document.getElementById("assent-host").shadowRoot;
    return !!root.activeElement && !!root.activeElement.closest(".panel");
  });
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press("Tab");
    assert.ok(await inside(), `focus left the dialog after ${i + 1} Tab presses`);
  }
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press("Shift+Tab");
    assert.ok(await inside(), `focus left the dialog after ${i + 1} Shift+Tab presses`);
  }
  await context.close();
});

test("elements parsed after the widget started are gated too (slow page)", async () => {
  const context = await browser.newContext();
  // The body waits on a slow script, so the notice and the wasm arrive while
  // the parser is still above the embed and the last gated script.
  const slow = FIXTURE.replace("<h1>Fixture</h1>", '<h1>Fixture</h1><script src="/slow.js"></script>')
    .replace("</body>", '<script type="text/plain" data-assent="necessary">window.ran.push("late-necessary");</script></body>');
  await context.route(`${edge.url}/fixture`, (route) => route.fulfill({ contentType: "text/html", body: slow }));
  // The premise, by construction: slow.js is answered only once the config
  // and the wasm have arrived; and it notes whether the parser had reached the
  // embed by then (it must not have).
  const arrived = new Set();
  context.on("requestfinished", (r) => {
    if (r.url().includes("/v1/sites/demo/config")) arrived.add("config");
    if (r.url().endsWith(".wasm")) arrived.add("wasm");
  });
  await context.route(`${edge.url}/slow.js`, async (route) => {
    for (let i = 0; i < 150 && arrived.size < 2; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(arrived.size, 2, "the config and the wasm did not arrive while the page was parsed");
    await route.fulfill({
      contentType: "text/javascript",
      body: 'window.embedParsedBeforeSlow = !!document.querySelector("iframe[data-assent]"); window.readyStateAtSlow = document.readyState;',
    });
  });
  const page = await context.newPage();
  await page.goto(`${edge.url}/fixture`);
  await page.evaluate(() => window.assent.ready);
  assert.deepEqual(await page.evaluate(() => [window.embedParsedBeforeSlow, window.readyStateAtSlow]), [false, "loading"],
    "the premise: the widget's inputs were in while the parser was still above the embed");
  assert.equal(await page.locator("iframe[data-assent]").getAttribute("src"), null);
  assert.equal(await page.locator("[data-assent-placeholder=personalisation]").count(), 1, "the late embed got no placeholder");
  assert.deepEqual(await ran(page), ["necessary", "late-necessary"]);
  await context.close();
});

test("gated scripts and embeds a single-page app adds later are gated as they arrive", async () => {
  const { context, page } = await visit();
  await page.evaluate(() => {
    const s = document.createElement("script");
    s.type = "text/plain";
    s.dataset.assent = "analytics";
    s.dataset.assentService = "matomo";
    s.text = 'window.ran.push("spa-analytics")';
    const f = document.createElement("iframe");
    f.dataset.assent = "marketing";
    f.dataset.src = "/fixture-video.html";
    f.id = "spa-embed";
    document.body.append(s, f);
  });
  await page.locator("[data-assent-placeholder=marketing]").waitFor();
  assert.equal(await page.locator("#spa-embed").getAttribute("src"), null);
  assert.deepEqual(await ran(page), ["necessary"]);
  await page.click(button("section.banner", "accept_all"));
  await page.waitForFunction(() => window.ran.includes("spa-analytics"));
  await page.waitForFunction(() => document.getElementById("spa-embed").getAttribute("src") === "/fixture-video.html");
  // And one added after consent runs at once.
  await page.evaluate(() => {
    const s = document.createElement("script");
    s.type = "text/plain";
    s.dataset.assent = "analytics";
    s.text = 'window.ran.push("spa-late")';
    document.body.append(s);
  });
  await page.waitForFunction(() => window.ran.includes("spa-late"));
  assert.equal((await ran(page)).filter((x) => x === "spa-analytics").length, 1, "ran twice");
  await context.close();
});
