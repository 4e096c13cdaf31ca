// The widget embedded on another site, as marketers use it: the page on one
// origin, the edge on another. Real CORS (preflight, credentials) between
// real Chromium and the real worker.
//
// The "other site" is served by Playwright's router at an allowed origin of
// the demo config, while the edge runs on loopback. Chromium's Local Network
// Access check would stop a public page from reaching loopback at all; real
// deployments never meet it (the edge is public), so this file turns it off.
import { test } from "node:test";
import assert from "node:assert/strict";
import { subjectOf, waitForRecordsOf } from "./harness.mjs";
import { useEdgeAndChromium, edge, browser } from "./setup.mjs";

useEdgeAndChromium({ chromiumArgs: ["--disable-features=LocalNetworkAccessChecks"] });


async function visit(origin) {
  const context = await browser.newContext();
  await context.route(`${origin}/**`, (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><html lang="en"><head>
        <script src="${edge.url}/assent.js" data-site="demo"></script></head>
        <body><h1>An article elsewhere</h1></body></html>`,
    }),
  );
  const page = await context.newPage();
  await page.goto(`${origin}/news/1`);
  return { context, page };
}

test("on an allowed site: the banner shows, the choice is stored through CORS, and no third-party cookie is set", async () => {
  const { context, page } = await visit("https://demo.assent.example");
  await page.evaluate(() => window.assent.ready);
  await page.click("#assent-host >> section.banner button[data-act=reject_all]");
  const mine = await waitForRecordsOf(edge, await subjectOf(page));
  assert.equal(mine.length, 1);
  assert.deepEqual(mine[0].record.event.page, { origin: "https://demo.assent.example", path: "/news/1" });
  // The answer was readable (CORS with credentials), so the event left the outbox with its receipt.
  await page.waitForFunction(() => window.assent.receipts().length === 1);
  assert.equal(await page.evaluate(() => localStorage.getItem("assent:demo:outbox")), "[]");
  const cookies = await context.cookies();
  assert.deepEqual(cookies.filter((c) => c.name.includes("assent")), [], "a cross-site edge set a cookie");
  await context.close();
});

test("on a site the config does not allow: the widget fails closed", async () => {
  const { context, page } = await visit("https://elsewhere.example");
  const started = await page.evaluate(() => window.assent.ready.then(() => true, () => false));
  assert.equal(started, false);
  assert.equal(await page.locator("#assent-host").count(), 0, "a banner showed on a site that is not allowed");
  assert.equal(await page.evaluate(() => window.assent.accepted("analytics")), false);
  await context.close();
});
