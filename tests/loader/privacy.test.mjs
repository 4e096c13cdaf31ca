// privacy.js, DOM-free parts: the subject's state is asked by the newest
// receipt only, a failed answer grants no restriction claim, and before any
// choice the center's email page opens (no subject, no key to send).
import { test } from "node:test";
import assert from "node:assert/strict";
import { loader } from "./env.mjs";

const { restricted, privacyCenter } = await loader("privacy");

const page = (receipts, current = null) => ({
  base: "https://edge.example/",
  site: "demo",
  list: (k) => (k === ":receipts" ? receipts : []),
  current: () => current,
  key: () => { throw new Error("no key is read without a subject"); },
  write: () => { throw new Error("nothing is written"); },
});

test("restricted() asks the subject's state by the newest receipt", async () => {
  const asked = [];
  globalThis.fetch = async (url, init) => {
    asked.push([url, init.headers.authorization]);
    return { ok: true, json: async () => ({ restricted: true }) };
  };
  assert.equal(await restricted(page(["r1", "r2"])), true);
  assert.deepEqual(asked, [["https://edge.example/v1/sites/demo/subjects/me/state", "Bearer r2"]]);
});

test("restricted() is false before any receipt (nothing asked) and when the edge refuses", async () => {
  let calls = 0;
  globalThis.fetch = async () => { calls++; return { ok: false, status: 401, json: async () => ({ restricted: true }) }; };
  assert.equal(await restricted(page([])), false);
  assert.equal(calls, 0);
  assert.equal(await restricted(page(["r1"])), false, "an error body is no answer");
  assert.equal(calls, 1);
});

test("before any choice, privacyCenter() opens the page that mails a link", () => {
  const opened = [];
  globalThis.window.open = (...a) => opened.push(a);
  privacyCenter(page([]));
  assert.deepEqual(opened, [["https://edge.example/v1/sites/demo/privacy", "_blank", "noopener"]]);
});
