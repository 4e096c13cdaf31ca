// Limits and restarts of the real worker: a flood is cut off with a stable
// code, and a worker restart loses no stored event (SQLite-backed Durable
// Objects on disk under wrangler dev).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEdge, adminRecords, siteConfig, demoEvent } from "./harness.mjs";

let edge;
before(async () => {
  edge = await startEdge();
});
after(async () => edge?.stop());

async function validEvent() {
  const en = await siteConfig(edge, "en");
  return demoEvent(en, {
    action: "give",
    decisions: { necessary: true, analytics: true, marketing: false, personalisation: false },
    ui: { surface: "preferences", control: "save" },
  });
}

// How many requests a flood sends at most. The limit is 120 a minute, counted
// in fixed 60 s windows: a flood that straddles a window's end is counted in
// two, so it sends enough for the second window alone to pass its 120.
const FLOOD = 250;

const post = (body) =>
  fetch(`${edge.url}/v1/sites/demo/events`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

test("a worker restart keeps every stored event, and idempotency with it", async () => {
  const event = await validEvent();
  const first = await post(event);
  assert.equal(first.status, 201);
  const body = await first.json();

  await edge.restart();

  const page = await adminRecords(edge);
  assert.deepEqual(page.records.map((r) => r.record.event.event_id), [event.event_id]);
  const again = await post(event);
  assert.equal(again.status, 200, "the same event after a restart is not stored twice");
  assert.deepEqual(await again.json(), body);
  const next = await post(await validEvent());
  assert.equal((await next.json()).log.index, 1, "the log continues where it was");
});

test("a flood from one client is refused with rate_limited and stores nothing", async () => {
  const before = (await adminRecords(edge)).total;
  const statuses = [];
  for (let i = 0; i < FLOOD; i++) {
    const r = await fetch(`${edge.url}/v1/sites/demo/config`);
    statuses.push(r.status);
    if (r.status === 429) {
      const body = await r.json();
      assert.equal(body.error.code, "rate_limited");
      assert.equal(r.headers.get("retry-after"), "60");
      break;
    }
    await r.arrayBuffer();
  }
  assert.equal(statuses.at(-1), 429, "no request was limited");
  assert.ok(statuses.length > 100, `limited too early, after ${statuses.length} requests`);
  const refused = await post(await validEvent());
  assert.equal(refused.status, 429);
  assert.equal((await refused.json()).error.code, "rate_limited");
  assert.equal((await adminRecords(edge)).total, before);
});

test("one client's limit does not touch another client", async () => {
  // The limiter keys on CF-Connecting-IP (hashed): flood as one address ...
  const config = (ip) => fetch(`${edge.url}/v1/sites/demo/config`, { headers: { "cf-connecting-ip": ip } });
  let limited = false;
  for (let i = 0; i < FLOOD && !limited; i++) {
    const r = await config("203.0.113.1");
    limited = r.status === 429;
    await r.arrayBuffer();
  }
  assert.ok(limited, "the flooding client was never limited");
  // ... and another address is still served: the edge reads the header it
  // limits on (were it ignored, every request would share one key).
  const other = await config("203.0.113.2");
  assert.equal(other.status, 200);
});

test("one client's limit on one site does not touch the same client on another site", async () => {
  // edge/sites/ holds two sites, demo and example: the limiter keys on both.
  const config = (site) => fetch(`${edge.url}/v1/sites/${site}/config`, { headers: { "cf-connecting-ip": "203.0.113.9" } });
  let limited = false;
  for (let i = 0; i < FLOOD && !limited; i++) {
    const r = await config("demo");
    limited = r.status === 429;
    await r.arrayBuffer();
  }
  assert.ok(limited, "the client was never limited on demo");
  const other = await config("example");
  assert.equal(other.status, 200, "the limit on demo spilled over to example");
  assert.equal((await other.json()).site, "example");
  assert.equal((await config("demo")).status, 429, "demo's limit lifted by asking another site");
});

test("without the limiter binding the edge fails open (a dev-only config)", async () => {
  const open = await startEdge({ rateLimit: false });
  try {
    const statuses = [];
    for (let i = 0; i < FLOOD; i++) {
      const r = await fetch(`${open.url}/v1/sites/demo/config`);
      statuses.push(r.status);
      await r.arrayBuffer();
    }
    assert.deepEqual([...new Set(statuses)], [200]);
  } finally {
    await open.stop();
  }
});
