// Faults a consent event must survive without being lost or doubled, on the
// real worker: a client that retries one event many times at once (a flaky
// network, a tab reopened while the outbox flushes), and a client whose clock
// is days off. Issue 20's load and kill tests build on these.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { startEdge, adminRecords, siteConfig, demoEvent, uuidv7 } from "./harness.mjs";

let edge, en;
before(async () => {
  edge = await startEdge({ rateLimit: false });
  en = await siteConfig(edge, "en");
});
after(async () => edge?.stop());

const DAY = 86_400_000;

function post(body, key) {
  return fetch(`${edge.url}/v1/sites/demo/events`, {
    method: "POST",
    headers: { "content-type": "application/json", "assent-key": key },
    body: JSON.stringify(body),
  });
}

/** The records of `subject`, over every shard. */
async function recordsOf(subject) {
  return (await adminRecords(edge)).records.filter((r) => r.record.event.subject === subject);
}

for (const [kind, subject] of [["a home-shard (UUIDv4)", () => randomUUID()], ["a sharded (UUIDv7)", () => uuidv7()]]) {
  test(`one event of ${kind} subject sent 50 times at once is one record with one receipt`, async () => {
    const event = demoEvent(en, { subject: subject() });
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => post(event, key).then(async (r) => ({ status: r.status, body: await r.json() }))),
    );
    const statuses = answers.map((a) => a.status);
    assert.ok(statuses.every((s) => s === 201 || s === 200), `statuses ${[...new Set(statuses)]}`);
    assert.equal(statuses.filter((s) => s === 201).length, 1, "exactly one answer stored it");
    const receipts = new Set(answers.map((a) => a.body.receipt));
    assert.equal(receipts.size, 1, "every answer carries the one receipt");
    assert.match([...receipts][0], /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const stored = await recordsOf(event.subject);
    assert.equal(stored.length, 1);
    assert.equal(stored[0].record.event.event_id, event.event_id);
  });
}

test("a client clock days slow is recorded with both clocks; days fast is refused and stores nothing", async () => {
  const now = Date.now();
  const slow = demoEvent(en, { client_time_ms: now - 3 * DAY });
  const r = await post(slow, randomUUID());
  assert.equal(r.status, 201);
  const [record] = await recordsOf(slow.subject);
  assert.equal(record.record.event.client_time_ms, slow.client_time_ms, "the browser's clock, as sent");
  assert.ok(Math.abs(record.record.received_at_ms - now) < 60_000, "the edge's clock beside it");

  const before = (await adminRecords(edge)).total;
  const fast = demoEvent(en, { client_time_ms: now + 2 * DAY });
  const refused = await post(fast, randomUUID());
  assert.equal(refused.status, 400);
  assert.equal((await refused.json()).error.code, "client_time_skew");
  assert.equal((await adminRecords(edge)).total, before);
});
