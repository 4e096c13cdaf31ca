// engine.js: the engine's answers by name (one wasm export, ids marked first).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { demoAnswer, memoryStorage, loader, wasm } from "./env.mjs";

const { open } = await loader("storage");
const { begin, record } = await loader("state");
// `engine` is set by `begin`: read through the module, a live binding.
const S = await loader("state");
const { chosen, grants, asking, follows, signal } = await loader("engine");

globalThis.fetch = () => new Promise(() => {});
before(async () => {
  open("engine", () => memoryStorage());
  begin("demo", demoAnswer("en"), false, wasm);
  await S.engine(); // asked of the engine, not of a first visit's plan (plan.test.mjs)
});

test("linked switches: a purpose carries its services both ways; a service switched on lifts its purpose", () => {
  assert.equal(follows(false, "analytics", true, "matomo"), true);
  assert.equal(follows(false, "analytics", false, "google-analytics"), true);
  assert.equal(follows(false, "analytics", true, "youtube"), false, "not another purpose's service");
  assert.equal(follows(true, "youtube", true, "personalisation"), true);
  assert.equal(follows(true, "youtube", false, "personalisation"), false);
  assert.equal(follows(false, "necessary", true, "session"), false, "required purposes are locked");
});

test("chosen, grants, asking and signal before and after a choice", () => {
  assert.equal(asking(), true);
  assert.equal(grants(), false);
  assert.equal(chosen("analytics"), false);
  assert.equal(signal("security_storage", ["necessary"]), true);
  assert.equal(signal("functionality_storage", []), false);
  record("accept_all", 0);
  assert.equal(asking(), false);
  assert.equal(grants(), true);
  assert.equal(chosen("analytics"), true);
  assert.equal(signal("ad_storage", ["analytics", "marketing"]), true);
  assert.equal(chosen("nonsense"), false);
});
