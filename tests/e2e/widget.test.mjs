// The widget in real Chromium against the real worker: what the visitor sees
// and what the edge stores.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { readFileSync } from "node:fs";
import { adminRecords, pageErrors, siteConfig, recordsOf, subjectOf, waitForRecordsOf, eventually } from "./harness.mjs";
import { useEdgeAndChromium, edge, browser } from "./setup.mjs";

useEdgeAndChromium();

const BANNER = "#assent-host >> section.banner";
const button = (scope, act) => `#assent-host >> ${scope} button[data-act=${act}]`;

async function waitForRecords(n) {
  for (let i = 0; i < 100; i++) {
    const page = await adminRecords(edge);
    if (page.total >= n) return page;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected ${n} stored records`);
}

/** Serves the demo page with another `lang` attribute (or none). */
async function servePageWithLang(page, lang) {
  await page.route(edge.url + "/", async (route) => {
    const response = await route.fetch();
    const html = (await response.text()).replace('<html lang="en">', lang ? `<html lang="${lang}">` : "<html>");
    await route.fulfill({ response, body: html });
  });
}

/** Serves the demo page with the static tag (`/assent.js`, which fetches the
 *  notice after it arrives) where the demo has the per-site tag: for the
 *  tests of that fetch. A TCF site's stub comes first, as the per-site
 *  answer puts it. */
async function serveWithStaticTag(page) {
  await page.route(edge.url + "/", async (route) => {
    const response = await route.fetch();
    const html = (await response.text()).replace('<script src="/v1/sites/demo/assent.js"></script>',
      '<script src="/assent-tcf-stub.js"></script><script src="/assent.js" data-site="demo"></script>');
    assert.match(html, /src="\/assent.js"/);
    await route.fulfill({ response, body: html });
  });
}

/** Records layout shifts from page start, so a test can assert there were none. */
const trackLayoutShift = () => {
  window.__cls = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
  }).observe({ type: "layout-shift", buffered: true });
};

test("reject all, reload, then change to accept all from Privacy choices", async () => {
  const context = await browser.newContext({ locale: "en-GB" });
  const page = await context.newPage();
  await page.addInitScript(trackLayoutShift);
  await page.goto(edge.url + "/");
  const banner = page.locator(BANNER);
  await banner.waitFor();
  assert.equal(await banner.locator("h2").textContent(), "Your privacy, your choice");

  // Equal prominence: the three first-layer buttons have the same size and style.
  const styles = await page.locator(`${BANNER} button`).evaluateAll((bs) =>
    bs.map((b) => {
      const s = getComputedStyle(b);
      const r = b.getBoundingClientRect();
      return { act: b.dataset.act, w: Math.round(r.width), h: Math.round(r.height), bg: s.backgroundColor, fg: s.color, font: s.font };
    }),
  );
  assert.deepEqual(styles.map((s) => s.act), ["accept_all", "reject_all", "customise"]);
  for (const s of styles.slice(1)) {
    assert.deepEqual({ ...s, act: "" }, { ...styles[0], act: "" }, "buttons differ in size or style");
  }

  await page.click(button("section.banner", "reject_all"));
  await banner.waitFor({ state: "detached" });
  const cls = await page.evaluate(() => window.__cls);
  assert.equal(cls, 0, "the widget shifted the page layout");

  const first = (await waitForRecords(1)).records[0].record;
  const en = await siteConfig(edge, "en");
  assert.equal(first.event.action, "refuse");
  assert.deepEqual(first.event.decisions, { necessary: true, analytics: false, marketing: false, personalisation: false });
  assert.deepEqual(first.event.notice, { version: en.notice_version, language: "en", hash: en.notice_hash });
  assert.deepEqual(first.event.ui, { surface: "banner", control: "reject_all" });
  assert.equal(first.event.page.origin, edge.url);
  assert.equal(first.event.page.path, "/");
  assert.equal(first.prev_event_id, null);
  const now = Date.now();
  assert.ok(Math.abs(first.event.client_time_ms - now) < 60_000, "client time recorded");
  assert.ok(Math.abs(first.received_at_ms - now) < 60_000, "server time recorded");
  assert.ok(first.received_at_ms >= first.event.client_time_ms - 5_000);
  assert.match(first.event.subject, /^[0-9a-f-]{36}$/);

  // The choice is remembered: no banner after a reload, only the control.
  await page.reload();
  const choices = page.locator(button("", "choices").replace(" button", "button"));
  await choices.waitFor();
  assert.equal(await page.locator(BANNER).count(), 0, "banner came back after reload");
  assert.deepEqual(await page.evaluate(() => window.assent.get()), first.event.decisions);

  // Reopen, nothing optional is ticked (the stored refusal), then accept all.
  await choices.click();
  const dialog = page.locator("#assent-host >> [role=dialog]");
  await dialog.waitFor();
  const switches = await dialog.locator("input[data-purpose]").evaluateAll((xs) =>
    xs.map((x) => [x.dataset.purpose, x.checked, x.disabled]),
  );
  assert.deepEqual(switches, [
    ["necessary", true, true],
    ["analytics", false, false],
    ["marketing", false, false],
    ["personalisation", false, false],
  ]);
  await page.click(button("[role=dialog]", "accept_all"));
  await dialog.waitFor({ state: "detached" });

  const second = (await waitForRecords(2)).records[0].record;
  assert.equal(second.event.subject, first.event.subject, "same pseudonymous subject");
  assert.equal(second.prev_event_id, first.event.event_id, "linked to the previous event");
  assert.equal(second.event.action, "give");
  assert.deepEqual(second.event.ui, { surface: "preferences", control: "accept_all" });
  assert.deepEqual(second.event.decisions, { necessary: true, analytics: true, marketing: true, personalisation: true });
  assert.notEqual(second.event.event_id, first.event.event_id);
  await context.close();
});

test("a first visit ticks nothing, and saving records exactly the switches set", async () => {
  const context = await browser.newContext({ locale: "en-US" });
  const page = await context.newPage();
  await page.goto(edge.url + "/");
  await page.click(button("section.banner", "customise"));
  const dialog = page.locator("#assent-host >> [role=dialog]");
  await dialog.waitFor();
  const checked = await dialog.locator("input[data-purpose]:not([disabled])").evaluateAll((xs) => xs.map((x) => x.checked));
  assert.deepEqual(checked, [false, false, false], "something was pre-ticked");
  // Tick analytics only, then save.
  await dialog.locator("input[data-purpose=analytics]").check();
  const before = (await adminRecords(edge)).total;
  await page.click(button("[role=dialog]", "save"));
  const rec = (await waitForRecords(before + 1)).records[0].record;
  assert.equal(rec.event.action, "give");
  assert.deepEqual(rec.event.ui, { surface: "preferences", control: "save" });
  assert.deepEqual(rec.event.decisions, { necessary: true, analytics: true, marketing: false, personalisation: false });
  await context.close();
});

test("a German browser sees the German notice and its hash is recorded", async () => {
  const context = await browser.newContext({ locale: "de-DE" });
  const page = await context.newPage();
  // The demo page says lang="en"; serve it without, so the browser's languages decide.
  await servePageWithLang(page, null);
  await page.goto(edge.url + "/");
  const banner = page.locator(BANNER);
  await banner.waitFor();
  assert.equal(await banner.locator("h2").textContent(), "Ihre Privatsphäre, Ihre Wahl");
  assert.equal(await page.locator(button("section.banner", "reject_all")).textContent(), "Alle ablehnen");
  const before = (await adminRecords(edge)).total;
  await page.click(button("section.banner", "accept_all"));
  const rec = (await waitForRecords(before + 1)).records[0].record;
  const de = await siteConfig(edge, "de");
  assert.deepEqual(rec.event.notice, { version: de.notice_version, language: "de", hash: de.notice_hash });
  assert.notEqual(de.notice_hash, (await siteConfig(edge, "en")).notice_hash);
  await context.close();
});

test("the page's lang attribute wins over the browser's languages", async () => {
  const context = await browser.newContext({ locale: "de-DE" });
  const page = await context.newPage();
  await servePageWithLang(page, "fr");
  await page.goto(edge.url + "/");
  const banner = page.locator(BANNER);
  await banner.waitFor();
  assert.equal(await banner.locator("h2").textContent(), "Votre vie privée, votre choix");
  assert.equal(await banner.getAttribute("lang"), "fr");
  const before = (await adminRecords(edge)).total;
  await page.click(button("section.banner", "reject_all"));
  const rec = (await waitForRecords(before + 1)).records[0].record;
  const fr = await siteConfig(edge, "fr");
  assert.deepEqual(rec.event.notice, { version: fr.notice_version, language: "fr", hash: fr.notice_hash });
  await context.close();
});

// ---- faults: no consent event is lost, nothing is granted that was not chosen

const EVENTS = "**/v1/sites/demo/events";


const outbox = (page) => page.evaluate(() => JSON.parse(localStorage.getItem("assent:demo:outbox") || "[]"));

/** The event ids of every events POST the page sends, as seen at the network;
 * and, counted in the page as `fetch` is called (so a count read right after
 * the fake clock ran is complete), `window.__posts`. */
async function countSends(page) {
  await page.addInitScript(() => {
    window.__posts = 0;
    const fetch0 = window.fetch;
    window.fetch = function (url, init) {
      if (String(url).endsWith("/v1/sites/demo/events") && init?.method === "POST") window.__posts++;
      return fetch0.apply(this, arguments);
    };
  });
  const ids = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && r.url().endsWith("/v1/sites/demo/events")) ids.push(JSON.parse(r.postData()).event_id);
  });
  return ids;
}

// The edge dedupes by event id, so what it stores cannot show a widget that
// re-sends: these count the requests, and run the page's (fake) clock ten
// minutes on after the acknowledgement to see nothing more leave.
// (delivery.test.mjs checks the backoff schedule itself.)
test("offline at the click: the event waits in the outbox and arrives exactly once", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const sent = await countSends(page);
  await page.clock.install();
  await page.route(EVENTS, (route) => route.abort("internetdisconnected"));
  await page.goto(edge.url + "/");
  await page.click(button("section.banner", "reject_all"));
  await page.locator(BANNER).waitFor({ state: "detached" });
  const subject = await subjectOf(page);
  await eventually(() => sent.length === 1, "the first send");
  assert.equal((await outbox(page)).length, 1, "the event is kept locally");
  assert.equal((await recordsOf(edge, subject)).length, 0);

  await page.unroute(EVENTS);
  await page.clock.runFor(1300); // the first retry is due within 1 s + 30 %
  const stored = await waitForRecordsOf(edge, subject, 1);
  assert.equal(stored[0].record.event.action, "refuse");
  await eventually(async () => (await outbox(page)).length === 0, "acknowledged events to leave the outbox");
  assert.equal(sent.length, 2, "one failed send, one retry");
  await page.clock.runFor(600_000);
  assert.equal(await page.evaluate(() => window.__posts), 2, "sent again after it was acknowledged");
  assert.equal(sent.length, 2);
  assert.deepEqual(new Set(sent).size, 1, "the same event each time");
  assert.equal((await recordsOf(edge, subject)).length, 1, "stored once");
  await context.close();
});

test("the edge answering 500 three times, then 201: retried with backoff, stored once", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const sent = await countSends(page);
  await page.clock.install();
  let failures = 0;
  await page.route(EVENTS, (route) => {
    if (failures < 3) {
      failures++;
      return route.fulfill({ status: 500, contentType: "application/json", body: '{"error":{"code":"internal","message":"x"}}' });
    }
    return route.continue();
  });
  await page.goto(edge.url + "/");
  await page.click(button("section.banner", "accept_all"));
  const subject = await subjectOf(page);
  // A widget without backoff sends all four at once; with it, the page's
  // clock must move about 1 + 2 + 4 s first (delivery.test.mjs checks the
  // schedule to the millisecond).
  await eventually(() => failures === 1, "the first fault");
  await page.clock.runFor(700);
  assert.equal(sent.length, 1, "retried before 1 s: no backoff");
  await page.clock.runFor(9_000);
  const stored = await waitForRecordsOf(edge, subject, 1);
  assert.equal(failures, 3);
  assert.equal(stored[0].record.event.action, "give");
  await eventually(async () => (await outbox(page)).length === 0, "acknowledged events to leave the outbox");
  await page.clock.runFor(600_000);
  assert.equal(await page.evaluate(() => window.__posts), 4, "three faults, one success, nothing after it");
  assert.equal(sent.length, 4);
  assert.equal((await recordsOf(edge, subject)).length, 1);
  await context.close();
});

test("tab closed before the event was sent: it arrives on the next visit", async () => {
  const context = await browser.newContext();
  const first = await context.newPage();
  await first.route(EVENTS, (route) => route.abort("connectionreset"));
  await first.goto(edge.url + "/");
  await first.click(button("section.banner", "accept_all"));
  const subject = await subjectOf(first);
  // The edge is down while the tab closes, so the pagehide flush is lost
  // too: only the outbox in storage is left. A listener on the edge's port
  // sees that flush arrive and resets it (the browser sends it after the
  // page is gone, out of Playwright's sight), so the edge comes back only
  // once the flush has been lost.
  await edge.down();
  let flushes = 0;
  const sink = createServer((socket) => { flushes++; socket.resetAndDestroy(); });
  await new Promise((ok) => sink.listen(Number(new URL(edge.url).port), "127.0.0.1", ok));
  await first.close({ runBeforeUnload: true });
  await eventually(() => flushes > 0, "the pagehide flush");
  await new Promise((ok) => sink.close(ok));
  await edge.up();
  assert.equal((await recordsOf(edge, subject)).length, 0);

  const next = await context.newPage();
  await next.goto(edge.url + "/");
  const stored = await waitForRecordsOf(edge, subject, 1);
  assert.equal(stored[0].record.event.action, "give");
  assert.equal(await next.locator(BANNER).count(), 0, "the choice was remembered");
  await context.close();
});

test("storage blocked: the page works, and nothing optional outlives the page view", async () => {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    Object.defineProperty(window, "localStorage", {
      get() { throw new DOMException("blocked", "SecurityError"); },
    });
  });
  const page = await context.newPage();
  const errors = pageErrors(page);
  await page.goto(edge.url + "/");
  const before = (await adminRecords(edge)).total;
  await page.click(button("section.banner", "accept_all"));
  await page.locator(BANNER).waitFor({ state: "detached" });
  assert.equal((await page.evaluate(() => window.assent.get())).analytics, true, "the choice holds for this page view");
  await waitForRecords(before + 1); // still delivered: the outbox lives in memory
  // A browser that blocks storage blocks cookies too, so the edge's
  // first-party cookie (its own test in integrations.test.mjs) is gone as well.
  await context.clearCookies();
  await page.reload();
  await page.locator(BANNER).waitFor();
  assert.equal(await page.evaluate(() => window.assent.get()), null, "nothing is granted on the next page");
  assert.deepEqual(errors, []);
  await context.close();
});

test("behind a busy shared address: the config refused twice with 429 is asked again, and the banner comes", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = pageErrors(page);
  await serveWithStaticTag(page); // the config the static tag fetches
  let asked = 0;
  await page.route("**/v1/sites/demo/config**", (route) => {
    asked++;
    if (asked <= 2) {
      return route.fulfill({ status: 429, contentType: "application/json", headers: { "retry-after": "60" }, body: '{"error":{"code":"rate_limited","message":"x"}}' });
    }
    return route.continue();
  });
  const started = Date.now();
  await page.goto(edge.url + "/");
  await page.locator(BANNER).waitFor({ timeout: 15_000 });
  assert.equal(asked, 3, "asked again after each 429");
  assert.ok(Date.now() - started >= 2_900, "after 1 s, then 2 s: a backoff, not a loop");
  assert.equal(await page.evaluate(() => window.assent.accepted("analytics")), false, "nothing granted meanwhile");
  assert.deepEqual(errors, []);
  await context.close();
});

test("the edge down, then up: a dropped connection and a 503 are asked again, and the banner comes", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = pageErrors(page);
  await serveWithStaticTag(page); // the config the static tag fetches
  let asked = 0;
  await page.route("**/v1/sites/demo/config**", (route) => {
    asked++;
    if (asked == 1) return route.abort("connectionreset");
    if (asked == 2) return route.fulfill({ status: 503, body: "" });
    return route.continue();
  });
  await page.goto(edge.url + "/");
  await page.locator(BANNER).waitFor({ timeout: 15_000 });
  assert.equal(asked, 3);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the edge unreachable at load: asked again 4 times, then ready rejects, no banner, nothing granted, and Cookie settings says why", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = pageErrors(page);
  await serveWithStaticTag(page); // the config the static tag fetches
  let asked = 0;
  await page.route("**/v1/sites/demo/config**", (route) => {
    asked++;
    return route.abort("internetdisconnected");
  });
  // The retries wait 1, 2, 4 and 8 s: the page's clock runs them at once.
  await page.clock.install();
  await page.addInitScript(() => {
    window.readyEvents = 0;
    document.addEventListener("assent:ready", () => window.readyEvents++);
  });
  await page.goto(edge.url + "/");
  const outcome = page.evaluate(() => window.assent.ready.then(() => "resolved", (e) => "rejected: " + e));
  for (let i = 0; i < 5; i++) {
    await eventually(async () => asked > i, `attempt ${i + 1}`);
    await page.clock.runFor(8_000);
  }
  // The widget mounts only once ready resolves: its rejection is what proves no banner will come.
  assert.match(await outcome, /^rejected/, "ready did not reject with the edge unreachable");
  assert.equal(asked, 5, "the first ask and 4 more, then no more");
  assert.equal(await page.locator("#assent-host").count(), 0);
  assert.equal(await page.locator(BANNER).count(), 0);
  assert.equal(await page.evaluate(() => window.readyEvents), 0, "assent:ready fired for a widget that did not start");
  assert.equal(await page.evaluate(() => window.assent.accepted("analytics")), false);
  assert.equal(await page.evaluate(() => window.assent.get()), null);
  // "Cookie settings" says what is wrong instead of doing nothing.
  await page.click("#cookie-settings");
  await page.locator("#cookie-settings-said:not(:empty)").waitFor();
  assert.match(await page.locator("#cookie-settings-said").textContent(), /cannot be loaded: the consent service did not answer/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a switch slides into its state, and does not move for a visitor who asks for less motion", async () => {
  for (const [reducedMotion, expected] of [["no-preference", "0.12s"], ["reduce", "0s"]]) {
    const context = await browser.newContext({ reducedMotion });
    const page = await context.newPage();
    await page.goto(edge.url + "/");
    await page.click(`${BANNER} button[data-act=customise]`);
    const toggle = page.locator("#assent-host >> [role=dialog] input[data-purpose=analytics]");
    await toggle.waitFor();
    assert.equal(await toggle.evaluate((x) => getComputedStyle(x).transitionDuration.split(",")[0].trim()), expected, reducedMotion);
    await context.close();
  }
});

test("Arabic is laid out right to left", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await servePageWithLang(page, "ar");
  await page.goto(edge.url + "/");
  const banner = page.locator(BANNER);
  await banner.waitFor();
  assert.equal(await banner.locator("h2").textContent(), "خصوصيتك، اختيارك");
  assert.equal(await banner.evaluate((b) => getComputedStyle(b).direction), "rtl");
  const xs = await page.locator(`${BANNER} button`).evaluateAll((bs) => bs.map((b) => b.getBoundingClientRect().x));
  assert.ok(xs[0] > xs[2], "the first button sits on the right");
  // Cookie names are isolated left to right inside the right-to-left panel:
  // `_ga` reads `_ga`, not `ga_`.
  await page.click(`${BANNER} button[data-act=customise]`);
  const ga = page.locator("#assent-host >> .cookies code", { hasText: "_ga" }).first();
  await ga.waitFor({ state: "attached" });
  assert.equal(await ga.evaluate((c) => getComputedStyle(c).direction), "ltr");
  assert.equal(await ga.evaluate((c) => getComputedStyle(c).unicodeBidi), "isolate");
  await context.close();
});

test("texts from the notice are shown as text and never become markup", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = pageErrors(page);
  await serveWithStaticTag(page); // the config the static tag fetches
  // A site owner's override with markup in it (or a compromised config): the
  // answer of the real edge, with its texts changed on the way.
  const markup = `<img src=x onerror="window.__ran = 1">"'&`;
  await page.route(/\/v1\/sites\/demo\/config/, async (route) => {
    const response = await route.fetch();
    const answer = await response.json();
    answer.notice.texts.title = markup;
    answer.notice.texts.embed_blocked = `${markup} {purpose}`;
    const personalisation = answer.notice.purposes.find((p) => p.id == "personalisation");
    personalisation.name = markup;
    personalisation.services[0].name = markup;
    await route.fulfill({ response, json: answer });
  });
  await page.goto(edge.url + "/");
  const banner = page.locator(BANNER);
  await banner.waitFor();
  assert.equal(await banner.locator("h2").textContent(), markup);
  assert.equal(
    await page.locator("[data-assent-placeholder] >> p").textContent(),
    `${markup} ${markup}`,
    "the placeholder names the purpose, as text",
  );
  await page.locator(button("section.banner", "customise")).click();
  const purpose = page.locator("#assent-host >> .purpose", { has: page.locator("input[data-purpose=personalisation]") });
  assert.equal(await purpose.locator("summary span").first().textContent(), markup);
  assert.match(await purpose.locator(".services li").first().textContent(), /^<img src=x onerror/);
  const images = await page.evaluate(() => {
    const roots = [document, ...[...document.querySelectorAll("#assent-host, [data-assent-placeholder]")].map((h) => h.shadowRoot)];
    return roots.reduce((n, r) => n + r.querySelectorAll("img").length, 0);
  });
  assert.equal(images, 0, "no element was made from a text");
  assert.equal(await page.evaluate(() => window.__ran), undefined);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the demo lets a visitor switch language: the banner follows the page's language, the switch lists each language in its own name", async () => {
  const demo = JSON.parse(readFileSync(new URL("../../edge/sites/demo.json", import.meta.url), "utf8"));
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(edge.url + "/?lang=de");
  await page.locator(BANNER).waitFor();
  assert.equal(await page.locator(`${BANNER} h2`).textContent(), demo.languages.de.ui.title);
  const select = page.locator("#demo-lang");
  await page.locator("#demo-lang option[value=ar]").waitFor({ state: "attached" });
  assert.equal(await select.inputValue(), "de");
  assert.equal(await page.locator("#demo-lang option").count(), Object.keys(demo.languages).length);
  assert.equal(await page.locator("#demo-lang option[value=de]").textContent(), "Deutsch");
  await Promise.all([page.waitForURL(/\?lang=fr$/), select.selectOption("fr")]);
  await page.locator(BANNER).waitFor();
  assert.equal(await page.locator("html").getAttribute("lang"), "fr");
  assert.equal(await page.locator(`${BANNER} h2`).textContent(), demo.languages.fr.ui.title);
  await context.close();
});
