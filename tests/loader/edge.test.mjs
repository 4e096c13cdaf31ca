// edge.js: the static tag's config and wasm fetches. What may pass is asked
// again with backoff, so the banner still comes: a 429 (a busy shared
// address: assent_core::limits), a 5xx, a network that failed. Another 4xx
// fails at once (nothing optional is granted then), its status the reason.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loader } from "./env.mjs";

const { get } = await loader("edge");

/** Answers in turn: a status, or "down" for a fetch that rejects (no network). */
function stub(answers) {
  const waited = [];
  let calls = 0;
  globalThis.setTimeout = (fn, ms) => { waited.push(ms); fn(); };
  globalThis.fetch = async () => {
    const status = answers[Math.min(calls++, answers.length - 1)];
    if (status === "down") throw new TypeError("Failed to fetch");
    return { status, ok: status >= 200 && status < 300, json: async () => ({ site: "demo" }) };
  };
  return { waited, calls: () => calls };
}

test("a refused config fetch (429) is asked again after 1, 2, 4 s until it is served", async () => {
  const s = stub([429, 429, 429, 200]);
  assert.deepEqual(await get("https://edge.example/v1/sites/demo/config", "json"), { site: "demo" });
  assert.deepEqual(s.waited, [1000, 2000, 4000]);
  assert.equal(s.calls(), 4);
});

test("a network that failed, a 500 and a 503 are asked again too", async () => {
  const s = stub(["down", 500, 503, 200]);
  assert.deepEqual(await get("https://edge.example/v1/sites/demo/config", "json"), { site: "demo" });
  assert.deepEqual(s.waited, [1000, 2000, 4000]);
  assert.equal(s.calls(), 4);
});

test("after four retries (1 + 2 + 4 + 8 s) it gives up and fails closed", async () => {
  for (const answer of [429, 500, "down"]) {
    const s = stub([answer]);
    await assert.rejects(get("https://edge.example/v1/sites/demo/config", "json"), (e) => (answer === "down" ? e instanceof TypeError : e === answer));
    assert.deepEqual(s.waited, [1000, 2000, 4000, 8000], String(answer));
    assert.equal(s.calls(), 5);
  }
});

test("another 4xx fails at once, without a retry", async () => {
  for (const status of [400, 403, 404, 410, 499]) {
    const s = stub([status, 200]);
    await assert.rejects(get("https://edge.example/x", "json"), (e) => e === status);
    assert.equal(s.calls(), 1, String(status));
    assert.deepEqual(s.waited, []);
  }
});
