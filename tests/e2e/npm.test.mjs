// The npm package (dist/npm, built by `make widget`): packs the files it
// declares, and as an ES module in real Chromium records a choice at the
// real worker, like the script tag.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { pageErrors, subjectOf, waitForRecordsOf } from "./harness.mjs";
import { useEdgeAndChromium, edge, browser } from "./setup.mjs";

const NPM = new URL("../../dist/npm/", import.meta.url);
useEdgeAndChromium();

test("the package holds the module, the wasm and the types, and nothing else", () => {
  const [pack] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", NPM.pathname], { encoding: "utf8" }));
  assert.equal(pack.name, "assent-widget");
  assert.deepEqual(pack.files.map((f) => f.path).sort(),
    ["README.md", "assent.d.ts", "assent.mjs", "assent.wasm", "index.d.ts", "package.json"]);
  const pkg = JSON.parse(readFileSync(new URL("package.json", NPM)));
  assert.equal(pkg.exports["."].default, "./assent.mjs");
  assert.equal(pkg.exports["."].types, "./index.d.ts");
});

test("imported as an ES module, run() shows the banner and records the choice at the edge", async () => {
  const context = await browser.newContext();
  await context.route(`${edge.url}/npm/**`, (route) => {
    const name = new URL(route.request().url()).pathname.slice("/npm/".length);
    const type = name.endsWith(".wasm") ? "application/wasm" : "text/javascript";
    return route.fulfill({ contentType: type, body: readFileSync(new URL(name, NPM)) });
  });
  await context.route(`${edge.url}/app`, (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><html lang="en"><head><title>app</title>
        <script type="module">
          import { run } from "/npm/assent.mjs";
          window.api = run({ site: "demo", edge: "/" });
        </script></head><body><h1>An app</h1></body></html>`,
    }),
  );
  const page = await context.newPage();
  const errors = pageErrors(page);
  await page.goto(`${edge.url}/app`);
  await page.evaluate(() => window.api.ready);
  assert.equal(await page.evaluate(() => window.api === window.assent), true);
  const consent = await page.evaluate(() => window.dataLayer.map((a) => Array.from(a))[0]);
  assert.deepEqual(consent.slice(0, 2), ["consent", "default"]);
  await page.click("#assent-host >> section.banner button[data-act=reject_all]");
  const found = await waitForRecordsOf(edge, await subjectOf(page));
  assert.equal(found.length, 1);
  assert.equal(found[0].record.event.action, "refuse");
  assert.deepEqual(errors, []);
  await context.close();
});
