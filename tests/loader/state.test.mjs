// state.js with the real engine: what is stored beside each choice, and
// whether the banner asks, across page views. An embed's "Allow and load"
// answers for its own purpose only; nothing undecided is granted.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { demoAnswer, memoryStorage, loader, wasm } from "./env.mjs";

const { open, read, list } = await loader("storage");
const { begin, record, get, accepts } = await loader("state");
// `engine` is set by `begin`: read through the module, a live binding.
const S = await loader("state");

let answer, ls;
globalThis.fetch = () => new Promise(() => {}); // the edge never answers here: the outbox keeps all
before(() => {
  answer = demoAnswer("en");
  ls = memoryStorage();
});

/** A new page view on the same browser storage: whether it asks (once its
 *  engine is in, when it needs one). */
function pageView() {
  open("demo", () => ls);
  return begin("demo", structuredClone(answer), false, wasm);
}

test("a first visit asks, and nothing optional is granted", () => {
  assert.equal(pageView(), true);
  assert.equal(get(), null);
  assert.equal(accepts("analytics"), false);
  assert.equal(accepts("necessary"), true);
});

test("an embed's allow grants its purpose and service, and the banner still asks, on this view and the next", async () => {
  await S.engine(); // an embed's allow is the engine's to make
  const e = record("allow", 0, "personalisation", "youtube");
  assert.equal(e.ui.control, "allow_embed");
  assert.equal(e.decisions.analytics, false, "recorded false");
  assert.equal("unanswered" in list(":outbox")[0], false, "the event sent is the engine's, nothing added");
  assert.equal(read("").unanswered, true, "stored beside the choice: the banner is unanswered");
  assert.equal(accepts("personalisation", "youtube"), true);
  assert.equal(accepts("personalisation", "recommendations"), false);
  assert.equal(accepts("analytics"), false);

  assert.equal(await pageView(), true, "the banner returns for what was not decided");
  assert.deepEqual(get(), { necessary: true, analytics: false, marketing: false, personalisation: true });
  assert.equal(accepts("personalisation", "youtube"), true, "the embed's grant holds");
});

test("answering the banner decides everything: the next view does not ask", async () => {
  record("reject_all", 0);
  assert.equal(read("").unanswered, false);
  assert.equal(await pageView(), false);
  assert.deepEqual(get(), { necessary: true, analytics: false, marketing: false, personalisation: false });
  assert.deepEqual(list(":outbox").map((e) => e.action), ["give", "withdraw"]);
});

test("a choice the edge's cookie hands back (no local copy) counts as answered", async () => {
  const stored = read("");
  delete stored.unanswered;
  ls.items.clear();
  open("demo", () => ls);
  assert.equal(await begin("demo", { ...structuredClone(answer), choice: stored }, false, wasm), false);
});
