// The loader's modules import each other without a loop (a loop would make
// the order modules start in depend on who imports first).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";

const dir = new URL("../../widget/loader/", import.meta.url);

test("no import loops between the loader's modules", () => {
  const deps = {};
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".js"))) {
    const src = readFileSync(new URL(f, dir), "utf8");
    deps[f] = [...src.matchAll(/^import [^;]* from "\.\/([\w-]+\.js)";/gm)].map((m) => m[1]);
  }
  assert.ok(Object.keys(deps).length >= 8);
  const visit = (f, path) => {
    assert.ok(!path.includes(f), `import loop: ${[...path, f].join(" -> ")}`);
    for (const d of deps[f]) visit(d, [...path, f]);
  };
  for (const f of Object.keys(deps)) visit(f, []);
});
