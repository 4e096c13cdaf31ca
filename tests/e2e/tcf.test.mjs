// IAB TCF on the real worker (issue 23): a consent event may carry the TC
// string the page set, and the edge holds it to the choice with core's one
// rule (`tcf::choice`). The strings here are made by the IAB's own library
// (`@iabtechlabtcf/core`) from the site's settings and the vendor list the
// edge is built with, so the edge is checked against the reference encoder,
// not against itself. The record keeps the string, the receipt covers it, and
// `assent verify log` rebuilds the signed checkpoints over it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { TCString, TCModel, GVL } from "@iabtechlabtcf/core";
import { startEdge, siteConfig, demoEvent, adminRecords } from "./harness.mjs";
import { auditLog } from "../../scripts/wrangler-dev.mjs";
import { segmentTypes } from "../tcf/library.mjs";

let edge, en;
before(async () => {
  edge = await startEdge({ rateLimit: false });
  en = await siteConfig(edge, "en");
});
after(async () => edge?.stop());

const LIST = JSON.parse(readFileSync(new URL("../../edge/gvl/vendor-list.json", import.meta.url), "utf8"));
const DAY = 86_400_000;

/** The string the IAB's library writes for the demo's settings, with these consents. */
function libraryString({ purposes, vendors, at }) {
  const m = new TCModel(new GVL({ ...LIST, stacks: {} })); // the list as committed keeps no stacks
  Object.assign(m, { cmpId: 4095, cmpVersion: 1, consentScreen: 1, isServiceSpecific: true, publisherCountryCode: "DE" });
  m.created = new Date(at - (at % DAY));
  m.lastUpdated = new Date(at - (at % DAY));
  m.purposeConsents.set(purposes);
  m.vendorConsents.set(vendors);
  m.vendorsDisclosed.set([21, 32, 52, 755]);
  // A service-specific string gets the publisher's segment from the library;
  // the demo has no publisher purposes of the IAB's, so the choice has none.
  const text = TCString.encode(m);
  return text.split(".").filter((segment, i) => i === 0 || segmentTypes(`x.${segment}`)[0] !== 3).join(".");
}

const post = (event) => fetch(`${edge.url}/v1/sites/demo/events`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(event),
});

const ALL = { necessary: true, analytics: true, marketing: true, personalisation: true };

test("a TC string the IAB's library writes for the choice is stored with it; the receipt covers it; the CLI verifies the log over it", async () => {
  const at = Date.now();
  // The demo's purposes stand for IAB purposes 1 to 10 together; its google-ads service is
  // vendor 755, its programmatic service vendors 21, 32 and 52.
  const tc = libraryString({ purposes: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], vendors: [21, 32, 52, 755], at });
  const event = demoEvent(en, { action: "give", decisions: ALL, ui: { surface: "banner", control: "accept_all" }, client_time_ms: at, tc_string: tc });
  const r = await post(event);
  assert.equal(r.status, 201, await r.clone().text());
  const answer = await r.json();
  assert.equal(answer.record.event.tc_string, tc);
  const claims = JSON.parse(Buffer.from(answer.receipt.split(".")[1], "base64url"));
  assert.equal(JSON.stringify(claims).includes(tc), true, "the signed receipt carries the string");
  const [stored] = (await adminRecords(edge)).records.filter((x) => x.record.event.event_id === event.event_id);
  assert.equal(stored.record.event.tc_string, tc);

  // The same choice sent without a string (chosen before the page's CMP had
  // loaded): the edge gives it the string of its choice, which the IAB's
  // library reads as it reads its own.
  const bare = demoEvent(en, { action: "give", decisions: ALL, ui: { surface: "banner", control: "accept_all" }, client_time_ms: at });
  const r2 = await post(bare);
  assert.equal(r2.status, 201, await r2.clone().text());
  const made = (await r2.json()).record.event.tc_string;
  const fields = (text) => {
    const m = TCString.decode(text);
    const ids = (v) => { const out = []; v.forEach((on, id) => { if (on) out.push(id); }); return out; };
    return [m.cmpId, m.created.getTime(), ids(m.purposeConsents), ids(m.vendorConsents), ids(m.vendorsDisclosed), ids(m.purposeLegitimateInterests)];
  };
  assert.deepEqual(fields(made), fields(tc));
  const audit = await auditLog(edge, "demo", new Set([event.event_id, bare.event_id]), 4);
  assert.deepEqual([audit.lost, audit.doubled, audit.valid], [0, 0, true], audit.stderr);
});

test("a TC string that says other than the choice is refused, tc_string_invalid, and nothing is stored", async () => {
  const at = Date.now();
  const before = (await adminRecords(edge)).total;
  const cases = [
    // Vendor 755 consented to while marketing was refused.
    ["a vendor the refusal did not grant", demoEvent(en, { client_time_ms: at, tc_string: libraryString({ purposes: [], vendors: [755], at }) })],
    // The right bits, on another day than the page's clock.
    ["another day", demoEvent(en, { action: "give", decisions: ALL, ui: { surface: "banner", control: "accept_all" }, client_time_ms: at,
      tc_string: libraryString({ purposes: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], vendors: [755], at: at - DAY }) })],
    ["not a TC string", demoEvent(en, { client_time_ms: at, tc_string: "CPc+not/base64" })],
  ];
  for (const [what, event] of cases) {
    const r = await post(event);
    assert.equal(r.status, 400, what);
    assert.equal((await r.json()).error.code, "tc_string_invalid", what);
  }
  assert.equal((await adminRecords(edge)).total, before, "nothing stored");
});
