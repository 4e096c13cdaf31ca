// Core's route table against the real router: every route `assent routes`
// lists (assent_core::api::ROUTES) is answered by the worker under
// wrangler dev with something other than the router's own refusals
// (`not_found` for a path it does not know, `method_not_allowed` for a
// method it does not take there), and a path or method outside the table is
// refused by the router. docs/api.md lists the same table (core/tests/docs.rs).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { startEdge, assent } from "./harness.mjs";

let edge, routes;
before(async () => {
  edge = await startEdge({ rateLimit: false });
  const r = assent(["routes"]);
  assert.equal(r.status, 0, r.stderr);
  routes = JSON.parse(r.stdout);
});
after(async () => {
  await edge?.stop();
});

const values = {
  site: "example",
  form: "newsletter",
  subject: randomUUID(),
  hash: "a".repeat(64),
  key: "0123456789abcdef",
  request: randomUUID(),
  lookup: "b".repeat(64),
  token: "1.AAAA",
  file: "assent.wasm",
  edition: "1",
};
const fill = (path) => path.replace(/\{(\w+)\}/g, (_, name) => values[name]);

/** The router's own verdict on a request: its error code, if it is one of the router's. */
async function routerRefusal(method, path) {
  const r = await fetch(edge.url + path, {
    method,
    redirect: "manual",
    headers: {
      authorization: `Bearer ${edge.adminKey}`,
      origin: "https://shop.assent.example", // one of the site's allowed origins
      ...(method === "POST" ? { "content-type": "application/json" } : {}),
    },
    ...(method === "POST" ? { body: "{}" } : {}),
  });
  const text = await r.text();
  let code = null;
  try { code = JSON.parse(text).error?.code ?? null; } catch { /* a page */ }
  if (r.status === 405) return "method_not_allowed";
  return code === "not_found" ? code : null;
}

test("every route of core's table reaches a handler", async () => {
  assert.ok(routes.length >= 45, `${routes.length} routes`);
  const refused = [];
  for (const { method, path } of routes) {
    const why = await routerRefusal(method, fill(path));
    if (why) refused.push(`${method} ${path}: ${why}`);
  }
  assert.deepEqual(refused, []);
});

test("what the table does not list, the router refuses", async () => {
  assert.equal(await routerRefusal("GET", "/v1/sites/example/nothing"), "not_found");
  assert.equal(await routerRefusal("GET", "/v1/admin/sites/example/nothing"), "not_found");
  // A listed path with a method the table does not give it.
  const listed = new Set(routes.map((r) => `${r.method} ${r.path}`));
  let probed = 0;
  for (const { path } of routes) {
    for (const method of ["GET", "POST"]) {
      if (listed.has(`${method} ${path}`)) continue;
      assert.equal(await routerRefusal(method, fill(path)), "method_not_allowed", `${method} ${path}`);
      probed++;
    }
  }
  assert.ok(probed > 20);
});

test("every path the console asks for is a route of the table", async () => {
  const { readFileSync } = await import("node:fs");
  const src = (f) => readFileSync(new URL(`../../console/${f}`, import.meta.url), "utf8");
  // Segment by segment: a route's `{name}` and the console's `${...}` (a
  // value it fills in, `*` here) match any one segment.
  const same = (a, b) => a === b || a === "*" || /^\{\w+\}$/.test(b);
  const known = (method, path) => routes.some((r) => {
    const [p, q] = [path.split("/"), r.path.split("/")];
    return r.method === method && p.length === q.length && p.every((s, i) => same(s, q[i]));
  });
  // The query is the handler's.
  const normal = (p) => p.replace(/\$\{[^}]*\}/g, "*").split("?")[0];
  const asked = [];
  const lines = src("api.js").split("\n");
  for (const [i, line] of lines.entries()) {
    const m = line.match(/call\((?:"([^"]+)"|`([^`]+)`)(.*)$/) ?? line.match(/fetch\(`\$\{base\}([^`]+)`/);
    if (!m) continue;
    const path = m[1] ?? m[2] ?? "";
    // The method is on the call's line, or the next (a fetch's options).
    const call = m[3] !== undefined;
    const method = (call ? line : line + lines[i + 1]).match(/method: "(POST|DELETE)"/)?.[1] ?? "GET";
    asked.push([method, "/v1/admin/sites/*" + normal(path)]);
  }
  for (const m of src("console.js").matchAll(/fetch\(`(\/v1\/[^`]+)`/g)) asked.push(["GET", normal(m[1])]);
  assert.ok(asked.length >= 15, `${asked.length} paths`);
  const strays = asked.filter(([method, path]) => !known(method, path)).map((a) => a.join(" "));
  assert.deepEqual(strays, []);
});
