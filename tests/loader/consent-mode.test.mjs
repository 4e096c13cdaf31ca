// consent-mode.js with the real engine: core's seven signals, all denied
// first; regional defaults; after a choice each signal as the engine judges
// the purposes the site maps to it.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { demoAnswer, memoryStorage, loader, wasm } from "./env.mjs";

const { open } = await loader("storage");
const { begin, record } = await loader("state");
// `engine` is set by `begin`: read through the module, a live binding.
const S = await loader("state");
const { denyAll, regions, update } = await loader("consent-mode");

globalThis.fetch = () => new Promise(() => {});
const CORE_SIGNALS = [...readFileSync(new URL("../../core/src/consent_mode.rs", import.meta.url), "utf8")
  .match(/pub const SIGNALS: \[&str; 7\] = \[([^\]]*)\]/)[1].matchAll(/"(\w+)"/g)].map((m) => m[1]);
let answer;
before(async () => {
  answer = demoAnswer("en");
  open("cm", () => memoryStorage());
  begin("demo", answer, false, wasm);
  await S.engine(); // the engine's answers (a first visit's plan: plan.test.mjs)
});
const last = () => Array.from(window.dataLayer.at(-1));

test("the default denies core's seven signals and waits 500 ms for the update", () => {
  denyAll();
  const [cmd, kind, d] = last();
  assert.deepEqual([cmd, kind], ["consent", "default"]);
  assert.deepEqual(Object.keys(d), [...CORE_SIGNALS, "wait_for_update"]);
  assert.ok(CORE_SIGNALS.every((s) => d[s] === "denied"));
  assert.equal(d.wait_for_update, 500);
});

test("regional defaults grant what the site lists there", () => {
  regions(answer.consent_mode);
  const d = last()[2];
  assert.deepEqual(d.region, ["US-CA", "US-CO", "US-VA"]);
  assert.equal(d.security_storage, "granted");
  assert.equal(d.ad_storage, "denied");
});

test("an update follows the engine: granted exactly when every mapped purpose is", () => {
  update(answer.consent_mode);
  let d = last()[2];
  assert.equal(last()[1], "update");
  assert.equal(d.security_storage, "granted", "mapped to a required purpose");
  assert.equal(d.analytics_storage, "denied", "nothing optional before a choice");
  record("save", 1); // nothing marked: every optional switch off
  open("cm2", () => memoryStorage());
  record("allow", 0, "analytics", "");
  update(answer.consent_mode);
  d = last()[2];
  assert.equal(d.analytics_storage, "granted");
  assert.equal(d.ad_storage, "denied");
  assert.equal(d.personalization_storage, "denied");
  update(undefined); // a site without consent_mode gets no update
  assert.equal(last()[2], d);
});

// On a TCF site the CMP (../../widget/tcf/tcf.js) loads off the banner path:
// an update waits for it (`hooks.t`, settled either way) and then carries its
// reading (`hooks.g`), in one push.
test("a part's reading: the update waits for hooks.t, then hooks.g sets its signals, in one push", async () => {
  const { hooks } = await loader("state");
  const pushes = () => window.dataLayer.filter((a) => a[1] === "update").length;
  let settle;
  hooks.t = new Promise((done) => { settle = done; });
  hooks.g = (s) => { s.ad_storage = "denied"; s.ad_user_data = "denied"; };
  try {
    record("allow", 0, "marketing", "");
    const before = pushes();
    update(answer.consent_mode);
    await Promise.resolve();
    assert.equal(pushes(), before, "nothing before the CMP is in");
    settle();
    await hooks.t;
    await Promise.resolve();
    assert.equal(pushes(), before + 1, "one update");
    const d = last()[2];
    assert.deepEqual([d.ad_storage, d.ad_user_data, d.ad_personalization], ["denied", "denied", "granted"], "the part's reading over the engine's");
  } finally {
    delete hooks.t;
    delete hooks.g;
  }
});
