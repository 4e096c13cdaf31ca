// gating.js: which stored names a config entry covers (`name*` is a prefix).
import { test } from "node:test";
import assert from "node:assert/strict";
import { loader } from "./env.mjs";

const { matches } = await loader("gating");

test("a listed name matches itself; `name*` matches every name it begins", () => {
  assert.equal(matches("_ga", "_ga"), true);
  assert.equal(matches("_ga", "_gat"), false);
  assert.equal(matches("_ga_*", "_ga_XYZ"), true);
  assert.equal(matches("_ga_*", "_ga"), false);
  assert.equal(matches("_pk_id.*", "_pk_id.1.abc"), true);
});
