// edge.js: the static tag's config and wasm fetches. A 429 (a busy shared
// address: assent_core::limits) is asked again with backoff, so the banner
// still comes; anything else that is not a 2xx fails at once (nothing
// optional is granted then).
import { test } from "node:test";
import assert from "node:assert/strict";
import { loader } from "./env.mjs";

const { get } = await loader("edge");

function stub(statuses) {
  const waited = [];
  let calls = 0;
  globalThis.setTimeout = (fn, ms) => { waited.push(ms); fn(); };
  globalThis.fetch = async () => {
    const status = statuses[Math.min(calls++, statuses.length - 1)];
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

test("after four retries (1 + 2 + 4 + 8 s) it gives up and fails closed", async () => {
  const s = stub([429]);
  await assert.rejects(get("https://edge.example/v1/sites/demo/config", "json"), /HTTP 429/);
  assert.deepEqual(s.waited, [1000, 2000, 4000, 8000]);
  assert.equal(s.calls(), 5);
});

test("any other refusal fails at once, without a retry", async () => {
  for (const status of [400, 404, 500, 503]) {
    const s = stub([status, 200]);
    await assert.rejects(get("https://edge.example/x", "json"), new RegExp(`HTTP ${status}`));
    assert.equal(s.calls(), 1, String(status));
    assert.deepEqual(s.waited, []);
  }
});
