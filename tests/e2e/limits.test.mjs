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

// The documented limits (docs/rights.md "Limits", assent_core::limits, wrangler.toml).
const ADDRESS = 1200; // per site and address, a minute
const VISITOR = 120; // per site, address and subject key, a minute
const OWNER = 300; // the owner's routes, per site and address, and per key id, a minute

const post = (body, headers = {}) =>
  fetch(`${edge.url}/v1/sites/demo/events`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

/**
 * Waits for the start of the limiter's next window: it counts in fixed 60 s
 * windows (from the epoch), so a flood that starts there is counted whole
 * in one and each limit can be pinned to its number.
 */
async function freshWindow() {
  await new Promise((ok) => setTimeout(ok, 60_000 - (Date.now() % 60_000) + 200));
}

/** The limiter's window now (its minute). */
const windowNow = () => Math.floor(Date.now() / 60_000);

/**
 * Runs one flood within one window of the limiter: in this one if 25 s of
 * it are left, else in the next; fails if the flood still crossed into
 * another (its counts would prove nothing). On a loaded machine the floods
 * together took more than a minute (2026-12-07), each alone a few seconds.
 */
async function inOneWindow(flood) {
  if (60_000 - (Date.now() % 60_000) < 25_000) await freshWindow();
  const start = windowNow();
  const result = await flood();
  assert.equal(windowNow(), start, "the flood fit in one window of the limiter");
  return result;
}

/** Sends `n` requests made by `make`, one after another; their statuses. */
async function burst(n, make) {
  const statuses = [];
  for (let i = 0; i < n; i++) {
    const r = await make(i);
    statuses.push(r.status);
    await r.arrayBuffer();
  }
  return statuses;
}

const count = (statuses, status) => statuses.filter((s) => s === status).length;

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

test("each limit at its number, counted against who bears it: the address, the visitor, the owner's address and key id; a page answers a limit with a page", async () => {
  await freshWindow();
  const t0 = windowNow();
  const at = (ip) => ({ "cf-connecting-ip": ip });
  const config = (ip, site = "demo") => fetch(`${edge.url}/v1/sites/${site}/config`, { headers: at(ip) });

  // The address's ceiling: every request without a subject key counts.
  const a = await burst(ADDRESS + 1, () => config("203.0.113.1"));
  assert.equal(count(a, 200), ADDRESS, "the address is served up to its ceiling");
  const limited = await config("203.0.113.1");
  assert.equal(limited.status, 429);
  assert.equal((await limited.json()).error.code, "rate_limited");
  assert.equal(limited.headers.get("retry-after"), "60");
  const before = (await adminRecords(edge)).total;
  assert.equal((await post(await validEvent(), at("203.0.113.1"))).status, 429, "an event from the address too");
  assert.equal((await adminRecords(edge)).total, before, "nothing stored");
  assert.equal((await config("203.0.113.1", "example")).status, 200, "another site is another bucket");
  assert.equal((await config("203.0.113.2")).status, 200, "another address is served (the edge reads the header it limits on)");
  // A person's pages answer a limit with a page, not JSON.
  const page = await fetch(`${edge.url}/v1/sites/demo/privacy`, { headers: at("203.0.113.1") });
  assert.equal(page.status, 429);
  assert.match(page.headers.get("content-type"), /^text\/html/);
  assert.match(await page.text(), /data-outcome="rate_limited"/);
  assert.equal(windowNow(), t0, "the address's flood and its checks fit in one window of the limiter");

  // A visitor: one address and one subject key.
  const key = crypto.randomUUID();
  const event = await validEvent();
  const v = await inOneWindow(() => burst(VISITOR + 1, () => post(event, { ...at("203.0.113.3"), "assent-key": key })));
  assert.deepEqual([v[0], count(v, 200), v.at(-1)], [201, VISITOR - 1, 429], "stored, repeated, then limited at its number");
  // Others behind the same address are not held back by it.
  assert.equal((await post(await validEvent(), { ...at("203.0.113.3"), "assent-key": crypto.randomUUID() })).status, 201);
  assert.equal((await config("203.0.113.3")).status, 200);

  // The owner's routes: per address, unknown keys counted too ...
  const guess = () => `ask.demo.${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}.${"x".repeat(43)}`;
  const admin = (ip, key) => fetch(`${edge.url}/v1/admin/sites/demo/events`, { headers: { ...at(ip), authorization: `Bearer ${key}` } });
  const [o, right] = await inOneWindow(async () => [
    await burst(OWNER + 1, () => admin("203.0.113.4", guess())),
    (await admin("203.0.113.4", edge.adminKey)).status,
  ]);
  assert.deepEqual([count(o, 401), o.at(-1)], [OWNER, 429], "guesses from one address: refused, then limited");
  assert.equal(right, 429, "even the right key, from that address, this minute");
  // ... and per key id, from any address.
  const id = guess();
  const k = await inOneWindow(() => burst(OWNER + 1, (i) => admin(`198.51.100.${i}`, id)));
  assert.deepEqual([count(k, 401), k.at(-1)], [OWNER, 429], "one key id from many addresses: refused, then limited");
  assert.equal((await admin("198.51.100.200", guess())).status, 401, "another id is not held back");
});

test("without the limiter binding the edge fails open (a dev-only config)", async () => {
  const open = await startEdge({ rateLimit: false });
  try {
    const statuses = [];
    for (let i = 0; i < ADDRESS + 10; i++) {
      const r = await fetch(`${open.url}/v1/sites/demo/config`);
      statuses.push(r.status);
      await r.arrayBuffer();
    }
    assert.deepEqual([...new Set(statuses)], [200]);
  } finally {
    await open.stop();
  }
});
