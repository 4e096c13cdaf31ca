// IAB TCF in the page (issue 23's "Done when"): the demo site, which has TCF
// settings, in real Chromium. A page script reads the visitor's choice
// through `__tcfapi` (ping, getTCData, an event listener) and the string is
// decoded with the IAB's own library, `@iabtechlabtcf/core`, to the choices
// made in the banner and the panel; the edge's record keeps the same string.
// Also: the vendor list in the panel, a frame's call through the
// `__tcfapiLocator` postMessage channel, Google Consent Mode following the
// string, and the per-site tag, whose answer carries the stub.
import { test } from "node:test";
import assert from "node:assert/strict";
import { TCString } from "@iabtechlabtcf/core";
import { useEdgeAndChromium, edge, browser } from "./setup.mjs";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { assent, cmpLoaded, eventually, pageErrors, scratch, subjectOf, waitForRecordsOf } from "./harness.mjs";

useEdgeAndChromium({ rateLimit: false });

// A vendor's script as a page would run it: registered at once, before the CMP has loaded.
function listen() {
  window.tcfEvents = [];
  const wait = () => {
    if (!window.__tcfapi) return setTimeout(wait, 0);
    window.__tcfapi("ping", 2, (ping) => { window.stubPing = ping; });
    window.__tcfapi("addEventListener", 2, (data, ok) => { if (ok) window.tcfEvents.push(JSON.parse(JSON.stringify(data))); });
  };
  wait();
}

const api = (page, command, parameter) =>
  page.evaluate(([command, parameter]) => new Promise((done) => {
    window.__tcfapi(command, 2, (value, ok) => done({ value, ok }), parameter);
  }), [command, parameter]);

const decode = (text) => {
  const m = TCString.decode(text);
  const ids = (vector) => { const out = []; vector.forEach((on, id) => { if (on) out.push(id); }); return out; };
  return { cmpId: m.cmpId, purposes: ids(m.purposeConsents), vendors: ids(m.vendorConsents), disclosed: ids(m.vendorsDisclosed), legitimate: ids(m.purposeLegitimateInterests) };
};

const consentUpdates = (page) => page.evaluate(() => window.dataLayer.filter((a) => a[0] === "consent" && a[1] === "update").map((a) => a[2]));

async function visit(path = "/", headers = {}) {
  const context = await browser.newContext({ extraHTTPHeaders: headers });
  const page = await context.newPage();
  const errors = pageErrors(page);
  await page.addInitScript(listen);
  await page.goto(edge.url + path);
  await page.evaluate(() => window.assent.ready);
  // The CMP loads off the banner path: a vendor waits for it as here.
  await cmpLoaded(page);
  return { context, page, errors };
}

test("a choice made in the panel reaches a vendor through __tcfapi, and the IAB's library reads it as made", async () => {
  const { context, page, errors } = await visit();
  const stubPing = await page.evaluate(() => window.stubPing);
  assert.equal(stubPing.cmpStatus, "stub", "the stub answered ping before the CMP loaded");
  assert.equal(stubPing.gdprApplies, undefined, "the stub cannot know whether the GDPR applies");
  await eventually(async () => (await page.evaluate(() => window.tcfEvents.length)) >= 1, "the listener's first call");

  // Before a choice: the banner shows, and the string says no to everything.
  const ping = await api(page, "ping");
  assert.deepEqual([ping.value.cmpLoaded, ping.value.cmpStatus, ping.value.displayStatus, ping.value.cmpId, ping.value.gvlVersion], [true, "loaded", "visible", 4095, 7]);
  const [first] = await page.evaluate(() => window.tcfEvents);
  assert.equal(first.eventStatus, "cmpuishown");
  assert.equal(first.gdprApplies, true);
  assert.deepEqual(decode(first.tcString).purposes, [], "no consent before a choice");
  assert.deepEqual(decode(first.tcString).disclosed, [21, 32, 52, 755]);

  // The panel lists the vendor with its purposes, its legitimate interests and the objection to them.
  await page.click("#assent-host >> section.banner button[data-act=customise]");
  const vendor = page.locator("#assent-host >> .panel .tcf-vendor[data-vendor='755']");
  await vendor.waitFor({ state: "attached" });
  const text = await vendor.textContent();
  assert.match(text, /Google Advertising Products/);
  assert.match(text, /Consent for: Store and\/or access information on a device/);
  assert.match(text, /Legitimate interest claimed, objected to: .*Use limited data to select advertising/);
  const objection = vendor.locator("input[role=switch]");
  assert.deepEqual(await objection.evaluate((i) => [i.checked, i.disabled]), [true, true], "the objection stands, locked: consent only");

  // Marketing on, the rest off, saved in the panel.
  await page.locator("#assent-host >> .panel summary").first().waitFor();
  for (const [purpose, on] of [["analytics", false], ["marketing", true], ["personalisation", false]]) {
    await page.locator(`#assent-host >> .panel input[data-purpose=${purpose}]`).setChecked(on);
  }
  await page.click("#assent-host >> .panel button[data-act=save]");
  await eventually(async () => (await page.evaluate(() => window.tcfEvents.at(-1).eventStatus)) === "useractioncomplete", "the listener told of the choice");

  const last = await page.evaluate(() => window.tcfEvents.at(-1));
  const read = decode(last.tcString);
  // marketing stands for IAB purposes 1, 2, 3, 4, 7, 9, 10 (edge/sites/demo.json); its google-ads
  // service is vendor 755, its programmatic service vendors 21, 32 and 52.
  assert.deepEqual(read, { cmpId: 4095, purposes: [1, 2, 3, 4, 7, 9, 10], vendors: [21, 32, 52, 755], disclosed: [21, 32, 52, 755], legitimate: [] });
  assert.equal(last.vendor.consents[755], true);

  const data = await api(page, "getTCData");
  assert.equal(data.ok, true);
  assert.equal(data.value.tcString, last.tcString);
  assert.equal(data.value.eventStatus, "useractioncomplete");
  assert.equal(data.value.purpose.consents[8], undefined, "analytics (purpose 8) refused");
  const some = await api(page, "getTCData", [755, 8]);
  assert.deepEqual(some.value.vendor.consents, { 755: true, 8: false }, "only the vendors asked for (8 is not the site's)");

  // The record the edge keeps has the same string; its receipt covers it.
  const [record] = await waitForRecordsOf(edge, await subjectOf(page));
  assert.equal(record.record.event.tc_string, last.tcString);

  // The auditor's CLI makes the string of the record's choice again, over the
  // notice and the disclosure the archive keeps, from the receipt the browser kept.
  const dir = scratch();
  const receipt = join(dir, "receipt.jws");
  writeFileSync(receipt, (await eventually(async () => (await page.evaluate(() => window.assent.receipts()))[0], "the receipt")));
  const ok = assent(["verify", "tc-string", "--edge", edge.url, receipt]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^VALID TC string: .*purposes consented 1,2,3,4,7,9,10, vendors consented 21,32,52,755, vendors disclosed 21,32,52,755 \(receipt signature verified\)/);
  // A record carrying another string (the one shown before the choice: no consent) is refused.
  const forged = structuredClone(record.record);
  forged.event.tc_string = first.tcString;
  writeFileSync(join(dir, "forged.json"), JSON.stringify(forged));
  const bad = assent(["verify", "tc-string", "--edge", edge.url, join(dir, "forged.json")]);
  assert.equal(bad.status, 1, bad.stderr);
  assert.match(bad.stderr, /not the string of its choice/);

  // Google Consent Mode follows the string: Google's vendor consent and purposes 1, 3, 4, 7,
  // in the one update of the one choice.
  const updates = await consentUpdates(page);
  assert.equal(updates.length, 1, "one update per choice");
  const [update] = updates;
  assert.deepEqual([update.ad_storage, update.ad_user_data, update.ad_personalization], ["granted", "granted", "granted"]);
  assert.equal((await consentUpdates(page)).some((u) => u.analytics_storage === "granted"), false, "analytics stays refused");

  const removed = await page.evaluate(() => new Promise((done) => window.__tcfapi("removeEventListener", 2, done, 1)));
  assert.equal(removed, true);
  assert.equal((await api(page, "nonsense")).ok, false, "an unknown command fails");
  assert.deepEqual(errors, []);
  await context.close();
});

test("reject all: a string with no consent, Google's signals denied; a returning visitor's CMP says tcloaded", async () => {
  const { context, page } = await visit();
  await page.click("#assent-host >> section.banner button[data-act=reject_all]");
  await eventually(async () => (await page.evaluate(() => window.tcfEvents.at(-1)?.eventStatus)) === "useractioncomplete", "the choice");
  const text = await page.evaluate(() => window.tcfEvents.at(-1).tcString);
  assert.deepEqual(decode(text), { cmpId: 4095, purposes: [], vendors: [], disclosed: [21, 32, 52, 755], legitimate: [] });
  const updates = await consentUpdates(page);
  assert.equal(updates.length, 1, "one update per choice");
  assert.deepEqual([updates[0].ad_storage, updates[0].ad_user_data, updates[0].ad_personalization], ["denied", "denied", "denied"]);
  const [record] = await waitForRecordsOf(edge, await subjectOf(page));
  assert.equal(record.record.event.tc_string, text);

  // The next page: the choice stands, no banner, the string of the same day.
  await page.reload();
  await page.evaluate(() => window.assent.ready);
  await eventually(async () => (await page.evaluate(() => window.tcfEvents.length)) >= 1, "the listener's first call");
  const again = await page.evaluate(() => window.tcfEvents[0]);
  assert.equal(again.eventStatus, "tcloaded");
  assert.equal(again.tcString, text);
  assert.equal((await api(page, "ping")).value.displayStatus, "hidden");
  // Reopening the choices shows the UI again: listeners hear so, ping says so.
  await page.evaluate(() => window.assent.show());
  await eventually(async () => (await page.evaluate(() => window.tcfEvents.at(-1).eventStatus)) === "cmpuishown", "the UI shown again");
  assert.equal(await page.evaluate(() => window.tcfEvents.length), 2);
  assert.equal((await api(page, "ping")).value.displayStatus, "visible");
  await page.keyboard.press("Escape");
  await eventually(async () => (await api(page, "ping")).value.displayStatus === "hidden", "the panel closed");
  const returning = await consentUpdates(page);
  assert.equal(returning.length, 1, "one update for the choice in force");
  assert.equal(returning[0].ad_storage, "denied");
  await context.close();
});

// Where the site's jurisdiction rules do not ask consent (the demo lets US
// states with privacy laws opt out), the GDPR does not apply: TCData says only
// that, with the policy version and the CMP. The place comes from X-Assent-Geo
// under wrangler dev (jurisdiction.test.mjs).
test("a visitor where the GDPR does not apply: gdprApplies false, and TCData says no more", async () => {
  const { context, page, errors } = await visit("/", { "x-assent-geo": "US-CA" });
  assert.equal((await api(page, "ping")).value.gdprApplies, false);
  const data = (await api(page, "getTCData")).value;
  assert.deepEqual(Object.keys(data).filter((k) => data[k] !== undefined).sort(), ["cmpId", "cmpVersion", "gdprApplies", "tcfPolicyVersion"]);
  assert.deepEqual([data.gdprApplies, data.cmpId, data.cmpVersion], [false, 4095, 1]);
  assert.equal(typeof data.tcfPolicyVersion, "number");
  const [heard] = await page.evaluate(() => window.tcfEvents);
  assert.equal(heard.gdprApplies, false);
  assert.equal(typeof heard.listenerId, "number", "a listener has its id, to remove it by");
  assert.deepEqual(errors, []);
  await context.close();
});

// The banner does not wait for the CMP (it loads off the banner path). A
// choice made before it is in goes without its string; the edge makes it by
// the same rule, and the CMP, once in, reads the same string.
test("a choice before the CMP is in: the edge gives the record its string, the CMP reads the same, Consent Mode updates once", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = pageErrors(page);
  let release;
  const held = new Promise((done) => { release = done; });
  await page.route("**/assent-tcf.wasm", async (route) => { await held; await route.continue(); });
  await page.addInitScript(listen);
  await page.goto(edge.url + "/");
  await page.locator("#assent-host >> section.banner").waitFor();
  assert.equal((await api(page, "ping")).value.cmpStatus, "stub", "the banner is up, the CMP is not");
  await page.click("#assent-host >> section.banner button[data-act=accept_all]");
  const [record] = await waitForRecordsOf(edge, await subjectOf(page));
  const stored = record.record.event.tc_string;
  assert.deepEqual(decode(stored), { cmpId: 4095, purposes: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], vendors: [21, 32, 52, 755], disclosed: [21, 32, 52, 755], legitimate: [] });
  assert.equal((await consentUpdates(page)).length, 0, "Consent Mode waits for the CMP's reading");

  release();
  await eventually(async () => (await page.evaluate(() => window.tcfEvents.length)) >= 1, "the listener's first call");
  const first = await page.evaluate(() => window.tcfEvents[0]);
  assert.deepEqual([first.eventStatus, first.tcString], ["tcloaded", stored], "the page's string is the record's");
  await eventually(async () => (await consentUpdates(page)).length === 1, "the update");
  assert.equal((await consentUpdates(page))[0].ad_storage, "granted");
  assert.deepEqual(errors, []);
  await context.close();
});

// A fault: the CMP's wasm cannot be had (the CDN answers 503). The banner and
// the choice are untouched: the record still gets its string from the edge,
// Consent Mode still gets its one update (Assent's own mapping), and the API
// says the CMP failed rather than staying silent.
test("the CMP cannot load: the choice is recorded with the edge's string, Consent Mode updates, ping says error", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.route("**/assent-tcf.wasm", (route) => route.fulfill({ status: 503, body: "unavailable" }));
  await page.addInitScript(listen);
  await page.goto(edge.url + "/");
  await page.evaluate(() => window.assent.ready);
  await eventually(async () => (await api(page, "ping")).value.cmpStatus === "error", "the CMP's failure");
  const ping = (await api(page, "ping")).value;
  assert.deepEqual([ping.cmpLoaded, ping.cmpStatus], [false, "error"]);
  const silent = await page.evaluate(() => new Promise((done) => {
    window.__tcfapi("getTCData", 2, () => done("answered"));
    setTimeout(() => done("silent"), 300);
  }));
  assert.equal(silent, "silent", "nothing but ping is answered");
  await page.click("#assent-host >> section.banner button[data-act=accept_all]");
  const [record] = await waitForRecordsOf(edge, await subjectOf(page));
  assert.deepEqual(decode(record.record.event.tc_string).vendors, [21, 32, 52, 755], "the edge made the string");
  await eventually(async () => (await consentUpdates(page)).length === 1, "the update");
  assert.equal((await consentUpdates(page))[0].analytics_storage, "granted");
  assert.equal(await page.evaluate(() => window.tcfEvents.length), 0, "no listener was told anything");
  await context.close();
});

// Assent's own mapping grants the ad signals with marketing; Google reads the
// string, where its vendor (755, the google-ads service) is refused. The one
// update says what Google will read.
test("marketing on but Google's service refused: the one update denies the ad signals, as Google reads the string", async () => {
  const { context, page, errors } = await visit();
  await page.click("#assent-host >> section.banner button[data-act=customise]");
  await page.locator("#assent-host >> .panel input[data-purpose=marketing]").setChecked(true);
  // The services are inside the purpose's collapsed section.
  await page.locator("#assent-host >> .panel .purpose:has(input[data-purpose=marketing]) summary").click();
  await page.locator("#assent-host >> .panel input[data-service=google-ads]").setChecked(false);
  await page.click("#assent-host >> .panel button[data-act=save]");
  await eventually(async () => (await page.evaluate(() => window.tcfEvents.at(-1).eventStatus)) === "useractioncomplete", "the choice");
  const read = decode(await page.evaluate(() => window.tcfEvents.at(-1).tcString));
  assert.deepEqual([read.purposes.includes(1), read.vendors], [true, [21, 32, 52]], "purposes consented, Google not");
  const updates = await consentUpdates(page);
  assert.equal(updates.length, 1, "one update per choice");
  assert.deepEqual([updates[0].ad_storage, updates[0].ad_user_data, updates[0].ad_personalization], ["denied", "denied", "denied"]);
  const [record] = await waitForRecordsOf(edge, await subjectOf(page));
  assert.equal(record.record.event.decisions.marketing, true);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a vendor in a frame finds the CMP by its locator frame and asks over postMessage", async () => {
  const { context, page } = await visit();
  await page.evaluate(() => new Promise((done) => {
    const f = document.createElement("iframe");
    f.src = "/video.html";
    f.onload = done;
    document.body.append(f);
  }));
  const frame = page.frames().find((f) => f !== page.mainFrame() && /\/video/.test(f.url()));
  const answer = await frame.evaluate(() => new Promise((done) => {
    let w = window;
    while (!w.frames.__tcfapiLocator && w !== window.top) w = w.parent;
    window.addEventListener("message", (e) => { if (e.data?.__tcfapiReturn) done(e.data.__tcfapiReturn); });
    w.postMessage({ __tcfapiCall: { command: "getTCData", version: 2, callId: "c1" } }, "*");
  }));
  assert.equal(answer.callId, "c1");
  assert.equal(answer.success, true);
  assert.equal(answer.returnValue.cmpId, 4095);
  assert.equal(decode(answer.returnValue.tcString).disclosed.join(), "21,32,52,755");
  await context.close();
});

test("the per-site tag of a TCF site carries the stub before its loader; a site without TCF gets none", async () => {
  const tcf = await (await fetch(`${edge.url}/v1/sites/demo/assent.js`)).text();
  assert.ok(tcf.indexOf("__tcfapiLocator") >= 0 && tcf.indexOf("__tcfapiLocator") < tcf.indexOf("document.currentScript.__assent"));
  const plain = await (await fetch(`${edge.url}/v1/sites/example/assent.js`)).text();
  assert.equal(plain.includes("__tcfapiLocator"), false);
});
