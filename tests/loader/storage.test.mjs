// storage.js: the widget's keys under "assent:<site>", and memory when the
// browser's storage is missing or throws (fails closed: the page view only).
import { test } from "node:test";
import assert from "node:assert/strict";
import { open, read, write, list } from "../../widget/loader/storage.js";
import { memoryStorage } from "./env.mjs";

test("values are JSON under assent:<site> + key", () => {
  const ls = memoryStorage();
  open("demo", () => ls);
  write(":outbox", [{ a: 1 }]);
  write("", { subject: "s" });
  assert.equal(ls.items.get("assent:demo:outbox"), '[{"a":1}]');
  assert.deepEqual(read(""), { subject: "s" });
  assert.equal(ls.items.has("assent:probe"), false, "the probe is removed");
});

test("a storage that throws on write keeps values in memory for this page view", () => {
  const ls = memoryStorage({ broken: true });
  open("full", () => ls);
  write("", { subject: "s" });
  assert.deepEqual(read(""), { subject: "s" });
  assert.equal(ls.items.size, 0);
});

test("a storage that cannot even be reached (blocked) is memory too", () => {
  open("blocked", () => {
    throw new Error("SecurityError");
  });
  write(":receipts", ["r"]);
  assert.deepEqual(list(":receipts"), ["r"]);
});

test("list() is [] for anything that is not a list; read() is null for what does not parse", () => {
  const ls = memoryStorage();
  open("odd", () => ls);
  ls.setItem("assent:odd:outbox", '{"not":"a list"}');
  ls.setItem("assent:odd", "{broken");
  assert.deepEqual(list(":outbox"), []);
  assert.equal(read(""), null);
  assert.deepEqual(list(":nothing"), []);
});
