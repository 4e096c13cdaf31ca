// outbox.js: events of a visitor reach the edge strictly in order, one at a
// time; the next leaves only after the edge answered for the one before
// (2xx, or a 4xx that is final); faults retry the same event with backoff and
// jitter, capped at 60 s; a flush (pagehide, online) never overtakes.
import { test, beforeEach, mock } from "node:test";
import assert from "node:assert/strict";
import { memoryStorage, settle } from "./env.mjs";
import { open, list, read, write } from "../../widget/loader/storage.js";
import { enqueue, flush, sendTo } from "../../widget/loader/outbox.js";

// The edge, answered by hand: each request waits until the test answers it.
let sent, waiting;
globalThis.fetch = (url, init) => {
  assert.equal(url, "https://edge.example/v1/sites/demo/events");
  assert.equal(init.keepalive, true, "every request survives the page");
  sent.push(JSON.parse(init.body).event_id);
  return new Promise((resolve, reject) => {
    waiting.push({ resolve, reject });
    // As a browser does: an aborted request fails, whatever the edge does later.
    init.signal.addEventListener("abort", () => reject(new DOMException("The operation was aborted.", "AbortError")));
  });
};
async function answer(status, body = "{}") {
  const next = waiting.shift();
  if (status === 0) next.reject(new TypeError("Failed to fetch"));
  else next.resolve({ status, text: async () => body });
  await settle();
}
const event = (id) => ({ event_id: id, action: "give" });
const outbox = () => list(":outbox").map((e) => e.event_id);

let site = 0;
beforeEach(() => {
  sent = [];
  waiting = [];
  open(`demo${site++}`, () => memoryStorage());
  sendTo("https://edge.example/v1/sites/demo/events");
  mock.timers.enable({ apis: ["setTimeout"] });
  mock.method(Math, "random", () => 1); // the most jitter: 30 % of the delay
});

test("one event at a time, oldest first: the next only after the edge answered", async () => {
  enqueue(event("a"));
  enqueue(event("b"));
  enqueue(event("c"));
  assert.deepEqual(sent, ["a"]);
  flush(); // pagehide or online while one is in flight
  assert.deepEqual(sent, ["a"], "a flush overtook the event in flight");
  await answer(201, '{"receipt":"jws-a"}');
  assert.deepEqual(sent, ["a", "b"]);
  assert.deepEqual(list(":receipts"), ["jws-a"]);
  await answer(400, '{"error":{"code":"event_malformed"}}'); // refused for good: dropped
  assert.deepEqual(sent, ["a", "b", "c"]);
  await answer(200, '{"receipt":"jws-c"}');
  assert.deepEqual(outbox(), []);
  assert.deepEqual(list(":receipts"), ["jws-a", "jws-c"]);
  mock.timers.reset();
});

test("a fault retries the same event with exponential backoff and jitter, capped at 60 s; nothing overtakes it", async () => {
  enqueue(event("a"));
  enqueue(event("b"));
  const delays = [];
  for (const status of [503, 0, 429, 408, 425, 500, 502, 503, 504]) {
    await answer(status);
    const before = sent.length;
    let waited = 0;
    while (sent.length === before) {
      mock.timers.tick(100);
      waited += 100;
      await settle();
    }
    delays.push(waited);
    assert.equal(sent.at(-1), "a", "another event went before the one retried");
  }
  // 1 s, 2 s, 4 s ... with 30 % jitter, never past 60 s (+ jitter).
  assert.deepEqual(delays, [1300, 2600, 5200, 10400, 20800, 41600, 78000, 78000, 78000]);
  assert.deepEqual(outbox(), ["a", "b"]);
  await answer(201);
  assert.deepEqual(sent.slice(-2), ["a", "b"]);
  await answer(201);
  assert.deepEqual(outbox(), []);
  mock.timers.reset();
});

test("an edge that never answers: after 20 s the request is a fault, and the same event is tried again", async () => {
  enqueue(event("a"));
  enqueue(event("b"));
  mock.timers.tick(19_999);
  await settle();
  assert.deepEqual(sent, ["a"], "given up before 20 s");
  mock.timers.tick(1);
  await settle();
  // A fault: the first retry after 1 s (+30 % jitter), the same event.
  mock.timers.tick(1300);
  await settle();
  assert.deepEqual(sent, ["a", "a"]);
  waiting.shift(); // the first request's answer never comes
  await answer(201, '{"receipt":"jws-a"}');
  assert.deepEqual(sent, ["a", "a", "b"]);
  assert.deepEqual(list(":receipts"), ["jws-a"]);
  await answer(201);
  assert.deepEqual(outbox(), []);
  mock.timers.reset();
});

test("a flush while a retry waits (pagehide, online) sends the oldest event at once, and only it", async () => {
  enqueue(event("a"));
  enqueue(event("b"));
  await answer(0);
  assert.deepEqual(sent, ["a"]);
  flush();
  assert.deepEqual(sent, ["a", "a"]);
  flush();
  assert.deepEqual(sent, ["a", "a"], "two in flight");
  await answer(201);
  assert.deepEqual(sent, ["a", "a", "b"]);
  mock.timers.tick(2000); // the old retry timer finds b in flight: nothing more
  await settle();
  assert.deepEqual(sent, ["a", "a", "b"]);
  await answer(201);
  mock.timers.reset();
});

test("events left from an earlier visit go first, in their order", async () => {
  write(":outbox", [event("old-1"), null, { no: "id" }, event("old-2")]);
  enqueue(event("new"));
  assert.deepEqual(sent, ["old-1"]);
  await answer(201);
  await answer(201);
  await answer(201);
  assert.deepEqual(sent, ["old-1", "old-2", "new"]);
  assert.deepEqual(outbox(), []);
  mock.timers.reset();
});

test("410 subject_erased: the event is dropped and the stored choice forgotten, so the next page asks afresh", async () => {
  write("", { subject: "s-1", client_time_ms: 1 });
  enqueue(event("a"));
  enqueue(event("b"));
  await answer(410, '{"error":{"code":"subject_erased"}}');
  assert.equal(read(""), null, "the erased subject's choice is gone");
  assert.deepEqual(sent, ["a", "b"], "the next one still goes (and meets the same answer)");
  assert.deepEqual(outbox(), ["b"]);
  write("", { subject: "s-2", client_time_ms: 2 });
  await answer(400, '{"error":{"code":"event_malformed"}}');
  assert.deepEqual(read(""), { subject: "s-2", client_time_ms: 2 }, "another 4xx forgets nothing");
  mock.timers.reset();
});
