// privacy.js, DOM-free parts: the subject's state is asked with the
// subject's key (never a receipt), a failed answer grants no restriction
// claim, and before any choice the center's email page opens (no subject, no
// key to send).
import { test } from "node:test";
import assert from "node:assert/strict";
import { loader } from "./env.mjs";

const { restricted, privacyCenter } = await loader("privacy");

const KEY = "0c2a4f0e-93d1-4b7e-8a55-6f1c2d3e4b5a";
const page = (receipts, current = null) => ({
  base: "https://edge.example/",
  site: "demo",
  list: (k) => (k === ":receipts" ? receipts : []),
  current: () => current,
  key: () => {
    if (!current) throw new Error("no key is read without a subject");
    return KEY;
  },
  write: () => { throw new Error("nothing is written"); },
});

test("restricted() asks the subject's state with the subject and its key, never a receipt", async () => {
  const asked = [];
  globalThis.fetch = async (url, init) => {
    asked.push([url, init.headers]);
    return { ok: true, json: async () => ({ restricted: true }) };
  };
  assert.equal(await restricted(page(["r1", "r2"], { subject: "s-1", client_time_ms: 1 })), true);
  assert.deepEqual(asked, [[
    "https://edge.example/v1/sites/demo/subjects/me/state",
    { "assent-subject": "s-1", "assent-key": KEY },
  ]]);
});

test("restricted() is false before any choice (nothing asked) and when the edge refuses", async () => {
  let calls = 0;
  globalThis.fetch = async () => { calls++; return { ok: false, status: 401, json: async () => ({ restricted: true }) }; };
  assert.equal(await restricted(page(["r1"])), false, "receipts alone ask nothing");
  assert.equal(calls, 0);
  assert.equal(await restricted(page(["r1"], { subject: "s-1", client_time_ms: 1 })), false, "an error body is no answer");
  assert.equal(calls, 1);
});

test("before any choice, privacyCenter() opens the page that mails a link", () => {
  const opened = [];
  globalThis.window.open = (...a) => opened.push(a);
  privacyCenter(page([]));
  assert.deepEqual(opened, [["https://edge.example/v1/sites/demo/privacy", "_blank", "noopener"]]);
});
