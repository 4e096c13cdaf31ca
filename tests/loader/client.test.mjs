// What the loader writes in JavaScript rather than ask the engine (a first
// visit fetches none): the outbox's reading of each status and the ids a
// page draws, held to core's answers in core/tests/vectors/client.json
// (core/tests/vectors.rs checks the file against core).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loader } from "./env.mjs";

const vectors = JSON.parse(readFileSync(new URL("../../core/tests/vectors/client.json", import.meta.url), "utf8"));
const { outcome } = await loader("outbox");
const { uuid } = await loader("ids");

test("the outbox reads every status 0 to 599 as core does", () => {
  assert.equal(vectors.outcomes.length, 600);
  const wrong = vectors.outcomes.map((want, status) => [status, outcome(status), want]).filter(([, got, want]) => got !== want);
  assert.deepEqual(wrong, []);
});

test("an event id and a new subject are core's UUIDs of the same bytes", () => {
  assert.ok(vectors.ids.length >= 4);
  for (const { bytes, ms, uuid: want } of vectors.ids) {
    const b = Uint8Array.from(bytes.match(/../g).map((h) => parseInt(h, 16)));
    assert.equal(uuid(ms ?? undefined, b), want, `${bytes} ${ms}`);
  }
});

test("drawn from the platform: a version 4, and a version 7 that carries its time", () => {
  const a = uuid(), b = uuid();
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(a, b);
  const now = Date.now();
  const s = uuid(now);
  assert.match(s, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(parseInt(s.slice(0, 8) + s.slice(9, 13), 16), now);
});
