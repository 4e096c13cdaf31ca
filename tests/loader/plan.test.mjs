// A first visit without the engine: state.js answers from the edge's plan
// (`answer.first`, widget/src/plan.rs) and fetches no wasm; the event a
// first-layer button records is the plan's with the page's own fields, and
// the engine, once in, takes the choice up as its own.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { demoAnswer, memoryStorage, loader, wasm } from "./env.mjs";

const { open, read, list } = await loader("storage");
const { begin, record, get, accepts } = await loader("state");
const S = await loader("state"); // `engine`, a live binding
const { asking, signal } = await loader("engine");

globalThis.fetch = () => new Promise(() => {});
const answer = demoAnswer("en");
let ls, fetched;
const counted = () => { fetched++; return wasm(); };
beforeEach(() => {
  ls = memoryStorage();
  fetched = 0;
});
const view = (a = answer, gpc = false) => {
  open("demo", () => ls);
  return begin("demo", structuredClone(a), gpc, counted);
};

test("a first visit asks from the plan, grants only what is required, and fetches no engine", () => {
  assert.equal(view(), true);
  assert.equal(asking(), true);
  assert.equal(get(), null);
  assert.equal(accepts("necessary"), true);
  assert.equal(accepts("necessary", "session"), true);
  assert.equal(accepts("analytics"), false);
  assert.equal(accepts("analytics", "matomo"), false);
  assert.equal(fetched, 0);
});

test("'Accept all' records the plan's event with the page's own fields, and what follows is the plan's", () => {
  view();
  const before = Date.now();
  const e = record("accept_all", 0);
  const { event_id, subject, client_time_ms, gpc, page, ...rest } = e;
  assert.deepEqual(rest, answer.first.choices.accept_all.event, "the rest is the edge's, word for word");
  assert.match(event_id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.match(subject, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(parseInt(subject.slice(0, 8) + subject.slice(9, 13), 16), client_time_ms, "the subject carries its time");
  assert.ok(client_time_ms >= before && client_time_ms <= Date.now());
  assert.equal(gpc, false);
  assert.deepEqual(page, { origin: location.origin, path: location.pathname });
  assert.deepEqual(list(":outbox"), [e], "queued as recorded");
  assert.deepEqual(read(""), { ...e, unanswered: false });
  assert.equal(asking(), false);
  assert.deepEqual(get(), { necessary: true, analytics: true, marketing: true, personalisation: true });
  assert.equal(accepts("marketing", "google-ads"), true);
  assert.equal(accepts("marketing", "unlisted"), false);
  assert.equal(signal("ad_storage", []), true);
  assert.equal(fetched, 0, "no engine for any of it");
});

test("'Reject all' grants only what is required and the signals mapped to it", () => {
  view();
  const e = record("reject_all", 0);
  assert.equal(e.action, "refuse");
  assert.equal(accepts("analytics"), false);
  assert.equal(signal("ad_storage", []), false);
  assert.equal(signal("security_storage", []), true);
});

test("the engine, once in, takes up the plan's choice as its own", async () => {
  view();
  const e = record("reject_all", 0);
  assert.equal(await S.engine(), false, "answered: the banner does not ask");
  assert.equal(fetched, 1);
  assert.equal(asking(), false);
  assert.deepEqual(get(), { necessary: true, analytics: false, marketing: false, personalisation: false });
  const next = record("allow", 0, "personalisation", "youtube");
  assert.equal(next.subject, e.subject, "one visitor, one subject");
  assert.equal(next.action, "give");
  assert.equal(accepts("personalisation", "youtube"), true);
});

test("the next view of a visitor who chose takes the engine, fetched once", async () => {
  view();
  record("accept_all", 0);
  const asks = view();
  assert.ok(asks instanceof Promise, "the stored choice waits for the engine");
  assert.equal(await asks, false);
  assert.equal(fetched, 1);
});

test("under Global Privacy Control the plan's own GPC choices serve, still without the engine", () => {
  assert.deepEqual(Object.keys(answer.first.gpc), ["accept_all"], "the demo sells or shares under marketing");
  assert.equal(view(answer, true), true);
  const e = record("accept_all", 0);
  const { event_id, subject, client_time_ms, gpc, page, ...rest } = e;
  assert.deepEqual(rest, answer.first.gpc.accept_all.event);
  assert.equal(gpc, true, "the event says GPC was sent");
  assert.equal(e.decisions.marketing, false, "GPC keeps sale and sharing off");
  assert.equal(e.decisions.analytics, true);
  assert.equal(accepts("marketing"), false);
  assert.equal(signal("ad_storage", []), false);
  ls = memoryStorage(); // another first visit
  view(answer, true);
  assert.deepEqual(record("reject_all", 0).decisions, answer.first.choices.reject_all.event.decisions, "what GPC does not change is the plain plan's");
  assert.equal(fetched, 0);
});

test("without a plan (an older edge) the engine decides", async () => {
  const { first, ...older } = answer;
  assert.ok(first);
  assert.equal(await view(older), true);
  assert.equal(fetched, 1);
});
